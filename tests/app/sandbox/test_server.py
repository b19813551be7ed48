"""The sandbox server over raw HTTP: documented behaviour, control endpoints, lifecycle."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from app.sandbox.server import SandboxServer

UPDATE = "/ReturnInventory/UpdateReturnInventoryHandling"


@pytest.fixture
async def http(sandbox: SandboxServer):
    headers = {"x-rr-apikey": sandbox.api_key, "x-rr-apitoken": sandbox.api_token}
    async with httpx.AsyncClient(headers=headers, timeout=10) as client:
        yield client


def iso(when) -> str:
    return when.isoformat().replace("+00:00", "Z")


async def list_page(http, sandbox, **params):
    return await http.get(sandbox.user_base + "/ReturnInventory/list", params=params)


async def test_every_answer_has_a_correlation_id(http, sandbox):
    sandbox.fail_next("429", path="getAllHandlings")
    sandbox.fail_next("500", path="getAllHandlings")
    answers = [await http.get(sandbox.public_base + "/handling/getAllHandlings") for _ in range(3)]
    answers.append(await http.get(sandbox.user_base + "/ReturnInventory/GetReturnInventory",
                                  params={"returnInventoryId": 1}))
    answers.append(await httpx.AsyncClient().get(
        sandbox.public_base + "/handling/getAllHandlings"))  # no credentials
    assert [a.status_code for a in answers] == [429, 500, 200, 404, 401]
    ids = [a.json()["correlationId"] for a in answers]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all(a.headers["x-correlation-id"] == a.json()["correlationId"] for a in answers)
    assert answers[0].headers["retry-after"] == "1"


async def test_401_for_bad_credentials(sandbox):
    async with httpx.AsyncClient(headers={"x-rr-apikey": sandbox.api_key,
                                          "x-rr-apitoken": "nope"}) as client:
        answer = await client.get(sandbox.user_base + "/ReturnInventory/list")
    assert answer.status_code == 401
    assert answer.json()["meta"]["status"] == 401


async def test_not_found_shape(http, sandbox):
    answer = await http.get(sandbox.user_base + "/ReturnInventory/GetReturnInventory",
                            params={"returnInventoryId": 42})
    assert answer.status_code == 404
    meta = answer.json()["meta"]
    assert meta["status"] == 404 and meta["errorCode"] == "NOT_FOUND"
    assert "42" in meta["error"]["returnInventoryId"][0]


@pytest.mark.parametrize(("params", "field"), [
    ({"createTo": "2026-01-01T00:00:00Z"}, "createFrom"),
    ({"createFrom": "nonsense", "createTo": "2026-01-01T00:00:00Z"}, "createFrom"),
    ({"createFrom": "2026-01-01T00:00:00Z", "createTo": "2026-03-04T00:00:01Z"}, "createTo"),
    ({"createFrom": "2026-01-02T00:00:00Z", "createTo": "2026-01-01T00:00:00Z"}, "createTo"),
    ({"createFrom": "2026-01-01T00:00:00Z", "createTo": "2026-01-02T00:00:00Z",
      "pageSize": 51}, "pageSize"),
    ({"createFrom": "2026-01-01T00:00:00Z", "createTo": "2026-01-02T00:00:00Z",
      "pageSize": 0}, "pageSize"),
    ({"createFrom": "2026-01-01T00:00:00Z", "createTo": "2026-01-02T00:00:00Z",
      "offset": -1}, "offset"),
])
async def test_list_validation_is_a_soft_400(http, sandbox, params, field):
    answer = await list_page(http, sandbox, **params)
    assert answer.status_code == 200
    meta = answer.json()["meta"]
    assert meta["status"] == 400 and meta["errorCode"] == "VALIDATION_FAILED"
    assert field in meta["error"] and meta["error"][field][0]


async def test_list_pages_by_offset_in_creation_order(http, sandbox):
    items = sandbox.items()
    end = items[-1].create_on
    start = end - timedelta(days=62)
    expected = [i.return_inventory_id for i in items if start <= i.create_on <= end]
    got = []
    for offset in range(0, len(expected) + 50, 50):
        answer = (await list_page(http, sandbox, createFrom=iso(start), createTo=iso(end),
                                  pageSize=50, offset=offset)).json()
        assert answer["totalNumberOfRecords"] == len(expected)
        assert len(answer["data"]) <= 50
        got.extend(row["returnInventoryId"] for row in answer["data"])
    assert got == expected


async def test_update_rules_and_idempotency(http, sandbox):
    item = next(i for i in sandbox.items()
                if i.handling_code == "tbc" and not i.has_unfinished_vas)
    url = sandbox.user_base + UPDATE
    key = str(uuid.uuid4())
    body = {"returnInventoryId": item.return_inventory_id, "handlingCode": "rtn"}
    first = await http.post(url, json=body, headers={"x-returnhelper-idempotency-key": key})
    again = await http.post(url, json=body, headers={"x-returnhelper-idempotency-key": key})
    assert first.json()["meta"]["status"] == 200
    assert again.content == first.content  # the same answer, replayed
    assert again.headers["x-correlation-id"] == first.headers["x-correlation-id"]
    other = await http.post(url, json={**body, "handlingCode": "rst"},
                            headers={"x-returnhelper-idempotency-key": key})
    assert other.status_code == 409
    no_key = await http.post(url, json={**body, "handlingCode": "rst"})
    assert no_key.json()["meta"]["status"] == 200
    assert [a.handling_code for a in sandbox.applied()] == ["rtn", "rst"]
    bad = await http.post(url, json={"returnInventoryId": str(item.return_inventory_id),
                                     "handlingCode": "ohd"})
    assert bad.json()["meta"]["error"]["returnInventoryId"]
    garbage = await http.post(url, content=b"not json")
    assert garbage.json()["meta"]["errorCode"] == "VALIDATION_FAILED"


async def test_control_endpoints(sandbox):
    async with httpx.AsyncClient(timeout=10) as client:
        ctl = sandbox.control_base
        added = await client.post(ctl + "/faults", json={"kind": "503", "count": 2,
                                                          "path": "getAllHandlingStatus"})
        assert added.json()["faults"][0]["remaining"] == 2
        bad = await client.post(ctl + "/faults", json={"kind": "explode"})
        assert bad.status_code == 400 and "kinds" in bad.json()["error"]
        headers = {"x-rr-apikey": sandbox.api_key, "x-rr-apitoken": sandbox.api_token}
        status = (await client.get(sandbox.public_base + "/handlingstatus/getAllHandlingStatus",
                                   headers=headers)).status_code
        assert status == 503
        await client.delete(ctl + "/faults")
        assert (await client.get(ctl + "/faults")).json()["faults"] == []
        assert (await client.post(ctl + "/latency", json={"ms": 5})).json() == {"latencyMs": 5}
        item = next(i for i in sandbox.items() if i.handling_code == "tbc")
        await client.post(sandbox.user_base + UPDATE, headers={
            **headers, "x-returnhelper-idempotency-key": "k-1"},
            json={"returnInventoryId": item.return_inventory_id, "handlingCode": "ohd"})
        applied = (await client.get(ctl + "/applied")).json()["applied"]
        assert [(a["return_inventory_id"], a["handling_code"], a["idempotency_key"])
                for a in applied] == [(item.return_inventory_id, "ohd", "k-1")]
        seen = (await client.get(ctl + "/requests")).json()["requests"]
        assert [r["fault"] for r in seen][:1] == ["503"]
        acted = await client.post(ctl + "/warehouse-act", json={
            "returnInventoryId": item.return_inventory_id, "status": "inProgress"})
        assert acted.json()["handlingStatusCode"] == "inProgress"
        await client.post(ctl + "/reset")
        assert (await client.get(ctl + "/applied")).json()["applied"] == []
        assert sandbox.item(item.return_inventory_id).handling_code == "tbc"


async def test_images_are_served_and_bad_keys_are_not(sandbox):
    item = next(i for i in sandbox.items() if i.image_keys)
    async with httpx.AsyncClient() as client:
        ok = await client.get(f"{sandbox.file_base}/{item.image_keys[0]}")
        assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"
        assert ok.content.startswith(b"\x89PNG")
        assert (await client.get(f"{sandbox.file_base}/../etc/passwd")).status_code == 404


def test_two_servers_start_and_stop_independently():
    with SandboxServer(items=20, seed=1) as a, SandboxServer(items=20, seed=2) as b:
        assert a.port != b.port
        assert a.api_token != b.api_token and a.signing_key != b.signing_key
        response = httpx.get(a.public_base + "/handling/getAllHandlings",
                             headers={"x-rr-apikey": a.api_key, "x-rr-apitoken": a.api_token})
        assert response.json()["meta"]["status"] == 200
        port = a.port
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/public/api/handling/getAllHandlings")


def test_stop_releases_a_hung_request():
    import threading

    server = SandboxServer(items=5).start()
    server.fail_next("hang", delay_s=600)
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(httpx.get(server.public_base + "/handling/getAllHandlings",
                                     timeout=30).status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    assert server.wait_for_requests(1, timeout=20)  # the sandbox holds the request
    server.stop()
    thread.join(20)
    assert not thread.is_alive()
    assert outcome and outcome[0] != 200
