"""The training loop the tab's worker runs: plain Python, no Qt, so it can run in a thread or in a
separate process (``run_loop_in_process``) without loading Qt there.

``TrainingLoop`` owns the core's ``Trainer``, obeys commands posted from any thread or process
(play, pause, step, reset, load, settings, probe) between two training steps, evaluates the
held-out digits in small chunks interleaved with training (so pause and stop stay quick), and hands
out frozen ``Snapshot``\\ s — at most one per ``snapshot_interval`` seconds while running.
"""
from __future__ import annotations

import dataclasses
import math
import os
import queue
import threading
import time
import traceback
from typing import Callable

import numpy as np

from kernelplay.nn.datasets import DigitSplit
from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.network import Network
from kernelplay.nn.training import Snapshot, Trainer

__all__ = ["TrainingLoop", "CurveHistory", "OPTIMIZERS", "run_loop_in_process"]

OPTIMIZERS = ("adam", "sgd")
_EVAL_CHUNK = 250  # held-out digits evaluated between two training steps


class TrainingLoop:
    """Trains on ``data`` in whatever thread calls :meth:`run`, until :meth:`stop`.

    emit(generation, snapshot) receives every snapshot; announce(kind, value) receives events:
    ``("running", bool)``, ``("stopped", reason)``, ``("failed", message)``, ``("saved", (path,
    step))`` and, as the loop ends,
    ``("stats", (digits trained, seconds spent running))``. ``generation`` counts resets and loads,
    so a receiver can ignore snapshots of a network it already replaced.

    ``commands`` (anything with ``put``/``get(timeout=)``/``get_nowait``, e.g. a
    ``multiprocessing.Queue``) and ``abort`` (an ``Event``) may be given to drive the loop from
    another process.
    """

    def __init__(self, data: DigitSplit, config: NetworkConfig | None = None, *,
                 emit: Callable[[int, Snapshot], None], announce: Callable[[str, object], None],
                 snapshot_interval: float = 0.05, seed: int = 0, learning_rate: float = 1e-3,
                 batch_size: int = 64, optimizer: str = "adam", epochs: float | None = None,
                 probe: int = 0, threads: int | None = None, max_in_flight: int | None = None,
                 commands=None, abort=None) -> None:
        self.data = data
        self.config = config or NetworkConfig()
        self.seed = seed
        self.snapshot_interval = float(snapshot_interval)
        self.threads = threads
        self._emit, self._announce = emit, announce
        self._settings = {"learning_rate": float(learning_rate), "batch_size": int(batch_size),
                          "optimizer": optimizer}
        self._epochs = epochs
        self._probe: int | np.ndarray = probe
        self._commands = queue.SimpleQueue() if commands is None else commands
        self._abort = threading.Event() if abort is None else abort
        self.trainer: Trainer | None = None
        self.generation = 0
        self._running = False
        self._steps_left = 0
        self._target_samples: int | None = None
        self._eval: tuple[Network, int] | None = None  # (frozen copy of the weights, next index)
        self._eval_correct = 0
        self._heldout_fresh: float | None = None
        self._last_emit = 0.0
        # flow control: periodic snapshots wait while this many are unacknowledged ("ack" command),
        # so a busy receiver gets fewer snapshots instead of a growing backlog
        self.max_in_flight = max_in_flight
        self._in_flight = 0
        # wall-clock throughput while running (training + snapshots + evaluation)
        self.busy_seconds = 0.0
        self.samples_trained = 0

    # --- called from any thread -----------------------------------------------------------------

    def post(self, command: str, *args) -> None:
        self._commands.put((command, args))

    def stop(self) -> None:
        self._abort.set()
        self._commands.put(("wake", ()))

    @property
    def stopping(self) -> bool:
        return self._abort.is_set()

    # --- the loop (worker thread) ---------------------------------------------------------------

    def run(self) -> None:
        try:
            self._install(Network(self.config, seed=self.seed, threads=self.threads))
            while not self._abort.is_set():
                busy = self._running or self._steps_left > 0 or self._eval is not None
                self._drain(block=not busy)
                if self._abort.is_set():
                    break
                if self._running or self._steps_left > 0:
                    start = time.perf_counter()
                    trained = self._train_one()
                    if self._eval is not None:
                        self._evaluate_chunk()
                    if self._running:
                        self.busy_seconds += time.perf_counter() - start
                        self.samples_trained += trained
                elif self._eval is not None:
                    self._evaluate_chunk()
        except Exception:  # noqa: BLE001 — reported to the GUI rather than lost in a thread
            self._announce("failed", "training stopped by an error:\n" + traceback.format_exc(limit=4))
        finally:
            if self._running:
                self._running = False
                self._announce("running", False)
            self._announce("stats", (self.samples_trained, self.busy_seconds))

    def _drain(self, block: bool) -> None:
        try:
            command, args = self._commands.get(timeout=0.5) if block else self._commands.get_nowait()
        except queue.Empty:
            return
        while True:
            try:
                self._handle(command, args)
            except (ValueError, TypeError, IndexError) as exc:
                self._announce("failed", str(exc))
            try:
                command, args = self._commands.get_nowait()
            except queue.Empty:
                return

    def _handle(self, command: str, args: tuple) -> None:
        trainer = self.trainer
        if command == "play":
            if not self._running:
                trainer.stopped_reason = None
                if self._target_samples is None or trainer.samples_seen >= self._target_samples:
                    self._set_target()
                self._running = True
                self._announce("running", True)
        elif command == "pause":
            self._pause()
            self._publish()
        elif command == "step":
            steps_left = self._steps_left
            self._pause()
            self._steps_left = steps_left
            trainer.stopped_reason = None
            self._steps_left += int(args[0]) if args else 1
        elif command == "reset":
            self._pause()
            if args and args[0] is not None:
                self.config = args[0]
            self._install(Network(self.config, seed=self.seed, threads=self.threads))
        elif command == "load":  # (config, {name: array}): plain data, so it can cross processes
            self._pause()
            config, weights = args
            network = Network(config, seed=self.seed, threads=self.threads)
            network.set_params(weights)
            self.config = config
            self._install(network)
        elif command == "learning_rate":
            trainer.set_learning_rate(args[0])
            self._settings["learning_rate"] = trainer.learning_rate
        elif command == "batch_size":
            trainer.set_batch_size(args[0])
            self._settings["batch_size"] = trainer.batch_size
        elif command == "optimizer":
            if args[0] not in OPTIMIZERS:
                raise ValueError(f"unknown optimiser {args[0]!r}; choose one of {', '.join(OPTIMIZERS)}")
            trainer.set_optimizer(args[0])
            self._settings["optimizer"] = args[0]
        elif command == "epochs":
            self._epochs = args[0]
            if self._running:
                self._set_target()
        elif command == "probe":
            self._probe = args[0]
            trainer.set_probe(args[0])
            if not self._running:
                self._publish()
        elif command == "publish":
            self._publish()
        elif command == "ack":
            self._in_flight = max(0, self._in_flight - int(args[0]))
        elif command == "save":
            try:
                saved = trainer.network.save(args[0])
            except OSError as exc:
                self._announce("failed", f"Could not save the model: {exc.strerror or exc}")
            else:
                self._announce("saved", (str(saved), trainer.step_count))

    def _pause(self) -> None:
        self._steps_left = 0
        if self._running:
            self._running = False
            self._announce("running", False)

    def _set_target(self) -> None:
        trainer = self.trainer
        if self._epochs is None:
            self._target_samples = None
        else:
            self._target_samples = trainer.samples_seen + int(round(self._epochs * len(self.data.train)))

    def _install(self, network: Network) -> None:
        s = self._settings
        self.trainer = Trainer(network, self.data, learning_rate=s["learning_rate"], batch_size=s["batch_size"],
                               optimizer=s["optimizer"], seed=self.seed, probe=0)
        self.trainer.set_probe(self._probe)
        self.generation += 1
        self._target_samples = None
        self._eval = None
        self._heldout_fresh = None
        self._publish()

    def _train_one(self) -> int:
        trainer = self.trainer
        epoch_before = trainer.epochs_completed
        result = trainer.step()
        if result.diverged:
            self._pause()
            self._emit(self.generation, trainer.snapshot(include_weights=False, final=True))
            self._last_emit = time.perf_counter()
            self._announce("stopped", result.diverged)
            return 0
        stepping = self._steps_left > 0
        if stepping:
            self._steps_left -= 1
        if trainer.epochs_completed > epoch_before:
            self._start_evaluation()
        if self._running and self._target_samples is not None and trainer.samples_seen >= self._target_samples:
            self._pause()
            self._start_evaluation()
            self._publish()
            epochs = self._epochs
            self._announce("stopped", f"{epochs:g} epoch{'' if epochs == 1 else 's'} done")
        elif stepping and self._steps_left == 0:
            self._publish()
        elif (time.perf_counter() - self._last_emit >= self.snapshot_interval
              and (self.max_in_flight is None or self._in_flight < self.max_in_flight)):
            self._publish()
        return result.batch_size

    def _start_evaluation(self) -> None:
        # a frozen copy, so the accuracy belongs to one moment although training goes on meanwhile
        self._eval = (self.trainer.network.copy(), 0)
        self._eval_correct = 0

    def _evaluate_chunk(self) -> None:
        network, start = self._eval
        heldout = self.data.heldout
        stop = min(start + _EVAL_CHUNK, len(heldout))
        predicted = network.predict(heldout.as_float(np.arange(start, stop)))
        self._eval_correct += int(np.count_nonzero(predicted == heldout.labels[start:stop]))
        if stop < len(heldout):
            self._eval = (network, stop)
            return
        self._eval = None
        accuracy = self._eval_correct / len(heldout)
        self.trainer.latest_heldout_accuracy = accuracy
        self._heldout_fresh = accuracy
        if not self._running:
            self._publish()

    def _publish(self) -> None:
        # no weights: the GUI needs only kernels and the probe's activations (a drawn digit is sent
        # here as the probe), which keeps a snapshot near 0.2 MB instead of 1 MB for the seed net
        snapshot = self.trainer.snapshot(include_weights=False)
        if self._heldout_fresh is not None:
            snapshot = dataclasses.replace(snapshot, heldout_accuracy=self._heldout_fresh)
            self._heldout_fresh = None
        self._last_emit = time.perf_counter()
        self._in_flight += 1
        self._emit(self.generation, snapshot)


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


def run_loop_in_process(commands, results, abort, data: DigitSplit, kwargs: dict, nice: int = 0) -> None:
    """A child process's main: a :class:`TrainingLoop` fed by ``commands``; snapshots and events go
    to ``results`` as ``("snapshot", generation, snapshot)`` and ``("event", kind, value)``.

    ``nice`` lowers the process's scheduling priority: training still takes every idle cycle, but
    when the GUI thread wakes up to redraw it gets a core at once instead of waiting its turn.
    """
    if nice and hasattr(os, "nice"):
        try:
            os.nice(nice)
        except OSError:
            pass
    loop = TrainingLoop(data, emit=lambda generation, snapshot: results.put(("snapshot", generation, snapshot)),
                        announce=lambda kind, value: results.put(("event", kind, value)),
                        commands=commands, abort=abort, **kwargs)
    loop.run()
