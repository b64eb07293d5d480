"""The timeline driven as a person would: drag it back (the keyboard moves the slider as a drag
does), see the checkpoint's kernels — equal to the weights saved with the run — its feature maps,
scores and confusion matrix and a marker on the curves; go back to live; resume from a step after
the confirmation (the later history is gone) or cancel it (nothing changes)."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from kernelplay.gui.training.timeline_bar import TimelineBar
from kernelplay.nn.evaluation import evaluate_digits
from kernelplay.nn.run_file import read_run_file
from predictions import assert_same_predictions
from training_tabs import TIMEOUT, shown_tab, step_to


@pytest.fixture
def tab(qtbot):
    with shown_tab(qtbot, snapshot_interval=0.0, redraw_interval_ms=10, threads=1) as tab:
        yield tab


def drag_to(qtbot, tab, position):
    """Move the timeline's handle to ``position`` with the arrow keys, one checkpoint at a time."""
    slider = tab.time_travel.timeline.slider
    slider.setFocus()
    while slider.value() != position:
        qtbot.keyClick(slider, Qt.Key.Key_Left if slider.value() > position else Qt.Key.Key_Right)


def saved_run(qtbot, tab, path):
    with qtbot.waitSignal(tab.session.run_saved, timeout=TIMEOUT):
        tab.run_files.save_run(path)
    return read_run_file(path)


def test_dragging_the_timeline_shows_a_checkpoint_and_live_snapshots_do_not_cover_it(qtbot, tab, tmp_path):
    step_to(qtbot, tab, 5)
    timeline, curves, page = tab.time_travel.timeline, tab.curves, tab.time_travel.mistakes
    qtbot.waitUntil(lambda: timeline.points == [(s, 64 * s) for s in range(6)], timeout=TIMEOUT)
    assert timeline.live and timeline.slider.value() == 6 and not timeline.resume_button.isEnabled()
    drag_to(qtbot, tab, 2)
    assert tab.time_travel.viewing and tab.session.viewed_step == 2
    assert "step 2" in timeline.step_label.text() and timeline.resume_button.isEnabled()
    assert not page.evaluate_button.isEnabled()  # it would count the live network, not the one on show
    assert all(m.isVisible() and m.value() == 128 for m in curves.markers)
    qtbot.waitUntil(lambda: page.step == 2 and not page.matrix_view.dimmed, timeout=TIMEOUT)
    run = saved_run(qtbot, tab, tmp_path / "run.npz")
    then = run.checkpoints.at(2)
    for name, kernels in tab.filter_grid.weights.items():
        np.testing.assert_array_equal(kernels, then.params[f"{name}.weight"])
    network = then.network()
    probe = tab.latest_snapshot().probe_image
    expected = {name: a[0] for name, a in network.activations(probe[None, None]).items()}
    for name, shown in tab.feature_maps.activations.items():
        np.testing.assert_allclose(shown, expected[name], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tab.scores_view.scores, expected["scores"], rtol=1e-5, atol=1e-6)
    # the worker evaluated in its own chunks: float32 rounding may flip a near-tie, nothing else
    assert_same_predictions(page.evaluation.predicted, evaluate_digits(network, tab.session.heldout).scores)

    tab.session.step()  # training goes on (as while it runs): the curves move, the views stay at step 2
    qtbot.waitUntil(lambda: tab.latest_snapshot().step == 6 and tab.session.history.steps[-1] == 6, timeout=TIMEOUT)
    for name, kernels in tab.filter_grid.weights.items():
        np.testing.assert_array_equal(kernels, then.params[f"{name}.weight"])
    assert timeline.slider.value() == 2 and timeline.slider.maximum() == 7

    drag_to(qtbot, tab, timeline.slider.maximum())  # the right end is live
    assert not tab.time_travel.viewing and timeline.live and not any(m.isVisible() for m in curves.markers)
    assert page.evaluate_button.isEnabled()
    latest = tab.latest_snapshot()
    assert latest.step == 6
    for name, kernels in tab.filter_grid.weights.items():
        np.testing.assert_array_equal(kernels, latest.kernels[name])
    assert page.evaluation is tab.session.latest_evaluation


def test_the_live_button_step_and_a_reset_return_to_live(qtbot, tab):
    step_to(qtbot, tab, 3)
    drag_to(qtbot, tab, 1)
    qtbot.waitUntil(lambda: tab.session.latest_step_view is not None, timeout=TIMEOUT)
    qtbot.mouseClick(tab.time_travel.timeline.live_button, Qt.MouseButton.LeftButton)
    assert tab.time_travel.timeline.live and tab.session.viewed_step is None
    drag_to(qtbot, tab, 0)
    qtbot.mouseClick(tab.training_controls.step_button, Qt.MouseButton.LeftButton)  # to watch training: live
    assert tab.time_travel.timeline.live and not tab.time_travel.viewing
    qtbot.waitUntil(lambda: tab.latest_snapshot().step == 4, timeout=TIMEOUT)
    for name, kernels in tab.filter_grid.weights.items():
        np.testing.assert_array_equal(kernels, tab.latest_snapshot().kernels[name])
    drag_to(qtbot, tab, 0)
    qtbot.mouseClick(tab.training_controls.reset_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.time_travel.timeline.live and tab.time_travel.timeline.points == [(0, 0)],
                    timeout=TIMEOUT)
    assert not any(m.isVisible() for m in tab.curves.markers)


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Cancel])
def test_resume_from_here_asks_first_then_drops_the_later_history(qtbot, tab, monkeypatch, answer):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args) or answer)
    step_to(qtbot, tab, 5)
    drag_to(qtbot, tab, 3)
    qtbot.waitUntil(lambda: tab.time_travel.mistakes.step == 3, timeout=TIMEOUT)
    qtbot.mouseClick(tab.time_travel.timeline.resume_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "step 3" in asked[0][2] and "2 later checkpoints" in asked[0][2]
    if answer == QMessageBox.StandardButton.Cancel:
        assert tab.session.viewed_step == 3 and tab.session.history.steps == [1, 2, 3, 4, 5]
        return
    qtbot.waitUntil(lambda: tab.time_travel.timeline.points == [(s, 64 * s) for s in range(4)]
                    and tab.latest_snapshot().step == 3, timeout=TIMEOUT)
    assert tab.session.history.steps == [1, 2, 3] and tab.time_travel.timeline.live
    assert "Back at step 3" in tab.reason_label.note()
    page = tab.time_travel.mistakes
    assert page.step == 3 and page.evaluation is not None  # the step's matrix stays: it is the network's now
    step_to(qtbot, tab, 4)
    assert tab.session.history.steps == [1, 2, 3, 4]


def test_a_view_that_comes_before_its_evaluation_dims_the_old_matrix(qtbot, tab):
    step_to(qtbot, tab, 3)
    with qtbot.waitSignal(tab.session.evaluation_received, timeout=TIMEOUT):
        tab.session.evaluate()
    page = tab.time_travel.mistakes
    assert page.step == 3 and not page.matrix_view.dimmed
    shown_while_counting = []  # connected after the page's handler: what the page showed then
    tab.session.step_view_received.connect(
        lambda view: view.evaluation is None and shown_while_counting.append((view.step, page.step, page.matrix_view.dimmed)))
    drag_to(qtbot, tab, 1)
    qtbot.waitUntil(lambda: page.step == 1 and not page.matrix_view.dimmed, timeout=TIMEOUT)
    # the drag passes steps 3 and 2 on its way: while a step's matrix is counted, the one on show is
    # dimmed, unless it is that step's already (step 3's, counted live)
    assert all(dimmed == (viewed != 3) and shown == 3 for viewed, shown, dimmed in shown_while_counting)
    assert "step 1" in page.title.text()
    tab.time_travel.view_live()
    assert page.step == 3 and page.evaluation is tab.session.latest_evaluation


@pytest.mark.parametrize(("points", "words"), [([(0, 0)], "1 checkpoint"), ([(0, 0), (5, 320)], "2 checkpoints")])
def test_the_live_label_counts_checkpoints_in_words(qtbot, points, words):
    bar = TimelineBar()
    qtbot.addWidget(bar)
    bar.set_checkpoints(points, None)
    assert bar.step_label.text().endswith(f"· {words}")
