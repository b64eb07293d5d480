"""The input and output images side by side, at one shared zoom, with the kernel's window outlined."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPen, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kernelplay.gui.qt_arrays import array_to_qpixmap

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 1 / 32, 64.0
WINDOW_COLOUR = QColor(255, 200, 0)  # the kernel's window, here and on the sliding window's grid
_TERM_PEN = QColor(0, 200, 255)
_ARROW_STEPS = {
    Qt.Key.Key_Up: (-1, 0),
    Qt.Key.Key_Down: (1, 0),
    Qt.Key.Key_Left: (0, -1),
    Qt.Key.Key_Right: (0, 1),
}


class ImageView(QGraphicsView):
    """One image drawn pixel-exact: wheel zooms about the cursor, dragging pans.

    Pixel (row, col) covers the scene rectangle [col, col+1) × [row, row+1), so scene
    coordinates are image coordinates. Zoomed in, pixels stay crisp squares (no smoothing).
    """

    pixel_hovered = Signal(int, int)  # row, col under the mouse; (-1, -1) when it leaves the image
    pixel_clicked = Signal(int, int)
    zoom_changed = Signal(float)
    zoomed_by_user = Signal()
    arrow_pressed = Signal(int, int, bool)  # row step, column step, Shift held

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QBrush(QColor(48, 48, 52)))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self._pixmap_item = QGraphicsPixmapItem()
        self._pixmap_item.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self.scene().addItem(self._pixmap_item)
        self._window_outline = self._add_outline(WINDOW_COLOUR, z=1)
        self._term_outline = self._add_outline(_TERM_PEN, z=2)
        self._image_shape: tuple[int, int] = (0, 0)
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
    def set_pixels(self, pixels: np.ndarray) -> None:
        """Show uint8 pixels, (H, W) or (H, W, 3), keeping the zoom and position."""
        self.set_pixmap(array_to_qpixmap(pixels))

    def set_pixmap(self, pixmap: QPixmap) -> None:
        self._pixmap_item.setPixmap(pixmap)
        self._image_shape = (pixmap.height(), pixmap.width())
        self.scene().setSceneRect(QRectF(0, 0, pixmap.width(), pixmap.height()))

    def set_offset(self, rows: int, cols: int) -> None:
        """Place the image ``rows``/``cols`` pixels in (a "valid" output sits inside its input)."""
        self._pixmap_item.setPos(cols, rows)

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

    # -- zoom --------------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, zoom: float) -> None:
        zoom = float(np.clip(zoom, MIN_ZOOM, MAX_ZOOM))
        if abs(zoom - self.zoom()) > 1e-9:
            factor = zoom / self.zoom()
            self.scale(factor, factor)
            self.zoom_changed.emit(zoom)

    def fit_zoom(self) -> float:
        """The zoom at which the whole image fits the view."""
        height, width = self._image_shape
        if not height or not width:
            return 1.0
        viewport = self.viewport().size()
        return max(MIN_ZOOM, min(viewport.width() / width, viewport.height() / height) * 0.98)

    def centre_image(self) -> None:
        height, width = self._image_shape
        self.centerOn(QPointF(width / 2, height / 2))

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.set_zoom(self.zoom() * ZOOM_STEP**steps)
            self.zoomed_by_user.emit()
        event.accept()

    # -- mouse -------------------------------------------------------------------------------
    def _pixel_at(self, position: QPointF) -> tuple[int, int] | None:
        scene_point = self._pixmap_item.mapFromScene(self.mapToScene(position.toPoint()))
        row, col = int(np.floor(scene_point.y())), int(np.floor(scene_point.x()))
        height, width = self._image_shape
        return (row, col) if 0 <= row < height and 0 <= col < width else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        pixel = self._pixel_at(event.position())
        self.pixel_hovered.emit(*(pixel or (-1, -1)))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press_position = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        pressed, self._press_position = self._press_position, None
        moved = pressed is not None and (event.position() - pressed).manhattanLength() > 4
        if event.button() == Qt.MouseButton.LeftButton and not moved:
            pixel = self._pixel_at(event.position())
            if pixel is not None:
                self.pixel_clicked.emit(*pixel)

    def keyPressEvent(self, event) -> None:
        steps = _ARROW_STEPS.get(event.key())
        if steps is None:
            super().keyPressEvent(event)
            return
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.arrow_pressed.emit(*steps, shift)  # arrows move the pinned window, not the scroll bars
        event.accept()

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        self.pixel_hovered.emit(-1, -1)


class ImagePair(QWidget):
    """Input and output views side by side, sharing zoom and scroll position."""

    pixel_hovered = Signal(int, int)  # input coordinates; (-1, -1) outside
    pixel_clicked = Signal(int, int)
    arrow_pressed = Signal(int, int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input_view = ImageView()
        self.output_view = ImageView()
        self.input_title = QLabel("Input")
        self.output_title = QLabel("Output")
        self.input_view.setToolTip("The image going in. Wheel: zoom · drag: pan · click: pin a pixel.")
        self.output_view.setToolTip(
            "Each output pixel is the sum of the input window × kernel weights. Wheel: zoom · drag: pan."
        )
        self._output_offset = 0
        self._keep_fitted = True  # follow the window's size until the user zooms
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for title, view in ((self.input_title, self.input_view), (self.output_title, self.output_view)):
            column = QVBoxLayout()
            title.setStyleSheet("font-weight: 600;")
            column.addWidget(title)
            column.addWidget(view, 1)
            row.addLayout(column, 1)
        self._link(self.input_view, self.output_view)
        self._link(self.output_view, self.input_view)
        for view in (self.input_view, self.output_view):
            view.pixel_hovered.connect(self._on_view_hovered)
            view.pixel_clicked.connect(self._on_view_clicked)
            view.zoomed_by_user.connect(self._on_zoomed_by_user)
            view.arrow_pressed.connect(self.arrow_pressed)

    def _link(self, source: ImageView, target: ImageView) -> None:
        source.zoom_changed.connect(target.set_zoom)
        source.horizontalScrollBar().valueChanged.connect(target.horizontalScrollBar().setValue)
        source.verticalScrollBar().valueChanged.connect(target.verticalScrollBar().setValue)

    def _to_input(self, view: ImageView, row: int, col: int) -> tuple[int, int]:
        if view is self.output_view and row >= 0:
            return row + self._output_offset, col + self._output_offset
        return row, col

    @Slot(int, int)
    def _on_view_hovered(self, row: int, col: int) -> None:
        self.pixel_hovered.emit(*self._to_input(self.sender(), row, col))

    @Slot(int, int)
    def _on_view_clicked(self, row: int, col: int) -> None:
        self.pixel_clicked.emit(*self._to_input(self.sender(), row, col))

    def set_input(self, pixels: np.ndarray) -> None:
        self.input_view.set_pixels(pixels)

    def set_output(self, pixels: np.ndarray, offset: int = 0) -> None:
        """Show the output; ``offset`` is how far a "valid" output is inset from the input's corner."""
        self._output_offset = offset
        self.output_view.set_pixels(pixels)
        self.output_view.set_offset(offset, offset)
        # A new scene size may have clamped the scroll bars: line the output up with the input again.
        self.output_view.horizontalScrollBar().setValue(self.input_view.horizontalScrollBar().value())
        self.output_view.verticalScrollBar().setValue(self.input_view.verticalScrollBar().value())

    def outline_window(self, row: int, col: int, size: int) -> None:
        """Outline on both images the window centred on input pixel (row, col)."""
        for view in (self.input_view, self.output_view):
            view.outline_window(row - size // 2, col - size // 2, size)

    def outline_term(self, row: int | None, col: int | None) -> None:
        for view in (self.input_view, self.output_view):
            view.outline_term(row, col)

    def clear_outlines(self) -> None:
        for view in (self.input_view, self.output_view):
            view.clear_outlines()

    def zoom(self) -> float:
        return self.input_view.zoom()

    def set_zoom(self, zoom: float) -> None:
        """Zoom both views (1.0 = one screen pixel per image pixel); stops following the window size."""
        self._keep_fitted = False
        self.input_view.set_zoom(zoom)

    @Slot()
    def zoom_to_fit(self) -> None:
        """Fit the image in the view, and keep it fitted as the window resizes."""
        self._keep_fitted = True
        self._fit()

    def _fit(self) -> None:
        self.input_view.set_zoom(self.input_view.fit_zoom())
        self.input_view.centre_image()
        self.output_view.centre_image()

    @Slot()
    def _on_zoomed_by_user(self) -> None:
        self._keep_fitted = False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._keep_fitted:
            QTimer.singleShot(0, self._fit)  # after the layout has resized the views
