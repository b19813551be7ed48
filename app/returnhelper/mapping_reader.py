"""Reading Return Helper JSON leniently but never silently: :class:`_Reader` (typed fields
that name themselves in errors), :class:`MappingError`, warehouse ids, image URLs (the
shared parts of :mod:`app.returnhelper.mapping`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final
from urllib.parse import quote

from app.handling import CodeError, normalize_handling_code, normalize_handling_status
from app.model import parse_time
from app.units import (
    MAX_EXPONENT,
    UnitError,
    length_to_cm,
    parse_decimal,
    parse_int,
    weight_to_kg,
)

#: Public file hosts for image keys (details records carry S3 keys, not URLs).
FILE_HOSTS = {
    "returnshelper.com": "https://rr-dev-files.returnshelper.com",
    "returnhelpercentre.com": "https://file.returnhelpercentre.com",
    "returnhelperchina.com": "https://file.returnhelpercentre.com",
}

_RMA_WAREHOUSE = re.compile(r"^\s*([A-Za-z]+)-(\d+)-")


class MappingError(ValueError):
    """A field of a Return Helper record cannot be read. ``field`` names it (dotted path)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class _Reader:
    def __init__(self, data: object, where: str) -> None:
        if type(data) is not dict and not isinstance(data, Mapping):
            raise MappingError(where or "record", f"expected an object, got {_kind(data)}")
        self.data: Mapping[str, Any] = data
        self.where = where

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def raw(self, key: str) -> Any:
        return self.data.get(key)

    def int(self, key: str, *, required: bool = False) -> int | None:
        value = self.data.get(key)
        if type(value) is int and -_INT_LIMIT < value < _INT_LIMIT:
            return value  # the usual case, as parse_int would return it
        try:
            number = parse_int(value)
        except ValueError:
            raise MappingError(self.name(key), f"not a whole number: {value!r}") from None
        if number is None and required:
            raise MappingError(self.name(key), "is missing")
        return number

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if type(value) is str:
            return value.strip() or None
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise MappingError(self.name(key), f"expected text, got {_kind(value)}")
        text = str(value).strip()
        return text or None

    def decimal(self, key: str) -> Decimal | None:
        value = self.data.get(key)
        try:
            return parse_decimal(value)
        except ValueError:
            raise MappingError(self.name(key), f"not a number: {value!r}") from None

    def time(self, key: str) -> datetime | None:
        value = self.data.get(key)
        usual = _usual_time(value)
        if usual is None or isinstance(usual, datetime):
            return usual
        try:
            return parse_time(value)
        except ValueError as exc:  # out of range too (parse_time says which)
            raise MappingError(self.name(key), str(exc)) from None

    def boolean(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0"}:
            return value.strip().lower() in {"true", "1"}
        raise MappingError(self.name(key), f"not true/false: {value!r}")

    def handling(self, key: str) -> str | None:
        return self._code(key, _HANDLING_CODES, normalize_handling_code)

    def handling_status(self, key: str) -> str | None:
        return self._code(key, _HANDLING_STATUSES, normalize_handling_status)

    def _code(self, key: str, seen: dict[str, str | None],
              normalize: Callable[[object], str | None]) -> str | None:
        """A code through ``normalize``; strings already read once come from ``seen``."""
        value = self.data.get(key)
        if type(value) is str and value in seen:
            return seen[value]
        try:
            code = normalize(value)
        except CodeError as exc:
            raise MappingError(self.name(key), str(exc)) from None
        _remember(seen, value, code)
        return code

    def weight_kg(self, key: str = "weight", uom_key: str = "weightUom") -> Decimal | None:
        return self._measure("w", key, uom_key, "g", weight_to_kg)  # documented: integer grams

    def length_cm(self, key: str, uom_key: str = "dimensionUom") -> Decimal | None:
        return self._measure("l", key, uom_key, "cm", length_to_cm)  # documented: centimetres

    def _measure(self, kind: str, key: str, uom_key: str, default_uom: str,
                 convert: Callable[[Any, str], Decimal | None]) -> Decimal | None:
        uom = self.text(uom_key) or default_uom
        value = self.data.get(key)
        if type(value) is int:  # the usual case: a few values repeat (Decimals are immutable)
            found = _CONVERTED.get((kind, value, uom))
            if found is not None:
                return found
        try:
            return _converted(kind, value, uom, convert(value, uom))
        except UnitError as exc:
            raise MappingError(self.name(uom_key), str(exc)) from None
        except ValueError:
            raise MappingError(self.name(key), f"not a number: {self.data.get(key)!r}") from None

    def items(self, key: str) -> list[_Reader]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            raise MappingError(self.name(key), f"expected a list, got {_kind(value)}")
        return [_Reader(item, f"{self.name(key)}[{i}]") for i, item in enumerate(value)]


#: Codes as sent -> normalised: a list page repeats a handful of them 50 times.
_HANDLING_CODES: dict[str, str | None] = {}
_HANDLING_STATUSES: dict[str, str | None] = {}
_INT_LIMIT: Final = 10 ** (MAX_EXPONENT + 1)  # parse_int refuses numbers this large


#: (kind, whole number, unit as sent) -> the converted Decimal: dimensions and weights repeat.
_CONVERTED: dict[tuple[str, int, str], Decimal] = {}


def _converted(kind: str, value: object, uom: str, result: Decimal | None) -> Decimal | None:
    """``result``, remembered for a whole-number ``value`` (see :data:`_CONVERTED`)."""
    if result is not None and type(value) is int:
        if len(_CONVERTED) >= 4096:
            _CONVERTED.clear()
        _CONVERTED[(kind, value, uom)] = result
    return result


def _remember(cache: dict[str, str | None], value: object, normalized: str | None) -> None:
    if type(value) is str:
        if len(cache) >= 256:  # codes are few; unbounded growth only from garbage input
            cache.clear()
        cache[value] = normalized


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _newest(*times: datetime | None) -> datetime | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _warehouse(r: _Reader, rma: str | None, key: str = "warehouseId") -> str | None:
    """``USE-2`` when the RMA's prefix carries the same warehouse id, else the id as sent."""
    return _warehouse_of(r.text(key), rma)


def _warehouse_of(warehouse: str | None, rma: str | None) -> str | None:
    if warehouse is None:
        return None
    # The answer depends on the RMA up to its second "-" only (the pattern is anchored and
    # ends there), and a list page repeats a few of those: remembered per (id, prefix).
    prefix = ""
    if rma:
        second = rma.find("-", rma.find("-") + 1)
        if second > 0:
            prefix = rma[:second + 1]
    found = _WAREHOUSES.get((warehouse, prefix))
    if found is None:
        found = warehouse
        match = _RMA_WAREHOUSE.match(prefix)
        if match and warehouse.isdecimal() and int(match.group(2)) == int(warehouse):
            found = f"{match.group(1).upper()}-{int(warehouse)}"
        if len(_WAREHOUSES) >= 1024:
            _WAREHOUSES.clear()
        _WAREHOUSES[(warehouse, prefix)] = found
    return found


_WAREHOUSES: dict[tuple[str, str], str] = {}


def file_base_for(user_base: str) -> str | None:
    """The public file host for image keys of an API base URL (``None`` if not known)."""
    from urllib.parse import urlsplit

    parts = urlsplit(user_base)
    host = (parts.hostname or "").lower()
    for domain, files in FILE_HOSTS.items():
        if host == domain or host.endswith("." + domain):
            return files
    if host in {"127.0.0.1", "localhost", "::1"}:
        return f"{parts.scheme}://{parts.netloc}/files"  # the sandbox serves its own images
    return None


def image_url(key: str | None, file_base: str | None) -> str | None:
    if not key:
        return None
    if key.startswith(("http://", "https://")):
        return key
    if not file_base:
        return None
    return f"{file_base.rstrip('/')}/{quote(key.lstrip('/'))}"


def _usual_time(value: object) -> datetime | bool | None:
    """A time in the usual form, e.g. "2026-09-24T09:50:33Z", straight to fromisoformat (which
    reads the "Z" since 3.11); ``False``: not usual, parse_time's lenient path decides."""
    if value is None:
        return None
    if type(value) is str and len(value) >= 19 and value[4] == "-":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return False
        if parsed.year in (1, 9999):  # a zone may take it off the calendar: parse_time checks
            return False
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return False
