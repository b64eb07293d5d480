"""The curves' history stays bounded and keeps the curves' shape however long a run goes on."""
from types import SimpleNamespace

import numpy as np
import pytest

from kernelplay.nn.snapshot import MAX_CURVE_POINTS, CurveHistory

DIGITS_PER_SNAPSHOT = 64
SNAPSHOTS = 1_000_000  # ~33 hours at 8.5 snapshots a second
HELDOUT_EVERY = 150


def loss_at(digits):
    """A loss curve with a fast fall and a slow wave, as a known function of digits seen."""
    return 0.05 + 2.25 * np.exp(-np.asarray(digits) / 2e6) + 0.1 * np.sin(np.asarray(digits) / 4e6)


def accuracy_at(digits):
    return 1.0 - loss_at(digits) / 2.5


@pytest.fixture(scope="module")
def day_long_history():
    """A history fed a million snapshots (stand-ins with the four fields it reads, cheap to make)."""
    history = CurveHistory()
    digits = np.arange(1, SNAPSHOTS + 1) * DIGITS_PER_SNAPSHOT
    for i, (seen, loss, accuracy) in enumerate(zip(digits.tolist(), loss_at(digits).tolist(),
                                                   accuracy_at(digits).tolist()), 1):
        history.add(SimpleNamespace(samples_seen=seen, running_loss=loss, running_accuracy=accuracy,
                                    heldout_accuracy=accuracy if i % HELDOUT_EVERY == 0 else None))
    return history


def test_a_day_long_history_stays_bounded(day_long_history):
    history = day_long_history
    assert len(history) <= MAX_CURVE_POINTS
    assert len(history.loss) == len(history.accuracy) == len(history)
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


def test_the_newest_points_stay_dense(day_long_history):
    newest = np.asarray(day_long_history.samples[-MAX_CURVE_POINTS // 4:])
    assert np.all(np.diff(newest) == DIGITS_PER_SNAPSHOT)


def test_a_short_run_keeps_every_point():
    history = CurveHistory()
    for i in range(1, 101):
        history.add(SimpleNamespace(samples_seen=i, running_loss=1.0 / i, running_accuracy=0.5, heldout_accuracy=None))
    assert history.samples == list(range(1, 101)) and history.loss == [1.0 / i for i in range(1, 101)]


def test_a_history_too_small_to_thin_is_refused():
    with pytest.raises(ValueError, match="at least 8 points"):
        CurveHistory(max_points=4)

