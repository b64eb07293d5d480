"""Tiling many small maps into one image, and the bare pyqtgraph views that show such images.

One ``ImageItem`` per mosaic (instead of one per tile) keeps a redraw to a handful of items even
for conv2's 576 kernels. Gaps between tiles are NaN until :func:`colourise` maps values to RGB
through a colour table with explicit levels (and paints the gaps): the image items then get ready
RGB pixels and skip pyqtgraph's per-frame colour-table and level work.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from kernelplay.common.colormaps import diverging_lookup_table
from kernelplay.gui.theme import is_dark

__all__ = ["mosaic", "grid_shape", "colourise", "image_view_box", "tile_at", "DIVERGING_MAP", "ACTIVATION_MAP", "GREY_MAP",
           "DIVERGING_TABLE", "ACTIVATION_TABLE", "GREY_TABLE", "GAP_RGB"]

DIVERGING_MAP = pg.ColorMap(np.linspace(0.0, 1.0, 256), diverging_lookup_table(256))
ACTIVATION_MAP = pg.colormap.get("inferno")
GREY_MAP = pg.ColorMap([0.0, 1.0], [(0, 0, 0), (255, 255, 255)])
DIVERGING_TABLE = diverging_lookup_table(256)  # (256, 3) uint8, row 0 = −limit, row 255 = +limit
ACTIVATION_TABLE = ACTIVATION_MAP.getLookupTable(nPts=256, alpha=False)
GREY_TABLE = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
GAP_RGB = (255, 255, 255)
# on a dark palette (View ▸ Colours): zero a neutral grey and the gaps the page's colour, not white
DARK_DIVERGING_TABLE = diverging_lookup_table(256, dark=True)
DARK_GAP_RGB = (31, 31, 34)
DARK_DIVERGING_MAP = pg.ColorMap(np.linspace(0.0, 1.0, 256), DARK_DIVERGING_TABLE)


def colourise(values: np.ndarray, table: np.ndarray, low: float, high: float, gap=None) -> np.ndarray:
    """values ``(H, W)`` (NaN = gap) → uint8 RGB ``(H, W, 3)``: ``low`` and below get ``table[0]``,
    ``high`` and above the last row; NaN gets ``gap`` (by default white, or the page's dark colour on a
    dark palette, where :data:`DIVERGING_TABLE` also gives way to its dark variant)."""
    dark = is_dark()
    if dark and table is DIVERGING_TABLE:
        table = DARK_DIVERGING_TABLE
    if gap is None:
        gap = DARK_GAP_RGB if dark else GAP_RGB
    v = np.asarray(values, dtype=np.float32)
    top = len(table) - 1
    scale = top / (high - low) if high > low else 0.0
    index = (v - low) * scale + 0.5
    gaps = np.isnan(index)
    index[gaps] = 0.0
    np.clip(index, 0, top, out=index)
    rgb = table.take(index.astype(np.intp), axis=0)
    rgb[gaps] = gap
    return rgb


def grid_shape(count: int, aspect: float = 1.0) -> tuple[int, int]:
    """(rows, columns) for ``count`` square tiles in a block about ``aspect`` times wider than tall."""
    cols = max(1, min(count, int(math.ceil(math.sqrt(count * aspect)))))
    return int(math.ceil(count / cols)), cols


def mosaic(tiles: np.ndarray, rows: int | None = None, cols: int | None = None, gap: int = 1) -> np.ndarray:
    """tiles ``(N, h, w)`` → float32 ``(rows·(h+gap)−gap, cols·(w+gap)−gap)`` in row-major tile
    order; gaps and unused cells are NaN. Or tiles ``(R, C, h, w)``: an R×C grid as given."""
    tiles = np.asarray(tiles, dtype=np.float32)
    if tiles.ndim == 4:
        rows, cols = tiles.shape[:2]
        tiles = tiles.reshape(rows * cols, *tiles.shape[2:])
    n, h, w = tiles.shape
    if rows is None or cols is None:
        rows, cols = grid_shape(n) if rows is None and cols is None else (
            rows or int(math.ceil(n / cols)), cols or int(math.ceil(n / rows)))
    cells = np.full((rows * cols, h + gap, w + gap), np.nan, np.float32)
    cells[:n, :h, :w] = tiles
    # (rows, cols, h+gap, w+gap) → (rows, h+gap, cols, w+gap): tile rows interleave with pixel rows
    out = cells.reshape(rows, cols, h + gap, w + gap).transpose(0, 2, 1, 3).reshape(rows * (h + gap), cols * (w + gap))
    return out[:out.shape[0] - gap, :out.shape[1] - gap] if gap else out


def tile_at(row: float, col: float, tile_shape: tuple[int, int], grid: tuple[int, int],
            gap: int = 1) -> tuple[int, int] | None:
    """The (tile row, tile column) of a :func:`mosaic` of ``grid`` (rows, cols) tiles that pixel
    (``row``, ``col``) lies in, or None on a gap or outside."""
    if row < 0 or col < 0:
        return None
    (h, w), (rows, cols) = tile_shape, grid
    tile_row, inside_row = divmod(int(row), h + gap)
    tile_col, inside_col = divmod(int(col), w + gap)
    if inside_row >= h or inside_col >= w or tile_row >= rows or tile_col >= cols:
        return None
    return tile_row, tile_col


def image_view_box(item: pg.ImageItem) -> pg.ViewBox:
    """A ViewBox showing ``item`` with square pixels, row 0 at the top, no mouse interaction."""
    box = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False)
    box.addItem(item)
    box.setDefaultPadding(0.0)
    return box
