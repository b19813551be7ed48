from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import units


@pytest.mark.parametrize(("raw", "expected"), [
    ("1", Decimal("1")), (" 0.5 ", Decimal("0.5")), (7, Decimal(7)), (0.1, Decimal("0.1")),
    ("1,234.50", Decimal("1234.50")), ("0,5", Decimal("0.5")), (Decimal("2.25"), Decimal("2.25")),
    ("", None), (None, None),
])
def test_parse_decimal_is_lenient_and_exact(raw: object, expected: Decimal | None) -> None:
    assert units.parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1.2.3", True, "NaN", "inf", [1], {"a": 1}])
def test_parse_decimal_rejects_non_numbers_with_the_value_in_the_message(raw: object) -> None:
    with pytest.raises(ValueError, match="number"):
        units.parse_decimal(raw)


@pytest.mark.parametrize("raw", ["1e99999999", "-1E+400", "1e-99999", 10**40])
def test_absurd_magnitudes_are_refused_before_any_big_int_is_built(raw: object) -> None:
    with pytest.raises(ValueError, match="out of range"):
        units.parse_int(raw)


def test_parse_int_accepts_strings_and_refuses_fractions() -> None:
    assert units.parse_int("3") == 3
    assert units.parse_int("3.0") == 3
    with pytest.raises(ValueError, match="whole"):
        units.parse_int("3.5")


def test_return_helper_grams_become_exact_kilograms() -> None:
    assert units.grams_to_kg(1250) == Decimal("1.25")
    assert units.grams_to_kg("3") == Decimal("0.003")
    assert units.weight_to_kg("2", "lb") == Decimal("0.90718474")
    assert units.length_to_cm(12, "mm") == Decimal("1.2")
    assert units.length_to_cm("10", "cm") == Decimal("10")
    assert str(units.length_to_cm(1, "m")) == "100"  # never "1E+2"


def test_unknown_units_are_refused_not_guessed() -> None:
    with pytest.raises(units.UnitError, match="stone"):
        units.weight_to_kg(1, "stone")
    with pytest.raises(units.UnitError):
        units.length_to_cm(1, None)


def test_volume_in_cubic_metres_needs_all_three_sides() -> None:
    assert units.volume_m3(Decimal(10), Decimal(7), Decimal(6)) == Decimal("0.00042")
    assert units.volume_m3(Decimal(10), None, Decimal(6)) is None


def test_format_decimal_rounds_for_display_only() -> None:
    assert units.format_decimal(Decimal("1.23456"), 3) == "1.235"
    assert units.format_decimal(None) == ""


@given(st.integers(min_value=0, max_value=10**9))
def test_grams_round_trip_exactly(grams: int) -> None:
    kg = units.grams_to_kg(grams)
    assert kg is not None and kg * 1000 == grams
