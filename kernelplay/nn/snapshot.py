"""What training hands out — :class:`StepResult`, :class:`Snapshot`, :class:`StopReason` — and what a
viewer keeps of it (:class:`CurveHistory`). numpy only.

Everything here is frozen and holds copies, so it can cross to another thread or process (all
picklable) while training goes on.
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np

from kernelplay.nn.config import NetworkConfig

__all__ = ["StopKind", "StopReason", "StepResult", "Snapshot", "CurveHistory"]


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
    final (the run ended) and stopped_reason (why it ended, a :class:`StopReason`, on a final
    snapshot).
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

    @property
    def diverged(self) -> bool:
        """The run ended because training diverged (the weights are the last good ones)."""
        return self.stopped_reason is not None and self.stopped_reason.diverged


class CurveHistory:
    """The points of the loss and accuracy curves, against digits seen (grows by one per snapshot)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.samples: list[int] = []
        self.loss: list[float] = []
        self.accuracy: list[float] = []
        self.heldout_samples: list[int] = []
        self.heldout_accuracy: list[float] = []

    def add(self, snapshot: Snapshot) -> None:
        if snapshot.samples_seen > 0 and (not self.samples or snapshot.samples_seen > self.samples[-1]):
            if math.isfinite(snapshot.running_loss):
                self.samples.append(snapshot.samples_seen)
                self.loss.append(snapshot.running_loss)
                self.accuracy.append(snapshot.running_accuracy)
        if snapshot.heldout_accuracy is not None:
            self.heldout_samples.append(snapshot.samples_seen)
            self.heldout_accuracy.append(snapshot.heldout_accuracy)

    def __len__(self) -> int:
        return len(self.samples)
