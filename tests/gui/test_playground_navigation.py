"""Finding one's way over the images: the wheel zooms about the cursor, Esc and a second click
release a pinned pixel, the "valid" border's smaller output shows as smaller and is explained, and
nothing is shown where it does nothing or covers what is looked at."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from hovering import hover_pixel, pixel_centre
from kernelplay.gui.playground.step_grids import StepGrids
from kernelplay.imaging.scan import output_offset
from test_playground_numbers import pick
from test_step_panel import tooltip_at


BACKGROUND, RING = (48, 48, 52), (150, 150, 160)  # image_panels' background and "valid" ring hatching


def turn_wheel(view, point: QPoint, notches: int) -> None:
    position = QPointF(point)
    event = QWheelEvent(position, view.viewport().mapToGlobal(position), QPoint(), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)


def pixel_under(view, point: QPoint) -> tuple[int, int]:
    """The image pixel drawn at the screen pixel ``point`` of ``view`` (its centre, exactly)."""
    scene = view.viewportTransform().inverted()[0].map(QPointF(point) + QPointF(0.5, 0.5))
    return int(np.floor(scene.y())), int(np.floor(scene.x()))


def click(view, point: QPoint) -> None:
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


# -- 5. the wheel zooms about the cursor, in both images --------------------------------------
@pytest.mark.parametrize("pixel", [(13, 13), (80, 110), (48, 64)])
def test_the_wheel_keeps_the_pixel_under_the_cursor_in_both_images(window, qtbot, colour_image, wait_for_output,
                                                                   pixel):
    tab = window.playground
    tab.set_image(np.tile(colour_image, (8, 8, 1)), "big")  # 96×128: big enough to scroll when zoomed
    wait_for_output(tab)
    for view in tab.images.views():
        tab.images.zoom_to_fit()
        point = pixel_centre(view, *pixel)
        assert pixel_under(view, point) == pixel
        for notches in (1, 1, 2, -1):  # two notches from fit, as in the report, then more, then back
            turn_wheel(view, point, notches)
            for each in tab.images.views():
                assert pixel_under(each, point) == pixel, f"after {notches:+} notch(es)"
        assert tab.images.output_view.zoom() == pytest.approx(tab.images.input_view.zoom())


# -- 6. releasing a pin ------------------------------------------------------------------------
def test_escape_and_a_second_click_release_the_pin_at_any_zoom(window, qtbot, wait_for_output):
    tab = window.playground  # the grey sample, fitted: a pixel is smaller than a screen pixel
    wait_for_output(tab)
    view, panel = tab.images.input_view, tab.step_panel
    assert view.zoom() < 1
    point = pixel_centre(view, 200, 300)
    click(view, point)
    pinned = tab.pinned_pixel()
    assert pinned is not None and "Esc" in panel.header_text()
    click(view, point + QPoint(2, 1))  # the same spot again, as a hand clicks it: released
    assert tab.pinned_pixel() is None
    click(view, point)
    assert tab.pinned_pixel() == pinned
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert tab.pinned_pixel() is None and "Esc" not in panel.header_text()
    assert "Esc" in panel.hint_text() or panel.explanation() is not None

    tab.images.set_zoom(8.0)  # zoomed in, a click elsewhere pins the pixel clicked
    click(view, pixel_centre(view, 200, 300))
    assert tab.pinned_pixel() == (200, 300)
    click(view, pixel_centre(view, 200, 302))
    assert tab.pinned_pixel() == (200, 302)
    click(view, pixel_centre(view, 200, 302) + QPoint(2, -2))  # anywhere on the pinned pixel releases it
    assert tab.pinned_pixel() is None


# -- 7. the "valid" border ---------------------------------------------------------------------
def test_valid_explains_the_missing_edge_and_shows_the_output_smaller_in_place(window, qtbot, emboss_image,
                                                                            wait_for_output):
    tab = window.playground
    tab.set_image(emboss_image, "t")
    tab.kernel_editor.set_preset("emboss")
    pick(tab.border_box, "valid")
    result = wait_for_output(tab)
    rows, cols = result.mapped.pixels.shape
    first = output_offset("valid", 3)
    assert (rows, cols, first) == (7, 7, 1)
    input_view, output_view = tab.images.views()

    click(input_view, pixel_centre(input_view, 0, 5))  # an edge pixel, pinned
    panel = tab.step_panel
    assert panel.explanation() is None
    hint = panel.hint_text()
    assert "Valid" in hint and "Hover over a pixel" not in hint
    assert f"from row {first} to {first + rows - 1} and column {first} to {first + cols - 1}" in hint
    assert f"the output is {cols}×{rows}" in hint
    QTest.keyClick(input_view, Qt.Key.Key_Escape)

    # Each output pixel is drawn under the input pixels it belongs to; the ring around it is empty.
    qtbot.wait(20)
    shot = output_view.viewport().grab().toImage()
    output = result.mapped.pixels
    for row, col in [(1, 1), (4, 4), (7, 3)]:
        centre = pixel_centre(input_view, row, col)
        grey = int(output[row - first, col - first])
        assert shot.pixelColor(centre).getRgb()[:3] == (grey, grey, grey)
        hover_pixel(output_view, row, col)
        assert tab.focused_pixel() == (row, col)
        assert (panel.explanation().output_row, panel.explanation().output_col) == (row - first, col - first)
    ring = shot.pixelColor(pixel_centre(input_view, 0, 0)).getRgb()[:3]
    assert ring in {BACKGROUND, RING}  # the view's background or its hatching: no image pixel
    assert "7×7" in tab.images.output_title.text()


# -- 8. nothing where it does nothing, nothing over what is looked at -------------------------
def test_the_scan_chooser_shows_only_with_the_sliding_window(window, qtbot):
    tab = window.playground
    bar = tab.modes.tabBar()
    assert not tab.scan_source_box.isVisible()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert tab.scan_source_box.isVisible()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(0).center())
    assert not tab.scan_source_box.isVisible()


def test_no_tooltip_covers_the_pixel_or_the_cell_looked_at(window, qtbot, emboss_image, wait_for_output):
    tab = window.playground
    tab.set_image(emboss_image, "t")
    wait_for_output(tab)
    for view in tab.images.views():
        assert view.toolTip() == ""  # the status bar and the panel say what is under the mouse
    assert "wheel: zoom" in tab.images.input_title.text()  # how to use the images, said once, in sight
    hover_pixel(tab.images.input_view, 4, 4)
    grids = tab.step_panel.findChild(StepGrids)
    qtbot.waitUntil(lambda: grids.geometry_now() is not None)
    for grid, term in [(0, 4), (2, 8), (1, 0)]:
        assert tooltip_at(grids, grid, term)
        tip = next(w for w in QApplication.topLevelWidgets() if w.inherits("QTipLabel") and w.isVisible())
        cell = grids.geometry_now().cell_rect(grid, term).toRect()
        assert not tip.geometry().intersects(QRect(grids.mapToGlobal(cell.topLeft()), cell.size()))
