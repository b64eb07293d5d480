"""How long a hover takes: explain one pixel of a 12-megapixel image and show it in the StepPanel,
and compute the raw sum the status line shows (the preview keeps no raw sums: ``FilterResult.raw_at``).

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_hover.py [--count 400]``.
The budget is one frame (16 ms) for the whole handler; the figures print as median and p99.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from kernelplay.imaging.explain import explain_pixel  # noqa: E402
from kernelplay.imaging.kernels import PRESETS  # noqa: E402
from kernelplay.imaging.preview import FilterRequest, run_filter  # noqa: E402
from kernelplay.gui.playground.step_panel import StepPanel  # noqa: E402

FRAME_MS = 16.0


def measure(label: str, run, pixels) -> None:
    times = []
    for row, col in pixels:
        start = time.perf_counter()
        run(row, col)
        times.append((time.perf_counter() - start) * 1000)
    times = np.array(times)
    median, p99 = np.median(times), np.percentile(times, 99)
    verdict = "ok" if p99 < FRAME_MS else "OVER BUDGET"
    print(f"{label:<52} median {median:6.2f} ms   p99 {p99:6.2f} ms   max {times.max():6.2f} ms   {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400, help="random pixels per measurement")
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(args.height, args.width, 3), dtype=np.uint8)
    pixels = list(zip(rng.integers(0, args.height, args.count), rng.integers(0, args.width, args.count)))
    emboss, gauss = PRESETS["emboss"], next(k for k in PRESETS.values() if k.shape == (5, 5))
    panel = StepPanel()
    panel.resize(460, 760)
    panel.show()
    app.processEvents()
    print(f"{args.width}×{args.height} RGB, {args.count} random pixels each, Qt platform {app.platformName()}")

    measure("explain_pixel (3×3, luminance)", lambda r, c: explain_pixel(image, emboss, r, c), pixels)
    measure(
        "explain_pixel (5×5, channel R, reflect)",
        lambda r, c: explain_pixel(image, gauss, r, c, channel="R", border="reflect"),
        pixels,
    )

    for name, kernel, luminance in (("emboss, RGB", emboss, False), ("random 5×5, RGB", rng.normal(size=(5, 5)), False),
                                    ("random 5×5, luminance", rng.normal(size=(5, 5)), True)):
        result = run_filter(FilterRequest(image, kernel, "reflect", False, luminance, "clamp", 0))
        measure(f"FilterResult.raw_at ({name}, reflect)", result.raw_at, pixels)

    def hover(row, col, kernel=emboss, **options):
        panel.set_explanation(explain_pixel(image, kernel, row, col, **options))

    measure("explain + StepPanel.set_explanation (3×3)", hover, pixels)
    measure("explain + set_explanation (5×5, stretch with range)",
            lambda r, c: hover(r, c, gauss, mapping="stretch", value_range=(0.0, 255.0)), pixels)

    def hover_and_paint(row, col, kernel=emboss):
        hover(row, col, kernel)
        panel.repaint()  # the paint Qt would do on the next frame, done now to time it

    measure("explain + set_explanation + repaint (3×3)", hover_and_paint, pixels)
    measure("explain + set_explanation + repaint (5×5)", lambda r, c: hover_and_paint(r, c, gauss), pixels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
