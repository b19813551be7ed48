"""The core half of ``returndesk --self-test``: checks that need no window.

Each check returns a :class:`Check`; :func:`core_checks` runs them all and never raises (a
check that crashes is a failed check with the error in its detail). The Qt half
(``ui/selftest.py``) adds the window check and prints :func:`format_report`.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app import __version__

#: The backend ``keyring`` must pick on Windows (Windows Credential Manager).
WINDOWS_KEYRING = "keyring.backends.Windows.WinVaultKeyring"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    seconds: float = 0.0


def timed(name: str, fn: Callable[[], tuple[bool, str]]) -> Check:
    """Run one check; an exception is a failure whose detail names it (never a crash)."""
    start = time.monotonic()
    try:
        ok, detail = fn()
    except Exception as exc:  # the report must show every failure
        last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        where = f" at {Path(last[0].filename).name}:{last[0].lineno}" if last else ""
        ok, detail = False, f"{type(exc).__name__}: {exc}{where}"
    return Check(name, ok, detail, time.monotonic() - start)


def check_runtime() -> tuple[bool, str]:
    bits = 64 if sys.maxsize > 2**32 else 32
    return True, (f"Return Desk {__version__}, {platform.python_implementation()} "
                  f"{platform.python_version()} {bits}-bit on {sys.platform} ({os.name})")


def check_keyring() -> tuple[bool, str]:
    """The OS keyring is usable: the expected backend on Windows, and a write/read/delete works."""
    from app.credentials import Credentials

    credentials = Credentials()
    name = credentials.info.name
    if sys.platform == "win32" and name != WINDOWS_KEYRING:
        return False, f"backend {name}, expected {WINDOWS_KEYRING}"
    if not credentials.persistent:
        return False, f"backend {name}: {credentials.problem}"
    if not credentials.round_trip():
        return False, f"backend {name}: a test entry could not be written, read back and deleted"
    return True, f"backend {name}, round trip under a test service name ok"


def check_tls() -> tuple[bool, str]:
    """CA certificates load: certifi's bundle into ssl, and the desk's one TLS context (certifi
    and, on Windows, the certificates Windows trusts) verifies certificates."""
    import ssl

    import certifi
    import httpx

    from app.tls import shared_ssl_context

    bundle = Path(certifi.where())
    if not bundle.is_file():
        return False, f"certifi's CA bundle is missing: {bundle}"
    context = ssl.create_default_context(cafile=str(bundle))
    count = context.cert_store_stats().get("x509_ca", 0)
    if count < 10:
        return False, f"only {count} CA certificates loaded from {bundle}"
    shared = shared_ssl_context()
    if shared.verify_mode != ssl.CERT_REQUIRED or not shared.check_hostname:
        return False, "the desk's TLS context does not verify certificates"
    total = shared.cert_store_stats().get("x509_ca", 0)
    named = next((n for n in ("SSL_CERT_FILE", "SSL_CERT_DIR") if os.environ.get(n)), None)
    if named:
        source = f"from {named}"
    elif sys.platform == "win32":
        source = f"certifi's {count} and {total - count} more that Windows trusts"
    else:
        source = "certifi"
    return True, (f"{total} CA certificates ({source}), {ssl.OPENSSL_VERSION}, "
                  f"httpx {httpx.__version__}")


def check_store(directory: Path) -> tuple[bool, str]:
    """A temporary SQLite store opens (schema created), takes a write and reads it back."""
    from app.store import open_store

    path = directory / "selftest.sqlite3"
    store = open_store(str(path))
    try:
        store.set_state("selftest", "ok")
        value = store.get_state("selftest")
        version = store.schema_version()
    finally:
        store.close()
    if value != "ok":
        return False, f"a value written to {path.name} read back as {value!r}"
    return True, f"temporary SQLite store, schema version {version}"


def core_checks(directory: Path) -> list[Check]:
    return [
        timed("runtime", check_runtime),
        timed("keyring", check_keyring),
        timed("tls", check_tls),
        timed("store", lambda: check_store(directory)),
    ]


def format_report(checks: Sequence[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = ["Return Desk self-test"]
    for check in checks:
        mark = "PASS" if check.ok else "FAIL"
        lines.append(f"  {mark}  {check.name:<{width}}  {check.detail} ({check.seconds:.2f} s)")
    failed = [c.name for c in checks if not c.ok]
    lines.append("result: " + ("PASS" if not failed else "FAIL (" + ", ".join(failed) + ")"))
    return "\n".join(lines)
