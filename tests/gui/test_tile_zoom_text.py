"""The enlarged tile (tile_zoom.TileZoom: a kernel slice or a feature map under the pointer, with
its numbers) grows with presentation mode's text size as the unit pane does: its title, numbers and
caption, measured in the painted pixels at 100 % and 200 % (1024×700 window), each fitting its
room, and the enlarged map itself."""
from PySide6.QtCore import QPoint, QPointF, QRectF
from PySide6.QtGui import QFontMetricsF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScrollArea

from test_unit_pane_text import ink_height, present, shown_window


def _scroll_to(window, view) -> None:
    """Where the page scrolls (presentation mode), scroll it to ``view``'s top."""
    page = window.centralWidget()
    if isinstance(page, QScrollArea):
        page.verticalScrollBar().setValue(view.mapTo(page.widget(), QPoint(0, 0)).y())


def _hover(qtbot, view, points, title: str):
    """Move the mouse over ``points()`` of ``view`` (asked once it is in sight and laid out; the last on
    the tile) from beside them (Qt sends no move to where the mouse is already) and wait for its zoom
    to show the tile called ``title…``."""
    view.hide_zoom()
    _scroll_to(view.window(), view)
    qtbot.wait(50)
    QTest.mouseMove(view.viewport(), QPoint(1, 1))
    for point in points():
        QTest.mouseMove(view.viewport(), point)
    qtbot.waitUntil(lambda: view.zoom.isVisible() and view.zoom.tile.title.startswith(title), timeout=2000)
    return view.zoom


def _zoom_on_kernel(qtbot, window):
    """The zoom of conv2's first kernel slice (its weights written in its cells)."""
    grid = window.training.filter_grid
    item = grid.images["conv2"]
    return _hover(qtbot, grid, lambda: [grid.mapFromScene(item.mapToScene(QPointF(2.5, 2.5)))], "conv2")


def _zoom_on_map(qtbot, window):
    """The zoom of conv1's first 28×28 map (too many values for numbers)."""
    maps = window.training.feature_maps
    return _hover(qtbot, maps, lambda: [maps.position_of("conv1", 0, 3, 3)], "conv1 map 0")


def zoom_heights(qtbot, window) -> dict[str, int]:
    """The ink heights of a kernel zoom's title, a number in its first cell and its caption's first line."""
    zoom = _zoom_on_kernel(qtbot, window)
    cells = zoom.grid_rect()
    cell = cells.width() / zoom.tile.values.shape[1]
    return {"title": ink_height(zoom, QRectF(2, 2, zoom.width() - 4, cells.top() - 3)),  # inside its frame
            "number": ink_height(zoom, QRectF(cells.left() + 2, cells.top() + 2, cell - 4, cell - 4)),
            "caption": ink_height(zoom, QRectF(2, cells.bottom() + 2, zoom.width() - 4,
                                               zoom.height() - cells.bottom() - 4))}


def cut_words(zoom) -> list[str]:
    """What the zoom paints wider than its room: the title or a caption line past its sides, a
    number past its cell."""
    title, words = QFontMetricsF(zoom.title_font()), QFontMetricsF(zoom.font())
    room = zoom.width() - 2 * zoom.padding()
    cell = zoom.grid_rect().width() / zoom.tile.values.shape[1]
    problems = [f"title {zoom.tile.title!r}"] if title.horizontalAdvance(zoom.tile.title) > room else []
    problems += [f"caption {line!r}" for line in zoom.tile.caption.split("\n") if words.horizontalAdvance(line) > room]
    problems += [f"number {text!r}" for row in zoom.texts for text in row if words.horizontalAdvance(text) > cell - 2]
    return problems


def test_the_zoomed_tile_paints_its_words_at_the_text_size(qtbot, qapp):
    with shown_window(qtbot, qapp) as window:
        at_100 = zoom_heights(qtbot, window)
        assert min(at_100.values()) >= 8, at_100  # readable at 100 %
        assert cut_words(window.training.filter_grid.zoom) == []
        present(qapp, window, 200)
        at_200 = zoom_heights(qtbot, window)
        assert cut_words(window.training.filter_grid.zoom) == []
        ratios = {name: at_200[name] / at_100[name] for name in at_100}
        # the text is twice as large: its ink 1.7–2.3 times as tall (rounding of a few pixels)
        assert all(1.7 <= ratio <= 2.3 for ratio in ratios.values()), (at_100, at_200)


def test_the_enlarged_map_grows_with_the_text(qtbot, qapp):
    with shown_window(qtbot, qapp) as window:
        at_100 = _zoom_on_map(qtbot, window).grid_rect().height()
        present(qapp, window, 200)
        zoom = _zoom_on_map(qtbot, window)
        at_200 = zoom.grid_rect().height()
        # was 196 px at both, under a title and caption twice as large: smaller than them on a projector
        assert 1.7 <= at_200 / at_100 <= 2.3, (at_100, at_200)
        assert cut_words(zoom) == []
        assert zoom.screen().availableGeometry().contains(zoom.frameGeometry())
