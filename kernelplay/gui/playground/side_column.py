"""The playground's left column: the kernel editor over the options, at a width that follows the text."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QGroupBox, QScrollArea, QStyle, QVBoxLayout, QWidget

from kernelplay.gui.text_scale import text_scale

__all__ = ["SideColumn", "SIDE_WIDTH"]

SIDE_WIDTH = 290  # px at the 12 px design font
NOTE_LINES_LARGE = 6  # the preset's sentence wraps into more lines in presentation mode's larger text


class SideColumn(QScrollArea):
    """``editor`` in a "Kernel" box, ``options`` under it. Its width grows more slowly than the text
    (at 200 %: 410 px, not 580: on a 1024-wide projector the images and the sum need the room more)
    and never leaves its widgets short; when the text is too large for the window's height it
    scrolls on its own, so the images and the sum beside it keep the whole height."""

    def __init__(self, editor: QWidget, options: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editor = editor
        kernel_group = QGroupBox("Kernel")
        QVBoxLayout(kernel_group).addWidget(editor)
        self.content = QWidget()
        column = QVBoxLayout(self.content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(kernel_group)
        column.addWidget(options)
        column.addStretch(1)
        self.setWidget(self.content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()

    def _fit(self) -> None:
        scale = text_scale(self)
        room = getattr(self._editor, "message_room", None)  # the kernel's note, or a message in its place
        if room is not None:
            room.set_lines(room.default_lines if scale < 1.4 else NOTE_LINES_LARGE)
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)  # room for it, shown or not
        self.setFixedWidth(max(round(SIDE_WIDTH * scale ** 0.5), self.content.minimumSizeHint().width() + bar))
