"""A heavy tab built after the window is up: the window shows at once with a placeholder page, and
the tab's modules and widgets follow in the event loop's idle turns (or at once when asked for).

The CNN training tab needs pyqtgraph, the digits and a spawned training process: about 0.45 s on
the machine of the README's figures, which made the window come up 7–8× slower than a bare PySide6
window (benchmarks/bench_startup.py). Built here in steps on the GUI thread after the first paint,
it is ready before a user's first click on its tab; a click that comes sooner shows "Loading…" and
the steps carry on.
"""
from __future__ import annotations

import importlib
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QWidget

__all__ = ["TabLoader"]


class TabLoader(QObject):
    """Holds ``title``'s place in ``tabs`` with a placeholder page until ``factory()`` has built the
    real one, which then takes the placeholder's index (and is current if it was). Building starts
    once ``window`` has been painted, one step per event-loop turn: each of ``modules`` imported,
    then ``factory()`` called; or when the placeholder is chosen, or :meth:`widget` asked for
    (then all at once). ``loaded(QWidget)`` follows the swap."""

    loaded = Signal(QWidget)

    def __init__(self, window: QWidget, tabs: QTabWidget, title: str, factory: Callable[[], QWidget],
                 modules: tuple[str, ...] = ()) -> None:
        super().__init__(window)
        self._window, self._tabs, self._title, self._factory = window, tabs, title, factory
        self._steps = [lambda m=module: importlib.import_module(m) for module in modules]
        self._widget: QWidget | None = None
        self._step_due = False
        self.placeholder = QLabel(f"Loading {title}…")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        tabs.addTab(self.placeholder, title)
        tabs.currentChanged.connect(self._on_tab_changed)
        window.installEventFilter(self)

    def widget(self) -> QWidget:
        """The tab, built now if it is not yet."""
        while self._widget is None:
            self._next_step()
        return self._widget

    def is_loaded(self) -> bool:
        return self._widget is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Paint:
            self._window.removeEventFilter(self)
            self._schedule_step()  # runs after this paint, once the window is on screen
        return False

    def _on_tab_changed(self, index: int) -> None:
        if self._widget is None and self._tabs.widget(index) is self.placeholder:
            self._schedule_step()

    def _schedule_step(self) -> None:
        if not self._step_due and self._widget is None:
            self._step_due = True
            QTimer.singleShot(0, self, self._on_step_due)

    def _on_step_due(self) -> None:
        self._step_due = False
        if self._widget is None and self._window.isVisible():  # a closed window builds nothing
            self._next_step()
            self._schedule_step()

    def _next_step(self) -> None:
        if self._steps:
            self._steps.pop(0)()
            return
        widget = self._factory()
        index = self._tabs.indexOf(self.placeholder)
        was_current = self._tabs.currentIndex() == index
        blocked = self._tabs.blockSignals(True)  # one tab leaves and another comes: not a change of tab
        try:
            self._tabs.removeTab(index)
            self._tabs.insertTab(index, widget, self._title)
            if was_current:
                self._tabs.setCurrentIndex(index)
        finally:
            self._tabs.blockSignals(blocked)
        self.placeholder.deleteLater()
        self._widget = widget
        self.loaded.emit(widget)
