"""The sliding window's numbers: positions, output sizes, the formula, fitting an image."""
import numpy as np
import pytest

from kernelplay.imaging.explain import explain_pixel
from kernelplay.imaging.borders import BORDER_MODES
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.kernels import PRESETS
from kernelplay.imaging.scan import (
    fit_for_scan,
    output_offset,
    output_shape,
    output_size,
    padded_plane,
    padding_for,
    scan_positions,
    size_formula,
    strided_output,
)


@pytest.mark.parametrize(
    ("n", "k", "p", "s", "expected"),
    [(28, 3, 1, 1, 28), (28, 3, 0, 1, 26), (28, 3, 1, 2, 14), (28, 3, 0, 2, 13), (28, 5, 2, 2, 14),
     (7, 5, 0, 1, 3), (2, 3, 0, 1, 0), (1, 3, 1, 2, 1)],
)
def test_output_size_is_the_textbook_formula(n, k, p, s, expected):
    assert output_size(n, k, p, s) == expected


def test_padding_for_each_border_mode():
    assert [padding_for(mode, 3) for mode in BORDER_MODES] == [1, 1, 1, 1, 0]
    assert padding_for("wrap", 5) == 2
    with pytest.raises(ValueError, match="unknown border mode"):
        padding_for("mirror", 3)


def test_output_offset_is_where_the_first_window_is_centred():
    assert [output_offset(mode, 3) for mode in BORDER_MODES] == [0, 0, 0, 0, 1]
    assert output_offset("valid", 5) == 2 and output_offset("reflect", 5) == 0
    assert scan_positions((9, 9), 5, "valid", 1)[0] == (output_offset("valid", 5),) * 2


def test_scan_positions_run_in_reading_order():
    assert scan_positions((4, 5), 3, "zero", 1)[:7] == [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (1, 0), (1, 1)]
    assert scan_positions((5, 5), 3, "valid", 2) == [(1, 1), (1, 3), (3, 1), (3, 3)]
    assert scan_positions((5, 6), 3, "reflect", 2) == [(r, c) for r in (0, 2, 4) for c in (0, 2, 4)]
    assert len(scan_positions((28, 28), 5, "valid", 1)) == 24 * 24


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("stride", [1, 2])
def test_the_scan_reproduces_apply_kernel_subsampled(border, stride):
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, size=(7, 9), dtype=np.uint8)
    kernel = PRESETS["emboss"]
    expected = strided_output(apply_kernel(image, kernel, border=border), stride)
    positions = scan_positions(image.shape, 3, border, stride)
    assert expected.shape == output_shape(image.shape, 3, border, stride)
    raws = [explain_pixel(image, kernel, r, c, border=border).raw for r, c in positions]
    np.testing.assert_allclose(np.reshape(raws, expected.shape), expected, atol=1e-3)


def test_size_formula_writes_the_numbers():
    assert size_formula(28, 3, "zero", 1) == "(28 + 2·1 − 3) / 1 + 1 = 28"
    assert size_formula(28, 3, "valid", 1) == "(28 + 2·0 − 3) / 1 + 1 = 26"
    assert size_formula(28, 3, "wrap", 2) == "⌊(28 + 2·1 − 3) / 2⌋ + 1 = 14"
    assert size_formula(28, 5, "valid", 2) == "⌊(28 + 2·0 − 5) / 2⌋ + 1 = 12"


def test_fit_for_scan_keeps_small_images_and_shrinks_large_ones():
    digit = np.arange(28 * 28, dtype=np.uint8).reshape(28, 28)
    kept = fit_for_scan(digit)
    np.testing.assert_array_equal(kept, digit)
    assert kept is not digit

    photo = np.zeros((3000, 4000, 3), dtype=np.uint8)
    photo[:, 2000:] = 200
    small = fit_for_scan(photo)
    assert small.dtype == np.uint8 and small.shape == (48, 64, 3)
    assert small[0, 0, 0] == 0 and small[0, -1, 0] == 200

    strip = np.full((10, 500), 90, dtype=np.uint8)
    assert fit_for_scan(strip).shape == (10, 20)  # centre-cropped to 2:1 first
    assert fit_for_scan(np.full((5, 5), 300.0)).max() == 255


def test_padded_plane_fills_the_ring_as_the_border_mode_does():
    plane = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)
    values, ring = padded_plane(plane, 3, "zero")
    assert values.shape == (4, 5) and ring.sum() == 4 * 5 - 6
    assert values[0, 0] == 0 and values[1, 1] == 1
    values, _ = padded_plane(plane, 3, "replicate")
    assert values[0, 0] == 1 and values[3, 4] == 6
    values, _ = padded_plane(plane, 3, "wrap")
    assert values[0, 0] == 6 and values[1, 0] == 3
    values, _ = padded_plane(plane, 3, "reflect")
    assert values[0, 1] == 4 and values[1, 0] == 2
    values, ring = padded_plane(plane, 3, "valid")
    np.testing.assert_array_equal(values, plane)
    assert not ring.any()

