"""What the timeline costs training: the worker keeps a checkpoint at each snapshot it sends
(``Timeline.record``, a 0.92 MiB copy for the default network) and tells the GUI the list of steps.

A headless :class:`~kernelplay.nn.worker.TrainingLoop` (default network, bundled digits with 500
held out, snapshots every 0.05 s as in the app) trains in a thread; segments of ``--seconds`` alternate with and without
the checkpoints (B A A B …: recording swapped for a no-op), and the median of the per-pair ratios of
digits trained per second is printed, with the cost of one ``record`` and the share of the training
thread's time spent recording and sending the list (the direct measure, which a busy machine does
not blur as it blurs throughput). Target: under 2 % lost.

    python benchmarks/bench_timeline.py [--seconds 4] [--rounds 8]
"""
from __future__ import annotations

import argparse
import queue
import statistics
import threading
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each segment (default 4)")
    parser.add_argument("--rounds", type=int, default=8, help="pairs of segments (default 8)")
    args = parser.parse_args(argv)

    from kernelplay.nn.datasets import DigitSplit, Digits, load_digits
    from kernelplay.nn.worker import TrainingLoop
    from kernelplay.nn.worker_messages import CheckpointsChanged, Play

    messages: queue.SimpleQueue = queue.SimpleQueue()
    data = load_digits()
    # 500 held-out digits, as bench_training_gui.py: an epoch's evaluation, which lands in some
    # segments and not others, then adds little noise
    heldout = Digits(data.heldout.images[:500], data.heldout.labels[:500], data.heldout.source)
    loop = TrainingLoop(DigitSplit(data.train, heldout), send=messages.put, snapshot_interval=0.05)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    loop.post(Play())
    changes = 0
    time.sleep(2.0)  # warm up

    spent = [0.0, 0.0]  # seconds inside the timeline's work, seconds of segments with it

    def timed(method):
        def run(*args):
            start = time.perf_counter()
            try:
                return method(*args)
            finally:
                spent[0] += time.perf_counter() - start
        return run

    record, send_checkpoints = loop.timeline.record, loop._send_checkpoints
    timed_record, timed_send = timed(record), timed(send_checkpoints)

    def segment(with_checkpoints: bool) -> float:
        nonlocal changes
        loop.timeline.record = timed_record if with_checkpoints else (lambda trainer: False)
        loop._send_checkpoints = timed_send if with_checkpoints else send_checkpoints
        time.sleep(0.5)  # settle
        start, seen = time.perf_counter(), loop.trainer.samples_seen
        end = start + args.seconds
        while (now := time.perf_counter()) < end:
            try:
                message = messages.get(timeout=end - now)
            except queue.Empty:
                break
            changes += isinstance(message, CheckpointsChanged)
        seconds = time.perf_counter() - start
        spent[1] += seconds if with_checkpoints else 0.0
        return (loop.trainer.samples_seen - seen) / seconds

    ratios, rates = [], {True: [], False: []}
    for i in range(args.rounds):
        order = (False, True) if i % 2 == 0 else (True, False)
        pair = {flag: segment(flag) for flag in order}
        for flag, rate in pair.items():
            rates[flag].append(rate)
        ratios.append(pair[True] / pair[False])
        print(f"round {i + 1}: {pair[False]:,.0f} digits/s without, {pair[True]:,.0f} with checkpoints "
              f"({100 * (ratios[-1] - 1):+.1f} %)", flush=True)
    loop.stop()
    thread.join(5)

    history = loop.timeline.checkpoints
    timings = []
    for _ in range(200):
        t = time.perf_counter()
        history.add(history.latest.step + 1, 0, loop.trainer.network.flat_params)
        timings.append(time.perf_counter() - t)
    print(f"checkpoint lists sent: {changes}; one record: {1e6 * statistics.median(timings):.0f} µs (median of 200)")
    print(f"the training thread spent {1e3 * spent[0] / spent[1]:.2f} ms a second recording checkpoints and "
          f"sending their list ({100 * spent[0] / spent[1]:.2f} % of its time)")
    print(f"median {statistics.median(rates[False]):,.0f} digits/s without, {statistics.median(rates[True]):,.0f} with; "
          f"cost {100 * (1 - statistics.median(ratios)):.1f} % (median of the per-pair ratios)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
