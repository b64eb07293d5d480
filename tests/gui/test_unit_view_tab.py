"""The unit pane in the training tab, driven as a person would, with the real session and its
training process: click a feature-map pixel, an FC unit or a class score and read the numbers —
the network's own (the snapshot's maps), computed again here from the maps before and the weights."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from synthetic_digits import SMALL
from training_tabs import shown_tab
from kernelplay.common.text import format_significant as fs
from kernelplay.gui.training import unit_text
from kernelplay.gui.training.feature_maps import Mark
from kernelplay.nn.explain_unit import ConvExplanation, DenseExplanation, PoolExplanation, ScoreExplanation
from kernelplay.nn.network import Network
from kernelplay.nn.top_activating import top_activating

TOLERANCE = dict(rtol=1e-5, atol=1e-5)  # float32 network against float64 sums (numpy's names)
CLOSE = dict(rel=1e-5, abs=1e-5)  # the same, pytest.approx's names


@pytest.fixture
def tab(qtbot):
    with shown_tab(qtbot, snapshot_interval=0.02, redraw_interval_ms=20) as tab:
        tab.session.step(8)  # weights that are not the fresh ones
        qtbot.waitUntil(lambda: tab.latest_snapshot().step == 8, timeout=10000)
        yield tab


def click_unit(qtbot, tab, stage, channel, row=0, col=0):
    """Click the unit on the feature maps; wait until the pane explains it with a snapshot's weights."""
    maps = tab.feature_maps
    QTest.mouseClick(maps.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     maps.position_of(stage, channel, row, col))
    return shown(qtbot, tab, (stage, channel, row, col))


def shown(qtbot, tab, unit):
    view = tab.units.view
    qtbot.waitUntil(lambda: view.explanation() is not None and tab.units.snapshot is not None
                    and (view.explanation().stage, view.explanation().channel, view.explanation().row,
                         view.explanation().col) == unit
                    and tab.units.snapshot is tab.latest_snapshot(), timeout=5000)
    return view.explanation(), tab.latest_snapshot()


def test_a_conv2_pixel_clicked_is_explained_with_the_networks_numbers(qtbot, tab):
    e, snapshot = click_unit(qtbot, tab, "conv2", 3, 4, 5)
    assert isinstance(e, ConvExplanation) and tab.units.pane.isVisible()
    # the value is the pixel of the map on show, computed by the training process's network
    assert e.value == pytest.approx(float(snapshot.activations["conv2"][3, 4, 5]), **CLOSE)
    # each channel sum again, from the pool1 maps on show and conv2's kernels and bias (snapshot's)
    padded = np.pad(snapshot.activations["pool1"].astype(np.float64), ((0, 0), (1, 1), (1, 1)))
    windows = padded[:, 4:7, 5:8]
    sums = (windows * snapshot.kernels["conv2"][3]).sum(axis=(1, 2))
    np.testing.assert_allclose(e.channel_sums, sums, **TOLERANCE)
    assert e.bias == pytest.approx(float(snapshot.weights["conv2.bias"][3]))
    # what the pane writes is those numbers
    view = tab.units.view
    assert [r[1] for r in view.channels.row_texts()] == [f"= {fs(s)}" for s in e.channel_sums]
    assert view.line_texts()[0].endswith(f"= {fs(e.channel_sums.sum())}")
    assert view.line_texts()[-1] == f"ReLU: max(0, {fs(e.pre_activation)}) = {fs(e.value)}"
    assert "after step 8" in view.context.text()
    # the window is outlined on every pool1 map, the chosen one in cyan, the unit on its conv2 map
    marks = tab.feature_maps.marks
    windows_marked = [m for m in marks if m.stage == "pool1"]
    assert len(windows_marked) == SMALL.channels[0] and {m[2:6] for m in windows_marked} == {tuple(e.window_box)}
    assert Mark("conv2", 3, 4, 5, 5, 6, "#00c8ff") in marks
    # step through it with the buttons
    qtbot.mouseClick(view.button("reset"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.button("forward"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.button("forward"), Qt.MouseButton.LeftButton)
    assert view.current_step == 1 and view.shown_total() == pytest.approx(e.partial_sum(2))
    assert [m.colour for m in tab.feature_maps.marks if m.stage == "pool1"][1] == "#00c8ff"  # map 1 is the one
    qtbot.mouseClick(view.button("back"), Qt.MouseButton.LeftButton)
    assert view.current_step == 0 and view.line_texts()[0].endswith(f"= {fs(e.channel_sums[0])}")
    qtbot.mouseClick(view.button("all"), Qt.MouseButton.LeftButton)
    assert view.shown_total() == e.value
    # Esc closes the pane: the marks go, the snapshots stop carrying the weights
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert not tab.units.pane.isVisible() and tab.feature_maps.marks == []
    tab.session.step(1)
    qtbot.waitUntil(lambda: tab.latest_snapshot().step == 9, timeout=5000)
    assert tab.latest_snapshot().weights is None


def test_a_pool_pixel_an_fc_unit_and_a_score_are_explained_too(qtbot, tab):
    e, snapshot = click_unit(qtbot, tab, "pool1", 2, 5, 6)
    assert isinstance(e, PoolExplanation)
    block = snapshot.activations["conv1"][2, 10:12, 12:14]
    assert e.value == float(block.max()) == pytest.approx(float(snapshot.activations["pool1"][2, 5, 6]))
    assert tab.units.view.grids.grids[0].marked[e.argmax]
    e, snapshot = click_unit(qtbot, tab, "fc1", 7)
    assert isinstance(e, DenseExplanation)
    assert e.value == pytest.approx(float(snapshot.activations["fc1"][7]), **CLOSE)
    contributions = snapshot.activations["flatten"] * snapshot.weights["fc1.weight"][7]
    np.testing.assert_allclose(e.contributions, contributions, **TOLERANCE)
    assert f"<b>{fs(e.largest(1)[0][1])}</b>" in tab.units.view.table.text()
    # a score: from the table's digit links in the pane, and from the bars once the pane is closed
    tab.units.view.table.linkActivated.emit("scores,4,0,0")
    e, snapshot = shown(qtbot, tab, ("scores", 4, 0, 0))
    assert isinstance(e, ScoreExplanation)
    assert e.value == pytest.approx(float(snapshot.scores[4]), **CLOSE)
    np.testing.assert_allclose(e.probabilities, snapshot.scores, **TOLERANCE)
    qtbot.mouseClick(tab.units.close_button, Qt.MouseButton.LeftButton)
    assert not tab.units.pane.isVisible() and tab.feature_maps.marks == [] and tab.scores_view.isVisible()
    scores = tab.scores_view
    QTest.mouseClick(scores.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     scores.position_of(6))
    e, snapshot = shown(qtbot, tab, ("scores", 6, 0, 0))
    assert tab.units.view.line_texts()[2].startswith(f"{fs(e.exps[6])} ÷ Σ exp {fs(e.total)} = {fs(e.value)}")


def test_it_follows_training_and_holds_still_on_pause(qtbot, tab):
    first, _ = click_unit(qtbot, tab, "conv1", 1, 14, 14)
    view = tab.units.view
    view.go_to_step(0)
    qtbot.mouseClick(tab.training_controls.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.latest_snapshot().step >= 30 and view.explanation() != first, timeout=15000)
    assert view.current_step == 0  # the same unit explained anew keeps its step
    qtbot.mouseClick(tab.training_controls.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.session.running, timeout=5000)
    qtbot.wait(600)  # the snapshot of the pause, and the last explanation
    held = view.explanation()
    snapshot = tab.latest_snapshot()
    assert held.value == pytest.approx(float(snapshot.activations["conv1"][1, 14, 14]), **CLOSE)
    assert "holds still" in view.context.text()
    qtbot.wait(500)
    assert view.explanation() is held and tab.latest_snapshot() is snapshot


def test_what_a_map_looks_for_is_its_top_held_out_digits(qtbot, tab):
    e, snapshot = click_unit(qtbot, tab, "conv2", 5, 7, 7)
    tab.units.tabs.setCurrentWidget(tab.units.looks)
    looks = tab.units.looks
    qtbot.waitUntil(lambda: looks.result is not None, timeout=5000)
    network = Network(snapshot.config)
    network.set_params(snapshot.weights)
    heldout = tab.session.heldout.as_float()
    expected = top_activating(network, heldout, "conv2", 5)
    assert [h.index for h in looks.result] == [h.index for h in expected]
    np.testing.assert_allclose(looks.result.field_average, expected.field_average)
    assert "conv2 map 5" in looks.caption.text() and len(looks.digits.tiles) == 9
    # a digit clicked becomes the probe, its strongest unit explained
    best = looks.result.hits[0]
    rect = looks.digits.tile_rect(0)
    qtbot.mouseClick(looks.digits, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    e, snapshot = shown(qtbot, tab, ("conv2", 5, *best.unit))
    qtbot.waitUntil(lambda: np.array_equal(tab.latest_snapshot().probe_image, heldout[best.index, 0]), timeout=5000)
    assert tab.units.tabs.currentWidget() is tab.units.view
    assert unit_text.unit_name(e) == f"conv2 map 5 at ({best.unit[0]}, {best.unit[1]})"
