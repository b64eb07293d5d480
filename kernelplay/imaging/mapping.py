"""From raw sums to pixels: the output mappings that turn any float into a shown 0..255 value.

:func:`map_output` maps a whole image, :func:`map_value` one sum, and :func:`describe_mapping`
writes one sum's mapping out as a person checks it by hand (``"−106 + 128 = 22 → 22"``).
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from kernelplay.common.text import MINUS, format_number, signed
from kernelplay.common.threads import run_in_slices

__all__ = [
    "OUTPUT_MAPPINGS", "MAPPING_LABELS", "BandMapper", "MappedOutput", "MappingStep", "band_mapper", "check_mapping",
    "describe_mapping", "map_output", "map_value",
]

OUTPUT_MAPPINGS = ("clamp", "abs", "offset", "stretch")
MAPPING_LABELS = {  # as the menus name them
    "clamp": "Clamp to 0…255",
    "abs": "Absolute value",
    "offset": "Offset +128",
    "stretch": "Stretch min…max",
}
OFFSET = 128.0  # the "offset" mapping shows raw 0 as mid-grey
STRETCH_CONSTANT = 128  # "stretch" of a constant image: mid-grey (there is no range to stretch)


def check_mapping(mode: str) -> None:
    """``ValueError`` with the known mappings unless ``mode`` is one of :data:`OUTPUT_MAPPINGS`."""
    if mode not in OUTPUT_MAPPINGS:
        raise ValueError(f"unknown output mapping {mode!r}; choose one of {', '.join(OUTPUT_MAPPINGS)}")


class MappedOutput(NamedTuple):
    """Displayable pixels and how many raw values fell outside what could be shown."""

    pixels: np.ndarray  # uint8, the shape of the raw sums
    clipped_low: int  # values that would have been below 0 after rounding
    clipped_high: int  # values that would have been above 255 after rounding


_NAN = "the raw sums hold NaN (not a number), which no pixel can show"


def _stretch_range(raw: np.ndarray, value_range) -> tuple[float, float]:
    if value_range is not None:
        low, high = (float(v) for v in value_range)
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"value_range must be two finite numbers, got {value_range!r}")
        if high < low:
            raise ValueError(f"value_range must be (low, high) with low ≤ high, got {value_range!r}")
        return low, high
    if raw.size == 0:
        return 0.0, 0.0
    low, high = float(raw.min()), float(raw.max())  # NaN when any raw sum is NaN
    if math.isnan(low) or math.isnan(high):
        raise ValueError(_NAN)
    if math.isinf(low) or math.isinf(high):
        raise ValueError("the raw sums reach infinity, so they have no range to stretch")
    return low, high


class BandMapper:
    """The arithmetic of :func:`map_output` for one mapping, applied to any part of the raw sums.

    ``low``/``high`` are the stretch range (``None`` for the other mappings); ``count_range``: count
    the values outside it (a given ``value_range``). Each thread needs its own :meth:`scratch`.
    """

    CHUNK = 1 << 16  # values per step: two scratch arrays of this size stay in L1/L2

    def __init__(self, mode: str, low: float | None = None, high: float | None = None, count_range: bool = False):
        self.mode, self.count_range = mode, count_range
        self.low, self.high = low, high
        self.constant = mode == "stretch" and high == low
        if mode == "stretch" and not self.constant:
            # (v − low) × scale + 0.5, as one multiply and one add
            self.scale = np.float32(255.0 / (high - low))
            self.shift = np.float32(0.5 - low * 255.0 / (high - low))
        else:
            self.scale, self.shift = None, np.float32((OFFSET if mode == "offset" else 0.0) + 0.5)

    def scratch(self) -> tuple[np.ndarray, np.ndarray]:
        return np.empty(self.CHUNK, dtype=np.float32), np.empty(self.CHUNK, dtype=bool)

    def map_into(self, raw: np.ndarray, pixels: np.ndarray, scratch) -> tuple[int, int]:
        """Map the flat float32 ``raw`` into the flat uint8 ``pixels``; returns the clipped counts
        (low, high). Raises ``ValueError`` for a NaN."""
        values, mask = scratch
        if self.constant:
            pixels[:] = STRETCH_CONSTANT
            if not self.count_range:
                return 0, 0
            return (int(np.count_nonzero(raw < np.float32(self.low))), int(np.count_nonzero(raw > np.float32(self.high))))
        mode, low_count, high_count = self.mode, 0, 0
        # NaN, the one value clip leaves out of range, makes the cast to uint8 invalid: numpy notices
        # that at no cost, where a check of our own would take a pass. errstate is per thread.
        try:
            with np.errstate(invalid="raise"):
                for begin in range(0, raw.size, self.CHUNK):
                    end = min(begin + self.CHUNK, raw.size)
                    part, shifted, flags = raw[begin:end], values[: end - begin], mask[: end - begin]
                    # shifted = mapped value + 0.5, so that floor(shifted) rounds half away from zero
                    # for values ≥ 0; negative values end at 0 whichever way they round.
                    if mode == "abs":
                        np.abs(part, out=shifted)
                        np.add(shifted, self.shift, out=shifted)
                    elif mode == "stretch":
                        np.multiply(part, self.scale, out=shifted)
                        np.add(shifted, self.shift, out=shifted)
                    else:
                        np.add(part, self.shift, out=shifted)
                    if mode == "stretch":
                        if self.count_range:
                            low_count += np.count_nonzero(np.less(part, np.float32(self.low), out=flags))
                            high_count += np.count_nonzero(np.greater(part, np.float32(self.high), out=flags))
                    else:
                        # A value rounds below 0 when it is ≤ −0.5, above 255 when it is ≥ 255.5.
                        if mode != "abs":
                            low_count += np.count_nonzero(np.less_equal(shifted, 0.0, out=flags))
                        high_count += np.count_nonzero(np.greater_equal(shifted, 256.0, out=flags))
                    np.clip(shifted, 0.0, 255.0, out=shifted)
                    np.copyto(pixels[begin:end], shifted, casting="unsafe")  # truncation = floor here
        except FloatingPointError:
            raise ValueError(_NAN) from None
        return int(low_count), int(high_count)


def band_mapper(raw: np.ndarray | None, mode: str, value_range=None) -> BandMapper:
    """The :class:`BandMapper` for ``mode``; "stretch" takes ``value_range`` or else ``raw``'s own."""
    check_mapping(mode)
    if mode != "stretch":
        return BandMapper(mode)
    low, high = _stretch_range(raw, value_range)
    return BandMapper(mode, low, high, count_range=value_range is not None)


def map_output(raw, mode: str = "clamp", *, value_range=None) -> MappedOutput:
    """Turn raw sums into uint8 pixels, counting the values that had to be clipped.

    * ``clamp``: round, then clip to 0..255 (the playground's default).
    * ``abs``: the magnitude, rounded and clipped to 255 — edges of both signs show bright.
    * ``offset``: raw + 128, rounded and clipped — zero shows as mid-grey.
    * ``stretch``: the range ``value_range = (low, high)`` — by default the raw values' own
      minimum and maximum — scaled linearly onto 0..255. A constant image has no range and shows
      mid-grey (128). Values outside a given ``value_range`` are clipped and counted.

    Rounding is half away from zero (2.5 → 3, −2.5 → −3), as a person rounds by hand;
    :func:`map_value` maps one value the same way. A NaN raw sum raises ``ValueError`` (no pixel
    can show it); ±∞ clips like any value out of range, except that it leaves nothing to stretch.
    """
    check_mapping(mode)
    raw = np.asarray(raw, dtype=np.float32)
    mapper = band_mapper(raw, mode, value_range)
    pixels = np.empty(raw.shape, dtype=np.uint8)
    flat_raw, flat_pixels = raw.reshape(-1), pixels.reshape(-1)
    counts = np.zeros((2,), dtype=np.int64)
    lock = threading.Lock()

    def run(start: int, stop: int) -> None:
        low, high = mapper.map_into(flat_raw[start:stop], flat_pixels[start:stop], mapper.scratch())
        with lock:
            counts[0] += low
            counts[1] += high

    run_in_slices(run, flat_raw.size, flat_raw.size)
    return MappedOutput(pixels, int(counts[0]), int(counts[1]))


def map_value(raw: float, mode: str = "clamp", value_range=None) -> int:
    """The 0..255 value :func:`map_output` shows for one raw sum (``value_range`` for stretch)."""
    check_mapping(mode)
    if mode == "stretch" and value_range is None:
        raise ValueError("'stretch' needs the value_range (low, high) of the whole output")
    return int(map_output(np.array([raw], dtype=np.float32), mode, value_range=value_range).pixels[0])


@dataclass(frozen=True)
class MappingStep:
    """One raw sum through an output mapping, written out: ``"offset +128: 50.44 + 128 = 178.44 → 178 (rounded)"``.

    ``str(step)`` is the whole line; :meth:`outcome` and :meth:`result` are its parts. Each takes
    ``value``, a format for the shown number alone, for a widget that marks it up (``"<b>{}</b>"``).
    """

    mapping: str  # one of OUTPUT_MAPPINGS
    name: str  # "offset +128"; a stretch names its range: "stretch −100…300 → 0…255"
    working: str  # the arithmetic up to the mapped value: "50.44 + 128 = 178.44", "−106 is below 0"
    shown: int  # the 0..255 value, as map_value gives it
    note: str = ""  # "clipped", "rounded" (the written value is not the shown one), "mid-grey" (no range) or ""

    def result(self, value: str = "{}") -> str:
        """The shown value and its note: ``"178 (rounded)"``, ``"mid-grey 128"``. ``value`` is a
        format for the number alone (``"<b>{}</b>"`` to embolden it)."""
        number = value.format(self.shown)
        if self.note == "mid-grey":
            return f"mid-grey {number}"
        return f"{number} ({self.note})" if self.note else number

    def outcome(self, value: str = "{}") -> str:
        """The working and where it leads: ``"50.44 + 128 = 178.44 → 178 (rounded)"``."""
        return f"{self.working} → {self.result(value)}"

    def text(self, value: str = "{}") -> str:
        """The whole line: ``"offset +128: 50.44 + 128 = 178.44 → 178 (rounded)"``."""
        return f"{self.name}: {self.outcome(value)}"

    def __str__(self) -> str:
        return self.text()


def describe_mapping(raw: float, mode: str = "clamp", value_range=None, *, decimals: int = 2) -> MappingStep:
    """How :func:`map_value` turns ``raw`` into a pixel, written out with its numbers.

    The shown value and whether it was clipped come from :func:`map_output` itself, so the text
    can never disagree with the image. Numbers are written by
    :func:`~kernelplay.common.text.format_number` with up to ``decimals`` decimals::

        >>> str(describe_mapping(-106, "offset"))
        'offset +128: −106 + 128 = 22 → 22'
    """
    check_mapping(mode)
    if mode == "stretch" and value_range is None:
        raise ValueError("'stretch' needs the value_range (low, high) of the whole output")
    mapped = map_output(np.array([raw], dtype=np.float32), mode, value_range=value_range if mode == "stretch" else None)
    shown = int(mapped.pixels[0])
    clipped = bool(mapped.clipped_low or mapped.clipped_high)

    def number(value: float) -> str:
        return format_number(value, decimals)

    # Each name is written with its numbers, as part of the line (the menus' words are MAPPING_LABELS).
    if mode == "clamp":
        value = raw
        where = "below 0" if mapped.clipped_low else "above 255" if mapped.clipped_high else "in range"
        name, working = "clamp 0…255", f"{number(raw)} is {where}"
    elif mode == "abs":
        value = abs(raw)
        name, working = "absolute value", f"|{number(raw)}| = {number(value)}"
    elif mode == "offset":
        value = raw + OFFSET
        name, working = f"offset +{number(OFFSET)}", f"{number(raw)} + {number(OFFSET)} = {number(value)}"
    else:
        low, high = (float(v) for v in value_range)
        if high == low:
            return MappingStep(mode, "stretch", "the output is constant", shown, "mid-grey")
        value = (raw - low) / (high - low) * 255
        name = f"stretch {number(low)}…{number(high)} → 0…255"
        working = f"({number(raw)} {MINUS} {signed(low, decimals)}) ÷ {number(high - low)} × 255 = {number(value)}"
    note = "clipped" if clipped else "rounded" if number(value) != str(shown) else ""
    return MappingStep(mode, name, working, shown, note)
