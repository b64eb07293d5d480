"""The sliding window's state (no Qt): its settings, how far it has run, the output so far.

:class:`ScanState` is what the playground's "sliding window" view draws and steps. One call,
:meth:`ScanState.configure`, changes any number of settings and restarts the scan once — and
only when a setting really changed. A restart is lazy: the positions, the empty output and (for
the "stretch" mapping) the whole output's range are worked out the first time something asks
for them, so settings changed while nobody watches cost a comparison and nothing more.

Progress is ``done``, the number of positions visited in reading order: the window's current
position is ``done − 1``, and output pixel ``i`` holds the value :func:`explain_pixel` shows for
position ``i`` once visited, :data:`EMPTY` before.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import NamedTuple

import numpy as np

from kernelplay.imaging.borders import check_border
from kernelplay.imaging.explain import PixelExplanation, explain_pixel
from kernelplay.imaging.filtering import apply_kernel, check_filter_kernel
from kernelplay.imaging.images import CHANNELS, channel_plane
from kernelplay.imaging.kernels import PRESETS
from kernelplay.imaging.mapping import check_mapping
from kernelplay.imaging.scan import (
    default_scan_image,
    fit_for_scan,
    output_shape,
    scan_positions,
    size_formula,
    strided_output,
)

__all__ = ["EMPTY", "SCAN_STRIDES", "ScanSettings", "ScanState"]

EMPTY = -1  # an output pixel the window has not reached yet
SCAN_STRIDES = (1, 2)
DEFAULT_KERNEL = "emboss"  # its −106 example is the one the step panel's texts use


@dataclass(frozen=True, eq=False)
class ScanSettings:
    """What the scan runs: ``image`` and ``kernel`` are read-only arrays."""

    image: np.ndarray  # uint8 (H, W) grey or (H, W, 3) RGB, fitted by fit_for_scan
    kernel: np.ndarray  # (k, k) float64, k odd
    border: str = "zero"
    channel: str | None = None  # of a colour image: "R", "G", "B" or "luminance" (None: luminance)
    mapping: str = "clamp"
    flip: bool = False
    stride: int = 1

    @property
    def plane_channel(self) -> str | None:
        """The channel the window reads, as :func:`explain_pixel` takes it: None for grey images."""
        return None if self.image.ndim == 2 else (self.channel or "luminance")

    @property
    def kernel_size(self) -> int:
        return self.kernel.shape[0]


SETTING_NAMES = tuple(field.name for field in fields(ScanSettings))


class _Layout(NamedTuple):
    """What a restart works out: the plane the window reads, where it stops, the stretch range."""

    plane: np.ndarray  # (H, W) float32
    positions: tuple[tuple[int, int], ...]
    index: dict[tuple[int, int], int]  # position → its place in reading order
    value_range: tuple[float, float] | None  # "stretch": the whole (strided) output's min and max


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _checked(name: str, value):
    """``value`` as the setting ``name`` holds it, or ``ValueError`` saying what is wrong."""
    if name == "kernel":
        return _read_only(check_filter_kernel(value).copy())
    if name == "border":
        check_border(value)
    elif name == "mapping":
        check_mapping(value)
    elif name == "channel" and value not in (None, *CHANNELS):
        raise ValueError(f"unknown channel {value!r}; choose None or one of {', '.join(CHANNELS)}")
    elif name == "stride" and value not in SCAN_STRIDES:
        raise ValueError(f"the scan's stride is 1 or 2, got {value}")
    elif name == "flip":
        return bool(value)
    return value


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return a is b or (a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b))


def _same_scan(a: ScanSettings, b: ScanSettings) -> bool:
    """Whether two settings run the same scan (a grey image has no channel to choose)."""
    return ((a.border, a.mapping, a.flip, a.stride, a.plane_channel) == (b.border, b.mapping, b.flip, b.stride, b.plane_channel)
            and _same_array(a.kernel, b.kernel) and _same_array(a.image, b.image))


class ScanState:
    """A k×k window sliding over a small image in reading order, ``stride`` pixels at a time.

    ``ScanState(**settings)`` starts on the built-in digit with the emboss kernel; any setting of
    :class:`ScanSettings` may be given. ``revision`` counts the restarts settings changes caused.
    """

    def __init__(self, **settings) -> None:
        self._source = default_scan_image()  # the image as handed in, before fitting
        self._settings = ScanSettings(image=self._source, kernel=_checked("kernel", PRESETS[DEFAULT_KERNEL]))
        self._layout: _Layout | None = None  # None: not worked out since the last restart
        self._output = np.zeros((0, 0), dtype=np.int16)
        self._done = 0
        self._explained: tuple[int, PixelExplanation] | None = None  # the newest explanation
        self.revision = 0
        self.configure(**settings)
        self.revision = 0

    # -- settings ----------------------------------------------------------------------------
    @property
    def settings(self) -> ScanSettings:
        return self._settings

    def configure(self, **changes) -> bool:
        """Change any settings at once, by name (see :class:`ScanSettings`); True if the scan restarted.

        A real change restarts the scan, once; values equal to the current ones, or a channel
        for a grey image, change nothing but the recorded settings. ``image`` may be any (H, W) or
        (H, W, 3) image: it is fitted with :func:`fit_for_scan`, except when it is the very array
        handed in last time, which counts as unchanged (so do not change an image's pixels in
        place after handing it over).
        """
        unknown = set(changes) - set(SETTING_NAMES)
        if unknown:
            raise TypeError(f"unknown scan setting(s) {', '.join(sorted(unknown))}; known: {', '.join(SETTING_NAMES)}")
        source = changes.get("image", self._source)
        if "image" in changes:
            changes["image"] = self._settings.image if source is self._source else _read_only(fit_for_scan(source))
        checked = {name: _checked(name, value) for name, value in changes.items()}
        self._source = source
        settings, self._settings = self._settings, replace(self._settings, **checked)
        if _same_scan(settings, self._settings):
            return False
        self.revision += 1
        self._layout = None
        self._done = 0
        self._explained = None
        return True

    # -- the layout a restart works out (lazily) -----------------------------------------------
    def _laid_out(self) -> _Layout:
        if self._layout is None:
            s = self._settings
            plane = _read_only(channel_plane(s.image, s.plane_channel).astype(np.float32))
            positions = scan_positions(plane.shape, s.kernel_size, s.border, s.stride)
            value_range = None
            if s.mapping == "stretch" and positions:
                raw = strided_output(apply_kernel(plane, s.kernel, border=s.border, flip=s.flip), s.stride)
                value_range = (float(raw.min()), float(raw.max()))
            index = {position: i for i, position in enumerate(positions)}
            self._layout = _Layout(plane, tuple(positions), index, value_range)
            self._output = np.full(output_shape(plane.shape, s.kernel_size, s.border, s.stride), EMPTY, dtype=np.int16)
        return self._layout

    def plane(self) -> np.ndarray:
        """The (H, W) float32 plane the window reads (the image, a channel, or its luminance)."""
        return self._laid_out().plane

    def positions(self) -> tuple[tuple[int, int], ...]:
        """The window's centres (row, col) in input coordinates, in reading order."""
        return self._laid_out().positions

    def position_count(self) -> int:
        return len(self._laid_out().positions)

    def position_index(self, row: int, col: int) -> int | None:
        """Where in the scan the window is centred on (row, col); None if it never is."""
        return self._laid_out().index.get((row, col))

    def value_range(self) -> tuple[float, float] | None:
        """For "stretch": the whole output's (min, max), as if the scan had finished; else None."""
        return self._laid_out().value_range

    def output_shape(self) -> tuple[int, int]:
        self._laid_out()
        return self._output.shape

    # -- progress ------------------------------------------------------------------------------
    @property
    def done(self) -> int:
        """Positions visited so far; the window's current position is ``done − 1``."""
        return self._done

    def is_finished(self) -> bool:
        return self._done >= self.position_count()

    def output(self) -> np.ndarray:
        """The output so far, int16: 0..255 where the window has been, :data:`EMPTY` elsewhere."""
        self._laid_out()
        return self._output.copy()

    def current_position(self) -> tuple[int, int] | None:
        """The window's centre (row, col), or None before the first step."""
        return self._laid_out().positions[self._done - 1] if self._done else None

    def current_output_cell(self) -> tuple[int, int] | None:
        """The output pixel (row, col) the window is filling, or None before the first step."""
        return divmod(self._done - 1, self.output_shape()[1]) if self._done else None

    def explanation(self) -> PixelExplanation | None:
        """The multiply-sum at the window's current position, or None before the first step."""
        if not self._done:
            return None
        if self._explained is None or self._explained[0] != self._done - 1:
            self._explained = (self._done - 1, self._explain(self._done - 1))
        return self._explained[1]

    def seek(self, done: int) -> bool:
        """Show the scan after ``done`` positions: earlier pixels filled, later ones empty.

        Returns whether the window moved. Moving forward explains every position passed.
        """
        done = max(0, min(int(done), self.position_count()))
        if done == self._done:
            return False
        flat = self._output.reshape(-1)
        if done < self._done:
            flat[done:] = EMPTY
        for index in range(self._done, done):
            self._explained = (index, self._explain(index))
            flat[index] = self._explained[1].shown
        self._done = done
        return True

    def step(self) -> bool:
        """Move the window to the next position and fill in its output pixel."""
        return self.seek(self._done + 1)

    def back(self) -> bool:
        """Undo the last position."""
        return self.seek(self._done - 1)

    def finish(self) -> bool:
        """Fill in the whole output."""
        return self.seek(self.position_count())

    def rewind(self) -> None:
        """Clear the output and put the window back before the first position."""
        self.seek(0)

    def _explain(self, index: int) -> PixelExplanation:
        s, layout = self._settings, self._laid_out()
        row, col = layout.positions[index]
        return explain_pixel(
            s.image, s.kernel, row, col, border=s.border, channel=s.plane_channel, mapping=s.mapping,
            flip=s.flip, value_range=layout.value_range,
        )

    # -- what the view writes ------------------------------------------------------------------
    def input_caption(self) -> str:
        """``"input 28×28 + padding ring (zero)"``, naming the channel of a colour image."""
        s = self._settings
        height, width = s.image.shape[:2]
        channel = {None: "", "luminance": " · luminance"}.get(s.plane_channel, f" · channel {s.plane_channel}")
        ring = "" if s.border == "valid" else f" + padding ring ({s.border})"
        return f"input {width}×{height}{channel}{ring}"

    def output_caption(self) -> str:
        rows, cols = self.output_shape()
        return f"output {cols}×{rows}"

    def size_formulas(self) -> tuple[str, str | None]:
        """The output-size formula for the rows, and for the columns when the image is not square."""
        s = self._settings
        height, width = s.image.shape[:2]
        rows = size_formula(height, s.kernel_size, s.border, s.stride)
        return rows, None if height == width else size_formula(width, s.kernel_size, s.border, s.stride)

    def status_text(self) -> str:
        total = self.position_count()
        if not self._done:
            return f"{total} positions: press Play or Step" if total else "the image is smaller than the kernel"
        (row, col), (out_row, out_col) = self.current_position(), self.current_output_cell()
        return (f"position {self._done} of {total}: window centred on (row {row}, col {col})"
                f" → output (row {out_row}, col {out_col})")
