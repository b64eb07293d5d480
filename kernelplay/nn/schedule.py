"""The learning rate of each training step: a cosine decay from the rate the user chose, restarted
whenever they choose another. numpy-free, a small frozen value.

The command line decays over its whole budget (``train(lr_decay=True)``); the training tab has no
budget by default ("until stopped"), so its decay runs over a fixed number of digits and then holds
at its floor. Counting in digits seen, not seconds, makes a run the same on a fast and a slow
machine.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from kernelplay.nn.optim import check_learning_rate

__all__ = ["LearningRateSchedule", "DECAY_EPOCHS", "DECAY_FLOOR"]

# passes over the training digits from the chosen rate down to the floor. With ±1 px shifts, the default
# network's held-out accuracy passed 99 % at an epoch's end by the 6th to 10th epoch in 3 seeds of 3
# (seed 0, the app's: the 8th) over 8 epochs (~15 s on 2 cores); over 6, in 2 of 5 by the 8th
DECAY_EPOCHS = 8.0
DECAY_FLOOR = 0.05  # the share of the chosen rate left at the end, as the command line's


@dataclass(frozen=True)
class LearningRateSchedule:
    """``base`` (the chosen rate) at ``start`` digits seen, down half a cosine to ``floor``·``base``
    over the next ``horizon`` digits, then held there; or ``base`` throughout unless ``decay``.

    >>> s = LearningRateSchedule(base=2e-3, start=0, horizon=60_000)
    >>> [round(s.rate(n), 6) for n in (0, 30_000, 60_000, 90_000)]  # base, halfway down, the floor
    [0.002, 0.00105, 0.0001, 0.0001]
    >>> s.restarted(4e-3, at=45_000).rate(45_000)     # a new rate starts a new decay
    0.004
    """

    base: float
    start: int = 0
    horizon: int = 80_000
    floor: float = DECAY_FLOOR
    decay: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", check_learning_rate(self.base))
        if self.horizon < 1 or not 0.0 < self.floor <= 1.0:
            raise ValueError(f"a decay needs a horizon of at least 1 digit and a floor in (0, 1], "
                             f"got {self.horizon} and {self.floor}")

    def progress(self, samples_seen: int) -> float:
        """How far down the decay ``samples_seen`` is, in [0, 1] (0 before ``start``)."""
        return min(max((samples_seen - self.start) / self.horizon, 0.0), 1.0)

    def rate(self, samples_seen: int) -> float:
        """The learning rate of the step that starts after ``samples_seen`` digits."""
        if not self.decay:
            return self.base
        cosine = 0.5 * (1.0 + math.cos(math.pi * self.progress(samples_seen)))
        return self.base * (self.floor + (1.0 - self.floor) * cosine)

    def restarted(self, base: float | None = None, *, at: int, horizon: int | None = None) -> "LearningRateSchedule":
        """The same schedule begun anew at ``at`` digits seen, from ``base`` (default: this one's),
        over ``horizon`` digits (default: this one's)."""
        return dataclasses.replace(self, base=self.base if base is None else base, start=int(at),
                                   horizon=self.horizon if horizon is None else int(horizon))
