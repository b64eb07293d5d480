"""The window's layout across restarts: the splitters' positions on each tab and the tab on show
(the window's size and place are its own ``saveGeometry``, in ``MainWindow``).

A splitter is known by its tab's title, its order among the tab's splitters and its number of
panes; a layout changed by a new version simply starts from its defaults.

What is remembered is the window whose pages do not scroll. In presentation mode and on a screen too
small for the window the pages are in a scroll area (window_fit.PageScroll), where the splitters'
panes take the heights their contents want: quitting there, the next start on a normal screen got
those (the CNN tab's rows 0.47 : 0.53 at 200 % for the user's 0.31 : 0.69). So while the pages
scroll, a splitter is remembered as it was just before, or as restored since (the CNN tab may be
built in the scroll area).
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject, Slot
from PySide6.QtWidgets import QSplitter, QTabWidget, QWidget

from kernelplay.gui.settings import AppSettings
from kernelplay.gui.window_fit import PageScroll

__all__ = ["LayoutMemory"]


def _restored(splitter: QSplitter, state) -> bool:
    """Whether ``splitter`` took ``state`` (a damaged settings file may hold anything)."""
    try:
        return splitter.restoreState(state)
    except TypeError:  # not a byte array
        return False


class LayoutMemory(QObject):
    """Restores ``tabs``' last tab and each built page's splitters from ``settings``; :meth:`save`
    writes them back (the window calls it when it closes), as they are in the window when its
    ``pages`` do not scroll."""

    def __init__(self, tabs: QTabWidget, settings: AppSettings, pages: PageScroll,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tabs, self._settings, self._pages = tabs, settings, pages
        self._before_scroll: dict[str, QByteArray] = {}  # by settings name: the states to save while the pages scroll
        pages.about_to_scroll.connect(self._on_about_to_scroll)

    def restore(self) -> None:
        """The splitters of every page built now, then the last tab (choosing a tab not built yet
        builds it; :meth:`restore_page` then gives it its splitters)."""
        for index in range(self._tabs.count()):
            self.restore_page(self._tabs.widget(index))
        titles = [self._tabs.tabText(index) for index in range(self._tabs.count())]
        last = self._settings.last_tab()
        if last in titles:
            self._tabs.setCurrentIndex(titles.index(last))

    def restore_page(self, page: QWidget) -> None:
        scrolling = self._pages.area() is not None
        for name, splitter in self._splitters(page).items():
            state = self._settings.splitter_state(name)
            if state is not None and _restored(splitter, state) and scrolling:
                self._before_scroll[name] = state  # (and the splitter takes it when they stop: page_layout)

    def save(self) -> None:
        splitters = self._all_splitters()
        if self._pages.area() is None:
            states = {name: splitter.saveState() for name, splitter in splitters.items()}
        else:  # a page built while they scroll and never restored has nothing to remember: its defaults
            states = {name: state for name, state in self._before_scroll.items() if name in splitters}
        for name, state in states.items():
            self._settings.set_splitter_state(name, state)
        self._settings.set_last_tab(self._tabs.tabText(self._tabs.currentIndex()))

    def _splitters(self, page: QWidget) -> dict[str, QSplitter]:
        """``page``'s splitters by their names in the settings."""
        title = self._tabs.tabText(self._tabs.indexOf(page))
        return {f"{title}/{index}-{splitter.count()}": splitter
                for index, splitter in enumerate(page.findChildren(QSplitter))}

    def _all_splitters(self) -> dict[str, QSplitter]:
        return {name: splitter for index in range(self._tabs.count())
                for name, splitter in self._splitters(self._tabs.widget(index)).items()}

    @Slot()
    def _on_about_to_scroll(self) -> None:
        self._before_scroll = {name: splitter.saveState() for name, splitter in self._all_splitters().items()}
