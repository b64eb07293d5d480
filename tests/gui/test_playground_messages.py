"""What the kernel editor says while a weight is typed: nothing about an entry on its way to a
number, a complaint once the user leaves a cell with text that cannot be one, and nothing left
on screen once the cell is right. And which kernel is applied meanwhile: each number typed on the
way, and the kernel from before the edit while the cell holds none. And where it is said: in one
sentence, the same in the editor and the window's message bar, read whole in a room kept for it,
so that neither the message nor a marked cell moves a widget."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGroupBox

from kernelplay.common.text import format_significant
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.kernels import PRESETS, kernel_as_fraction, parse_weight
from kernelplay.imaging.mapping import map_output
from scaled_window import run_at_one_and_a_half



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
    assert posted and posted[-1].startswith("Row 1, column 1:") and posted[-1].endswith("stays as before this edit.")
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
    assert cell.mark == "invalid" and "Row 2, column 2" in posted[-1]
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
    assert posted[-1] == editor.error_label.text()  # the window says it too, in the same words


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


# -- where the editor says it: a message moves nothing, and is read whole -----------------------
def window_layout(window) -> dict[str, QRect]:
    """Where each widget a message could push sits in the window: every weight cell, the divisor,
    the sum and the "How it is applied" box."""
    editor = window.playground.kernel_editor
    applied = next(box for box in window.findChildren(QGroupBox) if box.title() == "How it is applied")
    widgets = {"How it is applied": applied, "divisor": editor.divisor_cell, "sum": editor.sum_label,
               **{f"cell {index}": cell for index, cell in enumerate(editor.cells())}}
    return {name: QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()) for name, widget in widgets.items()}


def settle(qtbot) -> None:
    """Let the layouts act on what the last keystroke changed."""
    QApplication.sendPostedEvents()
    qtbot.wait(5)


def assert_read_whole(label) -> None:
    """``label`` is on show with all its text: not cut with "…", every wrapped line inside it, and
    nothing covering it."""
    assert label.isVisible() and label.text() and not label.text().endswith("…")
    room = label.contentsRect()
    flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
    needed = QFontMetrics(label.font()).boundingRect(QRect(0, 0, room.width(), 1 << 20), flags, label.text())
    assert needed.height() <= room.height() and needed.width() <= room.width(), (label.text(), needed, room)
    assert label.visibleRegion().boundingRect() == label.rect()


def type_keys(qtbot, cell, keys, window, before) -> None:
    """Type ``keys`` into ``cell`` one by one; after each, nothing in the window has moved."""
    for key in keys:
        if key == "\b":
            QTest.keyClick(cell, Qt.Key.Key_Backspace)
        else:
            qtbot.keyClicks(cell, key)
        settle(qtbot)
        moved = {name: (was, window_layout(window)[name]) for name, was in before.items()
                 if window_layout(window)[name] != was}
        assert not moved, f"after {key!r} ({cell.text()!r}): {moved}"


@pytest.mark.parametrize("size", [(1024, 700), (1920, 1080)])
def test_the_editors_message_moves_no_widget_as_it_comes_and_goes(window, qtbot, wait_for_output, size):
    """1e40 typed key by key over sharpen's centre (1e is unfinished, 1e40 an error), then put
    right again: no cell, neither the divisor nor the sum, nor the box below moves by a pixel."""
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    tab, editor = window.playground, window.playground.kernel_editor
    wait_for_output(tab)
    settle(qtbot)
    before = window_layout(window)
    assert before["cell 4"].size() == before["cell 3"].size()
    cell = editor.cells()[4]
    cell.setFocus()
    cell.selectAll()
    type_keys(qtbot, cell, "1e40", window, before)
    assert cell.mark == "invalid" and editor.error_label.text().startswith("Row 2, column 2: '1e40' is too large")
    assert_read_whole(editor.error_label)
    type_keys(qtbot, cell, "\b\b\b", window, before)  # 1e4, 1e, 1
    assert cell.mark == "" and editor.error_label.text() == ""
    assert not editor.error_label.isVisible() and editor.note_label.isVisible()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_marked_cell_keeps_the_size_of_a_plain_one(window, qtbot, theme):
    """The dashed frame of an unfinished entry and the red one of an invalid entry change a cell's
    look, not its size: its row neighbours do not shift (they did by 1 px, the cell 88×20 not 86×22)."""
    window.classroom.set_theme(theme)
    editor = window.playground.kernel_editor
    settle(qtbot)
    plain = [cell.geometry() for cell in editor.cells()]
    cell = editor.cells()[4]
    clear(cell)
    qtbot.keyClicks(cell, "-")
    settle(qtbot)
    assert cell.mark == "unfinished" and [c.geometry() for c in editor.cells()] == plain
    qtbot.keyClicks(cell, "x")
    settle(qtbot)
    assert cell.mark == "invalid" and [c.geometry() for c in editor.cells()] == plain
    assert cell.sizeHint() == editor.cells()[3].sizeHint()


def test_a_marked_cell_takes_presentation_modes_larger_text_and_its_neighbours_size(window, qtbot):
    editor = window.playground.kernel_editor
    cell = editor.cells()[4]
    clear(cell)
    qtbot.keyClicks(cell, "7x")
    presentation = window.classroom.presentation
    presentation.set_scale(150)
    presentation.set_active(True)
    try:
        settle(qtbot)
        assert cell.mark == "invalid" and cell.font().pointSizeF() == editor.cells()[3].font().pointSizeF()
        assert cell.height() == editor.cells()[3].height() and cell.y() == editor.cells()[3].y()
        assert cell.sizeHint() == editor.cells()[3].sizeHint()
    finally:
        presentation.set_active(False)


def test_the_window_and_the_editor_say_the_same_sentence(editing, qtbot):
    tab, editor, posted = editing
    cell = editor.cells()[4]
    clear(cell)
    qtbot.keyClicks(cell, "1e40")
    said = ("Row 2, column 2: '1e40' is too large: a weight may be at most 1,000,000 either way. "
            "The kernel stays as before this edit.")
    assert posted[-1] == editor.error_label.text() == tab.window().message_bar.text() == said


def test_a_long_entry_is_quoted_by_its_start_and_other_marked_cells_are_counted(editing, qtbot):
    """The message names the cell being typed and counts the others still marked, so it is never
    longer than its room holds; the cell itself keeps all that was typed."""
    tab, editor, posted = editing
    for index, text in ((0, "abc"), (8, "7x")):
        clear(editor.cells()[index])
        qtbot.keyClicks(editor.cells()[index], text)
        QTest.keyClick(editor.cells()[index], Qt.Key.Key_Tab)
    cell = editor.cells()[4]
    clear(cell)
    qtbot.keyClicks(cell, "1234567890123456")
    assert cell.text() == "1234567890123456" and cell.mark == "invalid"
    assert editor.error_label.text() == posted[-1] == (
        "Row 2, column 2: '1234567890…' is too large: a weight may be at most 1,000,000 either way; "
        "2 more cells are marked. The kernel stays as before this edit.")
    QTest.keyClick(cell, Qt.Key.Key_Tab)  # left: no cell is being typed, the first marked is named
    assert editor.error_label.text().startswith("Row 1, column 1: 'abc' is not a number")


def choose_size(editor, size: str) -> None:
    box = editor.size_box
    box.setFocus()
    while box.currentText() != size:
        QTest.keyClick(box, Qt.Key.Key_Down)


@pytest.mark.parametrize("percent", [None, 125, 250])
def test_the_longest_message_the_editor_can_say_fits_its_room(window, qtbot, percent):
    """Every cell of a 5×5 kernel and the divisor left holding wide text that is no number: the
    message (the first cell named, 25 more counted) is read whole, at the normal text size and in
    presentation mode's larger ones, and still nothing has moved."""
    if percent is not None:
        window.activateWindow()
        window.classroom.presentation.set_scale(percent)
        window.classroom.presentation.set_active(True)
    try:
        editor = window.playground.kernel_editor
        choose_size(editor, "5×5")
        settle(qtbot)
        before = window_layout(window)
        for cell in [*editor.cells(), editor.divisor_cell]:
            clear(cell)
            qtbot.keyClicks(cell, "W" * 13)
            QTest.keyClick(cell, Qt.Key.Key_Tab)
        settle(qtbot)
        assert editor.error_label.text() == (
            "Row 1, column 1: 'WWWWWWWWWW…' is not a number (try e.g. 2, -0.5 or 1/16); 25 more cells are "
            "marked. The kernel stays as before this edit.")
        assert_read_whole(editor.error_label)
        assert window_layout(window) == before
    finally:
        window.classroom.presentation.set_active(False)


def test_at_one_and_a_half_times_scale_the_message_is_whole_and_moves_nothing():
    seen = run_at_one_and_a_half("from test_playground_messages import window_layout, assert_read_whole", """
editor = win.playground.kernel_editor
before = window_layout(win)
cell = editor.cells()[4]
cell.setFocus()
cell.selectAll()
QTest.keyClicks(cell, "1e40")
QTest.qWait(50)
assert_read_whole(editor.error_label)
after = window_layout(win)
print(json.dumps({"scale": win.devicePixelRatio(), "text": editor.error_label.text(),
                  "moved": [name for name in before if before[name] != after[name]]}))
""")
    assert seen["scale"] == 1.5 and seen["text"].startswith("Row 2, column 2: '1e40' is too large")
    assert seen["moved"] == []
