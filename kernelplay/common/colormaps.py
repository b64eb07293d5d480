"""Colour maps for signed values (kernels, learned filters) and grey swatches, as uint8 RGB.

Two diverging maps: on a light page, blue — white — red (zero is the page's white); on a dark page,
bright blue — dark neutral grey — bright red (zero recedes into the page instead of glaring).
"""
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
# Blue (negative) — neutral grey (zero) — red (positive) for dark pages: the ends stay bright so
# strong weights stand out, and zero is a grey a little lighter than a dark window.
_DARK_DIVERGING_STOPS = np.array(
    [
        (158, 196, 255), (110, 165, 235), (70, 130, 200), (50, 95, 150), (46, 68, 94),
        (58, 58, 58),
        (98, 58, 50), (150, 66, 52), (200, 86, 66), (235, 126, 106), (255, 176, 160),
    ],
    dtype=np.float64,
)


def symmetric_limit(values: np.ndarray) -> float:
    """The largest magnitude in ``values`` (1.0 for an all-zero array), for symmetric levels."""
    limit = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return limit if limit > 0 and np.isfinite(limit) else 1.0


def diverging_rgb(values: np.ndarray, limit: float | None = None, *, dark: bool = False) -> np.ndarray:
    """Map signed ``values`` (any shape) to uint8 RGB (shape + (3,)): −limit blue, 0 white (with
    ``dark``: a neutral dark grey), +limit red.

    ``limit`` defaults to the largest magnitude, so zero is always the neutral colour.
    """
    stops = _DARK_DIVERGING_STOPS if dark else _DIVERGING_STOPS
    values = np.asarray(values, dtype=np.float64)
    limit = symmetric_limit(values) if limit is None else float(limit)
    position = (np.clip(values / limit, -1.0, 1.0) + 1.0) * 0.5 * (len(stops) - 1)
    low = np.floor(position).astype(np.intp).clip(0, len(stops) - 2)
    frac = (position - low)[..., None]
    rgb = stops[low] * (1.0 - frac) + stops[low + 1] * frac
    return np.rint(rgb).astype(np.uint8)


def diverging_lookup_table(size: int = 256, *, dark: bool = False) -> np.ndarray:
    """The diverging map as a (size, 3) uint8 table, from −limit (row 0) to +limit (last row)."""
    return diverging_rgb(np.linspace(-1.0, 1.0, size), 1.0, dark=dark)


def text_colour_on(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever reads better on a background of colour ``rgb``."""
    r, g, b = rgb
    return (0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b >= 140 else (255, 255, 255)
