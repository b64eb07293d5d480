"""The worker loop's mistakes and time travel, without Qt: held-out evaluations sent whole, a
checkpoint at each snapshot, a step viewed without touching the live network, resuming from a step,
a run saved and loaded back, the kernels' animation."""
import pickle
from contextlib import contextmanager
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from loop_helpers import next_of, running_loop
from predictions import assert_same_predictions
from synthetic_digits import SMALL, bar_digits
from kernelplay.nn.checkpoints import CheckpointHistory
from kernelplay.nn.evaluation import evaluate_digits
from kernelplay.nn.network import Network
from kernelplay.nn.run_file import RunCurves, read_run_file
from kernelplay.nn.snapshot import CurveHistory
from kernelplay.nn.worker_messages import (
    AnimationExported,
    CheckpointsChanged,
    Evaluate,
    EvaluationReady,
    ExportKernelAnimation,
    Failed,
    LoadNetwork,
    LoadRun,
    Pause,
    Play,
    Reset,
    ResumeFrom,
    Resumed,
    RunLoaded,
    RunSaved,
    SaveRun,
    SnapshotReady,
    Step,
    StepViewReady,
    ViewStep,
)


@pytest.fixture(scope="module")
def data():
    return bar_digits()  # 300 training and 100 held-out digits


@contextmanager
def stepped_loop(data, steps, **kwargs):
    """A loop (one thread, so runs repeat bit for bit) that has trained ``steps`` steps of 64
    digits and sent a snapshot (and a checkpoint) after each; yields it, its messages and the
    checkpoints' (step, digits seen) it announced last."""
    kwargs.setdefault("threads", 1)
    with running_loop(data, **kwargs) as (loop, messages):
        next_of(messages, SnapshotReady)
        loop.post(Step(steps))
        points = ()
        while not points or points[-1][0] < steps:
            points = next_of(messages, CheckpointsChanged).points
        yield loop, messages, points


def hand_count(labels, predicted):
    counts = [[0] * 10 for _ in range(10)]
    for true, guess in zip(labels.tolist(), predicted.tolist()):
        counts[true][guess] += 1
    return np.array(counts)


def test_a_checkpoint_is_kept_at_each_snapshot(data):
    with stepped_loop(data, 5) as (loop, messages, points):
        assert points == tuple((step, 64 * step) for step in range(6))
        assert loop.timeline.checkpoints.steps == [0, 1, 2, 3, 4, 5]
        np.testing.assert_array_equal(loop.timeline.checkpoints.latest.weights, loop.trainer.network.flat_params)


def test_the_history_of_checkpoints_keeps_to_its_cap(data):
    with stepped_loop(data, 12, checkpoint_bytes=4 * SMALL.parameter_count * 4) as (loop, messages, points):
        assert len(points) == 4 and points[0] == (0, 0) and points[-1] == (12, 768)


def test_an_evaluation_comes_whole_and_matches_a_hand_count(data):
    with stepped_loop(data, 4) as (loop, messages, _):
        loop.post(Evaluate())
        ready = next_of(messages, EvaluationReady)
        assert (ready.generation, ready.step, ready.samples_seen) == (1, 4, 256)
        evaluation = ready.evaluation
        # the step's checkpoint, not the live network: the loop's thread may be using that one's buffers
        probabilities = loop.timeline.checkpoints.at(4).network().predict_proba(data.heldout.as_float())
        assert_same_predictions(evaluation.predicted, probabilities)
        np.testing.assert_array_equal(evaluation.labels, data.heldout.labels)
        np.testing.assert_array_equal(evaluation.matrix, hand_count(data.heldout.labels, evaluation.predicted))
        snap = next_of(messages, SnapshotReady).snapshot  # the accuracy becomes a held-out point
        assert snap.heldout_accuracy == evaluation.accuracy


def test_the_end_of_an_epoch_sends_its_evaluation(data):
    with running_loop(data, batch_size=100) as (loop, messages):  # 300 digits: an epoch in 3 steps
        loop.post(Step(3))
        ready = next_of(messages, EvaluationReady)
        assert (ready.step, ready.samples_seen) == (3, 300) and len(ready.evaluation) == 100


def test_a_viewed_step_shows_the_checkpoint_and_leaves_the_live_network_alone(data):
    with stepped_loop(data, 6) as (loop, messages, _):
        live = loop.trainer.network.flat_params.copy()
        checkpoint = loop.timeline.checkpoints.at(3)
        loop.post(ViewStep(3))
        first = next_of(messages, StepViewReady)
        whole = next_of(messages, StepViewReady).view
        view = first.view
        assert first.generation == 1 and (view.step, view.samples_seen) == (3, 192) and view.evaluation is None
        for name, kernels in view.kernels.items():
            np.testing.assert_array_equal(kernels, checkpoint.params[f"{name}.weight"])
        then = checkpoint.network()
        acts = then.activations(loop.trainer.probe_image[None, None])
        np.testing.assert_array_equal(view.activations["conv1"], acts["conv1"][0])
        np.testing.assert_array_equal(view.scores, acts["scores"][0])
        assert view.probe_label == loop.trainer.probe_label and view.predicted == int(acts["scores"][0].argmax())
        assert whole.step == 3 and whole.evaluation is not None
        assert_same_predictions(whole.evaluation.predicted, then.predict_proba(data.heldout.as_float()))
        np.testing.assert_array_equal(loop.trainer.network.flat_params, live)
        assert loop.trainer.step_count == 6
        loop.post(ViewStep(4))
        loop.post(ViewStep(3))  # a step viewed before comes with its evaluation at once
        while (again := next_of(messages, StepViewReady).view).step != 3:
            pass
        assert again.evaluation is whole.evaluation
        loop.post(ViewStep(-1))
        assert next_of(messages, Failed).message == "no checkpoint at or before step -1"


def test_viewing_steps_while_training_changes_nothing_of_the_training(data):
    """Two runs of the same seed, one of them viewing steps between its steps: the same weights."""
    weights = []
    for view in (False, True):
        with stepped_loop(data, 6) as (loop, messages, _):
            if view:
                for step in (2, 5, 0):
                    loop.post(ViewStep(step))
                    next_of(messages, StepViewReady)
            loop.post(Step(4))
            while next_of(messages, SnapshotReady).snapshot.step < 10:
                pass
            weights.append(loop.trainer.network.flat_params.copy())
    np.testing.assert_array_equal(weights[0], weights[1])


def test_resuming_drops_the_later_checkpoints_and_trains_on_from_that_step(data):
    with stepped_loop(data, 8) as (loop, messages, _):
        weights_at_5 = loop.timeline.checkpoints.at(5).weights.copy()
        loop.post(ResumeFrom(5))
        assert next_of(messages, Resumed) == Resumed(2, 5, 320)
        assert next_of(messages, CheckpointsChanged) == CheckpointsChanged(2, tuple((s, 64 * s) for s in range(6)))
        ready = next_of(messages, SnapshotReady)
        assert ready.generation == 2 and (ready.snapshot.step, ready.snapshot.samples_seen) == (5, 320)
        np.testing.assert_array_equal(loop.trainer.network.flat_params, weights_at_5)
        loop.post(Step(2))
        while (snap := next_of(messages, SnapshotReady).snapshot).step < 7:
            pass
        assert (snap.step, snap.samples_seen) == (7, 448)
        assert loop.timeline.checkpoints.steps == [0, 1, 2, 3, 4, 5, 6, 7]


def test_resuming_before_the_first_checkpoint_is_refused_and_numbers_the_network_anew(data):
    with stepped_loop(data, 2) as (loop, messages, points):
        loop.post(ResumeFrom(-1))
        ready = next_of(messages, SnapshotReady)
        assert ready.generation == 2 and ready.snapshot.step == 2  # the network goes on as it was
        assert next_of(messages, Failed).message == "no checkpoint at or before step -1"
        assert loop.timeline.points() == points


def test_a_loaded_network_keeps_its_frozen_channels_and_a_refused_one_still_counts_a_generation(data):
    with stepped_loop(data, 1) as (loop, messages, _):
        network = Network(SMALL, seed=5)
        loop.post(LoadNetwork(SMALL, network.get_params(), (0, 2)))
        assert next_of(messages, SnapshotReady).generation == 2
        assert loop.trainer.network.frozen_channels == (0, 2)
        loop.post(LoadNetwork(SMALL, {}))
        assert next_of(messages, SnapshotReady).generation == 3  # as the GUI counts it
        assert next_of(messages, Failed).message.startswith("missing parameters")
        np.testing.assert_array_equal(loop.trainer.network.flat_params, network.flat_params)


def test_a_saved_run_loads_back_with_its_weights_curves_and_frozen_channels(data, tmp_path):
    with stepped_loop(data, 6) as (loop, messages, points):
        loop.trainer.network.frozen_channels = [1, 3]  # the loop waits for commands: nothing else touches it
        history = CurveHistory()
        for step in range(1, 7):
            history.add(_point(step))
        loop.post(SaveRun(str(tmp_path / "run.npz"), RunCurves.from_history(history)))
        assert next_of(messages, RunSaved) == RunSaved(str(tmp_path / "run.npz"), 6)
        saved = {c.step: c.weights.copy() for c in loop.timeline.checkpoints}
        assert read_run_file(tmp_path / "run.npz").settings["frozen_channels"] == [1, 3]
        loop.post(Reset())
        loop.post(LoadRun(str(tmp_path / "run.npz")))
        loaded = next_of(messages, RunLoaded)
        assert (loaded.generation, loaded.step, loaded.samples_seen) == (3, 6, 384)
        for name in ("samples", "loss", "accuracy", "steps", "learning_rates", "heldout_samples", "heldout_accuracy"):
            np.testing.assert_array_equal(getattr(loaded.curves, name), getattr(RunCurves.from_history(history), name))
        assert loaded.settings["optimizer"] == "adam" and loaded.settings["batch_size"] == 64
        assert next_of(messages, CheckpointsChanged) == CheckpointsChanged(3, points)
        assert next_of(messages, SnapshotReady).snapshot.step == 6
        network = loop.trainer.network
        np.testing.assert_array_equal(network.flat_params, saved[6])
        assert network.frozen_channels == (1, 3) and loop.trainer.samples_seen == 384
        for checkpoint in loop.timeline.checkpoints:
            np.testing.assert_array_equal(checkpoint.weights, saved[checkpoint.step])
        loop.post(ViewStep(2))  # the timeline is back
        then = Network(SMALL, threads=1)
        then.flat_params[...] = saved[2]
        np.testing.assert_array_equal(next_of(messages, StepViewReady).view.kernels["conv1"], then.kernels["conv1"])


def test_a_run_that_cannot_be_read_is_a_sentence_and_the_present_run_goes_on(data, tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with stepped_loop(data, 3) as (loop, messages, _):
        before = loop.trainer.network.flat_params.copy()
        loop.post(LoadRun(str(tmp_path / "junk.npz")))
        assert next_of(messages, SnapshotReady).generation == 2
        message = next_of(messages, Failed).message
        assert message.startswith("Could not load the training run: ") and "junk.npz" in message
        np.testing.assert_array_equal(loop.trainer.network.flat_params, before)
        assert loop.trainer.step_count == 3
        loop.post(SaveRun(str(tmp_path / "no such folder" / "run.npz"), RunCurves.empty()))
        assert next_of(messages, Failed).message == (f"Cannot save run.npz: the folder {tmp_path / 'no such folder'} "
                                                     "does not exist.")


def test_the_kernels_animation_has_a_frame_per_checkpoint(data, tmp_path):
    with stepped_loop(data, 4) as (loop, messages, points):
        loop.post(ExportKernelAnimation(str(tmp_path / "kernels.gif")))
        exported = next_of(messages, AnimationExported)
        assert exported == AnimationExported(str(tmp_path / "kernels.gif"), 5)
        with Image.open(tmp_path / "kernels.gif") as gif:
            assert gif.n_frames == 5
        loop.post(ExportKernelAnimation(str(tmp_path / "kernels.bmp")))
        assert next_of(messages, Failed).message == "Cannot save kernels.bmp: the name must end in .gif, .png, .apng."


def test_a_step_viewed_while_training_comes_with_its_evaluation(data):
    """Play, view a step: the view and its evaluation come while training goes on."""
    with stepped_loop(data, 2) as (loop, messages, _):
        loop.post(Play())
        loop.post(ViewStep(1))
        assert next_of(messages, StepViewReady).view.step == 1
        assert next_of(messages, StepViewReady).view.evaluation is not None
        loop.post(Pause())
        assert loop.trainer.step_count >= 2


def test_the_new_messages_pickle(data):
    network = Network(SMALL, threads=1)
    history = CheckpointHistory(SMALL)
    history.add(3, 192, network.flat_params)
    evaluation = evaluate_digits(network, data.heldout)
    curves = RunCurves([64], [2.0], [0.1], [], [], [1], [1e-3])
    for message in (EvaluationReady(1, 3, 192, evaluation), SaveRun("run.npz", curves),
                    RunLoaded(2, "run.npz", 3, 192, curves, {"frozen_channels": [1]}), CheckpointsChanged(1, ((0, 0),))):
        again = pickle.loads(pickle.dumps(message))
        assert type(again) is type(message)
    again = pickle.loads(pickle.dumps(EvaluationReady(1, 3, 192, evaluation)))
    np.testing.assert_array_equal(again.evaluation.matrix, evaluation.matrix)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(curves)).steps, [1])


def _point(step):
    return SimpleNamespace(step=step, samples_seen=64 * step, running_loss=2.0 / step, running_accuracy=0.1 * step,
                           heldout_accuracy=0.5 if step % 3 == 0 else None, learning_rate=1e-3)

