"""The border modes: what a kernel's window sees where it hangs over the image's edge.

Border modes say what the window sees outside the image (shown for a row ``a b c d``, radius 2):

=============  ===============================================================================
``zero``       ``0 0 | a b c d | 0 0`` — black padding.
``replicate``  ``a a | a b c d | d d`` — the edge pixel repeated.
``reflect``    ``c b | a b c d | c b`` — mirrored about the edge pixel, which is not repeated
               (numpy ``pad(mode="reflect")``, scipy.ndimage ``"mirror"``, OpenCV
               ``BORDER_REFLECT_101``).
``wrap``       ``c d | a b c d | a b`` — the opposite edge, as if the image were tiled.
``valid``      no padding: only windows that fit inside the image, so the output is smaller by
               ``k − 1`` in each direction.
=============  ===============================================================================
"""
from __future__ import annotations

import numpy as np

__all__ = ["BORDER_MODES", "BORDER_LABELS", "check_border", "border_index"]

BORDER_MODES = ("zero", "replicate", "reflect", "wrap", "valid")
BORDER_LABELS = {  # as the menus name them
    "zero": "Zero padding",
    "replicate": "Replicate edge",
    "reflect": "Reflect (mirror)",
    "wrap": "Wrap around",
    "valid": "Valid (no padding)",
}


def check_border(border: str) -> None:
    """``ValueError`` with the known modes unless ``border`` is one of :data:`BORDER_MODES`."""
    if border not in BORDER_MODES:
        raise ValueError(f"unknown border mode {border!r}; choose one of {', '.join(BORDER_MODES)}")


def border_index(indices, length: int, border: str) -> np.ndarray:
    """Map (possibly out-of-range) indices along an axis of ``length`` pixels into the image.

    Returns int64 indices in ``0..length-1``, or ``-1`` where the border mode gives a zero
    ("zero" and "valid"). This is the single definition of the border modes, shared by the fast
    filter, the naive loop and the pixel explanation.
    """
    check_border(border)
    indices = np.asarray(indices, dtype=np.int64)
    inside = (indices >= 0) & (indices < length)
    if border in ("zero", "valid"):
        return np.where(inside, indices, -1)
    if border == "replicate":
        return np.clip(indices, 0, length - 1)
    if border == "wrap":
        return np.mod(indices, length)
    if length == 1:  # reflect: a single pixel mirrors onto itself
        return np.zeros_like(indices)
    period = 2 * (length - 1)
    folded = np.mod(indices, period)
    return np.where(folded < length, folded, period - folded)
