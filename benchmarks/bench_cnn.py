"""Training and inference throughput of kernelplay's numpy CNN, against PyTorch CPU when installed.

    .venv/bin/python benchmarks/bench_cnn.py [--batch 64] [--repeats 5] [--seconds 1.5]

The default network (conv5×5·16 → pool → conv5×5·36 → pool → FC128 → FC10), float32, Adam, random
inputs. Each engine is timed ``--repeats`` times, alternating, in the same process; the medians are
printed with their ratio, and the ratio of the best runs (on a shared machine, the best run is the
closest to an idle one; PyTorch's OpenMP threads suffer most when other processes take the cores).
Then training on one core each: both engines on one thread, timed by the process's CPU time (which
counts any helper thread an engine still keeps), so other processes on the machine change the
figures little: the ratio per core, which two free cores multiply alike. ``--profile`` prints where a training step's time goes;
``--conv`` compares conv2 done directly and in the frequency domain by batch size (the network's choice). The
load average and OpenBLAS's kernels (``OPENBLAS_CORETYPE``) are printed: AVX-512 kernels run the
matrix products up to twice as fast as AVX2 ones. PyTorch (``pip install torch``, CPU build) is only
a yardstick here, never a dependency of kernelplay.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from kernelplay.nn.fast import blas  # noqa: E402
from kernelplay.nn.network import Network  # noqa: E402
from kernelplay.nn.optim import Adam  # noqa: E402
from kernelplay.nn.torch_export import torch_module  # noqa: E402


def rate(fn, samples_per_call: int, seconds: float) -> float:
    """Samples per second of ``fn`` over about ``seconds`` of calls (after one warm-up call)."""
    fn()
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return calls * samples_per_call / elapsed


def numpy_engine(batch: int):
    net = Network(seed=0)
    opt = Adam(1e-3)
    rng = np.random.default_rng(0)
    x = rng.random((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)

    def train_step():  # as kernelplay's Trainer does it
        net.train_batch(x, y)
        opt.step({"all": net.flat_params}, {"all": net.flat_grads})

    def infer(n):
        xs = rng.random((n, 1, 28, 28), dtype=np.float32)
        return lambda: net.predict_proba(xs)

    return train_step, infer


def torch_engine(batch: int):
    try:
        import torch
    except ImportError:
        return None
    F = torch.nn.functional
    torch.manual_seed(0)
    model = torch_module()  # the same network, written with torch.nn
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x = torch.rand(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))

    def train_step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    def infer(n):
        xs = torch.rand(n, 1, 28, 28)

        def run():
            with torch.no_grad():
                torch.softmax(model(xs), 1)
        return run

    return train_step, infer, torch


def per_core(batch: int, repeats: int, steps: int = 40) -> None:
    """Training samples per second of CPU time, each engine on one thread (the process's CPU time:
    a thread's own would miss work an engine leaves to threads it started before)."""
    rng = np.random.default_rng(0)
    x, y = rng.random((batch, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, batch)
    net, opt = Network(seed=0, threads=1), Adam(1e-3)

    def numpy_step():
        net.train_batch(x, y)
        opt.step({"all": net.flat_params}, {"all": net.flat_grads})

    engines = {"numpy (kernelplay)": numpy_step}
    torch_parts = torch_engine(batch)
    if torch_parts is not None:
        torch = torch_parts[2]
        threads_before = torch.get_num_threads()
        torch.set_num_threads(1)
        engines["PyTorch CPU"] = torch_parts[0]
    rates: dict[str, list[float]] = {name: [] for name in engines}
    with blas.blas_threads(1):
        for step in engines.values():
            for _ in range(10):
                step()
        for _ in range(repeats):
            for name, step in engines.items():
                start = time.process_time()
                for _ in range(steps):
                    step()
                rates[name].append(steps * batch / (time.process_time() - start))
    if torch_parts is not None:
        torch.set_num_threads(threads_before)
    print(f"training on one core each (batch {batch}; samples per second of the process's CPU time, "
          f"medians of {repeats} runs of {steps} steps)")
    for name, values in rates.items():
        print(f"  {name:<28}{statistics.median(values):>10,.0f} samples/s   (runs {min(values):,.0f}–{max(values):,.0f})")
    if len(rates) == 2:
        ratio = statistics.median(rates["numpy (kernelplay)"]) / statistics.median(rates["PyTorch CPU"])
        print(f"  {'ratio numpy / PyTorch':<28}{ratio:>10.2f}×")


def profile_step(batch: int, steps: int = 200) -> None:
    """Where one training step's time goes, on one thread (thread CPU time per part)."""
    from collections import defaultdict

    from kernelplay.nn import layers
    from kernelplay.nn.fast import layers as fast

    spent: dict[str, float] = defaultdict(float)
    patched = []

    def timed(owner, name, label):
        original = getattr(owner, name)
        patched.append((owner, name, original))

        def run(self, *args, **kwargs):
            start = time.thread_time()
            try:
                return original(self, *args, **kwargs)
            finally:
                key = label(self) if callable(label) else label
                spent[key] += time.thread_time() - start
        setattr(owner, name, run)

    conv = lambda what: lambda self: f"conv{'1' if self.in_channels == 1 else '2+'} {what}"  # noqa: E731
    timed(fast.FastConv2D, "forward_buffer", conv("forward"))
    timed(fast.FastConv2D, "backward", conv("backward (weights, input)"))
    timed(fast.FastMaxPool2D, "forward", "ReLU + max-pool forward")
    timed(fast.FastMaxPool2D, "backward", "ReLU + max-pool backward")
    timed(layers.Dense, "forward", "dense forward")
    timed(layers.Dense, "backward", "dense backward")
    rng = np.random.default_rng(0)
    x, y = rng.random((batch, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, batch)
    net, opt = Network(seed=0, threads=1), Adam(1e-3)
    try:
        with blas.blas_threads(1):
            for _ in range(20):
                net.train_batch(x, y)
                opt.step({"all": net.flat_params}, {"all": net.flat_grads})
            spent.clear()
            start = time.thread_time()
            for _ in range(steps):
                net.train_batch(x, y)
                adam = time.thread_time()
                opt.step({"all": net.flat_params}, {"all": net.flat_grads})
                spent["Adam step"] += time.thread_time() - adam
            total = time.thread_time() - start
    finally:
        for owner, name, original in patched:
            setattr(owner, name, original)
    spent["the rest (loss, flatten, splitting, Python)"] = total - sum(spent.values())
    print(f"one training step, batch {batch}, one thread: {total / steps * 1e3:.2f} ms of CPU "
          f"({batch * steps / total:,.0f} samples/s); where it goes:")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {name:<44}{seconds / steps * 1e3:7.2f} ms  {seconds / total * 100:5.1f} %")


def conv_methods(repeats: int) -> None:
    """The default network's conv2 (16 → 36 channels, 5×5, 14×14 maps) done directly and through
    in the frequency domain, on one thread, by batch size: forward alone (inference) and forward + backward (training).
    ``SPECTRAL_MIN_BATCH`` in ``kernelplay/nn/fast/layers.py`` is where the frequency domain starts to win."""
    from kernelplay.nn.fast.layers import SPECTRAL_MIN_BATCH, FastConv2D

    rng = np.random.default_rng(0)
    weight = rng.standard_normal((36, 16, 5, 5)).astype(np.float32) * 0.05
    convs = {}
    for method in ("direct", "spectral"):
        conv = FastConv2D(16, 36, 5, method=method)
        conv.params = {"weight": weight, "bias": np.zeros(36, np.float32)}
        conv.grads = {"weight": np.empty_like(weight), "bias": np.empty(36, np.float32)}
        convs[method] = conv
    print(f"conv2 alone, one thread, ms of CPU per call (medians of {repeats} runs of 20 calls); "
          f"the network takes the frequency domain from {SPECTRAL_MIN_BATCH} images on")
    print(f"  {'batch':>5}  {'forward: direct':>16} {'freq.':>7} {'ratio':>6}   {'fwd + bwd: direct':>18} {'freq.':>7} {'ratio':>6}")
    with blas.blas_threads(1):
        for n in (1, 2, 4, 8, 16, 32, 64, 256):
            x = rng.random((14, 14, n, 16), dtype=np.float32)
            dout = rng.random((14, 14, n, 36), dtype=np.float32)
            times: dict[tuple, list[float]] = {}
            for _ in range(repeats):
                for method, conv in convs.items():
                    for training in (False, True):
                        conv.forward(x)
                        start = time.thread_time()
                        for _ in range(20):
                            conv.forward(x)
                            if training:
                                conv.backward(dout)
                        times.setdefault((method, training), []).append((time.thread_time() - start) / 20 * 1e3)
            med = {key: statistics.median(values) for key, values in times.items()}
            print(f"  {n:>5}  {med['direct', False]:>16.3f} {med['spectral', False]:>7.3f} "
                  f"{med['spectral', False] / med['direct', False]:>5.2f}×   {med['direct', True]:>18.3f} "
                  f"{med['spectral', True]:>7.3f} {med['spectral', True] / med['direct', True]:>5.2f}×")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.5, help="duration of one timing run")
    parser.add_argument("--profile", action="store_true", help="also print where a training step's time goes")
    parser.add_argument("--conv", action="store_true",
                        help="only compare conv2 done directly and in the frequency domain, by batch size")
    args = parser.parse_args(argv)
    if args.conv:
        conv_methods(args.repeats)
        return 0

    np_train, np_infer = numpy_engine(args.batch)
    t = torch_engine(args.batch)
    print(f"{os.cpu_count()} CPUs; numpy {np.__version__}; OpenBLAS kernels {blas.core_name()}; batch {args.batch}, "
          f"float32, Adam; medians of {args.repeats} runs of {args.seconds:g} s; "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if t is not None:
        t_train, t_infer, torch = t
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    else:
        print("torch not installed: numpy figures only (pip install torch==2.13.0 for the comparison)")

    results: dict[str, list[float]] = {}
    jobs = [("numpy train", np_train, args.batch)]
    if t is not None:
        jobs.append(("torch train", t_train, args.batch))
    for n in (1, 1000):
        jobs.append((f"numpy infer b{n}", np_infer(n), n))
        if t is not None:
            jobs.append((f"torch infer b{n}", t_infer(n), n))
    for _ in range(args.repeats):  # alternate the engines so machine noise hits both alike
        for name, fn, n in jobs:
            seconds = args.seconds if "train" in name else args.seconds / 2
            time.sleep(0.3)  # let the other engine's spinning worker threads go idle first
            results.setdefault(name, []).append(rate(fn, n, seconds))

    def line(label, key):
        med = statistics.median(results[key])
        spread = f"{min(results[key]):,.0f}–{max(results[key]):,.0f}"
        return med, f"  {label:<28}{med:>10,.0f} samples/s   (runs {spread})"

    for what in ("train", "infer b1", "infer b1000"):
        title = {"train": f"training, batch {args.batch}", "infer b1": "inference, batch 1",
                 "infer b1000": "inference, batch 1000"}[what]
        print(title)
        np_med, text = line("numpy (kernelplay)", f"numpy {what}")
        print(text)
        if t is not None:
            t_med, text = line("PyTorch CPU", f"torch {what}")
            print(text)
            best = max(results[f"numpy {what}"]) / max(results[f"torch {what}"])
            print(f"  {'ratio numpy / PyTorch':<28}{np_med / t_med:>10.2f}×   (best run against best run: {best:.2f}×)")
    print()
    per_core(args.batch, args.repeats)
    if args.profile:
        print()
        profile_step(args.batch)
    print(f"\nload average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
