"""What the window offers a lecture: Help ▸ Lesson (and its offer on the first start), Help ▸
Keyboard Shortcuts, View ▸ Presentation Mode and text size, View ▸ Colours, and the layout kept
across restarts. The window makes one :class:`Classroom`; its menu items join the window's menus.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QWidget

from kernelplay.gui.layout_memory import LayoutMemory
from kernelplay.gui.presentation import Presentation
from kernelplay.gui.theme import THEME_NAMES, Theme, apply_plot_theme
from kernelplay.gui.window_fit import PageScroll

__all__ = ["Classroom", "LESSON_OFFER"]

LESSON_OFFER = ("New here? A lesson of 8 short steps sets the app up and shows you what to look at, from "
                "one kernel to a CNN that learns digits (Help ▸ Lesson).")
OFFER_SECONDS = 40


def _menu(window: QMainWindow, title: str) -> QMenu:
    """The window's menu called ``title`` (without its "&")."""
    for act in window.menuBar().actions():
        if act.menu() is not None and act.text().replace("&", "") == title:
            return act.menu()
    return window.menuBar().addMenu(f"&{title}")


class Classroom(QObject):
    """The lesson, presentation mode, colours and remembered layout of ``window`` (a MainWindow:
    its ``settings``, ``tabs``, ``show_message`` and ``message_bar`` are used)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        settings = window.settings
        self.theme = Theme.shared(QApplication.instance(), settings.theme(), window)
        self.theme.changed.connect(self._on_theme_changed)
        self.presentation = Presentation(window, settings)
        self.layout_memory = LayoutMemory(window.tabs, settings, PageScroll.of(window), parent=self)
        self._lesson = None  # the LessonDirector, built when first asked for
        self._shortcuts_dialog = None

        self.lesson_action = QAction("&Lesson", window)
        self.lesson_action.setShortcut(QKeySequence("F1"))
        self.lesson_action.setStatusTip("A guided lesson: from one kernel to a CNN that learns digits")
        self.lesson_action.triggered.connect(self.start_lesson)
        window.addAction(self.lesson_action)
        self.shortcuts_action = QAction("&Keyboard Shortcuts", window)
        self.shortcuts_action.setStatusTip("Every key kernelplay answers to")
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.theme_actions: dict[str, QAction] = {}
        self._add_menu_items()
        self.layout_memory.restore()
        window.installEventFilter(self)
        if not settings.lesson_offered():
            QTimer.singleShot(0, self, self._offer_lesson)

    def _add_menu_items(self) -> None:
        window, presentation = self._window, self.presentation
        view = _menu(window, "View")
        view.addSeparator()
        for act in (presentation.toggle_action, presentation.larger_action, presentation.smaller_action,
                    presentation.normal_action):
            view.addAction(act)
        view.addSeparator()
        colours = view.addMenu("&Colours")
        group = QActionGroup(self)
        for name, text in THEME_NAMES.items():
            act = colours.addAction(text)
            act.setCheckable(True)
            act.setChecked(name == self.theme.choice())
            act.triggered.connect(lambda checked=False, n=name: self.set_theme(n))
            group.addAction(act)
            self.theme_actions[name] = act
        help_menu = _menu(window, "Help")
        first = help_menu.actions()[0] if help_menu.actions() else None
        help_menu.insertAction(first, self.lesson_action)
        help_menu.insertAction(first, self.shortcuts_action)
        if first is not None:
            help_menu.insertSeparator(first)

    # -- the lesson --------------------------------------------------------------------------
    def lesson(self):
        """The lesson's director (built, and its panel created, on first use)."""
        if self._lesson is None:
            from kernelplay.gui.lesson.director import LessonDirector

            self._lesson = LessonDirector(self._window)
        return self._lesson

    @Slot()
    def start_lesson(self) -> None:
        window = self._window
        window.settings.set_lesson_offered()
        if window.message_bar.text() == LESSON_OFFER:
            window.message_bar.show_message("")  # taken up: the offer goes
        self.lesson().start()

    def _offer_lesson(self) -> None:
        """On the first start: a line with a button to start the lesson, never a dialog in the way."""
        window = self._window
        if window.settings.lesson_offered() or not window.isVisible() or window.message_bar.text():
            return
        window.settings.set_lesson_offered()
        window.message_bar.show_message(LESSON_OFFER, "Start the lesson", self.start_lesson, OFFER_SECONDS)

    # -- keys, colours ---------------------------------------------------------------------------
    @Slot()
    def show_shortcuts(self) -> QWidget:
        from kernelplay.gui.shortcuts import ShortcutsDialog

        if self._shortcuts_dialog is not None:
            self._shortcuts_dialog.deleteLater()
        self._shortcuts_dialog = ShortcutsDialog(self._window)
        self._shortcuts_dialog.show()
        return self._shortcuts_dialog

    def set_theme(self, name: str) -> None:
        """Follow the desktop ("system"), or stay "light" or "dark"; remembered."""
        self._window.settings.set_theme(name)
        self.theme.set_choice(name)
        self.theme_actions[name].setChecked(True)

    @Slot(bool)
    def _on_theme_changed(self, dark: bool) -> None:
        apply_plot_theme(self._window)
        training = getattr(self._window, "_training", None)  # built: its maps and kernels in the new colours
        if training is not None:
            training.redraw()
        self.theme_actions[self.theme.choice()].setChecked(True)  # a choice made in another window

    # -- the window's life -----------------------------------------------------------------------
    def on_training_loaded(self, tab: QWidget) -> None:
        """The training tab, built after the window: its splitters, plot colours and text size, and
        its size kept out of the playground's where the pages scroll (window_fit.py)."""
        PageScroll.of(self._window).pages_added()
        self.layout_memory.restore_page(tab)
        if self.theme.wants_dark():
            apply_plot_theme(tab)
        self.presentation.refresh_plots()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            self.presentation.set_active(False)  # the window's saved geometry is the normal one
            self.layout_memory.save()
        return False
