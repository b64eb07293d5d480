"""A small floating view of one tile — a kernel slice or a feature map — enlarged, with its numbers.
Its words are in the application's font and, like the tile and its margins, grow with presentation
mode's text size; never larger than the screen for a tile without numbers."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPainter
from PySide6.QtWidgets import QWidget

from kernelplay.gui.text_scale import px
from kernelplay.gui.training.mosaic import colourise

__all__ = ["TileZoom", "ZoomedTile", "ZoomingLayoutWidget", "format_values"]

# px at the design font (text_scale.py): like its words, the enlarged tile grows with the text
GRID_SIDE = 220  # the enlarged tile's side, at least (cells grow to hold their numbers; the screen bounds it)
PADDING = 8
CURSOR_OFFSET = 18  # the view opens this far right of and below the cursor, never over it (screen px)


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

    def show_tile(self, tile: ZoomedTile, cursor: QPoint | None = None) -> None:
        """Show ``tile``; beside ``cursor`` (global) if given, else where the view already is."""
        self.tile = tile
        h, w = tile.values.shape
        self.texts = format_values(tile.values) if tile.numbers else []
        metrics = QFontMetricsF(self.font())
        widest = math.ceil(max((metrics.horizontalAdvance(t) for row in self.texts for t in row), default=0))
        line, padding = self.fontMetrics().lineSpacing(), self.padding()
        captions = tile.caption.split("\n")
        words = (1 + len(captions)) * line + 3 * padding  # the height of all but the grid
        screen = (QGuiApplication.screenAt(cursor) if cursor is not None else None) or self.screen()
        room = screen.availableGeometry()
        side = min(px(GRID_SIDE, self), room.height() - words, room.width() - 2 * padding)
        self._cell = max(2, side // max(h, w), widest + padding if self.texts else 0)
        width = max(w * self._cell, *(metrics.horizontalAdvance(c) for c in captions),
                    QFontMetricsF(self.title_font()).horizontalAdvance(tile.title))
        self.resize(math.ceil(width) + 2 * padding, h * self._cell + words)
        if cursor is not None:
            self.move(self._place_beside(cursor))
        self.update()
        self.show()

    def title_font(self) -> QFont:
        """The widget's font (the application's, which presentation mode enlarges), bold."""
        font = QFont(self.font())
        font.setBold(True)
        return font

    def padding(self) -> int:
        """Pixels around the title, the grid and the caption, at the text size in use."""
        return px(PADDING, self)

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
        top = self.padding() + self.fontMetrics().lineSpacing() + self.padding() // 2
        return QRect((self.width() - w * self._cell) // 2, top, w * self._cell, h * self._cell)

    def paintEvent(self, event) -> None:
        if self.tile is None:
            return
        tile, cell = self.tile, self._cell
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#fbfbfb"))
        painter.setPen(QColor("#8a8a8a"))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        line, padding = self.fontMetrics().lineSpacing(), self.padding()
        painter.setPen(QColor("#1d1d1d"))
        painter.setFont(self.title_font())
        painter.drawText(QRect(padding, padding, self.width() - 2 * padding, line), Qt.AlignmentFlag.AlignHCenter,
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
        painter.drawText(QRect(padding, grid.bottom() + padding // 2, self.width() - 2 * padding,
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
