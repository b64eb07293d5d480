"""The unit view on its own: it writes exactly the core's numbers (explain_unit, same network and
digit) for every kind of unit, in the 2- and 3-stage networks, and steps through them with the
playground's buttons and keys."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from synthetic_digits import SMALL, bar_digits
from kernelplay.common.text import format_significant as fs
from kernelplay.gui.training import unit_text
from kernelplay.gui.training.unit_view import UnitView
from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.explain_unit import explain_unit
from kernelplay.nn.network import Network

THREE = NetworkConfig(channels=(3, 4, 5), kernel_size=3, fc_width=8)
UNITS = {SMALL: [("conv1", 2, 0, 5), ("conv2", 3, 4, 6), ("pool1", 1, 3, 2), ("pool2", 5, 6, 0), ("fc1", 7, 0, 0),
                 ("scores", 4, 0, 0)],
         THREE: [("conv3", 4, 2, 6), ("pool3", 2, 1, 1), ("conv1", 0, 27, 27), ("fc1", 3, 0, 0), ("scores", 9, 0, 0)]}
LINES = {"conv": unit_text.conv_lines, "pool": unit_text.pool_lines, "fc": unit_text.dense_lines,
         "scores": unit_text.score_lines}


@pytest.fixture(scope="module")
def digit():
    return bar_digits(n_train=10, n_heldout=10).heldout.as_float()[3, 0]


def trained(config):
    """A network whose weights are not the fresh ones: some units are negative, some not."""
    net = Network(config, seed=3)
    rng = np.random.default_rng(1)
    net.flat_params[...] += rng.normal(0, 0.05, net.flat_params.shape).astype(np.float32)
    return net


def show(qtbot, explanation, width=700):
    view = UnitView()
    qtbot.addWidget(view)
    view.resize(width, 700)
    view.show()
    view.set_explanation(explanation)
    return view


@pytest.mark.parametrize("config", [SMALL, THREE], ids=["2 stages", "3 stages"])
def test_every_kind_of_unit_is_written_with_the_cores_numbers(qtbot, digit, config):
    net = trained(config)
    for unit in UNITS[config]:
        e = explain_unit(net, digit, *unit)
        view = show(qtbot, e)
        assert view.current_step == len(e.steps()) - 1  # a new unit opens with every step done
        assert view.header_text().startswith(f"{unit_text.unit_name(e)} = {fs(e.value)}")
        lines = view.line_texts()
        assert lines == LINES[unit[0].rstrip("0123456789")](e, view.current_step, unit_text.PLAIN)
        if unit[0].startswith("conv"):
            rows = view.channels.row_texts()
            assert [r[1] for r in rows] == [f"= {fs(s)}" for s in e.channel_sums]
            assert [r[2] for r in rows] == [f"Σ {fs(s)}" for s in np.cumsum(e.channel_sums)]
            c = view.detail_channel
            assert c == int(np.argmax(np.abs(e.channel_sums)))  # the input map that adds most is enlarged
            window, weights, products = view.grids.grids
            assert window.texts == [fs(v) for v in e.windows[c].ravel()]
            assert weights.texts == [fs(v) for v in e.weights[c].ravel()]
            assert products.texts == [fs(v) for v in (e.windows[c] * e.weights[c]).ravel()]
            assert view.grids.tail == f"Σ = {fs(e.channel_sums[c])}"
            assert lines[-1] == f"ReLU: max(0, {fs(e.pre_activation)}) = {fs(e.value)}"
            assert lines[-2] == f"+ bias {unit_text.bracket_negative(fs(e.bias))} = {fs(e.pre_activation)}"
        elif unit[0].startswith("pool"):
            (block,) = view.grids.grids
            assert block.texts == [fs(v) for v in e.window.ravel()] and block.marked[e.argmax]
            assert view.grids.tail == f"max = {fs(e.value)}"
        elif unit[0] == "fc1":
            table = view.table.text()
            for index, contribution in e.largest(unit_text.LARGEST):
                assert f"<b>{fs(contribution)}</b>" in table and fs(e.inputs[index]) in table
            assert f"= {fs(e.contributions.sum())}" in lines[0] and lines[2].endswith(f"= {fs(e.value)}")
        else:
            table = view.table.text()
            for d in range(10):
                for value in (e.logits[d], e.exps[d], e.exps[d] / e.total):
                    assert f">{fs(value)}&nbsp;<" in table
            assert lines[2].startswith(f"{fs(e.exps[e.channel])} ÷ Σ exp {fs(e.total)} = {fs(e.value)}")
        assert abs(view.shown_total() - e.value) <= 1e-12 * max(1.0, abs(e.value))
        view.close()


def test_next_back_play_and_the_keys_step_through_a_conv_unit(qtbot, digit):
    e = explain_unit(trained(SMALL), digit, "conv2", 3, 4, 6)
    steps = e.steps()
    view = show(qtbot, e)
    qtbot.mouseClick(view.button("reset"), Qt.MouseButton.LeftButton)
    assert view.current_step == -1 and view.line_texts()[0].endswith("= 0")
    assert not view.button("back").isEnabled() and view.button("forward").isEnabled()
    qtbot.mouseClick(view.button("forward"), Qt.MouseButton.LeftButton)
    assert view.current_step == 0 and view.shown_total() == steps[0].total
    assert view.line_texts()[0].endswith(f"= {fs(e.channel_sums[0])}")
    assert view.channels.row_texts()[0][2] and not view.channels.row_texts()[1][2]  # map 1 still to come
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Period)
    QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.current_step == 2 and view.detail_channel == 2  # the map just added is enlarged
    assert view.line_texts()[0].endswith(f"= {fs(e.partial_sum(3))}")
    QTest.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClick(view, Qt.Key.Key_Comma)
    assert view.current_step == 0
    QTest.keyClick(view, Qt.Key.Key_End)
    assert view.current_step == len(steps) - 1 and view.step_label.text().startswith(f"step {len(steps)} of")
    QTest.keyClick(view, Qt.Key.Key_Home)
    assert view.current_step == -1
    # a click on an input map's row steps the sum to it
    row = view.channels.row_rect(3)
    qtbot.mouseClick(view.channels, Qt.MouseButton.LeftButton, pos=row.center().toPoint())
    assert view.current_step == 3
    # Play goes on from there, a step at a time; from the end it starts again
    view.set_play_interval(30)
    seen = []
    view.step_changed.connect(seen.append)
    QTest.keyClick(view, Qt.Key.Key_Space)
    assert view.is_playing() and view.button("play").text() == "Pause"
    qtbot.waitUntil(lambda: not view.is_playing(), timeout=5000)
    assert seen == list(range(4, len(steps)))
    seen.clear()
    qtbot.mouseClick(view.button("play"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.is_playing(), timeout=5000)
    assert seen == list(range(-1, len(steps))) and view.button("play").text() == "Play"
    assert view.line_texts()[-1].endswith(f"= {fs(e.value)}")


def test_the_same_unit_explained_anew_keeps_its_step_and_another_opens_whole(qtbot, digit):
    net = trained(SMALL)
    view = show(qtbot, explain_unit(net, digit, "conv2", 3, 4, 6))
    view.go_to_step(2)
    net.params["conv2.weight"][...] *= 1.5  # training moved on
    again = explain_unit(net, digit, "conv2", 3, 4, 6)
    view.set_explanation(again)
    assert view.current_step == 2 and view.explanation() is again
    assert view.line_texts()[0].endswith(f"= {fs(again.partial_sum(3))}")
    view.set_explanation(explain_unit(net, digit, "conv2", 1, 0, 0))
    assert view.current_step == len(view.explanation().steps()) - 1


def test_pointing_at_a_cell_or_a_small_grid_gives_its_numbers(qtbot, digit):
    e = explain_unit(trained(SMALL), digit, "conv2", 3, 0, 0)  # a corner: the window leaves the map
    view = show(qtbot, e)
    c = view.detail_channel
    layout = view.grids.layout_now()
    centre = view.grids.cell_rect(layout, 0, 0).center()
    assert view.grids.cell_at(centre) == (0, 0)
    assert "padding" in view.grids.grids[0].tips[0] and e.is_padding[0, 0]
    middle = 1 * 3 + 1
    assert view.grids.grids[1].tips[middle] == unit_text.term_tooltip(e.windows[c, 1, 1], e.weights[c, 1, 1], False)
    window_rect, slice_rect = view.channels._thumb_rects(view.channels.row_rect(2))
    zoomed = view.channels.zoomed_tile(QPointF(slice_rect.center()))
    assert zoomed.title == "conv2.weight[3, 2]" and np.array_equal(zoomed.values, e.weights[2])
    assert np.array_equal(view.channels.zoomed_tile(QPointF(window_rect.center())).values, e.windows[2])


def test_narrow_views_leave_the_numbers_to_hovering_and_wide_ones_write_them(qtbot, digit):
    e = explain_unit(trained(SMALL), digit, "conv2", 3, 4, 6)
    view = show(qtbot, e, width=1100)
    qtbot.waitUntil(lambda: all(view.grids.shown_numbers()))
    view.resize(330, 700)
    qtbot.waitUntil(lambda: not any(view.grids.shown_numbers()))
    assert view.grids.heightForWidth(view.grids.width()) > 0
