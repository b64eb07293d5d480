"""Handles on the training worker for :class:`~kernelplay.gui.training.session.TrainingSession`: the
same small interface (post, stop, is_alive, join, take) over a thread of this process or a spawned
process. No Qt: the session polls ``take()`` from the GUI thread.
"""
from __future__ import annotations

import multiprocessing
import queue
import threading
import time

from kernelplay.nn import worker_messages as messages
from kernelplay.nn.datasets import DigitSplit
from kernelplay.nn.worker import TrainingLoop
from kernelplay.nn.worker_process import run_loop_in_process

__all__ = ["ThreadWorker", "ProcessWorker", "TRAINING_NICENESS"]

TRAINING_NICENESS = 10  # the trainer yields the CPU to the GUI thread whenever it wants to draw


class ThreadWorker:
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


class ProcessWorker:
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
