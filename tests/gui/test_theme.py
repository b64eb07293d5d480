"""Light and dark: the app follows the desktop's colour scheme or the choice in View ▸ Colours
(remembered), with a dark palette on Fusion, and the painted views stay readable: the kernel's
diverging map keeps white at zero on a light page and a neutral grey at zero on a dark one."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kernelplay.common.colormaps import diverging_rgb
from kernelplay.gui.playground.step_grids import StepGrids
from kernelplay.gui.settings import AppSettings
from kernelplay.gui.theme import Theme, is_dark
from kernelplay.imaging.explain import explain_pixel
from kernelplay.imaging.kernels import PRESETS


@pytest.fixture
def themed(window):
    yield window
    window.classroom.set_theme("light")
    window.classroom.set_theme("system")


def _zero_weight_colour(qtbot, emboss_image) -> tuple[int, int, int]:
    """The colour painted in the emboss kernel's zero cell (top right) of a fresh step grid."""
    grids = StepGrids()
    qtbot.addWidget(grids)
    grids.show_state(explain_pixel(emboss_image, PRESETS["emboss"], 4, 4), 9)
    grids.resize(560, 220)
    grids.show()
    layout = grids.geometry_now()
    rect = layout.cell_rect(1, 2)
    image = grids.grab().toImage()
    return image.pixelColor(int(rect.x() + 0.15 * rect.width()), int(rect.y() + 0.15 * rect.height())).getRgb()[:3]


def test_the_dark_choice_gives_a_dark_fusion_palette_and_a_neutral_zero(qtbot, themed, emboss_image):
    window = themed
    assert not is_dark()
    assert _zero_weight_colour(qtbot, emboss_image) == tuple(diverging_rgb(np.array(0.0), 1.0))  # white on light
    window.classroom.theme_actions["dark"].trigger()  # View ▸ Colours ▸ Dark
    assert is_dark() and QApplication.style().name().lower() == "fusion"
    qtbot.waitUntil(lambda: is_dark(window.playground))  # the widgets take the application's palette
    assert window.classroom.theme_actions["dark"].isChecked()
    zero = _zero_weight_colour(qtbot, emboss_image)
    assert zero == tuple(diverging_rgb(np.array(0.0), 1.0, dark=True)) and zero[0] < 100
    assert AppSettings().theme() == "dark"
    window.classroom.theme_actions["light"].trigger()
    assert not is_dark() and _zero_weight_colour(qtbot, emboss_image)[0] > 240


def test_the_choice_is_remembered_and_a_new_window_starts_dark(qtbot, themed):
    themed.classroom.set_theme("dark")
    from kernelplay.gui.main_window import MainWindow

    again = MainWindow(with_training=False)
    qtbot.addWidget(again)
    assert again.classroom.theme.choice() == "dark" and again.classroom.theme_actions["dark"].isChecked()
    assert is_dark()


def test_following_the_system_changes_with_the_desktops_scheme(qtbot, themed, monkeypatch):
    theme = themed.classroom.theme
    assert theme.choice() == "system" and not is_dark()
    monkeypatch.setattr(Theme, "system_scheme", lambda self: Qt.ColorScheme.Dark)
    with qtbot.waitSignal(theme.changed) as dark:
        QApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert dark.args == [True] and is_dark()
    monkeypatch.setattr(Theme, "system_scheme", lambda self: Qt.ColorScheme.Light)
    QApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not is_dark()
    themed.classroom.set_theme("light")  # a choice made: the desktop's scheme no longer counts
    monkeypatch.setattr(Theme, "system_scheme", lambda self: Qt.ColorScheme.Dark)
    QApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not is_dark()


def test_texts_keep_their_contrast_in_dark_mode(qtbot, themed):
    window = themed
    window.classroom.set_theme("dark")
    qtbot.waitUntil(lambda: is_dark(window.playground))
    palette = window.playground.palette()
    text, base = palette.color(palette.ColorRole.WindowText), palette.color(palette.ColorRole.Window)
    assert text.lightness() - base.lightness() > 150
    # the current term's tint keeps its dark ink (light text on a pale tint would vanish)
    from kernelplay.gui.playground import step_text

    assert "color:#0b2a36" in step_text.RICH.current("x")
