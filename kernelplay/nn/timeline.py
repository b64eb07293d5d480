"""Time travel in the training worker: the checkpoints of the network being trained, and what the
timeline asks of them — the network as it was at a step (its kernels, the probe digit's maps and
scores, and the held-out digits' :class:`~kernelplay.nn.evaluation.Evaluation`, counted a chunk at a
time between training steps), going back to a step to train on from there, and the whole run as a
file. numpy only; :class:`~kernelplay.nn.worker.TrainingLoop` drives it.

The weights stay here, in the worker: the GUI gets the list of checkpoints (step, digits seen) and,
when it asks for a step, a :class:`~kernelplay.nn.snapshot.StepView` of it. A view never touches the
live network: it is drawn by a network of its own, reused from view to view. The held-out
evaluations of the steps viewed are kept (~113 KB each for 2,000 digits, at most one per checkpoint:
~8 MB beside the history's 64 MiB), so dragging back over a step shows its matrix at once.
"""
from __future__ import annotations

import dataclasses
import os

from kernelplay.nn.checkpoints import DEFAULT_MAX_BYTES, Checkpoint, CheckpointHistory
from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.evaluation import ChunkedEvaluation, Evaluation
from kernelplay.nn.exports import write_kernel_animation
from kernelplay.nn.network import Network
from kernelplay.nn.run_file import RunCurves, TrainingRun, read_run_file, write_run_file
from kernelplay.nn.schedule import LearningRateSchedule
from kernelplay.nn.snapshot import StepView
from kernelplay.nn.training import Trainer

__all__ = ["Timeline"]


class Timeline:
    """The checkpoints of one network's run (a :class:`CheckpointHistory` of at most ``max_bytes``)
    and the views of them.

    :meth:`record` after a step (the worker does at each snapshot it sends); :meth:`view` for the
    timeline, then :meth:`advance` between training steps until the view's evaluation is counted;
    :meth:`resume` to train on from a step; :meth:`save` / :meth:`load` for run files.
    """

    def __init__(self, config: NetworkConfig, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 checkpoints: CheckpointHistory | None = None) -> None:
        self.checkpoints = CheckpointHistory(config, max_bytes=max_bytes) if checkpoints is None else checkpoints
        self._view_network: Network | None = None
        self._evaluations: dict[int, Evaluation] = {}  # by checkpoint step
        self._pending: tuple[StepView, ChunkedEvaluation] | None = None

    @property
    def config(self) -> NetworkConfig:
        return self.checkpoints.config

    def points(self) -> tuple[tuple[int, int], ...]:
        """Each checkpoint's (step, digits seen), oldest first."""
        return tuple((c.step, c.samples_seen) for c in self.checkpoints)

    def record(self, trainer: Trainer) -> bool:
        """Keep the trainer's weights as those of its present step (a copy, ~50 µs for the default
        network); True when the list of steps changed (a step equal to the latest replaces it)."""
        latest = self.checkpoints.latest
        self.checkpoints.add(trainer.step_count, trainer.samples_seen, trainer.network.flat_params)
        changed = latest is None or latest.step != trainer.step_count
        if changed and self._evaluations:  # forget the evaluations of thinned-out checkpoints
            kept = set(self.checkpoints.steps)
            self._evaluations = {step: e for step, e in self._evaluations.items() if step in kept}
        return changed

    # --- views ------------------------------------------------------------------------------------

    def view(self, trainer: Trainer, step: int) -> StepView:
        """The network at the checkpoint at or before ``step``, shown with the trainer's probe digit.
        Its evaluation is the one counted before, or None: :meth:`advance` then counts it (and
        drops the count of an earlier view still pending). ``ValueError`` before the first."""
        checkpoint = self.checkpoints.at(step)
        if checkpoint is None:
            raise ValueError(f"no checkpoint at or before step {step}")
        network = self._view_network
        if network is None or network.config != checkpoint.config:
            network = self._view_network = Network(checkpoint.config, seed=None, threads=trainer.network.threads)
        checkpoint.load_into(network)
        acts = {name: a[0].copy() for name, a in network.activations(trainer.probe_image[None, None]).items()}
        scores = acts["scores"].copy()
        view = StepView(step=checkpoint.step, samples_seen=checkpoint.samples_seen,
                        kernels={name: k.copy() for name, k in network.kernels.items()},
                        probe_image=trainer.probe_image.copy(), probe_label=trainer.probe_label,
                        activations=acts, scores=scores, predicted=int(scores.argmax()), config=checkpoint.config,
                        evaluation=self._evaluations.get(checkpoint.step))
        # the view network holds this checkpoint until the next view, which drops this count
        self._pending = None if view.evaluation is not None else (view, trainer.start_evaluation(network=network))
        return view

    @property
    def evaluating(self) -> bool:
        """A view's evaluation is waiting to be counted."""
        return self._pending is not None

    def advance(self) -> StepView | None:
        """Count the next chunk of the pending view's evaluation: the view with it after the last
        chunk, else None."""
        if self._pending is None:
            return None
        view, evaluation = self._pending
        if evaluation.advance() is None:
            return None
        self._pending = None
        self._evaluations[view.step] = evaluation.result
        return dataclasses.replace(view, evaluation=evaluation.result)

    # --- going back -------------------------------------------------------------------------------

    def resume(self, trainer: Trainer, step: int) -> Checkpoint:
        """"Resume from here": the checkpoint at or before ``step`` goes into the trainer's network
        (its frozen channels stay frozen), its step and digits seen become the trainer's, and every
        later checkpoint is dropped. ``ValueError`` before the first."""
        checkpoint = self.checkpoints.resume_from(step)
        network = trainer.network
        checkpoint.load_into(network)
        trainer.resume(network, checkpoint.step, checkpoint.samples_seen)
        self._pending = None
        self._evaluations = {s: e for s, e in self._evaluations.items() if s <= checkpoint.step}
        return checkpoint

    # --- files ------------------------------------------------------------------------------------

    def save(self, path: str | os.PathLike, trainer: Trainer, curves: RunCurves,
             schedule: LearningRateSchedule | None = None) -> os.PathLike:
        """Write the run — the checkpoints (the present weights recorded first), ``curves`` and the
        settings (frozen channels, learning rate, batch size, optimiser; with a ``schedule``, its
        chosen rate and whether it decays) — to ``path``; returns it."""
        self.record(trainer)
        settings = {"frozen_channels": list(trainer.network.frozen_channels), "learning_rate": trainer.learning_rate,
                    "batch_size": trainer.batch_size, "optimizer": trainer.optimizer.name}
        if schedule is not None:  # the rate the user chose, not the decayed one of the last step
            settings.update(learning_rate=schedule.base, learning_rate_decay=schedule.decay)
        return write_run_file(path, TrainingRun(self.checkpoints, curves, settings))

    @classmethod
    def load(cls, path: str | os.PathLike, *, threads: int | None = None) -> tuple["Timeline", Network, TrainingRun]:
        """The timeline of the run in ``path``, a network at its latest checkpoint (with the saved
        frozen channels) and the run itself. :class:`~kernelplay.nn.run_file.RunFileError` or
        ``ValueError`` say what is wrong."""
        run = read_run_file(path)
        latest = run.checkpoints.latest
        if latest is None:
            raise ValueError(f"{path} holds no checkpoints")
        network = latest.network(threads=threads)
        frozen = run.settings.get("frozen_channels", [])
        if not isinstance(frozen, list):
            raise ValueError(f"{path} has frozen channels {frozen!r}, not a list")
        network.frozen_channels = frozen
        return cls(run.config, checkpoints=run.checkpoints), network, run

    def export_kernels(self, path: str | os.PathLike, trainer: Trainer) -> os.PathLike:
        """The conv1 kernels over the checkpoints (the present weights recorded first) as an animated
        GIF or APNG (:func:`~kernelplay.nn.exports.write_kernel_animation`); returns the path."""
        self.record(trainer)
        return write_kernel_animation(path, self.checkpoints)
