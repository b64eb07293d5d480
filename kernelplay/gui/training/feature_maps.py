"""The probe digit's feature maps at every stage, then the flattened vector and the FC activations."""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from kernelplay.gui.presentation import font_scale, set_plot_title
from kernelplay.gui.training.mosaic import (ACTIVATION_TABLE, GREY_TABLE, colourise, grid_shape, image_view_box,
                                            mosaic, tile_at)
from kernelplay.gui.training.network_diagram import STAGE_TIPS
from kernelplay.gui.training.page_layout import pass_scene_hints_on
from kernelplay.gui.training.tile_zoom import ZoomedTile, ZoomingLayoutWidget

__all__ = ["FeatureMaps", "FEATURE_MAP_TIP", "Mark", "stage_image"]

FEATURE_MAP_TIP = ("A feature map shows where one kernel found its pattern in the digit: bright where the "
                   "window matched the kernel strongly, dark where it did not (negative sums are cut to 0 by ReLU). "
                   "Point at a map to see it enlarged; click a pixel to see how its value is computed.")
MAX_SIDE_WITH_NUMBERS = 7  # a zoomed map this small shows its values too
_NO_LIMIT = 3.4028234663852886e38  # a grid row's maximum height when none is set (FLT_MAX)

_TIPS = {"input": STAGE_TIPS["input"], "conv": FEATURE_MAP_TIP + " One map per kernel.",
         "pool": STAGE_TIPS["pool"], "flatten": STAGE_TIPS["flatten"], "fc1": STAGE_TIPS["fc"]}


class Mark(NamedTuple):
    """A rectangle outlined on map ``channel`` of ``stage`` (rows ``top … bottom − 1``, columns
    ``left … right − 1`` of that map; for ``"fc1"`` the channel is the unit and the box is ignored)."""

    stage: str
    channel: int
    top: int
    left: int
    bottom: int
    right: int
    colour: str = "#00c8ff"


def _maps_grid(channels: int) -> tuple[int, int]:
    return (1, 1) if channels == 1 else grid_shape(channels)


def stage_image(activation: np.ndarray) -> np.ndarray:
    """One stage's activation for one digit — ``(C, H, W)`` maps or ``(F,)`` vector — as an image:
    maps tiled in a square-ish grid, a vector as a one-row band."""
    a = np.asarray(activation, dtype=np.float32)
    if a.ndim == 1:
        return a[None, :]
    if a.shape[0] == 1:
        return a[0]
    return mosaic(a, *_maps_grid(a.shape[0]))


class FeatureMaps(ZoomingLayoutWidget):
    """Input, then conv (after ReLU) and pooled maps of each stage side by side; below, the
    flattened vector and the FC layer's units as bands. Levels run from 0 to each stage's maximum.
    A click on a pixel of a conv or pool map, or on an FC unit, says which (``unit_clicked(stage,
    channel, row, col)``, row = col = 0 for FC units); :meth:`set_marks` outlines boxes on the maps."""

    unit_clicked = Signal(str, int, int, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.setAccessibleName("Feature maps of the probe digit")
        self.ci.setContentsMargins(2, 2, 2, 2)
        self.ci.setSpacing(3)
        self.images: dict[str, pg.ImageItem] = {}
        self.levels: dict[str, tuple[float, float]] = {}  # the values drawn darkest and brightest
        self.values: dict[str, np.ndarray] = {}  # what each image shows, before colouring
        self.titles: dict[str, pg.LabelItem] = {}
        self.activations: dict[str, np.ndarray] = {}  # the digit's activations as given
        self.map_names: list[str] = []  # the stages shown as maps: input, conv and pool
        self.columns = 0  # map columns per row
        self._boxes: dict[str, pg.ViewBox] = {}
        self._layout_key: tuple | None = None
        self.marks: list[Mark] = []
        self._mark_items: list[QGraphicsRectItem] = []
        pass_scene_hints_on(self)

    def _title(self, name: str, shape: tuple[int, ...]) -> str:
        # two short lines: the narrower the titles, the more columns of maps fit side by side
        if name == "input":
            return "<b>input</b><br>28×28"
        if name == "flatten":
            return f"<b>flatten</b> · {shape[0]:,}"
        if name == "fc1":
            return f"<b>FC</b> · {shape[0]} units"
        return f"<b>{name}</b><br>{shape[0]}×{shape[1]}×{shape[2]}"

    def _rebuild(self, activations: dict[str, np.ndarray]) -> None:
        self.ci.clear()
        self.images.clear()
        self.titles.clear()
        self._boxes.clear()
        self.map_names = [n for n in activations if n == "input" or n.startswith(("conv", "pool"))]
        for name in self.map_names:
            item = pg.ImageItem(axisOrder="row-major")
            box = image_view_box(item)
            kind = "input" if name == "input" else name.rstrip("0123456789")
            box.setToolTip(_TIPS[kind])
            self._add_view(name, activations[name].shape, item, box)
        for name in ("flatten", "fc1"):
            item = pg.ImageItem(axisOrder="row-major")
            box = pg.ViewBox(lockAspect=False, invertY=True, enableMouse=False, enableMenu=False)
            box.setDefaultPadding(0.0)
            box.addItem(item)
            box.setFixedHeight(16)
            box.setToolTip(_TIPS[name] + (" Click a unit to see how its value is computed." if name == "fc1" else ""))
            self._add_view(name, activations[name].shape, item, box)
        self.columns = 0
        self._place(self._columns_for(self.viewport().width()))
        self._mark_items = []  # cleared with the items they were drawn on

    def _add_view(self, name: str, shape: tuple[int, ...], item: pg.ImageItem, box: pg.ViewBox) -> None:
        title = pg.LabelItem("")
        set_plot_title(title, self._title(name, shape))
        self.images[name], self.titles[name], self._boxes[name] = item, title, box

    # --- the maps in rows where their titles do not fit one (presentation mode on a narrow screen) ---

    def _needed_width(self, columns: int) -> float:
        """The width the maps' titles need in rows of ``columns`` (the flatten and FC titles in the first)."""
        widths = [0.0] * columns
        for i, name in enumerate(self.map_names):
            widths[i % columns] = max(widths[i % columns], self.titles[name].minimumWidth())
        widths[0] = max(widths[0], self.titles["flatten"].minimumWidth(), self.titles["fc1"].minimumWidth())
        left, _, right, _ = self.ci.layout.getContentsMargins()
        return sum(widths) + self.ci.layout.horizontalSpacing() * (columns - 1) + left + right

    def _columns_for(self, width: float) -> int:
        """The most columns of maps whose titles fit ``width`` side by side (two at least), shared
        out evenly over the rows they make: 5 maps that do not fit one row go in 3 and 2."""
        count = len(self.map_names)
        fit = next((c for c in range(count, 2, -1) if self._needed_width(c) <= width), min(2, count))
        rows = -(-count // fit)
        return -(-count // rows)

    def _place(self, columns: int) -> None:
        """Put the maps in rows of ``columns``, each title over its map, and the flatten and FC bands under them."""
        if columns == self.columns:
            return
        self.columns = columns
        for item in list(self.ci.items):
            self.ci.removeItem(item)
        layout = self.ci.layout
        title_height, band_height = self._row_heights()
        for i, name in enumerate(self.map_names):
            row, col = 2 * (i // columns), i % columns
            self.ci.addItem(self.titles[name], row=row, col=col)
            self.ci.addItem(self._boxes[name], row=row + 1, col=col)
            layout.setRowMaximumHeight(row, title_height)
            layout.setRowStretchFactor(row, 0)
            layout.setRowMaximumHeight(row + 1, _NO_LIMIT)
            layout.setRowStretchFactor(row + 1, 1)
        for row, name in enumerate(("flatten", "fc1"), start=2 * -(-len(self.map_names) // columns)):
            self.ci.addItem(self.titles[name], row=row, col=0)
            self.ci.addItem(self._boxes[name], row=row, col=1, colspan=columns - 1)
            layout.setRowMaximumHeight(row, band_height)
            layout.setRowStretchFactor(row, 0)
        self.updateGeometry()

    @staticmethod
    def _row_heights() -> tuple[int, int]:
        """The rows of the maps' titles (two lines) and of the flatten and FC bands (one), at the text size in use."""
        return round(36 * font_scale()), round(20 * font_scale())

    def _fit_columns(self, width: float) -> None:
        if self.map_names:
            self._place(self._columns_for(width))

    def minimumSizeHint(self) -> QSize:
        """As narrow as two columns of maps (more rows): what the titles need, at the font in use."""
        hint = super().minimumSizeHint()
        if not self.map_names:
            return hint
        frame = self.width() - self.viewport().width()
        return QSize(math.ceil(self._needed_width(min(2, len(self.map_names)))) + frame, hint.height())

    def sizeHint(self) -> QSize:
        """All the maps in one row; as tall as the maps in the rows they make at the width they have
        are large (square maps, as wide as their column)."""
        if not self.map_names:
            return super().sizeHint()
        frame = self.width() - self.viewport().width()
        count = len(self.map_names)
        one_row = math.ceil(self._needed_width(count))
        width = self.viewport().width() if self.columns else one_row
        columns = self.columns or count
        rows = -(-count // columns)
        layout = self.ci.layout
        left, top, right, bottom = layout.getContentsMargins()
        side = (width - left - right - layout.horizontalSpacing() * (columns - 1)) / columns
        title, band = self._row_heights()
        height = rows * (title + side) + 2 * band + (2 * rows + 1) * layout.verticalSpacing() + top + bottom
        return QSize(one_row + frame, math.ceil(height) + frame)

    def resizeEvent(self, event) -> None:
        # the rows first: the view then sizes its scene to their minimum, not the old rows'
        # (GraphicsView's own __init__ resizes it, with no event, before ours has run)
        resized = event is not None and "map_names" in self.__dict__
        if resized:
            self._fit_columns(event.size().width() - (self.width() - self.viewport().width()))
        super().resizeEvent(event)
        if resized and event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the maps' height follows their width

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # the titles take the new size after the font (presentation.py)
            QTimer.singleShot(0, self, self._on_titles_resized)
        super().changeEvent(event)

    def _on_titles_resized(self) -> None:
        self.columns = 0  # the rows' heights follow the text size too
        self._fit_columns(self.viewport().width())

    def set_activations(self, activations: dict[str, np.ndarray]) -> None:
        """activations: one digit's ``{"input": (1,28,28), "conv1": (C,H,W), …, "flatten": (F,),
        "fc1": (W,), …}`` (a snapshot's, or the network's for a drawn digit)."""
        key = tuple((n, a.shape) for n, a in activations.items())
        rebuilt = key != self._layout_key
        if rebuilt:
            self._rebuild(activations)
            self._layout_key = key
        self.activations = dict(activations)
        for name, item in self.images.items():
            a = activations[name]
            top = 1.0 if name == "input" else float(np.max(a)) if a.size else 1.0
            if not (top > 0 and np.isfinite(top)):
                top = 1.0
            values = stage_image(a)
            self.levels[name], self.values[name] = (0.0, top), values
            item.setImage(colourise(values, GREY_TABLE if name == "input" else ACTIVATION_TABLE, 0.0, top),
                          autoLevels=False)
        if rebuilt:  # the marks went with the old items
            self.set_marks(self.marks)
        self.refresh_zoom()

    def _tile_origin(self, name: str, channel: int) -> tuple[int, int]:
        """The (row, col) of map ``channel``'s top-left pixel in ``name``'s mosaic image."""
        a = self.activations[name]
        if a.ndim != 3 or a.shape[0] == 1:
            return 0, 0
        tile_row, tile_col = divmod(channel, _maps_grid(a.shape[0])[1])
        return tile_row * (a.shape[1] + 1), tile_col * (a.shape[2] + 1)

    def set_marks(self, marks: list[Mark]) -> None:
        """Outline ``marks`` (replacing those before); marks on stages not shown are skipped."""
        self.marks = list(marks)
        for item in self._mark_items:
            if item.scene() is not None:
                item.scene().removeItem(item)
        self._mark_items = []
        for mark in self.marks:
            image = self.images.get(mark.stage)
            a = self.activations.get(mark.stage)
            if image is None or a is None:
                continue
            if a.ndim == 1:  # an FC unit: its cell of the band
                rect = QRectF(mark.channel, 0, 1, 1)
            else:
                top, left = self._tile_origin(mark.stage, mark.channel)
                rect = QRectF(left + mark.left, top + mark.top, mark.right - mark.left, mark.bottom - mark.top)
            item = QGraphicsRectItem(rect, image)
            pen = QPen(QColor(mark.colour), 2)
            pen.setCosmetic(True)  # 2 screen pixels, however much the map is enlarged
            item.setPen(pen)
            self._mark_items.append(item)

    def unit_under(self, position: QPointF) -> tuple[str, int, int, int] | None:
        """(stage, channel, row, col) of the conv or pool pixel, or the FC unit, under ``position``."""
        scene = self.mapToScene(position.toPoint())
        for name, item in self.images.items():
            a = self.activations[name]
            pixel = item.mapFromScene(scene)
            if name == "fc1":
                unit = int(np.floor(pixel.x()))
                if 0 <= pixel.y() < 1 and 0 <= unit < a.shape[0]:
                    return name, unit, 0, 0
                continue
            if name == "input" or a.ndim != 3:
                continue
            grid = _maps_grid(a.shape[0])
            tile = tile_at(pixel.y(), pixel.x(), a.shape[1:], grid)
            if tile is not None and tile[0] * grid[1] + tile[1] < a.shape[0]:
                top, left = tile[0] * (a.shape[1] + 1), tile[1] * (a.shape[2] + 1)
                return name, tile[0] * grid[1] + tile[1], int(pixel.y()) - top, int(pixel.x()) - left
        return None

    def position_of(self, stage: str, channel: int, row: int = 0, col: int = 0) -> QPoint:
        """The view pixel at the centre of a unit (where a click picks it): the inverse of :meth:`unit_under`."""
        if stage == "fc1":
            centre = QPointF(channel + 0.5, 0.5)
        else:
            top, left = self._tile_origin(stage, channel)
            centre = QPointF(left + col + 0.5, top + row + 0.5)
        return self.mapFromScene(self.images[stage].mapToScene(centre))

    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)
        unit = self.unit_under(event.position()) if event.button() == Qt.MouseButton.LeftButton else None
        if unit is not None:
            self.unit_clicked.emit(*unit)

    def tile_under(self, position: QPointF) -> tuple[str, int] | None:
        """(stage, channel) of the conv or pool map under ``position`` (view pixels)."""
        scene = self.mapToScene(position.toPoint())
        for name, item in self.images.items():
            a = self.activations[name]
            if name == "input" or a.ndim != 3:
                continue
            grid = _maps_grid(a.shape[0])
            pixel = item.mapFromScene(scene)
            tile = tile_at(pixel.y(), pixel.x(), a.shape[1:], grid)
            if tile is not None and tile[0] * grid[1] + tile[1] < a.shape[0]:
                return name, tile[0] * grid[1] + tile[1]
        return None

    def zoomed_tile(self, key: tuple[str, int]) -> ZoomedTile | None:
        name, channel = key
        a = self.activations.get(name)
        if a is None or a.ndim != 3 or channel >= a.shape[0]:
            return None
        values = a[channel]
        low, high = self.levels[name]
        return ZoomedTile(values, ACTIVATION_TABLE, low, high,
                          title=f"{name} map {channel} · {values.shape[0]}×{values.shape[1]}",
                          caption=f"min {values.min():.2f} · max {values.max():.2f} · colours 0–{high:.2f}",
                          numbers=max(values.shape) <= MAX_SIDE_WITH_NUMBERS)
