"""Light and dark: the app follows the desktop's colour scheme (Qt ≥ 6.5 reports it) unless the user
chose one in View ▸ Colours.

Dark is a palette of our own on the Fusion style, the same on every platform (native styles such
as Windows' ignore a palette). Painted views read their colours from the palette when they paint
(:func:`is_dark` picks the diverging map's variant); the pyqtgraph views, which keep their own
background and axis colours, are recoloured by :func:`apply_plot_theme`; style sheets that name
palette roles are re-polished.
"""
from __future__ import annotations

import sys

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from kernelplay.gui.settings import THEMES
from kernelplay.gui.text_scale import reach_styled_widgets, restyle_all

__all__ = ["INK_KINDS", "THEME_NAMES", "Theme", "apply_plot_theme", "blend", "contrast_ratio", "dark_palette",
           "ink", "is_dark", "keep_ink", "readable_ink"]

THEME_NAMES = {"system": "Follow the &System", "light": "&Light", "dark": "&Dark"}
_DARK = {  # role → colour; disabled text is dimmer (set below)
    QPalette.ColorRole.Window: "#2b2b2e",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1f1f22",
    QPalette.ColorRole.AlternateBase: "#353539",
    QPalette.ColorRole.ToolTipBase: "#3a3a3e",
    QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.PlaceholderText: "#9a9a9a",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#3a3a3e",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Light: "#4a4a4f",
    QPalette.ColorRole.Midlight: "#3f3f44",
    QPalette.ColorRole.Mid: "#5a5a60",
    QPalette.ColorRole.Dark: "#1a1a1c",
    QPalette.ColorRole.Shadow: "#0d0d0e",
    QPalette.ColorRole.Highlight: "#3d7bd9",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#7db4ff",
    QPalette.ColorRole.LinkVisited: "#c09cff",
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7c7c80"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, QColor("#2b2b2e"))
    return palette


def is_dark(widget: QWidget | None = None) -> bool:
    """True when ``widget`` (else the application) is drawn on a dark background."""
    palette = widget.palette() if widget is not None else QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def blend(a: QColor, b: QColor, share: float) -> QColor:
    """``share`` of the way from ``a`` to ``b`` (0: ``a``, 1: ``b``), channel by channel."""
    return QColor(*(round(x + (y - x) * share) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3])))


def _luminance(colour: QColor) -> float:
    """WCAG 2's relative luminance: 0 for black, 1 for white."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in colour.getRgbF()[:3]]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2's contrast ratio of two colours, from 1 (the same) to 21 (black on white); body
    text wants at least 4.5."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable_ink(fill: QColor) -> QColor:
    """Black or white, whichever reads better on ``fill``: never below 4.5:1 (the worst fill, a
    mid red or grey, gives 4.6:1 either way)."""
    black, white = QColor("black"), QColor("white")
    return black if contrast_ratio(fill, black) >= contrast_ratio(fill, white) else white


# Text that says something by its colour: a caption's mid-tone, an error's red, a done note's green,
# the orange of a past step, the faint grey of what is not in force yet (the terms still to come). The light colours are those the views were drawn with; the dark ones
# their counterparts. :func:`ink` darkens or lightens either further where a palette's ground
# would leave it under MIN_CONTRAST.
INK_KINDS = {  # kind → (on a light ground, on a dark one)
    "muted": ("#555555", "#a9a9ae"),
    "error": ("#b3261e", "#ff8a80"),
    "good": ("#2f4f2f", "#9fd4a6"),
    "past": ("#9c5000", "#f0a454"),
    "faded": ("#6a6a6a", "#949494"),  # as faint as body text may be: 4.6-4.7:1 on Window, well under Text's 11-18:1
}
MIN_CONTRAST = 4.5  # WCAG's for body text


def ink(kind: str, ground: QColor) -> QColor:
    """The colour of ``kind`` text (a key of :data:`INK_KINDS`) on ``ground``: its light or dark
    variant, moved towards black or white until it reads at :data:`MIN_CONTRAST` or better."""
    colour = QColor(INK_KINDS[kind][ground.lightness() < 128])
    extreme = readable_ink(ground)
    share = 0.0
    while contrast_ratio(blend(colour, extreme, share), ground) < MIN_CONTRAST and share < 1:
        share += 0.05
    return blend(colour, extreme, min(share, 1.0))


_INK_ROLES = (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText)


class _Ink(QObject):
    """Keeps a widget's text roles at :func:`ink` of its kind on the ground it now has, through
    every change of palette (a theme chosen, the desktop's scheme)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.kind: str | None = None
        self.ground = QPalette.ColorRole.Window
        self._widget = widget
        widget.installEventFilter(self)

    def apply(self) -> None:
        widget = self._widget
        if self.kind is None:
            if widget.testAttribute(Qt.WidgetAttribute.WA_SetPalette):
                widget.setPalette(QPalette())  # inherit every role again (the keeper owns the widget's palette)
            return
        colour = ink(self.kind, widget.palette().color(self.ground))
        if any(widget.palette().color(role) != colour for role in _INK_ROLES):
            palette = QPalette(widget.palette())
            for role in _INK_ROLES:
                palette.setColor(role, colour)
            widget.setPalette(palette)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.apply()  # a no-op when the colours are already right: no loop
        return False


def keep_ink(widget: QWidget, kind: str | None, ground: QPalette.ColorRole = QPalette.ColorRole.Window) -> None:
    """Draw ``widget``'s text in the ``kind`` of :data:`INK_KINDS` (None: the palette's own text)
    against its ``ground`` role (Window for a label, Base for a text field), now and after any
    change of palette: a colour written in a style sheet stays the light theme's in the dark."""
    keeper = widget.findChild(_Ink, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if keeper is None:
        if kind is None:
            return
        keeper = _Ink(widget)
    keeper.kind, keeper.ground = kind, ground
    keeper.apply()


def apply_plot_theme(root: QWidget) -> None:
    """Give every pyqtgraph view under ``root`` the background, axis and title colours of the
    palette: dark ones on a dark palette, pyqtgraph's own on white on a light one (nothing when
    pyqtgraph is not loaded yet)."""
    pg = sys.modules.get("pyqtgraph")
    if pg is None:
        return
    dark = is_dark()  # the application's: a widget's own palette follows it only a moment later
    background = QApplication.palette().color(QPalette.ColorRole.Base) if dark else QColor("white")
    ink, axis = (QColor("#c8c8c8"), QColor("#8a8a8a")) if dark else (None, None)  # None: pyqtgraph's grey
    for view in root.findChildren(pg.GraphicsView):
        view.setBackground(background)
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                item.setPen(*(() if axis is None else (axis,)))
                item.setTextPen(*(() if ink is None else (ink,)))
            elif isinstance(item, pg.LabelItem) and item.text:
                item.setText(item.text, color=ink)


class Theme(QObject):
    """Applies the chosen theme — "system", "light" or "dark" — to the application and follows the
    desktop's colour scheme while the choice is "system". ``changed(dark)`` follows every change of
    the palette it makes. One per application (:meth:`shared`): the palette is the application's."""

    changed = Signal(bool)

    @classmethod
    def shared(cls, app: QApplication, choice: str, window: QWidget | None = None) -> "Theme":
        """The application's theme, made on first use; a later window's ``choice`` (read from the
        same settings) is applied again. ``window``: a top-level window whose style-sheeted widgets
        a change of palette must reach (Qt does not pass it to them)."""
        theme = app.findChild(cls)
        if theme is None:
            theme = cls(app, choice, parent=app)
        elif choice != theme.choice():
            theme.set_choice(choice)
        if window is not None:
            theme._windows.append(window)
            if is_dark():  # the palette was set before this window's widgets were there
                theme._reach([window])
        return theme

    def __init__(self, app: QApplication, choice: str = "system", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._choice = "system"
        self._start_palette = QPalette(app.palette())  # the desktop's palette when the app started
        self._start_style = app.style().name()
        self._windows: list[QWidget] = []  # what a change of palette walks (see :meth:`shared`)
        app.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        if choice not in THEMES:
            raise ValueError(f"the theme is one of {', '.join(THEMES)}, not {choice!r}")
        self._choice = choice
        if choice != "system":
            self.set_choice(choice)
        else:
            self._apply()  # a dark desktop: our dark palette (nothing to do on a light one)

    def choice(self) -> str:
        return self._choice

    def set_choice(self, choice: str) -> None:
        if choice not in THEMES:
            raise ValueError(f"the theme is one of {', '.join(THEMES)}, not {choice!r}")
        self._choice = choice
        hints = self._app.styleHints()
        if hasattr(hints, "setColorScheme"):  # Qt ≥ 6.8: native dialogs and title bars follow too
            hints.setColorScheme({"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(
                choice, Qt.ColorScheme.Unknown))
        self._apply()

    def wants_dark(self) -> bool:
        if self._choice == "system":
            return self.system_scheme() == Qt.ColorScheme.Dark
        return self._choice == "dark"

    def system_scheme(self) -> Qt.ColorScheme:
        """The desktop's colour scheme, as Qt reports it (Unknown where it cannot tell)."""
        return self._app.styleHints().colorScheme()

    @Slot(Qt.ColorScheme)
    def _on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self._choice == "system":
            self._apply()

    def _apply(self) -> None:
        dark = self.wants_dark()
        if dark:
            self._set_style("fusion")
            palette = dark_palette()
        else:
            self._set_style(self._start_style)
            start_is_dark = self._start_palette.color(QPalette.ColorRole.Window).lightness() < 128
            palette = self._app.style().standardPalette() if start_is_dark else self._start_palette
        if palette == self._app.palette() and dark == is_dark():
            return  # as it is (a light desktop at start-up costs nothing)
        self._app.setPalette(palette)
        self._windows = [window for window in self._windows if shiboken6.isValid(window)]
        self._reach(self._windows)
        self.changed.emit(dark)

    @staticmethod
    def _reach(windows: list[QWidget]) -> None:
        """Tell the style-sheeted widgets of ``windows`` the palette changed (Qt does not)."""
        reach_styled_widgets(windows, QEvent.Type.ApplicationPaletteChange)
        restyle_all(windows, force=True)  # style sheets that name palette roles take the new colours

    def _set_style(self, name: str) -> None:
        if self._app.style().name().lower() != name.lower() and name.lower() in (
                key.lower() for key in QStyleFactory.keys()):
            self._app.setStyle(name)
