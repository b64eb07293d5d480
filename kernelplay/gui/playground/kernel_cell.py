"""One typed weight of the kernel editor, and how it is marked: not at all while it holds a number,
softly (a dashed frame, no fill) while an entry is on its way to one, filled red when it cannot be
one — in the red of the theme in use. A mark changes the cell's look, never its size: its row
neighbours stay where they are."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QLineEdit, QSizePolicy, QWidget

from kernelplay.common.text import format_number
from kernelplay.gui.theme import is_dark, readable_ink
from kernelplay.imaging.kernels import parse_weight

# A cell that is wrong: filled red, framed in a stronger red, its text black or white by contrast
# (the palette's light text of the dark theme read at 1.2:1 on the light theme's pink). Fill and
# frame on a light ground, on a dark one.
INVALID_COLOURS = {False: ("#ffd6d6", "#d00000"), True: ("#5c1e1e", "#ff6b6b")}
_UNFINISHED_STYLE = "border: 1px dashed #8c8c8c;"  # on its way to a number: not an error yet, no fill
_RESTYLED_ON = (QEvent.Type.ApplicationPaletteChange, QEvent.Type.ApplicationFontChange)
CELL_DECIMALS = 6  # a typed weight is shown back as typed, not rounded to the labels' 2 decimals


def parse_number(text: str) -> float | None:
    """The number typed in ``text`` (see ``parse_weight``), or None when it is not one."""
    try:
        return parse_weight(text)
    except ValueError:
        return None


def _mark_style(mark: str, dark: bool) -> str:
    if mark == "invalid":
        fill, frame = INVALID_COLOURS[dark]
        return f"background: {fill}; color: {readable_ink(QColor(fill)).name()}; border: 2px solid {frame};"
    return _UNFINISHED_STYLE if mark == "unfinished" else ""


class KernelCell(QLineEdit):
    """One typed weight. The mouse wheel nudges it by 1 (with Shift, by 0.1). ``typing`` is True
    from the user's first keystroke until they leave the cell (Return, Tab, a click elsewhere);
    ``edit_started`` fires at that first keystroke, before the edit's ``textEdited``.
    ``mark`` is how the cell is marked: "" (a number), "unfinished" or "invalid"."""

    nudged = Signal()
    edit_started = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.typing = False
        self.mark = ""
        self._unmarked_hints: tuple[QSize, QSize] | None = None  # (size hint, minimum) with no mark
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumWidth(44)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Type a number. Mouse wheel: ±1 (Shift: ±0.1). Tab: next cell.")
        # Connected before anyone else's slot: the flag is right when the editor reads the text.
        self.textEdited.connect(self._on_typed)
        self.editingFinished.connect(self._on_left)

    def set_mark(self, mark: str) -> None:
        """Mark the cell "unfinished" (a soft dashed frame), "invalid" (filled red) or not ("")."""
        self.mark = mark
        style = _mark_style(mark, is_dark())  # the application's ground: an invalid cell's own is its fill
        if self.styleSheet() != style:  # restyling is slow: only on a change
            self._hints()  # measured unmarked, before a sheet changes the box
            self.setStyleSheet(style)

    # A style sheet's frame replaces the style's own, and its box is another size (Fusion: 88×20 for
    # the red 2 px frame, 86×18 for the dashed one, 86×22 unmarked), so the cell keeps asking for the
    # unmarked size in every style, whatever frame and padding its mark has.
    def sizeHint(self) -> QSize:
        return self._hints()[0]

    def minimumSizeHint(self) -> QSize:
        return self._hints()[1]

    def _hints(self) -> tuple[QSize, QSize]:
        if not self.styleSheet() or self._unmarked_hints is None:
            self._unmarked_hints = (super().sizeHint(), super().minimumSizeHint())
        return self._unmarked_hints

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() in _RESTYLED_ON and self.mark:
            # Another theme: its red, and a new polish also for a mark that keeps its sheet (a cell
            # polished by a style sheet kept the old theme's ground and text under the dashed frame).
            # Another application font (presentation mode hands it to style-sheeted widgets): the
            # cell takes it once the sheet is gone, and its unmarked size is measured again.
            self.setStyleSheet("")
            self.set_mark(self.mark)
            self.updateGeometry()
        return handled

    @Slot()
    def _on_typed(self) -> None:
        if not self.typing:
            self.typing = True
            self.edit_started.emit()

    @Slot()
    def _on_left(self) -> None:
        self.typing = False

    def wheelEvent(self, event: QWheelEvent) -> None:
        value = parse_number(self.text())
        steps = event.angleDelta().y() / 120
        if value is None or not steps:
            event.ignore()
            return
        step = 0.1 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1.0
        self.setText(format_number(value + steps * step, CELL_DECIMALS))
        self.nudged.emit()
        event.accept()
