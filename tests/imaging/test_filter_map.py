"""Filtering and mapping band by band gives map_output(apply_kernel(...))'s pixels, counts and range,
and without the raw sums kept it never holds them whole."""
import tracemalloc

import numpy as np
import pytest

from kernelplay.common import threads
from kernelplay.imaging import filtering
from kernelplay.imaging.filter_map import filter_and_map
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.images import luminance
from kernelplay.imaging.kernels import PRESETS
from kernelplay.imaging.mapping import OUTPUT_MAPPINGS, map_output

RANDOM_5X5 = np.random.default_rng(2).normal(size=(5, 5)) * 0.3


@pytest.mark.parametrize("keep_raw", [True, False])
@pytest.mark.parametrize("mapping", OUTPUT_MAPPINGS)
@pytest.mark.parametrize("kernel", [PRESETS["emboss"], PRESETS["blur"], RANDOM_5X5], ids=["emboss", "blur", "random"])
def test_the_same_pixels_counts_and_range_as_filtering_then_mapping(monkeypatch, keep_raw, mapping, kernel):
    monkeypatch.setattr(filtering, "_BAND_ELEMENTS", 5000)  # many bands over several workers
    monkeypatch.setattr(filtering, "_ROW_BAND_FLOATS", 20_000)
    monkeypatch.setattr(threads, "worker_count", lambda: 3)
    image = np.random.default_rng(4).integers(0, 256, (181, 203, 3), dtype=np.uint8)
    cases = ((image, "zero", False), (image[..., 1], "reflect", False), (image.astype(np.float32) * 0.7, "valid", False),
             (image, "wrap", True))  # the luminance, a band at a time
    for source, border, in_luminance in cases:
        raw = apply_kernel(luminance(source) if in_luminance else source, kernel, border=border)
        value_range = (float(raw.min()), float(raw.max())) if mapping == "stretch" else None
        expected = map_output(raw, mapping, value_range=value_range)
        result = filter_and_map(source, kernel, border=border, mapping=mapping, keep_raw=keep_raw,
                                luminance=in_luminance)
        np.testing.assert_array_equal(result.mapped.pixels, expected.pixels)
        assert (result.mapped.clipped_low, result.mapped.clipped_high) == (expected.clipped_low, expected.clipped_high)
        assert result.value_range == value_range
        if keep_raw:
            np.testing.assert_array_equal(result.raw, raw)
        else:
            assert result.raw is None


def test_a_constant_output_stretches_to_mid_grey():
    result = filter_and_map(np.full((30, 40), 9, np.uint8), PRESETS["box blur"], border="replicate", mapping="stretch",
                            keep_raw=False)
    assert np.all(result.mapped.pixels == 128) and result.value_range == (9.0, 9.0)


def test_bad_settings_are_refused_like_the_filter_and_the_mapping():
    with pytest.raises(ValueError, match="unknown output mapping"):
        filter_and_map(np.zeros((4, 4), np.uint8), PRESETS["blur"], mapping="wrap")
    with pytest.raises(ValueError, match="unknown border mode"):
        filter_and_map(np.zeros((4, 4), np.uint8), PRESETS["blur"], border="mirror")
    image = np.zeros((4, 4), np.float32)
    image[1, 1] = np.nan
    with pytest.raises(ValueError, match="not finite"):
        filter_and_map(image, PRESETS["blur"], keep_raw=False)
    with pytest.raises(ValueError, match="only an RGB image has a luminance"):
        filter_and_map(np.zeros((4, 4), np.uint8), PRESETS["blur"], luminance=True)


@pytest.mark.parametrize(("mapping", "in_luminance"), [("clamp", False), ("stretch", False), ("clamp", True)])
def test_without_the_raw_sums_memory_stays_near_the_pixels(mapping, in_luminance):
    # 1500 × 1000 RGB: the pixels are 4.3 MiB, float32 raw sums would be 17 MiB (the luminance: 1.4 MiB
    # of pixels, and 5.7 MiB for the luminance as for its raw sums). Allowed: the pixels and each worker
    # thread's scratch (4 MiB for the row products' band, the band of sums, the mapping's small buffers).
    image = np.random.default_rng(5).integers(0, 256, (1500, 1000, 3), dtype=np.uint8)
    filter_and_map(image[:50], RANDOM_5X5, mapping=mapping, keep_raw=False, luminance=in_luminance)  # pool, imports
    tracemalloc.start()
    try:
        result = filter_and_map(image, RANDOM_5X5, mapping=mapping, keep_raw=False, luminance=in_luminance)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    allowed = result.mapped.pixels.nbytes + threads.worker_count() * 6 * 2**20
    assert peak < allowed < image.size * 4, f"{peak / 2**20:.1f} MiB"
