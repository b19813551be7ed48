"""Secrets through the OS keyring only (Windows Credential Manager, macOS Keychain, Secret Service).

When no usable keyring exists, :class:`Credentials` says so (``persistent`` is False and
``problem`` explains) and keeps secrets in memory for this session only. It never falls
back to a file: plaintext and file-based backends (``keyrings.alt``) are refused.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from app.logs import register_secret

if TYPE_CHECKING:
    import keyring.backend

# ``keyring`` is imported on first use, not with this module: importing it discovers
# backends through package metadata (~70 ms), which a window opened on memory-only
# credentials (the demo, the benchmarks) never needs.

SERVICE = "ReturnDesk"
log = logging.getLogger(__name__)


class Secret(StrEnum):
    RH_API_KEY = "rh.api_key"
    RH_API_TOKEN = "rh.api_token"
    RH_SIGNING_KEY = "rh.signing_key"
    WINIT_APP_KEY = "winit.app_key"
    WINIT_TOKEN = "winit.token"
    WINIT_CLIENT_SECRET = "winit.client_secret"
    WINIT_CLIENT_ID = "winit.client_id"
    WINIT_HOOK_TOKEN = "winit.hook_token"   # the random path segment of the WINIT endpoint
    STORE_PASSWORD = "store.password"       # PostgreSQL password, per store host


#: Secrets kept per Return Helper environment (UAT keys differ from production keys).
PER_ENVIRONMENT = frozenset({Secret.RH_API_KEY, Secret.RH_API_TOKEN, Secret.RH_SIGNING_KEY})

_REFUSED_MODULES = ("keyrings.alt", "keyring.backends.null", "keyring.backends.fail")


class CredentialsError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class BackendInfo:
    name: str
    persistent: bool
    problem: str | None


def account(secret: Secret, scope: str | None = None) -> str:
    """The keyring user name for a secret: ``uat:rh.api_token``, ``winit.token``, ..."""
    if secret in PER_ENVIRONMENT or secret is Secret.STORE_PASSWORD:
        if not scope:
            raise CredentialsError(f"{secret.value} is kept per environment: name one")
        return f"{scope}:{secret.value}"
    return secret.value


def check_backend(backend: keyring.backend.KeyringBackend | None = None) -> BackendInfo:
    if backend is None:
        import keyring

        backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if type(backend).__module__.startswith(_REFUSED_MODULES):
        return BackendInfo(name, False, _no_backend_text(name))
    if type(backend).__name__ == "ChainerBackend" and not getattr(backend, "backends", None):
        return BackendInfo(name, False, _no_backend_text(name))
    try:
        priority = float(backend.priority)
    except Exception:
        priority = -1.0
    if priority <= 0:
        return BackendInfo(name, False, _no_backend_text(name))
    return BackendInfo(name, True, None)


def _no_backend_text(name: str) -> str:
    return (f"No usable OS keyring was found (backend {name}). Secrets are kept in memory "
            "for this session only and must be entered again after a restart. On Windows the "
            "Credential Manager is used; on Linux install and unlock a Secret Service keyring.")


class Credentials:
    """Get, set and delete secrets; thread-safe; values never logged."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None, *,
                 memory_only: str | None = None) -> None:
        """``memory_only`` (a reason, e.g. demo mode) keeps secrets in this object only.

        Without ``backend``, the OS keyring is found when a secret is first asked for (or
        :attr:`info` is read), not here: importing ``keyring`` and finding its backend took
        100-200 ms, which the window's start no longer waits for."""
        self._backend: keyring.backend.KeyringBackend | None = None
        self._info: BackendInfo | None = None
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()
        self._finding = threading.Lock()  # finding the backend (not under _lock: get() reads info)
        if memory_only is not None:
            self._info = BackendInfo("memory", False, memory_only)
        elif backend is not None:
            self._use(backend)

    def _use(self, backend: keyring.backend.KeyringBackend) -> None:
        info = check_backend(backend)
        if not info.persistent:
            log.warning("%s", info.problem)
        self._backend, self._info = backend, info

    @property
    def info(self) -> BackendInfo:
        """Which keyring backend holds the secrets; the OS keyring is found on first use."""
        if self._info is None:
            with self._finding:
                if self._info is None:
                    import keyring

                    self._use(keyring.get_keyring())
        assert self._info is not None
        return self._info

    def _keyring(self) -> keyring.backend.KeyringBackend:
        self.info  # noqa: B018  # finds the OS keyring on first use
        if self._backend is None:
            raise CredentialsError("this session keeps secrets in memory only")
        return self._backend

    @property
    def persistent(self) -> bool:
        return self.info.persistent

    @property
    def problem(self) -> str | None:
        return self.info.problem

    def get(self, secret: Secret, scope: str | None = None) -> str | None:
        name = account(secret, scope)
        with self._lock:
            if not self.persistent:
                value = self._memory.get(name)
            else:
                import keyring.errors

                try:
                    value = self._keyring().get_password(SERVICE, name)
                except keyring.errors.KeyringError as exc:
                    raise CredentialsError(
                        f"the keyring could not be read ({type(exc).__name__})") from None
        register_secret(value)
        return value

    def set(self, secret: Secret, value: str, scope: str | None = None) -> None:
        if not value:
            raise CredentialsError(f"{secret.value}: an empty secret cannot be saved")
        name = account(secret, scope)
        register_secret(value)
        with self._lock:
            if not self.persistent:
                self._memory[name] = value
                return
            import keyring.errors

            try:
                self._keyring().set_password(SERVICE, name, value)
            except keyring.errors.KeyringError as exc:
                raise CredentialsError(f"the keyring refused to save {name} ({type(exc).__name__})") from None
        log.info("secret %s saved to the keyring", name)

    def delete(self, secret: Secret, scope: str | None = None) -> bool:
        name = account(secret, scope)
        with self._lock:
            if not self.persistent:
                return self._memory.pop(name, None) is not None
            import keyring.errors

            try:
                self._keyring().delete_password(SERVICE, name)
            except keyring.errors.PasswordDeleteError:
                return False
            except keyring.errors.KeyringError as exc:
                raise CredentialsError(
                    f"the keyring refused to delete {name} ({type(exc).__name__})") from None
        log.info("secret %s deleted from the keyring", name)
        return True

    def is_set(self, secret: Secret, scope: str | None = None) -> bool:
        return bool(self.get(secret, scope))

    def status(self, scope: str) -> dict[str, bool]:
        """Which secrets are set, for ``credentials show`` and the settings dialog. No values."""
        result: dict[str, bool] = {}
        for secret in Secret:
            secret_scope = scope if secret in PER_ENVIRONMENT else None
            if secret is Secret.STORE_PASSWORD:
                continue
            result[account(secret, secret_scope)] = self.is_set(secret, secret_scope)
        return result

    def round_trip(self) -> bool:
        """Write, read and delete a test entry (for ``--self-test``). True when it worked."""
        if not self.persistent:
            return False
        import keyring.errors

        name = "self-test"
        probe = "returndesk-self-test-value"
        try:
            self._keyring().set_password(SERVICE + ".selftest", name, probe)
            ok = self._keyring().get_password(SERVICE + ".selftest", name) == probe
            self._keyring().delete_password(SERVICE + ".selftest", name)
            return ok
        except keyring.errors.KeyringError:
            return False
