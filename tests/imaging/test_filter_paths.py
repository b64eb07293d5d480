"""The filter's two ways of computing, each held to scipy in float64: shifted taps (exact integer
arithmetic) and row products (float32 matrix products in BLAS), and the choice between them.

Float32 tolerance: an output is a sum of n = k² products. Each weight is rounded to float32 once
(relative error ≤ u = 2⁻²⁴), each product and each partial sum once more, and a kernel with a divisor
is divided once at the end; however BLAS orders the sum, the classic bound for a sum of n terms is
|computed − exact| ≤ (n + 2)·u·Σ|w·x| (Higham, Accuracy and Stability, §3.1, γₙ ≤ 1.01·n·u). So
every value is checked against that bound, with Σ|w·x| = scipy's correlation of |image| and |kernel|.
"""
import numpy as np
import pytest
import scipy.ndimage as ndi

from kernelplay.common import threads
from kernelplay.imaging import filtering
from kernelplay.imaging.borders import BORDER_MODES
from kernelplay.imaging.filter_taps import TapPlan, tap_plan
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.kernels import PRESETS, kernel_as_fraction

SCIPY_MODES = {"zero": "constant", "replicate": "nearest", "reflect": "mirror", "wrap": "wrap", "valid": "constant"}
LECTURE_DECIMAL = np.array([[1, 2, 1], [0.7, -1.2, 0.7], [-1, -2, -1.9]])
U = 2.0 ** -24


def correlate(image, kernel, border):
    """scipy per channel in float64 ("valid": the zero-padded result cropped)."""
    planes = np.asarray(image, dtype=np.float64)
    planes = planes[..., None] if planes.ndim == 2 else planes
    result = np.stack([ndi.correlate(planes[..., c], kernel, mode=SCIPY_MODES[border], cval=0.0)
                       for c in range(planes.shape[2])], -1)
    if border == "valid":
        r = kernel.shape[0] // 2
        result = result[r: result.shape[0] - r, r: result.shape[1] - r]
    return result[..., 0] if np.ndim(image) == 2 else result


def assert_within_float32_rounding(computed, image, kernel, border):
    exact = correlate(image, kernel, border)
    magnitude = correlate(np.abs(np.asarray(image, dtype=np.float64)), np.abs(kernel), border)
    bound = (kernel.size + 2) * U * magnitude + 1e-30
    error = np.abs(computed.astype(np.float64) - exact)
    assert computed.dtype == np.float32 and computed.shape == exact.shape
    assert np.all(error <= bound), f"worst error {error.max():.3g}, bound there {bound.flat[np.argmax(error - bound)]:.3g}"


def force(monkeypatch, way):
    """Make apply_kernel compute every kernel by taps or by row products."""
    def method(kernel, integer_input):
        if way == "taps":
            return tap_plan(kernel, integer_input)
        numerators, divisor = kernel_as_fraction(kernel)
        return ("rows", numerators, divisor)
    monkeypatch.setattr(filtering, "_method", method)


rng = np.random.default_rng(21)
KERNELS = {
    "emboss": PRESETS["emboss"],
    "lecture decimal": LECTURE_DECIMAL,
    "gaussian 5x5": PRESETS["gaussian 5x5"],
    "unsharp mask 5x5": PRESETS["unsharp mask 5x5"],
    "random 3x3": rng.normal(size=(3, 3)),
    "random 5x5": rng.normal(size=(5, 5)),
    "random 7x7": rng.normal(size=(7, 7)),
    "tiny and huge weights": np.array([[1e-7, -3e5, 2.5], [0.1, 1e3, -1e-3], [7.0, 0.0, -0.5]]),
}


@pytest.mark.parametrize("way", ["taps", "rows"])
@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("name", list(KERNELS))
def test_each_way_is_within_float32_rounding_of_scipy(monkeypatch, way, border, name):
    force(monkeypatch, way)
    kernel = KERNELS[name]
    seed = [BORDER_MODES.index(border), list(KERNELS).index(name)]
    for image in (np.random.default_rng(seed).integers(0, 256, (13, 17, 3), dtype=np.uint8),
                  np.random.default_rng(seed).integers(0, 256, (9, 8), dtype=np.uint8),
                  (np.random.default_rng(seed).random((10, 11, 3)) * 400 - 100).astype(np.float32)):
        assert_within_float32_rounding(apply_kernel(image, kernel, border=border), image, kernel, border)


@pytest.mark.parametrize("way", ["taps", "rows"])
@pytest.mark.parametrize("name", ["emboss", "lecture decimal", "gaussian 5x5", "unsharp mask 5x5"])
def test_whole_number_kernels_on_uint8_are_exact_either_way(monkeypatch, way, name):
    # Numerators (7, 10, 12, 19, 20 for the lecture's kernel ÷ 10) times 0..255 sum exactly in int16,
    # uint16 or float32 (below 2**24), and the one division rounds once: the float32 nearest the
    # exact value, which is what float64 scipy gives once rounded to float32.
    force(monkeypatch, way)
    kernel = KERNELS[name]
    image = np.random.default_rng(7).integers(0, 256, (31, 29, 3), dtype=np.uint8)
    numerators, divisor = kernel_as_fraction(kernel)
    exact = correlate(image, numerators, "zero") / divisor
    np.testing.assert_array_equal(apply_kernel(image, kernel), exact.astype(np.float32))


@pytest.mark.parametrize("way", ["taps", "rows"])
def test_bands_and_threads_either_way(monkeypatch, way):
    # Small bands, so each of several workers filters many of them; results as from one band.
    force(monkeypatch, way)
    image = np.random.default_rng(8).integers(0, 256, (157, 211, 3), dtype=np.uint8)
    kernel = KERNELS["random 5x5"]
    whole = apply_kernel(image, kernel, border="reflect")
    monkeypatch.setattr(filtering, "_BAND_ELEMENTS", 2000)
    monkeypatch.setattr(filtering, "_ROW_BAND_FLOATS", 15_000)
    monkeypatch.setattr(threads, "worker_count", lambda: 3)
    banded = apply_kernel(image, kernel, border="reflect")
    np.testing.assert_array_equal(banded, whole)
    assert_within_float32_rounding(banded, image, kernel, "reflect")


def test_the_cheaper_way_is_chosen():
    # Small whole numbers: a few exact integer passes. Float weights: matrix products (a pass per
    # tap would cost 2 × 25 float32 passes for 5×5). benchmarks/bench_filter.py measures both.
    def way(kernel, integer_input=True):
        return "taps" if isinstance(filtering._method(kernel, integer_input), TapPlan) else "rows"

    assert [way(PRESETS[name]) for name in ("emboss", "blur", "sharpen", "gaussian 5x5", "top sobel")] == ["taps"] * 5
    assert way(LECTURE_DECIMAL) == "taps"  # numerators 7 … 20 over 10 fit int16
    assert way(KERNELS["random 5x5"]) == "rows" and way(KERNELS["random 3x3"]) == "rows"
    assert way(KERNELS["random 5x5"], integer_input=False) == "rows"
    assert way(PRESETS["emboss"], integer_input=False) == "taps"


def test_taps_plans_spend_few_passes():
    # Separable kernels run as two short stages; −1 taps are subtracted, never negated first.
    assert tap_plan(PRESETS["top sobel"], True).passes == 4  # s0 − s2, then [1 2 1]: 1 + 3
    assert tap_plan(PRESETS["sharpen"], True).passes == 5  # 5·centre, then four subtractions
    assert tap_plan(LECTURE_DECIMAL, True).passes == 9  # one weighted sum (test_filter_taps)
    assert all(step[0] != "negative" for stage in tap_plan(PRESETS["outline"], True).stages for step in stage)


def test_a_nan_in_a_later_band_is_still_refused(monkeypatch):
    # The finite check runs per band; a NaN in the last band of the last worker must not slip by.
    monkeypatch.setattr(filtering, "_ROW_BAND_FLOATS", 15_000)
    image = np.random.default_rng(9).random((300, 200, 3)).astype(np.float32)
    image[-1, -1, -1] = np.nan
    with pytest.raises(ValueError, match="not finite"):
        apply_kernel(image, KERNELS["random 5x5"])

