"""Training on a tiny synthetic digit set: loss falls, snapshots are frozen copies, divergence stops."""
import math
import pickle

import numpy as np
import pytest

from synthetic_digits import SMALL, bar_digits
from kernelplay import Network, NetworkConfig, Snapshot, Trainer, train
from kernelplay.nn.budget import Budget
from kernelplay.nn.optim import SGD, Adam
from kernelplay.nn.snapshot import StopKind, StopReason
from predictions import assert_same_predictions

@pytest.fixture(scope="module")
def data():
    return bar_digits()


def test_loss_falls_and_accuracy_rises(data):
    trainer = Trainer(Network(SMALL, seed=1), data, learning_rate=3e-3, batch_size=32, seed=1)
    before = trainer.evaluate()
    results = [trainer.step() for _ in range(60)]
    first = np.mean([r.loss for r in results[:5]])
    last = np.mean([r.loss for r in results[-5:]])
    assert last < 0.5 * first
    after = trainer.evaluate()
    assert after > before + 0.3 and after > 0.6
    assert results[-1].step == 60 and results[-1].samples_seen == 60 * 32
    assert results[-1].epoch == pytest.approx(60 * 32 / 300)


def test_seeded_runs_are_reproducible(data):
    def run():
        t = Trainer(Network(SMALL, seed=2), data, batch_size=16, seed=5)
        return [t.step().loss for _ in range(5)], t.network.flat_params.copy()

    (l1, p1), (l2, p2) = run(), run()
    assert l1 == l2
    np.testing.assert_array_equal(p1, p2)


def test_settings_take_effect_at_the_next_step(data):
    t = Trainer(Network(SMALL), data, batch_size=16)
    t.step()
    t.set_batch_size(40)
    t.set_learning_rate(5e-4)
    t.set_weight_decay(1e-4)
    r = t.step()
    assert r.batch_size == 40 and r.learning_rate == 5e-4 and t.samples_seen == 56
    t.set_optimizer("sgd", momentum=0.5)
    assert isinstance(t.optimizer, SGD) and t.optimizer.momentum == 0.5 and t.learning_rate == 5e-4
    assert t.step().diverged is None
    t.set_optimizer("adam")
    assert isinstance(t.optimizer, Adam)
    t.set_augment(True)
    assert math.isfinite(t.step().loss)
    for bad in (lambda: t.set_learning_rate(0), lambda: t.set_batch_size(0), lambda: t.set_optimizer("rmsprop"),
                lambda: t.set_weight_decay(-1)):
        with pytest.raises(ValueError):
            bad()


def test_snapshot_holds_frozen_picklable_copies(data):
    t = Trainer(Network(SMALL), data, batch_size=16, probe=3)
    t.step()
    t.evaluate()
    snap = t.snapshot()
    assert isinstance(snap, Snapshot)
    assert snap.heldout_accuracy is not None and t.snapshot().heldout_accuracy is None
    assert list(snap.activations) == [name for name, _ in SMALL.stage_shapes()]
    for name, shape in SMALL.stage_shapes():
        assert snap.activations[name].shape == shape
    assert snap.scores.sum() == pytest.approx(1, rel=1e-5) and snap.predicted == int(snap.scores.argmax())
    assert snap.probe_label == int(data.heldout.labels[3])
    assert snap.kernels["conv1"].shape == (4, 1, 3, 3) and snap.kernels["conv2"].shape == (6, 4, 3, 3)
    kernel = snap.kernels["conv1"].copy()
    weights = snap.weights["fc1.weight"].copy()
    for _ in range(3):
        t.step()
    np.testing.assert_array_equal(snap.kernels["conv1"], kernel)  # training did not touch the snapshot
    np.testing.assert_array_equal(snap.weights["fc1.weight"], weights)
    with pytest.raises(Exception):
        snap.step = 5
    clone = pickle.loads(pickle.dumps(snap))
    np.testing.assert_array_equal(clone.activations["conv2"], snap.activations["conv2"])
    drawn = np.zeros((28, 28), np.uint8)
    drawn[10:18, 13:15] = 255
    own = t.snapshot(drawn, include_weights=False)
    assert own.probe_label is None and own.weights is None and own.probe_image.max() == 1.0


def test_snapshot_weights_rebuild_the_network(data):
    t = Trainer(Network(SMALL), data, batch_size=16)
    t.step()
    snap = t.snapshot()
    other = Network(snap.config)
    other.set_params(snap.weights)
    x = data.heldout.as_float()[:4]
    np.testing.assert_array_equal(other.forward(x), t.network.forward(x))


def test_train_generator_snapshots_and_final(data):
    snaps = list(train(Network(SMALL), data, steps=25, snapshot_every=10, batch_size=20))
    assert [s.step for s in snaps] == [0, 10, 20, 25]
    assert snaps[-1].final and not snaps[-1].diverged
    assert snaps[-1].stopped_reason == StopReason(StopKind.STEPS_DONE, "25 steps done")
    assert snaps[-1].heldout_accuracy is not None
    assert all(not s.final for s in snaps[:-1])
    epochs = list(train(Network(SMALL), data, epochs=1, snapshot_every=1000, batch_size=50))
    assert epochs[-1].samples_seen == 300 and epochs[-1].stopped_reason == StopReason(StopKind.EPOCHS_DONE, "1 epoch done")


def test_train_stops_at_the_time_budget(data):
    snaps = list(train(Network(SMALL), data, seconds=0.3, snapshot_every=5, batch_size=20))
    assert snaps[-1].final and snaps[-1].stopped_reason.kind is StopKind.TIME_USED
    assert str(snaps[-1].stopped_reason) == "time budget of 0.3 s used"
    assert snaps[-1].elapsed_seconds < 1.5


def test_a_budget_counts_from_where_it_starts(data):
    trainer = Trainer(Network(SMALL), data, batch_size=50)  # 300 training digits: 6 steps an epoch
    trainer.step()
    half_epoch = Budget(trainer, epochs=0.5)  # 150 digits from here: three steps
    two_steps = Budget(trainer, steps=2)
    assert half_epoch.limited and half_epoch.progress() == 0 and half_epoch.stop_reason() is None
    trainer.step()
    trainer.step()
    assert half_epoch.progress() == pytest.approx(2 / 3) and half_epoch.stop_reason() is None
    assert two_steps.progress() == 1 and two_steps.stop_reason() == StopReason(StopKind.STEPS_DONE, "2 steps done")
    trainer.step()
    assert half_epoch.stop_reason() == StopReason(StopKind.EPOCHS_DONE, "0.5 epochs done")
    assert half_epoch.progress() == 1
    unlimited = Budget(trainer)
    assert not unlimited.limited and unlimited.stop_reason() is None and unlimited.progress() == 0
    assert Budget(trainer, seconds=0).stop_reason().kind is StopKind.TIME_USED


def test_a_chunked_evaluation_counts_the_weights_of_its_start(data):
    trainer = Trainer(Network(SMALL), data, batch_size=32)
    evaluation = trainer.start_evaluation(chunk_size=40)  # 100 held-out digits: three chunks
    weights = trainer.network.flat_params.copy()
    expected = trainer.evaluate()
    trainer.snapshot()  # takes the evaluation above as new
    results = []
    for _ in range(3):
        trainer.step()  # training goes on between two chunks
        results.append(evaluation.advance())
    assert results == [None, None, expected]
    assert not np.array_equal(trainer.network.flat_params, weights)
    trainer.record_heldout_accuracy(results[-1])
    snap = trainer.snapshot()
    assert snap.heldout_accuracy == snap.latest_heldout_accuracy == expected
    assert trainer.snapshot().heldout_accuracy is None  # new only once


def test_a_chunked_evaluation_hands_out_every_digits_scores(data):
    trainer = Trainer(Network(SMALL), data)
    evaluation = trainer.start_evaluation(chunk_size=60)
    while evaluation.advance() is None:
        pass
    assert_same_predictions(evaluation.result.predicted, trainer.network.predict_proba(data.heldout.as_float()))
    assert evaluation.result.accuracy == trainer.evaluate()


def test_resuming_sets_the_counters_of_a_checkpoint_and_trains_on(data):
    trainer = Trainer(Network(SMALL), data, batch_size=32)
    for _ in range(5):
        trainer.step()
    then = Network(SMALL, seed=9)
    trainer.resume(then, 3, 96)
    assert trainer.network is then and (trainer.step_count, trainer.samples_seen) == (3, 96)
    assert trainer.epoch == 96 / 300 and math.isnan(trainer.running_accuracy)
    result = trainer.step()
    assert (result.step, result.samples_seen) == (4, 128)
    with pytest.raises(ValueError, match="non-negative"):
        trainer.resume(then, -1, 0)


def test_divergence_stops_and_keeps_the_last_good_weights(data):
    net = Network(SMALL)
    trainer = Trainer(net, data, learning_rate=50.0, optimizer="sgd", momentum=0.9, batch_size=32)
    snaps = list(train(trainer=trainer, steps=200, snapshot_every=1))
    final = snaps[-1]
    assert final.final and final.diverged and final.stopped_reason.kind is StopKind.DIVERGED
    assert final.stopped_reason.message.startswith("diverged at step")
    assert final.step < 200
    assert np.all(np.isfinite(net.flat_params))
    # the weights after step k gave an exploding loss at step k+1: those after step k-1 come back
    good = snaps[-3].weights
    assert f"after step {snaps[-3].step}" in final.stopped_reason.message
    for name, value in final.weights.items():
        np.testing.assert_array_equal(value, good[name])


def test_trainer_and_network_pickle_and_carry_on_identically(data):
    t = Trainer(Network(SMALL, seed=4), data, batch_size=16, seed=4)
    t.step()
    clone = pickle.loads(pickle.dumps(t))
    clone.network.params["fc2.bias"][...] += 0  # still views into flat_params after unpickling
    assert np.shares_memory(clone.network.params["fc2.bias"], clone.network.flat_params)
    for _ in range(3):
        a, b = t.step(), clone.step()
        assert a.loss == b.loss
    np.testing.assert_array_equal(t.network.flat_params, clone.network.flat_params)


def test_set_network_and_reset(data, tmp_path):
    t = Trainer(Network(SMALL), data, batch_size=16)
    for _ in range(3):
        t.step()
    loaded = Network.load(t.network.save(tmp_path / "m.npz"))
    t.set_network(loaded)
    assert t.network is loaded and t.step_count == 0 and t.samples_seen == 0
    assert t.snapshot().step == 0 and t.step().step == 1
    t.reset(NetworkConfig(channels=(2,), kernel_size=5, fc_width=4), seed=3)
    assert t.network.config.channels == (2,) and t.step_count == 0
    assert t.snapshot().kernels["conv1"].shape == (2, 1, 5, 5)


def test_lr_decay_follows_a_cosine_and_restores_the_rate(data):
    trainer = Trainer(Network(SMALL), data, learning_rate=1e-2, batch_size=10)
    snaps = list(train(trainer=trainer, steps=20, snapshot_every=5, lr_decay=True))
    rates = [s.learning_rate for s in snaps[1:-1]]
    assert rates == sorted(rates, reverse=True) and rates[0] < 1e-2 and rates[-1] > 5e-4
    assert trainer.learning_rate == 1e-2
    with pytest.raises(ValueError, match="budget"):
        next(train(trainer=trainer, lr_decay=True))


def test_augmentation_shifts_by_up_to_max_shift_pixels(monkeypatch):
    from kernelplay.nn import training

    data = bar_digits()
    shifts = []

    def augment(x, rng, *, max_shift):
        shifts.append(max_shift)
        return x.copy()

    monkeypatch.setattr(training, "augment_batch", augment)
    Trainer(Network(SMALL), data).step()
    Trainer(Network(SMALL), data, max_shift=1).step()
    Trainer(Network(SMALL), data, max_shift=1, augment=False).step()
    assert shifts == [2, 1]  # ±2 px unless told; none when augmentation is off
