"""Loss and accuracy curves against digits seen: training (running) and held-out (periodic)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QWidget

from kernelplay.nn.snapshot import CurveHistory

__all__ = ["TrainingCurves"]

_TRAIN_PEN = pg.mkPen("#3a78c2", width=2)
_HELDOUT_PEN = pg.mkPen("#e07b24", width=2)


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


def _plot(title: str) -> pg.PlotWidget:
    plot = pg.PlotWidget()
    plot.setBackground("w")
    plot.setMenuEnabled(False)
    plot.hideButtons()
    item = plot.getPlotItem()
    item.setTitle(title, size="9pt")
    item.setLabel("bottom", "digits seen")
    item.getAxis("bottom").enableAutoSIPrefix(False)
    item.setMouseEnabled(False, False)
    item.disableAutoRange()
    item.setDownsampling(auto=True, mode="peak")  # an hour of training is ~40,000 points
    item.setClipToView(True)
    return plot


class TrainingCurves(QWidget):
    """Two plots side by side, created once; :meth:`set_history` only calls ``setData``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Loss and accuracy curves")
        self.loss_plot = _plot("loss (training, running)")
        self.loss_plot.setToolTip("Cross-entropy loss over the last 1,000 training digits: how wrong the "
                                  "scores are on average. It falls as the network learns.")
        self.accuracy_plot = _plot("accuracy")
        self.accuracy_plot.setToolTip("Share of digits classified right: blue on the last 1,000 training "
                                      "digits, orange on the held-out digits the network never trains on.")
        self.x_range: tuple[float, float] | None = None
        self.loss_top: float | None = None
        legend = self.accuracy_plot.getPlotItem().addLegend(offset=(-4, -4), labelTextSize="8pt")
        self.loss_curve = self.loss_plot.plot(pen=_TRAIN_PEN)
        self.train_accuracy_curve = self.accuracy_plot.plot(pen=_TRAIN_PEN, name="training")
        self.heldout_curve = self.accuracy_plot.plot(pen=_HELDOUT_PEN, symbol="o", symbolSize=6,
                                                     symbolBrush="#e07b24", symbolPen=None, name="held-out")
        legend.setBrush(pg.mkBrush(255, 255, 255, 200))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.loss_plot)
        row.addWidget(self.accuracy_plot)

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
