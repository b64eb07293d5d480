"""Where the step panel's three k×k grids go: pure arithmetic on the widget's size (no painting).

Every size is in pixels for the 12 px design font; ``scale`` (the text's size over the design
font's, ``text_scale``) makes the gaps, captions and the largest cell grow with the text.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF

__all__ = ["GAP", "TITLE", "MAX_CELL", "MIN_FONT", "LEGEND", "GridGeometry", "grid_geometry"]

GAP = 34  # room for the "×" and "=" between grids, px
TITLE = 24  # the caption above each grid, px
MAX_CELL = 76
MIN_FONT = 11  # px: the smallest number a student should have to read
LEGEND = 42.0  # the padding legend's height under the grids, px


@dataclass(frozen=True)
class GridGeometry:
    """Where the three k×k grids sit: the cell's side, each grid's top-left corner, one row or not.

    Grid 0 is the input window, 1 the kernel, 2 the products; in a narrow widget the products sit
    under the other two.
    """

    size: int  # k
    cell: float  # px
    corners: tuple[QPointF, QPointF, QPointF]
    in_row: bool
    gap: float = GAP  # px between two grids, for the "×" and "="
    title: float = TITLE  # px of caption above each grid

    @property
    def side(self) -> float:
        return self.cell * self.size

    def cell_rect(self, grid: int, term: int) -> QRectF:
        """The rectangle of term ``term`` (reading order) in grid ``grid``."""
        row, col = divmod(term, self.size)
        corner = self.corners[grid]
        return QRectF(corner.x() + col * self.cell, corner.y() + row * self.cell, self.cell, self.cell)

    def term_at(self, position: QPointF) -> int:
        """The term whose cell, in any of the three grids, is under ``position``; −1 if none."""
        for grid in range(3):
            for term in range(self.size * self.size):
                if self.cell_rect(grid, term).contains(position):
                    return term
        return -1


def grid_geometry(width: float, height: float, size: int, legend: float = 0.0, scale: float = 1.0) -> GridGeometry:
    """Lay out three ``size``×``size`` grids in a ``width``×``height`` widget whose bottom
    ``legend`` pixels hold the padding legend: in a row, or two above one when that gives
    bigger cells; ``scale`` is the text's size over the design font's (gaps, captions and the
    largest cell grow with it)."""
    gap, title = GAP * scale, TITLE * scale
    usable_width, usable_height = width - 8.0, height - 4.0 - legend
    row_cell = min((usable_width - 2 * gap) / (3 * size), (usable_height - title) / size)
    stacked_cell = min((usable_width - gap) / (2 * size), (usable_height - 2 * title - 14) / (2 * size))
    in_row = row_cell >= stacked_cell
    cell = max(8.0, min(MAX_CELL * scale, row_cell if in_row else stacked_cell))
    side = cell * size
    if in_row:
        left = (width - (3 * side + 2 * gap)) / 2
        top = title + 2.0  # top-aligned, like the text beside or below
        corners = tuple(QPointF(left + i * (side + gap), top) for i in range(3))
    else:
        left = (width - (2 * side + gap)) / 2
        corners = (
            QPointF(left, title),
            QPointF(left + side + gap, title),
            QPointF(left + (side + gap) / 2, title + side + title + 14),
        )
    return GridGeometry(size, cell, corners, in_row, gap, title)
