"""The sliding window, as numbers: where it stops, how big the output is, and why (no Qt).

A scan slides a k×k window over an (H, W) image in reading order, ``stride`` pixels at a time.
Positions are the window's *centre* pixels in input coordinates, as :func:`explain_pixel` takes
them; the output pixel of the i-th position is ``divmod(i, output_width)``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

from kernelplay.common import resources
from kernelplay.common.text import MINUS
from kernelplay.imaging.borders import border_index, check_border
from kernelplay.imaging.images import load_image

SCAN_MAX_SIDE = 64  # the scan draws every pixel as a cell; more than 64 per side would be unreadable


def padding_for(border: str, k: int) -> int:
    """Rows (and columns) of padding the border mode adds on each side: k//2, or 0 for "valid"."""
    check_border(border)
    return 0 if border == "valid" else k // 2


def output_offset(border: str, k: int) -> int:
    """The input row (and column) of the first window's centre, k//2 − p: how far the output's
    corner sits inside the input's (k//2 for "valid", 0 for the padded borders)."""
    return k // 2 - padding_for(border, k)


def output_size(n: int, k: int, padding: int, stride: int) -> int:
    """Output pixels along a side of ``n`` input pixels: ⌊(n + 2p − k) / s⌋ + 1 (0 if none fit)."""
    if stride < 1:
        raise ValueError(f"the stride must be at least 1, got {stride}")
    span = n + 2 * padding - k
    return span // stride + 1 if span >= 0 else 0


def output_shape(shape, k: int, border: str, stride: int) -> tuple[int, int]:
    """(rows, columns) of the scan's output for an image of ``shape`` (H, W, …)."""
    padding = padding_for(border, k)
    return output_size(shape[0], k, padding, stride), output_size(shape[1], k, padding, stride)


def scan_positions(shape, k: int, border: str, stride: int) -> list[tuple[int, int]]:
    """The window's centre pixels (row, col) in reading order, one per output pixel."""
    rows, cols = output_shape(shape, k, border, stride)
    first = output_offset(border, k)  # the first window's top-left corner is the first padded pixel
    return [(first + r * stride, first + c * stride) for r in range(rows) for c in range(cols)]


def strided_output(raw_full: np.ndarray, stride: int) -> np.ndarray:
    """The stride-``stride`` output from the stride-1 one (``apply_kernel``'s result, any border).

    With stride s the window visits every s-th stride-1 position, so this is plain subsampling.
    """
    if stride < 1:
        raise ValueError(f"the stride must be at least 1, got {stride}")
    return raw_full[::stride, ::stride]


def size_formula(n: int, k: int, border: str, stride: int) -> str:
    """The output-size formula with the numbers filled in: ``"(28 + 2·1 − 3) / 1 + 1 = 28"``.

    With a stride above 1 the division rounds down, written ⌊…⌋.
    """
    padding = padding_for(border, k)
    size = output_size(n, k, padding, stride)
    inner = f"{n} + 2·{padding} {MINUS} {k}"
    if stride == 1:
        return f"({inner}) / 1 + 1 = {size}"
    return f"⌊({inner}) / {stride}⌋ + 1 = {size}"


def fit_for_scan(image, max_side: int = SCAN_MAX_SIDE) -> np.ndarray:
    """A uint8 copy of ``image`` (H, W) or (H, W, 3) no larger than ``max_side`` on either side.

    Images longer than 2:1 are centre-cropped to 2:1 first, then the whole is downscaled with
    pillow's area-averaging filter (so thin lines fade rather than vanish).
    """
    pixels = np.asarray(image)
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] != 3):
        raise ValueError(f"expected an (H, W) or (H, W, 3) image, got shape {pixels.shape}")
    if pixels.dtype != np.uint8:
        pixels = np.clip(np.rint(pixels.astype(np.float64)), 0, 255).astype(np.uint8)
    height, width = pixels.shape[:2]
    if width > 2 * height:
        left = (width - 2 * height) // 2
        pixels = pixels[:, left : left + 2 * height]
    elif height > 2 * width:
        top = (height - 2 * width) // 2
        pixels = pixels[top : top + 2 * width]
    height, width = pixels.shape[:2]
    if max(height, width) <= max_side:
        return np.ascontiguousarray(pixels).copy()
    scale = max_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = Image.fromarray(np.ascontiguousarray(pixels)).resize(size, Image.Resampling.BOX)
    return np.asarray(resized, dtype=np.uint8).copy()


def padded_plane(plane: np.ndarray, k: int, border: str) -> tuple[np.ndarray, np.ndarray]:
    """The plane with its padding ring as the border mode fills it, and a mask of the ring.

    Returns ``(values, is_padding)``, both (H + 2p, W + 2p); for "valid" the plane itself.
    """
    padding = padding_for(border, k)
    height, width = plane.shape
    rows = border_index(np.arange(-padding, height + padding), height, border)
    cols = border_index(np.arange(-padding, width + padding), width, border)
    values = plane[np.ix_(np.maximum(rows, 0), np.maximum(cols, 0))].astype(np.float64)
    values[(rows < 0)[:, None] | (cols < 0)[None, :]] = 0.0
    is_padding = np.ones(values.shape, dtype=bool)
    is_padding[padding : padding + height, padding : padding + width] = False
    return values, is_padding


@lru_cache(maxsize=1)
def default_scan_image() -> np.ndarray:
    """The scan's starting image: the bundled sample "digit" if there is one, else the first
    digit of the bundled MNIST subset (28×28 uint8).

    Read from disk once: every call returns the same read-only array.
    """
    try:
        image = fit_for_scan(load_image(resources.sample_image("digit")))
    except (KeyError, FileNotFoundError):
        with np.load(resources.data_file("mnist-train-12k.npz")) as data:
            image = np.array(data["images"][0], dtype=np.uint8)
    image.setflags(write=False)
    return image
