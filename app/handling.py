"""Handling types: parsing the codes the vendors send, and the rules for choosing one.

The codes themselves are read from Return Helper at run time (``getAllHandlings``) and
cached; nothing here hard-codes which codes exist. What is fixed is documented behaviour:
``rsd`` and ``tbc`` have flows of their own, an unfinished VAS request blocks a change,
``pending`` -> ``ohd`` is always allowed, and any handling other than ``ohd``/``oth``
locks the RMA mapping (a warning, not a block).

Reasons and warnings are codes (:class:`Reason`, :class:`Warning_`) so the UI can show
them in the operator's language; :data:`REASON_TEXT` holds the English text for the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.model import InventoryRecord, Source

#: Older webhook samples send handlings as numbers, in the order of the older document.
LEGACY_NUMERIC_HANDLING = {0: "tbc", 1: "rtn", 2: "dis", 3: "rsd", 4: "ohd", 5: "oth"}
LEGACY_NUMERIC_HANDLING_STATUS = {0: "pending", 1: "inProgress", 2: "completed"}

OWN_FLOW_CODES = frozenset({"rsd", "tbc"})
NO_LOCK_CODES = frozenset({"ohd", "oth"})
ON_HOLD = "ohd"
PENDING = "pending"
COMPLETED = "completed"
IN_PROGRESS = "inProgress"


class CodeError(ValueError):
    """A code in a form that cannot be read (never mapped by guesswork)."""


@dataclass(frozen=True, slots=True)
class HandlingType:
    code: str
    description: str


@dataclass(frozen=True, slots=True)
class HandlingStatusType:
    code: str
    name: str
    stage_description: str = ""


def normalize_handling_code(value: object) -> str | None:
    """A handling code as sent (``"rst"``, ``"RST"``, ``4``, ``"4"``) to its string code.

    Numbers map through the older document's order. An unknown number raises
    :class:`CodeError` rather than being guessed; unknown *strings* are kept as sent
    (lower-cased) because new codes are read from the API at run time.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CodeError(f"handling code is not a code: {value!r}")
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(value)
        if number not in LEGACY_NUMERIC_HANDLING:
            raise CodeError(f"unknown numeric handling code {value!r}")
        return LEGACY_NUMERIC_HANDLING[number]
    if isinstance(value, str):
        return value.strip().lower()
    raise CodeError(f"handling code is not a code: {value!r}")


def normalize_handling_status(value: object) -> str | None:
    """``pending``/``inProgress``/``completed`` from strings in any case or old numbers."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CodeError(f"handling status is not a code: {value!r}")
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(value)
        if number not in LEGACY_NUMERIC_HANDLING_STATUS:
            raise CodeError(f"unknown numeric handling status {value!r}")
        return LEGACY_NUMERIC_HANDLING_STATUS[number]
    if isinstance(value, str):
        text = value.strip()
        for known in (PENDING, IN_PROGRESS, COMPLETED):
            if text.lower() == known.lower():
                return known
        return text
    raise CodeError(f"handling status is not a code: {value!r}")


class Reason(StrEnum):
    """Why a handling type cannot be chosen now."""

    NOT_RETURN_HELPER = "not_return_helper"
    OWN_FLOW = "own_flow"
    CURRENT = "current"
    UNFINISHED_VAS = "unfinished_vas"
    COMPLETED = "completed"
    NO_ID = "no_id"


class Warning_(StrEnum):
    LOCKS_RMA = "locks_rma"
    IN_PROGRESS = "in_progress"


REASON_TEXT: dict[str, str] = {
    Reason.NOT_RETURN_HELPER: "WINIT returns are shown, not decided: WINIT has no public API for it",
    Reason.OWN_FLOW: "has its own flow and cannot be chosen here",
    Reason.CURRENT: "is the current handling",
    Reason.UNFINISHED_VAS: "a value-added service on this item is not finished yet",
    Reason.COMPLETED: "the warehouse has completed handling this item",
    Reason.NO_ID: "the item has no return inventory id yet (it arrives with the webhook)",
    Warning_.LOCKS_RMA: "locks the RMA mapping: no RMA swap is possible afterwards",
    Warning_.IN_PROGRESS: "the warehouse is already handling this item; the API may refuse",
}


@dataclass(frozen=True, slots=True)
class HandlingOption:
    code: str
    description: str
    allowed: bool
    reason: Reason | None = None
    warnings: tuple[Warning_, ...] = ()

    @property
    def reason_text(self) -> str:
        return REASON_TEXT[self.reason] if self.reason else ""


def handling_options(record: InventoryRecord,
                     catalog: Sequence[HandlingType]) -> list[HandlingOption]:
    """Every handling type in ``catalog``, marked allowed or not for ``record`` now.

    Pure: the same record and catalog always give the same answer. The order follows
    the catalog (the API's order); the UI lists the disallowed ones disabled with the reason.
    """
    current = record.handling_code
    status = record.handling_status
    options: list[HandlingOption] = []
    for handling in catalog:
        code = handling.code
        reason = _block_reason(record, code, current, status)
        warnings: list[Warning_] = []
        if reason is None:
            if code not in NO_LOCK_CODES:
                warnings.append(Warning_.LOCKS_RMA)
            if status == IN_PROGRESS:
                warnings.append(Warning_.IN_PROGRESS)
        options.append(HandlingOption(code, handling.description, reason is None, reason,
                                      tuple(warnings)))
    return options


def _block_reason(record: InventoryRecord, code: str, current: str | None,
                  status: str | None) -> Reason | None:
    if record.source is not Source.RETURN_HELPER:
        return Reason.NOT_RETURN_HELPER
    if record.return_inventory_id is None:
        return Reason.NO_ID
    if code in OWN_FLOW_CODES:
        return Reason.OWN_FLOW
    if code == current:
        return Reason.CURRENT
    if status == PENDING and code == ON_HOLD:
        return None  # documented: always allowed, even with unfinished VAS
    if status == COMPLETED:
        return Reason.COMPLETED
    if record.has_unfinished_vas:
        return Reason.UNFINISHED_VAS
    return None


def allowed_codes(options: Iterable[HandlingOption]) -> list[str]:
    return [o.code for o in options if o.allowed]
