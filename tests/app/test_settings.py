import json
from pathlib import Path

import pytest

from app import settings as s


def test_layers_file_then_environment_then_options(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"language": "zh_CN", "sound": False, "scan_repeat_ms": 900,
                                "some_future_setting": 1}))
    loaded = s.load(path, environ={"RETURNDESK_SOUND": "yes", "RETURNDESK_ENVIRONMENT": "production"},
                    overrides={"store": "/tmp/x.sqlite3", "environment": None})
    assert loaded.language == "zh_CN"
    assert loaded.sound is True
    assert loaded.scan_repeat_ms == 900
    assert loaded.environment is s.Environment.PRODUCTION
    assert loaded.store == "/tmp/x.sqlite3"


def test_bad_values_name_the_setting(tmp_path: Path) -> None:
    with pytest.raises(s.SettingsError, match="scan_repeat_ms"):
        s.load(tmp_path / "none.json", environ={"RETURNDESK_SCAN_REPEAT_MS": "soon"})
    with pytest.raises(s.SettingsError, match="environment"):
        s.load(tmp_path / "none.json", environ={"RETURNDESK_ENVIRONMENT": "staging"})


def test_broken_settings_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    with pytest.raises(s.SettingsError, match="cannot read settings file"):
        s.load(path, environ={})


def test_base_urls_per_environment_and_custom() -> None:
    assert s.Settings(environment=s.Environment.UAT).rh_urls()[0].endswith("/uat/user/api")
    assert "returnhelpercentre" in s.Settings(environment=s.Environment.PRODUCTION).rh_urls()[0]
    assert "returnhelperchina" in s.Settings(environment=s.Environment.PRODUCTION_CN).rh_urls()[0]
    custom = s.Settings(environment=s.Environment.CUSTOM, rh_user_api="https://rh.example/u/",
                        rh_public_api="https://rh.example/p")
    assert custom.rh_urls() == ("https://rh.example/u", "https://rh.example/p")
    with pytest.raises(s.SettingsError, match="custom"):
        s.Settings(environment=s.Environment.CUSTOM).rh_urls()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8700/api", "http://localhost/x", "http://[::1]:80/"])
def test_plain_http_is_allowed_on_loopback(url: str) -> None:
    assert s.check_base_url(url)


@pytest.mark.parametrize("url", ["http://10.0.0.5/api", "http://api.example.com/", "ftp://x/", "nonsense"])
def test_plain_http_elsewhere_and_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(s.SettingsError):
        s.check_base_url(url)


def test_save_is_atomic_round_trip_and_holds_no_secret_shaped_key(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "settings.json"
    original = s.Settings(language="zh_CN", scan_prefixes=("#",), desk="desk-3")
    s.save(original, path)
    assert s.load(path, environ={}) == original
    assert not any(w in path.read_text().lower() for w in ("token", "secret", "password", "apikey"))
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]


def test_user_agent_names_app_platform_and_runtime() -> None:
    agent = s.user_agent("1.2.3")
    assert agent.startswith("ReturnDesk/1.2.3 (Platform=") and "Runtime=" in agent


@pytest.fixture
def no_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("CONFIG_DIR", "DATA_DIR", "LOG_DIR"):
        monkeypatch.delenv(s.ENV_PREFIX + name, raising=False)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path / "home"))
    return tmp_path / "home"


def test_folders_on_windows_are_in_local_app_data(
        no_overrides: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(s.sys, "platform", "win32")
    local = tmp_path / "Local"
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    # Where the installer's uninstaller (/PURGE) and earlier versions put them.
    assert s.config_dir() == local / "returndesk"
    assert s.data_dir() == local / "returndesk"
    assert s.log_dir() == local / "returndesk" / "Logs"
    monkeypatch.delenv("LOCALAPPDATA")
    assert s.data_dir() == no_overrides / "AppData" / "Local" / "returndesk"


def test_folders_on_linux_follow_xdg(no_overrides: Path, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    monkeypatch.setattr(s.sys, "platform", "linux")
    assert s.config_dir() == no_overrides / ".config" / "returndesk"
    assert s.data_dir() == no_overrides / ".local" / "share" / "returndesk"
    assert s.log_dir() == no_overrides / ".local" / "state" / "returndesk" / "log"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "s"))
    assert s.config_dir() == tmp_path / "c" / "returndesk"
    assert s.data_dir() == tmp_path / "d" / "returndesk"
    assert s.log_dir() == tmp_path / "s" / "returndesk" / "log"
    monkeypatch.setenv("XDG_CONFIG_HOME", "  ")  # blank counts as unset
    assert s.config_dir() == no_overrides / ".config" / "returndesk"


def test_folders_on_macos(no_overrides: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(s.sys, "platform", "darwin")
    assert s.config_dir() == no_overrides / "Library" / "Application Support" / "returndesk"
    assert s.log_dir() == no_overrides / "Library" / "Logs" / "returndesk"


def test_environment_overrides_the_folders(no_overrides: Path, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    for name in ("CONFIG_DIR", "DATA_DIR", "LOG_DIR"):
        monkeypatch.setenv(s.ENV_PREFIX + name, str(tmp_path / name))
    assert (s.config_dir(), s.data_dir(), s.log_dir()) == (
        tmp_path / "CONFIG_DIR", tmp_path / "DATA_DIR", tmp_path / "LOG_DIR")
