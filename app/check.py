"""``returndesk check``: is this desk set up right? For IT admins rolling out desks.

``--self-test`` checks the installation with a temporary store and no credentials; this
checks the *configuration* this user will start with: the store it names (opened, on a
local disk or PostgreSQL), the secrets it needs in the keyring (named, never shown), Return
Helper answering with them, this computer's clock against Return Helper's, and where the TLS
certificates come from. One line per check, PASS / FAIL / SKIP with what to do; exit 0 when
nothing failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
from dataclasses import dataclass

from app.credentials import Credentials, Secret
from app.settings import Settings, SettingsError


@dataclass(slots=True)
class Check:
    name: str
    outcome: str  # PASS, FAIL, SKIP
    detail: str


async def run_checks(settings: Settings, credentials: Credentials) -> list[Check]:
    from app.desk import DeskService, open_desk_client
    from app.store import RowFilter, RowQuery, StoreError, open_store, redact_url

    checks: list[Check] = []
    scope = settings.environment.value
    try:
        user_api, _public_api = settings.rh_urls()
        checks.append(Check("settings", "PASS", f"environment {scope}, Return Helper {user_api}"))
    except SettingsError as exc:
        checks.append(Check("settings", "FAIL", str(exc)))
        return checks

    store = None
    try:
        store = await asyncio.to_thread(open_store, settings.store, credentials=credentials)
        count = await asyncio.to_thread(store.count, RowQuery(filter=RowFilter.ALL))
        checks.append(Check("store", "PASS", f"{redact_url(store.url)}: {count:,} item(s)"))
    except StoreError as exc:
        checks.append(Check("store", "FAIL", str(exc)))

    if credentials.persistent:
        checks.append(Check("keyring", "PASS", f"backend {credentials.info.name}"))
    else:
        checks.append(Check("keyring", "FAIL", credentials.problem or "no usable OS keyring"))
    missing = [s.value for s in (Secret.RH_API_KEY, Secret.RH_API_TOKEN)
               if not credentials.is_set(s, scope)]
    if missing:
        checks.append(Check("credentials", "FAIL", f"not set for {scope}: {', '.join(missing)} "
                            f"(returndesk credentials set {missing[0]})"))
    else:
        checks.append(Check("credentials", "PASS", f"Return Helper key and token set for {scope}"))
    winit = [s for s in (Secret.WINIT_APP_KEY, Secret.WINIT_TOKEN) if credentials.is_set(s)]
    checks.append(Check("winit", "PASS" if len(winit) == 2 else "SKIP",
                        "app key and token set" if len(winit) == 2
                        else "not set: WINIT return orders are not synced"))

    if settings.webhooks_in_app:  # this desk receives the webhooks itself
        needs = [] if credentials.is_set(Secret.RH_SIGNING_KEY, scope) else [
            f"the signing key is not set for {scope} (returndesk credentials set "
            f"{Secret.RH_SIGNING_KEY.value})"]
        if not settings.webhooks_public_url:
            needs.append("webhooks_public_url is not set (the URL registered with Return "
                         "Helper: it is part of the signed text)")
        taken = await asyncio.to_thread(port_problem, settings.webhooks_host,
                                        settings.webhooks_port)
        if taken:
            needs.append(taken)
        checks.append(Check("webhooks", "FAIL" if needs else "PASS", "; ".join(needs) or (
            f"in the app on {settings.webhooks_host}:{settings.webhooks_port}, signing key set, "
            f"registered as {settings.webhooks_public_url}")))
    client = None if missing else await open_desk_client(settings, credentials)
    if client is None or store is None:
        checks.append(Check("return helper", "SKIP", "needs the store and the credentials"))
        checks.append(Check("clock", "SKIP", "needs an answer from Return Helper"))
    else:
        desk = DeskService(settings, store, credentials, client)
        try:
            checks.append(Check("return helper", "PASS", await desk.test_connection()))
        except Exception as exc:  # every client error says what went wrong
            checks.append(Check("return helper", "FAIL", str(exc) or type(exc).__name__))
        finally:
            await client.aclose()
        check = client.clock_check
        if check.offset is None:
            checks.append(Check("clock", "SKIP", "Return Helper's answer had no readable Date"))
        elif (wrong := check.wrong_text()) is not None:
            checks.append(Check("clock", "FAIL", f"{wrong}: webhook events would be refused as "
                                "stale; sync the clock and check the time zone"))
        else:
            checks.append(Check("clock", "PASS", f"within {abs(check.offset.total_seconds()):.0f} s "
                                "of Return Helper's"))
    if store is not None:
        store.close()

    from app.selftest import check_tls

    ok, detail = await asyncio.to_thread(check_tls)
    checks.append(Check("tls", "PASS" if ok else "FAIL", detail))
    return checks


def port_problem(host: str, port: int) -> str | None:
    """Why the in-app receiver could not listen on ``host:port`` now, or None: bound the way
    the receiver binds (address reuse on POSIX, as asyncio does; not on Windows, where it
    would let two programs share the port)."""
    if not port:
        return None  # any free port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            if os.name != "nt":
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        return (f"cannot listen on {host}:{port}: {exc.strerror or exc} (another program "
                "holds the port, or Return Desk already runs on this computer)")
    return None


def check_command(args: argparse.Namespace, settings: Settings,
                  credentials: Credentials | None = None) -> int:
    checks = asyncio.run(run_checks(settings, credentials or Credentials()))
    for check in checks:
        print(f"{check.outcome:4}  {check.name:14} {check.detail}")
    failed = [c.name for c in checks if c.outcome == "FAIL"]
    print(f"result: {'FAIL (' + ', '.join(failed) + ')' if failed else 'PASS'}")
    return 1 if failed else 0
