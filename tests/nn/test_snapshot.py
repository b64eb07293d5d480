"""The curves' history stays bounded and keeps the curves' shape however long a run goes on; each
point keeps its step and learning rate; resuming drops the later points; a saved run's curves come back."""
from types import SimpleNamespace

import numpy as np
import pytest

from kernelplay.nn.run_file import RunCurves
from kernelplay.nn.snapshot import MAX_CURVE_POINTS, CurveHistory

DIGITS_PER_SNAPSHOT = 64
SNAPSHOTS = 1_000_000  # ~33 hours at 8.5 snapshots a second
HELDOUT_EVERY = 150


def loss_at(digits):
    """A loss curve with a fast fall and a slow wave, as a known function of digits seen."""
    return 0.05 + 2.25 * np.exp(-np.asarray(digits) / 2e6) + 0.1 * np.sin(np.asarray(digits) / 4e6)


def accuracy_at(digits):
    return 1.0 - loss_at(digits) / 2.5


def rate_at(step):
    """A learning rate that changes every 1,000 steps."""
    return 1e-3 / (1 + np.asarray(step) // 1000)


def point(step, loss=1.0, heldout=None):
    """A stand-in snapshot after ``step`` steps of 64 digits, with the fields a history reads."""
    return SimpleNamespace(step=step, samples_seen=DIGITS_PER_SNAPSHOT * step, running_loss=loss,
                           running_accuracy=0.5, heldout_accuracy=heldout, learning_rate=float(rate_at(step)))


@pytest.fixture(scope="module")
def day_long_history():
    """A history fed a million snapshots (stand-ins with the fields it reads, cheap to make)."""
    history = CurveHistory()
    digits = np.arange(1, SNAPSHOTS + 1) * DIGITS_PER_SNAPSHOT
    rates = rate_at(np.arange(1, SNAPSHOTS + 1)).tolist()
    for i, (seen, loss, accuracy) in enumerate(zip(digits.tolist(), loss_at(digits).tolist(),
                                                   accuracy_at(digits).tolist()), 1):
        history.add(SimpleNamespace(step=i, samples_seen=seen, running_loss=loss, running_accuracy=accuracy,
                                    heldout_accuracy=accuracy if i % HELDOUT_EVERY == 0 else None,
                                    learning_rate=rates[i - 1]))
    return history


def test_a_day_long_history_stays_bounded(day_long_history):
    history = day_long_history
    assert len(history) <= MAX_CURVE_POINTS
    assert len(history.loss) == len(history.accuracy) == len(history.steps) == len(history.learning_rates) \
        == len(history)
    assert len(history.heldout_samples) == len(history.heldout_accuracy) <= MAX_CURVE_POINTS // 4


@pytest.mark.parametrize("curve", ["training", "held-out"])
def test_the_curves_keep_their_ends_and_their_shape(day_long_history, curve):
    history = day_long_history
    x, y, every, room = ((history.samples, history.loss, 1, MAX_CURVE_POINTS) if curve == "training" else
                         (history.heldout_samples, history.heldout_accuracy, HELDOUT_EVERY, MAX_CURVE_POINTS // 4))
    x = np.asarray(x, dtype=np.float64)
    first, last = every * DIGITS_PER_SNAPSHOT, SNAPSHOTS // every * every * DIGITS_PER_SNAPSHOT
    assert x[0] == first and x[-1] == last
    assert np.all(np.diff(x) > 0)
    assert np.diff(x).max() <= (last - first) / (room / 8)  # no stretch of the run left without points
    known = loss_at if curve == "training" else accuracy_at
    np.testing.assert_allclose(y, known(x))  # every point kept is a point that was added …
    between = np.linspace(first, last, 100_001)
    np.testing.assert_allclose(np.interp(between, x, y), known(between), atol=2e-3)  # … and the shape holds


def test_each_point_keeps_its_step_and_learning_rate_through_the_thinning(day_long_history):
    steps = np.asarray(day_long_history.steps)
    np.testing.assert_array_equal(steps * DIGITS_PER_SNAPSHOT, day_long_history.samples)
    np.testing.assert_array_equal(day_long_history.learning_rates, rate_at(steps))


def test_the_newest_points_stay_dense(day_long_history):
    newest = np.asarray(day_long_history.samples[-MAX_CURVE_POINTS // 4:])
    assert np.all(np.diff(newest) == DIGITS_PER_SNAPSHOT)


def test_a_short_run_keeps_every_point():
    history = CurveHistory()
    for i in range(1, 101):
        history.add(point(i, loss=1.0 / i))
    assert history.samples == [64 * i for i in range(1, 101)] and history.loss == [1.0 / i for i in range(1, 101)]
    assert history.steps == list(range(1, 101))


def test_resuming_drops_the_points_after_the_checkpoint():
    history = CurveHistory()
    for i in range(1, 11):
        history.add(point(i, heldout=i / 10 if i % 3 == 0 else None))
    history.drop_after(5 * 64)  # the checkpoint after step 5
    assert history.samples == [64 * i for i in range(1, 6)] and history.steps == [1, 2, 3, 4, 5]
    assert len(history.loss) == len(history.accuracy) == len(history.learning_rates) == 5
    assert history.heldout_samples == [3 * 64] and history.heldout_accuracy == [0.3]
    history.add(point(6, loss=0.25))  # training goes on from there
    assert history.steps == [1, 2, 3, 4, 5, 6] and history.loss[-1] == 0.25


def test_a_run_files_curves_come_back_into_a_history_and_out_again():
    history = CurveHistory()
    for i in range(1, 21):
        history.add(point(i, loss=1.0 / i, heldout=0.5 + i / 100 if i % 4 == 0 else None))
    curves = RunCurves.from_history(history)
    again = CurveHistory()
    again.restore(curves)
    for name in ("samples", "loss", "accuracy", "steps", "learning_rates", "heldout_samples", "heldout_accuracy"):
        assert getattr(again, name) == getattr(history, name), name
    out = RunCurves.from_history(again)
    np.testing.assert_array_equal(out.steps, np.arange(1, 21))
    np.testing.assert_array_equal(out.learning_rates, rate_at(np.arange(1, 21)))


def test_curves_without_steps_restore_as_unknown_and_leave_the_column_out():
    curves = RunCurves([64, 128], [1.0, 0.5], [0.1, 0.2], [128], [0.3])
    history = CurveHistory()
    history.restore(curves)
    assert history.steps == [-1, -1] and all(np.isnan(history.learning_rates))
    assert RunCurves.from_history(history).steps is None


def test_a_restored_history_longer_than_its_room_is_thinned():
    n = 3 * MAX_CURVE_POINTS
    samples = np.arange(1, n + 1) * 64
    curves = RunCurves(samples, loss_at(samples), accuracy_at(samples), samples[::2], accuracy_at(samples[::2]),
                       np.arange(1, n + 1), rate_at(np.arange(1, n + 1)))
    history = CurveHistory()
    history.restore(curves)
    assert len(history) <= MAX_CURVE_POINTS and len(history.heldout_samples) <= MAX_CURVE_POINTS // 4
    assert history.samples[0] == 64 and history.samples[-1] == n * 64
    np.testing.assert_array_equal(np.asarray(history.steps) * 64, history.samples)


def test_a_history_too_small_to_thin_is_refused():
    with pytest.raises(ValueError, match="at least 8 points"):
        CurveHistory(max_points=4)

