"""One unit of the network, step by step, with its real numbers: the training tab's counterpart of the
playground's step panel.

:class:`UnitView` draws a :class:`~kernelplay.nn.explain_unit.UnitExplanation` and computes nothing
the core did not: the totals it steps through are the explanation's ``steps()``, every number is
one of its fields. For a conv unit, each input map's window next to its kernel slice with the
slice's sum (:class:`~kernelplay.gui.training.unit_channels.ChannelList`), the chosen map's window ×
slice = products enlarged, then the channel sums added term by term, + bias, ReLU; for a pool unit
the 2×2 block with its winner; for an FC unit the largest contributions, where they come from, and
the bias; for a score the softmax written out. Next/Back/Play step through it with the playground's
buttons and keys (Shift+→ or ., Shift+← or ,, Space, Home, End).

Its least width is the same for every unit (:meth:`UnitView.least_width`: the widest rows, tables
and words any unit may show, at the text size), so that choosing another unit never moves the views
beside or above it; the contents fit it (a table too wide takes its compact form, the channel rows
put their running totals under their sums) and scroll down inside it.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QSize, Qt, Signal, Slot
from PySide6.QtGui import QFontInfo, QFontMetricsF, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStyle, QToolButton, QVBoxLayout, QWidget

from kernelplay.gui.playground.step_panel import KEY_HELP, PLAY_INTERVAL_MS
from kernelplay.gui.playground.step_stages import themed_marks
from kernelplay.gui.playground.transport import PlayTimer, StepPlayback, show_playing, transport_button
from kernelplay.gui.text_scale import set_sheet
from kernelplay.gui.theme import keep_ink
from kernelplay.gui.training import unit_pieces, unit_text
from kernelplay.gui.training.page_layout import DownScrollArea
from kernelplay.gui.training.unit_channels import ChannelList
from kernelplay.gui.training.unit_grids import GridStrip
from kernelplay.gui.training.unit_text import PLAIN
from kernelplay.nn.explain_unit import (ConvExplanation, DenseExplanation, PoolExplanation, ScoreExplanation,
                                        UnitExplanation)

__all__ = ["UnitView", "same_unit"]

MIN_ROWS, MAX_ROWS = 2.5, 8.5  # input maps in sight at once (a 0.5 says there are more): 40 % of the pane
LINES_STYLE = "font-size: 14px;"
MARGIN = 6  # of the content, each side


def same_unit(a: UnitExplanation | None, b: UnitExplanation | None) -> bool:
    return a is not None and b is not None and (a.stage, a.channel, a.row, a.col) == (b.stage, b.channel, b.row, b.col)


def _label(style: str = "", rich: bool = True, caption: bool = False) -> QLabel:
    label = QLabel()
    if caption:
        keep_ink(label, "muted")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        set_sheet(label, style)  # its font size follows the text size (presentation mode)
    return label


class UnitView(StepPlayback, QWidget):
    """The way from a unit's inputs to its value. ``current_step`` is −1 before the first step, ``i``
    once step ``i`` of ``explanation().steps()`` is done; a new unit opens with every step done."""

    step_changed = Signal(int)
    playing_changed = Signal(bool)
    detail_changed = Signal(int)  # the input channel whose window is enlarged (conv units)
    close_requested = Signal()  # Esc
    unit_chosen = Signal(str, int, int, int)  # a link to another unit clicked (a digit's score, a pool unit)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Unit, step by step")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._explanation: UnitExplanation | None = None
        self._current = -1
        self._marks = themed_marks(self)  # the playground's greys for what is to come and for names
        self.detail_channel = 0
        self._input_top = 1.0
        self._player = PlayTimer(self._on_timer_ticked, PLAY_INTERVAL_MS, self)
        self._player.playing_changed.connect(self._sync_play_button)
        self._player.playing_changed.connect(self.playing_changed)

        self.header = _label("font-size: 14px;")
        self.context = _label(caption=True)
        self.step_label = _label(rich=False)
        self.channels_caption = _label(caption=True)
        self.channels = ChannelList()
        self.channels.channel_clicked.connect(self.go_to_step)
        # a deep unit has up to 64 input maps: they scroll on their own, the sums stay in sight
        self.channels_area = DownScrollArea(self.channels)
        self.channels_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.detail_caption = _label(caption=True)
        self.grids = GridStrip()
        self.table = _label()
        self.table.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.table.linkActivated.connect(self._on_link_activated)
        self.lines = _label(LINES_STYLE)
        self.note = _label(caption=True)
        self._measure = _label()  # measures tables, never shown
        self._measure.setParent(self)
        self._measure.hide()
        self._least: tuple[tuple, dict] | None = None  # (the fonts' pixel sizes, _measured())
        self._buttons: dict[str, QToolButton] = {}
        self._build()
        self._refresh()

    def _build(self) -> None:
        controls = QHBoxLayout()
        controls.setSpacing(4)
        for key, label, icon, tip, slot in [
            ("reset", "Reset", QStyle.StandardPixmap.SP_MediaSkipBackward, "Start again from nothing added", self.reset_steps),
            ("back", "Back", QStyle.StandardPixmap.SP_MediaSeekBackward, "Undo the last step", self.step_back),
            ("play", "Play", QStyle.StandardPixmap.SP_MediaPlay, "Take the steps one by one", self.toggle_play),
            ("forward", "Next", QStyle.StandardPixmap.SP_MediaSeekForward, "Take the next step", self.step_forward),
            ("all", "All", QStyle.StandardPixmap.SP_MediaSkipForward, "Show every step", self.show_all),
        ]:
            button = transport_button(self, label, icon, f"{tip} ({KEY_HELP[key]})", slot)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            button.setAccessibleName(label)
            controls.addWidget(button)
            self._buttons[key] = button
        controls.addWidget(self.step_label, 1)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(MARGIN, 4, MARGIN, 4)
        column.setSpacing(6)
        for widget in (self.header, self.context):
            column.addWidget(widget)
        column.addLayout(controls)
        # the sum right under the buttons that step it; what it is made of below
        for widget in (self.lines, self.channels_caption, self.channels_area, self.detail_caption, self.grids,
                       self.table, self.note):
            column.addWidget(widget)
        column.addStretch(1)
        self.scroll = DownScrollArea(content)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # never expected (least_width holds every unit's contents), but a number wider than any
        # planned for had better scroll than be cut off
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)

    # --- what the inspector and the tests read ------------------------------------------------------

    def explanation(self) -> UnitExplanation | None:
        return self._explanation

    @property
    def current_step(self) -> int:
        return self._current

    def step_count(self) -> int:
        return 0 if self._explanation is None else len(self._explanation.steps())

    def last_step(self) -> int:
        """The index of the explanation's last step (for a conv unit, step ``c`` adds input channel ``c``)."""
        return self.step_count() - 1

    def set_play_interval(self, milliseconds: int) -> None:
        self._player.set_interval(max(30, int(milliseconds)))

    def button(self, key: str) -> QToolButton:
        """One of the step buttons: "reset", "back", "play", "forward" or "all"."""
        return self._buttons[key]

    def header_text(self) -> str:
        return "" if self._explanation is None else unit_text.header(self._explanation, PLAIN)

    def line_texts(self) -> list[str]:
        """The sums as plain text, one line each, as the view writes them at the present step."""
        return [] if self._explanation is None else self._lines(PLAIN)

    def shown_total(self) -> float:
        """The total reached at the present step (0 before the first)."""
        steps = () if self._explanation is None else self._explanation.steps()
        return steps[self._current].total if 0 <= self._current < len(steps) else 0.0

    # --- size -------------------------------------------------------------------------------------

    def least_width(self) -> int:
        """The width the view needs for any unit at the present text size: the widest of the
        channel rows (the total under the sum) and the compact FC and softmax tables."""
        return self._measured()["least"]

    def _measured(self) -> dict:
        """The least width, and the tables' templates' widths (wide, compact), at the present fonts."""
        sizes = tuple(QFontInfo(widget.font()).pixelSize() for widget in (self, self.table, self.channels))
        if self._least is None or self._least[0] != sizes:
            tables = {kind: tuple(map(self._text_width, forms)) for kind, forms in unit_pieces.table_templates().items()}
            rows = int(self.channels.least_width()) + 1 + self._sides(self.channels_area)  # in their own scroll area
            content = max(rows, *(compact for _, compact in tables.values())) + 2 * MARGIN
            self._least = sizes, dict(tables, least=int(content) + 1 + self._sides())
        return self._least[1]

    def _sides(self, area: DownScrollArea | None = None) -> int:
        """A scroll area's room beside its content (the view's own by default): its frame, and its
        bar's room, bar or not."""
        area = self.scroll if area is None else area
        return 2 * area.frameWidth() + area.verticalScrollBar().sizeHint().width()

    def _text_width(self, html: str) -> int:
        """The least width of ``html`` in a label of the table's font."""
        self._measure.setFont(self.table.font())
        self._measure.setText(html)
        return self._measure.minimumSizeHint().width()

    def minimumSizeHint(self) -> QSize:
        # at least least_width, whatever the unit; more only if one holds wider numbers than planned
        hint = super().minimumSizeHint()
        return QSize(max(self.least_width(), hint.width()), hint.height())

    def sizeHint(self) -> QSize:
        return QSize(self.least_width(), super().sizeHint().height())

    # --- input --------------------------------------------------------------------------------------

    @Slot(object)
    def set_explanation(self, explanation: UnitExplanation | None, *, input_top: float = 1.0,
                        context: str = "") -> None:
        """Draw ``explanation``. The same unit explained anew (a new snapshot while training) keeps
        its step, and its enlarged channel; a new unit opens with every step done and the input
        channel that adds the most enlarged. ``input_top``: the largest value of a conv unit's
        input maps (its windows' brightest colour); ``context``: a line on where the numbers are from."""
        previous = self._explanation
        self._explanation, self._input_top = explanation, input_top
        self.context.setText(context)
        if explanation is None:
            self.pause()
            self._current = -1
        elif not same_unit(previous, explanation) or len(previous.steps()) != len(explanation.steps()):
            self.pause()
            self._current = len(explanation.steps()) - 1
            if isinstance(explanation, ConvExplanation):
                self.detail_channel = int(np.argmax(np.abs(explanation.channel_sums)))
        self._refresh()

    def _set_current(self, index: int) -> None:
        changed = index != self._current
        self._current = index
        self._refresh()
        if changed:
            self.step_changed.emit(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.handle_step_key(event):
            event.accept()
        elif event.key() == Qt.Key.Key_Escape:
            self.close_requested.emit()
            event.accept()
        else:
            super().keyPressEvent(event)

    @Slot(str)
    def _on_link_activated(self, link: str) -> None:
        stage, *numbers = link.split(",")  # "pool2,5,3,4": see _link
        self.unit_chosen.emit(stage, *(int(n) for n in numbers))

    @Slot(bool)
    def _sync_play_button(self, playing: bool) -> None:
        show_playing(self._buttons["play"], playing)

    # --- drawing ------------------------------------------------------------------------------------

    def _lines(self, marks) -> list[str]:
        e, current = self._explanation, self._current
        if isinstance(e, ConvExplanation):
            return unit_text.conv_lines(e, current, marks)
        if isinstance(e, PoolExplanation):
            return unit_text.pool_lines(e, current, marks)
        if isinstance(e, DenseExplanation):
            return unit_text.dense_lines(e, current, marks)
        return unit_text.score_lines(e, current, marks)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.PaletteChange:  # another theme: the texts' greys follow
            marks = themed_marks(self)
            if vars(marks) != vars(self._marks):
                self._marks = marks
                self._refresh()
        return super().event(event)

    def _refresh(self) -> None:
        e = self._explanation
        kinds = {ConvExplanation: "conv", PoolExplanation: "pool", DenseExplanation: "dense", ScoreExplanation: "score"}
        kind = kinds.get(type(e))
        for widget, shown in ((self.channels_caption, kind == "conv"), (self.channels_area, kind == "conv"),
                              (self.detail_caption, kind in ("conv", "pool")), (self.grids, kind in ("conv", "pool")),
                              (self.table, kind in ("dense", "score")), (self.note, kind == "dense")):
            widget.setVisible(shown)
        for key, enabled in (("back", self._current > -1), ("reset", self._current > -1),
                             ("forward", e is not None and self._current < self.step_count() - 1),
                             ("all", e is not None and self._current < self.step_count() - 1),
                             ("play", e is not None)):
            self._buttons[key].setEnabled(enabled)
        if e is None:
            for label in (self.header, self.step_label, self.lines):
                label.setText("")
            return
        self.header.setText(unit_text.header(e, self._marks))
        self.step_label.setText(unit_text.step_caption(e, self._current))
        self.lines.setText("<br>".join(self._lines(self._marks)))
        if kind == "conv":
            self._show_conv(e)
        elif kind == "pool":
            self._show_pool(e)
        elif kind == "dense":
            self._show_dense(e)
        else:
            self._show_scores(e)

    def _show_conv(self, e: ConvExplanation) -> None:
        count = e.channel_sums.size
        if 0 <= self._current < count and self._current != self.detail_channel:
            self.detail_channel = self._current
            self.detail_changed.emit(self.detail_channel)
        self.detail_channel = min(self.detail_channel, count - 1)
        c = self.detail_channel
        self.channels_caption.setText("Each input map: window × kernel slice = its sum (click a row to step "
                                      "to it; point at a small grid for its numbers):")
        self.channels.set_explanation(e, self._current, self._input_top)
        width = self._fit_channels()
        if 0 <= self._current < count:
            row = self.channels.row_rect(self._current, width)
            self.channels_area.ensureVisible(int(row.center().x()), int(row.center().y()), 0, int(row.height()))
        self.detail_caption.setText(f"<b>{unit_text.input_name(e, c)}</b>: window × kernel slice = products "
                                    "(point at a cell for its exact numbers)")
        self.grids.set_grids(*unit_pieces.conv_grids(e, c, self._input_top))

    def _fit_channels(self) -> int:
        """Give the input maps' list 40 % of the pane's height (within limits); returns its width."""
        width = self.channels_area.viewport().width()
        row = self.channels.row_height(width)
        rows = max(MIN_ROWS, min(MAX_ROWS, 0.4 * self.scroll.viewport().height() / row))
        self.channels_area.setFixedHeight(min(self.channels.heightForWidth(width), int(rows * row)))
        return width

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if isinstance(self._explanation, ConvExplanation):
            self._fit_channels()
        elif isinstance(self._explanation, (DenseExplanation, ScoreExplanation)):
            self._refresh()  # the table's form follows the width

    def _show_pool(self, e: PoolExplanation) -> None:
        self.detail_caption.setText(f"The 2×2 block of {e.input_stage} map {e.channel}; the winner is outlined:")
        self.grids.set_grids(*unit_pieces.pool_grids(e))

    def _show_dense(self, e: DenseExplanation) -> None:
        self._set_table("dense", unit_pieces.dense_table(e), unit_pieces.dense_table(e, compact=True))
        self.note.setText(unit_pieces.dense_note(e))

    def _set_table(self, kind: str, wide: str, compact: str) -> None:
        """The table in its wide form where the widest ``kind`` of table fits the pane, else its
        compact one (by the pane's width only: the form does not flip as training changes the
        numbers); the label asks no more than the compact form's width, so that a narrower pane
        may take that form. Measured once a text size (measuring a table took ~5 ms a snapshot),
        again only for numbers wider than :data:`unit_pieces.WIDE_DENSE` / ``WIDE_SCORE``."""
        wide_width, compact_width = self._measured()[kind]
        metrics = QFontMetricsF(self.table.font())
        planned = unit_pieces.WIDE_DENSE if kind == "dense" else unit_pieces.WIDE_SCORE
        rows = unit_pieces.table_numbers(self._explanation, self._current)
        if any(metrics.horizontalAdvance(text) > metrics.horizontalAdvance(widest) for row in rows
               for text, widest in zip(row, planned)):
            wide_width, compact_width = self._text_width(wide), self._text_width(compact)
        text = wide if wide_width <= self.scroll.width() - self._sides() - 2 * MARGIN else compact
        self.table.setMinimumWidth(compact_width)
        if self.table.text() != text:
            self.table.setText(text)

    def _show_scores(self, e: ScoreExplanation) -> None:
        self._set_table("score", unit_pieces.score_table(e, self._current),
                        unit_pieces.score_table(e, self._current, compact=True))
