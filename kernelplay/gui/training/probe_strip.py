"""A strip of held-out digits; clicking one makes it the probe whose feature maps are shown."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLabel, QToolButton, QWidget

from kernelplay.nn.datasets import Digits
from kernelplay.gui.qt_arrays import array_to_qpixmap

__all__ = ["ProbeStrip", "pick_probes"]


def pick_probes(digits: Digits, per_class: int = 2) -> list[int]:
    """Indices of the first ``per_class`` digits of each class, ordered 0, 1, …, 9, 0, 1, …"""
    firsts = [np.flatnonzero(digits.labels == c)[:per_class] for c in range(10)]
    return [int(f[i]) for i in range(per_class) for f in firsts if i < len(f)]


class ProbeStrip(QWidget):
    """One button per probe digit (``probe_chosen(index into the held-out set)``), right of a caption.
    It shows as many as fit its width, in the order 0–9, 0–9, …, and at least one digit of each
    class: where ten do not fit in one row they take two of five (a narrow page that scrolls: at
    683 px the ten in a row held the CNN tab's views under its controls, Train 900 px down)."""

    probe_chosen = Signal(int)

    def __init__(self, digits: Digits, per_class: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Probe digits")
        self.indices = pick_probes(digits, per_class)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(2)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.caption = caption = QLabel("Probe:")
        caption.setToolTip("Held-out digits the network never trains on. Click one to see how the network "
                           "sees it: its feature maps at every layer and its scores.")
        self._grid.addWidget(caption, 0, 0)
        self.buttons: list[QToolButton] = []
        for index in self.indices:
            button = QToolButton()
            button.setCheckable(True)
            button.setAutoRaise(True)
            pixels = np.repeat(np.repeat(digits.images[index], 2, axis=0), 2, axis=1)
            button.setIcon(QIcon(array_to_qpixmap(pixels)))
            button.setIconSize(QSize(30, 30))
            button.setToolTip(f"held-out digit #{index}, a {int(digits.labels[index])}")
            button.clicked.connect(lambda _=False, i=index: self.probe_chosen.emit(i))
            self.group.addButton(button)
            self.buttons.append(button)
        self._arrangement: tuple[int, int] | None = None  # (digits shown, a row's columns)
        self._arrange(self._fitting(self.width()))
        if self.buttons:
            self.buttons[0].setChecked(True)

    def _each_class(self) -> int:
        return min(10, len(self.buttons))

    def _width_for(self, count: int) -> int:
        """The width ``count`` digits take in a row beside the caption."""
        step = self.buttons[0].sizeHint().width() + self._grid.spacing() if self.buttons else 0
        return self.caption.sizeHint().width() + count * step

    def _fitting(self, width: int) -> tuple[int, int]:
        """(digits shown, a row's columns) at ``width``: as many as fit in one row if that is a
        digit of each class, else one of each class in two even rows."""
        columns = sum(self._width_for(n) <= width for n in range(1, len(self.buttons) + 1))
        if columns >= self._each_class():
            return columns, columns
        return self._each_class(), math.ceil(self._each_class() / 2)

    def _arrange(self, arrangement: tuple[int, int]) -> None:
        if arrangement == self._arrangement:
            return
        self._arrangement = shown, columns = arrangement
        for i, button in enumerate(self.buttons):
            self._grid.removeWidget(button)
            if i < shown:
                self._grid.addWidget(button, i // columns, 1 + i % columns)
            button.setVisible(i < shown)
        self.updateGeometry()  # one row or two: the layout's height follows

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self._width_for(math.ceil(self._each_class() / 2)), hint.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange(self._fitting(event.size().width()))

    def select_none(self) -> None:
        """Uncheck every digit (the drawn digit is the probe now)."""
        self.group.setExclusive(False)
        for button in self.buttons:
            button.setChecked(False)
        self.group.setExclusive(True)

    def select_index(self, index: int) -> None:
        """Check the button of held-out digit ``index``, or none when the strip does not hold it
        (a digit chosen elsewhere, e.g. in the mistakes gallery)."""
        if index in self.indices:
            self.buttons[self.indices.index(index)].setChecked(True)
        else:
            self.select_none()
