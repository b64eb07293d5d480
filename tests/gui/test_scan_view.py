"""The scan view run as a person would: step, play, reset, change the stride and border."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.mapping import map_output
from kernelplay.imaging.images import luminance
from kernelplay.imaging.kernels import PRESETS
from kernelplay.imaging.scan import strided_output
from kernelplay.imaging.scan_state import EMPTY
from kernelplay.gui.playground.scan_view import ScanView


@pytest.fixture
def scan(qtbot, emboss_image):
    view = ScanView()
    qtbot.addWidget(view)
    view.resize(1000, 760)
    view.configure(image=emboss_image, kernel=PRESETS["emboss"])
    view.show()
    qtbot.waitExposed(view)
    return view


def expected_output(image, kernel, border="zero", mapping="clamp", stride=1, flip=False):
    raw = strided_output(apply_kernel(image, kernel, border=border, flip=flip), stride)
    return map_output(raw, mapping).pixels.astype(np.int16)


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_starts_on_a_digit_before_the_first_position(qtbot):
    view = ScanView()
    qtbot.addWidget(view)
    assert view.image().shape == (28, 28)
    assert view.positions_done() == 0 and view.current_position() is None
    assert (view.output_pixels() == EMPTY).all()
    assert view.formula_text() == "output size: (28 + 2·1 − 3) / 1 + 1 = 28"
    assert "Press Play or Step" in view.step_panel.hint_text()


def test_stepping_fills_the_output_in_reading_order(scan, qtbot, emboss_image):
    moves = []
    scan.position_changed.connect(lambda r, c: moves.append((r, c)))
    for _ in range(11):
        click(qtbot, scan.button("step"))
    assert moves == [(0, c) for c in range(9)] + [(1, 0), (1, 1)]
    output = scan.output_pixels().reshape(-1)
    expected = expected_output(emboss_image, PRESETS["emboss"]).reshape(-1)
    np.testing.assert_array_equal(output[:11], expected[:11])
    assert (output[11:] == EMPTY).all()
    # The panel below explains the window's current position.
    explanation = scan.step_panel.explanation()
    assert (explanation.row, explanation.col) == (1, 1)
    assert scan.step_panel.final_value_text() == str(expected[10])

    click(qtbot, scan.button("back"))
    assert scan.positions_done() == 10 and scan.output_pixels().reshape(-1)[10] == EMPTY


def test_the_emboss_patch_appears_when_the_window_reaches_it(scan, qtbot):
    scan.seek(4 * 9 + 5)  # the window centred on (4, 4)
    assert scan.current_position() == (4, 4)
    assert scan.step_panel.total_text() == "sum of all 9 terms: −106"
    assert scan.output_pixels()[4, 4] == 0  # −106 clamps to 0


def test_play_runs_until_the_output_is_full(scan, qtbot, emboss_image):
    emboss_image = emboss_image[2:7, 2:7]  # 25 positions: a short run
    scan.configure(image=emboss_image)
    scan.set_speed(60)
    assert scan.speed() == 60
    click(qtbot, scan.button("play"))
    assert scan.is_playing()
    qtbot.waitUntil(lambda: scan.positions_done() >= 5, timeout=3000)
    click(qtbot, scan.button("play"))  # pause
    assert not scan.is_playing()
    done = scan.positions_done()
    output = scan.output_pixels().reshape(-1)
    assert (output[:done] >= 0).all() and (output[done:] == EMPTY).all()
    with qtbot.waitSignal(scan.finished, timeout=5000):
        scan.play()
    np.testing.assert_array_equal(scan.output_pixels(), expected_output(emboss_image, PRESETS["emboss"]))


def test_reset_clears_the_output(scan, qtbot):
    for _ in range(3):
        click(qtbot, scan.button("step"))
    with qtbot.waitSignal(scan.position_changed) as blocker:
        click(qtbot, scan.button("reset"))
    assert blocker.args == [-1, -1]
    assert scan.positions_done() == 0 and (scan.output_pixels() == EMPTY).all()
    assert scan.step_panel.explanation() is None


def test_stride_two_halves_the_output(scan, qtbot, emboss_image):
    click(qtbot, scan.stride_button(2))
    assert scan.output_pixels().shape == (5, 5)
    assert scan.formula_text() == "output size: ⌊(9 + 2·1 − 3) / 2⌋ + 1 = 5"
    for _ in range(7):
        click(qtbot, scan.button("step"))
    assert scan.current_position() == (2, 2)
    expected = expected_output(emboss_image, PRESETS["emboss"], stride=2).reshape(-1)
    np.testing.assert_array_equal(scan.output_pixels().reshape(-1)[:7], expected[:7])


@pytest.mark.parametrize(
    ("border", "formula", "size"),
    [("zero", "(9 + 2·1 − 3) / 1 + 1 = 9", 9), ("replicate", "(9 + 2·1 − 3) / 1 + 1 = 9", 9),
     ("reflect", "(9 + 2·1 − 3) / 1 + 1 = 9", 9), ("wrap", "(9 + 2·1 − 3) / 1 + 1 = 9", 9),
     ("valid", "(9 + 2·0 − 3) / 1 + 1 = 7", 7)],
)
def test_each_border_mode_writes_its_formula_and_fills_correctly(scan, border, formula, size, emboss_image):
    scan.configure(border=border)
    assert scan.formula_text() == f"output size: {formula}"
    assert scan.output_pixels().shape == (size, size)
    scan.finish()
    np.testing.assert_array_equal(scan.output_pixels(), expected_output(emboss_image, PRESETS["emboss"], border))


def test_colour_channels_mapping_and_flip(qtbot, colour_image):
    view = ScanView()
    qtbot.addWidget(view)
    kernel = np.array([[0, -1, 0], [-1, 3, 2], [0, 1, 0]], dtype=float)
    view.configure(image=colour_image, kernel=kernel, channel="G", mapping="offset", flip=True)
    view.finish()
    expected = expected_output(colour_image[..., 1], kernel, mapping="offset", flip=True)
    np.testing.assert_array_equal(view.output_pixels(), expected)
    assert view.step_panel.explanation().channel == "G"

    view.configure(channel=None, mapping="stretch")  # colour images default to luminance
    view.seek(30)
    raw = apply_kernel(luminance(colour_image), kernel, border="zero", flip=True)
    expected = map_output(raw, "stretch").pixels.astype(np.int16).reshape(-1)
    np.testing.assert_array_equal(view.output_pixels().reshape(-1)[:30], expected[:30])
    assert view.formula_text().startswith("output rows: (12 + 2·1 − 3)")


def test_keys_and_clicks_move_the_window(scan, qtbot):
    scan.setFocus()
    qtbot.keyClick(scan, Qt.Key.Key_Right)
    qtbot.keyClick(scan, Qt.Key.Key_Right)
    assert scan.positions_done() == 2
    qtbot.keyClick(scan, Qt.Key.Key_Left)
    assert scan.positions_done() == 1
    qtbot.keyClick(scan, Qt.Key.Key_End)
    assert scan.positions_done() == 81
    qtbot.keyClick(scan, Qt.Key.Key_Home)
    assert scan.positions_done() == 0
    # Shift+→ steps the terms of the sum in the panel below.
    qtbot.keyClick(scan, Qt.Key.Key_Right)
    scan.step_panel.reset_steps()
    qtbot.keyClick(scan, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert scan.step_panel.current_term == 0 and scan.positions_done() == 1
    # Clicking an output cell runs the scan up to it.
    canvas = scan.canvas
    cell, _, out_corner = canvas._geometry()
    point = (out_corner + type(out_corner)(2.5 * cell, 3.5 * cell)).toPoint()
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=point)
    assert scan.current_position() == (3, 2) and scan.positions_done() == 3 * 9 + 3


def test_an_image_larger_than_64_pixels_is_shrunk(scan):
    scan.configure(image=np.zeros((300, 400, 3), dtype=np.uint8))
    assert scan.image().shape == (48, 64, 3)
    assert scan.output_pixels().shape == (48, 64)


def test_hiding_the_view_pauses_it(scan):
    scan.play()
    assert scan.is_playing()
    scan.hide()
    assert not scan.is_playing()


def test_a_setting_left_as_it_is_keeps_the_scan(scan, qtbot):
    for _ in range(5):
        click(qtbot, scan.button("step"))
    restarts = []
    scan.position_changed.connect(lambda r, c: restarts.append((r, c)))
    click(qtbot, scan.stride_button(1))  # already the stride
    scan.configure(border="zero", kernel=np.array(PRESETS["emboss"]), channel="G")  # a grey image has no G
    assert scan.positions_done() == 5 and restarts == []
    scan.configure(border="wrap", mapping="abs", flip=True)
    assert scan.positions_done() == 0 and restarts == [(-1, -1)]


def test_a_hidden_view_works_the_scan_out_only_when_shown(qtbot, monkeypatch, emboss_image):
    import kernelplay.imaging.scan_state as state_module

    view = ScanView()
    qtbot.addWidget(view)
    view.resize(1000, 760)
    calls = []
    for name in ("apply_kernel", "explain_pixel", "scan_positions"):
        original = getattr(state_module, name)
        monkeypatch.setattr(state_module, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k))
    drawn = []
    monkeypatch.setattr(view.canvas, "set_input", lambda *args: drawn.append(args[-1]))
    view.configure(image=emboss_image, mapping="stretch")
    for value in range(3, 7):
        view.configure(kernel=[[0, -1, 0], [-1, value, -1], [0, -1, 0]])
    assert calls == [] and drawn == []
    view.show()
    qtbot.waitExposed(view)
    assert calls == ["scan_positions", "apply_kernel"]  # once, for the settings of the last call
    assert drawn == ["input 9×9 + padding ring (zero)"]
    click(qtbot, view.button("step"))
    assert calls[2:] == ["explain_pixel"]
    assert view.step_panel.explanation().weights[1, 1] == 6
