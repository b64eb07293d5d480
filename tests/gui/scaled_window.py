"""The playground's window at QT_SCALE_FACTOR 1.5 (a 1920×1080 screen at 150 %), in a fresh process:
Qt reads the scale factor once, when the application starts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_START = """
import json, sys
from PySide6.QtWidgets import QApplication
from PySide6.QtTest import QTest
app = QApplication([])
sys.path.insert(0, "tests/gui")
from kernelplay.gui.main_window import MainWindow
{imports}
win = MainWindow(with_training=False)
win.resize(1280, 720)
win.show()
QTest.qWait(300)
"""


def run_at_one_and_a_half(imports: str, body: str) -> dict:
    """Run ``body`` (Python, with ``win``, ``app``, ``json`` and ``QTest`` at hand, after ``imports``)
    on the shown window; it prints one JSON object, which is returned. The window is closed after."""
    from offscreen_screen import offscreen_platform  # (not on the path of the script, which imports this file)

    script = _START.format(imports=imports) + body + "\nwin.close()\n"
    # the window fits itself to its screen: a 1920×1080 one, 1280×720 logical pixels at 1.5
    env = {**os.environ, "QT_SCALE_FACTOR": "1.5", "QT_QPA_PLATFORM": offscreen_platform((1920, 1080)),
           "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
