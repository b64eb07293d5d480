"""The CNN tab's page at any width and text size. Presentation mode wraps the pages in a scroll
area (at 200 % on a projector they may be larger than the screen): there a page may grow down but
never sideways, so a row of views folds into a column where it is too narrow for them
(:class:`FoldingRow`) and a splitter's panes take the heights they want (:class:`PaneSplitter`).
pyqtgraph views whose size hints come from their scenes pass changes on (:func:`pass_scene_hints_on`)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QBoxLayout, QScrollArea, QSplitter, QWidget

__all__ = ["FoldingRow", "PaneSplitter", "pass_scene_hints_on"]


def _least_width(widget: QWidget) -> int:
    """The width ``widget`` cannot be squeezed below (its minimum size, else its minimum size hint)."""
    return widget.minimumSizeHint().expandedTo(widget.minimumSize()).width()


def _scrolling_page(widget: QWidget) -> QScrollArea | None:
    """The scroll area ``widget`` is in whose page grows as it needs (presentation mode's), if any."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent if parent is not None and parent.widgetResizable() else None


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
    """

    def __init__(self, spacing: int = 6, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        return self._box.direction() == QBoxLayout.Direction.TopToBottom

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
        wanted = [_wanted_width(widget) for widget, _ in shown]
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
            self._box.setDirection(QBoxLayout.Direction.TopToBottom if fold else QBoxLayout.Direction.LeftToRight)
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
        return QSize(hint.width(), hint.height() + self.handleWidth() * max(self.count() - 1, 0))

    def _fit_panes(self) -> None:
        page = _scrolling_page(self)
        if page is not None:
            if self._users_sizes is None:
                self._users_sizes = self.sizes()
            wanted = [self.widget(i).sizeHint().height() for i in range(self.count())]
            if wanted != self.sizes():
                self.setSizes(wanted)
            if sum(wanted) + self.handleWidth() * (self.count() - 1) > self.height():
                # the page has not grown to hold them: a pane's new height does not always reach
                # the scroll area (a row folded, the widest network came), which then sizes it anew
                QCoreApplication.postEvent(page, QEvent(QEvent.Type.LayoutRequest))
        elif self._users_sizes is not None:
            self.setSizes(self._users_sizes)
            self._users_sizes = None

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_panes()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # a pane wants another size (it folded, its text grew)
            self._fit_panes()
        return handled


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
