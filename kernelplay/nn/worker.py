"""The training loop behind the GUI's training tab: plain Python, no Qt, so it can run in a thread or
in a spawned process (:func:`run_loop_in_process`) that never loads Qt.

A :class:`TrainingLoop` owns a :class:`~kernelplay.nn.training.Trainer` and obeys the commands of
:mod:`kernelplay.nn.worker_messages` (play, pause, step, reset, load, settings, probe, save), posted
from any thread or process, between two training steps. It evaluates the held-out digits in chunks
interleaved with training (so pause and stop stay quick) and sends out frozen snapshots — at most
one per ``snapshot_interval`` seconds while running — and events.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import queue
import threading
import time
import traceback
from typing import Callable

import numpy as np

from kernelplay.nn import worker_messages as messages
from kernelplay.nn.budget import Budget
from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.datasets import DigitSplit
from kernelplay.nn.network import Network
from kernelplay.nn.training import HeldoutEvaluation, Trainer

__all__ = ["TrainingLoop", "run_loop_in_process"]


class TrainingLoop:
    """Trains on ``data`` in whatever thread calls :meth:`run`, until :meth:`stop`.

    ``send`` receives every message the loop sends: ``SnapshotReady``, ``RunningChanged``, ``Stopped``,
    ``Failed`` and ``Saved`` (:mod:`kernelplay.nn.worker_messages`).
    ``commands`` (anything with ``put``/``get(timeout=)``/``get_nowait``, e.g. a
    ``multiprocessing.Queue``) and ``abort`` (an ``Event``) may be given to drive the loop from
    another process.
    """

    def __init__(self, data: DigitSplit, config: NetworkConfig | None = None, *,
                 send: Callable[[object], None], snapshot_interval: float = 0.05, seed: int = 0,
                 learning_rate: float = 1e-3, batch_size: int = 64, optimizer: str = "adam",
                 epochs: float | None = None, probe: int | np.ndarray = 0, threads: int | None = None,
                 max_in_flight: int | None = None, commands=None, abort=None) -> None:
        self.data = data
        self.config = config or NetworkConfig()
        self.seed = seed
        self.snapshot_interval = float(snapshot_interval)
        self.threads = threads
        self._send = send
        # the first trainer's settings; each later one (after a reset or load) takes its predecessor's
        self._first_settings = dict(learning_rate=learning_rate, batch_size=batch_size, optimizer=optimizer)
        self._epochs = epochs
        self._probe = probe
        self._commands = queue.SimpleQueue() if commands is None else commands
        self._abort = threading.Event() if abort is None else abort
        self.trainer: Trainer | None = None
        self.generation = 0
        self._running = False
        self._steps_left = 0
        self._budget: Budget | None = None  # None: train until paused
        self._evaluation: HeldoutEvaluation | None = None
        self._last_snapshot_at = 0.0
        # flow control: periodic snapshots wait while this many are unacknowledged, so a busy
        # receiver gets fewer snapshots instead of a growing backlog
        self.max_in_flight = max_in_flight
        self._in_flight = 0
        self._handlers: dict[type, Callable] = {
            messages.Play: self._play,
            messages.Pause: self._pause_and_show,
            messages.Step: self._step,
            messages.Reset: self._reset,
            messages.LoadNetwork: self._load,
            messages.SetLearningRate: self._set_learning_rate,
            messages.SetBatchSize: self._set_batch_size,
            messages.SetOptimizer: self._set_optimizer,
            messages.SetEpochs: self._set_epochs,
            messages.SetProbe: self._set_probe,
            messages.Acknowledge: self._acknowledge,
            messages.SaveModel: self._save,
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
            while not self._abort.is_set():
                self._take_commands(block=not (self._training or self._evaluation is not None))
                if self._abort.is_set():
                    break
                if self._training:
                    self._train_one()
                if self._evaluation is not None:
                    self._evaluate_chunk()
        except Exception:  # noqa: BLE001 — reported to the GUI rather than lost in a thread
            self._send(messages.Failed("training stopped by an error:\n" + traceback.format_exc(limit=4)))
        finally:
            self._set_running(False)

    @property
    def _training(self) -> bool:
        return self._running or self._steps_left > 0

    def _take_commands(self, block: bool) -> None:
        """Obey every command waiting (first waiting up to half a second for one if ``block``)."""
        try:
            command = self._commands.get(timeout=0.5) if block else self._commands.get_nowait()
        except queue.Empty:
            return
        while True:
            try:
                handler = self._handlers.get(type(command))
                if handler is None:
                    raise TypeError(f"not a training command: {command!r}")
                handler(command)
            except (ValueError, TypeError, IndexError) as exc:  # a refused setting: say why, go on
                self._send(messages.Failed(str(exc)))
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return

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

    def _load(self, command: messages.LoadNetwork) -> None:
        self._pause()
        network = Network(command.config, seed=self.seed, threads=self.threads)
        network.set_params(command.weights)
        self.config = command.config
        self._install(network)

    def _set_learning_rate(self, command: messages.SetLearningRate) -> None:
        self.trainer.set_learning_rate(command.value)

    def _set_batch_size(self, command: messages.SetBatchSize) -> None:
        self.trainer.set_batch_size(command.value)

    def _set_optimizer(self, command: messages.SetOptimizer) -> None:
        self.trainer.set_optimizer(command.name)

    def _set_epochs(self, command: messages.SetEpochs) -> None:
        self._epochs = command.epochs
        if self._running:
            self._start_budget()

    def _set_probe(self, command: messages.SetProbe) -> None:
        self.trainer.set_probe(command.probe)
        self._probe = command.probe
        if not self._running:
            self._publish()

    def _acknowledge(self, command: messages.Acknowledge) -> None:
        self._in_flight = max(0, self._in_flight - int(command.count))

    def _save(self, command: messages.SaveModel) -> None:
        try:
            saved = self.trainer.network.save(command.path)
        except OSError as exc:
            self._send(messages.Failed(f"Could not save the model: {exc.strerror or exc}"))
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
        self._budget = None if self._epochs is None else Budget(self.trainer, epochs=self._epochs)

    def _install(self, network: Network) -> None:
        """Train ``network`` from now on, with the present settings, a fresh trainer and the next
        generation number."""
        previous = self.trainer
        settings = self._first_settings if previous is None else dict(
            learning_rate=previous.learning_rate, batch_size=previous.batch_size, optimizer=previous.optimizer.name)
        self.trainer = Trainer(network, self.data, seed=self.seed, probe=0, **settings)
        self.trainer.set_probe(self._probe)
        self.generation += 1
        self._budget = None
        self._evaluation = None
        self._publish()

    def _train_one(self) -> int:
        """One batch; returns the digits it trained on (0 when the step diverged and was undone)."""
        trainer = self.trainer
        epoch_before = trainer.epochs_completed
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
            self._evaluation = trainer.start_evaluation()
        used_up = self._budget.stop_reason() if self._running and self._budget is not None else None
        if used_up is not None:
            self._pause()
            self._evaluation = trainer.start_evaluation()
            self._publish()
            self._send(messages.Stopped(used_up))
        elif stepping and self._steps_left == 0:
            self._publish()
        elif (time.perf_counter() - self._last_snapshot_at >= self.snapshot_interval
              and (self.max_in_flight is None or self._in_flight < self.max_in_flight)):
            self._publish()
        return result.batch_size

    def _evaluate_chunk(self) -> None:
        accuracy = self._evaluation.advance()
        if accuracy is None:
            return
        self._evaluation = None
        self.trainer.record_heldout_accuracy(accuracy)
        if not self._running:
            self._publish()

    def _publish(self, *, final: bool = False) -> None:
        # no weights: the GUI needs only kernels and the probe's activations (a drawn digit is sent
        # here as the probe), which keeps a snapshot near 0.2 MB instead of 1 MB for the default network
        snapshot = self.trainer.snapshot(include_weights=False, final=final)
        self._last_snapshot_at = time.perf_counter()
        self._in_flight += 1
        self._send(messages.SnapshotReady(self.generation, snapshot))


def run_loop_in_process(commands, results, abort, data: DigitSplit, kwargs: dict, nice: int = 0) -> None:
    """A child process's main: a :class:`TrainingLoop` fed by ``commands`` (a queue), sending to
    ``results`` (the write end of a one-way pipe, a ``Connection``) until ``abort`` (an event) is set;
    ``kwargs`` go to the loop.

    ``nice`` lowers the process's scheduling priority: training still takes every idle cycle, but
    when the GUI thread wakes up to redraw it gets a core at once instead of waiting its turn.

    The process ends as soon as the process that started it is gone, however that one ended
    (closed, crashed, killed): a worker nobody can see must not go on training.
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_when_gone, args=(parent.sentinel,), name="kernelplay-parent-watch",
                         daemon=True).start()
    if nice and hasattr(os, "nice"):
        try:
            os.nice(nice)
        except OSError:
            pass
    outbox: queue.SimpleQueue = queue.SimpleQueue()
    sender = threading.Thread(target=_send_all, args=(outbox, results), name="kernelplay-results", daemon=True)
    sender.start()
    try:
        TrainingLoop(data, send=outbox.put, commands=commands, abort=abort, **kwargs).run()
    finally:
        outbox.put(None)
        sender.join()  # the last messages (the loop's end, an error) must reach the reader


def _send_all(outbox: queue.SimpleQueue, connection) -> None:
    """Send what the loop posts to ``outbox``, in order, until None; from a thread of its own, so the
    loop never waits for a slow reader (as a multiprocessing queue's feeder thread does)."""
    try:
        while (message := outbox.get()) is not None:
            connection.send(message)
    except OSError:  # the reader is gone: nobody left to tell
        pass
    finally:
        connection.close()


def _exit_when_gone(parent_sentinel) -> None:
    """Wait until the parent process has ended (its sentinel becomes readable), then end this one
    at once: there is nobody left to send snapshots to, and nothing of the worker's to save."""
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(0)
