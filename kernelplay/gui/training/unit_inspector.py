"""The training tab's side pane for one unit: a click on a feature-map pixel, an FC unit or a class
score opens it, explained step by step (:class:`~kernelplay.gui.training.unit_view.UnitView`), and for
a conv or pool map what that map looks for
(:class:`~kernelplay.gui.training.channel_looks.ChannelLooks`).

Where the numbers come from: while the pane is open the session asks the worker for snapshots that
carry all the weights (``TrainingSession.set_weights_wanted``); they fill a network of this
process's own, and :func:`~kernelplay.nn.explain_unit.explain_unit` explains the unit on the
snapshot's probe digit with it — the same weights and digit the feature maps were computed from.
While training, the unit is explained anew at most every :data:`EXPLAIN_INTERVAL` seconds, the
last snapshot always; paused, nothing new comes and the view holds still. What a map looks for is
computed in a thread when its page is on show: on opening, once the steps stop (pause), and every
:data:`LOOKS_INTERVAL` seconds while training.

The pane's size does not follow the unit on show (:class:`UnitPane`): choosing another unit moves
nothing around it.
"""
from __future__ import annotations

import math
import time
from contextlib import nullcontext

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Slot
from PySide6.QtWidgets import QScrollArea, QStyle, QStyleOptionTabWidgetFrame, QTabWidget, QToolButton, QWidget

from kernelplay.gui.training import unit_text
from kernelplay.gui.training.channel_looks import ChannelLooks, TopActivatingJob
from kernelplay.gui.training.feature_maps import Mark
from kernelplay.gui.training.page_layout import FoldingSplitter, bring_into_sight
from kernelplay.gui.training.unit_view import UnitView
from kernelplay.nn.fast.blas import blas_threads, can_set_threads
from kernelplay.nn.explain_unit import ConvExplanation, DenseExplanation, PoolExplanation, explain_unit
from kernelplay.nn.network import Network
from kernelplay.nn.receptive_field import field_of, receptive_field
from kernelplay.nn.snapshot import Snapshot

__all__ = ["UnitInspector", "UnitPane", "EXPLAIN_INTERVAL", "LOOKS_INTERVAL"]

EXPLAIN_INTERVAL = 0.25  # seconds between two explanations while training (as often as the kernels are drawn)
LOOKS_INTERVAL = 3.0  # seconds between two searches for a map's top digits while training
SETTLE_MS = 400  # paused or stepping: the search waits this long after the last snapshot
WINDOW_COLOUR, OTHER_WINDOWS, FIELD_COLOUR = "#00c8ff", "#ffffff", "#ffd400"
PANE_WIDTH = 0.4  # of the views' width, when the pane opens (it is never narrower than its contents need)
# Narrower views than this give the pane the room of the scores and the curves (hidden while it is
# open): the feature maps, where units are chosen, and the kernels keep theirs.
SIDE_VIEWS_FROM = 1150


class UnitPane(QTabWidget):
    """The pane's two pages as tabs, sized the same whatever the unit: its least width is the unit
    view's (:meth:`UnitView.least_width`), and it asks for no height of its own beside the views
    (it takes theirs), and under them (presentation mode's page, where it folds) for the height the
    window shows, so that it fills the screen once scrolled to; its contents scroll inside it. (A
    pane as tall as its contents made the page 1,223 px taller for a conv unit, 1,778 for an FC one.)"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._viewport: QWidget | None = None  # the scrolling page's, watched for its height

    def minimumSizeHint(self) -> QSize:
        # the widest page's, shown or not: presentation mode has a hidden page ignored (Ignored
        # size policy), and at 250 % the pane then went beside the views for "What it looks for"
        hint = super().minimumSizeHint()
        option = QStyleOptionTabWidgetFrame()
        self.initStyleOption(option)
        widest = max(self.widget(i).minimumSizeHint().width() for i in range(self.count()))
        frame = self.style().sizeFromContents(QStyle.ContentsType.CT_TabWidget, option, QSize(widest, hint.height()), self)
        return QSize(max(hint.width(), frame.width()), hint.height())

    def sizeHint(self) -> QSize:
        least = self.minimumSizeHint()
        splitter, viewport = self.parentWidget(), self._page_viewport()
        folded = isinstance(splitter, FoldingSplitter) and splitter.folded
        height = max(least.height(), viewport.height()) if folded and viewport is not None else least.height()
        return QSize(least.width(), height)

    def _page_viewport(self) -> QWidget | None:
        """The viewport of the scrolling page the pane is in (presentation mode's), if any."""
        parent = self.parentWidget()
        while parent is not None and not (isinstance(parent, QScrollArea) and parent.widgetResizable()):
            parent = parent.parentWidget()
        viewport = None if parent is None else parent.viewport()
        if viewport is not self._viewport:
            if self._viewport is not None and shiboken6.isValid(self._viewport):
                self._viewport.removeEventFilter(self)
            if viewport is not None:
                viewport.installEventFilter(self)
            self._viewport = viewport
        return viewport

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._viewport and event.type() == QEvent.Type.Resize and event.size().height() != event.oldSize().height():
            self.updateGeometry()  # the window's height changed: the folded pane's follows
        return super().eventFilter(watched, event)


class UnitInspector(QObject):
    """Built by the tab after its views; :meth:`beside` puts the pane right of the views."""

    def __init__(self, tab) -> None:
        super().__init__(tab)
        self.tab, self.session = tab, tab.session
        self.view = UnitView()
        self.looks = ChannelLooks()
        self.job = TopActivatingJob(self)
        self.network: Network | None = None  # this process's copy, from the newest snapshot with weights
        self.snapshot: Snapshot | None = None  # the one it was filled from
        self.unit: tuple[str, int, int, int] | None = None
        self.splitter: FoldingSplitter | None = None
        self._explained_at = -math.inf
        self._looks_at = -math.inf
        self._looks_key: tuple | None = None  # (stage, channel, step) of the result on show or coming
        self._heldout: np.ndarray | None = None  # (N, 28, 28) float32, made on first use
        self.pane = self._build_pane()
        # the last snapshot of a burst is always explained (trailing edge of the throttle), and a
        # search for a map's digits waits until steps stop coming (Step ×100 while paused)
        self._explain_timer = QTimer(self, singleShot=True, interval=int(EXPLAIN_INTERVAL * 1000))
        self._explain_timer.timeout.connect(self._explain)
        self._settle_timer = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle_timer.timeout.connect(lambda: self._maybe_look(force=True))
        tab.feature_maps.unit_clicked.connect(self.select)
        tab.scores_view.class_clicked.connect(lambda digit: self.select("scores", digit, 0, 0))
        self.session.snapshot_received.connect(self._on_snapshot_received)
        self.view.detail_changed.connect(lambda _channel: self._show_marks())
        self.job.finished.connect(self._on_looks_found)
        self.looks.digit_chosen.connect(self._on_digit_chosen)

    def _build_pane(self) -> QWidget:
        close = QToolButton()
        close.setText("✕ Close")
        close.setToolTip("Close the unit's pane (Esc)")
        close.setAutoRaise(True)
        close.clicked.connect(self.close)
        self.close_button = close
        self.tabs = UnitPane()
        self.tabs.setAccessibleName("Unit pane")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.view, "Step by step")
        self.tabs.addTab(self.looks, "What it looks for")
        self.tabs.setCornerWidget(close, Qt.Corner.TopRightCorner)
        self.tabs.currentChanged.connect(lambda _index: self._maybe_look(force=True))
        self.tabs.hide()
        self.view.close_requested.connect(self.close)
        self.view.unit_chosen.connect(self.select)
        return self.tabs

    def beside(self, views: QWidget) -> FoldingSplitter:
        """``views`` and, right of them, the pane (hidden until a unit is chosen); under them where
        the page scrolls (presentation mode) and both do not fit side by side."""
        self.splitter = FoldingSplitter()
        self.splitter.addWidget(views)
        self.splitter.addWidget(self.pane)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.installEventFilter(self)
        return self.splitter

    def eventFilter(self, watched, event) -> bool:
        if watched is self.splitter and event.type() == QEvent.Type.Resize:
            self._fit_side_views()
        return super().eventFilter(watched, event)

    def _fit_side_views(self) -> None:
        """The scores and the curves make room for the pane in narrow views (see :data:`SIDE_VIEWS_FROM`)."""
        hidden = self.pane.isVisible() and self.splitter is not None and self.splitter.width() < SIDE_VIEWS_FROM
        for view in (self.tab.scores_view, self.tab.curves):
            if view.isHidden() != hidden:
                view.setVisible(not hidden)

    # --- choosing a unit ----------------------------------------------------------------------------

    @Slot(str, int, int, int)
    def select(self, stage: str, channel: int, row: int, col: int) -> None:
        """Explain unit (``channel``, ``row``, ``col``) of ``stage`` (row = col = 0 for FC units and
        scores), in the pane, from now on as training goes."""
        self.unit = (stage, int(channel), int(row), int(col))
        opening = not self.pane.isVisible()
        self.pane.show()
        self._fit_side_views()
        if opening and self.splitter is not None:
            total = self.splitter.width()
            self.splitter.set_widths([int(total * (1 - PANE_WIDTH)), int(total * PANE_WIDTH)])
        self.session.set_weights_wanted(True)
        looks = stage.startswith(("conv", "pool"))
        self.tabs.setTabEnabled(1, looks)
        self.tabs.setTabToolTip(1, f"The held-out digits that excite {stage} map {channel} most" if looks else
                                "Only the maps of conv and pool stages: choose a pixel of one")
        if not looks:
            self.tabs.setCurrentIndex(0)
        self._explained_at = -math.inf
        self._explain()
        self._maybe_look(force=True)
        bring_into_sight(self.pane)  # where the page scrolls it may be under the views
        self.view.setFocus()

    @Slot()
    def close(self) -> None:
        self.unit = None
        self.view.set_explanation(None)
        self.pane.hide()
        self._fit_side_views()
        self.tab.feature_maps.set_marks([])
        self.session.set_weights_wanted(False)

    # --- from the session -----------------------------------------------------------------------------

    @Slot(object)
    def _on_snapshot_received(self, snapshot: Snapshot) -> None:
        if snapshot.weights is not None:
            if self.network is None or self.network.config != snapshot.config:
                self.network = Network(snapshot.config, threads=1)
            self.network.set_params(snapshot.weights)
            self.snapshot = snapshot
        if self.unit is None:
            return
        if time.perf_counter() - self._explained_at >= EXPLAIN_INTERVAL:
            self._explain()
        elif not self._explain_timer.isActive():
            self._explain_timer.start()
        if self.session.running:
            self._maybe_look()
        else:
            self._settle_timer.start()  # paused, or stepping: once the steps stop

    # --- explaining -------------------------------------------------------------------------------------

    def _explain(self) -> None:
        snapshot, unit = self.snapshot, self.unit
        self._explain_timer.stop()
        if unit is None:
            return
        self._explained_at = time.perf_counter()
        if snapshot is None or self.network is None:
            self.view.set_explanation(None)
            self.view.context.setText("Waiting for the network's weights…")
            return
        shapes = dict(snapshot.config.stage_shapes())
        if unit[0] not in shapes or not _inside(unit, shapes[unit[0]]):
            self.close()  # the architecture changed: the unit is gone
            return
        # one BLAS thread: OpenBLAS's others would spin after each call, ~0.1 s of a core each time
        # (the window took 39 % of a core with them while training, 8 % without; the trainer needs both)
        with blas_threads(1) if can_set_threads() else nullcontext():
            explanation = explain_unit(self.network, snapshot.probe_image, *unit)
        top = 1.0
        if isinstance(explanation, ConvExplanation) and explanation.input_stage != "input":
            top = float(snapshot.activations[explanation.input_stage].max())
        self.view.set_explanation(explanation, input_top=top, context=self._context(snapshot))
        self._show_marks()

    def _context(self, snapshot: Snapshot) -> str:
        if snapshot.probe_label is None:
            digit = "the drawn digit"
        else:
            digit = f"the probe digit (a {snapshot.probe_label})"
        state = "training paused: it holds still" if not self.session.running else "follows training live"
        past = self.tab.time_travel.viewing
        where = (f"the live network at step {snapshot.step:,} (the timeline shows an earlier step)" if past
                 else f"the weights after step {snapshot.step:,}")
        return f"On {digit}, with {where} · {state}."

    def _show_marks(self) -> None:
        e = self.view.explanation()
        if e is None:
            self.tab.feature_maps.set_marks([])
            return
        marks = []
        if isinstance(e, (ConvExplanation, PoolExplanation)):
            marks.append(Mark(e.stage, e.channel, e.row, e.col, e.row + 1, e.col + 1, WINDOW_COLOUR))
            field = receptive_field(self.snapshot.config, e.stage, e.row, e.col)
            if e.stage != "conv1":
                marks.append(Mark("input", 0, *field, FIELD_COLOUR))
        if isinstance(e, ConvExplanation):
            box = e.window_box
            for c in range(e.windows.shape[0]):
                colour = WINDOW_COLOUR if c == self.view.detail_channel else OTHER_WINDOWS
                marks.append(Mark(e.input_stage, c if e.input_stage != "input" else 0, *box, colour))
        elif isinstance(e, PoolExplanation):
            marks.append(Mark(e.input_stage, e.channel, *e.window_box, WINDOW_COLOUR))
        elif isinstance(e, DenseExplanation):
            marks.append(Mark("fc1", e.channel, 0, 0, 1, 1, WINDOW_COLOUR))
            for rank, (index, _) in enumerate(e.largest(unit_text.LARGEST)):  # where the listed ones come from
                channel, row, col = e.source(index)
                colour = WINDOW_COLOUR if rank == 0 else OTHER_WINDOWS
                marks.append(Mark(e.input_stage, channel, row, col, row + 1, col + 1, colour))
        self.tab.feature_maps.set_marks(marks)

    # --- what a map looks for ---------------------------------------------------------------------------

    def _maybe_look(self, force: bool = False) -> None:
        """Search the held-out digits for the chosen map's best, if its page is on show and it is due."""
        unit, snapshot = self.unit, self.snapshot
        if (unit is None or snapshot is None or self.network is None or self.tabs.currentWidget() is not self.looks
                or not unit[0].startswith(("conv", "pool"))):
            return
        key = (unit[0], unit[1], snapshot.step)
        if key == self._looks_key:
            return
        due = time.perf_counter() - self._looks_at >= LOOKS_INTERVAL
        if not (force or due or self._looks_key is None or self._looks_key[:2] != key[:2]):
            return
        if self._heldout is None:
            self._heldout = self.session.heldout.as_float()[:, 0]
        self._looks_key, self._looks_at = key, time.perf_counter()
        self.looks.set_status(f"Searching the {len(self._heldout):,} held-out digits…")
        self.job.request(self.network.copy(), self._heldout, unit[0], unit[1], key)

    @Slot(object, object)
    def _on_looks_found(self, key: tuple, result) -> None:
        if self.unit is None or key[:2] != self.unit[:2] or self._heldout is None:
            return
        field = field_of(self.snapshot.config, key[0])
        self.looks.show_result(result, self._heldout, self.session.heldout.labels, field.size)
        every = "" if not self.session.running else f"; searched again every {LOOKS_INTERVAL:g} s while training"
        self.looks.set_status(f"With the weights after step {key[2]:,}{every}.")

    @Slot(int, int, int)
    def _on_digit_chosen(self, index: int, row: int, col: int) -> None:
        """A top digit clicked: it becomes the probe, and its strongest unit is explained."""
        self.tab.probe_strip.select_index(index)
        self.session.set_probe(index)
        stage, channel = self.unit[:2]
        self.select(stage, channel, row, col)
        self.tabs.setCurrentIndex(0)


def _inside(unit: tuple[str, int, int, int], shape: tuple[int, ...]) -> bool:
    _, channel, row, col = unit
    return channel < shape[0] and (len(shape) == 1 or (row < shape[1] and col < shape[2]))
