"""How fast is kernelplay's filter? Run: ``python benchmarks/bench_filter.py [--repeat N]``.

Prints median times for uint8 RGB images at 1920×1080 and 4000×3000 (float32 raw sums out):
``apply_kernel`` against ``scipy.ndimage.correlate`` per channel and, when it is installed, OpenCV's
``cv2.filter2D`` (OpenCV is only a yardstick here, never a dependency); the live-preview path
``apply_kernel + map_output`` at 1080p; and ``explain_pixel`` at 4000×3000 (the hover budget).
Budgets: a preview within ~16 ms at 1080p, 12 MP within 1.5× of OpenCV, hover well under 16 ms.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from kernelplay.imaging.explain import explain_pixel  # noqa: E402
from kernelplay.imaging.filtering import apply_kernel  # noqa: E402
from kernelplay.imaging.mapping import map_output  # noqa: E402
from kernelplay.imaging.images import luminance  # noqa: E402
from kernelplay.imaging.kernels import PRESETS  # noqa: E402

try:
    import cv2
except ImportError:
    cv2 = None

SIZES = {"1920×1080": (1080, 1920), "4000×3000": (3000, 4000)}
KERNELS = ("emboss", "blur", "gaussian 5x5")  # non-separable 3×3, separable 3×3, 5×5


def median_ms(function, repeat: int) -> float:
    function()  # warm up: thread pool, page faults
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def scipy_correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    out = np.empty(image.shape, dtype=np.float32)
    for channel in range(image.shape[2]):
        ndi.correlate(image[..., channel].astype(np.float32), kernel, output=out[..., channel], mode="constant")
    return out


def opencv_filter(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return cv2.filter2D(image, cv2.CV_32F, kernel.astype(np.float32), borderType=cv2.BORDER_CONSTANT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11, help="timed runs per measurement (default 11)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"CPU cores: {os.cpu_count()}; numpy {np.__version__}; "
          f"OpenCV {cv2.__version__ if cv2 else 'not installed'}; medians of {args.repeat} runs")
    print()
    header = f"{'image':>10} {'kernel':>13} {'kernelplay':>11} {'scipy':>9} {'÷ scipy':>8} {'OpenCV':>8} {'÷ OpenCV':>9}"
    print(header)
    print("-" * len(header))
    for label, (height, width) in SIZES.items():
        image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        for name in KERNELS:
            kernel = PRESETS[name]
            ours = median_ms(lambda: apply_kernel(image, kernel), args.repeat)
            reference = median_ms(lambda: scipy_correlate(image, kernel), max(3, args.repeat // 3))
            line = f"{label:>10} {name:>13} {ours:>8.1f} ms {reference:>6.1f} ms {ours / reference:>7.2f}×"
            if cv2 is not None:
                opencv = median_ms(lambda: opencv_filter(image, kernel), args.repeat)
                line += f" {opencv:>5.1f} ms {ours / opencv:>8.2f}×"
            print(line)
    print()
    image = rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
    for name in ("emboss", "blur"):
        preview = median_ms(lambda: map_output(apply_kernel(image, PRESETS[name]), "clamp"), args.repeat)
        print(f"live preview at 1920×1080, apply_kernel + map_output ({name}): {preview:.1f} ms (budget 16 ms)")
    preview = median_ms(lambda: map_output(apply_kernel(luminance(image), PRESETS["emboss"]), "clamp"), args.repeat)
    print(f"live preview at 1920×1080, luminance + apply_kernel + map_output (emboss): {preview:.1f} ms (budget 16 ms)")
    big = rng.integers(0, 256, (3000, 4000, 3), dtype=np.uint8)
    positions = [(int(r), int(c)) for r, c in zip(rng.integers(0, 3000, 200), rng.integers(0, 4000, 200))]

    def hover() -> None:
        for row, col in positions:
            explain_pixel(big, PRESETS["emboss"], row, col, border="reflect")

    hover_ms = median_ms(hover, max(3, args.repeat // 3)) / len(positions)
    print(f"explain_pixel at 4000×3000 (luminance, reflect): {hover_ms * 1000:.0f} µs per pixel (budget ≪ 16 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
