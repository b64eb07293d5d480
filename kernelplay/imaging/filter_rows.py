"""The filter as matrix products: float weights in BLAS, a few passes over the band.

With every weight a different float, the shifted taps of :mod:`kernelplay.imaging.filter_taps`
cost a multiplication and an addition per weight — 50 passes over the band for a 5×5 kernel.
Here a ``(k, k)`` kernel costs one matrix product per output row and ``k − 1`` additions:

1. Per output row ``y``, ``V[y] = Kᵀ @ S[y : y + k]``: the ``k`` source rows the window covers
   (``k`` rows of the padded band, a plain BLAS matrix with the band's row stride) mixed by the
   kernel's columns, so ``V[y, j] = Σ_i K[i, j] · S[y + i]`` — column ``j``'s vertical sum, for
   every position of the row at once. Two (3×3: three) output rows share one product, with a
   banded matrix ``T[(y, j), y + i] = K[i, j]`` over their ``g + k − 1`` source rows: a few zeros
   multiplied, fewer BLAS calls (−11 % for 5×5). numpy's ``matmul`` runs the groups of a band in
   one call, each a small single-threaded BLAS product.
2. ``out[y] = Σ_j V[y, j]`` shifted left by ``j`` pixels: ``k − 1`` additions of whole rows.

All in float32, in bands that stay in cache; the sums are those of float32 arithmetic (each
output the sum of ``k²`` rounded products, as OpenCV's ``filter2D`` computes them). A kernel of
whole numbers (``numerators / divisor``) runs on its numerators and divides once at the end, so on
uint8 input its sums are exact while they stay below 2**24.

Measured (``benchmarks/bench_filter.py``): a random 5×5 at 1920×1080 in ~1/3 of the shifted taps'
time. The same product with the row windows of :mod:`kernelplay.nn.fast.layers` (``k`` values per
position copied), with ``k`` planes of whole bands (one product per band), or with more output rows
per product (more zeros, and products big enough for OpenBLAS to split over threads) measured
slower.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["RowBand"]

# OpenBLAS splits a product over its own threads once rows × columns × depth passes 524,288
# (2 × 65,536 × GEMM_MULTITHREAD_THRESHOLD), which would fight the filter's own threads for the
# cores: products are cut into column chunks below that.
PRODUCT_SIZE = 480_000


def _banded(weights: np.ndarray, group: int) -> np.ndarray:
    """``T`` of shape ``(group · k, group + k − 1)`` with ``T[(y, j), y + i] = K[i, j]``."""
    k = weights.shape[0]
    banded = np.zeros((group, k, group + k - 1), dtype=np.float32)
    for y in range(group):
        banded[y, :, y: y + k] = weights.T
    return banded.reshape(group * k, group + k - 1)


class RowBand:
    """Per-thread buffers for ``rows`` output rows: the padded float32 source (``grid`` is its
    ``(rows + 2r, padded width, C)`` view) and the per-row column sums ``V``."""

    def __init__(self, weights: np.ndarray, divisor: float, rows: int, radius: int, row_length: int, channels: int):
        self.size = k = weights.shape[0]
        self.group = 3 if k == 3 else 2 if k > 1 else 1  # output rows per product (measured best)
        self.banded = _banded(weights.astype(np.float32), self.group)
        self.divisor = divisor
        self.rows, self.row_length, self.channels = rows, row_length, channels
        self.source = np.zeros((rows + 2 * radius) * row_length, dtype=np.float32)
        self.grid = self.source.reshape(rows + 2 * radius, -1, channels)
        self.columns = np.empty((rows, self.size, row_length), dtype=np.float32)

    def _products(self, rows: int) -> None:
        """``columns[y, j] = Σ_i K[i, j] · source[y + i]`` for the band's first ``rows`` rows."""
        k, length, group = self.size, self.row_length, self.group
        item = self.source.itemsize
        full, rest = divmod(rows, group)
        for first_row, count, size in ((0, full, group), (full * group, 1 if rest else 0, rest)):
            if not count:
                continue
            banded = self.banded[: size * k, : size + k - 1]
            # the size + k − 1 source rows of each group of output rows, overlapping between groups
            windows = as_strided(self.source[first_row * length:], (count, size + k - 1, length),
                                 (size * length * item, length * item, item), writeable=False)
            out = self.columns[first_row: first_row + count * size].reshape(count, size * k, length)
            step = max(256, PRODUCT_SIZE // banded.size)
            for first in range(0, length, step):
                last = min(length, first + step)
                np.matmul(banded, windows[:, :, first:last], out=out[:, :, first:last])

    def filter(self, rows: int, out_columns: int, target: np.ndarray) -> None:
        """Filter the filled band (``rows`` output rows) into ``target``, float32 ``(rows, out_columns)``."""
        k = self.size
        self._products(rows)
        columns = self.columns[:rows]
        shift = self.channels
        if k == 1:
            np.copyto(target, columns[:, 0, :out_columns])
        else:
            np.add(columns[:, 0, :out_columns], columns[:, 1, shift: shift + out_columns], out=target)
        for j in range(2, k):
            np.add(target, columns[:, j, j * shift: j * shift + out_columns], out=target)
        if self.divisor != 1.0:
            np.divide(target, np.float32(self.divisor), out=target)
