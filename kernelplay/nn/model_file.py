"""The model file: a network's config and weights in one ``.npz``, no pickles (numpy only).

Arrays carry PyTorch's ``state_dict`` names and shapes (``conv1.weight`` ``(16, 1, 5, 5)``, …,
``fc1.weight`` ``(128, 1764)``, float32), so a saved model loads into PyTorch with one line; the
entry ``__config__`` is a JSON string ``{"format": "kernelplay-cnn", "version": 1, "config": …,
"frozen_channels": […]}`` (the conv1 channels training leaves unchanged; absent in older files).
"""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.lib import format as npy_format

from kernelplay.common.files import ZIP_DAMAGE, fill_from, open_user_file, open_zip_archive, parse_json, write_atomically
from kernelplay.common.text import shortened
from kernelplay.nn.config import KERNEL_SIZES, MAX_CHANNELS, MAX_FC_WIDTH, NetworkConfig

__all__ = ["ModelFileError", "SavedModel", "write_model_file", "read_model", "read_model_file", "CONFIG_KEY"]

CONFIG_KEY = "__config__"
FORMAT = "kernelplay-cnn"
FORMAT_VERSION = 1
# The largest config (one stage of 64 channels, FC 1024: fc1 alone is 1024 × 12,544) holds 12.9 M
# parameters, 103 MB as float64. A larger file is not a model file.
MAX_MODEL_BYTES = NetworkConfig((MAX_CHANNELS,), max(KERNEL_SIZES), MAX_FC_WIDTH).parameter_count * 8 + 2**20
MAX_CONFIG_BYTES = 65_536  # the config entry: a few hundred characters, 4 bytes each
_MAX_NPY_HEADER = 1024  # numpy writes ~128 bytes for one of our arrays
_MAX_DIRECTORY_BYTES = 65_536  # about 100 bytes an entry; a model has at most 11 entries


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

    For any other bytes :class:`ModelFileError` says what is wrong, fast and in little memory: the
    archive's directory, every entry's compression and every array's shape and dtype (from its
    ``.npy`` header) are checked against the config before its data is read, and no entry is read
    past the size its shape gives. Nothing is ever unpickled.
    """
    path = Path(path)
    with open_user_file(path, "model file", ModelFileError, MAX_MODEL_BYTES) as file, open_zip_archive(file, path, "model file", ModelFileError, _MAX_DIRECTORY_BYTES) as archive:
        entries = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}
        if CONFIG_KEY not in entries:
            raise ModelFileError(f"{path.name} has no '{CONFIG_KEY}' entry: not a kernelplay model file")
        config, frozen = _read_config(archive, entries.pop(CONFIG_KEY), path)
        shapes = config.param_shapes()
        missing = [k for k in shapes if k not in entries]
        if missing:
            raise ModelFileError(f"{path.name} lacks the arrays {', '.join(missing)}")
        extra = [k for k in entries if k not in shapes]
        if extra:
            raise ModelFileError(f"{path.name} has unexpected entries {shortened(', '.join(extra), 80)}")
        params = {name: _read_array(archive, entries[name], path, _float_array_problem(name, shape))
                  for name, shape in shapes.items()}
    return SavedModel(config, params, frozen)


def _read_config(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> tuple[NetworkConfig, tuple[int, ...]]:
    """The config and the frozen channels in the ``__config__`` entry (a 0-d numpy string)."""
    def problem(shape, dtype):
        if dtype.kind != "U" or shape != () or dtype.itemsize > MAX_CONFIG_BYTES:
            return f"its '{CONFIG_KEY}' entry is not a short text"
        return None

    text = str(_read_array(archive, info, path, problem)[()])
    invalid = f"{path.name} has an invalid config entry"
    try:
        meta = parse_json(text)
    except ValueError as exc:
        raise ModelFileError(f"{invalid}: {exc}") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("config"), dict):
        raise ModelFileError(f"{invalid}: it does not describe a network")
    if meta.get("format") != FORMAT:
        raise ModelFileError(f"{invalid}: its format is {shortened(json.dumps(meta.get('format')), 40)}, expected {FORMAT!r}")
    try:
        config = NetworkConfig.from_json(json.dumps(meta["config"]))
    except ValueError as exc:
        raise ModelFileError(f"{invalid}: {exc}") from None
    except TypeError:
        raise ModelFileError(f"{invalid}: it does not describe a network") from None
    frozen = meta.get("frozen_channels", [])
    if not (isinstance(frozen, list) and all(type(c) is int and 0 <= c < config.channels[0] for c in frozen)
            and len(set(frozen)) == len(frozen)):
        raise ModelFileError(f"{invalid}: frozen_channels must list distinct conv1 channels, "
                             f"got {shortened(json.dumps(frozen), 40)}")
    return config, tuple(sorted(frozen))


def _float_array_problem(name: str, expected: tuple[int, ...]):
    """What is wrong with an array header for the parameter ``name`` of shape ``expected``, or None."""
    def problem(shape, dtype):
        if shape != expected:
            return f"{name} has shape {shape}, but the config needs {expected}"
        if dtype.kind != "f" or dtype.itemsize > 8:
            return f"{name} holds {dtype} values, not floating-point numbers"
        return None
    return problem


def _read_array(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, problem) -> np.ndarray:
    """The array in the ``.npy`` entry ``info``, once its header has passed ``problem(shape, dtype)``
    (a clause saying what is wrong, or None): no more data is read than that shape and dtype need."""
    name = info.filename.removesuffix(".npy")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
        raise ModelFileError(f"{path.name}: the entry {name} is compressed or encrypted in a way numpy never writes")
    try:
        with archive.open(info) as stream:
            shape, fortran_order, dtype = _npy_header(stream, name, path)
            if (reason := problem(shape, dtype)) is not None:
                raise ModelFileError(f"{path.name}: {reason}")
            array = np.empty(shape, dtype, order="F" if fortran_order else "C")
            if fill_from(stream, array) != array.nbytes:
                raise ModelFileError(f"{path.name}: the entry {name} is cut short (its shape {shape} needs "
                                     f"{array.nbytes:,} bytes)")
            if stream.read(1):  # reaching the end checks the CRC too
                raise ModelFileError(f"{path.name}: the entry {name} holds more than the {array.nbytes:,} bytes "
                                     f"its shape {shape} needs")
    except ModelFileError:
        raise
    except ZIP_DAMAGE:
        raise ModelFileError(f"{path.name} is damaged: its entry {name} cannot be read") from None
    if dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ModelFileError(f"{path.name}: {name} contains NaN or infinite values")
    return array


def _npy_header(stream, name: str, path: Path) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) from the ``.npy`` header at the start of ``stream``."""
    readers = {(1, 0): npy_format.read_array_header_1_0, (2, 0): npy_format.read_array_header_2_0}
    try:
        read_header = readers.get(npy_format.read_magic(stream))
        if read_header is not None:
            return read_header(stream, max_header_size=_MAX_NPY_HEADER)
    except (ValueError, TypeError, SyntaxError):  # numpy's words for a header it cannot parse
        pass
    raise ModelFileError(f"{path.name}: the entry {name} is not a numpy array")
