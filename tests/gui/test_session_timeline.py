"""The session's mistakes and time travel, with the real training process: held-out evaluations, the
list of checkpoints, a step viewed without touching the live network, resuming from a step, a run
saved and loaded back, the kernels' animation, and refusals in a sentence."""
import numpy as np
import pytest
from PIL import Image

from synthetic_digits import SMALL, bar_digits
from kernelplay.gui.training.session import TrainingSession
from kernelplay.nn.network import Network
from kernelplay.nn.run_file import read_run_file
from predictions import assert_same_predictions

TIMEOUT = 10_000  # ms: a spawned worker imports numpy first


@pytest.fixture
def make_session(qtbot):
    sessions = []

    def make():
        session = TrainingSession(bar_digits(), SMALL, snapshot_interval=0.0, redraw_interval_ms=10, threads=1)
        sessions.append(session)
        qtbot.waitUntil(lambda: session.latest is not None, timeout=TIMEOUT)
        return session

    yield make
    for session in sessions:
        session.shutdown()


def step_to(qtbot, session, last):
    """Step one at a time up to step ``last``, so there is a snapshot (and a checkpoint) after each."""
    while session.latest.step < last:
        target = session.latest.step + 1
        session.step()
        qtbot.waitUntil(lambda: session.latest.step == target and session.checkpoints[-1][0] == target,
                        timeout=TIMEOUT)


def saved_network(qtbot, session, path) -> Network:
    """The live network, as the worker saves it."""
    with qtbot.waitSignal(session.saved, timeout=TIMEOUT):
        session.save_model(path)
    return Network.load(path)


def hand_count(labels, predicted):
    counts = np.zeros((10, 10), int)
    for true, guess in zip(labels.tolist(), predicted.tolist()):
        counts[true, guess] += 1
    return counts


def test_an_evaluation_of_the_live_network_matches_a_hand_count(qtbot, make_session, tmp_path):
    session = make_session()
    step_to(qtbot, session, 3)
    with qtbot.waitSignal(session.evaluation_received, timeout=TIMEOUT) as received:
        session.evaluate()
    evaluation = received.args[0]
    assert session.latest_evaluation is evaluation and session.latest_evaluation_step == 3
    probabilities = saved_network(qtbot, session, tmp_path / "live.npz").predict_proba(session.heldout.as_float())
    assert_same_predictions(evaluation.predicted, probabilities)
    np.testing.assert_array_equal(evaluation.matrix, hand_count(session.heldout.labels, evaluation.predicted))
    qtbot.waitUntil(lambda: session.history.heldout_accuracy == [evaluation.accuracy], timeout=TIMEOUT)


def test_a_viewed_step_shows_the_checkpoints_weights_and_the_live_network_trains_on(qtbot, make_session, tmp_path):
    session = make_session()
    step_to(qtbot, session, 5)
    assert session.checkpoints == [(step, 64 * step) for step in range(6)]
    views = []
    session.step_view_received.connect(views.append)
    session.view_step(3)
    qtbot.waitUntil(lambda: bool(views) and views[-1].evaluation is not None, timeout=TIMEOUT)
    view = views[-1]
    assert (view.step, view.samples_seen) == (3, 192) and session.latest_step_view is view
    with qtbot.waitSignal(session.run_saved, timeout=TIMEOUT):
        session.save_run(tmp_path / "run.npz")
    run = read_run_file(tmp_path / "run.npz")
    then = run.checkpoints.at(3)
    for name, kernels in view.kernels.items():
        np.testing.assert_array_equal(kernels, then.params[f"{name}.weight"])
    network_then = then.network()
    assert_same_predictions(view.evaluation.predicted, network_then.predict_proba(session.heldout.as_float()))
    live = saved_network(qtbot, session, tmp_path / "live.npz")
    np.testing.assert_array_equal(live.flat_params, run.checkpoints.at(5).weights)  # untouched by the view
    assert session.latest.step == 5
    with qtbot.waitSignal(session.step_view_received, timeout=TIMEOUT) as shown:
        session.set_probe(7)  # a step being viewed is shown again with the new probe
    assert shown.args[0].step == 3 and shown.args[0].probe_label == session.heldout.labels[7]
    session.view_live()
    session.view_step(4)
    session.view_live()  # back to live before the view came: it is dropped
    with qtbot.assertNotEmitted(session.step_view_received, wait=500):
        pass
    step_to(qtbot, session, 6)


def test_resuming_drops_the_later_checkpoints_and_curve_points(qtbot, make_session):
    session = make_session()
    step_to(qtbot, session, 5)
    assert session.history.samples[-1] == 320
    with qtbot.waitSignal(session.resumed, timeout=TIMEOUT) as resumed:
        session.resume_from(3)
    assert resumed.args == [3, 192]
    assert session.history.samples == [64, 128, 192] and session.history.steps == [1, 2, 3]
    qtbot.waitUntil(lambda: session.checkpoints == [(step, 64 * step) for step in range(4)], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: (session.latest.step, session.latest.samples_seen) == (3, 192), timeout=TIMEOUT)
    step_to(qtbot, session, 4)
    assert session.latest.samples_seen == 256 and session.history.steps == [1, 2, 3, 4]
    with qtbot.waitSignal(session.failed, timeout=TIMEOUT) as failed:
        session.resume_from(-1)
    assert failed.args == ["no checkpoint at or before step -1"]
    step_to(qtbot, session, 5)  # the snapshots of the network that went on as it was still come


def test_a_saved_run_loads_back_into_another_session(qtbot, make_session, tmp_path):
    first = make_session()
    step_to(qtbot, first, 4)
    with qtbot.waitSignal(first.evaluation_received, timeout=TIMEOUT):
        first.evaluate()
    qtbot.waitUntil(lambda: len(first.history.heldout_samples) == 1, timeout=TIMEOUT)
    with qtbot.waitSignal(first.run_saved, timeout=TIMEOUT) as saved:
        first.save_run(tmp_path / "run.npz")
    assert saved.args == [str(tmp_path / "run.npz")]
    weights = saved_network(qtbot, first, tmp_path / "first.npz").flat_params

    second = make_session()
    step_to(qtbot, second, 1)
    with qtbot.waitSignal(second.run_loaded, timeout=TIMEOUT) as loaded:
        second.load_run(tmp_path / "run.npz")
    path, settings = loaded.args
    assert path == str(tmp_path / "run.npz") and settings["frozen_channels"] == [] and settings["optimizer"] == "adam"
    for name in ("samples", "loss", "accuracy", "steps", "learning_rates", "heldout_samples", "heldout_accuracy"):
        assert getattr(second.history, name) == getattr(first.history, name), name
    qtbot.waitUntil(lambda: second.checkpoints == first.checkpoints and second.latest.step == 4, timeout=TIMEOUT)
    np.testing.assert_array_equal(saved_network(qtbot, second, tmp_path / "second.npz").flat_params, weights)
    step_to(qtbot, second, 5)  # and it trains on from there
    assert second.history.steps[-1] == 5


def test_the_kernels_animation_and_refusals(qtbot, make_session, tmp_path):
    session = make_session()
    step_to(qtbot, session, 3)
    with qtbot.waitSignal(session.animation_exported, timeout=TIMEOUT) as exported:
        session.export_kernel_animation(tmp_path / "kernels.gif")
    assert exported.args == [str(tmp_path / "kernels.gif"), 4]
    with Image.open(tmp_path / "kernels.gif") as gif:
        assert gif.n_frames == 4
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with qtbot.waitSignal(session.failed, timeout=TIMEOUT) as failed:
        session.load_run(tmp_path / "junk.npz")
    assert failed.args[0].startswith("Could not load the training run: ") and "junk.npz" in failed.args[0]
    step_to(qtbot, session, 4)  # the present run goes on, its snapshots still drawn
    assert session.history.steps == [1, 2, 3, 4]
