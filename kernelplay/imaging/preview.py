"""The playground's live preview as data: what to filter (:class:`FilterRequest`, the tab's
settings) and what came out (:class:`FilterResult`), and the one function between them. No Qt: the
tab's worker thread (``gui/playground/filter_runner.py``) only decides when to call it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from kernelplay.imaging.filter_map import filter_and_map
from kernelplay.imaging.filtering import output_shape, output_window, raw_sums_at
from kernelplay.imaging.images import luminance
from kernelplay.imaging.mapping import MappedOutput, map_value

__all__ = ["FilterRequest", "FilterResult", "run_filter"]

# "stretch" needs the raw sums' range before the first pixel: without the raw sums held, every band
# is filtered twice (1.3-1.6× the time of holding them, measured at 1920×1080). Up to this many
# bytes of raw sums (a 5.6 MP RGB image) they are held during the call, then dropped.
STRETCH_RAW_BYTES = 64 * 2**20


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

    @property
    def in_luminance(self) -> bool:
        """Whether the luminance is filtered: asked for, of an RGB image (a grey one is its own)."""
        return self.luminance and self.image.ndim == 3

    @property
    def output_shape(self) -> tuple[int, ...]:
        """The output's: (H, W), or (H, W, 3) for each RGB channel; ``k − 1`` smaller for "valid"."""
        return output_shape(self.image, self.kernel, self.border, luminance=self.in_luminance)


@dataclass(frozen=True)
class FilterResult:
    """``mapped``: the uint8 pixels shown with the clipped counts (pixels None in a result
    :meth:`without_pixels`).

    The float32 raw sums are not kept — 4× an RGB image, 572 MiB at 50 MP — only the pixels they
    were mapped to; :meth:`raw_at` computes the one under the cursor again, with the same filter.
    """

    request: FilterRequest
    mapped: MappedOutput
    value_range: tuple[float, float] | None  # for "stretch": min and max of the raw sums, mapped to 0…255
    seconds: float

    def raw_at(self, row: int, col: int) -> np.ndarray:
        """The raw sum at output pixel ``(row, col)``, as the whole image's filter computed it:
        a float32 scalar for a grey image or in the luminance mode, else ``(3,)``."""
        request = self.request
        if not request.in_luminance:
            return raw_sums_at(request.image, request.kernel, row, col, border=request.border, flip=request.flip)
        # The luminance of the window alone: per pixel the same float32 arithmetic as the whole image's.
        window = luminance(output_window(request.image, request.kernel.shape[0], row, col, request.border))
        return raw_sums_at(window, request.kernel, 0, 0, border="valid", flip=request.flip)

    def pixel_at(self, row: int, col: int) -> np.ndarray:
        """The shown pixel at output pixel ``(row, col)``: uint8, a scalar or ``(3,)`` as
        :meth:`raw_at`. Without the pixels, :meth:`raw_at` mapped again, the same arithmetic."""
        if self.mapped.pixels is not None:
            return self.mapped.pixels[row, col]
        raw = self.raw_at(row, col)
        shown = [map_value(float(value), self.request.mapping, self.value_range) for value in np.atleast_1d(raw)]
        return np.array(shown, dtype=np.uint8).reshape(np.shape(raw))

    def without_pixels(self) -> FilterResult:
        """The same result without its pixels (as many bytes as the image; a third in the luminance
        mode): every number behind them stays at hand through :meth:`raw_at` and :meth:`pixel_at`."""
        return replace(self, mapped=self.mapped._replace(pixels=None))


def run_filter(request: FilterRequest) -> FilterResult:
    """Compute one request: the shown pixels and how long it took (any thread).

    The bands of raw sums are mapped to pixels while they are in cache
    (:func:`~kernelplay.imaging.filter_map.filter_and_map`) and never held whole, but for "stretch"
    on an image of up to :data:`STRETCH_RAW_BYTES` of them; none is kept in the result. Nor is the
    luminance held whole: each band's is computed as it is filtered."""
    start = time.perf_counter()
    raw_bytes = int(np.prod(request.output_shape)) * 4
    keep_raw = request.mapping == "stretch" and raw_bytes <= STRETCH_RAW_BYTES
    _, mapped, value_range = filter_and_map(request.image, request.kernel, border=request.border, flip=request.flip,
                                            mapping=request.mapping, keep_raw=keep_raw, luminance=request.in_luminance)
    return FilterResult(request, mapped, value_range, time.perf_counter() - start)
