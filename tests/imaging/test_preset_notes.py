"""Every preset says in one sentence what it does and why."""
from kernelplay.imaging.kernels import PRESET_NOTES, PRESETS


def test_every_preset_has_one_sentence():
    assert list(PRESET_NOTES) == list(PRESETS)
    for name, note in PRESET_NOTES.items():
        assert note.endswith(".") and note.count(". ") == 0, name  # one sentence
        assert 40 <= len(note) <= 140, (name, len(note))


def test_the_sentences_name_what_the_lecture_says():
    assert "averages" in PRESET_NOTES["blur"].lower()
    assert "left to right" in PRESET_NOTES["right sobel"]
    assert "edges" in PRESET_NOTES["outline"]
