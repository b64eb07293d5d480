"""The multiply-sum of one output pixel, step by step: window × kernel = products, Σ, mapping.

:class:`StepPanel` draws a :class:`~kernelplay.imaging.explain.PixelExplanation` and computes
nothing the core already did: the running total it builds term by term is the explanation's
``running_sums``, the stages under the sum are its ``stages()`` and the final value its ``shown``.
The panel holds the stepping state (which term was added last) and the layout; the grids are
painted by :mod:`~kernelplay.gui.playground.step_grids`, the stages under the sum laid out by
:mod:`~kernelplay.gui.playground.step_stages`, and every text is written by
:mod:`~kernelplay.gui.playground.step_text`.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedLayout,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kernelplay.gui.playground import step_text
from kernelplay.gui.playground.step_grids import GAP, StepGrids
from kernelplay.gui.playground.step_stages import CAPTION_STYLE, SumStages, restyle, style_caption, themed_marks
from kernelplay.gui.playground.step_text import PLAIN
from kernelplay.gui.playground.transport import PlayTimer, StepPlayback, show_playing, transport_button, words_width
from kernelplay.gui.theme import keep_ink
from kernelplay.imaging.explain import PixelExplanation

HINT = (
    "Hover over a pixel of either image to see how its value is computed.\n"
    "Click to pin it, then step through the sum; Esc or a second click on it releases it."
)
# Wider than this (and not much taller than wide): grids left, text right, so the equation and
# the term it highlights stay in sight together even when the panel is short (1024×700).
WIDE_FROM = 560
TEXT_MIN_WIDTH = 180  # the equation beside the grids needs this much (the stages may need more)
PLAY_INTERVAL_MS = 550  # one term every ~half second: slow enough to read each product
# The keys of each step action while the panel has focus, as the buttons' tooltips name them.
KEY_HELP = {"back": "Shift+← or ,", "forward": "Shift+→ or .", "play": "Space", "reset": "Home", "all": "End"}


class StepPanel(StepPlayback, QWidget):
    """One output pixel's multiply-sum, built up term by term, then turned into a 0–255 value.

    ``current_term`` is −1 before the first term, ``i`` while term ``i`` (reading order) was the
    last one added, and ``k*k`` when the whole sum is shown (the state after a new pixel).
    """

    term_changed = Signal(int)  # current_term, as above
    playing_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._explanation: PixelExplanation | None = None
        self._output_pixel: tuple[int, ...] | None = None
        self._pinned = False
        self._current = -1
        self._marks = themed_marks(self)
        self._player = PlayTimer(self._on_timer_ticked, PLAY_INTERVAL_MS, self)
        self._player.playing_changed.connect(self._sync_play_button)
        self._player.playing_changed.connect(self.playing_changed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self._default_hint = HINT
        self._hint = QLabel(HINT)
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)
        restyle(self._hint, "font-size: 15px;")
        keep_ink(self._hint, "faded")
        self._header = QLabel()
        self._header.setWordWrap(True)
        self._header.setTextFormat(Qt.TextFormat.RichText)
        self._grids = StepGrids()
        self._grids.cell_clicked.connect(self.go_to_step)
        self._grids.setAccessibleName("Input window times kernel equals products")
        self._equation = QLabel()
        self._equation.setWordWrap(True)
        self._equation.setTextFormat(Qt.TextFormat.RichText)
        self._equation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._equation.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._total = QLabel()
        self._total.setTextFormat(Qt.TextFormat.RichText)
        self._total.setWordWrap(True)
        self._stages = SumStages()
        self._buttons: dict[str, QToolButton] = {}
        self._build_layout()
        self._refresh()

    # -- building ---------------------------------------------------------------------------
    def _build_layout(self) -> None:
        content = QWidget()
        restyle(self._header, "font-size: 14px;")
        restyle(self._equation, "font-size: 16px;")
        restyle(self._total, "font-size: 17px;")

        self._controls = QWidget()
        controls = QHBoxLayout(self._controls)
        controls.setContentsMargins(0, 0, 0, 0)
        controls.setSpacing(4)
        terms = style_caption(QLabel("Terms"), CAPTION_STYLE + " font-weight: bold;")
        terms.setToolTip("Build the sum one term at a time")
        controls.addWidget(terms)
        for key, label, icon, tip, slot in [
            ("reset", "Reset", QStyle.StandardPixmap.SP_MediaSkipBackward, "Start again from an empty sum", self.reset_steps),
            ("back", "Back", QStyle.StandardPixmap.SP_MediaSeekBackward, "Take the last term out", self.step_back),
            ("play", "Play", QStyle.StandardPixmap.SP_MediaPlay, "Add the terms one by one", self.toggle_play),
            ("forward", "Next", QStyle.StandardPixmap.SP_MediaSeekForward, "Add the next term", self.step_forward),
            ("all", "All", QStyle.StandardPixmap.SP_MediaSkipForward, "Show the whole sum", self.show_all),
        ]:
            button = transport_button(self, label, icon, f"{tip} ({KEY_HELP[key]})", slot)
            controls.addWidget(button)
            self._buttons[key] = button
        controls.addStretch(1)

        # The buttons sit right under the grids they step through, in either arrangement.
        grids_column = QVBoxLayout()
        grids_column.setSpacing(4)
        grids_column.addWidget(self._grids)
        grids_column.addWidget(self._controls)
        grids_column.addStretch(1)
        text_column = QVBoxLayout()
        text_column.setSpacing(4)
        text_column.addWidget(self._equation)
        text_column.addWidget(self._total)
        text_column.addWidget(self._stages)
        text_column.addStretch(1)
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._body.addLayout(grids_column)  # what the grids need; the text takes the rest
        self._body.addLayout(text_column, 1)
        outer = QVBoxLayout(content)
        outer.setContentsMargins(8, 6, 8, 6)
        outer.setSpacing(6)
        outer.addWidget(self._header)
        outer.addLayout(self._body, 1)

        # A 5×5 sum in a short column may not fit: scroll rather than squash the numbers.
        self._scroll = QScrollArea()
        self._scroll.setWidget(content)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self._hint)
        self._stack.addWidget(self._scroll)

    def sizeHint(self) -> QSize:
        return QSize(460, 700)

    def event(self, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange):  # what fits has changed
            self._arrange()
        elif event.type() == QEvent.Type.PaletteChange:  # another theme: the texts' greys follow
            marks = themed_marks(self)
            if vars(marks) != vars(self._marks):
                self._marks = marks
                self._refresh()
        return super().event(event)

    def _arrange(self) -> None:
        """Wide and short (under the images): grids left, text right, if three grids in a row
        leave the text its room. Otherwise one column. Then size the grids to the room."""
        width, height = self.width(), self.height()
        # The width the body has: less the margins, the spacing and a vertical scroll bar.
        usable = width - 22 - self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        k = 3 if self._explanation is None else self._explanation.size
        grids_width = 3 * k * self._grids.min_cell() + 2 * GAP + 12
        text_width = max(TEXT_MIN_WIDTH, self._stages.minimumSizeHint().width())
        wide = width >= max(WIDE_FROM, 1.3 * height) and usable >= grids_width + text_width
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._body.direction() != direction:
            self._body.setDirection(direction)
            self._grids.set_narrow(not wide)
        # Under grids that leave the text its room, the buttons may not be wider than the grids:
        # icons only then (their tooltips name them and their keys).
        controls = words_width(self._controls, self._buttons.values())  # larger text: icons only even here
        self._show_button_words(controls + (text_width if wide else 0) <= usable)
        if wide:
            # The body's height: the panel less the header, the buttons and the margins.
            header = self._header.heightForWidth(width - 16)
            room = height - header - self._controls.sizeHint().height() - 30
            self._grids.fit_width_to_height(room, width * 0.55)

    def _show_button_words(self, words: bool) -> None:
        style = Qt.ToolButtonStyle.ToolButtonTextBesideIcon if words else Qt.ToolButtonStyle.ToolButtonIconOnly
        for button in self._buttons.values():
            button.setToolButtonStyle(style)

    # -- what the playground, the scan view and the tests read -------------------------------
    def explanation(self) -> PixelExplanation | None:
        return self._explanation

    @property
    def current_term(self) -> int:
        return self._current

    def term_count(self) -> int:
        return 0 if self._explanation is None else self._explanation.products.size

    # The steps: -1 before the first term, term i added at step i, and step term_count() the sum
    # mapped to the shown pixel. Play starts again from the beginning once the last term is in.
    replay_margin = 1

    def last_step(self) -> int:
        return self.term_count()

    def partial_sum(self) -> float:
        """The running total as shown: 0 before the first term, the full weighted sum at the end."""
        e = self._explanation
        return 0.0 if e is None else e.partial_sum(step_text.terms_added(e, self._current))

    def equation_text(self) -> str:
        """The equation as plain text: every term, then ``= <running total>``."""
        e = self._explanation
        return "" if e is None else step_text.equation(e, self._current, PLAIN)

    def total_text(self) -> str:
        """The running total's line as plain text: ``"sum of all 9 terms: −106"``."""
        e = self._explanation
        return "" if e is None else step_text.running_total(e, self._current, PLAIN)

    def final_value_text(self) -> str:
        return self._stages.final_value_text()

    def stage_texts(self) -> dict[str, str]:
        """The stages from sum to pixel that are shown, as plain text, by name ("divide" only
        with a divisor)."""
        e = self._explanation
        if e is None:
            return {}
        return self._stages.texts(e)

    def hint_text(self) -> str:
        """What the panel says instead of a sum (the hint, or why there is no output pixel)."""
        return self._hint.text() if self._explanation is None else ""

    def header_text(self) -> str:
        """The line above the grids as plain text: where, which values, which border (and the pin)."""
        return "" if self._explanation is None else self._header_text(PLAIN)

    def set_hint(self, text: str) -> None:
        """What the panel says while it has no pixel to explain."""
        self._default_hint = text
        self._hint.setText(text)

    def set_play_interval(self, milliseconds: int) -> None:
        self._player.set_interval(max(30, int(milliseconds)))

    def button(self, key: str) -> QToolButton:
        """One of the step buttons: "reset", "back", "play", "forward" or "all"."""
        return self._buttons[key]

    # -- slots ------------------------------------------------------------------------------
    @Slot(object)
    def set_explanation(
        self,
        explanation: PixelExplanation | None,
        *,
        output_pixel: tuple[int, ...] | None = None,
        pinned: bool = False,
        reason: str = "",
    ) -> None:
        """Draw ``explanation``; mid-way through stepping a same-sized sum, the step is kept, so a
        pinned window moved by the arrow keys keeps its place in the sum. ``output_pixel`` is the
        whole output pixel as shown (all three channels of a colour one), named in the header;
        ``pinned`` adds how to release the pin. None shows ``reason`` (why there is no output
        pixel), or the hint."""
        previous = self._explanation
        self._explanation = explanation
        self._output_pixel, self._pinned = output_pixel, pinned
        self._hint.setText(reason or self._default_hint)
        if explanation is None:
            self.pause()
            self._set_current(-1, refresh=False)
        else:
            n = explanation.products.size
            stepping = previous is not None and previous.products.size == n and self._current < n
            if not stepping and not self.is_playing():
                self._set_current(n, refresh=False)
        self._refresh()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.handle_step_key(event):
            event.accept()
        else:
            super().keyPressEvent(event)

    # -- drawing ----------------------------------------------------------------------------
    def _set_current(self, index: int, *, refresh: bool = True) -> None:
        changed = index != self._current
        self._current = index
        if refresh:
            self._refresh()
        if changed:
            self._keep_term_in_sight()
            self.term_changed.emit(index)

    def _keep_term_in_sight(self) -> None:
        """Scroll (when the sum does not fit) to the current term's cells: window, then products."""
        layout = self._grids.geometry_now()
        if layout is None or not 0 <= self._current < self.term_count():
            return
        for grid in (0, 2):
            rect = layout.cell_rect(grid, self._current)
            centre = self._grids.mapTo(self._scroll.widget(), rect.center().toPoint())
            self._scroll.ensureVisible(centre.x(), centre.y(), 0, int(rect.height()))

    @Slot(bool)
    def _sync_play_button(self, playing: bool) -> None:
        button = self._buttons["play"]
        show_playing(button, playing)
        tip = "Stop adding terms" if playing else "Add the terms one by one"
        button.setToolTip(f"{tip} ({KEY_HELP['play']})")

    def _refresh(self) -> None:
        e = self._explanation
        if e is None:
            self._stack.setCurrentIndex(0)
            self._grids.show_state(None, -1)
            return
        self._stack.setCurrentIndex(1)
        n = e.products.size
        self._header.setText(self._header_text(self._marks))
        self._grids.show_state(e, self._current)
        self._arrange()
        restyle(self._equation, "font-size: 16px;" if n <= 9 else "font-size: 14px;")
        self._equation.setText(step_text.equation(e, self._current, self._marks))
        self._total.setText(step_text.running_total(e, self._current, self._marks))
        self._stages.show_stages(e, complete=self._current >= n - 1, marks=self._marks)
        for key, enabled in (
            ("back", self._current > -1),
            ("reset", self._current > -1),
            ("forward", self._current < n),
            ("all", self._current < n),
        ):
            self._buttons[key].setEnabled(enabled)

    def _header_text(self, marks) -> str:
        text = step_text.header(self._explanation, marks, self._output_pixel)
        if self._pinned:
            text += marks.line_break + marks.quiet(step_text.PIN_NOTE)
        return text

