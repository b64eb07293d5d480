"""The sliding window: a small image scanned position by position, the output filling in.

:class:`ScanView` holds the controls and the painter (:class:`ScanCanvas`) over a
:class:`~kernelplay.imaging.scan_state.ScanState`, which holds the settings and runs the scan; at
every position the :class:`StepPanel` below shows the explanation the state computed. While the
view is hidden, settings changes are only recorded: the scan is worked out and drawn when shown.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QHideEvent, QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kernelplay.gui.playground.scan_canvas import ScanCanvas
from kernelplay.gui.playground.step_panel import StepPanel
from kernelplay.gui.playground.step_stages import restyle, style_caption
from kernelplay.gui.playground.transport import (
    Playback,
    PlayTimer,
    show_playing,
    transport_button,
    words_extra,
    words_width,
)
from kernelplay.imaging.scan_state import SCAN_STRIDES, ScanState

SPEED_RANGE = (1, 60)  # positions per second
DEFAULT_SPEED = 8


class ScanView(Playback, QWidget):
    """Slide the kernel's window across a small image in reading order and watch the output fill.

    :meth:`configure` changes the settings; a real change restarts the scan. ``position_changed(row,
    col)`` gives the window's centre in input coordinates whenever it moves (−1, −1 after a restart).
    """

    position_changed = Signal(int, int)
    playing_changed = Signal(bool)
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = ScanState()
        self._drawn_revision = -1  # the state's revision the canvas and the formula show

        self._player = PlayTimer(self._on_timer_ticked, 1000 // DEFAULT_SPEED, self)
        self._player.playing_changed.connect(self._sync_play_button)
        self._player.playing_changed.connect(self.playing_changed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.canvas = ScanCanvas()
        self.canvas.cell_clicked.connect(self._on_cell_clicked)
        self.canvas.setAccessibleName("Input with the sliding window, and the output filling in")
        self.step_panel = StepPanel()
        self._buttons: dict[str, QToolButton] = {}
        self._speed = QSlider(Qt.Orientation.Horizontal)
        self._speed_label = QLabel()
        self._stride_group = QButtonGroup(self)
        self._formula = QLabel()
        self._status = QLabel()
        self._build_layout()
        self._speed.setValue(DEFAULT_SPEED)  # nothing is drawn before the view is first shown

    # -- building ---------------------------------------------------------------------------
    def _build_layout(self) -> None:
        controls = QHBoxLayout()
        controls.setSpacing(4)
        caption = style_caption(QLabel("Window"), "font-size: 14px; font-weight: bold;")
        controls.addWidget(caption)
        for key, label, icon, tip, slot in [
            ("play", "Play", QStyle.StandardPixmap.SP_MediaPlay, "Slide the window on its own (Space)", self.toggle_play),
            ("back", "Back", QStyle.StandardPixmap.SP_MediaSeekBackward, "Undo the last position (←)", self.step_back),
            ("step", "Step", QStyle.StandardPixmap.SP_MediaSeekForward, "Move the window one position (→)", self.step),
            ("reset", "Reset", QStyle.StandardPixmap.SP_MediaSkipBackward, "Clear the output and start again (Home)", self.reset),
            ("finish", "Finish", QStyle.StandardPixmap.SP_MediaSkipForward, "Fill in the whole output (End)", self.finish),
        ]:
            button = transport_button(self, label, icon, tip, slot)
            controls.addWidget(button)
            self._buttons[key] = button
        controls.addSpacing(12)
        speed_caption = QLabel("Speed")
        self._speed.setRange(*SPEED_RANGE)
        self._speed.setMinimumWidth(60)
        self._speed.setMaximumWidth(160)
        self._speed.setToolTip("Window positions per second while playing")
        self._speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._speed.valueChanged.connect(self._on_speed_changed)
        self._speed_label.setMinimumWidth(40)
        controls.addWidget(speed_caption)
        controls.addWidget(self._speed, 1)
        controls.addWidget(self._speed_label)
        controls.addStretch(1)

        # The stride sits by the output size it changes.
        info = QHBoxLayout()
        info.setSpacing(4)
        info.addWidget(QLabel("Stride"))
        for stride in SCAN_STRIDES:
            radio = QRadioButton(str(stride))
            radio.setToolTip(f"Move the window {stride} pixel{'s' if stride > 1 else ''} at a time")
            radio.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self._stride_group.addButton(radio, stride)
            info.addWidget(radio)
        self._stride_group.button(self.state.settings.stride).setChecked(True)
        self._stride_group.idClicked.connect(self._on_stride_clicked)
        info.addSpacing(12)

        self._formula.setTextFormat(Qt.TextFormat.RichText)
        restyle(self._formula, "font-size: 15px;")
        self._formula.setToolTip("Output size = (H + 2p − k) / s + 1, rounded down: H input pixels, "
                                 "p padding on each side, k the kernel's size, s the stride")
        restyle(self._status, "font-size: 14px;")
        for label in (self._formula, self._status):
            label.setWordWrap(True)  # a narrow window wraps them rather than growing
        self._status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        info.addWidget(self._formula, 1)
        info.addWidget(self._status, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.canvas, 6)
        layout.addLayout(controls)
        layout.addLayout(info)
        layout.addWidget(self.step_panel, 4)
        self.step_panel.setMinimumHeight(200)
        self.step_panel.set_hint("Press Play or Step to slide the window.\nEach position's multiply-sum is worked out here.")

    # -- what the playground sets -----------------------------------------------------------
    def configure(self, **changes) -> None:
        """Change any of the scan's settings at once: ``image`` (grey or RGB, centre-cropped and
        downscaled to at most ``SCAN_MAX_SIDE`` a side), ``kernel``, ``border``, ``channel``, ``mapping``,
        ``flip``, ``stride`` (see :class:`ScanSettings`). A real change restarts the scan, once."""
        if not self.state.configure(**changes):
            return
        self.pause()
        self._stride_group.button(self.state.settings.stride).setChecked(True)
        if self.isVisible():
            self._show_position()
        self.position_changed.emit(-1, -1)

    def set_speed(self, positions_per_second: int) -> None:
        self._speed.setValue(int(positions_per_second))

    # -- what the playground and tests read ----------------------------------------------------
    def image(self) -> np.ndarray:
        """The image scanned (fitted for the scan), a copy."""
        return self.state.settings.image.copy()

    def output_pixels(self) -> np.ndarray:
        """The output so far, int16: 0..255 where the window has been, −1 (EMPTY) elsewhere."""
        return self.state.output()

    def positions_done(self) -> int:
        return self.state.done

    def current_position(self) -> tuple[int, int] | None:
        """The window's centre (row, col) in input coordinates, or None before the first step."""
        return self.state.current_position()

    def formula_text(self) -> str:
        return self._formula_html().replace("<b>", "").replace("</b>", "").replace("&nbsp;", " ")

    def button(self, key: str) -> QToolButton:
        """"play", "back", "step", "reset" or "finish"."""
        return self._buttons[key]

    def stride_button(self, stride: int) -> QRadioButton:
        return self._stride_group.button(stride)

    def speed(self) -> int:
        return self._speed.value()

    # -- running the scan -------------------------------------------------------------------
    @Slot()
    def reset(self) -> None:
        """Clear the output and put the window back before the first position."""
        self.pause()
        self.state.rewind()
        self._show_position()
        self.position_changed.emit(-1, -1)

    @Slot()
    def step(self) -> None:
        """Move the window to the next position and fill in its output pixel."""
        self.pause()
        self._advance()

    @Slot()
    def step_back(self) -> None:
        self.pause()
        self.seek(self.state.done - 1)

    @Slot()
    def finish(self) -> None:
        self.pause()
        self.seek(self.state.position_count())

    def seek(self, done: int) -> None:
        """Show the scan after ``done`` positions (earlier pixels filled, later ones empty)."""
        if self.state.seek(done):
            self._show_position()
            self.position_changed.emit(*(self.state.current_position() or (-1, -1)))

    @Slot()
    def play(self) -> None:
        if self.is_playing() or not self.state.position_count():
            return
        if self.state.is_finished():
            self.reset()
        self._player.start()

    def _advance(self) -> None:
        if self.state.is_finished():
            return
        self.seek(self.state.done + 1)
        if self.state.is_finished():
            self.pause()
            self.finished.emit()

    @Slot()
    def _on_timer_ticked(self) -> None:
        self._advance()

    @Slot(int)
    def _on_speed_changed(self, value: int) -> None:
        self._player.set_interval(max(1, round(1000 / value)))
        self._speed_label.setText(f"{value} / s")

    @Slot(int)
    def _on_stride_clicked(self, stride: int) -> None:
        self.configure(stride=stride)

    @Slot(str, int, int)
    def _on_cell_clicked(self, where: str, row: int, col: int) -> None:
        """Clicking an output pixel, or a window centre on the input, runs the scan to there."""
        self.pause()
        if where == "output":
            self.seek(row * self.state.output_shape()[1] + col + 1)
        elif (index := self.state.position_index(row, col)) is not None:
            self.seek(index + 1)

    def _show_position(self) -> None:
        """Draw the state: the input and the formula if the settings changed since they were
        drawn, then the output, the window, the status line, the step panel and the buttons."""
        state = self.state
        if self._drawn_revision != state.revision:
            settings = state.settings
            self.canvas.set_input(state.plane(), settings.border, settings.kernel_size, state.input_caption())
            self._formula.setText(self._formula_html())
            self._drawn_revision = state.revision
        self.canvas.set_output(state.output(), state.output_caption())
        done, total = state.done, state.position_count()
        if done:
            self.canvas.set_window(state.current_position(), state.current_output_cell(), is_next=False)
        else:
            self.canvas.set_window(state.positions()[0] if total else None, None, is_next=True)
        self._status.setText(state.status_text())
        self.step_panel.set_explanation(state.explanation())
        for key, enabled in (("back", done > 0), ("reset", done > 0), ("step", done < total), ("finish", done < total)):
            self._buttons[key].setEnabled(enabled)

    @Slot(bool)
    def _sync_play_button(self, playing: bool) -> None:
        show_playing(self._buttons["play"], playing)

    def _formula_html(self) -> str:
        rows, cols = self.state.size_formulas()
        if cols is None:
            return f"output size: <b>{rows}</b>"
        return f"output rows: <b>{rows}</b> &nbsp;·&nbsp; columns: <b>{cols}</b>"

    def minimumSizeHint(self) -> QSize:
        """As narrow as the buttons without their words allow (see :meth:`resizeEvent`)."""
        hint = super().minimumSizeHint()
        if self._buttons["play"].toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly:
            return hint
        return QSize(hint.width() - sum(words_extra(b) for b in self._buttons.values()), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Buttons with their words when the row has room for them, else icons only (their tooltips
        keep the words and keys): at 200 % text the words alone would be wider than a projector."""
        super().resizeEvent(event)
        words = words_width(self.layout().itemAt(1).layout(), self._buttons.values()) + 16 <= event.size().width()
        style = Qt.ToolButtonStyle.ToolButtonTextBesideIcon if words else Qt.ToolButtonStyle.ToolButtonIconOnly
        for button in self._buttons.values():
            if button.toolButtonStyle() != style:
                button.setToolButtonStyle(style)

    def showEvent(self, event: QShowEvent) -> None:
        if self._drawn_revision != self.state.revision:
            self._show_position()  # the settings changed while hidden: work the scan out now
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.pause()  # nobody is watching: don't keep a timer running
        super().hideEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        actions = {
            Qt.Key.Key_Space: self.toggle_play,
            Qt.Key.Key_Right: self.step,
            Qt.Key.Key_Left: self.step_back,
            Qt.Key.Key_Home: self.reset,
            Qt.Key.Key_End: self.finish,
        }
        if key in actions and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            actions[key]()
            event.accept()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Comma, Qt.Key.Key_Period):
            self.step_panel.keyPressEvent(event)  # Shift+←/→ (or , .) step the terms of the sum
        else:
            super().keyPressEvent(event)
