"""The kernel editor: presets, a 3×3 / 5×5 grid of typed weights, a divisor, the sum, normalise.

While a cell is being typed, each number it holds on the way applies at once (``1e4`` on the way
to ``1e40``). An entry on its way to a number (``-``, ``.``, ``1e-``, ``1/``, empty) is not an error
yet: it is marked softly and nothing is said until the user leaves the cell with it. Text no typing
can save (``5x``, ``1e40``) is marked and said at once. Either way the kernel from before this edit
applies again — what the cell held when the user began to change it, not a number they only passed
through — and the complaint is withdrawn as soon as the cell holds a number.

The complaint is one sentence, the same in the window's message bar: it names the cell being typed
(else the first marked) and counts the others, and quotes a long entry by its start. It is shown
in place of the kernel's note, in a room kept as tall as the longest such sentence needs at the
editor's width, so neither the message nor the note ever moves the grid or what lies below.

*Normalise* keeps the divisor equal to the weights' sum while the weights change (a blur stays a
blur when it is edited or resized; weights summing to 0 get ÷ 1). Presets with a divisor (blur,
gaussian, unsharp mask) come with it ticked; a divisor typed by hand stays as typed.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kernelplay.common.text import format_number, format_significant
from kernelplay.gui.playground.kernel_cell import CELL_DECIMALS, KernelCell, parse_number
from kernelplay.gui.playground.kernel_messages import (
    MessageRoom,
    cell_problem,
    divisor_problem,
    editor_message,
    weight_problem,
)
from kernelplay.gui.theme import keep_ink
from kernelplay.gui.training.note_label import NoteLabel
from kernelplay.imaging.kernels import (
    KERNEL_SIZES,
    PRESET_NOTES,
    PRESETS,
    kernel_as_fraction,
)

CUSTOM = "custom"
DEFAULT_PRESET = "sharpen"  # what a new user sees first: a visible change, as on setosa.io
BOX_TIP = "Choose a classic kernel; editing any weight makes it “custom”."
CUSTOM_NOTE = "Your own weights: change one and watch the output and the sum below change with it."
KEPT_NOTE = "A kernel you kept (Kernel ▸ Keep Current Kernel); it is remembered across restarts."
NOTE_LINES = 4  # room kept for the longest preset's sentence, so the grid never jumps


class KernelEditor(QWidget):
    """Edits a kernel as integer-friendly weights over a divisor: kernel = weights / divisor.

    ``kernel_changed`` fires with the effective (k, k) float64 kernel each time the kernel in
    force changes: to the one the cells hold when they all hold numbers, else (a cell marked) back
    to the one in force when the edit under way began.
    """

    kernel_changed = Signal(np.ndarray)
    validity_changed = Signal(str)  # what is wrong, "" when nothing is (an entry still being typed is not)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._custom_kernels: dict[str, np.ndarray] = {}
        # The kernel in force as (weights, divisor), and the one in force when the edit under way
        # began: it applies again while the cell being edited holds no number.
        self._applied = self._before_edit = (np.array(PRESETS[DEFAULT_PRESET], dtype=np.float64), 1.0)
        self._cells: list[KernelCell] = []

        self.preset_box = QComboBox()
        self.preset_box.setToolTip(BOX_TIP)
        self.note_label = NoteLabel(lines=NOTE_LINES)  # what the chosen kernel does, in a sentence
        self.note_label.setAccessibleName("What this kernel does")
        self.error_label = NoteLabel(lines=NOTE_LINES)  # what is wrong with a cell, over the note
        self.error_label.setAccessibleName("What is wrong with the kernel")
        keep_ink(self.error_label, "error")
        self.message_room = MessageRoom(self.note_label, self.error_label, NOTE_LINES)
        self.size_box = QComboBox()
        self.size_box.addItems([f"{k}×{k}" for k in KERNEL_SIZES])
        self.size_box.setToolTip("Kernel size: 3×3 or 5×5 weights.")
        self.divisor_cell = KernelCell()
        self.divisor_cell.setToolTip("Every product sum is divided by this (1 = no division).")
        self.divisor_cell.editingFinished.connect(self._apply_cells)
        self.divisor_cell.edit_started.connect(self._on_edit_started)
        self.sum_label = QLabel()
        self.sum_label.setToolTip("The sum of the kernel's weights: 1 keeps brightness, 0 keeps only edges.")
        self.normalise_box = QCheckBox("Normalise")
        self.normalise_box.setToolTip(
            "Divide by the weights' sum, so the kernel sums to 1 and keeps brightness — and keep doing so\n"
            "as the weights change or the size does (÷ 1 while they sum to 0). Untick to type your own divisor."
        )

        self._grid = QGridLayout()
        self._grid.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(self.preset_box, 1)
        top.addWidget(self.size_box)
        divisor_row = QHBoxLayout()
        divisor_row.addWidget(QLabel("÷"))
        divisor_row.addWidget(self.divisor_cell, 1)
        divisor_row.addWidget(self.normalise_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.message_room)
        layout.addLayout(self._grid)
        layout.addLayout(divisor_row)
        layout.addWidget(self.sum_label)

        self.divisor_cell.textEdited.connect(self._on_cells_edited)
        self.divisor_cell.nudged.connect(self._on_cells_edited)
        self.preset_box.activated.connect(self._on_preset_chosen)
        self.preset_box.currentIndexChanged.connect(self._show_note)
        self.size_box.activated.connect(self._on_size_chosen)
        self.normalise_box.toggled.connect(self._on_normalise_toggled)
        self._rebuild_preset_box()
        self.set_preset(DEFAULT_PRESET)

    # -- public --------------------------------------------------------------------------
    def kernel(self) -> np.ndarray:
        """The kernel in force, (k, k) float64."""
        weights, divisor = self._applied
        return weights / divisor

    def preset_name(self) -> str:
        return self.preset_box.currentData()

    def note(self) -> str:
        """The sentence on what the chosen kernel does (under the preset box and in its tooltip)."""
        return self.note_label.note()

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

    def set_kernel(self, kernel: np.ndarray, as_typed: bool = False) -> None:
        """Show an arbitrary kernel (the selection becomes “custom”): as whole weights over a divisor,
        or ``as_typed``, its own numbers over ÷ 1 (0.7 stays 0.7, not 7 ÷ 10)."""
        self._show_kernel(np.asarray(kernel, dtype=np.float64), as_typed)
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

    def is_normalised(self) -> bool:
        return self.normalise_box.isChecked()

    # -- building ------------------------------------------------------------------------
    def _rebuild_preset_box(self) -> None:
        current = self.preset_box.currentData()
        self.preset_box.clear()
        for name in PRESETS:
            self.preset_box.addItem(name, name)
            self.preset_box.setItemData(self.preset_box.count() - 1, PRESET_NOTES[name], Qt.ItemDataRole.ToolTipRole)
        if self._custom_kernels:
            self.preset_box.insertSeparator(self.preset_box.count())
            for name in self._custom_kernels:
                self.preset_box.addItem(f"★ {name}", name)
                self.preset_box.setItemData(self.preset_box.count() - 1, KEPT_NOTE, Qt.ItemDataRole.ToolTipRole)
        self.preset_box.insertSeparator(self.preset_box.count())
        self.preset_box.addItem(CUSTOM, CUSTOM)
        self.preset_box.setItemData(self.preset_box.count() - 1, CUSTOM_NOTE, Qt.ItemDataRole.ToolTipRole)
        index = self.preset_box.findData(current)
        self.preset_box.setCurrentIndex(index if index >= 0 else self.preset_box.findData(CUSTOM))
        self._show_note()

    def _show_note(self) -> None:
        """The chosen kernel's sentence under the box, and in the box's tooltip before what it is for."""
        note = self.preset_box.currentData(Qt.ItemDataRole.ToolTipRole) or ""
        self.note_label.set_note(note)
        self.preset_box.setToolTip(f"{note}\n\n{BOX_TIP}" if note else BOX_TIP)

    def _resize_grid(self, size: int) -> None:
        if len(self._cells) == size * size:
            return
        for cell in self._cells:
            self._grid.removeWidget(cell)
            cell.deleteLater()
        self._cells = []
        for index in range(size * size):
            cell = KernelCell()
            cell.edit_started.connect(self._on_edit_started)
            cell.textEdited.connect(self._on_cells_edited)
            cell.nudged.connect(self._on_cells_edited)
            cell.editingFinished.connect(self._apply_cells)  # an unfinished entry left behind is an error now
            self._grid.addWidget(cell, index // size, index % size)
            self._cells.append(cell)
        for previous, following in zip(self._cells, self._cells[1:] + [self.divisor_cell]):
            QWidget.setTabOrder(previous, following)
        self.size_box.setCurrentIndex(KERNEL_SIZES.index(size))

    def _show_kernel(self, kernel: np.ndarray, as_typed: bool = False) -> None:
        """Write ``kernel`` into the cells as weights over a divisor; a divisor that is the
        weights' sum comes with Normalise ticked."""
        weights, divisor = (kernel, 1.0) if as_typed else kernel_as_fraction(kernel)
        self._resize_grid(kernel.shape[0])
        for cell, weight in zip(self._cells, np.ravel(weights)):
            cell.setText(format_number(float(weight), CELL_DECIMALS))
            cell.setCursorPosition(0)  # a long weight (a learned 0.001866) shows its first digits, not its last
            cell.typing = False
        self.divisor_cell.setText(format_number(float(divisor), CELL_DECIMALS))
        self.divisor_cell.typing = False
        normalised = divisor != 1 and np.isclose(weights.sum(), divisor)
        self.normalise_box.blockSignals(True)
        self.normalise_box.setChecked(bool(normalised))
        self.normalise_box.blockSignals(False)
        self.divisor_cell.setReadOnly(bool(normalised))

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
        """Mark each cell (softly while unfinished); apply the kernel they hold when all are
        right, else the one from before this edit."""
        problems, unfinished, named = [], False, 0  # named: the problem of the cell being typed
        size = self._grid_size()
        if self.is_normalised():
            self._follow_sum()
        for index, cell in enumerate([*self._cells, self.divisor_cell]):
            is_divisor = cell is self.divisor_cell
            problem = cell_problem(cell, divisor_problem if is_divisor else weight_problem)
            cell.set_mark("unfinished" if problem == "" else "invalid" if problem else "")
            unfinished |= problem == ""
            if problem:
                named = len(problems) if cell.typing else named
                row, col = divmod(index, size)
                problems.append(problem if is_divisor else f"row {row + 1}, column {col + 1}: {problem}")
        message = editor_message(problems[named], len(problems) - 1) if problems else ""
        self.message_room.show_message(message)
        self.validity_changed.emit(message)  # the same sentence, for the window's message bar
        if problems or unfinished:
            weights, divisor = self._before_edit
            if self.is_normalised():
                self.divisor_cell.setText(format_number(divisor, CELL_DECIMALS))  # the divisor in force
            self._apply(weights, divisor)
        else:
            self._apply(self._read_weights(), parse_number(self.divisor_cell.text()))

    def _apply(self, weights: np.ndarray, divisor: float) -> None:
        """Put weights ÷ divisor in force and show their sum; emit the kernel when it changed."""
        before = self.kernel()
        self._applied = (weights, divisor)
        self.sum_label.setText(self._sum_text(float(weights.sum()), divisor))
        if not np.array_equal(before, self.kernel()):
            self.kernel_changed.emit(self.kernel())

    @staticmethod
    def _sum_text(total: float, divisor: float) -> str:
        """``"Sum of weights: −0.7 ÷ 256 = −0.002734"``: significant digits, never a false 0."""
        if divisor == 1:
            return f"Sum of weights: {format_significant(total)}"
        return f"Sum of weights: {format_significant(total)} ÷ {format_significant(divisor)} = {format_significant(total / divisor)}"

    def _follow_sum(self) -> None:
        """With Normalise ticked: the divisor is the weights' sum (1 while they sum to 0)."""
        weights = self._read_weights()
        if weights is None:
            return
        total = float(weights.sum())
        divisor = total if abs(total) > 1e-12 and divisor_problem(format_number(total, CELL_DECIMALS)) is None else 1.0
        self.divisor_cell.setText(format_number(divisor, CELL_DECIMALS))

    @Slot()
    def _on_edit_started(self) -> None:
        self._before_edit = self._applied

    @Slot()
    def _on_cells_edited(self) -> None:
        self._select_custom()
        self._apply_cells()

    @Slot(bool)
    def _on_normalise_toggled(self, normalised: bool) -> None:
        self.divisor_cell.setReadOnly(normalised)
        before = self.kernel()
        self._apply_cells()
        if not np.array_equal(before, self.kernel()):
            self._select_custom()

    @Slot(int)
    def _on_preset_chosen(self, index: int) -> None:
        name = self.preset_box.itemData(index)
        if name != CUSTOM:
            self.set_preset(name)

    @Slot(int)
    def _on_size_chosen(self, index: int) -> None:
        """Keep the weights centred: 3×3 → 5×5 pads with zeros, 5×5 → 3×3 keeps the middle. The
        divisor stays (a normalised kernel's follows the new sum: a gaussian stays a blur)."""
        size = KERNEL_SIZES[index]
        current = self._read_weights()
        if current is None or current.shape[0] == size:
            self.size_box.setCurrentIndex(KERNEL_SIZES.index(self._grid_size()))
            return
        resized = np.zeros((size, size))
        if size > current.shape[0]:
            resized[1:-1, 1:-1] = current
        else:
            resized = current[1:-1, 1:-1]
        self._resize_grid(size)
        for cell, weight in zip(self._cells, np.ravel(resized)):
            cell.setText(format_number(float(weight), CELL_DECIMALS))
        self._on_cells_edited()
