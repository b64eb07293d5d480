"""How numbers are written on screen: one rule for every label, equation and tooltip."""
from __future__ import annotations

__all__ = ["MINUS", "format_number", "signed"]

MINUS = "\u2212"  # a true minus sign: "−106", not "-106"


def format_number(value: float, decimals: int = 2) -> str:
    """``value`` as a person writes it: whole numbers without decimals, at most ``decimals``
    decimals otherwise (trailing zeros dropped), a true minus sign, never ``−0``."""
    value = float(value)
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
