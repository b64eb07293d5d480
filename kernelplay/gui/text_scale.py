"""Sizes that follow the text: the views were drawn for a 12 px font, and their painted numbers,
style sheets' font sizes and fixed widths scale with the font in use — the system's, or the larger
one of presentation mode (``presentation.py`` sets the application font and calls
:func:`restyle_all`).
"""
from __future__ import annotations

import re

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["DESIGN_FONT_PX", "keep_fitted_width", "px", "reach_styled_widgets", "restyle_all", "scaled_font", "scaled_sheet",
           "set_sheet", "text_scale", "widgets_under"]

DESIGN_FONT_PX = 12  # the pixel size of the font every hard-coded size was chosen for (9 pt at 96 dpi)
SHEET_PROPERTY = "kernelplay_sheet"  # a widget's style sheet as written, before its font sizes are scaled
_FONT_SIZE = re.compile(r"font-size:\s*(\d+(?:\.\d+)?)px")


def text_scale(widget: QWidget | None = None) -> float:
    """How much larger than :data:`DESIGN_FONT_PX` the text of ``widget`` (else the application's) is."""
    font = widget.font() if widget is not None else QApplication.font()
    return max(QFontInfo(font).pixelSize(), 1) / DESIGN_FONT_PX


def px(size: float, widget: QWidget | None = None) -> int:
    """``size`` pixels, as drawn for the design font, at the font of ``widget`` (else the application's)."""
    return max(1, round(size * text_scale(widget)))


def scaled_font(size: float, widget: QWidget) -> QFont:
    """``widget``'s font at ``size`` pixels as drawn for the design font, scaled with its text (what
    a painted label uses, so that presentation mode enlarges it too)."""
    font = QFont(widget.font())
    font.setPixelSize(px(size, widget))
    return font


def scaled_sheet(sheet: str, scale: float | None = None) -> str:
    """``sheet`` with each ``font-size: Npx`` multiplied by ``scale`` (default: the application's)."""
    scale = text_scale() if scale is None else scale
    return _FONT_SIZE.sub(lambda match: f"font-size: {max(1, round(float(match[1]) * scale))}px", sheet)


def set_sheet(widget: QWidget, sheet: str) -> None:
    """Give ``widget`` the style ``sheet`` with its font sizes scaled (only on a change: re-polishing
    costs ~0.5 ms); :func:`restyle_all` scales it again when the application font changes."""
    widget.setProperty(SHEET_PROPERTY, sheet)
    scaled = scaled_sheet(sheet)
    if widget.styleSheet() != scaled:
        widget.setStyleSheet(scaled)


def widgets_under(roots) -> list[QWidget]:
    """Each live widget of ``roots`` (top-level windows) and every widget inside them.

    The walk starts from windows the caller holds, never from ``QApplication.allWidgets()``: after
    many windows have come and gone (a test run), that list handed PySide a widget already freed,
    and wrapping it crashed the process (seen in 3 runs of 5 of the GUI tests)."""
    found: list[QWidget] = []
    for root in roots:
        if root is not None and shiboken6.isValid(root):
            found.append(root)
            found += root.findChildren(QWidget)
    return found


def restyle_all(roots, force: bool = False) -> None:
    """Scale every style sheet given through :func:`set_sheet` in ``roots`` (windows, and all
    inside them) to the application font now in use; with ``force``, polish each again even when
    unchanged (its ``palette(...)`` colours follow a new palette then)."""
    scale = text_scale()
    for widget in widgets_under(roots):
        sheet = widget.property(SHEET_PROPERTY)
        if sheet:
            scaled = scaled_sheet(sheet, scale)
            if force or widget.styleSheet() != scaled:
                widget.setStyleSheet("" if force else scaled)
                widget.setStyleSheet(scaled)


def reach_styled_widgets(roots, change: QEvent.Type) -> None:
    """Hand a new application font or palette (``change``: ``ApplicationFontChange`` or
    ``ApplicationPaletteChange``) to the widgets of ``roots`` that Qt leaves out.

    Qt tells each window, which passes the change down, but not into a widget polished by a style
    sheet (``WA_StyleSheet``) nor anything under it; and Qt marks so not only the widgets given a
    sheet but some of their parents (a ``QTabBar`` with a sheet marks its parent: the training
    tab's page tabs mark the container of both its pages, which kept the light palette and the
    100 % font). Each such widget is told itself, as a window is, and passes the change on.
    """
    event = QEvent(change)
    for widget in widgets_under(roots):
        if shiboken6.isValid(widget) and widget.testAttribute(Qt.WidgetAttribute.WA_StyleSheet) and not widget.isWindow():
            QApplication.sendEvent(widget, event)


class _FittedWidth(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self._widget = widget
        widget.installEventFilter(self)
        self.fit()

    def fit(self) -> None:
        self._widget.setMinimumWidth(0)
        self._widget.setMaximumWidth(16777215)
        self._widget.setFixedWidth(self._widget.minimumSizeHint().width())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FontChange:
            QTimer.singleShot(0, self, self.fit)  # once its children have the new font too
        return False


def keep_fitted_width(widget: QWidget) -> None:
    """Fix ``widget``'s width to what its contents need, now and whenever its font changes."""
    _FittedWidth(widget)
