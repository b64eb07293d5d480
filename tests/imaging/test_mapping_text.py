"""describe_mapping: each output mapping written out, checked against hand-worked lines and map_output."""
import numpy as np
import pytest

from kernelplay.imaging.mapping import OUTPUT_MAPPINGS, MappingStep, describe_mapping, map_output, map_value


@pytest.mark.parametrize(
    ("mode", "line"),
    [
        ("clamp", "clamp 0…255: −106 is below 0 → 0 (clipped)"),
        ("abs", "absolute value: |−106| = 106 → 106"),
        ("offset", "offset +128: −106 + 128 = 22 → 22"),
    ],
)
def test_the_emboss_example_under_each_mapping(mode, line):
    # The slide's patch under emboss sums to −106.
    step = describe_mapping(-106, mode)
    assert str(step) == line
    assert step.shown == map_value(-106, mode)


def test_the_parts_of_a_line():
    step = describe_mapping(50.4375, "offset", decimals=3)
    assert step == MappingStep("offset", "offset +128", "50.438 + 128 = 178.438", 178, "rounded")
    assert step.result() == "178 (rounded)"
    assert step.outcome() == "50.438 + 128 = 178.438 → 178 (rounded)"
    assert step.outcome("<b>{}</b>") == "50.438 + 128 = 178.438 → <b>178</b> (rounded)"  # only the number marked
    assert describe_mapping(50.4375, "offset").working == "50.44 + 128 = 178.44"  # two decimals by default


@pytest.mark.parametrize(
    ("raw", "mode", "line"),
    [
        (114, "clamp", "clamp 0…255: 114 is in range → 114"),
        (300, "clamp", "clamp 0…255: 300 is above 255 → 255 (clipped)"),
        (132.4375, "clamp", "clamp 0…255: 132.44 is in range → 132 (rounded)"),
        (-300, "abs", "absolute value: |−300| = 300 → 255 (clipped)"),
        (-12.5, "abs", "absolute value: |−12.5| = 12.5 → 13 (rounded)"),  # half away from zero
        (200, "offset", "offset +128: 200 + 128 = 328 → 255 (clipped)"),
        (-200, "offset", "offset +128: −200 + 128 = −72 → 0 (clipped)"),
    ],
)
def test_clipping_and_rounding_are_named(raw, mode, line):
    assert str(describe_mapping(raw, mode)) == line


def test_the_clipping_threshold_is_map_outputs():
    # −0.5 rounds (half away from zero) to −1: map_output counts it as clipped, and so does the text.
    assert map_output(np.array([-0.5]), "clamp").clipped_low == 1
    assert str(describe_mapping(-0.5, "clamp")) == "clamp 0…255: −0.5 is below 0 → 0 (clipped)"
    assert str(describe_mapping(-0.49, "clamp")) == "clamp 0…255: −0.49 is in range → 0 (rounded)"
    assert describe_mapping(255.5, "clamp").note == "clipped"
    assert describe_mapping(255.49, "clamp").note == "rounded"
    assert describe_mapping(-128.5, "offset").note == "clipped"


def test_stretch_writes_its_range_out():
    # (−106 − (−300)) ÷ 800 × 255 = 194 × 0.31875 = 61.8375 → 62
    step = describe_mapping(-106, "stretch", (-300, 500))
    assert step.name == "stretch −300…500 → 0…255"
    assert step.outcome() == "(−106 − (−300)) ÷ 800 × 255 = 61.84 → 62 (rounded)"
    assert step.shown == map_value(-106, "stretch", (-300, 500)) == 62
    assert str(describe_mapping(5, "stretch", (5, 5))) == "stretch: the output is constant → mid-grey 128"
    # Outside a given range the value is clipped, as map_output counts it.
    assert describe_mapping(-106, "stretch", (-100, 300)).result() == "0 (clipped)"
    with pytest.raises(ValueError, match="value_range"):
        describe_mapping(-106, "stretch")


@pytest.mark.parametrize("mode", OUTPUT_MAPPINGS)
def test_the_text_agrees_with_map_output(mode):
    raws = np.concatenate([np.random.default_rng(31).uniform(-400, 700, 300), [-0.5, 0.5, 255.5, -128.5, 127.5]])
    value_range = (-250.0, 600.0) if mode == "stretch" else None
    mapped = map_output(raws, mode, value_range=value_range)
    for raw, pixel in zip(raws.astype(np.float32), mapped.pixels):
        step = describe_mapping(float(raw), mode, value_range, decimals=3)
        assert step.shown == pixel
        single = map_output(np.array([raw]), mode, value_range=value_range)
        assert (step.note == "clipped") == bool(single.clipped_low or single.clipped_high)
        assert "-" not in str(step)  # a true minus sign throughout


def test_unknown_mapping():
    with pytest.raises(ValueError, match="unknown output mapping"):
        describe_mapping(0, "log")
