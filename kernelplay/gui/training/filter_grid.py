"""Every learned kernel of every conv layer as a tile, on a diverging map with zero neutral."""
from __future__ import annotations

import math
import re

import numpy as np
import pyqtgraph as pg

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFontMetricsF, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from kernelplay.gui.bridge_menu import looks_like
from kernelplay.common.colormaps import symmetric_limit
from kernelplay.gui.presentation import set_plot_title, title_font
from kernelplay.gui.theme import is_dark
from kernelplay.gui.training.mosaic import (DARK_DIVERGING_MAP, DIVERGING_MAP, DIVERGING_TABLE, colourise, grid_shape,
                                            image_view_box, mosaic, tile_at)
from kernelplay.gui.training.page_layout import pass_scene_hints_on
from kernelplay.gui.training.tile_zoom import ZoomedTile, ZoomingLayoutWidget

__all__ = ["FilterGrid", "KERNEL_TIP", "DEEP_KERNEL_TIP", "kernel_mosaic"]

_NO_LIMIT = 3.4028234663852886e38  # a grid column's maximum width when none is set (FLT_MAX)

KERNEL_TIP = ("A kernel is a small grid of weights the network learns: it slides over the image and "
              "responds where the image looks like it. Red weights are positive, blue negative, white zero. "
              "Point at a kernel to see it enlarged, with its weights; right-click it to open it in the playground.")


DEEP_KERNEL_TIP = ("In a deeper layer each kernel looks at every map of the layer before, so it has one k×k "
                   "slice per input map: here a row per input map, a column per kernel.")


def _mosaic_grid(shape: tuple[int, ...]) -> tuple[int, int]:
    c_out, c_in = shape[:2]
    return grid_shape(c_out) if c_in == 1 else (c_in, c_out)


def kernel_mosaic(weights: np.ndarray) -> np.ndarray:
    """weights ``(C_out, C_in, k, k)`` → one image: the first layer's kernels (C_in = 1) in a
    square-ish block; deeper layers as a grid with a row per input channel and a column
    per output channel (kernel)."""
    rows, cols = _mosaic_grid(weights.shape)
    if weights.shape[1] == 1:
        return mosaic(weights[:, 0], rows, cols)
    return mosaic(weights.transpose(1, 0, 2, 3))


def kernel_in_tile(shape: tuple[int, ...], tile_row: int, tile_col: int) -> tuple[int, int] | None:
    """(output channel, input channel) of the slice drawn in a tile of :func:`kernel_mosaic`."""
    c_out, c_in = shape[:2]
    if c_in > 1:
        return tile_col, tile_row
    index = tile_row * _mosaic_grid(shape)[1] + tile_col
    return (index, 0) if index < c_out else None


def lock_path(left: float, top: float, side: float) -> QPainterPath:
    """A padlock ``side`` wide with its top-left corner at (left, top): a shackle over a body."""
    path = QPainterPath()
    body = QRectF(left, top + 0.45 * side, side, 0.55 * side)
    path.addRect(body)
    path.moveTo(left + 0.22 * side, top + 0.45 * side)
    path.lineTo(left + 0.22 * side, top + 0.25 * side)
    path.arcTo(QRectF(left + 0.22 * side, top, 0.56 * side, 0.5 * side), 180, -180)
    path.lineTo(left + 0.78 * side, top + 0.45 * side)
    return path


def _source_of(layer: str) -> str:
    """What a conv layer reads: the digit for conv1, the pooled maps of the stage before for convN."""
    stage = int(layer.removeprefix("conv"))
    return "the digit" if stage == 1 else f"pool{stage - 1} map"


class FilterGrid(ZoomingLayoutWidget):
    """The kernels of each conv layer, one mosaic per layer, each with symmetric levels ±its
    largest |weight| so zero is always white; one colour bar for all. Frozen conv1 kernels wear a
    lock. Right-click ▸ Open in the playground on a kernel slice emits ``kernel_opened(kernel,
    title)`` (a float64 k×k copy, e.g. "conv2.weight[7, 3]")."""

    kernel_opened = Signal(np.ndarray, str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.setToolTip(KERNEL_TIP)
        self.setAccessibleName("Learned kernels")
        self.ci.setContentsMargins(2, 8, 2, 8)  # the colour bar's end labels reach beyond the bar
        self.ci.setSpacing(4)
        self.images: dict[str, pg.ImageItem] = {}
        self.titles: dict[str, pg.LabelItem] = {}
        self.limits: dict[str, float] = {}  # each layer's symmetric level: ±limit
        self.values: dict[str, np.ndarray] = {}  # each layer's mosaic of weights, before colouring
        self.weights: dict[str, np.ndarray] = {}  # each layer's (C_out, C_in, k, k) weights as given
        self._layout_key: tuple | None = None
        self.colour_bar: pg.ColorBarItem | None = None
        self._boxes: dict[str, pg.ViewBox] = {}
        self._stretches: dict[str, int] = {}  # each layer's share of the width
        self.bar_width = 0.0  # the colour bar's column
        self.columns = 0  # layers side by side (more rows where their titles do not fit one)
        self.title_lines = 2  # three narrower lines when the layers' titles do not fit side by side
        self.frozen: tuple[int, ...] = ()  # conv1 channels training leaves unchanged
        self._locks: list[QGraphicsPathItem] = []
        self.menu_key: tuple[str, int, int] | None = None  # the slice right-clicked last
        self.open_action = QAction("Open in the playground", self)
        self.open_action.setStatusTip("Make this learned kernel the playground's kernel, to apply it to any image")
        self.open_action.triggered.connect(self.open_in_playground)
        self.addAction(self.open_action)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        pass_scene_hints_on(self)

    def _rebuild(self, kernels: dict[str, np.ndarray]) -> None:
        """New items for new layers; :meth:`_arrange` puts them in place once the weights are known."""
        self.ci.clear()
        self.images.clear()
        self.titles.clear()
        self._boxes.clear()
        self._stretches.clear()
        for name, weights in kernels.items():
            title = pg.LabelItem("")
            set_plot_title(title, "")
            item = pg.ImageItem(axisOrder="row-major")
            box = image_view_box(item)
            if weights.shape[1] > 1:
                box.setToolTip(KERNEL_TIP + " " + DEEP_KERNEL_TIP)
            shape = kernel_mosaic(weights).shape
            # the first layer gets the most room: its kernels are the ones a person can read
            self._stretches[name] = 3 if weights.shape[1] == 1 else max(2, round(2 * shape[1] / shape[0]))
            self.images[name], self.titles[name], self._boxes[name] = item, title, box
        self.colour_bar = pg.ColorBarItem(values=(-1.0, 1.0), colorMap=DIVERGING_MAP, interactive=False,
                                          width=12, label="weight")
        self.colour_bar.axis.setTicks([[(-1.0, "−max"), (0.0, "0"), (1.0, "+max")]])
        self.colour_bar.setToolTip("Colour of a weight relative to the largest |weight| of its layer "
                                   "(shown in the layer's title): blue negative, white zero, red positive. A frozen "
                                   "(locked) kernel is drawn relative to its own largest |weight|.")
        self._bar_width_for_font()
        self.columns = 0  # none placed yet
        self._locks = []  # cleared with the image they were drawn on

    def _bar_width_for_font(self) -> None:
        """The bar, its tick labels and its rotated "weight" kept whole however narrow the view, at the font in use."""
        metrics = QFontMetricsF(self.font())
        self.bar_width = 12 + 10 + metrics.horizontalAdvance("−max") + 8 + metrics.height()

    @staticmethod
    def _title_lines(name: str, shape: tuple[int, ...], limit: float, lines: int, locked: bool = False) -> list[str]:
        """The layer's title; ``locked``: some kernels are frozen, each drawn on its own scale."""
        locked = " unlocked" if locked else ""
        c_out, c_in, k, _ = shape
        what = f"{c_out} kernels" if c_in == 1 else f"{c_out}×{c_in} slices"
        if lines == 2:
            return [f"<b>{name}</b> · {what}", f"{k}×{k}, max |w| {limit:.2f}{locked}"]
        return [f"<b>{name}</b> · {k}×{k}", what, f"max |w| {limit:.2f}{locked}"]

    # --- the layers side by side, in rows where their titles do not fit one (presentation mode) ---

    def _needed_width(self, columns: int, lines: int) -> float:
        """The width the layers need in rows of ``columns``, their titles in ``lines`` lines (measured
        bold: the widest they can be), beside the colour bar."""
        font = title_font(self.font())
        font.setBold(True)
        metrics = QFontMetricsF(font)
        widths = [0.0] * columns
        for i, (name, w) in enumerate(self.weights.items()):
            title = self._title_lines(name, w.shape, self.limits.get(name, 0.0), lines, bool(self._locked(name)))
            widths[i % columns] = max(widths[i % columns],
                                      max(metrics.horizontalAdvance(re.sub("</?b>", "", line)) for line in title) + 8)
        left, _, right, _ = self.ci.layout.getContentsMargins()
        return sum(widths) + self.bar_width + left + right

    def _arrangement(self, width: float) -> tuple[int, int]:
        """(layers per row, lines per title): the most layers side by side, with two lines per title
        if they fit, else three; one layer per row of three lines if nothing fits."""
        for columns in range(len(self.weights), 0, -1):
            for lines in (2, 3):
                if self._needed_width(columns, lines) <= width:
                    return columns, lines
        return 1, 3

    def _arrange(self) -> None:
        """The layers and their titles as :meth:`_arrangement` has them for the view's width."""
        if not self.weights:
            return
        columns, self.title_lines = self._arrangement(self.viewport().width())
        self._place(columns)
        line = QFontMetricsF(title_font(self.font())).lineSpacing()
        for row in range(0, 2 * -(-len(self.weights) // columns), 2):
            self.ci.layout.setRowMaximumHeight(row, self.title_lines * line + 6)
        for name, weights in self.weights.items():
            text = "<br>".join(self._title_lines(name, weights.shape, self.limits[name], self.title_lines,
                                                 bool(self._locked(name))))
            if self.titles[name].text != text:
                self.titles[name].setText(text)

    def _place(self, columns: int) -> None:
        """Each layer's title over its mosaic, ``columns`` layers a row, the colour bar right of all rows."""
        if columns == self.columns:
            return
        layout = self.ci.layout
        for item in list(self.ci.items):
            self.ci.removeItem(item)
        if 0 < self.columns < columns:  # the bar's old column takes a layer now
            layout.setColumnMinimumWidth(self.columns, 0)
            layout.setColumnMaximumWidth(self.columns, _NO_LIMIT)
        self.columns = columns
        for i, name in enumerate(self.weights):
            row, col = 2 * (i // columns), i % columns
            self.ci.addItem(self.titles[name], row=row, col=col)
            self.ci.addItem(self._boxes[name], row=row + 1, col=col)
            layout.setRowStretchFactor(row, 0)
            layout.setRowStretchFactor(row + 1, 1)
        stretches = list(self._stretches.values())
        for col in range(columns):  # a column as wide as its widest layer asks
            layout.setColumnStretchFactor(col, max(stretches[col::columns]))
        rows = -(-len(self.weights) // columns)
        self.ci.addItem(self.colour_bar, row=0, col=columns, rowspan=2 * rows)
        layout.setColumnStretchFactor(columns, 0)
        layout.setColumnFixedWidth(columns, self.bar_width)
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:
        """As narrow as one layer a row, its title in three lines, and the colour bar, at the font in use."""
        hint = super().minimumSizeHint()
        if not self.weights:
            return hint
        frame = self.width() - self.viewport().width()
        return QSize(math.ceil(self._needed_width(1, 3)) + frame, hint.height())

    def sizeHint(self) -> QSize:
        """All layers in one row, titles in two lines; as tall as the mosaics in the rows they make at
        the width the view has are (each column's share of it, by its stretch)."""
        if not self.values or not self.columns:
            return super().sizeHint()
        frame = self.width() - self.viewport().width()
        layout = self.ci.layout
        left, top, right, bottom = layout.getContentsMargins()
        room = self.viewport().width() - left - right - self.bar_width - layout.horizontalSpacing() * self.columns
        shares = [layout.columnStretchFactor(col) for col in range(self.columns)]
        height = top + bottom
        names = list(self.values)
        for first in range(0, len(names), self.columns):
            row = names[first:first + self.columns]
            tallest = max(room * shares[i] / sum(shares) * self.values[name].shape[0] / self.values[name].shape[1]
                          for i, name in enumerate(row))
            height += layout.rowMaximumHeight(0) + 2 * layout.verticalSpacing() + max(tallest, 0)
        return QSize(math.ceil(self._needed_width(len(self.weights), 2)) + frame, math.ceil(height) + frame)

    def resizeEvent(self, event) -> None:
        # titles first: the view then sizes its scene to the new titles' minimum, not the old one's
        # (GraphicsView's own __init__ resizes it, with no event, before ours has run)
        resized = event is not None and "weights" in self.__dict__
        if resized:
            self._arrange()
        super().resizeEvent(event)
        if resized and event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the mosaics' height follows their width

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange and "weights" in self.__dict__:
            self._bar_width_for_font()
            QTimer.singleShot(0, self, self._on_titles_resized)  # once presentation.py has sized the titles anew
        super().changeEvent(event)

    def _on_titles_resized(self) -> None:
        if self.columns:
            self.ci.layout.setColumnFixedWidth(self.columns, self.bar_width)
        self._arrange()

    def set_kernels(self, kernels: dict[str, np.ndarray], frozen: tuple[int, ...] | None = None) -> None:
        """kernels: ``{"conv1": (C_out, C_in, k, k), …}`` (from a snapshot); ``frozen``: the conv1
        channels to show locked (None keeps those shown)."""
        key = tuple((name, w.shape) for name, w in kernels.items())
        if key != self._layout_key:
            self._rebuild(kernels)
            self._layout_key = key
        self.weights = dict(kernels)
        self.frozen = self.frozen if frozen is None else tuple(frozen)
        if self.colour_bar is not None:  # the bar in the map the tiles are drawn in (mosaic.colourise)
            self.colour_bar.setColorMap(DARK_DIVERGING_MAP if is_dark() else DIVERGING_MAP)
        for name, weights in kernels.items():
            locked = self._locked(name)
            learned = np.delete(weights, locked, axis=0) if len(locked) < len(weights) else weights
            # symmetric levels ±limit: zero is always the white middle of the diverging map; a locked
            # (hand-made) kernel is drawn on its own scale, so a ±2 sobel does not wash out ±0.2 ones
            limit = symmetric_limit(learned)
            self.limits[name] = limit
            self.values[name] = kernel_mosaic(weights)
            rgb = colourise(self.values[name], DIVERGING_TABLE, -limit, limit)
            k = weights.shape[-1]
            for channel in locked:
                top, left = self._tile_origin(name, channel)
                own = symmetric_limit(weights[channel, 0])
                rgb[top:top + k, left:left + k] = colourise(weights[channel, 0], DIVERGING_TABLE, -own, own)
            self.images[name].setImage(rgb, autoLevels=False)
        self._arrange()
        self._show_locks()
        self.refresh_zoom()

    def _locked(self, name: str) -> list[int]:
        """The frozen kernels of layer ``name`` (conv1 only has them)."""
        count = self.weights[name].shape[0] if name in self.weights else 0
        return [c for c in self.frozen if c < count] if name == "conv1" else []

    def _tile_origin(self, name: str, channel: int) -> tuple[int, int]:
        """(row, col) in the mosaic of ``name`` where conv1-like kernel ``channel``'s tile starts."""
        shape = self.weights[name].shape
        row, col = divmod(channel, _mosaic_grid(shape)[1])
        return row * (shape[-1] + 1), col * (shape[-1] + 1)

    def _show_locks(self) -> None:
        """A dark frame and a padlock at the top right of each frozen conv1 kernel (mosaic pixels)."""
        image = self.images.get("conv1")
        for item in self._locks:
            if item.scene() is not None:
                item.scene().removeItem(item)
        self._locks = []
        if image is None:
            return
        k = self.weights["conv1"].shape[-1]
        for channel in self._locked("conv1"):
            top, left = self._tile_origin("conv1", channel)
            side = 0.34 * k
            frame = QPainterPath()
            frame.addRect(QRectF(left, top, k, k))
            for path, fill in ((frame, None), (lock_path(left + k - side, top, side), QColor("#222222"))):
                item = QGraphicsPathItem(path, image)
                pen = QPen(QColor("#222222") if fill is None else QColor("#ffffff"), 2 if fill is None else 1)
                pen.setCosmetic(True)
                item.setPen(pen)
                if fill is not None:
                    item.setBrush(fill)
                self._locks.append(item)

    def kernel_slice(self, key: tuple[str, int, int]) -> tuple[np.ndarray, str] | None:
        """The slice ``key`` (layer, output channel, input channel) as a float64 copy, and its name."""
        name, out, inp = key
        weights = self.weights.get(name)
        if weights is None or out >= weights.shape[0] or inp >= weights.shape[1]:
            return None
        return weights[out, inp].astype(np.float64), f"{name}.weight[{out}, {inp}]"

    def open_in_playground(self) -> None:
        """Emit ``kernel_opened`` for the slice right-clicked last (or the one zoomed)."""
        key = self.menu_key or self.zoomed_key
        found = None if key is None else self.kernel_slice(key)
        if found is not None:
            self.kernel_opened.emit(*found)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.RightButton:  # the context menu follows: aim it at this slice
            self.menu_key = self.tile_under(event.position())
            self.open_action.setEnabled(self.menu_key is not None)
            self.open_action.setText("Open in the playground" if self.menu_key is None else
                                     f"Open {self.kernel_slice(self.menu_key)[1]} in the playground")
            self.hide_zoom()
            return
        super().mousePressEvent(event)

    def tile_under(self, position: QPointF) -> tuple[str, int, int] | None:
        """(layer, output channel, input channel) of the kernel slice under ``position`` (view pixels)."""
        scene = self.mapToScene(position.toPoint())
        for name, item in self.images.items():
            shape = self.weights[name].shape
            pixel = item.mapFromScene(scene)
            tile = tile_at(pixel.y(), pixel.x(), shape[2:], _mosaic_grid(shape))
            channels = None if tile is None else kernel_in_tile(shape, *tile)
            if channels is not None:
                return (name, *channels)
        return None

    def zoomed_tile(self, key: tuple[str, int, int]) -> ZoomedTile | None:
        name, out, inp = key
        weights = self.weights.get(name)
        if weights is None or out >= weights.shape[0] or inp >= weights.shape[1]:
            return None
        source = _source_of(name) + ("" if weights.shape[1] == 1 else f" {inp}")
        limit = self.limits[name]
        frozen = out in self._locked(name)
        if frozen:
            limit = symmetric_limit(weights[out, inp])
        scale = f"colours ±{limit:.2f}" + (" (its own) · frozen: training leaves it" if frozen else "")
        return ZoomedTile(weights[out, inp], DIVERGING_TABLE, -limit, limit, title=f"{name}.weight[{out}, {inp}]",
                          caption=f"{source} → {name} map {out} · {scale}\n"
                                  f"{looks_like(weights[out, inp])} · right-click: open in the playground",
                          numbers=True)
