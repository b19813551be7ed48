"""The handling rules table: which handling an item may take now, and why not."""

import pytest

from app.handling import (
    CodeError,
    HandlingType,
    Reason,
    Warning_,
    allowed_codes,
    handling_options,
    normalize_handling_code,
    normalize_handling_status,
)
from app.model import InventoryRecord, Source, Vas

CATALOG = [HandlingType(c, c.upper()) for c in ("tbc", "ohd", "rtn", "rst", "dsp", "oth", "rsd")]


def rh(handling: str | None = "tbc", status: str | None = "pending", vas: tuple[Vas, ...] = (),
       inventory_id: int | None = 7) -> InventoryRecord:
    return InventoryRecord(source=Source.RETURN_HELPER, key="rh:7", return_inventory_id=inventory_id,
                           handling_code=handling, handling_status=status, vas=vas)


def by_code(record: InventoryRecord) -> dict[str, object]:
    return {o.code: o for o in handling_options(record, CATALOG)}


def test_new_pending_item_may_take_every_ordinary_handling() -> None:
    assert allowed_codes(handling_options(rh(), CATALOG)) == ["ohd", "rtn", "rst", "dsp", "oth"]


def test_resend_and_to_be_confirmed_have_their_own_flows() -> None:
    options = by_code(rh())
    assert options["rsd"].reason is Reason.OWN_FLOW  # type: ignore[attr-defined]
    assert options["tbc"].reason is Reason.OWN_FLOW  # type: ignore[attr-defined]


def test_unfinished_vas_blocks_everything_but_pending_to_on_hold() -> None:
    record = rh(vas=(Vas("photo", finished=False),))
    assert allowed_codes(handling_options(record, CATALOG)) == ["ohd"]
    assert by_code(record)["rst"].reason is Reason.UNFINISHED_VAS  # type: ignore[attr-defined]


def test_finished_vas_does_not_block() -> None:
    record = rh(vas=(Vas("photo", finished=True),))
    assert "rst" in allowed_codes(handling_options(record, CATALOG))


def test_unfinished_vas_blocks_on_hold_too_when_not_pending() -> None:
    record = rh(handling="rst", status="inProgress", vas=(Vas("photo", finished=False),))
    assert allowed_codes(handling_options(record, CATALOG)) == []


def test_rma_lock_is_a_warning_on_everything_but_hold_and_other() -> None:
    options = by_code(rh())
    for code in ("rtn", "rst", "dsp"):
        assert Warning_.LOCKS_RMA in options[code].warnings  # type: ignore[attr-defined]
        assert options[code].allowed  # type: ignore[attr-defined]
    for code in ("ohd", "oth"):
        assert Warning_.LOCKS_RMA not in options[code].warnings  # type: ignore[attr-defined]


def test_current_handling_is_not_offered_again() -> None:
    assert by_code(rh(handling="ohd"))["ohd"].reason is Reason.CURRENT  # type: ignore[attr-defined]


def test_completed_items_cannot_change() -> None:
    assert allowed_codes(handling_options(rh(handling="rst", status="completed"), CATALOG)) == []


def test_in_progress_is_allowed_with_a_warning() -> None:
    option = by_code(rh(handling="rst", status="inProgress"))["dsp"]
    assert option.allowed and Warning_.IN_PROGRESS in option.warnings  # type: ignore[attr-defined]


def test_winit_returns_are_shown_not_decided() -> None:
    record = InventoryRecord(source=Source.WINIT, key="winit:W1", winit_order_no="W1", status="WP")
    options = handling_options(record, CATALOG)
    assert not allowed_codes(options)
    assert {o.reason for o in options} == {Reason.NOT_RETURN_HELPER}


def test_item_without_inventory_id_cannot_be_decided() -> None:
    assert not allowed_codes(handling_options(rh(inventory_id=None), CATALOG))


def test_options_follow_the_catalog_read_at_run_time() -> None:
    catalog = [HandlingType("xyz", "A code from a newer API")]
    assert allowed_codes(handling_options(rh(), catalog)) == ["xyz"]


@pytest.mark.parametrize(("raw", "code"), [
    ("rst", "rst"), (" RST ", "rst"), ("dis", "dis"), (0, "tbc"), ("4", "ohd"), (5, "oth"), (None, None),
])
def test_handling_codes_parse_old_new_and_numeric(raw: object, code: str | None) -> None:
    assert normalize_handling_code(raw) == code


@pytest.mark.parametrize("raw", [9, "17", True, 1.5])
def test_unknown_numeric_codes_are_refused(raw: object) -> None:
    with pytest.raises(CodeError):
        normalize_handling_code(raw)


@pytest.mark.parametrize(("raw", "status"), [
    ("pending", "pending"), ("INPROGRESS", "inProgress"), (2, "completed"), ("1", "inProgress"),
    ("onHold", "onHold"),
])
def test_handling_status_parses_leniently(raw: object, status: str) -> None:
    assert normalize_handling_status(raw) == status
