"""How numbers are written on screen: one rule for every label, equation and tooltip."""
from __future__ import annotations

import math

__all__ = ["MINUS", "format_number", "signed"]

MINUS = "\u2212"  # a true minus sign: "−106", not "-106"
SCIENTIFIC_FROM = 1e12  # larger magnitudes are written 1.5e12: more digits would not be read


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


def signed(value: float, decimals: int = 2) -> str:
    """:func:`format_number`, in brackets when negative, as a term inside a sum: ``(−2)``."""
    text = format_number(value, decimals)
    return f"({text})" if text.startswith(MINUS) else text
