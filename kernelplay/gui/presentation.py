"""View ▸ Presentation Mode (F11): the window full screen and the whole UI's text — labels, menus,
painted numbers, plot axes — at a remembered size between 100 and 250 %, for the back row of a
lecture hall.

The size is the application font's (``QApplication.setFont``): widgets follow it by themselves,
painted views size their text from their font (``text_scale.py``), style sheets are scaled again
(``restyle_all``) and the pyqtgraph views get scaled fonts here. A page larger than the screen at
that size scrolls. In presentation mode Ctrl+= / Ctrl+− / Ctrl+0 size the text (as in a browser);
outside it they keep zooming the playground's images.
"""
from __future__ import annotations

import math
import sys

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from kernelplay.gui.settings import SCALE_RANGE, AppSettings
from kernelplay.gui.text_scale import reach_styled_widgets, restyle_all
from kernelplay.gui.window_fit import SETTLE_MS, PageScroll

__all__ = ["Presentation", "SCALE_STEP", "TEXT_SIZE_DATA", "TEXT_SIZE_KEYS", "TITLE_POINTS", "apply_plot_fonts",
           "font_scale", "set_plot_title", "title_font"]

SCALE_STEP = 25  # percent per Ctrl+= or Ctrl+−
TITLE_POINTS = 9  # the plots' titles at 100 %
_TITLE_ROW_PX = 30  # pyqtgraph's row for a plot's title, at 100 %
TEXT_SIZE_KEYS = {"larger": ("Ctrl+=", "Ctrl++"), "smaller": ("Ctrl+-",), "normal": ("Ctrl+0",)}
TEXT_SIZE_DATA = "text-size"
_BASE_FONT = "kernelplay_base_font"  # the application font before any scaling (a QApplication property)
PRESENTATION = "presentation"  # presentation mode's reason to hold the pages' scroll area


def _base_font() -> QFont:
    """The application font at 100 %, kept on the application the first time it is scaled."""
    app = QApplication.instance()
    base = app.property(_BASE_FONT)
    if not isinstance(base, QFont):
        base = QFont(app.font())
        app.setProperty(_BASE_FONT, base)
    return QFont(base)


def font_scale() -> float:
    """How much larger the application font is than at 100 %: presentation mode's size, else 1."""
    app = QApplication.instance()
    base = app.property(_BASE_FONT) if app is not None else None
    if not isinstance(base, QFont):
        return 1.0  # never scaled
    font = QApplication.font()
    if base.pointSizeF() > 0 and font.pointSizeF() > 0:
        return font.pointSizeF() / base.pointSizeF()
    return max(font.pixelSize(), 1) / max(base.pixelSize(), 1)


def set_plot_title(item, text: str, points: float = TITLE_POINTS) -> None:
    """Give a pyqtgraph title — a ``LabelItem``, or a ``PlotItem``'s own — ``text`` at ``points``
    (its size at 100 %) times the present text size; :func:`apply_plot_fonts` scales it from
    ``points`` again when the size changes. A title made or re-set in presentation mode is as large
    as the rest of the text, not 9 pt."""
    label = getattr(item, "titleLabel", item)
    label._kp_size = f"{points:g}pt"
    size = f"{points * font_scale():g}pt"
    if label is item:
        label.setText(text, size=size)
    else:
        item.setTitle(text, size=size)
        _fit_title_row(item, font_scale())


def _fit_title_row(plot, scale: float) -> None:
    """A PlotItem's title row as tall as its title (pyqtgraph fixes it at 30 px: one line at 100 %)."""
    height = max(round(_TITLE_ROW_PX * scale), math.ceil(plot.titleLabel.item.boundingRect().height()))
    plot.titleLabel.setMaximumHeight(height)
    plot.layout.setRowFixedHeight(0, height)


def title_font(font: QFont, points: float = TITLE_POINTS) -> QFont:
    """``font`` at the size :func:`set_plot_title` gives a title (to measure one before it is set)."""
    font = QFont(font)
    font.setPointSizeF(points * font_scale())
    return font


def scaled_font(font: QFont, scale: float) -> QFont:
    """``font`` ``scale`` times as large (whether it is sized in points or in pixels)."""
    font = QFont(font)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    else:
        font.setPixelSize(max(1, round(font.pixelSize() * scale)))
    return font


def apply_plot_fonts(root: QWidget, scale: float) -> None:
    """Axis ticks, axis labels and titles of every pyqtgraph view under ``root`` at ``scale`` times
    their own size (their first size is kept on each item, so scaling twice does not compound)."""
    pg = sys.modules.get("pyqtgraph")
    if pg is None:
        return
    base_app = _base_font()
    for view in root.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                if not hasattr(item, "_kp_fonts"):
                    tick = item.style["tickFont"]
                    item._kp_fonts = (QFont(tick) if tick is not None else None, QFont(item.label.font()))
                tick, label = item._kp_fonts
                if tick is None and scale == 1:
                    item.setStyle(tickFont=None)
                else:
                    item.setStyle(tickFont=scaled_font(tick if tick is not None else base_app, scale))
                item.label.setFont(scaled_font(label, scale))
            elif isinstance(item, pg.LabelItem) and item.text:
                if not hasattr(item, "_kp_size"):
                    item._kp_size = str(item.opts.get("size") or "")
                size = item._kp_size
                if size.endswith("pt"):
                    item.setText(item.text, size=f"{float(size[:-2]) * scale:g}pt")
                    plot = item.parentItem()
                    if isinstance(plot, pg.PlotItem) and plot.titleLabel is item and item.isVisible():
                        _fit_title_row(plot, scale)


class Presentation(QObject):
    """Presentation mode of ``window`` (its actions: ``toggle_action``, ``larger_action``,
    ``smaller_action``, ``normal_action``; the size is remembered in ``settings``).
    ``active_changed(bool)`` and ``scale_changed(percent)`` follow each change."""

    active_changed = Signal(bool)
    scale_changed = Signal(int)

    def __init__(self, window: QMainWindow, settings: AppSettings) -> None:
        super().__init__(window)
        self._window, self._settings = window, settings
        self._active = False
        self._normal_geometry = None
        # leaving, the window is restored once more when the layouts have settled: the first time some
        # sizes still follow the large text and hold the window taller (1024×739 for 1024×700)
        self._restore_again = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._restore_again.timeout.connect(self._restore_normal_geometry)
        self._pages = PageScroll.of(window)
        self._swapped: list[tuple[QAction, list[QKeySequence]]] = []

        def action(text: str, tip: str, slot) -> QAction:
            act = QAction(text, window)
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            window.addAction(act)  # its keys work with the menus closed (and hidden, full screen)
            return act

        self.toggle_action = action("&Presentation Mode", "Full screen, with all text larger (F11 leaves it)",
                                    self._on_toggled)
        self.toggle_action.setCheckable(True)
        self.toggle_action.setShortcut(QKeySequence("F11"))
        self.larger_action = action("&Larger Text", "Presentation mode: all text one step larger",
                                    lambda: self.set_scale(self.scale() + SCALE_STEP))
        self.smaller_action = action("&Smaller Text", "Presentation mode: all text one step smaller",
                                     lambda: self.set_scale(self.scale() - SCALE_STEP))
        self.normal_action = action("Text at &100 %", "Presentation mode: text at its usual size",
                                    lambda: self.set_scale(100))
        self._text_actions = {"larger": self.larger_action, "smaller": self.smaller_action,
                              "normal": self.normal_action}
        for act in self._text_actions.values():
            act.setData(TEXT_SIZE_DATA)  # the shortcuts table lists their keys once, with a note
        self._sync_actions()

    # -- state -------------------------------------------------------------------------------
    def is_active(self) -> bool:
        return self._active

    def scale(self) -> int:
        """The presentation text size in percent (remembered; applied while the mode is on)."""
        return self._settings.presentation_scale()

    def set_scale(self, percent: int) -> None:
        percent = int(min(max(percent, SCALE_RANGE[0]), SCALE_RANGE[1]))
        self._settings.set_presentation_scale(percent)
        if self._active:
            self._apply(percent)
        self._sync_actions()
        self.scale_changed.emit(percent)

    @Slot(bool)
    def _on_toggled(self, checked: bool) -> None:
        self.set_active(checked)

    def set_active(self, active: bool) -> None:
        """Enter (full screen, text at :meth:`scale`) or leave (as it was before) presentation mode."""
        if active == self._active:
            self.toggle_action.setChecked(active)
            return
        self._active = active
        window = self._window
        if active:
            self._normal_geometry = window.saveGeometry()
            window.statusBar().hide()  # the hovered pixel's line is for the one at the mouse, not the room
            self._pages.hold(PRESENTATION)  # at 200 % on a projector the pages may be larger than the screen
            self._swap_zoom_keys()
            self._apply(self.scale())
            window.showFullScreen()
        else:
            self._apply(100)
            self._swap_zoom_keys()
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)
            self._restore_normal_geometry()
            self._pages.hold(PRESENTATION, False)  # kept while the screen is too small for them (window_fit.py)
            window.statusBar().show()
            self._restore_again.start()
        self._sync_actions()
        self.active_changed.emit(active)

    @Slot()
    def _restore_normal_geometry(self) -> None:
        """The window's size and place from before presentation mode (unless it is active again)."""
        if not self._active and self._normal_geometry is not None:
            self._window.restoreGeometry(self._normal_geometry)

    def refresh_plots(self) -> None:
        """Scale the fonts of pyqtgraph views built since (the training tab comes after the window)."""
        if self._active:
            apply_plot_fonts(self._window, self.scale() / 100)

    # -- doing it ----------------------------------------------------------------------------
    def _apply(self, percent: int) -> None:
        font = scaled_font(_base_font(), percent / 100)
        if font != QApplication.font():
            QApplication.setFont(font)
            reach_styled_widgets([self._window], QEvent.Type.ApplicationFontChange)
            restyle_all([self._window])
        apply_plot_fonts(self._window, percent / 100)

    def _sync_actions(self) -> None:
        self.toggle_action.setChecked(self._active)
        scale = self.scale()
        self.larger_action.setEnabled(self._active and scale < SCALE_RANGE[1])
        self.smaller_action.setEnabled(self._active and scale > SCALE_RANGE[0])
        self.normal_action.setEnabled(self._active and scale != 100)
        for name, act in self._text_actions.items():
            act.setShortcuts([QKeySequence(key) for key in TEXT_SIZE_KEYS[name]] if self._active else [])

    def _swap_zoom_keys(self) -> None:
        """Hand the image-zoom actions' keys (Ctrl+=, Ctrl+−, Ctrl+0) to the text size, or back."""
        if self._swapped:
            for act, keys in self._swapped:
                act.setShortcuts(keys)
            self._swapped = []
            return
        taken = {QKeySequence(key).toString() for keys in TEXT_SIZE_KEYS.values() for key in keys}
        for act in self._window.findChildren(QAction):
            if act not in self._text_actions.values() and any(k.toString() in taken for k in act.shortcuts()):
                self._swapped.append((act, act.shortcuts()))
                act.setShortcuts([])
