"""Driving a :class:`~kernelplay.nn.worker.TrainingLoop` in a thread from a test, and reading what it sends."""
import queue
import threading
import time
from contextlib import contextmanager

from synthetic_digits import SMALL
from kernelplay.nn.worker import TrainingLoop

TIMEOUT = 10


@contextmanager
def running_loop(data, **kwargs):
    """A loop of the SMALL network training in a thread; yields it and the queue of what it sent."""
    messages = queue.SimpleQueue()
    kwargs.setdefault("snapshot_interval", 0.0)
    loop = TrainingLoop(data, SMALL, send=messages.put, **kwargs)
    thread = threading.Thread(target=loop.run)
    thread.start()
    try:
        yield loop, messages
    finally:
        loop.stop()
        thread.join(TIMEOUT)
    assert not thread.is_alive()


def next_of(messages, kind):
    """The next message of type ``kind``, skipping the others."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        message = messages.get(timeout=max(0.01, deadline - time.monotonic()))
        if isinstance(message, kind):
            return message


def drain(messages):
    """Whatever the loop has sent so far."""
    out = []
    while True:
        try:
            out.append(messages.get_nowait())
        except queue.Empty:
            return out
