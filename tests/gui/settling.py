"""What several GUI tests share: waiting for the layouts to settle, and the application of a
scenario that runs in a process of its own (a scale factor or a screen is read once, at start)."""
from __future__ import annotations

import os
import sys
import time

STILL_PASSES = 20  # a layout request climbs one level a pass of the event loop: ~12 from a plot to the window


def settle(app, window, timeout: float = 5.0) -> None:
    """Run the event loop until no visible widget of ``window`` has moved for :data:`STILL_PASSES`
    passes: rows fold, maps and kernels take their rows and the page its height over a few passes,
    one layout after another, and the shapes may hold still for several passes while a new size
    hint climbs to the page (which then grows)."""
    from PySide6.QtWidgets import QWidget

    def shape():
        return tuple((w.x(), w.y(), w.width(), w.height()) for w in window.findChildren(QWidget) if w.isVisible())

    end, last, still = time.monotonic() + timeout, None, 0
    while still < STILL_PASSES and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
        now = shape()
        still, last = (still + 1 if now == last else 0), now


def child_application():
    """The QApplication of a scenario run as a script in a fresh process, keeping its settings
    where the parent test said (``KERNELPLAY_TEST_SETTINGS``), away from the user's."""
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    application = QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("kernelplay-tests")
    QCoreApplication.setApplicationName("kernelplay-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, os.environ["KERNELPLAY_TEST_SETTINGS"])
    return application


def show_on_cnn_tab(qtbot, window) -> None:
    """Show ``window`` (a main window) on its CNN tab and wait for the tab's first snapshot."""
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.training)
    qtbot.waitUntil(lambda: window.training.latest_snapshot() is not None, timeout=10000)
