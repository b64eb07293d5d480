"""Explanations where the user is: each preset's sentence under the preset box and in its tooltips."""
from PySide6.QtCore import Qt

from kernelplay.gui.playground.kernel_editor import CUSTOM_NOTE, KernelEditor
from kernelplay.imaging.kernels import PRESET_NOTES, PRESETS


def test_the_editor_shows_the_chosen_presets_sentence(qtbot):
    editor = KernelEditor()
    qtbot.addWidget(editor)
    editor.resize(270, 400)
    editor.show()
    box = editor.preset_box
    for name in PRESETS:
        editor.set_preset(name)
        assert editor.note() == PRESET_NOTES[name]
        assert editor.note_label.text() == PRESET_NOTES[name]  # whole, not cut with "…"
        assert box.toolTip().startswith(PRESET_NOTES[name])
        assert box.itemData(box.findData(name), Qt.ItemDataRole.ToolTipRole) == PRESET_NOTES[name]  # the list's tooltip
    editor.cells()[0].setText("3")
    editor.cells()[0].textEdited.emit("3")
    assert editor.preset_name() == "custom" and editor.note() == CUSTOM_NOTE


def test_the_note_keeps_its_room_so_the_grid_never_jumps(qtbot):
    editor = KernelEditor()
    qtbot.addWidget(editor)
    editor.resize(270, 400)
    editor.show()
    tops = set()
    for name in PRESETS:
        editor.set_preset(name)
        qtbot.wait(1)
        tops.add(editor.cells()[0].y())
    assert len(tops) == 1
