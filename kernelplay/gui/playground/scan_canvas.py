"""The sliding window drawn: the padded input with the window on it, the output filling in beside it.

:class:`ScanCanvas` only paints what :class:`~kernelplay.gui.playground.scan_view.ScanView` hands it
and reports clicks on cells; the scan itself is :class:`~kernelplay.imaging.scan_state.ScanState`.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from kernelplay.gui.playground.image_view import WINDOW_COLOUR
from kernelplay.gui.qt_arrays import array_to_qimage
from kernelplay.gui.text_scale import px, text_scale
from kernelplay.gui.theme import is_dark
from kernelplay.imaging.scan import padded_plane, padding_for

RING_FADE = 0.45  # how much of the padding ring's own value shows through the background


class ScanCanvas(QWidget):
    """The padded input with the window on it, and the output beside it, drawn as cell grids."""

    cell_clicked = Signal(str, int, int)  # "input" or "output", row, col (input: image coordinates)

    GAP_CELLS = 3  # space between input and output, in cells
    CAPTION = 24  # px for the 12 px design font; these sizes grow with the text (presentation mode)
    MAX_CELL = 26.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(420, 220)  # its cells shrink with the room; only its captions follow the text
        self._input_image = None  # QImage of the padded plane, ring faded
        self._output_image = None
        self._padding = 0
        self._image_shape = (0, 0)
        self._output_shape = (0, 0)
        self._k = 3
        self._window: tuple[int, int] | None = None  # centre (row, col) in image coordinates
        self._window_is_next = False  # drawn dashed: the window about to be placed
        self._output_cell: tuple[int, int] | None = None
        self._captions = ("", "")

    def sizeHint(self) -> QSize:
        return QSize(px(900, self), px(420, self))

    def set_input(self, plane: np.ndarray, border: str, k: int, caption: str) -> None:
        """Show the (H, W) ``plane`` with the padding ring ``border`` adds for a k×k kernel, faded."""
        values, ring = padded_plane(plane, k, border)
        grey = np.clip(np.rint(values), 0, 255)
        faded = np.where(ring, grey * RING_FADE + 235 * (1 - RING_FADE), grey).astype(np.uint8)
        self._input_image = array_to_qimage(np.repeat(faded[..., None], 3, axis=2))
        self._padding, self._image_shape, self._k = padding_for(border, k), plane.shape, k
        self._captions = (caption, self._captions[1])
        self.update()

    def set_output(self, output: np.ndarray, caption: str) -> None:
        """Show the int16 output: 0..255 where the window has been, transparent where it has not (< 0)."""
        filled = output >= 0
        rgba = np.zeros(output.shape + (4,), dtype=np.uint8)
        rgba[filled, :3] = output[filled, None].astype(np.uint8)
        rgba[filled, 3] = 255
        self._output_image = array_to_qimage(rgba)
        self._output_shape = output.shape
        self._captions = (self._captions[0], caption)
        self.update()

    def set_window(self, centre: tuple[int, int] | None, output_cell: tuple[int, int] | None, is_next: bool) -> None:
        self._window, self._output_cell, self._window_is_next = centre, output_cell, is_next
        self.update()

    # -- geometry ---------------------------------------------------------------------------
    def _geometry(self) -> tuple[float, QPointF, QPointF]:
        """Cell size and the top-left corners of the padded input and of the output."""
        in_rows = self._image_shape[0] + 2 * self._padding
        in_cols = self._image_shape[1] + 2 * self._padding
        out_rows, out_cols = self._output_shape
        cols = in_cols + self.GAP_CELLS + max(out_cols, 1)
        rows = max(in_rows, out_rows, 1)
        scale, caption = text_scale(self), px(self.CAPTION, self)
        cell = min(self.MAX_CELL * scale, (self.width() - 16) / cols, (self.height() - caption - 8) / rows)
        cell = max(1.0, cell)
        left = (self.width() - cols * cell) / 2
        top = caption + max(0.0, (self.height() - caption - rows * cell) / 2)
        input_corner = QPointF(left, top + (rows - in_rows) * cell / 2)
        output_corner = QPointF(left + (in_cols + self.GAP_CELLS) * cell, top + (rows - out_rows) * cell / 2)
        return cell, input_corner, output_corner

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        if self._input_image is None:
            return
        painter = QPainter(self)
        cell, in_corner, out_corner = self._geometry()
        p, (height, width) = self._padding, self._image_shape
        in_rect = QRectF(in_corner.x(), in_corner.y(), (width + 2 * p) * cell, (height + 2 * p) * cell)
        painter.drawImage(in_rect, self._input_image)  # nearest-neighbour: no smooth transform set
        self._paint_grid(painter, in_rect, height + 2 * p, width + 2 * p, cell)
        image_rect = QRectF(in_corner.x() + p * cell, in_corner.y() + p * cell, width * cell, height * cell)
        if p:
            ring = QPainterPath()
            ring.addRect(in_rect)
            ring.addRect(image_rect)  # odd-even fill: only the ring
            painter.fillPath(ring, QBrush(QColor(0, 0, 0, 45), Qt.BrushStyle.BDiagPattern))
            painter.setPen(QPen(QColor(230, 120, 0), 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(in_rect)
        frame = QPen(self.palette().color(QPalette.ColorRole.WindowText), 2)  # the image's edge, light or dark
        painter.setPen(frame)
        painter.drawRect(image_rect)

        out_rows, out_cols = self._output_shape
        out_rect = QRectF(out_corner.x(), out_corner.y(), out_cols * cell, out_rows * cell)
        if self._output_image is not None and out_rows and out_cols:
            # Cells the window has not reached are transparent over a light hatch: never mistaken
            # for white pixels.
            dark = is_dark(self)
            painter.fillRect(out_rect, self.palette().color(QPalette.ColorRole.Base) if dark else QColor(246, 246, 246))
            painter.fillRect(out_rect, QBrush(QColor(90, 90, 96) if dark else QColor(200, 200, 200),
                                              Qt.BrushStyle.BDiagPattern))
            painter.drawImage(out_rect, self._output_image)
            self._paint_grid(painter, out_rect, out_rows, out_cols, cell)
            painter.setPen(frame)
            painter.drawRect(out_rect)

        caption = px(self.CAPTION, self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        spare = min(60.0, self.GAP_CELLS * cell / 2)  # each caption may reach half the gap, not the other's
        for rect, text in ((in_rect, self._captions[0]), (out_rect, self._captions[1])):
            room = QRectF(rect.x() - spare, rect.y() - caption, rect.width() + 2 * spare, caption - 4)
            painter.setFont(self._caption_font(text, room.width()))
            painter.drawText(room, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                             QFontMetricsF(painter.font()).elidedText(text, Qt.TextElideMode.ElideRight, room.width()))

        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._window is not None:
            row, col = self._window
            r = self._k // 2
            window_rect = QRectF(
                in_corner.x() + (col - r + p) * cell, in_corner.y() + (row - r + p) * cell, self._k * cell, self._k * cell
            )
            style = Qt.PenStyle.DashLine if self._window_is_next else Qt.PenStyle.SolidLine
            painter.setBrush(Qt.BrushStyle.NoBrush)
            if not self._window_is_next:
                shade = QColor(WINDOW_COLOUR)
                shade.setAlpha(60)
                painter.fillRect(window_rect, shade)
            painter.setPen(QPen(QColor(0, 0, 0, 160), 5))
            painter.drawRect(window_rect)
            painter.setPen(QPen(WINDOW_COLOUR, 3, style))
            painter.drawRect(window_rect)
            if self._output_cell is not None and not self._window_is_next:
                orow, ocol = self._output_cell
                target = QRectF(out_corner.x() + ocol * cell, out_corner.y() + orow * cell, cell, cell)
                link = QColor(WINDOW_COLOUR)
                link.setAlpha(150)
                painter.setPen(QPen(link, 1.5))
                painter.drawLine(window_rect.center(), target.center())
                painter.setPen(QPen(QColor(0, 0, 0, 160), 4))
                painter.drawRect(target.adjusted(-1, -1, 1, 1))
                painter.setPen(QPen(WINDOW_COLOUR, 2.5))
                painter.drawRect(target.adjusted(-1, -1, 1, 1))
        painter.end()

    def _caption_font(self, text: str, width: float) -> QFont:
        """14 px (at the design font), smaller down to 11 if the caption needs it to fit ``width``."""
        font = QFont(self.font())
        for size in range(px(14, self), px(11, self) - 1, -1):
            font.setPixelSize(size)
            if QFontMetricsF(font).horizontalAdvance(text) <= width:
                break
        return font

    @staticmethod
    def _paint_grid(painter: QPainter, rect: QRectF, rows: int, cols: int, cell: float) -> None:
        if cell < 6:  # grid lines closer than this would hide the pixels
            return
        painter.setPen(QPen(QColor(128, 128, 128, 110), 1))
        for r in range(1, rows):
            y = rect.y() + r * cell
            painter.drawLine(QPointF(rect.x(), y), QPointF(rect.right(), y))
        for c in range(1, cols):
            x = rect.x() + c * cell
            painter.drawLine(QPointF(x, rect.y()), QPointF(x, rect.bottom()))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._input_image is None:
            return
        cell, in_corner, out_corner = self._geometry()
        pos = event.position()
        out_row = int((pos.y() - out_corner.y()) // cell)
        out_col = int((pos.x() - out_corner.x()) // cell)
        if 0 <= out_row < self._output_shape[0] and 0 <= out_col < self._output_shape[1]:
            self.cell_clicked.emit("output", out_row, out_col)
            return
        row = int((pos.y() - in_corner.y()) // cell) - self._padding
        col = int((pos.x() - in_corner.x()) // cell) - self._padding
        if 0 <= row < self._image_shape[0] and 0 <= col < self._image_shape[1]:
            self.cell_clicked.emit("input", row, col)
