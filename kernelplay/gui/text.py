"""How numbers are written on screen and read back from typed text: the core's rules."""
from __future__ import annotations

from kernelplay.core.explain import MINUS, format_number
from kernelplay.core.kernels import parse_weight

__all__ = ["MINUS", "format_number", "parse_number", "CELL_DECIMALS"]

CELL_DECIMALS = 6  # a typed weight is shown back as typed, not rounded to the labels' 2 decimals


def parse_number(text: str) -> float | None:
    """The number typed in ``text`` (see ``parse_weight``), or None when it is not one."""
    try:
        return parse_weight(text)
    except ValueError:
        return None
