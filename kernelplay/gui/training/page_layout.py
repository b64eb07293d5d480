"""The CNN tab's page at any width and text size. Presentation mode wraps the pages in a scroll
area (at 200 % on a projector they may be larger than the screen): there a page may grow down but
never sideways, so a row of views folds into a column where it is too narrow for them
(:class:`FoldingRow`; with a caption over the first view, :func:`captioned_row`), a splitter's panes take the heights they want (:class:`PaneSplitter`) and a
side pane goes under the views it was beside (:class:`FoldingSplitter`). A scroll area inside the
page scrolls down only and is as wide as its contents need (:class:`DownScrollArea`), and pages
shown one at a time are as large as the one on show (:class:`PageStack`). pyqtgraph views whose
size hints come from their scenes pass changes on (:func:`pass_scene_hints_on`)."""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, QSize, Qt, QTimer
from PySide6.QtWidgets import QBoxLayout, QFrame, QLabel, QScrollArea, QSplitter, QStackedLayout, QVBoxLayout, QWidget

__all__ = ["DownScrollArea", "FoldingRow", "FoldingSplitter", "PageStack", "PaneSplitter", "bring_into_sight",
           "captioned_row", "pass_scene_hints_on"]

HOLD_MS = 500  # a new pane is kept in sight while the page takes its new shape


def _least_width(widget: QWidget) -> int:
    """The width ``widget`` cannot be squeezed below (its minimum size, else its minimum size hint)."""
    return widget.minimumSizeHint().expandedTo(widget.minimumSize()).width()


def _scrolling_page(widget: QWidget) -> QScrollArea | None:
    """The scroll area ``widget`` is in whose page grows as it needs (presentation mode's), if any."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent if parent is not None and parent.widgetResizable() else None


def bring_into_sight(widget: QWidget) -> None:
    """In a page that scrolls, scroll it to ``widget``'s top, unless that is in the upper half of
    the window already: a pane just shown under the views would open out of sight."""
    page = _scrolling_page(widget)
    if page is not None and page.widget() is not None:
        _InSight(widget, page)


class _InSight(QObject):
    """Scrolls ``page`` to ``widget``'s top, and again each time either changes shape for the next
    :data:`HOLD_MS`: the layouts place the widget over a few passes of the event loop (rows fold,
    the page grows, the plots take their rows as they paint)."""

    def __init__(self, widget: QWidget, page: QScrollArea) -> None:
        super().__init__(widget)
        self._widget, self._page = widget, page
        for watched in (widget, page.widget()):
            watched.installEventFilter(self)
        QTimer.singleShot(0, self, self._scroll)
        QTimer.singleShot(HOLD_MS, self, self.deleteLater)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            QTimer.singleShot(0, self, self._scroll)  # once the layout has placed the rest too
        return False

    def _scroll(self) -> None:
        page, widget = self._page, self._widget
        if not shiboken6.isValid(page):  # leaving presentation mode took the scrolling page away meanwhile
            return
        if page.widget() is None or not widget.isVisible() or not page.widget().isAncestorOf(widget):
            return
        top = widget.mapTo(page.widget(), QPoint(0, 0)).y()
        bar = page.verticalScrollBar()
        if not bar.value() <= top <= bar.value() + page.viewport().height() // 2:
            bar.setValue(top)


def _wanted_width(widget: QWidget) -> int:
    return max(widget.sizeHint().width(), _least_width(widget))


class FoldingRow(QWidget):
    """Widgets (:meth:`add`) side by side, sharing the width by their stretch, or one under another
    (the first on top). In a window of fixed height they stay side by side, and the row's least
    width is theirs together, as a plain row's. In a page that scrolls (presentation mode's) the
    page may grow down but never sideways, so a view had better take the whole width than squeeze
    its contents beside another: where a stretch's share is less than a view wants, each view gets
    what it wants and the rest is evened out; where the row is narrower than that, it folds; and
    its least width is the widest view's, so a layout may give it less than the row needs. Hidden
    widgets take no room.

    With ``sidebar`` the first widget is a side column beside the main view (the tab's controls left
    of its pages): the row folds only where the views do not fit even squeezed to their least
    widths, and folded, the main view stays on top, in sight, the side column under it.
    """

    def __init__(self, spacing: int = 6, parent: QWidget | None = None, *, sidebar: bool = False) -> None:
        super().__init__(parent)
        self._needed = _least_width if sidebar else _wanted_width
        self._column = QBoxLayout.Direction.BottomToTop if sidebar else QBoxLayout.Direction.TopToBottom
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(spacing)
        self._stretches: list[int] = []
        self._scrolling = False  # in a page that scrolls, when last arranged
        self._by_stretch = True

    def add(self, widget: QWidget, stretch: int = 0) -> None:
        """``widget`` right of (or under) those added before; ``stretch`` shares out the width."""
        self._stretches.append(stretch)
        self._box.addWidget(widget, stretch if self._by_stretch else 0)

    @property
    def folded(self) -> bool:
        return self._box.direction() == self._column

    def _shown(self) -> list[tuple[QWidget, int]]:
        items = ((self._box.itemAt(i).widget(), stretch) for i, stretch in enumerate(self._stretches))
        return [(widget, stretch) for widget, stretch in items if widget is not None and not widget.isHidden()]

    def minimumSizeHint(self) -> QSize:
        height = super().minimumSizeHint().height()
        least = [_least_width(widget) for widget, _ in self._shown()]
        if self._scrolling:
            return QSize(max(least, default=0), height)
        return QSize(sum(least) + self._box.spacing() * max(len(least) - 1, 0), height)

    def _arrangement(self, width: int, scrolling: bool) -> tuple[bool, bool]:
        """(folded, by stretch) for a row ``width`` wide."""
        if not scrolling:
            return False, True
        shown = self._shown()
        room = width - self._box.spacing() * max(len(shown) - 1, 0)
        wanted = [self._needed(widget) for widget, _ in shown]
        if sum(wanted) > room:
            return True, False  # in a column each is as tall as it wants: a stretch would leave it its least
        shares = sum(stretch for _, stretch in shown)
        return False, shares > 0 and all(room * stretch / shares >= want for (_, stretch), want in zip(shown, wanted))

    def _arrange(self, width: int) -> None:
        # presentation mode puts the pages in a scroll area, and takes them out again
        scrolling = _scrolling_page(self) is not None
        fold, by_stretch = self._arrangement(width, scrolling)
        if (fold, by_stretch, scrolling) != (self.folded, self._by_stretch, self._scrolling):
            self._scrolling, self._by_stretch = scrolling, by_stretch
            self._box.setDirection(self._column if fold else QBoxLayout.Direction.LeftToRight)
            for index, stretch in enumerate(self._stretches):
                self._box.setStretch(index, stretch if by_stretch else 0)
            self.updateGeometry()  # the least width, and the column's height or the row's

    def resizeEvent(self, event) -> None:
        self._arrange(event.size().width())
        super().resizeEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a widget's width changed (text size, contents)
            self._arrange(self.width())
        return super().event(event)


class PaneSplitter(QSplitter):
    """A vertical splitter whose panes, in a page that scrolls, take the heights they want: the page
    grows to hold them, so there is nothing to share out, and a row that folded into a column is not
    left with the height it had as a row. Elsewhere the panes are the user's to size (and
    ``layout_memory``'s to remember); leaving the scrolling page gives them back.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self._users_sizes: list[int] | None = None  # the sizes before the page scrolled

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()  # QSplitter's leaves out its handles
        handles = self.handleWidth() * max(self.count() - 1, 0)
        if self.orientation() == Qt.Orientation.Horizontal:
            return QSize(hint.width() + handles, hint.height())
        return QSize(hint.width(), hint.height() + handles)

    def _fit_panes(self) -> None:
        page = _scrolling_page(self)
        if page is not None:
            if self._users_sizes is None:
                self._users_sizes = self.sizes()
            self._fit_heights(page)
        elif self._users_sizes is not None:
            self.setSizes(self._users_sizes)
            self._users_sizes = None

    def restoreState(self, state) -> bool:
        """In a page that scrolls, ``state``'s sizes are those given back when it stops (the
        panes keep the heights they want): layout_memory restores a CNN tab built in the scroll area."""
        restored = super().restoreState(state)
        if restored and self._users_sizes is not None:
            self._users_sizes = self.sizes()
            self._fit_panes()
        return restored

    def _fit_heights(self, page: QScrollArea) -> None:
        """Each pane as tall as it wants, in ``page``, which grows to hold them."""
        wanted = [self.widget(i).sizeHint().height() for i in range(self.count())]
        if wanted != self.sizes():
            self.setSizes(wanted)
        if sum(wanted) + self.handleWidth() * (self.count() - 1) > self.height():
            # the page has not grown to hold them: a pane's new height does not always reach
            # the scroll area (a row folded, the widest network came), which then sizes it anew
            QCoreApplication.postEvent(page, QEvent(QEvent.Type.LayoutRequest))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_panes()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # a pane wants another size (it folded, its text grew)
            self._fit_panes()
        return handled


class FoldingSplitter(PaneSplitter):
    """Views and a side pane (``addWidget``) side by side, the user's to size, as a horizontal
    splitter's. In a page that scrolls, where they do not fit side by side even squeezed to their
    least widths, the pane goes under the views and each is as tall as it wants (a
    :class:`PaneSplitter`'s rule); the splitter's least width there is the widest pane's, so a
    layout may give it less than side by side needs. Where they fit again, and out of the scrolling
    page, the widths they had side by side in the window come back. Hidden panes take no room.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOrientation(Qt.Orientation.Horizontal)
        self._widths: list[int] | None = None  # side by side in the window: the user's, or set_widths'

    @property
    def folded(self) -> bool:
        return self.orientation() == Qt.Orientation.Vertical

    def set_widths(self, widths: list[int]) -> None:
        """The panes' widths side by side (folded: the widths they take when they fit again)."""
        self._widths = list(widths)
        if not self.folded:
            self.setSizes(widths)

    def _shown(self) -> list[QWidget]:
        return [widget for widget in map(self.widget, range(self.count())) if not widget.isHidden()]

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if _scrolling_page(self) is None:
            return hint
        return QSize(max(map(_least_width, self._shown()), default=0), hint.height())

    def _fit_panes(self) -> None:
        page = _scrolling_page(self)
        if page is None and not self.folded:
            self._widths = self.sizes()
        shown = self._shown()
        room = self.width() - self.handleWidth() * max(len(shown) - 1, 0)
        fold = page is not None and sum(map(_least_width, shown)) > room
        if fold != self.folded:
            self.setOrientation(Qt.Orientation.Vertical if fold else Qt.Orientation.Horizontal)
            if not fold and self._widths is not None:
                self.setSizes(self._widths)
            self.updateGeometry()  # the least width, and the height of a column or of a row
        if fold:
            self._fit_heights(page)


class DownScrollArea(QScrollArea):
    """``content`` in a frameless scroll area that scrolls down only, at least as wide as the
    content's least width (a plain scroll area's least width is a few lines of text, whatever it
    holds: what did not fit was cut off at the right, as a unit's table at 200 %)."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidgetResizable(True)
        self.setWidget(content)

    def _sides(self) -> int:
        """The room the content does not get across: the frame, and the scroll bar's room, kept
        whether the bar shows or not (a width that hung on the height would go round in circles)."""
        return 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), _least_width(self.widget()) + self._sides()), hint.height())

    def sizeHint(self) -> QSize:
        # the content's whole height at the width it has (a plain scroll area keeps the hint its
        # content gave when first asked, and at most 24 lines): where the page scrolls, it holds it all
        content = self.widget()
        width = max(content.sizeHint().width(), _least_width(content))
        room = max(self.width() - self._sides(), _least_width(content)) if self.isVisible() else width
        height = content.heightForWidth(room) if content.hasHeightForWidth() else -1
        return QSize(width + self._sides(), max(height, content.sizeHint().height()) + 2 * self.frameWidth())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the content's least width may have changed (another unit, the text size)
        return super().eventFilter(watched, event)


class _PageOnShowLayout(QStackedLayout):
    """A stacked layout whose sizes are its current page's (Qt's are the largest of all its pages'
    and, for a height at a width, even of hidden pages kept out of the hints by their size policy)."""

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else QSize()

    def minimumSize(self) -> QSize:
        page = self.currentWidget()
        return page.minimumSizeHint().expandedTo(page.minimumSize()) if page is not None else QSize()

    def hasHeightForWidth(self) -> bool:
        page = self.currentWidget()
        return page is not None and page.hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:
        return max(self.currentWidget().heightForWidth(width), self.minimumSize().height())


class PageStack(QWidget):
    """Pages one at a time (:meth:`addWidget`, :meth:`setCurrentIndex`), as large as the page on
    show needs. A QStackedWidget's height for a width is its tallest page's, hidden or not: where
    the page scrolls (presentation mode) the Mistakes page took the Network page's 2,100 px."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pages = _PageOnShowLayout(self)

    def addWidget(self, page: QWidget) -> None:
        self._pages.addWidget(page)

    def setCurrentIndex(self, index: int) -> None:
        self._pages.setCurrentIndex(index)
        self.updateGeometry()  # the new page's sizes

    def currentIndex(self) -> int:
        return self._pages.currentIndex()

    def currentWidget(self) -> QWidget | None:
        return self._pages.currentWidget()

    def widget(self, index: int) -> QWidget | None:
        return self._pages.widget(index)

    def count(self) -> int:
        return self._pages.count()


class _SceneHints(QObject):
    def __init__(self, view) -> None:
        super().__init__(view)  # the view is reached as parent(): no reference cycle keeps it alive
        self._hints: tuple[QSize, QSize] | None = None
        view.centralWidget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        view = self.parent()
        # pyqtgraph's close() clears the scene (its items gone) and marks the view closed before
        # the layout requests that clearing posted come: a closed view has no hints to ask
        if event.type() == QEvent.Type.LayoutRequest and not getattr(view, "closed", False):
            hints = (view.sizeHint(), view.minimumSizeHint())
            if hints != self._hints:  # a title's new text the same size asks nothing of the page
                self._hints = hints
                view.updateGeometry()
        return False


def pass_scene_hints_on(view) -> None:
    """Have ``view``, a pyqtgraph view whose size hints come from its scene (its titles, axes and
    rows), tell the layout it is in when they change: the scene's own layout requests stay in the
    scene, so a page kept the height it had before (the scores squeezed to 68 px of the 254 they
    ask at 200 %, after their title grew)."""
    _SceneHints(view)


def captioned_row(caption: str, view: QWidget, side: QWidget, *, side_stretch: int) -> QWidget:
    """``view`` under a word-wrapped ``caption`` (3 parts of the width), ``side`` beside them, or
    under them where both do not fit the width."""
    label = QLabel(caption)
    label.setWordWrap(True)
    captioned = QWidget()
    column = QVBoxLayout(captioned)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(label)
    column.addWidget(view, 1)
    row = FoldingRow()
    row.add(captioned, 3)
    row.add(side, side_stretch)
    return row
