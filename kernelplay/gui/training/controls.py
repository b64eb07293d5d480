"""The training tab's controls: the training group (Train/Pause, Step, Reset, learning rate and its
decay, batch size, optimiser, epochs), the architecture editor, and the Save/Load buttons.

They hold no training state: each announces what the user chose, already parsed and checked by the
core's rules (a learning rate the optimiser would refuse only turns the box red).
"""
from __future__ import annotations

import math

from PySide6.QtCore import QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QStyle,
    QStyleOptionComboBox,
    QWidget,
)

from kernelplay.nn.config import KERNEL_SIZES, MAX_CHANNELS, MAX_FC_WIDTH, MAX_STAGES, NetworkConfig
from kernelplay.nn.optim import check_learning_rate
from kernelplay.nn.schedule import DECAY_EPOCHS, DECAY_FLOOR
from kernelplay.nn.worker import DEFAULT_LEARNING_RATE
from kernelplay.gui.theme import keep_ink
from kernelplay.gui.training.note_label import NoteLabel

__all__ = ["TrainingControls", "ArchitectureEditor", "ModelFileButtons", "LEARNING_RATES", "BATCH_SIZES",
           "OPTIMIZER_NAMES"]

LEARNING_RATES = ("0.0001", "0.0003", "0.001", "0.002", "0.003", "0.01", "0.03", "0.1", "1", "10")
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512)
OPTIMIZER_NAMES = {"Adam": "adam", "SGD + momentum": "sgd"}  # shown → kernelplay.nn.optim.OPTIMIZERS


class _RateCheckBox(QCheckBox):
    """A check box as wide as its widest rate, so that the row holds still while the rate it shows
    falls, at any text size."""

    _WIDEST = "0.00014"

    def _widened(self, hint: QSize) -> QSize:
        metrics, flags = self.fontMetrics(), Qt.TextFlag.TextShowMnemonic  # as QCheckBox measures its text
        extra = metrics.size(flags, self._WIDEST).width() - metrics.size(flags, self.text()).width()
        return QSize(hint.width() + max(0, extra), hint.height())

    def sizeHint(self) -> QSize:
        return self._widened(super().sizeHint())

    def minimumSizeHint(self) -> QSize:
        return self._widened(super().minimumSizeHint())


class _RateBox(QComboBox):
    """An editable combo box whose text field holds its widest rate (or the text typed) whole, at
    any text size: an editable box asks only for room for a few characters, and at 200 % its
    field showed 49 px of "0.002"'s 69."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        metrics = self.fontMetrics()
        text = max(metrics.horizontalAdvance(t) for t in (*LEARNING_RATES, self.currentText()))
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        option.rect = QRect(0, 0, hint.width(), hint.height())
        room = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                           QStyle.SubControl.SC_ComboBoxEditField, self).width()
        return QSize(hint.width() + max(0, text + 4 - room), hint.height())  # 4: QLineEdit's 2 px a side


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setToolTip(tip)
    return box


class TrainingControls(QGroupBox):
    """Train/Pause, Step and Reset; learning rate and its decay, batch size, optimiser and the epoch
    budget; the rate training uses now (:meth:`show_rate_in_use`: the decayed one).

    Signals: ``play_clicked``, ``step_clicked``, ``reset_clicked``, ``learning_rate_chosen(float)``
    (valid rates only), ``learning_rate_decay_chosen(bool)``, ``batch_size_chosen(int)``,
    ``optimizer_chosen(str)`` (``"adam"`` or ``"sgd"``) and ``epochs_chosen(object)`` (a number of
    epochs, or None: until stopped).
    """

    play_clicked = Signal()
    step_clicked = Signal()
    reset_clicked = Signal()
    learning_rate_chosen = Signal(float)
    learning_rate_decay_chosen = Signal(bool)
    batch_size_chosen = Signal(int)
    optimizer_chosen = Signal(str)
    epochs_chosen = Signal(object)

    def __init__(self, epochs: float | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Training", parent)
        self.play_button = QPushButton("Train")
        self.play_button.setToolTip("Start or pause training on the training digits.")
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Train on one batch, then pause: watch a single weight update.")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Start again from fresh random weights, with the architecture below.")
        self.set_running(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button, 2)
        buttons.addWidget(self.step_button, 1)
        buttons.addWidget(self.reset_button, 1)
        self.learning_rate_box = _RateBox()
        self.learning_rate_box.setEditable(True)
        self.learning_rate_box.addItems(LEARNING_RATES)
        self.learning_rate_box.setCurrentText(f"{DEFAULT_LEARNING_RATE:g}")
        self.learning_rate_box.setToolTip("How big a step each weight takes against its gradient. Too small learns "
                                          "slowly; too large (try 10) makes the loss explode.")
        # the decay's check box shows the rate in use, on the rate's row, in two digits: so the tab
        # fits 1024×700 with its controls no wider than before
        self.decay_box = _RateCheckBox()
        self.decay_box.setChecked(True)
        self.decay_box.setToolTip(
            f"Decay: lower the learning rate along a cosine to {DECAY_FLOOR:.0%} of the chosen one over the "
            f"epochs of 'Run for' ({DECAY_EPOCHS:g} epochs when running until stopped), then keep it there: big "
            "steps first, fine ones at the end. It starts again from the chosen rate when you choose a rate or "
            "an optimiser, and on Reset. Its number is the rate training uses now (that of the latest step).")
        self.show_rate_in_use(DEFAULT_LEARNING_RATE)
        rate_row = QHBoxLayout()
        rate_row.addWidget(self.learning_rate_box, 1)
        rate_row.addWidget(self.decay_box)
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
        form = QFormLayout(self)
        form.addRow(buttons)
        form.addRow("Learning rate", rate_row)
        form.addRow("Batch size", self.batch_size_box)
        form.addRow("Optimiser", self.optimizer_box)
        form.addRow("Run for", self.epochs_box)

        self.play_button.clicked.connect(self.play_clicked)
        self.step_button.clicked.connect(self.step_clicked)
        self.reset_button.clicked.connect(self.reset_clicked)
        self.learning_rate_box.currentTextChanged.connect(self._on_learning_rate_edited)
        self.decay_box.toggled.connect(self._on_decay_toggled)
        self.batch_size_box.currentTextChanged.connect(self._on_batch_size_chosen)
        self.optimizer_box.currentTextChanged.connect(self._on_optimizer_chosen)
        self.epochs_box.valueChanged.connect(self._on_epochs_changed)

    def set_running(self, running: bool) -> None:
        """Show Pause while training runs, Train while it does not."""
        self.play_button.setText("Pause" if running else "Train")
        icon = QStyle.StandardPixmap.SP_MediaPause if running else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))

    def show_rate_in_use(self, learning_rate: float) -> None:
        """The learning rate training uses now (a snapshot's: the chosen one, decayed)."""
        text = f"{learning_rate:.2g}"
        if text != self.decay_box.text():  # ten snapshots a second: relayout only on a change
            self.decay_box.setText(text)

    def show_settings(self, settings: dict) -> None:
        """Set the boxes to a loaded run's ``learning_rate``, ``learning_rate_decay``, ``batch_size``
        and ``optimizer`` (the keys it lacks are left); each box announces its value, so training
        takes them too."""
        if "learning_rate" in settings:
            self.learning_rate_box.setCurrentText(f"{float(settings['learning_rate']):g}")
        if isinstance(settings.get("learning_rate_decay"), bool):
            self.decay_box.setChecked(settings["learning_rate_decay"])
        if str(settings.get("batch_size")) in [str(b) for b in BATCH_SIZES]:
            self.batch_size_box.setCurrentText(str(settings["batch_size"]))
        shown = {name: text for text, name in OPTIMIZER_NAMES.items()}
        if settings.get("optimizer") in shown:
            self.optimizer_box.setCurrentText(shown[settings["optimizer"]])

    @Slot(str)
    def _on_learning_rate_edited(self, text: str) -> None:
        value = self._chosen_rate(text)
        if value is None:
            keep_ink(self.learning_rate_box, "error", QPalette.ColorRole.Base)
            return
        keep_ink(self.learning_rate_box, None)
        self.show_rate_in_use(value)  # a chosen rate starts its decay anew
        self.learning_rate_chosen.emit(value)

    @Slot(bool)
    def _on_decay_toggled(self, decay: bool) -> None:
        rate = self._chosen_rate(self.learning_rate_box.currentText())
        if rate is not None:
            self.show_rate_in_use(rate)  # either way, training goes on from the chosen rate
        self.learning_rate_decay_chosen.emit(decay)

    @staticmethod
    def _chosen_rate(text: str) -> float | None:
        """The rate ``text`` names (a decimal comma allowed), or None if the optimiser would refuse it."""
        try:
            return check_learning_rate(text.replace(",", "."))
        except ValueError:
            return None

    @Slot(str)
    def _on_batch_size_chosen(self, text: str) -> None:
        self.batch_size_chosen.emit(int(text))

    @Slot(str)
    def _on_optimizer_chosen(self, text: str) -> None:
        self.optimizer_chosen.emit(OPTIMIZER_NAMES[text])

    @Slot(int)
    def _on_epochs_changed(self, value: int) -> None:
        self.epochs_chosen.emit(None if value == 0 else float(value))


class ArchitectureEditor(QGroupBox):
    """Conv stages, their channels, the kernel size and the FC width of the next network, with its
    parameter count — and, on a second line, "press Reset to apply" while it differs from the network
    being trained."""

    def __init__(self, config: NetworkConfig, parent: QWidget | None = None) -> None:
        super().__init__("Architecture (applied on reset)", parent)
        self._applied = config
        self.stages_box = _spin(1, MAX_STAGES, config.num_stages, "Conv stages: each is conv → ReLU → 2×2 max-pool.")
        self.channel_boxes = [_spin(1, MAX_CHANNELS, config.channels[i] if i < config.num_stages else 8 * (i + 1),
                                    f"Kernels (output maps) of conv stage {i + 1}.") for i in range(MAX_STAGES)]
        channels = QHBoxLayout()
        for box in self.channel_boxes:
            channels.addWidget(box)
        self.kernel_size_box = QComboBox()
        self.kernel_size_box.addItems([f"{k}×{k}" for k in KERNEL_SIZES])
        self.kernel_size_box.setCurrentIndex(KERNEL_SIZES.index(config.kernel_size))
        self.kernel_size_box.setToolTip("Width and height of every conv kernel.")
        self.fc_width_box = _spin(1, MAX_FC_WIDTH, config.fc_width,
                                  "Units of the fully connected layer before the 10 scores.")
        self.parameter_label = NoteLabel(lines=2)  # two lines kept: "press Reset to apply" moves nothing
        form = QFormLayout(self)
        form.addRow("Conv stages", self.stages_box)
        form.addRow("Channels", channels)
        form.addRow("Kernel size", self.kernel_size_box)
        form.addRow("FC width", self.fc_width_box)
        form.addRow(self.parameter_label)

        self.stages_box.valueChanged.connect(self._on_edited)
        for box in self.channel_boxes:
            box.valueChanged.connect(self._on_edited)
        self.kernel_size_box.currentIndexChanged.connect(self._on_edited)
        self.fc_width_box.valueChanged.connect(self._on_edited)
        self._on_edited()

    def config(self) -> NetworkConfig:
        """The architecture the boxes describe (``ValueError`` if the core refuses it)."""
        stages = self.stages_box.value()
        return NetworkConfig(channels=tuple(b.value() for b in self.channel_boxes[:stages]),
                             kernel_size=KERNEL_SIZES[self.kernel_size_box.currentIndex()],
                             fc_width=self.fc_width_box.value())

    def show_config(self, config: NetworkConfig) -> None:
        """Set the boxes to ``config`` (e.g. a loaded model's) without announcing each box."""
        boxes = [self.stages_box, *self.channel_boxes, self.kernel_size_box, self.fc_width_box]
        for box in boxes:
            box.blockSignals(True)
        self.stages_box.setValue(config.num_stages)
        for box, channels in zip(self.channel_boxes, config.channels):
            box.setValue(channels)
        self.kernel_size_box.setCurrentIndex(KERNEL_SIZES.index(config.kernel_size))
        self.fc_width_box.setValue(config.fc_width)
        for box in boxes:
            box.blockSignals(False)
        self._on_edited()

    def set_applied_config(self, config: NetworkConfig) -> None:
        """The architecture of the network being trained now."""
        self._applied = config
        self._on_edited()

    @Slot()
    def _on_edited(self, *_) -> None:
        stages = self.stages_box.value()
        for i, box in enumerate(self.channel_boxes):
            box.setEnabled(i < stages)
        config = self.config()
        pending = "" if config == self._applied else "\npress Reset to apply"
        self.parameter_label.set_note(f"{config.parameter_count:,} parameters{pending}")


class ModelFileButtons(QWidget):
    """Save model… and Load model…, side by side (``save_clicked`` / ``load_clicked``)."""

    save_clicked = Signal()
    load_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.save_button = QPushButton("Save model…")
        self.save_button.setToolTip("Write the weights to a .npz file (loadable into PyTorch too).")
        self.load_button = QPushButton("Load model…")
        self.load_button.setToolTip("Continue from a saved .npz model; its architecture replaces the one above.")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.save_button)
        row.addWidget(self.load_button)
        self.save_button.clicked.connect(self.save_clicked)
        self.load_button.clicked.connect(self.load_clicked)
