"""The network drawn as its stages, left to right, each with its output shape (from the config); in
rows, the arrow turning back to the left, where the text (presentation mode's, say) is too large for
one row of boxes."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
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


_SHORT_TITLES = {"conv": "conv", "pool": "pool", "flatten": "flat"}
_MARGIN = 4.0
_ROW_GAP = 14.0  # between two rows: room for the arrow back to the left


@dataclass(frozen=True)
class Stage:
    name: str  # e.g. "conv1"
    kind: str  # a key of STAGE_TIPS
    title: str  # what the box says, e.g. "conv 5×5"
    shape: tuple[int, ...]

    @property
    def shape_text(self) -> str:
        return "×".join(str(s) for s in self.shape)

    def titles(self) -> list[str]:
        """What the box may say, longest first (a narrow box says less; the tooltip says all)."""
        short = _SHORT_TITLES.get(self.kind, self.title)
        return [self.title] if short == self.title else [self.title, short]

    def shape_texts(self) -> list[str]:
        """The shape, longest first: ``16×28×28``, then ``16×28²`` for square maps."""
        texts = [self.shape_text]
        if len(self.shape) == 3 and self.shape[1] == self.shape[2]:
            texts.append(f"{self.shape[0]}×{self.shape[1]}²")
        return texts


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
        # as tall as its rows (heightForWidth); not Fixed, which caps it at its size hint's height:
        # two rows at 800 px, where the ten boxes of three stages take three rows at 529 px (200 %)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)  # more rows where the boxes' words do not fit one
        self.setSizePolicy(policy)
        self.setMouseTracking(True)
        self.setAccessibleName("Network diagram")
        self.stages: list[Stage] = []
        self.set_config(config or NetworkConfig())

    def set_config(self, config: NetworkConfig) -> None:
        self.config = config
        self.stages = stages_of(config)
        self.setToolTip("")
        self.updateGeometry()  # as many boxes, as many rows
        self.update()

    # --- geometry: boxes of one width, in as few rows as keep each box's shortest words whole ---

    def _box_height(self) -> float:
        return max(46.0, 2 * self.fontMetrics().lineSpacing() + 12)

    def _narrowest_box(self) -> float:
        """The width a box needs for the shortest title and shape of any stage."""
        title_metrics, shape_metrics = (QFontMetricsF(font) for font in self._fonts())
        return max((max(title_metrics.horizontalAdvance(s.titles()[-1]), shape_metrics.horizontalAdvance(s.shape_texts()[-1]))
                    for s in self.stages), default=0.0) + 4 + 2  # 2 px inside each side, and the frame

    def _columns(self, width: float) -> tuple[int, float, float]:
        """(boxes per row, box width, arrow gap) for a diagram ``width`` wide; the rows share the
        boxes out evenly (8 boxes in two rows: 4 and 4)."""
        n = max(len(self.stages), 1)
        arrow = 16.0 if width >= 100 * n else 10.0
        room = width - 2 * _MARGIN
        fit = max(1, min(n, int((room + arrow) // (self._narrowest_box() + arrow))))
        rows = -(-n // fit)
        columns = -(-n // rows)
        return columns, max((room - arrow * (columns - 1)) / columns, 1.0), arrow

    def rows(self, width: float | None = None) -> int:
        columns = self._columns(self.width() if width is None else width)[0]
        return -(-max(len(self.stages), 1) // columns)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rows = self.rows(width)
        return round(2 * _MARGIN + rows * self._box_height() + (rows - 1) * _ROW_GAP)

    def sizeHint(self) -> QSize:
        return QSize(800, self.heightForWidth(800))

    def minimumSizeHint(self) -> QSize:
        return QSize(round(self._narrowest_box() + 2 * _MARGIN), round(self._box_height() + 2 * _MARGIN))

    def stage_rects(self) -> list[QRectF]:
        columns, width, arrow = self._columns(self.width())
        rows = self.rows()
        height = (self.height() - 2 * _MARGIN - (rows - 1) * _ROW_GAP) / rows
        return [QRectF(_MARGIN + (i % columns) * (width + arrow), _MARGIN + (i // columns) * (height + _ROW_GAP),
                       width, height) for i in range(len(self.stages))]

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()
        super().changeEvent(event)

    def _fonts(self) -> tuple[QFont, QFont]:
        title_font = QFont(self.font())
        title_font.setBold(True)
        return title_font, QFont(self.font())

    def labels(self) -> list[tuple[QRectF, str, str]]:
        """Each box with the title and shape it says: the longest that fit its width."""
        title_metrics, shape_metrics = (QFontMetricsF(font) for font in self._fonts())

        def fitting(texts: list[str], metrics: QFontMetricsF, width: float) -> str:
            return next((t for t in texts if metrics.horizontalAdvance(t) <= width), texts[-1])

        out = []
        for stage, rect in zip(self.stages, self.stage_rects()):
            room = rect.width() - 4
            out.append((rect, fitting(stage.titles(), title_metrics, room),
                        fitting(stage.shape_texts(), shape_metrics, room)))
        return out

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
        title_font, shape_font = self._fonts()
        text_pen = QPen(QColor("#1d1d1d"))
        for stage, (rect, title, shape) in zip(self.stages, self.labels()):
            painter.setPen(QPen(QColor("#8a8a8a"), 1))
            painter.setBrush(QColor(_COLOURS[stage.kind]))
            painter.drawRoundedRect(rect, 6, 6)
            painter.setPen(text_pen)
            top = QRectF(rect.left() + 2, rect.top() + 2, rect.width() - 4, rect.height() / 2 - 1)
            bottom = QRectF(rect.left() + 2, rect.center().y(), rect.width() - 4, rect.height() / 2 - 2)
            painter.setFont(title_font)
            painter.drawText(top, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, title)
            painter.setFont(shape_font)
            painter.drawText(bottom, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, shape)
        painter.setPen(QPen(QColor("#606060"), 1.5))
        for left, right in zip(rects, rects[1:]):
            if right.top() == left.top():  # beside it: straight on
                y = left.center().y()
                x0, x1 = left.right() + 2, right.left() - 2
                painter.drawLine(QPointF(x0, y), QPointF(x1 - 4, y))
                _arrow_head(painter, QPointF(x1, y), QPointF(1, 0))
            else:  # the next row: down, back to the left, down into the box
                middle = (left.bottom() + right.top()) / 2
                x0, x1 = left.center().x(), right.center().x()
                path = QPainterPath(QPointF(x0, left.bottom() + 1))
                path.lineTo(x0, middle)
                path.lineTo(x1, middle)
                path.lineTo(x1, right.top() - 5)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(path)
                _arrow_head(painter, QPointF(x1, right.top() - 1), QPointF(0, 1))
        painter.end()


def _arrow_head(painter: QPainter, tip: QPointF, direction: QPointF) -> None:
    """A filled head at ``tip`` pointing along ``direction`` (a unit vector along x or y)."""
    back, side = tip - direction * 6, QPointF(-direction.y(), direction.x()) * 4
    head = QPainterPath(tip)
    head.lineTo(back + side)
    head.lineTo(back - side)
    head.closeSubpath()
    painter.fillPath(head, QColor("#606060"))
