"""Help ▸ Keyboard Shortcuts: every key the app answers to, in one table — the menus' shortcuts as
the actions hold them now, and the keys the views read themselves (documented here, beside the
code that handles them: playground_tab.py, image_view.py, step_panel.py, scan_view.py,
kernel_editor.py, training/unit_view.py, training/digit_gallery.py)."""
from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from kernelplay.gui.presentation import TEXT_SIZE_DATA, TEXT_SIZE_KEYS

__all__ = ["ShortcutsDialog", "VIEW_KEYS", "key_text", "shortcut_rows"]

# (keys, what they do, where) for keys a view handles itself, not through an action
VIEW_KEYS: tuple[tuple[str, str, str], ...] = (
    ("← → ↑ ↓", "Move the pinned pixel (and its window) one pixel", "Kernel playground, an image"),
    ("Shift+← / Shift+→  or  , / .", "Take the last term out of the sum / add the next one",
     "Kernel playground, the sum"),
    ("Space", "Add the terms one by one, or stop", "Kernel playground, the sum"),
    ("Home / End", "Start the sum again / show the whole sum", "Kernel playground, the sum"),
    ("Esc", "Release the pinned pixel", "Kernel playground"),
    ("Space", "Slide the window on its own, or stop", "Sliding window"),
    ("← / →", "Undo the last position / move the window one position", "Sliding window"),
    ("Home / End", "Clear the output / fill in the whole output", "Sliding window"),
    ("Shift+← / Shift+→  or  , / .", "Step the terms of the window's sum", "Sliding window"),
    ("Mouse wheel (Shift: finer)", "Change a weight by 1 (by 0.1)", "Kernel editor, a cell"),
    ("Tab", "Go to the next weight", "Kernel editor"),
    ("Shift+← / Shift+→  or  , / .", "Step the terms of a unit's sum", "CNN training, a unit opened"),
    ("Space, Home / End", "Play the terms / first or whole sum", "CNN training, a unit opened"),
    ("Esc", "Close the unit's pane", "CNN training, a unit opened"),
    ("Enter or Space", "Make the chosen digit the probe", "CNN training, Mistakes page"),
)
_TEXT_SIZE_WHAT = {"larger": "Larger Text", "smaller": "Smaller Text", "normal": "Text at 100 %"}


def key_text(sequence: QKeySequence) -> str:
    """A shortcut as the menus show it on this platform (Ctrl+= here, ⌘= on macOS)."""
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(keys, what, where) for every action of ``window`` with a shortcut, then the keys presentation
    mode lends to the text size, then :data:`VIEW_KEYS`."""
    rows, seen = [], set()
    for act in window.findChildren(QAction):
        if act.data() == TEXT_SIZE_DATA:
            continue  # listed below, with when they apply
        keys = [key_text(sequence) for sequence in act.shortcuts() if not sequence.isEmpty()]
        name = act.text().replace("&", "").rstrip("…").strip()
        if keys and (name, tuple(keys)) not in seen:
            seen.add((name, tuple(keys)))
            rows.append((" or ".join(keys), name, "Menus, anywhere"))
    for size, keys in TEXT_SIZE_KEYS.items():
        rows.append((" or ".join(key_text(QKeySequence(key)) for key in keys), _TEXT_SIZE_WHAT[size],
                     "Presentation mode (otherwise they zoom the images)"))
    rows.extend(VIEW_KEYS)
    return rows


class ShortcutsDialog(QDialog):
    """The table of :func:`shortcut_rows`, one row a key."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard Shortcuts — kernelplay")
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Keys", "What they do", "Where"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 0:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.table)
        column.addWidget(buttons)
        screen = window.screen().availableGeometry() if window.screen() else None
        width = self.table.horizontalHeader().length() + 60
        self.resize(min(max(width, 760), screen.width() - 40 if screen else 1000),
                    min(620, screen.height() - 60 if screen else 620))

    def texts(self) -> list[tuple[str, str, str]]:
        return [tuple(self.table.item(r, c).text() for c in range(3)) for r in range(self.table.rowCount())]

