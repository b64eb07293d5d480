"""The unit pane's painted words — the input maps' rows, the numbers and titles of the grids, the
captions under "What it looks for" — grow with presentation mode's text size as the rest of the
window does, and fit their rows, cells and tiles at 100 % and at 200 % (1024×700 window).

The sizes are measured in the painted pixels: the height of the ink of a row's name, of a grid's
title and number, of a tile's caption."""
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtTest import QTest

from settling import settle, show_on_cnn_tab
from synthetic_digits import bar_digits
from kernelplay.gui.main_window import MainWindow
from kernelplay.gui.text_scale import px
from kernelplay.gui.training.training_tab import TrainingTab

SIZE = (1024, 700)


class Window(MainWindow):
    """The main window, its CNN tab training the bar digits in a thread (quick steps)."""

    @staticmethod
    def _create_training_tab():
        return TrainingTab(data=bar_digits(), backend="thread", threads=1, snapshot_interval=0.02, redraw_interval_ms=20)




def present(app, window, percent: int) -> None:
    """Presentation mode at ``percent``, in a window of :data:`SIZE` (full screen offscreen is the screen's size)."""
    presentation = window.classroom.presentation
    presentation.set_scale(percent)
    presentation.set_active(True)
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(*SIZE)
    settle(app, window)


@contextmanager
def shown_window(qtbot, app):
    """The main window at :data:`SIZE` on its CNN tab, up to its first snapshot; closed after."""
    win = Window()
    show_on_cnn_tab(qtbot, win)
    win.resize(*SIZE)
    settle(app, win)
    try:
        yield win
    finally:
        win.classroom.presentation.set_active(False)
        win.training.shutdown()
        win.close()


@pytest.fixture
def window(qtbot, qapp):
    with shown_window(qtbot, qapp) as win:
        yield win


def click_map_unit(qtbot, qapp, window, stage, channel, row, col):
    """Click the unit on the feature maps, as a person does; wait until the pane explains it."""
    tab = window.training
    maps, view = tab.feature_maps, tab.units.view
    QTest.mouseClick(maps.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     maps.position_of(stage, channel, row, col))
    qtbot.waitUntil(lambda: view.explanation() is not None
                    and (view.explanation().stage, view.explanation().channel) == (stage, channel), timeout=5000)
    settle(qapp, window)


def show_looks(qtbot, qapp, window):
    """Click the pane's "What it looks for" tab and wait for the digits."""
    units = window.training.units
    bar = units.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    qtbot.waitUntil(lambda: units.looks.result is not None, timeout=10000)
    settle(qapp, window)


def ink_height(widget, rect: QRectF) -> int:
    """The height of the first line painted in ``rect`` of ``widget``: the first run of pixel rows
    holding a pixel far from the rect's commonest colour (its background)."""
    image = widget.grab().toImage()
    box = rect.toAlignedRect().intersected(image.rect())
    colours = {}
    for y in range(box.top(), box.bottom() + 1, 2):
        for x in range(box.left(), box.right() + 1, 2):
            colour = image.pixel(x, y)
            colours[colour] = colours.get(colour, 0) + 1
    background = image.pixelColor(0, 0)
    background.setRgba(max(colours, key=colours.get))
    inked = [y for y in range(box.top(), box.bottom() + 1)
             if any(abs(image.pixelColor(x, y).lightness() - background.lightness()) > 90
                    for x in range(box.left(), box.right() + 1))]
    run = inked[:1]
    for y in inked[1:]:
        if y != run[-1] + 1:
            break  # a caption's second line
        run.append(y)
    return len(run)


def painted_heights(qtbot, qapp, window) -> dict[str, int]:
    """The ink heights of a conv2 row's name and a grid's title, a pool block's number and a top
    digit's caption, each unit opened by a click on the maps."""
    view = window.training.units.view
    click_map_unit(qtbot, qapp, window, "conv2", 3, 2, 2)
    channels, grids = view.channels, view.grids
    row = channels.row_rect(0)
    first, _ = channels._thumb_rects(row)
    heights = {"row name": ink_height(channels, QRectF(row.left(), row.top(), first.left() - row.left() - 1,
                                                       row.height()))}
    layout = grids.layout_now()
    corner = layout.corners[0]
    heights["grid title"] = ink_height(grids, QRectF(corner.x(), 0, 3 * layout.cell, corner.y() - 2))
    show_looks(qtbot, qapp, window)
    tiles = window.training.units.looks.digits
    tile, below = tiles.tile_rect(0), tiles.tile_rect(3)
    heights["tile caption"] = ink_height(tiles, QRectF(tile.left() - 4, tile.bottom() + 1, tile.width() + 8,
                                                       below.top() - tile.bottom() - 2))
    window.training.units.tabs.setCurrentIndex(0)
    click_map_unit(qtbot, qapp, window, "pool1", 2, 4, 4)
    layout = grids.layout_now()
    assert layout.numbers  # a 2×2 block writes its numbers in its cells
    heights["grid number"] = ink_height(grids, grids.cell_rect(layout, 0, 0).adjusted(3, 3, -3, -3))
    return heights


def cut_words(window) -> list[str]:
    """Painted words of the pane wider than their room: a row's sums past the row's right edge, a
    grid's title past its room or a number past its cell, a caption wider than its tile."""
    units = window.training.units
    view, problems = units.view, []
    channels = view.channels
    if channels.explanation is not None and channels.isVisible():
        metrics = QFontMetricsF(channels.text_font())
        for c, (name, sums, running) in enumerate(channels.row_texts()):
            row = channels.row_rect(c)
            first, second = channels._thumb_rects(row)
            if metrics.horizontalAdvance(name) > first.left() - row.left():
                problems.append(f"row {c}: {name!r} wider than its room")
            start = second.right() + px(8, channels)  # as paintEvent places them
            if channels.stacked():  # the running total under the sum
                end = start + max(metrics.horizontalAdvance(sums), metrics.horizontalAdvance(running))
            else:
                end = start + channels._parts()[3] + px(12, channels) + metrics.horizontalAdvance(running)
                if metrics.horizontalAdvance(sums) > channels._parts()[3]:
                    problems.append(f"row {c}: {sums!r} wider than its column")
            if end > row.right() + 1:
                problems.append(f"row {c}: {sums!r} {running!r} reach {end:.0f} px of {row.right():.0f}")
    grids = view.grids
    layout = grids.layout_now() if grids.isVisible() else None
    if layout is not None:
        numbers, titles = (QFontMetricsF(font) for font in grids.fonts())
        for g, grid in enumerate(grids.grids):
            if titles.horizontalAdvance(grid.title) > layout.slots[g]:
                problems.append(f"grid title {grid.title!r} wider than its room {layout.slots[g]:.0f}")
            for i, text in enumerate(grid.texts if layout.numbers else []):
                if numbers.horizontalAdvance(text) > grids.cell_rect(layout, g, i).width() - 2:
                    problems.append(f"grid {grid.title!r}: number {text!r} wider than its cell")
    tiles = units.looks.digits
    if tiles.isVisible():
        metrics = QFontMetricsF(tiles.caption_font())
        room = tiles.tile_rect(0).width() + 8
        for _, _, caption in tiles.tiles:
            problems += [f"caption {line!r} wider than its tile" for line in tiles.caption_lines(caption)
                         if metrics.horizontalAdvance(line) > room]
    for page in (view, units.looks):  # no content wider than the pane shows
        area = page.findChild(type(view.scroll))
        if page.isVisible() and area.widget().width() > area.viewport().width():
            problems.append(f"{type(page).__name__}: content {area.widget().width()} px in {area.viewport().width()}")
    return problems


def test_the_painted_words_grow_with_the_text_size_and_fit(qtbot, qapp, window):
    at_100 = painted_heights(qtbot, qapp, window)
    assert min(at_100.values()) >= 8, at_100  # readable at 100 %
    window.training.units.close()
    present(qapp, window, 200)
    at_200 = painted_heights(qtbot, qapp, window)
    ratios = {name: at_200[name] / at_100[name] for name in at_100}
    # the text is twice as large: its ink 1.7–2.3 times as tall (rounding of a few pixels)
    assert all(1.7 <= ratio <= 2.3 for ratio in ratios.values()), (at_100, at_200)


@pytest.mark.parametrize("percent", [100, 200])
def test_nothing_painted_is_cut_for_any_kind_of_unit(qtbot, qapp, window, percent):
    if percent != 100:
        present(qapp, window, percent)
    units = window.training.units
    problems = []
    for stage, channel, row, col in (("conv2", 3, 2, 2), ("conv1", 1, 0, 27), ("pool1", 2, 4, 4)):
        click_map_unit(qtbot, qapp, window, stage, channel, row, col)
        problems += [f"{stage}: {p}" for p in cut_words(window)]
        show_looks(qtbot, qapp, window)
        problems += [f"{stage}, what it looks for: {p}" for p in cut_words(window)]
        units.tabs.setCurrentIndex(0)
    for unit in (("fc1", 5, 0, 0), ("scores", 3, 0, 0)):
        units.select(*unit)
        qtbot.waitUntil(lambda: units.view.explanation().stage == unit[0], timeout=5000)
        settle(qapp, window)
        problems += [f"{unit[0]}: {p}" for p in cut_words(window)]
    assert problems == [], "\n".join(problems)
