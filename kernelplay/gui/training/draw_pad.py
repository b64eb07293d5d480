"""A pad to draw a digit with the mouse; it hands out the digit centred and scaled like MNIST."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from kernelplay.nn.digits import center_digit
from kernelplay.gui.qt_arrays import qimage_to_array

__all__ = ["DrawPad"]

_CANVAS = 280  # drawing resolution: 10× MNIST's 28, so strokes are smooth before the downscale
_PEN_WIDTH = 22.0  # in canvas pixels: after the scale to a 20-px box, strokes are ~2 px like MNIST's


class DrawPad(QWidget):
    """White ink on black. ``digit_drawn`` is emitted while drawing and when a stroke ends with the
    28×28 float image (in [0, 1]) the network should see; ``cleared`` when the pad is wiped
    (right click, or :meth:`clear`)."""

    digit_drawn = Signal(object)
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(120, 120)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("Draw a digit")
        self.setToolTip("Draw a digit with the mouse; the network reads it live, scaled into a 20×20 box and "
                        "centred like the MNIST digits it learns from. Right-click to clear.")
        self._canvas = QImage(_CANVAS, _CANVAS, QImage.Format.Format_Grayscale8)
        self._canvas.fill(0)
        self._last: QPointF | None = None
        self._inked = False

    def sizeHint(self) -> QSize:
        return QSize(168, 168)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    # --- what it holds ------------------------------------------------------------------------------

    def is_empty(self) -> bool:
        return not self._inked

    def canvas(self) -> np.ndarray:
        """The raw drawing, uint8 ``(280, 280)``."""
        return qimage_to_array(self._canvas)

    def digit(self) -> np.ndarray | None:
        """The drawing as the network sees it (float32 ``(28, 28)``), or None when the pad is empty."""
        return None if self.is_empty() else center_digit(self.canvas())

    def clear(self) -> None:
        self._canvas.fill(0)
        self._inked = False
        self.update()
        self.cleared.emit()

    # --- drawing ------------------------------------------------------------------------------------

    def _pad_rect(self) -> QRectF:
        side = min(self.width(), self.height()) - 2
        return QRectF((self.width() - side) / 2, 1, side, side)  # at the top, under its header

    def _to_canvas(self, pos: QPointF) -> QPointF:
        rect = self._pad_rect()
        scale = _CANVAS / rect.width()
        return QPointF((pos.x() - rect.left()) * scale, (pos.y() - rect.top()) * scale)

    def _stroke(self, to: QPointF) -> None:
        painter = QPainter(self._canvas)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255), _PEN_WIDTH, Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        if self._last is None:
            painter.drawPoint(to)
        else:
            painter.drawLine(self._last, to)
        painter.end()
        self._last = to
        self._inked = True
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self.clear()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = None
            self._stroke(self._to_canvas(event.position()))
            self.digit_drawn.emit(self.digit())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self._last is not None:
            self._stroke(self._to_canvas(event.position()))
            self.digit_drawn.emit(self.digit())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._last is not None:
            self._stroke(self._to_canvas(event.position()))
            self._last = None
            self.digit_drawn.emit(self.digit())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        rect = self._pad_rect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(rect, self._canvas)
        # a faint 28×28 grid: the resolution the network will see
        painter.setPen(QPen(QColor(255, 255, 255, 28), 1))
        step = rect.width() / 28
        for i in range(1, 28):
            painter.drawLine(QPointF(rect.left() + i * step, rect.top()), QPointF(rect.left() + i * step, rect.bottom()))
            painter.drawLine(QPointF(rect.left(), rect.top() + i * step), QPointF(rect.right(), rect.top() + i * step))
        painter.setPen(QPen(QColor("#7a7a7a"), 1))
        painter.drawRect(rect)
        if self.is_empty():
            painter.setPen(QColor("#9a9a9a"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "draw a digit here")
        painter.end()
