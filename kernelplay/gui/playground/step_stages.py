"""The stages under the sum, from the weighted sum to the shown pixel: one caption and value a row."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget

from kernelplay.gui.playground import step_text
from kernelplay.gui.playground.step_grids import PixelSwatch
from kernelplay.gui.playground.step_text import PENDING_COLOUR, PLAIN, RICH
from kernelplay.gui.text_scale import set_sheet
from kernelplay.imaging.explain import STAGE_NAMES, PixelExplanation

CAPTION_STYLE = "font-size: 14px; color: palette(placeholder-text);"  # quiet in light and dark


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
            caption, value = QLabel(STAGE_NAMES[key]), QLabel()
            restyle(caption, CAPTION_STYLE)
            value.setTextFormat(Qt.TextFormat.RichText)
            value.setWordWrap(True)
            grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(value, row, 1)
            self._labels[key] = (caption, value)
        shown_caption = QLabel(STAGE_NAMES["shown"])
        restyle(shown_caption, CAPTION_STYLE)
        final_row = QHBoxLayout()
        final_row.addWidget(self._swatch)
        final_row.addWidget(self._final)
        final_row.addStretch(1)
        grid.addWidget(shown_caption, 4, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid.addLayout(final_row, 4, 1)
        grid.setColumnStretch(1, 1)

    def show_stages(self, explanation: PixelExplanation, complete: bool) -> None:
        """Fill in the stages; until every term is in (``complete``), they are dimmed."""
        texts = step_text.stages(explanation, RICH)
        dim = "" if complete else f"color: {PENDING_COLOUR};"
        for key, (caption, value) in self._labels.items():
            caption.setVisible(key in texts)
            value.setVisible(key in texts)
            value.setText(texts.get(key, ""))
            restyle(value, f"font-size: 16px; {dim}")
        self._swatch.set_value(explanation.shown)
        self._final.setText(str(explanation.shown))
        restyle(self._final, f"font-size: 24px; font-weight: bold; {dim}")

    def texts(self, explanation: PixelExplanation) -> dict[str, str]:
        """The stages shown, as plain text, by name ("divide" only with a divisor)."""
        return {key: text for key, text in step_text.stages(explanation, PLAIN).items() if key in self._labels}

    def final_value_text(self) -> str:
        return self._final.text()
