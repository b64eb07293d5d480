"""Shifted taps (kernelplay.imaging.filter_taps): how many passes a plan makes, that TapPlan.passes
counts them all, and sums to the last bit as the naive loop gives them, up to the bounds of the
work dtype.

The reference for every kernel here is the naive loop on its whole-number numerators (exact in
float64: products and sums of whole numbers, or of quarters for the float images), divided once by
the divisor and rounded to float32 — the one rounding the fast filter makes too. For whole-number
kernels that is :func:`apply_kernel_naive` itself. (For a kernel such as 0.7 the naive loop
multiplies by the float nearest 0.7 and can leave 7e-14 where the exact sum is 0, so it is compared
through its numerators.)
"""
import numpy as np
import pytest

from kernelplay.common import threads
from kernelplay.imaging import filter_taps, filtering
from kernelplay.imaging.borders import BORDER_MODES
from kernelplay.imaging.filter_taps import TapBand, WeightedSum, tap_plan
from kernelplay.imaging.filtering import apply_kernel, apply_kernel_naive, raw_sums_at
from kernelplay.imaging.kernels import PRESETS, kernel_as_fraction

LECTURE_DECIMAL = np.array([[1, 2, 1], [0.7, -1.2, 0.7], [-1, -2, -1.9]])

KERNELS = {
    "lecture decimal": LECTURE_DECIMAL,  # 10 20 10 / 7 −12 7 / −10 −20 −19, ÷ 10
    "lecture decimal × 10": LECTURE_DECIMAL * 10,
    "emboss": PRESETS["emboss"],
    "outline": PRESETS["outline"],
    "blur": PRESETS["blur"],  # two stages
    "2 × centre + corner": np.array([[0, 0, 0], [0, 2, 0], [0, 0, 1]]),  # one +1 tap beside another weight
    "glow ÷ 4": np.array([[1, 0, 0], [0, 3, 0], [0, 0, 0]]) / 4,
    "unsharp mask 5×5": PRESETS["unsharp mask 5x5"],  # sums beyond uint16: float32, exact on uint8
    "5×5 weighted sum inside zeros": np.pad([[3, -5, 2], [7, 11, -4], [-13, 6, 9]], 1) / 3,
    # Σ|w| = 128: sums up to 128 × 255 = 32,640, just inside int16.
    "int16 bound": np.array([[12, 25, 12], [9, 8, 9], [12, 25, 16]]),
    "int16 bound, negated": -np.array([[12, 25, 12], [9, 8, 9], [12, 25, 16]]),
    "int16 bound, mixed signs": np.array([[12, 25, 12], [9, -8, 9], [-12, -25, -16]]),
    # Σ = 256, all positive: sums up to 65,280 in uint16
    "uint16 bound": np.array([[20, 40, 20], [15, 1, 15], [20, 40, 85]]),
}


def exact_reference(image, kernel, border):
    """The naive loop on the kernel's whole-number numerators, divided once, rounded once."""
    numerators, divisor = kernel_as_fraction(kernel)
    sums = apply_kernel_naive(image, numerators, border=border)  # whole numbers below 2**24: exact
    return (sums.astype(np.float64) / divisor).astype(np.float32)


def test_a_single_plus_one_tap_is_added_not_copied():
    # 2 × centre, then + corner: 2 passes. It was 3 (copy the corner, 2 × centre into scratch, add),
    # and a pass is ~5 % of OpenCV's time at 1920×1080 RGB: measured 0.91 → 0.75 × OpenCV.
    for name in ("2 × centre + corner", "glow ÷ 4"):
        plan = tap_plan(KERNELS[name], integer_input=True)
        assert plan.passes == 2 and [step[0] for step in plan.stages[0]] == ["multiply", "add"], name
    # The kernels the benchmark and the presets use keep their plans.
    assert tap_plan(PRESETS["emboss"], True).passes == 7
    assert tap_plan(PRESETS["sharpen"], True).passes == 5 and tap_plan(PRESETS["outline"], True).passes == 9


class _CountingNumpy:
    """numpy as filter_taps sees it, counting the calls that compute over a band."""

    COUNTED = {"add", "subtract", "multiply", "negative", "copyto", "divide", "einsum"}

    def __init__(self):
        self.calls = 0

    def __getattr__(self, name):
        attribute = getattr(np, name)
        if name not in self.COUNTED:
            return attribute

        def counted(*args, **kwargs):
            self.calls += 1
            return attribute(*args, **kwargs)
        return counted


@pytest.mark.parametrize("name", ["lecture decimal", "emboss", "outline", "blur", "glow ÷ 4", "unsharp mask 5×5"])
def test_every_numpy_call_over_the_band_is_a_step_of_the_plan(monkeypatch, name):
    # Every numpy call the band makes is a step of the plan, or its one weighted sum (nine passes).
    plan = tap_plan(KERNELS[name], integer_input=True)
    radius = KERNELS[name].shape[0] // 2
    band = TapBand(plan, rows=5, radius=radius, row_length=12 * 3, channels=3)
    band.grid[...] = np.random.default_rng(1).integers(0, 256, band.grid.shape)
    out_columns = (12 - 2 * radius) * 3
    counting = _CountingNumpy()
    monkeypatch.setattr(filter_taps, "np", counting)
    band.filter(5, out_columns, np.empty((5, out_columns), dtype=np.float32))
    # a step is a call; a weighted sum is one call of a pass per tap; and the conversion to float32
    weighted = isinstance(plan.stages[0], WeightedSum)
    assert counting.calls == (1 if weighted else plan.passes) + 1
    assert weighted == (name == "lecture decimal")


def test_many_distinct_weights_run_as_one_weighted_sum():
    # The lecture's decimal kernel (10 20 10 / 7 −12 7 / −10 −20 −19) took 13 steps: add, subtract
    # and multiply calls, five of them multiplications. As one weighted sum it is 9 passes in one
    # numpy call, each tap's product added in the same loop (1920×1080: −13 % on two threads).
    plan = tap_plan(LECTURE_DECIMAL, integer_input=True)
    (stage,) = plan.stages
    assert isinstance(stage, WeightedSum) and stage.top_left == (0, 0) and plan.divisor == 10.0
    np.testing.assert_array_equal(stage.weights, [[10, 20, 10], [7, -12, 7], [-10, -20, -19]])
    assert stage.weights.dtype == np.int16 and plan.passes == 9
    # Only the non-zero rows and columns are summed.
    inner = np.zeros((5, 5))
    inner[1:4, 2:4] = [[3, 5], [7, 11], [13, 17]]
    (stage,) = tap_plan(inner, integer_input=True).stages
    assert stage.top_left == (1, 2) and stage.weights.shape == (3, 2)
    # Where steps cost no more than the taps, the steps stay: ±1 and ±2 weights (emboss: 6.5 passes'
    # worth of memory traffic against 9), or a weight shared by all but one tap (outline: 9 and 9).
    for name in ("emboss", "outline", "sharpen", "blur", "top sobel"):
        assert not any(isinstance(stage, WeightedSum) for stage in tap_plan(PRESETS[name], True).stages), name
    # Float work (a float image) keeps the steps, whose rounding order the tests above pin.
    assert not isinstance(tap_plan(LECTURE_DECIMAL, integer_input=False).stages[0], WeightedSum)


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("name", list(KERNELS))
def test_taps_are_bit_identical_to_the_naive_loop(border, name):
    kernel = KERNELS[name]
    rng = np.random.default_rng([BORDER_MODES.index(border), list(KERNELS).index(name)])
    quarters = (rng.integers(-400, 1200, (7, 10, 3)) / 4).astype(np.float32)  # float32 sums of these are exact
    whole = kernel_as_fraction(kernel)[1] == 1.0
    for image in (rng.integers(0, 256, (9, 11, 3), dtype=np.uint8), rng.integers(0, 256, (8, 7), dtype=np.uint8), quarters):
        fast = apply_kernel(image, kernel, border=border)
        np.testing.assert_array_equal(fast, exact_reference(image, kernel, border))
        if whole:
            np.testing.assert_array_equal(fast, apply_kernel_naive(image, kernel, border=border))


@pytest.mark.parametrize("name", ["int16 bound", "int16 bound, negated", "int16 bound, mixed signs", "uint16 bound"])
def test_sums_at_the_bounds_of_the_work_dtype(name):
    # All 255, and patterns of period 3 that put 255 under every positive weight and 0 under every
    # negative one (or the reverse) for every third output pixel: the largest sums the kernel makes,
    # ±32,640 in int16 and 65,280 in uint16 for the all-positive and all-negative ones.
    kernel = KERNELS[name]
    assert tap_plan(kernel, integer_input=True).dtype == (np.uint16 if name == "uint16 bound" else np.int16)
    rows, cols = np.meshgrid(np.arange(12), np.arange(15), indexing="ij")
    under_positive = np.repeat((kernel[(rows + 1) % 3, (cols + 1) % 3] > 0)[..., None], 3, axis=2)
    under_negative = np.repeat((kernel[(rows + 1) % 3, (cols + 1) % 3] < 0)[..., None], 3, axis=2)
    positive, negative = kernel[kernel > 0].sum(), kernel[kernel < 0].sum()
    for image, extreme in ((np.full((12, 15, 3), 255, np.uint8), 255 * kernel.sum()),
                           (np.where(under_positive, 255, 0).astype(np.uint8), 255 * positive),
                           (np.where(under_negative, 255, 0).astype(np.uint8), 255 * negative)):
        fast = apply_kernel(image, kernel, border="wrap")  # 12 × 15 keeps the period across the border
        np.testing.assert_array_equal(fast, apply_kernel_naive(image, kernel, border="wrap"))
        assert extreme in fast
    bound = 255 * np.abs(kernel).sum()
    assert bound == (65_280 if name == "uint16 bound" else 32_640)
    assert max(255 * positive, -255 * negative) == (bound if name != "int16 bound, mixed signs" else 17_085)


def test_bands_threads_and_hover_give_the_same_sums(monkeypatch):
    # Small bands over several workers give the sums of one band, and so does one pixel's window
    # (raw_sums_at, the hover) in a band of one row.
    image = np.random.default_rng(2).integers(0, 256, (61, 47, 3), dtype=np.uint8)
    whole = apply_kernel(image, LECTURE_DECIMAL, border="reflect")
    np.testing.assert_array_equal(whole, exact_reference(image, LECTURE_DECIMAL, "reflect"))
    for row, col in ((0, 0), (30, 17), (60, 46)):
        np.testing.assert_array_equal(raw_sums_at(image, LECTURE_DECIMAL, row, col, border="reflect"), whole[row, col])
    monkeypatch.setattr(filtering, "_BAND_ELEMENTS", 1500)
    monkeypatch.setattr(threads, "worker_count", lambda: 3)
    np.testing.assert_array_equal(apply_kernel(image, LECTURE_DECIMAL, border="reflect"), whole)
