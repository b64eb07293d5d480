"""Light and dark: the app follows the desktop's colour scheme or the choice in View ▸ Colours
(remembered), with a dark palette on Fusion, and the painted views stay readable: the kernel's
diverging map keeps white at zero on a light page and a neutral grey at zero on a dark one."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kernelplay.common.colormaps import diverging_rgb
from kernelplay.gui.playground.step_grids import StepGrids
from kernelplay.gui.settings import AppSettings
from kernelplay.gui.theme import Theme, is_dark
from kernelplay.imaging.explain import explain_pixel
from kernelplay.imaging.kernels import PRESETS


@pytest.fixture
def themed(window):
    yield window
    window.classroom.set_theme("light")
    window.classroom.set_theme("system")


def _follow_theme(window, tab) -> None:
    """A training tab shown on its own is a window of its own: the theme must know it, as it knows
    the main window, to reach its style-sheeted widgets."""
    Theme.shared(QApplication.instance(), window.classroom.theme.choice(), tab)


def _zero_weight_colour(qtbot, emboss_image) -> tuple[int, int, int]:
    """The colour painted in the emboss kernel's zero cell (top right) of a fresh step grid."""
    grids = StepGrids()
    qtbot.addWidget(grids)
    grids.show_state(explain_pixel(emboss_image, PRESETS["emboss"], 4, 4), 9)
    grids.resize(560, 220)
    grids.show()
    layout = grids.geometry_now()
    rect = layout.cell_rect(1, 2)
    image = grids.grab().toImage()
    return image.pixelColor(int(rect.x() + 0.15 * rect.width()), int(rect.y() + 0.15 * rect.height())).getRgb()[:3]


def test_the_dark_choice_gives_a_dark_fusion_palette_and_a_neutral_zero(qtbot, themed, emboss_image):
    window = themed
    assert not is_dark()
    assert _zero_weight_colour(qtbot, emboss_image) == tuple(diverging_rgb(np.array(0.0), 1.0))  # white on light
    window.classroom.theme_actions["dark"].trigger()  # View ▸ Colours ▸ Dark
    assert is_dark() and QApplication.style().name().lower() == "fusion"
    qtbot.waitUntil(lambda: is_dark(window.playground))  # the widgets take the application's palette
    assert window.classroom.theme_actions["dark"].isChecked()
    zero = _zero_weight_colour(qtbot, emboss_image)
    assert zero == tuple(diverging_rgb(np.array(0.0), 1.0, dark=True)) and zero[0] < 100
    assert AppSettings().theme() == "dark"
    window.classroom.theme_actions["light"].trigger()
    assert not is_dark() and _zero_weight_colour(qtbot, emboss_image)[0] > 240


def test_the_choice_is_remembered_and_a_new_window_starts_dark(qtbot, themed):
    themed.classroom.set_theme("dark")
    from kernelplay.gui.main_window import MainWindow

    again = MainWindow(with_training=False)
    qtbot.addWidget(again)
    assert again.classroom.theme.choice() == "dark" and again.classroom.theme_actions["dark"].isChecked()
    assert is_dark()


def test_following_the_system_changes_with_the_desktops_scheme(qtbot, themed, monkeypatch):
    theme = themed.classroom.theme
    assert theme.choice() == "system" and not is_dark()
    monkeypatch.setattr(Theme, "system_scheme", lambda self: Qt.ColorScheme.Dark)
    with qtbot.waitSignal(theme.changed) as dark:
        QApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert dark.args == [True] and is_dark()
    monkeypatch.setattr(Theme, "system_scheme", lambda self: Qt.ColorScheme.Light)
    QApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not is_dark()
    themed.classroom.set_theme("light")  # a choice made: the desktop's scheme no longer counts
    monkeypatch.setattr(Theme, "system_scheme", lambda self: Qt.ColorScheme.Dark)
    QApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not is_dark()


def test_texts_keep_their_contrast_in_dark_mode(qtbot, themed):
    window = themed
    window.classroom.set_theme("dark")
    qtbot.waitUntil(lambda: is_dark(window.playground))
    palette = window.playground.palette()
    text, base = palette.color(palette.ColorRole.WindowText), palette.color(palette.ColorRole.Window)
    assert text.lightness() - base.lightness() > 150
    # the current term's tint keeps its dark ink (light text on a pale tint would vanish)
    from kernelplay.gui.playground import step_text

    assert "color:#0b2a36" in step_text.RICH.current("x")


def _luminance(colour) -> float:
    """WCAG's relative luminance of an (r, g, b) in 0–255."""
    linear = [(c / 255) / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in colour[:3]]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a, b) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _show_made_up_mistakes(page):
    """Scores for the page's held-out digits: mistakes of 1 to 9 of a kind, every digit on the diagonal."""
    from kernelplay.nn.evaluation import Evaluation

    labels = page.heldout.labels.astype(int)
    guesses = labels.copy()
    first = np.flatnonzero(labels != 7)
    guesses[first[:9]] = 7  # the full red
    for count, i in enumerate(range(9, 45, 9), start=1):  # 1 to 4 of other kinds
        guesses[first[i:i + count]] = (labels[first[i:i + count]] + count) % 10
    scores = np.full((len(labels), 10), 0.01)
    scores[np.arange(len(labels)), guesses] = 0.91
    page.show_evaluation(Evaluation(labels, scores), 10)


def _cell_colours(view, image, true, predicted):
    """The fill of a cell (near its corner) and the pixel in it that differs most from the fill."""
    rect = view.cell_rect(true, predicted)
    fill = image.pixelColor(int(rect.x() + 4), int(rect.y() + 4)).getRgb()[:3]
    inner = rect.adjusted(3, 3, -3, -3)
    pixels = [image.pixelColor(x, y).getRgb()[:3] for x in range(int(inner.left()), int(inner.right()))
              for y in range(int(inner.top()), int(inner.bottom()))]
    ink = max(pixels, key=lambda p: abs(_luminance(p) - _luminance(fill)))
    return fill, ink


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_mistakes_page_follows_the_palette_and_its_counts_stay_readable(qtbot, themed, theme):
    from training_tabs import shown_tab

    with shown_tab(qtbot, snapshot_interval=0.0, threads=1) as tab:
        _follow_theme(themed, tab)
        page = tab.time_travel.mistakes
        tab.time_travel.show_page("Mistakes")
        _show_made_up_mistakes(page)
        themed.classroom.set_theme(theme)  # the page was built on the light palette
        dark = theme == "dark"
        qtbot.waitUntil(lambda: is_dark(page.matrix_view) == is_dark(page.gallery) == dark, timeout=2000)
        view = page.matrix_view
        image = view.grab().toImage()
        empty, _ = _cell_colours(view, image, 0, 9)  # no 0 is read as a 9
        assert page.evaluation.matrix[0, 9] == 0 and (max(empty) < 70 if dark else min(empty) > 240), empty
        base = page.palette().color(page.palette().ColorRole.Base).getRgb()[:3]
        assert empty == base  # an empty cell is the page's own ground
        right, _ = _cell_colours(view, image, 3, 3)
        assert right[1] > max(right[0], right[2]) and (max(right) < 110 if dark else min(right) > 200), right
        for true in range(10):
            for predicted in range(10):
                if view.texts[true][predicted]:
                    fill, ink = _cell_colours(view, image, true, predicted)
                    assert _contrast(fill, ink) >= 4.5, (theme, true, predicted, fill, ink)
        gallery = page.gallery
        tiles = gallery.viewport().grab().toImage()
        row = next(r for r, i in enumerate(gallery.shown_indices()) if i != gallery.marked())  # not the probe's
        tile = gallery.visualRect(gallery.gallery_model.index(row))
        ground = tiles.pixelColor(tile.right() - 6, tile.bottom() - 6).getRgb()[:3]  # beside the bars, below them
        assert ground == base, (ground, base)
        assert _contrast(gallery.palette().color(gallery.palette().ColorRole.Text).getRgb(), ground) >= 7


def _text_contrast(widget, ground_role=None, rect=None):
    """The contrast of a widget's text against its ground, read from its pixels (those in ``rect``,
    a QRect, if given): the ground is the commonest colour, the ink the pixel farthest from it in
    luminance (antialiasing only lowers it)."""
    from collections import Counter

    image = (widget.grab() if rect is None else widget.grab(rect)).toImage()
    pixels = [image.pixelColor(x, y).getRgb()[:3] for x in range(image.width()) for y in range(image.height())]
    ground = Counter(pixels).most_common(1)[0][0]
    ink = max(pixels, key=lambda p: abs(_luminance(p) - _luminance(ground)))
    return _contrast(ground, ink), ground, ink


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_training_tabs_coloured_texts_stay_readable_in_both_themes(qtbot, themed, theme, tmp_path):
    """The note under the controls (done in green, an error in red), a learning rate the optimiser
    refuses, the timeline's past step and the Network page's captions: ≥ 4.5:1 on their ground."""
    from PySide6.QtTest import QTest
    from training_tabs import TIMEOUT, shown_tab, step_to

    with shown_tab(qtbot, snapshot_interval=0.0, redraw_interval_ms=10, threads=1) as tab:
        _follow_theme(themed, tab)
        themed.classroom.set_theme(theme)
        dark = theme == "dark"
        qtbot.waitUntil(lambda: is_dark(tab.reason_label) == dark, timeout=2000)
        readings = {}
        step_to(qtbot, tab, 2)
        tab.save_model(tmp_path / "model.npz")
        qtbot.waitUntil(lambda: "Saved the model" in tab.reason_label.text(), timeout=TIMEOUT)
        readings["done note"] = _text_contrast(tab.reason_label)
        broken = tmp_path / "broken.npz"
        broken.write_bytes(b"not a zip file at all")
        assert not tab.load_model(broken)
        readings["error note"] = _text_contrast(tab.reason_label)
        ink = readings["error note"][2]
        assert ink[0] > ink[1] + 60, ink  # red, as an error
        rate = tab.training_controls.learning_rate_box
        rate.lineEdit().selectAll()
        QTest.keyClicks(rate.lineEdit(), "-1")  # a rate the optimiser refuses: the text turns red
        readings["refused rate"] = _text_contrast(rate.lineEdit())
        assert readings["refused rate"][2][0] > readings["refused rate"][2][1] + 60
        rate.setCurrentText("0.002")
        timeline = tab.time_travel.timeline
        qtbot.waitUntil(lambda: len(timeline.points) == 3, timeout=TIMEOUT)
        timeline.slider.setFocus()
        qtbot.keyClick(timeline.slider, Qt.Key.Key_Left)
        qtbot.keyClick(timeline.slider, Qt.Key.Key_Left)
        qtbot.waitUntil(lambda: not timeline.live, timeout=TIMEOUT)
        readings["past step"] = _text_contrast(timeline.step_label)
        timeline.live_button.click()
        maps = tab.feature_maps
        QTest.mouseClick(maps.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         maps.position_of("conv1", 0, 3, 3))
        view = tab.units.view
        qtbot.waitUntil(lambda: view.explanation() is not None and view.context.text() != "", timeout=5000)
        for name in ("context", "channels_caption", "detail_caption"):
            label = getattr(view, name)
            if label.isVisible() and label.text():
                readings[name] = _text_contrast(label)
        tab.units.tabs.setCurrentWidget(tab.units.looks)
        qtbot.waitUntil(lambda: "With the weights" in tab.units.looks.status.text(), timeout=5000)
        readings["looks status"] = _text_contrast(tab.units.looks.status)
        assert {"context", "channels_caption"} <= set(readings)
        low = {name: reading for name, reading in readings.items() if reading[0] < 4.5}
        assert not low, (theme, low)


def _span_contrasts(label) -> dict[str, float]:
    """Each colour a rich-text label writes its plain spans in, with its contrast against the label's
    ground (its commonest pixel). The current term's span brings its own tint and is left out."""
    import re
    from collections import Counter

    from PySide6.QtGui import QColor

    image = label.grab().toImage()
    ground = Counter(image.pixelColor(x, y).getRgb()[:3] for x in range(image.width())
                     for y in range(image.height())).most_common(1)[0][0]
    return {colour: _contrast(QColor(colour).getRgb(), ground)
            for colour in re.findall(r"<span style='color:(#[0-9a-fA-F]{6})'>", label.text())}


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_playgrounds_coloured_texts_stay_readable_in_both_themes(qtbot, themed, theme, emboss_image, wait_for_output):
    """A kernel cell left holding "abc" (filled red, its text black or white), the editor's error,
    the images' help, the step panel's captions, pinned note, terms still to come (in the equation and
    on the grid) and faded stages, the hint, the sliding window's caption: 4.5:1 or better on their
    ground (the faded 24 px bold value 3:1), the faded texts still well under the normal text's
    contrast, and a cell on its way to a number framed, not filled. Each is read after the theme
    changed under it (the other theme first)."""
    from collections import Counter

    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLabel

    from kernelplay.imaging.explain import STAGE_NAMES

    window, dark = themed, theme == "dark"
    tab, editor = window.playground, window.playground.kernel_editor
    window.classroom.set_theme("light" if dark else "dark")
    tab.set_image(emboss_image, "t")
    editor.set_preset("emboss")
    wait_for_output(tab)
    bad, unfinished, plain = editor.cells()[0], editor.cells()[2], editor.cells()[4]
    for cell, text in ((bad, "abc"), (unfinished, "-")):
        cell.setFocus()
        cell.selectAll()
        QTest.keyClick(cell, Qt.Key.Key_Backspace)
        qtbot.keyClicks(cell, text)
        if cell is bad:
            QTest.keyClick(cell, Qt.Key.Key_Tab)  # "abc" is left behind; "-" is still being typed
    tab.pin_pixel(4, 4)
    panel = tab.step_panel
    panel.reset_steps()
    panel.step_forward()
    panel.step_forward()  # terms 1 and 2 in, 3 to 9 to come, the stages faded
    window.classroom.set_theme(theme)
    qtbot.waitUntil(lambda: is_dark(tab) == dark, timeout=2000)

    readings = {}

    def inner(cell):
        return cell.rect().adjusted(4, 4, -4, -4)  # inside the frame

    readings["invalid cell"] = _text_contrast(bad, rect=inner(bad))
    fills = {}
    for name, cell in (("invalid", bad), ("unfinished", unfinished), ("plain", plain)):
        image = cell.grab(inner(cell)).toImage()
        fills[name] = Counter(image.pixelColor(x, y).getRgb()[:3] for x in range(image.width())
                              for y in range(image.height())).most_common(1)[0][0]
    assert fills["invalid"] != fills["plain"] and fills["unfinished"] == fills["plain"], fills
    assert fills["invalid"][0] > fills["invalid"][1] + 40, fills  # red, as an error
    readings["error"] = _text_contrast(editor.error_label)
    assert "'abc'" in editor.error_label.text() and readings["error"][2][0] > readings["error"][2][1] + 60
    spans = {"input help": tab.images.input_title,
             "pinned note": next(label for label in panel.findChildren(QLabel) if "Pinned" in label.text()),
             "equation": next(label for label in panel.findChildren(QLabel) if "&nbsp;×&nbsp;" in label.text())}
    for name, label in spans.items():
        contrasts = _span_contrasts(label)
        assert contrasts, name
        readings.update({f"{name} {colour}": (ratio,) for colour, ratio in contrasts.items()})
    normal = _text_contrast(spans["equation"])[0]  # its darkest (lightest) pixels: the normal text
    assert max(_span_contrasts(spans["equation"]).values()) < 0.6 * normal  # still faint beside it
    labels = {label.text(): label for label in panel.findChildren(QLabel) if label.isVisible()}
    for name in ("Terms", STAGE_NAMES["sum"], STAGE_NAMES["raw"]):
        readings[name] = _text_contrast(labels[name])
    final = labels[panel.final_value_text()]
    readings["faded value"] = _text_contrast(final)
    assert readings["faded value"][0] < 0.6 * normal
    grids = panel.findChild(StepGrids)
    layout = grids.geometry_now()
    for term in (2, 8):  # products still to come
        readings[f"product {term + 1}"] = _text_contrast(grids, rect=layout.cell_rect(2, term).toRect().adjusted(4, 4, -4, -4))
    tab.release_pin()
    QTest.mouseMove(tab.summary_label)  # off the images: the hint comes back
    qtbot.waitUntil(lambda: panel.explanation() is None, timeout=2000)
    hint = next(label for label in panel.findChildren(QLabel) if label.isVisible() and label.text() == panel.hint_text())
    readings["hint"] = _text_contrast(hint)
    tab.modes.setCurrentIndex(1)
    caption = next(label for label in tab.scan_view.findChildren(QLabel) if label.text() == "Window")
    qtbot.waitUntil(caption.isVisible, timeout=2000)
    readings["window caption"] = _text_contrast(caption)
    low = {name: reading for name, reading in readings.items()
           if reading[0] < (3.0 if name == "faded value" else 4.5)}
    assert not low, (theme, low)
