"""The step-by-step view inside the playground: hover, pin, keys, channels, border cells."""
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hovering import hover_pixel, pixel_centre
from kernelplay.imaging.borders import BORDER_LABELS, BORDER_MODES
from kernelplay.imaging.mapping import MAPPING_LABELS, OUTPUT_MAPPINGS

EMBOSS_TERMS = ["162 × (−2)", "125 × (−1)", "108 × 0", "177 × (−1)", "127 × 1", "98 × 1", "191 × 0", "135 × 1", "80 × 2"]
PARTIAL_SUMS = [-324, -449, -449, -626, -499, -401, -401, -266, -106]



@pytest.fixture
def emboss_tab(window, emboss_image, wait_for_output, tmp_path):
    """The window with a PNG holding the −106 patch opened and emboss picked from the preset list."""
    path = tmp_path / "patch.png"
    Image.fromarray(emboss_image).save(path)
    assert window.open_path(path)
    tab = window.playground
    box = tab.kernel_editor.preset_box
    box.setFocus()
    while box.currentData() != "emboss":
        QTest.keyClick(box, Qt.Key.Key_Down)
    wait_for_output(tab)
    return tab


def test_every_core_mode_has_a_control():
    assert tuple(BORDER_LABELS) == BORDER_MODES and tuple(MAPPING_LABELS) == OUTPUT_MAPPINGS


def test_hovering_the_centre_pixel_explains_minus_106(emboss_tab, qtbot):
    view = emboss_tab.images.input_view
    hover_pixel(view, 4, 4)
    panel = emboss_tab.step_panel
    qtbot.waitUntil(lambda: panel.explanation() is not None)
    assert panel.explanation().raw == -106
    equation = panel.equation_text()
    for term in EMBOSS_TERMS:
        assert term in equation
    assert equation.endswith("= −106")
    assert panel.final_value_text() == "0"


def test_pinned_pixel_steps_term_by_term_with_the_keyboard(emboss_tab, qtbot):
    view = emboss_tab.images.input_view
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pixel_centre(view, 4, 4))
    panel = emboss_tab.step_panel
    assert emboss_tab.focused_pixel() == (4, 4)
    QTest.keyClick(panel, Qt.Key.Key_Home)
    assert panel.partial_sum() == 0
    view.setFocus()
    seen = []
    for _ in PARTIAL_SUMS:
        QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        seen.append(panel.partial_sum())
    assert seen == PARTIAL_SUMS
    # The current term's input pixel is outlined on the images: the last term is the bottom-right cell.
    QTest.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert panel.partial_sum() == -266
    outline = view._term_outline
    assert outline.isVisible() and (outline.rect().x(), outline.rect().y()) == (4, 5)
    # Moving the mouse away does not move a pinned window.
    hover_pixel(view, 1, 1)
    assert emboss_tab.focused_pixel() == (4, 4)


def test_arrow_keys_move_the_pinned_window(emboss_tab, qtbot):
    view = emboss_tab.images.input_view
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pixel_centre(view, 4, 4))
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Up)
    QTest.keyClick(view, Qt.Key.Key_Right)
    assert emboss_tab.focused_pixel() == (3, 5)
    assert emboss_tab.step_panel.explanation().row == 3 and emboss_tab.step_panel.explanation().col == 5
    for _ in range(20):
        QTest.keyClick(view, Qt.Key.Key_Right)
    assert emboss_tab.focused_pixel() == (3, 8)  # stops at the image's edge
    assert emboss_tab.step_panel.explanation().is_padding[:, 2].all()


def test_colour_channels_are_explained_one_at_a_time(window, qtbot, colour_image, wait_for_output):
    tab = window.playground
    tab.set_image(colour_image, "colour")
    tab.kernel_editor.set_preset("sharpen")
    wait_for_output(tab)
    result = tab.result()
    view = tab.images.input_view
    hover_pixel(view, 5, 6)
    qtbot.waitUntil(lambda: tab.step_panel.explanation() is not None)
    for index, channel in enumerate("RGB"):
        tab.channel_box.setCurrentIndex(tab.channel_box.findData(channel))
        explanation = tab.step_panel.explanation()
        assert explanation.channel == channel
        assert explanation.raw == pytest.approx(result.raw_at(5, 6)[index])
    tab.colour_box.setCurrentIndex(tab.colour_box.findData("luminance"))
    wait_for_output(tab)
    hover_pixel(view, 5, 7)
    qtbot.waitUntil(lambda: tab.step_panel.explanation().col == 7)
    assert tab.step_panel.explanation().channel == "luminance"
    assert not tab.channel_box.isEnabled()
    assert tab.step_panel.explanation().raw == pytest.approx(tab.result().raw_at(5, 7), abs=1e-3)


def test_valid_mode_maps_output_pixels_back_to_their_window(window, qtbot, emboss_image, wait_for_output):
    tab = window.playground
    tab.set_image(emboss_image, "t")
    tab.kernel_editor.set_preset("emboss")
    tab.border_box.setCurrentIndex(tab.border_box.findData("valid"))
    result = wait_for_output(tab)
    assert result.mapped.pixels.shape == (7, 7)
    out_view = tab.images.output_view
    hover_pixel(out_view, 4, 4)  # output pixel (3, 3)
    qtbot.waitUntil(lambda: tab.step_panel.explanation() is not None)
    explanation = tab.step_panel.explanation()
    assert (explanation.row, explanation.col, explanation.output_row, explanation.output_col) == (4, 4, 3, 3)
    assert explanation.raw == -106
    hover_pixel(tab.images.input_view, 0, 0)
    qtbot.waitUntil(lambda: "no output pixel" in tab.hover_label.text())
    assert tab.step_panel.explanation() is None


def test_sliding_window_uses_the_tabs_kernel_settings_and_image(window, qtbot, colour_image):
    from kernelplay.imaging.filtering import apply_kernel
    from kernelplay.imaging.mapping import map_output
    from kernelplay.imaging.images import luminance
    from kernelplay.imaging.kernels import PRESETS

    tab = window.playground
    tab.set_image(colour_image, "colour")
    tab.kernel_editor.set_preset("outline")
    tab.border_box.setCurrentIndex(tab.border_box.findData("replicate"))
    tab.colour_box.setCurrentIndex(tab.colour_box.findData("luminance"))
    tab.modes.setCurrentIndex(1)
    scan = tab.scan_view
    assert scan.image().shape == (28, 28)  # the built-in digit by default
    tab.scan_source_box.setCurrentIndex(tab.scan_source_box.findData("image"))
    np.testing.assert_array_equal(scan.image(), colour_image)  # small enough to scan as it is
    for _ in range(5):
        qtbot.mouseClick(scan.button("step"), Qt.MouseButton.LeftButton)
    expected = map_output(apply_kernel(luminance(colour_image), PRESETS["outline"], border="replicate")).pixels
    output = scan.output_pixels()
    np.testing.assert_array_equal(output[0, :5], expected[0, :5])
    assert (output[0, 5:] == -1).all() and (output[1:] == -1).all()
    assert "(12 + 2·1 − 3) / 1 + 1 = 12" in scan.formula_text()
    tab.kernel_editor.set_preset("blur")  # a new kernel restarts the scan
    assert scan.positions_done() == 0 and (scan.output_pixels() == -1).all()


def test_step_keys_work_while_the_image_has_focus(emboss_tab, qtbot):
    view = emboss_tab.images.input_view
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pixel_centre(view, 4, 4))
    view.setFocus()
    panel = emboss_tab.step_panel
    QTest.keyClick(view, Qt.Key.Key_Home)
    assert panel.current_term == -1
    QTest.keyClick(view, Qt.Key.Key_Period)
    QTest.keyClick(view, Qt.Key.Key_Period)
    assert panel.partial_sum() == -449
    QTest.keyClick(view, Qt.Key.Key_End)
    assert panel.partial_sum() == -106
