"""A note whose room is kept whether it says something or not, so a message never moves its neighbours."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QWidget

__all__ = ["NoteLabel", "fit_lines"]


def _height(metrics: QFontMetrics, width: int, text: str) -> int:
    flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
    return metrics.boundingRect(QRect(0, 0, width, 1 << 20), flags, text).height()


def fit_lines(text: str, metrics: QFontMetrics, width: int, lines: int) -> str:
    """``text`` if it wraps into ``lines`` lines of ``width`` pixels, else its longest start that
    does, cut at a word and ended with "…"."""
    room = lines * metrics.lineSpacing()
    if _height(metrics, width, text) <= room:
        return text
    words = text.split(" ")
    low, high = 0, len(words)  # words[:low] + "…" fits; words[:high] + "…" does not (or is everything)
    while high - low > 1:
        middle = (low + high) // 2
        if _height(metrics, width, " ".join(words[:middle]) + "…") <= room:
            low = middle
        else:
            high = middle
    return " ".join(words[:low]) + "…"


class NoteLabel(QLabel):
    """Plain text, word-wrapped into at most ``lines`` lines whose height is always reserved;
    longer text is cut with "…" and shown whole in the tooltip. :meth:`note` is the whole text."""

    def __init__(self, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines = self.default_lines = lines
        self._note = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._reserve_height()

    def note(self) -> str:
        return self._note

    def set_note(self, text: str) -> None:
        self._note = text
        self._refit()

    def set_lines(self, lines: int) -> None:
        """Keep room for ``lines`` lines from now on (larger text may need more)."""
        if lines != self._lines:
            self._lines = lines
            self._reserve_height()
            self._refit()

    def _reserve_height(self) -> None:
        margins = self.contentsMargins()
        self.setFixedHeight(self._lines * self.fontMetrics().lineSpacing() + margins.top() + margins.bottom() + 2)

    def _refit(self) -> None:
        shown = fit_lines(self._note, self.fontMetrics(), max(self.contentsRect().width(), 1), self._lines)
        self.setText(shown)
        self.setToolTip("" if shown == self._note else self._note)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._refit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._reserve_height()
            self._refit()
