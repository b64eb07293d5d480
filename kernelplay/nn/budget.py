"""How long a training run may go on — epochs, seconds, steps — and, once one is used up, the
:class:`~kernelplay.nn.snapshot.StopReason` that says so. Used by :func:`kernelplay.nn.training.train`
and by the GUI's worker (:mod:`kernelplay.nn.worker`).
"""
from __future__ import annotations

import time
from typing import Protocol

from kernelplay.nn.datasets import DigitSplit
from kernelplay.nn.snapshot import StopKind, StopReason

__all__ = ["Budget"]


class _TrainerCounters(Protocol):
    """What a budget reads of a :class:`~kernelplay.nn.training.Trainer` (which imports this module)."""

    step_count: int
    samples_seen: int
    data: DigitSplit


class Budget:
    """How long a run may train, counted from the trainer's state when the budget is made: ``epochs``
    (may be fractional), ``seconds`` of wall-clock time and ``steps``. None leaves a kind unlimited;
    the first kind used up ends the run."""

    def __init__(self, trainer: _TrainerCounters, *, epochs: float | None = None, seconds: float | None = None,
                 steps: int | None = None) -> None:
        self._trainer = trainer
        self.epochs, self.seconds, self.steps = epochs, seconds, steps
        self._started = time.perf_counter()
        self._first_step = trainer.step_count
        self._first_sample = trainer.samples_seen
        self._end_sample = (None if epochs is None
                            else trainer.samples_seen + int(round(epochs * len(trainer.data.train))))

    @property
    def limited(self) -> bool:
        return self.epochs is not None or self.seconds is not None or self.steps is not None

    @property
    def elapsed_seconds(self) -> float:
        return time.perf_counter() - self._started

    def progress(self) -> float:
        """The share used so far, in [0, 1]: that of the kind furthest along."""
        trainer = self._trainer
        shares = [0.0]
        if self.seconds:
            shares.append(self.elapsed_seconds / self.seconds)
        if self.steps:
            shares.append((trainer.step_count - self._first_step) / self.steps)
        if self._end_sample is not None and self._end_sample > self._first_sample:
            shares.append((trainer.samples_seen - self._first_sample) / (self._end_sample - self._first_sample))
        return min(max(shares), 1.0)

    def stop_reason(self) -> StopReason | None:
        """Why the run must stop now, or None while some budget is left."""
        trainer = self._trainer
        if self.seconds is not None and self.elapsed_seconds >= self.seconds:
            return StopReason(StopKind.TIME_USED, f"time budget of {self.seconds:g} s used")
        if self.steps is not None and trainer.step_count - self._first_step >= self.steps:
            return StopReason(StopKind.STEPS_DONE, f"{self.steps} steps done")
        if self._end_sample is not None and trainer.samples_seen >= self._end_sample:
            plural = "" if self.epochs == 1 else "s"
            return StopReason(StopKind.EPOCHS_DONE, f"{self.epochs:g} epoch{plural} done")
        return None
