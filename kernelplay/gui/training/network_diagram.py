"""The network drawn as its stages, left to right, each with its output shape (from the config)."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from kernelplay.nn.config import NetworkConfig

__all__ = ["NetworkDiagram", "Stage", "stages_of", "STAGE_TIPS"]

STAGE_TIPS = {
    "input": "The digit as the network receives it: 28×28 grey values from 0 (black) to 1 (white).",
    "conv": "Convolution: each kernel slides over the maps before it, multiplying and summing each window; "
            "ReLU then sets negative results to zero. One feature map per kernel.",
    "pool": "Max-pooling keeps the largest value of each 2×2 block: the maps shrink to half the width and "
            "height, keeping where a feature is strong.",
    "flatten": "Flatten lays all the pooled maps out as one long list of numbers, so a fully connected "
               "layer can look at all of them at once.",
    "fc": "Fully connected: every unit adds up all the flattened numbers, each with its own learned weight, "
          "then ReLU keeps the positive sums.",
    "scores": "Softmax turns the 10 outputs into scores between 0 and 1 that add up to 1: how sure the "
              "network is of each digit.",
}

_COLOURS = {"input": "#e8e8e8", "conv": "#cfe0f3", "pool": "#d5ecd4", "flatten": "#f3e3c8",
            "fc": "#f6d2b8", "scores": "#e3d3ef"}


@dataclass(frozen=True)
class Stage:
    name: str  # e.g. "conv1"
    kind: str  # a key of STAGE_TIPS
    title: str  # what the box says, e.g. "conv 5×5"
    shape: tuple[int, ...]

    @property
    def shape_text(self) -> str:
        return "×".join(str(s) for s in self.shape)


def stages_of(config: NetworkConfig) -> list[Stage]:
    """The stages of ``config`` in forward order, with titles for the diagram."""
    k = config.kernel_size
    stages = []
    for name, shape in config.stage_shapes():
        if name == "input":
            stages.append(Stage(name, "input", "input", shape))
        elif name.startswith("conv"):
            stages.append(Stage(name, "conv", f"conv {k}×{k}", shape))
        elif name.startswith("pool"):
            stages.append(Stage(name, "pool", "max-pool", shape))
        elif name == "flatten":
            stages.append(Stage(name, "flatten", "flatten", shape))
        elif name == "fc1":
            stages.append(Stage(name, "fc", "FC", shape))
        else:
            stages.append(Stage(name, "scores", "softmax", shape))
    return stages


class NetworkDiagram(QWidget):
    """Boxes joined by arrows: input → conv → pool → … → flatten → FC → 10 scores.

    Hovering a box shows what that kind of stage does.
    """

    def __init__(self, config: NetworkConfig | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setAccessibleName("Network diagram")
        self.stages: list[Stage] = []
        self.set_config(config or NetworkConfig())

    def set_config(self, config: NetworkConfig) -> None:
        self.config = config
        self.stages = stages_of(config)
        self.setToolTip("")
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(800, 54)

    def minimumSizeHint(self) -> QSize:
        return QSize(400, 54)

    def stage_rects(self) -> list[QRectF]:
        n = len(self.stages)
        arrow = 16.0
        width = (self.width() - 8 - arrow * (n - 1)) / max(n, 1)
        return [QRectF(4 + i * (width + arrow), 4, width, self.height() - 8) for i in range(n)]

    def stage_at(self, point: QPointF) -> Stage | None:
        for stage, rect in zip(self.stages, self.stage_rects()):
            if rect.contains(point):
                return stage
        return None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            stage = self.stage_at(QPointF(event.pos()))
            if stage is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), f"<b>{stage.title}</b> → {stage.shape_text}<br>"
                                  + STAGE_TIPS[stage.kind], self)
            return True
        return super().event(event)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rects = self.stage_rects()
        title_font = QFont(self.font())
        title_font.setBold(True)
        shape_font = QFont(self.font())
        text_pen = QPen(QColor("#1d1d1d"))
        for stage, rect in zip(self.stages, rects):
            painter.setPen(QPen(QColor("#8a8a8a"), 1))
            painter.setBrush(QColor(_COLOURS[stage.kind]))
            painter.drawRoundedRect(rect, 6, 6)
            painter.setPen(text_pen)
            top = QRectF(rect.left() + 2, rect.top() + 2, rect.width() - 4, rect.height() / 2 - 1)
            bottom = QRectF(rect.left() + 2, rect.center().y(), rect.width() - 4, rect.height() / 2 - 2)
            painter.setFont(title_font)
            painter.drawText(top, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                             painter.fontMetrics().elidedText(stage.title, Qt.TextElideMode.ElideRight, int(top.width())))
            painter.setFont(shape_font)
            painter.drawText(bottom, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, stage.shape_text)
        painter.setPen(QPen(QColor("#606060"), 1.5))
        painter.setBrush(QColor("#606060"))
        for left, right in zip(rects, rects[1:]):
            y = left.center().y()
            x0, x1 = left.right() + 2, right.left() - 2
            painter.drawLine(QPointF(x0, y), QPointF(x1 - 4, y))
            head = QPainterPath(QPointF(x1, y))
            head.lineTo(x1 - 6, y - 4)
            head.lineTo(x1 - 6, y + 4)
            head.closeSubpath()
            painter.drawPath(head)
        painter.end()
