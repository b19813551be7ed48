"""The desk window's settings actions, and the network helpers the window is given.

:class:`SettingsMixin` (of :class:`ui.window.MainWindow`) opens the settings dialog (its
module is imported on first use) and applies what was saved; ``default_test_connection``
and ``image_loader`` are what :mod:`ui.main` hands the window. Strings stay in the
``MainWindow`` translation context.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from app.credentials import Secret
from app.settings import Settings
from ui.i18n import install_language, make_tr
from ui.qt import Qt, is_valid

if TYPE_CHECKING:  # the dialog's module is imported when it is first opened
    from ui.settings_dialog import SettingsDialog

tr = make_tr("MainWindow")
log = logging.getLogger("ui.window")


class SettingsMixin:
    """Settings actions of the main window."""

    # Provided by MainWindow.
    _settings_dialog: Any
    user_settings: Settings | None
    user_credentials: Any
    settings: Settings
    desk: Any
    tasks: Any
    tester: Any
    demo: bool
    sounds: Any
    scan_field: Any
    save_settings: Any
    focus_scan: Any
    show_message: Any
    retranslate: Any

    # -- settings ----------------------------------------------------------------------------------
    def open_settings(self) -> SettingsDialog:
        if self._settings_dialog is not None and is_valid(self._settings_dialog):
            self._settings_dialog.raise_()
            return self._settings_dialog
        from ui.settings_dialog import SettingsDialog

        own = self.user_settings is not None
        dialog = SettingsDialog(self.user_settings if own else self.settings,  # type: ignore[arg-type]
                                self.user_credentials if own else self.desk.credentials,
                                self.tasks, self.tester, demo=self.demo and not own, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda result: self._settings_done(dialog, result))
        self._settings_dialog = dialog
        dialog.open()
        return dialog

    def _settings_done(self, dialog: SettingsDialog, result: int) -> None:
        self._settings_dialog = None
        new = dialog.result_settings
        if not result or new is None:
            self.focus_scan()
            return
        self.apply_settings(new)
        self.focus_scan()

    def apply_settings(self, new: Settings) -> None:
        old = self.user_settings if self.user_settings is not None else self.settings
        restart = (new.environment != old.environment or new.rh_user_api != old.rh_user_api
                   or new.rh_public_api != old.rh_public_api or new.store != old.store
                   or self.user_settings is not None)
        live = ("sound", "not_in_front_alert", "scanner_max_interkey_ms", "scan_repeat_ms", "scan_prefixes",
                "scan_suffixes", "language", "operator", "desk")
        for name in (*live, "environment", "rh_user_api", "rh_public_api", "store"):
            setattr(old, name, getattr(new, name))  # the desk shares this Settings object
        if old is not self.settings:
            for name in live:
                setattr(self.settings, name, getattr(new, name))
        self.sounds.enabled = new.sound
        self.scan_field.burst_threshold_ms = new.scanner_max_interkey_ms
        repeat = getattr(self.desk, "_repeat", None)
        if repeat is not None:
            repeat.window_ms = new.scan_repeat_ms
        if self.save_settings is not None:
            try:
                self.save_settings(old)
            except Exception as exc:
                self.show_message(tr("Settings could not be saved: {error}").format(error=str(exc)),
                                  error=True)
                return
        install_language(new.language)
        self.retranslate()
        if restart:
            self.show_message(tr("Saved. Environment and store changes apply after a restart."))
        else:
            self.show_message(tr("Settings saved."))



async def default_test_connection(settings: Settings, typed: dict[Secret, str],
                                  credentials: Any, http: Any) -> str:
    """Try the settings as typed: the handling list and one page of inventory."""
    from datetime import timedelta

    from app.model import utcnow
    from app.returnhelper.client import ReturnHelperClient

    scope = settings.environment.value
    key = typed.get(Secret.RH_API_KEY) or credentials.get(Secret.RH_API_KEY, scope)
    token = typed.get(Secret.RH_API_TOKEN) or credentials.get(Secret.RH_API_TOKEN, scope)
    if not key or not token:
        raise RuntimeError(tr("the API key and token are both needed"))
    client = ReturnHelperClient.from_settings(settings, key, token, http_client=http)
    handlings = await client.get_handlings(refresh=True)
    now = utcnow()
    page = await client.list_inventory(now - timedelta(days=1), now, page_size=1)
    return tr("connected: {n} handling types, {m} item(s) received in the last day").format(
        n=len(handlings), m=page.total)


def image_loader(http: Any, limit: int = 15_000_000) -> Callable[[str], Awaitable[bytes]]:
    async def load(url: str) -> bytes:
        response = await http.get(url, follow_redirects=True)
        response.raise_for_status()
        data: bytes = response.content
        if len(data) > limit:
            raise ValueError(tr("image too large"))
        return data
    return load


