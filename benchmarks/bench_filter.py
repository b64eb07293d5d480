"""How fast is kernelplay's filter, and how much memory does it take? Run:
``python benchmarks/bench_filter.py [--repeat N] [--threads 1] [--scipy] [--no-memory]``.

The table of issue 15: ``apply_kernel`` on uint8 RGB images at 1920×1080 and 4000×3000, float32 raw
sums out, zero border, against OpenCV's ``cv2.filter2D`` (a yardstick here, never a dependency) for
the kernel kinds users apply — emboss (3×3 small integers), the lecture's decimal 3×3
(``1 2 1 / 0.7 −1.2 0.7 / −1 −2 −1.9``) and a random 5×5 of floats (a learned kernel). Each case
times the two alternately, ``--repeat`` times, and prints the medians and their ratio (goal ≤ 1.0).
The machine's load is printed before and after: on a shared machine the ratios are what to read.
``--threads 1`` runs kernelplay and OpenCV on one thread each (``KERNELPLAY_THREADS=1``).

Then the playground's live preview at 1080p (``run_filter``: filter and map to pixels; budget 16 ms
with drawing, see ``bench_preview.py``), ``explain_pixel`` at 12 MP (the hover budget), and the peak
memory of filtering a 50 MP RGB image, each way measured in a fresh process (``ru_maxrss`` of the
whole process, and ``tracemalloc``'s peak over the call), as multiples of the image's size.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

import numpy as np  # noqa: E402

try:
    import cv2
except ImportError:
    cv2 = None

SIZES = {"1920×1080": (1080, 1920), "4000×3000": (3000, 4000)}
LECTURE_DECIMAL = [[1, 2, 1], [0.7, -1.2, 0.7], [-1, -2, -1.9]]


def kernels() -> dict[str, np.ndarray]:
    from kernelplay.imaging.kernels import PRESETS

    return {"emboss 3×3": PRESETS["emboss"], "decimal 3×3": np.array(LECTURE_DECIMAL),
            "random 5×5 float": np.random.default_rng(15).normal(size=(5, 5))}


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def interleaved_ms(functions: dict, repeat: int) -> dict[str, float]:
    """Median milliseconds of each function, timed in turn ``repeat`` times after a warm-up."""
    for function in functions.values():
        function()
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def scipy_correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    import scipy.ndimage as ndi

    out = np.empty(image.shape, dtype=np.float32)
    for channel in range(image.shape[2]):
        ndi.correlate(image[..., channel].astype(np.float32), kernel, output=out[..., channel], mode="constant")
    return out


def opencv_filter(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return cv2.filter2D(image, cv2.CV_32F, kernel.astype(np.float32), borderType=cv2.BORDER_CONSTANT)


def speed_table(repeat: int, with_scipy: bool) -> None:
    from kernelplay.imaging.filtering import apply_kernel

    rng = np.random.default_rng(0)
    header = f"| {'case':<34} | {'kernelplay':>10} | {'OpenCV':>8} | {'ratio':>6} |" + (" scipy   |" if with_scipy else "")
    print(header)
    print("|" + "|".join("-" * (len(part) + 0) for part in header.split("|")[1:-1]) + "|")
    for label, (height, width) in SIZES.items():
        image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        for name, kernel in kernels().items():
            functions = {"ours": lambda: apply_kernel(image, kernel)}
            if cv2 is not None:
                functions["opencv"] = lambda: opencv_filter(image, kernel)
            if with_scipy:
                functions["scipy"] = lambda: scipy_correlate(image, kernel)
            ms = interleaved_ms(functions, repeat)
            opencv = f"{ms['opencv']:5.1f} ms" if "opencv" in ms else "    –   "
            ratio = f"{ms['ours'] / ms['opencv']:5.2f}×" if "opencv" in ms else "   –  "
            line = f"| {label + ', ' + name:<34} | {ms['ours']:7.1f} ms | {opencv} | {ratio} |"
            print(line + (f" {ms['scipy']:5.0f} ms |" if with_scipy else ""), flush=True)


def preview_and_hover(repeat: int) -> None:
    from kernelplay.imaging.explain import explain_pixel
    from kernelplay.imaging.preview import FilterRequest, run_filter

    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
    for name, kernel in kernels().items():
        for luminance in (False, True):
            request = FilterRequest(image, kernel, "zero", False, luminance, "clamp", 0)
            ms = interleaved_ms({"preview": lambda: run_filter(request)}, repeat)["preview"]
            mode = "luminance" if luminance else "RGB"
            print(f"live preview at 1920×1080 ({mode}, {name}, clamp), filter + map: {ms:.1f} ms (budget 16 ms with drawing)")
    big = rng.integers(0, 256, (3000, 4000, 3), dtype=np.uint8)
    positions = [(int(r), int(c)) for r, c in zip(rng.integers(0, 3000, 200), rng.integers(0, 4000, 200))]

    def hover() -> None:
        for row, col in positions:
            explain_pixel(big, kernels()["emboss 3×3"], row, col, border="reflect")

    hover_ms = interleaved_ms({"hover": hover}, max(3, repeat // 3))["hover"] / len(positions)
    print(f"explain_pixel at 4000×3000 (luminance, reflect): {hover_ms * 1000:.0f} µs per pixel (budget ≪ 16 ms)")


_MEMORY_PROBE = """
import json, resource, sys, tracemalloc
sys.path.insert(0, {repo!r})
import numpy as np
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.filter_map import filter_and_map
from kernelplay.imaging.preview import FilterRequest, run_filter
image = np.random.default_rng(0).integers(0, 256, (5000, 10000, 3), dtype=np.uint8)
kernel = np.random.default_rng(15).normal(size=(5, 5))
calls = {{
    "apply_kernel": lambda: apply_kernel(image, kernel),
    "filter_and_map (no raw)": lambda: filter_and_map(image, kernel, keep_raw=False),
    "run_filter (preview)": lambda: run_filter(FilterRequest(image, kernel, "zero", False, False, "clamp", 0)),
}}
call = calls[{way!r}]
apply_kernel(image[:64], kernel); filter_and_map(image[:64], kernel, keep_raw=False)  # pool, imports
tracemalloc.start()
result = call()
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({{"image": image.nbytes, "traced": peak, "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}}))
"""


def memory() -> None:
    print("peak memory filtering a 10000×5000 RGB image (143 MiB), random 5×5, each in a fresh process:")
    for way, note in (("apply_kernel", "float32 raw sums out: 4× the image by themselves"),
                      ("filter_and_map (no raw)", "to pixels, bands of raw sums only (kernelplay apply)"),
                      ("run_filter (preview)", "raw sums kept for the values shown under the cursor")):
        script = _MEMORY_PROBE.format(repo=str(REPO), way=way)
        completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
        if completed.returncode != 0:
            print(f"  {way}: failed: {completed.stderr.strip().splitlines()[-1:]}")
            continue
        figures = json.loads(completed.stdout.strip().splitlines()[-1])
        image = figures["image"]
        print(f"  {way:<24} whole process {figures['maxrss'] / 2**20:5.0f} MiB = {figures['maxrss'] / image:4.2f}× the image; "
              f"allocated during the call {figures['traced'] / 2**20:4.0f} MiB = {figures['traced'] / image:4.2f}× ({note})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11, help="timed runs of each, alternating (default 11)")
    parser.add_argument("--threads", type=int, choices=(1,), help="1: kernelplay and OpenCV on one thread each")
    parser.add_argument("--scipy", action="store_true", help="time scipy.ndimage.correlate too (slow)")
    parser.add_argument("--no-memory", action="store_true", help="skip the 50 MP memory probes")
    args = parser.parse_args(argv)
    if args.threads == 1:
        os.environ["KERNELPLAY_THREADS"] = "1"
        if cv2 is not None:
            cv2.setNumThreads(1)
    from kernelplay.nn.fast.blas import core_name

    print(f"CPU cores: {os.cpu_count()}; numpy {np.__version__} (OpenBLAS kernels {core_name()}); "
          f"OpenCV {cv2.__version__ if cv2 else 'not installed'}; threads: {'1' if args.threads == 1 else 'default'}; "
          f"medians of {args.repeat} interleaved runs")
    print(f"load average before: {load()}")
    print()
    speed_table(args.repeat, args.scipy)
    print()
    preview_and_hover(args.repeat)
    if not args.no_memory:
        print()
        memory()
    print(f"\nload average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
