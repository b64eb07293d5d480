"""Saving from the window's menus where saving cannot work: one sentence naming the user's file,
never the temporary file beside it, and nothing lost from the window."""
import numpy as np

from kernelplay.imaging.kernels import PRESETS


def test_saving_kernels_into_a_missing_folder_says_so(window, tmp_path):
    window.playground.kernel_editor.set_kernel(PRESETS["emboss"])
    target = tmp_path / "gone" / "k.json"
    assert window.save_kernels(target) is False
    message = window.message_bar.text()
    assert message == f"Cannot save k.json: the folder {target.parent} does not exist."
    assert not list(tmp_path.iterdir())
    np.testing.assert_array_equal(window.playground.kernel_editor.kernel(), PRESETS["emboss"])
    assert window.save_kernels(tmp_path / "k.json") is True and (tmp_path / "k.json").is_file()


def test_saving_the_output_into_a_missing_folder_says_so_once(window, tmp_path, emboss_image, wait_for_output):
    window.playground.set_image(emboss_image, "patch")
    wait_for_output(window.playground)
    target = tmp_path / "gone" / "out.png"
    assert window.save_output(target) is False
    message = window.message_bar.text()
    assert message.count("save") == 1 and "out.png" in message and ".tmp" not in message, message


def test_save_and_copy_without_an_output_say_why(window, monkeypatch, wait_for_output):
    # While a large output is filtered again there is none to save (tests/gui/test_refilter_memory.py):
    # File ▸ Save Output and Edit ▸ Copy Output say why, where Copy said nothing and Save "no output yet".
    wait_for_output(window.playground)
    monkeypatch.setattr(window.playground, "output_pixels", lambda: None)
    monkeypatch.setattr(window.playground._runner, "busy", lambda: True)
    for action in (window._on_save_output, window.copy_output):
        window.show_message("Something else.")
        action()
        assert window.message_bar.text() == "The output is being filtered again: it can be saved or copied once it shows."
