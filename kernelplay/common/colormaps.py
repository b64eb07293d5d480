"""Colour maps for signed values (kernels, learned filters) and grey swatches, as uint8 RGB."""
from __future__ import annotations

import numpy as np

# Blue (negative) — white (zero) — red (positive): ColorBrewer RdBu, 11 steps, reversed.
_DIVERGING_STOPS = np.array(
    [
        (5, 48, 97), (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240),
        (247, 247, 247),
        (253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43), (103, 0, 31),
    ],
    dtype=np.float64,
)


def symmetric_limit(values: np.ndarray) -> float:
    """The largest magnitude in ``values`` (1.0 for an all-zero array), for symmetric levels."""
    limit = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return limit if limit > 0 and np.isfinite(limit) else 1.0


def diverging_rgb(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    """Map signed ``values`` (any shape) to uint8 RGB (shape + (3,)): −limit blue, 0 white, +limit red.

    ``limit`` defaults to the largest magnitude, so zero is always the neutral colour.
    """
    values = np.asarray(values, dtype=np.float64)
    limit = symmetric_limit(values) if limit is None else float(limit)
    position = (np.clip(values / limit, -1.0, 1.0) + 1.0) * 0.5 * (len(_DIVERGING_STOPS) - 1)
    low = np.floor(position).astype(np.intp).clip(0, len(_DIVERGING_STOPS) - 2)
    frac = (position - low)[..., None]
    rgb = _DIVERGING_STOPS[low] * (1.0 - frac) + _DIVERGING_STOPS[low + 1] * frac
    return np.rint(rgb).astype(np.uint8)


def diverging_lookup_table(size: int = 256) -> np.ndarray:
    """The diverging map as a (size, 3) uint8 table, from −limit (row 0) to +limit (last row)."""
    return diverging_rgb(np.linspace(-1.0, 1.0, size), 1.0)


def text_colour_on(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever reads better on a background of colour ``rgb``."""
    r, g, b = rgb
    return (0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b >= 140 else (255, 255, 255)
