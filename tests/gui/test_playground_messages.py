"""What the kernel editor says while a weight is typed: nothing about an entry on its way to a
number, a complaint once the user leaves a cell with text that cannot be one, and nothing left
on screen once the cell is right. And which kernel is applied meanwhile: each number typed on the
way, and the kernel from before the edit while the cell holds none."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kernelplay.common.text import format_significant
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.kernels import PRESETS, kernel_as_fraction, parse_weight
from kernelplay.imaging.mapping import map_output

@pytest.fixture
def editing(window, emboss_image, wait_for_output):
    """The tab with the emboss preset applied, and every message the tab posts, in order."""
    tab = window.playground
    tab.set_image(emboss_image, "t")
    tab.kernel_editor.set_preset("emboss")
    wait_for_output(tab)
    posted = []
    tab.message_posted.connect(posted.append)
    return tab, tab.kernel_editor, posted


def clear(cell) -> None:
    cell.setFocus()
    cell.selectAll()
    QTest.keyClick(cell, Qt.Key.Key_Backspace)


def test_typing_minus_two_says_nothing_and_applies_it(editing, qtbot, wait_for_output):
    tab, editor, posted = editing
    cell = editor.cells()[2]  # emboss has 0 there
    clear(cell)
    qtbot.keyClick(cell, "-")
    assert cell.mark != "invalid" and editor.error_label.text() == ""
    assert posted == []
    np.testing.assert_array_equal(wait_for_output(tab).request.kernel, PRESETS["emboss"])  # as before the edit
    qtbot.keyClick(cell, "2")
    assert wait_for_output(tab).request.kernel[0, 2] == -2
    assert cell.mark == "" and posted == []


@pytest.mark.parametrize("unfinished", ["-", ".", "-.", "1e", "1e-", "1/", ""])
def test_an_unfinished_entry_is_only_an_error_once_the_cell_is_left(editing, qtbot, unfinished):
    tab, editor, posted = editing
    cell = editor.cells()[0]
    clear(cell)
    qtbot.keyClicks(cell, unfinished)
    assert cell.mark != "invalid" and posted == []
    QTest.keyClick(cell, Qt.Key.Key_Tab)  # leaves the cell with it
    assert editor.focusWidget() is editor.cells()[1]
    assert cell.mark == "invalid"
    assert posted and posted[-1].startswith("row 1, column 1:") and posted[-1].endswith("stays as before this edit.")
    # Back in the cell, a number: the complaint goes at once, from the editor and the window.
    cell.setFocus()
    qtbot.keyClick(cell, "3")
    assert cell.mark == "" and editor.error_label.text() == ""
    assert posted[-1] == ""  # an empty message hides the window's message
    assert editor.kernel()[0, 0] == parse_weight(unfinished + "3")


def test_text_no_typing_can_save_is_said_at_once_and_withdrawn_when_fixed(editing, qtbot, wait_for_output):
    tab, editor, posted = editing
    cell = editor.cells()[4]
    clear(cell)
    qtbot.keyClicks(cell, "5x")
    assert cell.mark == "invalid" and "row 2, column 2" in posted[-1]
    assert len(posted) == 1  # said once, not once a keystroke
    qtbot.keyClick(cell, Qt.Key.Key_Backspace)
    assert cell.mark == "" and posted[-1] == ""
    assert wait_for_output(tab).request.kernel[1, 1] == 5


# -- the kernel applied while a cell holds no number: the one from before the edit --------------
def retype(cell, qtbot, text) -> None:
    """Select the cell's text and type ``text`` over it, key by key, as a person replaces a weight."""
    cell.setFocus()
    cell.selectAll()
    qtbot.keyClicks(cell, text)


def assert_shown(tab, image, kernel, wait_for_output) -> None:
    """The tab filters with ``kernel``, and shows the core's output and sum of weights for it."""
    np.testing.assert_array_equal(wait_for_output(tab).request.kernel, kernel)
    np.testing.assert_array_equal(tab.output_pixels(), map_output(apply_kernel(image, kernel)).pixels)
    weights, divisor = kernel_as_fraction(kernel)
    total = format_significant(weights.sum())
    said = total if divisor == 1 else f"{total} ÷ {format_significant(divisor)} = {format_significant(kernel.sum())}"
    assert tab.kernel_editor.sum_label.text() == f"Sum of weights: {said}"


def test_1e40_typed_key_by_key_leaves_the_kernel_from_before_the_edit(editing, qtbot, emboss_image, wait_for_output):
    """1e4 on the way applies (10,000: the output goes white), but 1e40 puts back the 0 the cell
    held, not the 10,000 the student only passed through."""
    tab, editor, posted = editing
    applied = []
    editor.kernel_changed.connect(lambda kernel: applied.append(kernel[0, 2]))
    cell = editor.cells()[2]
    retype(cell, qtbot, "1e40")
    assert applied == [1, 0, 10_000, 0]  # 1, 1e (not a number yet), 1e4, 1e40
    assert cell.text() == "1e40" and cell.mark == "invalid"
    assert_shown(tab, emboss_image, PRESETS["emboss"], wait_for_output)
    assert editor.error_label.text() == ("Row 1, column 3: '1e40' is too large: a weight may be at most 1,000,000 "
                                         "either way. The kernel stays as before this edit.")
    assert posted[-1][1:] == editor.error_label.text()[1:]  # the window says it too (the label capitalises)


def test_text_that_is_no_number_after_a_number_puts_back_the_weight_from_before_the_edit(
        editing, qtbot, emboss_image, wait_for_output):
    tab, editor, _ = editing
    cell = editor.cells()[4]  # emboss has 1 there
    retype(cell, qtbot, "7")
    assert wait_for_output(tab).request.kernel[1, 1] == 7
    qtbot.keyClick(cell, "x")  # 7x
    assert cell.mark == "invalid"
    assert_shown(tab, emboss_image, PRESETS["emboss"], wait_for_output)
    qtbot.keyClick(cell, Qt.Key.Key_Backspace)  # 7 again
    assert wait_for_output(tab).request.kernel[1, 1] == 7
    qtbot.keyClick(cell, Qt.Key.Key_Backspace)  # empty: on its way to a number, not yet one
    assert cell.mark == "unfinished"
    assert_shown(tab, emboss_image, PRESETS["emboss"], wait_for_output)


def test_a_number_the_cell_is_left_with_is_the_base_of_the_next_edit(editing, qtbot, emboss_image, wait_for_output):
    tab, editor, _ = editing
    cell = editor.cells()[2]
    retype(cell, qtbot, "5")
    QTest.keyClick(cell, Qt.Key.Key_Tab)  # left with 5
    assert editor.focusWidget() is editor.cells()[3]
    QTest.keyClick(editor.cells()[3], Qt.Key.Key_Backtab)
    assert editor.focusWidget() is cell
    retype(cell, qtbot, "9x")  # 9 applies on the way; 9x puts back 5, not emboss's 0
    assert cell.mark == "invalid"
    five = PRESETS["emboss"].copy()
    five[0, 2] = 5
    assert_shown(tab, emboss_image, five, wait_for_output)


def test_a_normalised_kernel_put_back_shows_its_own_divisor(window, qtbot, emboss_image, wait_for_output):
    """Normalise makes ÷ follow the weights (1e4 on the way: ÷ 10,012); the blur put back is ÷ 16 again."""
    tab, editor = window.playground, window.playground.kernel_editor
    tab.set_image(emboss_image, "t")
    editor.set_preset("blur")
    cell = editor.cells()[4]
    retype(cell, qtbot, "1e4")
    assert editor.divisor_cell.text() == "10012"
    qtbot.keyClick(cell, "0")  # 1e40
    assert cell.mark == "invalid" and editor.is_normalised()
    assert editor.divisor_cell.text() == "16" and kernel_as_fraction(PRESETS["blur"])[1] == 16
    assert_shown(tab, emboss_image, PRESETS["blur"], wait_for_output)
