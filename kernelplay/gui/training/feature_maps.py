"""The probe digit's feature maps at every stage, then the flattened vector and the FC activations."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from kernelplay.gui.presentation import font_scale, set_plot_title
from kernelplay.gui.training.mosaic import (ACTIVATION_TABLE, GREY_TABLE, colourise, grid_shape, image_view_box,
                                            mosaic, tile_at)
from kernelplay.gui.training.network_diagram import STAGE_TIPS
from kernelplay.gui.training.tile_zoom import ZoomedTile, ZoomingLayoutWidget

__all__ = ["FeatureMaps", "FEATURE_MAP_TIP", "Mark", "stage_image"]

FEATURE_MAP_TIP = ("A feature map shows where one kernel found its pattern in the digit: bright where the "
                   "window matched the kernel strongly, dark where it did not (negative sums are cut to 0 by ReLU). "
                   "Point at a map to see it enlarged; click a pixel to see how its value is computed.")
MAX_SIDE_WITH_NUMBERS = 7  # a zoomed map this small shows its values too

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
        self._layout_key: tuple | None = None
        self.marks: list[Mark] = []
        self._mark_items: list[QGraphicsRectItem] = []

    def _title(self, name: str, shape: tuple[int, ...]) -> str:
        # two short lines, so that up to seven columns of maps fit side by side
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
        maps = [n for n in activations if n == "input" or n.startswith(("conv", "pool"))]
        for col, name in enumerate(maps):
            title = self.ci.addLabel("", row=0, col=col)
            set_plot_title(title, self._title(name, activations[name].shape))
            item = pg.ImageItem(axisOrder="row-major")
            box = image_view_box(item)
            kind = "input" if name == "input" else name.rstrip("0123456789")
            box.setToolTip(_TIPS[kind])
            self.ci.addItem(box, row=1, col=col)
            self.images[name], self.titles[name] = item, title
        for row, name in enumerate(("flatten", "fc1"), start=2):
            title = self.ci.addLabel("", row=row, col=0)
            set_plot_title(title, self._title(name, activations[name].shape))
            item = pg.ImageItem(axisOrder="row-major")
            box = pg.ViewBox(lockAspect=False, invertY=True, enableMouse=False, enableMenu=False)
            box.setDefaultPadding(0.0)
            box.addItem(item)
            box.setFixedHeight(16)
            box.setToolTip(_TIPS[name] + (" Click a unit to see how its value is computed." if name == "fc1" else ""))
            self.ci.addItem(box, row=row, col=1, colspan=len(maps) - 1)
            self.ci.layout.setRowMaximumHeight(row, round(20 * font_scale()))
            self.images[name], self.titles[name] = item, title
        self.ci.layout.setRowMaximumHeight(0, round(36 * font_scale()))  # two lines of title
        self.ci.layout.setRowStretchFactor(1, 1)
        self._mark_items = []  # cleared with the items they were drawn on

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
