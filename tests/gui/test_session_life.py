"""The training process's life seen from the GUI: a shutdown at any moment ends in bounded time, and
a killed worker leaves the Train button ready and is replaced by Reset or Load."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from synthetic_digits import SMALL, bar_digits
from training_tabs import shown_tab
from kernelplay.gui.training.session import TrainingSession
from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.network import Network

TESTS = Path(__file__).resolve().parents[1]
SHUTDOWNS = 12
SHUTDOWN_BOUND = 3.0  # seconds: the 0–0.3 s asked for, then terminate (≤ 1 s) and kill (≤ 1 s)

# Sessions with the default network (0.2 MB snapshots, so a message often spans several pipe writes)
# shut down 0–300 ms after they start or after their first snapshot, waiting 0–300 ms before the
# worker is terminated: sometimes mid-start-up, sometimes in the middle of writing a snapshot.
SHUTDOWN_AT_RANDOM = f"""
import json, random, sys, time
sys.path.insert(0, {str(TESTS)!r})
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from synthetic_digits import bar_digits
from kernelplay.gui.training.session import TrainingSession

if __name__ == "__main__":
    app = QApplication([])
    rng = random.Random(int(sys.argv[1]))
    data = bar_digits()
    for _ in range(int(sys.argv[2])):
        session = TrainingSession(data, snapshot_interval=0.0, redraw_interval_ms=10)
        session.play()
        delay_ms, timeout_ms = rng.randint(0, 300), rng.randint(0, 300)
        if rng.random() < 0.5:
            QTimer.singleShot(delay_ms, app.exit)
        else:
            session.snapshot_received.connect(lambda _, delay_ms=delay_ms: QTimer.singleShot(delay_ms, app.exit))
        app.exec()
        started = time.monotonic()
        session.shutdown(timeout_ms)
        print(json.dumps(time.monotonic() - started), flush=True)
        session.deleteLater()
"""


def test_a_shutdown_at_any_moment_ends_in_bounded_time():
    run = subprocess.run([sys.executable, "-c", SHUTDOWN_AT_RANDOM, "1", str(SHUTDOWNS)],
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                         capture_output=True, text=True, timeout=SHUTDOWNS * (SHUTDOWN_BOUND + 5))
    assert run.returncode == 0, run.stderr
    seconds = [json.loads(line) for line in run.stdout.split()]
    assert len(seconds) == SHUTDOWNS and max(seconds) < SHUTDOWN_BOUND


@pytest.fixture
def tab(qtbot):
    with shown_tab(qtbot, snapshot_interval=0.02, redraw_interval_ms=20) as tab:
        yield tab


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGKILL")
def test_a_killed_worker_leaves_the_train_button_ready(qtbot, tab):
    controls = tab.training_controls
    controls.play_button.click()
    qtbot.waitUntil(lambda: controls.play_button.text() == "Pause", timeout=5000)
    os.kill(tab.session._worker._process.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: "ended unexpectedly" in tab.reason_label.text(), timeout=5000)
    assert controls.play_button.text() == "Train" and not tab.session.running
    controls.play_button.click()  # nothing to train: the message stays
    assert "press Reset" in tab.reason_label.text()
    controls.reset_button.click()
    qtbot.waitUntil(lambda: tab.session.is_alive() and tab.latest_snapshot().step == 0, timeout=10000)
    controls.play_button.click()  # the first press trains
    qtbot.waitUntil(lambda: tab.session.running and tab.latest_snapshot().step >= 3, timeout=10000)
    assert controls.play_button.text() == "Pause"


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGKILL")
def test_load_after_a_lost_worker_starts_a_new_one_which_the_stopper_ends(qtbot):
    session = TrainingSession(bar_digits(), SMALL, redraw_interval_ms=20)
    stop = session.stopper()  # made before the restart, as the training tab does
    try:
        with qtbot.waitSignal(session.failed, timeout=5000):
            session._worker._process.kill()
        wider = Network(NetworkConfig(channels=(2,), fc_width=8))
        session.load_network(wider)
        qtbot.waitUntil(lambda: session.latest is not None and session.latest.config == wider.config, timeout=10000)
        stop()
        assert not session.is_alive()
    finally:
        session.shutdown()
