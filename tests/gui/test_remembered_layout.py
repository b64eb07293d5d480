"""The window's size, its splitters and the tab on show are as the user left them after a restart."""
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QSplitter

from synthetic_digits import SMALL, bar_digits
from kernelplay.gui.settings import AppSettings


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch):
    """Windows sharing one settings file in ``tmp_path``, with a small training tab."""
    from kernelplay.gui import main_window
    from kernelplay.gui.main_window import MainWindow
    from kernelplay.gui.training.training_tab import TrainingTab

    monkeypatch.setattr(main_window.MainWindow, "_create_training_tab", staticmethod(
        lambda: TrainingTab(data=bar_digits(), config=SMALL, snapshot_interval=0.02)))
    path = str(tmp_path / "kernelplay.ini")

    def make():
        window = MainWindow(AppSettings(QSettings(path, QSettings.Format.IniFormat)))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


def _same_size(window, width: int, height: int) -> bool:
    """The window is ``width``×``height``, or as wide as the screen lets a restored window be (the
    offscreen test screen is 800 px wide)."""
    room = window.screen().availableGeometry().width()
    return window.height() == height and abs(window.width() - min(width, room)) <= 2


def _share(sizes) -> float:
    """The first pane's share of a splitter (a hidden tab's splitter is laid out at another size)."""
    return sizes[0] / sum(sizes)


def _training_splitter(window) -> QSplitter:
    return next(s for s in window.training.findChildren(QSplitter) if s.orientation().name == "Vertical")


def test_size_splitters_and_last_tab_come_back(qtbot, make_window):
    first = make_window()
    first.resize(1100, 720)
    qtbot.waitUntil(lambda: first.width() == 1100)
    first.playground.view_splitter.setSizes([180, 420])
    playground_sizes = first.playground.view_splitter.sizes()
    first.tabs.setCurrentWidget(first.training)
    splitter = _training_splitter(first)
    splitter.setSizes([150, 450])
    training_sizes = splitter.sizes()
    first.close()

    second = make_window()
    assert _same_size(second, 1100, 720)
    assert _share(second.playground.view_splitter.sizes()) == pytest.approx(_share(playground_sizes), abs=0.01)
    qtbot.waitUntil(lambda: second.training is not None and second.tabs.currentWidget() is second.training)
    assert second.tabs.tabText(second.tabs.currentIndex()) == "CNN training"
    assert _share(_training_splitter(second).sizes()) == pytest.approx(_share(training_sizes), abs=0.01)
    second.close()


def test_closing_in_presentation_mode_keeps_the_normal_geometry(qtbot, make_window):
    first = make_window()
    first.resize(1050, 710)
    qtbot.waitUntil(lambda: first.width() == 1050)
    first.classroom.presentation.set_active(True)
    first.close()
    second = make_window()
    assert _same_size(second, 1050, 710) and not second.isFullScreen()
    assert not second.classroom.presentation.is_active()
    second.close()


def test_a_damaged_layout_in_the_settings_is_ignored(qtbot, make_window, tmp_path):
    settings = QSettings(str(tmp_path / "kernelplay.ini"), QSettings.Format.IniFormat)
    settings.setValue("splitters/Kernel playground/0-2", "not a splitter state")
    settings.setValue("last_tab", 42)
    settings.sync()
    window = make_window()
    assert window.tabs.currentWidget() is window.playground
    assert all(size > 0 for size in window.playground.view_splitter.sizes())
    window.close()
