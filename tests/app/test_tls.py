"""The process's one TLS context (app.tls), and every client of the desk using it.

That the certificates Windows trusts are added is checked where there is a Windows: the
installer's smoke test under Wine puts a throwaway root into Windows' store and connects
to a loopback HTTPS server signed by it (packaging/wine/smoke.py, "TLS: ...").
"""

from __future__ import annotations

import ssl
import threading
from typing import Any

import pytest

from app import tls
from app.returnhelper.client import ReturnHelperClient
from app.winit.client import WinitAuth, WinitClient


def test_one_tls_context_is_loaded_for_the_whole_process() -> None:
    """The CA bundle is read once however many threads ask at once (the start-up warm-up
    thread and the first client), and every client gets that same context."""
    tls._context.cache_clear()
    barrier = threading.Barrier(4)
    got: list[ssl.SSLContext] = []

    def ask() -> None:
        barrier.wait()
        got.append(tls.shared_ssl_context())

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 4 and all(context is got[0] for context in got)
    assert tls._context.cache_info().misses == 1
    assert got[0].verify_mode is ssl.CERT_REQUIRED and got[0].check_hostname


def _context_of(http: Any) -> ssl.SSLContext:
    """The context an httpx client's connection pool opens its connections with."""
    return http._transport._pool._ssl_context  # type: ignore[no-any-return]


async def test_every_client_opens_its_connections_with_that_context(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY",
                 "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    shared = tls.shared_ssl_context()
    direct = ReturnHelperClient("https://rh.invalid", "https://rh.invalid", "k", "t")
    assert direct._wire.pool.pool._ssl_context is shared  # its own httpcore pool
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    proxied = ReturnHelperClient("https://rh.invalid", "https://rh.invalid", "k", "t")
    assert _context_of(proxied._wire.http) is shared  # httpx's client, for the proxy
    winit = WinitClient("https://winit.invalid", WinitAuth("app", "token", "client", "secret"))
    assert _context_of(winit._http) is shared
    for client in (direct, proxied, winit):
        await client.aclose()


def test_windows_roots_are_added_only_when_no_bundle_is_named(
        monkeypatch: pytest.MonkeyPatch) -> None:
    added: list[ssl.SSLContext] = []
    monkeypatch.setattr(tls, "windows_roots_added", lambda context: added.append(context) or 0)
    tls._context.cache_clear()
    try:
        assert tls._context(None, None, "win32") is added[0]
        tls._context("C:\\corp\\roots.pem", None, "win32")
        tls._context(None, None, "linux")
        assert len(added) == 1  # an administrator's SSL_CERT_FILE replaces both
    finally:
        tls._context.cache_clear()

