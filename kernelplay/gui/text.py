"""How numbers are written on screen and read back from typed text."""
from __future__ import annotations

import math

MINUS = "\u2212"  # a true minus sign: wider and more legible than a hyphen


def format_number(value: float, decimals: int = 3) -> str:
    """``value`` as a student reads it: integers without ".0", others with up to ``decimals``
    decimals, negatives with a true minus sign."""
    if not math.isfinite(value):
        return str(value)
    rounded = round(value, decimals)
    if rounded == int(rounded):
        text = str(int(rounded))
    else:
        text = f"{rounded:.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace("-", MINUS) if rounded != 0 else "0"


def parse_number(text: str) -> float | None:
    """The number typed in ``text`` (accepts "−", "," as decimal point, and "a/b"), or None."""
    cleaned = text.strip().replace(MINUS, "-").replace(",", ".")
    if not cleaned:
        return None
    try:
        if "/" in cleaned:
            numerator, denominator = cleaned.split("/", 1)
            value = float(numerator) / float(denominator)
        else:
            value = float(cleaned)
    except (ValueError, ZeroDivisionError):
        return None
    return value if math.isfinite(value) else None
