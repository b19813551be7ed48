"""Settings: defaults < settings file < ``RETURNDESK_*`` environment < command-line options.

Never a secret: secrets live in the OS keyring (:mod:`app.credentials`). :func:`save`
refuses any key that looks like one, so a bug elsewhere cannot write a token to disk.
"""

from __future__ import annotations

import dataclasses
import getpass
import ipaddress
import json
import os
import socket
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app import APP_ID

ENV_PREFIX = "RETURNDESK_"


class Environment(StrEnum):
    UAT = "uat"
    PRODUCTION = "production"
    PRODUCTION_CN = "production-cn"
    CUSTOM = "custom"
    SANDBOX = "sandbox"  # the built-in sandbox on loopback (demo mode)


#: (user API base, public API base) per environment, from the vendor's documentation.
RH_BASE_URLS: dict[Environment, tuple[str, str | None]] = {
    Environment.UAT: ("https://api.returnshelper.com/uat/user/api",
                      "https://api.returnshelper.com/uat/public/api"),
    Environment.PRODUCTION: ("https://api.returnhelpercentre.com/v1/user/api",
                             "https://api.returnhelpercentre.com/v1/public/api"),
    # The China production host documents a user base only; its public API is not documented,
    # so the lookups fall back to the global production public API (read-only code lists).
    Environment.PRODUCTION_CN: ("https://api.returnhelperchina.com/user",
                                "https://api.returnhelpercentre.com/v1/public/api"),
}


class WinitEnvironment(StrEnum):
    SANDBOX = "sandbox"
    PRODUCTION = "production"


WINIT_URLS = {
    WinitEnvironment.SANDBOX: "https://sandboxopenapi.winit.com.cn/openapi/service",
    WinitEnvironment.PRODUCTION: "https://openapi.winit.com.cn/openapi/service",
}

_SECRET_WORDS = ("token", "secret", "password", "apikey", "api_key", "signing")


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message says which and why."""


@dataclass(slots=True)
class Settings:
    environment: Environment = Environment.UAT
    rh_user_api: str | None = None        # custom base URLs (environment "custom" or overrides)
    rh_public_api: str | None = None
    winit_environment: WinitEnvironment = WinitEnvironment.PRODUCTION
    winit_url: str | None = None
    store: str | None = None              # path or sqlite:///... or postgresql://...
    language: str = "en"                  # en / zh_CN
    sound: bool = True
    not_in_front_alert: bool = True       # a sound when the window stops receiving scans
    scanner_max_interkey_ms: int = 50     # keys closer than this are a scanner burst
    scan_repeat_ms: int = 1500            # the same scan again within this is dropped
    scan_prefixes: tuple[str, ...] = ()   # stripped from scans (scanner-configured)
    scan_suffixes: tuple[str, ...] = ()
    operator: str = field(default_factory=lambda: _os_user())
    desk: str = field(default_factory=lambda: socket.gethostname() or "desk")
    timeout_s: float = 20.0
    concurrency: int = 4
    webhooks_in_app: bool = False         # run the webhook receiver inside the desktop app
    webhooks_host: str = "127.0.0.1"
    webhooks_port: int = 8765
    webhooks_public_url: str | None = None  # the endpoint URL as registered with the vendor
    winit_plaintext_events: bool = False  # accept unencrypted WINIT events (see README)
    sync_days: int = 62                   # how far back a backfill goes by default

    # -- derived -------------------------------------------------------------------------
    def rh_urls(self) -> tuple[str, str]:
        """(user API base, public API base) for the chosen environment, checked."""
        user, public = RH_BASE_URLS.get(self.environment, ("", None))
        user = self.rh_user_api or user
        public = self.rh_public_api or public
        if not user or not public:
            raise SettingsError(
                "environment 'custom' needs both --rh-user-api and --rh-public-api "
                "(RETURNDESK_RH_USER_API, RETURNDESK_RH_PUBLIC_API)")
        return check_base_url(user), check_base_url(public)

    def winit_service_url(self) -> str:
        return check_base_url(self.winit_url or WINIT_URLS[self.winit_environment])

    def to_json_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key, value in list(data.items()):
            if isinstance(value, tuple):
                data[key] = list(value)
        return data


def check_base_url(url: str) -> str:
    """Accept https anywhere, plain http only on loopback. Returns the URL without a trailing /."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SettingsError(f"not an http(s) URL: {url!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise SettingsError(f"plain http is only allowed to this computer (loopback), not {url!r}")
    return url.strip().rstrip("/")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "operator"


# -- where things live ---------------------------------------------------------------------
# The per-user folders, where ``platformdirs`` (used before) puts them for this app, so
# existing desks keep their settings, store and logs: on Windows all in
# %LOCALAPPDATA%\returndesk (logs in its Logs folder); elsewhere the XDG base directories.
# Thirty lines here instead of a package whose import took 4-7 ms of every window start.
def _user_dir(kind: str) -> Path:
    """``kind``: "config", "data" or "log"."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / APP_ID
        return base / "Logs" if kind == "log" else base
    if sys.platform == "darwin":
        if kind == "log":
            return home / "Library" / "Logs" / APP_ID
        return home / "Library" / "Application Support" / APP_ID
    variable, default = {
        "config": ("XDG_CONFIG_HOME", home / ".config"),
        "data": ("XDG_DATA_HOME", home / ".local" / "share"),
        "log": ("XDG_STATE_HOME", home / ".local" / "state"),
    }[kind]
    value = os.environ.get(variable, "").strip()
    base = Path(value) if value else default  # unset or empty: the XDG default
    return base / APP_ID / "log" if kind == "log" else base / APP_ID


def config_dir() -> Path:
    override = os.environ.get(ENV_PREFIX + "CONFIG_DIR")
    return Path(override) if override else _user_dir("config")


def data_dir() -> Path:
    override = os.environ.get(ENV_PREFIX + "DATA_DIR")
    return Path(override) if override else _user_dir("data")


def log_dir() -> Path:
    override = os.environ.get(ENV_PREFIX + "LOG_DIR")
    return Path(override) if override else _user_dir("log")


def settings_path() -> Path:
    return config_dir() / "settings.json"


def default_store_url() -> str:
    return str(data_dir() / "returndesk.sqlite3")


# -- loading and saving ------------------------------------------------------------------------
def _field_types() -> dict[str, Any]:
    return {f.name: f for f in dataclasses.fields(Settings)}


def _coerce(name: str, value: Any) -> Any:
    """Turn a file/env/CLI value into the field's type, with a message naming the setting."""
    default = getattr(Settings(), name)
    try:
        if name == "environment":
            return Environment(str(value).lower())
        if name == "winit_environment":
            return WinitEnvironment(str(value).lower())
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, tuple):
            if isinstance(value, str):
                return tuple(v for v in value.split(",") if v)
            return tuple(str(v) for v in value)
        return None if value is None or value == "" else str(value)
    except ValueError:
        raise SettingsError(f"setting {name!r} cannot be {value!r}") from None


def load(path: Path | None = None, environ: Mapping[str, str] | None = None,
         overrides: Mapping[str, Any] | None = None) -> Settings:
    """Defaults, then the settings file, then ``RETURNDESK_<NAME>``, then ``overrides``."""
    settings = Settings()
    fields = _field_types()
    path = path or settings_path()
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SettingsError(f"cannot read settings file {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise SettingsError(f"settings file {path} does not hold an object")
        for name, value in data.items():
            if name in fields:  # unknown keys from newer versions are ignored, not fatal
                setattr(settings, name, _coerce(name, value))
    environ = os.environ if environ is None else environ
    for name in fields:
        env_value = environ.get(ENV_PREFIX + name.upper())
        if env_value is not None:
            setattr(settings, name, _coerce(name, env_value))
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        if name not in fields:
            raise SettingsError(f"unknown setting {name!r}")
        setattr(settings, name, _coerce(name, value))
    return settings


def save(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings file atomically. Never writes anything that looks like a secret."""
    path = path or settings_path()
    data = settings.to_json_dict()
    for key in data:
        if any(word in key.lower() for word in _SECRET_WORDS):
            raise SettingsError(f"refusing to write {key!r} to the settings file: secrets go to the keyring")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def user_agent(version: str) -> str:
    """``ReturnDesk/0.1.0 (Platform=Windows-10; Runtime=CPython 3.13.0)`` as Return Helper asks."""
    import platform  # on first use: a start-up that sends nothing need not load it

    return (f"ReturnDesk/{version} (Platform={platform.system()}-{platform.release()}; "
            f"Runtime={platform.python_implementation()} {platform.python_version()})")
