"""What training hands out — :class:`StepResult`, :class:`Snapshot`, :class:`StopReason`, and
:class:`StepView` (the network as it was at a checkpoint) — and what a viewer keeps of it
(:class:`CurveHistory`). numpy only.

Everything here is frozen and holds copies, so it can cross to another thread or process (all
picklable) while training goes on.
"""
from __future__ import annotations

import bisect
import enum
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from kernelplay.nn.config import NetworkConfig

if TYPE_CHECKING:
    from kernelplay.nn.evaluation import Evaluation

__all__ = ["StopKind", "StopReason", "StepResult", "Snapshot", "StepView", "CurveHistory", "MAX_CURVE_POINTS"]

MAX_CURVE_POINTS = 4_000  # per curve: more than a plot has pixels across, and a redraw stays cheap


class StopKind(enum.Enum):
    """Why a run ended by itself."""

    EPOCHS_DONE = "epochs done"
    STEPS_DONE = "steps done"
    TIME_USED = "time used"
    DIVERGED = "diverged"  # the loss became NaN/inf or exploded; the last good weights came back


@dataclass(frozen=True)
class StopReason:
    """Why a run ended: the ``kind`` for code, the ``message`` for people (e.g. ``"1 epoch done"``,
    ``"diverged at step 12: the loss exploded to 3.1e+03 (…); restored the last good weights (…)"``)."""

    kind: StopKind
    message: str

    @property
    def diverged(self) -> bool:
        return self.kind is StopKind.DIVERGED

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class StepResult:
    """What one training step did. ``diverged`` is None, or why the step was refused (the loss was
    NaN/inf or exploded; the weights were restored to the last good ones)."""

    step: int
    epoch: float
    samples_seen: int
    loss: float
    batch_accuracy: float
    running_loss: float
    running_accuracy: float
    samples_per_second: float
    batch_size: int
    learning_rate: float
    diverged: StopReason | None = None


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The state of training at one moment; every array is a copy owned by the snapshot.

    step, epoch (fractional, samples_seen / training-set size), samples_seen, loss (last batch),
    running_loss / running_accuracy (over about the last 1,000 training samples),
    heldout_accuracy (set when the held-out set was evaluated for this snapshot, else None),
    latest_heldout_accuracy (the last evaluation so far, or None), samples_per_second,
    kernels ``{"conv1": (C_out, C_in, k, k), …}``, probe_image ``(28, 28)`` float in [0, 1],
    probe_label (or None), activations of the probe ``{"input": (1,28,28), "conv1": (16,28,28),
    "pool1", …, "flatten": (F,), "fc1": (W,), "scores": (10,)}`` in forward order, scores (10,)
    softmax, predicted digit, settings (learning_rate, batch_size, optimizer), config,
    weights ``{name: array}`` (all parameters, or None), elapsed_seconds (since :func:`train` began),
    final (the run ended), stopped_reason (why it ended, a :class:`StopReason`, on a final
    snapshot) and frozen_channels (the conv1 channels training leaves unchanged).
    """

    step: int
    epoch: float
    samples_seen: int
    loss: float
    running_loss: float
    running_accuracy: float
    heldout_accuracy: float | None
    latest_heldout_accuracy: float | None
    samples_per_second: float
    kernels: dict
    probe_image: np.ndarray
    probe_label: int | None
    activations: dict
    scores: np.ndarray
    predicted: int
    learning_rate: float
    batch_size: int
    optimizer: str
    config: NetworkConfig
    weights: dict | None = None
    elapsed_seconds: float = 0.0
    final: bool = False
    stopped_reason: StopReason | None = None
    frozen_channels: tuple[int, ...] = ()

    @property
    def diverged(self) -> bool:
        """The run ended because training diverged (the weights are the last good ones)."""
        return self.stopped_reason is not None and self.stopped_reason.diverged


@dataclass(frozen=True, eq=False)
class StepView:
    """The network as it was at a checkpoint, for the timeline: what a :class:`Snapshot` shows of
    the probe digit, with the same names — step, samples_seen, kernels ``{"conv1": (C_out, C_in, k,
    k), …}``, probe_image ``(28, 28)``, probe_label (or None), activations (forward order, as in a
    snapshot), scores ``(10,)`` softmax, predicted, config — and ``evaluation``, the checkpoint's
    :class:`~kernelplay.nn.evaluation.Evaluation` on the held-out digits (None while it is being
    counted). Every array is a copy owned by the view.
    """

    step: int
    samples_seen: int
    kernels: dict
    probe_image: np.ndarray
    probe_label: int | None
    activations: dict
    scores: np.ndarray
    predicted: int
    config: NetworkConfig
    evaluation: "Evaluation | None" = None


class CurveHistory:
    """The points of the loss and accuracy curves, against digits seen: ``samples``, running
    ``loss`` and ``accuracy``, and each point's training ``steps`` and ``learning_rates`` (lists of
    one length); the held-out evaluations ``heldout_samples`` / ``heldout_accuracy``.

    Bounded, so a run left on all day (~8.5 snapshots a second) keeps a fixed size: past
    ``max_points`` (``max_points // 4`` for the held-out curve) the newest quarter stays as it is
    and the older points are thinned to one per span of digits seen — a power of two wide, doubled
    as the run goes on — so the whole curve keeps its shape, the first point included, and the
    newest part stays dense.
    """

    def __init__(self, max_points: int = MAX_CURVE_POINTS) -> None:
        if max_points < 8:
            raise ValueError(f"a curve needs room for at least 8 points, got {max_points}")
        self.max_points = max_points
        self.clear()

    def clear(self) -> None:
        self.samples: list[int] = []
        self.loss: list[float] = []
        self.accuracy: list[float] = []
        self.steps: list[int] = []  # -1 where unknown (curves read from a file that lacks them)
        self.learning_rates: list[float] = []  # NaN where unknown
        self.heldout_samples: list[int] = []
        self.heldout_accuracy: list[float] = []

    def _columns(self) -> tuple[list, ...]:
        return self.samples, self.loss, self.accuracy, self.steps, self.learning_rates

    def add(self, snapshot: Snapshot) -> None:
        if snapshot.samples_seen > 0 and (not self.samples or snapshot.samples_seen > self.samples[-1]):
            if math.isfinite(snapshot.running_loss):
                for column, value in zip(self._columns(), (snapshot.samples_seen, snapshot.running_loss,
                                                            snapshot.running_accuracy, snapshot.step,
                                                            snapshot.learning_rate)):
                    column.append(value)
                if len(self.samples) > self.max_points:
                    _thin(*self._columns(), max_points=self.max_points)
        if snapshot.heldout_accuracy is not None:
            self.heldout_samples.append(snapshot.samples_seen)
            self.heldout_accuracy.append(snapshot.heldout_accuracy)
            if len(self.heldout_samples) > self.max_points // 4:
                _thin(self.heldout_samples, self.heldout_accuracy, max_points=self.max_points // 4)

    def drop_after(self, samples_seen: int) -> None:
        """Forget the points after ``samples_seen`` digits (training resumed from an earlier step)."""
        keep = bisect.bisect_right(self.samples, samples_seen)
        for column in self._columns():
            del column[keep:]
        keep = bisect.bisect_right(self.heldout_samples, samples_seen)
        del self.heldout_samples[keep:], self.heldout_accuracy[keep:]

    def restore(self, curves) -> None:
        """Replace every point by those of ``curves`` (a :class:`~kernelplay.nn.run_file.RunCurves`,
        e.g. of a run read from a file), thinned if they are more than this history keeps."""
        self.clear()
        n = len(curves.samples)
        steps = [-1] * n if curves.steps is None else curves.steps.tolist()
        rates = [math.nan] * n if curves.learning_rates is None else curves.learning_rates.tolist()
        for column, values in zip(self._columns(), (curves.samples.tolist(), curves.loss.tolist(),
                                                     curves.accuracy.tolist(), steps, rates)):
            column.extend(values)
        self.heldout_samples.extend(curves.heldout_samples.tolist())
        self.heldout_accuracy.extend(curves.heldout_accuracy.tolist())
        if len(self.samples) > self.max_points:  # once: a file's points rise, so one thinning is enough
            _thin(*self._columns(), max_points=self.max_points)
        if len(self.heldout_samples) > self.max_points // 4:
            _thin(self.heldout_samples, self.heldout_accuracy, max_points=self.max_points // 4)

    def __len__(self) -> int:
        return len(self.samples)


def _thin(x: list, *ys: list, max_points: int) -> None:
    """Thin a curve in place to about three quarters of ``max_points``: the newest quarter stays; of
    the older points, at most ``max_points // 2`` remain, the first in each span of ``x`` (a power
    of two wide, counted from the first point, so spans nest as they double)."""
    older = len(x) - max_points // 4
    start = x[0]
    width = 2 ** math.ceil(math.log2(max((x[older - 1] - start) / (max_points // 2), 1)))
    spans = (np.asarray(x[:older], dtype=np.float64) - start) // width
    keep = np.flatnonzero(np.diff(spans, prepend=-1.0)).tolist()
    for column in (x, *ys):
        column[:older] = [column[i] for i in keep]
