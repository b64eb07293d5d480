"""Help ▸ Keyboard Shortcuts lists every key the app answers to: each action's shortcut as it is
now (in and out of presentation mode) and the keys the views read themselves."""
from PySide6.QtGui import QAction

from kernelplay.gui.shortcuts import VIEW_KEYS, key_text


def _action_keys(window) -> set[str]:
    return {key_text(sequence) for act in window.findChildren(QAction) for sequence in act.shortcuts()
            if not sequence.isEmpty()}


def _listed(dialog) -> str:
    return "\n".join(keys for keys, _, _ in dialog.texts())


def test_every_actions_shortcut_is_in_the_table(qtbot, window):
    keys = _action_keys(window)
    assert {"Ctrl+O", "Ctrl+K", "F11", "F1", "Ctrl+0"} <= keys
    dialog = window.classroom.show_shortcuts()
    qtbot.addWidget(dialog)
    listed = _listed(dialog)
    assert [key for key in keys if key not in listed] == []
    for keys_text, what, where in VIEW_KEYS:  # the documented keys of the views
        assert (keys_text, what, where) in dialog.texts()
    for documented in ("Esc", "Shift+← / Shift+→", "Space", "Home / End", "← → ↑ ↓"):
        assert documented in listed
    assert dialog.isVisible() and dialog.table.rowCount() == len(dialog.texts())


def test_in_presentation_mode_the_table_follows_the_keys_lent_to_the_text_size(qtbot, window):
    window.classroom.presentation.set_active(True)
    try:
        keys = _action_keys(window)
        assert {"Ctrl+=", "Ctrl+-", "Ctrl+0"} <= keys
        dialog = window.classroom.show_shortcuts()
        qtbot.addWidget(dialog)
        listed = _listed(dialog)
        assert [key for key in keys if key not in listed] == []
        rows = {what: keys for keys, what, _ in dialog.texts()}
        assert "Ctrl+=" in rows["Larger Text"] and "Ctrl+0" in rows["Text at 100 %"]
    finally:
        window.classroom.presentation.set_active(False)
