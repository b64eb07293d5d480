"""View ▸ Presentation Mode: F11 goes full screen with all text larger — labels, painted numbers,
plot axes — Ctrl+= / Ctrl+− / Ctrl+0 size it (and zoom the images again outside the mode), the
size is remembered, and leaving puts everything back."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication

from synthetic_digits import SMALL, bar_digits
from kernelplay.gui.playground.step_grids import StepGrids
from kernelplay.gui.settings import AppSettings
from kernelplay.imaging.explain import explain_pixel
from kernelplay.imaging.kernels import PRESETS


def _font_px() -> int:
    return QFontInfo(QApplication.font()).pixelSize()


def _press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window.playground.kernel_editor.preset_box, key, modifier)  # a shortcut, from anywhere


@pytest.fixture
def shown(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    yield window
    window.classroom.presentation.set_active(False)


def test_f11_goes_full_screen_with_the_remembered_text_size_and_back(qtbot, shown):
    window, presentation = shown, shown.classroom.presentation
    base = _font_px()
    presentation.set_scale(200)
    _press(qtbot, window, Qt.Key.Key_F11)
    assert presentation.is_active() and window.isFullScreen() and presentation.toggle_action.isChecked()
    assert _font_px() == 2 * base
    note = window.playground.kernel_editor.note_label
    qtbot.waitUntil(lambda: QFontInfo(note.font()).pixelSize() == 2 * base)  # widgets follow
    assert not window.statusBar().isVisible()
    _press(qtbot, window, Qt.Key.Key_F11)
    assert not presentation.is_active() and not window.isFullScreen()
    assert _font_px() == base and window.statusBar().isVisible()
    assert window.centralWidget().findChild(type(window.tabs)) is window.tabs


def test_ctrl_plus_minus_and_zero_size_the_text_in_presentation_mode_and_zoom_images_outside(qtbot, shown):
    window, presentation = shown, shown.classroom.presentation
    base = _font_px()
    presentation.set_scale(150)
    presentation.set_active(True)
    _press(qtbot, window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert presentation.scale() == 175
    _press(qtbot, window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    _press(qtbot, window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert presentation.scale() == 125
    assert _font_px() == round(1.25 * base) or abs(_font_px() - 1.25 * base) <= 1
    for _ in range(10):
        _press(qtbot, window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert presentation.scale() == 250 and not presentation.larger_action.isEnabled()  # the top of the range
    _press(qtbot, window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert presentation.scale() == 100 and _font_px() == base
    presentation.set_active(False)
    zoom = window.playground.images.zoom()
    _press(qtbot, window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)  # outside: the images' zoom
    assert window.playground.images.zoom() == pytest.approx(zoom * 0.8) and presentation.scale() == 100


def test_the_text_size_is_remembered_across_restarts(qtbot, window):
    window.classroom.presentation.set_scale(175)
    assert AppSettings().presentation_scale() == 175
    from kernelplay.gui.main_window import MainWindow

    again = MainWindow(with_training=False)
    qtbot.addWidget(again)
    assert again.classroom.presentation.scale() == 175
    again.classroom.presentation.set_scale(1000)
    assert AppSettings().presentation_scale() == 250  # 100–250 %


def test_painted_numbers_at_200_percent_are_at_least_twice_as_large(qtbot, shown, emboss_image):
    explanation = explain_pixel(emboss_image, PRESETS["emboss"], 4, 4)

    def number_px(size) -> int:
        grids = StepGrids()
        qtbot.addWidget(grids)
        grids.show_state(explanation, 9)
        grids.resize(*size)
        return grids.number_font().pixelSize()

    at_100 = number_px((560, 200))
    presentation = shown.classroom.presentation
    presentation.set_scale(200)
    presentation.set_active(True)
    assert number_px((1120, 400)) >= 2 * at_100  # the same room, measured in text
    # and in the window on a projector: the sum's numbers never under twice the smallest readable size
    playground = shown.playground
    playground.set_image(emboss_image, "lecture")
    playground.kernel_editor.set_preset("emboss")
    playground.pin_pixel(4, 4)
    qtbot.waitUntil(lambda: playground.step_panel.explanation() is not None)
    grids = playground.step_panel.findChild(StepGrids)
    qtbot.waitUntil(lambda: grids.geometry_now() is not None and grids.width() > 0)
    assert grids.number_font().pixelSize() >= 2 * 11


def test_plot_axes_take_the_larger_text_too(qtbot, monkeypatch):
    from kernelplay.gui import main_window
    from kernelplay.gui.main_window import MainWindow
    from kernelplay.gui.training.training_tab import TrainingTab

    monkeypatch.setattr(main_window.MainWindow, "_create_training_tab", staticmethod(
        lambda: TrainingTab(data=bar_digits(), config=SMALL, snapshot_interval=0.02)))
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    tab = window.training
    axis = tab.curves.loss_plot.getAxis("left") if hasattr(tab.curves, "loss_plot") else None
    if axis is None:
        import pyqtgraph as pg

        axis = next(item for view in tab.findChildren(pg.GraphicsView) for item in view.scene().items()
                    if isinstance(item, pg.AxisItem))

    def tick_px() -> float:
        font = axis.style["tickFont"] or QApplication.font()
        return QFontInfo(font).pixelSize()

    before = tick_px()
    presentation = window.classroom.presentation
    presentation.set_scale(200)
    presentation.set_active(True)
    try:
        assert tick_px() >= 2 * before - 1
    finally:
        presentation.set_active(False)
        window.close()
    assert tick_px() == pytest.approx(before, abs=1)
