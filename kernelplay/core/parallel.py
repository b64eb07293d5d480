"""Data-parallel helpers for the CNN: a small thread pool whose workers use single-threaded BLAS.

Why: on 2 cores, splitting a batch in two and running each half's forward/backward in its own
thread beats one thread with 2 BLAS threads — numpy releases the GIL inside every large array
operation, so the window copies, pooling and shifted adds (single-threaded in numpy) run in parallel too,
and no BLAS thread spins waiting for the next matrix product.

Once the pool runs, OpenBLAS (numpy's bundled copy) is asked for one thread and left so
(:func:`kernelplay.core.blas.set_threads`): the pool's workers are the parallelism, and
OpenBLAS's own threads, which spin for a while after every multi-threaded call, would otherwise
take cycles from them — a probe digit's forward pass every 80–100 ms in the training tab halved its
training speed (2,070 instead of 3,650 digits/s). Without that call available, the pool is not
used: two workers each running two BLAS threads would oversubscribe the cores.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from kernelplay.core.blas import can_set_threads, set_threads

__all__ = ["worker_count", "run_parallel"]

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def worker_count() -> int:
    """How many data-parallel workers to use: 1 (no pool) or 2 (set ``KERNELPLAY_THREADS=1`` to
    turn the pool off)."""
    env = os.environ.get("KERNELPLAY_THREADS")
    if env is not None and env.strip() == "1":
        return 1
    if not can_set_threads() or (os.cpu_count() or 1) < 2:
        return 1
    return 2


def _forget_pool_in_child() -> None:
    # a forked child inherits the pool object but not its thread: it must start its own
    global _pool, _lock
    _pool = None
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_in_child)


def _init_worker() -> None:
    set_threads(1)


def run_parallel(tasks):
    """Run the callables in ``tasks`` on the pool (the first in the calling thread) and return
    their results in order. From then on numpy's BLAS keeps to one thread in this process."""
    global _pool
    if len(tasks) == 1:
        return [tasks[0]()]
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=len(tasks) - 1, thread_name_prefix="kernelplay-cnn",
                                       initializer=_init_worker)
    futures = [_pool.submit(t) for t in tasks[1:]]
    set_threads(1)
    first = tasks[0]()
    return [first] + [f.result() for f in futures]
