"""The 10 class scores as bars, the predicted digit highlighted: green when right, red when wrong."""
from __future__ import annotations

import math
import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF

from kernelplay.gui.presentation import set_plot_title, title_font
from kernelplay.gui.training.network_diagram import STAGE_TIPS
from kernelplay.gui.training.page_layout import pass_scene_hints_on

__all__ = ["ScoresView", "RIGHT_COLOUR", "WRONG_COLOUR", "UNKNOWN_COLOUR", "OTHER_COLOUR"]

RIGHT_COLOUR = QColor("#2e9e4f")
WRONG_COLOUR = QColor("#d43d3d")
UNKNOWN_COLOUR = QColor("#3a78c2")  # a drawn digit: no label to be right or wrong about
OTHER_COLOUR = QColor("#b9b9b9")


class ScoresView(pg.PlotWidget):
    """Bars for digits 0–9 on a fixed 0–1 axis, with the prediction spelled out in the title. A
    click on a digit's column says which (``class_clicked(digit)``)."""

    class_clicked = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.setAccessibleName("Class scores")
        self.setToolTip(STAGE_TIPS["scores"] + " The tallest bar is the network's answer. "
                        "Click a digit's bar to see how its score is computed.")
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        plot = self.getPlotItem()
        plot.layout.setContentsMargins(1, 1, 6, 1)  # the last bar and its digit clear of the edge
        plot.setXRange(-0.6, 9.6, padding=0)
        plot.setYRange(0, 1.0, padding=0.02)
        plot.getAxis("bottom").setTicks([[(i, str(i)) for i in range(10)]])
        plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0.0, 0.25, 0.5, 0.75, 1.0)]])
        self.scores = np.zeros(10, np.float32)
        self.predicted: int | None = None
        self.label: int | None = None
        self.bars = pg.BarGraphItem(x=np.arange(10), height=self.scores, width=0.72, brushes=[OTHER_COLOUR] * 10,
                                    pen=pg.mkPen(None))
        plot.addItem(self.bars)
        set_plot_title(plot, "scores (softmax)")
        self._title = ""
        self._verdicts: list[str] = []
        self._fit_width()
        pass_scene_hints_on(self)

    def _fit_width(self) -> None:
        # the ten digits under the bars apart, however narrow the row gets (a unit's pane beside
        # it), at the font in use: twice as wide in presentation mode at 200 %, as the title is
        digit = QFontMetricsF(self.font()).horizontalAdvance("0")
        self.setMinimumWidth(int(10 * (digit + 8) + 4 * digit + 24))

    def sizeHint(self) -> QSize:
        """Not the scene's size, as a view's would be: four fifths as tall as its least width, and
        room for the title, the digits under the bars and the five score labels apart."""
        line = QFontMetricsF(self.font()).lineSpacing()
        height = max(0.8 * self.minimumWidth(), self.getPlotItem().minimumHeight() + 6 * line)
        return QSize(self.minimumWidth(), math.ceil(height))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._fit_width()
        super().changeEvent(event)

    def prediction_colour(self) -> QColor:
        if self.label is None:
            return UNKNOWN_COLOUR
        return RIGHT_COLOUR if self.label == self.predicted else WRONG_COLOUR

    def set_scores(self, scores: np.ndarray, predicted: int, label: int | None = None) -> None:
        """scores: the 10 softmax scores; predicted: the network's answer (the snapshot's, not
        recomputed here); label: the true digit, or None for a drawn one."""
        self.scores = np.asarray(scores, dtype=np.float32).reshape(10)
        self.label = label
        self.predicted = int(predicted)
        colour = self.prediction_colour()
        brushes = [OTHER_COLOUR] * 10
        brushes[self.predicted] = colour
        self.bars.setOpts(height=self.scores, brushes=brushes)
        answer = f"<b>{self.predicted}</b> ({100 * float(self.scores[self.predicted]):.0f} %)"
        if label is None:
            verdicts = [f"drawn digit → {answer}", f"drawn → {answer}"]
        elif label == self.predicted:
            verdicts = [f"a {label} → {answer} ✓ right", f"{label} → {answer} ✓"]
        else:
            verdicts = [f"a {label} → {answer} ✗ wrong", f"{label} → {answer} ✗"]
        self._verdicts = [f"<span style='color:{colour.name()}'>{v}</span>" for v in verdicts]
        self._fit_title()

    def _fit_title(self) -> None:
        """The longest verdict that fits the plot's width (the words go first, the numbers stay)."""
        if not self._verdicts:
            return
        font = title_font(self.font())
        font.setBold(True)  # the widest the title can be (its digit is bold)
        metrics = QFontMetricsF(font)
        # the plot item grows to fit its title, so the room is the view's less the axis beside the title
        plot = self.getPlotItem()
        room = self.viewport().width() - (plot.width() - plot.getViewBox().width()) - 6
        title = next((t for t in self._verdicts if metrics.horizontalAdvance(_plain(t)) <= room), self._verdicts[-1])
        if title != self._title:  # re-laying the title is the dearest part of an update
            self._title = title
            set_plot_title(self.getPlotItem(), title)

    def class_at(self, position) -> int | None:
        """The digit whose column (bar and the gap around it) is under ``position`` (view pixels)."""
        box = self.getPlotItem().getViewBox()
        point = box.mapSceneToView(self.mapToScene(position.toPoint()))
        inside = box.sceneBoundingRect().contains(self.mapToScene(position.toPoint()))
        digit = int(round(point.x()))
        return digit if inside and 0 <= digit <= 9 else None

    def position_of(self, digit: int) -> QPoint:
        """The view pixel in the middle of ``digit``'s column (where a click picks it)."""
        box = self.getPlotItem().getViewBox()
        return self.mapFromScene(box.mapViewToScene(QPointF(digit, 0.5)))

    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)
        digit = self.class_at(event.position()) if event.button() == Qt.MouseButton.LeftButton else None
        if digit is not None:
            self.class_clicked.emit(digit)

    def resizeEvent(self, event) -> None:
        # the title first: the view then sizes its plot to the new title's minimum, not the old one's
        if "_verdicts" in self.__dict__:  # PlotWidget's own __init__ resizes it before ours has run
            self._fit_title()
        super().resizeEvent(event)


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)
