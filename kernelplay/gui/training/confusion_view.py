"""The confusion matrix of the held-out digits: rows = true digit, columns = predicted, each cell's
count written in it; the per-class accuracy in a column beside it. Click a cell to see its digits."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from kernelplay.nn.config import NUM_CLASSES
from kernelplay.nn.evaluation import Evaluation
from kernelplay.gui.theme import blend, readable_ink

__all__ = ["ConfusionMatrixView", "MatrixLook", "matrix_look", "mistake_colour"]

_WIDEST_PERCENT = "99.9 %"


@dataclass(frozen=True)
class MatrixLook:
    """The matrix's colours on one palette. Off the diagonal, the page's ground → red by count (one
    scale for all mistakes); the diagonal apart, in one quiet green (pale on a light page, dark on
    a dark one), so its large counts never wash the mistakes out."""

    ground: QColor  # an empty cell: the palette's Base
    mistake: QColor  # the largest mistake count
    right_fill: QColor
    right_text: QColor
    grid: QColor
    selected: QColor
    header: QColor
    track: QColor  # behind the per-class accuracy bars
    veil: QColor  # over an older matrix while a newer one is counted


def matrix_look(palette: QPalette) -> MatrixLook:
    roles = QPalette.ColorRole
    base, text, window = palette.color(roles.Base), palette.color(roles.WindowText), palette.color(roles.Window)
    dark = window.lightness() < 128
    veil = QColor(window)
    veil.setAlpha(150)
    return MatrixLook(
        ground=base,
        mistake=QColor(214, 52, 52) if dark else QColor(200, 40, 40),
        right_fill=QColor("#22482f") if dark else QColor("#e4f1e7"),
        right_text=QColor("#a8e0b4") if dark else QColor("#1e6b34"),
        grid=blend(base, text, 0.25 if dark else 0.22),  # on white: #c8c8c8
        selected=text,
        header=blend(window, text, 0.7),
        track=blend(base, text, 0.11),  # on white: #e2e2e2
        veil=veil,
    )


def mistake_colour(count: int, largest: int, look: MatrixLook) -> QColor:
    """The fill of an off-diagonal cell: ``look``'s ground for none, its full red for the
    ``largest`` count. The square root lifts small counts, so a cell with 1 mistake is visibly not
    empty."""
    share = math.sqrt(count / largest) if largest > 0 and count > 0 else 0.0
    return blend(look.ground, look.mistake, 0.12 + 0.88 * share if count else 0.0)


class ConfusionMatrixView(QWidget):
    """A 10×10 grid of counts (``set_evaluation``); ``cell_clicked(true, predicted)`` on a click.

    ``texts`` holds what each cell shows (``""`` for an empty cell off the diagonal), ``selected``
    the highlighted cell or None; :meth:`cell_rect` says where a cell is (widget pixels).
    """

    cell_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Confusion matrix")
        self.setMouseTracking(True)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # square cells: the most-confused pairs sit right under them
        self.setSizePolicy(policy)
        self.evaluation: Evaluation | None = None
        self.texts: list[list[str]] = [[""] * NUM_CLASSES for _ in range(NUM_CLASSES)]
        self.selected: tuple[int, int] | None = None
        self.placeholder = "No held-out evaluation yet."
        self.dimmed = False  # an older matrix, on show while a newer one is being counted
        self._bold = QFont(self.font())
        self._bold.setBold(True)

    # --- what it shows ------------------------------------------------------------------------------

    def set_evaluation(self, evaluation: Evaluation | None, *, dimmed: bool = False) -> None:
        self.evaluation, self.dimmed = evaluation, dimmed and evaluation is not None
        widest = max(3, len(str(int(evaluation.matrix.max())))) if evaluation is not None else 3
        if widest != getattr(self, "_widest", None):
            self._widest = widest  # digits of the largest count: the cells' smallest width
            self.updateGeometry()
        if evaluation is None:
            self.texts = [[""] * NUM_CLASSES for _ in range(NUM_CLASSES)]
        else:
            m = evaluation.matrix
            self.texts = [[str(m[t, p]) if m[t, p] or t == p else "" for p in range(NUM_CLASSES)]
                          for t in range(NUM_CLASSES)]
        self.update()

    def set_placeholder(self, text: str) -> None:
        """What the view says while it has no matrix to show."""
        self.placeholder = text
        self.update()

    def select(self, cell: tuple[int, int] | None) -> None:
        self.selected = cell
        self.update()

    def accuracy_texts(self) -> list[str]:
        """The per-class accuracy column as shown ("97 %", or "—" for a class with no digits)."""
        if self.evaluation is None:
            return [""] * NUM_CLASSES
        return [_percent(a) for a in self.evaluation.per_class_accuracy]

    # --- geometry -----------------------------------------------------------------------------------

    def _margins(self) -> tuple[float, float, float]:
        """(left, top, accuracy column width): the room around the cells, in widget pixels."""
        font = QFontMetricsF(self.font())
        line = font.height()
        accuracy_width = font.horizontalAdvance(_WIDEST_PERCENT) + 12
        left = line + font.horizontalAdvance("9") + 10  # the rotated "true digit" and the row labels
        return left, 2 * line + 4, accuracy_width  # top: "predicted", then the column labels

    def _cell_for_width(self, width: float) -> float:
        left, _, accuracy_width = self._margins()
        return (width - left - accuracy_width - 6 - 4) / NUM_CLASSES  # 4 px spare at the right

    def _metrics(self) -> tuple[float, float, float, float]:
        """(left, top, cell side, accuracy column width) in widget pixels."""
        left, top, accuracy_width = self._margins()
        cell = max(min(self._cell_for_width(self.width()), (self.height() - top - 2) / NUM_CLASSES), 1.0)
        # centred in the room there is
        spare = self.width() - (left + NUM_CLASSES * cell + 6 + accuracy_width)
        return left + max(spare, 0) / 2, top, cell, accuracy_width

    def cell_rect(self, true: int, predicted: int) -> QRectF:
        left, top, cell, _ = self._metrics()
        return QRectF(left + predicted * cell, top + true * cell, cell, cell)

    def cell_at(self, position: QPointF) -> tuple[int, int] | None:
        left, top, cell, _ = self._metrics()
        col, row = math.floor((position.x() - left) / cell), math.floor((position.y() - top) / cell)
        return (row, col) if 0 <= row < NUM_CLASSES and 0 <= col < NUM_CLASSES else None

    def minimumSizeHint(self) -> QSize:
        # wide enough for the largest count (MNIST's test set has 1,135 ones: four digits)
        cell = QFontMetricsF(self.font()).horizontalAdvance("0" * getattr(self, "_widest", 3)) + 6
        left, top, accuracy_width = self._margins()
        return QSize(math.ceil(left + NUM_CLASSES * cell + 6 + accuracy_width), math.ceil(top + 2 + NUM_CLASSES * cell))

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint() + QSize(60, 60)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        _, top, _ = self._margins()
        return math.ceil(top + 2 + NUM_CLASSES * max(self._cell_for_width(width), 1.0))

    # --- input --------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton and cell is not None and self.evaluation is not None:
            self.select(cell)
            self.cell_clicked.emit(*cell)
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        over = self.cell_at(event.position()) is not None and self.evaluation is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            text = self._tip(event.position() if hasattr(event, "position") else QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def _tip(self, position: QPointF) -> str:
        cell = self.cell_at(position)
        if self.evaluation is None or cell is None:
            return ("Rows: the true digit. Columns: the network's answer. The diagonal (green) counts the digits "
                    "read right, the red cells the mistakes. Click a cell to see its digits.")
        true, predicted = cell
        count = int(self.evaluation.matrix[true, predicted])
        of = int(self.evaluation.class_counts[true])
        share = f" ({100 * count / of:.1f} % of the {of:,} {true}s)" if of else ""
        what = f"{true}s read right" if true == predicted else f"{true}s read as {predicted}"
        return f"{count:,} {what}{share}. Click to see them."

    # --- drawing ------------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        left, top, cell, accuracy_width = self._metrics()
        font = QFontMetricsF(self.font())
        line = font.height()
        grid_width = NUM_CLASSES * cell
        look = matrix_look(self.palette())
        painter.setPen(look.header)
        painter.drawText(QRectF(left, 0, grid_width, line), Qt.AlignmentFlag.AlignCenter, "predicted →")
        painter.drawText(QRectF(left + grid_width + 6, line + 2, accuracy_width, line),
                         Qt.AlignmentFlag.AlignCenter, "% right")
        painter.save()
        painter.translate(left - font.horizontalAdvance("9") - 8 - line, top + grid_width / 2)
        painter.rotate(-90)
        painter.drawText(QRectF(-grid_width / 2, 0, grid_width, line), Qt.AlignmentFlag.AlignCenter, "← true digit")
        painter.restore()
        for d in range(NUM_CLASSES):
            painter.drawText(QRectF(left + d * cell, line + 2, cell, line), Qt.AlignmentFlag.AlignCenter, str(d))
            painter.drawText(QRectF(left - font.horizontalAdvance("9") - 6, top + d * cell, font.horizontalAdvance("9") + 2,
                                    cell), Qt.AlignmentFlag.AlignCenter, str(d))
        if self.evaluation is None:
            painter.setPen(look.grid)
            painter.drawRect(QRectF(left, top, grid_width, grid_width))
            painter.setPen(look.header)
            painter.drawText(QRectF(left + 8, top, grid_width - 16, grid_width),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            painter.end()
            return
        self._paint_cells(painter, look, left, top, cell)
        self._paint_accuracy(painter, look, left + grid_width + 6, top, cell, accuracy_width)
        if self.dimmed:
            painter.fillRect(QRectF(left, top, grid_width + 6 + accuracy_width, grid_width), look.veil)
        painter.end()

    def _paint_cells(self, painter: QPainter, look: MatrixLook, left: float, top: float, cell: float) -> None:
        matrix = self.evaluation.matrix
        off = matrix.copy()
        np.fill_diagonal(off, 0)
        largest = int(off.max())
        for t in range(NUM_CLASSES):
            for p in range(NUM_CLASSES):
                rect = self.cell_rect(t, p)
                if t == p:
                    fill, ink, font = look.right_fill, look.right_text, self._bold
                else:
                    fill = mistake_colour(int(matrix[t, p]), largest, look)
                    ink, font = readable_ink(fill), self.font()
                painter.fillRect(rect, fill)
                painter.setPen(QPen(look.grid, 1))
                painter.drawRect(rect)
                if self.texts[t][p]:
                    painter.setFont(font)
                    painter.setPen(ink)
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.texts[t][p])
        painter.setFont(self.font())
        if self.selected is not None:
            painter.setPen(QPen(look.selected, 3))
            painter.drawRect(self.cell_rect(*self.selected).adjusted(1, 1, -1, -1))

    def _paint_accuracy(self, painter: QPainter, look: MatrixLook, x: float, top: float, cell: float,
                        width: float) -> None:
        """Each class's share read right: a green bar behind the number."""
        for t, (text, share) in enumerate(zip(self.accuracy_texts(), self.evaluation.per_class_accuracy)):
            rect = QRectF(x, top + t * cell, width, cell)
            painter.fillRect(rect.adjusted(0, 1, 0, -1), look.track)
            if np.isfinite(share):
                painter.fillRect(QRectF(rect.left(), rect.top() + 1, width * float(share), cell - 2), look.right_fill)
            painter.setPen(look.right_text)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def _percent(share: float) -> str:
    if not np.isfinite(share):
        return "—"
    if share >= 1:
        return "100 %"
    return f"{min(100 * share, 99.9):.1f} %"  # never "100.0 %" for a class with a mistake
