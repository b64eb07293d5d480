"""The step panel shows what the explanation holds, and steps through the sum as a person would."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from kernelplay.imaging.explain import explain_pixel
from kernelplay.imaging.kernels import PRESETS
from kernelplay.gui.playground.step_panel import StepPanel

EMBOSS_PARTIAL_SUMS = [-324, -449, -449, -626, -499, -401, -401, -266, -106]
EMBOSS_TERMS = "162 × (−2) + 125 × (−1) + 108 × 0 + 177 × (−1) + 127 × 1 + 98 × 1 + 191 × 0 + 135 × 1 + 80 × 2"


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
    assert panel.equation_text() == ""
    assert panel._hint.isVisible() and "Hover over a pixel" in panel._hint.text()


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


def test_clicking_a_cell_jumps_to_its_term(panel, emboss, qtbot):
    panel.set_explanation(emboss)
    qtbot.wait(10)
    grids = panel._grids
    centre = grids._cells[4].center().toPoint()  # input window, middle cell
    qtbot.mouseClick(grids, Qt.MouseButton.LeftButton, pos=centre)
    assert panel.current_term == 4 and panel.partial_sum() == -499


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
    assert stages["divide"] == "807 ÷ 16 = 50.438"
    assert stages["raw"] == "50.438"
    assert "50.438 + 128 = 178.438 → 178 (rounded)" in stages["mapping"]
    assert panel.final_value_text() == str(blur.shown) == "178"

    sharp = explain_pixel(image, PRESETS["outline"], 1, 1, mapping="abs")
    panel.set_explanation(sharp)
    assert "|" in panel.stage_texts()["mapping"] and panel.final_value_text() == str(sharp.shown)

    stretched = explain_pixel(image, PRESETS["emboss"], 1, 1, mapping="stretch", value_range=(-100.0, 300.0))
    panel.set_explanation(stretched)
    assert "stretch −100…300 → 0…255" in panel.stage_texts()["mapping"]
    assert panel.final_value_text() == str(stretched.shown)


def test_the_grids_show_the_window_weights_and_products(panel, emboss):
    panel.set_explanation(emboss)
    assert panel.cell_texts("input window") == ["162", "125", "108", "177", "127", "98", "191", "135", "80"]
    assert panel.cell_texts("kernel") == ["−2", "−1", "0", "−1", "1", "1", "0", "1", "2"]
    assert panel.cell_texts("products") == ["−324", "−125", "0", "−177", "127", "98", "0", "135", "160"]


@pytest.mark.parametrize(
    ("border", "expected"),
    [("zero", ["pad: 0", "pad: 0", "pad: 0", "pad: 0", "0", "0", "pad: 0", "20", "20"]),
     ("replicate", ["copy: 0", "copy: 0", "copy: 0", "copy: 0", "0", "0", "copy: 20", "20", "20"]),
     ("reflect", ["mirror: 20", "mirror: 20", "mirror: 20", "mirror: 0", "0", "0", "mirror: 20", "20", "20"]),
     ("wrap", ["wrap: 220", "wrap: 220", "wrap: 220", "wrap: 0", "0", "0", "wrap: 20", "20", "20"])],
)
def test_padding_cells_say_what_fills_them(panel, colour_image, border, expected):
    # Red is 20 × row: above row 0 sits 0 (zero, replicate), row 1 (reflect) or row 11 (wrap).
    corner = explain_pixel(colour_image, PRESETS["emboss"], 0, 0, border=border, channel="R")
    panel.set_explanation(corner)
    assert "channel: <b>R</b>" in panel._header.text()
    assert panel.cell_texts("input window") == expected


def test_luminance_is_named(panel, colour_image):
    lum = explain_pixel(colour_image, PRESETS["emboss"], 5, 5)
    panel.set_explanation(lum)
    assert "<b>luminance</b>" in panel._header.text()


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
    from PySide6.QtCore import QPointF
    from PySide6.QtTest import QTest

    tab = window.playground
    tab.set_image(emboss_image, "emboss patch")
    tab.kernel_editor.set_preset("emboss")
    wait_for_output(tab)
    view = tab.images.input_view
    QTest.mouseMove(view.viewport(), view.mapFromScene(QPointF(4.5, 4.5)))
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
