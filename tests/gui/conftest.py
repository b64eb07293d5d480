"""GUI fixtures: settings kept in a temporary folder, tiny images made in code."""
import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from lecture_example import EMBOSS_PATCH


@pytest.fixture(autouse=True)
def isolated_settings(qapp, tmp_path_factory):
    """Each test gets empty QSettings in its own folder, never the user's real ones."""
    folder = tmp_path_factory.mktemp("settings")
    QCoreApplication.setOrganizationName("kernelplay-tests")
    QCoreApplication.setApplicationName("kernelplay-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QSettings().clear()
    yield folder
    QSettings().clear()


@pytest.fixture
def emboss_image():
    """A 9×9 grey image whose centre 3×3 patch is the −106 example, on a mid-grey field."""
    image = np.full((9, 9), 100, dtype=np.uint8)
    image[3:6, 3:6] = EMBOSS_PATCH
    return image


@pytest.fixture
def colour_image():
    """A 12×16 RGB image with distinct values in every channel."""
    rows, cols = np.mgrid[0:12, 0:16]
    return np.stack([rows * 20, cols * 15, (rows * 7 + cols * 11) % 256], axis=-1).astype(np.uint8)


@pytest.fixture
def window(qtbot):
    """The main window without the training tab, shown at 1280×800."""
    from kernelplay.gui.main_window import MainWindow

    win = MainWindow(with_training=False)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


@pytest.fixture
def wait_for_output(qtbot):
    """A function that waits until a playground tab shows the output of its latest settings."""

    def wait(tab):
        qtbot.waitUntil(tab.is_up_to_date, timeout=5000)
        return tab.result()

    return wait
