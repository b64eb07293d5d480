"""center_digit: a drawn digit scaled into a 20×20 box and centred by mass in 28×28, like MNIST."""
import numpy as np
import pytest

from kernelplay.nn.digits import center_digit


def _ink_box(image):
    rows = np.flatnonzero((image > 0.05).any(axis=1))
    cols = np.flatnonzero((image > 0.05).any(axis=0))
    return rows[0], rows[-1], cols[0], cols[-1]


def _centre_of_mass(image):
    ys, xs = np.indices(image.shape)
    return (ys * image).sum() / image.sum(), (xs * image).sum() / image.sum()


def test_a_stroke_in_a_corner_is_scaled_to_twenty_pixels_and_centred():
    canvas = np.zeros((280, 280), np.uint8)
    canvas[10:110, 20:60] = 255  # a tall bar, 100 × 40 px, top left
    digit = center_digit(canvas)
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    top, bottom, left, right = _ink_box(digit)
    assert bottom - top + 1 == 20  # the longer side fills the 20-px box
    assert 7 <= right - left + 1 <= 9  # 40/100 of it, aspect kept
    cy, cx = _centre_of_mass(digit)
    assert abs(cy - 13.5) <= 0.6 and abs(cx - 13.5) <= 0.6
    assert digit.max() == pytest.approx(1.0) and digit.min() >= 0.0


def test_a_small_digit_is_enlarged():
    canvas = np.zeros((28, 28), np.float32)
    canvas[2:7, 20:23] = 0.8  # 5 × 3 px
    digit = center_digit(canvas)
    top, bottom, _, _ = _ink_box(digit)
    assert bottom - top + 1 == 20


def test_mass_not_box_decides_the_centre():
    canvas = np.zeros((100, 100), np.float32)
    canvas[10:90, 10:20] = 1.0  # a heavy left bar …
    canvas[10:14, 20:50] = 1.0  # … and a thin top line: mass sits left of the box centre
    digit = center_digit(canvas)
    _, cx = _centre_of_mass(digit)
    assert abs(cx - 13.5) <= 0.6
    _, _, left, right = _ink_box(digit)
    assert (left + right) / 2 > 14  # so the box is pushed right


def test_no_ink_gives_zeros():
    assert not center_digit(np.zeros((50, 50), np.uint8)).any()


def test_rejects_non_2d():
    with pytest.raises(ValueError, match="2-D"):
        center_digit(np.zeros((2, 28, 28)))
