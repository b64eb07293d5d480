"""Small grids of numbers side by side — window × kernel slice = products, or a pool's 2×2 block —
painted with their colours, their numbers when the cells can hold them, and each cell's exact
numbers on hover.

:func:`strip_layout` decides where the grids go (pure arithmetic on the width): one row with the
numbers in the cells if they fit; else one row of smaller cells whose numbers show on hover; else
one grid a row. The numbers, titles and operators are drawn at the text size (``text_scale``), and
each grid is given at least its title's width.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from kernelplay.common.colormaps import text_colour_on
from kernelplay.gui.text_scale import px, scaled_font, text_scale

__all__ = ["Grid", "GridStrip", "StripLayout", "strip_layout", "MARK_COLOUR"]

MARK_COLOUR = QColor(0, 200, 255)  # the cyan of the playground's current term
NUMBER_PX = 11  # the numbers in the cells at the design font: the smallest a student should have to read
TITLE_PX = 13
OPERATOR = 30  # room for "×" or "=" between two grids, px at the design font
SMALL_CELL = (18.0, 34.0)  # cells without numbers: at least, at most (px)
MIN_NUMBER_CELL = 40.0  # a cell with a number is never smaller (a 2×2 block of "0"s), at the design font


@dataclass(frozen=True, eq=False)
class Grid:
    """One grid: ``rgb`` ``(h, w, 3)`` uint8 colours, ``texts`` and ``tips`` in reading order (the
    numbers painted in the cells and what hovering each says), a ``title`` above; ``marked`` cells
    are outlined (a pool's winner), ``hatched`` ones are padding."""

    rgb: np.ndarray
    texts: list[str]
    tips: list[str]
    title: str
    marked: np.ndarray | None = None
    hatched: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.rgb.shape[0], self.rgb.shape[1]


@dataclass(frozen=True)
class StripLayout:
    """Each grid's top-left corner, the room its title may take (``slots``) and the side of a cell;
    ``numbers`` says whether they are painted."""

    corners: tuple[QPointF, ...]
    cell: float
    numbers: bool
    height: float
    slots: tuple[float, ...] = ()


def strip_layout(width: float, shapes: list[tuple[int, int]], number_width: float, line: float,
                 tail_width: float, titles: list[float] | None = None, scale: float = 1.0) -> StripLayout:
    """Where grids of ``shapes`` go in ``width`` px: their titles take ``line`` px above them (and
    each grid at least the width ``titles`` gives), the tail text (``"Σ = 0.4512"``) ``tail_width``
    px after the last; ``number_width`` is the cell a number needs; ``scale`` is the text size's
    (the operators' room grows with it). In order of preference: one row with numbers; two rows
    with numbers (window × slice, then the products); one row of smaller cells whose numbers show
    on hover; a grid a row."""
    rows = max(h for h, _ in shapes)
    operator, gap = OPERATOR * scale, 8 * scale
    number_cell = max(number_width, MIN_NUMBER_CELL * scale)
    titles = titles or [0.0] * len(shapes)

    def slot(i: int, cell: float) -> float:
        return max(shapes[i][1] * cell + operator, titles[i] + gap)

    def row_widths(cell: float, per_row: int) -> list[float]:
        widths = []
        for start in range(0, len(shapes), per_row):
            chunk = range(start, min(start + per_row, len(shapes)))
            tail = tail_width if start + per_row >= len(shapes) else 0
            widths.append(sum(slot(i, cell) for i in chunk) + tail + 4)
        return widths

    plans = [(number_cell, True, len(shapes)), (number_cell, True, -(-len(shapes) // 2))]
    for per_row in (len(shapes), -(-len(shapes) // 2), 1):  # smaller cells, numbers on hover
        widest_row = max(sum(w for _, w in shapes[i:i + per_row]) for i in range(0, len(shapes), per_row))
        cell = min(SMALL_CELL[1], (width - operator * per_row - tail_width - 4) / widest_row)
        if cell >= SMALL_CELL[0] or per_row == 1:
            plans.append((max(6.0, cell), False, per_row))
    cell, numbers, per_row = next((p for p in plans if max(row_widths(p[0], p[2])) <= width), plans[-1])
    corners, x, y = [], 2.0, line
    for i, (h, w) in enumerate(shapes):
        if i and i % per_row == 0:
            x, y = 2.0, y + rows * cell + line + 6 * scale
        corners.append(QPointF(x, y))
        x += slot(i, cell)
    return StripLayout(tuple(corners), cell, numbers, y + rows * cell + 2, tuple(slot(i, cell) for i in range(len(shapes))))


class GridStrip(QWidget):
    """Grids with an operator after each (``"×"``, ``"="``), the last followed by ``tail``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grids: list[Grid] = []
        self.operators: list[str] = []
        self.tail = ""
        self._number_width = self._line = self._tail_width = 0.0
        self._title_widths: list[float] = []
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMouseTracking(True)

    def set_grids(self, grids: list[Grid], operators: list[str], tail: str = "") -> None:
        """``operators[i]`` sits between grid ``i`` and ``i + 1`` (before ``tail`` after the last)."""
        self.grids, self.operators, self.tail = grids, operators, tail
        self._measure()
        self.updateGeometry()
        self.update()

    def fonts(self) -> tuple[QFont, QFont]:
        """The numbers' and the titles' fonts: :data:`NUMBER_PX` and :data:`TITLE_PX` at the design
        font, scaled with the text."""
        return scaled_font(NUMBER_PX, self), scaled_font(TITLE_PX, self)

    def _measure(self) -> None:
        # measured once here: the layout is asked for many times per redraw
        number_font, title_font = self.fonts()
        metrics, titles = QFontMetricsF(number_font), QFontMetricsF(title_font)
        texts = [t for g in self.grids for t in g.texts] or ["0"]
        self._number_width = max(metrics.horizontalAdvance(t) for t in texts) + px(8, self)
        self._line = titles.lineSpacing() + px(4, self)
        self._tail_width = titles.horizontalAdvance(self.tail) + px(6, self) if self.tail else 0
        self._title_widths = [titles.horizontalAdvance(g.title) for g in self.grids]

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # presentation mode: numbers, titles and room grow
            self._measure()
            self.updateGeometry()
            self.update()
        super().changeEvent(event)

    def layout_now(self, width: float | None = None) -> StripLayout | None:
        if not self.grids:
            return None
        return strip_layout(self.width() if width is None else width, [g.shape for g in self.grids],
                            self._number_width, self._line, self._tail_width, self._title_widths, text_scale(self))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        layout = self.layout_now(width)
        return 0 if layout is None else int(layout.height) + 2

    def sizeHint(self) -> QSize:
        return QSize(300, self.heightForWidth(300))

    def minimumSizeHint(self) -> QSize:
        return QSize(120, 40)

    def cell_rect(self, layout: StripLayout, grid: int, index: int) -> QRectF:
        corner = layout.corners[grid]
        row, col = divmod(index, self.grids[grid].shape[1])
        return QRectF(corner.x() + col * layout.cell, corner.y() + row * layout.cell, layout.cell, layout.cell)

    def cell_at(self, position: QPointF) -> tuple[int, int] | None:
        """(grid, cell index in reading order) under ``position``, or None."""
        layout = self.layout_now()
        if layout is None:
            return None
        for g, grid in enumerate(self.grids):
            for i in range(grid.rgb.shape[0] * grid.rgb.shape[1]):
                if self.cell_rect(layout, g, i).contains(position):
                    return g, i
        return None

    def shown_numbers(self) -> list[list[str]]:
        """The numbers painted in each grid's cells (empty lists when the cells are too small)."""
        layout = self.layout_now()
        return [list(g.texts) if layout is not None and layout.numbers else [] for g in self.grids]

    def paintEvent(self, event) -> None:
        layout = self.layout_now()
        if layout is None:
            return
        painter = QPainter(self)
        ink = self.palette().color(self.foregroundRole())
        number_font, title_font = self.fonts()
        title_metrics = QFontMetricsF(title_font)
        for g, grid in enumerate(self.grids):
            h, w = grid.shape
            corner, side = layout.corners[g], layout.cell
            painter.setFont(title_font)
            painter.setPen(ink)
            room = QRectF(corner.x(), corner.y() - title_metrics.lineSpacing() - px(3, self), layout.slots[g],
                          title_metrics.lineSpacing())
            painter.drawText(room, Qt.AlignmentFlag.AlignLeft,
                             title_metrics.elidedText(grid.title, Qt.TextElideMode.ElideRight, room.width()))
            painter.setFont(number_font)
            for i in range(h * w):
                r, c = divmod(i, w)
                rect = self.cell_rect(layout, g, i)
                colour = tuple(int(v) for v in grid.rgb[r, c])
                painter.fillRect(rect, QColor(*colour))
                if grid.hatched is not None and grid.hatched[r, c]:
                    painter.fillRect(rect, QColor(120, 120, 120, 60))
                    painter.fillRect(rect, Qt.BrushStyle.BDiagPattern)
                painter.setPen(QPen(QColor(150, 150, 150), 1))
                painter.drawRect(rect)
                if layout.numbers:
                    painter.setPen(QColor(*text_colour_on(colour)))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, grid.texts[i])
            painter.setPen(QPen(QColor(70, 70, 70), 1.5))
            painter.drawRect(QRectF(corner.x(), corner.y(), w * side, h * side))
            if grid.marked is not None:
                painter.setPen(QPen(MARK_COLOUR, 3))
                for r, c in zip(*np.nonzero(grid.marked)):
                    painter.drawRect(self.cell_rect(layout, g, int(r) * w + int(c)).adjusted(1, 1, -1, -1))
            after = self.operators[g] if g < len(self.operators) else ""
            text = after + (" " + self.tail if g == len(self.grids) - 1 and self.tail else "")
            if text:
                painter.setFont(title_font)
                painter.setPen(ink)
                painter.drawText(QRectF(corner.x() + w * side + px(6, self), corner.y(), self.width(), h * side),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            found = self.cell_at(QPointF(event.pos()))
            if found is None:
                QToolTip.hideText()
            else:
                g, i = found
                QToolTip.showText(event.globalPos(), self.grids[g].tips[i], self)
            return True
        return super().event(event)
