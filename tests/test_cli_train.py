"""``kernelplay train`` headless: budget, progress, final accuracy, saved model, IDX data, errors,
Ctrl+C."""
import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

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
    (tmp_path / "bad.npz").write_bytes(b"junk")
    assert main(["train", "--load", str(tmp_path / "bad.npz")]) == 2
    assert "not a kernelplay model" in capsys.readouterr().err


def test_diverging_run_says_why(capsys):
    assert main(["train", "--seconds", "2", "--lr", "50", "--optimizer", "sgd", "--channels", "4",
                 "--fc-width", "8", "--no-decay"]) == 1
    assert "diverged" in capsys.readouterr().out


@pytest.mark.parametrize("argument, value, sentence", [
    ("--epochs", "nan", "epochs must be a number greater than 0"),
    ("--epochs", "0", "epochs must be a number greater than 0"),
    ("--epochs", "1e308", "at most 10,000"),
    ("--seconds", "nan", "seconds must be a number greater than 0"),
    ("--seconds", "inf", "seconds must be a number greater than 0"),
    ("--seconds", "-1", "seconds must be a number greater than 0"),
    ("--seconds", "ten", "seconds must be a number"),
    ("--lr", "nan", "learning rate must be a number greater than 0"),
    ("--lr", "1e9", "at most 100"),
    ("--momentum", "nan", "momentum must be a number from 0"),
    ("--momentum", "1", "below 1"),
    ("--weight-decay", "inf", "weight decay must be a number from 0"),
    ("--batch-size", "0", "batch size must be a whole number from 1 to 1,024"),
    ("--batch-size", "1e3", "batch size must be a whole number"),
    ("--batch-size", "99999999999999999999999", "batch size must be a whole number from 1 to 1,024"),
    ("--fc-width", "0", "FC width must be a whole number from 1 to 1,024"),
    ("--fc-width", "-5", "FC width must be a whole number from 1 to 1,024"),
    ("--seed", "-1", "seed must be a whole number from 0"),
    ("--channels", "8,99", "1 to 64 channels"),
    ("--channels", "a,b", "1 to 64 channels"),
    ("--channels", "4,4,4,4", "1 to 3 conv stages"),
    ("--channels", "", "1 to 3 conv stages"),
])
def test_numbers_out_of_range_exit_2_with_a_sentence(argument, value, sentence, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", f"{argument}={value}"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert sentence in err and "Traceback" not in err


@pytest.mark.parametrize("where", ["missing folder", "a folder", "not a file"])
def test_an_unusable_save_path_is_refused_before_training(where, tmp_path, capsys):
    path = {"missing folder": tmp_path / "nowhere" / "m.npz", "a folder": tmp_path,
            "not a file": Path(os.devnull)}[where]
    started = time.monotonic()
    assert main(["train", "--seconds", "30", "--save", str(path)]) == 2
    assert time.monotonic() - started < 5  # refused at once, not after 30 s of training
    out, err = capsys.readouterr()
    assert str(path) in err and ".tmp" not in err and "samples/s" not in err
    assert {"missing folder": "there is no folder", "a folder": "is a folder",
            "not a file": "not a regular file"}[where] in err


def test_a_save_that_fails_after_training_lands_in_the_working_folder(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "models"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.npz").write_bytes(b"someone else's file")
    real_save = Network.save

    def save_after_the_folder_vanished(network, path):
        shutil.rmtree(folder, ignore_errors=True)
        return real_save(network, path)

    monkeypatch.setattr(Network, "save", save_after_the_folder_vanished)
    assert main(["train", "--seconds", "0.3", "--channels", "2", "--fc-width", "8",
                 "--save", str(folder / "m.npz")]) == 1
    out, err = capsys.readouterr()
    assert err.count("cannot save") == 1 and "m.npz" in err and ".tmp" not in err  # one sentence, the user's file
    saved = tmp_path / "m-1.npz"  # the file already there is left alone
    assert f"saved the model to {saved} instead" in err
    assert Network.load(saved).config.fc_width == 8
    assert (tmp_path / "m.npz").read_bytes() == b"someone else's file"


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_two_ctrl_c_still_save_the_model(tmp_path):
    """The second Ctrl+C lands in the final held-out check (0.7 s for this wide network): it must
    not cost the trained work."""
    path = tmp_path / "m.npz"
    run = subprocess.Popen([sys.executable, "-m", "kernelplay", "train", "--seconds", "60", "--channels", "64,64",
                            "--save", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        run.stdout.readline()  # the network's description: training starts now
        time.sleep(0.5)
        run.send_signal(signal.SIGINT)
        time.sleep(0.2)
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=60)
    finally:
        run.kill()
    assert "Traceback" not in err, err
    assert run.returncode == 0
    assert "stopped early; held-out accuracy" in out and f"saved {path}" in out
    assert Network.load(path).config.channels == (64, 64)
