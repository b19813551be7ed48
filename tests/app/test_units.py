import json
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


@pytest.mark.parametrize(("raw", "expected"), [
    ("2,25", Decimal("2.25")), ("0,125", Decimal("0.125")), ("-0,5", Decimal("-0.5")),
    ("12,3456", Decimal("12.3456")), ("-1,234.5", Decimal("-1234.5")),
    ("1,234,567.8", Decimal("1234567.8")),
])
def test_a_comma_is_read_where_only_one_reading_is_possible(raw: str, expected: Decimal) -> None:
    assert units.parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["1,250", "12,500", "-1,000", " 1,250 "])
def test_a_comma_that_may_be_decimal_or_thousands_is_refused_not_guessed(raw: str) -> None:
    with pytest.raises(ValueError, match="ambiguous number"):
        units.parse_decimal(raw)


def test_1250_grams_written_1_250_never_become_a_milligram_weight() -> None:
    # "1,250" g was read as 1.25 g, i.e. 0.00125 kg, without a word
    with pytest.raises(ValueError, match="ambiguous"):
        units.weight_to_kg("1,250", "g")


@pytest.mark.parametrize("raw", ["1.250,5", "1,2,34.5", "1,250,000", ",5", "1,", "1,250."])
def test_other_comma_forms_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="number"):
        units.parse_decimal(raw)


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


def test_a_winit_record_with_an_ambiguous_weight_is_kept_aside_with_the_reason() -> None:
    from app.webhooks.winit_events import parse_body
    from tests.app.webhooks.events import winit_record

    record = winit_record("u-comma")
    record["actualSkuList"][0]["weight"] = "1,250"
    [item] = parse_body(json.dumps([record]).encode())
    assert item.record is None                       # not 1.25 kg, not 1250 kg: not guessed
    assert item.error is not None and "ambiguous" in item.error and "weight" in item.error
