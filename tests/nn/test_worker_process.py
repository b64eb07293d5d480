"""The training process dies with the process that started it, however that one ends."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
# A parent that starts the worker the way the app does (spawned, training), prints its pid, then
# waits to be killed.
PARENT = f"""
import multiprocessing, sys, time
sys.path.insert(0, {str(TESTS)!r})
from synthetic_digits import SMALL, bar_digits
from kernelplay.nn.worker_process import run_loop_in_process
from kernelplay.nn.worker_messages import Play

if __name__ == "__main__":
    context = multiprocessing.get_context("spawn")
    commands, abort = context.Queue(), context.Event()
    results, results_end = context.Pipe(duplex=False)
    worker = context.Process(target=run_loop_in_process, daemon=True,
                             args=(commands, results_end, abort, bar_digits(), dict(config=SMALL)))
    worker.start()
    commands.put(Play())
    if not results.poll(60):
        sys.exit("the worker sent nothing")
    results.recv()  # the worker is up and has sent its first snapshot
    print(worker.pid, flush=True)
    time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie (dead, not yet reaped) counts as gone
        return stat.read().split()[2] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])  # names: Windows has no SIGKILL
def test_the_worker_ends_when_its_parent_is_killed(how):
    how = getattr(signal, how)
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    worker = None
    try:
        worker = int(parent.stdout.readline())
        assert alive(worker)
        parent.send_signal(how)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(worker), "the training process outlived the process that started it"
    finally:
        parent.kill()
        if worker is not None and alive(worker):
            os.kill(worker, signal.SIGKILL)
