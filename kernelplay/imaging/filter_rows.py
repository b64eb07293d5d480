"""The filter as matrix products: float weights in BLAS, a few passes over the band.

With every weight a different float, the shifted taps of :mod:`kernelplay.imaging.filter_taps`
cost a multiplication and an addition per weight — 50 passes over the band for a 5×5 kernel.
Here a ``(k, k)`` kernel costs one matrix product per output row and ``k − 1`` additions:

1. Per output row ``y``, ``V[y] = Kᵀ @ S[y : y + k]``: the ``k`` source rows the window covers
   (``k`` rows of the padded band, a plain BLAS matrix with the band's row stride) mixed by the
   kernel's columns, so ``V[y, j] = Σ_i K[i, j] · S[y + i]`` — column ``j``'s vertical sum, for
   every position of the row at once. numpy's ``matmul`` runs the rows of a band in one call, each
   a small single-threaded BLAS product.
2. ``out[y] = Σ_j V[y, j]`` shifted left by ``j`` pixels: ``k − 1`` additions of whole rows.

All in float32, in bands that stay in cache; the sums are those of float32 arithmetic (each
output the sum of ``k²`` rounded products, as OpenCV's ``filter2D`` computes them). A kernel of
whole numbers (``numerators / divisor``) runs on its numerators and divides once at the end, so on
uint8 input its sums are exact while they stay below 2**24.

Measured (``benchmarks/bench_filter.py``): a random 5×5 at 1920×1080 in ~1/3 of the shifted taps'
time. The same product with the row windows of :mod:`kernelplay.nn.fast.layers` (``k`` values per
position copied) or with ``k`` rows of output at once (a banded matrix, ~1.6× the multiplications)
measured slower.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["RowBand", "ROW_PRODUCT_COLUMNS"]

# Columns per matrix product: OpenBLAS splits a product over its own threads once rows × columns ×
# depth passes ~500,000, which would fight the filter's own threads for the cores.
ROW_PRODUCT_COLUMNS = 16_384


class RowBand:
    """Per-thread buffers for ``rows`` output rows: the padded float32 source (``grid`` is its
    ``(rows + 2r, padded width, C)`` view) and the per-row column sums ``V``."""

    def __init__(self, weights: np.ndarray, divisor: float, rows: int, radius: int, row_length: int, channels: int):
        self.size = weights.shape[0]
        self.kernel_columns = np.ascontiguousarray(weights.T, dtype=np.float32)  # Kᵀ: V[y] = Kᵀ @ S[y : y + k]
        self.divisor = divisor
        self.rows, self.row_length, self.channels = rows, row_length, channels
        self.source = np.zeros((rows + 2 * radius) * row_length, dtype=np.float32)
        self.grid = self.source.reshape(rows + 2 * radius, -1, channels)
        self.columns = np.empty((rows, self.size, row_length), dtype=np.float32)

    def filter(self, rows: int, out_columns: int, target: np.ndarray) -> None:
        """Filter the filled band (``rows`` output rows) into ``target``, float32 ``(rows, out_columns)``."""
        k, length = self.size, self.row_length
        item = self.source.itemsize
        columns = self.columns[:rows]
        # The k source rows of each output row, overlapping from one output row to the next.
        windows = as_strided(self.source, (rows, k, length), (length * item, length * item, item), writeable=False)
        step = max(1, ROW_PRODUCT_COLUMNS * 25 // (k * k))
        for first in range(0, length, step):
            last = min(length, first + step)
            np.matmul(self.kernel_columns, windows[:, :, first:last], out=columns[:, :, first:last])
        shift = self.channels
        if k == 1:
            np.copyto(target, columns[:, 0, :out_columns])
        else:
            np.add(columns[:, 0, :out_columns], columns[:, 1, shift: shift + out_columns], out=target)
        for j in range(2, k):
            np.add(target, columns[:, j, j * shift: j * shift + out_columns], out=target)
        if self.divisor != 1.0:
            np.divide(target, np.float32(self.divisor), out=target)
