"""The step panel shows what the explanation holds, and steps through the sum as a person would.

The panel's words are tested as pure functions (step_text, the grids' geometry); the widget is
driven by keys, clicks and hovers, and what its labels and pixels show is checked against the
core's numbers.
"""
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QTextDocumentFragment
from PySide6.QtWidgets import QApplication, QLabel, QToolTip

from hovering import hover_pixel
from kernelplay.common.colormaps import diverging_rgb, symmetric_limit
from kernelplay.common.text import format_significant
from kernelplay.gui.playground import step_text
from kernelplay.gui.playground.step_grids import StepGrids, grid_geometry
from kernelplay.gui.playground.step_panel import StepPanel
from kernelplay.gui.playground.step_text import PLAIN, RICH
from kernelplay.imaging.borders import BORDER_LABELS, BORDER_MODES
from kernelplay.imaging.explain import explain_pixel
from kernelplay.imaging.kernels import PRESETS

EMBOSS_PARTIAL_SUMS = [-324, -449, -449, -626, -499, -401, -401, -266, -106]
EMBOSS_TERMS = "162 × (−2) + 125 × (−1) + 108 × 0 + 177 × (−1) + 127 × 1 + 98 × 1 + 191 × 0 + 135 × 1 + 80 × 2"
BLUR_IMAGE = np.array([[10, 20, 30], [40, 50, 60], [70, 80, 97]], dtype=np.uint8)  # blur: 807 / 16
PENDING_GREY = (236, 236, 236)  # a product not yet in the running total


def shown_texts(widget) -> list[str]:
    """What the visible labels say, as a reader sees it (Qt turns the rich text into plain text)."""
    texts = []
    for label in widget.findChildren(QLabel):
        if label.isVisibleTo(widget) and label.text():
            texts.append(" ".join(QTextDocumentFragment.fromHtml(label.text()).toPlainText().split()))
    return texts


def tooltip_at(grids: StepGrids, grid: int, term: int) -> str:
    """Hover the mouse over a cell long enough for its tooltip; returns the tooltip's text."""
    point = grids.geometry_now().cell_rect(grid, term).center().toPoint()
    QApplication.sendEvent(grids, QHelpEvent(QEvent.Type.ToolTip, point, grids.mapToGlobal(point)))
    return QToolTip.text() if QToolTip.isVisible() else ""


@pytest.fixture
def panel(qtbot):
    widget = StepPanel()
    qtbot.addWidget(widget)
    widget.resize(460, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def emboss(emboss_image):
    return explain_pixel(emboss_image, PRESETS["emboss"], 4, 4)


def test_without_a_pixel_the_panel_says_what_to_do(panel):
    panel.set_explanation(None)
    assert panel.equation_text() == "" and panel.total_text() == "" and panel.stage_texts() == {}
    assert shown_texts(panel) == [" ".join(panel.hint_text().split())]
    assert "Hover over a pixel" in panel.hint_text()


def test_shows_the_whole_emboss_sum_at_once(panel, emboss):
    panel.set_explanation(emboss)
    assert panel.current_term == 9
    assert panel.equation_text() == EMBOSS_TERMS + " = −106"
    assert panel.partial_sum() == -106
    assert panel.total_text() == "sum of all 9 terms: −106"
    stages = panel.stage_texts()
    assert stages["sum"] == "−106" and stages["raw"] == "−106"
    assert "divide" not in stages  # emboss has no divisor
    assert "−106 is below 0 → 0" in stages["mapping"]
    assert panel.final_value_text() == "0"
    assert "-" not in panel.equation_text()  # a true minus sign everywhere
    # The labels show the same, and the stages are the core's own text.
    shown = shown_texts(panel)
    assert panel.equation_text() in shown and panel.total_text() in shown
    assert "pixel (row 4, col 4) · grey image · zero padding" in shown
    assert str(emboss.stages().mapping) == "clamp 0…255: −106 is below 0 → 0 (clipped)"
    assert str(emboss.stages().mapping) in shown
    assert "÷ divisor" not in shown  # emboss has no divisor: the row is hidden
    assert "shown pixel" in shown and str(emboss.shown) in shown


def test_keyboard_steps_build_the_running_total(panel, emboss, qtbot):
    panel.set_explanation(emboss)
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Home)
    assert panel.current_term == -1 and panel.partial_sum() == 0
    seen = []
    for _ in range(9):
        qtbot.keyClick(panel, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        seen.append(panel.partial_sum())
        assert panel.equation_text().endswith(f"= {_minus(seen[-1])}")
        total = f"running total after term {len(seen)} of 9: {format_significant(emboss.partial_sum(len(seen)))}"
        assert total in shown_texts(panel)
    assert seen == EMBOSS_PARTIAL_SUMS
    assert panel.total_text() == "running total after term 9 of 9: −106"
    qtbot.keyClick(panel, Qt.Key.Key_Period)
    assert panel.current_term == 9
    qtbot.keyClick(panel, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(panel, Qt.Key.Key_Comma)
    assert panel.current_term == 7 and panel.partial_sum() == -266
    qtbot.keyClick(panel, Qt.Key.Key_End)
    assert panel.current_term == 9


def test_buttons_step_and_name_their_keys(panel, emboss, qtbot):
    panel.set_explanation(emboss)
    qtbot.mouseClick(panel.button("reset"), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.term_changed) as blocker:
        qtbot.mouseClick(panel.button("forward"), Qt.MouseButton.LeftButton)
    assert blocker.args == [0]
    qtbot.mouseClick(panel.button("forward"), Qt.MouseButton.LeftButton)
    assert panel.partial_sum() == -449
    qtbot.mouseClick(panel.button("back"), Qt.MouseButton.LeftButton)
    assert panel.partial_sum() == -324
    qtbot.mouseClick(panel.button("all"), Qt.MouseButton.LeftButton)
    assert panel.current_term == 9 and not panel.button("forward").isEnabled()
    assert "Shift+→" in panel.button("forward").toolTip()
    assert "Shift+←" in panel.button("back").toolTip()
    assert "Space" in panel.button("play").toolTip()


def test_play_adds_one_term_at_a_time(panel, emboss, qtbot):
    panel.set_explanation(emboss)
    panel.set_play_interval(30)
    changes = []
    panel.term_changed.connect(changes.append)
    qtbot.mouseClick(panel.button("play"), Qt.MouseButton.LeftButton)
    assert panel.is_playing() and panel.button("play").text() == "Pause"
    qtbot.waitUntil(lambda: not panel.is_playing(), timeout=3000)
    assert changes == list(range(-1, 10))
    assert panel.partial_sum() == -106 and panel.button("play").text() == "Play"


@pytest.mark.parametrize(("grid", "term"), [(0, 4), (1, 0), (2, 7)])
def test_clicking_a_cell_jumps_to_its_term(panel, emboss, qtbot, grid, term):
    panel.set_explanation(emboss)
    grids = panel.findChild(StepGrids)
    centre = grids.geometry_now().cell_rect(grid, term).center().toPoint()
    with qtbot.waitSignal(panel.term_changed) as blocker:
        qtbot.mouseClick(grids, Qt.MouseButton.LeftButton, pos=centre)
    assert blocker.args == [term] and panel.current_term == term
    assert panel.partial_sum() == emboss.partial_sum(term + 1) == EMBOSS_PARTIAL_SUMS[term]
    assert f"running total after term {term + 1} of 9: {_minus(EMBOSS_PARTIAL_SUMS[term])}" in shown_texts(panel)


def test_a_new_pixel_keeps_the_step_while_stepping(panel, emboss, emboss_image):
    panel.set_explanation(emboss)
    panel.reset_steps()
    panel.step_forward()
    panel.step_forward()
    neighbour = explain_pixel(emboss_image, PRESETS["emboss"], 4, 5)
    panel.set_explanation(neighbour)
    assert panel.current_term == 1
    assert panel.partial_sum() == neighbour.running_sums[1]


def test_divisor_and_mapping_stages(panel):
    image = np.array([[10, 20, 30], [40, 50, 60], [70, 80, 97]], dtype=np.uint8)  # blur: 807 / 16
    blur = explain_pixel(image, PRESETS["blur"], 1, 1, mapping="offset")
    panel.set_explanation(blur)
    stages = panel.stage_texts()
    assert stages["sum"] == "807"
    assert stages["divide"] == "807 ÷ 16 = 50.44"  # 50.4375 to four significant digits
    assert stages["raw"] == "50.44"
    assert "50.44 + 128 = 178.44 → 178 (rounded)" in stages["mapping"]
    assert panel.final_value_text() == str(blur.shown) == "178"
    shown = shown_texts(panel)
    assert "÷ divisor" in shown and blur.stages().division() in shown
    assert str(blur.stages().mapping) in shown

    sharp = explain_pixel(image, PRESETS["outline"], 1, 1, mapping="abs")
    panel.set_explanation(sharp)
    assert "|" in panel.stage_texts()["mapping"] and panel.final_value_text() == str(sharp.shown)

    stretched = explain_pixel(image, PRESETS["emboss"], 1, 1, mapping="stretch", value_range=(-100.0, 300.0))
    panel.set_explanation(stretched)
    assert "stretch −100…300 → 0…255" in panel.stage_texts()["mapping"]
    assert panel.final_value_text() == str(stretched.shown)


def _painted(image, layout, grid: int, term: int) -> tuple[int, int, int]:
    """The colour of a cell near its top-left corner: clear of the outline and of the number."""
    rect = layout.cell_rect(grid, term)
    return image.pixelColor(int(rect.x() + 0.15 * rect.width()), int(rect.y() + 0.15 * rect.height())).getRgb()[:3]


@pytest.mark.parametrize(("current", "added"), [(-1, 0), (3, 4), (9, 9)])
def test_the_grids_paint_the_window_weights_and_products(panel, emboss, qtbot, current, added):
    panel.set_explanation(emboss)
    panel.go_to_step(current)
    grids = panel.findChild(StepGrids)
    qtbot.waitUntil(lambda: grids.isVisible())
    image, layout = grids.grab().toImage(), grids.geometry_now()
    products = emboss.products.reshape(3, 3)
    product_rgb = diverging_rgb(products, symmetric_limit(products)).reshape(-1, 3)
    for term in range(9):
        value = int(emboss.window.flat[term])
        assert _painted(image, layout, 0, term) == (value, value, value)
        assert _painted(image, layout, 1, term) == tuple(diverging_rgb(emboss.weights).reshape(-1, 3)[term])
        expected = tuple(product_rgb[term]) if term < added else PENDING_GREY
        assert _painted(image, layout, 2, term) == expected


def test_hovering_a_cell_tells_its_term(panel, emboss):
    panel.set_explanation(emboss)
    grids = panel.findChild(StepGrids)
    expected = "term 5, exact values (window row 2, column 2):\ninput 127 × weight 1 = 127\nclick to step the sum to here"
    assert tooltip_at(grids, 0, 4) == tooltip_at(grids, 2, 4) == expected
    assert "input 162 × weight −2 = −324" in tooltip_at(grids, 1, 0)


# Red is 20 × row: above row 0 sits 0 (zero, replicate), row 1 (reflect, 20) or row 11 (wrap, 220).
CORNER_RED = {"zero": 0, "replicate": 0, "reflect": 20, "wrap": 220}


@pytest.mark.parametrize("border", list(CORNER_RED))
def test_padding_cells_say_what_fills_them(panel, colour_image, border):
    corner = explain_pixel(colour_image, PRESETS["emboss"], 0, 0, border=border, channel="R")
    panel.set_explanation(corner)
    value = CORNER_RED[border]
    tip = tooltip_at(panel.findChild(StepGrids), 0, 0)
    assert f"input {value} (padding) × weight −2 = {_minus(-2 * value)}" in tip
    assert "(padding)" not in tooltip_at(panel.findChild(StepGrids), 0, 4)  # the centre is inside the image
    assert "pixel (row 0, col 0) · red channel · " + step_text.border_name(border) in shown_texts(panel)


def test_luminance_is_named(panel, colour_image):
    lum = explain_pixel(colour_image, PRESETS["emboss"], 5, 5)
    panel.set_explanation(lum)
    assert "pixel (row 5, col 5) · luminance · zero padding" in shown_texts(panel)


def test_a_5x5_kernel_in_a_wide_strip(qtbot, emboss_image):
    widget = StepPanel()
    qtbot.addWidget(widget)
    widget.resize(1200, 300)
    widget.show()
    gauss = next(k for k in PRESETS.values() if k.shape == (5, 5))
    explanation = explain_pixel(emboss_image, gauss, 4, 4)
    widget.set_explanation(explanation)
    assert widget.equation_text().count("×") == 25
    widget.reset_steps()
    for _ in range(25):
        widget.step_forward()
    assert widget.partial_sum() == pytest.approx(explanation.weighted_sum)


def _minus(value: float) -> str:
    return str(int(value)).replace("-", "−")


def test_in_the_playground_hover_shows_the_sum_and_keys_step_it(window, qtbot, emboss_image, wait_for_output):
    """The issue's check, end to end: the −106 patch, emboss, the mouse over the centre pixel."""
    tab = window.playground
    tab.set_image(emboss_image, "emboss patch")
    tab.kernel_editor.set_preset("emboss")
    wait_for_output(tab)
    view = tab.images.input_view
    hover_pixel(view, 4, 4)
    panel = tab.step_panel
    qtbot.waitUntil(lambda: panel.explanation() is not None and panel.explanation().row == 4)
    assert panel.explanation().col == 4
    assert panel.equation_text() == EMBOSS_TERMS + " = −106"
    assert panel.total_text() == "sum of all 9 terms: −106"
    assert panel.final_value_text() == "0"

    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Home)
    sums = []
    for _ in range(9):
        qtbot.keyClick(panel, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        sums.append(panel.partial_sum())
    assert sums == EMBOSS_PARTIAL_SUMS


# -- the panel's words, without a widget ------------------------------------------------------
def test_header_says_where_which_values_and_which_border(emboss, colour_image):
    assert step_text.header(emboss, PLAIN) == "pixel (row 4, col 4) · grey image · zero padding"
    assert step_text.header(emboss, RICH) == "<b>pixel (row 4, col 4)</b> &nbsp;·&nbsp; grey image &nbsp;·&nbsp; zero padding"
    valid = explain_pixel(colour_image, PRESETS["emboss"], 1, 2, border="valid", channel="G", flip=True)
    assert step_text.header(valid, PLAIN) == (
        "pixel (row 1, col 2) → output (row 0, col 1) · green channel · valid (no padding) · "
        "convolution (kernel flipped)"
    )
    assert "<b>green</b> channel" in step_text.header(valid, RICH)
    # With the output pixel as shown, all three channels are named: the one explained is one of them.
    assert "· green channel of the output (13, 9, 1) ·" in step_text.header(valid, PLAIN, (13, 9, 1))
    assert step_text.header(explain_pixel(colour_image, PRESETS["emboss"], 5, 5), PLAIN).endswith("· luminance · zero padding")


def test_border_names_are_the_menus_in_lower_case():
    for border in BORDER_MODES:
        assert step_text.border_name(border) in BORDER_LABELS[border].lower()
    assert step_text.border_name("replicate") == "replicate edge" and step_text.border_name("reflect") == "reflect"


def test_the_equation_marks_the_current_and_pending_terms(emboss):
    assert step_text.equation(emboss, 9, PLAIN) == " + ".join(emboss.terms()) + " = −106" == EMBOSS_TERMS + " = −106"
    assert step_text.equation(emboss, -1, PLAIN).endswith(" = 0")
    rich = step_text.equation(emboss, 1, RICH)
    assert rich.startswith("162&nbsp;×&nbsp;(−2) + <span style='background-color:#c4efff; color:#0b2a36; font-weight:bold'>"
                           "&nbsp;125&nbsp;×&nbsp;(−1)&nbsp;</span> + <span style='color:#6a6a6a'>108&nbsp;×&nbsp;0</span>")
    assert rich.endswith(" = <b>−449</b>")
    assert rich.count("color:#6a6a6a") == 7  # the seven terms still to come


def test_the_running_total_line(emboss):
    assert step_text.running_total(emboss, -1, PLAIN) == "running total: 0 (no terms yet)"
    assert step_text.running_total(emboss, 2, PLAIN) == "running total after term 3 of 9: −449"
    assert step_text.running_total(emboss, 9, PLAIN) == "sum of all 9 terms: −106"
    assert step_text.running_total(emboss, 9, RICH) == "sum of all 9 terms: <b>−106</b>"


def test_the_stages_are_the_cores_text_marked_up():
    blur = explain_pixel(BLUR_IMAGE, PRESETS["blur"], 1, 1, mapping="offset")
    assert step_text.stages(blur, PLAIN) == {
        "sum": "807",
        "divide": "807 ÷ 16 = 50.44",
        "raw": "50.44",
        "mapping": "offset +128: 50.44 + 128 = 178.44 → 178 (rounded)",
        "shown": "178",
    }
    rich = step_text.stages(blur, RICH)
    assert rich["divide"] == "807 ÷ 16 = <b>50.44</b>"
    assert rich["mapping"] == "<span style='color:#555555'>offset +128:</span> 50.44 + 128 = 178.44 → <b>178</b> (rounded)"
    stretched = explain_pixel(BLUR_IMAGE, PRESETS["emboss"], 1, 1, mapping="stretch", value_range=(-100.0, 300.0))
    # A stretch over a range puts its formula on a line of its own.
    assert "→ 0…255:</span> <br>(" in step_text.stages(stretched, RICH)["mapping"]
    assert "divide" not in step_text.stages(stretched, PLAIN)


def test_grid_titles_tooltips_and_padding_words(colour_image):
    blur = explain_pixel(BLUR_IMAGE, PRESETS["blur"], 1, 1, flip=True)
    assert step_text.grid_titles(blur) == ("input window", "kernel (÷ 16 later), flipped", "products")
    assert step_text.cell_tooltip(blur, 4) == (
        "term 5, exact values (window row 2, column 2):\ninput 50 × weight 4 = 200\nclick to step the sum to here")
    wrap = explain_pixel(colour_image, PRESETS["emboss"], 0, 0, border="wrap", channel="R")
    assert step_text.grid_titles(wrap)[0] == "input window (red)"
    assert "input 220 (padding) × weight −2 = −440" in step_text.cell_tooltip(wrap, 0)
    for border in BORDER_MODES:
        if border != "valid":  # "valid" has no padding cells
            assert step_text.PADDING_TAGS[border]
            assert step_text.padding_legend(border).startswith("Hatched cells lie outside the image: ")


# -- where the grids go ------------------------------------------------------------------------
def test_three_grids_in_a_row_when_wide_and_two_over_one_when_narrow():
    wide = grid_geometry(900, 260, 3)
    assert wide.in_row and len({c.y() for c in wide.corners}) == 1
    narrow = grid_geometry(440, 410, 3)
    assert not narrow.in_row and narrow.corners[2].y() > narrow.corners[0].y() + narrow.side
    assert grid_geometry(440, 410, 5).cell < narrow.cell  # 5×5 cells are smaller in the same room


@pytest.mark.parametrize(("width", "height", "size"), [(900, 260, 3), (440, 410, 3), (440, 500, 5)])
def test_each_cell_leads_back_to_its_term(width, height, size):
    layout = grid_geometry(width, height, size, legend=42)
    for grid in range(3):
        for term in range(size * size):
            assert layout.term_at(layout.cell_rect(grid, term).center()) == term
    assert layout.term_at(QPointF(-5, -5)) == -1
    between = layout.corners[0] + QPointF(layout.side + 10, layout.cell / 2)  # where the "×" is drawn
    assert layout.term_at(between) == -1
