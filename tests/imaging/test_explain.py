"""explain_pixel: the multiply-sum for one pixel, by hand and against the whole-image filter."""
import dataclasses

import numpy as np
import pytest

from lecture_example import EMBOSS_PATCH as PATCH
from kernelplay.imaging.explain import STAGE_NAMES, PixelExplanation, explain_pixel
from kernelplay.imaging.borders import BORDER_MODES
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.mapping import OUTPUT_MAPPINGS, map_output
from kernelplay.imaging.images import luminance
from kernelplay.imaging.kernels import PRESETS

TINY = np.arange(1, 13, dtype=np.uint8).reshape(3, 4)  # [[1 2 3 4] [5 6 7 8] [9 10 11 12]]
RNG_KERNEL_5 = np.random.default_rng(21).integers(-9, 10, (5, 5)) / 7.0


def test_the_slide_example_gives_minus_106():
    explanation = explain_pixel(PATCH, PRESETS["emboss"], 1, 1)
    assert isinstance(explanation, PixelExplanation)
    assert explanation.raw == -106.0 and explanation.weighted_sum == -106.0
    assert explanation.divisor == 1.0
    assert explanation.shown == 0  # clamp
    assert explanation.products.tolist() == [-324, -125, 0, -177, 127, 98, 0, 135, 160]
    assert explanation.running_sums.tolist() == [-324, -449, -449, -626, -499, -401, -401, -266, -106]
    assert explanation.window.tolist() == PATCH.tolist()
    assert not explanation.is_padding.any()
    assert (explanation.row, explanation.col, explanation.output_row, explanation.output_col) == (1, 1, 1, 1)
    assert explanation.channel is None and explanation.border == "zero" and explanation.mapping == "clamp"
    assert explanation.flipped is False and explanation.size == 3
    assert explanation.equation() == (
        "162 × (−2) + 125 × (−1) + 108 × 0 + 177 × (−1) + 127 × 1 + 98 × 1 + 191 × 0 + 135 × 1 + 80 × 2 = −106"
    )
    assert explanation.equation(upto=2) == "162 × (−2) + 125 × (−1) = −449"
    assert explanation.equation(upto=0) == "0"


def test_the_slide_example_under_the_other_mappings():
    assert explain_pixel(PATCH, PRESETS["emboss"], 1, 1, mapping="abs").shown == 106
    assert explain_pixel(PATCH, PRESETS["emboss"], 1, 1, mapping="offset").shown == 22
    assert explain_pixel(PATCH, PRESETS["emboss"], 1, 1, mapping="stretch", value_range=(-106, 94)).shown == 0


def test_blur_keeps_numerators_and_divides_once():
    explanation = explain_pixel(PATCH, PRESETS["blur"], 1, 1)
    assert explanation.weights.tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    assert explanation.divisor == 16.0
    assert explanation.weighted_sum == 2119.0 and explanation.raw == 2119 / 16
    assert explanation.shown == 132
    assert explanation.equation().endswith("= 2119 ÷ 16 = 132.4")


# Corners 110, edges 115, centre 116 under blur: 4 × 110 + 8 × 115 + 4 × 116 = 1824, and 1824 ÷ 16 = 114.
EVEN_PATCH = np.array([[110, 115, 110], [115, 116, 115], [110, 115, 110]], dtype=np.uint8)


def test_the_stages_of_the_emboss_example():
    stages = explain_pixel(PATCH, PRESETS["emboss"], 1, 1).stages()
    assert (stages.weighted_sum, stages.divisor, stages.raw, stages.shown) == ("−106", None, "−106", 0)
    assert stages.division() is None
    assert str(stages.mapping) == "clamp 0…255: −106 is below 0 → 0 (clipped)"
    assert str(stages) == (
        "weighted sum: −106\n"
        "raw total: −106\n"
        "output mapping: clamp 0…255: −106 is below 0 → 0 (clipped)\n"
        "shown pixel: 0"
    )
    offset = explain_pixel(PATCH, PRESETS["emboss"], 1, 1, mapping="offset").stages()
    assert offset.mapping.outcome() == "−106 + 128 = 22 → 22" and offset.shown == 22
    magnitude = explain_pixel(PATCH, PRESETS["emboss"], 1, 1, mapping="abs").stages()
    assert magnitude.mapping.outcome() == "|−106| = 106 → 106" and magnitude.shown == 106


def test_the_stages_of_a_blur_divide_once():
    explanation = explain_pixel(EVEN_PATCH, PRESETS["blur"], 1, 1)
    stages = explanation.stages()
    assert stages.division() == "1824 ÷ 16 = 114"
    assert stages.division("[{}]") == "1824 ÷ 16 = [114]"
    assert stages.texts() == {
        "sum": "1824",
        "divide": "1824 ÷ 16 = 114",
        "raw": "114",
        "mapping": "clamp 0…255: 114 is in range → 114",
        "shown": "114",
    }
    assert list(stages.texts()) == list(STAGE_NAMES)
    assert explanation.equation().endswith("+ 110 × 1 = 1824 ÷ 16 = 114")
    # 2119 ÷ 16 = 132.4375: four significant digits, in the division and in the mapping alike.
    blur = explain_pixel(PATCH, PRESETS["blur"], 1, 1)
    assert blur.stages().texts()["divide"] == "2119 ÷ 16 = 132.4"
    assert blur.stages().mapping.outcome() == "132.4 is in range → 132 (rounded)"


def test_partial_sums_and_terms():
    explanation = explain_pixel(PATCH, PRESETS["emboss"], 1, 1)
    assert [explanation.partial_sum(n) for n in range(10)] == [0, -324, -449, -449, -626, -499, -401, -401, -266, -106]
    assert explanation.partial_sum(-1) == 0 and explanation.partial_sum(99) == -106
    assert explanation.terms()[:2] == ["162 × (−2)", "125 × (−1)"]
    luminance_like = explain_pixel(PATCH / 3.0, PRESETS["identity"], 1, 1)
    assert luminance_like.terms()[4] == "42.33 × 1" and luminance_like.equation().endswith("= 42.33")


def test_one_precision_rule_for_every_number_of_the_sum():
    """Four significant digits wherever a number appears: 6.131 and 9.017 keep their decimals,
    11.772 × (−1) is not −12, and a tiny quotient is not 0."""
    window = np.array([[6.131, 9.017, 11.772], [1, 2, 3], [4, 5, 6]])
    explanation = explain_pixel(window, [[1, 1, -1], [0, 0, 0], [0, 0, 0]], 1, 1)
    assert explanation.terms()[:3] == ["6.131 × 1", "9.017 × 1", "11.77 × (−1)"]
    assert explanation.equation().endswith("= 3.376")
    tiny = explain_pixel(np.full((3, 3), 0.1), np.full((3, 3), -0.7 / 0.9 / 256), 1, 1)
    assert tiny.stages().raw == "−0.002734"
    stretched = explain_pixel(PATCH, PRESETS["emboss"], 1, 1, mapping="stretch", value_range=(-300.5, 500))
    assert str(stretched.stages().mapping) == (
        "stretch −300.5…500 → 0…255: (−106 − (−300.5)) ÷ 800.5 × 255 = 61.96 → 62 (rounded)")


def test_flip_turns_the_weights():
    explanation = explain_pixel(PATCH, PRESETS["emboss"], 1, 1, flip=True)
    assert explanation.flipped is True
    np.testing.assert_array_equal(explanation.weights, PRESETS["emboss"][::-1, ::-1])
    assert explanation.raw == apply_kernel(PATCH, PRESETS["emboss"], flip=True)[1, 1]


# Window at the top-left corner (0, 0) of TINY for each border mode, worked out by hand.
CORNER_WINDOWS = {
    "zero": [[0, 0, 0], [0, 1, 2], [0, 5, 6]],
    "replicate": [[1, 1, 2], [1, 1, 2], [5, 5, 6]],
    "reflect": [[6, 5, 6], [2, 1, 2], [6, 5, 6]],
    "wrap": [[12, 9, 10], [4, 1, 2], [8, 5, 6]],
}


@pytest.mark.parametrize("border", list(CORNER_WINDOWS))
def test_padding_cells_hold_what_the_border_mode_puts_there(border):
    explanation = explain_pixel(TINY, np.ones((3, 3)), 0, 0, border=border)
    assert explanation.window.tolist() == CORNER_WINDOWS[border]
    assert explanation.is_padding.tolist() == [[True, True, True], [True, False, False], [True, False, False]]
    assert explanation.raw == sum(map(sum, CORNER_WINDOWS[border]))


def test_edge_window_under_wrap_and_reflect():
    # bottom edge, (2, 1): the row below wraps to row 0, or mirrors to row 1
    wrap = explain_pixel(TINY, np.ones((3, 3)), 2, 1, border="wrap")
    assert wrap.window.tolist() == [[5, 6, 7], [9, 10, 11], [1, 2, 3]]
    assert wrap.is_padding.tolist() == [[False] * 3, [False] * 3, [True] * 3]
    reflect = explain_pixel(TINY, np.ones((3, 3)), 2, 1, border="reflect")
    assert reflect.window.tolist() == [[5, 6, 7], [9, 10, 11], [5, 6, 7]]


def test_valid_positions_and_refusal():
    explanation = explain_pixel(TINY, np.ones((3, 3)), 1, 2, border="valid")
    assert (explanation.output_row, explanation.output_col) == (0, 1)
    assert explanation.raw == 63 and not explanation.is_padding.any()
    with pytest.raises(ValueError, match="leaves the image"):
        explain_pixel(TINY, np.ones((3, 3)), 0, 1, border="valid")
    with pytest.raises(ValueError, match="leaves the image"):
        explain_pixel(TINY, np.ones((3, 3)), 1, 3, border="valid")


def _positions(height, width, size):
    r = size // 2
    rows = sorted({0, 1, r, height // 2, height - 1 - r, height - 2, height - 1})
    cols = sorted({0, 1, r, width // 2, width - 1 - r, width - 2, width - 1})
    return [(row, col) for row in rows for col in cols]


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("kernel", [PRESETS["emboss"], PRESETS["blur"], PRESETS["unsharp mask 5x5"], RNG_KERNEL_5],
                         ids=["emboss", "blur", "unsharp5", "random5"])
@pytest.mark.parametrize("flip", [False, True])
def test_every_corner_and_edge_equals_the_filter_grey(border, kernel, flip):
    image = np.random.default_rng(22).integers(0, 256, (7, 9), dtype=np.uint8)
    whole = apply_kernel(image, kernel, border=border, flip=flip)
    size, r = kernel.shape[0], kernel.shape[0] // 2
    for row, col in _positions(7, 9, size):
        if border == "valid" and not (r <= row < 7 - r and r <= col < 9 - r):
            continue
        explanation = explain_pixel(image, kernel, row, col, border=border, flip=flip)
        assert explanation.raw == pytest.approx(whole[explanation.output_row, explanation.output_col], abs=1e-3)
        assert explanation.shown == map_output(whole, "clamp").pixels[explanation.output_row, explanation.output_col]


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("channel", ["R", "G", "B", "luminance"])
@pytest.mark.parametrize("kernel", [PRESETS["sharpen"], PRESETS["gaussian 5x5"]], ids=["3x3", "5x5"])
def test_every_corner_and_edge_equals_the_filter_colour(border, channel, kernel):
    image = np.random.default_rng(23).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    plane = luminance(image) if channel == "luminance" else image[..., "RGB".index(channel)]
    whole = apply_kernel(plane, kernel, border=border)
    size, r = kernel.shape[0], kernel.shape[0] // 2
    for row, col in _positions(6, 8, size):
        if border == "valid" and not (r <= row < 6 - r and r <= col < 8 - r):
            continue
        explanation = explain_pixel(image, kernel, row, col, border=border, channel=channel)
        assert explanation.channel == channel
        assert explanation.raw == pytest.approx(whole[explanation.output_row, explanation.output_col], rel=1e-5, abs=1e-3)


def test_colour_defaults_to_luminance_and_channels_differ():
    image = np.zeros((3, 3, 3), dtype=np.uint8)
    image[..., 0] = 100
    assert explain_pixel(image, PRESETS["identity"], 1, 1).channel == "luminance"
    assert explain_pixel(image, PRESETS["identity"], 1, 1).raw == pytest.approx(29.9, abs=1e-4)
    assert explain_pixel(image, PRESETS["identity"], 1, 1, channel="R").raw == 100
    assert explain_pixel(image, PRESETS["identity"], 1, 1, channel="G").raw == 0


@pytest.mark.parametrize("mapping", OUTPUT_MAPPINGS)
def test_shown_value_matches_map_output(mapping):
    image = np.random.default_rng(24).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    whole = apply_kernel(image[..., 1], PRESETS["outline"], border="reflect")
    shown = map_output(whole, mapping).pixels
    for row, col in [(0, 0), (3, 4), (7, 7), (0, 5)]:
        explanation = explain_pixel(image, PRESETS["outline"], row, col, border="reflect", channel="G", mapping=mapping)
        assert explanation.shown == shown[row, col]
        if mapping == "stretch":
            assert explanation.value_range == (float(whole.min()), float(whole.max()))
        else:
            assert explanation.value_range is None


def test_explanation_is_frozen_and_read_only():
    explanation = explain_pixel(PATCH, PRESETS["emboss"], 0, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        explanation.raw = 0.0
    for name in ("window", "is_padding", "weights", "products", "running_sums"):
        with pytest.raises(ValueError):
            getattr(explanation, name).flat[0] = 1


def test_bad_requests():
    colour = np.zeros((4, 4, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="outside the 3×3 image"):
        explain_pixel(PATCH, PRESETS["emboss"], 3, 0)
    with pytest.raises(ValueError, match="outside"):
        explain_pixel(PATCH, PRESETS["emboss"], 0, -1)
    with pytest.raises(ValueError, match="no channel 'R'"):
        explain_pixel(PATCH, PRESETS["emboss"], 1, 1, channel="R")
    with pytest.raises(ValueError, match="unknown channel 'alpha'"):
        explain_pixel(colour, PRESETS["emboss"], 1, 1, channel="alpha")
    with pytest.raises(ValueError, match="unknown border mode"):
        explain_pixel(colour, PRESETS["emboss"], 1, 1, border="mirror")
    with pytest.raises(ValueError, match="unknown output mapping"):
        explain_pixel(colour, PRESETS["emboss"], 1, 1, mapping="log")


def test_reads_only_the_window_of_a_large_image():
    # A 12-megapixel image: if explain_pixel touched every pixel this would take tens of ms per call.
    import time

    image = np.zeros((3000, 4000, 3), dtype=np.uint8)
    image[1499:1502, 1999:2002] = PATCH[..., None]
    explain_pixel(image, PRESETS["emboss"], 1500, 2000, channel="R")
    start = time.perf_counter()
    for _ in range(20):
        explanation = explain_pixel(image, PRESETS["emboss"], 1500, 2000, channel="R")
    assert explanation.raw == -106.0
    assert (time.perf_counter() - start) / 20 < 0.005


def test_explanations_compare_by_value():
    first = explain_pixel(PATCH, PRESETS["blur"], 1, 1)
    assert first == explain_pixel(PATCH, PRESETS["blur"], 1, 1)
    assert first != explain_pixel(PATCH, PRESETS["blur"], 1, 2)
    assert first != explain_pixel(PATCH, PRESETS["emboss"], 1, 1)
    np.testing.assert_array_equal(first.kernel, PRESETS["blur"])
