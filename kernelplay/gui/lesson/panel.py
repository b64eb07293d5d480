"""The lesson's panel: a card floating over a corner of the window's pages, with the step's title,
its two or three sentences, Back and Next.

It floats rather than docks: beside the tabs, a panel wide enough to read would push the window
past 1024 px (the CNN tab alone needs 964), and under them past 700. Each step names the corner
that hides the least of what it talks about (bottom left: under the playground's options, over
the draw pad; or bottom right); the user can drag the card by its title and fold it to its buttons.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMainWindow, QPushButton, QToolButton, QVBoxLayout, QWidget

from kernelplay.common.lesson import LessonStep
from kernelplay.gui.lesson.digit_rows import DigitColumns
from kernelplay.gui.text_scale import set_sheet, text_scale

__all__ = ["LessonPanel"]

WIDTH = 272  # px at the design font (the left columns of both tabs are ~280 wide); grows as they do
MARGIN = 10  # px between the card and the edges of the pages
_SHEET = ("#LessonPanel { background: palette(base); border: 2px solid palette(highlight); border-radius: 8px; }"
          " #LessonTitle { font-size: 15px; font-weight: bold; }")


class LessonPanel(QFrame):
    """Shows one step at a time (:meth:`show_step`); says when Back, Next, a link in the text or
    the close button is clicked (``back_clicked``, ``next_clicked``, ``link_clicked(href)``,
    ``closed``). It floats over ``window``'s central widget, in the step's corner."""

    back_clicked = Signal()
    next_clicked = Signal()
    link_clicked = Signal(str)
    closed = Signal()

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._corner = "bottom-left"
        self._moved_to: QPoint | None = None  # where the user dragged the card, until the next step
        self._drag_from: QPoint | None = None
        self.setObjectName("LessonPanel")
        set_sheet(self, _SHEET)
        self.setAccessibleName("Lesson")

        self.progress_label = QLabel()
        self.progress_label.setCursor(Qt.CursorShape.OpenHandCursor)
        self.progress_label.setToolTip("Drag to move the lesson")
        self.fold_button = QToolButton()
        self.fold_button.setAutoRaise(True)
        self.fold_button.setCheckable(True)
        self.fold_button.setToolTip("Fold the lesson to its buttons (click again to unfold)")
        self.fold_button.toggled.connect(self._on_fold_toggled)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Close the lesson (Help ▸ Lesson opens it again)")
        self.close_button.clicked.connect(self._on_close_clicked)
        self.title_label = QLabel()
        self.title_label.setObjectName("LessonTitle")
        self.title_label.setWordWrap(True)
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.text_label.setOpenExternalLinks(False)
        self.text_label.linkActivated.connect(self.link_clicked)
        self.digits = DigitColumns()
        self.back_button = QPushButton("◀ Back")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setDefault(True)
        self.back_button.clicked.connect(self.back_clicked)
        self.next_button.clicked.connect(self.next_clicked)

        header = QHBoxLayout()
        header.addWidget(self.progress_label, 1)
        header.addWidget(self.fold_button)
        header.addWidget(self.close_button)
        self._body = QWidget()
        body = QVBoxLayout(self._body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.text_label)
        body.addWidget(self.digits, 0, Qt.AlignmentFlag.AlignHCenter)
        footer = QHBoxLayout()
        footer.addWidget(self.back_button)
        footer.addStretch(1)
        footer.addWidget(self.next_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 6, 8, 10)
        column.addLayout(header)
        column.addWidget(self.title_label)
        column.addWidget(self._body)
        column.addLayout(footer)
        self._on_fold_toggled(False)
        window.installEventFilter(self)
        self.progress_label.installEventFilter(self)
        self.hide()

    # -- content ---------------------------------------------------------------------------
    def show_step(self, step: LessonStep, index: int, count: int) -> None:
        """Step ``index`` (from 0) of ``count``: its title and text; the digits stay hidden until
        :meth:`digits` is filled by the step."""
        self.progress_label.setText(f"Lesson · step {index + 1} of {count}")
        self.title_label.setText(step.title)
        self.text_label.setText(step.text)
        self.digits.hide()
        self.back_button.setEnabled(index > 0)
        self.next_button.setText("Finish" if index == count - 1 else "Next ▶")
        self._corner, self._moved_to = step.corner, None
        self.fold_button.setChecked(False)
        self.show()
        self.raise_()
        self.place()

    def is_folded(self) -> bool:
        return self.fold_button.isChecked()

    def _on_fold_toggled(self, folded: bool) -> None:
        self._body.setVisible(not folded)
        self.title_label.setVisible(not folded)
        self.fold_button.setText("▴" if folded else "▾")
        if self.isVisible():
            self.place()

    def _on_close_clicked(self) -> None:
        self.hide()
        self.closed.emit()

    # -- where it floats ---------------------------------------------------------------------
    def pages_rect(self) -> QRect:
        """The window's central area, in the window's coordinates: the card stays inside it."""
        central = self._window.centralWidget()
        return QRect(central.mapTo(self._window, QPoint(0, 0)), central.size())

    def place(self) -> None:
        """Size the card for its text and put it in its corner (or where the user dragged it)."""
        area = self.pages_rect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        width = min(round(WIDTH * text_scale(self) ** 0.5), area.width())  # as the playground's column
        self.setFixedWidth(width)
        layout = self.layout()  # folded, nothing wraps: no height-for-width
        needed = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
        height = min(needed, area.height())
        self.setFixedHeight(height)
        if self._moved_to is not None:
            top_left = self._moved_to
        else:
            left = area.left() if self._corner == "bottom-left" else area.right() - width + 1
            top = area.top() if self._corner.startswith("top") else area.bottom() - height + 1
            top_left = QPoint(left, top)
        x = min(max(top_left.x(), area.left()), area.right() - width + 1)
        y = min(max(top_left.y(), area.top()), area.bottom() - height + 1)
        self.move(x, y)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._window and kind in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            if self.isVisible():
                self.place()
        elif watched is self.progress_label and isinstance(event, QMouseEvent):
            return self._drag(event)
        return False

    def event(self, event: QEvent) -> bool:
        # its labels' sizes changed (larger text, another step): fit the card to them again
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            QTimer.singleShot(0, self, self.place)
        return super().event(event)

    def _drag(self, event: QMouseEvent) -> bool:
        position = self.progress_label.mapTo(self._window, event.position().toPoint())
        if event.type() == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = position - self.pos()
            return True
        if event.type() == QEvent.Type.MouseMove and self._drag_from is not None:
            self._moved_to = position - self._drag_from
            self.place()
            return True
        if event.type() == QEvent.Type.MouseButtonRelease and self._drag_from is not None:
            self._drag_from = None
            return True
        return False
