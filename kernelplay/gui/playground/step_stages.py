"""The stages under the sum, from the weighted sum to the shown pixel: one caption and value a row."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget

from kernelplay.gui.playground import step_text
from kernelplay.gui.playground.step_grids import PixelSwatch
from kernelplay.gui.playground.step_text import PLAIN, RICH, RichText
from kernelplay.gui.text_scale import set_sheet
from kernelplay.gui.theme import ink, keep_ink
from kernelplay.imaging.explain import STAGE_NAMES, PixelExplanation

CAPTION_STYLE = "font-size: 14px;"  # in the muted ink (style_caption): the placeholder grey read at 3.9:1 on a light ground


def themed_marks(widget: QWidget) -> RichText:
    """Rich-text marks in the faded and muted greys of ``widget``'s palette (a fixed grey is too
    faint on one ground or the other)."""
    ground = widget.palette().color(QPalette.ColorRole.Window)
    return RichText(pending=ink("faded", ground).name(), quiet=ink("muted", ground).name())


def style_caption(label: QLabel, sheet: str = CAPTION_STYLE) -> QLabel:
    """Style ``label`` as a caption: ``sheet``, in the palette's muted grey."""
    restyle(label, sheet)
    keep_ink(label, "muted")
    return label


def restyle(label: QLabel, sheet: str) -> None:
    """Set ``label``'s style sheet, its font sizes scaled to the text in use, if it changes
    (re-polishing costs ~0.5 ms each time)."""
    set_sheet(label, sheet)


class SumStages(QWidget):
    """weighted sum · ÷ divisor (only with one) · raw total · output mapping · shown pixel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels: dict[str, tuple[QLabel, QLabel]] = {}
        self._swatch = PixelSwatch()
        self._final = QLabel()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        for row, key in enumerate(("sum", "divide", "raw", "mapping")):
            name, value = style_caption(QLabel(STAGE_NAMES[key])), QLabel()
            value.setTextFormat(Qt.TextFormat.RichText)
            value.setWordWrap(True)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(value, row, 1)
            self._labels[key] = (name, value)
        shown_caption = style_caption(QLabel(STAGE_NAMES["shown"]))
        final_row = QHBoxLayout()
        final_row.addWidget(self._swatch)
        final_row.addWidget(self._final)
        final_row.addStretch(1)
        grid.addWidget(shown_caption, 4, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid.addLayout(final_row, 4, 1)
        grid.setColumnStretch(1, 1)

    def show_stages(self, explanation: PixelExplanation, complete: bool, marks: RichText = RICH) -> None:
        """Fill in the stages (written with ``marks``); until every term is in (``complete``), they
        are faded."""
        texts = step_text.stages(explanation, marks)
        ink = None if complete else "faded"
        for key, (name, value) in self._labels.items():
            name.setVisible(key in texts)
            value.setVisible(key in texts)
            value.setText(texts.get(key, ""))
            restyle(value, "font-size: 16px;")
            keep_ink(value, ink)
        self._swatch.set_value(explanation.shown)
        self._final.setText(str(explanation.shown))
        restyle(self._final, "font-size: 24px; font-weight: bold;")
        keep_ink(self._final, ink)

    def texts(self, explanation: PixelExplanation) -> dict[str, str]:
        """The stages shown, as plain text, by name ("divide" only with a divisor)."""
        return {key: text for key, text in step_text.stages(explanation, PLAIN).items() if key in self._labels}

    def final_value_text(self) -> str:
        return self._final.text()
