"""Applying a kernel to an image: the slow loop the playground teaches and the fast banded filter.

Images are ``(H, W)`` grey or ``(H, W, 3)`` RGB, uint8 or float. The kernel is applied as
cross-correlation, the way the playground shows it: the top-left weight multiplies the top-left
pixel of the window. ``flip=True`` turns the kernel by 180° first, which is true convolution.

Border modes (what the window sees outside the image) are :mod:`kernelplay.imaging.borders`; turning
the raw sums into 0..255 pixels is :mod:`kernelplay.imaging.mapping`.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from kernelplay.common.threads import run_in_chunks, worker_count
from kernelplay.imaging.borders import border_index, check_border
from kernelplay.imaging.filter_rows import RowBand
from kernelplay.imaging.filter_taps import TapBand, TapPlan, tap_plan
from kernelplay.imaging.images import luminance_into
from kernelplay.imaging.kernels import check_kernel_values, kernel_as_fraction

__all__ = ["apply_kernel", "apply_kernel_naive", "check_filter_kernel", "check_finite_pixels", "check_image",
           "checked_arguments", "filter_bands", "output_shape", "output_window", "raw_sums_at"]


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
# The image is filtered in bands of rows, so the scratch buffers stay in cache. Each band is
# copied, with its border padding, into a buffer of the work dtype; then one of two ways computes
# its sums:
#
# - shifted taps (kernelplay.imaging.filter_taps): integer kernels on uint8 input in exact int16
#   or uint16 arithmetic, a numpy call per distinct weight or ±1 tap, or one weighted sum of all
#   the taps (np.einsum) where the distinct weights would cost more calls than there are taps;
# - row products (kernelplay.imaging.filter_rows): float32 matrix products in BLAS, one per output
#   row, and k − 1 additions; float weights cost a pass per tap the other way.
#
# _method weighs the passes each would make (costs in "one int16 pass over the band" units,
# measured on one core with OpenBLAS's AVX2 kernels) and takes the cheaper. Bands are handed to
# the thread pool's workers as they come free (kernelplay.common.threads.run_in_chunks); numpy
# and BLAS release the GIL while they compute.

_BAND_ELEMENTS = 768_000  # values per tap band: 1.5 MB per int16 buffer (fewer numpy calls beat L2: 384_000 was 5-25 % slower)
_ROW_BAND_FLOATS = 1 << 20  # float32 values in a row band's source and column sums (4 MB: fewer calls beat L2)
# Costs per value of the band, in int16 passes (~0.2 ms for 1920×1080 RGB on one core):
_PASS_COST = {"i": 1.0, "u": 1.0, "f": 2.0}  # one numpy call in int16, uint16, float32
_FILL_COST = {"i": 1.0, "u": 1.0, "f": 2.0}  # uint8 into the band's dtype (float input: 1.5)
_TO_FLOAT_COST, _DIVIDE_COST = 2.0, 2.0  # the sums into the float32 result, the final division


def _row_cost(size: int) -> float:
    """The row products' cost for a size × size kernel: the float32 fill, the products (cost grows
    with k², plus BLAS's per-row overhead) and the k − 1 shifted additions."""
    return _FILL_COST["f"] + 1.2 * size * size + 6.0 + 3.5 * (size - 1) + _TO_FLOAT_COST


def _method(kernel: np.ndarray, integer_input: bool):
    """The cheaper way for ``kernel``: a :class:`TapPlan` or ``("rows", weights, divisor)``."""
    kernel = np.ascontiguousarray(kernel, dtype=np.float64)
    return _cached_method(kernel.tobytes(), kernel.shape[0], integer_input)


@functools.lru_cache(maxsize=64)
def _cached_method(weights: bytes, size: int, integer_input: bool):
    # Planning costs ~50 µs (each weight as a fraction): once per kernel, not per call — the
    # playground filters small images with one kernel many times (hover, the sliding window).
    kernel = np.frombuffer(weights, dtype=np.float64).reshape(size, size)
    plan = tap_plan(kernel, integer_input)
    kind = plan.dtype.kind
    fill = _FILL_COST[kind] if integer_input else 1.5
    tap_cost = plan.passes * _PASS_COST[kind] + fill + _TO_FLOAT_COST + (plan.divisor != 1.0) * _DIVIDE_COST
    numerators, divisor = kernel_as_fraction(kernel)
    row_cost = _row_cost(kernel.shape[0]) + (divisor != 1.0) * _DIVIDE_COST
    if tap_cost <= row_cost:
        return plan
    numerators.setflags(write=False)  # shared by every call with this kernel
    return ("rows", numerators, divisor)


def _copy_rows(out: np.ndarray, rows: np.ndarray) -> None:
    np.copyto(out, rows, casting="unsafe")


def _fill_band(grid: np.ndarray, pixels, first_padded_row: int, count: int, row_map, col_map, pad: int, border: str,
               fill_rows=_copy_rows):
    """Copy padded rows ``first_padded_row …`` (``count`` of them) of the image into ``grid``:
    ``fill_rows(out, rows)`` writes image ``rows`` into the grid's ``out`` (as they are, or their luminance)."""
    width = pixels.shape[1]
    sources = row_map[first_padded_row: first_padded_row + count]
    # Runs of consecutive image rows, one call each: a band at the top or bottom edge is its
    # padding rows and one run, not a call per row. A zero row (−1) is a run of its own.
    outside = sources < 0
    breaks = (np.flatnonzero((np.diff(sources) != 1) | outside[1:] | outside[:-1]) + 1).tolist()
    for start, stop in zip([0] + breaks, breaks + [count]):
        first = int(sources[start])
        if first >= 0:
            fill_rows(grid[start:stop, pad: pad + width], pixels[first: first + stop - start])
        else:
            grid[start:stop] = 0
    if pad and border not in ("zero", "valid"):
        # Padding columns copied from the image columns the border mode names (never overlapping).
        grid[:count, :pad] = grid[:count, pad + col_map[:pad]]
        grid[:count, pad + width:] = grid[:count, pad + col_map[pad + width:]]


def filter_bands(image, kernel, border: str, start_sink, *, luminance: bool = False) -> tuple[int, int, int]:
    """Filter a checked ``image`` with a checked ``kernel`` (as applied) band by band.

    ``start_sink()`` is called once in each worker thread and returns ``(target, done)``:
    ``target(top, rows)`` gives the float32 ``(rows, out_width × C)`` array the band's sums go into
    and ``done(top, rows, sums)`` is called once they are there. Returns the output's
    ``(height, width, channels)``. :func:`apply_kernel` writes the bands into its result;
    :func:`~kernelplay.imaging.mapping.filter_and_map` maps them to pixels while they are in cache.
    ``luminance=True`` filters the luminance of an RGB image (one channel), computed a band at a
    time (:func:`~kernelplay.imaging.images.luminance_into`), never for the whole image.
    """
    size = kernel.shape[0]
    radius = size // 2
    pad = 0 if border == "valid" else radius
    if luminance:
        if image.ndim != 3:
            raise ValueError(f"only an RGB image has a luminance to filter, not one of shape {image.shape}")
        integer_input, pixels = False, image
        height, width, channels = image.shape[0], image.shape[1], 1
    else:
        integer_input = image.dtype == np.uint8
        pixels = image if integer_input else _as_float32(image)
        pixels = pixels.reshape(image.shape[0], image.shape[1], -1)
        height, width, channels = pixels.shape
    padded_width = width + 2 * pad
    out_height, out_width = height + 2 * pad - 2 * radius, padded_width - 2 * radius
    row_map = border_index(np.arange(height + 2 * pad) - pad, height, border)
    col_map = border_index(np.arange(padded_width) - pad, width, border)
    row_length = padded_width * channels
    out_columns = out_width * channels
    method = _method(kernel, integer_input)
    if isinstance(method, TapPlan):
        # big bands (fewer numpy calls), but at least two per worker where the image allows
        band_rows = max(1, min(out_height, _BAND_ELEMENTS // row_length, -(-out_height // (2 * worker_count()))))

        def new_band():
            return TapBand(method, band_rows, radius, row_length, channels)
    else:
        _, weights, divisor = method
        band_rows = max(1, min(out_height, _ROW_BAND_FLOATS // ((size + 1) * row_length)))

        def new_band():
            return RowBand(weights, divisor, band_rows, radius, row_length, channels)

    def start_worker():
        band = new_band()
        target, done = start_sink()
        fill_rows = _copy_rows
        if luminance:
            scratch = np.empty((band_rows + 2 * radius, width), dtype=np.float32)

            def fill_rows(out: np.ndarray, rows: np.ndarray) -> None:
                luminance_into(rows, out[..., 0], scratch[: rows.shape[0]])

        def run(top: int, stop: int) -> None:
            rows = stop - top
            _fill_band(band.grid, pixels, top, rows + 2 * radius, row_map, col_map, pad, border, fill_rows)
            if image.dtype.kind == "f":  # checked here, in cache and in parallel, not in a pass of its own
                check_finite_pixels(band.grid[: rows + 2 * radius])
            sums = target(top, rows)
            band.filter(rows, out_columns, sums)
            if done is not None:
                done(top, rows, sums)
        return run

    run_in_chunks(start_worker, out_height, band_rows, out_height * row_length)
    return out_height, out_width, channels


def output_shape(image: np.ndarray, kernel: np.ndarray, border: str, *, luminance: bool = False) -> tuple:
    """The shape of the raw sums for a checked ``image`` and ``kernel`` (of its luminance: one channel)."""
    shrink = 0 if border != "valid" else kernel.shape[0] - 1
    return (image.shape[0] - shrink, image.shape[1] - shrink) + (() if luminance else image.shape[2:])


def apply_kernel(image, kernel, *, border: str = "zero", flip: bool = False) -> np.ndarray:
    """The raw weighted sums of ``kernel`` over ``image``, as float32.

    ``image`` is uint8 or float, ``(H, W)`` or ``(H, W, 3)`` (each channel is filtered on its
    own); float pixels must be finite (``ValueError`` for NaN or infinity). ``kernel`` is a square
    array of odd size, applied as cross-correlation — the top-left weight multiplies the top-left
    pixel of the window — or, with ``flip=True``, turned by 180° first (true convolution).
    ``border`` is one of :data:`~kernelplay.imaging.borders.BORDER_MODES`. The result has the image's shape, or
    ``k − 1`` fewer rows and columns for "valid". Nothing is clipped or rounded: see
    :func:`~kernelplay.imaging.mapping.map_output` for that. Sums are exact for kernels of whole
    numbers (or fractions of them, such as blur's ÷ 16) on uint8 images, else float32 sums of the
    ``k²`` products.
    """
    image, kernel = checked_arguments(image, kernel, border, flip)
    result = np.empty(output_shape(image, kernel, border), dtype=np.float32)
    rows_of = result.reshape(result.shape[0], -1)

    def start_sink():
        return (lambda top, rows: rows_of[top: top + rows]), None

    filter_bands(image, kernel, border, start_sink)
    return result


# ---------------------------------------------------------------------------------------------
# One output pixel


def output_window(image, size: int, row: int, col: int, border: str) -> np.ndarray:
    """The ``size × size`` input values the window of output pixel ``(row, col)`` covers, with what
    ``border`` puts outside the image (0 for "zero"): ``(size, size)`` or ``(size, size, 3)``, in the
    image's dtype. ``IndexError`` when the output has no such pixel."""
    check_border(border)
    image = check_image(image)
    height, width = image.shape[:2]
    radius = size // 2
    shrink = size - 1 if border == "valid" else 0
    row, col = int(row), int(col)
    if not (0 <= row < height - shrink and 0 <= col < width - shrink):
        raise IndexError(f"output pixel (row {row}, column {col}) is outside the "
                         f"{width - shrink}×{height - shrink} output")
    shift = radius if border == "valid" else 0  # the window's centre in the input
    rows = border_index(np.arange(row + shift - radius, row + shift + radius + 1), height, border)
    cols = border_index(np.arange(col + shift - radius, col + shift + radius + 1), width, border)
    window = image[np.ix_(np.maximum(rows, 0), np.maximum(cols, 0))]
    window[(rows < 0)[:, None] | (cols < 0)[None, :]] = 0
    return window


def raw_sums_at(image, kernel, row: int, col: int, *, border: str = "zero", flip: bool = False) -> np.ndarray:
    """``apply_kernel(image, kernel, border=border, flip=flip)[row, col]`` from that pixel's window
    alone: a float32 scalar for a grey image, ``(3,)`` for RGB.

    The same filter runs over the ``k × k`` window (:func:`output_window`) as over the whole image,
    so the playground can show the sum under the cursor without keeping every raw sum (4× an RGB
    image). For 3×3 and 5×5 kernels the sums are bit for bit those of the whole image (tested); for
    larger float kernels BLAS may round the last bit differently for a different size of product.
    """
    kernel = check_filter_kernel(kernel)
    window = output_window(image, kernel.shape[0], row, col, border)
    return apply_kernel(window, kernel, border="valid", flip=flip)[0, 0]
