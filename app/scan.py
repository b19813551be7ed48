"""What a scanner typed, cleaned up: pure functions, no Qt, no I/O.

A USB keyboard-wedge scanner types the label's content and a terminator. Depending on its
configuration it may add an AIM symbology identifier (``]C1`` for GS1-128), a prefix or a
suffix, and, for GS1 labels, group separators (ASCII 29) between fields. This module turns
that into the identifiers worth looking up, most specific first, and says clearly when a
scan is garbage instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

GS = "\x1d"
MAX_SCAN_LENGTH = 120
_AIM_ID = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_GS1_AIM = {"]C1", "]e0", "]d2", "]Q3", "]J1"}
_CONTROL = re.compile(r"[\x00-\x1c\x1e\x1f\x7f]")
_PAREN_AI = re.compile(r"\((\d{2,4})\)([^(]*)")

# GS1 application identifiers a returns label carries: fixed lengths, else variable (up to GS).
_GS1_FIXED = {"00": 18, "01": 14, "02": 14, "11": 6, "12": 6, "13": 6, "15": 6, "16": 6,
              "17": 6, "20": 2, "402": 17, "410": 13, "414": 13}
_GS1_VARIABLE = {"10", "21", "22", "240", "241", "250", "400", "401", "403", "420", "421",
                 "8004", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99"}
#: AIs whose value is worth looking up, in order of preference.
_GS1_LOOKUP_ORDER = ("21", "01", "00", "401", "400", "8004", "250", "10", "92", "91", "90")


@dataclass(frozen=True, slots=True)
class ScanInput:
    raw: str
    text: str                                  # the cleaned scan, as shown to the operator
    candidates: tuple[str, ...] = ()           # identifiers to look up, best first
    gs1: dict[str, str] = field(default_factory=dict)
    problem: str | None = None                 # "empty", "too_long", "garbage"
    foreign: str = ""                          # characters no label has (see foreign_characters)


def foreign_characters(text: str) -> str:
    """The characters of ``text`` outside printable ASCII, each once, in order.

    Labels (RMAs, tracking numbers, SKUs, serials, barcodes) are ASCII. A scan with "ß", "é"
    or "à" in it almost always means the scanner types for another keyboard layout than the
    one Windows uses: a US scanner on a German keyboard types "-" as "ß" (and swaps Y and Z),
    on a French one "1234567890" as "&é"'(-è_çà". That is said to the operator, not guessed
    away."""
    return "".join(dict.fromkeys(ch for ch in text if not " " <= ch <= "~"))


def normalize_scan(raw: str, prefixes: Sequence[str] = (), suffixes: Sequence[str] = ()) -> ScanInput:
    text = raw.replace("\r", "").replace("\n", "").replace("\t", "")
    text = _CONTROL.sub("", text.replace("<GS>", GS).replace("^]", GS)).strip()
    for prefix in prefixes:
        if prefix and text.startswith(prefix):
            text = text[len(prefix):]
            break
    for suffix in suffixes:
        if suffix and text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    aim = ""
    match = _AIM_ID.match(text)
    if match:
        aim, text = match.group(0), text[match.end():]
    text = _CONTROL.sub("", text).strip()
    visible = text.replace(GS, "")
    if not visible:
        return ScanInput(raw, "", problem="empty")
    if len(visible) > MAX_SCAN_LENGTH:
        return ScanInput(raw, visible[:MAX_SCAN_LENGTH], problem="too_long")
    if not any(ch.isalnum() for ch in visible) or any(not ch.isprintable() for ch in visible):
        return ScanInput(raw, visible, problem="garbage")

    gs1: dict[str, str] = {}
    if aim in _GS1_AIM or GS in text:
        gs1 = parse_gs1(text.lstrip(GS))
    elif visible.startswith("(") and _PAREN_AI.match(visible):
        gs1 = {ai: value for ai, value in _PAREN_AI.findall(visible)}
    candidates: list[str] = []
    if not gs1:
        candidates.append(visible)
    else:
        for ai in _GS1_LOOKUP_ORDER:
            value = gs1.get(ai)
            if value:
                candidates.append(value)
                if ai == "01" and value.startswith("0"):
                    candidates.append(value.lstrip("0"))  # GTIN-14 padding of an EAN/UPC
        candidates.append(visible)
    seen: set[str] = set()
    unique = tuple(c for c in candidates if c and not (c in seen or seen.add(c)))  # type: ignore[func-returns-value]
    shown = " ".join(f"({ai}){v}" for ai, v in gs1.items()) if gs1 else visible
    return ScanInput(raw, shown, unique, gs1, foreign=foreign_characters(visible))


def parse_gs1(data: str) -> dict[str, str]:
    """Split GS1 element strings (AI + value, GS between variable-length values).

    Returns ``{}`` when the data does not parse as GS1 at all, so the caller falls back to
    the whole scan rather than a half-parsed guess.
    """
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        if data[pos] == GS:
            pos += 1
            continue
        ai = next((data[pos:pos + n] for n in (2, 3, 4)
                   if data[pos:pos + n] in _GS1_FIXED or data[pos:pos + n] in _GS1_VARIABLE), None)
        if ai is None:
            return {}
        pos += len(ai)
        if ai in _GS1_FIXED:
            length = _GS1_FIXED[ai]
            value = data[pos:pos + length]
            if len(value) != length or GS in value:
                return {}
            pos += length
        else:
            end = data.find(GS, pos)
            end = len(data) if end == -1 else end
            value = data[pos:end]
            pos = end
        fields[ai] = value
    return fields


class RepeatFilter:
    """Drops an identical scan repeated within ``window_ms`` (a double trigger, a re-read)."""

    def __init__(self, window_ms: float) -> None:
        self.window_ms = window_ms
        self._last: tuple[str, float] | None = None

    def accept(self, text: str, now_ms: float) -> bool:
        last = self._last
        self._last = (text, now_ms)
        return not (last is not None and last[0] == text and now_ms - last[1] < self.window_ms)

    def reset(self) -> None:
        self._last = None


def classify_burst(intervals_ms: Sequence[float], threshold_ms: float) -> bool:
    """True when key-to-key intervals look like a scanner, not a person typing.

    A scanner types at a steady few milliseconds per key; people rarely sustain under
    ~60 ms. At least three intervals are needed; the median and 80th percentile must both
    be within the threshold, so one hiccup in a burst does not turn it into typing.
    """
    if len(intervals_ms) < 3:
        return False
    ordered = sorted(intervals_ms)
    p80 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.8))]
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return median <= threshold_ms and p80 <= threshold_ms
