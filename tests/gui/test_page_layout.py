"""The CNN tab's page at any width: rows of views that fold into columns in a page that scrolls
(presentation mode's), a side column that goes under the main view only where nothing else fits,
splitters whose panes take the heights they want there and whose side pane goes under the views,
scroll areas as wide as their contents need, pages as large as the one on show, and the feature
maps and kernels in rows where their titles do not fit one."""
import numpy as np
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from synthetic_digits import SMALL
from kernelplay.gui.training.feature_maps import FeatureMaps
from kernelplay.gui.training.filter_grid import FilterGrid
from kernelplay.gui.training.page_layout import (DownScrollArea, FoldingRow, FoldingSplitter, PageStack,
                                                 PaneSplitter, bring_into_sight)
from kernelplay.gui.training.timeline_bar import TimelineBar


class Box(QWidget):
    """A view that wants ``wanted`` pixels and can do with ``least``."""

    def __init__(self, least: int, wanted: int, height: int = 100) -> None:
        super().__init__()
        self.least, self.wanted, self.tall = least, wanted, height

    def minimumSizeHint(self) -> QSize:
        return QSize(self.least, 20)

    def sizeHint(self) -> QSize:
        return QSize(self.wanted, self.tall)


def _settle(qtbot) -> None:
    qtbot.wait(30)  # the rows fold, then the page takes its new height


def _in_scrolling_page(qtbot, content: QWidget, width: int) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(content)
    qtbot.addWidget(area)
    area.resize(width, 400)
    area.show()
    _settle(qtbot)
    return area


def _out_of_scrolling_page(qtbot, area: QScrollArea, size: tuple[int, int]) -> None:
    """Take ``area``'s content out (presentation mode left) and show it alone at ``size``."""
    content = area.takeWidget()
    content.resize(*size)
    content.show()
    _settle(qtbot)


def test_a_row_folds_in_a_scrolling_page_where_its_views_do_not_get_what_they_want(qtbot):
    row = FoldingRow(spacing=6)
    left, right = Box(200, 400), Box(150, 300)
    row.add(left, 3)
    row.add(right, 1)
    qtbot.addWidget(row)
    assert row.minimumSizeHint().width() == 200 + 6 + 150  # in a window: a plain row, never folded
    area = _in_scrolling_page(qtbot, row, 600)  # 600 px < 400 + 6 + 300 wanted
    assert row.folded and row.minimumSizeHint().width() == 200  # the widest view's least width
    assert left.width() == right.width() == area.viewport().width()
    assert right.y() >= left.y() + left.height() and area.horizontalScrollBar().maximum() == 0
    area.resize(800, 400)
    _settle(qtbot)
    assert not row.folded and left.width() >= 400 and right.width() >= 300  # 3 : 1 would give right 198
    area.resize(1400, 400)
    _settle(qtbot)
    assert abs(left.width() - 3 * right.width()) <= 4  # room for both at 3 : 1
    area.resize(600, 400)
    _settle(qtbot)
    _out_of_scrolling_page(qtbot, area, (600, 200))
    assert not row.folded and row.minimumSizeHint().width() == 356


def _captioned_page(qtbot, splitter, caption: str, size: tuple[int, int]) -> QWidget:
    """A shown page of ``size``: ``caption``, wrapping (as the network diagram's does: the page's
    height follows its width), over ``splitter``."""
    page = QWidget()
    column = QVBoxLayout(page)
    caption = QLabel(caption)
    caption.setWordWrap(True)
    column.addWidget(caption)
    column.addWidget(splitter)
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    _settle(qtbot)
    return page


def test_the_splitter_gives_each_pane_its_height_in_a_scrolling_page_and_the_users_back_after(qtbot):
    splitter = PaneSplitter()
    top, bottom = Box(50, 100, height=500), Box(50, 100, height=200)
    splitter.addWidget(top)
    splitter.addWidget(bottom)
    page = _captioned_page(qtbot, splitter, "A caption that wraps, as the network diagram does: the page's height "
                           "follows its width", (300, 400))
    splitter.setSizes([100, 290])  # the user's
    users = splitter.sizes()
    area = _in_scrolling_page(qtbot, page, 300)
    assert splitter.sizes() == [500, 200]  # the page grew to hold them
    assert area.verticalScrollBar().maximum() > 0
    _out_of_scrolling_page(qtbot, area, (300, 400))
    assert splitter.sizes() == users


def test_a_side_column_goes_under_the_main_view_only_where_the_views_do_not_fit_squeezed(qtbot):
    row = FoldingRow(spacing=6, sidebar=True)
    side, main = Box(200, 200), Box(300, 700)
    row.add(side)
    row.add(main, 1)
    area = _in_scrolling_page(qtbot, row, 600)  # 200 + 6 + 300 fit, though main wants 700
    assert not row.folded and side.width() == 200 and main.width() >= 300
    assert area.horizontalScrollBar().maximum() == 0
    main.least = 500  # a page that needs more (the confusion matrix's counts at 200 %)
    main.updateGeometry()
    _settle(qtbot)
    assert row.folded and main.y() + main.height() <= side.y()  # the main view on top, in sight
    assert main.width() == area.viewport().width() and area.horizontalScrollBar().maximum() == 0


def test_a_side_pane_goes_under_the_views_in_a_scrolling_page_and_gets_its_width_back(qtbot):
    splitter = FoldingSplitter()
    views, pane = Box(200, 400, height=300), Box(250, 250, height=500)
    splitter.addWidget(views)
    splitter.addWidget(pane)
    page = _captioned_page(qtbot, splitter, "A caption that wraps: the page's height follows its width, and holds "
                           "what its panes want", (620, 300))
    splitter.set_widths([350, 250])  # the user's
    users = splitter.sizes()
    assert not splitter.folded and splitter.minimumSizeHint().width() >= 200 + 250
    area = _in_scrolling_page(qtbot, page, 420)  # 200 + 250 do not fit side by side
    assert splitter.folded and splitter.sizes() == [300, 500]  # each as tall as it wants
    assert pane.y() >= views.y() + views.height() and area.horizontalScrollBar().maximum() == 0
    area.resize(700, 400)
    _settle(qtbot)
    assert not splitter.folded and pane.x() >= views.x() + views.width()
    assert abs(pane.width() / views.width() - 250 / 350) < 0.05  # the user's shares
    area.resize(420, 400)
    _settle(qtbot)
    assert splitter.folded
    _out_of_scrolling_page(qtbot, area, (620, 300))
    assert not splitter.folded and splitter.sizes() == users


def test_a_scroll_area_that_scrolls_down_is_as_wide_as_its_contents_need(qtbot):
    content = QWidget()
    column = QVBoxLayout(content)
    table = QLabel("<table><tr><td>pool2&nbsp;map&nbsp;12</td><td>0.5986</td></tr></table>")
    column.addWidget(table)
    area = DownScrollArea(content)
    page = QWidget()
    QVBoxLayout(page).addWidget(area)
    qtbot.addWidget(page)
    page.show()
    _settle(qtbot)
    before = page.minimumSizeHint().width()
    assert area.minimumSizeHint().width() >= table.minimumSizeHint().width()  # a plain one's: a few lines'
    table.setText("<table><tr><td>pool2&nbsp;map&nbsp;12&nbsp;(1,&nbsp;3)&nbsp;a&nbsp;longer&nbsp;name</td>"
                  "<td>0.5986</td></tr></table>")
    _settle(qtbot)
    assert page.minimumSizeHint().width() > before  # the layout it is in learns of it
    page.resize(page.minimumSizeHint().width(), 200)
    _settle(qtbot)
    assert content.width() <= area.viewport().width() and content.width() >= content.minimumSizeHint().width()


def test_pages_are_as_large_as_the_one_on_show_even_for_a_height_at_a_width(qtbot):
    stack = PageStack()
    short, tall = QLabel("a short page"), QLabel("a tall page of words that wrap " * 40)
    tall.setWordWrap(True)
    stack.addWidget(short)
    stack.addWidget(tall)
    qtbot.addWidget(stack)
    stack.show()
    assert stack.layout().heightForWidth(200) < tall.heightForWidth(200)  # a QStackedWidget's: the tall one's
    assert stack.sizeHint() == short.sizeHint()
    stack.setCurrentIndex(1)
    assert stack.currentWidget() is tall and stack.layout().heightForWidth(200) >= tall.heightForWidth(200)


def test_a_pane_opened_under_the_views_is_brought_into_sight(qtbot):
    page = QWidget()
    column = QVBoxLayout(page)
    views, pane = Box(100, 100), Box(100, 100)
    views.setMinimumHeight(900)
    pane.setMinimumHeight(300)
    column.addWidget(views)
    pane.hide()
    column.addWidget(pane)
    area = _in_scrolling_page(qtbot, page, 300)
    pane.show()
    bring_into_sight(pane)
    qtbot.waitUntil(lambda: area.verticalScrollBar().value() > 0)
    top = pane.mapTo(area.viewport(), pane.rect().topLeft()).y()
    assert 0 <= top < area.viewport().height() // 2


def test_the_timeline_wants_one_row_however_it_is_arranged(qtbot):
    # a width that followed the arrangement made the row under the pages fold and unfold at each
    # change of the page's height: at 200 % the scroll area resized the page until the stack overflowed
    bar = TimelineBar()
    qtbot.addWidget(bar)
    bar.resize(2000, 60)
    bar.show()
    _settle(qtbot)
    one_row = bar.sizeHint().width()
    bar.resize(bar.minimumSizeHint().width(), 80)
    _settle(qtbot)
    assert not bar.one_row and bar.sizeHint().width() == one_row


def _activations(config=SMALL):
    from kernelplay.nn.network import Network

    net = Network(config)
    return {k: v[0] for k, v in net.activations(np.random.default_rng(0).random((1, 1, 28, 28))).items()}


def _titles_in_sight(view) -> bool:
    seen = view.mapToScene(view.viewport().rect()).boundingRect().adjusted(-1, -1, 1, 1)
    return all(seen.contains(title.item.sceneBoundingRect()) for title in view.titles.values())


def test_feature_maps_take_rows_where_their_titles_do_not_fit_one(qtbot):
    view = FeatureMaps()
    qtbot.addWidget(view)
    view.set_activations(_activations())
    view.resize(900, 300)
    view.show()
    _settle(qtbot)
    assert view.columns == 5 and _titles_in_sight(view)  # input, conv1, pool1, conv2, pool2 in a row
    narrow = view.minimumSizeHint().width() + 40  # room for two columns of titles, not three
    view.resize(narrow, 600)
    _settle(qtbot)
    assert view.columns == 2 and _titles_in_sight(view)
    assert view.sizeHint().height() > 600 * 0.6  # three rows of maps want the height
    marks_before = len(view.images)
    view.resize(900, 300)
    _settle(qtbot)
    assert view.columns == 5 and len(view.images) == marks_before  # the same items, placed anew


def test_kernels_take_rows_and_shorter_lines_where_their_titles_do_not_fit(qtbot):
    grid = FilterGrid()
    qtbot.addWidget(grid)
    rng = np.random.default_rng(1)
    grid.set_kernels({"conv1": rng.normal(size=(8, 1, 5, 5)), "conv2": rng.normal(size=(8, 8, 5, 5)),
                      "conv3": rng.normal(size=(8, 8, 5, 5))})
    grid.resize(1200, 300)
    grid.show()
    _settle(qtbot)
    assert (grid.columns, grid.title_lines) == (3, 2) and _titles_in_sight(grid)
    grid.resize(grid.minimumSizeHint().width(), 600)  # one layer a row, three lines a title
    _settle(qtbot)
    assert (grid.columns, grid.title_lines) == (1, 3) and _titles_in_sight(grid)
    bar = grid.colour_bar.mapRectToScene(grid.colour_bar.boundingRect())
    assert grid.mapToScene(grid.viewport().rect()).boundingRect().adjusted(-1, -1, 1, 1).contains(bar)
