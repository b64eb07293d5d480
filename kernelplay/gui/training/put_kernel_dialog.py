"""Kernel ▸ Put into the Network…: which conv1 channel gets the playground's kernel, and frozen or not."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from kernelplay.common.text import format_significant

__all__ = ["PutKernelDialog", "fitting_note"]


def fitting_note(kernel_size: int, network_size: int) -> str:
    """What happens to a ``kernel_size`` kernel in a network of ``network_size`` kernels."""
    if kernel_size == network_size:
        return f"The {kernel_size}×{kernel_size} kernel goes in as it is."
    if kernel_size < network_size:
        return (f"The network's kernels are {network_size}×{network_size}: the {kernel_size}×{kernel_size} kernel goes "
                "in the middle of a ring of zeros — the same filter.")
    return (f"The network's kernels are {network_size}×{network_size}: only the middle {network_size}×{network_size} "
            f"of the {kernel_size}×{kernel_size} kernel fits, so the filter is only like the playground's.")


class PutKernelDialog(QDialog):
    """Asks for a conv1 channel (0 … ``channels`` − 1) and whether it is frozen; ``channel()`` and
    ``frozen()`` hold the answer once accepted."""

    def __init__(self, kernel: np.ndarray, channels: int, network_size: int, frozen_channels=(),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Put the kernel into the network")
        k = kernel.shape[0]
        rows = "<br>".join("&nbsp;&nbsp;".join(format_significant(v) for v in row) for row in kernel)
        intro = QLabel(f"The playground's {k}×{k} kernel becomes one of the network's first-layer kernels "
                       f"(conv1): its bias is set to 0, so that map is the playground's sum, then ReLU.<br>"
                       f"<tt>{rows}</tt>")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        note = QLabel(fitting_note(k, network_size))
        note.setWordWrap(True)
        self.channel_box = QSpinBox()
        self.channel_box.setRange(0, channels - 1)
        self.channel_box.setAccessibleName("conv1 channel")
        self.channel_box.setToolTip(f"conv1 has channels 0 to {channels - 1}; the kernel replaces that channel's")
        self.frozen_box = QCheckBox("Frozen: training leaves this kernel unchanged")
        self.frozen_box.setToolTip("Compare a network with a fixed hand-made detector against a learned one; "
                                   "untick it to start from your kernel and watch training adjust it.")
        already = ", ".join(str(c) for c in frozen_channels)
        form = QFormLayout()
        form.addRow("conv1 channel:", self.channel_box)
        form.addRow(self.frozen_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Put into the network")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(note)
        if already:
            frozen_note = QLabel(f"Frozen now: channel{'s' if len(frozen_channels) > 1 else ''} {already}.")
            column.addWidget(frozen_note)
        column.addLayout(form)
        column.addWidget(buttons)
        self.setMinimumWidth(420)

    def channel(self) -> int:
        return self.channel_box.value()

    def frozen(self) -> bool:
        return self.frozen_box.isChecked()
