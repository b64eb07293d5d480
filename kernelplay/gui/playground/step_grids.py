"""The step panel's pictures: the sum as three k×k grids (input window × kernel = products), and
the shown pixel as a swatch of grey.

Every size below is in pixels for the 12 px design font and scales with the widget's font
(``text_scale``): in presentation mode at 200 % the cells, numbers and captions are twice as large.

:func:`~kernelplay.gui.playground.grid_layout.grid_geometry` decides where the grids go (pure
arithmetic on the widget's size);
:class:`StepGrids` paints them there and turns a click on a cell into the index of its term.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from kernelplay.common.colormaps import diverging_rgb, symmetric_limit, text_colour_on
from kernelplay.gui.playground.grid_layout import (  # noqa: F401 (grid_geometry: the layout, for its tests)
    GAP,
    LEGEND,
    MAX_CELL,
    MIN_FONT,
    TITLE,
    GridGeometry,
    grid_geometry,
)
from kernelplay.gui.playground.step_text import (
    PADDING_TAGS,
    cell_tooltip,
    grid_titles,
    number,
    padding_legend,
    terms_added,
)
from kernelplay.gui.text_scale import text_scale
from kernelplay.gui.theme import ink as theme_ink
from kernelplay.gui.theme import is_dark
from kernelplay.imaging.explain import PixelExplanation

# The same cyan as the current-term outline on the big images (image_view._TERM_PEN).
TERM_COLOUR = QColor(0, 200, 255)
PADDING_COLOUR = QColor(230, 120, 0)  # the dashed outline of a cell outside the image
MIN_WIDTH = 300  # px, whatever the text's size: the cells' own minimum (min_cell) grows with it


class StepGrids(QWidget):
    """Three k×k grids painted side by side: input window × kernel = products.

    Cells scale with the widget; when three grids in a row would be too small (5×5 in a narrow
    column) the products move under the other two. Products not yet in the running total are
    grey placeholders; the current term is outlined in cyan in all three grids.
    """

    cell_clicked = Signal(int)  # a term's index in reading order

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._explanation: PixelExplanation | None = None
        self._current = -1
        self._narrow = True
        self._min_cell = 24.0
        self._font_cache: dict[tuple[str, int], QFont] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(MIN_WIDTH, self._px(170))
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def sizeHint(self) -> QSize:
        return QSize(self._px(440), self.minimumHeight())  # the height asked for is the height needed

    def _px(self, size: float) -> int:
        return round(size * text_scale(self))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode: every size follows the text
            self._font_cache.clear()
            if self._narrow:
                self.setMinimumWidth(MIN_WIDTH)
            self._min_cell = self._smallest_cell()
            self._update_minimum_height()

    def show_state(self, explanation: PixelExplanation | None, current: int) -> None:
        self._explanation, self._current = explanation, current
        self._min_cell = self._smallest_cell()
        self._update_minimum_height()
        self.update()

    def set_narrow(self, narrow: bool) -> None:
        """In a narrow column, ask for the height of two rows of comfortably large cells."""
        self._narrow = narrow
        if narrow:
            self.setMinimumWidth(MIN_WIDTH)
            self.setMaximumWidth(16777215)  # QWIDGETSIZE_MAX
        self._update_minimum_height()

    def fit_width_to_height(self, height: float, max_width: float) -> None:
        """Side by side with the text, take only the width that ``height`` lets the cells use,
        but never cells too small for the numbers at :data:`MIN_FONT` (the panel scrolls then)."""
        k = self._explanation.size if self._explanation is not None else 3
        legend, scale = self._legend_height(), text_scale(self)
        gap, title = GAP * scale, TITLE * scale
        cell = min(MAX_CELL * scale, (height - 4 - title - legend) / k, (max_width - 2 * gap - 12) / (3 * k))
        cell = max(self.min_cell(), cell)
        self.setFixedWidth(int(3 * k * cell + 2 * gap + 12))
        self.setMinimumHeight(int(k * cell + title + legend + 6))

    def cell_texts(self) -> list[list[str]]:
        """The numbers in the three grids (window, weights, products), reading order, as painted."""
        e = self._explanation
        if e is None:
            return []
        return [[number(v) for v in values.ravel()] for values in (e.window, e.weights, e.products)]

    def number_font(self) -> QFont:
        """The font of the numbers in the cells, at the present size (see :meth:`_fitting_font`)."""
        layout = self.geometry_now()
        if layout is None:
            return QFont(self.font())
        return self._fitting_font([text for grid in self.cell_texts() for text in grid], layout.cell)

    def min_cell(self) -> float:
        """The smallest cell that holds the longest number at :data:`MIN_FONT` px."""
        return self._min_cell

    def _smallest_cell(self) -> float:
        texts = [text for grid in self.cell_texts() for text in grid] or ["000"]
        font = QFont(self.font())
        font.setPixelSize(self._px(MIN_FONT))
        return max(self._px(24), max(QFontMetricsF(font).horizontalAdvance(t) for t in texts) + 8)

    def geometry_now(self) -> GridGeometry | None:
        """Where the grids are at the widget's present size (None with nothing to show)."""
        if self._explanation is None:
            return None
        return grid_geometry(self.width(), self.height(), self._explanation.size, self._legend_height(),
                             text_scale(self))

    def _legend_height(self) -> float:
        e = self._explanation
        return LEGEND * text_scale(self) if e is not None and e.is_padding.any() else 0.0

    def _update_minimum_height(self) -> None:
        e = self._explanation
        scale = text_scale(self)
        if e is None or not self._narrow:
            height = self._px(170) if e is None else self.minimumHeight()
        else:
            k, smallest = e.size, self.min_cell()
            self.setMinimumWidth(int(max(MIN_WIDTH, 2 * k * smallest + GAP * scale + 8)))
            cell = max(smallest, min(54.0 * scale, (self.width() - 8 - GAP * scale) / (2 * k)))
            height = int(2 * k * cell + 2 * TITLE * scale + 18 + self._legend_height())
        if height != self.minimumHeight():
            self.setMinimumHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._update_minimum_height()

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        e = self._explanation
        if e is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        layout = self.geometry_now()
        cell, corners, k, n = layout.cell, layout.corners, e.size, e.products.size

        dark = is_dark(self)  # zero is white on a light page, a neutral grey on a dark one
        window_rgb = np.repeat(np.clip(np.rint(e.window), 0, 255).astype(np.uint8)[..., None], 3, axis=2)
        products = e.products.reshape(k, k)
        grids = [  # each grid's colours, padding cells and the cells already in the sum
            (window_rgb, e.is_padding, np.ones(n, bool)),
            (diverging_rgb(e.weights, dark=dark), None, np.ones(n, bool)),
            (diverging_rgb(products, symmetric_limit(products), dark=dark), None,
             np.arange(n) < terms_added(e, self._current)),
        ]
        palette_text = self.palette().color(self.foregroundRole())
        # One rule for every number (step_text.number) and one font for the three grids, sized so
        # the longest number fits its cell: the grids never round a value the equation writes out.
        texts = self.cell_texts()
        font = self.number_font()
        for title, (rgb, padding, done), grid_texts, corner in zip(grid_titles(e), grids, texts, corners):
            room = QRectF(corner.x() - layout.gap / 2, corner.y() - layout.title, layout.side + layout.gap,
                          layout.title - 4)
            self._paint_title(painter, room.intersected(QRectF(self.rect())), title, palette_text)
            self._paint_grid(painter, corner, cell, grid_texts, font, rgb, padding, done, e.border)
        self._paint_operators(painter, layout, palette_text)
        if 0 <= self._current < n:
            for grid in range(3):
                self._paint_highlight(painter, layout.cell_rect(grid, self._current))
        if e.is_padding.any():
            self._paint_legend(painter, e.border, layout)
        painter.end()

    def _paint_title(self, painter: QPainter, room: QRectF, title: str, colour: QColor) -> None:
        """A grid's caption in ``room``: 14 px, smaller (down to :data:`MIN_FONT`) if it must."""
        font = QFont(self.font())
        for size in range(self._px(14), self._px(MIN_FONT) - 1, -1):
            font.setPixelSize(size)
            if QFontMetricsF(font).horizontalAdvance(title) <= room.width():
                break
        painter.setFont(font)
        painter.setPen(colour)
        title = QFontMetricsF(font).elidedText(title, Qt.TextElideMode.ElideRight, room.width())
        painter.drawText(room, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, title)

    def _paint_operators(self, painter: QPainter, layout: GridGeometry, colour: QColor) -> None:
        """The "×" and "=" between the grids."""
        op_font = QFont(self.font())
        op_font.setPixelSize(int(min(self._px(30), max(self._px(16), layout.cell * 0.6))))
        op_font.setBold(True)
        painter.setFont(op_font)
        painter.setPen(colour)
        corners, side, gap, centre = layout.corners, layout.side, layout.gap, Qt.AlignmentFlag.AlignCenter
        if layout.in_row:
            for i, op in enumerate(("×", "=")):
                painter.drawText(QRectF(corners[i].x() + side, corners[0].y(), gap, side), centre, op)
        else:
            painter.drawText(QRectF(corners[0].x() + side, corners[0].y(), gap, side), centre, "×")
            painter.drawText(QRectF(corners[2].x() - gap, corners[2].y(), gap, side), centre, "=")

    def _paint_grid(self, painter, corner, cell, texts, font, rgb, padding, done, border) -> None:
        k = rgb.shape[0]
        tag_font = QFont(self.font())
        tag_font.setPixelSize(max(self._px(10), int(cell * 0.21)))
        # a product not yet summed: a faint cell, never the colour of a zero (white, or dark grey)
        pending_fill = self.palette().color(QPalette.ColorRole.Base) if is_dark(self) else QColor(236, 236, 236)
        pending_ink = theme_ink("faded", pending_fill)  # the equation's grey for the terms to come, readable on the cell

        grid_pen = QPen(QColor(120, 120, 120), 1)
        for i, text in enumerate(texts):
            r, c = divmod(i, k)
            rect = QRectF(corner.x() + c * cell, corner.y() + r * cell, cell, cell)
            colour = QColor(*(int(v) for v in rgb[r, c]))
            ink = QColor(*text_colour_on(tuple(int(v) for v in rgb[r, c])))
            is_pad = padding is not None and padding[r, c]
            if not done[i]:  # a product not yet in the running total: a faint placeholder
                colour, ink = pending_fill, pending_ink
            painter.fillRect(rect, colour)
            if is_pad:
                hatch = QColor(ink)
                hatch.setAlpha(45)
                painter.fillRect(rect, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
                painter.setPen(QPen(PADDING_COLOUR, 2, Qt.PenStyle.DashLine))
                painter.drawRect(rect.adjusted(2, 2, -2, -2))
                if cell >= 40:
                    painter.setFont(tag_font)
                    painter.setPen(ink)
                    painter.drawText(
                        rect.adjusted(3, 1, -3, -1), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                        PADDING_TAGS.get(border, ""),
                    )
            else:
                painter.setPen(grid_pen)
                painter.drawRect(rect)
            painter.setPen(ink)
            painter.setFont(font)
            # A padding cell's tag sits at its top: nudge the value down to clear it.
            text_rect = rect.adjusted(0, cell * 0.16, 0, 0) if is_pad and cell >= 40 else rect
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.setPen(QPen(QColor(90, 90, 90), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(corner.x(), corner.y(), cell * k, cell * k))

    def _fitting_font(self, texts: list[str], cell: float) -> QFont:
        """The largest bold font (up to ~40% of the cell, at least :data:`MIN_FONT` px) in which
        every text fits the cell; a regular one at :data:`MIN_FONT` when no bold one does."""
        longest = max(texts, key=len)
        key = (longest, int(cell))
        if key not in self._font_cache:
            font = QFont(self.font())
            font.setBold(True)
            smallest = self._px(MIN_FONT)
            size = max(smallest, int(min(self._px(24), cell * 0.4)))
            font.setPixelSize(size)
            while size > smallest and QFontMetricsF(font).horizontalAdvance(longest) > cell - 6:
                size -= 1
                font.setPixelSize(size)
            if QFontMetricsF(font).horizontalAdvance(longest) > cell - 6:
                font.setBold(False)
            if len(self._font_cache) > 256:
                self._font_cache.clear()
            self._font_cache[key] = font
        return self._font_cache[key]

    @staticmethod
    def _paint_highlight(painter: QPainter, rect: QRectF) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(20, 20, 20), 6))
        painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.setPen(QPen(TERM_COLOUR, 4))
        painter.drawRect(rect.adjusted(1, 1, -1, -1))

    def _paint_legend(self, painter: QPainter, border: str, layout: GridGeometry) -> None:
        bottom = max(c.y() for c in layout.corners) + layout.side + 6
        font = QFont(self.font())
        font.setPixelSize(self._px(13))
        painter.setFont(font)
        side = self._px(16)
        swatch = QRectF(8, bottom + 3, side, side)
        painter.fillRect(swatch, QColor(200, 200, 200))
        painter.fillRect(swatch, QBrush(QColor(0, 0, 0, 90), Qt.BrushStyle.BDiagPattern))
        painter.setPen(QPen(PADDING_COLOUR, 2, Qt.PenStyle.DashLine))
        painter.drawRect(swatch)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(
            QRectF(14 + side, bottom, self.width() - 18 - side, self._legend_height() - 2),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
            padding_legend(border),
        )

    # -- pointer ----------------------------------------------------------------------------
    def _term_at(self, position: QPointF) -> int:
        layout = self.geometry_now()
        return -1 if layout is None else layout.term_at(position)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            layout = self.geometry_now()
            position = QPointF(event.pos())
            term = -1 if layout is None else layout.term_at(position)
            if term >= 0:
                # Below the hovered grid, never over the cell being looked at.
                grid = next(g for g in range(3) if layout.cell_rect(g, term).contains(position))
                below = QPointF(position.x(), layout.corners[grid].y() + layout.side + 4)
                QToolTip.showText(self.mapToGlobal(below.toPoint()), cell_tooltip(self._explanation, term), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        term = self._term_at(event.position())
        if term >= 0:
            self.cell_clicked.emit(term)
            return
        super().mousePressEvent(event)


class PixelSwatch(QWidget):
    """A square of grey at the shown value (nothing until there is one)."""

    def __init__(self, side: int = 40, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value: int | None = None
        self.setFixedSize(side, side)

    def set_value(self, value: int | None) -> None:
        self._value = value
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._value is None:
            return
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(self._value, self._value, self._value))
        painter.setPen(QPen(QColor(110, 110, 110), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()
