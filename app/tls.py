"""The process's one TLS context, for every client of the desk (Return Helper, WINIT, images).

It trusts certifi's CA bundle, as httpx does, and on Windows also the certificates Windows
trusts: the roots an IT department deploys by group policy (a proxy that inspects TLS
re-signs every site with its own root) are in Windows' stores and nowhere else. Without
them every call failed with a certificate error on such networks while browsers worked.
``SSL_CERT_FILE`` / ``SSL_CERT_DIR``, when set, replace both (an administrator's choice).
"""

from __future__ import annotations

import functools
import logging
import os
import ssl
import sys
import threading

import httpx

log = logging.getLogger(__name__)


def windows_roots_added(context: ssl.SSLContext) -> int:
    """Add the CA and root certificates Windows trusts for server authentication (all of
    its stores: machine, user, group policy, enterprise); the number of CAs added."""
    before = context.cert_store_stats().get("x509_ca", 0)
    try:
        context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    except (OSError, ssl.SSLError) as exc:  # certifi still stands; say why Windows' did not
        log.warning("the certificates Windows trusts could not be read: %s", exc)
    return int(context.cert_store_stats().get("x509_ca", 0)) - int(before)


@functools.cache
def _context(cert_file: str | None, cert_dir: str | None, platform: str) -> ssl.SSLContext:
    """Made once per process: loading the CA bundle costs tens of milliseconds."""
    context = httpx.create_ssl_context()  # certifi, or SSL_CERT_FILE / SSL_CERT_DIR
    if platform == "win32" and not (cert_file or cert_dir):
        added = windows_roots_added(context)
        log.debug("TLS: %d CA certificates from Windows beside certifi's", added)
    return context


_lock = threading.Lock()


def shared_ssl_context() -> ssl.SSLContext:
    """``returndesk`` starts loading it on a thread while Qt starts (OpenSSL reads the CA
    bundle without the interpreter lock); the lock makes a second caller wait for that load,
    not repeat it."""
    with _lock:
        return _context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"),
                        sys.platform)
