"""The unit pane open in the window at 1280×800 and 1024×700, for each kind of unit and both pages:
nothing a person would see as broken (text cut, widgets outside their parents, squeezed plots,
overlapping ticks, fonts under 11 px — tests/gui/screen_check.py), the feature maps still in sight."""
import os
from pathlib import Path

import pytest

from screen_check import window_problems
from settling import show_on_cnn_tab
from synthetic_digits import bar_digits
from kernelplay.gui.main_window import MainWindow
from kernelplay.gui.training.training_tab import TrainingTab
from kernelplay.nn.config import NetworkConfig

SIZES = ((1280, 800), (1024, 700))
UNITS = (("conv2", 7, 5, 9), ("conv1", 3, 0, 27), ("pool1", 2, 4, 4), ("fc1", 20, 0, 0), ("scores", 3, 0, 0))


class Window(MainWindow):
    @staticmethod
    def _create_training_tab():
        return TrainingTab(data=bar_digits(), config=NetworkConfig(), backend="thread", threads=1,
                           snapshot_interval=0.05, redraw_interval_ms=50)


@pytest.fixture
def window(qtbot):
    win = Window()
    show_on_cnn_tab(qtbot, win)
    yield win
    win.training.shutdown()
    win.close()


def test_the_pane_fits_and_reads_at_both_sizes(qtbot, window):
    tab = window.training
    units = tab.units
    screenshots = os.environ.get("KERNELPLAY_SCREENSHOTS")
    problems = []
    for width, height in SIZES:
        window.resize(width, height)
        for unit in UNITS:
            units.select(*unit)
            qtbot.waitUntil(lambda: units.view.explanation() is not None
                            and units.view.explanation().stage == unit[0], timeout=5000)
            pages = [units.view] + ([units.looks] if unit[0].startswith(("conv", "pool")) else [])
            for page in pages:
                units.tabs.setCurrentWidget(page)
                if page is units.looks:
                    qtbot.waitUntil(lambda: units.looks.result is not None, timeout=5000)
                qtbot.wait(100)  # layouts settle
                where = f"{width}×{height}, {unit[0]} {'looks' if page is units.looks else 'steps'}"
                problems += [f"{where}: {p}" for p in window_problems(window)]
                maps = tab.feature_maps
                if maps.width() < 300 or tab.filter_grid.width() < 300:
                    problems.append(f"{where}: the maps ({maps.width()} px) or kernels ({tab.filter_grid.width()} px) "
                                    "are squeezed")
                if screenshots:
                    window.grab().save(str(Path(screenshots) / f"unit-{width}x{height}-{unit[0]}-{page is units.looks}.png"))
            units.tabs.setCurrentWidget(units.view)
        units.close()
    assert problems == [], "\n".join(problems)
