"""Make a drawn digit look like an MNIST digit (numpy / Pillow only).

MNIST's recipe: the digit's bounding box is scaled (keeping its aspect ratio, anti-aliased) to fit
a 20×20 box, then placed in a 28×28 image so that its centre of mass sits at the image centre.
A network trained on MNIST reads a drawn digit far better after the same treatment.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["center_digit", "as_unit_float", "DIGIT_SIZE", "DIGIT_BOX"]

DIGIT_SIZE = 28
DIGIT_BOX = 20
_INK_THRESHOLD = 0.05  # a pixel with less than 5 % of the peak ink counts as background


def as_unit_float(image: np.ndarray) -> np.ndarray:
    """A 2-D digit as float32 in [0, 1]: uint8 divided by 255, floats clipped (NaN as 0)."""
    a = np.asarray(image)
    if a.ndim != 2:
        raise ValueError(f"a digit must be a 2-D image, got shape {a.shape}")
    if a.dtype == np.uint8:
        return a.astype(np.float32) / 255.0
    return np.clip(np.nan_to_num(a.astype(np.float32)), 0.0, 1.0)


def center_digit(image: np.ndarray, *, size: int = DIGIT_SIZE, box: int = DIGIT_BOX) -> np.ndarray:
    """A drawn digit (2-D, white ink on black; uint8 0–255 or float in [0, 1], any size) as a
    float32 ``(size, size)`` image in [0, 1], centred and scaled like MNIST.

    The inked bounding box is scaled so its longer side is ``box`` pixels, the result is placed so
    its centre of mass is at the image centre (kept inside the image), and the brightest pixel is
    set to 1. An image without ink gives all zeros.
    """
    a = as_unit_float(image)
    out = np.zeros((size, size), np.float32)
    peak = float(a.max()) if a.size else 0.0
    if peak <= 0:
        return out
    rows = np.flatnonzero((a > _INK_THRESHOLD * peak).any(axis=1))
    cols = np.flatnonzero((a > _INK_THRESHOLD * peak).any(axis=0))
    crop = a[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    scale = box / max(h, w)
    new_h, new_w = max(1, int(round(h * scale))), max(1, int(round(w * scale)))
    # area averaging when shrinking (anti-aliasing, like MNIST's), bilinear when enlarging
    method = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    small = np.asarray(Image.fromarray(crop, mode="F").resize((new_w, new_h), method), dtype=np.float32)
    small = np.clip(small, 0.0, None)
    total = float(small.sum())
    if total <= 0:
        return out
    ys, xs = np.indices(small.shape)
    cy, cx = float((ys * small).sum() / total), float((xs * small).sum() / total)
    centre = (size - 1) / 2.0
    top = int(np.clip(round(centre - cy), 0, size - new_h))
    left = int(np.clip(round(centre - cx), 0, size - new_w))
    out[top:top + new_h, left:left + new_w] = small
    out /= out.max()
    return out
