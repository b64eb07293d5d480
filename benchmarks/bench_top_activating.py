"""What "the digits a channel looks for" costs: ``top_activating`` over the 2,000 held-out digits,
against one training step, and what recomputing it every few seconds takes from training.

    .venv/bin/python benchmarks/bench_top_activating.py [--seconds 8] [--period 3] [--repeats 3]

1. The cost of one ``top_activating`` for a channel of each stage of the default network (median of
   7 calls), in milliseconds and in training steps (``Trainer.step``, batch 64, both cores), next to
   the obvious way (``Network.activations`` in chunks, then the maximum).
2. Training throughput for ``--seconds`` alone, and with ``top_activating`` (a conv2 channel, the
   dearest) every ``--period`` seconds: between two steps in the same loop (as the training worker
   could do it), and in another process (as the window's process could do it) against that process
   sleeping. Runs alternate so machine noise hits each alike; medians of ``--repeats``, and the
   best run against the best run alone (on a shared machine the best run is the closest to an idle
   one). Between steps, the loss should be about cost / (period + cost): printed beside it.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from kernelplay.nn.datasets import load_digits  # noqa: E402
from kernelplay.nn.network import Network  # noqa: E402
from kernelplay.nn.top_activating import top_activating  # noqa: E402
from kernelplay.nn.training import Trainer  # noqa: E402

STAGES = ("conv1", "pool1", "conv2", "pool2")


def median_seconds(fn, calls: int = 7) -> float:
    fn()  # warm-up: work buffers, page faults
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def by_activations(network: Network, digits: np.ndarray, stage: str, channel: int) -> np.ndarray:
    """The obvious way: every stage of every digit, 250 at a time, then the channel's maximum."""
    return np.concatenate([network.activations(digits[s:s + 250])[stage][:, channel].reshape(len(digits[s:s + 250]), -1).max(axis=1)
                           for s in range(0, len(digits), 250)])


def train_for(trainer: Trainer, seconds: float, every: float | None, heldout: np.ndarray) -> float:
    """Digits trained per second of wall time over ``seconds``; with ``every``, a top_activating
    between two steps each time ``every`` seconds have passed."""
    start = last = time.perf_counter()
    samples, channel = 0, 0
    while (now := time.perf_counter()) - start < seconds:
        if every is not None and now - last >= every:
            top_activating(trainer.network, heldout, "conv2", channel % 36)
            channel, last = channel + 1, time.perf_counter()
        samples += trainer.step().batch_size
    return samples / (time.perf_counter() - start)


def helper_process(weights: dict, heldout: np.ndarray, period: float, busy, stop) -> None:
    """Another process: every ``period`` seconds, if ``busy`` is set, one top_activating."""
    net = Network(threads=1)
    net.set_params(weights)
    channel = 0
    while not stop.is_set():
        time.sleep(period)
        if busy.is_set():
            top_activating(net, heldout, "conv2", channel % 36)
            channel += 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="length of one training run")
    parser.add_argument("--period", type=float, default=3.0, help="seconds between two top_activating")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    data = load_digits()
    heldout = data.heldout.as_float()
    trainer = Trainer(data=data, seed=0)
    for _ in range(20):
        trainer.step()
    net = trainer.network
    step = median_seconds(trainer.step, calls=50)
    print(f"{os.cpu_count()} CPUs; numpy {np.__version__}; default network, {len(heldout):,} held-out digits")
    print(f"one training step (batch 64): {step * 1e3:.1f} ms")
    print("top_activating, one channel (median of 7):")
    costs = {}
    for stage in STAGES:
        cost = costs[stage] = median_seconds(lambda: top_activating(net, heldout, stage, 3))
        obvious = median_seconds(lambda: by_activations(net, heldout, stage, 3), calls=3)
        print(f"  {stage:<6} {cost * 1e3:7.1f} ms = {cost / step:5.1f} training steps"
              f"   (Network.activations and max: {obvious * 1e3:.0f} ms)")

    context = mp.get_context("spawn")
    busy, stop = context.Event(), context.Event()
    helper = context.Process(target=helper_process, args=(net.get_params(), heldout, args.period, busy, stop), daemon=True)
    helper.start()
    time.sleep(2.0)  # its imports
    runs: dict[str, list[float]] = {}
    jobs = [("alone", None, False), ("top_activating between steps", args.period, False),
            ("top_activating in another process", None, True)]
    for _ in range(args.repeats):
        for name, every, other in jobs:
            busy.set() if other else busy.clear()
            runs.setdefault(name, []).append(train_for(trainer, args.seconds, every, heldout))
    stop.set()
    busy.clear()
    helper.join(timeout=args.period + 5)
    alone, best_alone = statistics.median(runs["alone"]), max(runs["alone"])
    print(f"training for {args.seconds:g} s, top_activating (conv2) every {args.period:g} s, medians of {args.repeats}:")
    for name, _, _ in jobs:
        med = statistics.median(runs[name])
        spread = f"{min(runs[name]):,.0f}–{max(runs[name]):,.0f}"
        print(f"  {name:<36}{med:>8,.0f} digits/s  {med / alone:6.1%} of alone, best runs {max(runs[name]) / best_alone:6.1%}"
              f"  (runs {spread})")
    expected = args.period / (args.period + costs["conv2"])
    print(f"  between steps, from the cost alone: {expected:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
