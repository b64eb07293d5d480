"""The messages between the GUI and the training worker (:mod:`kernelplay.nn.worker`): commands in,
snapshots and events out. Small frozen dataclasses of plain data, so they pickle across the
boundary of a spawned process.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.evaluation import Evaluation
from kernelplay.nn.run_file import RunCurves
from kernelplay.nn.snapshot import Snapshot, StepView, StopReason

__all__ = [
    "Command", "Play", "Pause", "Step", "Reset", "LoadNetwork", "SetLearningRate", "SetLearningRateDecay",
    "SetBatchSize", "SetOptimizer", "SetEpochs", "SetProbe", "Acknowledge", "SaveModel", "Evaluate", "ViewStep", "ResumeFrom",
    "SaveRun", "LoadRun", "ExportKernelAnimation", "IncludeWeights", "PutKernel", "Wake", "NEW_GENERATION",
    "Event", "SnapshotReady", "RunningChanged", "Stopped", "Failed", "Saved", "EvaluationReady",
    "CheckpointsChanged", "StepViewReady", "Resumed", "RunSaved", "RunLoaded", "AnimationExported",
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
    """Continue from these weights ``{name: array}`` of a network of ``config``, these conv1
    channels frozen."""

    config: NetworkConfig
    weights: dict[str, np.ndarray]
    frozen_channels: tuple[int, ...] = ()


@dataclass(frozen=True)
class SetLearningRate:
    """The rate chosen: its decay starts again from it at the next step."""

    value: float


@dataclass(frozen=True)
class SetLearningRateDecay:
    """Lower the chosen learning rate along a cosine (``decay``) or keep it as chosen; either way
    the schedule starts again from the chosen rate."""

    decay: bool


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
class Evaluate:
    """Evaluate the held-out digits with the weights as they are now (``EvaluationReady`` follows,
    and the next snapshot carries the accuracy); training goes on meanwhile."""


@dataclass(frozen=True)
class ViewStep:
    """Show the network as it was at the checkpoint at or before ``step``, without touching the live
    one: ``StepViewReady`` follows at once, and again with the held-out evaluation once it is counted
    (unless a later ``ViewStep`` came first; of several waiting, only the last is shown)."""

    step: int


@dataclass(frozen=True)
class ResumeFrom:
    """Pause, drop the checkpoints after the one at or before ``step`` and train on from it
    (``Resumed`` follows, or ``Failed``)."""

    step: int


@dataclass(frozen=True)
class SaveRun:
    """Write the run (checkpoints, these ``curves``, settings) to ``path`` (``RunSaved`` or ``Failed``)."""

    path: str
    curves: RunCurves


@dataclass(frozen=True)
class LoadRun:
    """Pause and continue from the run in ``path``, at its latest checkpoint (``RunLoaded`` or ``Failed``)."""

    path: str


@dataclass(frozen=True)
class ExportKernelAnimation:
    """Write the conv1 kernels over the checkpoints to ``path`` (.gif, .png or .apng;
    ``AnimationExported`` or ``Failed``)."""

    path: str


@dataclass(frozen=True)
class IncludeWeights:
    """From now on snapshots carry all the weights (``include``) or none: the GUI explains units with
    them, and asks only while it does (the default network's weights are ~1 MB a snapshot)."""

    include: bool


@dataclass(frozen=True)
class PutKernel:
    """Copy ``kernel`` (3×3 or 5×5) into conv1 ``channel`` with :func:`kernelplay.bridge.put_kernel`
    (fitted to the network's kernel size, bias 0), ``frozen`` or not; a snapshot follows."""

    channel: int
    kernel: np.ndarray
    frozen: bool = False


@dataclass(frozen=True)
class Wake:
    """Does nothing: wakes a loop waiting for commands, so that it sees it was told to stop."""


Command = (Play | Pause | Step | Reset | LoadNetwork | SetLearningRate | SetLearningRateDecay | SetBatchSize
           | SetOptimizer | SetEpochs | SetProbe | Acknowledge | SaveModel | Evaluate | ViewStep | ResumeFrom
           | SaveRun | LoadRun | ExportKernelAnimation | IncludeWeights | PutKernel | Wake)

# The commands after which the worker numbers its network anew, whether they succeed or not, so that
# a receiver counting them knows which generation the messages that follow belong to.
NEW_GENERATION = (Reset, LoadNetwork, ResumeFrom, LoadRun)


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


@dataclass(frozen=True, eq=False)
class EvaluationReady:
    """A held-out evaluation of the live network, with the weights it had after ``step``
    (``samples_seen`` digits)."""

    generation: int
    step: int
    samples_seen: int
    evaluation: Evaluation


@dataclass(frozen=True)
class CheckpointsChanged:
    """The checkpoints held now: (step, digits seen) of each, oldest first."""

    generation: int
    points: tuple[tuple[int, int], ...]


@dataclass(frozen=True, eq=False)
class StepViewReady:
    generation: int
    view: StepView


@dataclass(frozen=True)
class Resumed:
    """Training went back to ``step`` (``samples_seen`` digits); the later history is gone."""

    generation: int
    step: int
    samples_seen: int


@dataclass(frozen=True)
class RunSaved:
    path: str
    step: int  # the latest checkpoint's


@dataclass(frozen=True, eq=False)
class RunLoaded:
    """The run in ``path`` is the live one, at its latest checkpoint ``step`` (``samples_seen``
    digits); ``curves`` and ``settings`` are those it was saved with."""

    generation: int
    path: str
    step: int
    samples_seen: int
    curves: RunCurves
    settings: dict


@dataclass(frozen=True)
class AnimationExported:
    path: str
    frames: int


Event = (SnapshotReady | RunningChanged | Stopped | Failed | Saved | EvaluationReady | CheckpointsChanged
         | StepViewReady | Resumed | RunSaved | RunLoaded | AnimationExported)
