"""The mouse wheel on a page that scrolls: it scrolls the page, not the number, the choice or the
weight under the pointer. In presentation mode and on a small screen (window_fit.py) the pages grow
down and scroll; a user turning the wheel down the CNN tab would otherwise stop on the first spin
box or combo box under the pointer and change it (the learning rate, the batch size), on the
timeline and go back through the run, or on a kernel cell and change the kernel, without seeing it.
There such a control takes the wheel only once it has the keyboard focus (a click or Tab gives it);
elsewhere Qt's usual way holds (the wheel changes the value under the pointer).

The guard looks at each turn of the wheel as it reaches the window, before Qt hands it to the
widget under the pointer (and gives that widget the focus, for a spin box): so it covers controls
made at any time, such as the cells a 5×5 kernel makes, and changes nothing on the controls.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QScrollArea, QSlider, QWidget

__all__ = ["WHEEL_CONTROLS", "WheelGuard"]

# what takes the wheel to change a value (a kernel cell is a line edit the wheel nudges); not
# QScrollBar, whose wheel scrolls what it belongs to
WHEEL_CONTROLS = (QAbstractSpinBox, QComboBox, QLineEdit, QSlider)


class WheelGuard(QObject):
    """While it :meth:`guard` s a scroll area of ``window`` (``window``'s page), a wheel turned over a
    control of :data:`WHEEL_CONTROLS` in it without the keyboard focus goes past the control to what
    scrolls around it."""

    def __init__(self, window: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self._area: QScrollArea | None = None

    def guard(self, area: QScrollArea) -> None:
        self._area = area
        if self._window.windowHandle() is None:
            self._window.winId()  # its native window made now, not when shown: the wheel comes to it
        handle = self._window.windowHandle()
        handle.removeEventFilter(self)  # (once only)
        handle.installEventFilter(self)

    def release(self) -> None:
        """Qt's way again: the wheel goes to the control under the pointer."""
        self._area = None
        if self._window.windowHandle() is not None:
            self._window.windowHandle().removeEventFilter(self)

    def _unfocused_control_at(self, position: QPointF) -> QWidget | None:
        """The control at ``position`` (in the window) in the guarded page, if it has not the focus:
        the outermost, a spin box rather than the line edit inside it."""
        page = self._area.widget()
        widget, control = self._window.childAt(position.toPoint()), None
        while widget is not None and widget is not page:
            if isinstance(widget, WHEEL_CONTROLS):
                control = widget
            widget = widget.parentWidget()
        return control if widget is page and control is not None and not control.hasFocus() else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or self._area is None or QApplication.activePopupWidget() is not None:
            return False  # (an open list takes the wheel, as ever)
        control = self._unfocused_control_at(event.position())
        if control is None:
            return False
        self._pass_to_parents(control, event)
        return True

    def _pass_to_parents(self, control: QWidget, event: QWheelEvent) -> None:
        """``event`` to ``control``'s parents, the nearest first, until one takes it: as Qt passes
        on a wheel a widget ignores (a column that scrolls on its own inside the page, then the page)."""
        widget = control.parentWidget()
        while widget is not None:
            at = QPointF(widget.mapFrom(self._window, event.position().toPoint()))
            turned = QWheelEvent(at, event.globalPosition(), event.pixelDelta(), event.angleDelta(), event.buttons(),
                                 event.modifiers(), event.phase(), event.inverted(), event.source(),
                                 event.pointingDevice())
            if QCoreApplication.sendEvent(widget, turned) and turned.isAccepted():
                return
            if widget.isWindow() or widget.testAttribute(Qt.WidgetAttribute.WA_NoMousePropagation):
                return
            widget = widget.parentWidget()
