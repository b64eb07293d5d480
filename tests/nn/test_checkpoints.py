"""The checkpoint history: exact weights back, log spacing, the memory cap after an hour, resuming."""
import numpy as np
import pytest

from synthetic_digits import SMALL, bar_digits
from kernelplay import Network, NetworkConfig, Trainer
from kernelplay.nn.checkpoints import DEFAULT_MAX_BYTES, CheckpointHistory, flat_weights


def test_a_checkpoint_gives_back_exactly_its_weights():
    data = bar_digits(n_train=64, n_heldout=20)
    trainer = Trainer(Network(SMALL, seed=1, threads=1), data, batch_size=16, seed=1)
    history = CheckpointHistory(SMALL)
    outputs = {}
    for _ in range(12):
        trainer.step()
        history.add(trainer.step_count, trainer.samples_seen, trainer.network.flat_params)
        outputs[trainer.step_count] = trainer.network.forward(data.heldout.as_float())
    checkpoint = history.at(5)
    assert (checkpoint.step, checkpoint.samples_seen) == (5, 80)
    np.testing.assert_array_equal(checkpoint.network().forward(data.heldout.as_float()), outputs[5])
    # the trainer's own network goes back too, and the parameters read by name are the same
    checkpoint.load_into(trainer.network)
    np.testing.assert_array_equal(trainer.network.forward(data.heldout.as_float()), outputs[5])
    for name, value in checkpoint.params.items():
        np.testing.assert_array_equal(value, trainer.network.params[name])


def test_checkpoints_are_copies_that_stay_put():
    net = Network(SMALL, seed=0)
    history = CheckpointHistory(SMALL)
    checkpoint = history.add(0, 0, net.flat_params)
    net.flat_params += 1
    assert not np.array_equal(checkpoint.weights, net.flat_params)
    with pytest.raises(ValueError):
        checkpoint.weights[0] = 3.0
    by_name = history.add(1, 16, net.get_params())  # or the parameters by name
    np.testing.assert_array_equal(by_name.weights, net.flat_params)


def test_at_finds_the_nearest_step_at_or_before():
    history = CheckpointHistory(SMALL)
    for step in (0, 3, 10):
        history.add(step, step * 8, np.full(SMALL.parameter_count, step, np.float32))
    assert [history.at(s).step for s in (0, 2, 3, 9, 10, 500)] == [0, 0, 3, 3, 10, 10]
    assert history.at(-1) is None


def test_the_same_step_again_replaces_an_earlier_one_is_refused():
    history = CheckpointHistory(SMALL)
    history.add(4, 64, np.zeros(SMALL.parameter_count))
    history.add(4, 64, np.ones(SMALL.parameter_count))
    assert len(history) == 1 and history.latest.weights[0] == 1
    with pytest.raises(ValueError, match="before the latest"):
        history.add(3, 48, np.zeros(SMALL.parameter_count))
    with pytest.raises(ValueError, match="weights in one vector"):
        history.add(5, 80, np.zeros(7))


def test_an_hour_of_training_stays_under_the_cap_and_log_spaced():
    # 10^5 steps (an hour at ~28 steps/s) with a cap of 40 checkpoints
    history = CheckpointHistory(SMALL, max_bytes=40 * SMALL.parameter_count * 4 + 3)
    assert history.capacity == 40
    weights = np.zeros(SMALL.parameter_count, np.float32)
    for step in range(0, 100_001):
        history.add(step, 64 * step, weights)
    assert len(history) == 40 and history.nbytes <= history.max_bytes
    steps = np.array(history.steps)
    assert steps[0] == 0 and steps[-1] == 100_000  # the first and the latest stay
    assert list(steps[:4]) == [0, 1, 2, 3]  # dense early
    ratios = (steps[2:-1] + 1) / (steps[1:-2] + 1)
    assert ratios.max() < 1.6 and ratios[-10:].min() > 1.2  # even on a log axis, sparse late
    assert np.count_nonzero(steps > 50_000) <= 4


def test_the_default_cap_and_what_a_checkpoint_costs():
    history = CheckpointHistory(NetworkConfig())
    assert history.bytes_per_checkpoint == 4 * 242_062
    assert history.max_bytes == DEFAULT_MAX_BYTES == 64 * 2 ** 20 and history.capacity == 69
    assert history.describe() == "0 checkpoints, 0.0 MiB of 64 MiB (0.92 MiB each)"
    with pytest.raises(ValueError, match="cannot hold one checkpoint"):
        CheckpointHistory(NetworkConfig(), max_bytes=1000)


def test_resume_from_here_drops_the_later_history():
    history = CheckpointHistory(SMALL)
    for step in range(10):
        history.add(step, step * 32, np.full(SMALL.parameter_count, step, np.float32))
    checkpoint = history.resume_from(6)
    assert checkpoint.step == 6 and history.steps == list(range(7))
    history.add(7, 7 * 32, np.zeros(SMALL.parameter_count))  # and training goes on from there
    assert history.latest.step == 7
    with pytest.raises(ValueError, match="no checkpoint"):
        CheckpointHistory(SMALL).resume_from(3)


def test_flat_weights_checks_names_and_shapes():
    params = Network(SMALL).get_params()
    del params["fc2.bias"]
    with pytest.raises(ValueError, match="missing parameters: fc2.bias"):
        flat_weights(SMALL, params)
    with pytest.raises(ValueError, match="not of the network"):
        CheckpointHistory(SMALL).add(0, 0, Network(SMALL).flat_params).load_into(Network(seed=0))
