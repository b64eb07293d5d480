"""The CNN tab's page at any width: rows of views that fold into columns in a page that scrolls
(presentation mode's), a splitter whose panes take the heights they want there, and the feature
maps and kernels in rows where their titles do not fit one."""
import numpy as np
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from synthetic_digits import SMALL
from kernelplay.gui.training.feature_maps import FeatureMaps
from kernelplay.gui.training.filter_grid import FilterGrid
from kernelplay.gui.training.page_layout import FoldingRow, PaneSplitter


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
    area.takeWidget()  # out of the scrolling page (presentation mode left)
    row.resize(600, 200)
    row.show()
    _settle(qtbot)
    assert not row.folded and row.minimumSizeHint().width() == 356


def test_the_splitter_gives_each_pane_its_height_in_a_scrolling_page_and_the_users_back_after(qtbot):
    splitter = PaneSplitter()
    top, bottom = Box(50, 100, height=500), Box(50, 100, height=200)
    splitter.addWidget(top)
    splitter.addWidget(bottom)
    page = QWidget()
    column = QVBoxLayout(page)
    caption = QLabel("A caption that wraps, as the network diagram does: the page's height follows its width")
    caption.setWordWrap(True)
    column.addWidget(caption)
    column.addWidget(splitter)
    qtbot.addWidget(page)
    page.resize(300, 400)
    page.show()
    _settle(qtbot)
    splitter.setSizes([100, 290])  # the user's
    users = splitter.sizes()
    area = _in_scrolling_page(qtbot, page, 300)
    assert splitter.sizes() == [500, 200]  # the page grew to hold them
    assert area.verticalScrollBar().maximum() > 0
    area.takeWidget()  # out of the scrolling page (presentation mode left)
    page.resize(300, 400)
    page.show()
    _settle(qtbot)
    assert splitter.sizes() == users


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
