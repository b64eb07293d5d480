"""The training tab driven as a person would: train, pause, step, reset, draw, save/load, close."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from synthetic_digits import SMALL, bar_digits
from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.network import Network
from kernelplay.gui.training.training_tab import TrainingTab



@pytest.fixture
def make_tab(qtbot):
    tabs = []

    def make(**kwargs):
        kwargs.setdefault("data", bar_digits())
        kwargs.setdefault("config", SMALL)
        kwargs.setdefault("snapshot_interval", 0.02)
        kwargs.setdefault("redraw_interval_ms", 20)
        tab = TrainingTab(**kwargs)
        qtbot.addWidget(tab)
        tab.resize(1280, 800)
        tab.show()
        qtbot.waitUntil(lambda: tab.latest_snapshot() is not None, timeout=5000)
        tabs.append(tab)
        return tab

    yield make
    for tab in tabs:
        tab.shutdown()


def _wait_step(qtbot, tab, at_least, timeout=10000):
    qtbot.waitUntil(lambda: tab.latest_snapshot() is not None and tab.latest_snapshot().step >= at_least,
                    timeout=timeout)
    return tab.latest_snapshot()


def test_training_changes_the_kernel_tiles_and_curves_and_scores_sum_to_one(qtbot, make_tab):
    tab = make_tab()
    first = tab.latest_snapshot()
    assert first.step == 0
    tiles_before = tab.filter_grid.values["conv1"].copy()
    pixels_before = tab.filter_grid.images["conv1"].image.copy()
    assert np.nanmax(np.abs(tiles_before)) > 0
    qtbot.mouseClick(tab.training_controls.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.session.running, timeout=3000)
    assert tab.training_controls.play_button.text() == "Pause"
    _wait_step(qtbot, tab, 15)
    qtbot.waitUntil(lambda: len(tab.session.history) >= 3, timeout=5000)
    # the kernels are redrawn a few times a second while training
    qtbot.waitUntil(lambda: not np.allclose(tiles_before, tab.filter_grid.values["conv1"], equal_nan=True), timeout=3000)
    assert not np.array_equal(pixels_before, tab.filter_grid.images["conv1"].image)  # the drawn colours too
    qtbot.waitUntil(lambda: tab.curves.loss_curve.getData()[0] is not None
                    and len(tab.curves.loss_curve.getData()[0]) >= 3, timeout=5000)
    x, y = tab.curves.loss_curve.getData()
    assert np.all(np.diff(x) > 0) and np.all(np.isfinite(y))
    assert np.isclose(tab.shown_scores().sum(), 1.0, atol=1e-5)
    assert tab.scores_view.bars.opts["height"].shape == (10,)
    assert "digits seen" in tab.status_label.text()
    # paused, every view holds the present snapshot's arrays, with symmetric levels for the kernels
    qtbot.mouseClick(tab.training_controls.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.session.running, timeout=3000)
    assert tab.filter_grid.limits["conv2"] == pytest.approx(np.abs(tab.latest_snapshot().kernels["conv2"]).max())
    assert tab.feature_maps.images["conv1"].image.shape[0] > 28


def test_pause_stops_and_step_trains_exactly_one_batch(qtbot, make_tab):
    tab = make_tab()
    tab.training_controls.play_button.click()
    _wait_step(qtbot, tab, 3)
    tab.training_controls.play_button.click()  # pause
    qtbot.waitUntil(lambda: not tab.session.running, timeout=3000)
    assert tab.training_controls.play_button.text() == "Train"
    qtbot.wait(150)
    paused_at = tab.latest_snapshot().step
    qtbot.wait(200)
    assert tab.latest_snapshot().step == paused_at
    tab.training_controls.step_button.click()
    snapshot = _wait_step(qtbot, tab, paused_at + 1)
    qtbot.wait(200)
    assert tab.latest_snapshot().step == paused_at + 1
    assert snapshot.samples_seen - 64 == tab.latest_snapshot().samples_seen - 64


def test_reset_starts_again_from_the_same_fresh_weights_with_the_new_architecture(qtbot, make_tab):
    tab = make_tab()
    initial = tab.latest_snapshot().kernels["conv1"].copy()
    tab.training_controls.step_button.click()
    _wait_step(qtbot, tab, 1)
    assert not np.array_equal(tab.latest_snapshot().kernels["conv1"], initial)
    tab.training_controls.reset_button.click()
    qtbot.waitUntil(lambda: tab.latest_snapshot().step == 0, timeout=3000)
    np.testing.assert_array_equal(tab.latest_snapshot().kernels["conv1"], initial)
    assert len(tab.session.history) == 0
    # a new architecture: shown with its parameter count, applied only on reset
    tab.architecture_editor.stages_box.setValue(1)
    tab.architecture_editor.channel_boxes[0].setValue(5)
    expected = NetworkConfig(channels=(5,), kernel_size=3, fc_width=16)
    assert f"{expected.parameter_count:,} parameters" in tab.architecture_editor.parameter_label.text()
    assert "Reset to apply" in tab.architecture_editor.parameter_label.text()
    tab.training_controls.reset_button.click()
    qtbot.waitUntil(lambda: tab.latest_snapshot().config == expected, timeout=3000)
    assert tab.diagram.config == expected
    assert [s.name for s in tab.diagram.stages] == ["input", "conv1", "pool1", "flatten", "fc1", "scores"]
    assert "Reset to apply" not in tab.architecture_editor.parameter_label.text()
    assert set(tab.filter_grid.images) == {"conv1"}


def test_settings_change_while_running_take_effect_at_the_next_step(qtbot, make_tab):
    tab = make_tab()
    tab.training_controls.play_button.click()
    _wait_step(qtbot, tab, 2)
    tab.training_controls.learning_rate_box.setCurrentText("0.003")
    tab.training_controls.batch_size_box.setCurrentText("16")
    tab.training_controls.optimizer_box.setCurrentText("SGD + momentum")
    qtbot.waitUntil(lambda: tab.latest_snapshot().batch_size == 16 and tab.latest_snapshot().optimizer == "sgd",
                    timeout=5000)
    rate = tab.latest_snapshot().learning_rate  # the chosen rate, a little decayed since the choice
    assert 0.9 * 0.003 < rate <= 0.003 and tab.training_controls.decay_box.text() == f"{rate:.2g}"
    assert tab.session.running


def test_drawing_on_the_pad_shows_a_prediction_for_the_drawn_digit(qtbot, make_tab):
    tab = make_tab()
    pad = tab.draw_pad
    assert pad.is_empty()
    side = min(pad.width(), pad.height())
    left, top = (pad.width() - side) // 2, (pad.height() - side) // 2
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(left + side // 2, top + side // 5))
    for i in range(1, 11):
        QTest.mouseMove(pad, QPoint(left + side // 2, top + side // 5 + i * side // 16))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(left + side // 2, top + side * 4 // 5))
    assert not pad.is_empty()
    digit = pad.digit()
    assert digit.shape == (28, 28) and digit.max() == pytest.approx(1.0)
    qtbot.waitUntil(lambda: "drawn digit" in tab.scores_view.getPlotItem().titleLabel.text, timeout=3000)
    np.testing.assert_allclose(tab.feature_maps.values["input"], digit)
    assert np.isclose(tab.shown_scores().sum(), 1.0, atol=1e-5)
    assert tab.scores_view.predicted == tab.latest_snapshot().predicted == int(np.argmax(tab.shown_scores()))
    assert tab.probe_strip.group.checkedButton() is None
    # while training runs, the drawn digit's scores follow the new weights
    shown = tab.shown_scores().copy()
    tab.training_controls.play_button.click()
    qtbot.waitUntil(lambda: not np.allclose(tab.shown_scores(), shown), timeout=5000)
    assert "drawn digit" in tab.scores_view.getPlotItem().titleLabel.text
    # right-click clears the pad: back to the held-out probe
    QTest.mouseClick(pad, Qt.MouseButton.RightButton)
    assert pad.is_empty()
    qtbot.waitUntil(lambda: "drawn digit" not in tab.scores_view.getPlotItem().titleLabel.text, timeout=3000)


def test_choosing_a_probe_digit_shows_its_maps(qtbot, make_tab):
    tab = make_tab()
    button = tab.probe_strip.buttons[3]
    index = tab.probe_strip.indices[3]
    button.click()
    qtbot.waitUntil(lambda: tab.latest_snapshot().probe_label == int(tab.data.heldout.labels[index]), timeout=3000)
    np.testing.assert_allclose(tab.feature_maps.values["input"], tab.data.heldout.images[index] / 255.0, atol=1e-6)


def test_saving_then_loading_a_model_shows_identical_scores(qtbot, make_tab, tmp_path):
    tab = make_tab()
    for _ in range(3):
        tab.training_controls.step_button.click()
    _wait_step(qtbot, tab, 3)
    trained = tab.latest_snapshot()
    path = tmp_path / "model.npz"
    with qtbot.waitSignal(tab.model_saved, timeout=5000):
        tab.save_model(path)
    assert "Saved the model after step 3" in tab.reason_label.text()
    tab.training_controls.reset_button.click()
    qtbot.waitUntil(lambda: tab.latest_snapshot().step == 0, timeout=3000)
    assert not np.allclose(tab.shown_scores(), trained.scores)
    assert tab.load_model(path)
    qtbot.waitUntil(lambda: np.array_equal(tab.latest_snapshot().kernels["conv1"], trained.kernels["conv1"]),
                    timeout=3000)
    np.testing.assert_array_equal(tab.shown_scores(), trained.scores)
    loaded = Network.load(path)
    np.testing.assert_allclose(loaded.predict_proba(trained.probe_image[None, None])[0], trained.scores, atol=1e-6)


def test_a_broken_model_file_is_reported_and_nothing_is_lost(qtbot, make_tab, tmp_path):
    tab = make_tab()
    tab.training_controls.step_button.click()
    before = _wait_step(qtbot, tab, 1)
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip file at all")
    messages = []
    tab.message_posted.connect(messages.append)
    assert not tab.load_model(broken)
    assert "Could not load" in tab.reason_label.text()
    assert messages and "broken.npz" in messages[-1]
    qtbot.wait(100)
    assert tab.latest_snapshot().step == before.step
    np.testing.assert_array_equal(tab.latest_snapshot().kernels["conv1"], before.kernels["conv1"])


def test_a_diverging_run_stops_itself_and_says_why(qtbot, make_tab):
    tab = make_tab()
    tab.training_controls.learning_rate_box.setCurrentText("10")  # with Adam, the default optimiser
    tab.training_controls.play_button.click()
    qtbot.waitUntil(lambda: "diverged" in tab.reason_label.text(), timeout=10000)
    qtbot.waitUntil(lambda: not tab.session.running, timeout=3000)
    assert tab.training_controls.play_button.text() == "Train"
    snapshot = tab.latest_snapshot()
    # the whole reason is in the note's tooltip when its three lines cannot hold it
    assert snapshot.diverged and "restored the last good weights" in tab.reason_label.note()
    assert all(np.all(np.isfinite(k)) for k in snapshot.kernels.values())
    assert np.all(np.isfinite(snapshot.scores)) and np.isclose(snapshot.scores.sum(), 1.0, atol=1e-5)


def test_an_epoch_budget_stops_training_with_a_held_out_accuracy(qtbot, make_tab):
    tab = make_tab(epochs=1)
    assert tab.training_controls.epochs_box.value() == 1
    tab.training_controls.play_button.click()
    qtbot.waitUntil(lambda: "1 epoch done" in tab.reason_label.text(), timeout=15000)
    qtbot.waitUntil(lambda: len(tab.session.history.heldout_accuracy) >= 1, timeout=5000)
    assert not tab.session.running
    assert "held-out accuracy <b>" in tab.status_label.text() and "—" not in tab.status_label.text().split("held-out")[1]


def test_shutdown_mid_training_ends_the_worker_within_a_second(qtbot, make_tab):
    import time

    tab = make_tab()
    tab.training_controls.play_button.click()
    _wait_step(qtbot, tab, 2)
    start = time.perf_counter()
    assert tab.shutdown()
    assert time.perf_counter() - start < 1.0
    assert not tab.session.is_alive()


def test_destroying_the_tab_mid_training_ends_the_worker(qtbot):
    tab = TrainingTab(data=bar_digits(), config=SMALL, snapshot_interval=0.02)
    session, worker = tab.session, tab.session._worker
    session.play()
    qtbot.waitUntil(lambda: session.running, timeout=5000)
    tab.deleteLater()
    del tab
    qtbot.waitUntil(lambda: not worker.is_alive(), timeout=3000)


def test_the_main_window_embeds_the_tab_and_stops_training_when_closed(qtbot, monkeypatch):
    from kernelplay.gui import main_window
    from kernelplay.gui.main_window import MainWindow

    monkeypatch.setattr(main_window.MainWindow, "_create_training_tab",
                        staticmethod(lambda: TrainingTab(data=bar_digits(), config=SMALL, snapshot_interval=0.02)))
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    tab = window.training
    qtbot.waitUntil(lambda: tab.latest_snapshot() is not None, timeout=10000)
    tab.session.play()
    qtbot.waitUntil(lambda: tab.session.running, timeout=5000)
    window.close()
    assert not tab.session.is_alive()


def test_stale_snapshots_are_dropped_and_only_the_newest_is_drawn(qtbot, make_tab):
    import time

    tab = make_tab()
    tab.training_controls.play_button.click()
    _wait_step(qtbot, tab, 2)
    received, redraws = tab.session.received, tab.redraws
    time.sleep(0.4)  # the GUI thread is busy: snapshots wait in the pipe
    tab.session._on_poll_due()
    assert tab.session.received - received >= 2  # all reached the curves' history …
    assert tab.redraws == redraws + 1  # … but only the newest was drawn


def test_a_lost_training_process_is_reported_and_reset_starts_a_new_one(qtbot, make_tab):
    tab = make_tab()
    tab.training_controls.learning_rate_box.setCurrentText("0.003")
    tab.session._worker._process.kill()
    qtbot.waitUntil(lambda: "ended unexpectedly" in tab.reason_label.text(), timeout=5000)
    tab.training_controls.reset_button.click()
    qtbot.waitUntil(lambda: tab.session.is_alive() and tab.latest_snapshot().step == 0, timeout=10000)
    tab.training_controls.step_button.click()
    snapshot = _wait_step(qtbot, tab, 1)
    assert snapshot.learning_rate == pytest.approx(0.003)


def test_messages_and_notes_never_move_the_draw_pad(qtbot, make_tab, tmp_path):
    tab = make_tab()
    pad = tab.draw_pad

    def where():
        return pad.mapTo(tab, QPoint(0, 0)), pad.size()

    before = where()
    broken = tmp_path / ("a-model-with-a-long-name-" * 6 + ".npz")
    broken.write_bytes(b"not a zip file at all")
    assert not tab.load_model(broken)
    qtbot.wait(20)
    assert "Could not load" in tab.reason_label.text() and where() == before
    assert tab.reason_label.text().endswith("…") and broken.name in tab.reason_label.toolTip()
    tab.architecture_editor.channel_boxes[0].setValue(5)  # "press Reset to apply" under the count
    qtbot.wait(20)
    assert "press Reset to apply" in tab.architecture_editor.parameter_label.text() and where() == before
    tab.training_controls.play_button.click()  # Train clears the message
    qtbot.waitUntil(lambda: tab.reason_label.text() == "", timeout=3000)
    assert where() == before


def test_a_loaded_model_shows_its_held_out_accuracy_before_training(qtbot, make_tab, tmp_path):
    from kernelplay.nn.training import Trainer

    tab = make_tab()
    for _ in range(5):
        tab.training_controls.step_button.click()
    _wait_step(qtbot, tab, 5)
    path = tmp_path / "model.npz"
    with qtbot.waitSignal(tab.model_saved, timeout=5000):
        tab.save_model(path)
    tab.training_controls.reset_button.click()
    qtbot.waitUntil(lambda: tab.latest_snapshot().step == 0, timeout=3000)
    assert "held-out accuracy <b>—</b>" in tab.status_label.text()
    assert tab.load_model(path)
    expected = Trainer(Network.load(path), tab.data).evaluate()  # the core's count on the same digits
    qtbot.waitUntil(lambda: f"held-out accuracy <b>{100 * expected:.1f} % (as loaded)</b>" in tab.status_label.text(),
                    timeout=5000)
    tab.training_controls.reset_button.click()  # fresh weights: the loaded model's figure no longer applies
    qtbot.waitUntil(lambda: "held-out accuracy <b>—</b>" in tab.status_label.text(), timeout=3000)
