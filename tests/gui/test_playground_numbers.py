"""The number explained is the number shown: the channel, one precision rule, the divisor.

Each test drives the window as a person would (open a file, pick from the lists with the keyboard,
type into cells, hover) and checks what is on screen against the core's own numbers.
"""
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from hovering import hover_pixel
from kernelplay.common.text import format_exact, format_number, format_significant
from kernelplay.gui.playground.step_grids import StepGrids
from kernelplay.imaging.explain import explain_pixel
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.images import luminance
from kernelplay.imaging.kernels import PRESETS
from kernelplay.imaging.mapping import map_output
from test_step_panel import tooltip_at


def pick(box, data) -> None:
    """Choose an entry of a drop-down list (by its data, or else its text) with the keyboard."""
    box.setFocus()
    target = box.findData(data) if box.findData(data) >= 0 else box.findText(data)
    assert target >= 0, f"{data!r} is not offered"
    while box.currentIndex() != target:
        QTest.keyClick(box, Qt.Key.Key_Down if box.currentIndex() < target else Qt.Key.Key_Up)


def type_into(qtbot, cell, text) -> None:
    cell.setFocus()
    cell.selectAll()
    QTest.keyClick(cell, Qt.Key.Key_Backspace)
    qtbot.keyClicks(cell, text)


def offered(box) -> list:
    return [box.itemData(i) for i in range(box.count())]


def open_colour_file(window, tmp_path, pixels):
    path = tmp_path / "colour.png"
    Image.fromarray(pixels).save(path)
    assert window.open_path(path)
    return window.playground


# -- 1. the channel explained is one the output shows ------------------------------------------
def test_each_rgb_channel_mode_explains_a_channel_of_the_pixel_on_screen(window, qtbot, tmp_path, colour_image,
                                                                         wait_for_output):
    """The window starts on a grey sample; a colour file opened after it, in the default mode
    ("Each RGB channel"), must not be explained as luminance: the output has no luminance."""
    tab = open_colour_file(window, tmp_path, colour_image)
    pick(tab.kernel_editor.preset_box, "sharpen")
    wait_for_output(tab)
    assert tab.colour_box.currentData() == "rgb"
    assert offered(tab.channel_box) == ["R", "G", "B"]  # luminance is not on screen: not offered
    shown = map_output(apply_kernel(colour_image, PRESETS["sharpen"])).pixels[5, 6]  # the core's output pixel

    hover_pixel(tab.images.input_view, 5, 6)
    panel = tab.step_panel
    qtbot.waitUntil(lambda: panel.explanation() is not None)
    for index, (channel, name) in enumerate([("R", "red"), ("G", "green"), ("B", "blue")]):
        pick(tab.channel_box, channel)
        assert panel.explanation().channel == channel
        assert panel.final_value_text() == str(shown[index])
        assert f"{name} channel of the output ({shown[0]}, {shown[1]}, {shown[2]})" in panel.header_text()

    pick(tab.colour_box, "luminance")
    wait_for_output(tab)
    assert offered(tab.channel_box) == ["luminance"] and not tab.channel_box.isEnabled()
    grey = map_output(apply_kernel(luminance(colour_image), PRESETS["sharpen"])).pixels[5, 6]
    qtbot.waitUntil(lambda: panel.explanation().channel == "luminance")
    assert panel.final_value_text() == str(grey)
    pick(tab.colour_box, "rgb")  # back to channels: the one chosen last, never luminance
    wait_for_output(tab)
    assert tab.channel_box.currentData() == "B" and panel.explanation().channel == "B"


def written(values) -> str:
    """Pixel values as the status line writes them: one decimal, a colour's three in brackets."""
    parts = [format_number(float(value), 1) for value in np.atleast_1d(values)]
    return parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ")"


def test_the_sum_under_the_cursor_is_the_cores_sum_of_that_pixel(window, qtbot, tmp_path, colour_image,
                                                                 wait_for_output):
    """The preview keeps no raw sums: the status line's sum is computed again for the pixel under the
    cursor, and must be the whole image's filter's at that pixel (every channel, at the edge and
    inside, reflected, flipped; then of the luminance), beside the pixel on screen."""
    tab = open_colour_file(window, tmp_path, colour_image)
    kernel = np.array([[0.3, -1.7, 0.9], [1.1, 0.25, -0.6], [-0.45, 0.8, 0.15]])
    tab.kernel_editor.set_kernel(kernel, as_typed=True)
    pick(tab.border_box, "reflect")
    qtbot.mouseClick(tab.flip_box, Qt.MouseButton.LeftButton, pos=QPoint(5, tab.flip_box.height() // 2))
    assert tab.flip_box.isChecked()
    wait_for_output(tab)
    for source in (colour_image, luminance(colour_image)):
        raw = apply_kernel(source, kernel, border="reflect", flip=True)
        shown = map_output(raw).pixels
        for row, col in [(5, 6), (0, 15), (11, 0), (7, 3)]:
            hover_pixel(tab.images.input_view, row, col)
            qtbot.waitUntil(lambda: f"({row}, {col})" in tab.hover_label.text())
            assert f"sum {written(raw[row, col])}  →  out {written(shown[row, col])}" in tab.hover_label.text()
        pick(tab.colour_box, "luminance")
        wait_for_output(tab)


# -- 2. one precision rule for the whole panel -------------------------------------------------
def test_the_grids_and_the_equation_write_each_number_alike(qtbot):
    """6.131 and 9.017 keep their digits in the window grid (not 6.1 and 9), 11.772 × (−1) is
    −11.77 in the products grid (not −12), and the equation writes exactly the same numbers."""
    from kernelplay.gui.playground.step_panel import StepPanel

    panel = StepPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 300)  # a short strip, as at 1024×700: small cells
    panel.show()
    qtbot.waitExposed(panel)
    window = np.array([[6.131, 9.017, 11.772], [1.5, 2, 3], [4, 5, 6]])
    explanation = explain_pixel(window, [[1, 1, -1], [0, 0, 0], [0, 0, 0]], 1, 1)
    panel.set_explanation(explanation)
    grids = panel.findChild(StepGrids)
    window_texts, weight_texts, product_texts = grids.cell_texts()
    assert window_texts[:3] == ["6.131", "9.017", "11.77"]
    assert product_texts[2] == "−11.77"
    for term, written in enumerate(explanation.terms()):  # the core's terms are the grids' numbers
        weight = weight_texts[term] if not weight_texts[term].startswith("−") else f"({weight_texts[term]})"
        assert written == f"{window_texts[term]} × {weight}"
        assert written in panel.equation_text()
    assert panel.equation_text().endswith(f"= {format_significant(explanation.weighted_sum)}")
    assert grids.number_font().pixelSize() >= 11
    # Hovering a cell gives its exact numbers.
    tip = tooltip_at(grids, 2, 2)
    assert f"input {format_exact(11.772)} × weight −1 = {format_exact(-11.772)}" in tip


# -- 3. no hidden divisor ----------------------------------------------------------------------
def test_a_gaussian_made_3x3_stays_a_blur_and_a_typed_kernel_gets_no_hidden_divisor(
        window, qtbot, emboss_image, wait_for_output):
    tab, editor = window.playground, window.playground.kernel_editor
    tab.set_image(emboss_image, "t")
    pick(editor.preset_box, "gaussian 5x5")
    assert editor.divisor_cell.text() == "256" and editor.is_normalised()
    pick(editor.size_box, "3×3")  # 3×3: the middle weights, divided by their own sum
    kernel = wait_for_output(tab).request.kernel
    middle = np.outer([4, 6, 4], [4, 6, 4])
    np.testing.assert_allclose(kernel, middle / middle.sum())
    assert editor.divisor_cell.text() == str(middle.sum())
    # Typing an edge detector over it: weights that sum to 0 are not divided by anything.
    for cell, weight in zip(editor.cells(), ["-1", "-1", "-1", "-1", "8", "-1", "-1", "-1", "-1"]):
        type_into(qtbot, cell, weight)
    result = wait_for_output(tab)
    np.testing.assert_array_equal(result.request.kernel, PRESETS["outline"])
    assert editor.divisor_cell.text() == "1" and editor.sum_label.text() == "Sum of weights: 0"
    np.testing.assert_array_equal(tab.output_pixels(), map_output(apply_kernel(emboss_image, PRESETS["outline"])).pixels)


def test_a_divisor_kept_by_hand_is_said_and_a_small_sum_is_not_written_0(window, qtbot, emboss_image,
                                                                       wait_for_output):
    tab, editor = window.playground, window.playground.kernel_editor
    tab.set_image(emboss_image, "t")
    pick(editor.preset_box, "gaussian 5x5")
    box = editor.normalise_box
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(5, box.height() // 2))  # untick: ÷ 256 is mine now
    assert not editor.divisor_cell.isReadOnly()
    pick(editor.size_box, "3×3")
    assert editor.divisor_cell.text() == "256"  # a divisor the user keeps stays, in sight
    for cell in editor.cells()[:-1]:
        type_into(qtbot, cell, "0")
    type_into(qtbot, editor.cells()[-1], "-0.7")
    kernel = wait_for_output(tab).request.kernel
    assert kernel.sum() == pytest.approx(-0.7 / 256)
    assert editor.sum_label.text() == f"Sum of weights: −0.7 ÷ 256 = {format_significant(-0.7 / 256)}"
    assert format_significant(-0.7 / 256) == "−0.002734"


def test_a_learned_kernels_long_weights_show_their_first_digits(window):
    """A learned weight (0.001866…) is wider than its cell: the cell shows where the number starts."""
    learned = np.array([[0.001866, -0.1234567, 0.5], [1.25, -0.000731, 0.02], [0.3, 0.4, -0.5]])
    window.playground.kernel_editor.set_kernel(learned, as_typed=True)
    cells = window.playground.kernel_editor._cells
    assert cells[0].text() == "0.001866" and cells[1].text() == "−0.123457"
    assert all(cell.cursorPosition() == 0 for cell in cells)
