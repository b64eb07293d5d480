"""The GUI's handle on training: commands go to a worker, the newest snapshot comes back.

The worker runs a :class:`~kernelplay.nn.worker.TrainingLoop` (no Qt) either in a separate process
(the default) or in a thread of this process; commands and messages are the small frozen types of
:mod:`kernelplay.nn.worker_messages`, picklable, so they cross the process boundary as they are.
Measured on 2 cores (``benchmarks/bench_training_gui.py``): with a thread, the trainer's Python
code and the GUI thread contend for the GIL — the event loop ran up to ~75 ms late (p99 ~65 ms)
and training lost ~30 % of its speed; with a process, only the CPU cores are shared.

``TrainingSession`` polls the worker's messages at most every ``redraw_interval_ms``, adds every
snapshot to the curves' history and re-emits only the newest one (``snapshot_received``): stale
snapshots are dropped, never drawn. Of the checkpoint lists, held-out evaluations and step views of
one poll, too, only the newest is emitted, once the whole poll is taken in.

Time travel: the weights of the run's checkpoints stay in the worker
(:class:`~kernelplay.nn.timeline.Timeline`); this side knows their steps (``checkpoints``), asks for
a step's view (``view_step``), goes back (``resume_from``), and saves or loads the whole run.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kernelplay.gui.training.workers import TRAINING_NICENESS, ProcessWorker, ThreadWorker
from kernelplay.nn import worker_messages as messages
from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.datasets import DigitSplit, Digits
from kernelplay.nn.evaluation import Evaluation
from kernelplay.nn.network import Network
from kernelplay.nn.run_file import RunCurves
from kernelplay.nn.snapshot import CurveHistory, Snapshot, StepView

__all__ = ["TrainingSession", "BACKENDS", "TRAINING_NICENESS"]

BACKENDS = ("process", "thread")
LOST_MESSAGE = "The training process ended unexpectedly; press Reset to start a new one."


class TrainingSession(QObject):
    """Commands in (they take effect between two training steps), the newest snapshot out.

    Signals: ``snapshot_received(Snapshot)`` (newest only, at most every ``redraw_interval_ms``),
    ``running_changed(bool)``, ``stopped(StopReason)`` (the run ended by itself: budget done or
    divergence), ``failed(str)`` (a setting was refused, a save or load failed or training crashed,
    in a sentence), ``saved(path, step)``; and for the mistakes and the timeline:

    - ``evaluation_received(Evaluation)``: a held-out evaluation of the live network (at each
      epoch's end, when a budget runs out, or asked for by :meth:`evaluate`); index ``i`` of it is
      ``heldout`` digit ``i``. Also kept as ``latest_evaluation`` (its step: ``latest_evaluation_step``);
    - ``checkpoints_changed(list[(step, digits seen)])``: the checkpoints held, oldest first (also
      ``checkpoints``); changes with each snapshot while training;
    - ``step_view_received(StepView)``: the network at a checkpoint, after :meth:`view_step` — at
      once with ``evaluation`` None, then again with the checkpoint's held-out evaluation;
    - ``resumed(step, digits seen)``: training went back there (the history after it is gone);
    - ``run_saved(path)``, ``run_loaded(path, settings dict)``, ``animation_exported(path, frames)``.

    ``backend`` is ``"process"`` (default) or ``"thread"``.
    """

    snapshot_received = Signal(object)
    running_changed = Signal(bool)
    stopped = Signal(object)
    failed = Signal(str)
    saved = Signal(str, int)
    evaluation_received = Signal(object)
    checkpoints_changed = Signal(object)
    step_view_received = Signal(object)
    resumed = Signal(int, int)
    run_saved = Signal(str)
    run_loaded = Signal(str, object)
    animation_exported = Signal(str, int)

    def __init__(self, data: DigitSplit, config: NetworkConfig | None = None, *, snapshot_interval: float = 0.05,
                 redraw_interval_ms: int = 50, seed: int = 0, epochs: float | None = None, probe: int = 0,
                 threads: int | None = None, backend: str = "process", parent: QObject | None = None) -> None:
        super().__init__(parent)
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        self.history = CurveHistory()
        self.latest: Snapshot | None = None
        self.running = False
        self.received = 0  # snapshots that reached this object (drawn or dropped as stale)
        self.latest_evaluation: Evaluation | None = None
        self.latest_evaluation_step: int | None = None
        self.checkpoints: list[tuple[int, int]] = []
        self.viewed_step: int | None = None  # the step asked of view_step, None when showing the live network
        self.latest_step_view: StepView | None = None
        self._due: dict[str, tuple] = {}  # signal name -> the newest arguments of one poll
        self._generation = 1
        self._closed = False
        self._lost = False
        self._data, self._backend = data, backend
        self._kwargs = dict(config=config, snapshot_interval=snapshot_interval, seed=seed, epochs=epochs, probe=probe,
                            threads=threads, max_in_flight=2)
        self._settings: dict[type, messages.Command] = {}  # the latest command of each setting, for a restarted worker
        self._workers = [self._start_worker()]  # the one live worker; a list, so stopper() follows a restart
        self._poll = QTimer(self)
        self._poll.setInterval(redraw_interval_ms)
        self._poll.timeout.connect(self._on_poll_due)
        self._poll.start()

    @property
    def _worker(self):
        return self._workers[0]

    def _start_worker(self):
        return (ProcessWorker if self._backend == "process" else ThreadWorker)(self._data, self._kwargs)

    def _restart_if_lost(self, config: NetworkConfig | None = None) -> bool:
        """After the worker died, start a new one with the same settings (True if it did)."""
        if not self._lost or self._closed:
            return False
        self._lost = False
        if config is not None:
            self._kwargs["config"] = config
        self._workers[0] = self._start_worker()
        self._generation = 1
        self._forget_network()
        for command in self._settings.values():
            self._worker.post(command)
        return True

    # --- commands ---------------------------------------------------------------------------------

    def play(self) -> None:
        self._post(messages.Play())

    def pause(self) -> None:
        self._post(messages.Pause())

    def step(self, steps: int = 1) -> None:
        self._post(messages.Step(steps))

    def reset(self, config: NetworkConfig | None = None) -> None:
        if not self._restart_if_lost(config):
            self._expect_new_network()
            self._worker.post(messages.Reset(config))

    def load_network(self, network: Network) -> None:
        """Continue from ``network``'s architecture, weights and frozen channels."""
        self._restart_if_lost()
        self._expect_new_network()
        self._worker.post(messages.LoadNetwork(network.config, network.get_params(), network.frozen_channels))

    def set_learning_rate(self, value: float) -> None:
        """The chosen rate: the decay starts again from it (snapshots carry the rate of each step)."""
        self._post_setting(messages.SetLearningRate(value))

    def set_learning_rate_decay(self, decay: bool) -> None:
        """Lower the chosen rate along a cosine (the default) or keep it as chosen."""
        self._post_setting(messages.SetLearningRateDecay(bool(decay)))

    def set_batch_size(self, value: int) -> None:
        self._post_setting(messages.SetBatchSize(value))

    def set_optimizer(self, name: str) -> None:
        self._post_setting(messages.SetOptimizer(name))

    def set_epochs(self, epochs: float | None) -> None:
        self._post_setting(messages.SetEpochs(epochs))

    def set_probe(self, probe) -> None:
        """The digit whose maps and scores snapshots (and step views) carry: an index into the
        held-out digits, or a drawn digit (float ``(28, 28)`` in [0, 1])."""
        self._post_setting(messages.SetProbe(probe))
        if self.viewed_step is not None:
            self._post(messages.ViewStep(self.viewed_step))

    def save_model(self, path) -> None:
        """Have the worker save its network as it is now (``saved`` or ``failed`` follows)."""
        self._post(messages.SaveModel(str(path)))

    def set_weights_wanted(self, wanted: bool) -> None:
        """Snapshots carry all the weights (``snapshot.weights``) while ``wanted``, e.g. while a unit
        is explained; none otherwise (a snapshot then stays ~5 times smaller)."""
        if self._settings.get(messages.IncludeWeights) != messages.IncludeWeights(bool(wanted)):
            self._post_setting(messages.IncludeWeights(bool(wanted)))

    def put_kernel(self, channel: int, kernel, frozen: bool = False) -> None:
        """Copy ``kernel`` (a playground kernel, 3×3 or 5×5) into conv1 ``channel``, ``frozen`` or
        not, between two steps (a snapshot follows, or ``failed`` says why not)."""
        self._post(messages.PutKernel(int(channel), np.array(kernel, dtype=np.float64), bool(frozen)))

    # --- mistakes and time travel -------------------------------------------------------------------

    @property
    def heldout(self) -> Digits:
        """The held-out digits the evaluations index (``images[i]``, ``labels[i]``)."""
        return self._data.heldout

    def evaluate(self) -> None:
        """Evaluate the held-out digits with the weights as they are now (``evaluation_received``
        follows; the next snapshot carries the accuracy, a point on the held-out curve)."""
        self._post(messages.Evaluate())

    def view_step(self, step: int) -> None:
        """Show the network as it was at the checkpoint at or before ``step`` (``step_view_received``
        follows, twice: without, then with its held-out evaluation). The live network trains on
        untouched. Calls in quick succession are fine: the worker shows the last one waiting."""
        self.viewed_step = int(step)
        self._post(messages.ViewStep(int(step)))

    def view_live(self) -> None:
        """Back to the live network: step views still on their way are dropped."""
        self.viewed_step = None
        self.latest_step_view = None

    def resume_from(self, step: int) -> None:
        """Pause and train on from the checkpoint at or before ``step``: the later checkpoints and
        curve points are dropped (``resumed(step, digits seen)`` follows, or ``failed``)."""
        self._post_new_generation(messages.ResumeFrom(int(step)))

    def curves(self) -> RunCurves:
        """The curves' points as they are now (for a run file or :func:`kernelplay.nn.exports.write_curves_csv`)."""
        return RunCurves.from_history(self.history)

    def save_run(self, path) -> None:
        """Have the worker write the run — its checkpoints (the present weights included), these
        curves, the frozen channels and settings — to ``path`` (``run_saved`` or ``failed`` follows)."""
        self._post(messages.SaveRun(str(path), self.curves()))

    def load_run(self, path) -> None:
        """Pause and continue from the run in ``path`` at its latest checkpoint, its timeline,
        curves and frozen channels restored (``run_loaded(path, settings)`` follows, or ``failed``:
        the present run goes on as it was). ``settings`` also holds the ``learning_rate``,
        ``batch_size`` and ``optimizer`` it was saved with, for the controls to show and set: the
        worker keeps the present ones."""
        self._restart_if_lost()
        self._post_new_generation(messages.LoadRun(str(path)))

    def export_kernel_animation(self, path) -> None:
        """Have the worker write the conv1 kernels over the checkpoints to ``path`` as an animated
        GIF (``.gif``) or APNG (``.png``, ``.apng``) (``animation_exported`` or ``failed`` follows)."""
        self._post(messages.ExportKernelAnimation(str(path)))

    def _post(self, command: messages.Command) -> None:
        """Post ``command``; with the worker lost, say so rather than post into the void."""
        if self._lost:
            self.failed.emit(LOST_MESSAGE)
        else:
            self._worker.post(command)

    def _post_setting(self, command: messages.Command) -> None:
        self._settings[type(command)] = command
        self._worker.post(command)

    def _post_new_generation(self, command: messages.Command) -> None:
        """Post a command after which the worker numbers its network anew (``NEW_GENERATION``)."""
        if self._lost:
            self.failed.emit(LOST_MESSAGE)
        else:
            self._generation += 1  # what comes before it belongs to a network being replaced
            self._worker.post(command)

    def _expect_new_network(self) -> None:
        self._generation += 1
        self._forget_network()

    def _forget_network(self) -> None:
        self.history.clear()
        self.checkpoints = []
        self._forget_views()

    def _forget_views(self) -> None:
        self.latest_evaluation = self.latest_evaluation_step = None
        self.view_live()

    # --- lifetime ---------------------------------------------------------------------------------

    def is_alive(self) -> bool:
        return self._worker.is_alive()

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Stop training and wait for the worker (True when it ended within ``timeout_ms``)."""
        if not self._closed:
            self._closed = True
            self._poll.stop()
            self._worker.stop()
        return self._worker.join(timeout_ms / 1000)

    def stopper(self):
        """A callable that stops the worker — the one live when it is called — without touching
        this object (for ``destroyed``)."""
        workers = self._workers

        def stop(*_):
            workers[0].stop()
            workers[0].join(1.0)

        return stop

    # --- from the worker --------------------------------------------------------------------------

    @Slot()
    def _on_poll_due(self) -> None:
        newest = None
        arrived = 0
        self._due = {}
        for message in self._worker.take():
            if isinstance(message, messages.SnapshotReady):
                arrived += 1
                if message.generation != self._generation:
                    continue  # a snapshot of a network that has been replaced since
                self.received += 1
                self.history.add(message.snapshot)
                newest = message.snapshot
            elif getattr(message, "generation", self._generation) == self._generation:
                self._on_message(message)
        if arrived and not self._closed:
            self._worker.post(messages.Acknowledge(arrived))
        if not self._closed and not self._lost and not self._worker.is_alive():
            self._lost = True  # e.g. killed from outside, or out of memory
            self._set_running(False)
            self.failed.emit(LOST_MESSAGE)
        if self._closed:
            return
        if newest is not None:
            self.latest = newest
            self.snapshot_received.emit(newest)
        # after the whole poll, so that a receiver of any of them finds the session's state complete
        # (e.g. on "resumed", the checkpoints and the curves are already those after the resume)
        for name, args in self._due.items():
            getattr(self, name).emit(*args)

    def _on_message(self, message) -> None:
        match message:
            case messages.RunningChanged(running=running):
                self._set_running(running)
            case messages.Stopped(reason=reason):
                self.stopped.emit(reason)
            case messages.Failed(message=text):
                self.failed.emit(text)
            case messages.Saved(path=path, step=step):
                self.saved.emit(path, step)
            case messages.CheckpointsChanged(points=points):
                self.checkpoints = [tuple(p) for p in points]
                self._due["checkpoints_changed"] = (list(self.checkpoints),)
            case messages.EvaluationReady(step=step, evaluation=evaluation):
                self.latest_evaluation, self.latest_evaluation_step = evaluation, step
                self._due["evaluation_received"] = (evaluation,)
            case messages.StepViewReady(view=view) if self.viewed_step is not None:
                self.latest_step_view = view
                self._due["step_view_received"] = (view,)
            case messages.Resumed(step=step, samples_seen=samples):
                self.history.drop_after(samples)
                self._forget_views()
                self._due["resumed"] = (step, samples)
            case messages.RunSaved(path=path):
                self.run_saved.emit(path)
            case messages.RunLoaded(path=path, curves=curves, settings=settings):
                self.history.restore(curves)
                self._forget_views()
                self._due["run_loaded"] = (path, settings)
            case messages.AnimationExported(path=path, frames=frames):
                self.animation_exported.emit(path, frames)

    def _set_running(self, running: bool) -> None:
        if running != self.running:
            self.running = running
            self.running_changed.emit(running)
