"""How fast is kernelplay's filter, and how much memory does it take? Run:
``python benchmarks/bench_filter.py [--repeat N] [--threads 1] [--scipy] [--no-memory | --memory-only]``.

The table of issue 15: ``apply_kernel`` on uint8 RGB images at 1920×1080 and 4000×3000, float32 raw
sums out, zero border, against OpenCV's ``cv2.filter2D`` (a yardstick here, never a dependency) for
the kernel kinds users apply — emboss (3×3 small integers), the lecture's decimal 3×3
(``1 2 1 / 0.7 −1.2 0.7 / −1 −2 −1.9``) and a random 5×5 of floats (a learned kernel). Each case
times the two alternately, ``--repeat`` times, and prints the medians and their ratio (goal ≤ 1.0).
The machine's load is printed before and after: on a shared machine the ratios are what to read.
``--threads 1`` runs kernelplay and OpenCV on one thread each (``KERNELPLAY_THREADS=1``).

Then the playground's live preview at 1080p (``run_filter``: filter and map to pixels; budget 16 ms
with drawing, see ``bench_preview.py``), ``explain_pixel`` at 12 MP (the hover budget), and the peak
memory with a 50 MP RGB image (issue 15: at most 3× the image), as multiples of the image's size:
``kernelplay apply`` from a PNG on disk to a PNG, ``load_image`` alone and with the playground's
preview (``run_filter``), each in a fresh process (its whole ``ru_maxrss``); and ``apply_kernel`` and
``filter_and_map`` on an image made in memory, with ``tracemalloc``'s peak over the call too
(``apply_kernel``'s float32 result is 4× the image by itself: what it allocates beyond that).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
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


def interleaved_ms(functions: dict, repeat: int, warm_up: int = 3) -> dict[str, float]:
    """Median milliseconds of each function, timed in turn ``repeat`` times after ``warm_up``
    untimed calls of each (the first case of a run paid for thread pools and caches: once 1.3×)."""
    for _ in range(warm_up):
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


MEMORY_SHAPE = (5000, 10000, 3)  # 50 MP RGB, kernelplay's limit: 143 MiB as uint8
MEMORY_GOAL = 3.0  # issue 15: whole-process peak at most 3× the image
GOAL_PATHS = ("kernelplay apply", "load_image + run_filter (RGB)", "load_image + run_filter (luminance)")

# Each probe runs in a fresh process and prints JSON; its whole-process peak (ru_maxrss) is read by
# its launcher from os.wait4 (run_measured), so the command line is measured as a user runs it.
_PROBE_HEAD = """
import json, sys, tracemalloc
sys.path.insert(0, {repo!r})
import numpy as np
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.filter_map import filter_and_map
from kernelplay.imaging.images import load_image
from kernelplay.imaging.preview import FilterRequest, run_filter
kernel = np.array({kernel!r})
figures = {{}}
def report():
    print(json.dumps(figures))
"""

_PROBES = {
    "imports": "report()",
    "load_image": """
image = load_image({path!r})
report()
""",
    "load_image + run_filter (RGB)": """
image = load_image({path!r})
result = run_filter(FilterRequest(image, kernel, "zero", False, False, "clamp", 0))
report()
""",
    "load_image + run_filter (luminance)": """
image = load_image({path!r})
result = run_filter(FilterRequest(image, kernel, "zero", False, True, "clamp", 0))
report()
""",
    # the filters alone, on an image made in memory: tracemalloc's peak over the call
    "apply_kernel": """
image = np.random.default_rng(0).integers(0, 256, {shape!r}, dtype=np.uint8)
apply_kernel(image[:64], kernel)  # the thread pool, the kernel's plan
tracemalloc.start()
result = apply_kernel(image, kernel)
figures.update(image=image.nbytes, traced=tracemalloc.get_traced_memory()[1], result=result.nbytes)
report()
""",
    "filter_and_map (no raw)": """
image = np.random.default_rng(0).integers(0, 256, {shape!r}, dtype=np.uint8)
filter_and_map(image[:64], kernel, keep_raw=False)
tracemalloc.start()
result = filter_and_map(image, kernel, keep_raw=False)
figures.update(image=image.nbytes, traced=tracemalloc.get_traced_memory()[1], result=result.mapped.pixels.nbytes)
report()
""",
}


def write_test_image(folder: Path) -> Path:
    """A 10000×5000 RGB PNG of gradients and squares: noise would take minutes to compress."""
    height, width, _ = MEMORY_SHAPE
    rows, cols = np.arange(height)[:, None], np.arange(width)[None, :]
    pixels = np.empty(MEMORY_SHAPE, dtype=np.uint8)
    pixels[..., 0] = cols * 255 // (width - 1)
    pixels[..., 1] = rows * 255 // (height - 1)
    pixels[..., 2] = ((rows // 50 + cols // 50) % 2) * 160 + 40
    path = folder / "50mp.png"
    from PIL import Image

    Image.fromarray(pixels).save(path, compress_level=1)
    return path


# Linux carries a process's peak RSS across exec, and a vforked child starts with its parent's peak:
# ru_maxrss of a probe spawned from this process would be at least this process's own peak. A small
# launcher (no site packages, ~10 MiB) forks the probe instead, and reports the probe's own
# ru_maxrss from os.wait4.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(f"{usage.ru_maxrss * 1024} {os.waitstatus_to_exitcode(status)}")
"""


def run_measured(command: list[str], folder: Path) -> tuple[dict, int]:
    """Run ``command`` in a fresh process: the JSON it printed last (if any) and its peak RSS in bytes."""
    out, err, rss = folder / "probe.out", folder / "probe.err", folder / "probe.rss"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(rss), *command]
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    pid = os.posix_spawn(launcher[0], launcher, environment, file_actions=[
        (os.POSIX_SPAWN_OPEN, 1, str(out), flags, 0o600), (os.POSIX_SPAWN_OPEN, 2, str(err), flags, 0o600)])
    os.waitpid(pid, 0)
    peak, code = (int(word) for word in rss.read_text().split())
    if code != 0:
        lines = err.read_text().strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"exit status {code}")
    lines = out.read_text().strip().splitlines()
    figures = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return figures, peak


def memory() -> None:
    import tempfile

    height, width, channels = MEMORY_SHAPE
    image_bytes = height * width * channels
    kernel = kernels()["random 5×5 float"]
    weights = ";".join(",".join(repr(float(w)) for w in row) for row in kernel)
    print(f"peak memory with a {width}×{height} RGB image ({image_bytes / 2**20:.0f} MiB as uint8), random 5×5 "
          f"float kernel, zero border, clamp; each in a fresh process, whole-process peak RSS (ru_maxrss) as a "
          f"multiple of the image (goal ≤ {MEMORY_GOAL:g}×):")
    with tempfile.TemporaryDirectory(prefix="kernelplay-bench-") as folder:
        start = time.perf_counter()
        source = write_test_image(Path(folder))
        print(f"  (test image written in {time.perf_counter() - start:.1f} s: {source.stat().st_size / 2**20:.1f} MiB PNG)")

        def probe(name: str) -> list[str]:
            script = _PROBE_HEAD.format(repo=str(REPO), kernel=kernel.tolist()) + _PROBES[name].format(
                path=str(source), shape=MEMORY_SHAPE)
            return [sys.executable, "-c", script]

        cli = [sys.executable, "-m", "kernelplay", "apply", str(source), str(Path(folder) / "out.png"),
               f"--kernel={weights}"]
        rows = [("imports", probe("imports"), "the interpreter with numpy, Pillow, kernelplay and what it imports"),
                ("kernelplay apply", cli, "PNG in → filter → PNG out, the command line as a user runs it"),
                ("load_image", probe("load_image"), "decoding the PNG to an array"),
                ("load_image + run_filter (RGB)", probe("load_image + run_filter (RGB)"), "the playground's preview"),
                ("load_image + run_filter (luminance)", probe("load_image + run_filter (luminance)"),
                 "the preview of the luminance"),
                ("apply_kernel", probe("apply_kernel"), "image made in memory; float32 raw sums out"),
                ("filter_and_map (no raw)", probe("filter_and_map (no raw)"), "image made in memory; to pixels")]
        for name, command, note in rows:
            start = time.perf_counter()
            try:
                figures, peak = run_measured(command, Path(folder))
            except RuntimeError as error:
                print(f"  {name:<36} failed: {error}")
                continue
            seconds = time.perf_counter() - start
            line = f"  {name:<36} {peak / 2**20:5.0f} MiB = {peak / image_bytes:4.2f}×"
            if "traced" in figures:
                beyond = figures["traced"] - figures["result"]
                line += (f"; allocated in the call {figures['traced'] / 2**20:4.0f} MiB = "
                         f"{figures['traced'] / image_bytes:4.2f}×, of which beyond its result "
                         f"{beyond / 2**20:4.1f} MiB = {beyond / image_bytes:5.3f}×")
            if name in GOAL_PATHS:
                line += f"  {'≤' if peak <= MEMORY_GOAL * image_bytes else 'OVER'} {MEMORY_GOAL:g}×"
            print(f"{line}  ({note}; {seconds:.1f} s)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="timed runs of each, alternating (default 21)")
    parser.add_argument("--threads", type=int, choices=(1,), help="1: kernelplay and OpenCV on one thread each")
    parser.add_argument("--scipy", action="store_true", help="time scipy.ndimage.correlate too (slow)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--no-memory", action="store_true", help="skip the 50 MP memory probes")
    which.add_argument("--memory-only", action="store_true", help="only the 50 MP memory probes")
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
    if not args.memory_only:
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
