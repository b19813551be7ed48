"""The Return Helper client's decisions: handling updates and cancels, idempotency keys,
soft errors with field messages, handling codes in every form."""

from __future__ import annotations

import pytest

from app.returnhelper.errors import (
    ClientRequestError,
    ConflictApiError,
    SoftError,
)
from tests.app.returnhelper.client_support import (
    UPDATE,
    RecordingSleep,
    api_requests,
    key,
    pick,
)


# -- decisions ----------------------------------------------------------------------------------
async def test_update_applies_and_returns_the_correlation_id(rh_client, sandbox):
    inventory_id = pick(sandbox)
    k = key()
    result = await rh_client.update_handling(inventory_id, "rst", idempotency_key=k)
    assert result.correlation_id
    assert result.data["handlingCode"] == "rst"
    assert sandbox.item(inventory_id).handling_code == "rst"
    assert sandbox.wait_for_applied(1, timeout=5)
    assert not sandbox.wait_for_applied(2, timeout=0)
    (applied,) = sandbox.applied()
    assert (applied.return_inventory_id, applied.handling_code, applied.idempotency_key,
            applied.correlation_id) == (inventory_id, "rst", k, result.correlation_id)


async def test_retries_keep_one_idempotency_key_and_apply_once(rh_client_factory, sandbox):
    client = rh_client_factory(retries=6, timeout=1.0, sleep=RecordingSleep())
    inventory_id = pick(sandbox)
    # the first attempt is applied but its answer is lost; then 429, 500, a dropped answer
    sandbox.fail_next("drop", path=UPDATE, after_apply=True)
    sandbox.fail_next("429", path=UPDATE, retry_after=0)
    sandbox.fail_next("500", path=UPDATE)
    sandbox.fail_next("hang", path=UPDATE, delay_s=30, after_apply=True)
    k = key()
    result = await client.update_handling(inventory_id, "dsp", idempotency_key=k)
    posts = api_requests(sandbox, UPDATE)
    assert [p.fault for p in posts][:5] == ["drop", "429", "500", "hang", None]
    assert {p.idempotency_key for p in posts} == {k}
    applied = sandbox.applied()
    assert len(applied) == 1
    assert applied[0].idempotency_key == k and applied[0].handling_code == "dsp"
    assert result.correlation_id == applied[0].correlation_id  # the first answer, replayed


async def test_the_same_key_twice_is_applied_once(rh_client, sandbox):
    inventory_id = pick(sandbox)
    k = key()
    first = await rh_client.update_handling(inventory_id, "rtn", idempotency_key=k)
    second = await rh_client.update_handling(inventory_id, "rtn", idempotency_key=k)
    assert first == second
    assert len(sandbox.applied()) == 1


async def test_a_key_reused_for_another_request_is_a_conflict(rh_client, sandbox):
    inventory_id = pick(sandbox)
    k = key()
    await rh_client.update_handling(inventory_id, "rtn", idempotency_key=k)
    with pytest.raises(ConflictApiError) as info:
        await rh_client.update_handling(inventory_id, "rst", idempotency_key=k)
    assert info.value.http_status == 409 and not info.value.retryable
    assert len(sandbox.applied()) == 1


@pytest.mark.parametrize(("code", "field"), [("rsd", "handlingCode"), ("tbc", "handlingCode"),
                                             ("xyz", "handlingCode")])
async def test_refused_codes_are_soft_errors_with_field_messages(rh_client, sandbox, code, field):
    inventory_id = pick(sandbox)
    with pytest.raises(SoftError) as info:
        await rh_client.update_handling(inventory_id, code, idempotency_key=key())
    error = info.value
    assert error.http_status == 200  # a soft error: HTTP 200, meta.status 400
    assert error.error_code == "VALIDATION_FAILED"
    assert field in error.field_errors and error.field_errors[field][0]
    assert error.correlation_id and error.correlation_id in str(error)
    assert error.field_errors[field][0] in str(error)
    assert not error.retryable
    assert sandbox.applied() == []
    assert len(api_requests(sandbox, UPDATE)) == 1  # never retried


async def test_unfinished_vas_blocks_all_but_pending_to_hold(rh_client, sandbox):
    inventory_id = pick(sandbox, vas=True)
    with pytest.raises(SoftError) as info:
        await rh_client.update_handling(inventory_id, "rst", idempotency_key=key())
    assert "VAS" in info.value.field_errors["returnInventoryId"][0]
    await rh_client.update_handling(inventory_id, "ohd", idempotency_key=key())
    assert sandbox.item(inventory_id).handling_code == "ohd"
    sandbox.set_vas_finished(inventory_id)
    await rh_client.update_handling(inventory_id, "rst", idempotency_key=key())
    assert [a.handling_code for a in sandbox.applied()] == ["ohd", "rst"]


async def test_unknown_inventory_update_is_a_soft_error(rh_client, sandbox):
    with pytest.raises(SoftError) as info:
        await rh_client.update_handling(12345, "ohd", idempotency_key=key())
    assert "returnInventoryId" in info.value.field_errors


@pytest.mark.parametrize(("given", "sent"), [("RST", "rst"), (" ohd ", "ohd"), (4, "ohd"),
                                             ("1", "rtn")])
async def test_handling_codes_in_old_new_and_numeric_forms(rh_client, sandbox, given, sent):
    inventory_id = pick(sandbox)
    result = await rh_client.update_handling(inventory_id, given, idempotency_key=key())
    assert result.data["handlingCode"] == sent
    assert sandbox.item(inventory_id).handling_code == sent


@pytest.mark.parametrize("bad", [9, "", None, True])
async def test_unreadable_codes_are_refused_before_sending(rh_client, sandbox, bad):
    with pytest.raises(ClientRequestError):
        await rh_client.update_handling(pick(sandbox), bad, idempotency_key=key())
    assert api_requests(sandbox, UPDATE) == []


async def test_a_state_change_needs_an_idempotency_key(rh_client, sandbox):
    with pytest.raises(ClientRequestError):
        await rh_client.update_handling(pick(sandbox), "ohd", idempotency_key="")
    with pytest.raises(ClientRequestError):
        await rh_client.cancel_handling(pick(sandbox), idempotency_key="")


async def test_cancel_before_the_warehouse_acts(rh_client, sandbox):
    inventory_id = pick(sandbox)
    await rh_client.update_handling(inventory_id, "rtn", idempotency_key=key())
    result = await rh_client.cancel_handling(inventory_id, idempotency_key=key())
    assert result.data["handlingCode"] == "tbc"
    assert sandbox.item(inventory_id).handling_code == "tbc"
    assert [a.action for a in sandbox.applied()] == ["update", "cancel"]


async def test_cancel_after_the_warehouse_acted_is_refused(rh_client, sandbox):
    inventory_id = pick(sandbox)
    await rh_client.update_handling(inventory_id, "rtn", idempotency_key=key())
    sandbox.warehouse_act(inventory_id, "inProgress")
    with pytest.raises(SoftError) as info:
        await rh_client.cancel_handling(inventory_id, idempotency_key=key())
    assert "acted" in str(info.value)
    assert sandbox.item(inventory_id).handling_code == "rtn"


async def test_completed_items_refuse_a_new_handling(rh_client, sandbox):
    inventory_id = pick(sandbox, code="rst", status="completed", vas=None)
    with pytest.raises(SoftError):
        await rh_client.update_handling(inventory_id, "dsp", idempotency_key=key())
