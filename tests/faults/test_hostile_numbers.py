"""Numbers that are not numbers: a NaN (or infinity) anywhere in a float image or in raw sums is
refused with a sentence, never shown as a black image or a 0 with nothing counted as clipped."""
import numpy as np
import pytest

from kernelplay.imaging.filtering import apply_kernel, apply_kernel_naive
from kernelplay.imaging.kernels import PRESETS
from kernelplay.imaging.mapping import OUTPUT_MAPPINGS, map_output, map_value

# 600 × 600 × 3 values: enough for the filter and the mapping to split the work over threads.
SHAPE = (600, 600, 3)
PLACES = {"first": (0, 0, 0), "middle": (300, 417, 1), "last": (599, 599, 2)}


def with_value(value, place, dtype=np.float32):
    values = np.random.default_rng(7).uniform(-300, 300, SHAPE).astype(dtype)
    values[PLACES[place]] = value
    return values


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("mode", OUTPUT_MAPPINGS)
def test_a_nan_raw_sum_is_refused_by_every_mapping(mode, place):
    with pytest.raises(ValueError, match=r"^the raw sums hold NaN \(not a number\), which no pixel can show$"):
        map_output(with_value(np.nan, place), mode)  # clamp gave 0 with 0/0 clipped; stretch a black image


def test_one_nan_value_is_refused_by_map_value():
    with pytest.raises(ValueError, match="NaN"):
        map_value(float("nan"), "offset")


def test_stretch_refuses_infinity_and_a_range_that_is_not_finite():
    with pytest.raises(ValueError, match="^the raw sums reach infinity, so they have no range to stretch$"):
        map_output(with_value(-np.inf, "middle"), "stretch")
    with pytest.raises(ValueError, match="^value_range must be two finite numbers"):
        map_output(np.zeros((2, 2)), "stretch", value_range=(0, np.nan))


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_filter_refuses_a_float_image_that_is_not_finite(value, place, dtype):
    with pytest.raises(ValueError, match="^the image holds values that are not finite numbers"):
        apply_kernel(with_value(value, place, dtype), PRESETS["emboss"], border="reflect")


def test_a_float64_value_beyond_float32_is_refused_too():
    image = np.zeros((5, 5))
    image[2, 2] = 1e300  # float32 inf once the filter casts it
    for function in (apply_kernel, apply_kernel_naive):
        with pytest.raises(ValueError, match="not finite numbers"):
            function(image, PRESETS["blur"])


def test_the_slow_filter_refuses_nan_too():
    image = np.ones((4, 4), np.float32)
    image[1, 2] = np.nan
    with pytest.raises(ValueError, match="not finite numbers"):
        apply_kernel_naive(image, PRESETS["blur"], border="valid")
