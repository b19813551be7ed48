"""Open a store by path or URL: SQLite (embedded, the default) or PostgreSQL (several desks).

``open_store(None)`` opens the SQLite file in the user's data folder; a path or
``sqlite:///relative/path`` / ``sqlite:////absolute/path`` opens that file;
``postgresql://user@host:port/db`` connects to PostgreSQL, taking the password from the
URL or else from the OS keyring (``Secret.STORE_PASSWORD``, scope = the host name).
:attr:`Store.url` never holds a password.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

from app import settings
from app.store.base import (
    UNCHECKED,
    ConflictError,
    Match,
    RawEvent,
    Row,
    RowFilter,
    RowQuery,
    SortKey,
    Store,
    StoreError,
    Unchecked,
    UpsertResult,
)

if TYPE_CHECKING:
    from app.credentials import Credentials

__all__ = [
    "UNCHECKED", "ConflictError", "Match", "RawEvent", "Row", "RowFilter", "RowQuery",
    "SortKey", "Store", "StoreError", "Unchecked", "UpsertResult", "open_store",
    "redact_url", "run_in_thread",
]

T = TypeVar("T")


def open_store(url_or_path: str | None, *, credentials: Credentials | None = None,
               schema_target: int | None = None) -> Store:
    """Open (and create or upgrade) a store. Raises :class:`StoreError` with a clear message.

    ``credentials`` supplies the PostgreSQL password when the URL has none (default: the
    OS keyring through a new :class:`~app.credentials.Credentials`).

    ``schema_target`` stops upgrades at that version (for tests of migrations only).
    """
    target = (url_or_path or "").strip() or settings.default_store_url()
    lowered = target.lower()
    if lowered.startswith(("postgresql://", "postgres://")):
        return _open_postgres(target, credentials, schema_target)
    if lowered.startswith("sqlite://"):
        parts = urlsplit(target)
        if parts.netloc not in {"", "localhost"}:
            raise StoreError(f"a SQLite URL names a file on this computer: {target!r}")
        # As SQLAlchemy spells them: sqlite:///relative.db, sqlite:////absolute/path.db,
        # sqlite:///C:/folder/desk.db on Windows.
        path = Path(unquote(parts.path[1:] if parts.path.startswith("/") else parts.path))
        if not str(path) or str(path) == ".":
            raise StoreError(f"the SQLite URL {target!r} names no file")
    elif "://" in target:
        raise StoreError(f"unknown kind of store {redact_url(target)!r}: give a file path, "
                         "sqlite:///path or postgresql://user@host:port/database")
    else:
        path = Path(target).expanduser()
    from app.store.placement import network_location

    where = network_location(path)
    if where is not None:
        raise StoreError(
            f"The store {path} is on {where}. A SQLite store must be on this computer's own "
            "disk: on a network share its locking does not work and the file gets damaged. "
            "Desks that share a store use PostgreSQL (store = postgresql://user@host/database); "
            "a single desk keeps its file in its own data folder.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder for the store {path}: {exc.strerror}") from None
    from app.store.sqlite import SQLiteStore
    return SQLiteStore(path, url=target, schema_target=schema_target)


def redact_url(url: str) -> str:
    """The URL without any password (``postgresql://ann@db/x``)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = (f"{parts.username}@" if parts.username else "") + host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _open_postgres(url: str, credentials: Credentials | None,
                   schema_target: int | None) -> Store:
    parts = urlsplit(url)
    safe = redact_url(url)
    password = unquote(parts.password) if parts.password is not None else None
    if password is None:
        from app.credentials import Credentials, CredentialsError, Secret
        credentials = credentials if credentials is not None else Credentials()
        host = (parts.hostname or "localhost").lower()
        try:
            password = credentials.get(Secret.STORE_PASSWORD, host)
        except CredentialsError as exc:
            raise StoreError(f"cannot read the store password for {host} from the keyring: "
                             f"{exc}") from None
    try:
        from app.store.postgres import PostgresStore
    except ImportError as exc:  # pragma: no cover - psycopg is a dependency
        raise StoreError(f"PostgreSQL support is not installed ({exc.name})") from None
    return PostgresStore(safe, password=password, schema_target=schema_target)


async def run_in_thread(fn: Callable[..., T], *args: object) -> T:
    """Run a blocking store call off the event loop: ``await run_in_thread(store.upsert, r)``."""
    return await asyncio.to_thread(fn, *args)
