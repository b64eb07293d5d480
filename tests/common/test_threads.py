"""The one thread pool: every slice runs once, results come back in order, and it can be turned off."""
import threading

import numpy as np

from kernelplay.common import threads


def test_slices_cover_the_range_once_on_the_pool(monkeypatch):
    monkeypatch.setattr(threads, "worker_count", lambda: 2)
    seen, slices = np.zeros(1000, int), []

    def work(start, stop):
        seen[start:stop] += 1
        slices.append((start, stop, threading.current_thread() is threading.main_thread()))

    threads.run_in_slices(work, 1000, elements=10**6)
    assert np.all(seen == 1)
    assert sorted(slices) == [(0, 500, False), (500, 1000, False)]


def test_small_jobs_stay_on_the_calling_thread():
    calls = []
    threads.run_in_slices(lambda a, b: calls.append((a, b, threading.current_thread())), 1000, elements=100)
    assert calls == [(0, 1000, threading.current_thread())]


def test_run_parallel_keeps_the_order_and_runs_the_first_task_here():
    here = threading.current_thread()
    results = threads.run_parallel([lambda: ("a", threading.current_thread() is here),
                                    lambda: ("b", threading.current_thread() is here),
                                    lambda: ("c", threading.current_thread() is here)])
    assert results == [("a", True), ("b", False), ("c", False)]


def test_kernelplay_threads_1_turns_the_pool_off(monkeypatch):
    monkeypatch.setenv("KERNELPLAY_THREADS", "1")
    assert threads.worker_count() == 1
    monkeypatch.delenv("KERNELPLAY_THREADS")
    assert 1 <= threads.worker_count() <= threads.MAX_WORKERS
