"""A start in a blink: the window comes up without the training tab, which is built once the window
is painted (or when chosen, or asked for) and takes its placeholder's place; the start-up probe
that benchmarks/bench_startup.py reads."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from synthetic_digits import SMALL, bar_digits

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def built(monkeypatch):
    """Every training tab the main window builds (a small one on a thread: quick to make and stop)."""
    from kernelplay.gui import main_window
    from kernelplay.gui.training.training_tab import TrainingTab

    tabs = []

    def create():
        tabs.append(TrainingTab(data=bar_digits(), config=SMALL, backend="thread", threads=1, snapshot_interval=0.02))
        return tabs[-1]

    monkeypatch.setattr(main_window.MainWindow, "_create_training_tab", staticmethod(create))
    yield tabs
    for tab in tabs:
        tab.shutdown()


@pytest.fixture
def make_window(qtbot):
    from kernelplay.gui.main_window import MainWindow

    def make():
        window = MainWindow()
        qtbot.addWidget(window)
        window.resize(1280, 800)
        return window

    return make


def test_the_tab_is_built_after_the_window_is_painted_and_takes_the_placeholders_place(qtbot, built, make_window):
    window = make_window()
    loader = window._training_loader
    assert window.tabs.count() == 2 and window.tabs.tabText(1) == "CNN training"
    assert window.tabs.widget(1) is loader.placeholder and built == []
    window.show()
    qtbot.waitUntil(loader.is_loaded, timeout=5000)
    assert built == [window.training] and window.tabs.widget(1) is window.training
    assert window.tabs.tabText(1) == "CNN training" and window.tabs.currentIndex() == 0
    assert window.training.status_label.parent() is not None and not window.training.status_label.isVisible()
    window.tabs.setCurrentIndex(1)
    assert window.training.status_label.isVisible() and not window.playground.hover_label.isVisible()
    assert window.training.curves.actions(), "the training views' right-click Save image… is there"


def test_choosing_the_tab_before_it_is_built_shows_loading_then_the_tab(qtbot, built, make_window):
    window = make_window()
    window.show()
    window.tabs.setCurrentIndex(1)  # before the event loop has run: nothing is built yet
    assert built == [] and "Loading" in window.tabs.currentWidget().text()
    qtbot.waitUntil(window._training_loader.is_loaded, timeout=5000)
    assert window.tabs.currentWidget() is window.training and window.tabs.currentIndex() == 1
    assert window.training.status_label.isVisible() and not window.playground.summary_label.isVisible()


def test_asking_for_the_tab_builds_it_at_once_and_only_once(qtbot, built, make_window):
    window = make_window()
    tab = window.training
    assert built == [tab] and window.tabs.widget(1) is tab and window.tabs.currentIndex() == 0
    window.show()
    qtbot.wait(200)  # the loader's turn after the first paint finds nothing left to do
    assert built == [tab] and window.training is tab and window.tabs.count() == 2
    window.tabs.setCurrentWidget(window.training)
    assert window.tabs.currentIndex() == 1


def test_a_window_closed_before_its_tab_is_built_builds_none(qtbot, built, make_window):
    window = make_window()
    window.show()
    window.close()
    qtbot.wait(300)
    assert built == [] and window._training is None


def test_showing_the_window_loads_neither_pyqtgraph_nor_scipy():
    script = (
        "import json, sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from kernelplay.gui.main_window import MainWindow\n"
        "app = QApplication([])\n"
        "window = MainWindow()\n"
        "window.show()\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
        "window.close()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert {"PySide6", "numpy", "kernelplay"} <= loaded
    assert not loaded & {"pyqtgraph", "scipy"}


def test_the_startup_probe_prints_when_the_window_is_up_and_quits(tmp_path):
    done = subprocess.run([sys.executable, "-m", "kernelplay"], capture_output=True, text=True, timeout=120, cwd=REPO,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO),
                               "KERNELPLAY_STARTUP_PROBE": "1", "XDG_CONFIG_HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    match = re.search(r"startup loop=(\S+) painted=(\S+) since_start=(\S+)", done.stdout)
    assert match, done.stdout
    loop, painted, since_start = (float(value) for value in match.groups())
    assert abs(painted - loop) < 30
    if sys.platform.startswith("linux"):
        assert 0 < since_start < 60
