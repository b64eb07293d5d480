"""Filter and map in one pass over the bands: from an image to the pixels shown.

:func:`~kernelplay.imaging.filtering.apply_kernel` followed by
:func:`~kernelplay.imaging.mapping.map_output` writes every raw sum to memory and reads it back; here
each band of sums is mapped while it is still in cache. With ``keep_raw=False`` the raw sums are
never held whole — a band at a time per thread — so a 50 MP RGB image (143 MiB) is filtered to
pixels with the image and the pixels in memory and little more, where the float32 raw sums alone
would take 572 MiB (``benchmarks/bench_filter.py`` measures the peak). "stretch" needs the raw
sums' own range before the first pixel: without the raw sums kept, the bands are filtered twice.

The pixels, the clipped counts and the range equal ``map_output(apply_kernel(...))``'s.
"""
from __future__ import annotations

import threading
from typing import NamedTuple

import numpy as np

from kernelplay.common.threads import run_in_slices
from kernelplay.imaging.filtering import checked_arguments, filter_bands, output_shape
from kernelplay.imaging.mapping import BandMapper, MappedOutput, band_mapper, check_mapping

__all__ = ["FilteredImage", "filter_and_map"]


class FilteredImage(NamedTuple):
    raw: np.ndarray | None  # float32 raw sums, or None when not kept
    mapped: MappedOutput
    value_range: tuple[float, float] | None  # "stretch": the raw sums' minimum and maximum


def _sink(rows_of, scratch_columns: int, consume):
    """A ``start_sink`` for :func:`filter_bands`: each band goes into ``rows_of`` (the raw sums)
    or, when that is None, into a scratch band of the worker's own, and then to ``consume``."""
    def start_sink():
        held = {"band": np.empty((0, scratch_columns), dtype=np.float32)}
        state = consume()

        def target(top: int, rows: int) -> np.ndarray:
            if rows_of is not None:
                return rows_of[top: top + rows]
            if held["band"].shape[0] < rows:
                held["band"] = np.empty((rows, scratch_columns), dtype=np.float32)
            return held["band"][:rows]

        return target, state
    return start_sink


def filter_and_map(image, kernel, *, border: str = "zero", flip: bool = False, mapping: str = "clamp",
                   keep_raw: bool = True, luminance: bool = False) -> FilteredImage:
    """The raw sums of ``kernel`` over ``image`` (as :func:`~kernelplay.imaging.filtering.apply_kernel`)
    mapped to pixels (as :func:`~kernelplay.imaging.mapping.map_output` with the raw sums' own range
    for "stretch"), band by band. ``keep_raw=False`` returns ``raw=None`` and never holds it whole.
    ``luminance=True`` filters the luminance of an RGB ``image``
    (:func:`~kernelplay.imaging.images.luminance`), a band at a time: it is not held whole either."""
    check_mapping(mapping)
    image, kernel = checked_arguments(image, kernel, border, flip)
    shape = output_shape(image, kernel, border, luminance=luminance)
    columns = int(np.prod(shape[1:]))
    raw = np.empty(shape, dtype=np.float32) if keep_raw else None
    rows_of = None if raw is None else raw.reshape(shape[0], columns)
    pixels = np.empty(shape, dtype=np.uint8)
    pixel_rows = pixels.reshape(shape[0], columns)
    lock = threading.Lock()
    totals = {"low": 0, "high": 0, "min": np.inf, "max": -np.inf}

    def mapping_sink(mapper: BandMapper):
        def consume():
            scratch = mapper.scratch()

            def done(top: int, rows: int, sums: np.ndarray) -> None:
                low, high = mapper.map_into(sums.reshape(-1), pixel_rows[top: top + rows].reshape(-1), scratch)
                with lock:
                    totals["low"] += low
                    totals["high"] += high
            return done
        return _sink(rows_of, columns, consume)

    def range_sink():
        def consume():
            def done(top: int, rows: int, sums: np.ndarray) -> None:
                low, high = float(sums.min()), float(sums.max())
                with lock:
                    totals["min"], totals["max"] = min(totals["min"], low), max(totals["max"], high)
            return done
        return _sink(rows_of, columns, consume)

    value_range = None
    if mapping != "stretch":
        filter_bands(image, kernel, border, mapping_sink(BandMapper(mapping)), luminance=luminance)
    else:
        filter_bands(image, kernel, border, range_sink(), luminance=luminance)
        value_range = (totals["min"], totals["max"])
        mapper = band_mapper(None, "stretch", value_range)
        mapper.count_range = False  # the raw sums' own range: nothing lies outside it
        if raw is None:
            filter_bands(image, kernel, border, mapping_sink(mapper), luminance=luminance)
        else:
            flat_raw, flat_pixels = raw.reshape(-1), pixels.reshape(-1)

            def run(start: int, stop: int) -> None:
                low, high = mapper.map_into(flat_raw[start:stop], flat_pixels[start:stop], mapper.scratch())
                with lock:
                    totals["low"] += low
                    totals["high"] += high

            run_in_slices(run, flat_raw.size, flat_raw.size)
    return FilteredImage(raw, MappedOutput(pixels, totals["low"], totals["high"]), value_range)
