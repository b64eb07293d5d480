"""The training loop behind the GUI's training tab: plain Python, no Qt, so it can run in a thread or
in a spawned process (:func:`kernelplay.nn.worker_process.run_loop_in_process`) that never loads Qt.

A :class:`TrainingLoop` owns a :class:`~kernelplay.nn.training.Trainer` and obeys the commands of
:mod:`kernelplay.nn.worker_messages` (play, pause, step, reset, load, settings, probe, save, and the
timeline's view, resume, run files and export), posted from any thread or process, between two
training steps. It evaluates the held-out digits in chunks interleaved with training (so pause and
stop stay quick) and sends out frozen snapshots — at most one per ``snapshot_interval`` seconds while
running — and events. At each snapshot it sends, it keeps the weights as a checkpoint
(:class:`~kernelplay.nn.timeline.Timeline`): 0.3 % of the training thread's time for the default
network, measured by ``benchmarks/bench_timeline.py`` (3 ms a second at ~20 snapshots a second).
Saving a run (64 MiB of checkpoints, ~0.05 s) or writing the kernels' animation (69 frames, ~0.15 s)
is done between two steps, like any command.

The learning rate of each step follows a :class:`~kernelplay.nn.schedule.LearningRateSchedule`: a
cosine decay from the rate the user chose, over the "run for" epochs or, running until stopped,
``DECAY_EPOCHS``; it starts again from the chosen rate whenever the user chooses a rate, the decay,
an optimiser or a budget, and with each new network. Snapshots carry the rate of the last step.
"""
from __future__ import annotations

import dataclasses
import queue
import threading
import time
import traceback
from typing import Callable

import numpy as np

from kernelplay.common.files import save_failure
from kernelplay.nn import worker_messages as messages
from kernelplay.nn.budget import Budget
from kernelplay.nn.checkpoints import DEFAULT_MAX_BYTES
from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.datasets import DigitSplit
from kernelplay.nn.evaluation import ChunkedEvaluation
from kernelplay.nn.network import Network
from kernelplay.nn.schedule import DECAY_EPOCHS, LearningRateSchedule
from kernelplay.nn.timeline import Timeline
from kernelplay.nn.worker_timeline import TimelineCommands
from kernelplay.nn.training import Trainer

__all__ = ["TrainingLoop", "DEFAULT_LEARNING_RATE", "AUGMENT_SHIFT"]

DEFAULT_LEARNING_RATE = 2e-3  # Adam's, with the decay (as the command line's); the tab's default
# augmentation: random shifts of up to 1 px (the trainer's default is 2): over the ~10 epochs a student
# waits, the held-out accuracy climbs past 99 % sooner (benchmarks/bench_time_to_accuracy.py)
AUGMENT_SHIFT = 1


class TrainingLoop(TimelineCommands):
    """Trains on ``data`` in whatever thread calls :meth:`run`, until :meth:`stop`.

    ``send`` receives every message the loop sends (the events of :mod:`kernelplay.nn.worker_messages`).
    ``checkpoint_bytes`` caps the memory of the checkpoints kept for the timeline.
    ``commands`` (anything with ``put``/``get(timeout=)``/``get_nowait``, e.g. a
    ``multiprocessing.Queue``) and ``abort`` (an ``Event``) may be given to drive the loop from
    another process. ``decay=False`` keeps the learning rate as chosen (``SetLearningRateDecay``).
    """

    def __init__(self, data: DigitSplit, config: NetworkConfig | None = None, *,
                 send: Callable[[object], None], snapshot_interval: float = 0.05, seed: int = 0,
                 learning_rate: float = DEFAULT_LEARNING_RATE, batch_size: int = 64, optimizer: str = "adam",
                 decay: bool = True, epochs: float | None = None, probe: int | np.ndarray = 0,
                 threads: int | None = None,
                 max_in_flight: int | None = None, checkpoint_bytes: int = DEFAULT_MAX_BYTES, commands=None,
                 abort=None) -> None:
        self.data = data
        self.config = config or NetworkConfig()
        self.seed = seed
        self.snapshot_interval = float(snapshot_interval)
        self.threads = threads
        self._send = send
        # the first trainer's settings; each later one (after a reset or load) takes its predecessor's
        self._first_settings = dict(batch_size=batch_size, optimizer=optimizer)
        # the chosen rate and its decay; restarted at each new network, rate, optimiser and budget
        self.schedule = LearningRateSchedule(learning_rate, decay=decay, horizon=self._decay_digits(None))
        self._epochs = epochs
        self._probe = probe
        self._commands = queue.SimpleQueue() if commands is None else commands
        self._abort = threading.Event() if abort is None else abort
        self.trainer: Trainer | None = None
        self.timeline: Timeline | None = None
        self.checkpoint_bytes = int(checkpoint_bytes)
        self.generation = 0
        self._running = False
        self._steps_left = 0
        self._budget: Budget | None = None  # None: train until paused
        self._evaluation: ChunkedEvaluation | None = None
        self._evaluation_at = (0, 0)  # (step, digits seen) of the weights being evaluated
        self._view_wanted: int | None = None  # the step of the last ViewStep waiting
        self._last_snapshot_at = 0.0
        # flow control: periodic snapshots wait while this many are unacknowledged, so a busy
        # receiver gets fewer snapshots instead of a growing backlog
        self.max_in_flight = max_in_flight
        self._in_flight = 0
        self._with_weights = False  # snapshots carry all the weights (messages.IncludeWeights)
        self._handlers: dict[type, Callable] = {
            messages.Play: self._play,
            messages.Pause: self._pause_and_show,
            messages.Step: self._step,
            messages.Reset: self._reset,
            messages.LoadNetwork: self._load,
            messages.SetLearningRate: self._set_learning_rate,
            messages.SetLearningRateDecay: self._set_decay,
            messages.SetBatchSize: self._set_batch_size,
            messages.SetOptimizer: self._set_optimizer,
            messages.SetEpochs: self._set_epochs,
            messages.SetProbe: self._set_probe,
            messages.Acknowledge: self._acknowledge,
            messages.SaveModel: self._save,
            messages.Evaluate: lambda command: self._start_evaluation(),
            messages.ViewStep: self._want_view,
            messages.ResumeFrom: self._resume,
            messages.SaveRun: self._save_run,
            messages.LoadRun: self._load_run,
            messages.ExportKernelAnimation: self._export_kernels,
            messages.IncludeWeights: self._include_weights,
            messages.PutKernel: self._put_kernel,
            messages.Wake: lambda command: None,
        }

    # --- called from any thread -------------------------------------------------------------------

    def post(self, command: messages.Command) -> None:
        self._commands.put(command)

    def stop(self) -> None:
        self._abort.set()
        self._commands.put(messages.Wake())

    # --- the loop (worker thread) -----------------------------------------------------------------

    def run(self) -> None:
        try:
            self._install(Network(self.config, seed=self.seed, threads=self.threads))
            self._publish()
            while not self._abort.is_set():
                self._take_commands(block=not (self._training or self._evaluation is not None
                                               or self.timeline.evaluating))
                if self._abort.is_set():
                    break
                if self._training:
                    self._train_one()
                if self._evaluation is not None:
                    self._evaluate_chunk()
                if self.timeline.evaluating:
                    self._evaluate_view_chunk()
        except Exception:  # noqa: BLE001 — reported to the GUI rather than lost in a thread
            self._send(messages.Failed("training stopped by an error:\n" + traceback.format_exc(limit=4)))
        finally:
            self._set_running(False)

    @property
    def _training(self) -> bool:
        return self._running or self._steps_left > 0

    def _take_commands(self, block: bool) -> None:
        """Obey every command waiting (first waiting up to half a second for one if ``block``); of
        the step views asked for, show only the last."""
        try:
            command = self._commands.get(timeout=0.5) if block else self._commands.get_nowait()
        except queue.Empty:
            return
        while command is not None:
            self._obey(self._handlers.get(type(command)), command)
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                command = None
        if self._view_wanted is not None:
            step, self._view_wanted = self._view_wanted, None
            self._obey(self._show_step, step)

    def _obey(self, handler: Callable | None, command) -> None:
        generation = self.generation
        try:
            if handler is None:
                raise TypeError(f"not a training command: {command!r}")
            handler(command)
        except (ValueError, TypeError, IndexError) as exc:  # a refused setting: say why, go on
            if isinstance(command, messages.NEW_GENERATION) and self.generation == generation:
                # the receiver counts a new generation for this command: the network goes on as one
                self.generation += 1
                self._send_checkpoints()
                self._publish()
            self._send(messages.Failed(str(exc)))

    # --- commands ---------------------------------------------------------------------------------

    def _play(self, _: messages.Play) -> None:
        if self._running:
            return
        self.trainer.stopped_reason = None
        if self._budget is None or self._budget.stop_reason() is not None:  # else: resume the budget
            self._start_budget()
        self._set_running(True)

    def _pause_and_show(self, _: messages.Pause) -> None:
        self._pause()
        self._publish()

    def _step(self, command: messages.Step) -> None:
        self._set_running(False)
        self.trainer.stopped_reason = None
        self._steps_left += int(command.steps)

    def _reset(self, command: messages.Reset) -> None:
        self._pause()
        if command.config is not None:
            self.config = command.config
        self._install(Network(self.config, seed=self.seed, threads=self.threads))
        self._publish()

    def _load(self, command: messages.LoadNetwork) -> None:
        self._pause()
        network = Network(command.config, seed=self.seed, threads=self.threads)
        network.set_params(command.weights)
        network.frozen_channels = command.frozen_channels
        self.config = command.config
        self._install(network)
        self._publish()

    def _set_learning_rate(self, command: messages.SetLearningRate) -> None:
        self._restart_schedule(dataclasses.replace(self.schedule, base=command.value))  # ValueError: nothing changed

    def _set_decay(self, command: messages.SetLearningRateDecay) -> None:
        self._restart_schedule(dataclasses.replace(self.schedule, decay=bool(command.decay)))

    def _set_batch_size(self, command: messages.SetBatchSize) -> None:
        self.trainer.set_batch_size(command.value)

    def _set_optimizer(self, command: messages.SetOptimizer) -> None:
        self.trainer.set_optimizer(command.name)
        self._restart_schedule()  # fresh moments: a fresh decay too

    def _set_epochs(self, command: messages.SetEpochs) -> None:
        self._epochs = command.epochs
        if self._running:
            self._start_budget()

    def _set_probe(self, command: messages.SetProbe) -> None:
        self.trainer.set_probe(command.probe)
        self._probe = command.probe
        if not self._running:
            self._publish()

    def _include_weights(self, command: messages.IncludeWeights) -> None:
        self._with_weights = bool(command.include)
        if self._with_weights and not self._running:
            self._publish()  # the receiver wants them now, not at the next step

    def _put_kernel(self, command: messages.PutKernel) -> None:
        from kernelplay.bridge import put_kernel  # the bridge knows the playground's kernels (imaging)

        put_kernel(self.trainer.network, command.channel, command.kernel, frozen=command.frozen)
        self._publish()

    def _acknowledge(self, command: messages.Acknowledge) -> None:
        self._in_flight = max(0, self._in_flight - int(command.count))

    def _save(self, command: messages.SaveModel) -> None:
        try:
            saved = self.trainer.network.save(command.path)
        except OSError as exc:
            self._send(messages.Failed(save_failure(command.path, exc)))
        else:
            self._send(messages.Saved(str(saved), self.trainer.step_count))

    # --- training ---------------------------------------------------------------------------------

    def _set_running(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self._send(messages.RunningChanged(running))

    def _pause(self) -> None:
        self._steps_left = 0
        self._set_running(False)

    def _start_budget(self) -> None:
        """A budget of "run for" epochs from now (none when running until stopped), and the decay
        over it."""
        self._budget = None if self._epochs is None else Budget(self.trainer, epochs=self._epochs)
        if self._epochs is not None:
            self._restart_schedule()

    def _decay_digits(self, epochs: float | None) -> int:
        """The digits of a decay over ``epochs`` (None: ``DECAY_EPOCHS``), at least one."""
        return max(1, int(round((DECAY_EPOCHS if epochs is None else epochs) * len(self.data.train))))

    def _restart_schedule(self, schedule: LearningRateSchedule | None = None) -> None:
        """Begin ``schedule`` (default: the present one) anew from the digits seen now, over the
        budget's epochs, and set its first rate."""
        schedule = schedule or self.schedule
        self.schedule = schedule.restarted(at=self.trainer.samples_seen, horizon=self._decay_digits(self._epochs))
        self.trainer.set_learning_rate(self.schedule.rate(self.trainer.samples_seen))

    def _install(self, network: Network, *, timeline: Timeline | None = None, at: tuple[int, int] = (0, 0)) -> None:
        """Train ``network`` from now on, with the present settings, a fresh trainer (its counters
        at ``at``: step, digits seen), a fresh ``timeline`` unless one is given, and the next
        generation number (the caller then publishes it)."""
        previous = self.trainer
        settings = self._first_settings if previous is None else dict(
            batch_size=previous.batch_size, optimizer=previous.optimizer.name)
        self.trainer = Trainer(network, self.data, seed=self.seed, probe=0, learning_rate=self.schedule.base,
                               max_shift=AUGMENT_SHIFT, **settings)
        self.trainer.set_probe(self._probe)
        self.trainer.resume(network, *at)
        self._restart_schedule()
        self.timeline = timeline or Timeline(network.config, max_bytes=self.checkpoint_bytes)
        self.generation += 1
        self._budget = None
        self._evaluation = None

    def _train_one(self) -> int:
        """One batch; returns the digits it trained on (0 when the step diverged and was undone)."""
        trainer = self.trainer
        epoch_before = trainer.epochs_completed
        trainer.set_learning_rate(self.schedule.rate(trainer.samples_seen))
        result = trainer.step()
        if result.diverged:
            self._pause()
            self._publish(final=True)
            self._send(messages.Stopped(result.diverged))
            return 0
        stepping = self._steps_left > 0
        if stepping:
            self._steps_left -= 1
        if trainer.epochs_completed > epoch_before:
            self._start_evaluation()
        used_up = self._budget.stop_reason() if self._running and self._budget is not None else None
        if used_up is not None:
            self._pause()
            self._start_evaluation()
            self._publish()
            self._send(messages.Stopped(used_up))
        elif stepping and self._steps_left == 0:
            self._publish()
        elif (time.perf_counter() - self._last_snapshot_at >= self.snapshot_interval
              and (self.max_in_flight is None or self._in_flight < self.max_in_flight)):
            self._publish()
        return result.batch_size

    def _start_evaluation(self) -> None:
        self._evaluation = self.trainer.start_evaluation()
        self._evaluation_at = (self.trainer.step_count, self.trainer.samples_seen)

    def _evaluate_chunk(self) -> None:
        accuracy = self._evaluation.advance()
        if accuracy is None:
            return
        result, self._evaluation = self._evaluation.result, None
        self.trainer.record_heldout_accuracy(accuracy)
        self._send(messages.EvaluationReady(self.generation, *self._evaluation_at, result))
        if not self._running:
            self._publish()

    def _publish(self, *, final: bool = False) -> None:
        # no weights unless asked: the views need only kernels and the probe's activations (a drawn
        # digit is sent here as the probe), which keeps a snapshot near 0.2 MB instead of 1 MB for the
        # default network; an explained unit needs them all (IncludeWeights)
        snapshot = self.trainer.snapshot(include_weights=self._with_weights, final=final)
        changed = self.timeline.record(self.trainer)  # the checkpoint exists once its snapshot is out
        self._last_snapshot_at = time.perf_counter()
        self._in_flight += 1
        self._send(messages.SnapshotReady(self.generation, snapshot))
        if changed:
            self._send_checkpoints()
