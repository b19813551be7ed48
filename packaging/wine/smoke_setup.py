"""The Wine smoke test's checks of how the installed app meets its environment
(``smoke.py`` runs them): TLS with Windows' certificate store, a store on a network drive,
``returndesk check`` on an unconfigured desk. A mixin of ``smoke.Smoke`` (its ``wine``,
``python``, ``check`` and ``step``)."""

from __future__ import annotations

import contextlib
import http.server
import re
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import layout

PROCESS_TIMEOUT_S = 600


def make_test_pki(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway root CA and a server certificate for 127.0.0.1 it signed (openssl CLI)."""
    directory.mkdir(parents=True, exist_ok=True)
    root_key, root = directory / "root.key", directory / "root.pem"
    key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.pem"
    extensions = directory / "server.ext"
    extensions.write_text("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                          "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
                          encoding="ascii")
    for command in (
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", root_key, "-out", root,
             "-days", "2", "-subj", "/CN=Return Desk smoke-test inspection root",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
             "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", csr, "-CA", root, "-CAkey", root_key, "-CAcreateserial",
             "-out", cert, "-days", "2", "-extfile", extensions]):
        subprocess.run(["openssl", *map(str, command)], check=True, capture_output=True,
                       timeout=PROCESS_TIMEOUT_S)
    return root, cert, key


@contextlib.contextmanager
def https_server(cert: Path, key: Path) -> Iterator[int]:
    """An HTTPS server on loopback answering ``ok``; yields its port."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


class SetupSteps:
    """Steps that need only the installed app and a Wine prefix."""

    prefix: Path
    install_dir: Path
    user_dir: Path
    check: Any
    wine: Any
    python: Any
    step: Any
    wait_server: Any
    windows_path: Any

    def tls_windows_store(self, work: Path) -> None:
        """A root certificate that only Windows trusts (what an IT department deploys for a
        proxy that inspects TLS) is trusted by the app: a loopback HTTPS server signed by a
        throwaway root is refused, the root goes into Windows' store (crypt32, as group policy
        would put it there), and the same call then succeeds."""
        start = time.monotonic()
        root, server_cert, server_key = make_test_pki(work / "tls")
        with https_server(server_cert, server_key) as port:
            probe = (
                "import httpx\n"
                "from app.tls import shared_ssl_context\n"
                "try:\n"
                f"    r = httpx.get('https://127.0.0.1:{port}/', verify=shared_ssl_context(),"
                " timeout=60)\n"
                "    print('STATUS', r.status_code, r.text)\n"
                "except httpx.ConnectError as exc:\n"
                "    print('REFUSED', exc)\n")
            before = self.python(probe)
            self.check("TLS: a root Windows does not trust is refused",
                       "REFUSED" in before.stdout and "CERTIFICATE_VERIFY_FAILED" in before.stdout,
                       (before.stdout + before.stderr)[-500:])
            added = self.python(
                "import ctypes, ssl\n"
                f"der = ssl.PEM_cert_to_DER_cert(open(r'{self.windows_path(root)}').read())\n"
                "ok = ctypes.windll.crypt32.CertAddEncodedCertificateToSystemStoreW("
                "'ROOT', der, len(der))\n"
                "print('ADDED' if ok else 'NOT ADDED')\n")
            if self.check("TLS: test root added to Windows' ROOT store", "ADDED" in added.stdout
                          and "NOT" not in added.stdout, (added.stdout + added.stderr)[-500:]):
                after = self.python(probe)
                self.check("TLS: the app trusts a root that Windows trusts (TLS inspection)",
                           "STATUS 200 ok" in after.stdout, (after.stdout + after.stderr)[-500:])
        self.step("TLS with Windows' certificate store", start)

    def network_drive_store(self, work: Path) -> None:
        """A SQLite store on a network drive is refused with a message (its locking fails on
        a share); on a local drive the same command opens it. N: is made a network drive the
        way winecfg does (HKLM\\Software\\Wine\\Drives), so GetDriveTypeW says DRIVE_REMOTE."""
        start = time.monotonic()
        share = work / "share"
        share.mkdir(exist_ok=True)
        (self.prefix / "dosdevices" / "n:").symlink_to(share)
        self.wine("reg", "add", "HKLM\\Software\\Wine\\Drives", "/v", "n:", "/t", "REG_SZ",
                  "/d", "network", "/f")
        self.wait_server()  # the mount manager reads drive types when Wine starts again
        console = str(self.install_dir / layout.CONSOLE_LAUNCHER)
        remote = self.wine(console, "find", "RMA-SMOKE-1", "--store", "N:\\desk.sqlite3")
        said = remote.stdout + remote.stderr
        self.check("store on a network drive refused, nothing written",
                   remote.returncode == 1 and "network drive N:" in said and "PostgreSQL" in said
                   and not any(share.iterdir()), said[-500:])
        local = self.wine(console, "find", "RMA-SMOKE-1", "--store",
                          self.windows_path(self.user_dir / "local-smoke.sqlite3"))
        said = local.stdout + local.stderr
        self.check("store on a local drive opens", "no item matches" in said
                   and (self.user_dir / "local-smoke.sqlite3").is_file(), said[-500:])
        self.step("store on a network drive", start)

    def setup_check(self) -> None:
        """``returndesk check`` on a desk with nothing configured: the store and the Windows
        keyring pass, the missing Return Helper credentials fail by name, exit 1."""
        start = time.monotonic()
        result = self.wine(str(self.install_dir / layout.CONSOLE_LAUNCHER), "check")
        out = result.stdout
        print("\n".join("    " + line for line in out.splitlines()), flush=True)
        self.check("returndesk check: store, Windows keyring and TLS pass",
                   bool(re.search(r"PASS\s+store\s", out))
                   and bool(re.search(r"PASS\s+keyring\s+backend keyring\.backends\.Windows", out))
                   and bool(re.search(r"PASS\s+tls\s.*Windows trusts", out)), out[-800:])
        self.check("returndesk check: missing credentials named, exit 1",
                   bool(re.search(r"FAIL\s+credentials\s.*rh\.api_key", out))
                   and result.returncode == 1, f"exit {result.returncode}")
        self.step("returndesk check", start)
