"""One output pixel, explained: the window, the weights, each product and the running sum.

:func:`explain_pixel` reads only the k×k window around the pixel (plus, for "stretch" without a
given range, one pass of the filter), so it is cheap enough to run on every mouse move over a
12-megapixel image. The step-by-step panel draws the :class:`PixelExplanation` it returns.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from kernelplay.common.text import bracket_negative, format_significant, significant_decimals
from kernelplay.imaging.borders import check_border
from kernelplay.imaging.filtering import apply_kernel, check_filter_kernel, check_image, output_window
from kernelplay.imaging.images import CHANNELS, channel_plane
from kernelplay.imaging.kernels import kernel_as_fraction
from kernelplay.imaging.mapping import MappingStep, check_mapping, describe_mapping, map_value

# The way from the weighted sum to the shown pixel, stage by stage (SumStages.texts' keys).
STAGE_NAMES = {
    "sum": "weighted sum",
    "divide": "÷ divisor",
    "raw": "raw total",
    "mapping": "output mapping",
    "shown": "shown pixel",
}


@dataclass(frozen=True)
class SumStages:
    """The stages from the weighted sum to the shown pixel, as text; see :meth:`PixelExplanation.stages`.

    ``str(stages)`` writes one stage a line::

        weighted sum: 1824
        ÷ divisor: 1824 ÷ 16 = 114
        raw total: 114
        output mapping: clamp 0…255: 114 is in range → 114
        shown pixel: 114
    """

    weighted_sum: str  # "1824"
    divisor: str | None  # "16"; None when the kernel has no divisor
    raw: str  # "114": the weighted sum divided by the divisor
    mapping: MappingStep  # raw → shown pixel

    @property
    def shown(self) -> int:
        return self.mapping.shown

    def division(self, value: str = "{}") -> str | None:
        """``"1824 ÷ 16 = 114"``, or None without a divisor. ``value`` formats the quotient."""
        if self.divisor is None:
            return None
        return f"{self.weighted_sum} ÷ {self.divisor} = {value.format(self.raw)}"

    def texts(self, value: str = "{}") -> dict[str, str]:
        """Each stage's text by :data:`STAGE_NAMES` key ("divide" only with a divisor). ``value``
        formats each stage's resulting number (``"<b>{}</b>"`` to embolden it)."""
        texts = {"sum": value.format(self.weighted_sum)}
        if self.divisor is not None:
            texts["divide"] = self.division(value)
        texts["raw"] = value.format(self.raw)
        texts["mapping"] = self.mapping.text(value)
        texts["shown"] = value.format(self.shown)
        return texts

    def __str__(self) -> str:
        return "\n".join(f"{STAGE_NAMES[key]}: {text}" for key, text in self.texts().items())


@dataclass(frozen=True, eq=False)
class PixelExplanation:
    """How the output pixel at ``(output_row, output_col)`` came about. Arrays are read-only.

    ``window`` holds the input values under the kernel (k×k float64); cells outside the image are
    marked in ``is_padding`` and hold what the border mode puts there (0, the replicated, mirrored
    or wrapped value). ``weights`` are the kernel's numerators as applied (already turned by 180°
    when ``flipped``), so the kernel is ``weights / divisor``. ``products`` and ``running_sums``
    run over the k*k cells in reading order; ``weighted_sum`` is their total and
    ``raw = weighted_sum / divisor`` equals ``apply_kernel(...)`` at this pixel (up to float32
    rounding). ``shown`` is the 0..255 value after the output ``mapping``.
    """

    row: int
    col: int
    output_row: int
    output_col: int
    channel: str | None
    border: str
    window: np.ndarray
    is_padding: np.ndarray
    weights: np.ndarray
    divisor: float
    products: np.ndarray
    running_sums: np.ndarray
    weighted_sum: float
    raw: float
    mapping: str
    shown: int
    flipped: bool
    value_range: tuple[float, float] | None = None  # the stretch range, when mapping is "stretch"

    # Arrays make the generated == ambiguous; two explanations are equal when every field is.
    def __eq__(self, other) -> bool:
        if not isinstance(other, PixelExplanation):
            return NotImplemented
        return all(
            np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
            for a, b in ((getattr(self, f.name), getattr(other, f.name)) for f in dataclasses.fields(self))
        )

    __hash__ = None  # arrays are not hashable

    @property
    def size(self) -> int:
        """k, the side of the window."""
        return self.window.shape[0]

    @property
    def kernel(self) -> np.ndarray:
        """The kernel as applied: ``weights / divisor`` (k×k float64)."""
        return self.weights / self.divisor

    def terms(self) -> list[str]:
        """Each product as text, in reading order: ``"162 × (−2)"`` (numbers by
        :func:`~kernelplay.common.text.format_significant`, as everywhere in an explained sum)."""
        return [
            f"{format_significant(value)} × {bracket_negative(format_significant(weight))}"
            for value, weight in zip(self.window.ravel(), self.weights.ravel())
        ]

    def partial_sum(self, count: int) -> float:
        """The sum of the first ``count`` terms (reading order): 0 for none, ``weighted_sum`` for all."""
        count = max(0, min(int(count), self.products.size))
        return float(self.running_sums[count - 1]) if count else 0.0

    def equation(self, upto: int | None = None) -> str:
        """The sum written out: ``"162 × (−2) + 125 × (−1) + … = −106"``.

        With ``upto=n``, only the first ``n`` terms and their running sum. The division by the
        divisor, when there is one, follows the full sum: ``"… = 1824 ÷ 16 = 114"``.
        """
        count = self.products.size if upto is None else max(0, min(int(upto), self.products.size))
        if count == 0:
            return "0"
        terms = " + ".join(self.terms()[:count])
        if count == self.products.size and self.divisor != 1.0:
            return f"{terms} = {self.stages().division()}"
        return f"{terms} = {format_significant(self.partial_sum(count))}"

    def stages(self) -> SumStages:
        """The weighted sum, the division, the raw total and the output mapping, written out.

        For the emboss example under "offset", ``str(explanation.stages().mapping)`` is
        ``"offset +128: −106 + 128 = 22 → 22"``. The mapping's numbers get the decimals that
        write the raw total (and a stretch's range and result) with four significant digits, so
        the raw total reads the same in both stages.
        """
        return SumStages(
            weighted_sum=format_significant(self.weighted_sum),
            divisor=None if self.divisor == 1.0 else format_significant(self.divisor),
            raw=format_significant(self.raw),
            mapping=describe_mapping(self.raw, self.mapping, self.value_range, decimals=self._mapping_decimals()),
        )

    def _mapping_decimals(self) -> int:
        numbers = [self.raw]
        if self.value_range is not None and self.value_range[1] != self.value_range[0]:
            low, high = self.value_range
            numbers += [low, high, (self.raw - low) / (high - low) * 255]
        return max(significant_decimals(number) for number in numbers)


@lru_cache(maxsize=64)
def _fraction(kernel_bytes: bytes, size: int) -> tuple[np.ndarray, float]:
    kernel = np.frombuffer(kernel_bytes, dtype=np.float64).reshape(size, size)
    numerators, divisor = kernel_as_fraction(kernel)
    numerators.setflags(write=False)
    return numerators, divisor


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def explain_pixel(
    image,
    kernel,
    row: int,
    col: int,
    *,
    border: str = "zero",
    channel: str | None = None,
    mapping: str = "clamp",
    flip: bool = False,
    value_range: tuple[float, float] | None = None,
) -> PixelExplanation:
    """Explain the output pixel whose window is centred on input pixel ``(row, col)``.

    ``image`` is as for :func:`~kernelplay.imaging.filtering.apply_kernel`. ``channel`` picks what a
    colour image contributes: ``"R"``, ``"G"``, ``"B"`` or ``"luminance"`` (the default for
    colour); it must be None for a grey image. For "valid", a centre whose window leaves the image
    has no output pixel and raises ``ValueError``. ``value_range`` is the (low, high) of the whole
    output for the "stretch" mapping; when None it is computed with one pass of the filter.
    """
    check_border(border)
    check_mapping(mapping)
    kernel = check_filter_kernel(kernel)
    image = check_image(image)
    height, width = image.shape[:2]
    row, col = int(row), int(col)
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(f"pixel (row {row}, column {col}) is outside the {width}×{height} image")
    if image.ndim == 2:
        channel_plane(image, channel)  # a grey image has no colour channel to pick
        channel = None
    else:
        channel = "luminance" if channel is None else channel
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}; choose one of {', '.join(CHANNELS)}")
    size = kernel.shape[0]
    radius = size // 2
    if border == "valid":
        if not (radius <= row < height - radius and radius <= col < width - radius):
            raise ValueError(
                f"under 'valid' the {size}×{size} window centred on (row {row}, column {col}) leaves the "
                f"image, so there is no output pixel there; centres must be {radius} pixels from the edge"
            )
        output_row, output_col = row - radius, col - radius
    else:
        output_row, output_col = row, col

    wanted_rows = np.arange(row - radius, row + radius + 1)
    wanted_cols = np.arange(col - radius, col + radius + 1)
    outside_rows = (wanted_rows < 0) | (wanted_rows >= height)
    outside_cols = (wanted_cols < 0) | (wanted_cols >= width)
    is_padding = outside_rows[:, None] | outside_cols[None, :]
    # Only the window is read, with what the border puts outside: a k×k gather, whatever the image size.
    patch = output_window(image, size, output_row, output_col, border)
    # luminance of the patch: the same float32 arithmetic as filtering the luminance image
    window = channel_plane(patch, channel).astype(np.float64)

    applied = kernel[::-1, ::-1] if flip else kernel
    applied = np.ascontiguousarray(applied)
    weights, divisor = _fraction(applied.tobytes(), size)
    products = (window * weights).ravel()
    running_sums = np.cumsum(products)
    weighted_sum = float(running_sums[-1])
    raw = weighted_sum / divisor

    if mapping == "stretch" and value_range is None:
        whole = apply_kernel(channel_plane(image, channel), kernel, border=border, flip=flip)
        value_range = (float(whole.min()), float(whole.max()))
    elif value_range is not None:
        value_range = (float(value_range[0]), float(value_range[1]))
    shown = map_value(raw, mapping, value_range if mapping == "stretch" else None)

    return PixelExplanation(
        row=row,
        col=col,
        output_row=output_row,
        output_col=output_col,
        channel=channel,
        border=border,
        window=_read_only(window),
        is_padding=_read_only(is_padding),
        weights=_read_only(weights.copy()),
        divisor=float(divisor),
        products=_read_only(products),
        running_sums=_read_only(running_sums),
        weighted_sum=weighted_sum,
        raw=raw,
        mapping=mapping,
        shown=shown,
        flipped=bool(flip),
        value_range=value_range if mapping == "stretch" else None,
    )
