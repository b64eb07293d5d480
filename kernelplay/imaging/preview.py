"""The playground's live preview as data: what to filter (:class:`FilterRequest`, the tab's
settings) and what came out (:class:`FilterResult`), and the one function between them. No Qt: the
tab's worker thread (``gui/playground/filter_runner.py``) only decides when to call it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from kernelplay.imaging.filter_map import filter_and_map
from kernelplay.imaging.images import luminance
from kernelplay.imaging.mapping import MappedOutput

__all__ = ["FilterRequest", "FilterResult", "run_filter"]


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


def run_filter(request: FilterRequest) -> FilterResult:
    """Compute one request: the raw sums, the shown pixels and how long it took (any thread).

    The bands of raw sums are mapped to pixels while they are in cache
    (:func:`~kernelplay.imaging.filter_map.filter_and_map`); the raw sums are kept for the values
    the playground shows under the cursor."""
    start = time.perf_counter()
    source = request.image
    if request.luminance and source.ndim == 3:
        source = luminance(source)
    raw, mapped, value_range = filter_and_map(source, request.kernel, border=request.border, flip=request.flip,
                                              mapping=request.mapping)
    return FilterResult(request, raw, mapped, value_range, time.perf_counter() - start)
