"""Hostile files, made in code: each function writes one into ``folder`` under the name a user would
have given it and returns its path.

Every one broke a reader once (issue 10): a recursion, a 5,000-digit integer, a MemoryError, a zip
or gzip bomb that took seconds and gigabytes before an error, Python's own words ("'utf-8' codec
can't decode", numpy's advice to use ``allow_pickle``) shown to the user. The bombs are made
without compressing their gigabytes: a deflate block of zeros ending in a full flush is repeated
(it leaves no state behind, so each copy decodes alone), and gzip members simply concatenate.
"""
from __future__ import annotations

import gzip
import io
import json
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.network import Network

BOMB_BYTES = 512 * 2**20  # what each bomb unpacks to: seconds and ~1 GB for a reader that trusts it
_ZEROS = bytes(16 * 2**20)


def _deflated_zeros(prefix: bytes, total: int) -> bytes:
    """A raw deflate stream of ``prefix`` followed by zeros, ``total`` bytes in all."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(_ZEROS) + compressor.flush(zlib.Z_FULL_FLUSH)
    zeros = total - len(prefix)
    rest = compressor.compress(bytes(zeros % len(_ZEROS))) + compressor.flush()
    return head + block * (zeros // len(_ZEROS)) + rest


def _write_zip(path: Path, entries: dict[str, tuple[bytes, int, int]]) -> Path:
    """A zip whose entries are given as (raw deflate stream, unpacked size, CRC-32). A bomb's CRC
    is left 0: no reader should read far enough to check it."""
    local, directory = b"", b""
    for name, (stream, size, crc) in entries.items():
        encoded = name.encode()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(stream), size, len(encoded), 0)
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(stream), size,
                                 len(encoded), 0, 0, 0, 0, 0, len(local)) + encoded
        local += header + encoded + stream
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(local), 0)
    path.write_bytes(local + directory + end)
    return path


def _npy_header(shape: tuple[int, ...]) -> bytes:
    """The .npy header of a float32 array of ``shape``, without its data."""
    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(stream, {"descr": "<f4", "fortran_order": False, "shape": shape})
    return stream.getvalue()


def _entry(data: bytes) -> tuple[bytes, int, int]:
    """``data`` as a zip entry: (raw deflate stream, size, CRC-32)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), len(data), zlib.crc32(data)


def _npy(array: np.ndarray) -> bytes:
    stream = io.BytesIO()
    np.lib.format.write_array(stream, array, allow_pickle=array.dtype.hasobject)
    return stream.getvalue()


def _model_entries(**replaced: tuple[bytes, int, int]) -> dict[str, tuple[bytes, int, int]]:
    """The entries of a valid default model file, some ``replaced``."""
    network = Network(NetworkConfig(), seed=0)
    meta = json.dumps({"format": "kernelplay-cnn", "version": 1, "config": json.loads(network.config.to_json())})
    arrays = {**network.params, "__config__": np.array(meta)}
    entries = {f"{name}.npy": _entry(_npy(array)) for name, array in arrays.items()}
    for name, entry in replaced.items():
        entries[f"{name}.npy"] = entry
    return entries


# --- kernel files --------------------------------------------------------------------------


def brackets(folder: Path) -> Path:
    """100,000 '[': json.loads recursed until RecursionError."""
    path = folder / "brackets.json"
    path.write_text("[" * 100_000)
    return path


def objects(folder: Path) -> Path:
    """A valid kernel file whose version is an object nested 10,000 deep."""
    path = folder / "objects.json"
    path.write_text('{"kernels": {}, "version": ' + '{"a": ' * 10_000 + "1" + "}" * 10_000 + "}")
    return path


def long_integer(folder: Path) -> Path:
    """A weight of 5,000 digits: Python's int() refused it with its own ValueError text."""
    path = folder / "long.json"
    path.write_text('{"kernels": {"k": [[' + "7" * 5_000 + ', 0, 0], [0, 1, 0], [0, 0, 0]]}, "version": 1}')
    return path


def overflowing_integer(folder: Path) -> Path:
    """A weight of 1 followed by 400 zeros: converting it to float raised OverflowError."""
    path = folder / "overflow.json"
    path.write_text('{"kernels": {"k": [[1' + "0" * 400 + ', 0, 0], [0, 1, 0], [0, 0, 0]]}, "version": 1}')
    return path


def version_string(folder: Path) -> Path:
    """"version": "1" was reported as "a version 1 kernel file; this kernelplay reads version 1"."""
    path = folder / "version.json"
    path.write_text('{"kernels": {}, "version": "1"}')
    return path


def photo(folder: Path) -> Path:
    """A PNG: Kernel ▸ Load showed "'utf-8' codec can't decode byte 0x89"."""
    path = folder / "photo.png"
    Image.new("RGB", (8, 8), (200, 30, 30)).save(path)
    return path


def huge_sparse_file(folder: Path) -> Path:
    """A 300 MB file of zero bytes (sparse: no disk used), read whole by every reader."""
    path = folder / "huge.json"
    with path.open("wb") as stream:
        stream.truncate(300 * 2**20)
    return path


# --- model files ---------------------------------------------------------------------------


def good_model(folder: Path) -> Path:
    """A valid model file written the way the hostile ones below are (they each change one entry)."""
    return _write_zip(folder / "good.npz", _model_entries())


def npy_as_npz(folder: Path) -> Path:
    """A lone .npy renamed .npz: np.load returned an array and ``with`` raised TypeError."""
    path = folder / "weights.npz"
    with path.open("wb") as stream:
        np.save(stream, np.zeros((3, 3), np.float32))
    return path


def text_as_npz(folder: Path) -> Path:
    """Not a zip at all: numpy advised loading it "unsafely" with allow_pickle."""
    path = folder / "notes.npz"
    path.write_text("these are my notes, not a model")
    return path


def object_array(folder: Path) -> Path:
    """An entry of Python objects (a pickle): numpy's error named allow_pickle."""
    entries = _model_entries(**{"fc2.bias": _entry(_npy(np.array([None] * 10, dtype=object)))})
    return _write_zip(folder / "objects.npz", entries)


def claimed_terabytes(folder: Path) -> Path:
    """fc1.weight's header claims 10¹² floats: numpy allocated them first (MemoryError)."""
    entry = _entry(_npy_header((1_000_000, 1_000_000)) + bytes(64))
    return _write_zip(folder / "terabytes.npz", _model_entries(**{"fc1.weight": entry}))


def nested_config(folder: Path) -> Path:
    """A config entry nested 5,000 deep: json.loads recursed until RecursionError."""
    meta = np.array('{"format": "kernelplay-cnn", "config": ' + "[" * 5_000)
    return _write_zip(folder / "nested.npz", _model_entries(__config__=_entry(_npy(meta))))


def zip_bomb(folder: Path) -> Path:
    """conv1.weight unpacks to 512 MB of the wrong shape: read whole before "wrong shape"."""
    bomb = (_deflated_zeros(_npy_header((BOMB_BYTES // 4,)), BOMB_BYTES), BOMB_BYTES, 0)
    return _write_zip(folder / "bomb.npz", _model_entries(**{"conv1.weight": bomb}))


def oversized_entry(folder: Path) -> Path:
    """conv1.bias has the right header, then 512 MB more than its shape needs."""
    bomb = (_deflated_zeros(_npy_header((16,)), BOMB_BYTES), BOMB_BYTES, 0)
    return _write_zip(folder / "oversized.npz", _model_entries(**{"conv1.bias": bomb}))


def many_entries(folder: Path) -> Path:
    """An archive listing 300,000 entries: zipfile read its whole directory first (seconds, 200 MB).
    One entry is written; the directory is all zipfile reads when it opens an archive."""
    count = 300_000
    first = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, 0, 0, 0, 5, 0) + b"0.npy"
    directory = b"".join(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0x21, 0, 0, 0, len(name),
                                     0, 0, 0, 0, 0, 0) + name for name in (f"{i}.npy".encode() for i in range(count)))
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count % 65536, count % 65536, len(directory), len(first), 0)
    path = folder / "entries.npz"
    path.write_bytes(first + directory + end)
    return path


# --- IDX files -----------------------------------------------------------------------------


def _gzip_members(first: bytes, total: int) -> bytes:
    """Concatenated gzip members unpacking to ``first`` and then zeros, ``total`` bytes in all."""
    zeros = total - len(first)
    block = gzip.compress(_ZEROS, compresslevel=9, mtime=0)
    return gzip.compress(first, mtime=0) + block * (zeros // len(_ZEROS)) + gzip.compress(bytes(zeros % len(_ZEROS)), mtime=0)


def idx_bomb(folder: Path) -> Path:
    """An honest IDX header for 685,000 digit images (537 MB) in a 0.5 MB .gz: read whole."""
    count = 685_000
    header = bytes([0, 0, 8, 3]) + struct.pack(">III", count, 28, 28)
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(_gzip_members(header, len(header) + count * 28 * 28))
    return path


def idx_tail_bomb(folder: Path) -> Path:
    """A header for 10 labels followed by 512 MB: decompressed whole before "wrong size"."""
    header = bytes([0, 0, 8, 1]) + struct.pack(">I", 10)
    path = folder / "train-labels-idx1-ubyte.gz"
    path.write_bytes(_gzip_members(header + bytes(10), BOMB_BYTES))
    return path


def idx_wrapping_shape(folder: Path) -> Path:
    """Sizes 65536⁴ = 2⁶⁴ wrap to 0 in int64: the old check passed and reshape raised its own ValueError."""
    path = folder / "wrap-idx4-ubyte"
    path.write_bytes(bytes([0, 0, 8, 4]) + struct.pack(">IIII", 65536, 65536, 65536, 65536))
    return path


# --- links ---------------------------------------------------------------------------------


def link_loop(folder: Path) -> Path:
    """loop_a.png → loop_b.png → loop_a.png: reported as "There is no file at loop_a.png"."""
    (folder / "loop_a.png").symlink_to(folder / "loop_b.png")
    (folder / "loop_b.png").symlink_to(folder / "loop_a.png")
    return folder / "loop_a.png"


HOSTILE_FILES = [
    brackets, objects, long_integer, overflowing_integer, version_string, photo, huge_sparse_file,
    npy_as_npz, text_as_npz, object_array, claimed_terabytes, nested_config, zip_bomb, oversized_entry,
    many_entries, idx_bomb, idx_tail_bomb, idx_wrapping_shape, link_loop,
]
