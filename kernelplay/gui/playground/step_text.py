"""The step panel's words: header, equation, running total, stages, grid titles, legend and tooltips.

Qt-free. The arithmetic written out comes from the core (``PixelExplanation.terms`` and
``.stages()``, which writes the output mapping with
:func:`~kernelplay.imaging.mapping.describe_mapping`) and every number from
:mod:`kernelplay.common.text`, by one rule for the whole panel
(:func:`~kernelplay.common.text.format_significant`: the grids, the equation, the running total
and the stages all write 11.772 as 11.77); the tooltips give exact values. This module only
arranges them for the panel. Each text is built once and written with a set of marks: a
:class:`RichText` for the panel's labels (Qt rich text, in the greys of the palette in use; :data:`RICH`
has the light theme's), :data:`PLAIN` for the panel's plain-text accessors, so the two cannot disagree. No word here holds ``<``, ``>`` or ``&``: nothing needs escaping.

``current`` is the panel's step: −1 before the first term, ``i`` while term ``i`` (reading order)
was the last one added, ``k*k`` when the whole sum is shown.
"""
from __future__ import annotations

import numpy as np

from kernelplay.common.text import format_exact, format_number, format_significant
from kernelplay.imaging.borders import BORDER_LABELS
from kernelplay.imaging.explain import PixelExplanation
from kernelplay.imaging.scan import output_offset, output_shape

# On a light ground (the light theme's "faded" and "muted" inks, theme.INK_KINDS): terms not yet in
# the sum, 4.7:1 on the window (was #8c8c8c, 2.9:1), and the mapping's name before its arithmetic,
# 6.5:1 (was #777777, 3.9:1). The panel's own marks take the palette's.
PENDING_COLOUR = "#6a6a6a"
NAME_COLOUR = "#555555"
TERM_BACKGROUND = "#c4efff"  # the term just added: a pale tint of the cyan outline on the grids
TERM_INK = "#0b2a36"  # dark text on that tint, in light and dark mode alike

# The header names the border mode as the menu does (BORDER_LABELS), in lower case, except that
# "reflect (mirror)" is cut to "reflect": the header must stay on one line in the sliding-window
# view, and the legend under the grids says what reflecting does.
SHORT_BORDER_NAMES = {"reflect": "reflect"}
# What a padding cell holds, as a short tag in the cell and a sentence under the grids.
PADDING_TAGS = {"zero": "pad", "replicate": "copy", "reflect": "mirror", "wrap": "wrap"}
PADDING_SENTENCES = {
    "zero": "outside the image: filled with 0 (zero padding)",
    "replicate": "outside the image: a copy of the nearest edge pixel (replicate)",
    "reflect": "outside the image: mirrored across the edge (reflect)",
    "wrap": "outside the image: taken from the opposite edge (wrap around)",
}
CHANNEL_NAMES = {"R": "red", "G": "green", "B": "blue"}
PIN_NOTE = "Pinned: Esc or a click on the pixel releases it."


class PlainText:
    """Marks for plain text: each leaves the words as they are."""

    separator = " · "  # between the header's parts
    gap = " "  # before a remark in brackets
    line_break = " "

    def strong(self, text: str) -> str:
        """A result: the number a stage arrives at."""
        return text

    def pending(self, text: str) -> str:
        """A term not yet in the running total."""
        return text

    def current(self, text: str) -> str:
        """The term just added."""
        return text

    def quiet(self, text: str) -> str:
        """A name before the arithmetic it introduces."""
        return text

    def unbroken(self, text: str) -> str:
        """Text that must not break across lines (one term of the sum)."""
        return text


class RichText(PlainText):
    """Marks for the panel's labels, in the HTML subset QLabel draws: pending terms in ``pending``,
    names in ``quiet`` (colours as ``#rrggbb``)."""

    def __init__(self, pending: str = PENDING_COLOUR, quiet: str = NAME_COLOUR) -> None:
        self.pending_colour, self.quiet_colour = pending, quiet

    separator = " &nbsp;·&nbsp; "
    gap = " &nbsp;"
    line_break = " <br>"

    def strong(self, text: str) -> str:
        return f"<b>{text}</b>"

    def pending(self, text: str) -> str:
        return f"<span style='color:{self.pending_colour}'>{text}</span>"

    def current(self, text: str) -> str:
        return f"<span style='background-color:{TERM_BACKGROUND}; color:{TERM_INK}; font-weight:bold'>&nbsp;{text}&nbsp;</span>"

    def quiet(self, text: str) -> str:
        return f"<span style='color:{self.quiet_colour}'>{text}</span>"

    def unbroken(self, text: str) -> str:
        return text.replace(" ", "&nbsp;")


PLAIN = PlainText()
RICH = RichText()


def number(value: float) -> str:
    """A number as the panel writes it, everywhere: four significant digits
    (:func:`~kernelplay.common.text.format_significant`)."""
    return format_significant(float(value))


def border_name(border: str) -> str:
    """The border mode as the header names it: ``"zero padding"``."""
    return SHORT_BORDER_NAMES.get(border, BORDER_LABELS[border].lower())


def terms_added(explanation: PixelExplanation, current: int) -> int:
    """How many terms are in the running total at step ``current``."""
    return max(0, min(current + 1, explanation.products.size))


def header(explanation: PixelExplanation, marks: PlainText = RICH, output_pixel: tuple[int, ...] | None = None) -> str:
    """``"pixel (row 4, col 4) · grey image · zero padding"``: where, which values, which border.

    A colour channel is named with the output pixel it is part of, as the output shows it:
    ``"red channel of the output (13, 9, 1)"``.
    """
    e = explanation
    where = marks.strong(f"pixel (row {e.row}, col {e.col})")
    if (e.output_row, e.output_col) != (e.row, e.col):
        where += f" → output (row {e.output_row}, col {e.output_col})"
    if e.channel is None:
        channel = "grey image"
    elif e.channel == "luminance":
        channel = marks.strong("luminance")
    else:
        channel = f"{marks.strong(CHANNEL_NAMES[e.channel])} channel"
        if output_pixel is not None and len(output_pixel) > 1:
            channel += f" of the output ({', '.join(str(int(v)) for v in output_pixel)})"
    parts = [where, channel, border_name(e.border)]
    if e.flipped:
        parts.append("convolution (kernel flipped)")
    return marks.separator.join(parts)


def equation(explanation: PixelExplanation, current: int, marks: PlainText = RICH) -> str:
    """Every term of the sum, then ``= <running total>``; the terms still to come are pending."""
    n = explanation.products.size
    parts = []
    for index, term in enumerate(explanation.terms()):
        term = marks.unbroken(term)
        if index == current:
            term = marks.current(term)
        elif current < n and index > current:
            term = marks.pending(term)
        parts.append(term)
    total = explanation.partial_sum(terms_added(explanation, current))
    return " + ".join(parts) + f" = {marks.strong(number(total))}"


def running_total(explanation: PixelExplanation, current: int, marks: PlainText = RICH) -> str:
    """``"running total after term 3 of 9: −449"``, or ``"sum of all 9 terms: −106"`` at the end."""
    n = explanation.products.size
    if current < 0:
        return f"running total: {marks.strong('0')}{marks.gap}{marks.pending('(no terms yet)')}"
    if current < n:
        return f"running total after term {current + 1} of {n}: {marks.strong(number(explanation.running_sums[current]))}"
    return f"sum of all {n} terms: {marks.strong(number(explanation.weighted_sum))}"


def stages(explanation: PixelExplanation, marks: PlainText = RICH) -> dict[str, str]:
    """The stages from the weighted sum to the pixel, by the keys of
    :data:`~kernelplay.imaging.explain.STAGE_NAMES` ("divide" only when there is a divisor)."""
    written = explanation.stages()
    result = marks.strong("{}")
    texts = written.texts(result)
    mapping = written.mapping
    # A stretch over a range writes its whole formula out: on a line of its own, under the range.
    gap = marks.line_break if mapping.mapping == "stretch" and mapping.note != "mid-grey" else " "
    texts["mapping"] = f"{marks.quiet(mapping.name + ':')}{gap}{mapping.outcome(result)}"
    return texts


def grid_titles(explanation: PixelExplanation) -> tuple[str, str, str]:
    """The captions above the input window, the kernel and the products."""
    kernel = "kernel" if explanation.divisor == 1 else f"kernel (÷ {number(explanation.divisor)} later)"
    if explanation.flipped:
        kernel += ", flipped"
    window = "input window" if explanation.channel not in CHANNEL_NAMES else f"input window ({CHANNEL_NAMES[explanation.channel]})"
    return window, kernel, "products"


def padding_legend(border: str) -> str:
    """The sentence under the grids that says what the hatched cells hold."""
    return "Hatched cells lie " + PADDING_SENTENCES.get(border, "outside the image")


def cell_tooltip(explanation: PixelExplanation, term: int) -> str:
    """What hovering a cell of term ``term`` (reading order) says about it: its exact numbers."""
    e = explanation
    value, weight, product = e.window.flat[term], e.weights.flat[term], e.products[term]
    where = " (padding)" if e.is_padding.flat[term] else ""
    row, col = divmod(term, e.size)
    return (
        f"term {term + 1}, exact values (window row {row + 1}, column {col + 1}):\n"
        f"input {format_exact(value)}{where} × weight {format_exact(weight)} = {format_exact(product)}\n"
        "click to step the sum to here"
    )


def no_output_text(row: int, col: int, size: int, shape: tuple[int, ...]) -> str:
    """Why the "valid" border has no output pixel for the ``size``×``size`` window centred on
    (row, col) of an image of ``shape`` (H, W, …): where its output pixels are, by the core's count."""
    height, width = shape[:2]
    first = output_offset("valid", size)
    rows, cols = output_shape(shape, size, "valid", 1)
    return (
        f"Pixel (row {row}, col {col}) has no output pixel. With the Valid border the {size}×{size} window "
        f"must fit inside the image: output pixels exist only from row {first} to {first + rows - 1} and "
        f"column {first} to {first + cols - 1}, so the output is {cols}×{rows}: the {width}×{height} input "
        f"less a ring {first} pixel{'s' if first > 1 else ''} wide."
    )


def hover_line(row: int, col: int, input_pixel, output: tuple | None, *, outside_valid: bool, pinned: bool) -> str:
    """The status line's words for input pixel (row, col): its value, and ``output``'s (raw sum,
    shown value) or, ``outside_valid``, that a "valid" output has no pixel there."""
    text = f"({row}, {col})  in: {pixel_text(input_pixel)}"
    if output is not None:
        text += f"  →  sum {pixel_text(output[0])}  →  out {pixel_text(output[1])}"
    elif outside_valid:
        text += "  →  no output pixel here (valid border)"
    return text + ("  ·  pinned" if pinned else "")


def pixel_text(value) -> str:
    """A grey value or an RGB triple, to one decimal: ``"12.5"``, ``"(1, 2, 3)"``."""
    parts = [format_number(float(v), 1) for v in np.atleast_1d(value)]
    return parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ")"
