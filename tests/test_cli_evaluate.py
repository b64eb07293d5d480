"""``kernelplay evaluate``: IDX files written here with a model whose answers are known, the CSV,
the bundled held-out digits, and bad input (one line, exit 2, no traceback)."""
import csv
import gzip

import numpy as np
import pytest

from synthetic_digits import SMALL
from kernelplay import Network
from kernelplay.__main__ import main

LABELS = np.array([7, 7, 3, 1, 0, 7, 3, 9], np.uint8)


def write_idx(path, array, gz):
    data = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes() + array.tobytes()
    path.write_bytes(gzip.compress(data) if gz else data)


def always_seven(path):
    """A model that reads every digit as 7: every weight 0, fc2's bias 1 for 7 alone."""
    net = Network(SMALL, seed=0)
    net.flat_params[...] = 0
    net.params["fc2.bias"][7] = 1.0
    net.save(path)
    return path


@pytest.fixture
def mnist_dir(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    images = np.random.default_rng(0).integers(0, 256, (len(LABELS), 28, 28), dtype=np.uint8)
    write_idx(folder / "t10k-images-idx3-ubyte.gz", images, gz=True)
    write_idx(folder / "t10k-labels-idx1-ubyte", LABELS, gz=False)
    return folder


def test_evaluate_idx_files_and_write_the_confusion_csv(tmp_path, mnist_dir, capsys):
    model = always_seven(tmp_path / "seven.npz")
    out_csv = tmp_path / "confusion.csv"
    assert main(["evaluate", str(model), "--data", str(mnist_dir), "--confusion", str(out_csv)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "8 test digits (MNIST test files in" in out
    assert "accuracy: 37.50 % (3 of 8 read right)" in out  # the three 7s
    assert "most confused: 3 read as 7: 2 times; 0 read as 7: 1 time; 1 read as 7: 1 time; 9 read as 7: 1 time" in out
    assert "rows: true digit, columns: predicted" in out
    rows = list(csv.reader(out_csv.open()))
    assert rows[0] == ["true\\predicted", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
    assert [row[0] for row in rows[1:]] == [str(d) for d in range(10)]
    counts = np.array([[int(v) for v in row[1:]] for row in rows[1:]])
    expected = np.zeros((10, 10), int)
    expected[[0, 1, 3, 7, 9], 7] = [1, 1, 2, 3, 1]  # by hand: each true digit's count, all in column 7
    np.testing.assert_array_equal(counts, expected)


def test_evaluate_on_the_bundled_held_out_digits(tmp_path, capsys):
    model = always_seven(tmp_path / "seven.npz")
    assert main(["evaluate", str(model)]) == 0
    out = capsys.readouterr().out
    assert "2,000 held-out digits (bundled MNIST subset" in out
    # the stratified split holds 213 sevens (the held-out set's share of the bundled 12,000)
    assert "accuracy: 10.65 % (213 of 2,000 read right)" in out


@pytest.mark.parametrize("case, message", [
    ("no model", "missing.npz"),  # the sentence itself is model_file's
    ("junk model", "seven.npz"),
    ("no folder", "no such folder"),
    ("no test files", "has no MNIST test file t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]"),
    ("short labels", "8 images but t10k-labels-idx1-ubyte has 3 labels"),
    ("csv folder missing", "no folder"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, mnist_dir, capsys, case, message):
    model = always_seven(tmp_path / "seven.npz")
    data = str(mnist_dir)
    args = []
    if case == "no model":
        model = tmp_path / "missing.npz"
    elif case == "junk model":
        model.write_bytes(b"junk")
    elif case == "no folder":
        data = str(tmp_path / "nowhere")
    elif case == "no test files":
        data = str(tmp_path)
    elif case == "short labels":
        write_idx(mnist_dir / "t10k-labels-idx1-ubyte", LABELS[:3], gz=False)
    else:
        args = ["--confusion", str(tmp_path / "nowhere" / "c.csv")]
    assert main(["evaluate", str(model), "--data", data, *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err
    assert err.startswith("kernelplay evaluate: error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["evaluate", "--help"])
    assert done.value.code == 0
    assert "usage: kernelplay evaluate" in capsys.readouterr().out
