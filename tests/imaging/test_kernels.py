"""Kernel presets, typed kernels, fractions and the kernel file."""
import json

import numpy as np
import pytest

from kernelplay.imaging.kernels import (
    MAX_KERNEL_VALUE,
    PRESETS,
    KernelFileError,
    check_divisor,
    check_kernel,
    kernel_as_fraction,
    load_kernels,
    parse_kernel,
    parse_weight,
    save_kernels,
)

EXPECTED_NAMES = [
    "identity", "blur", "sharpen", "emboss", "outline", "top sobel", "bottom sobel", "left sobel",
    "right sobel", "box blur", "gaussian 5x5", "laplacian", "unsharp mask 5x5",
]


def test_preset_names_in_menu_order():
    assert list(PRESETS) == EXPECTED_NAMES


@pytest.mark.parametrize(
    ("name", "rows", "divisor"),
    [
        ("identity", [[0, 0, 0], [0, 1, 0], [0, 0, 0]], 1),
        ("blur", [[1, 2, 1], [2, 4, 2], [1, 2, 1]], 16),
        ("sharpen", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], 1),
        ("emboss", [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], 1),
        ("outline", [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], 1),
        ("top sobel", [[1, 2, 1], [0, 0, 0], [-1, -2, -1]], 1),
        ("bottom sobel", [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], 1),
        ("left sobel", [[1, 0, -1], [2, 0, -2], [1, 0, -1]], 1),
        ("right sobel", [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], 1),
        ("box blur", [[1, 1, 1], [1, 1, 1], [1, 1, 1]], 9),
        ("laplacian", [[0, 1, 0], [1, -4, 1], [0, 1, 0]], 1),
    ],
)
def test_preset_values(name, rows, divisor):
    np.testing.assert_allclose(PRESETS[name], np.array(rows) / divisor, rtol=0, atol=1e-15)


def test_gaussian_and_unsharp_mask_5x5():
    gaussian = PRESETS["gaussian 5x5"]
    assert gaussian.shape == (5, 5)
    assert gaussian[0, 0] == 1 / 256 and gaussian[2, 2] == 36 / 256 and gaussian[1, 2] == 24 / 256
    assert gaussian.sum() == pytest.approx(1.0)
    unsharp = PRESETS["unsharp mask 5x5"]
    assert unsharp[2, 2] == pytest.approx(476 / 256) and unsharp[0, 0] == pytest.approx(-1 / 256)
    assert unsharp[1, 2] == pytest.approx(-24 / 256)
    assert unsharp.sum() == pytest.approx(1.0)


def test_presets_are_read_only_float64():
    for name, kernel in PRESETS.items():
        assert kernel.dtype == np.float64, name
        assert kernel.shape in ((3, 3), (5, 5)), name
        with pytest.raises(ValueError):
            kernel[0, 0] = 9.0


# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["1,2,1;2,4,2;1,2,1", " 1 2 1 ; 2 4 2 ; 1 2 1 ", "1, 2, 1\n2, 4, 2\n1, 2, 1\n", "1,2,1;2,4,2;1,2,1;"],
)
def test_parse_three_by_three(text):
    np.testing.assert_array_equal(parse_kernel(text), [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_parse_fractions_negatives_and_true_minus():
    kernel = parse_kernel("1/16 -2/16 0.5; \u22121 1e1 +3; 0 0 -1/4")
    np.testing.assert_allclose(kernel, [[1 / 16, -2 / 16, 0.5], [-1, 10, 3], [0, 0, -0.25]])


def test_parse_five_by_five():
    text = ";".join(",".join(str(5 * r + c) for c in range(5)) for r in range(5))
    kernel = parse_kernel(text)
    assert kernel.shape == (5, 5) and kernel.dtype == np.float64
    assert kernel[4, 3] == 23


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("1,2,1;2,4,2", "3 or 5 rows, this one has 2"),
        ("1,2,1;2,4,2;1,2,1;0,0,0", "3 or 5 rows, this one has 4"),
        ("1,2,1;2,4;1,2,1", "row 2 has 2 numbers, but a 3×3 kernel needs 3"),
        ("1,2,1;2,x,2;1,2,1", "row 2, column 2: 'x' is not a number"),
        ("1,2,1;2,4,2;1,2,1/0", "row 3, column 3: '1/0' divides by zero"),
        ("1,2,1;;1,2,1", "row 2 is empty"),
        ("1,2,1;2,nan,2;1,2,1", "row 2, column 2: 'nan' is not a finite number"),
        ("1,2,1;2,inf,2;1,2,1", "not a finite number"),
        ("1,2,1;2,1e40,2;1,2,1", "row 2, column 2: '1e40' is too large: a weight may be at most 1,000,000"),
        ("1,2,1;2,-1000001,2;1,2,1", "'-1000001' is too large"),
    ],
)
def test_parse_errors_say_where_and_why(text, message):
    with pytest.raises(ValueError) as caught:
        parse_kernel(text)
    assert message in str(caught.value)


# --- fractions -----------------------------------------------------------------------------


def test_fractions_of_presets():
    numerators, divisor = kernel_as_fraction(PRESETS["blur"])
    assert divisor == 16.0
    np.testing.assert_array_equal(numerators, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    numerators, divisor = kernel_as_fraction(PRESETS["box blur"])
    assert divisor == 9.0
    np.testing.assert_array_equal(numerators, np.ones((3, 3)))
    numerators, divisor = kernel_as_fraction(PRESETS["emboss"])
    assert divisor == 1.0
    np.testing.assert_array_equal(numerators, PRESETS["emboss"])
    numerators, divisor = kernel_as_fraction(PRESETS["unsharp mask 5x5"])
    assert divisor == 256.0 and numerators[2, 2] == 476 and numerators[0, 0] == -1


def test_fraction_picks_the_smallest_divisor():
    numerators, divisor = kernel_as_fraction(np.array([[2, 4, 2], [4, 8, 4], [2, 4, 2]]) / 32)
    assert divisor == 16.0 and numerators[1, 1] == 4
    _, divisor = kernel_as_fraction(np.array([[0.5, 0.25, 1 / 3], [0, 0, 0], [0, 0, 0]]))
    assert divisor == 12.0


def test_kernel_without_a_small_divisor_comes_back_as_is():
    kernel = np.array([[0.1234567, 0, 0], [0, 1, 0], [0, 0, np.pi]])
    numerators, divisor = kernel_as_fraction(kernel)
    assert divisor == 1.0
    np.testing.assert_array_equal(numerators, kernel)
    _, divisor = kernel_as_fraction(np.array([[1 / 2048, 0, 0], [0, 0, 0], [0, 0, 0]]))
    assert divisor == 1.0  # beyond max_divisor=1024
    tiny = np.array([[0.0001, 0, 0], [0, 1, 0], [0, 0, 0]])  # nearest fraction ≤ 1024 is 0/1: not close
    numerators, divisor = kernel_as_fraction(tiny)
    assert divisor == 1.0 and numerators[0, 0] == 0.0001
    with_infinity = np.array([[np.inf, 0, 0], [0, 1, 0], [0, 0, 0.5]])
    numerators, divisor = kernel_as_fraction(with_infinity)
    assert divisor == 1.0 and numerators[0, 0] == np.inf
    _, divisor = kernel_as_fraction(np.array([[1 / 2048, 0, 0], [0, 0, 0], [0, 0, 0]]), max_divisor=4096)
    assert divisor == 2048.0


def test_fraction_round_trip_for_random_small_fractions():
    rng = np.random.default_rng(5)
    for _ in range(50):
        divisor = int(rng.integers(1, 300))
        kernel = rng.integers(-50, 50, (3, 3)) / divisor
        numerators, found = kernel_as_fraction(kernel)
        assert found <= divisor
        np.testing.assert_allclose(numerators / found, kernel, atol=1e-9)
        np.testing.assert_array_equal(numerators, np.round(numerators))


# --- the kernel file -----------------------------------------------------------------------


def test_kernel_file_round_trip(tmp_path):
    kernels = {"my edge": parse_kernel("1,0,-1;2,0,-2;1,0,-1"), "soft": PRESETS["gaussian 5x5"]}
    path = tmp_path / "kernels.json"
    save_kernels(path, kernels)
    content = json.loads(path.read_text())
    assert content["version"] == 1 and list(content["kernels"]) == ["my edge", "soft"]
    loaded = load_kernels(path)
    assert list(loaded) == ["my edge", "soft"]
    for name in kernels:
        np.testing.assert_array_equal(loaded[name], kernels[name])
        assert loaded[name].dtype == np.float64


def test_saving_a_bad_kernel_is_refused_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="'wide'"):
        save_kernels(tmp_path / "k.json", {"wide": np.ones((3, 4))})
    assert list(tmp_path.iterdir()) == []


def test_kernel_file_is_replaced_atomically(tmp_path, monkeypatch):
    path = tmp_path / "k.json"
    save_kernels(path, {"a": PRESETS["blur"]})
    monkeypatch.setattr(json, "dumps", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        save_kernels(path, {"b": PRESETS["emboss"]})
    monkeypatch.undo()
    assert list(load_kernels(path)) == ["a"]
    assert [p.name for p in tmp_path.iterdir()] == ["k.json"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2, 3]", "no \"kernels\" section"),
        ('{"version": 1}', "no \"kernels\" section"),
        ('{"kernels": {"k": [[1, 2], [3, 4]]}, "version": 1}', "'k' is unusable: a kernel must be 3×3 or 5×5"),
        ('{"kernels": {"k": [[1, 2, 3], [4, 5], [7, 8, 9]]}, "version": 1}', "'k' is unusable"),
        ('{"kernels": {"k": [["a", 2, 3], [4, 5, 6], [7, 8, 9]]}, "version": 1}', "'k' is unusable"),
        ('{"kernels": {"k": 5}, "version": 1}', "'k' is unusable"),
        ('{"kernels": {}, "version": 7}', "version 7"),
    ],
)
def test_bad_kernel_files(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(KernelFileError) as caught:
        load_kernels(path)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_missing_folder_and_binary_kernel_files(tmp_path):
    with pytest.raises(KernelFileError, match="cannot read kernel file .*nope.json: there is no such file"):
        load_kernels(tmp_path / "nope.json")
    with pytest.raises(KernelFileError, match="it is a folder"):
        load_kernels(tmp_path)
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(KernelFileError, match="^bin.json is not a kernel file: it is not text$"):
        load_kernels(tmp_path / "bin.json")


# --- limits --------------------------------------------------------------------------------

def test_a_weight_of_a_million_is_the_largest_accepted():
    assert parse_weight("1000000") == 1e6 and parse_weight("−1e6") == -1e6
    for text in ("1000000.5", "1e40", "1e308", "-2e300"):
        with pytest.raises(ValueError, match="too large"):
            parse_weight(text)


def test_divisors_between_a_millionth_and_a_million_either_sign():
    for divisor in (1e-6, -1e-6, 16, -256, 1e6):
        assert check_divisor(divisor) == divisor
    with pytest.raises(ValueError, match="must not be 0"):
        check_divisor(0)
    for divisor in (1e-300, 9.9e-7, 1.1e6, -1e40):
        with pytest.raises(ValueError, match="between 1e-06 and 1,000,000"):
            check_divisor(divisor)


def test_kernel_files_refuse_values_beyond_the_limit(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"kernels": {"huge": [[0, 0, 0], [0, 1e40, 0], [0, 0, 0]]}, "version": 1}))
    with pytest.raises(KernelFileError, match="at most 1e\\+12"):
        load_kernels(path)
    with pytest.raises(ValueError, match="at most 1e\\+12"):
        check_kernel(np.eye(3) * 2e12)
    assert check_kernel(np.eye(3) * MAX_KERNEL_VALUE)[1, 1] == 1e12
