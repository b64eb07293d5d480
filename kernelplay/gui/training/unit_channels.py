"""A conv unit's input channels, a row each: the window on that input map × its kernel slice = the
slice's sum, and the running total once it is added. The row being added is highlighted, the rows
still to come are faint; a click on a row steps the sum to it, and pointing at a small grid opens it
enlarged with its numbers.

The words are drawn at the text size (``text_scale``: twice as large in presentation mode at
200 %), and the rows' parts are as wide as the widest words they may hold, whatever the unit; where
a row is too narrow for the sum and the running total side by side, the total goes under the sum.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from kernelplay.common.colormaps import symmetric_limit
from kernelplay.gui.playground.step_text import TERM_BACKGROUND
from kernelplay.gui.qt_arrays import array_to_qimage
from kernelplay.gui.text_scale import px, scaled_font
from kernelplay.gui.training.mosaic import ACTIVATION_TABLE, DIVERGING_TABLE, GREY_TABLE, colourise
from kernelplay.gui.training.tile_zoom import TileZoom, ZoomedTile
from kernelplay.gui.training import unit_text
from kernelplay.nn.explain_unit import ConvExplanation

__all__ = ["ChannelList", "window_colours"]

ROW_GAP = 6
TEXT_PX = 12  # at the design font's size
NAMES = ("the digit", "map 88")  # the widest a row's name is
WIDEST_NUMBER = "−0.0001234"  # four significant digits of a sum from 0.0001 on: room for it, whatever the unit
WIDEST_KERNEL = 5


def window_colours(e: ConvExplanation, top: float) -> tuple[np.ndarray, float, float]:
    """The colour table and levels of a conv unit's windows: grey 0–1 for the digit, the feature
    maps' colours from 0 to ``top`` (the input stage's largest value) for a map."""
    if e.input_stage == "input":
        return GREY_TABLE, 0.0, 1.0
    return ACTIVATION_TABLE, 0.0, top if top > 0 else 1.0


class ChannelList(QWidget):
    """One row per input channel of a :class:`ConvExplanation`, in one or two columns."""

    channel_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.explanation: ConvExplanation | None = None
        self.current = -1
        self._top = 1.0
        self._images: list[tuple[QImage, QImage]] = []
        self._widths: dict[int | None, tuple] = {}  # _parts() by kernel size: asked for by every layout pass
        self.zoom = TileZoom(self)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_explanation(self, e: ConvExplanation, current: int, top: float) -> None:
        """``top``: the largest value of the input stage's maps (the windows' brightest colour)."""
        self.explanation, self.current, self._top = e, current, top
        self._widths.clear()
        table, low, high = window_colours(e, top)
        limit = symmetric_limit(e.weights)
        self._images = []
        for c in range(e.windows.shape[0]):
            window = colourise(e.windows[c], table, low, high)
            window[e.is_padding] = window[e.is_padding] // 2 + 64  # padding: faded
            self._images.append((array_to_qimage(window), array_to_qimage(colourise(e.weights[c], DIVERGING_TABLE,
                                                                                    -limit, limit))))
        self.updateGeometry()
        self.update()
        if self.zoom.isVisible():
            self.zoom.hide()

    def row_texts(self) -> list[tuple[str, str, str]]:
        """Each row's words as painted: (input map, "= its sum", "Σ running total" or "" while pending)."""
        e = self.explanation
        if e is None:
            return []
        added = min(self.current + 1, e.channel_sums.size)
        return [(self._name(c), f"= {unit_text.number(e.channel_sums[c])}",
                 f"Σ {unit_text.number(e.running_sums[c])}" if c < added else "") for c in range(e.channel_sums.size)]

    def _name(self, channel: int) -> str:
        return f"map {channel}" if self._is_deep() else "the digit"

    def set_current(self, current: int) -> None:
        self.current = current
        self.update()

    # --- geometry ---------------------------------------------------------------------------------

    def text_font(self) -> QFont:
        """The rows' words: :data:`TEXT_PX` at the design font, scaled with the text."""
        return scaled_font(TEXT_PX, self)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # presentation mode: the words and the rows grow
            self._widths.clear()
            self.updateGeometry()
            self.update()
        super().changeEvent(event)

    def _thumb(self, k: int | None = None) -> float:
        """A thumbnail's side: 6 px a cell at the design font (at least 24), growing with the text
        (at 200 % as tall as a stacked row's two lines, and no wider than the tables a pane holds)."""
        if k is None:
            k = 3 if self.explanation is None else self.explanation.weights.shape[-1]
        return float(px(max(24, 6 * k), self))

    def _parts(self, k: int | None = None) -> tuple[float, float, float, float, float]:
        """Widths of a row's parts: its name (and gaps), a thumbnail, the "×" between them, "= sum"
        and "Σ total" (each as wide as the widest number they may say)."""
        if k in self._widths:
            return self._widths[k]
        metrics = QFontMetricsF(self.text_font())
        sums = [metrics.horizontalAdvance(f"= {WIDEST_NUMBER}"), metrics.horizontalAdvance(f"Σ {WIDEST_NUMBER}")]
        e = self.explanation
        if e is not None and k is None:  # numbers wider than planned for (below 0.0001): room for them too
            sums[0] = max([sums[0]] + [metrics.horizontalAdvance(f"= {unit_text.number(v)}") for v in e.channel_sums])
            sums[1] = max([sums[1]] + [metrics.horizontalAdvance(f"Σ {unit_text.number(v)}") for v in e.running_sums])
        name = max(metrics.horizontalAdvance(text) for text in NAMES) + px(4, self) + px(6, self)
        self._widths[k] = name, self._thumb(k), metrics.horizontalAdvance(" × "), sums[0], sums[1]
        return self._widths[k]

    def _one_line_width(self, k: int | None = None) -> float:
        name, thumb, times, sums, running = self._parts(k)
        return name + 2 * thumb + times + px(8, self) + sums + px(12, self) + running + 4

    def least_width(self, k: int | None = WIDEST_KERNEL) -> float:
        """The narrowest a row may be, the running total under the sum: for any conv unit (``k`` is
        None: for the one on show, which may hold wider numbers)."""
        name, thumb, times, sums, running = self._parts(k)
        return name + 2 * thumb + times + px(8, self) + max(sums, running) + 4

    def stacked(self, width: float | None = None) -> bool:
        """Whether, at ``width``, each row puts its running total under its sum."""
        width = self.width() if width is None else width
        return width < self._one_line_width()

    def row_height(self, width: float | None = None) -> float:
        lines = 2 if self.stacked(width) else 1
        return max(self._thumb(), lines * QFontMetricsF(self.text_font()).lineSpacing()) + ROW_GAP

    def row_width(self) -> float:
        """The width a row asks for: the sum and the running total side by side."""
        return self._one_line_width()

    def _is_deep(self) -> bool:
        return self.explanation is not None and self.explanation.input_stage != "input"

    def _columns(self, width: float) -> int:
        count = 0 if self.explanation is None else self.explanation.windows.shape[0]
        return 2 if count > 1 and width >= 2 * self.row_width() + 12 else 1

    def row_rect(self, channel: int, width: float | None = None) -> QRectF:
        width = self.width() if width is None else width
        count = self.explanation.windows.shape[0]
        columns = self._columns(width)
        per_column = -(-count // columns)
        column, row = divmod(channel, per_column)
        column_width = width / columns
        height = self.row_height(width)
        return QRectF(column * column_width, row * height, column_width - 4, height)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if self.explanation is None:
            return 0
        count = self.explanation.windows.shape[0]
        return int(-(-count // self._columns(width)) * self.row_height(width)) + 2

    def sizeHint(self) -> QSize:
        return QSize(int(self.row_width()), self.heightForWidth(int(self.row_width())))

    def minimumSizeHint(self) -> QSize:
        least = int(max(self.least_width(), self.least_width(None))) + 1
        return QSize(least, int(self.row_height(least)))

    def channel_at(self, position: QPointF) -> int | None:
        if self.explanation is None:
            return None
        for c in range(self.explanation.windows.shape[0]):
            if self.row_rect(c).contains(position):
                return c
        return None

    def _thumb_rects(self, row: QRectF) -> tuple[QRectF, QRectF]:
        name, side, times, _, _ = self._parts()
        top = row.top() + (row.height() - side) / 2
        first = QRectF(row.left() + name, top, side, side)
        return first, QRectF(first.right() + times, top, side, side)

    # --- painting ---------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        e = self.explanation
        if e is None:
            return
        painter = QPainter(self)
        font = self.text_font()
        painter.setFont(font)
        ink = self.palette().color(self.foregroundRole())
        faint = QColor(ink)
        faint.setAlpha(110)
        line = QFontMetricsF(font).lineSpacing()
        _, _, times, sums_width, _ = self._parts()
        stacked = self.stacked()
        added = min(self.current + 1, e.channel_sums.size)
        middle = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        for c, ((window, weights), (name, sums, running)) in enumerate(zip(self._images, self.row_texts())):
            row = self.row_rect(c)
            if c == self.current:
                painter.fillRect(row, QColor(TERM_BACKGROUND))
            painter.setOpacity(0.45 if c >= added else 1.0)  # still to come
            painter.setPen(ink)
            painter.drawText(QRectF(row.left() + px(4, self), row.top(), row.width(), row.height()), middle, name)
            first, second = self._thumb_rects(row)
            for rect, image in ((first, window), (second, weights)):
                painter.drawImage(rect, image)
                painter.setPen(QPen(QColor(90, 90, 90), 1))
                painter.drawRect(rect)
            painter.setPen(ink)
            painter.drawText(QRectF(first.right(), row.top(), times, row.height()), Qt.AlignmentFlag.AlignCenter, "×")
            x = second.right() + px(8, self)
            if stacked:  # the sum, and the running total under it, centred on the row together
                top = row.center().y() - line
                sum_rect, running_rect = QRectF(x, top, row.right() - x, line), QRectF(x, top + line, row.right() - x, line)
            else:
                sum_rect = QRectF(x, row.top(), sums_width, row.height())
                x += sums_width + px(12, self)
                running_rect = QRectF(x, row.top(), row.right() - x, row.height())
            painter.drawText(sum_rect, middle, sums)
            if running:
                painter.setPen(faint)
                painter.drawText(running_rect, middle, running)
            painter.setOpacity(1.0)
        painter.end()

    # --- pointer ----------------------------------------------------------------------------------

    def zoomed_tile(self, position: QPointF) -> ZoomedTile | None:
        """The window or kernel slice under ``position``, enlarged with its numbers."""
        e, channel = self.explanation, self.channel_at(position)
        if e is None or channel is None:
            return None
        first, second = self._thumb_rects(self.row_rect(channel))
        source = unit_text.input_name(e, channel)
        if first.contains(position):
            table, low, high = window_colours(e, self._top)
            box = e.window_box
            caption = f"rows {box.top}–{box.bottom - 1}, columns {box.left}–{box.right - 1}"
            if e.is_padding.any():
                caption += " · faded: outside the map, 0"
            return ZoomedTile(e.windows[channel], table, low, high, title=f"window on {source}", caption=caption,
                              numbers=True)
        if second.contains(position):
            limit = symmetric_limit(e.weights)
            return ZoomedTile(e.weights[channel], DIVERGING_TABLE, -limit, limit,
                              title=f"{e.stage}.weight[{e.channel}, {channel}]",
                              caption=f"the kernel slice for {source}", numbers=True)
        return None

    def mouseMoveEvent(self, event) -> None:
        tile = self.zoomed_tile(event.position())
        if tile is None:
            self.zoom.hide()
        else:
            self.zoom.show_tile(tile, event.globalPosition().toPoint())
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self.zoom.hide()
        super().leaveEvent(event)

    def mousePressEvent(self, event) -> None:
        channel = self.channel_at(event.position())
        if channel is not None and event.button() == Qt.MouseButton.LeftButton:
            self.channel_clicked.emit(channel)
            return
        super().mousePressEvent(event)
