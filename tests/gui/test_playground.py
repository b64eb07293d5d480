"""The kernel playground driven as a person would: type, pick, drop, paste, hover, save."""
import json

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from hovering import hover_pixel
from kernelplay.common.text import format_significant
from kernelplay.gui.qt_arrays import array_to_qimage, qimage_to_array
from kernelplay.imaging.explain import explain_pixel
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.images import load_image, luminance
from kernelplay.imaging.kernels import PRESETS
from kernelplay.imaging.mapping import map_output


def expected_output(image, kernel, border="zero", mapping="clamp", flip=False):
    return map_output(apply_kernel(image, kernel, border=border, flip=flip), mapping).pixels


def choose_preset(qtbot, editor, name):
    """Pick a preset the way a keyboard user does: focus the list and arrow to it."""
    box = editor.preset_box
    box.setFocus()
    target = box.findData(name)
    while box.currentIndex() != target:
        key = Qt.Key.Key_Down if box.currentIndex() < target else Qt.Key.Key_Up
        QTest.keyClick(box, key)


def type_into(qtbot, cell, text):
    cell.setFocus()
    cell.selectAll()
    QTest.keyClick(cell, Qt.Key.Key_Backspace)
    qtbot.keyClicks(cell, text)


def test_starts_with_a_sample_image_and_its_output(window, wait_for_output):
    tab = window.playground
    result = wait_for_output(tab)
    assert tab.image() is not None
    np.testing.assert_array_equal(tab.output_pixels(), expected_output(tab.image(), PRESETS["sharpen"]))
    assert f"{tab.image().shape[1]}×{tab.image().shape[0]}" in tab.summary_label.text()
    assert result.mapped.pixels.shape == tab.image().shape


def test_picking_a_preset_applies_it(window, qtbot, emboss_image, wait_for_output):
    tab = window.playground
    tab.set_image(emboss_image, "emboss test")
    choose_preset(qtbot, tab.kernel_editor, "emboss")
    result = wait_for_output(tab)
    assert [cell.text() for cell in tab.kernel_editor.cells()] == ["−2", "−1", "0", "−1", "1", "1", "0", "1", "2"]
    assert result.raw_at(4, 4) == -106
    np.testing.assert_array_equal(tab.output_pixels(), expected_output(emboss_image, PRESETS["emboss"]))
    assert "Sum of weights: 1" in tab.kernel_editor.sum_label.text()  # said once, by the kernel


def test_typing_a_weight_updates_the_output_and_makes_it_custom(window, qtbot, emboss_image, wait_for_output):
    tab, editor = window.playground, window.playground.kernel_editor
    tab.set_image(emboss_image, "t")
    editor.set_preset("identity")
    wait_for_output(tab)
    type_into(qtbot, editor.cells()[0], "2")
    result = wait_for_output(tab)
    expected_kernel = np.array([[2, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float)
    np.testing.assert_array_equal(result.request.kernel, expected_kernel)
    np.testing.assert_array_equal(tab.output_pixels(), expected_output(emboss_image, expected_kernel))
    assert editor.preset_name() == "custom"
    assert "Sum of weights: 3" in editor.sum_label.text()


def test_an_invalid_cell_is_marked_and_the_kernel_stays_as_before(window, qtbot, emboss_image, wait_for_output):
    tab, editor = window.playground, window.playground.kernel_editor
    tab.set_image(emboss_image, "t")
    editor.set_preset("sharpen")
    before = wait_for_output(tab).mapped.pixels.copy()
    type_into(qtbot, editor.cells()[4], "5x")
    assert editor.cells()[4].mark == "invalid"
    assert "row 2, column 2" in editor.error_label.text().lower() and "5x" in editor.error_label.text()
    np.testing.assert_array_equal(editor.kernel(), PRESETS["sharpen"])
    np.testing.assert_array_equal(tab.output_pixels(), before)
    assert "row 2, column 2" in window.message_bar.text().lower()
    type_into(qtbot, editor.cells()[4], "6")  # fixing it clears the mark and applies
    assert editor.cells()[4].mark == "" and editor.error_label.text() == ""
    assert wait_for_output(tab).request.kernel[1, 1] == 6


@pytest.mark.parametrize(("cell", "text", "words"), [
    (4, "1e40", "'1e40' is too large"), (4, "nan", "not a finite number"), (None, "1e-300", "The divisor must lie between"),
])
def test_absurd_values_are_marked_and_hovering_explains_the_kernel_from_before_the_edit(
        window, qtbot, emboss_image, wait_for_output, cell, text, words):
    """Typed key by key; the keystrokes before the last may apply (1e4 on the way to 1e40), but the
    absurd value puts back the kernel from before the edit, and hovering explains exactly that
    (no error on the way)."""
    tab, editor = window.playground, window.playground.kernel_editor
    tab.set_image(emboss_image, "t")
    editor.set_preset("emboss")
    wait_for_output(tab)
    target = editor.cells()[cell] if cell is not None else editor.divisor_cell
    type_into(qtbot, target, text)
    assert target.mark == "invalid" and words in editor.error_label.text()
    assert editor.error_label.text().endswith("The kernel stays as before this edit.")
    np.testing.assert_array_equal(wait_for_output(tab).request.kernel, PRESETS["emboss"])
    np.testing.assert_array_equal(tab.output_pixels(), expected_output(emboss_image, PRESETS["emboss"]))
    hover_pixel(tab.images.input_view, 4, 4)
    shown = tab.step_panel.explanation()
    expected = explain_pixel(emboss_image, PRESETS["emboss"], 4, 4)
    assert shown == expected and tab.step_panel.total_text().endswith(format_significant(expected.weighted_sum))


def test_tab_moves_to_the_next_cell_and_the_wheel_nudges(window, qtbot):
    editor = window.playground.kernel_editor
    editor.set_preset("identity")
    cells = editor.cells()
    cells[0].setFocus()
    QTest.keyClick(cells[0], Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is cells[1]
    centre = QPointF(cells[2].rect().center())
    for modifiers, expected in ((Qt.KeyboardModifier.NoModifier, "1"), (Qt.KeyboardModifier.ShiftModifier, "1.1")):
        wheel = QWheelEvent(centre, cells[2].mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt.MouseButton.NoButton,
                            modifiers, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(cells[2], wheel)
        assert cells[2].text() == expected
    assert editor.kernel()[0, 2] == pytest.approx(1.1)


def test_normalise_divides_by_the_sum(window, qtbot, colour_image, wait_for_output):
    tab, editor = window.playground, window.playground.kernel_editor
    tab.set_image(colour_image, "c")
    for cell in editor.cells():
        type_into(qtbot, cell, "1")
    assert not editor.is_normalised()  # sharpen has no divisor
    qtbot.mouseClick(editor.normalise_box, Qt.MouseButton.LeftButton, pos=QPoint(5, editor.normalise_box.height() // 2))
    assert editor.divisor_cell.text() == "9" and editor.divisor_cell.isReadOnly()
    np.testing.assert_allclose(wait_for_output(tab).request.kernel, np.full((3, 3), 1 / 9))
    assert "9 ÷ 9 = 1" in editor.sum_label.text()
    type_into(qtbot, editor.cells()[4], "3")  # the divisor follows the sum: still a blur
    assert editor.divisor_cell.text() == "11" and "11 ÷ 11 = 1" in editor.sum_label.text()


def test_five_by_five_keeps_the_kernel_centred(window, qtbot, colour_image, wait_for_output):
    tab, editor = window.playground, window.playground.kernel_editor
    tab.set_image(colour_image, "c")
    editor.set_preset("sharpen")
    editor.size_box.setFocus()
    QTest.keyClick(editor.size_box, Qt.Key.Key_Down)
    assert len(editor.cells()) == 25
    kernel = wait_for_output(tab).request.kernel
    assert kernel.shape == (5, 5)
    np.testing.assert_array_equal(kernel[1:4, 1:4], PRESETS["sharpen"])
    assert np.count_nonzero(kernel) == 5


@pytest.mark.parametrize("border", ["zero", "replicate", "reflect", "wrap", "valid"])
def test_border_mapping_and_flip_controls(window, qtbot, colour_image, wait_for_output, border):
    tab = window.playground
    tab.set_image(colour_image, "colour")
    tab.kernel_editor.set_preset("emboss")
    tab.border_box.setCurrentIndex(tab.border_box.findData(border))
    tab.mapping_box.setCurrentIndex(tab.mapping_box.findData("offset"))
    qtbot.mouseClick(tab.flip_box, Qt.MouseButton.LeftButton, pos=QPoint(5, tab.flip_box.height() // 2))
    assert tab.flip_box.isChecked()
    wait_for_output(tab)
    expected = expected_output(colour_image, PRESETS["emboss"], border, "offset", flip=True)
    np.testing.assert_array_equal(tab.output_pixels(), expected)


def test_luminance_colour_mode(window, colour_image, wait_for_output):
    tab = window.playground
    tab.set_image(colour_image, "colour")
    tab.kernel_editor.set_preset("outline")
    tab.colour_box.setCurrentIndex(tab.colour_box.findData("luminance"))
    wait_for_output(tab)
    expected = map_output(apply_kernel(luminance(colour_image), PRESETS["outline"])).pixels
    np.testing.assert_array_equal(tab.output_pixels(), expected)
    assert tab.output_pixels().ndim == 2
    tab.set_image(colour_image[..., 0].copy(), "grey")
    assert not tab.colour_box.isEnabled()  # a grey image has no colour choice


def test_hovering_a_pixel_shows_its_position_and_values(window, qtbot, emboss_image, wait_for_output):
    tab = window.playground
    tab.set_image(emboss_image, "t")
    tab.kernel_editor.set_preset("emboss")
    wait_for_output(tab)
    view = tab.images.input_view
    hover_pixel(view, 4, 4)
    qtbot.waitUntil(lambda: "(4, 4)" in tab.hover_label.text())
    assert "in: 127" in tab.hover_label.text()
    assert "sum −106" in tab.hover_label.text() and "out 0" in tab.hover_label.text()
    out_view = tab.images.output_view
    hover_pixel(out_view, 3, 5)
    qtbot.waitUntil(lambda: "(3, 5)" in tab.hover_label.text())


def test_open_file_and_a_failed_open_keeps_everything(window, qtbot, tmp_path, colour_image, wait_for_output):
    tab = window.playground
    good = tmp_path / "good.png"
    Image.fromarray(colour_image).save(good)
    assert window.open_path(good)
    np.testing.assert_array_equal(tab.image(), colour_image)
    tab.kernel_editor.set_preset("blur")
    before = wait_for_output(tab).mapped.pixels.copy()
    bad = tmp_path / "notes.png"
    bad.write_text("this is not an image")
    assert not window.open_path(bad)
    assert "notes.png" in window.message_bar.text()
    np.testing.assert_array_equal(tab.image(), colour_image)
    np.testing.assert_array_equal(tab.output_pixels(), before)
    assert tab.kernel_editor.preset_name() == "blur"
    assert window.settings.recent_files() == [str(good.resolve())]
    assert [a.text() for a in window.recent_menu.actions()][0] == str(good.resolve())


def test_dropping_a_file_opens_it(window, qtbot, tmp_path, colour_image):
    path = tmp_path / "dropped.png"
    Image.fromarray(colour_image).save(path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(400, 300), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(400, 300), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(window, drop)
    np.testing.assert_array_equal(window.playground.image(), colour_image)
    assert window.windowTitle().startswith("dropped.png")


def test_paste_an_image_from_the_clipboard(window, qtbot, colour_image):
    QGuiApplication.clipboard().setImage(array_to_qimage(colour_image))
    window.tabs.setFocus()
    window.paste_action.trigger()
    np.testing.assert_array_equal(window.playground.image(), colour_image)
    QGuiApplication.clipboard().setText("just words")
    image_before = window.playground.image()
    window.paste_action.trigger()
    assert "no image" in window.message_bar.text()
    np.testing.assert_array_equal(window.playground.image(), image_before)


def test_sample_menu_lists_the_bundled_images(window):
    names = [action.text() for action in window.samples_menu.actions()]
    assert len(names) >= 4
    window.samples_menu.actions()[0].trigger()
    assert window.playground.image_name() == names[0]


def test_save_and_copy_the_output(window, qtbot, tmp_path, colour_image, wait_for_output):
    tab = window.playground
    tab.set_image(colour_image, "c")
    tab.kernel_editor.set_preset("sharpen")
    wait_for_output(tab)
    for suffix in (".png", ".bmp"):
        path = tmp_path / f"out{suffix}"
        assert window.save_output(path)
        np.testing.assert_array_equal(load_image(path), tab.output_pixels())
    jpeg = tmp_path / "out.jpg"
    assert window.save_output(jpeg) and load_image(jpeg).shape == colour_image.shape
    assert not window.save_output(tmp_path / "out.xyz")
    assert "out.xyz" in window.message_bar.text()
    window.copy_action.trigger()
    np.testing.assert_array_equal(qimage_to_array(QGuiApplication.clipboard().image()), tab.output_pixels())


def test_kept_kernels_survive_a_restart(window, qtbot):
    from kernelplay.gui.main_window import MainWindow

    editor = window.playground.kernel_editor
    for cell, value in zip(editor.cells(), "1 2 3 4 5 6 7 8 9".split()):
        type_into(qtbot, cell, value)
    window.keep_kernel("ramp")
    assert editor.preset_name() == "ramp"
    again = MainWindow(with_training=False)
    qtbot.addWidget(again)
    assert "ramp" in again.playground.kernel_editor.known_kernels()
    again.playground.kernel_editor.set_preset("ramp")
    np.testing.assert_array_equal(again.playground.kernel_editor.kernel(), np.arange(1, 10).reshape(3, 3))


def test_save_and_load_kernel_files(window, qtbot, tmp_path):
    editor = window.playground.kernel_editor
    editor.set_preset("emboss")
    path = tmp_path / "mine.json"
    window.save_kernels(path)
    assert json.loads(path.read_text())["kernels"]["current"] == PRESETS["emboss"].tolist()
    assert window.load_kernels(path)
    editor.set_preset("current")
    np.testing.assert_array_equal(editor.kernel(), PRESETS["emboss"])
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    known_before = editor.known_kernels().keys()
    assert not window.load_kernels(broken)
    assert "broken.json" in window.message_bar.text()
    assert editor.known_kernels().keys() == known_before


def test_window_screenshot_shows_both_images(window, qtbot, emboss_image, wait_for_output, tmp_path):
    tab = window.playground
    tab.kernel_editor.set_preset("outline")
    wait_for_output(tab)
    qtbot.wait(50)
    shot = qimage_to_array(window.grab().toImage())
    assert shot.shape[:2] == (800, 1280)
    for view in (tab.images.input_view, tab.images.output_view):
        top_left = view.mapTo(window, QPoint(0, 0))
        region = shot[top_left.y(): top_left.y() + view.height(), top_left.x(): top_left.x() + view.width()]
        assert region.std() > 10, "the view shows an image, not an empty canvas"


def test_wheel_zooms_both_images_and_dragging_pans_both(window, qtbot, colour_image, wait_for_output):
    tab = window.playground
    tab.set_image(np.tile(colour_image, (20, 20, 1)), "big")  # 240×320: room to pan once zoomed
    wait_for_output(tab)
    view, other = tab.images.input_view, tab.images.output_view
    before = view.zoom()
    centre = QPointF(view.viewport().rect().center())
    for _ in range(6):
        wheel = QWheelEvent(centre, view.viewport().mapToGlobal(centre), QPoint(), QPoint(0, 120),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom() == pytest.approx(before * 1.25**6)
    assert other.zoom() == pytest.approx(view.zoom())
    start = view.horizontalScrollBar().value()
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(300, 200))
    QTest.mouseMove(view.viewport(), QPoint(250, 150))
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(200, 100))
    assert view.horizontalScrollBar().value() > start
    assert other.horizontalScrollBar().value() == view.horizontalScrollBar().value()
    assert other.verticalScrollBar().value() == view.verticalScrollBar().value()
    window.zoom_fit_action.trigger()
    assert view.zoom() == pytest.approx(before)


def count_calls(monkeypatch, module, names):
    """Count calls of ``module``'s functions ``names`` (in one list, by name)."""
    calls = []
    for name in names:
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k))
    return calls


def show_sliding_window(qtbot, tab):
    bar = tab.modes.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert tab.modes.currentWidget() is tab.scan_view


def test_typing_while_the_sliding_window_is_hidden_costs_it_nothing(window, qtbot, monkeypatch):
    import kernelplay.imaging.scan as scan_module
    import kernelplay.imaging.scan_state as state_module

    tab, editor = window.playground, window.playground.kernel_editor
    tab.mapping_box.setCurrentIndex(tab.mapping_box.findData("stretch"))  # a restart then filters once
    calls = count_calls(monkeypatch, state_module, ["apply_kernel", "explain_pixel", "scan_positions"])
    loads = count_calls(monkeypatch, scan_module, ["load_image"])
    type_into(qtbot, editor.cells()[0], "25")
    type_into(qtbot, editor.cells()[8], "-3")
    assert calls == [] and loads == []  # the digit is not read again either
    show_sliding_window(qtbot, tab)
    assert calls == ["scan_positions", "apply_kernel"]
    np.testing.assert_array_equal(tab.scan_view.state.settings.kernel, editor.kernel())
    assert editor.kernel()[0, 0] == 25 and editor.kernel()[2, 2] == -3
    qtbot.mouseClick(tab.scan_view.button("step"), Qt.MouseButton.LeftButton)
    assert calls[2:] == ["explain_pixel"]
    digit = tab.scan_view.image()
    expected = map_output(apply_kernel(digit, editor.kernel()), "stretch").pixels
    assert tab.scan_view.output_pixels()[0, 0] == expected[0, 0]


def test_one_keystroke_restarts_a_shown_sliding_window_once(window, qtbot, monkeypatch):
    import kernelplay.imaging.scan_state as state_module

    tab, editor = window.playground, window.playground.kernel_editor
    show_sliding_window(qtbot, tab)
    scan = tab.scan_view
    for _ in range(4):
        qtbot.mouseClick(scan.button("step"), Qt.MouseButton.LeftButton)
    calls = count_calls(monkeypatch, state_module, ["scan_positions"])
    moves = []
    scan.position_changed.connect(lambda r, c: moves.append((r, c)))
    cell = editor.cells()[4]
    cell.setFocus()
    cell.selectAll()
    qtbot.keyClick(cell, "7")
    assert editor.kernel()[1, 1] == 7
    assert calls == ["scan_positions"] and moves == [(-1, -1)]
    assert scan.positions_done() == 0
    for _ in range(2):
        qtbot.mouseClick(scan.button("step"), Qt.MouseButton.LeftButton)
    cell.selectAll()
    qtbot.keyClick(cell, "7")  # the weight it already had: the same kernel, no restart
    assert scan.positions_done() == 2 and moves == [(-1, -1), (0, 0), (0, 1)]
    assert calls == ["scan_positions"]
