"""A whole training run in one ``.npz`` (numpy only, no pickles): the config, the checkpoint history,
the curves and the settings, so that loading it restores the timeline.

Entries (each an ``.npy`` in the zip, as :func:`numpy.savez` writes them):

- ``run``: uint8, the UTF-8 of a JSON object ``{"format": "kernelplay-run", "version": 1,
  "config": …, "max_bytes": …, "checkpoints": K, "parameters": P, "curve_points": N,
  "heldout_points": M, "steps": bool, "learning_rates": bool, "settings": {…}}``;
- ``checkpoint_steps``, ``checkpoint_samples``: int64 ``(K,)``; ``checkpoint_weights``: float32
  ``(K, P)``, each row every parameter in the order of :meth:`NetworkConfig.param_shapes`;
- ``curve_samples`` int64, ``curve_loss``, ``curve_accuracy`` float64 ``(N,)``;
  ``heldout_samples`` int64, ``heldout_accuracy`` float64 ``(M,)``; and when known
  ``curve_steps`` int64, ``curve_learning_rates`` float64 ``(N,)``.

Reading checks every entry's declared shape and dtype against the JSON (and the bytes the zip
holds) before reading it, so a damaged file costs a sentence, not a huge allocation.
"""
from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kernelplay.common.files import ZIP_DAMAGE, open_user_file, open_zip_archive, parse_json, write_atomically
from kernelplay.nn.checkpoints import CheckpointHistory
from kernelplay.nn.config import NetworkConfig

__all__ = ["RunCurves", "TrainingRun", "RunFileError", "write_run_file", "read_run_file"]

FORMAT = "kernelplay-run"
FORMAT_VERSION = 1
_META = "run"
_MAX_META_BYTES = 2 ** 20
_MAX_CAP_BYTES = 2 ** 28  # a file asking for a larger history than this is not one of ours (the app's is 64 MiB)
MAX_RUN_BYTES = _MAX_CAP_BYTES + 2 ** 26  # the largest history plus curves and settings
_MAX_DIRECTORY_BYTES = 65_536  # about 100 bytes an entry; a run has 13 entries
_INT, _FLOAT, _WEIGHT = np.dtype(np.int64), np.dtype(np.float64), np.dtype(np.float32)


class RunFileError(ValueError):
    """A training-run file that cannot be read; the message says what is wrong."""


def _frozen(values, dtype) -> np.ndarray:
    a = np.array(values, dtype=dtype).reshape(-1)
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class RunCurves:
    """The curves' points: ``samples`` (digits seen), running ``loss`` and ``accuracy`` ``(N,)``;
    the held-out evaluations ``heldout_samples`` / ``heldout_accuracy`` ``(M,)``; and, when the
    recorder kept them, each point's ``steps`` and ``learning_rates`` ``(N,)`` (else None)."""

    samples: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    heldout_samples: np.ndarray
    heldout_accuracy: np.ndarray
    steps: np.ndarray | None = None
    learning_rates: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name, dtype in (("samples", _INT), ("loss", _FLOAT), ("accuracy", _FLOAT), ("heldout_samples", _INT),
                            ("heldout_accuracy", _FLOAT), ("steps", _INT), ("learning_rates", _FLOAT)):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _frozen(value, dtype))
        n = len(self.samples)
        wrong = [f"{name} has {len(getattr(self, name))}" for name in ("loss", "accuracy", "steps", "learning_rates")
                 if getattr(self, name) is not None and len(getattr(self, name)) != n]
        if len(self.heldout_accuracy) != len(self.heldout_samples):
            wrong.append(f"heldout_accuracy has {len(self.heldout_accuracy)} for {len(self.heldout_samples)} held-out points")
        if wrong:
            raise ValueError(f"the curves have {n} points but {', '.join(wrong)}")

    @classmethod
    def from_history(cls, history, *, steps=None, learning_rates=None) -> "RunCurves":
        """From a :class:`~kernelplay.nn.snapshot.CurveHistory` (its ``samples``, ``loss``,
        ``accuracy``, ``heldout_samples``, ``heldout_accuracy``, and each point's ``steps`` and
        ``learning_rates``), or from anything with the first five and the other two given. Steps
        are left out when any is unknown (-1: points read from a file without them)."""
        if steps is None:
            steps = getattr(history, "steps", None)
            if steps is not None and any(step < 0 for step in steps):
                steps = None
        if learning_rates is None:
            learning_rates = getattr(history, "learning_rates", None)
        return cls(history.samples, history.loss, history.accuracy, history.heldout_samples,
                   history.heldout_accuracy, steps, learning_rates)

    @classmethod
    def empty(cls) -> "RunCurves":
        return cls([], [], [], [], [])

    def __len__(self) -> int:
        return len(self.samples)

    def until(self, samples_seen: int) -> "RunCurves":
        """The points at or before ``samples_seen`` digits (for "resume from here")."""
        keep = self.samples <= samples_seen
        held = self.heldout_samples <= samples_seen
        return RunCurves(self.samples[keep], self.loss[keep], self.accuracy[keep], self.heldout_samples[held],
                         self.heldout_accuracy[held], None if self.steps is None else self.steps[keep],
                         None if self.learning_rates is None else self.learning_rates[keep])


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """What a run file holds: the checkpoints (and through them the config), the curves, and
    ``settings``, any JSON object the caller wants back (learning rate, optimiser, …)."""

    checkpoints: CheckpointHistory
    curves: RunCurves
    settings: dict = field(default_factory=dict)

    @property
    def config(self) -> NetworkConfig:
        return self.checkpoints.config


def _curve_arrays(curves: RunCurves) -> dict[str, np.ndarray]:
    arrays = {"curve_samples": curves.samples, "curve_loss": curves.loss, "curve_accuracy": curves.accuracy,
              "heldout_samples": curves.heldout_samples, "heldout_accuracy": curves.heldout_accuracy}
    if curves.steps is not None:
        arrays["curve_steps"] = curves.steps
    if curves.learning_rates is not None:
        arrays["curve_learning_rates"] = curves.learning_rates
    return arrays


def write_run_file(path: str | os.PathLike, run: TrainingRun) -> Path:
    """Write ``run`` to ``path`` (``.npz``) atomically; returns the path. The checkpoints' weights
    are streamed into the file one row at a time, not stacked into one more copy first."""
    history, curves = run.checkpoints, run.curves
    try:
        settings = json.loads(json.dumps(run.settings, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the settings must be a JSON object: {exc}") from None
    if not isinstance(settings, dict):
        raise ValueError(f"the settings must be a JSON object, got {type(run.settings).__name__}")
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "config": json.loads(history.config.to_json()),
            "max_bytes": history.max_bytes, "checkpoints": len(history),
            "parameters": history.config.parameter_count, "curve_points": len(curves),
            "heldout_points": len(curves.heldout_samples), "steps": curves.steps is not None,
            "learning_rates": curves.learning_rates is not None, "settings": settings}
    small = {_META: np.frombuffer(json.dumps(meta).encode("utf-8"), np.uint8),
             "checkpoint_steps": np.array([c.step for c in history], _INT),
             "checkpoint_samples": np.array([c.samples_seen for c in history], _INT), **_curve_arrays(curves)}

    def write(stream) -> None:
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            for name, array in small.items():
                with zf.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, array, allow_pickle=False)
            with zf.open("checkpoint_weights.npy", "w", force_zip64=True) as member:
                header = {"descr": np.lib.format.dtype_to_descr(_WEIGHT), "fortran_order": False,
                          "shape": (len(history), history.config.parameter_count)}
                np.lib.format.write_array_header_1_0(member, header)
                for checkpoint in history:
                    member.write(checkpoint.weights.astype(_WEIGHT.newbyteorder("<"), copy=False).tobytes())

    return write_atomically(path, write)


def _expected_entries(meta: dict, config: NetworkConfig) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    k, p = meta["checkpoints"], config.parameter_count
    n, m = meta["curve_points"], meta["heldout_points"]
    entries = {"checkpoint_steps": ((k,), _INT), "checkpoint_samples": ((k,), _INT),
               "checkpoint_weights": ((k, p), _WEIGHT), "curve_samples": ((n,), _INT),
               "curve_loss": ((n,), _FLOAT), "curve_accuracy": ((n,), _FLOAT),
               "heldout_samples": ((m,), _INT), "heldout_accuracy": ((m,), _FLOAT)}
    if meta["steps"]:
        entries["curve_steps"] = ((n,), _INT)
    if meta["learning_rates"]:
        entries["curve_learning_rates"] = ((n,), _FLOAT)
    return entries


def _read_entry(zf: zipfile.ZipFile, name: str, shape: tuple[int, ...] | None, dtype: np.dtype) -> np.ndarray:
    """Entry ``name``, after checking that its header declares ``shape`` (any 1-D when None) and a
    ``dtype`` of the same kind and size, and that the zip holds that many bytes."""
    info = zf.getinfo(f"{name}.npy")
    with zf.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f"entry {name} has .npy format version {version}")
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        try:
            found_shape, _, found_dtype = read_header(member)
        except (ValueError, TypeError, SyntaxError):  # numpy's own words would reach the user
            raise ValueError(f"entry {name} has a damaged .npy header") from None
        header_bytes = member.tell()
    if (found_dtype.kind, found_dtype.itemsize) != (dtype.kind, dtype.itemsize):
        raise ValueError(f"entry {name} holds {found_dtype}, expected {dtype}")
    if (shape is None and len(found_shape) != 1) or (shape is not None and found_shape != shape):
        raise ValueError(f"entry {name} has shape {found_shape}, expected {shape or '(N,)'}")
    if header_bytes + int(np.prod(found_shape)) * dtype.itemsize != info.file_size:
        raise ValueError(f"entry {name} is {info.file_size:,} bytes, not what its shape {found_shape} needs")
    with zf.open(info) as member:
        return np.lib.format.read_array(member, allow_pickle=False).astype(dtype, copy=False)


def _read_meta(zf: zipfile.ZipFile) -> tuple[dict, NetworkConfig]:
    if zf.getinfo(f"{_META}.npy").file_size > _MAX_META_BYTES:
        raise ValueError(f"its '{_META}' entry is larger than {_MAX_META_BYTES:,} bytes")
    meta = parse_json(_read_entry(zf, _META, None, np.dtype(np.uint8)).tobytes())
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"format is {meta.get('format') if isinstance(meta, dict) else meta!r}, expected {FORMAT!r}")
    if meta.get("version") != FORMAT_VERSION:
        raise ValueError(f"format version {meta.get('version')!r} is not {FORMAT_VERSION} (a newer kernelplay?)")
    config = NetworkConfig.from_json(json.dumps(meta["config"]))
    for key in ("checkpoints", "parameters", "curve_points", "heldout_points", "max_bytes"):
        if type(meta.get(key)) is not int or meta[key] < 0:
            raise ValueError(f"'{key}' must be a non-negative integer, got {meta.get(key)!r}")
    if meta["parameters"] != config.parameter_count:
        raise ValueError(f"it says {meta['parameters']:,} parameters but its config has {config.parameter_count:,}")
    if not meta["max_bytes"] <= _MAX_CAP_BYTES:
        raise ValueError(f"its history cap of {meta['max_bytes']:,} bytes is over {_MAX_CAP_BYTES:,}")
    if type(meta.get("steps")) is not bool or type(meta.get("learning_rates")) is not bool \
            or not isinstance(meta.get("settings"), dict):
        raise ValueError("'steps' and 'learning_rates' must be true or false and 'settings' an object")
    return meta, config


def _check_values(arrays: dict[str, np.ndarray], history: CheckpointHistory) -> None:
    steps, samples = arrays["checkpoint_steps"], arrays["checkpoint_samples"]
    if len(steps) > history.capacity:
        raise ValueError(f"{len(steps)} checkpoints is more than its cap holds ({history.capacity})")
    if np.any(steps < 0) or np.any(np.diff(steps) <= 0) or np.any(samples < 0) or np.any(np.diff(samples) < 0):
        raise ValueError("the checkpoints' steps must rise and their digit counts must not fall")
    if not np.all(np.isfinite(arrays["checkpoint_weights"])):
        raise ValueError("checkpoint weights contain NaN or infinite values")
    if np.any(arrays["curve_samples"] < 0) or np.any(arrays["heldout_samples"] < 0):
        raise ValueError("the curves count a negative number of digits")


def read_run_file(path: str | os.PathLike) -> TrainingRun:
    """The :class:`TrainingRun` in a file written by :func:`write_run_file`. Raises
    :class:`RunFileError` with a sentence saying what is wrong with a damaged or foreign file."""
    path = Path(path)
    with open_user_file(path, "training run", RunFileError, MAX_RUN_BYTES) as stream, \
            open_zip_archive(stream, path, "training run", RunFileError, _MAX_DIRECTORY_BYTES) as zf:
        return _read_run(zf, path)


def _read_run(zf: zipfile.ZipFile, path: Path) -> TrainingRun:
    """The run in the open archive ``zf`` of the file at ``path``: each entry checked before it is read."""
    try:
        names = {n[:-4] for n in zf.namelist() if n.endswith(".npy")}
        if _META not in names:
            raise ValueError(f"it has no '{_META}' entry")
        meta, config = _read_meta(zf)
        expected = _expected_entries(meta, config)
        missing = sorted(set(expected) - names)
        extra = sorted(names - set(expected) - {_META})
        if missing or extra:
            raise ValueError(f"it lacks the entries {', '.join(missing)}" if missing
                             else f"it has unexpected entries {', '.join(extra)}")
        arrays = {name: _read_entry(zf, name, shape, dtype) for name, (shape, dtype) in expected.items()}
        history = CheckpointHistory(config, max_bytes=meta["max_bytes"])
        _check_values(arrays, history)
        for step, samples, weights in zip(arrays["checkpoint_steps"], arrays["checkpoint_samples"],
                                          arrays["checkpoint_weights"]):
            history.add(step, samples, weights)
        curves = RunCurves(arrays["curve_samples"], arrays["curve_loss"], arrays["curve_accuracy"],
                           arrays["heldout_samples"], arrays["heldout_accuracy"], arrays.get("curve_steps"),
                           arrays.get("curve_learning_rates"))
    except UnicodeDecodeError:
        raise RunFileError(f"{path} is not a readable kernelplay training run: its description is not text") from None
    except ValueError as exc:  # the sentences of the checks above
        raise RunFileError(f"{path} is not a readable kernelplay training run: {exc}") from None
    except (*ZIP_DAMAGE, KeyError, TypeError):  # zipfile's and zlib's words are not for the user
        raise RunFileError(f"{path} is not a readable kernelplay training run: its data is damaged") from None
    return TrainingRun(history, curves, meta["settings"])
