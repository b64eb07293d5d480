"""The messages between the GUI and the training worker (:mod:`kernelplay.nn.worker`): commands in,
snapshots and events out. Small frozen dataclasses of plain data, so they pickle across the
boundary of a spawned process.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.snapshot import Snapshot, StopReason

__all__ = [
    "Command", "Play", "Pause", "Step", "Reset", "LoadNetwork", "SetLearningRate", "SetBatchSize",
    "SetOptimizer", "SetEpochs", "SetProbe", "Acknowledge", "SaveModel", "Wake",
    "Event", "SnapshotReady", "RunningChanged", "Stopped", "Failed", "Saved",
]


# --- commands: each takes effect between two training steps ------------------------------------

@dataclass(frozen=True)
class Play:
    """Train until paused, or until the epoch budget is used up or training diverges."""


@dataclass(frozen=True)
class Pause:
    """Stop training (a snapshot of the present state follows)."""


@dataclass(frozen=True)
class Step:
    """Train ``steps`` more batches, then pause."""

    steps: int = 1


@dataclass(frozen=True)
class Reset:
    """Start again from fresh random weights, of ``config`` (None: the present architecture)."""

    config: NetworkConfig | None = None


@dataclass(frozen=True)
class LoadNetwork:
    """Continue from these weights ``{name: array}`` of a network of ``config``."""

    config: NetworkConfig
    weights: dict[str, np.ndarray]


@dataclass(frozen=True)
class SetLearningRate:
    value: float


@dataclass(frozen=True)
class SetBatchSize:
    value: int


@dataclass(frozen=True)
class SetOptimizer:
    name: str  # a key of kernelplay.nn.optim.OPTIMIZERS


@dataclass(frozen=True)
class SetEpochs:
    """Stop by itself after this many epochs from the next Play (None: run until paused)."""

    epochs: float | None


@dataclass(frozen=True)
class SetProbe:
    """The digit whose maps and scores snapshots carry: an index into the held-out digits, or a
    drawn digit (float ``(28, 28)`` in [0, 1])."""

    probe: int | np.ndarray


@dataclass(frozen=True)
class Acknowledge:
    """The receiver took ``count`` snapshots (flow control: see ``TrainingLoop.max_in_flight``)."""

    count: int


@dataclass(frozen=True)
class SaveModel:
    """Save the network as it is now to ``path`` (``Saved`` or ``Failed`` follows)."""

    path: str


@dataclass(frozen=True)
class Wake:
    """Does nothing: wakes a loop waiting for commands, so that it sees it was told to stop."""


Command = (Play | Pause | Step | Reset | LoadNetwork | SetLearningRate | SetBatchSize | SetOptimizer | SetEpochs
           | SetProbe | Acknowledge | SaveModel | Wake)


# --- from the worker ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SnapshotReady:
    """A snapshot of the network installed at ``generation`` (counts resets and loads, so that a
    receiver can ignore snapshots of a network it has already replaced)."""

    generation: int
    snapshot: Snapshot


@dataclass(frozen=True)
class RunningChanged:
    running: bool


@dataclass(frozen=True)
class Stopped:
    """The run ended by itself: the epoch budget was used up, or training diverged."""

    reason: StopReason


@dataclass(frozen=True)
class Failed:
    """A command was refused, a save failed or training crashed; ``message`` says so in words."""

    message: str


@dataclass(frozen=True)
class Saved:
    path: str
    step: int  # the training step the saved weights are from


Event = SnapshotReady | RunningChanged | Stopped | Failed | Saved
