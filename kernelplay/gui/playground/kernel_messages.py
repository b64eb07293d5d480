"""What the kernel editor says when a cell holds no usable number, and the room it says it in.

Each problem is one clause (``parse_weight``'s or ``check_divisor``'s, a long entry quoted by its
start); the editor's sentence adds how many other cells are marked and which kernel applies
meanwhile. :class:`MessageRoom` shows it in place of the kernel's note and keeps as tall as the
longest sentence the editor can say at its width, so a message coming or going moves nothing.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QSizePolicy, QStackedLayout, QWidget

from kernelplay.common.text import sentence
from kernelplay.gui.playground.kernel_cell import KernelCell
from kernelplay.gui.training.note_label import NoteLabel, fit_lines
from kernelplay.imaging.kernels import KERNEL_SIZES, check_divisor, parse_weight

__all__ = ["MessageRoom", "weight_problem", "divisor_problem", "cell_problem", "editor_message"]

KEPT = "The kernel stays as before this edit."
QUOTE_CHARS = 10  # a longer entry is quoted by its first 10 characters and "…": the message stays short
MOST_MARKED = max(KERNEL_SIZES) ** 2 + 1  # the weights of the largest kernel, and the divisor


def weight_problem(text: str) -> str | None:
    """Why ``text`` is not a usable weight (``parse_weight``'s clause, a long entry quoted by its
    start), or None."""
    try:
        parse_weight(text)
    except ValueError as error:
        typed = text.strip()
        short = typed if len(typed) <= QUOTE_CHARS else typed[:QUOTE_CHARS] + "…"
        return str(error).replace(repr(typed), repr(short), 1)
    return None


def divisor_problem(text: str) -> str | None:
    """Why ``text`` is not a usable divisor, or None."""
    problem = weight_problem(text)
    if problem is not None:
        return f"divisor: {problem}"
    try:
        check_divisor(parse_weight(text))
    except ValueError as error:
        return str(error)
    return None


def cell_problem(cell: KernelCell, problem_of) -> str | None:
    """What is wrong with ``cell``'s text (as ``problem_of`` says), None when it is right, ""
    while it is only unfinished: being typed, and more typing could make it right ("-", "1e-")."""
    problem = problem_of(cell.text())
    if problem is not None and cell.typing and problem_of(cell.text() + "1") is None:
        return ""
    return problem


def editor_message(problem: str, others: int) -> str:
    """The editor's one sentence: ``problem`` (a clause), how many other cells are marked, and
    which kernel applies meanwhile."""
    more = "" if not others else f"; {others} more cell{'s are' if others > 1 else ' is'} marked"
    return f"{sentence(problem + more)} {KEPT}"


def _longest_messages() -> list[str]:
    """The widest sentences the editor can say: each kind of problem with the widest quote it can
    hold, in the last cell of the largest kernel, every other cell marked too."""
    size, wide, digits = max(KERNEL_SIZES), "W" * (QUOTE_CHARS + 1), "9" * (QUOTE_CHARS + 1)
    weights = [weight_problem(text) for text in (wide, digits, "1/" + digits.replace("9", "0"), "-inf")]
    divisors = [divisor_problem(text) for text in (wide, digits, "0", "1e-300")]
    problems = [f"row {size}, column {size}: {problem}" for problem in weights] + divisors
    return [editor_message(problem, MOST_MARKED - 1) for problem in problems]


class MessageRoom(QWidget):
    """The kernel's note, or in its place what is wrong with the kernel (in the error ink): one
    room, at least ``lines`` lines tall and as tall as the longest message needs at its width, so
    neither a message coming or going nor a note of another length moves what lies below."""

    def __init__(self, note_label: NoteLabel, error_label: NoteLabel, lines: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note_label, self.error_label = note_label, error_label
        self._lines = self.default_lines = lines
        self._longest = _longest_messages()
        self._pages = QStackedLayout(self)
        self._pages.addWidget(note_label)
        self._pages.addWidget(error_label)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # its pages' height, no more

    def set_lines(self, lines: int) -> None:
        """Keep room for at least ``lines`` lines (larger text may need more)."""
        self._lines = lines
        self._fit()

    def show_message(self, text: str) -> None:
        """Show ``text`` instead of the note; "" shows the note again."""
        self.error_label.set_note(text)
        self._pages.setCurrentWidget(self.error_label if text else self.note_label)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()

    def _fit(self) -> None:
        metrics, width = self.fontMetrics(), max(self.contentsRect().width(), 1)
        lines = self._lines
        while lines < 4 * self._lines and any(fit_lines(text, metrics, width, lines) != text for text in self._longest):
            lines += 1
        self.note_label.set_lines(lines)
        self.error_label.set_lines(lines)
