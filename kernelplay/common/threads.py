"""kernelplay's one thread pool: numpy releases the GIL inside large array operations, so work
split over a few threads runs on several cores.

Three ways in: :func:`run_in_slices` cuts a loop into equal slices (the output mapping),
:func:`run_in_chunks` hands out small chunks to whichever worker is free (the filter's bands of rows:
a core busy with something else then holds up only its last chunk, not half the job), and
:func:`run_parallel` runs a few different callables, the first in the calling thread (the CNN's half
batches). Neither changes any global setting: the CNN keeps numpy's BLAS on
one thread while its halves run, in a scope of its own (:func:`kernelplay.nn.fast.blas.blas_threads`).

``KERNELPLAY_THREADS=1`` in the environment runs everything on the calling thread.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

__all__ = ["worker_count", "run_in_slices", "run_in_chunks", "run_parallel"]

MAX_WORKERS = 4
MIN_PARALLEL_ELEMENTS = 200_000  # below this many values, slicing costs more than it saves
_CORES = os.cpu_count() or 1  # read once: os.cpu_count() reads a file, ~10 µs a call

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None


def worker_count() -> int:
    """How many threads a job may use: the cores, at most 4, or 1 with ``KERNELPLAY_THREADS=1``."""
    if os.environ.get("KERNELPLAY_THREADS", "").strip() == "1":
        return 1
    return max(1, min(MAX_WORKERS, _CORES))


def _thread_pool() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    with _lock:
        # A forked child inherits the pool object but not its threads: it needs a pool of its own.
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="kernelplay")
            _pool_pid = os.getpid()
        return _pool


def run_in_slices(work: Callable[[int, int], None], count: int, elements: int) -> None:
    """Call ``work(start, stop)`` on equal slices of ``range(count)``, one per worker thread.

    Small jobs (fewer than ~200 000 values in all) run on the calling thread. The slices must
    write to disjoint memory.
    """
    workers = 1 if elements < MIN_PARALLEL_ELEMENTS else worker_count()
    if count < 2 * workers:
        workers = 1
    if workers == 1:
        work(0, count)
        return
    edges = np.linspace(0, count, workers + 1).astype(int)
    futures = [_thread_pool().submit(work, int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]
    for future in futures:
        future.result()


def run_in_chunks(start_worker: Callable[[], Callable[[int, int], None]], count: int, chunk: int,
                  elements: int) -> None:
    """Cut ``range(count)`` into chunks of ``chunk`` and hand them out as workers come free.

    Each worker thread (the calling thread is one of them) calls ``start_worker()`` once — a place
    for its own scratch buffers — and then the function it returned on each ``(start, stop)`` it
    takes. Small jobs (fewer than ~200 000 values in all) run on the calling thread alone. The
    chunks must write to disjoint memory. The first exception raised in a worker is raised here,
    once every worker has stopped.
    """
    chunk = max(1, chunk)
    chunks = -(-count // chunk)
    workers = 1 if elements < MIN_PARALLEL_ELEMENTS else min(worker_count(), chunks)
    taken = iter(range(chunks))
    lock = threading.Lock()
    failed = threading.Event()

    def worker() -> None:
        work = start_worker()
        while not failed.is_set():
            with lock:
                index = next(taken, None)
            if index is None:
                return
            try:
                work(index * chunk, min(count, (index + 1) * chunk))
            except BaseException:
                failed.set()  # the others stop after their current chunk
                raise

    if workers <= 1:
        worker()
        return
    futures = [_thread_pool().submit(worker) for _ in range(workers - 1)]
    try:
        worker()
    finally:
        errors = [future.exception() for future in futures]
    for error in errors:
        if error is not None:
            raise error


def run_parallel(tasks: list[Callable[[], object]]) -> list:
    """Run the callables in ``tasks``, the first in the calling thread and the others on the pool,
    and return their results in order."""
    if len(tasks) == 1:
        return [tasks[0]()]
    futures = [_thread_pool().submit(task) for task in tasks[1:]]
    first = tasks[0]()
    return [first] + [future.result() for future in futures]
