"""The training loop's own process: :func:`run_loop_in_process` is the main of the child process the
GUI spawns (:mod:`kernelplay.gui.training.session`), a :class:`~kernelplay.nn.worker.TrainingLoop`
fed by a queue of commands and sending its messages back on a one-way pipe. No Qt.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import queue
import threading

from kernelplay.nn.datasets import DigitSplit
from kernelplay.nn.worker import TrainingLoop

__all__ = ["run_loop_in_process"]


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
