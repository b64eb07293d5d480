"""Edit-to-screen latency of the playground's live preview. Run: ``python benchmarks/bench_preview.py``.

Types a weight into the kernel editor (as a user does) and times until the new output is on the
output view: kernel parsing, filtering on the worker thread, the output mapping, the numpy → QImage
→ QPixmap conversion and the status line. Budget: ~16 ms at 1920×1080 for every kernel kind,
including a random 5×5 of floats (a learned kernel brought over from the training tab). Runs
offscreen; the machine's load is printed with the figures (on a shared machine they vary with it).
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


KERNELS = {  # name: (kernel, the cell typed into, what is typed)
    "sharpen 3×3": (None, 4, ("5", "6", "7")),
    "random 5×5": (np.random.default_rng(15).normal(size=(5, 5)).round(3), 12, ("0.51", "0.62", "0.73")),
}


def edit_latencies(tab: PlaygroundTab, edits: int, cell_index: int, typed: tuple[str, ...]) -> list[float]:
    """Seconds from each typed weight to its output being shown."""
    cell = tab.kernel_editor.cells()[cell_index]
    latencies = []
    for index in range(edits):
        loop = QEventLoop()
        tab.output_updated.connect(loop.quit)
        QTimer.singleShot(5000, loop.quit)
        cell.selectAll()
        start = time.perf_counter()
        QTest.keyClicks(cell, typed[index % len(typed)])
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
    print(f"CPU cores: {os.cpu_count()}; {EDITS} edits per size and kernel; RGB, zero border, clamp; "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    print(f"{'image':>10}  {'kernel':>12}  {'median':>8}  {'p90':>8}  {'max':>8}")
    for label, (height, width) in SIZES.items():
        tab.set_image(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), label)
        for name, (kernel, cell_index, typed) in KERNELS.items():
            if kernel is None:
                tab.kernel_editor.set_preset("sharpen")
            else:
                tab.kernel_editor.set_kernel(kernel)
            while not tab.is_up_to_date():
                app.processEvents()
            times = sorted(edit_latencies(tab, EDITS, cell_index, typed))
            p90 = times[int(0.9 * (len(times) - 1))]
            print(f"{label:>10}  {name:>12}  {statistics.median(times) * 1e3:6.1f} ms  {p90 * 1e3:6.1f} ms  "
                  f"{times[-1] * 1e3:6.1f} ms", flush=True)
    print(f"\nbudget: ~16 ms from an edit to the shown output at 1920×1080; "
          f"load average after {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    tab.shutdown()


if __name__ == "__main__":
    main()
