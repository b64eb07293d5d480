"""The live preview's one computation: the shown pixels, the stretch range, and the raw sum at a
pixel computed again from its window (the preview keeps no raw sums)."""
import dataclasses
import itertools
import tracemalloc

import numpy as np
import pytest

from kernelplay.common import threads
from kernelplay.imaging import preview
from kernelplay.imaging.borders import BORDER_MODES
from kernelplay.imaging.filtering import apply_kernel, output_window, raw_sums_at
from kernelplay.imaging.images import luminance
from kernelplay.imaging.kernels import PRESETS
from kernelplay.imaging.mapping import map_output
from kernelplay.imaging.preview import FilterRequest, run_filter

RGB = np.random.default_rng(3).integers(0, 256, (6, 7, 3), dtype=np.uint8)
RANDOM_3X3, RANDOM_5X5 = np.random.default_rng(7).normal(size=(3, 3)), np.random.default_rng(8).normal(size=(5, 5))


def request(image=RGB, **settings):
    base = dict(image=image, kernel=PRESETS["emboss"], border="zero", flip=False, luminance=False, mapping="clamp",
                serial=1)
    return FilterRequest(**(base | settings))


def every_pixel(shape):
    return itertools.product(range(shape[0]), range(shape[1]))


def test_each_channel_is_filtered_and_mapped():
    result = run_filter(request())
    raw = apply_kernel(RGB, PRESETS["emboss"])
    np.testing.assert_array_equal(result.mapped.pixels, map_output(raw, "clamp").pixels)
    assert result.value_range is None and result.seconds >= 0
    for row, col in every_pixel(raw.shape):
        np.testing.assert_array_equal(result.raw_at(row, col), raw[row, col])


def test_luminance_mode_filters_the_luminance():
    result = run_filter(request(luminance=True, border="reflect", flip=True, kernel=RANDOM_3X3))
    raw = apply_kernel(luminance(RGB), RANDOM_3X3, border="reflect", flip=True)
    np.testing.assert_array_equal(result.mapped.pixels, map_output(raw, "clamp").pixels)
    for row, col in every_pixel(raw.shape):
        assert result.raw_at(row, col) == raw[row, col]


def test_the_valid_border_counts_output_pixels():
    result = run_filter(request(border="valid", kernel=RANDOM_5X5))
    raw = apply_kernel(RGB, RANDOM_5X5, border="valid")
    assert result.mapped.pixels.shape == raw.shape == (2, 3, 3)
    for row, col in every_pixel(raw.shape):
        np.testing.assert_array_equal(result.raw_at(row, col), raw[row, col])
    with pytest.raises(IndexError, match="outside the 3×2 output"):
        result.raw_at(2, 0)


@pytest.mark.parametrize("limit", [0, preview.STRETCH_RAW_BYTES], ids=["filtered twice", "raw sums held"])
def test_stretch_maps_the_outputs_own_range(monkeypatch, limit):
    monkeypatch.setattr(preview, "STRETCH_RAW_BYTES", limit)
    result = run_filter(request(mapping="stretch"))
    raw = apply_kernel(RGB, PRESETS["emboss"])
    assert result.value_range == (float(raw.min()), float(raw.max()))
    np.testing.assert_array_equal(result.mapped.pixels, map_output(raw, "stretch").pixels)


def test_the_result_holds_no_raw_sums():
    result = run_filter(request(mapping="stretch"))
    fields = [getattr(result, field.name) for field in dataclasses.fields(result)]
    assert not [value for value in fields if isinstance(value, np.ndarray)]
    assert result.mapped.pixels.dtype == np.uint8


@pytest.mark.parametrize("mapping", ["clamp", "abs", "offset", "stretch"])
@pytest.mark.parametrize("mode", ["each channel", "luminance", "grey"])
def test_a_result_without_its_pixels_gives_the_same_pixel_anywhere(mapping, mode):
    image = RGB[..., 0].copy() if mode == "grey" else RGB
    result = run_filter(request(image, luminance=mode == "luminance", mapping=mapping, border="valid",
                                kernel=RANDOM_3X3 / 2 + 0.2))  # some sums below 0, some above 255
    kept = result.without_pixels()
    assert kept.mapped.pixels is None and kept.mapped[1:] == result.mapped[1:] and kept.request is result.request
    assert result.request.output_shape == result.mapped.pixels.shape
    for row, col in every_pixel(result.request.output_shape):
        np.testing.assert_array_equal(kept.pixel_at(row, col), result.mapped.pixels[row, col])
        np.testing.assert_array_equal(result.pixel_at(row, col), result.mapped.pixels[row, col])


@pytest.mark.parametrize("in_luminance", [False, True])
def test_the_preview_allocates_the_pixels_and_bands_only(in_luminance):
    # 3000×2000 RGB: raw sums would take 69 MiB (the luminance's 23 MiB, and the luminance as much
    # again). Allowed: the pixels and each worker thread's bands, which do not grow with the image.
    image = np.random.default_rng(4).integers(0, 256, (2000, 3000, 3), dtype=np.uint8)
    run_filter(request(image[:50], kernel=RANDOM_5X5, luminance=in_luminance))  # the thread pool, the plan
    tracemalloc.start()
    try:
        result = run_filter(request(image, kernel=RANDOM_5X5, luminance=in_luminance))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    allowed = result.mapped.pixels.nbytes + threads.worker_count() * 6 * 2**20
    assert peak < allowed, f"{peak / 2**20:.1f} MiB"


# -- one output pixel from its window ----------------------------------------------------------
def test_the_window_of_an_output_pixel_is_what_the_border_puts_there():
    image = np.arange(20, dtype=np.uint8).reshape(4, 5)
    np.testing.assert_array_equal(output_window(image, 3, 0, 0, "zero"), [[0, 0, 0], [0, 0, 1], [0, 5, 6]])
    np.testing.assert_array_equal(output_window(image, 3, 0, 4, "wrap"), [[18, 19, 15], [3, 4, 0], [8, 9, 5]])
    np.testing.assert_array_equal(output_window(image, 3, 0, 0, "valid"), image[:3, :3])
    with pytest.raises(IndexError):
        output_window(image, 3, 2, 0, "valid")


@pytest.mark.parametrize("kernel", [PRESETS["emboss"], PRESETS["blur"], RANDOM_3X3, RANDOM_5X5,
                                    np.array([[1, 2, 1], [0.7, -1.2, 0.7], [-1, -2, -1.9]])],
                         ids=["emboss", "blur", "random 3×3", "random 5×5", "lecture decimals"])
def test_one_pixels_raw_sums_are_the_whole_images_bit_for_bit(kernel):
    # A band-filtered, threaded 301×417 image against its windows filtered alone, at its corners,
    # edges and inside, in every border mode, flipped and not, uint8 and float32 (luminance).
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, (301, 417, 3), dtype=np.uint8)
    for source, border, flip in itertools.product((image, luminance(image)), BORDER_MODES, (False, True)):
        whole = apply_kernel(source, kernel, border=border, flip=flip)
        height, width = whole.shape[:2]
        pixels = [(0, 0), (0, width - 1), (height - 1, 0), (height - 1, width - 1), (1, 1), (height // 2, width - 2)]
        pixels += list(zip(rng.integers(0, height, 12), rng.integers(0, width, 12)))
        for row, col in pixels:
            np.testing.assert_array_equal(raw_sums_at(source, kernel, row, col, border=border, flip=flip),
                                          whole[row, col], err_msg=f"{border}, flip {flip}, ({row}, {col})")
