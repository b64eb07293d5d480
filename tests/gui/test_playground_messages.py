"""What the kernel editor says while a weight is typed: nothing about an entry on its way to a
number, a complaint once the user leaves a cell with text that cannot be one, and nothing left
on screen once the cell is right."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kernelplay.imaging.kernels import PRESETS, parse_weight

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
    cell = editor.cells()[0]
    clear(cell)
    qtbot.keyClick(cell, "-")
    assert cell.mark != "invalid" and editor.error_label.text() == ""
    assert posted == []
    np.testing.assert_array_equal(editor.kernel(), PRESETS["emboss"])  # the last valid kernel stays
    qtbot.keyClick(cell, "2")
    assert wait_for_output(tab).request.kernel[0, 0] == -2
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
    assert posted and posted[-1].startswith("row 1, column 1:") and "stays applied" in posted[-1]
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
