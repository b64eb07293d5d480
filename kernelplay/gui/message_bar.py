"""A message that floats over the top of the window's pages: it never moves the widgets under it."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QTabBar, QToolButton, QWidget

__all__ = ["MessageBar", "MESSAGE_SECONDS"]

MESSAGE_SECONDS = 12
MARGIN = 8  # between the bar and what it floats beside
LEAST_TEXT_CHARACTERS = 24  # the text's least width beside the tabs, in average characters; else under them


class MessageBar(QFrame):
    """A dismissable note for errors and confirmations (never a blocking dialog), floating over
    ``parent`` in the free space right of ``anchor`` (the tab bar): as wide as its text needs,
    word-wrapped onto more lines (over the top of the page) when the row is too short, and placed
    again whenever either is resized. Where that space leaves the text less than
    :data:`LEAST_TEXT_CHARACTERS` (a small screen at 200 %: a word a line), it floats under the
    tabs instead, as wide as the window."""

    def __init__(self, parent: QWidget, anchor: QTabBar) -> None:
        super().__init__(parent)
        self._anchor = anchor
        self.setObjectName("MessageBar")
        # Its own pale yellow in either theme, so every text on it is its own dark brown (11.9:1): the
        # palette's light text of the dark theme read at 1.1:1 on it.
        self.setStyleSheet("#MessageBar { background: #fff3cd; border: 1px solid #d9b84f; border-radius: 4px; }"
                           " QLabel, QToolButton { color: #3d2e00; }"
                           " QToolButton { border: none; padding: 2px; } QToolButton:hover { background: #f5e1a4; }"
                           " QPushButton { color: #3d2e00; background: #fbe7b0; border: 1px solid #d9b84f;"
                           " border-radius: 3px; padding: 3px 10px; font-weight: bold; }"
                           " QPushButton:hover { background: #f5d98a; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self.hide)
        # an offer the message makes ("Start the lesson"): shown only with such a message
        self.action_button = QPushButton()
        self.action_button.clicked.connect(self._on_action_clicked)
        self.action_button.hide()
        self._on_action: Callable[[], None] | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 2, 2, 2)
        row.addWidget(self.label, 1)
        row.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self, singleShot=True, interval=MESSAGE_SECONDS * 1000, timeout=self.hide)
        parent.installEventFilter(self)
        anchor.installEventFilter(self)
        self.hide()

    def show_message(self, text: str, action: str = "", on_action: Callable[[], None] | None = None,
                     seconds: float = MESSAGE_SECONDS) -> None:
        """Show ``text`` for ``seconds``; an empty text hides the bar. With ``action``, a button of
        that name beside the text calls ``on_action`` (and the bar goes)."""
        self.label.setText(text)
        self._on_action = on_action if action else None
        self.action_button.setText(action)
        self.action_button.setVisible(bool(action and text))
        if not text:
            self.hide()
            return
        self._place()
        self.show()
        self.raise_()
        self._timer.start(int(seconds * 1000))

    def _on_action_clicked(self) -> None:
        act, self._on_action = self._on_action, None
        self.hide()
        if act is not None:
            act()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Move) and self.isVisible():
            self._place()
        return False

    def _place(self) -> None:
        area = self.parentWidget().rect()
        last_tab = self._anchor.tabRect(self._anchor.count() - 1)
        tabs_end = self._anchor.mapTo(self.parentWidget(), QPoint(last_tab.right() + 1, 0))
        margins = self.layout().contentsMargins()
        chrome = margins.left() + margins.right() + self.layout().spacing() + self.close_button.sizeHint().width() + 4
        if not self.action_button.isHidden():
            chrome += self.action_button.sizeHint().width() + self.layout().spacing()
        metrics = self.label.fontMetrics()
        widest, top = area.right() - MARGIN - (tabs_end.x() + MARGIN), tabs_end.y() + 1
        if widest - chrome < LEAST_TEXT_CHARACTERS * metrics.averageCharWidth():
            widest, top = area.width() - 2 * MARGIN, tabs_end.y() + last_tab.height() + 1
        lines = self.label.text().splitlines() or [""]
        text_width = max(metrics.horizontalAdvance(line) for line in lines)
        width = max(1, min(text_width + chrome, widest))
        height = self.layout().totalHeightForWidth(width)
        self.setGeometry(QRect(area.right() - MARGIN - width, top, width, height))
