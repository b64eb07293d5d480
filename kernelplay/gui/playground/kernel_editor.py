"""The kernel editor: presets, a 3×3 / 5×5 grid of typed weights, a divisor, the sum, normalise."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kernelplay.common.text import format_number
from kernelplay.imaging.kernels import KERNEL_SIZES, PRESETS, check_divisor, kernel_as_fraction, parse_weight

CUSTOM = "custom"
DEFAULT_PRESET = "sharpen"  # what a new user sees first: a visible change, as on setosa.io
_INVALID_STYLE = "background: #ffd6d6; border: 2px solid #d00000;"
CELL_DECIMALS = 6  # a typed weight is shown back as typed, not rounded to the labels' 2 decimals


def parse_number(text: str) -> float | None:
    """The number typed in ``text`` (see ``parse_weight``), or None when it is not one."""
    try:
        return parse_weight(text)
    except ValueError:
        return None


def _weight_problem(text: str) -> str | None:
    """Why ``text`` is not a usable weight (``parse_weight``'s sentence), or None."""
    try:
        parse_weight(text)
    except ValueError as error:
        return str(error)
    return None


def _divisor_problem(text: str) -> str | None:
    """Why ``text`` is not a usable divisor, or None."""
    problem = _weight_problem(text)
    if problem is not None:
        return f"divisor: {problem}"
    try:
        check_divisor(parse_weight(text))
    except ValueError as error:
        return str(error)
    return None


def _mark_invalid(cell: QLineEdit, invalid: bool) -> None:
    style = _INVALID_STYLE if invalid else ""
    if cell.styleSheet() != style:  # restyling is slow: only on a change
        cell.setStyleSheet(style)


class KernelCell(QLineEdit):
    """One typed weight. The mouse wheel nudges it by 1 (with Shift, by 0.1)."""

    nudged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumWidth(44)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Type a number. Mouse wheel: ±1 (Shift: ±0.1). Tab: next cell.")

    def wheelEvent(self, event: QWheelEvent) -> None:
        value = parse_number(self.text())
        steps = event.angleDelta().y() / 120
        if value is None or not steps:
            event.ignore()
            return
        step = 0.1 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1.0
        self.setText(format_number(value + steps * step, CELL_DECIMALS))
        self.nudged.emit()
        event.accept()


class KernelEditor(QWidget):
    """Edits a kernel as integer-friendly weights over a divisor: kernel = weights / divisor.

    ``kernel_changed`` fires with the effective (k, k) float64 kernel each time the cells hold a
    valid kernel; while any cell is not a number it is marked and nothing is emitted, so the
    last valid kernel stays applied.
    """

    kernel_changed = Signal(np.ndarray)
    validity_changed = Signal(str)  # "" when valid, else what is wrong

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._custom_kernels: dict[str, np.ndarray] = {}
        self._kernel = np.array(PRESETS[DEFAULT_PRESET], dtype=np.float64)
        self._cells: list[KernelCell] = []

        self.preset_box = QComboBox()
        self.preset_box.setToolTip("Choose a classic kernel; editing any weight makes it “custom”.")
        self.size_box = QComboBox()
        self.size_box.addItems([f"{k}×{k}" for k in KERNEL_SIZES])
        self.size_box.setToolTip("Kernel size: 3×3 or 5×5 weights.")
        self.divisor_cell = KernelCell()
        self.divisor_cell.setToolTip("Every product sum is divided by this (1 = no division).")
        self.sum_label = QLabel()
        self.sum_label.setToolTip("The sum of the kernel's weights: 1 keeps brightness, 0 keeps only edges.")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00000;")
        self.normalise_button = QPushButton("Normalise")
        self.normalise_button.setToolTip("Divide by the weights' sum so the kernel sums to 1 (keeps brightness).")

        self._grid = QGridLayout()
        self._grid.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(self.preset_box, 1)
        top.addWidget(self.size_box)
        divisor_row = QHBoxLayout()
        divisor_row.addWidget(QLabel("÷"))
        divisor_row.addWidget(self.divisor_cell, 1)
        divisor_row.addWidget(self.normalise_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(self._grid)
        layout.addLayout(divisor_row)
        layout.addWidget(self.sum_label)
        layout.addWidget(self.error_label)

        self.divisor_cell.textEdited.connect(self._on_cells_edited)
        self.divisor_cell.nudged.connect(self._on_cells_edited)
        self.preset_box.activated.connect(self._on_preset_chosen)
        self.size_box.activated.connect(self._on_size_chosen)
        self.normalise_button.clicked.connect(self.normalise)
        self._rebuild_preset_box()
        self.set_preset(DEFAULT_PRESET)

    # -- public --------------------------------------------------------------------------
    def kernel(self) -> np.ndarray:
        """The last valid kernel, (k, k) float64."""
        return self._kernel.copy()

    def preset_name(self) -> str:
        return self.preset_box.currentData()

    def cells(self) -> list[KernelCell]:
        """The weight cells in reading order."""
        return list(self._cells)

    def set_preset(self, name: str) -> None:
        """Show a built-in or saved kernel by name."""
        kernels = self.known_kernels()
        if name not in kernels:
            raise KeyError(f"no kernel {name!r}; known: {', '.join(kernels)}")
        self._show_kernel(kernels[name])
        self.preset_box.setCurrentIndex(self.preset_box.findData(name))
        self._apply_cells()

    def set_kernel(self, kernel: np.ndarray) -> None:
        """Show an arbitrary kernel (the selection becomes “custom”)."""
        self._show_kernel(np.asarray(kernel, dtype=np.float64))
        self._select_custom()
        self._apply_cells()

    def known_kernels(self) -> dict[str, np.ndarray]:
        return {**PRESETS, **self._custom_kernels}

    def custom_kernels(self) -> dict[str, np.ndarray]:
        return dict(self._custom_kernels)

    def add_custom_kernels(self, kernels: dict[str, np.ndarray]) -> None:
        """Add saved kernels to the list (a name of a built-in preset is kept as “name (mine)”)."""
        for name, kernel in kernels.items():
            key = name if name not in PRESETS else f"{name} (mine)"
            self._custom_kernels[key] = np.array(kernel, dtype=np.float64)
        self._rebuild_preset_box()

    @Slot()
    def normalise(self) -> None:
        """Set the divisor to the weights' sum, so the kernel sums to 1."""
        weights = self._read_weights()
        if weights is None or abs(float(weights.sum())) < 1e-12:
            return
        self.divisor_cell.setText(format_number(float(weights.sum()), CELL_DECIMALS))
        self._on_cells_edited()

    # -- building ------------------------------------------------------------------------
    def _rebuild_preset_box(self) -> None:
        current = self.preset_box.currentData()
        self.preset_box.clear()
        for name in PRESETS:
            self.preset_box.addItem(name, name)
        if self._custom_kernels:
            self.preset_box.insertSeparator(self.preset_box.count())
            for name in self._custom_kernels:
                self.preset_box.addItem(f"★ {name}", name)
        self.preset_box.insertSeparator(self.preset_box.count())
        self.preset_box.addItem(CUSTOM, CUSTOM)
        index = self.preset_box.findData(current)
        self.preset_box.setCurrentIndex(index if index >= 0 else self.preset_box.findData(CUSTOM))

    def _resize_grid(self, size: int) -> None:
        if len(self._cells) == size * size:
            return
        for cell in self._cells:
            self._grid.removeWidget(cell)
            cell.deleteLater()
        self._cells = []
        for index in range(size * size):
            cell = KernelCell()
            cell.textEdited.connect(self._on_cells_edited)
            cell.nudged.connect(self._on_cells_edited)
            self._grid.addWidget(cell, index // size, index % size)
            self._cells.append(cell)
        for previous, following in zip(self._cells, self._cells[1:] + [self.divisor_cell]):
            QWidget.setTabOrder(previous, following)
        self.size_box.setCurrentIndex(KERNEL_SIZES.index(size))

    def _show_kernel(self, kernel: np.ndarray) -> None:
        weights, divisor = kernel_as_fraction(kernel)
        self._resize_grid(kernel.shape[0])
        for cell, weight in zip(self._cells, np.ravel(weights)):
            cell.setText(format_number(float(weight), CELL_DECIMALS))
        self.divisor_cell.setText(format_number(float(divisor), CELL_DECIMALS))

    def _select_custom(self) -> None:
        self.preset_box.setCurrentIndex(self.preset_box.findData(CUSTOM))

    # -- reading -------------------------------------------------------------------------
    def _grid_size(self) -> int:
        return int(round(len(self._cells) ** 0.5))

    def _read_weights(self) -> np.ndarray | None:
        values = [parse_number(cell.text()) for cell in self._cells]
        if any(v is None for v in values):
            return None
        return np.array(values, dtype=np.float64).reshape(self._grid_size(), self._grid_size())

    def _apply_cells(self) -> None:
        """Validate every cell; emit the new kernel only when all are valid."""
        problems = []
        for index, cell in enumerate(self._cells):
            problem = _weight_problem(cell.text())
            _mark_invalid(cell, problem is not None)
            if problem is not None:
                row, col = divmod(index, self._grid_size())
                problems.append(f"row {row + 1}, column {col + 1}: {problem}")
        problem = _divisor_problem(self.divisor_cell.text())
        _mark_invalid(self.divisor_cell, problem is not None)
        if problem is not None:
            problems.append(problem)
        divisor = parse_number(self.divisor_cell.text())
        weights = self._read_weights()
        if problems or weights is None:
            message = "; ".join(problems) + ". The last valid kernel stays applied."
            self.error_label.setText(message[0].upper() + message[1:])
            self.validity_changed.emit(message)
            return
        self.error_label.setText("")
        self._kernel = weights / divisor
        total = float(weights.sum())
        if divisor == 1:
            self.sum_label.setText(f"Sum of weights: {format_number(total)}")
        else:
            self.sum_label.setText(
                f"Sum of weights: {format_number(total)} ÷ {format_number(divisor)} = {format_number(total / divisor)}"
            )
        self.normalise_button.setEnabled(abs(total) > 1e-12 and abs(total - divisor) > 1e-12)
        self.validity_changed.emit("")
        self.kernel_changed.emit(self.kernel())

    @Slot()
    def _on_cells_edited(self) -> None:
        self._select_custom()
        self._apply_cells()

    @Slot(int)
    def _on_preset_chosen(self, index: int) -> None:
        name = self.preset_box.itemData(index)
        if name != CUSTOM:
            self.set_preset(name)

    @Slot(int)
    def _on_size_chosen(self, index: int) -> None:
        size = KERNEL_SIZES[index]
        current = self._read_weights()
        if current is None or current.shape[0] == size:
            self.size_box.setCurrentIndex(KERNEL_SIZES.index(self._grid_size()))
            return
        # Keep the weights centred: 3×3 → 5×5 pads with zeros, 5×5 → 3×3 keeps the middle.
        resized = np.zeros((size, size))
        if size > current.shape[0]:
            resized[1:-1, 1:-1] = current
        else:
            resized = current[1:-1, 1:-1]
        divisor = parse_number(self.divisor_cell.text()) or 1.0
        self._resize_grid(size)
        for cell, weight in zip(self._cells, np.ravel(resized)):
            cell.setText(format_number(float(weight), CELL_DECIMALS))
        self.divisor_cell.setText(format_number(divisor, CELL_DECIMALS))
        self._on_cells_edited()
