"""A small floating view of one tile — a kernel slice or a feature map — enlarged, with its numbers."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter
from PySide6.QtWidgets import QWidget

from kernelplay.gui.training.mosaic import colourise

__all__ = ["TileZoom", "ZoomedTile", "ZoomingLayoutWidget", "format_values"]

GRID_SIDE = 220  # pixels the enlarged tile takes, at least (cells grow to hold their numbers)
PADDING = 8
CURSOR_OFFSET = 18  # the view opens this far right of and below the cursor, never over it


def format_values(values: np.ndarray) -> list[list[str]]:
    """Each value with the same number of decimals, enough for two significant digits of the
    largest; minus signs as "−"."""
    largest = float(np.max(np.abs(values))) if values.size else 0.0
    decimals = 2 if not largest > 0 else int(np.clip(1 - np.floor(np.log10(largest)), 0, 3))
    return [[f"{v:.{decimals}f}".replace("-", "−") for v in row] for row in np.asarray(values, dtype=np.float64)]


@dataclass(frozen=True)
class ZoomedTile:
    """What the view shows: ``values`` ``(h, w)`` coloured through ``table`` between ``low`` and
    ``high``, a bold ``title``, a ``caption`` under the grid (lines split at "\\n"), and the numbers in
    the cells if asked."""

    values: np.ndarray
    table: np.ndarray
    low: float
    high: float
    title: str
    caption: str
    numbers: bool


class TileZoom(QWidget):
    """A tooltip-like window (it takes no focus and no clicks) beside the cursor."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.tile: ZoomedTile | None = None
        self.texts: list[list[str]] = []  # the numbers drawn in the cells (empty without numbers)
        self._cell = 1
        self._bold = QFont(self.font())
        self._bold.setBold(True)

    def show_tile(self, tile: ZoomedTile, cursor: QPoint | None = None) -> None:
        """Show ``tile``; beside ``cursor`` (global) if given, else where the view already is."""
        self.tile = tile
        h, w = tile.values.shape
        self.texts = format_values(tile.values) if tile.numbers else []
        widest = max((self.fontMetrics().horizontalAdvance(t) for row in self.texts for t in row), default=0)
        self._cell = max(2, GRID_SIDE // max(h, w), widest + 8 if self.texts else 0)
        line = self.fontMetrics().lineSpacing()
        captions = tile.caption.split("\n")
        width = max(w * self._cell, *(self.fontMetrics().horizontalAdvance(c) for c in captions),
                    self.fontMetrics().horizontalAdvance(tile.title) * 1.15)
        self.resize(int(width) + 2 * PADDING, h * self._cell + (1 + len(captions)) * line + 3 * PADDING)
        if cursor is not None:
            self.move(self._place_beside(cursor))
        self.update()
        self.show()

    def _place_beside(self, cursor: QPoint) -> QPoint:
        screen = QGuiApplication.screenAt(cursor) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        x, y = cursor.x() + CURSOR_OFFSET, cursor.y() + CURSOR_OFFSET
        if x + self.width() > area.right():
            x = cursor.x() - CURSOR_OFFSET - self.width()
        if y + self.height() > area.bottom():
            y = cursor.y() - CURSOR_OFFSET - self.height()
        return QPoint(max(x, area.left()), max(y, area.top()))

    def grid_rect(self) -> QRect:
        h, w = self.tile.values.shape
        top = PADDING + self.fontMetrics().lineSpacing() + PADDING // 2
        return QRect((self.width() - w * self._cell) // 2, top, w * self._cell, h * self._cell)

    def paintEvent(self, event) -> None:
        if self.tile is None:
            return
        tile, cell = self.tile, self._cell
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#fbfbfb"))
        painter.setPen(QColor("#8a8a8a"))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        line = self.fontMetrics().lineSpacing()
        painter.setPen(QColor("#1d1d1d"))
        painter.setFont(self._bold)
        painter.drawText(QRect(PADDING, PADDING, self.width() - 2 * PADDING, line), Qt.AlignmentFlag.AlignHCenter,
                         tile.title)
        painter.setFont(self.font())
        grid = self.grid_rect()
        rgb = colourise(tile.values, tile.table, tile.low, tile.high)
        for r in range(rgb.shape[0]):
            for c in range(rgb.shape[1]):
                colour = QColor(*(int(v) for v in rgb[r, c]))
                box = QRectF(grid.left() + c * cell, grid.top() + r * cell, cell, cell)
                painter.fillRect(box, colour)
                if self.texts:
                    painter.setPen(QColor("#000000") if colour.lightness() > 110 else QColor("#ffffff"))
                    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.texts[r][c])
        painter.setPen(QColor("#1d1d1d"))
        painter.drawText(QRect(PADDING, grid.bottom() + PADDING // 2, self.width() - 2 * PADDING,
                               line * (1 + tile.caption.count("\n"))), Qt.AlignmentFlag.AlignHCenter, tile.caption)
        painter.end()


class ZoomingLayoutWidget(pg.GraphicsLayoutWidget):
    """A pyqtgraph layout of mosaics whose tiles open a :class:`TileZoom` when hovered or clicked.

    Subclasses say which tile is under a point (:meth:`tile_under`, a key or None) and what the
    zoom shows for a key (:meth:`zoomed_tile`); :meth:`refresh_zoom` after new data keeps the
    open zoom up to date (a kernel watched while it learns).
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.zoom = TileZoom(self)
        self.zoomed_key = None

    def tile_under(self, position: QPointF):
        raise NotImplementedError

    def zoomed_tile(self, key) -> ZoomedTile | None:
        raise NotImplementedError

    def refresh_zoom(self) -> None:
        tile = self.zoomed_tile(self.zoomed_key) if self.zoom.isVisible() and self.zoomed_key is not None else None
        if tile is not None:
            self.zoom.show_tile(tile)
        else:
            self.hide_zoom()

    def hide_zoom(self) -> None:
        self.zoom.hide()
        self.zoomed_key = None

    def _zoom_at(self, position: QPointF, cursor: QPoint) -> None:
        key = self.tile_under(position)
        tile = None if key is None else self.zoomed_tile(key)
        if tile is None:
            self.hide_zoom()
            return
        self.zoomed_key = key
        self.zoom.show_tile(tile, cursor)

    def mouseMoveEvent(self, event) -> None:
        super().mouseMoveEvent(event)
        self._zoom_at(event.position(), event.globalPosition().toPoint())

    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)
        self._zoom_at(event.position(), event.globalPosition().toPoint())

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        self.hide_zoom()

    def viewportEvent(self, event: QEvent) -> bool:
        # over a tile the zoom explains it: no tooltip on top of it
        if event.type() == QEvent.Type.ToolTip and self.tile_under(QPointF(event.pos())) is not None:
            return True
        return super().viewportEvent(event)
