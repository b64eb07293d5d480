"""How fast does the window come up? Two figures, printed:

1. start-up: from the process's start to the window shown with its event loop running, for
   ``python -m kernelplay`` and for a bare PySide6 ``QMainWindow`` script, launched alternately
   (bare, app, app, bare, …) so both see the same machine; medians and their ratio. Target:
   kernelplay **≤ 4×** the bare window. Each child prints the wall-clock time of its event loop's
   first pass after ``show()`` and of the end of the window's first paint
   (``KERNELPLAY_STARTUP_PROBE``, see ``kernelplay.gui.app.StartupProbe``); the start is this
   script's clock just before ``Popen`` (so interpreter start-up counts, on every platform), and
   on Linux the child's own /proc start time is printed beside it as a check.
2. the first open of the training tab: a child shows the main window, lets the event loop run for
   ``--click-after`` seconds (0: the user clicks as soon as the window is there), clicks the
   "CNN training" tab and times the click to the end of the tab's first paint; it also prints the
   event loop's longest stall (a 10 ms timer's worst lateness) from show to that paint, which is
   what the user would feel of work done behind the window.

Children run with ``QT_QPA_PLATFORM=offscreen`` (``--xvfb``: a real X server, Xvfb, started once)
and an empty settings folder, so nobody's saved window size or kernels play a part.

    python benchmarks/bench_startup.py [--runs 9] [--tab-runs 3] [--click-after 0 1.5] [--xvfb]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE_WINDOW = r'''
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Probe(QObject):  # the same two moments kernelplay.gui.app.StartupProbe prints
    def __init__(self, window):
        super().__init__(window)
        self.loop_at = self.painted_at = None
        window.installEventFilter(self)
        QTimer.singleShot(0, self.on_loop)
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and self.painted_at is None:
            QTimer.singleShot(0, self.on_painted)
        return False
    def on_loop(self):
        self.loop_at = time.time(); self.report()
    def on_painted(self):
        if self.painted_at is None:
            self.painted_at = time.time(); self.report()
    def report(self):
        if self.loop_at is not None and self.painted_at is not None:
            print(f"startup loop={self.loop_at:.6f} painted={self.painted_at:.6f} since_start=nan", flush=True)
            QApplication.instance().quit()

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1280, 800)
window.show()
probe = Probe(window)
sys.exit(app.exec())
'''

FIRST_TAB_OPEN = r'''
import sys, time
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from kernelplay.gui.main_window import MainWindow

click_after = float(sys.argv[1])
app = QApplication(sys.argv[:1])
window = MainWindow()
window.resize(1280, 800)
window.show()
shown_at = time.perf_counter()
worst_stall = [0.0]
last_tick = [time.perf_counter()]

def on_tick():
    now = time.perf_counter()
    worst_stall[0] = max(worst_stall[0], now - last_tick[0] - 0.010)
    last_tick[0] = now

ticker = QTimer(interval=10, timerType=Qt.TimerType.PreciseTimer)
ticker.timeout.connect(on_tick)
ticker.start()

class PaintWatch(QObject):
    def __init__(self):
        super().__init__()
        self.clicked_at = None
    def eventFilter(self, watched, event):
        if (event.type() == QEvent.Type.Paint and self.clicked_at is not None
                and type(watched).__name__ == "TrainingTab"):  # the tab itself, not a placeholder
            QTimer.singleShot(0, self.done)
            self.clicked_at, clicked = None, self.clicked_at
            self.elapsed = lambda: time.perf_counter() - clicked
        return False
    def done(self):
        on_tick()
        print(f"tab open={self.elapsed():.4f} stall={worst_stall[0]:.4f}", flush=True)
        window.close()
        app.quit()

watch = PaintWatch()
app.installEventFilter(watch)

def click():
    bar = window.tabs.tabBar()
    # the user's click is due at show + click_after; a busy event loop delivers it late, and that
    # wait is part of what the user sees
    watch.clicked_at = min(time.perf_counter(), shown_at + click_after)
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())

clicker = QTimer(singleShot=True, interval=round(click_after * 1000), timerType=Qt.TimerType.PreciseTimer)
clicker.timeout.connect(click)
clicker.start()
sys.exit(app.exec())
'''

STARTUP_LINE = re.compile(r"startup loop=(\S+) painted=(\S+) since_start=(\S+)")
TAB_LINE = re.compile(r"tab open=(\S+) stall=(\S+)")


def run_child(args: list[str], env: dict, pattern: re.Pattern, timeout: float = 60.0):
    """Start a child, return (this clock just before Popen, the matched line's groups)."""
    started = time.time()
    child = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
    match = pattern.search(out)
    if match is None:
        raise RuntimeError(f"{args[1:]} printed no figures:\n{out}\n{err[-2000:]}")
    return started, match.groups()


def child_environment(settings: str, display: str | None) -> dict:
    env = dict(os.environ, XDG_CONFIG_HOME=settings, KERNELPLAY_STARTUP_PROBE="1", PYTHONPATH=str(ROOT))
    if display:
        env.update(QT_QPA_PLATFORM="xcb", DISPLAY=display)
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def start_xvfb() -> tuple[subprocess.Popen, str]:
    if shutil.which("Xvfb") is None:
        raise SystemExit("--xvfb needs Xvfb (apt-get install xvfb)")
    display = ":%d" % (90 + os.getpid() % 100)
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return server, display


def startup_figures(runs: int, env: dict) -> None:
    bare_script = [sys.executable, "-c", BARE_WINDOW]
    app = [sys.executable, "-m", "kernelplay"]
    times: dict[str, list[tuple[float, float]]] = {"bare": [], "kernelplay": []}
    proc_times: list[float] = []
    for _ in range(2):  # warm the file cache and the .pyc files
        run_child(bare_script, env, STARTUP_LINE)
        run_child(app, env, STARTUP_LINE)
    for run in range(runs):
        order = (("bare", bare_script), ("kernelplay", app))
        for name, argv in order if run % 2 == 0 else order[::-1]:
            started, (loop_at, painted_at, since_start) = run_child(argv, env, STARTUP_LINE)
            times[name].append((float(loop_at) - started, float(painted_at) - started))
            if name == "kernelplay" and since_start != "nan":
                proc_times.append(float(since_start))
    print(f"start-up, {runs} runs each, medians (event loop's first pass after show / window painted):")
    medians = {}
    for name, pairs in times.items():
        loop = statistics.median(p[0] for p in pairs)
        painted = statistics.median(p[1] for p in pairs)
        medians[name] = (loop, painted)
        spread = f"{min(p[0] for p in pairs):.3f}–{max(p[0] for p in pairs):.3f}"
        print(f"  {name:<10} {loop:.3f} s / {painted:.3f} s   (loop: {spread} s)")
    ratios = [k[0] / b[0] for b, k in zip(times["bare"], times["kernelplay"])]
    print(f"  ratio      {medians['kernelplay'][0] / medians['bare'][0]:.2f}× (of the medians; "
          f"median of the per-run ratios {statistics.median(ratios):.2f}×), painted "
          f"{medians['kernelplay'][1] / medians['bare'][1]:.2f}×   target ≤ 4×")
    if proc_times:
        print(f"  kernelplay by its own /proc start time: {statistics.median(proc_times):.2f} s (to 1/100 s)")


def tab_figures(runs: int, click_after: list[float], env: dict) -> None:
    env = {k: v for k, v in env.items() if k != "KERNELPLAY_STARTUP_PROBE"}
    print("first open of the CNN training tab: click → tab painted, and the event loop's worst stall")
    for delay in click_after:
        opens, stalls = [], []
        for _ in range(runs):
            _, (opened, stall) = run_child([sys.executable, "-c", FIRST_TAB_OPEN, str(delay)], env, TAB_LINE)
            opens.append(float(opened))
            stalls.append(float(stall))
        print(f"  click {delay:.1f} s after show: open {statistics.median(opens) * 1000:.0f} ms "
              f"({min(opens) * 1000:.0f}–{max(opens) * 1000:.0f}), worst stall "
              f"{statistics.median(stalls) * 1000:.0f} ms ({min(stalls) * 1000:.0f}–{max(stalls) * 1000:.0f})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="start-ups of each (default 9)")
    parser.add_argument("--tab-runs", type=int, default=3, help="first tab opens per delay (default 3; 0 skips)")
    parser.add_argument("--click-after", type=float, nargs="+", default=[0.0, 1.5],
                        help="seconds between show and the click on the tab (default 0 1.5)")
    parser.add_argument("--xvfb", action="store_true", help="a real X server (Xvfb) instead of offscreen")
    args = parser.parse_args(argv)
    server = None
    display = None
    if args.xvfb:
        server, display = start_xvfb()
    try:
        with tempfile.TemporaryDirectory(prefix="kernelplay-bench-settings-") as settings:
            env = child_environment(settings, display)
            startup_figures(args.runs, env)
            if args.tab_runs:
                tab_figures(args.tab_runs, args.click_after, env)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
