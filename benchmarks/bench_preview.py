"""Edit-to-screen latency of the playground's live preview. Run: ``python benchmarks/bench_preview.py``.

Types a weight into the kernel editor (as a user does) and times until the new output is on the
output view: kernel parsing, filtering on the worker thread, the output mapping, the numpy → QImage
→ QPixmap conversion and the status line. Budget: ~16 ms at 1920×1080. Runs offscreen.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from kernelplay.gui.playground.playground_tab import PlaygroundTab  # noqa: E402

SIZES = {"1280×720": (720, 1280), "1920×1080": (1080, 1920), "4000×3000": (3000, 4000)}
EDITS = 25


def edit_latencies(tab: PlaygroundTab, edits: int) -> list[float]:
    """Seconds from each typed weight to its output being shown."""
    cell = tab.kernel_editor.cells()[4]
    latencies = []
    for index in range(edits):
        loop = QEventLoop()
        tab.output_updated.connect(loop.quit)
        QTimer.singleShot(5000, loop.quit)
        cell.selectAll()
        start = time.perf_counter()
        QTest.keyClicks(cell, str(5 + index % 3))
        if not tab.is_up_to_date():
            loop.exec()
        latencies.append(time.perf_counter() - start)
        tab.output_updated.disconnect(loop.quit)
    return latencies


def main() -> None:
    app = QApplication.instance() or QApplication([])
    tab = PlaygroundTab()
    tab.resize(1200, 700)
    tab.show()
    rng = np.random.default_rng(0)
    print(f"CPU cores: {os.cpu_count()}; {EDITS} edits per size; emboss-like 3×3, RGB, clamp\n")
    print(f"{'image':>10}  {'median':>8}  {'p90':>8}  {'max':>8}")
    for label, (height, width) in SIZES.items():
        tab.set_image(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), label)
        tab.kernel_editor.set_preset("sharpen")
        while not tab.is_up_to_date():
            app.processEvents()
        times = sorted(edit_latencies(tab, EDITS))
        p90 = times[int(0.9 * (len(times) - 1))]
        print(f"{label:>10}  {statistics.median(times) * 1e3:6.1f} ms  {p90 * 1e3:6.1f} ms  {times[-1] * 1e3:6.1f} ms")
    print("\nbudget: ~16 ms from an edit to the shown output at 1920×1080")
    tab.shutdown()


if __name__ == "__main__":
    main()
