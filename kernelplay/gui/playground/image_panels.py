"""The input and output images side by side, at one shared zoom, with the kernel's window outlined.

Both views share one scene geometry: scene coordinates are the *input's* pixel coordinates, and a
"valid" output, smaller by a ring of k//2 pixels, sits inside that ring (hatched), under the input
pixels it belongs to. The wheel zooms both views about the pixel under the cursor.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kernelplay.gui.playground.image_view import MAX_ZOOM, MIN_ZOOM, ImageView
from kernelplay.gui.theme import ink

ZOOM_STEP = 1.25
INPUT_HELP = "wheel: zoom · drag: pan · click: pin"


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
