"""Tab 2: train the digit CNN and watch it learn — kernels, feature maps, scores and curves, live."""
from __future__ import annotations

import math
import time
from collections import deque
from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.datasets import DigitSplit, load_digits
from kernelplay.nn.model_file import ModelFileError
from kernelplay.nn.network import Network
from kernelplay.nn.snapshot import Snapshot, StopReason
from kernelplay.gui.training.controls import ArchitectureEditor, ModelFileButtons, TrainingControls
from kernelplay.gui.training.curves import TrainingCurves
from kernelplay.gui.training.draw_pad import DrawPad
from kernelplay.gui.training.feature_maps import FeatureMaps
from kernelplay.gui.training.filter_grid import FilterGrid
from kernelplay.gui.training.heldout_check import HeldoutCheck
from kernelplay.gui.training.network_diagram import NetworkDiagram
from kernelplay.gui.training.note_label import NoteLabel
from kernelplay.gui.training.page_layout import FoldingRow, PaneSplitter, captioned_row
from kernelplay.gui.training.probe_strip import ProbeStrip, pick_probes
from kernelplay.gui.training.run_files import RunFiles
from kernelplay.gui.training.scores import ScoresView
from kernelplay.gui.training.session import TrainingSession
from kernelplay.gui.training.time_travel import TimeTravel
from kernelplay.gui.training.unit_inspector import UnitInspector
from kernelplay.gui.text_scale import keep_fitted_width
from kernelplay.gui.theme import keep_ink

__all__ = ["TrainingTab"]

MODEL_FILTER = "kernelplay model (*.npz);;All files (*)"
SLOW_VIEWS_INTERVAL = 0.25  # seconds between two redraws of the kernels and curves while training
# ≈ 10 redraws/s: smooth to watch, and the GUI then needs ~7 % of one core, so training keeps
# ~93 % of its speed on 2 cores (at 12.5/s, 90 %; see benchmarks/bench_training_gui.py)
REDRAW_INTERVAL_MS = 100


class TrainingTab(QWidget):
    """Controls on the left (``training_controls``, ``architecture_editor``, ``model_files``, the
    draw pad); on the right the network diagram, the probe digit's feature maps and scores, the
    learned kernels, the curves and the probe strip (in presentation mode, where a page does not fit
    beside the controls, the controls go under it).

    ``TrainingTab()`` trains the bundled digits with the default network. Tests and benchmarks may
    pass ``data`` (a small ``DigitSplit``), ``config``, ``snapshot_interval`` (seconds between
    snapshots while training), ``redraw_interval_ms``, ``threads`` (the trainer's data-parallel
    threads) and ``backend`` (``"process"``, the default, or ``"thread"``; see ``session.py``).
    Call :meth:`shutdown` before closing; destroying the tab also stops training.
    ``message_posted(str)`` carries confirmations and errors (save, load, refused settings);
    ``model_saved(path)`` follows :meth:`save_model`; ``kernel_to_playground(kernel, title)``: a
    learned kernel slice to open in the playground (right-click on a kernel). A click on a unit opens
    it step by step in a pane right of the views (``units``, issue 12).
    """

    message_posted = Signal(str)
    model_saved = Signal(str)
    kernel_to_playground = Signal(np.ndarray, str)

    def __init__(self, parent: QWidget | None = None, *, data: DigitSplit | None = None,
                 config: NetworkConfig | None = None, snapshot_interval: float = REDRAW_INTERVAL_MS / 1000,
                 redraw_interval_ms: int = REDRAW_INTERVAL_MS, seed: int = 0, epochs: float | None = None,
                 threads: int | None = None, backend: str = "process") -> None:
        super().__init__(parent)
        self.data = load_digits() if data is None else data
        self.config = config or NetworkConfig()
        probes = pick_probes(self.data.heldout)
        self.session = TrainingSession(self.data, self.config, snapshot_interval=snapshot_interval,
                                       redraw_interval_ms=redraw_interval_ms, seed=seed, epochs=epochs,
                                       probe=probes[0] if probes else 0, threads=threads, backend=backend,
                                       parent=self)
        self.redraw_seconds: deque[float] = deque(maxlen=200)  # time per redraw, for the benchmark
        self.redraws = 0
        self._pad_digit: np.ndarray | None = None  # the newest drawing, not yet sent to the worker
        self._slow_views_drawn_at = -math.inf
        self._shut_down = False
        self._build(epochs)
        self._connect()
        self._pad_timer = QTimer(self, singleShot=True, interval=redraw_interval_ms)
        self._pad_timer.timeout.connect(self._on_pad_send_due)
        # the thread must stop even if nobody calls shutdown(); the stopper holds no reference to self
        self.destroyed.connect(self.session.stopper())

    # --- building -------------------------------------------------------------------------------

    def _build(self, epochs: float | None) -> None:
        self.diagram = NetworkDiagram(self.config)
        self.feature_maps = FeatureMaps()
        self.scores_view = ScoresView()
        self.filter_grid = FilterGrid()
        self.curves = TrainingCurves()
        self.probe_strip = ProbeStrip(self.data.heldout)
        self.training_controls = TrainingControls(epochs)
        self.architecture_editor = ArchitectureEditor(self.config)
        self.model_files = ModelFileButtons()
        self.draw_pad = DrawPad()
        self.clear_pad_button = QPushButton("Clear")
        self.clear_pad_button.setToolTip("Wipe the pad and show the chosen probe digit again.")
        # one line for the window's status bar (the host places it: see MainWindow)
        self.status_label = QLabel("")
        self.status_label.setAccessibleName("Training status")
        self.reason_label = NoteLabel(lines=3)
        self.heldout_check = HeldoutCheck(self)
        self._loaded_accuracy: float | None = None  # a loaded model's, until training evaluates it anew
        self.time_travel = TimeTravel(self)  # the Mistakes page and the timeline (issue 13)
        self.run_files = RunFiles(self, self.time_travel.mistakes)
        self.units = UnitInspector(self)  # a unit step by step, and what a map looks for (issue 12)

        # where the page scrolls (presentation mode) and a page's views do not fit beside the
        # controls even squeezed (the confusion matrix's counts at 200 %), the controls go under them
        row = FoldingRow(sidebar=True)
        row.add(self._controls_column())
        row.add(self._views_column(), 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addWidget(row)

    def _controls_column(self) -> QWidget:
        pad_header = QHBoxLayout()
        pad_header.addWidget(QLabel("<b>Draw a digit</b>"))
        pad_header.addStretch(1)
        pad_header.addWidget(self.clear_pad_button)
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.training_controls)
        column.addWidget(self.architecture_editor)
        column.addWidget(self.model_files)
        column.addLayout(pad_header)
        column.addWidget(self.draw_pad, 1)
        column.addWidget(self.reason_label)
        keep_fitted_width(panel)  # as wide as its boxes need, at any text size
        # in a row of its own the panel is asked its height at its own width: a column under the
        # pages (presentation mode) would ask it at the column's, and the square draw pad with it
        side = QWidget()
        side.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)  # at the left of a column
        line = QHBoxLayout(side)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(panel)
        return side

    def _views_column(self) -> QWidget:
        top = captioned_row("<b>How the network sees the probe digit</b> — feature maps after each "
                             "conv + ReLU and after pooling (bright = strong response)",
                             self.feature_maps, self.scores_view, side_stretch=1)
        bottom = captioned_row("<b>Learned kernels</b> — blue negative, white 0, red positive; "
                                "deeper layers: a row per input map, a column per kernel",
                                self.filter_grid, self.curves, side_stretch=2)

        splitter = PaneSplitter()
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([1, 1])

        network_page = QWidget()
        page = QVBoxLayout(network_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(4)
        page.addWidget(self.diagram)
        page.addWidget(self.units.beside(splitter), 1)
        views = QWidget()
        column = QVBoxLayout(views)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.time_travel.pages(network_page), 1)
        column.addWidget(self.probe_strip)
        return views

    def _connect(self) -> None:
        controls, session = self.training_controls, self.session
        controls.play_clicked.connect(self._on_play_clicked)
        controls.step_clicked.connect(self._on_step_clicked)
        controls.reset_clicked.connect(self._on_reset_clicked)
        controls.learning_rate_chosen.connect(session.set_learning_rate)
        controls.learning_rate_decay_chosen.connect(session.set_learning_rate_decay)
        controls.batch_size_chosen.connect(session.set_batch_size)
        controls.optimizer_chosen.connect(session.set_optimizer)
        controls.epochs_chosen.connect(session.set_epochs)
        self.model_files.save_clicked.connect(self._on_save_clicked)
        self.model_files.load_clicked.connect(self._on_load_clicked)
        self.clear_pad_button.clicked.connect(self.draw_pad.clear)
        self.probe_strip.probe_chosen.connect(self._on_probe_chosen)
        self.draw_pad.digit_drawn.connect(self._on_digit_drawn)
        self.draw_pad.cleared.connect(self._on_pad_cleared)
        self.heldout_check.finished.connect(self._on_heldout_checked)
        session.snapshot_received.connect(self._on_snapshot_received)
        session.running_changed.connect(self._on_running_changed)
        session.stopped.connect(self._on_stopped)
        session.failed.connect(self._on_failed)
        session.saved.connect(self._on_saved)
        self.time_travel.message_posted.connect(self._post)
        self.run_files.message_posted.connect(self._post)
        self.filter_grid.kernel_opened.connect(self.kernel_to_playground)

    # --- public ---------------------------------------------------------------------------------

    def latest_snapshot(self) -> Snapshot | None:
        return self.session.latest

    def shown_scores(self) -> np.ndarray:
        return self.scores_view.scores

    def save_model(self, path: str | Path) -> None:
        """Save the network as it is now (the engine's ``.npz``); the worker writes the file and
        ``model_saved(path)`` or an error message follows."""
        self.session.save_model(path)

    def load_model(self, path: str | Path) -> bool:
        """Continue from a saved model; on an error, say what is wrong and keep the present one."""
        try:
            network = Network.load(path)
        except ModelFileError as exc:
            self._post(f"Could not load the model: {exc}", error=True)
            return False
        self.architecture_editor.show_config(network.config)
        self.session.load_network(network)
        self._loaded_accuracy = None
        self.heldout_check.start(network.copy(), self.data.heldout)
        self._post(f"Loaded {Path(path).name}: {network.config.parameter_count:,} parameters.")
        return True

    def redraw(self) -> None:
        """Draw the latest snapshot again (after a change of colours, View ▸ Colours)."""
        if self.latest_snapshot() is not None:
            self._show(self.latest_snapshot())

    def shutdown(self) -> bool:
        """Stop training and wait for the worker thread (at most about a second)."""
        if self._shut_down:
            return not self.session.is_alive()
        self._shut_down = True
        return self.session.shutdown(1000)

    # --- controls -------------------------------------------------------------------------------

    def _post(self, text: str, *, error: bool = False) -> None:
        keep_ink(self.reason_label, "error" if error else "good")
        self.reason_label.set_note(text)
        self.message_posted.emit(text)

    @Slot()
    def _on_play_clicked(self) -> None:
        if self.session.running:
            self.session.pause()
        else:
            self._post("")
            self.session.play()

    @Slot()
    def _on_step_clicked(self) -> None:
        self.session.step()

    @Slot()
    def _on_reset_clicked(self) -> None:
        try:
            config = self.architecture_editor.config()
        except ValueError as exc:
            self._post(str(exc), error=True)
            return
        self._post("")
        self.heldout_check.cancel()
        self._loaded_accuracy = None
        self.session.reset(config)

    @Slot()
    def _on_save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save model", "model.npz", MODEL_FILTER)
        if path:
            self.save_model(path if path.endswith(".npz") else path + ".npz")

    @Slot()
    def _on_load_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load model", "", MODEL_FILTER)
        if path:
            self.load_model(path)

    # --- probe and draw pad ---------------------------------------------------------------------

    @Slot(int)
    def _on_probe_chosen(self, index: int) -> None:
        self.session.set_probe(index)

    @Slot(object)
    def _on_digit_drawn(self, digit) -> None:
        if digit is None:
            return
        self._pad_digit = digit
        self.probe_strip.select_none()
        if not self._pad_timer.isActive():  # at most one drawing per redraw interval goes to the worker
            self._pad_timer.start()

    @Slot()
    def _on_pad_send_due(self) -> None:
        if self._pad_digit is not None:
            # the worker computes the drawn digit's maps and scores with the live weights
            self.session.set_probe(self._pad_digit)
            self._pad_digit = None

    @Slot()
    def _on_pad_cleared(self) -> None:
        self._pad_digit = None
        self._pad_timer.stop()
        checked = self.probe_strip.group.checkedButton()
        if checked is None and self.probe_strip.buttons:
            self.probe_strip.buttons[0].click()

    # --- from the session -----------------------------------------------------------------------

    @Slot(object)
    def _on_snapshot_received(self, snapshot: Snapshot) -> None:
        self._show(snapshot)

    def _show(self, snapshot: Snapshot) -> None:
        start = time.perf_counter()
        if snapshot.config != self.diagram.config:
            self.diagram.set_config(snapshot.config)
            self.architecture_editor.set_applied_config(snapshot.config)
        past = self.time_travel.viewing  # the timeline shows a past step: the probe's views are its
        if not past:
            self.feature_maps.set_activations(snapshot.activations)
            self.scores_view.set_scores(snapshot.scores, snapshot.predicted, snapshot.probe_label)
        # The kernels and curves change little between two frames and are the dearest parts of a
        # redraw (the GUI's CPU time is taken from the trainer): a few times a second is enough.
        settled = snapshot.step == 0 or not self.session.running
        if start - self._slow_views_drawn_at >= SLOW_VIEWS_INTERVAL or settled:
            if not past:
                self.filter_grid.set_kernels(snapshot.kernels, frozen=snapshot.frozen_channels)
            self.curves.set_history(self.session.history)
            self._slow_views_drawn_at = start
        self.status_label.setText(self._status_text(snapshot))
        self.training_controls.show_rate_in_use(snapshot.learning_rate)  # the decayed rate
        self.redraws += 1
        self.redraw_seconds.append(time.perf_counter() - start)

    def _status_text(self, s: Snapshot) -> str:
        speed = f"{s.samples_per_second:,.0f} digits/s" if math.isfinite(s.samples_per_second) else "— digits/s"
        if s.latest_heldout_accuracy is not None:
            heldout = f"{100 * s.latest_heldout_accuracy:.1f} %"
        elif self._loaded_accuracy is not None:
            heldout = f"{100 * self._loaded_accuracy:.1f} % (as loaded)"
        else:
            heldout = "—"
        return (f"step <b>{s.step:,}</b> · epoch <b>{s.epoch:.2f}</b> · {s.samples_seen:,} digits seen · "
                f"{speed} · held-out accuracy <b>{heldout}</b>")

    @Slot(bool)
    def _on_running_changed(self, running: bool) -> None:
        self.training_controls.set_running(running)
        latest = self.latest_snapshot()
        if not running and latest is not None:
            self._show(latest)  # the kernels and curves, which are drawn less often while training

    @Slot(object)
    def _on_stopped(self, reason: StopReason) -> None:
        self._post(("Training stopped: " if reason.diverged else "Finished: ") + reason.message, error=reason.diverged)

    @Slot(str, int)
    def _on_saved(self, path: str, step: int) -> None:
        self._post(f"Saved the model after step {step:,} to {path}.")
        self.model_saved.emit(path)

    @Slot(int, float)
    def _on_heldout_checked(self, ticket: int, accuracy: float) -> None:
        if ticket != self.heldout_check.ticket:
            return  # a model loaded earlier, or reset since
        self._loaded_accuracy = accuracy
        latest = self.latest_snapshot()
        if latest is not None:
            self.status_label.setText(self._status_text(latest))

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._post(message, error=True)

