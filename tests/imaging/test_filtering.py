"""The filter: hand-computed values, the fast path against the naive loop and scipy, output mapping."""
import numpy as np
import pytest
import scipy.ndimage as ndi

from lecture_example import EMBOSS_PATCH as PATCH
from kernelplay.imaging import filtering
from kernelplay.imaging.borders import BORDER_MODES, border_index
from kernelplay.imaging.filter_taps import tap_plan
from kernelplay.imaging.filtering import apply_kernel, apply_kernel_naive
from kernelplay.imaging.mapping import OUTPUT_MAPPINGS, MappedOutput, map_output, map_value
from kernelplay.imaging.kernels import PRESETS

SCIPY_MODES = {"zero": "constant", "replicate": "nearest", "reflect": "mirror", "wrap": "wrap"}
TINY = np.arange(1, 13, dtype=np.uint8).reshape(3, 4)  # [[1 2 3 4] [5 6 7 8] [9 10 11 12]]


def scipy_reference(image, kernel, border, flip=False):
    """scipy.ndimage per channel, in float64; "valid" is the zero-padded result cropped."""
    function = ndi.convolve if flip else ndi.correlate
    pixels = np.asarray(image, dtype=np.float64)
    planes = pixels[..., None] if pixels.ndim == 2 else pixels
    mode = "constant" if border == "valid" else SCIPY_MODES[border]
    result = np.stack([function(planes[..., c], kernel, mode=mode, cval=0.0) for c in range(planes.shape[2])], -1)
    if border == "valid":
        r = kernel.shape[0] // 2
        result = result[r: result.shape[0] - r, r: result.shape[1] - r]
    return result[..., 0] if pixels.ndim == 2 else result


# --- hand-computed values --------------------------------------------------------------------


def test_emboss_on_the_slide_patch_gives_minus_106():
    assert apply_kernel(PATCH, PRESETS["emboss"])[1, 1] == -106.0
    assert apply_kernel(PATCH, PRESETS["emboss"], border="valid").tolist() == [[-106.0]]


def test_blur_on_the_slide_patch():
    # 162 + 2·125 + 108 + 2·177 + 4·127 + 2·98 + 191 + 2·135 + 80 = 2119; 2119 / 16 = 132.4375
    assert apply_kernel(PATCH, PRESETS["blur"])[1, 1] == pytest.approx(132.4375, abs=0)
    # top-left corner, zero border: 4·162 + 2·125 + 2·177 + 127 = 1379 → 86.1875
    assert apply_kernel(PATCH, PRESETS["blur"])[0, 0] == pytest.approx(86.1875, abs=0)


BOX = np.ones((3, 3))
# Sums of the 3×3 window on TINY, worked out by hand (see each mode's padded window).
HAND_BOX_SUMS = {
    # corner (0,0): 1+2+5+6; corner (2,3): 7+8+11+12; edge (1,0): 1+2+5+6+9+10; edge (0,1): 1+2+3+5+6+7
    "zero": {(0, 0): 14, (2, 3): 38, (1, 0): 33, (0, 1): 24, (1, 1): 54},
    # (0,0): [1 1 2; 1 1 2; 5 5 6]; (2,3): [7 8 8; 11 12 12; 11 12 12]; (1,0): [1 1 2; 5 5 6; 9 9 10]
    # (0,1): [1 2 3; 1 2 3; 5 6 7]
    "replicate": {(0, 0): 24, (2, 3): 93, (1, 0): 48, (0, 1): 30, (1, 1): 54},
    # (0,0): [6 5 6; 2 1 2; 6 5 6]; (2,3): [7 8 7; 11 12 11; 7 8 7]; (1,0): [2 1 2; 6 5 6; 10 9 10]
    # (0,1): [5 6 7; 1 2 3; 5 6 7]
    "reflect": {(0, 0): 39, (2, 3): 78, (1, 0): 51, (0, 1): 42, (1, 1): 54},
    # (0,0): [12 9 10; 4 1 2; 8 5 6]; (2,3): [7 8 5; 11 12 9; 3 4 1]; (1,0): [4 1 2; 8 5 6; 12 9 10]
    # (0,1): [9 10 11; 1 2 3; 5 6 7]
    "wrap": {(0, 0): 57, (2, 3): 60, (1, 0): 57, (0, 1): 54, (1, 1): 54},
}


@pytest.mark.parametrize("border", ["zero", "replicate", "reflect", "wrap"])
@pytest.mark.parametrize("function", [apply_kernel, apply_kernel_naive])
def test_border_modes_by_hand(function, border):
    result = function(TINY, BOX, border=border)
    assert result.shape == (3, 4) and result.dtype == np.float32
    for (row, col), expected in HAND_BOX_SUMS[border].items():
        assert result[row, col] == expected, (border, row, col)


@pytest.mark.parametrize("function", [apply_kernel, apply_kernel_naive])
def test_valid_by_hand(function):
    # centres (1,1) and (1,2): 1+2+3+5+6+7+9+10+11 = 54 and 2+3+4+6+7+8+10+11+12 = 63
    assert function(TINY, BOX, border="valid").tolist() == [[54.0, 63.0]]


@pytest.mark.parametrize("function", [apply_kernel, apply_kernel_naive])
def test_cross_correlation_orientation_and_flip(function):
    top_left = np.zeros((3, 3))
    top_left[0, 0] = 1.0
    image = TINY.astype(np.float32)
    # Correlation: the top-left weight meets the top-left pixel of the window, i.e. (r−1, c−1).
    shifted = function(image, top_left)
    np.testing.assert_array_equal(shifted[1:, 1:], image[:-1, :-1])
    assert np.all(shifted[0] == 0) and np.all(shifted[:, 0] == 0)
    # Convolution turns the kernel: the weight now meets (r+1, c+1).
    flipped = function(image, top_left, flip=True)
    np.testing.assert_array_equal(flipped[:-1, :-1], image[1:, 1:])


def test_border_index_matches_numpy_pad():
    for length in (1, 2, 3, 7):
        indices = np.arange(-6, length + 6)
        row = np.arange(length)
        for border, pad_mode in (("replicate", "edge"), ("reflect", "reflect"), ("wrap", "wrap")):
            expected = np.pad(row, 6, mode=pad_mode)
            np.testing.assert_array_equal(border_index(indices, length, border), expected, err_msg=f"{border} {length}")
        expected_zero = np.where((indices >= 0) & (indices < length), indices, -1)
        np.testing.assert_array_equal(border_index(indices, length, "zero"), expected_zero)


# --- the fast path against the naive loop and scipy ----------------------------------------


def _kernels():
    rng = np.random.default_rng(11)
    return {
        "emboss": PRESETS["emboss"],
        "blur": PRESETS["blur"],
        "box blur": PRESETS["box blur"],
        "unsharp mask 5x5": PRESETS["unsharp mask 5x5"],
        "gaussian 5x5": PRESETS["gaussian 5x5"],
        "random 3x3": rng.normal(size=(3, 3)),
        "random 5x5": rng.normal(size=(5, 5)),
        "big integers 5x5": rng.integers(-40, 40, (5, 5)).astype(float),  # too large for int16 sums
        "separable signed": np.outer([1, -2, 1], [-1, 3, -1]).astype(float),
        "non-negative 5x5": rng.integers(0, 16, (5, 5)) / 100.0,  # beyond int16, within uint16
    }


KERNELS = _kernels()


def test_every_arithmetic_path_is_exercised():
    # The fast path picks exact integer arithmetic and a separable form where it can; the
    # comparisons below only prove something if these kernels really take each path.
    plans = {name: tap_plan(kernel, integer_input=True) for name, kernel in KERNELS.items()}
    assert (plans["emboss"].dtype, len(plans["emboss"].stages)) == (np.int16, 1)
    assert (plans["blur"].dtype, len(plans["blur"].stages), plans["blur"].divisor) == (np.int16, 2, 16.0)
    assert (plans["gaussian 5x5"].dtype, len(plans["gaussian 5x5"].stages)) == (np.uint16, 2)
    assert (plans["non-negative 5x5"].dtype, len(plans["non-negative 5x5"].stages)) == (np.uint16, 1)
    assert (plans["separable signed"].dtype, len(plans["separable signed"].stages)) == (np.int16, 2)
    assert plans["unsharp mask 5x5"].dtype == np.float32 and plans["big integers 5x5"].dtype == np.float32
    assert plans["random 3x3"].dtype == np.float32 and plans["random 3x3"].divisor == 1.0
    assert tap_plan(PRESETS["blur"], integer_input=False).dtype == np.float32
    # Rows 2·h, 1·h, 2·h: separable only once the first row is reduced to h = [1 2 1].
    assert len(tap_plan(np.outer([2, 1, 2], [1, 2, 1]) / 27, integer_input=True).stages) == 2


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("kernel_name", list(KERNELS))
@pytest.mark.parametrize("shape", [(7, 9), (6, 8, 3)])
def test_fast_equals_naive_equals_scipy(border, kernel_name, shape):
    kernel = KERNELS[kernel_name]
    # a seed from the case's position, not hash(): string hashes change every run, so a failure would not repeat
    seed = [BORDER_MODES.index(border), list(KERNELS).index(kernel_name), len(shape)]
    image = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    fast = apply_kernel(image, kernel, border=border)
    naive = apply_kernel_naive(image, kernel, border=border)
    reference = scipy_reference(image, kernel, border)
    assert fast.dtype == naive.dtype == np.float32
    assert fast.shape == naive.shape == reference.shape
    np.testing.assert_allclose(naive, reference, rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(fast, reference, rtol=1e-6, atol=1e-3)


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("kernel_name", ["emboss", "random 5x5", "gaussian 5x5"])
def test_flip_is_true_convolution(border, kernel_name):
    kernel = KERNELS[kernel_name]
    image = np.random.default_rng(3).integers(0, 256, (9, 10, 3), dtype=np.uint8)
    reference = scipy_reference(image, kernel, border, flip=True)
    np.testing.assert_allclose(apply_kernel(image, kernel, border=border, flip=True), reference, rtol=1e-6, atol=1e-3)
    np.testing.assert_allclose(apply_kernel_naive(image, kernel, border=border, flip=True), reference, rtol=1e-6, atol=1e-3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_float_and_other_inputs(dtype):
    image = (np.random.default_rng(4).random((8, 7, 3)) * 300 - 20).astype(dtype)
    for border in BORDER_MODES:
        reference = scipy_reference(image, PRESETS["sharpen"], border)
        np.testing.assert_allclose(apply_kernel(image, PRESETS["sharpen"], border=border), reference, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("border", BORDER_MODES)
def test_large_image_threads_and_bands(border, monkeypatch):
    # Enough pixels for the thread pool, and small bands so each worker walks several of them.
    monkeypatch.setattr(filtering, "_BAND_ELEMENTS", 3000)
    monkeypatch.setattr(filtering, "_ROW_BAND_FLOATS", 20_000)
    image = np.random.default_rng(5).integers(0, 256, (203, 301, 3), dtype=np.uint8)
    for kernel in (PRESETS["emboss"], PRESETS["gaussian 5x5"], KERNELS["random 3x3"], KERNELS["separable signed"],
                   KERNELS["random 5x5"]):
        np.testing.assert_allclose(
            apply_kernel(image, kernel, border=border), scipy_reference(image, kernel, border), rtol=1e-6, atol=1e-3
        )


def test_kernel_of_size_one_and_seven_and_all_zero():
    image = np.random.default_rng(6).integers(0, 256, (9, 11), dtype=np.uint8)
    np.testing.assert_array_equal(apply_kernel(image, [[2.0]]), image * 2.0)
    seven = np.random.default_rng(7).normal(size=(7, 7))
    np.testing.assert_allclose(apply_kernel(image, seven, border="reflect"), scipy_reference(image, seven, "reflect"), atol=1e-3)
    assert not apply_kernel(image, np.zeros((3, 3))).any()


def test_image_is_not_modified_and_result_is_fresh():
    image = np.random.default_rng(8).integers(0, 256, (5, 5, 3), dtype=np.uint8)
    before = image.copy()
    first = apply_kernel(image, PRESETS["sharpen"], border="wrap")
    second = apply_kernel(image, PRESETS["sharpen"], border="wrap")
    np.testing.assert_array_equal(image, before)
    assert first is not second and not np.shares_memory(first, second)


def test_valid_output_is_smaller_by_k_minus_one():
    image = np.zeros((10, 12, 3), dtype=np.uint8)
    assert apply_kernel(image, BOX, border="valid").shape == (8, 10, 3)
    assert apply_kernel(image, PRESETS["gaussian 5x5"], border="valid").shape == (6, 8, 3)


@pytest.mark.parametrize("function", [apply_kernel, apply_kernel_naive])
def test_bad_inputs(function):
    image = np.zeros((4, 4), dtype=np.uint8)
    with pytest.raises(ValueError, match="unknown border mode 'mirror'; choose one of zero, replicate"):
        function(image, BOX, border="mirror")
    with pytest.raises(ValueError, match="square"):
        function(image, np.ones((3, 5)))
    with pytest.raises(ValueError, match="odd size"):
        function(image, np.ones((4, 4)))
    with pytest.raises(ValueError, match="smaller than the 5×5 kernel"):
        function(image, PRESETS["gaussian 5x5"], border="valid")
    with pytest.raises(ValueError, match="shape"):
        function(np.zeros((4, 4, 4), dtype=np.uint8), BOX)
    with pytest.raises(ValueError, match="finite"):
        function(image, [[0, 0, 0], [0, np.nan, 0], [0, 0, 0]])


# --- output mapping ------------------------------------------------------------------------

RAW = np.array([[-300.0, -0.6, -0.5, -0.4, 0.0, 2.5, 3.49], [127.5, 254.5, 255.0, 255.4, 255.5, 256.0, 1000.0]], dtype=np.float32)


def test_clamp_rounds_half_away_from_zero_and_counts_clipping():
    mapped = map_output(RAW, "clamp")
    assert isinstance(mapped, MappedOutput) and mapped.pixels.dtype == np.uint8 and mapped.pixels.shape == RAW.shape
    assert mapped.pixels.tolist() == [[0, 0, 0, 0, 0, 3, 3], [128, 255, 255, 255, 255, 255, 255]]
    assert (mapped.clipped_low, mapped.clipped_high) == (3, 3)  # −300, −0.6, −0.5 | 255.5, 256, 1000


def test_abs_mapping():
    mapped = map_output(RAW, "abs")
    assert mapped.pixels.tolist() == [[255, 1, 1, 0, 0, 3, 3], [128, 255, 255, 255, 255, 255, 255]]
    assert (mapped.clipped_low, mapped.clipped_high) == (0, 4)  # |−300|, 255.5, 256, 1000


def test_offset_mapping():
    mapped = map_output(np.array([-200.0, -128.0, -128.5, -0.5, 0.0, 127.0, 127.5, 300.0], dtype=np.float32), "offset")
    assert mapped.pixels.tolist() == [0, 0, 0, 128, 128, 255, 255, 255]
    assert (mapped.clipped_low, mapped.clipped_high) == (2, 2)  # −200, −128.5 | 127.5, 300


def test_stretch_uses_the_own_range_by_default():
    mapped = map_output(np.array([[-50.0, 0.0], [50.0, 150.0]], dtype=np.float32), "stretch")
    # (v + 50) × 255 / 200: 0, 63.75, 127.5, 255
    assert mapped.pixels.tolist() == [[0, 64], [128, 255]]
    assert (mapped.clipped_low, mapped.clipped_high) == (0, 0)


def test_stretch_with_a_given_range_clips_and_counts():
    mapped = map_output(np.array([-10.0, 0.0, 50.0, 100.0, 120.0], dtype=np.float32), "stretch", value_range=(0, 100))
    assert mapped.pixels.tolist() == [0, 0, 128, 255, 255]
    assert (mapped.clipped_low, mapped.clipped_high) == (1, 1)


def test_stretch_of_a_constant_image_is_mid_grey_without_dividing_by_zero():
    with np.errstate(all="raise"):
        mapped = map_output(np.full((3, 4, 3), 7.0, dtype=np.float32), "stretch")
    assert mapped.pixels.shape == (3, 4, 3) and np.all(mapped.pixels == 128)
    assert (mapped.clipped_low, mapped.clipped_high) == (0, 0)


def test_mapping_large_arrays_in_parallel_matches_small_ones():
    raw = np.random.default_rng(9).normal(100, 200, (700, 500, 3)).astype(np.float32)
    for mode in OUTPUT_MAPPINGS:
        whole = map_output(raw, mode)
        rows = [map_output(raw[i: i + 50], mode, value_range=(float(raw.min()), float(raw.max()))) for i in range(0, 700, 50)]
        np.testing.assert_array_equal(whole.pixels, np.concatenate([r.pixels for r in rows]))
        assert whole.clipped_low == sum(r.clipped_low for r in rows)
        assert whole.clipped_high == sum(r.clipped_high for r in rows)
        expected = {"clamp": np.clip(np.floor(raw + 0.5), 0, 255), "offset": np.clip(np.floor(raw + 128.5), 0, 255)}
        if mode in expected:
            np.testing.assert_array_equal(whole.pixels, expected[mode])
    assert map_output(raw, "clamp").clipped_low == np.count_nonzero(raw <= -0.5)


@pytest.mark.parametrize("mode", OUTPUT_MAPPINGS)
def test_map_value_agrees_with_map_output(mode):
    raw = np.concatenate([RAW.ravel(), np.random.default_rng(10).normal(0, 300, 500).astype(np.float32)])
    value_range = (float(raw.min()), float(raw.max()))
    mapped = map_output(raw, mode).pixels
    for value, pixel in zip(raw, mapped):
        assert map_value(float(value), mode, value_range) == pixel


def test_map_value_examples_and_errors():
    assert map_value(-106.0, "clamp") == 0
    assert map_value(-106.0, "abs") == 106
    assert map_value(-106.0, "offset") == 22
    assert map_value(2.5, "clamp") == 3
    assert map_value(0.0, "stretch", (-100.0, 100.0)) == 128
    with pytest.raises(ValueError, match="value_range"):
        map_value(1.0, "stretch")
    with pytest.raises(ValueError, match="unknown output mapping 'wrap'; choose one of clamp, abs, offset, stretch"):
        map_output(RAW, "wrap")
    with pytest.raises(ValueError, match="low ≤ high"):
        map_output(RAW, "stretch", value_range=(5, 1))


def test_non_contiguous_and_fortran_ordered_images():
    base = np.random.default_rng(12).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    for image in (base[::2, 1::3], np.asfortranarray(base), base[..., 1], base[:, ::-1]):
        for border in ("zero", "reflect"):
            np.testing.assert_allclose(
                apply_kernel(image, PRESETS["emboss"], border=border), scipy_reference(image, PRESETS["emboss"], border),
                atol=1e-3,
            )


def test_filtering_still_works_in_a_forked_child():
    import multiprocessing

    image = np.random.default_rng(13).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    expected = apply_kernel(image, PRESETS["emboss"])  # starts the thread pool in this process
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        result = pool.apply_async(apply_kernel, (image, PRESETS["emboss"])).get(timeout=30)
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (2, 2), (5, 1), (2, 3, 3), (1, 1, 3)])
def test_images_smaller_than_the_kernel(shape):
    # The padding reaches further than the image: border_index folds it (checked against np.pad).
    image = np.random.default_rng(14).integers(0, 256, shape, dtype=np.uint8)
    for kernel in (PRESETS["emboss"], PRESETS["gaussian 5x5"], KERNELS["random 5x5"]):
        for border in ("zero", "replicate", "reflect", "wrap"):
            np.testing.assert_allclose(
                apply_kernel(image, kernel, border=border), apply_kernel_naive(image, kernel, border=border), atol=1e-3
            )
            padded = np.pad(image.astype(float), [(2, 2), (2, 2)] + [(0, 0)] * (image.ndim - 2),
                            mode={"zero": "constant", "replicate": "edge", "reflect": "reflect", "wrap": "wrap"}[border])
            r = kernel.shape[0] // 2
            centre = padded[2 - r: 2 - r + kernel.shape[0], 2 - r: 2 - r + kernel.shape[0]]
            expected = np.tensordot(kernel, centre, axes=([0, 1], [0, 1]))
            np.testing.assert_allclose(apply_kernel(image, kernel, border=border)[0, 0], expected, atol=1e-3)


@pytest.mark.parametrize(("kernel", "message"), [
    (np.eye(3) * 2e12, "at most 1e\\+12"),  # a float32 sum could overflow to inf
    (np.full((3, 3), np.nan), "finite"),
    (np.eye(3) * (1 + 1j), "real numbers"),  # not silently the real part
])
def test_kernels_beyond_the_limits_are_refused_with_a_sentence(kernel, message):
    image = np.full((5, 5), 255, np.uint8)
    for function in (apply_kernel, apply_kernel_naive):
        with pytest.raises(ValueError, match=message):
            function(image, kernel)


def test_the_largest_kernel_allowed_gives_finite_sums():
    raw = apply_kernel(np.full((6, 6, 3), 255, np.uint8), np.full((5, 5), 1e12), border="replicate")
    assert np.all(np.isfinite(raw)) and raw.max() == pytest.approx(25 * 255 * 1e12, rel=1e-6)
