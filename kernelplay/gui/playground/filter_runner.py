"""Filters images off the GUI thread, always working on the newest request and dropping stale ones
(the computing itself is :func:`kernelplay.imaging.preview.run_filter`)."""
from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from kernelplay.imaging.preview import FilterRequest, run_filter


class FilterRunner(QObject):
    """A worker thread that filters the newest request; ``result_ready`` arrives on the GUI thread."""

    result_ready = Signal(object)  # FilterResult
    failed = Signal(str)
    _answered = Signal(int, object, str)  # from the worker: serial, FilterResult or None, failure

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._asked = self._answered_serial = None  # serials, kept on the GUI thread
        self._answered.connect(self._on_answered)  # queued: runs on the GUI thread
        self._pending: FilterRequest | None = None
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="kernelplay-filter", daemon=True)
        self._thread.start()

    def submit(self, request: FilterRequest) -> None:
        """Queue ``request``, replacing any request not yet started."""
        self._asked = request.serial
        with self._wake:
            self._pending = request
            self._wake.notify()

    def busy(self) -> bool:
        """True from a submit until the answer to the newest request has arrived."""
        return self._asked != self._answered_serial

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while (request := self._next_request()) is not None:
            self._filter(request)

    def _next_request(self) -> FilterRequest | None:
        """Wait for the next request; None once stopping."""
        with self._wake:
            while self._pending is None and not self._stopping:
                self._wake.wait()
            if self._stopping:
                return None
            request, self._pending = self._pending, None
            return request

    def _filter(self, request: FilterRequest) -> None:
        # Its own call, so that the request (its image) and the result (the output, as large as
        # the image) are let go as soon as the result is sent, not held while the thread waits or
        # computes the next one.
        try:
            result = run_filter(request)
        except Exception as error:  # shown to the user; the previous output stays
            self._answered.emit(request.serial, None, f"Filtering failed: {error}")
        else:
            self._answered.emit(request.serial, result, "")

    def _on_answered(self, serial: int, result, failure: str) -> None:
        self._answered_serial = serial
        if result is None:
            self.failed.emit(failure)
        else:
            self.result_ready.emit(result)
