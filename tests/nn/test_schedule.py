"""The training tab's learning-rate schedule: its values worked out by hand, and the worker applying
it step by step — restarted by a chosen rate, an optimiser, a budget and a new network."""
import math

import pytest

from loop_helpers import next_of, running_loop
from synthetic_digits import bar_digits
from kernelplay.nn.schedule import DECAY_EPOCHS, DECAY_FLOOR, LearningRateSchedule
from kernelplay.nn.worker import AUGMENT_SHIFT, DEFAULT_LEARNING_RATE
from kernelplay.nn.worker_messages import (
    Play,
    Reset,
    RunningChanged,
    SetEpochs,
    SetLearningRate,
    SetLearningRateDecay,
    SetOptimizer,
    SnapshotReady,
    Step,
)


@pytest.fixture(scope="module")
def data():
    return bar_digits()  # 300 training digits: a decay of DECAY_EPOCHS is DECAY_EPOCHS · 300 digits


def test_the_rate_falls_half_a_cosine_from_the_chosen_one_to_the_floor_and_stays():
    s = LearningRateSchedule(0.002, start=1_000, horizon=6_000, floor=0.05)
    assert s.rate(0) == s.rate(1_000) == 0.002  # before and at the start: the chosen rate
    assert s.rate(2_500) == pytest.approx(0.002 * (0.05 + 0.95 * (1 + math.cos(math.pi / 4)) / 2))  # a quarter
    assert s.rate(4_000) == pytest.approx(0.002 * (0.05 + 0.95 / 2))  # halfway: 0.00105
    assert s.rate(7_000) == pytest.approx(0.0001)  # the end: 5 % of the chosen rate
    assert s.rate(70_000) == pytest.approx(0.0001)  # and it stays there
    assert s.progress(4_000) == 0.5 and s.progress(0) == 0.0 and s.progress(9_000) == 1.0


def test_a_restart_begins_again_from_a_new_rate_and_no_decay_keeps_the_rate():
    s = LearningRateSchedule(0.002, horizon=6_000)
    again = s.restarted(0.01, at=3_000)
    assert (again.base, again.start, again.horizon) == (0.01, 3_000, 6_000)
    assert again.rate(3_000) == 0.01 and again.rate(6_000) == pytest.approx(0.01 * (0.05 + 0.95 / 2))
    assert s.restarted(at=5_000, horizon=100).rate(5_100) == pytest.approx(0.002 * DECAY_FLOOR)
    flat = LearningRateSchedule(0.002, horizon=6_000, decay=False)
    assert flat.rate(0) == flat.rate(3_000) == flat.rate(10 ** 9) == 0.002
    with pytest.raises(ValueError, match="learning rate must be a positive number, got -1"):
        s.restarted(-1, at=0)
    with pytest.raises(ValueError, match="horizon"):
        LearningRateSchedule(0.002, horizon=0)


def _steps(loop, messages, n):
    """Take ``n`` more steps; a snapshot after each (one per step: an epoch's evaluation sends a
    second one of its step)."""
    target = loop.trainer.step_count + n
    loop.post(Step(n))
    by_step = {}
    while target not in by_step:
        s = next_of(messages, SnapshotReady).snapshot
        if s.step > target - n:  # not a late one of the steps before
            by_step.setdefault(s.step, s)
    assert sorted(by_step) == list(range(target - n + 1, target + 1))
    return [by_step[step] for step in sorted(by_step)]


def test_the_worker_lowers_each_steps_rate_along_the_decay_and_restarts_it(data):
    horizon = DECAY_EPOCHS * 300
    with running_loop(data, batch_size=50) as (loop, messages):
        first = next_of(messages, SnapshotReady).snapshot
        assert first.learning_rate == DEFAULT_LEARNING_RATE == 0.002
        assert loop.trainer.max_shift == AUGMENT_SHIFT == 1 and loop.trainer.augment  # ±1 px shifts
        # step k starts after 50·(k−1) digits: its rate is the decay's there
        for s in _steps(loop, messages, 12):
            expected = 0.002 * (0.05 + 0.95 * (1 + math.cos(math.pi * 50 * (s.step - 1) / horizon)) / 2)
            assert s.learning_rate == pytest.approx(expected)
        assert s.learning_rate < 0.002 * 0.9
        loop.post(SetLearningRate(0.01))  # a chosen rate: the next step takes it whole, then it falls
        again = _steps(loop, messages, 3)
        assert again[0].learning_rate == 0.01 and 0.01 > again[1].learning_rate > again[2].learning_rate
        assert again[2].learning_rate == pytest.approx(0.01 * (0.05 + 0.95 * (1 + math.cos(math.pi * 100 / horizon)) / 2))
        loop.post(SetOptimizer("sgd"))  # fresh moments, a fresh decay
        assert _steps(loop, messages, 1)[0].learning_rate == 0.01
        loop.post(SetLearningRateDecay(False))
        assert {s.learning_rate for s in _steps(loop, messages, 4)} == {0.01}
        loop.post(SetLearningRateDecay(True))
        past = loop.trainer.step_count + int(horizon // 50) + 2  # a step beyond the end of the decay
        loop.post(Step(past - loop.trainer.step_count))
        while (s := next_of(messages, SnapshotReady).snapshot).step < past:
            pass
        assert s.learning_rate == pytest.approx(0.01 * DECAY_FLOOR)
        loop.post(Reset())  # a new network starts from the chosen rate, not the decayed one
        while (ready := next_of(messages, SnapshotReady)).generation == 1:
            pass
        reset = ready.snapshot
        assert (reset.step, reset.learning_rate) == (0, 0.01) and loop.schedule.start == 0
        assert _steps(loop, messages, 1)[0].learning_rate == 0.01


def test_a_budget_decays_over_its_epochs_and_ends_near_the_floor(data):
    with running_loop(data, batch_size=50, epochs=2) as (loop, messages):
        next_of(messages, SnapshotReady)
        loop.post(Play())  # 2 epochs = 600 digits = 12 steps, the decay over them
        assert next_of(messages, RunningChanged) == RunningChanged(True)
        assert next_of(messages, RunningChanged) == RunningChanged(False)
        assert loop.trainer.step_count == 12 and loop.schedule.horizon == 600
        assert loop.trainer.learning_rate == pytest.approx(0.002 * (0.05 + 0.95 * (1 + math.cos(math.pi * 550 / 600)) / 2))
        loop.post(SetEpochs(None))  # until stopped: the next restart decays over DECAY_EPOCHS
        loop.post(SetLearningRate(0.003))
        assert _steps(loop, messages, 1)[-1].learning_rate == 0.003
        assert loop.schedule.horizon == DECAY_EPOCHS * 300 and loop.schedule.start == 600
