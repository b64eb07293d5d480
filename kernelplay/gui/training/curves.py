"""Loss and accuracy curves against digits seen: training (running) and held-out (periodic)."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QWidget

from kernelplay.nn.snapshot import CurveHistory
from kernelplay.gui.presentation import set_plot_title
from kernelplay.gui.text_scale import px
from kernelplay.gui.training.page_layout import FoldingRow, pass_scene_hints_on

__all__ = ["TrainingCurves", "DigitsSeenAxis", "count_label"]

_TRAIN_COLOUR, _HELDOUT_COLOUR = "#3a78c2", "#e07b24"
_TRAIN_PEN = pg.mkPen(_TRAIN_COLOUR, width=2)
_HELDOUT_PEN = pg.mkPen(_HELDOUT_COLOUR, width=2)
_MARKER_PEN = pg.mkPen("#b35c00", width=2, style=Qt.PenStyle.DashLine)  # the timeline's step
# the titles name the curves in their colours: a legend box would cover the curves in a small plot
LOSS_TITLE = f"loss<br><span style='color:{_TRAIN_COLOUR}'>training (running)</span>"
ACCURACY_TITLE = (f"accuracy<br><span style='color:{_TRAIN_COLOUR}'>training</span> · "
                  f"<span style='color:{_HELDOUT_COLOUR}'>held-out</span>")


def nice_ceiling(value: float) -> float:
    """The next of 1, 2, 2.5, 5 × 10ⁿ at or above ``value``: axis ranges that change in steps, so
    the axes are re-laid a few times per run rather than at every redraw."""
    if not value > 0 or not np.isfinite(value):
        return 1.0
    power = 10.0 ** np.floor(np.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * power * (1 + 1e-9):
            return step * power
    return 10.0 * power


def count_label(value: float) -> str:
    """A count as a tick reads it: 800, 2.5k, 150k, 1.2M."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


class DigitsSeenAxis(pg.AxisItem):
    """An x-axis of counts with short labels ("150k"), spaced so that no two labels touch."""

    LABEL_GAP = 14  # pixels between two labels, at least
    OVERHANG = 14  # pixels a label at either end may reach beyond the axis (the plot keeps that margin)

    def __init__(self) -> None:
        super().__init__("bottom")
        self.setStyle(maxTextLevel=0, hideOverlappingLabels=self.OVERHANG)  # labels on the major ticks only
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values, scale, spacing) -> list[str]:
        return [count_label(v * scale) for v in values]

    def tickSpacing(self, minVal: float, maxVal: float, size: float):
        span = abs(maxVal - minVal)
        if span == 0 or size <= 0:
            return []
        metrics = QFontMetricsF(self.style["tickFont"] or QFont())
        step = 10.0 ** np.floor(np.log10(span / max(size / 20, 1)))  # at most one label per 20 px
        while True:
            for factor in (1, 2, 5):
                ticks = np.arange(np.ceil(minVal / (factor * step)), np.floor(maxVal / (factor * step)) + 1) * factor * step
                widest = max((metrics.horizontalAdvance(count_label(t)) for t in ticks), default=0.0)
                if factor * step / span * size >= widest + self.LABEL_GAP:  # pixels between two ticks
                    return [(factor * step, 0.0), (factor * step / 5, 0.0)]
            step *= 10


class _CurvePlot(pg.PlotWidget):
    """A plot that asks for the room its title and axes need (a plot squeezed below that is cut at
    its right), and keeps room right of its axis for the last tick's label at the font in use."""

    def fit_overhang(self) -> None:
        overhang = px(DigitsSeenAxis.OVERHANG, self)  # at 200 % a 14 px margin cut "1k" in half
        self.getPlotItem().layout.setContentsMargins(1, 1, overhang, 1)
        self.getPlotItem().getAxis("bottom").setStyle(hideOverlappingLabels=overhang)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self.fit_overhang()
        super().changeEvent(event)

    def minimumSizeHint(self) -> QSize:
        item, frame = self.getPlotItem(), self.width() - self.viewport().width()
        return QSize(math.ceil(item.minimumWidth()) + frame, math.ceil(item.minimumHeight()) + frame)

    def sizeHint(self) -> QSize:
        # room for the curves too: eight lines of text tall, at the font in use (not the scene's size, as a view would)
        least = self.minimumSizeHint()
        return QSize(least.width(), least.height() + 8 * QFontMetricsF(self.font()).lineSpacing())


def _plot(title: str) -> pg.PlotWidget:
    plot = _CurvePlot(axisItems={"bottom": DigitsSeenAxis()})
    plot.setBackground("w")
    plot.setMenuEnabled(False)
    plot.hideButtons()
    item = plot.getPlotItem()
    set_plot_title(item, title)
    plot.fit_overhang()
    pass_scene_hints_on(plot)
    item.setLabel("bottom", "digits seen")
    item.setMouseEnabled(False, False)
    item.disableAutoRange()
    item.setDownsampling(auto=True, mode="peak")  # an hour of training is ~40,000 points
    item.setClipToView(True)
    return plot


class TrainingCurves(FoldingRow):
    """Two plots side by side (one under the other where they do not fit), created once;
    :meth:`set_history` only calls ``setData``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(spacing=4, parent=parent)
        self.setAccessibleName("Loss and accuracy curves")
        self.loss_plot = _plot(LOSS_TITLE)
        self.loss_plot.setToolTip("Cross-entropy loss over the last 1,000 training digits: how wrong the "
                                  "scores are on average. It falls as the network learns.")
        self.accuracy_plot = _plot(ACCURACY_TITLE)
        self.accuracy_plot.setToolTip("Share of digits classified right: blue on the last 1,000 training "
                                      "digits, orange on the held-out digits the network never trains on.")
        self.x_range: tuple[float, float] | None = None
        self.loss_top: float | None = None
        self.loss_curve = self.loss_plot.plot(pen=_TRAIN_PEN)
        self.train_accuracy_curve = self.accuracy_plot.plot(pen=_TRAIN_PEN)
        self.heldout_curve = self.accuracy_plot.plot(pen=_HELDOUT_PEN, symbol="o", symbolSize=6,
                                                     symbolBrush=_HELDOUT_COLOUR, symbolPen=None)
        self.markers = []  # one vertical line per plot at the step the timeline shows (hidden when live)
        for plot in (self.loss_plot, self.accuracy_plot):
            marker = pg.InfiniteLine(angle=90, movable=False, pen=_MARKER_PEN)
            marker.setVisible(False)
            plot.addItem(marker, ignoreBounds=True)
            self.markers.append(marker)
        self.add(self.loss_plot, 1)
        self.add(self.accuracy_plot, 1)

    def set_history(self, history: CurveHistory) -> None:
        x = np.asarray(history.samples, dtype=np.float64)
        last = max(x[-1] if len(x) else 0.0, history.heldout_samples[-1] if history.heldout_samples else 0.0)
        x_range = (0.0, nice_ceiling(max(last, 1000.0)))
        loss_top = nice_ceiling(max(max(history.loss, default=2.5), 0.5))
        if x_range != self.x_range or loss_top != self.loss_top:
            self.x_range, self.loss_top = x_range, loss_top
            self.loss_plot.setRange(xRange=x_range, yRange=(0.0, loss_top), padding=0.02)
            self.accuracy_plot.setRange(xRange=x_range, yRange=(0.0, 1.0), padding=0.02)
        self.loss_curve.setData(x, np.asarray(history.loss, dtype=np.float64))
        self.train_accuracy_curve.setData(x, np.asarray(history.accuracy, dtype=np.float64))
        self.heldout_curve.setData(np.asarray(history.heldout_samples, dtype=np.float64),
                                   np.asarray(history.heldout_accuracy, dtype=np.float64))

    def set_marker(self, samples_seen: float | None) -> None:
        """Mark the digits seen at the step the timeline shows (None: live, no marker)."""
        for marker in self.markers:
            marker.setVisible(samples_seen is not None)
            if samples_seen is not None:
                marker.setValue(float(samples_seen))
