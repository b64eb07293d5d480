"""The mouse wheel on a page that scrolls: it scrolls the page, not the number or the choice under
the pointer. In presentation mode and on a small screen (window_fit.py) the pages grow down and
scroll; a user turning the wheel down the CNN tab would otherwise stop on the first spin box or
combo box under the pointer and change it (the learning rate, the batch size) without seeing it.
There a spin box or combo box takes the wheel only once it has the keyboard focus (a click or Tab
gives it); elsewhere Qt's usual way holds (the wheel changes the value under the pointer)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

__all__ = ["WheelGuard"]

_POLICY = "kernelplay_focus_policy"  # a guarded control's own focus policy, given back after


class WheelGuard(QObject):
    """Keeps the wheel from the unfocused spin boxes and combo boxes of the widgets it :meth:`guard` s."""

    def guard(self, root: QWidget) -> None:
        """Guard every spin box and combo box under ``root`` (again: those added since)."""
        for control in self._controls(root):
            if control.property(_POLICY) is None:
                control.setProperty(_POLICY, int(control.focusPolicy().value))
                # no focus by the wheel: Qt gives it before any filter sees the event
                control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
                control.installEventFilter(self)

    def release(self, root: QWidget) -> None:
        """Give the controls under ``root`` their own focus policy and the wheel back."""
        for control in self._controls(root):
            if control.property(_POLICY) is not None:
                control.setFocusPolicy(Qt.FocusPolicy(control.property(_POLICY)))
                control.setProperty(_POLICY, None)
                control.removeEventFilter(self)

    @staticmethod
    def _controls(root: QWidget) -> list[QWidget]:
        return root.findChildren(QAbstractSpinBox) + root.findChildren(QComboBox)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and not watched.hasFocus():
            event.ignore()  # unaccepted, Qt hands it to the parents: the scroll area scrolls
            return True
        return False
