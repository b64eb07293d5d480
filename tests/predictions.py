"""Comparing predicted digits computed two ways (other chunk sizes, other thread splits).

float32 sums taken in another order differ in the last bits, which may flip a near-tie: a digit
whose two highest probabilities are within ``TIE`` may go either way. Every other digit must agree.
"""
import numpy as np

TIE = 1e-5


def assert_same_predictions(predicted, probabilities) -> None:
    """predicted ``(N,)`` digits against probabilities ``(N, 10)`` from an independent computation."""
    probabilities = np.asarray(probabilities)
    top_two = np.sort(probabilities, axis=1)[:, -2:]
    clear = top_two[:, 1] - top_two[:, 0] > TIE
    assert clear.mean() > 0.5, "too few digits have a clear winner for the comparison to mean anything"
    np.testing.assert_array_equal(np.asarray(predicted)[clear], probabilities.argmax(axis=1)[clear])
