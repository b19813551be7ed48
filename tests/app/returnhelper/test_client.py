"""The Return Helper client against the sandbox, over real HTTP on loopback: lookups,
credentials, construction."""

from __future__ import annotations

import asyncio

import pytest

from app.returnhelper.client import ReturnHelperClient
from app.sandbox.seed import HANDLINGS
from tests.app.returnhelper.client_support import api_requests


# -- lookups ----------------------------------------------------------------------------------
async def test_handlings_are_read_from_the_api_and_cached(rh_client, sandbox):
    handlings = await rh_client.get_handlings()
    assert [(h.code, h.description) for h in handlings] == list(HANDLINGS)
    assert {"ohd", "rtn", "rst", "dsp", "oth", "rsd", "tbc"} <= {h.code for h in handlings}
    await rh_client.get_handlings()
    assert len(api_requests(sandbox, "getAllHandlings")) == 1  # cached
    await rh_client.get_handlings(refresh=True)
    assert len(api_requests(sandbox, "getAllHandlings")) == 2


async def test_handling_cache_expires(rh_client_factory, sandbox):
    client = rh_client_factory(handlings_ttl=0)
    await client.get_handlings()
    await client.get_handlings()
    assert len(api_requests(sandbox, "getAllHandlings")) == 2


async def test_handling_statuses(rh_client):
    statuses = await rh_client.get_handling_statuses()
    assert [s.code for s in statuses] == ["pending", "inProgress", "completed"]
    assert all(s.name and s.stage_description for s in statuses)


async def test_requests_carry_credentials_and_a_descriptive_user_agent(rh_client, sandbox):
    await rh_client.get_handling_statuses()
    (seen,) = api_requests(sandbox, "getAllHandlingStatus")
    assert seen.user_agent.startswith("ReturnDesk/")
    assert "Platform=" in seen.user_agent and "Runtime=" in seen.user_agent



# -- construction --------------------------------------------------------------------------------
def test_plain_http_is_refused_off_loopback():
    from app.settings import SettingsError

    with pytest.raises(SettingsError):
        ReturnHelperClient("http://example.com/user/api", "https://example.com/public/api",
                           "k", "t")


async def test_async_with_closes_the_shared_client(sandbox):
    client = ReturnHelperClient(sandbox.user_base, sandbox.public_base, sandbox.api_key,
                                sandbox.api_token)
    async with client:
        assert await client.get_handling_statuses()
    assert client._wire.pool is not None and client._wire.pool.pool.connections == []
    with pytest.raises(RuntimeError):
        await client.get_handling_statuses(refresh=True)


def test_from_settings_uses_the_environment_urls():
    from app.settings import Environment, Settings

    client = ReturnHelperClient.from_settings(Settings(environment=Environment.PRODUCTION),
                                              "k", "t")
    assert client.user_base == "https://api.returnhelpercentre.com/v1/user/api"
    assert client.file_base == "https://file.returnhelpercentre.com"
    asyncio.run(client.aclose())
