"""One image of the playground drawn pixel-exact in a graphics view, with the kernel's window
outlined on it (:class:`~kernelplay.gui.playground.image_panels.ImagePair` puts two side by side).

Scene coordinates are the *input's* pixel coordinates; a "valid" output, smaller by a ring of k//2
pixels, sits inside that ring (hatched), under the input pixels it belongs to.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPen, QPixmap, QTransform, QWheelEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from kernelplay.gui.qt_arrays import qimage_view, qpixmap_view

MIN_ZOOM, MAX_ZOOM = 1 / 32, 64.0
CLICK_SLOP = 4  # screen px: a click this close to the pinned pixel is a click on it
WINDOW_COLOUR = QColor(255, 200, 0)  # the kernel's window, here and on the sliding window's grid
_TERM_PEN = QColor(0, 200, 255)
_RING_COLOUR = QColor(150, 150, 160)  # the hatching where a "valid" output has no pixels
_ARROW_STEPS = {
    Qt.Key.Key_Up: (-1, 0),
    Qt.Key.Key_Down: (1, 0),
    Qt.Key.Key_Left: (0, -1),
    Qt.Key.Key_Right: (0, 1),
}
# Up to this many pixels a view draws from a copy in Qt's 32-bit format (16 MiB at most), which it
# scales ~3× faster than RGB: both views repainted at 1920×1080 take 0.12 ms, not 0.40; making the
# copy takes 0.3 ms. A larger image is drawn from its own array: a copy would cost 4 bytes a pixel,
# 191 MiB at 50 MP, and making it 18 ms at 4000×3000 already (fresh memory).
DISPLAY_COPY_PIXELS = 4_000_000


class ImageView(QGraphicsView):
    """One image drawn pixel-exact: dragging pans; the wheel and clicks are reported, with the
    viewport position, for :class:`ImagePair` to act on both views.

    Scene pixel (row, col) covers [col, col+1) × [row, row+1). The scrollable area reaches a
    viewport beyond the image on every side (see :meth:`set_scene_size`), so any pixel can be
    kept under the cursor while zooming; the scroll bars are hidden.
    """

    pixel_hovered = Signal(int, int)  # scene row, col under the mouse; (-1, -1) off the image
    clicked = Signal(QPointF)  # a click that was not a drag, at this viewport position
    wheel_turned = Signal(float, QPointF)  # notches (positive: zoom in), viewport position
    arrow_pressed = Signal(int, int, bool)  # row step, column step, Shift held

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setBackgroundBrush(QBrush(QColor(48, 48, 52)))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self._pixels: np.ndarray | None = None  # what the pixmap item draws: its memory, not a copy
        self._pixmap_item = QGraphicsPixmapItem()
        self._pixmap_item.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self.scene().addItem(self._pixmap_item)
        self._in_sight_item = QGraphicsPixmapItem()  # over a stand-in: what was in sight, as it was drawn
        self.scene().addItem(self._in_sight_item)
        self._ring = QGraphicsPathItem()
        self._ring.setPen(QPen(Qt.PenStyle.NoPen))
        self._ring.setBrush(QBrush(_RING_COLOUR, Qt.BrushStyle.BDiagPattern))
        self.scene().addItem(self._ring)
        self._window_outline = self._add_outline(WINDOW_COLOUR, z=1)
        self._term_outline = self._add_outline(_TERM_PEN, z=2)
        self._image_shape: tuple[int, int] = (0, 0)  # of the scene: the input's (rows, columns)
        self._press_position: QPointF | None = None

    def _add_outline(self, colour: QColor, z: int) -> QGraphicsRectItem:
        pen = QPen(colour, 2)
        pen.setCosmetic(True)  # constant width on screen whatever the zoom
        item = QGraphicsRectItem()
        item.setPen(pen)
        item.setZValue(z)
        item.setVisible(False)
        self.scene().addItem(item)
        return item

    # -- content ---------------------------------------------------------------------------
    def set_pixels(self, pixels: np.ndarray, offset: int = 0) -> None:
        """Show uint8 pixels, (H, W) or (H, W, 3), ``offset`` pixels in from the scene's corner;
        the ring around them, up to the scene's edge, is hatched.

        Beyond :data:`DISPLAY_COPY_PIXELS` the view draws from ``pixels`` themselves, not a copy
        (C-contiguous uint8 is kept as it is), so they must not change while shown."""
        pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
        small = pixels.shape[0] * pixels.shape[1] <= DISPLAY_COPY_PIXELS
        self._pixmap_item.setPixmap(_converted(pixels) if small else qpixmap_view(pixels))
        self._pixels = pixels  # only now: the pixmap it replaces drew from the previous array
        self._pixmap_item.setTransform(QTransform())
        self._pixmap_item.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self._pixmap_item.setPos(offset, offset)
        self._in_sight_item.setPixmap(QPixmap())
        self._update_ring()

    def let_go_of_pixels(self) -> bool:
        """Beyond :data:`DISPLAY_COPY_PIXELS`, draw a stand-in for the pixels shown and hold them
        no more, so that the next ones can be made without both in memory; returns whether it did.

        The stand-in is the view as it was drawn, screen pixel for screen pixel, over a sample of
        the whole image as fine as the view shows it fitted (for zooming and panning): each is
        about the view's size. Until the view is zoomed or panned nothing on screen changes.
        """
        pixels = self._pixels
        if pixels is None or pixels.shape[0] * pixels.shape[1] <= DISPLAY_COPY_PIXELS:
            return False
        self._in_sight_item.setPixmap(self._drawn_in_sight())
        self._in_sight_item.setTransform(QTransform.fromScale(1 / self.zoom(), 1 / self.zoom()))
        self._in_sight_item.setPos(self.scene_point(QPointF(0, 0)))
        height, width = pixels.shape[:2]
        step = max(1, math.floor(1 / (self.fit_zoom() * self.devicePixelRatioF())))  # pixels a screen pixel spans
        whole = _converted(pixels[step // 2 :: step, step // 2 :: step])
        self._pixmap_item.setPixmap(whole)
        self._pixmap_item.setTransform(QTransform.fromScale(width / whole.width(), height / whole.height()))
        self._pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)  # blurred, not blocks
        self._pixels = None
        return True

    def _drawn_in_sight(self) -> QPixmap:
        """The pixels as the view draws them now, at the screen's resolution, transparent around them."""
        ratio = self.devicePixelRatioF()
        size = self.viewport().size()
        drawn = QImage(round(size.width() * ratio), round(size.height() * ratio), QImage.Format.Format_ARGB32_Premultiplied)
        if drawn.isNull():  # a view of no size
            return QPixmap()
        drawn.setDevicePixelRatio(ratio)
        drawn.fill(Qt.GlobalColor.transparent)
        painter = QPainter(drawn)
        painter.setTransform(self._pixmap_item.deviceTransform(self.viewportTransform()))
        painter.drawPixmap(0, 0, self._pixmap_item.pixmap())  # as QGraphicsPixmapItem paints, unsmoothed
        painter.end()
        return QPixmap.fromImage(drawn)

    def shown_pixels(self) -> np.ndarray | None:
        """The array the view shows (itself, not a copy), or None before any or once let go of."""
        return self._pixels

    def set_scene_size(self, rows: int, cols: int, margin: float) -> None:
        """Make the scene the ``rows``×``cols`` image plus ``margin`` scene units to scroll into
        on every side."""
        self._image_shape = (rows, cols)
        self.setSceneRect(QRectF(-margin, -margin, cols + 2 * margin, rows + 2 * margin))
        self._update_ring()

    def _update_ring(self) -> None:
        rows, cols = self._image_shape
        inner = self._pixmap_item.sceneBoundingRect()
        path = QPainterPath()
        if rows and cols and round(inner.width()) < cols:  # a stand-in's width is scaled: 9999.99…
            path.addRect(QRectF(0, 0, cols, rows))
            path.addRect(inner)  # the odd-even fill leaves the pixels themselves clear
        self._ring.setPath(path)

    def outline_window(self, top: int, left: int, size: int) -> None:
        """Outline the kernel's ``size``×``size`` window whose top-left pixel is (top, left)."""
        self._window_outline.setRect(QRectF(left, top, size, size))
        self._window_outline.setVisible(True)

    def outline_term(self, row: int | None, col: int | None) -> None:
        """Outline the single pixel of the current term, or hide it (None)."""
        self._term_outline.setVisible(row is not None)
        if row is not None:
            self._term_outline.setRect(QRectF(col, row, 1, 1))

    def clear_outlines(self) -> None:
        self._window_outline.setVisible(False)
        self._term_outline.setVisible(False)

    # -- geometry ----------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def scale_to(self, zoom: float) -> None:
        self.setTransform(QTransform.fromScale(zoom, zoom))

    def fit_zoom(self) -> float:
        """The zoom at which the whole image fits the view."""
        rows, cols = self._image_shape
        if not rows or not cols:
            return 1.0
        viewport = self.viewport().size()
        return max(MIN_ZOOM, min(viewport.width() / cols, viewport.height() / rows) * 0.98)

    def scene_point(self, position: QPointF) -> QPointF:
        """The scene point at viewport ``position`` (exact, not rounded to a screen pixel)."""
        return self.viewportTransform().inverted()[0].map(position)

    def keep_under(self, scene_point: QPointF, position: QPointF) -> None:
        """Scroll so that ``scene_point`` is at viewport ``position``."""
        drift = self.viewportTransform().map(scene_point) - position
        for bar, step in ((self.horizontalScrollBar(), drift.x()), (self.verticalScrollBar(), drift.y())):
            bar.setValue(bar.value() + round(step))

    def pixel_at(self, position: QPointF) -> tuple[int, int] | None:
        """The image pixel (row, col) at viewport ``position``, or None off the image."""
        point = self.scene_point(position)
        row, col = int(np.floor(point.y())), int(np.floor(point.x()))
        rows, cols = self._image_shape
        return (row, col) if 0 <= row < rows and 0 <= col < cols else None

    def is_near(self, pixel: tuple[int, int], position: QPointF, slop: float = CLICK_SLOP) -> bool:
        """Whether viewport ``position`` is on ``pixel``'s square on screen or within ``slop``
        screen pixels of it (a pixel far zoomed out is smaller than a hand's aim)."""
        row, col = pixel
        square = self.viewportTransform().mapRect(QRectF(col, row, 1, 1))
        return square.adjusted(-slop, -slop, slop, slop).contains(position)

    # -- mouse and keys ------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / 120
        if notches:
            self.wheel_turned.emit(notches, event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        self.pixel_hovered.emit(*(self.pixel_at(event.position()) or (-1, -1)))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press_position = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        pressed, self._press_position = self._press_position, None
        moved = pressed is not None and (event.position() - pressed).manhattanLength() > 4
        if event.button() == Qt.MouseButton.LeftButton and not moved:
            self.clicked.emit(event.position())

    def keyPressEvent(self, event) -> None:
        steps = _ARROW_STEPS.get(event.key())
        if steps is None:
            super().keyPressEvent(event)
            return
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.arrow_pressed.emit(*steps, shift)  # arrows move the pinned window, not the view
        event.accept()

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        self.pixel_hovered.emit(-1, -1)


def _converted(pixels: np.ndarray) -> QPixmap:
    """A pixmap of uint8 pixels converted to Qt's 32-bit format: a copy, which Qt scales fastest."""
    return QPixmap.fromImage(qimage_view(np.ascontiguousarray(pixels)))
