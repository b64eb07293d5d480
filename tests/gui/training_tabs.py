"""A training tab on the SMALL network and the bar digits, shown and up to its first snapshot, for
tests that drive it as a person would; and clicking Step up to a given step."""
from contextlib import contextmanager

from PySide6.QtCore import Qt

from synthetic_digits import SMALL, bar_digits
from kernelplay.gui.training.training_tab import TrainingTab

TIMEOUT = 10_000  # ms: a spawned worker imports numpy first


@contextmanager
def shown_tab(qtbot, size=(1280, 800), **options):
    """A :class:`TrainingTab` (``options`` as its keyword arguments) shown at ``size``; shut down after."""
    tab = TrainingTab(data=bar_digits(), config=SMALL, **options)
    qtbot.addWidget(tab)
    tab.resize(*size)
    tab.show()
    qtbot.waitUntil(lambda: tab.latest_snapshot() is not None, timeout=TIMEOUT)
    try:
        yield tab
    finally:
        tab.shutdown()


def step_to(qtbot, tab, last):
    """Click Step up to step ``last``, waiting for each step's snapshot and checkpoint."""
    session = tab.session
    while session.latest.step < last:
        target = session.latest.step + 1
        qtbot.mouseClick(tab.training_controls.step_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: session.latest.step == target and session.checkpoints[-1][0] == target,
                        timeout=TIMEOUT)
