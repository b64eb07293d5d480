"""``kernelplay train`` headless: budget, progress, final accuracy, saved model, IDX data, errors."""
import gzip

import numpy as np

from kernelplay import Network
from kernelplay.__main__ import main


def write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    path.write_bytes(gzip.compress(header + array.tobytes()))


def test_train_for_seconds_saves_a_loadable_model(tmp_path, capsys):
    path = tmp_path / "model.npz"
    assert main(["train", "--seconds", "0.5", "--seed", "1", "--save", str(path), "--channels", "4,8",
                 "--fc-width", "16"]) == 0
    out, err = capsys.readouterr()
    assert "time budget of 0.5 s used" in out
    assert "held-out accuracy:" in out and "(2,000 digits)" in out
    assert "[" in err and "samples/s" in err  # the progress bar
    net = Network.load(path)
    assert net.config.channels == (4, 8) and net.config.fc_width == 16


def test_train_epochs_on_idx_files(tmp_path, capsys):
    rng = np.random.default_rng(0)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (120, 28, 28), dtype=np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", (np.arange(120) % 10).astype(np.uint8))
    assert main(["train", "--data", str(tmp_path), "--epochs", "1", "--batch-size", "25", "--optimizer", "sgd",
                 "--lr", "0.01", "--channels", "2", "--kernel-size", "3", "--fc-width", "8"]) == 0
    out, _ = capsys.readouterr()
    assert "1 epoch done" in out and "100 training / 20 held-out" in out and "MNIST IDX files" in out


def test_train_reports_bad_input(tmp_path, capsys):
    assert main(["train", "--data", str(tmp_path), "--epochs", "1"]) == 2
    assert "no MNIST training files" in capsys.readouterr().err
    assert main(["train", "--channels", "8,99", "--epochs", "1"]) == 2
    assert "64 channels" in capsys.readouterr().err
    (tmp_path / "bad.npz").write_bytes(b"junk")
    assert main(["train", "--load", str(tmp_path / "bad.npz")]) == 2
    assert "not a kernelplay model" in capsys.readouterr().err


def test_diverging_run_says_why(capsys):
    assert main(["train", "--seconds", "2", "--lr", "50", "--optimizer", "sgd", "--channels", "4",
                 "--fc-width", "8", "--no-decay"]) == 1
    assert "diverged" in capsys.readouterr().out
