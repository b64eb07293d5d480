"""How numbers are written: whole numbers bare, a true minus sign, negative terms in brackets."""
from kernelplay.common.text import MINUS, format_number, signed


def test_format_number():
    assert format_number(-106) == "−106"
    assert format_number(2.0) == "2"
    assert format_number(-0.0) == "0"
    assert format_number(-0.001) == "0"  # rounds to zero: no "−0"
    assert format_number(132.4375) == "132.44"
    assert format_number(0.5) == "0.5"
    assert format_number(1 / 3, 4) == "0.3333"


def test_format_number_never_raises_and_keeps_long_numbers_short():
    assert format_number(float("inf")) == "∞" and format_number(float("-inf")) == f"{MINUS}∞"
    assert format_number(float("nan")) == "NaN"
    assert format_number(1e308) == "1e308" and format_number(-2.5e12) == f"{MINUS}2.5e12"
    assert format_number(999_999_999_999) == "999999999999"  # below 1e12 every digit stays


def test_signed_brackets_negative_terms():
    assert signed(-2) == f"({MINUS}2)"
    assert signed(2) == "2"
