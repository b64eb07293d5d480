"""The live preview's one computation: the raw sums, the shown pixels and the stretch range."""
import numpy as np

from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.images import luminance
from kernelplay.imaging.kernels import PRESETS
from kernelplay.imaging.mapping import map_output
from kernelplay.imaging.preview import FilterRequest, run_filter

RGB = np.random.default_rng(3).integers(0, 256, (6, 7, 3), dtype=np.uint8)


def request(**settings):
    base = dict(image=RGB, kernel=PRESETS["emboss"], border="zero", flip=False, luminance=False, mapping="clamp", serial=1)
    return FilterRequest(**(base | settings))


def test_each_channel_is_filtered_and_mapped():
    result = run_filter(request())
    raw = apply_kernel(RGB, PRESETS["emboss"])
    np.testing.assert_array_equal(result.raw, raw)
    np.testing.assert_array_equal(result.mapped.pixels, map_output(raw, "clamp").pixels)
    assert result.value_range is None and result.seconds >= 0


def test_luminance_mode_filters_the_luminance():
    result = run_filter(request(luminance=True, border="reflect", flip=True))
    np.testing.assert_array_equal(result.raw, apply_kernel(luminance(RGB), PRESETS["emboss"], border="reflect", flip=True))


def test_stretch_maps_the_outputs_own_range():
    result = run_filter(request(mapping="stretch"))
    low, high = float(result.raw.min()), float(result.raw.max())
    assert result.value_range == (low, high)
    assert result.mapped.pixels.min() == 0 and result.mapped.pixels.max() == 255
