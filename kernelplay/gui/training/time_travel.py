"""Mistakes and time travel in the training tab: the two pages of views (Network, Mistakes) over the
timeline, and what moves between them and the session.

While the timeline shows a past step (``session.viewed_step``), the probe's views — kernels, feature
maps, scores — and the confusion matrix draw the session's step views, a dashed line marks the step
on the curves, and live snapshots only move the curves and the status line (the tab's ``_show``
asks :attr:`TimeTravel.viewing`). Back at the live end, the newest snapshot is drawn again.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QTabBar, QVBoxLayout, QWidget

from kernelplay.nn.evaluation import Evaluation
from kernelplay.nn.snapshot import Snapshot, StepView
from kernelplay.gui.training.mistakes_page import MistakesPage
from kernelplay.gui.training.page_layout import FoldingRow, PageStack
from kernelplay.gui.training.timeline_bar import TimelineBar

__all__ = ["TimeTravel", "PAGE_NAMES"]

PAGE_NAMES = ("Network", "Mistakes")


class TimeTravel(QObject):
    """Built by the tab after its views: ``timeline`` and ``mistakes`` (the page), put together by
    :meth:`pages`. ``message_posted(str)`` carries confirmations for the tab's note."""

    message_posted = Signal(str)

    def __init__(self, tab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.session = session = tab.session
        self.timeline = TimelineBar()
        self.mistakes = MistakesPage(session.heldout)
        self.page_stack: PageStack | None = None
        self.page_bar: QTabBar | None = None
        self._kept: tuple[Evaluation, int] | None = None  # the evaluation of the step resumed from
        session.checkpoints_changed.connect(self._on_checkpoints_changed)
        session.evaluation_received.connect(self._on_evaluation_received)
        session.step_view_received.connect(self._on_step_view_received)
        session.snapshot_received.connect(self._on_snapshot_received)
        session.resumed.connect(self._on_resumed)
        session.run_loaded.connect(self._on_run_loaded)
        self.timeline.step_chosen.connect(self._on_step_chosen)
        self.timeline.live_chosen.connect(self.view_live)
        self.timeline.resume_clicked.connect(self._on_resume_clicked)
        self.mistakes.probe_chosen.connect(self._on_gallery_probe_chosen)
        self.mistakes.evaluate_clicked.connect(session.evaluate)
        # Train or Step while a past step is on show: the user wants to watch training, which goes on
        # from the live network (going on from the past step is "Resume from here…")
        tab.training_controls.play_clicked.connect(lambda: self.viewing and not session.running and self.view_live())
        tab.training_controls.step_clicked.connect(lambda: self.viewing and self.view_live())
        tab.probe_strip.probe_chosen.connect(self.mistakes.set_probe)
        tab.draw_pad.digit_drawn.connect(lambda _digit: self.mistakes.set_probe(None))
        self.mistakes.set_probe(tab.probe_strip.indices[0] if tab.probe_strip.indices else None)

    @property
    def viewing(self) -> bool:
        """The views show a past step, not the live network."""
        return self.session.viewed_step is not None

    def pages(self, network_page: QWidget) -> QWidget:
        """The Network page (``network_page``) and the Mistakes page, their tabs beside the timeline
        at the bottom — under the curves, and in sight whichever page is on show."""
        self.page_stack = PageStack()  # as large as the page on show needs, not as the larger of the two
        self.page_stack.addWidget(network_page)
        self.page_stack.addWidget(self.mistakes)
        self.page_bar = QTabBar()
        self.page_bar.setShape(QTabBar.Shape.RoundedSouth)
        self.page_bar.setDocumentMode(True)
        self.page_bar.setExpanding(False)
        self.page_bar.setUsesScrollButtons(False)  # the pages' names whole, at any text size
        self.page_bar.setStyleSheet("QTabBar::tab:selected { font-weight: bold; }")  # which page is on show
        for name in PAGE_NAMES:
            self.page_bar.addTab(name)
        self.page_bar.setTabToolTip(0, "How the network sees the probe digit, its kernels and its curves.")
        self.page_bar.setTabToolTip(1, "What the network gets wrong on the held-out digits: the confusion "
                                       "matrix, the most-confused pairs and every digit's top-3 guesses.")
        self.page_bar.currentChanged.connect(self.page_stack.setCurrentIndex)
        row = FoldingRow(spacing=12)  # the timeline under the tabs where both do not fit one row
        row.add(self.page_bar)
        row.add(self.timeline, 1)
        container = QWidget()
        column = QVBoxLayout(container)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.page_stack, 1)
        column.addWidget(row)
        return container

    def show_page(self, name: str) -> None:
        self.page_bar.setCurrentIndex(PAGE_NAMES.index(name))

    # --- the timeline -----------------------------------------------------------------------------

    def view_step(self, step: int) -> None:
        """Show the network as it was at the checkpoint at or before ``step`` (as a drag there does)."""
        self.timeline.set_checkpoints(self.session.checkpoints, step)
        self._on_step_chosen(step)

    @Slot()
    def view_live(self) -> None:
        """Back to the live network: its newest snapshot and evaluation on show."""
        self.session.view_live()
        self._show_live_controls()
        latest = self.session.latest
        if latest is not None:
            self._draw(latest)
        self._show_live_evaluation()

    @Slot(int)
    def _on_step_chosen(self, step: int) -> None:
        self.session.view_step(step)
        self.mistakes.evaluate_button.setEnabled(False)  # it counts the live network: not what is on show
        points = self.timeline.points
        self.tab.curves.set_marker(points[self.timeline.position_of(step)][1] if points else None)

    @Slot(int)
    def _on_resume_clicked(self, step: int) -> None:
        later = sum(s > step for s, _ in self.session.checkpoints)
        seen = dict(self.session.checkpoints).get(step, 0)
        answer = QMessageBox.question(
            self.tab, "Resume from here?",
            f"Train on from step {step:,} ({seen:,} digits seen)?\n\nWhat came after it — {later:,} later "
            f"checkpoint{'s' if later != 1 else ''} and the curves past {seen:,} digits — is dropped.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            if self.mistakes.step == step and self.mistakes.evaluation is not None:
                self._kept = (self.mistakes.evaluation, step)  # the resumed network's, exactly
            self.session.resume_from(step)

    # --- from the session -------------------------------------------------------------------------

    @Slot(object)
    def _on_checkpoints_changed(self, points: list) -> None:
        self.timeline.set_checkpoints(points, self.session.viewed_step)

    @Slot(object)
    def _on_evaluation_received(self, evaluation: Evaluation) -> None:
        self._kept = None
        if not self.viewing:
            self.mistakes.show_evaluation(evaluation, self.session.latest_evaluation_step)

    @Slot(object)
    def _on_step_view_received(self, view: StepView) -> None:
        if not self.viewing:
            return
        self._draw(view)
        if view.evaluation is not None:
            self.mistakes.show_evaluation(view.evaluation, view.step)
        elif self.mistakes.step != view.step:
            self.mistakes.show_evaluation(self.mistakes.evaluation, self.mistakes.step, counting=view.step)

    @Slot(object)
    def _on_snapshot_received(self, snapshot: Snapshot) -> None:
        if not self.viewing and not self.timeline.live:  # the session went live by itself (reset, load)
            self._show_live_controls()
        if not self.session.checkpoints:  # a new network (reset, a model loaded): nothing kept applies
            self._kept = None
        if not self.viewing:
            self._show_live_evaluation()

    @Slot(int, int)
    def _on_resumed(self, step: int, samples_seen: int) -> None:
        self.view_live()
        self.message_posted.emit(f"Back at step {step:,} ({samples_seen:,} digits seen): training goes on from "
                                 "there; the later history is gone.")

    @Slot(str, object)
    def _on_run_loaded(self, path: str, settings: dict) -> None:
        self._kept = None
        self.view_live()

    # --- drawing ----------------------------------------------------------------------------------

    def _show_live_controls(self) -> None:
        self.timeline.set_checkpoints(self.session.checkpoints, None)
        self.tab.curves.set_marker(None)
        self.mistakes.evaluate_button.setEnabled(True)

    def _show_live_evaluation(self) -> None:
        session = self.session
        if session.latest_evaluation is not None:
            evaluation, step = session.latest_evaluation, session.latest_evaluation_step
        elif self._kept is not None:
            evaluation, step = self._kept
        else:
            evaluation, step = None, None
        if evaluation is not self.mistakes.evaluation or self.mistakes.matrix_view.dimmed:
            self.mistakes.show_evaluation(evaluation, step)

    def _draw(self, shown: Snapshot | StepView) -> None:
        """The probe's views and the kernels, from a snapshot or a step view (they share the names)."""
        tab = self.tab
        tab.feature_maps.set_activations(shown.activations)
        tab.scores_view.set_scores(shown.scores, shown.predicted, shown.probe_label)
        tab.filter_grid.set_kernels(shown.kernels)

    @Slot(int)
    def _on_gallery_probe_chosen(self, index: int) -> None:
        self.tab.probe_strip.select_index(index)
        self.session.set_probe(index)
        label = int(self.session.heldout.labels[index])
        self.message_posted.emit(f"Held-out digit #{index} (a {label}) is the probe now: the Network page shows "
                                 "how the network sees it.")
