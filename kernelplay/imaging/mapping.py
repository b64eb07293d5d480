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
    "OUTPUT_MAPPINGS", "MAPPING_LABELS", "MappedOutput", "MappingStep", "check_mapping", "describe_mapping",
    "map_output", "map_value",
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
    if mode == "stretch":
        low, high = _stretch_range(raw, value_range)
        if high == low:
            pixels = np.full(raw.shape, STRETCH_CONSTANT, dtype=np.uint8)
            if value_range is None:
                return MappedOutput(pixels, 0, 0)
            return MappedOutput(pixels, int(np.count_nonzero(raw < low)), int(np.count_nonzero(raw > high)))
        # (v − low) × scale + 0.5, as one multiply and one add
        scale, shift = np.float32(255.0 / (high - low)), np.float32(0.5 - low * 255.0 / (high - low))
    else:
        scale, shift = None, np.float32((OFFSET if mode == "offset" else 0.0) + 0.5)
    pixels = np.empty(raw.shape, dtype=np.uint8)
    flat_raw, flat_pixels = raw.reshape(-1), pixels.reshape(-1)
    chunk = 1 << 16
    counts = np.zeros((2,), dtype=np.int64)
    lock = threading.Lock()

    def run(start: int, stop: int) -> None:
        values = np.empty(min(chunk, stop - start), dtype=np.float32)
        mask = np.empty(values.size, dtype=bool)
        low_count = high_count = 0
        # NaN, the one value clip leaves out of range, makes the cast to uint8 invalid: numpy notices
        # that at no cost, where a check of our own would take a pass. errstate is per thread.
        with np.errstate(invalid="raise"):
            for begin in range(start, stop, chunk):
                end = min(begin + chunk, stop)
                part, shifted, flags = flat_raw[begin:end], values[: end - begin], mask[: end - begin]
                # shifted = mapped value + 0.5, so that floor(shifted) rounds half away from zero for
                # values ≥ 0; negative values end at 0 whichever way they round.
                if mode == "abs":
                    np.abs(part, out=shifted)
                    np.add(shifted, shift, out=shifted)
                elif mode == "stretch":
                    np.multiply(part, scale, out=shifted)
                    np.add(shifted, shift, out=shifted)
                else:
                    np.add(part, shift, out=shifted)
                if mode == "stretch":
                    if value_range is not None:
                        low_count += np.count_nonzero(np.less(part, np.float32(low), out=flags))
                        high_count += np.count_nonzero(np.greater(part, np.float32(high), out=flags))
                else:
                    # A value rounds below 0 when it is ≤ −0.5, above 255 when it is ≥ 255.5.
                    if mode != "abs":
                        low_count += np.count_nonzero(np.less_equal(shifted, 0.0, out=flags))
                    high_count += np.count_nonzero(np.greater_equal(shifted, 256.0, out=flags))
                np.clip(shifted, 0.0, 255.0, out=shifted)
                np.copyto(flat_pixels[begin:end], shifted, casting="unsafe")  # truncation = floor here
        with lock:
            counts[0] += low_count
            counts[1] += high_count

    try:
        run_in_slices(run, flat_raw.size, flat_raw.size)
    except FloatingPointError:
        raise ValueError(_NAN) from None
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
