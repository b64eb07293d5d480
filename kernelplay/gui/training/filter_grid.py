"""Every learned kernel of every conv layer as a tile, on a diverging map with zero neutral."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from kernelplay.common.colormaps import symmetric_limit
from kernelplay.gui.training.mosaic import DIVERGING_MAP, DIVERGING_TABLE, colourise, grid_shape, image_view_box, mosaic

__all__ = ["FilterGrid", "KERNEL_TIP", "DEEP_KERNEL_TIP", "kernel_mosaic"]

KERNEL_TIP = ("A kernel is a small grid of weights the network learns: it slides over the image and "
              "responds where the image looks like it. Red weights are positive, blue negative, white zero.")


DEEP_KERNEL_TIP = ("In a deeper layer each kernel looks at every map of the layer before, so it has one k×k "
                   "slice per input map: here a row per input map, a column per kernel.")


def kernel_mosaic(weights: np.ndarray) -> np.ndarray:
    """weights ``(C_out, C_in, k, k)`` → one image: the first layer's kernels (C_in = 1) in a block
    square-ish block; deeper layers as a grid with a row per input channel and a column
    per output channel (kernel)."""
    c_out, c_in = weights.shape[:2]
    if c_in == 1:
        rows, cols = grid_shape(c_out)
        return mosaic(weights[:, 0], rows, cols)
    return mosaic(weights.transpose(1, 0, 2, 3))


class FilterGrid(pg.GraphicsLayoutWidget):
    """The kernels of each conv layer, one mosaic per layer, each with symmetric levels ±its
    largest |weight| so zero is always white; one colour bar for all."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.setToolTip(KERNEL_TIP)
        self.setAccessibleName("Learned kernels")
        self.ci.setContentsMargins(2, 2, 2, 2)
        self.ci.setSpacing(4)
        self.images: dict[str, pg.ImageItem] = {}
        self.titles: dict[str, pg.LabelItem] = {}
        self.limits: dict[str, float] = {}  # each layer's symmetric level: ±limit
        self.values: dict[str, np.ndarray] = {}  # each layer's mosaic of weights, before colouring
        self._layout_key: tuple | None = None
        self.colour_bar: pg.ColorBarItem | None = None

    def _rebuild(self, kernels: dict[str, np.ndarray]) -> None:
        self.ci.clear()
        self.images.clear()
        self.titles.clear()
        for col, (name, weights) in enumerate(kernels.items()):
            c_out, c_in, k, _ = weights.shape
            title = self.ci.addLabel(self._title(name, weights.shape, 0.0), row=0, col=col, size="9pt")
            item = pg.ImageItem(axisOrder="row-major")
            box = image_view_box(item)
            self.ci.addItem(box, row=1, col=col)
            if c_in > 1:
                box.setToolTip(KERNEL_TIP + " " + DEEP_KERNEL_TIP)
            shape = kernel_mosaic(weights).shape
            # the first layer gets the most room: its kernels are the ones a person can read
            self.ci.layout.setColumnStretchFactor(col, 3 if c_in == 1 else max(2, round(2 * shape[1] / shape[0])))
            self.images[name], self.titles[name] = item, title
        self.colour_bar = pg.ColorBarItem(values=(-1.0, 1.0), colorMap=DIVERGING_MAP, interactive=False,
                                          width=12, label="weight")
        self.colour_bar.axis.setTicks([[(-1.0, "−max"), (0.0, "0"), (1.0, "+max")]])
        self.colour_bar.setToolTip("Colour of a weight relative to the largest |weight| of its layer "
                                   "(shown in the layer's title): blue negative, white zero, red positive.")
        self.ci.addItem(self.colour_bar, row=0, col=len(kernels), rowspan=2)
        self.ci.layout.setRowMaximumHeight(0, 36)
        self.ci.layout.setRowStretchFactor(1, 1)

    @staticmethod
    def _title(name: str, shape: tuple[int, ...], limit: float) -> str:
        c_out, c_in, k, _ = shape
        what = f"{c_out} kernels {k}×{k}" if c_in == 1 else f"{c_out}×{c_in} slices {k}×{k}"
        return f"<b>{name}</b> · {what}<br>max |w| {limit:.2f}"

    def set_kernels(self, kernels: dict[str, np.ndarray]) -> None:
        """kernels: ``{"conv1": (C_out, C_in, k, k), …}`` (from a snapshot)."""
        key = tuple((name, w.shape) for name, w in kernels.items())
        if key != self._layout_key:
            self._rebuild(kernels)
            self._layout_key = key
        for name, weights in kernels.items():
            limit = symmetric_limit(weights)
            self.limits[name] = limit
            # symmetric levels ±limit: zero is always the white middle of the diverging map
            self.values[name] = kernel_mosaic(weights)
            self.images[name].setImage(colourise(self.values[name], DIVERGING_TABLE, -limit, limit), autoLevels=False)
            text = self._title(name, weights.shape, limit)
            if self.titles[name].text != text:
                self.titles[name].setText(text)
