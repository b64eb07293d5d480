"""How numbers are written: whole numbers bare, a true minus sign, negative terms in brackets."""
from kernelplay.common.text import MINUS, format_exact, format_number, format_significant, signed


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


def test_format_significant_is_the_rule_of_an_explained_sum():
    assert [format_significant(v) for v in (6.131, 9.017, -11.772, 118.449, 0.3333333)] == [
        "6.131", "9.017", f"{MINUS}11.77", "118.4", "0.3333"]
    assert format_significant(-0.7 / 256) == f"{MINUS}0.002734"  # never a misleading 0
    assert format_significant(1026.5) == "1026.5"  # a fraction is never rounded away to look whole
    assert format_significant(-106) == f"{MINUS}106" and format_significant(2119.0) == "2119"
    assert format_significant(float("nan")) == "NaN" and format_significant(3e13) == "3e13"


def test_format_exact_keeps_every_digit_that_matters():
    assert format_exact(118.44899749755859) == "118.4489975"
    assert format_exact(-0.7 / 256) == f"{MINUS}0.002734375"
    assert format_exact(5) == "5" and format_exact(-0.0) == "0"
    assert format_exact(1e-12) == f"1e{MINUS}12"


def test_shortened_cuts_long_text_with_an_ellipsis():
    from kernelplay.common.text import shortened
    assert shortened("abcdef", 6) == "abcdef"
    assert shortened("abcdefg", 6) == "abcdef…"


def test_a_clause_becomes_a_sentence_once():
    from kernelplay.common.text import sentence
    assert sentence("cannot save k.json: the folder /x does not exist") == "Cannot save k.json: the folder /x does not exist."
    assert sentence("Done.") == "Done."
