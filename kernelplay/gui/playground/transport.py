"""Media-style buttons and the play timer shared by the step panel and the scan view."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QStyle, QToolButton, QWidget

PLAY_ICON = QStyle.StandardPixmap.SP_MediaPlay
PAUSE_ICON = QStyle.StandardPixmap.SP_MediaPause


def transport_button(owner: QWidget, label: str, icon: QStyle.StandardPixmap, tooltip: str,
                     slot: Callable[[], None]) -> QToolButton:
    """A text-and-icon button that never takes the keyboard focus (keys stay with ``owner``)."""
    button = QToolButton()
    button.setText(label)
    button.setIcon(owner.style().standardIcon(icon))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setToolTip(tooltip)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setMinimumHeight(30)
    button.clicked.connect(slot)
    return button


def words_extra(button: QToolButton) -> int:
    """What QToolButton adds for words beside its icon: 4 px, the text, a space either side."""
    metrics = button.fontMetrics()
    return 4 + metrics.size(Qt.TextFlag.TextShowMnemonic, button.text()).width() + 2 * metrics.horizontalAdvance(" ")


def words_width(row, buttons) -> int:
    """The width ``row`` (a widget or a layout) asks for with its ``buttons`` showing their words,
    whatever they show now (computed, never by switching them: that would resize their parents)."""
    folded = [b for b in buttons if b.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly]
    return row.sizeHint().width() + sum(words_extra(button) for button in folded)


def show_playing(button: QToolButton, playing: bool) -> None:
    """Make a play button read "Pause" while playing and "Play" otherwise."""
    button.setText("Pause" if playing else "Play")
    button.setIcon(button.style().standardIcon(PAUSE_ICON if playing else PLAY_ICON))


class PlayTimer(QObject):
    """Calls ``on_tick`` every ``interval_ms`` while playing; ``playing_changed`` on start and stop."""

    playing_changed = Signal(bool)

    def __init__(self, on_tick: Callable[[], None], interval_ms: int, parent: QObject) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(on_tick)

    def is_playing(self) -> bool:
        return self._timer.isActive()

    def set_interval(self, milliseconds: int) -> None:
        self._timer.setInterval(milliseconds)

    def start(self) -> None:
        if not self._timer.isActive():
            self._timer.start()
            self.playing_changed.emit(True)

    def stop(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.playing_changed.emit(False)


class Playback:
    """Pause, toggle and ask, for a widget that plays through steps with a :class:`PlayTimer` in
    ``self._player`` and knows in its own ``play()`` where playing starts."""

    _player: PlayTimer

    def play(self) -> None:  # pragma: no cover - each widget has its own
        raise NotImplementedError

    def is_playing(self) -> bool:
        return self._player.is_playing()

    @Slot()
    def pause(self) -> None:
        self._player.stop()

    @Slot()
    def toggle_play(self) -> None:
        if self.is_playing():
            self.pause()
        else:
            self.play()

    def handle_step_key(self, event: QKeyEvent) -> bool:
        """The keys that step through a sum, for a widget with ``step_forward``, ``step_back``,
        ``reset_steps`` and ``show_all``: Shift+→ or ``.`` next term, Shift+← or ``,`` back, Space
        play, Home the start, End the whole sum. True when ``event`` was one of them."""
        key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if (key == Qt.Key.Key_Right and shift) or key in (Qt.Key.Key_Period, Qt.Key.Key_Greater):
            self.step_forward()
        elif (key == Qt.Key.Key_Left and shift) or key in (Qt.Key.Key_Comma, Qt.Key.Key_Less):
            self.step_back()
        elif key == Qt.Key.Key_Space:
            self.toggle_play()
        elif key == Qt.Key.Key_Home:
            self.reset_steps()
        elif key == Qt.Key.Key_End:
            self.show_all()
        else:
            return False
        return True


class StepPlayback(Playback):
    """Stepping through an explanation, for a widget with ``self._explanation`` (None: nothing to
    step), ``self._current`` (the last step done, -1 before the first), :meth:`last_step` and
    ``_set_current(index)``: back, forward, all, reset, a chosen step and play, each within
    ``[-1, last_step()]``. Play starts again from the beginning when fewer than
    :attr:`replay_margin` + 1 steps are left."""

    _explanation: object
    _current: int
    replay_margin = 0

    def last_step(self) -> int:  # pragma: no cover - each widget has its own
        raise NotImplementedError

    def _set_current(self, index: int) -> None:  # pragma: no cover - each widget has its own
        raise NotImplementedError

    @Slot()
    def step_forward(self) -> None:
        self.pause()
        self._advance()

    @Slot()
    def step_back(self) -> None:
        self.pause()
        if self._explanation is not None:
            self._set_current(max(-1, min(self._current, self.last_step()) - 1))

    @Slot()
    def show_all(self) -> None:
        self.pause()
        self._set_current(self.last_step() if self._explanation is not None else -1)

    @Slot()
    def reset_steps(self) -> None:
        self.pause()
        self._set_current(-1)

    @Slot(int)
    def go_to_step(self, index: int) -> None:
        """Make step ``index`` the last one done."""
        self.pause()
        if self._explanation is not None:
            self._set_current(max(-1, min(int(index), self.last_step())))

    @Slot()
    def play(self) -> None:
        if self._explanation is None or self.is_playing():
            return
        if self._current >= self.last_step() - self.replay_margin:
            self._set_current(-1)  # from the start again
        self._player.start()

    @Slot()
    def _on_timer_ticked(self) -> None:
        self._advance()
        if self._current >= self.last_step():
            self.pause()

    def _advance(self) -> None:
        if self._explanation is not None:
            self._set_current(min(self._current + 1, self.last_step()))

    def hideEvent(self, event) -> None:
        self.pause()  # nobody is watching: don't keep a timer running
        super().hideEvent(event)
