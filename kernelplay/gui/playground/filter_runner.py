"""Filters images off the GUI thread, always working on the newest request and dropping stale ones."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.mapping import MappedOutput, map_output
from kernelplay.imaging.images import luminance


@dataclass(frozen=True)
class FilterRequest:
    """What to compute: ``image`` uint8 (H, W) or (H, W, 3), a (k, k) kernel, and the tab's settings."""

    image: np.ndarray
    kernel: np.ndarray
    border: str
    flip: bool
    luminance: bool  # filter the BT.601 luminance instead of each RGB channel
    mapping: str
    serial: int


@dataclass(frozen=True)
class FilterResult:
    """``raw``: float32 multiply-sums; ``mapped``: the uint8 pixels shown with the clipped counts."""

    request: FilterRequest
    raw: np.ndarray
    mapped: MappedOutput
    value_range: tuple[float, float] | None  # for "stretch": min and max of ``raw``, mapped to 0…255
    seconds: float


def compute(request: FilterRequest) -> FilterResult:
    """Run one request (on any thread)."""
    start = time.perf_counter()
    source = request.image
    if request.luminance and source.ndim == 3:
        source = luminance(source)
    raw = apply_kernel(source, request.kernel, border=request.border, flip=request.flip)
    value_range = (float(raw.min()), float(raw.max())) if request.mapping == "stretch" and raw.size else None
    mapped = map_output(raw, request.mapping, value_range=value_range)
    return FilterResult(request, raw, mapped, value_range, time.perf_counter() - start)


class FilterRunner(QObject):
    """A worker thread that filters the newest request; ``result_ready`` arrives on the GUI thread."""

    result_ready = Signal(object)  # FilterResult
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: FilterRequest | None = None
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="kernelplay-filter", daemon=True)
        self._thread.start()

    def submit(self, request: FilterRequest) -> None:
        """Queue ``request``, replacing any request not yet started."""
        with self._wake:
            self._pending = request
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                request, self._pending = self._pending, None
            try:
                result = compute(request)
            except Exception as error:  # shown to the user; the previous output stays
                self.failed.emit(f"Filtering failed: {error}")
            else:
                self.result_ready.emit(result)
