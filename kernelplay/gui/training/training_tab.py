"""Tab 2: train the digit CNN and watch it learn — kernels, feature maps, scores and curves, live."""
from __future__ import annotations

import math
import time
from collections import deque
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from kernelplay.nn.datasets import DigitSplit, load_digits
from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.model_file import ModelFileError
from kernelplay.nn.network import Network
from kernelplay.nn.snapshot import Snapshot, StopReason
from kernelplay.gui.training.curves import TrainingCurves
from kernelplay.gui.training.draw_pad import DrawPad
from kernelplay.gui.training.feature_maps import FeatureMaps
from kernelplay.gui.training.filter_grid import FilterGrid
from kernelplay.gui.training.network_diagram import NetworkDiagram
from kernelplay.gui.training.probe_strip import ProbeStrip, pick_probes
from kernelplay.gui.training.scores import ScoresView
from kernelplay.gui.training.session import TrainingSession

__all__ = ["TrainingTab"]

MODEL_FILTER = "kernelplay model (*.npz);;All files (*)"
LEARNING_RATES = ("0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.1", "1", "10")
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512)
OPTIMIZER_NAMES = {"Adam": "adam", "SGD + momentum": "sgd"}
SLOW_VIEWS_INTERVAL = 0.25  # seconds between two redraws of the kernels and curves while training
# ≈ 10 redraws/s: smooth to watch, and the GUI then needs ~7 % of one core, so training keeps
# ~93 % of its speed on 2 cores (at 12.5/s, 90 %; see benchmarks/bench_training_gui.py)
REDRAW_INTERVAL_MS = 100


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setToolTip(tip)
    return box


class TrainingTab(QWidget):
    """Controls on the left; on the right the network diagram, the probe digit's feature maps and
    scores, the learned kernels, the curves and the probe strip.

    ``TrainingTab()`` trains the bundled digits with the default network. Tests and benchmarks may
    pass ``data`` (a small ``DigitSplit``), ``config``, ``snapshot_interval`` (seconds between
    snapshots while training), ``redraw_interval_ms``, ``threads`` (the trainer's data-parallel
    threads) and ``backend`` (``"process"``, the default, or ``"thread"``; see ``session.py``). Call :meth:`shutdown` before closing; destroying the tab also stops training.
    ``message_posted(str)`` carries confirmations and errors (save, load, refused settings);
    ``model_saved(path)`` follows :meth:`save_model`.
    """

    message_posted = Signal(str)
    model_saved = Signal(str)

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
        self.session.snapshot_received.connect(self._on_snapshot_received)
        self.session.running_changed.connect(self._on_running_changed)
        self.session.stopped.connect(self._on_stopped)
        self.session.failed.connect(self._on_failed)
        self.session.saved.connect(self._on_saved)
        self.probe_strip.probe_chosen.connect(self._on_probe_chosen)
        self.draw_pad.digit_drawn.connect(self._on_digit_drawn)
        self.draw_pad.cleared.connect(self._on_pad_cleared)
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
        self.draw_pad = DrawPad()
        self.status_label = QLabel("")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason_label = QLabel("")
        self.reason_label.setWordWrap(True)
        self.reason_label.hide()

        maps_caption = QLabel("<b>How the network sees the probe digit</b> — feature maps after each "
                              "conv + ReLU and after pooling (bright = strong response)")
        maps_caption.setWordWrap(True)
        kernels_caption = QLabel("<b>Learned kernels</b> — blue negative, white 0, red positive; "
                                 "deeper layers: a row per input map, a column per kernel")
        kernels_caption.setWordWrap(True)

        top = QWidget()
        top_row = QHBoxLayout(top)
        top_row.setContentsMargins(0, 0, 0, 0)
        maps_column = QVBoxLayout()
        maps_column.addWidget(maps_caption)
        maps_column.addWidget(self.feature_maps, 1)
        top_row.addLayout(maps_column, 3)
        top_row.addWidget(self.scores_view, 1)

        bottom = QWidget()
        bottom_row = QHBoxLayout(bottom)
        bottom_row.setContentsMargins(0, 0, 0, 0)
        kernels_column = QVBoxLayout()
        kernels_column.addWidget(kernels_caption)
        kernels_column.addWidget(self.filter_grid, 1)
        bottom_row.addLayout(kernels_column, 3)
        bottom_row.addWidget(self.curves, 2)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([1, 1])

        views = QVBoxLayout()
        views.setSpacing(4)
        views.addWidget(self.diagram)
        views.addWidget(splitter, 1)
        views.addWidget(self.probe_strip)

        row = QHBoxLayout(self)
        row.setContentsMargins(6, 6, 6, 6)
        row.addWidget(self._build_controls(epochs))
        row.addLayout(views, 1)

    def _build_controls(self, epochs: float | None) -> QWidget:
        panel = QWidget()
        panel.setFixedWidth(258)
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)

        # training
        self.play_button = QPushButton("Train")
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip("Start or pause training on the training digits.")
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Train on one batch, then pause: watch a single weight update.")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Start again from fresh random weights, with the architecture below.")
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button, 2)
        buttons.addWidget(self.step_button, 1)
        buttons.addWidget(self.reset_button, 1)
        self.learning_rate_box = QComboBox()
        self.learning_rate_box.setEditable(True)
        self.learning_rate_box.addItems(LEARNING_RATES)
        self.learning_rate_box.setCurrentText("0.001")
        self.learning_rate_box.setToolTip("How big a step each weight takes against its gradient. Too small learns "
                                          "slowly; too large (try 10) makes the loss explode.")
        self.batch_size_box = QComboBox()
        self.batch_size_box.addItems([str(b) for b in BATCH_SIZES])
        self.batch_size_box.setCurrentText("64")
        self.batch_size_box.setToolTip("Digits averaged into one weight update.")
        self.optimizer_box = QComboBox()
        self.optimizer_box.addItems(list(OPTIMIZER_NAMES))
        self.optimizer_box.setToolTip("Adam adapts each weight's step size; SGD with momentum follows the gradient "
                                      "with some inertia.")
        self.epochs_box = _spin(0, 100, 0 if epochs is None else int(math.ceil(epochs)),
                                "Passes over the training digits before training stops by itself.")
        self.epochs_box.setSpecialValueText("until stopped")
        self.epochs_box.setSuffix(" epochs")
        training = QGroupBox("Training")
        form = QFormLayout(training)
        form.addRow(buttons)
        form.addRow("Learning rate", self.learning_rate_box)
        form.addRow("Batch size", self.batch_size_box)
        form.addRow("Optimiser", self.optimizer_box)
        form.addRow("Run for", self.epochs_box)
        column.addWidget(training)

        # architecture
        c = self.config
        self.stages_box = _spin(1, 3, c.num_stages, "Conv stages: each is conv → ReLU → 2×2 max-pool.")
        self.channel_boxes = [_spin(1, 64, c.channels[i] if i < c.num_stages else 8 * (i + 1),
                                    f"Kernels (output maps) of conv stage {i + 1}.") for i in range(3)]
        channels = QHBoxLayout()
        for box in self.channel_boxes:
            channels.addWidget(box)
        self.kernel_size_box = QComboBox()
        self.kernel_size_box.addItems(["3×3", "5×5"])
        self.kernel_size_box.setCurrentIndex(0 if c.kernel_size == 3 else 1)
        self.kernel_size_box.setToolTip("Width and height of every conv kernel.")
        self.fc_width_box = _spin(1, 1024, c.fc_width, "Units of the fully connected layer before the 10 scores.")
        self.parameter_label = QLabel()
        architecture = QGroupBox("Architecture (applied on reset)")
        arch_form = QFormLayout(architecture)
        arch_form.addRow("Conv stages", self.stages_box)
        arch_form.addRow("Channels", channels)
        arch_form.addRow("Kernel size", self.kernel_size_box)
        arch_form.addRow("FC width", self.fc_width_box)
        arch_form.addRow(self.parameter_label)
        column.addWidget(architecture)

        # model files
        self.save_button = QPushButton("Save model…")
        self.save_button.setToolTip("Write the weights to a .npz file (loadable into PyTorch too).")
        self.load_button = QPushButton("Load model…")
        self.load_button.setToolTip("Continue from a saved .npz model; its architecture replaces the one above.")
        files = QHBoxLayout()
        files.addWidget(self.save_button)
        files.addWidget(self.load_button)
        column.addLayout(files)

        # draw pad
        pad_box = QGroupBox("Draw a digit")
        pad_column = QVBoxLayout(pad_box)
        pad_column.addWidget(self.draw_pad, 1)
        self.clear_pad_button = QPushButton("Clear")
        self.clear_pad_button.setToolTip("Wipe the pad and show the chosen probe digit again.")
        pad_column.addWidget(self.clear_pad_button)
        column.addWidget(pad_box, 1)
        column.addWidget(self.status_label)
        column.addWidget(self.reason_label)

        self.play_button.clicked.connect(self._on_play_clicked)
        self.step_button.clicked.connect(self._on_step_clicked)
        self.reset_button.clicked.connect(self._on_reset_clicked)
        self.learning_rate_box.currentTextChanged.connect(self._on_learning_rate_edited)
        self.batch_size_box.currentTextChanged.connect(self._on_batch_size_chosen)
        self.optimizer_box.currentTextChanged.connect(self._on_optimizer_chosen)
        self.epochs_box.valueChanged.connect(self._on_epochs_changed)
        self.stages_box.valueChanged.connect(self._on_architecture_edited)
        for box in self.channel_boxes:
            box.valueChanged.connect(self._on_architecture_edited)
        self.kernel_size_box.currentIndexChanged.connect(self._on_architecture_edited)
        self.fc_width_box.valueChanged.connect(self._on_architecture_edited)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.load_button.clicked.connect(self._on_load_clicked)
        self.clear_pad_button.clicked.connect(self.draw_pad.clear)
        self._on_architecture_edited()
        return panel

    # --- public ---------------------------------------------------------------------------------

    def architecture(self) -> NetworkConfig:
        """The architecture the controls describe (used at the next reset)."""
        stages = self.stages_box.value()
        return NetworkConfig(channels=tuple(b.value() for b in self.channel_boxes[:stages]),
                             kernel_size=3 if self.kernel_size_box.currentIndex() == 0 else 5,
                             fc_width=self.fc_width_box.value())

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
            self._post(f"Could not load the model: {exc}")
            return False
        self._set_architecture_controls(network.config)
        self.session.load_network(network)
        self._post(f"Loaded {Path(path).name}: {network.config.parameter_count:,} parameters.")
        return True

    def shutdown(self) -> bool:
        """Stop training and wait for the worker thread (at most about a second)."""
        if self._shut_down:
            return not self.session.is_alive()
        self._shut_down = True
        return self.session.shutdown(1000)

    # --- controls -------------------------------------------------------------------------------

    def _post(self, text: str, *, error: bool = False) -> None:
        self.reason_label.setStyleSheet("color: #b3261e;" if error else "color: #2f4f2f;")
        self.reason_label.setText(text)
        self.reason_label.setVisible(bool(text))
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
            config = self.architecture()
        except ValueError as exc:
            self._post(str(exc), error=True)
            return
        self._post("")
        self.session.reset(config)

    @Slot(str)
    def _on_learning_rate_edited(self, text: str) -> None:
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            value = math.nan
        if not (value > 0 and math.isfinite(value)):
            self.learning_rate_box.setStyleSheet("QComboBox { color: #b3261e; }")
            return
        self.learning_rate_box.setStyleSheet("")
        self.session.set_learning_rate(value)

    @Slot(str)
    def _on_batch_size_chosen(self, text: str) -> None:
        self.session.set_batch_size(int(text))

    @Slot(str)
    def _on_optimizer_chosen(self, text: str) -> None:
        self.session.set_optimizer(OPTIMIZER_NAMES[text])

    @Slot(int)
    def _on_epochs_changed(self, value: int) -> None:
        self.session.set_epochs(None if value == 0 else float(value))

    def _set_architecture_controls(self, config: NetworkConfig) -> None:
        boxes = [self.stages_box, *self.channel_boxes, self.kernel_size_box, self.fc_width_box]
        for box in boxes:
            box.blockSignals(True)
        self.stages_box.setValue(config.num_stages)
        for box, channels in zip(self.channel_boxes, config.channels):
            box.setValue(channels)
        self.kernel_size_box.setCurrentIndex(0 if config.kernel_size == 3 else 1)
        self.fc_width_box.setValue(config.fc_width)
        for box in boxes:
            box.blockSignals(False)
        self._on_architecture_edited()

    @Slot()
    def _on_architecture_edited(self, *_) -> None:
        stages = self.stages_box.value()
        for i, box in enumerate(self.channel_boxes):
            box.setEnabled(i < stages)
        config = self.architecture()
        shown = self.session.latest.config if self.session.latest is not None else self.config
        pending = "" if config == shown else " — press Reset to apply"
        self.parameter_label.setText(f"{config.parameter_count:,} parameters{pending}")

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
            self._on_architecture_edited()
        self.feature_maps.set_activations(snapshot.activations)
        self.scores_view.set_scores(snapshot.scores, snapshot.probe_label)
        # The kernels and curves change little between two frames and are the dearest parts of a
        # redraw (the GUI's CPU time is taken from the trainer): a few times a second is enough.
        settled = snapshot.step == 0 or not self.session.running
        if start - self._slow_views_drawn_at >= SLOW_VIEWS_INTERVAL or settled:
            self.filter_grid.set_kernels(snapshot.kernels)
            self.curves.set_history(self.session.history)
            self._slow_views_drawn_at = start
        self.status_label.setText(self._status_text(snapshot))
        self.redraws += 1
        self.redraw_seconds.append(time.perf_counter() - start)

    @staticmethod
    def _status_text(s: Snapshot) -> str:
        speed = f"{s.samples_per_second:,.0f} digits/s" if math.isfinite(s.samples_per_second) else "— digits/s"
        heldout = ("—" if s.latest_heldout_accuracy is None else f"{100 * s.latest_heldout_accuracy:.1f} %")
        return (f"step <b>{s.step:,}</b> · epoch <b>{s.epoch:.2f}</b><br>"
                f"{s.samples_seen:,} digits seen · {speed}<br>"
                f"held-out accuracy <b>{heldout}</b>")

    @Slot(bool)
    def _on_running_changed(self, running: bool) -> None:
        self.play_button.setText("Pause" if running else "Train")
        icon = QStyle.StandardPixmap.SP_MediaPause if running else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
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

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._post(message, error=True)
