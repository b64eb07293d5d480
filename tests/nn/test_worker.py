"""The training tab's worker loop without Qt: commands between steps, budget, divergence, flow control,
messages that pickle, and the curves' history."""
import pickle
import time

import numpy as np
import pytest

from loop_helpers import TIMEOUT, drain, next_of, running_loop
from synthetic_digits import SMALL, bar_digits
from kernelplay.nn.network import Network
from kernelplay.nn.snapshot import CurveHistory, StopKind, StopReason
from kernelplay.nn.training import Trainer
from kernelplay.nn.worker_messages import (
    Acknowledge,
    Failed,
    LoadNetwork,
    Play,
    Reset,
    RunningChanged,
    SetBatchSize,
    SetLearningRate,
    SetOptimizer,
    SetProbe,
    SnapshotReady,
    Step,
    Stopped,
)


@pytest.fixture(scope="module")
def data():
    return bar_digits()  # 300 training and 100 held-out digits


def test_the_loop_obeys_commands_between_steps(data):
    with running_loop(data) as (loop, messages):
        first = next_of(messages, SnapshotReady)
        assert first.snapshot.step == 0 and first.generation == 1
        loop.post(Step(3))
        steps = [next_of(messages, SnapshotReady).snapshot.step for _ in range(3)]
        assert steps[-1] == 3
        loop.post(SetLearningRate(0.01))
        loop.post(SetBatchSize(8))
        loop.post(Step())
        snap = next_of(messages, SnapshotReady).snapshot
        assert (snap.step, snap.learning_rate, snap.batch_size, snap.samples_seen) == (4, 0.01, 8, 3 * 64 + 8)
        loop.post(SetLearningRate(-1))
        assert next_of(messages, Failed) == Failed("learning rate must be a positive number, got -1")
        loop.post(Reset())
        ready = next_of(messages, SnapshotReady)
        assert ready.generation == 2 and ready.snapshot.step == 0
        assert ready.snapshot.learning_rate == 0.01 and ready.snapshot.batch_size == 8  # settings kept


def test_refused_commands_are_reported_and_the_loop_goes_on(data):
    with running_loop(data) as (loop, messages):
        next_of(messages, SnapshotReady)
        loop.post(SetOptimizer("rmsprop"))
        assert "unknown optimizer 'rmsprop'" in next_of(messages, Failed).message
        loop.post(SetProbe(10_000))
        assert "outside the 100 held-out digits" in next_of(messages, Failed).message
        loop.post("play")  # the strings of old are not commands
        assert "not a training command: 'play'" in next_of(messages, Failed).message
        loop.post(Step())
        assert next_of(messages, SnapshotReady).snapshot.step == 1


def test_an_epoch_budget_counts_from_play_and_ends_with_a_heldout_accuracy(data):
    with running_loop(data, batch_size=50, epochs=1) as (loop, messages):
        loop.post(Step(2))  # steps do not start a budget
        while next_of(messages, SnapshotReady).snapshot.step < 2:
            pass
        loop.post(Play())  # one epoch from here: 300 more digits
        assert next_of(messages, RunningChanged) == RunningChanged(True)
        assert next_of(messages, RunningChanged) == RunningChanged(False)
        assert next_of(messages, Stopped) == Stopped(StopReason(StopKind.EPOCHS_DONE, "1 epoch done"))
        evaluated = next_of(messages, SnapshotReady).snapshot
        while evaluated.heldout_accuracy is None:  # the held-out digits, evaluated after the pause
            evaluated = next_of(messages, SnapshotReady).snapshot
        assert evaluated.samples_seen == 100 + 300 and 0 <= evaluated.heldout_accuracy <= 1
        loop.post(Play())  # the budget was used up: a new one
        assert next_of(messages, Stopped).reason.kind is StopKind.EPOCHS_DONE
        assert loop.trainer.samples_seen == 700


def test_divergence_pauses_then_sends_the_final_snapshot_and_the_reason(data):
    with running_loop(data, learning_rate=50.0, optimizer="sgd") as (loop, messages):
        loop.post(Play())
        assert next_of(messages, RunningChanged) == RunningChanged(True)
        assert next_of(messages, RunningChanged) == RunningChanged(False)
        final = next_of(messages, SnapshotReady).snapshot
        assert final.final and final.diverged and final.stopped_reason.kind is StopKind.DIVERGED
        assert "restored the last good weights" in final.stopped_reason.message
        assert all(np.all(np.isfinite(k)) for k in final.kernels.values())
        assert next_of(messages, Stopped) == Stopped(final.stopped_reason)


def test_periodic_snapshots_wait_for_acknowledgements(data):
    with running_loop(data, max_in_flight=2) as (loop, messages):
        first = next_of(messages, SnapshotReady)
        loop.post(Play())
        deadline = time.monotonic() + TIMEOUT
        while loop.trainer.step_count < 10 and time.monotonic() < deadline:
            time.sleep(0.01)
        sent = [first] + [m for m in drain(messages) if isinstance(m, SnapshotReady)]
        assert len(sent) == 2  # the first snapshot and one more; training goes on, snapshots wait
        loop.post(Acknowledge(2))
        assert next_of(messages, SnapshotReady).snapshot.step >= 10


def test_messages_pickle(data):
    trainer = Trainer(Network(SMALL), data)
    trainer.step()
    network = trainer.network
    for message in (Stopped(StopReason(StopKind.DIVERGED, "diverged at step 1")), Step(3), Reset(SMALL),
                    SetProbe(np.zeros((28, 28), np.float32))):
        assert repr(pickle.loads(pickle.dumps(message))) == repr(message)
    load = pickle.loads(pickle.dumps(LoadNetwork(network.config, network.get_params())))
    np.testing.assert_array_equal(load.weights["conv1.weight"], network.get_params()["conv1.weight"])
    ready = pickle.loads(pickle.dumps(SnapshotReady(3, trainer.snapshot(include_weights=False))))
    assert ready.generation == 3 and ready.snapshot.step == 1


def test_curve_history_keeps_one_point_per_new_step(data):
    trainer = Trainer(Network(SMALL), data)
    history = CurveHistory()
    history.add(trainer.snapshot())  # step 0: nothing to plot yet
    trainer.step()
    snap = trainer.snapshot()
    history.add(snap)
    history.add(snap)  # the same step twice: one point
    assert history.samples == [64] and len(history.loss) == 1
    trainer.evaluate()
    history.add(trainer.snapshot())
    assert len(history.heldout_accuracy) == 1
