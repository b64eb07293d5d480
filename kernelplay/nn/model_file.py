"""The model file: a network's config and weights in one ``.npz``, no pickles (numpy only).

Arrays carry PyTorch's ``state_dict`` names and shapes (``conv1.weight`` ``(16, 1, 5, 5)``, …,
``fc1.weight`` ``(128, 1764)``, float32), so a saved model loads into PyTorch with one line; the
entry ``__config__`` is a JSON string ``{"format": "kernelplay-cnn", "version": 1, "config": …,
"frozen_channels": […]}`` (the conv1 channels training leaves unchanged; absent in older files).
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kernelplay.common.files import write_atomically
from kernelplay.nn.config import NetworkConfig

__all__ = ["ModelFileError", "SavedModel", "write_model_file", "read_model", "read_model_file", "CONFIG_KEY"]

CONFIG_KEY = "__config__"
FORMAT = "kernelplay-cnn"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A model file that cannot be read: not an ``.npz``, missing arrays, or wrong shapes."""


class SavedModel(NamedTuple):
    """What a model file holds."""

    config: NetworkConfig
    params: dict[str, np.ndarray]
    frozen_channels: tuple[int, ...]


def write_model_file(path: str | os.PathLike, config: NetworkConfig, params: dict[str, np.ndarray], *,
                     frozen_channels=()) -> Path:
    """Write ``config``, ``params`` (by name) and the frozen conv1 channels to ``path`` atomically;
    returns the path."""
    arrays = {name: np.asarray(value, dtype=np.float32) for name, value in params.items()}
    meta = json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "config": json.loads(config.to_json()),
                       "frozen_channels": [int(c) for c in frozen_channels]})
    arrays[CONFIG_KEY] = np.array(meta)
    return write_atomically(path, lambda stream: np.savez(stream, **arrays))


def read_model_file(path: str | os.PathLike) -> tuple[NetworkConfig, dict[str, np.ndarray]]:
    """(config, parameters by name) from a file written by :func:`write_model_file` (see :func:`read_model`)."""
    saved = read_model(path)
    return saved.config, saved.params


def read_model(path: str | os.PathLike) -> SavedModel:
    """Config, parameters by name and frozen channels from a file written by :func:`write_model_file`.
    Raises :class:`ModelFileError` saying what is wrong for a corrupt file, a missing array or a wrong shape."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {path}: {exc.strerror or exc}") from exc
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise ModelFileError(f"{path} is not a kernelplay model file (.npz): {exc}") from exc
    if CONFIG_KEY not in arrays:
        raise ModelFileError(f"{path} has no '{CONFIG_KEY}' entry: not a kernelplay model file")
    try:
        meta = json.loads(str(arrays.pop(CONFIG_KEY)))
        if meta.get("format") != FORMAT:
            raise ValueError(f"format is {meta.get('format')!r}, expected {FORMAT!r}")
        config = NetworkConfig.from_json(json.dumps(meta["config"]))
        frozen = meta.get("frozen_channels", [])
        if not (isinstance(frozen, list) and all(type(c) is int and 0 <= c < config.channels[0] for c in frozen)
                and len(set(frozen)) == len(frozen)):
            raise ValueError(f"frozen_channels must list distinct conv1 channels, got {frozen!r}")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ModelFileError(f"{path} has an invalid config entry: {exc}") from exc
    shapes = config.param_shapes()
    missing = [k for k in shapes if k not in arrays]
    if missing:
        raise ModelFileError(f"{path} lacks the arrays {', '.join(missing)}")
    extra = [k for k in arrays if k not in shapes]
    if extra:
        raise ModelFileError(f"{path} has unexpected arrays {', '.join(extra)}")
    for name, shape in shapes.items():
        a = arrays[name]
        if a.shape != shape:
            raise ModelFileError(f"{path}: {name} has shape {a.shape}, but the config needs {shape}")
        if not np.issubdtype(a.dtype, np.floating):
            raise ModelFileError(f"{path}: {name} has dtype {a.dtype}, expected floats")
        if not np.all(np.isfinite(a)):
            raise ModelFileError(f"{path}: {name} contains NaN or infinite values")
    return SavedModel(config, arrays, tuple(sorted(frozen)))
