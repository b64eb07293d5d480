"""Digit data: bundled subset, the stratified split, MNIST IDX files (plain and gz), augmentation."""
import gzip
import struct

import numpy as np
import pytest

from kernelplay.nn.datasets import (Digits, IdxFormatError, augment_batch, load_bundled_digits, load_digits,
                                      load_mnist_dir, read_idx, stratified_split)


def write_idx(path, array, type_code=0x08, gz=False):
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def tiny_digits(n=50, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), (np.arange(n) % 10).astype(np.uint8)


def test_bundled_digits_and_default_split():
    digits = load_bundled_digits()
    assert digits.images.shape == (12000, 28, 28) and digits.images.dtype == np.uint8
    split = load_digits()
    assert len(split.train) == 10000 and len(split.heldout) == 2000
    # stratified: every digit's share of the held-out set is its share of the whole, ±1
    expected = digits.class_counts() * 2000 / 12000
    assert np.all(np.abs(split.heldout.class_counts() - expected) <= 1)
    again = load_digits()
    np.testing.assert_array_equal(split.heldout.labels, again.heldout.labels)
    np.testing.assert_array_equal(split.heldout.images, again.heldout.images)


def test_split_is_disjoint_and_complete():
    images, labels = tiny_digits(200)
    images[:, 0, 0] = np.arange(200)  # tag each image
    split = stratified_split(Digits(images, labels), heldout=40, seed=3)
    tags = np.concatenate([split.train.images[:, 0, 0], split.heldout.images[:, 0, 0]])
    assert sorted(tags) == list(range(200))
    assert list(split.heldout.class_counts()) == [4] * 10
    with pytest.raises(ValueError, match="held-out size"):
        stratified_split(Digits(images, labels), heldout=200)


def test_as_float_shape_and_range():
    images, labels = tiny_digits(5)
    x = Digits(images, labels).as_float()
    assert x.shape == (5, 1, 28, 28) and x.dtype == np.float32
    assert 0 <= x.min() and x.max() <= 1


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_files_plain_and_gz(tmp_path, gz):
    images, labels = tiny_digits(30)
    suffix = ".gz" if gz else ""
    write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", images, gz=gz)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", labels, gz=gz)
    np.testing.assert_array_equal(read_idx(tmp_path / f"train-images-idx3-ubyte{suffix}"), images)
    train, test = load_mnist_dir(tmp_path)
    assert test is None
    np.testing.assert_array_equal(train.labels, labels)
    split = load_digits(tmp_path, heldout=10)
    assert len(split.train) == 20 and len(split.heldout) == 10


def test_t10k_files_become_the_heldout_set(tmp_path):
    images, labels = tiny_digits(30)
    for prefix, n in (("train", 30), ("t10k", 12)):
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte", images[:n])
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte.gz", labels[:n], gz=True)
    split = load_digits(tmp_path)
    assert len(split.train) == 30 and len(split.heldout) == 12


def test_read_idx_other_types(tmp_path):
    a = np.arange(6, dtype=np.int32).reshape(2, 3) - 3
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "a", a, type_code=0x0C)), a)


def test_malformed_idx_files(tmp_path):
    images, labels = tiny_digits(10)
    good = write_idx(tmp_path / "good", images).read_bytes()
    (tmp_path / "short").write_bytes(good[:-5])
    with pytest.raises(IdxFormatError, match="header says shape"):
        read_idx(tmp_path / "short")
    (tmp_path / "magic").write_bytes(b"\x12\x34" + good[2:])
    with pytest.raises(IdxFormatError, match="not an IDX file"):
        read_idx(tmp_path / "magic")
    (tmp_path / "type").write_bytes(good[:2] + b"\x07" + good[3:])
    with pytest.raises(IdxFormatError, match="unknown IDX data type"):
        read_idx(tmp_path / "type")
    (tmp_path / "tiny").write_bytes(b"\x00\x00")
    with pytest.raises(IdxFormatError, match="too short"):
        read_idx(tmp_path / "tiny")
    (tmp_path / "bad.gz").write_bytes(gzip.compress(good)[:30])
    with pytest.raises(IdxFormatError, match="gzip"):
        read_idx(tmp_path / "bad.gz")


def test_mismatched_or_missing_idx_pairs(tmp_path):
    images, labels = tiny_digits(10)
    write_idx(tmp_path / "train-images-idx3-ubyte", images)
    with pytest.raises(FileNotFoundError, match="no train labels"):
        load_mnist_dir(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels[:7])
    with pytest.raises(IdxFormatError, match="10 images but .* 7 labels"):
        load_mnist_dir(tmp_path)
    with pytest.raises(FileNotFoundError, match="no MNIST training files"):
        load_mnist_dir(tmp_path / "..")
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels.reshape(10, 1))
    with pytest.raises(IdxFormatError, match="expected uint8 labels"):
        load_mnist_dir(tmp_path)


def test_augment_shifts_by_at_most_two_pixels():
    rng = np.random.default_rng(0)
    x = np.zeros((20, 1, 28, 28), np.float32)
    x[:, 0, 14, 14] = 1
    out = augment_batch(x, rng)
    assert out.shape == x.shape and x[:, 0, 14, 14].all()  # the input is untouched
    ys, xs = np.nonzero(out[:, 0].sum(axis=0))
    assert ys.min() >= 12 and ys.max() <= 16 and xs.min() >= 12 and xs.max() <= 16
    assert np.allclose(out.sum(axis=(1, 2, 3)), 1)
    rotated = augment_batch(x, rng, max_shift=0, max_degrees=10)
    assert rotated.shape == x.shape


def test_each_augmented_image_is_its_digit_shifted_whole_with_zeros_coming_in():
    """Against a shift written out by hand: exactly one of the 25 shifts of up to ±2 px gives it."""
    rng = np.random.default_rng(1)
    x = rng.random((12, 1, 28, 28)).astype(np.float32) + 0.1  # no zeros of its own
    out = augment_batch(x, rng)
    for image, shifted in zip(x[:, 0], out[:, 0]):
        matches = 0
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                want = np.zeros_like(image)
                want[max(dy, 0):28 + min(dy, 0), max(dx, 0):28 + min(dx, 0)] = \
                    image[max(-dy, 0):28 + min(-dy, 0), max(-dx, 0):28 + min(-dx, 0)]
                matches += np.array_equal(shifted, want)
        assert matches == 1
