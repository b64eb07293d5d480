"""run_in_chunks: chunks handed out to whichever worker is free, each worker with its own state."""
import threading
import time

import numpy as np
import pytest

from kernelplay.common import threads


def test_every_chunk_runs_once_and_each_worker_starts_once(monkeypatch):
    monkeypatch.setattr(threads, "worker_count", lambda: 3)
    seen = np.zeros(1000, int)
    starts, chunks = [], []

    def start_worker():
        starts.append(threading.current_thread())

        def work(start, stop):
            seen[start:stop] += 1
            chunks.append((start, stop))
        return work

    threads.run_in_chunks(start_worker, 1000, 64, elements=10**6)
    assert np.all(seen == 1)
    assert sorted(chunks) == [(start, min(1000, start + 64)) for start in range(0, 1000, 64)]
    assert len(starts) == 3 and threading.current_thread() in starts  # the caller is one of the workers


def test_a_slow_worker_takes_fewer_chunks(monkeypatch):
    # A core busy elsewhere: its worker holds up only its own chunk while the other takes the rest.
    monkeypatch.setattr(threads, "worker_count", lambda: 2)
    here = threading.current_thread()
    taken = {"here": 0, "pool": 0}

    def start_worker():
        mine = "here" if threading.current_thread() is here else "pool"

        def work(start, stop):
            taken[mine] += 1
            time.sleep(0.05 if mine == "here" else 0.001)
        return work

    threads.run_in_chunks(start_worker, 40, 1, elements=10**6)
    assert taken["here"] + taken["pool"] == 40 and taken["here"] < 10


def test_small_jobs_stay_on_the_calling_thread():
    calls = []
    threads.run_in_chunks(lambda: lambda a, b: calls.append((a, b, threading.current_thread())), 100, 30, elements=100)
    assert calls == [(start, min(100, start + 30), threading.current_thread()) for start in range(0, 100, 30)]


@pytest.mark.parametrize("failing", ["here", "pool"])
def test_an_error_in_any_worker_is_raised_after_all_have_stopped(monkeypatch, failing):
    monkeypatch.setattr(threads, "worker_count", lambda: 2)
    here = threading.current_thread()
    running = []

    def start_worker():
        mine = "here" if threading.current_thread() is here else "pool"

        def work(start, stop):
            running.append(mine)
            time.sleep(0.002)
            if mine == failing and start >= 10:
                raise ValueError("not finite")
            running.remove(mine)
        return work

    with pytest.raises(ValueError, match="not finite"):
        threads.run_in_chunks(start_worker, 200, 1, elements=10**6)
    time.sleep(0.01)
    assert running == [failing]  # the other worker stopped after its chunk, and nothing runs on
