"""The confusion matrix and what is read from it, against counts made by hand; chunked evaluation
against the one-call one and the trainer's accuracy; MNIST's test files."""
import gzip
import pickle

import numpy as np
import pytest

from synthetic_digits import SMALL, bar_digits
from kernelplay import IdxFormatError, Network
from kernelplay.nn.evaluation import (
    ChunkedEvaluation,
    ConfusedPair,
    Evaluation,
    confusion_matrix,
    evaluate_digits,
    load_mnist_test_files,
)
from kernelplay.nn.training import HeldoutEvaluation
from predictions import assert_same_predictions

LABELS = [4, 4, 4, 9, 9, 7, 7, 1]
PREDICTED = [9, 9, 4, 9, 4, 7, 2, 1]
CONFIDENCE = [0.6, 0.8, 0.7, 0.9, 0.5, 0.95, 0.4, 0.99]


def hand_made() -> Evaluation:
    """Eight digits; each row puts CONFIDENCE on the predicted digit and spreads the rest evenly,
    except digit 1's row, whose runner-up is 7."""
    scores = np.zeros((8, 10))
    for i, (p, c) in enumerate(zip(PREDICTED, CONFIDENCE)):
        scores[i] = (1 - c) / 9
        scores[i, p] = c
    scores[7] = 0.0
    scores[7, 1], scores[7, 7], scores[7, 2] = 0.99, 0.006, 0.004
    return Evaluation(np.array(LABELS, np.uint8), scores)


def test_the_matrix_is_the_hand_count():
    ev = hand_made()
    expected = np.zeros((10, 10), int)
    expected[4, 4], expected[4, 9] = 1, 2   # rows are true digits, columns predictions
    expected[9, 9], expected[9, 4] = 1, 1
    expected[7, 7], expected[7, 2] = 1, 1
    expected[1, 1] = 1
    np.testing.assert_array_equal(ev.matrix, expected)
    np.testing.assert_array_equal(confusion_matrix(LABELS, PREDICTED), expected)
    np.testing.assert_array_equal(ev.predicted, PREDICTED)
    assert ev.correct == 4 and ev.accuracy == 0.5 and len(ev) == 8


def test_per_class_accuracy_and_counts():
    ev = hand_made()
    per_class = ev.per_class_accuracy
    assert per_class[1] == 1.0 and per_class[4] == pytest.approx(1 / 3)
    assert per_class[7] == 0.5 and per_class[9] == 0.5
    assert np.isnan(per_class[[0, 2, 3, 5, 6, 8]]).all()  # no such digits: no accuracy
    np.testing.assert_array_equal(ev.class_counts, [0, 1, 0, 0, 3, 0, 0, 2, 0, 2])


def test_most_confused_pairs_are_sentences_most_frequent_first():
    pairs = hand_made().most_confused()
    assert pairs == [ConfusedPair(4, 9, 2), ConfusedPair(7, 2, 1), ConfusedPair(9, 4, 1)]
    assert [str(p) for p in pairs] == ["4 read as 9: 2 times", "7 read as 2: 1 time", "9 read as 4: 1 time"]
    assert hand_made().most_confused(limit=1) == [ConfusedPair(4, 9, 2)]


def test_a_cell_lists_its_digits_most_confident_first():
    ev = hand_made()
    np.testing.assert_array_equal(ev.cell(4, 9), [1, 0])  # scores 0.8 then 0.6
    np.testing.assert_array_equal(ev.cell(4, 4), [2])
    assert ev.cell(0, 3).size == 0
    np.testing.assert_array_equal(ev.mistakes(), [0, 1, 4, 6])
    with pytest.raises(ValueError, match="0–9"):
        ev.cell(10, 0)


def test_top_three_guesses_with_scores():
    digits, scores = hand_made().top_guesses(3)
    assert digits.shape == scores.shape == (8, 3)
    np.testing.assert_array_equal(digits[7], [1, 7, 2])
    np.testing.assert_allclose(scores[7], [0.99, 0.006, 0.004], rtol=1e-6)
    # the runners-up of an even spread: the lowest digits, as argmax breaks ties
    np.testing.assert_array_equal(digits[0], [9, 0, 1])
    assert np.all(np.diff(scores, axis=1) <= 0)


def test_an_evaluation_is_frozen_and_picklable():
    ev = hand_made()
    with pytest.raises(ValueError):
        ev.matrix[0, 0] = 5
    again = pickle.loads(pickle.dumps(ev))
    np.testing.assert_array_equal(again.matrix, ev.matrix)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="digits 0–9"):
        confusion_matrix([1, 10], [1, 1])
    with pytest.raises(ValueError, match=r"scores \(N, 10\)"):
        Evaluation(np.zeros(3), np.zeros((3, 9)))


def test_chunked_evaluation_matches_the_one_call_and_the_trainers_accuracy():
    data = bar_digits(n_train=10, n_heldout=53)
    net = Network(SMALL, seed=3)
    x, y = data.heldout.as_float(), data.heldout.labels
    chunked = ChunkedEvaluation(net, x, y, chunk_size=20)
    results = [chunked.advance() for _ in range(3)]
    assert results[:2] == [None, None] and chunked.done
    whole = evaluate_digits(net, data.heldout, chunk_size=7)
    assert results[2] == whole.accuracy == HeldoutEvaluation(net, x, y.astype(np.intp)).advance()
    np.testing.assert_allclose(chunked.result.scores, whole.scores, rtol=1e-5, atol=1e-7)
    assert_same_predictions(whole.predicted, net.predict_proba(x))
    assert whole.matrix.sum() == 53


def write_idx(path, array, gz=True):
    data = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes() + array.tobytes()
    path.write_bytes(gzip.compress(data) if gz else data)


def test_mnist_test_files_gzipped_or_not(tmp_path):
    images = np.arange(3 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(3, 28, 28)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", images, gz=False)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([3, 1, 4], np.uint8))
    digits = load_mnist_test_files(tmp_path)
    np.testing.assert_array_equal(digits.images, images)
    np.testing.assert_array_equal(digits.labels, [3, 1, 4])


def test_mnist_test_files_say_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        load_mnist_test_files(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte.* and t10k-labels"):
        load_mnist_test_files(tmp_path)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((3, 28, 28), np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([3, 1], np.uint8))
    with pytest.raises(IdxFormatError, match="3 images but .* 2 labels"):
        load_mnist_test_files(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([3, 1, 12], np.uint8))
    with pytest.raises(IdxFormatError, match="above 9"):
        load_mnist_test_files(tmp_path)
