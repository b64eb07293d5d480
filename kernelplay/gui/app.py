"""Start the desktop app: ``run_app(image_path)`` makes the QApplication and the main window."""
from __future__ import annotations

import os
import signal
import sys
import time
import traceback

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

ORGANISATION = "kernelplay"
APPLICATION = "kernelplay"
DESKTOP_ENTRY = "kernelplay"  # kernelplay.desktop, written by kernelplay --install-desktop-entry
SIGNAL_CHECK_MS = 250  # Python runs signal handlers only between bytecodes: wake up that often
# KERNELPLAY_STARTUP_PROBE=1: print when the window is up (see StartupProbe) and quit
STARTUP_PROBE = "KERNELPLAY_STARTUP_PROBE"


def _show_unexpected_error(kind, error, trace) -> None:
    """An app launched from an icon has no console: show unexpected errors in a dialog too."""
    traceback.print_exception(kind, error, trace)
    if QApplication.instance() is not None:
        QMessageBox.critical(None, "kernelplay — unexpected error", "".join(traceback.format_exception_only(kind, error)))


def seconds_since_process_start() -> float | None:
    """Wall-clock seconds since this process started, from /proc (to 1/100 s); None where there is
    no /proc (Windows, macOS): benchmarks/bench_startup.py then times from its own Popen."""
    try:
        with open("/proc/self/stat", "rb") as stat, open("/proc/uptime", "rb") as uptime:
            # the command name, field 2, may hold spaces: fields are counted after its ")"
            start_ticks = int(stat.read().rsplit(b")", 1)[1].split()[19])
            now = float(uptime.read().split()[0])
        return now - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class StartupProbe(QObject):
    """Prints ``startup loop=<unix time> painted=<unix time> since_start=<s>`` once the shown
    window's event loop runs (its first pass after show) and the window has been painted, then
    quits: the figures benchmarks/bench_startup.py reads."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self._loop_at: float | None = None
        self._painted_at: float | None = None
        window.installEventFilter(self)
        QTimer.singleShot(0, self._on_loop_running)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and self._painted_at is None:
            QTimer.singleShot(0, self._on_painted)  # once the paint is over
        return False

    def _on_loop_running(self) -> None:
        self._loop_at = time.time()
        self._report()

    def _on_painted(self) -> None:
        if self._painted_at is None:
            self._painted_at = time.time()
            self._report()

    def _report(self) -> None:
        if self._loop_at is None or self._painted_at is None:
            return
        since = seconds_since_process_start()
        print(f"startup loop={self._loop_at:.6f} painted={self._painted_at:.6f} "
              f"since_start={'nan' if since is None else f'{since:.2f}'}", flush=True)
        QApplication.instance().quit()


def run_app(image_path: str | None = None) -> int:
    """Show the main window (opening ``image_path`` if given) and run the event loop."""
    from kernelplay.gui.main_window import MainWindow
    from kernelplay.common.resources import icon_path

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setDesktopFileName(DESKTOP_ENTRY)  # Wayland shells match the window to the launcher's entry by it
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
    if os.environ.get(STARTUP_PROBE):
        window._startup_probe = StartupProbe(window)
    return app.exec()
