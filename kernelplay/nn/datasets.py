"""Handwritten digits: the bundled MNIST subset, MNIST's original IDX files, the split, augmentation.

Images are ``uint8 (N, 28, 28)``, white digit on black; :meth:`Digits.as_float` gives the network's
input, float32 ``(N, 1, 28, 28)`` in [0, 1].
"""
from __future__ import annotations

import gzip
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kernelplay.common.files import fill_from, open_user_file

__all__ = [
    "Digits",
    "DigitSplit",
    "IdxFormatError",
    "load_bundled_digits",
    "read_idx",
    "load_idx_pair",
    "load_mnist_dir",
    "stratified_split",
    "load_digits",
    "augment_batch",
    "BUNDLED_FILE",
]

BUNDLED_FILE = "mnist-train-12k.npz"
_IDX_DTYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
               0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
# MNIST's training images are 47 MB; EMNIST's 240,000 digits 188 MB. More is a damaged or hostile file.
MAX_IDX_BYTES = 256 * 2**20
_MAX_IDX_HEADER = 4 + 4 * 255  # the magic number and up to 255 sizes


class IdxFormatError(ValueError):
    """An IDX file (MNIST's original format) that is truncated or malformed."""


@dataclass(frozen=True, eq=False)
class Digits:
    """Labelled digit images: ``images`` uint8 ``(N, 28, 28)``, ``labels`` uint8 ``(N,)`` in 0–9."""

    images: np.ndarray
    labels: np.ndarray
    source: str = ""

    def __post_init__(self) -> None:
        if self.images.ndim != 3 or self.images.shape[1:] != (28, 28):
            raise ValueError(f"digit images must have shape (N, 28, 28), got {self.images.shape}")
        if self.labels.shape != (self.images.shape[0],):
            raise ValueError(f"{self.images.shape[0]} images but labels of shape {self.labels.shape}")
        if self.labels.size and (self.labels.min() < 0 or self.labels.max() > 9):
            raise ValueError("digit labels must be 0–9")

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def as_float(self, indices=None) -> np.ndarray:
        """The images (or ``images[indices]``) as float32 ``(N, 1, 28, 28)`` in [0, 1]."""
        images = self.images if indices is None else self.images[indices]
        out = images.astype(np.float32)[:, None]
        out *= 1.0 / 255.0
        return out

    def subset(self, indices) -> "Digits":
        return Digits(self.images[indices], self.labels[indices], self.source)

    def class_counts(self) -> np.ndarray:
        return np.bincount(self.labels, minlength=10)


@dataclass(frozen=True, eq=False)
class DigitSplit:
    """Training and held-out digits."""

    train: Digits
    heldout: Digits

    def describe(self) -> str:
        return f"{len(self.train):,} training / {len(self.heldout):,} held-out digits ({self.train.source})"


def load_bundled_digits() -> Digits:
    """The first 12,000 MNIST training images, bundled in ``assets/data`` (no download)."""
    from kernelplay.common.resources import data_file

    path = data_file(BUNDLED_FILE)
    with np.load(path, allow_pickle=False) as npz:
        return Digits(npz["images"], npz["labels"].astype(np.uint8), f"bundled MNIST subset ({path.name})")


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (``.gz`` or plain): magic ``0 0 type ndim``, big-endian uint32 sizes, data.

    The sizes are checked against :data:`MAX_IDX_BYTES` before any data is read or decompressed,
    and the data must end where the sizes say; otherwise :class:`IdxFormatError` says why.
    """
    path = Path(path)
    with open_user_file(path, "IDX file", IdxFormatError, MAX_IDX_BYTES + _MAX_IDX_HEADER) as file:
        compressed = file.read(2) == b"\x1f\x8b"
        file.seek(0)
        stream = gzip.GzipFile(fileobj=file, mode="rb") if compressed else file
        try:
            return _read_idx_stream(stream, path)
        except (OSError, EOFError, zlib.error) as error:
            if compressed:
                raise IdxFormatError(f"{path} is a damaged gzip file") from None
            raise IdxFormatError(f"{path} could not be read: {error.strerror or 'the system gave no reason'}") from None


def _read_idx_stream(stream, path: Path) -> np.ndarray:
    """The array in the IDX data of ``stream`` (decompressed already), read no further than its sizes say."""
    magic = stream.read(4)
    if len(magic) < 4:
        raise IdxFormatError(f"{path} is too short to be an IDX file ({len(magic)} bytes)")
    if magic[0] != 0 or magic[1] != 0:
        raise IdxFormatError(f"{path} is not an IDX file (magic bytes {magic.hex()})")
    dtype = _IDX_DTYPES.get(magic[2])
    if dtype is None:
        raise IdxFormatError(f"{path} has unknown IDX data type 0x{magic[2]:02x}")
    ndim = magic[3]
    sizes = stream.read(4 * ndim)
    if ndim == 0 or len(sizes) < 4 * ndim:
        raise IdxFormatError(f"{path} has a truncated IDX header")
    shape = tuple(int.from_bytes(sizes[i:i + 4], "big") for i in range(0, 4 * ndim, 4))
    count = math.prod(shape)
    size = count * dtype.itemsize
    if size > MAX_IDX_BYTES:
        raise IdxFormatError(f"{path.name}: its header says shape {shape} ({size:,} bytes of data), more than "
                             f"the {MAX_IDX_BYTES:,} bytes kernelplay reads from an IDX file")
    data = np.empty(count, dtype)
    filled = fill_from(stream, data)
    if filled != size:
        raise IdxFormatError(f"{path.name} is truncated: its header says shape {shape} ({size:,} bytes of data) "
                             f"but the file holds {filled:,}")
    if stream.read(1):
        raise IdxFormatError(f"{path.name} is longer than its header says (shape {shape}, {size:,} bytes of data)")
    if not dtype.isnative:
        data = data.byteswap(inplace=True).view(dtype.newbyteorder("="))
    return data.reshape(shape)


def _find(folder: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def load_idx_pair(folder: Path, prefix: str) -> Digits | None:
    """``{prefix}-images-idx3-ubyte`` and ``{prefix}-labels-idx1-ubyte`` in ``folder`` (``.gz`` or not)
    as checked :class:`Digits`; None when neither is there."""
    img = _find(folder, f"{prefix}-images-idx3-ubyte")
    lab = _find(folder, f"{prefix}-labels-idx1-ubyte")
    if img is None and lab is None:
        return None
    if img is None or lab is None:
        have, lack = (img, "labels") if img else (lab, "images")
        raise FileNotFoundError(f"{folder} has {have.name} but no {prefix} {lack} file")
    images, labels = read_idx(img), read_idx(lab)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise IdxFormatError(f"{img} holds {images.dtype} {images.shape}, expected uint8 (N, 28, 28) images")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise IdxFormatError(f"{lab} holds {labels.dtype} {labels.shape}, expected uint8 labels (N,)")
    if len(labels) != len(images):
        raise IdxFormatError(f"{img.name} has {len(images):,} images but {lab.name} has {len(labels):,} labels")
    if labels.size and labels.max() > 9:
        raise IdxFormatError(f"{lab} has labels above 9")
    return Digits(images, labels, f"MNIST IDX files in {folder}")


def load_mnist_dir(folder: str | os.PathLike) -> tuple[Digits, Digits | None]:
    """Read MNIST's original files from ``folder``: ``train-images-idx3-ubyte[.gz]`` with
    ``train-labels-idx1-ubyte[.gz]`` (required), and ``t10k-…`` (optional). → (train, test or None)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no such folder: {folder}")
    train = load_idx_pair(folder, "train")
    if train is None:
        raise FileNotFoundError(
            f"{folder} has no MNIST training files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz])")
    return train, load_idx_pair(folder, "t10k")


def stratified_split(digits: Digits, heldout: int = 2000, seed: int = 0) -> DigitSplit:
    """Split with a fixed seed so each digit has (almost) the same share in both parts."""
    n = len(digits)
    if not 0 < heldout < n:
        raise ValueError(f"held-out size must be between 1 and {n - 1}, got {heldout}")
    rng = np.random.default_rng(seed)
    counts = digits.class_counts()
    quota = np.floor(counts * heldout / n).astype(int)
    # hand the rounding remainder to the classes with the largest fractional parts
    rest = heldout - quota.sum()
    frac = counts * heldout / n - quota
    quota[np.argsort(-frac, kind="stable")[:rest]] += 1
    held = []
    for label in range(10):
        idx = np.flatnonzero(digits.labels == label)
        held.append(rng.permutation(idx)[:quota[label]])
    held_idx = np.sort(np.concatenate(held))
    mask = np.ones(n, bool)
    mask[held_idx] = False
    return DigitSplit(digits.subset(np.flatnonzero(mask)), digits.subset(held_idx))


def load_digits(data_dir: str | os.PathLike | None = None, *, heldout: int = 2000, seed: int = 0) -> DigitSplit:
    """The training and held-out digits: the bundled 12,000 split 10,000 / 2,000 (stratified,
    fixed seed) or, with ``data_dir``, MNIST's IDX files there (its ``t10k`` files, when present,
    are the held-out set; otherwise ``heldout`` training images are set aside, or a sixth of
    them when ``heldout`` is more than half)."""
    if data_dir is None:
        return stratified_split(load_bundled_digits(), heldout, seed)
    train, test = load_mnist_dir(data_dir)
    if test is not None:
        return DigitSplit(train, test)
    if heldout >= len(train) // 2:  # a small folder: keep a sixth for checking
        heldout = max(1, len(train) // 6)
    return stratified_split(train, heldout, seed)


def augment_batch(images: np.ndarray, rng: np.random.Generator, *, max_shift: int = 2,
                  max_degrees: float = 0.0) -> np.ndarray:
    """Random shifts of up to ``max_shift`` px (and rotations up to ``max_degrees``) per image.

    images: float ``(N, 1, 28, 28)`` → a new array of the same shape; vacated pixels are 0.
    """
    n = images.shape[0]
    size = images.shape[-1]
    out = images
    if max_degrees:
        from scipy import ndimage

        out = np.empty_like(images)
        for k, angle in enumerate(rng.uniform(-max_degrees, max_degrees, n)):
            out[k, 0] = ndimage.rotate(images[k, 0], angle, reshape=False, order=1, mode="constant")
    if max_shift:
        s = max_shift
        padded = np.zeros((n, size + 2 * s, size + 2 * s), images.dtype)
        padded[:, s:s + size, s:s + size] = out[:, 0]
        dy = rng.integers(0, 2 * s + 1, n)
        dx = rng.integers(0, 2 * s + 1, n)
        # each image's window of the padded batch: whole rows copied, not pixel by pixel (2.2× faster)
        windows = np.lib.stride_tricks.sliding_window_view(padded, (size, size), axis=(1, 2))  # (N, 2s+1, 2s+1, 28, 28)
        out = windows[np.arange(n), dy, dx][:, None]
    elif out is images:
        out = images.copy()
    return out
