"""How numbers are written on screen: one rule for every label, equation and tooltip.

:func:`format_number` writes a number to a fixed number of decimals (labels, status lines).
:func:`format_significant` is the rule of everything that explains a sum (the step panel's grids,
equation, running total and stages, the kernel's sum): four significant digits, so 6.131, 11.77
and −0.002734 are each written the same way wherever they appear and a small value never reads
as 0. :func:`format_exact` gives the tooltips every digit that matters. :func:`shortened` and
:func:`sentence` shape the words of a message.
"""
from __future__ import annotations

import math

__all__ = [
    "MINUS", "SIGNIFICANT", "bracket_negative", "format_exact", "format_number", "format_significant",
    "sentence", "shortened", "signed", "significant_decimals",
]

MINUS = "\u2212"  # a true minus sign: "−106", not "-106"
SCIENTIFIC_FROM = 1e12  # larger magnitudes are written 1.5e12: more digits would not be read
SIGNIFICANT = 4  # digits of a number in an explained sum: 6.131, 11.77, 118.4, −0.002734
MOST_DECIMALS = 8  # below 0.5e-8 a number is written 0
EXACT_DIGITS = 10  # a tooltip's "exact" value: more digits than a float32 holds


def format_number(value: float, decimals: int = 2) -> str:
    """``value`` as a person writes it: whole numbers without decimals, at most ``decimals``
    decimals otherwise (trailing zeros dropped), a true minus sign, never ``−0``. Magnitudes from
    1e12 are written ``2.5e12``; infinities ``∞`` / ``−∞`` and NaN ``NaN``. Never raises."""
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else MINUS + "∞"
    if abs(value) >= SCIENTIFIC_FROM:
        mantissa, exponent = f"{value:.{max(decimals, 1)}e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}".replace("-", MINUS)
    if abs(value - round(value)) < 1e-9:
        text = str(int(round(value)))
    else:
        text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    if text in ("-0", "0"):
        return "0"
    return text.replace("-", MINUS)


def significant_decimals(value: float, digits: int = SIGNIFICANT) -> int:
    """The decimals that write ``value`` with ``digits`` significant digits: none for a whole
    number, otherwise at least one (1026.5 is not written 1027) and at most eight."""
    value = abs(float(value))
    if not math.isfinite(value) or abs(value - round(value)) < 1e-9:
        return 0
    return min(MOST_DECIMALS, max(1, digits - 1 - math.floor(math.log10(value))))


def format_significant(value: float, digits: int = SIGNIFICANT) -> str:
    """``value`` with ``digits`` significant digits (see :func:`significant_decimals`):
    ``6.131``, ``11.77``, ``118.4``, ``1026.5``, ``−0.002734``; whole numbers stay whole."""
    return format_number(value, significant_decimals(value, digits))


def format_exact(value: float) -> str:
    """``value`` with every digit that matters (up to ten significant), for a tooltip:
    ``118.4489975``, ``−0.002734375``, ``1e−12``."""
    value = float(value)
    if not math.isfinite(value) or abs(value) >= SCIENTIFIC_FROM:
        return format_number(value)
    text = f"{value:.{EXACT_DIGITS}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return "0" if value == 0 else text.replace("-", MINUS)


def bracket_negative(text: str) -> str:
    """A written number in brackets when it is negative, as a term inside a sum: ``(−2)``."""
    return f"({text})" if text.startswith(MINUS) else text


def signed(value: float, decimals: int = 2) -> str:
    """:func:`format_number`, in brackets when negative, as a term inside a sum: ``(−2)``."""
    return bracket_negative(format_number(value, decimals))


def shortened(text: str, limit: int) -> str:
    """``text`` for a message, cut to ``limit`` characters and an ellipsis when longer."""
    return text if len(text) <= limit else text[:limit] + "…"


def sentence(clause: str) -> str:
    """A clause (``"cannot save k.json: …"``) as a sentence: a capital first letter and a full stop."""
    return clause[:1].upper() + clause[1:] + ("" if clause.endswith((".", "!", "?")) else ".")
