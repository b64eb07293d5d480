"""The GUI's handle on training: commands go to a worker, the newest snapshot comes back.

The worker runs a :class:`~kernelplay.nn.worker.TrainingLoop` (no Qt) either in a separate process
(the default) or in a thread of this process; commands and messages are the small frozen types of
:mod:`kernelplay.nn.worker_messages`, picklable, so they cross the process boundary as they are.
Measured on 2 cores (``benchmarks/bench_training_gui.py``): with a thread, the trainer's Python
code and the GUI thread contend for the GIL — the event loop ran up to ~75 ms late (p99 ~65 ms)
and training lost ~30 % of its speed; with a process, only the CPU cores are shared.

``TrainingSession`` polls the worker's messages at most every ``redraw_interval_ms``, adds every
snapshot to the curves' history and re-emits only the newest one (``snapshot_received``): stale
snapshots are dropped, never drawn.
"""
from __future__ import annotations

import multiprocessing
import queue
import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.datasets import DigitSplit
from kernelplay.nn.network import Network
from kernelplay.nn.snapshot import CurveHistory, Snapshot
from kernelplay.nn.worker import TrainingLoop, run_loop_in_process
from kernelplay.nn import worker_messages as messages

__all__ = ["TrainingSession", "BACKENDS"]

BACKENDS = ("process", "thread")
LOST_MESSAGE = "The training process ended unexpectedly; press Reset to start a new one."
TRAINING_NICENESS = 10  # the trainer yields the CPU to the GUI thread whenever it wants to draw


class _ThreadWorker:
    """The loop in a daemon thread of this process; messages on a plain queue."""

    def __init__(self, data: DigitSplit, kwargs: dict) -> None:
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self.loop = TrainingLoop(data, send=self._results.put, **kwargs)
        self._thread = threading.Thread(target=self.loop.run, name="kernelplay-training", daemon=True)
        self._thread.start()

    def post(self, command: messages.Command) -> None:
        self.loop.post(command)

    def stop(self) -> None:
        self.loop.stop()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def take(self) -> list:
        out = []
        while True:
            try:
                out.append(self._results.get_nowait())
            except queue.Empty:
                return out


class _ProcessWorker:
    """The loop in a child process (spawned: no copy of this process's Qt state). Commands go on a
    multiprocessing queue; messages come back on a one-way pipe whose write end only the child holds,
    so reading can never wait for a message the child died writing: the pipe's end is read instead."""

    def __init__(self, data: DigitSplit, kwargs: dict) -> None:
        context = multiprocessing.get_context("spawn")
        self._commands = context.Queue()
        self._commands.cancel_join_thread()  # never block this process's exit on commands nobody reads
        self._abort = context.Event()
        self._results, results_end = context.Pipe(duplex=False)
        self._backlog: list = []
        self._process = context.Process(target=run_loop_in_process, name="kernelplay-training", daemon=True,
                                        args=(self._commands, results_end, self._abort, data, kwargs,
                                              TRAINING_NICENESS))
        self._process.start()
        results_end.close()  # the child's copy is now the only one: its death closes the pipe

    def post(self, command: messages.Command) -> None:
        self._commands.put(command)

    def stop(self) -> None:
        self._abort.set()
        self._commands.put(messages.Wake())

    def is_alive(self) -> bool:
        return self._process.is_alive()

    def join(self, timeout: float) -> bool:
        """Wait for the child to end, reading its messages meanwhile (a full pipe would keep it from
        exiting); after ``timeout`` seconds it is terminated (killed if need be), and what it sent in
        full is kept for :meth:`take`. True when it ended by itself in time."""
        deadline = time.monotonic() + timeout
        received = []
        while self._process.is_alive() and time.monotonic() < deadline:
            received += self.take()
            self._process.join(0.01)
        ended = not self._process.is_alive()
        for end in (self._process.terminate, self._process.kill):
            if self._process.is_alive():
                end()
                self._process.join(1.0)
        if not self._process.is_alive():  # else a message it is writing could keep a read waiting
            received += self.take()
            self._results.close()
        self._backlog = received
        return ended

    def take(self) -> list:
        out, self._backlog = self._backlog, []
        try:
            while not self._results.closed and self._results.poll():
                out.append(self._results.recv())
        except (EOFError, OSError):  # the child is gone, perhaps in the middle of a message
            self._results.close()
        return out


class TrainingSession(QObject):
    """Commands in (they take effect between two training steps), the newest snapshot out.

    Signals: ``snapshot_received(Snapshot)`` (newest only, at most every ``redraw_interval_ms``),
    ``running_changed(bool)``, ``stopped(StopReason)`` (the run ended by itself: budget done or
    divergence), ``failed(str)`` (a setting was refused, a save failed or training crashed),
    ``saved(path, step)``. ``backend`` is ``"process"`` (default) or ``"thread"``.
    """

    snapshot_received = Signal(object)
    running_changed = Signal(bool)
    stopped = Signal(object)
    failed = Signal(str)
    saved = Signal(str, int)

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
        return (_ProcessWorker if self._backend == "process" else _ThreadWorker)(self._data, self._kwargs)

    def _restart_if_lost(self, config: NetworkConfig | None = None) -> bool:
        """After the worker died, start a new one with the same settings (True if it did)."""
        if not self._lost or self._closed:
            return False
        self._lost = False
        if config is not None:
            self._kwargs["config"] = config
        self._workers[0] = self._start_worker()
        self._generation = 1
        self.history.clear()
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
        """Continue from ``network``'s architecture and weights."""
        self._restart_if_lost()
        self._expect_new_network()
        self._worker.post(messages.LoadNetwork(network.config, network.get_params()))

    def set_learning_rate(self, value: float) -> None:
        self._post_setting(messages.SetLearningRate(value))

    def set_batch_size(self, value: int) -> None:
        self._post_setting(messages.SetBatchSize(value))

    def set_optimizer(self, name: str) -> None:
        self._post_setting(messages.SetOptimizer(name))

    def set_epochs(self, epochs: float | None) -> None:
        self._post_setting(messages.SetEpochs(epochs))

    def set_probe(self, probe) -> None:
        """The digit whose maps and scores snapshots carry: an index into the held-out digits, or a
        drawn digit (float ``(28, 28)`` in [0, 1])."""
        self._post_setting(messages.SetProbe(probe))

    def save_model(self, path) -> None:
        """Have the worker save its network as it is now (``saved`` or ``failed`` follows)."""
        self._post(messages.SaveModel(str(path)))

    def _post(self, command: messages.Command) -> None:
        """Post ``command``; with the worker lost, say so rather than post into the void."""
        if self._lost:
            self.failed.emit(LOST_MESSAGE)
        else:
            self._worker.post(command)

    def _post_setting(self, command: messages.Command) -> None:
        self._settings[type(command)] = command
        self._worker.post(command)

    def _expect_new_network(self) -> None:
        self._generation += 1
        self.history.clear()

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
        for message in self._worker.take():
            if isinstance(message, messages.SnapshotReady):
                arrived += 1
                if message.generation != self._generation:
                    continue  # a snapshot of a network that has been replaced since
                self.received += 1
                self.history.add(message.snapshot)
                newest = message.snapshot
            else:
                self._on_message(message)
        if arrived and not self._closed:
            self._worker.post(messages.Acknowledge(arrived))
        if not self._closed and not self._lost and not self._worker.is_alive():
            self._lost = True  # e.g. killed from outside, or out of memory
            self._set_running(False)
            self.failed.emit(LOST_MESSAGE)
        if newest is not None and not self._closed:
            self.latest = newest
            self.snapshot_received.emit(newest)

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

    def _set_running(self, running: bool) -> None:
        if running != self.running:
            self.running = running
            self.running_changed.emit(running)
