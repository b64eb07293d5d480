"""Whatever the settings file holds, the app starts: an unusable kept kernel is dropped on its own
(the others kept) with a sentence saying so, and a kernel that is not finite is never stored."""
import json

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from kernelplay.gui.main_window import MainWindow
from kernelplay.gui.settings import AppSettings
from kernelplay.imaging.kernels import PRESETS

BLUR = PRESETS["blur"].tolist()


def settings_file(tmp_path, line: str):
    """An ini file as ~/.config/kernelplay/kernelplay.conf is, holding ``line`` under [General]."""
    path = tmp_path / "kernelplay.conf"
    path.write_text(f"[General]\n{line}\n", encoding="utf-8")
    return path


def stored_by_the_app(tmp_path, value: str):
    """An ini file whose custom_kernels is ``value``, written by QSettings as the app writes it."""
    path = tmp_path / "kernelplay.conf"
    writer = QSettings(str(path), QSettings.Format.IniFormat)
    writer.setValue("custom_kernels", value)
    writer.sync()
    return path


def app_settings(path) -> AppSettings:
    return AppSettings(QSettings(str(path), QSettings.Format.IniFormat))


def test_fifty_thousand_brackets_drop_the_list_with_a_sentence(tmp_path):
    settings = app_settings(settings_file(tmp_path, "custom_kernels=" + "[" * 50_000))
    assert settings.custom_kernels() == {}  # RecursionError before, and the app could not start
    assert settings.dropped_kernels == ("The kept kernels in the settings could not be read and were dropped: "
                                        "its brackets nest 50,000 deep, and kernelplay reads at most 16.")


def test_each_unusable_kernel_is_dropped_on_its_own_and_the_good_ones_kept(tmp_path):
    value = json.dumps({"mine": BLUR, "not a number": [[float("nan")] * 3] * 3, "wide": [[1, 2]],
                        "huge": [[1e400, 0, 0], [0, 0, 0], [0, 0, 0]]})
    settings = app_settings(stored_by_the_app(tmp_path, value))
    kept = settings.custom_kernels()
    assert list(kept) == ["mine"]  # the NaN and infinite kernels were accepted before
    np.testing.assert_array_equal(kept["mine"], PRESETS["blur"])
    assert settings.dropped_kernels == (
        "3 kept kernels in the settings were unusable and dropped ('not a number': a kernel's weights must be "
        "finite numbers; 'wide': a kernel must be 3×3 or 5×5, not 1×2; 'huge': a kernel's weights may be at most "
        "1e+12 either way, not infinity (or a number beyond 1.8e308)).")


@pytest.mark.parametrize("line", [
    'custom_kernels="[1, 2, 3]"',  # JSON, but not names and weights
    "custom_kernels=[[1, 2], [3]]",  # unquoted commas: QSettings reads a list of strings
    "custom_kernels=@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x3garbage)",
    "custom_kernels=@ByteArray(\\xff\\xfe)",
])
def test_any_other_content_drops_the_list_with_a_sentence(tmp_path, line):
    settings = app_settings(settings_file(tmp_path, line))
    assert settings.custom_kernels() == {}
    assert settings.dropped_kernels.startswith("The kept kernels in the settings could not be read and were dropped: ")


def test_nothing_dropped_says_nothing(tmp_path):
    settings = app_settings(stored_by_the_app(tmp_path, json.dumps({"mine": BLUR})))
    assert list(settings.custom_kernels()) == ["mine"] and settings.dropped_kernels == ""


def test_a_kernel_that_is_not_finite_is_never_stored(tmp_path):
    path = stored_by_the_app(tmp_path, json.dumps({"mine": BLUR}))
    settings = app_settings(path)
    with pytest.raises(ValueError, match="^kernel 'bad': a kernel's weights must be finite numbers$"):
        settings.set_custom_kernels({"new": np.eye(3), "bad": np.full((3, 3), np.nan)})
    assert list(app_settings(path).custom_kernels()) == ["mine"]  # nothing written


def test_the_app_starts_whatever_the_settings_hold(qtbot, tmp_path):
    window = MainWindow(app_settings(settings_file(tmp_path, "custom_kernels=" + "[" * 50_000)), with_training=False)
    qtbot.addWidget(window)
    assert window.playground.kernel_editor.custom_kernels() == {}
    window.show()  # and says what it left out, in the window's message
    assert window.message_bar.text().startswith("The kept kernels in the settings could not be read and were dropped")
