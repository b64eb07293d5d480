"""The Mistakes page driven as a person would: open it, press Evaluate now, read the matrix, click a
cell, click a digit, tick "Mistakes only" — each checked against a hand count of the network's own
answers (the live network saved by the worker and run here)."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from training_tabs import TIMEOUT, shown_tab, step_to
from kernelplay.nn.network import Network
from predictions import assert_same_predictions


@pytest.fixture
def tab(qtbot):
    with shown_tab(qtbot, snapshot_interval=0.0, redraw_interval_ms=10, threads=1) as tab:
        yield tab


def evaluated_page(qtbot, tab, tmp_path):
    """Open the Mistakes page, press Evaluate now; the page and the live network's own predictions."""
    page = tab.time_travel.mistakes
    tab.time_travel.show_page("Mistakes")
    assert page.isVisible() and not tab.feature_maps.isVisible()
    qtbot.mouseClick(page.evaluate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.evaluation is not None, timeout=TIMEOUT)
    with qtbot.waitSignal(tab.session.saved, timeout=TIMEOUT):
        tab.save_model(tmp_path / "live.npz")
    probabilities = Network.load(tmp_path / "live.npz").predict_proba(tab.session.heldout.as_float())
    assert_same_predictions(page.evaluation.predicted, probabilities)  # the live network's own answers
    return page, page.evaluation.predicted, probabilities


def hand_count(labels, predicted):
    counts = np.zeros((10, 10), int)
    for true, guess in zip(labels.tolist(), predicted.tolist()):
        counts[true, guess] += 1
    return counts


def shown_numbers(view) -> np.ndarray:
    return np.array([[int(text) if text else 0 for text in row] for row in view.texts])


def test_the_matrix_shows_a_hand_count_with_per_class_accuracy_and_the_most_confused_pairs(qtbot, tab, tmp_path):
    step_to(qtbot, tab, 3)
    page, predicted, _ = evaluated_page(qtbot, tab, tmp_path)
    labels = tab.session.heldout.labels
    counts = hand_count(labels, predicted)
    np.testing.assert_array_equal(shown_numbers(page.matrix_view), counts)
    assert all(page.matrix_view.texts[d][d] for d in range(10))  # the diagonal shows its zeros too
    assert all(page.matrix_view.texts[t][p] == "" for t in range(10) for p in range(10) if t != p and not counts[t, p])
    right = [100 * counts[d, d] / counts[d].sum() for d in range(10)]
    assert page.matrix_view.accuracy_texts() == [
        "100 %" if r == 100 else f"{min(r, 99.9):.1f} %" for r in right]
    assert page.step == 3 and f"{100 * np.mean(predicted == labels):.1f} % read right" in page.title.text()
    off = counts - np.diag(np.diag(counts))
    true, guess = np.unravel_index(np.argmax(off), off.shape)  # the first of the largest, as the page orders them
    count = off[true, guess]
    assert f"{true} read as {guess}: {count} time" in page.pairs_label.text()


def test_clicking_a_cell_shows_exactly_its_digits_and_clicking_one_makes_it_the_probe(qtbot, tab, tmp_path):
    step_to(qtbot, tab, 3)
    page, predicted, proba = evaluated_page(qtbot, tab, tmp_path)
    labels = tab.session.heldout.labels
    off = hand_count(labels, predicted)
    np.fill_diagonal(off, 0)
    true, guess = np.unravel_index(np.argmax(off), off.shape)
    centre = page.matrix_view.cell_rect(true, guess).center().toPoint()
    qtbot.mouseClick(page.matrix_view, Qt.MouseButton.LeftButton, pos=centre)
    expected = np.flatnonzero((labels == true) & (predicted == guess))
    shown = page.gallery.shown_indices()
    assert sorted(shown) == expected.tolist()
    assert np.all(np.diff(proba[shown, guess]) <= 1e-6)  # the most confident first
    assert page.matrix_view.selected == (true, guess) and f"read as {guess}" in page.gallery_title.text()

    index = shown[-1]
    rect = page.gallery.tile_rect(index)
    qtbot.mouseClick(page.gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    image = tab.session.heldout.as_float(slice(index, index + 1))[0, 0]
    qtbot.waitUntil(lambda: tab.latest_snapshot().probe_label == true
                    and np.array_equal(tab.latest_snapshot().probe_image, image), timeout=TIMEOUT)
    assert page.gallery.marked() == index
    checked = tab.probe_strip.group.checkedButton()
    assert (checked is None) == (index not in tab.probe_strip.indices)
    tab.time_travel.show_page("Network")  # the feature maps there are the new probe's
    qtbot.waitUntil(lambda: np.array_equal(tab.feature_maps.activations["input"][0], image), timeout=TIMEOUT)


def test_mistakes_only_shows_only_the_wrong_ones_most_confident_first(qtbot, tab, tmp_path):
    step_to(qtbot, tab, 2)
    page, predicted, proba = evaluated_page(qtbot, tab, tmp_path)
    labels = tab.session.heldout.labels
    assert page.gallery.shown_indices() == list(range(len(labels)))
    page.mistakes_box.click()
    shown = page.gallery.shown_indices()
    assert sorted(shown) == np.flatnonzero(predicted != labels).tolist() and shown
    assert np.all(np.diff(proba[shown, predicted[shown]]) <= 1e-6)
    page.mistakes_box.click()
    assert page.gallery.shown_indices() == list(range(len(labels)))
    # a pair named under the matrix is a link to its cell
    pair = page.evaluation.most_confused(1)[0]
    page.pairs_label.linkActivated.emit(f"{pair.true},{pair.predicted}")
    assert sorted(page.gallery.shown_indices()) == np.flatnonzero(
        (labels == pair.true) & (predicted == pair.predicted)).tolist()
    assert not page.mistakes_box.isChecked() and page.all_button.isVisible()
    qtbot.mouseClick(page.all_button, Qt.MouseButton.LeftButton)
    assert page.gallery.shown_indices() == list(range(len(labels))) and page.matrix_view.selected is None


def test_each_new_evaluation_updates_the_page_and_keeps_the_choice(qtbot, tab, tmp_path):
    page = tab.time_travel.mistakes
    tab.time_travel.show_page("Mistakes")
    assert page.evaluation is None and "No held-out evaluation yet" in page.matrix_view.placeholder
    page.mistakes_box.click()
    step_to(qtbot, tab, 1)
    with qtbot.waitSignal(tab.session.evaluation_received, timeout=TIMEOUT):
        QTest.mouseClick(page.evaluate_button, Qt.MouseButton.LeftButton)
    first = page.evaluation
    assert first is not None and page.step == 1
    step_to(qtbot, tab, 4)
    with qtbot.waitSignal(tab.session.evaluation_received, timeout=TIMEOUT):
        QTest.mouseClick(page.evaluate_button, Qt.MouseButton.LeftButton)
    assert page.evaluation is not first and page.step == 4 and page.mistakes_box.isChecked()
    assert sorted(page.gallery.shown_indices()) == page.evaluation.mistakes().tolist()
