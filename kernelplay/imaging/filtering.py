"""Applying a kernel to an image: the slow loop the playground teaches and the fast banded filter.

Images are ``(H, W)`` grey or ``(H, W, 3)`` RGB, uint8 or float. The kernel is applied as
cross-correlation, the way the playground shows it: the top-left weight multiplies the top-left
pixel of the window. ``flip=True`` turns the kernel by 180° first, which is true convolution.

Border modes (what the window sees outside the image) are :mod:`kernelplay.imaging.borders`; turning
the raw sums into 0..255 pixels is :mod:`kernelplay.imaging.mapping`.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from kernelplay.common.threads import run_in_slices
from kernelplay.imaging.borders import border_index, check_border
from kernelplay.imaging.kernels import check_kernel_values, kernel_as_fraction

__all__ = ["apply_kernel", "apply_kernel_naive", "check_filter_kernel", "check_finite_pixels", "check_image",
           "checked_arguments"]


# ---------------------------------------------------------------------------------------------
# Checking the inputs


def check_filter_kernel(kernel) -> np.ndarray:
    """``kernel`` as a float64 array, or ``ValueError`` unless it is a square of odd size holding
    finite real numbers within ±1e12 (the filter takes any such size; the editor and kernel files
    keep to 3 and 5)."""
    if np.iscomplexobj(kernel):
        raise ValueError("a kernel's weights must be real numbers")
    try:
        array = np.asarray(kernel, dtype=np.float64)
    except (ValueError, TypeError):
        raise ValueError("a kernel must be a square grid of numbers") from None
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise ValueError(f"a kernel must be square, not of shape {array.shape}")
    if array.shape[0] % 2 == 0:
        raise ValueError(f"a kernel needs an odd size so it has a centre pixel, not {array.shape[0]}×{array.shape[1]}")
    return check_kernel_values(array)


def check_image(image) -> np.ndarray:
    """``image`` as an array, or ``ValueError`` unless it is a non-empty ``(H, W)`` or ``(H, W, 3)``
    array of numbers."""
    array = np.asarray(image)
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3)):
        raise ValueError(f"expected an (H, W) grey or (H, W, 3) RGB image, got shape {array.shape}")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ValueError(f"expected image pixels as numbers, got {array.dtype}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError("the image is empty")
    return array


def check_finite_pixels(pixels: np.ndarray) -> None:
    """``ValueError`` unless every value of the float array ``pixels`` is a finite number.

    NaN and ±∞ show in the minimum or the maximum (NaN in both), so two reductions decide.
    """
    if pixels.size and not (math.isfinite(pixels.min()) and math.isfinite(pixels.max())):
        raise ValueError("the image holds values that are not finite numbers (NaN or infinity, or beyond "
                         "float32's ±3.4e38), so its sums would mean nothing")


def _as_float32(image: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # values beyond float32 become ±inf, which the filters refuse
        return image.astype(np.float32, copy=False)


def check_valid_size(shape, size: int) -> None:
    """``ValueError`` when no window of ``size`` fits in an image of ``shape`` under 'valid'."""
    if shape[0] < size or shape[1] < size:
        raise ValueError(
            f"the image ({shape[1]}×{shape[0]}) is smaller than the {size}×{size} kernel, "
            "so 'valid' leaves no output; choose another border mode"
        )


def checked_arguments(image, kernel, border: str, flip: bool) -> tuple[np.ndarray, np.ndarray]:
    """The filters' validated ``image`` and ``kernel`` as applied (turned by 180° for ``flip``)."""
    check_border(border)
    kernel = check_filter_kernel(kernel)
    if flip:
        kernel = kernel[::-1, ::-1]
    image = check_image(image)
    if border == "valid":
        check_valid_size(image.shape, kernel.shape[0])
    return image, kernel


# ---------------------------------------------------------------------------------------------
# The slow, obvious version: what the playground teaches


def apply_kernel_naive(image, kernel, *, border: str = "zero", flip: bool = False) -> np.ndarray:
    """The filter as a double loop: for every output pixel, window × kernel, then sum.

    Same contract as :func:`apply_kernel`, in float64 arithmetic, and slow: it exists to be read
    and to check the fast version against.
    """
    image, kernel = checked_arguments(image, kernel, border, flip)
    size = kernel.shape[0]
    radius = size // 2
    pixels = image.astype(np.float64).reshape(image.shape[0], image.shape[1], -1)
    if image.dtype.kind == "f":
        check_finite_pixels(_as_float32(image))  # as the fast filter sees them
    height, width, channels = pixels.shape
    if border == "valid":
        out_rows, out_cols, shift = range(height - size + 1), range(width - size + 1), radius
    else:
        out_rows, out_cols, shift = range(height), range(width), 0
    result = np.zeros((len(out_rows), len(out_cols), channels), dtype=np.float64)
    for out_row in out_rows:
        for out_col in out_cols:
            row, col = out_row + shift, out_col + shift  # the window's centre in the input
            for channel in range(channels):
                total = 0.0
                for i in range(size):
                    for j in range(size):
                        source_row = int(border_index(row + i - radius, height, border))
                        source_col = int(border_index(col + j - radius, width, border))
                        if source_row >= 0 and source_col >= 0:
                            total += pixels[source_row, source_col, channel] * kernel[i, j]
                result[out_row, out_col, channel] = total
    result = result.astype(np.float32)
    return result[..., 0] if image.ndim == 2 else result


# ---------------------------------------------------------------------------------------------
# The fast version
#
# The image is processed in bands of rows, so the scratch buffers stay in cache. Each band is
# copied, with its border padding, into a flat buffer; an (H, W, 3) band is a flat run of
# H × (W + 2r) × 3 values, so the tap at (dy, dx) is the same buffer shifted by
# dy × row_length + dx × 3 — one contiguous numpy call covers every channel of every pixel of the
# band. (The last 2r columns of each output row read across into the next row; they are computed
# and thrown away, which is cheaper than 2-D strides.) Taps that share a weight are summed before
# one multiplication and zero weights are skipped. Integer kernels (most presets, e.g. blur as
# [1 2 1; 2 4 2; 1 2 1] / 16) run on uint8 input in exact int16, uint16 or float32 arithmetic
# with one division at the end, and those that are an outer product of two integer vectors run
# as a vertical then a horizontal pass. Bands run on the thread pool (kernelplay.common.threads);
# numpy releases the GIL inside ufuncs. benchmarks/bench_filter.py measures the result against
# scipy and OpenCV.

_BAND_ELEMENTS = 384_000  # values per band: ~0.8 MB per int16 scratch buffer (measured best here)
_Groups = list  # [(magnitude, positive (dy, dx) taps, negative (dy, dx) taps)], magnitude 1 first


class _Plan(NamedTuple):
    """How to compute one kernel: the work dtype, one or two stages of taps, the final division.

    A stage adds ``magnitude × (Σ positive taps − Σ negative taps)`` for each of its groups. A
    kernel that is an outer product of two integer vectors (blur, Gaussian, Sobel) runs as a
    vertical stage and then a horizontal one: 2k taps instead of k².
    """

    dtype: np.dtype
    stages: list[_Groups]
    divisor: float


def _group_taps(weights: dict[tuple[int, int], float]) -> _Groups:
    by_magnitude: dict[float, tuple[list, list]] = {}
    for offset, weight in weights.items():
        if weight != 0.0:
            positive, negative = by_magnitude.setdefault(abs(weight), ([], []))
            (positive if weight > 0 else negative).append(offset)
    groups = [(magnitude, positive, negative) for magnitude, (positive, negative) in by_magnitude.items()]
    # Weight ±1 first: those taps go straight into the accumulator, with no multiplication.
    groups.sort(key=lambda group: group[0] != 1.0)
    return groups


def _integer_factors(numerators: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Integer column and row vectors whose outer product is ``numerators``, if there are any."""
    nonzero_rows = np.flatnonzero(np.any(numerators != 0, axis=1))
    if nonzero_rows.size == 0:
        return None
    row = numerators[nonzero_rows[0]].astype(np.int64)
    row //= np.gcd.reduce(np.abs(row))  # the primitive row vector; every row is a multiple of it
    pivot = int(np.flatnonzero(row)[0])
    column = numerators[:, pivot] / row[pivot]
    if not np.all(column == np.round(column)) or not np.array_equal(np.outer(column, row), numerators):
        return None
    return column, row.astype(np.float64)


def _plan(kernel: np.ndarray, integer_input: bool) -> _Plan:
    numerators, divisor = kernel_as_fraction(kernel)
    exact = divisor != 1.0 or np.all(numerators == np.round(numerators))
    if not exact:
        numerators, divisor = kernel, 1.0
    largest = np.abs(numerators).sum() * 255  # the largest possible |sum| for uint8 input
    if integer_input and exact and largest <= np.iinfo(np.int16).max:
        dtype = np.dtype(np.int16)  # exact, and twice the values per cache line of float32
    elif integer_input and exact and largest <= np.iinfo(np.uint16).max and np.all(numerators >= 0):
        dtype = np.dtype(np.uint16)  # e.g. the 5×5 Gaussian (sums up to 256 × 255), still exact
    else:
        dtype = np.dtype(np.float32)  # exact for integer kernels on uint8 (sums stay below 2**24)
    size = kernel.shape[0]
    factors = _integer_factors(numerators) if exact and size > 1 else None
    if factors is not None and np.count_nonzero(numerators) > 2 * size:
        column, row = factors
        stages = [
            _group_taps({(dy, 0): float(column[dy]) for dy in range(size)}),
            _group_taps({(0, dx): float(row[dx]) for dx in range(size)}),
        ]
    else:
        stages = [_group_taps({(dy, dx): float(numerators[dy, dx]) for dy in range(size) for dx in range(size)})]
    return _Plan(dtype, stages, float(divisor))


class _Band:
    """Per-thread scratch buffers for one band of rows."""

    def __init__(self, band_rows: int, radius: int, row_length: int, channels: int, dtype, stages: int):
        self.rows = band_rows
        self.row_length = row_length  # padded width × channels
        self.tail = 2 * radius * channels  # the discarded right-hand columns of the last row read past the end
        self.source = np.zeros((band_rows + 2 * radius) * row_length + self.tail, dtype=dtype)
        self.grid = self.source[: (band_rows + 2 * radius) * row_length].reshape(band_rows + 2 * radius, -1, channels)
        self.total = np.empty(band_rows * row_length, dtype=dtype)
        self.scratch = np.empty(band_rows * row_length + self.tail, dtype=dtype)
        self.middle = np.zeros(band_rows * row_length + self.tail, dtype=dtype) if stages > 1 else None


def _fill_band(band: _Band, pixels, first_padded_row: int, count: int, row_map, col_map, pad: int, border: str):
    """Copy padded rows ``first_padded_row …`` (``count`` of them) of the image into the band."""
    width = pixels.shape[1]
    grid = band.grid
    sources = row_map[first_padded_row: first_padded_row + count]
    first = sources[0]
    if first >= 0 and sources[-1] == first + count - 1 and np.all(np.diff(sources) == 1):
        np.copyto(grid[:count, pad: pad + width], pixels[first: first + count], casting="unsafe")
    else:
        for i, source in enumerate(sources):
            if source >= 0:
                np.copyto(grid[i, pad: pad + width], pixels[source], casting="unsafe")
            else:
                grid[i] = 0
    if pad and border not in ("zero", "valid"):
        # Padding columns copied from the image columns the border mode names (never overlapping).
        grid[:count, :pad] = grid[:count, pad + col_map[:pad]]
        grid[:count, pad + width:] = grid[:count, pad + col_map[pad + width:]]


def _accumulate(source, step: tuple[int, int], groups: _Groups, total, scratch, dtype) -> None:
    """``total = Σ weight × tap`` over the groups; the tap at (dy, dx) starts at dy·step[0] + dx·step[1]."""
    n = total.size
    scratch = scratch[:n]

    def tap(offset):
        start = offset[0] * step[0] + offset[1] * step[1]
        return source[start: start + n]

    started = False
    for magnitude, positive, negative in groups:
        taps = [(tap(t), 1) for t in positive] + [(tap(t), -1) for t in negative]
        target = total if magnitude == 1.0 else scratch
        # target = Σ ± taps; straight into the accumulator when the weight is ±1 and it is under way.
        if target is total and started:
            for view, sign in taps:
                (np.add if sign > 0 else np.subtract)(total, view, out=total)
            continue
        (first_view, first_sign), rest = taps[0], taps[1:]
        if rest:
            second_view, second_sign = rest[0]
            if first_sign > 0:
                (np.add if second_sign > 0 else np.subtract)(first_view, second_view, out=target)
            elif second_sign > 0:
                np.subtract(second_view, first_view, out=target)
            else:
                np.add(first_view, second_view, out=target)
                np.negative(target, out=target)
            rest = rest[1:]
        elif first_sign > 0:
            np.copyto(target, first_view)
        else:
            np.negative(first_view, out=target)
        for view, sign in rest:
            (np.add if sign > 0 else np.subtract)(target, view, out=target)
        if target is scratch:
            factor = int(magnitude) if dtype.kind in "iu" else np.float32(magnitude)
            np.multiply(scratch, factor, out=scratch)
            if started:
                np.add(total, scratch, out=total)
            else:
                np.copyto(total, scratch)
        started = True
    if not started:  # an all-zero kernel
        total[:] = 0


def _filter_band(band: _Band, plan: _Plan, rows: int, channels: int):
    """Run the kernel over a filled band; returns the band's (rows, row_length) weighted sums."""
    n = rows * band.row_length
    step = (band.row_length, channels)
    total = band.total[:n]
    if len(plan.stages) == 1:
        _accumulate(band.source, step, plan.stages[0], total, band.scratch, plan.dtype)
    else:
        # Vertical then horizontal; the middle result keeps the tail the horizontal taps read.
        middle = band.middle[: n + band.tail]
        _accumulate(band.source, step, plan.stages[0], middle, band.scratch, plan.dtype)
        _accumulate(band.middle, step, plan.stages[1], total, band.scratch, plan.dtype)
    return total.reshape(rows, band.row_length)


def apply_kernel(image, kernel, *, border: str = "zero", flip: bool = False) -> np.ndarray:
    """The raw weighted sums of ``kernel`` over ``image``, as float32.

    ``image`` is uint8 or float, ``(H, W)`` or ``(H, W, 3)`` (each channel is filtered on its
    own); float pixels must be finite (``ValueError`` for NaN or infinity). ``kernel`` is a square
    array of odd size, applied as cross-correlation — the top-left weight multiplies the top-left
    pixel of the window — or, with ``flip=True``, turned by 180° first (true convolution).
    ``border`` is one of :data:`~kernelplay.imaging.borders.BORDER_MODES`. The result has the image's shape, or
    ``k − 1`` fewer rows and columns for "valid". Nothing is clipped or rounded: see
    :func:`~kernelplay.imaging.mapping.map_output` for that.
    """
    image, kernel = checked_arguments(image, kernel, border, flip)
    size = kernel.shape[0]
    radius = size // 2
    pad = 0 if border == "valid" else radius
    integer_input = image.dtype == np.uint8
    pixels = image if integer_input else _as_float32(image)
    pixels = pixels.reshape(image.shape[0], image.shape[1], -1)
    height, width, channels = pixels.shape
    padded_width = width + 2 * pad
    out_height, out_width = height + 2 * pad - 2 * radius, padded_width - 2 * radius
    plan = _plan(kernel, integer_input)
    row_map = border_index(np.arange(height + 2 * pad) - pad, height, border)
    col_map = border_index(np.arange(padded_width) - pad, width, border)
    result = np.empty((out_height, out_width, channels), dtype=np.float32)
    row_length = padded_width * channels
    band_rows = max(1, min(out_height, _BAND_ELEMENTS // row_length))

    def run(first_row: int, last_row: int) -> None:
        band = _Band(min(band_rows, last_row - first_row), radius, row_length, channels, plan.dtype, len(plan.stages))
        for top in range(first_row, last_row, band.rows):
            rows = min(band.rows, last_row - top)
            _fill_band(band, pixels, top, rows + 2 * radius, row_map, col_map, pad, border)
            if image.dtype.kind == "f":  # checked here, in cache and in parallel, not in a pass of its own
                check_finite_pixels(band.grid[: rows + 2 * radius])
            sums = _filter_band(band, plan, rows, channels)[:, : out_width * channels]
            target = result[top: top + rows].reshape(rows, out_width * channels)
            if plan.divisor == 1.0:
                np.copyto(target, sums, casting="unsafe")
            else:
                np.divide(sums, np.float32(plan.divisor), out=target, casting="unsafe")

    run_in_slices(run, out_height, out_height * row_length)
    return result[..., 0] if image.ndim == 2 else result
