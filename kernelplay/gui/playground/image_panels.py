"""The input and output images side by side, at one shared zoom, with the kernel's window outlined.

Both views share one scene geometry: scene coordinates are the *input's* pixel coordinates, and a
"valid" output, smaller by a ring of k//2 pixels, sits inside that ring (hatched), under the input
pixels it belongs to. The wheel zooms both views about the pixel under the cursor.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QBrush,
    QColor,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kernelplay.gui.qt_arrays import qimage_view, qpixmap_view
from kernelplay.gui.theme import ink

ZOOM_STEP = 1.25
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
INPUT_HELP = "wheel: zoom · drag: pan · click: pin"
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
        self._pixmap_item.setPixmap(QPixmap.fromImage(qimage_view(pixels)) if small else qpixmap_view(pixels))
        self._pixels = pixels  # only now: the pixmap it replaces drew from the previous array
        self._pixmap_item.setPos(offset, offset)
        self._update_ring()

    def shown_pixels(self) -> np.ndarray | None:
        """The array the view shows (itself, not a copy), or None before any."""
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
        if rows and cols and inner.width() < cols:
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


class ImagePair(QWidget):
    """Input and output views side by side, sharing zoom and scroll position (both in the
    input's pixel coordinates)."""

    pixel_hovered = Signal(int, int)  # input coordinates; (-1, -1) outside
    pixel_clicked = Signal(int, int)
    arrow_pressed = Signal(int, int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input_view = ImageView()
        self.output_view = ImageView()
        self.input_title = QLabel()
        self.output_title = QLabel()
        self._output_note = ""  # what a "valid" output lacks, after its title
        self._shape: tuple[int, int] = (0, 0)
        self._pin: tuple[int, int] | None = None
        self._keep_fitted = True  # follow the window's size until the user zooms
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for title, view in ((self.input_title, self.input_view), (self.output_title, self.output_view)):
            column = QVBoxLayout()
            title.setTextFormat(Qt.TextFormat.RichText)
            title.setMinimumWidth(10)  # a long title is cut, it does not widen the window
            column.addWidget(title)
            column.addWidget(view, 1)
            row.addLayout(column, 1)
        for source, target in ((self.input_view, self.output_view), (self.output_view, self.input_view)):
            source.horizontalScrollBar().valueChanged.connect(target.horizontalScrollBar().setValue)
            source.verticalScrollBar().valueChanged.connect(target.verticalScrollBar().setValue)
        for view in (self.input_view, self.output_view):
            view.pixel_hovered.connect(self.pixel_hovered)
            view.clicked.connect(self._on_view_clicked)
            view.wheel_turned.connect(self._on_wheel_turned)
            view.arrow_pressed.connect(self.arrow_pressed)
        self._show_titles()

    def _show_titles(self) -> None:
        """Each title in bold, what it adds in the palette's muted grey (a fixed #777 read at 3.9:1)."""
        muted = ink("muted", self.palette().color(QPalette.ColorRole.Window)).name()
        for label, title, note in ((self.input_title, "Input", INPUT_HELP), (self.output_title, "Output", self._output_note)):
            label.setText(f"<b>{title}</b>" + (f" &nbsp;<span style='color:{muted}'>{note}</span>" if note else ""))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._show_titles()

    def views(self) -> tuple[ImageView, ImageView]:
        return self.input_view, self.output_view

    # -- content ---------------------------------------------------------------------------
    def set_input(self, pixels: np.ndarray) -> None:
        self._shape = pixels.shape[:2]
        self.input_view.set_pixels(pixels)
        self._update_scenes()

    def set_output(self, pixels: np.ndarray, offset: int = 0) -> None:
        """Show the output; ``offset`` is how far a "valid" output is inset from the input's corner."""
        self.output_view.set_pixels(pixels, offset)
        rows, cols = pixels.shape[:2]
        self._output_note = f"{cols}×{rows}: Valid crops a {offset}-pixel ring (hatched)" if offset else ""
        self._show_titles()

    def set_pin(self, pixel: tuple[int, int] | None) -> None:
        """The pinned pixel, so that a click near it counts as a click on it."""
        self._pin = pixel

    def outline_window(self, row: int, col: int, size: int) -> None:
        """Outline on both images the window centred on input pixel (row, col)."""
        for view in self.views():
            view.outline_window(row - size // 2, col - size // 2, size)

    def outline_term(self, row: int | None, col: int | None) -> None:
        for view in self.views():
            view.outline_term(row, col)

    def clear_outlines(self) -> None:
        for view in self.views():
            view.clear_outlines()

    # -- zoom ----------------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.input_view.zoom()

    def set_zoom(self, zoom: float) -> None:
        """Zoom both views about their centre (1.0 = one screen pixel per image pixel); stops
        following the window size."""
        self._keep_fitted = False
        centre = QPointF(self.input_view.viewport().rect().center())
        self._zoom_about(self.input_view, zoom, centre)

    def zoom_on(self, row: int, col: int, zoom: float) -> None:
        """Zoom both views to ``zoom`` with input pixel (row, col) in their centre."""
        self._keep_fitted = False
        for view in self.views():
            view.scale_to(float(np.clip(zoom, MIN_ZOOM, MAX_ZOOM)))
        self._update_scenes()
        self.input_view.centerOn(QPointF(col + 0.5, row + 0.5))
        self._follow(self.input_view)

    @Slot()
    def zoom_to_fit(self) -> None:
        """Fit the image in the view, and keep it fitted as the window resizes."""
        self._keep_fitted = True
        self._fit()

    def _fit(self) -> None:
        zoom = self.input_view.fit_zoom()
        for view in self.views():
            view.scale_to(zoom)
        self._update_scenes()
        rows, cols = self._shape
        self.input_view.centerOn(QPointF(cols / 2, rows / 2))
        self._follow(self.input_view)

    def _zoom_about(self, view: ImageView, zoom: float, position: QPointF) -> None:
        """Zoom both views, keeping the scene point at ``position`` in ``view`` where it is."""
        zoom = float(np.clip(zoom, MIN_ZOOM, MAX_ZOOM))
        anchor = view.scene_point(position)
        for each in self.views():
            each.scale_to(zoom)
        self._update_scenes()
        view.keep_under(anchor, position)
        self._follow(view)

    def _update_scenes(self) -> None:
        """One scene rectangle for both views: the image, with a viewport's worth of room to
        scroll into on every side at the present zoom."""
        largest = max(max(v.viewport().width(), v.viewport().height()) for v in self.views())
        margin = largest / self.zoom()
        for view in self.views():
            view.set_scene_size(*self._shape, margin)

    def _follow(self, source: ImageView) -> None:
        """Give the other view ``source``'s scroll position (the links only pass on changes)."""
        for view in self.views():
            if view is not source:
                view.horizontalScrollBar().setValue(source.horizontalScrollBar().value())
                view.verticalScrollBar().setValue(source.verticalScrollBar().value())

    @Slot(float, QPointF)
    def _on_wheel_turned(self, notches: float, position: QPointF) -> None:
        self._keep_fitted = False
        view = self.sender()
        self._zoom_about(view, view.zoom() * ZOOM_STEP**notches, position)

    @Slot(QPointF)
    def _on_view_clicked(self, position: QPointF) -> None:
        view = self.sender()
        pixel = self._pin if self._pin is not None and view.is_near(self._pin, position) else view.pixel_at(position)
        if pixel is not None:
            self.pixel_clicked.emit(*pixel)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._keep_fitted:
            QTimer.singleShot(0, self._fit)  # once the layout has resized the views
        else:
            centre = self.input_view.scene_point(QPointF(self.input_view.viewport().rect().center()))
            QTimer.singleShot(0, lambda: self._recentre(centre))

    def _recentre(self, centre: QPointF) -> None:
        """After a resize, with the room to scroll into sized for the new views: the same centre."""
        self._update_scenes()
        self.input_view.centerOn(centre)
        self._follow(self.input_view)
