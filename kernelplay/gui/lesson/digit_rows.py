"""Held-out digits in columns, one column per class, for the lesson's first step."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from kernelplay.gui.qt_arrays import array_to_qpixmap
from kernelplay.gui.text_scale import px
from kernelplay.nn.datasets import Digits

__all__ = ["DigitColumns"]

DIGIT_SIDE = 28  # px of a shown digit at the design font (its own 28×28 pixels); grows with the text


class DigitColumns(QWidget):
    """A column per class: its name on top, then the first ``per_class`` held-out digits of it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(3)
        self.shown: dict[int, list[int]] = {}  # class → indices into the digits shown

    def show_digits(self, digits: Digits, classes: list[int], per_class: int) -> None:
        while self._grid.count():
            self._grid.takeAt(0).widget().deleteLater()
        self.shown = {}
        side = px(DIGIT_SIDE, self)
        for column, digit in enumerate(classes):
            indices = [int(i) for i in np.flatnonzero(digits.labels == digit)[:per_class]]
            self.shown[digit] = indices
            name = QLabel(f"<b>{digit}</b>")
            name.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._grid.addWidget(name, 0, column)
            for row, index in enumerate(indices, start=1):
                tile = QLabel()
                tile.setPixmap(array_to_qpixmap(digits.images[index]).scaled(
                    QSize(side, side), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
                tile.setToolTip(f"held-out digit #{index}, a {digit}")
                tile.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self._grid.addWidget(tile, row, column)
