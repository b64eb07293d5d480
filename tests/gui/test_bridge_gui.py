"""Kernels crossing between the tabs, as a person does it: a learned kernel opened in the playground,
a playground kernel put into conv1 (frozen) of the network training in its own process — its weights
stay, the others move, a lock sits on its tile, a saved model remembers it. And the worker's two
commands behind it, on their own."""
import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from synthetic_digits import SMALL, bar_digits
from kernelplay.bridge import nearest_preset
from kernelplay.gui.main_window import MainWindow
from kernelplay.gui.training.training_tab import TrainingTab
from kernelplay.imaging.kernels import PRESETS
from kernelplay.nn import worker_messages as messages
from kernelplay.nn.network import Network
from kernelplay.nn.worker import TrainingLoop

CELL_PRECISION = 5e-7  # the playground's cells write a weight with 6 decimals


class Window(MainWindow):
    @staticmethod
    def _create_training_tab():
        return TrainingTab(data=bar_digits(), config=SMALL, snapshot_interval=0.02, redraw_interval_ms=20)


@pytest.fixture
def window(qtbot):
    win = Window()
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    tab = win.training
    qtbot.waitUntil(lambda: tab.latest_snapshot() is not None, timeout=5000)
    yield win
    tab.shutdown()
    win.close()


def right_click_and_choose(qtbot, widget, position, action) -> None:
    """Right-click at ``position`` and choose ``action`` in the menu that opens (where the platform
    opens one on a synthetic click; else the action is chosen as the menu would)."""
    chosen = []

    def choose():
        menu = QApplication.activePopupWidget()
        if menu is not None:
            chosen.append(True)
            action.trigger()
            menu.close()

    QTimer.singleShot(300, choose)
    QTest.mouseClick(widget.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, position)
    qtbot.wait(400)
    if not chosen:
        action.trigger()


def test_a_learned_kernel_opens_in_the_playground_with_the_preset_it_looks_like(qtbot, window):
    tab = window.training
    window.tabs.setCurrentWidget(tab)
    tab.session.step(5)
    qtbot.waitUntil(lambda: tab.latest_snapshot().step == 5, timeout=10000)
    grid = tab.filter_grid
    qtbot.waitUntil(lambda: "conv1" in grid.weights and np.array_equal(grid.weights["conv1"],
                                                                       tab.latest_snapshot().kernels["conv1"]))
    # the tile of conv1 kernel 2: its enlarged view names the preset it looks like
    image = grid.images["conv1"]
    cols = int(np.ceil(np.sqrt(SMALL.channels[0])))
    row, col = divmod(2, cols)
    k = SMALL.kernel_size
    position = grid.mapFromScene(image.mapToScene(QPointF(col * (k + 1) + 1.5, row * (k + 1) + 1.5)))
    assert grid.tile_under(QPointF(position)) == ("conv1", 2, 0)
    learned = tab.latest_snapshot().kernels["conv1"][2, 0]
    match = nearest_preset(learned)
    assert f"looks most like: {match.name} (r = {match.correlation:.2f})" in grid.zoomed_tile(("conv1", 2, 0)).caption
    right_click_and_choose(qtbot, grid, position, grid.open_action)
    assert grid.open_action.text() == "Open conv1.weight[2, 0] in the playground"
    # the playground's kernel is that slice (to the 6 decimals its cells hold), and it is on show
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.playground)
    np.testing.assert_allclose(window.playground.kernel_editor.kernel(), learned, rtol=0, atol=CELL_PRECISION)
    assert window.playground.kernel_editor.preset_name() == "custom"
    assert "conv1.weight[2, 0]" in window.message_bar.text() and "looks most like" in window.message_bar.text()
    # a slice of a deeper kernel, too
    tab.filter_grid.kernel_opened.emit(*tab.filter_grid.kernel_slice(("conv2", 4, 3)))
    np.testing.assert_allclose(window.playground.kernel_editor.kernel(), tab.latest_snapshot().kernels["conv2"][4, 3],
                               atol=CELL_PRECISION)


def test_a_playground_kernel_put_into_conv1_frozen_stays_while_the_others_train(qtbot, window, tmp_path):
    tab = window.training
    window.playground.kernel_editor.set_preset("left sobel")
    sobel = np.array(PRESETS["left sobel"], dtype=np.float64)
    window.put_kernel_action.trigger()
    dialog = window.put_kernel_dialog
    assert dialog.isVisible() and dialog.channel_box.maximum() == SMALL.channels[0] - 1
    dialog.channel_box.setValue(2)
    qtbot.mouseClick(dialog.frozen_box, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.latest_snapshot().frozen_channels == (2,), timeout=5000)
    assert window.tabs.currentWidget() is tab and "conv1 kernel 2" in window.message_bar.text()
    before = tab.latest_snapshot().kernels["conv1"].copy()
    np.testing.assert_array_equal(before[2, 0], sobel)
    grid = tab.filter_grid
    qtbot.waitUntil(lambda: grid.frozen == (2,) and len(grid._locks) == 2)  # a frame and a padlock
    # the learned kernels keep their colours: the ±2 sobel is on a scale of its own
    assert grid.limits["conv1"] == pytest.approx(np.abs(np.delete(before, 2, axis=0)).max())
    assert "unlocked" in grid.titles["conv1"].text
    # train: the frozen kernel stays as it was put, every other one moves
    start = tab.latest_snapshot().step
    tab.session.step(15)
    qtbot.waitUntil(lambda: tab.latest_snapshot().step == start + 15, timeout=10000)
    after = tab.latest_snapshot().kernels["conv1"]
    np.testing.assert_array_equal(after[2], before[2])
    for channel in (0, 1, 3):
        assert not np.array_equal(after[channel], before[channel])
    assert "frozen" in tab.filter_grid.zoomed_tile(("conv1", 2, 0)).caption
    # a saved model remembers the frozen kernel; loaded, training goes on leaving it alone
    path = tmp_path / "frozen.npz"
    with qtbot.waitSignal(tab.model_saved, timeout=5000):
        tab.save_model(path)
    assert Network.load(path).frozen_channels == (2,)
    tab.load_model(path)
    qtbot.waitUntil(lambda: tab.latest_snapshot().step == 0 and tab.latest_snapshot().frozen_channels == (2,),
                    timeout=5000)
    tab.session.step(5)
    qtbot.waitUntil(lambda: tab.latest_snapshot().step == 5, timeout=10000)
    np.testing.assert_array_equal(tab.latest_snapshot().kernels["conv1"][2], before[2])


def test_a_3x3_kernel_goes_into_a_5x5_network_in_a_ring_of_zeros(qtbot):
    from kernelplay.gui.training.put_kernel_dialog import PutKernelDialog, fitting_note

    dialog = PutKernelDialog(np.eye(3), 16, 5, frozen_channels=(4,))
    qtbot.addWidget(dialog)
    assert "ring of zeros" in fitting_note(3, 5) and "only the middle 3×3" in fitting_note(5, 3)
    assert dialog.channel_box.maximum() == 15 and not dialog.frozen()


def run_loop(**kwargs):
    sent = []
    loop = TrainingLoop(bar_digits(), SMALL, send=sent.append, snapshot_interval=0.01, threads=1, **kwargs)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    return loop, thread, sent


def wait_for(condition, timeout=10.0):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_the_worker_sends_weights_only_when_asked_and_puts_kernels_between_steps():
    loop, thread, sent = run_loop()
    try:
        snapshots = lambda: [m.snapshot for m in sent if isinstance(m, messages.SnapshotReady)]  # noqa: E731
        wait_for(lambda: snapshots())
        assert snapshots()[-1].weights is None
        loop.post(messages.IncludeWeights(True))  # paused: a snapshot with them follows at once
        wait_for(lambda: snapshots()[-1].weights is not None)
        kernel = np.arange(9.0).reshape(3, 3) / 10
        loop.post(messages.PutKernel(1, kernel, True))
        wait_for(lambda: snapshots()[-1].frozen_channels == (1,))
        snapshot = snapshots()[-1]
        np.testing.assert_allclose(snapshot.weights["conv1.weight"][1, 0], kernel, rtol=1e-7)
        assert snapshot.weights["conv1.bias"][1] == 0
        loop.post(messages.PutKernel(7, kernel, False))  # conv1 has 4 channels: refused in a sentence
        wait_for(lambda: any(isinstance(m, messages.Failed) for m in sent))
        assert [m.message for m in sent if isinstance(m, messages.Failed)] == ["conv1 has channels 0 to 3, not 7"]
        loop.post(messages.IncludeWeights(False))
        loop.post(messages.Step(2))
        wait_for(lambda: snapshots()[-1].step == 2)
        assert snapshots()[-1].weights is None and snapshots()[-1].frozen_channels == (1,)
    finally:
        loop.stop()
        thread.join(5)
