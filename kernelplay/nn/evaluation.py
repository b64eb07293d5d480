"""What the network gets wrong: every digit's scores, the confusion matrix, per-class accuracy, the
most-confused pairs, top-3 guesses and the digits behind each cell. numpy only.

An :class:`Evaluation` is frozen and holds copies, so it can cross to another thread or process. A
:class:`ChunkedEvaluation` counts one a chunk at a time, as
:class:`~kernelplay.nn.training.HeldoutEvaluation` counts the accuracy, so training can go on between
two chunks; :func:`evaluate_digits` does it in one call.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kernelplay.nn.config import NUM_CLASSES
from kernelplay.nn.datasets import Digits, IdxFormatError, load_idx_pair
from kernelplay.nn.network import Network

__all__ = ["confusion_matrix", "ConfusedPair", "Evaluation", "ChunkedEvaluation", "evaluate_digits",
           "load_mnist_test_files"]

_CHUNK = 250  # digits per forward pass: ~25 ms for the default network on one core


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """int64 ``(10, 10)``: entry ``[t, p]`` counts the digits of true class ``t`` predicted as ``p``
    (rows = true digit, columns = predicted). labels, predicted: ``(N,)`` digits 0–9."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    if labels.shape != predicted.shape or labels.ndim != 1:
        raise ValueError(f"labels {labels.shape} and predictions {predicted.shape} must be two (N,) arrays")
    for name, a in (("labels", labels), ("predictions", predicted)):
        if a.size and (a.min() < 0 or a.max() >= NUM_CLASSES):
            raise ValueError(f"{name} must be digits 0–9")
    flat = labels.astype(np.intp) * NUM_CLASSES + predicted.astype(np.intp)
    return np.bincount(flat, minlength=NUM_CLASSES ** 2).astype(np.int64).reshape(NUM_CLASSES, NUM_CLASSES)


@dataclass(frozen=True)
class ConfusedPair:
    """``count`` digits of class ``true`` were read as ``predicted``; ``str()`` says it as a sentence."""

    true: int
    predicted: int
    count: int

    def __str__(self) -> str:
        return f"{self.true} read as {self.predicted}: {self.count} {'time' if self.count == 1 else 'times'}"


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The network's scores for a set of labelled digits and what follows from them.

    labels: ``(N,)`` true digits; scores: ``(N, 10)`` softmax probabilities. ``predicted`` ``(N,)``
    (the highest score, as :meth:`Network.predict`) and ``matrix`` (:func:`confusion_matrix`, rows
    = true digit, columns = predicted) are computed from them. Index ``i`` everywhere is the
    ``i``-th digit of the evaluated set (for the held-out set, an index a probe can take).
    """

    labels: np.ndarray
    scores: np.ndarray
    predicted: np.ndarray = field(init=False)
    matrix: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        labels = np.array(self.labels, dtype=np.intp)
        scores = np.array(self.scores, dtype=np.float32)
        if labels.ndim != 1 or scores.shape != (len(labels), NUM_CLASSES):
            raise ValueError(f"expected labels (N,) and scores (N, 10), got {labels.shape} and {scores.shape}")
        predicted = scores.argmax(axis=1) if len(labels) else np.zeros(0, np.intp)
        for name, value in (("labels", labels), ("scores", scores), ("predicted", predicted),
                            ("matrix", confusion_matrix(labels, predicted))):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def correct(self) -> int:
        return int(np.trace(self.matrix))

    @property
    def accuracy(self) -> float:
        """The share of digits read right, in [0, 1] (NaN for no digits)."""
        return self.correct / len(self) if len(self) else float("nan")

    @property
    def class_counts(self) -> np.ndarray:
        """How many digits of each true class, ``(10,)``."""
        return self.matrix.sum(axis=1)

    @property
    def per_class_accuracy(self) -> np.ndarray:
        """``(10,)``: the share of each true digit read right (NaN for a class with no digits)."""
        counts = self.class_counts
        return np.where(counts > 0, np.diag(self.matrix) / np.maximum(counts, 1), np.nan)

    def most_confused(self, limit: int | None = 5) -> list[ConfusedPair]:
        """The off-diagonal cells that are not empty, most frequent first (ties: by true digit, then
        predicted), at most ``limit`` of them (all with None)."""
        off = self.matrix.copy()
        np.fill_diagonal(off, 0)
        true, predicted = np.nonzero(off)
        order = np.lexsort((predicted, true, -off[true, predicted]))[:limit]
        return [ConfusedPair(int(true[i]), int(predicted[i]), int(off[true[i], predicted[i]])) for i in order]

    def top_guesses(self, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """Each digit's ``k`` best guesses: (digits ``(N, k)``, their scores ``(N, k)``), best first
        (ties: the lower digit first, as :meth:`Network.predict` picks)."""
        if not 1 <= k <= NUM_CLASSES:
            raise ValueError(f"k must be 1 to {NUM_CLASSES}, got {k}")
        order = np.argsort(-self.scores, axis=1, kind="stable")[:, :k]
        return order, np.take_along_axis(self.scores, order, axis=1)

    def cell(self, true: int, predicted: int) -> np.ndarray:
        """Indices of the digits of class ``true`` read as ``predicted`` (the matrix's cell), the
        most confident first (by the score of ``predicted``; ties in index order)."""
        for name, d in (("true", true), ("predicted", predicted)):
            if not 0 <= d < NUM_CLASSES:
                raise ValueError(f"{name} digit must be 0–9, got {d}")
        idx = np.flatnonzero((self.labels == true) & (self.predicted == predicted))
        return idx[np.argsort(-self.scores[idx, predicted], kind="stable")]

    def mistakes(self) -> np.ndarray:
        """Indices of the digits read wrong, in index order."""
        return np.flatnonzero(self.predicted != self.labels)


class ChunkedEvaluation:
    """An :class:`Evaluation` counted a chunk at a time (:meth:`advance`), with the interface of
    :class:`~kernelplay.nn.training.HeldoutEvaluation` (which counts only the accuracy), so it can
    stand in for it.

    images: ``(N, 1, 28, 28)`` float in [0, 1]; labels: ``(N,)``. When training goes on between two
    chunks, give it a frozen copy of the network (``network.copy()``) so the result belongs to one
    moment.
    """

    def __init__(self, network: Network, images: np.ndarray, labels: np.ndarray, chunk_size: int = _CHUNK) -> None:
        if len(labels) == 0 or chunk_size < 1:
            raise ValueError(f"need digits to evaluate and a chunk of at least 1, got {len(labels)} and {chunk_size}")
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        self._network, self._images, self._labels = network, images, np.asarray(labels)
        self.chunk_size = int(chunk_size)
        self._scores = np.empty((len(labels), NUM_CLASSES), np.float32)
        self._evaluated = 0
        self.result: Evaluation | None = None  # set after the last chunk

    @property
    def done(self) -> bool:
        return self.result is not None

    def advance(self) -> float | None:
        """Score the next chunk: the accuracy in [0, 1] after the last one (``result`` is then
        set), else None."""
        if self.result is not None:
            return self.result.accuracy
        start = self._evaluated
        stop = min(start + self.chunk_size, len(self._labels))
        self._scores[start:stop] = self._network.predict_proba(self._images[start:stop], batch_size=self.chunk_size)
        self._evaluated = stop
        if stop < len(self._labels):
            return None
        self.result = Evaluation(self._labels, self._scores)
        return self.result.accuracy


def evaluate_digits(network: Network, digits: Digits, chunk_size: int = _CHUNK) -> Evaluation:
    """The network's :class:`Evaluation` on ``digits`` (converted to floats a chunk at a time)."""
    if len(digits) == 0:
        raise ValueError("no digits to evaluate")
    scores = np.empty((len(digits), NUM_CLASSES), np.float32)
    for start in range(0, len(digits), chunk_size):
        part = slice(start, start + chunk_size)
        scores[part] = network.predict_proba(digits.as_float(part), batch_size=chunk_size)
    return Evaluation(digits.labels, scores)


def load_mnist_test_files(folder: str | os.PathLike) -> Digits:
    """MNIST's test digits from ``folder``: ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``
    (``.gz`` or not). ``FileNotFoundError`` or :class:`IdxFormatError` say what is wrong."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no such folder: {folder}")
    digits = load_idx_pair(folder, "t10k")
    if digits is None:
        raise FileNotFoundError(f"{folder} has no MNIST test file t10k-images-idx3-ubyte[.gz] and "
                                "t10k-labels-idx1-ubyte[.gz]")
    if len(digits) == 0:
        raise IdxFormatError(f"the MNIST test files in {folder} hold no digits")
    return Digits(digits.images, digits.labels, f"MNIST test files in {folder}")
