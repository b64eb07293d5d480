"""The filter as shifted taps: exact integer arithmetic for kernels of small whole numbers.

A band of the image sits, with its border padding, in one flat buffer; an ``(H, W, 3)`` band is a
flat run of ``H × (W + 2r) × 3`` values, so the tap at ``(dy, dx)`` is the same buffer shifted by
``dy × row_length + dx × 3`` — one contiguous numpy call covers every channel of every pixel of the
band. (The last ``2r`` columns of each output row read across into the next row; they are computed
and thrown away, which is cheaper than 2-D strides.)

Integer kernels (most presets, e.g. blur as ``[1 2 1; 2 4 2; 1 2 1] / 16``, and typed decimals such
as ``0.7 = 7 / 10``) run on uint8 input in exact int16 or uint16 arithmetic with one division at the
end, so their sums are exact and the division rounds once. Taps that share a weight are summed
before one multiplication and weights ±1 need none; a kernel that is an outer product of two
integer vectors runs as a vertical then a horizontal pass. Each pass is one numpy call over the
band: :attr:`TapPlan.passes` counts them, so :mod:`kernelplay.imaging.filtering` can weigh this way
against the matrix products of :mod:`kernelplay.imaging.filter_rows` (which win for float weights,
where every tap would cost a multiplication and an addition).

Where the kernel's many distinct weights would cost more steps than it has taps (the lecture's
``10 20 10 / 7 −12 7 / −10 −20 −19``: 13 steps, 9 taps), the band is one weighted sum instead,
``np.einsum`` over the taps as a strided ``(k, k, n)`` view: each tap's product is added to the
total in the same loop, one pass per tap and one numpy call (−10 % at 1920×1080 on two threads,
in-process A/B with each call after an OpenCV call: a call right after one of our own finds its
output's memory still in cache and runs ~12 % faster, which biases back-to-back comparisons).

Every pass counts (at 1920×1080 RGB on two threads, ~5 % of OpenCV's time each), but so does every
band-sized buffer. Sums shared between rows were built and measured: a pattern that recurs in
several rows (the lecture's ``10 20 10 / 7 −12 7 / −10 −20 −19`` holds ``1 0 1`` in every row and
``1 2 1`` in two) computed once per band into a buffer of its own and read shifted by rows, which
took that kernel from 13 passes to 11. On one thread the band's arithmetic took 2 % less time and
a call the same; on two, 1920×1080 calls were slower in 12 of 14 in-process runs interleaved
with OpenCV (median +4 %, from −3 % to +11 %), 4000×3000 ones +2 % (−5 % to +10 %): the two extra
1.5 MB buffers per thread cost about what the passes saved, or more. The pair alone (12 passes, one
buffer) was ~6 % slower; kept in the scratch buffer instead, 0-2 % faster. Only a pass saved
without a new buffer pays here.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from kernelplay.imaging.kernels import kernel_as_fraction

__all__ = ["TapPlan", "TapBand", "WeightedSum", "tap_plan"]

# One step of a stage: (ufunc name, first operand, second operand or factor, output), where an
# operand is a tap offset (dy, dx), "total" or "scratch".
_Step = tuple


class WeightedSum(NamedTuple):
    """A stage of one call: ``total = Σ weights[i, j] × tap (top + i, left + j)``, ``weights`` in
    the work dtype."""

    top_left: tuple[int, int]
    weights: np.ndarray


class TapPlan(NamedTuple):
    """How to compute one kernel by taps: the work dtype, one or two stages, the division.

    A stage is a list of steps or a :class:`WeightedSum`. A kernel that is an outer product of two
    integer vectors (blur, Gaussian, Sobel) runs as a vertical stage and then a horizontal one: 2k
    taps instead of k².
    """

    dtype: np.dtype
    stages: list[list[_Step] | WeightedSum]
    divisor: float

    @property
    def passes(self) -> int:
        """Passes over the band, the arithmetic only: one per step, one per tap of a weighted sum."""
        return sum(stage.weights.size if isinstance(stage, WeightedSum) else len(stage) for stage in self.stages)


def _group_taps(weights: dict[tuple[int, int], float]) -> list:
    """[(magnitude, [(offset, sign), …])] for the non-zero weights, magnitude 1 first."""
    by_magnitude: dict[float, list] = {}
    for offset, weight in weights.items():
        if weight != 0.0:
            by_magnitude.setdefault(abs(weight), []).append((offset, 1 if weight > 0 else -1))
    groups = [(magnitude, sorted(taps, key=lambda tap: -tap[1])) for magnitude, taps in by_magnitude.items()]
    groups.sort(key=lambda group: group[0] != 1.0)  # weight ±1 first: straight into the total
    if len(groups) > 1 and groups[0][0] == 1.0 and (groups[0][1][0][1] < 0 or len(groups[0][1]) == 1):
        # Only −1 taps (sharpen, outline) or a single +1 tap: start with another group, ideally a
        # single tap (one multiplication by its signed weight), and add or subtract them to it,
        # rather than negate them or copy the one tap (2 × centre + corner: 2 passes, not 3).
        unit = groups.pop(0)
        starter = next((group for group in groups if len(group[1]) == 1), groups[0])
        groups.remove(starter)
        groups = [starter, unit] + groups
    return groups


def _steps(weights: dict[tuple[int, int], float], signed: bool) -> list[_Step]:
    """The steps that leave ``total = Σ weight × tap``: taps of one magnitude are added (or
    subtracted) first and multiplied once. ``signed``: the dtype holds negative numbers."""
    steps: list[_Step] = []
    started = False
    for magnitude, taps in _group_taps(weights):
        if started and magnitude == 1.0:
            steps += [("add" if sign > 0 else "subtract", "total", offset, "total") for offset, sign in taps]
            continue
        if len(taps) == 1 and magnitude != 1.0:
            (offset, sign), = taps
            if not started:
                steps.append(("multiply", offset, sign * magnitude, "total"))
            else:
                steps.append(("multiply", offset, magnitude, "scratch"))
                steps.append(("add" if sign > 0 else "subtract", "total", "scratch", "total"))
            started = True
            continue
        target = "scratch" if started else "total"
        # Positive taps come first, so only an all-negative group starts with a negation.
        negate = taps[0][1] < 0
        signs = [-sign for _, sign in taps] if negate else [sign for _, sign in taps]
        offsets = [offset for offset, _ in taps]
        if len(taps) == 1:
            steps.append(("negative", offsets[0], None, target) if negate else ("copy", offsets[0], None, target))
            negate = False
        else:
            steps.append(("add" if signs[1] > 0 else "subtract", offsets[0], offsets[1], target))
            steps += [("add" if sign > 0 else "subtract", target, offset, target) for offset, sign in zip(offsets[2:], signs[2:])]
        factor = -magnitude if negate else magnitude
        if negate and (not signed or factor == -1.0):
            steps.append(("negative", target, None, target))
            factor = magnitude
        if factor != 1.0:
            steps.append(("multiply", target, factor, target))
        if started:
            steps.append(("add", "total", "scratch", "total"))
        started = True
    if not started:  # an all-zero kernel
        steps.append(("zero", None, None, "total"))
    return steps


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


def _step_cost(steps: list[_Step]) -> float:
    """The steps' memory traffic in passes: half a pass for each band buffer a step touches (the
    source, whatever taps it reads, the total, the scratch), so ``total *= 10`` costs half of
    ``total += tap`` (measured: 15 against 30 µs on a 1.5 MB band)."""
    def buffers(step: _Step) -> set:
        _, first, second, out = step
        return {"source" if isinstance(name, tuple) else name for name in (first, second, out) if isinstance(name, (str, tuple))}
    return sum(0.5 * len(buffers(step)) for step in steps)


def _weighted_sum(numerators: np.ndarray, dtype: np.dtype) -> WeightedSum:
    """The kernel's non-zero rows and columns as one :class:`WeightedSum`."""
    rows = np.flatnonzero(np.any(numerators != 0, axis=1))
    columns = np.flatnonzero(np.any(numerators != 0, axis=0))
    weights = numerators[rows[0]: rows[-1] + 1, columns[0]: columns[-1] + 1].astype(dtype)
    weights.setflags(write=False)  # shared by every band and call with this kernel
    return WeightedSum((int(rows[0]), int(columns[0])), weights)


def tap_plan(kernel: np.ndarray, integer_input: bool) -> TapPlan:
    """The cheapest tap plan for ``kernel`` (as applied) on uint8 (``integer_input``) or float32."""
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
        dtype = np.dtype(np.float32)  # exact for integer kernels on uint8 while sums stay below 2**24
    signed = dtype.kind != "u"
    size = kernel.shape[0]
    stages = [_steps({(dy, dx): float(numerators[dy, dx]) for dy in range(size) for dx in range(size)}, signed)]
    factors = _integer_factors(numerators) if exact and size > 1 else None
    if factors is not None:
        column, row = factors
        separable = [_steps({(dy, 0): float(column[dy]) for dy in range(size)}, signed),
                     _steps({(0, dx): float(row[dx]) for dx in range(size)}, signed)]
        if sum(map(len, separable)) < len(stages[0]):
            stages = separable
    if dtype.kind in "iu" and np.any(numerators != 0):
        # exact in any order: an integer weighted sum when its taps cost less than the steps
        whole = _weighted_sum(numerators, dtype)
        if whole.weights.size < sum(map(_step_cost, stages)):
            stages = [whole]
    return TapPlan(dtype, stages, float(divisor))


class TapBand:
    """Per-thread buffers for one band of ``rows`` output rows: the padded source (``grid`` is its
    ``(rows + 2r, padded width, C)`` view) and the sums."""

    def __init__(self, plan: TapPlan, rows: int, radius: int, row_length: int, channels: int):
        self.plan, self.rows, self.row_length, self.channels = plan, rows, row_length, channels
        self.tail = 2 * radius * channels  # what the discarded right-hand columns of the last row read past the end
        dtype = plan.dtype
        self.source = np.zeros((rows + 2 * radius) * row_length + self.tail, dtype=dtype)
        self.grid = self.source[: (rows + 2 * radius) * row_length].reshape(rows + 2 * radius, -1, channels)
        self.total = np.empty(rows * row_length, dtype=dtype)
        self.scratch = np.empty(rows * row_length, dtype=dtype)
        self.middle = np.zeros(rows * row_length + self.tail, dtype=dtype) if len(plan.stages) > 1 else None

    def _run(self, stage: list[_Step] | WeightedSum, source: np.ndarray, total: np.ndarray) -> None:
        n = total.size
        if isinstance(stage, WeightedSum):
            (top, left), weights = stage
            item = source.itemsize
            start = top * self.row_length + left * self.channels
            taps = as_strided(source[start:], (*weights.shape, n),
                              (self.row_length * item, self.channels * item, item), writeable=False)
            np.einsum("ijn,ij->n", taps, weights, out=total)
            return
        step = (self.row_length, self.channels)
        scratch = self.scratch[:n]
        kind = self.plan.dtype.kind

        def operand(name):
            if name == "total":
                return total
            if name == "scratch":
                return scratch
            start = name[0] * step[0] + name[1] * step[1]
            return source[start: start + n]

        for ufunc, a, b, out in stage:
            target = operand(out)
            if ufunc == "multiply":
                factor = int(b) if kind in "iu" else np.float32(b)
                np.multiply(operand(a), factor, out=target)
            elif ufunc == "copy":
                np.copyto(target, operand(a))
            elif ufunc == "negative":
                np.negative(operand(a), out=target)
            elif ufunc == "zero":
                target[:] = 0
            else:
                getattr(np, ufunc)(operand(a), operand(b), out=target)

    def filter(self, rows: int, out_columns: int, target: np.ndarray) -> None:
        """Filter the filled band (``rows`` output rows) into ``target``, float32 ``(rows, out_columns)``."""
        n = rows * self.row_length
        total = self.total[:n]
        if len(self.plan.stages) == 1:
            self._run(self.plan.stages[0], self.source, total)
        else:
            # Vertical then horizontal; the middle result keeps the tail the horizontal taps read.
            self._run(self.plan.stages[0], self.source, self.middle[:n])
            self._run(self.plan.stages[1], self.middle, total)
        sums = total.reshape(rows, self.row_length)[:, :out_columns]
        if self.plan.divisor == 1.0:
            np.copyto(target, sums, casting="unsafe")
        else:  # in float32 (whole-number sums below 2**24 are exact there): one rounding
            np.divide(sums, np.float32(self.plan.divisor), out=target, casting="unsafe")
