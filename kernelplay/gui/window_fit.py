"""The window on a screen too small for its pages. A 1366×768 laptop at 150 % is 911×512 logical
pixels and a 1024×700 screen at 150 % 683×467, while the window with its pages side by side
cannot be less than 797×685: it ran off the screen. There the pages go in the scroll area
presentation mode puts them in (page_layout.py's "page that scrolls": rows fold, the page grows
down), so the window's least size is a few lines of menu and status bar, the window is sized to
the screen and the page scrolls down. On a screen that holds the window nothing changes.

One scroll area, two reasons to hold it: presentation mode and a small screen. :class:`PageScroll`
holds it while either wants it, so leaving presentation mode on a small screen keeps it and on a
large one takes it away. :class:`WindowFit` decides on the screen, not on the window's size: a
window that fits its screen keeps its pages side by side at every size the user gives it.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QFrame, QMainWindow, QScrollArea, QSizePolicy, QTabWidget, QWidget

from kernelplay.gui.wheel_guard import WheelGuard

__all__ = ["PageScroll", "WindowFit", "fits", "placed_in"]

SMALL_SCREEN = "small screen"  # WindowFit's reason to hold the scroll area
SETTLE_MS = 150  # a change's layouts settle first (leaving presentation mode, one pass asked 922×739, then 797×685)
_POLICY = "kernelplay_size_policy"  # a hidden page's own size policy, kept while the scroll area ignores it


def fits(needed: QSize, room: QSize) -> bool:
    """Whether a window that cannot be less than ``needed`` (its title bar too) fits ``room``."""
    return needed.width() <= room.width() and needed.height() <= room.height()


def placed_in(frame: QRect, available: QRect) -> QRect:
    """``frame`` (a window's, its title bar and borders included) no larger than ``available`` and
    moved into it, as little as it takes."""
    size = frame.size().boundedTo(available.size())
    left = min(max(frame.left(), available.left()), available.right() + 1 - size.width())
    top = min(max(frame.top(), available.top()), available.bottom() + 1 - size.height())
    return QRect(left, top, size.width(), size.height())


class PageScroll(QObject):
    """``window``'s pages (its central widget) in a frameless scroll area whose page grows as it
    needs, while at least one reason :meth:`hold` s it; without one, the pages straight in the
    window again. One per window: :meth:`of`. ``about_to_scroll`` comes while the pages are still
    laid out in the window, just before they go in the scroll area."""

    about_to_scroll = Signal()

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._reasons: set[str] = set()
        self._area: QScrollArea | None = None
        self._followed: list[QTabWidget] = []  # the tab widgets whose change of page it follows
        self._wheel = WheelGuard(window, self)  # in a page that scrolls, the wheel scrolls it (wheel_guard.py)

    @classmethod
    def of(cls, window: QMainWindow) -> PageScroll:
        """The window's one :class:`PageScroll` (made on first use)."""
        found = window.findChild(cls, options=Qt.FindChildOption.FindDirectChildrenOnly)
        return found if found is not None else cls(window)

    def area(self) -> QScrollArea | None:
        """The scroll area the pages are in, or None while they are not."""
        return self._area

    def reasons(self) -> set[str]:
        return set(self._reasons)

    def hold(self, reason: str, on: bool = True) -> None:
        """Hold the scroll area for ``reason`` (on), or let it go for that reason."""
        held = bool(self._reasons)
        if on:
            self._reasons.add(reason)
        else:
            self._reasons.discard(reason)
        if self._reasons and not held:
            self._wrap()
        elif held and not self._reasons:
            self._unwrap()

    def _wrap(self) -> None:
        self.about_to_scroll.emit()
        window = self._window
        pages = window.takeCentralWidget()
        self._area = QScrollArea()
        self._area.setFrameShape(QFrame.Shape.NoFrame)
        self._area.setWidgetResizable(True)
        self._area.setWidget(pages)
        window.setCentralWidget(self._area)
        self._wheel.guard(self._area)
        self._size_by_current_pages(True)
        self._rearrange(pages)
        if window.isVisible():  # on show and laid out now, not a turn of the event loop later (Qt's way):
            self._area.show()  # meanwhile what floats over the pages was placed for their old size (the
            window.layout().activate()  # message bar, 703 px wide over a 681 px page, its close button cut)

    def _unwrap(self) -> None:
        self._size_by_current_pages(False)
        pages = self._area.takeWidget()
        self._wheel.release()
        self._window.setCentralWidget(pages)  # the scroll area goes with it
        self._area = None
        self._rearrange(pages)  # shown and laid out by Qt a turn later: leaving presentation mode, the
        # text size's change still reaches some sizes (laid out at once, the window took 1099×974 for 797×685)

    @staticmethod
    def _rearrange(pages: QWidget) -> None:
        """Have every widget in the pages lay itself out anew, and its layout ask it its sizes again
        (each before its parent). Those that arrange themselves for a page that scrolls (page_layout:
        rows that fold, splitters) do it on a layout request, which on a hidden page nothing else
        sends; and a layout keeps a widget's sizes until it says they changed, which a tab widget did
        not when its hidden pages stopped being ignored: leaving the scroll area, the window took the
        957 px the pages had needed in it, not their 644."""
        for widget in reversed(pages.findChildren(QWidget)):
            QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.LayoutRequest))
            widget.updateGeometry()

    def pages_added(self) -> None:
        """A page came (the CNN tab, built after the window): while the pages scroll, it too is
        kept out of the tab widget's size while hidden."""
        if self._area is not None:
            self._size_by_current_pages(False)
            self._size_by_current_pages(True)

    def _size_by_current_pages(self, on: bool) -> None:
        """While on, a tab widget is as large as the page on show needs, not its largest page: the
        CNN tab's height must not make the playground scroll as far."""
        for tabs in self._followed:
            tabs.currentChanged.disconnect(self._on_page_changed)
        self._followed = self._window.findChildren(QTabWidget) if on else []
        for tabs in self._window.findChildren(QTabWidget):
            if on:
                tabs.currentChanged.connect(self._on_page_changed)
            for index in range(tabs.count()):
                page = tabs.widget(index)
                if on and page is not tabs.currentWidget():
                    if page.property(_POLICY) is None:
                        page.setProperty(_POLICY, page.sizePolicy())
                    page.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
                elif page.property(_POLICY) is not None:
                    page.setSizePolicy(page.property(_POLICY))
                    page.setProperty(_POLICY, None)

    @Slot(int)
    def _on_page_changed(self, _index: int) -> None:
        self.pages_added()


class WindowFit(QObject):
    """Puts ``window``'s pages in its :class:`PageScroll` while the window with its pages as they
    are (its least size, measured while they are not in the scroll area, and its title bar) does not
    fit the available room of its screen, and then keeps the window inside that room. It looks
    again when the window is shown, moves to another screen, the screen's room changes (another
    resolution, a panel) and the pages' least size changes (the CNN tab comes after the window)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._pages = PageScroll.of(window)
        self._needed: QSize | None = None  # the least window and its title bar, pages out of the scroll area
        self._screens: list[QScreen] = []  # those whose room it follows (the window has been on)
        self._place_due = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SETTLE_MS)
        self._timer.timeout.connect(self._on_due)
        window.installEventFilter(self)

    def is_on(self) -> bool:
        """Whether the screen is too small and the pages scroll."""
        return SMALL_SCREEN in self._pages.reasons()

    def needed(self) -> QSize | None:
        """The window's least size with the pages side by side, its title bar included, when last measured."""
        return self._needed

    def room(self) -> QSize:
        """The room the window's screen leaves it (its available geometry: without panels, task bars)."""
        return self._window.screen().availableGeometry().size()

    def decide(self, *, place: bool = False) -> None:
        """Decide again; with ``place``, also keep the window inside its screen if the pages scroll."""
        window = self._window
        if not self._pages.reasons():  # the pages as they are: their least size can be measured
            least = window.minimumSizeHint()
            self._needed = QSize(least.width(), least.height() + self._title_bar())
        if self._needed is None:
            return
        too_small = not fits(self._needed, self.room())
        if too_small != self.is_on():
            self._pages.hold(SMALL_SCREEN, too_small)
            place = place or too_small
        if place and too_small:
            self._place()

    def _title_bar(self) -> int:
        """The title bar's height (none known before the window is first shown). Of the frame only
        it must be on the screen, to move the window by: the borders may lie on or past its edges
        (a few pixels; on Windows they are invisible), the pages must not."""
        window = self._window
        return window.geometry().top() - window.frameGeometry().top() if window.isVisible() else 0

    def _place(self) -> None:
        window = self._window
        if window.windowState() & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen
                                   | Qt.WindowState.WindowMinimized):
            return  # the window system sizes it
        window.layout().activate()  # its least size now that of the scroll area, not of the pages
        frame = window.frameGeometry()
        placed = placed_in(frame, window.screen().availableGeometry())
        if placed.size() != frame.size():
            window.resize(window.size() - (frame.size() - placed.size()))
        if placed.topLeft() != frame.topLeft():
            window.move(placed.topLeft())  # a window's position is its frame's

    def _update_later(self, *, place: bool = False) -> None:
        """:meth:`decide` once the layouts have settled (one call for the many layout requests of a change)."""
        self._place_due = self._place_due or place
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _on_due(self) -> None:
        place, self._place_due = self._place_due, False
        self.decide(place=place)

    def _follow_screen(self) -> None:
        handle = self._window.windowHandle()
        if handle is not None and not self._screens:
            handle.screenChanged.connect(self._on_screen_changed)
        screen = self._window.screen()
        if screen not in self._screens:
            screen.availableGeometryChanged.connect(self._on_room_changed)
            self._screens.append(screen)

    @Slot(QScreen)
    def _on_screen_changed(self, _screen: QScreen) -> None:
        self._follow_screen()
        self._update_later(place=True)  # another screen may mean another text size

    @Slot(QRect)
    def _on_room_changed(self, _room: QRect) -> None:
        if self.sender() is self._window.screen():  # (not a screen the window has left)
            self._update_later(place=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window:
            kind = event.type()
            if kind == QEvent.Type.Show:  # sent before the window is on screen: it comes up fitted
                self._follow_screen()
                self.decide(place=True)
            elif kind == QEvent.Type.LayoutRequest and not self._pages.reasons():
                self._update_later()  # the pages' least size may have changed
            elif kind == QEvent.Type.Move and self._window.isVisible():
                self._update_later()  # the title bar's height becomes known once the window is placed
        return False
