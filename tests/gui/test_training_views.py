"""The training tab's pieces on their own: mosaics, kernels, maps, scores, diagram, pad."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QPainter, QPalette
from PySide6.QtTest import QTest

from screen_check import tick_texts

from synthetic_digits import SMALL, bar_digits
from kernelplay.nn.config import NetworkConfig
from kernelplay.gui.training.draw_pad import DrawPad
from kernelplay.gui.training.feature_maps import FeatureMaps, stage_image
from kernelplay.gui.training.filter_grid import FilterGrid, kernel_mosaic
from kernelplay.gui.training.mosaic import DIVERGING_TABLE, GAP_RGB, colourise, grid_shape, mosaic
from kernelplay.gui.training.network_diagram import STAGE_TIPS, NetworkDiagram, stages_of
from kernelplay.gui.training.probe_strip import pick_probes
from kernelplay.gui.training.scores import RIGHT_COLOUR, UNKNOWN_COLOUR, WRONG_COLOUR, ScoresView



def test_mosaic_places_tiles_row_by_row_with_nan_gaps():
    tiles = np.arange(5 * 2 * 2, dtype=np.float32).reshape(5, 2, 2)
    out = mosaic(tiles, rows=2, cols=3)
    assert out.shape == (5, 8)
    np.testing.assert_array_equal(out[0:2, 3:5], tiles[1])
    np.testing.assert_array_equal(out[3:5, 0:2], tiles[3])
    assert np.isnan(out[2]).all() and np.isnan(out[:, 2]).all()
    assert np.isnan(out[3:5, 6:8]).all()  # the unused sixth cell
    assert grid_shape(16) == (4, 4) and grid_shape(36) == (6, 6) and grid_shape(10) == (3, 4)


def test_colourise_maps_levels_to_the_ends_of_the_table_and_gaps_to_the_background():
    values = np.array([[-2.0, 0.0, np.nan], [1.0, 5.0, -0.5]])
    rgb = colourise(values, DIVERGING_TABLE, -1.0, 1.0)
    assert rgb.shape == (2, 3, 3) and rgb.dtype == np.uint8
    assert tuple(rgb[0, 0]) == tuple(DIVERGING_TABLE[0]) and tuple(rgb[1, 1]) == tuple(DIVERGING_TABLE[-1])
    assert tuple(rgb[0, 1]) == tuple(DIVERGING_TABLE[128]) and tuple(rgb[0, 2]) == GAP_RGB


def test_kernel_mosaic_rows_are_input_maps_and_columns_kernels():
    w = np.random.default_rng(0).normal(size=(6, 4, 3, 3)).astype(np.float32)
    out = kernel_mosaic(w)
    assert out.shape == (4 * 4 - 1, 6 * 4 - 1)
    np.testing.assert_array_equal(out[4:7, 8:11], w[2, 1])  # kernel 2's slice for input map 1
    first = kernel_mosaic(w[:, :1])
    np.testing.assert_array_equal(first[0:3, 4:7], w[1, 0])


def test_filter_grid_uses_symmetric_levels_per_layer(qtbot):
    grid = FilterGrid()
    qtbot.addWidget(grid)
    rng = np.random.default_rng(1)
    kernels = {"conv1": rng.normal(size=(4, 1, 3, 3)) * 0.5, "conv2": rng.normal(size=(6, 4, 3, 3)) * 0.1}
    grid.set_kernels(kernels)
    for name, w in kernels.items():
        assert grid.limits[name] == pytest.approx(np.abs(w).max())
        assert f"max |w| {np.abs(w).max():.2f}" in grid.titles[name].text
    # zero is white, ± the layer's largest |weight| the ends of the map, gaps the background
    pixels = grid.images["conv1"].image
    flat = kernels["conv1"][:, 0]
    top = np.unravel_index(np.argmax(np.abs(flat)), flat.shape)
    row, col = divmod(top[0], grid_shape(4)[1])
    end = DIVERGING_TABLE[-1] if flat[top] > 0 else DIVERGING_TABLE[0]
    assert tuple(pixels[row * 4 + top[1], col * 4 + top[2]]) == tuple(end)
    assert tuple(pixels[3, 0]) == GAP_RGB
    items = dict(grid.images)
    grid.set_kernels({k: v * 2 for k, v in kernels.items()})
    assert grid.images == items  # same items, new data: created once, updated after


def test_feature_maps_show_every_stage_with_levels_from_zero(qtbot):
    from kernelplay.nn.network import Network

    net = Network(SMALL)
    acts = {k: v[0] for k, v in net.activations(np.random.default_rng(0).random((1, 1, 28, 28))).items()}
    view = FeatureMaps()
    qtbot.addWidget(view)
    view.set_activations(acts)
    assert list(view.images) == ["input", "conv1", "pool1", "conv2", "pool2", "flatten", "fc1"]
    assert view.images["conv1"].image.shape == stage_image(acts["conv1"]).shape + (3,)
    assert view.images["flatten"].image.shape == (1, SMALL.flat_features, 3)
    low, high = view.levels["conv2"]
    assert low == 0 and high == pytest.approx(acts["conv2"].max())
    assert "flatten" in view.titles["flatten"].text


def test_scores_highlight_the_prediction_right_wrong_or_drawn(qtbot):
    view = ScoresView()
    qtbot.addWidget(view)
    scores = np.array([0.05, 0.05, 0.6, 0.1, 0.05, 0.05, 0.03, 0.03, 0.02, 0.02])
    view.set_scores(scores, 2, label=2)
    assert view.predicted == 2 and view.prediction_colour() == RIGHT_COLOUR
    assert view.bars.opts["brushes"][2] == RIGHT_COLOUR
    assert "✓ right" in view.getPlotItem().titleLabel.text and "60 %" in view.getPlotItem().titleLabel.text
    view.set_scores(scores, 2, label=3)
    assert view.prediction_colour() == WRONG_COLOUR and "✗ wrong" in view.getPlotItem().titleLabel.text
    view.set_scores(scores, 2, label=None)
    assert view.prediction_colour() == UNKNOWN_COLOUR and "drawn digit" in view.getPlotItem().titleLabel.text


def test_the_diagram_lists_the_stages_with_shapes_and_explains_them(qtbot):
    config = NetworkConfig(channels=(4, 6, 8), kernel_size=3, fc_width=20)
    stages = stages_of(config)
    assert [s.shape_text for s in stages] == ["1×28×28", "4×28×28", "4×14×14", "6×14×14", "6×7×7",
                                              "8×7×7", "8×3×3", "72", "20", "10"]
    diagram = NetworkDiagram(config)
    qtbot.addWidget(diagram)
    diagram.resize(1000, 54)
    rects = diagram.stage_rects()
    assert len(rects) == len(stages) and all(a.right() < b.left() for a, b in zip(rects, rects[1:]))
    assert diagram.stage_at(rects[2].center()).kind == "pool"
    assert diagram.stage_at(QPointF(-5, -5)) is None
    for kind in ("conv", "pool", "flatten", "scores"):
        assert 20 < len(STAGE_TIPS[kind]) < 260  # one or two sentences


def test_the_pad_emits_a_centred_digit_and_clears_on_right_click(qtbot):
    pad = DrawPad()
    qtbot.addWidget(pad)
    pad.resize(200, 200)
    pad.show()
    with qtbot.waitSignal(pad.digit_drawn) as drawn:
        QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(20, 20))
        QTest.mouseMove(pad, QPoint(40, 60))
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(60, 100))
    digit = drawn.args[0]
    assert digit.shape == (28, 28)
    ys, xs = np.indices(digit.shape)
    assert abs((ys * digit).sum() / digit.sum() - 13.5) < 1 and abs((xs * digit).sum() / digit.sum() - 13.5) < 1
    with qtbot.waitSignal(pad.cleared):
        QTest.mouseClick(pad, Qt.MouseButton.RightButton)
    assert pad.is_empty() and pad.digit() is None


def test_probe_picks_cover_every_class():
    data = bar_digits()
    picks = pick_probes(data.heldout, per_class=2)
    assert [int(data.heldout.labels[i]) for i in picks] == list(range(10)) * 2


def test_each_view_explains_itself_in_a_tooltip(qtbot):
    from kernelplay.gui.training.filter_grid import KERNEL_TIP

    grid = FilterGrid()
    qtbot.addWidget(grid)
    assert grid.toolTip() == KERNEL_TIP and "kernel" in KERNEL_TIP
    assert "Softmax" in ScoresView().toolTip()
    from kernelplay.nn.network import Network

    acts = {k: v[0] for k, v in Network(SMALL).activations(np.zeros((1, 1, 28, 28))).items()}
    maps = FeatureMaps()
    qtbot.addWidget(maps)
    maps.set_activations(acts)
    tips = {name: item.getViewBox().toolTip() for name, item in maps.images.items()}
    assert "feature map" in tips["conv1"] and "Max-pooling" in tips["pool1"]
    assert "Flatten" in tips["flatten"] and "Fully connected" in tips["fc1"]


def test_the_training_controls_announce_checked_settings(qtbot):
    from kernelplay.gui.training.controls import OPTIMIZER_NAMES, TrainingControls
    from kernelplay.nn.optim import OPTIMIZERS

    controls = TrainingControls(epochs=2.5)
    qtbot.addWidget(controls)
    assert controls.epochs_box.value() == 3 and controls.play_button.text() == "Train"
    rates, epochs, optimizers = [], [], []
    controls.learning_rate_chosen.connect(rates.append)
    controls.epochs_chosen.connect(epochs.append)
    controls.optimizer_chosen.connect(optimizers.append)
    for text in ("0,003", "-1", "abc", "nan", "0.1"):
        controls.learning_rate_box.setCurrentText(text)
        ink = controls.learning_rate_box.palette().color(QPalette.ColorRole.Text)
        assert (ink.red() > ink.green() + 60) == (text in ("-1", "abc", "nan"))  # red while refused
    assert rates == [0.003, 0.1]  # refused rates are not sent
    controls.epochs_box.setValue(0)
    controls.epochs_box.setValue(4)
    assert epochs == [None, 4.0]
    controls.optimizer_box.setCurrentText("SGD + momentum")
    assert optimizers == ["sgd"] and set(OPTIMIZER_NAMES.values()) == set(OPTIMIZERS)
    with qtbot.waitSignal(controls.play_clicked):
        controls.play_button.click()
    controls.set_running(True)
    assert controls.play_button.text() == "Pause"


def test_the_architecture_editor_describes_the_next_network(qtbot):
    from kernelplay.gui.training.controls import ArchitectureEditor

    editor = ArchitectureEditor(SMALL)
    qtbot.addWidget(editor)
    assert editor.config() == SMALL and "Reset" not in editor.parameter_label.text()
    assert [box.isEnabled() for box in editor.channel_boxes] == [True, True, False]
    editor.stages_box.setValue(3)
    editor.kernel_size_box.setCurrentIndex(1)
    wider = NetworkConfig(channels=(4, 6, 24), kernel_size=5, fc_width=16)
    assert editor.config() == wider and all(box.isEnabled() for box in editor.channel_boxes)
    assert editor.parameter_label.text() == f"{wider.parameter_count:,} parameters\npress Reset to apply"
    editor.set_applied_config(wider)
    assert editor.parameter_label.text() == f"{wider.parameter_count:,} parameters"
    loaded = NetworkConfig(channels=(8,), kernel_size=3, fc_width=32)
    editor.show_config(loaded)
    assert editor.config() == loaded and "press Reset to apply" in editor.parameter_label.text()


def _value_at(axis, position: float) -> float:
    """The data value at a point of ``axis`` (x for a bottom axis, y for a left one)."""
    box = axis.linkedView()
    if axis.orientation == "bottom":
        return box.mapSceneToView(axis.mapToScene(QPointF(position, 0))).x()
    return box.mapSceneToView(axis.mapToScene(QPointF(0, position))).y()


def _read_count(text: str) -> float:
    scale = {"k": 1e3, "M": 1e6}.get(text[-1], 1.0)
    return float(text.rstrip("kM")) * scale


def test_the_score_axis_says_the_value_at_each_tick(qtbot):
    view = ScoresView()
    qtbot.addWidget(view)
    view.resize(200, 260)
    view.show()
    qtbot.waitExposed(view)
    ticks = tick_texts(view.getPlotItem().getAxis("left"))
    assert {text for _, text in ticks} == {"0", "0.25", "0.5", "0.75", "1"}
    for position, text in ticks:
        assert _value_at(view.getPlotItem().getAxis("left"), position) == pytest.approx(float(text), abs=0.01)


@pytest.mark.parametrize("width", [290, 390, 640])  # the curves' width in a 1024, 1280 and 1920 wide window
@pytest.mark.parametrize("digits_seen", [1_000, 150_000, 2_400_000])
def test_the_curves_x_axis_labels_are_short_true_and_apart(qtbot, width, digits_seen):
    from kernelplay.gui.training.curves import TrainingCurves
    from kernelplay.nn.snapshot import CurveHistory

    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.resize(width, 250)
    curves.show()
    qtbot.waitExposed(curves)
    history = CurveHistory()
    history.samples = list(np.linspace(64, digits_seen, 50).astype(int))
    history.loss, history.accuracy = [1.0] * 50, [0.5] * 50
    curves.set_history(history)
    for plot in (curves.loss_plot, curves.accuracy_plot):
        axis = plot.getPlotItem().getAxis("bottom")
        image = QImage(1, 1, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        rects = sorted((r for r, _, _ in axis.generateDrawSpecs(painter)[2]), key=lambda r: r.left())
        painter.end()
        ticks = tick_texts(axis)
        assert len(ticks) >= 2, ticks
        for position, text in ticks:
            assert len(text) <= 4  # "150k", not "150000"
            assert _value_at(axis, position) == pytest.approx(_read_count(text), abs=1e-6 * digits_seen)
        assert all(b.left() - a.right() >= 8 for a, b in zip(rects, rects[1:])), [t for _, t in ticks]


def _point_at(view, item, row: int, col: int) -> QPoint:
    """The viewport position of pixel (row, col) of an image item in a pyqtgraph view."""
    return view.mapFromScene(item.mapToScene(QPointF(col + 0.5, row + 0.5)))


def _hover(view, item, row: int, col: int) -> None:
    """Move the mouse onto the pixel, from the one to its left (Qt sends no move to where it is)."""
    for c in (col - 1, col):
        QTest.mouseMove(view.viewport(), _point_at(view, item, row, c))


def test_pointing_at_a_deep_kernel_slice_shows_its_weights_enlarged(qtbot):
    from kernelplay.nn.network import Network

    network = Network(NetworkConfig(channels=(4, 6), kernel_size=5, fc_width=16), seed=3)
    grid = FilterGrid()
    qtbot.addWidget(grid)
    grid.resize(700, 260)
    grid.show()
    qtbot.waitExposed(grid)
    grid.set_kernels(network.kernels)
    qtbot.wait(20)
    out, inp, k = 4, 2, 5
    _hover(grid, grid.images["conv2"], inp * (k + 1) + 2, out * (k + 1) + 1)  # inside slice [4, 2]
    zoom = grid.zoom
    qtbot.waitUntil(zoom.isVisible, timeout=1000)
    weights = network.get_params()["conv2.weight"][out, inp]
    np.testing.assert_array_equal(zoom.tile.values, weights)
    assert zoom.tile.title == "conv2.weight[4, 2]" and "pool1 map 2 → conv2 map 4" in zoom.tile.caption
    shown = np.array([[float(t.replace("−", "-")) for t in row] for row in zoom.texts])
    decimals = len(zoom.texts[0][0].split(".")[1])
    np.testing.assert_allclose(shown, weights, atol=0.5 * 10.0 ** -decimals + 1e-9)
    assert np.count_nonzero(np.abs(weights) >= 0.1 ** decimals) >= weights.size // 2  # most read as non-zero
    cell = zoom.grid_rect().width() / k
    assert all(zoom.fontMetrics().horizontalAdvance(t) < cell for row in zoom.texts for t in row)
    assert zoom.fontInfo().pixelSize() >= 11
    # a first-layer kernel: its one slice, from the digit
    grid_cols = grid_shape(4)[1]
    _hover(grid, grid.images["conv1"], 1 * (k + 1) + 2, 1 * (k + 1) + 2)  # tile (1, 1): kernel 3
    qtbot.waitUntil(lambda: zoom.tile.title == f"conv1.weight[{grid_cols + 1}, 0]", timeout=1000)
    np.testing.assert_array_equal(zoom.tile.values, network.get_params()["conv1.weight"][grid_cols + 1, 0])
    # training goes on: the open zoom follows the weights; leaving the view closes it
    network.flat_params *= 2
    grid.set_kernels(network.kernels)
    np.testing.assert_array_equal(zoom.tile.values, network.get_params()["conv1.weight"][grid_cols + 1, 0])
    QTest.mouseMove(grid.viewport(), _point_at(grid, grid.images["conv2"], k, 0))  # a gap between tiles
    assert not zoom.isVisible()


def test_pointing_at_a_feature_map_shows_it_enlarged_with_its_range(qtbot):
    from kernelplay.nn.network import Network

    network = Network(SMALL, seed=1)
    digit = bar_digits().heldout.as_float()[3:4]
    acts = {k: v[0] for k, v in network.activations(digit).items()}
    maps = FeatureMaps()
    qtbot.addWidget(maps)
    maps.resize(700, 260)
    maps.show()
    qtbot.waitExposed(maps)
    maps.set_activations(acts)
    qtbot.wait(20)
    rows, cols = grid_shape(SMALL.channels[0])
    channel = cols + 1  # second row, second map
    _hover(maps, maps.images["conv1"], 29 + 10, 29 + 10)
    qtbot.waitUntil(maps.zoom.isVisible, timeout=1000)
    expected = network.activations(digit)["conv1"][0, channel]
    np.testing.assert_array_equal(maps.zoom.tile.values, expected)
    assert maps.zoom.tile.title == f"conv1 map {channel} · 28×28"
    assert maps.zoom.tile.caption.startswith(f"min {expected.min():.2f} · max {expected.max():.2f} · colours 0–")
    assert maps.zoom.grid_rect().width() >= 5 * 28  # enlarged: at least 5 screen pixels a value
    # a pooled 7×7 map is small enough to show its numbers
    _hover(maps, maps.images["pool2"], 1, 1)
    qtbot.waitUntil(lambda: maps.zoom.tile.title.startswith("pool2 map 0"), timeout=1000)
    assert len(maps.zoom.texts) == 7


def test_a_narrow_diagram_says_less_but_never_cuts_a_word(qtbot):
    from PySide6.QtGui import QFont, QFontMetricsF

    config = NetworkConfig(channels=(64, 64, 64), kernel_size=5, fc_width=1024)
    diagram = NetworkDiagram(config)
    qtbot.addWidget(diagram)
    bold = QFont(diagram.font())
    bold.setBold(True)
    for width, compact in ((1640, False), (730, True)):  # the diagram in a 1920 and a 1024 wide window
        diagram.resize(width, diagram.sizeHint().height())
        labels = diagram.labels()
        for (rect, title, shape), stage in zip(labels, diagram.stages):
            assert "…" not in title + shape
            assert QFontMetricsF(bold).horizontalAdvance(title) <= rect.width() - 4
            assert QFontMetricsF(diagram.font()).horizontalAdvance(shape) <= rect.width() - 4
            assert title in stage.titles() and shape in stage.shape_texts()
        assert (labels[1][1:] == ("conv", "64×28²")) == compact
        assert labels[1][1:] == ("conv 5×5", "64×28×28") or compact


def test_the_probe_strip_shows_what_fits_and_a_digit_of_each_class(qtbot):
    from kernelplay.gui.training.probe_strip import ProbeStrip

    from PySide6.QtWidgets import QWidget

    data = bar_digits()
    holder = QWidget()  # a window would never be narrower than its layout: the strip lives in one
    qtbot.addWidget(holder)
    strip = ProbeStrip(data.heldout, parent=holder)
    holder.resize(2000, 60)
    holder.show()
    for width in (strip.minimumSizeHint().width(), 600, 2000):
        strip.resize(width, strip.sizeHint().height())
        qtbot.wait(10)  # the layout places the buttons at the next pass of the event loop
        shown = [i for b, i in zip(strip.buttons, strip.indices) if b.isVisible()]
        assert {int(data.heldout.labels[i]) for i in shown} == set(range(10))
        assert all(b.geometry().right() <= width for b in strip.buttons if b.isVisible())
        rows = {b.geometry().top() for b in strip.buttons if b.isVisible()}
        assert len(rows) == (2 if width < 600 else 1), (width, rows)  # least: two rows of five
    assert len(shown) == len(strip.buttons)
