"""What a keyboard-wedge scanner types, cleaned up into identifiers worth looking up."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.scan import GS, RepeatFilter, classify_burst, foreign_characters, normalize_scan, parse_gs1


def test_plain_rma_scan_is_kept_as_is() -> None:
    scan = normalize_scan("USE-2-240715-D00003-30\r\n")
    assert scan.problem is None
    assert scan.candidates == ("USE-2-240715-D00003-30",)


def test_configured_prefix_suffix_and_control_characters_are_stripped() -> None:
    scan = normalize_scan("\x02#1Z999AA10123456784$\x03", prefixes=["#"], suffixes=["$"])
    assert scan.candidates == ("1Z999AA10123456784",)


def test_aim_symbology_identifier_is_removed() -> None:
    assert normalize_scan("]A0SKU-123").candidates == ("SKU-123",)


def test_gs1_128_with_group_separators_yields_serial_gtin_and_sscc() -> None:
    raw = "]C1" + "0109506000134352" + "21" + "SN12345" + GS + "10" + "LOT7"
    scan = normalize_scan(raw)
    assert scan.gs1 == {"01": "09506000134352", "21": "SN12345", "10": "LOT7"}
    assert scan.candidates[:3] == ("SN12345", "09506000134352", "9506000134352")


def test_usps_impb_label_gives_the_tracking_number_after_the_zip() -> None:
    raw = "420" + "90210" + GS + "92" + "612999897654321"
    scan = normalize_scan(raw)
    assert scan.gs1["420"] == "90210"
    assert "612999897654321" in scan.candidates


def test_human_readable_gs1_with_parentheses_parses_too() -> None:
    scan = normalize_scan("(00)340123450000000018(21)ABC")
    assert scan.gs1 == {"00": "340123450000000018", "21": "ABC"}


def test_text_that_only_looks_like_gs1_falls_back_to_the_whole_scan() -> None:
    assert parse_gs1("01ABC") == {}
    assert normalize_scan("]C1" + "01ABC").candidates == ("01ABC",)


@pytest.mark.parametrize(("raw", "problem"), [
    ("", "empty"), ("\r\n\t", "empty"), ("\x1b\x1b", "empty"), ("----", "garbage"),
    ("A" * 500, "too_long"),
])
def test_garbage_scans_are_named_not_looked_up(raw: str, problem: str) -> None:
    scan = normalize_scan(raw)
    assert scan.problem == problem
    assert scan.candidates == ()


def test_repeat_filter_drops_the_same_scan_within_the_window_only() -> None:
    repeat = RepeatFilter(1500)
    assert repeat.accept("A", 0)
    assert not repeat.accept("A", 800)
    assert repeat.accept("B", 900)
    assert repeat.accept("A", 1000)
    assert repeat.accept("A", 2600)


def test_burst_classification_tells_scanner_from_typing() -> None:
    assert classify_burst([8, 9, 7, 8, 10, 9, 8], 50)
    assert classify_burst([8, 9, 7, 140, 10, 9, 8, 8, 9, 8], 50)  # one hiccup stays a burst
    assert not classify_burst([120, 180, 95, 210], 50)
    assert not classify_burst([5, 5], 50)  # too short to tell


@given(st.text(max_size=200))
def test_normalize_never_crashes_and_candidates_are_printable(raw: str) -> None:
    scan = normalize_scan(raw)
    for candidate in scan.candidates:
        assert candidate and candidate.isprintable() and GS not in candidate


@pytest.mark.parametrize(("raw", "foreign"), [
    ("DEF\u00df7\u00df260825\u00dfD00002\u00df56", "\u00df"),  # US scanner, German keyboard: "-" is "ß"
    ("1Z&\u00e9\"'(-\u00e8_\u00e7\u00e0", "\u00e9\u00e8\u00e7\u00e0"),  # French keyboard: digits
    ("DEF-7-260825-D00002-56", ""),                    # what the label says
])
def test_characters_no_label_has_are_named(raw: str, foreign: str) -> None:
    scan = normalize_scan(raw)
    assert scan.problem is None and scan.candidates  # still looked up as typed
    assert scan.foreign == foreign


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_printable_ascii_is_never_foreign(text: str) -> None:
    assert foreign_characters(text) == ""


@given(st.text(), st.characters(min_codepoint=0x80))
def test_every_character_beyond_ascii_is_named_once(text: str, extra: str) -> None:
    found = foreign_characters(text + extra + extra)
    assert extra in found and found.count(extra) == 1
    assert all(not " " <= ch <= "~" for ch in found)
