"""A training run saved to one .npz and loaded back: checkpoints, curves, settings; damaged files."""
import json
import zipfile

import numpy as np
import pytest

from synthetic_digits import SMALL, bar_digits
from kernelplay import Network, train
from kernelplay.nn.checkpoints import CheckpointHistory
from kernelplay.nn.model_file import write_model_file
from kernelplay.nn.run_file import RunCurves, RunFileError, TrainingRun, read_run_file, write_run_file
from kernelplay.nn.snapshot import CurveHistory


@pytest.fixture(scope="module")
def run():
    """A short real run: a checkpoint at every snapshot, the curves a viewer keeps."""
    history = CheckpointHistory(SMALL, max_bytes=6 * SMALL.parameter_count * 4)
    curves = CurveHistory()
    steps, rates = [], []
    for snap in train(Network(SMALL, seed=2, threads=1), bar_digits(n_train=64, n_heldout=20), steps=40,
                      snapshot_every=4, evaluate_every=8, batch_size=16, include_weights=True, augment=False):
        history.add(snap.step, snap.samples_seen, snap.weights)
        before = len(curves)
        curves.add(snap)
        if len(curves) > before:
            steps.append(snap.step)
            rates.append(snap.learning_rate)
    recorded = RunCurves.from_history(curves, steps=steps, learning_rates=rates)
    return TrainingRun(history, recorded, {"learning_rate": 1e-3, "optimizer": "adam"})


def test_a_saved_run_loads_back(tmp_path, run):
    path = write_run_file(tmp_path / "run.npz", run)
    again = read_run_file(path)
    assert again.config == SMALL and again.settings == {"learning_rate": 1e-3, "optimizer": "adam"}
    assert len(run.checkpoints) == 6 and again.checkpoints.steps == run.checkpoints.steps
    assert again.checkpoints.max_bytes == run.checkpoints.max_bytes
    for a, b in zip(again.checkpoints, run.checkpoints):
        assert a.samples_seen == b.samples_seen
        np.testing.assert_array_equal(a.weights, b.weights)
    for name in ("samples", "loss", "accuracy", "heldout_samples", "heldout_accuracy", "steps", "learning_rates"):
        np.testing.assert_array_equal(getattr(again.curves, name), getattr(run.curves, name))
    assert len(run.curves) == 10 and len(run.curves.heldout_samples) == 6


def test_the_file_is_a_plain_npz_without_pickles(tmp_path, run):
    path = write_run_file(tmp_path / "run.npz", run)
    with np.load(path, allow_pickle=False) as npz:
        assert npz["checkpoint_weights"].shape == (6, SMALL.parameter_count)
        meta = json.loads(npz["run"].tobytes())
        np.testing.assert_array_equal(npz["checkpoint_weights"][-1], run.checkpoints.latest.weights)
    assert meta["format"] == "kernelplay-run" and meta["checkpoints"] == 6


def test_an_empty_run_and_one_without_steps(tmp_path):
    empty = TrainingRun(CheckpointHistory(SMALL), RunCurves.empty())
    again = read_run_file(write_run_file(tmp_path / "empty.npz", empty))
    assert len(again.checkpoints) == 0 and len(again.curves) == 0 and again.curves.steps is None


def test_curves_until_a_checkpoint(run):
    cut = run.curves.until(160)
    assert cut.samples.max() <= 160 and len(cut.steps) == len(cut) == np.count_nonzero(run.curves.samples <= 160)
    assert cut.heldout_samples.max() <= 160


def test_settings_must_be_json(tmp_path, run):
    with pytest.raises(ValueError, match="JSON object"):
        write_run_file(tmp_path / "x.npz", TrainingRun(run.checkpoints, run.curves, {"f": object()}))


def rewrite(source, target, change):
    """Copy the zip ``source`` to ``target`` through ``change(name, data) -> data``."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
    return target


def test_damaged_files_give_a_sentence(tmp_path, run):
    good = write_run_file(tmp_path / "run.npz", run)
    data = good.read_bytes()
    (tmp_path / "truncated.npz").write_bytes(data[: len(data) // 2])
    (tmp_path / "junk.npz").write_bytes(b"not a zip at all")
    write_model_file(tmp_path / "model.npz", SMALL, Network(SMALL).params)

    def more_checkpoints(name, blob):
        if name != "run.npy":
            return blob
        text = blob.decode("latin-1").replace('"checkpoints": 6', '"checkpoints": 7')
        return text.encode("latin-1")

    def short_weights(name, blob):
        return blob[:-100] if name == "checkpoint_weights.npy" else blob

    def nan_weights(name, blob):
        return blob[:-4] + np.float32(np.nan).tobytes() if name == "checkpoint_weights.npy" else blob

    rewrite(good, tmp_path / "more.npz", more_checkpoints)
    rewrite(good, tmp_path / "short.npz", short_weights)
    rewrite(good, tmp_path / "nan.npz", nan_weights)
    rewrite(good, tmp_path / "lacking.npz", lambda name, blob: None if name == "curve_loss.npy" else blob)
    expected = {
        "missing.npz": "cannot read training run",
        ".": "it is a folder",
        "truncated.npz": "not a kernelplay training run",
        "junk.npz": "not a kernelplay training run",
        "model.npz": "no 'run' entry",
        "more.npz": r"checkpoint_steps has shape \(6,\), expected \(7,\)",
        "short.npz": "not what its shape",
        "nan.npz": "NaN",
        "lacking.npz": "lacks the entries curve_loss",
    }
    for name, message in expected.items():
        with pytest.raises(RunFileError, match=message) as caught:
            read_run_file(tmp_path / name)
        assert "\n" not in str(caught.value)
