"""Lenient number parsing and every unit conversion, in one place.

Return Helper sends weights as integer grams and dimensions as integer centimetres (the
re-measure event sends decimals); WINIT sends kilograms and decimal centimetres, often as
strings. Everything is kept as :class:`~decimal.Decimal`: no float ever touches a weight,
a volume or a price.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

GRAMS_PER_KG: Final = Decimal(1000)
CM3_PER_M3: Final = Decimal(1_000_000)
MAX_EXPONENT: Final = 24  # beyond 10**24 (or below 10**-24) no measure, price or id makes sense

_WEIGHT_TO_KG: Final[dict[str, Decimal]] = {
    "g": Decimal("0.001"),
    "gram": Decimal("0.001"),
    "grams": Decimal("0.001"),
    "kg": Decimal(1),
    "kgs": Decimal(1),
    "lb": Decimal("0.45359237"),
    "lbs": Decimal("0.45359237"),
    "oz": Decimal("0.028349523125"),
}
_LENGTH_TO_CM: Final[dict[str, Decimal]] = {
    "mm": Decimal("0.1"),
    "cm": Decimal(1),
    "m": Decimal(100),
    "in": Decimal("2.54"),
    "inch": Decimal("2.54"),
}


class UnitError(ValueError):
    """A unit of measure this program does not know. Never guessed silently."""


def parse_decimal(value: object) -> Decimal | None:
    """Parse a number sent as int, str or Decimal; ``None``/empty gives ``None``.

    Floats are converted through ``repr`` so ``0.1`` stays ``0.1``. A comma is read only
    where one reading is possible (see :func:`_without_commas`); ``"1,250"`` is refused as
    ambiguous. Anything that is not a finite number raises :class:`ValueError` with the
    offending value in the message.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if "," in text:
            text = _without_commas(text, value)
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise ValueError(f"not a number: {value!r}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    if result and not -MAX_EXPONENT <= result.adjusted() <= MAX_EXPONENT:
        # "1e99999999" is a number, but turning it into an int would build a 100-million-digit
        # integer: no weight, size or id is anywhere near, so refuse it before anyone tries.
        raise ValueError(f"number out of range: {str(value)[:40]!r}")
    return result


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+\.\d+")   # "1,234.50": a dot after groups
_DECIMAL_COMMA = re.compile(r"[+-]?(\d+,(\d{1,2}|\d{4,})|0,\d+)")  # "0,5", "2,25", "0,125"


def _without_commas(text: str, value: str) -> str:
    """A number written with a comma, when only one reading is possible: thousands groups
    before a decimal point (``1,234.50``), or a decimal comma that cannot be a thousands
    separator (``0,5``, ``2,25``, ``0,125``: not three digits after it, or nothing before it
    but 0). Neither vendor documents commas: ``1,250`` (1.25 or 1250?) and every other form
    are refused with the value in the message, never guessed."""
    if _THOUSANDS.fullmatch(text):
        return text.replace(",", "")
    if _DECIMAL_COMMA.fullmatch(text):
        return text.replace(",", ".")
    if re.fullmatch(r"[+-]?\d+,\d{3}", text):
        raise ValueError(f"ambiguous number {value!r}: a decimal comma or a thousands "
                         "separator? (not guessed)")
    raise ValueError(f"not a number: {value!r}")


def parse_int(value: object) -> int | None:
    """Parse an integer sent as int or str (``"1"``, ``"1.0"``); ``None``/empty gives ``None``."""
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


def weight_to_kg(value: object, uom: str | None) -> Decimal | None:
    """Convert a weight in ``uom`` (``g``, ``kg``, ``lb``, ``oz``) to kilograms, exactly."""
    number = parse_decimal(value)
    if number is None:
        return None
    unit = (uom or "").strip().lower()
    if unit not in _WEIGHT_TO_KG:
        raise UnitError(f"unknown weight unit {uom!r}")
    return _normalize(number * _WEIGHT_TO_KG[unit])


def length_to_cm(value: object, uom: str | None) -> Decimal | None:
    """Convert a length in ``uom`` (``mm``, ``cm``, ``m``, ``in``) to centimetres, exactly."""
    number = parse_decimal(value)
    if number is None:
        return None
    unit = (uom or "").strip().lower()
    if unit not in _LENGTH_TO_CM:
        raise UnitError(f"unknown length unit {uom!r}")
    return _normalize(number * _LENGTH_TO_CM[unit])


def grams_to_kg(value: object) -> Decimal | None:
    """Return Helper's integer grams to kilograms."""
    return weight_to_kg(value, "g")


def volume_m3(length_cm: Decimal | None, width_cm: Decimal | None,
              height_cm: Decimal | None) -> Decimal | None:
    """Volume in cubic metres from three sides in centimetres, when all three are known."""
    if length_cm is None or width_cm is None or height_cm is None:
        return None
    return _normalize(length_cm * width_cm * height_cm / CM3_PER_M3)


def _normalize(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (``1E+1`` -> ``10``)."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return normalized.quantize(Decimal(1))
    return normalized


def format_decimal(value: Decimal | None, places: int | None = None) -> str:
    """Human text for a decimal ("" for unknown); ``places`` rounds for display only."""
    if value is None:
        return ""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    return format(value, "f")
