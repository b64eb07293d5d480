"""A conv unit's input channels, a row each: the window on that input map × its kernel slice = the
slice's sum, and the running total once it is added. The row being added is highlighted, the rows
still to come are faint; a click on a row steps the sum to it, and pointing at a small grid opens it
enlarged with its numbers."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from kernelplay.common.colormaps import symmetric_limit
from kernelplay.gui.playground.step_text import TERM_BACKGROUND
from kernelplay.gui.qt_arrays import array_to_qimage
from kernelplay.gui.training.mosaic import ACTIVATION_TABLE, DIVERGING_TABLE, GREY_TABLE, colourise
from kernelplay.gui.training.tile_zoom import TileZoom, ZoomedTile
from kernelplay.gui.training import unit_text
from kernelplay.nn.explain_unit import ConvExplanation

__all__ = ["ChannelList", "window_colours"]

ROW_GAP = 6
TEXT_PX = 12
SUM_TEXT = "= −0.00000"  # the widest sum a row holds, for spacing


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
        self._font = QFont(self.font())
        self._font.setPixelSize(TEXT_PX)
        self.zoom = TileZoom(self)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_explanation(self, e: ConvExplanation, current: int, top: float) -> None:
        """``top``: the largest value of the input stage's maps (the windows' brightest colour)."""
        self.explanation, self.current, self._top = e, current, top
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

    def _thumb(self) -> float:
        k = 3 if self.explanation is None else self.explanation.weights.shape[-1]
        return float(max(24, 6 * k))

    def row_height(self) -> float:
        return max(self._thumb(), QFontMetricsF(self._font).lineSpacing()) + ROW_GAP

    def row_width(self) -> float:
        metrics = QFontMetricsF(self._font)
        label = metrics.horizontalAdvance("pool3 map 88") if self._is_deep() else metrics.horizontalAdvance("the digit")
        return label + 10 + 2 * self._thumb() + 22 + 2 * metrics.horizontalAdvance(SUM_TEXT) + 24

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
        return QRectF(column * column_width, row * self.row_height(), column_width - 4, self.row_height())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if self.explanation is None:
            return 0
        count = self.explanation.windows.shape[0]
        return int(-(-count // self._columns(width)) * self.row_height()) + 2

    def sizeHint(self) -> QSize:
        return QSize(int(self.row_width()), self.heightForWidth(int(self.row_width())))

    def minimumSizeHint(self) -> QSize:
        return QSize(int(self.row_width()), int(self.row_height()))

    def channel_at(self, position: QPointF) -> int | None:
        if self.explanation is None:
            return None
        for c in range(self.explanation.windows.shape[0]):
            if self.row_rect(c).contains(position):
                return c
        return None

    def _thumb_rects(self, row: QRectF) -> tuple[QRectF, QRectF]:
        metrics = QFontMetricsF(self._font)
        label = metrics.horizontalAdvance("pool3 map 88" if self._is_deep() else "the digit") + 10
        side, top = self._thumb(), row.top() + ROW_GAP / 2
        first = QRectF(row.left() + label, top, side, side)
        return first, QRectF(first.right() + 22, top, side, side)

    # --- painting ---------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        e = self.explanation
        if e is None:
            return
        painter = QPainter(self)
        painter.setFont(self._font)
        ink = self.palette().color(self.foregroundRole())
        faint = QColor(ink)
        faint.setAlpha(110)
        metrics = QFontMetricsF(self._font)
        added = min(self.current + 1, e.channel_sums.size)
        texts = self.row_texts()
        for c, (window, weights) in enumerate(self._images):
            row = self.row_rect(c)
            if c == self.current:
                painter.fillRect(row, QColor(TERM_BACKGROUND))
            pending = c >= added
            painter.setOpacity(0.45 if pending else 1.0)
            middle = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            painter.setPen(ink)
            name, sums, running = texts[c]
            painter.drawText(QRectF(row.left() + 4, row.top(), row.width(), row.height()), middle, name)
            first, second = self._thumb_rects(row)
            for rect, image in ((first, window), (second, weights)):
                painter.drawImage(rect, image)
                painter.setPen(QPen(QColor(90, 90, 90), 1))
                painter.drawRect(rect)
            painter.setPen(ink)
            painter.drawText(QRectF(first.right(), row.top(), 22, row.height()), Qt.AlignmentFlag.AlignCenter, "×")
            x = second.right() + 8
            painter.drawText(QRectF(x, row.top(), row.width(), row.height()), middle, sums)
            if running:
                x += metrics.horizontalAdvance(SUM_TEXT) + 12
                painter.setPen(faint)
                painter.drawText(QRectF(x, row.top(), row.right() - x, row.height()), middle, running)
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
