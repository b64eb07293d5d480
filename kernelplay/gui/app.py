"""Start the desktop app: ``run_app(image_path)`` makes the QApplication and the main window."""
from __future__ import annotations

import signal
import sys
import traceback

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

ORGANISATION = "kernelplay"
APPLICATION = "kernelplay"
SIGNAL_CHECK_MS = 250  # Python runs signal handlers only between bytecodes: wake up that often


def _show_unexpected_error(kind, error, trace) -> None:
    """An app launched from an icon has no console: show unexpected errors in a dialog too."""
    traceback.print_exception(kind, error, trace)
    if QApplication.instance() is not None:
        QMessageBox.critical(None, "kernelplay — unexpected error", "".join(traceback.format_exception_only(kind, error)))


def run_app(image_path: str | None = None) -> int:
    """Show the main window (opening ``image_path`` if given) and run the event loop."""
    from kernelplay.gui.main_window import MainWindow
    from kernelplay.common.resources import icon_path

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    try:
        app.setWindowIcon(QIcon(str(icon_path("kernelplay"))))
    except FileNotFoundError:
        pass
    sys.excepthook = _show_unexpected_error
    window = MainWindow()
    # Ctrl+C in the terminal, or a polite kill, closes the window as its close button does (the
    # training process is stopped on the way); the timer lets Python see the signal while Qt waits.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: window.close())
    signal_check = QTimer(interval=SIGNAL_CHECK_MS)
    signal_check.timeout.connect(lambda: None)
    signal_check.start()
    window.show()
    if image_path:
        window.open_path(image_path)
    return app.exec()
