"""Exports: the kernels' animation (frames, size, the step written), curves and confusion as CSV."""
import csv
import io

import numpy as np
import pytest
from PIL import Image, ImageSequence

from synthetic_digits import SMALL
from kernelplay.nn.checkpoints import CheckpointHistory
from kernelplay.nn.exports import (
    confusion_csv,
    curves_csv,
    kernel_frames,
    write_confusion_csv,
    write_curves_csv,
    write_kernel_animation,
)
from kernelplay.nn.run_file import RunCurves


@pytest.fixture
def history():
    rng = np.random.default_rng(0)
    history = CheckpointHistory(SMALL)  # conv1: 4 kernels 3×3
    for step in (0, 1, 5, 40, 300):
        history.add(step, 16 * step, rng.normal(0, 0.1 + step / 300, SMALL.parameter_count))
    return history


def test_frames_count_and_size(history):
    frames = kernel_frames(history, cell=10, gap=3)
    assert len(frames) == 5
    # 4 kernels in one row: width 4·(3·10 + 3) + 3; height caption 22 + 1·(30 + 3) + 3
    assert {f.size for f in frames} == {(4 * 33 + 3, 22 + 33 + 3)}
    assert {f.mode for f in frames} == {"RGB"}
    two_rows = kernel_frames(history, cell=10, gap=3, columns=2)
    assert two_rows[0].size == (2 * 33 + 3, 22 + 2 * 33 + 3)


def test_the_squares_are_the_weights_on_one_scale_for_the_run(history):
    frames = kernel_frames(history, cell=10, gap=3)
    first = np.asarray(frames[0])
    weights = history[0].params["conv1.weight"]
    limit = max(np.abs(c.params["conv1.weight"]).max() for c in history)
    from kernelplay.common.colormaps import diverging_rgb

    # kernel 0, weight (1, 2): row 22 + 3 + 10 + 5, column 3 + 20 + 5
    np.testing.assert_array_equal(first[22 + 3 + 15, 3 + 25], diverging_rgb(weights[0, 0, 1, 2], limit))


def test_the_step_is_written_on_each_frame(history):
    frames = kernel_frames(history, cell=10, gap=3)
    captions = [np.asarray(f)[:22] for f in frames]
    assert all((c < 128).any() for c in captions)  # dark text on the white band
    assert not np.array_equal(captions[1], captions[2])  # "step 1" is not "step 5"


def test_gif_and_apng_files(tmp_path, history):
    gif = write_kernel_animation(tmp_path / "kernels.gif", history, cell=10, gap=3, frame_ms=100, hold_last_ms=900)
    with Image.open(gif) as image:
        assert image.format == "GIF" and image.n_frames == 5 and image.size == (135, 58)
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(image)]
    assert durations == [100, 100, 100, 100, 900]
    with Image.open(gif) as image:  # one palette for all frames, close to the RGB frames
        image.seek(3)
        decoded = np.asarray(image.convert("RGB"), dtype=int)
    expected = np.asarray(kernel_frames(history, cell=10, gap=3)[3], dtype=int)
    assert np.abs(decoded - expected).max() <= 8
    apng = write_kernel_animation(tmp_path / "kernels.png", history, cell=10, gap=3)
    with Image.open(apng) as image:
        assert image.format == "PNG" and image.n_frames == 5
    with pytest.raises(ValueError, match="must end in"):
        write_kernel_animation(tmp_path / "kernels.jpg", history)
    with pytest.raises(ValueError, match="no layer 'conv7'"):
        kernel_frames(history, layer="conv7")


def test_curves_csv_merges_the_held_out_points():
    curves = RunCurves(samples=[64, 128, 192], loss=[2.3, 1.5, 0.9], accuracy=[0.1, 0.5, 0.75],
                       heldout_samples=[128, 160], heldout_accuracy=[0.625, 0.7],
                       steps=[1, 2, 3], learning_rates=[1e-3, 1e-3, 5e-4])
    rows = list(csv.reader(io.StringIO(curves_csv(curves))))
    assert rows == [
        ["step", "digits seen", "loss", "running accuracy", "held-out accuracy", "learning rate"],
        ["1", "64", "2.3", "0.1", "", "0.001"],
        ["2", "128", "1.5", "0.5", "0.625", "0.001"],
        ["", "160", "", "", "0.7", ""],
        ["3", "192", "0.9", "0.75", "", "0.0005"],
    ]


def test_curves_csv_without_steps_or_learning_rates(tmp_path):
    curves = RunCurves([64], [2.25], [0.125], [], [])
    path = write_curves_csv(tmp_path / "curves.csv", curves)
    assert path.read_text() == "digits seen,loss,running accuracy,held-out accuracy\n64,2.25,0.125,\n"


def test_confusion_csv(tmp_path):
    matrix = np.arange(100).reshape(10, 10)
    path = write_confusion_csv(tmp_path / "confusion.csv", matrix)
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["true\\predicted"] + [str(d) for d in range(10)]
    assert rows[5] == ["4"] + [str(v) for v in range(40, 50)]
    assert len(rows) == 11
    assert confusion_csv(matrix) == path.read_text()
    with pytest.raises(ValueError, match="10×10"):
        confusion_csv(np.zeros((9, 10)))
