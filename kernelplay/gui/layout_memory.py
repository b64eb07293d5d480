"""The window's layout across restarts: the splitters' positions on each tab and the tab on show
(the window's size and place are its own ``saveGeometry``, in ``MainWindow``).

A splitter is known by its tab's title, its order among the tab's splitters and its number of
panes; a layout changed by a new version simply starts from its defaults.
"""
from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSplitter, QTabWidget, QWidget

from kernelplay.gui.settings import AppSettings

__all__ = ["LayoutMemory"]


def _splitters(page: QWidget) -> dict[str, QSplitter]:
    return {f"{index}-{splitter.count()}": splitter
            for index, splitter in enumerate(page.findChildren(QSplitter))}


class LayoutMemory(QObject):
    """Restores ``tabs``' last tab and each built page's splitters from ``settings``; :meth:`save`
    writes them back (the window calls it when it closes)."""

    def __init__(self, tabs: QTabWidget, settings: AppSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tabs, self._settings = tabs, settings

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
        title = self._title(page)
        for key, splitter in _splitters(page).items():
            state = self._settings.splitter_state(f"{title}/{key}")
            if state is not None:
                try:
                    splitter.restoreState(state)
                except TypeError:  # a damaged settings file: not a byte array
                    pass

    def save(self) -> None:
        for index in range(self._tabs.count()):
            page = self._tabs.widget(index)
            for key, splitter in _splitters(page).items():
                self._settings.set_splitter_state(f"{self._title(page)}/{key}", splitter.saveState())
        self._settings.set_last_tab(self._tabs.tabText(self._tabs.currentIndex()))

    def _title(self, page: QWidget) -> str:
        return self._tabs.tabText(self._tabs.indexOf(page))
