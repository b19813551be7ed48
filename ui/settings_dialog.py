"""Settings and credentials.

Secrets go to the OS keyring through :class:`app.credentials.Credentials` and nowhere else:
the dialog shows whether each is set, never its value; a new value typed here is written
when the dialog is accepted and the field is cleared. "Test connection" runs through the
window's task helper with the values as typed (unsaved secrets included, in memory only).
The dialog is opened with ``open()`` (window-modal, no nested event loop).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.credentials import PER_ENVIRONMENT, Credentials, CredentialsError, Secret
from app.settings import Environment, Settings, SettingsError, check_base_url
from ui.feedback import icon
from ui.i18n import LANGUAGES, make_tr
from ui.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSize,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from ui.tasks import TaskManager

tr = make_tr("SettingsDialog")
log = logging.getLogger(__name__)

#: (secret, label) in the order shown.
RH_SECRETS = (Secret.RH_API_KEY, Secret.RH_API_TOKEN, Secret.RH_SIGNING_KEY)
WINIT_SECRETS = (Secret.WINIT_APP_KEY, Secret.WINIT_TOKEN, Secret.WINIT_CLIENT_SECRET,
                 Secret.WINIT_CLIENT_ID)

ConnectionTester = Callable[[Settings, dict[Secret, str]], Awaitable[str]]


def secret_label(secret: Secret) -> str:
    return {
        Secret.RH_API_KEY: tr("Return Helper API key"),
        Secret.RH_API_TOKEN: tr("Return Helper API token"),
        Secret.RH_SIGNING_KEY: tr("Return Helper webhook signing key"),
        Secret.WINIT_APP_KEY: tr("WINIT app key"),
        Secret.WINIT_TOKEN: tr("WINIT token"),
        Secret.WINIT_CLIENT_SECRET: tr("WINIT client secret"),
        Secret.WINIT_CLIENT_ID: tr("WINIT client id"),
        Secret.WINIT_HOOK_TOKEN: tr("WINIT endpoint token"),
        Secret.STORE_PASSWORD: tr("Store password"),
    }[secret]


def environment_names(include_sandbox: bool) -> list[tuple[Environment, str]]:
    names = [
        (Environment.UAT, tr("UAT (test)")),
        (Environment.PRODUCTION, tr("Production")),
        (Environment.PRODUCTION_CN, tr("Production (China)")),
        (Environment.CUSTOM, tr("Custom URLs")),
    ]
    if include_sandbox:
        names.append((Environment.SANDBOX, tr("Built-in sandbox (demo)")))
    return names


@dataclass(slots=True)
class SecretRow:
    secret: Secret
    state: QLabel
    state_icon: QLabel
    edit: QLineEdit
    clear: QPushButton
    remove: bool = False


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, credentials: Credentials, tasks: TaskManager,
                 tester: ConnectionTester | None = None, *, demo: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = settings
        self.credentials = credentials
        self.tasks = tasks
        self.tester = tester
        self.demo = demo
        self.result_settings: Settings | None = None
        self.setObjectName("settingsDialog")
        self.setWindowTitle(tr("Return Desk settings"))
        self.setAccessibleName(tr("Settings"))
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(tr("Settings pages"))
        layout.addWidget(self.tabs)

        # -- connection page ---------------------------------------------------------------
        page = QWidget()
        form = QFormLayout(page)
        self.environment = QComboBox(page)
        self.environment.setAccessibleName(tr("Environment"))
        for env, name in environment_names(demo or settings.environment is Environment.SANDBOX):
            self.environment.addItem(name, env.value)
        self.environment.setCurrentIndex(max(0, self.environment.findData(settings.environment.value)))
        form.addRow(tr("&Environment:"), self.environment)
        self.user_url = QLineEdit(settings.rh_user_api or "", page)
        self.user_url.setAccessibleName(tr("Custom user API URL"))
        self.user_url.setPlaceholderText("https://…/user/api")
        form.addRow(tr("User API &URL:"), self.user_url)
        self.public_url = QLineEdit(settings.rh_public_api or "", page)
        self.public_url.setAccessibleName(tr("Custom public API URL"))
        self.public_url.setPlaceholderText("https://…/public/api")
        form.addRow(tr("&Public API URL:"), self.public_url)
        self.store = QLineEdit(settings.store or "", page)
        self.store.setAccessibleName(tr("Store"))
        self.store.setPlaceholderText(tr("default: the SQLite file in your data folder"))
        form.addRow(tr("&Store:"), self.store)
        self.environment.currentIndexChanged.connect(self._environment_changed)

        self.secret_rows: dict[Secret, SecretRow] = {}
        rh_box = QGroupBox(tr("Return Helper credentials (kept in the OS keyring)"), page)
        self.rh_grid = QGridLayout(rh_box)
        for row, secret in enumerate(RH_SECRETS):
            self._add_secret_row(self.rh_grid, row, secret)
        form.addRow(rh_box)
        winit_box = QGroupBox(tr("WINIT credentials (kept in the OS keyring)"), page)
        winit_grid = QGridLayout(winit_box)
        for row, secret in enumerate(WINIT_SECRETS):
            self._add_secret_row(winit_grid, row, secret)
        form.addRow(winit_box)
        self.keyring_note = QLabel(page)
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setAccessibleName(tr("Keyring state"))
        if not credentials.persistent:
            self.keyring_note.setText(tr("No usable OS keyring: secrets are kept for this session "
                                         "only and must be entered again after a restart."))
        self.keyring_note.setVisible(not credentials.persistent)
        form.addRow(self.keyring_note)

        test_row = QHBoxLayout()
        self.test_button = QPushButton(tr("&Test connection"), page)
        self.test_button.setAccessibleName(tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        test_row.addWidget(self.test_button)
        self.test_icon = QLabel(page)
        self.test_icon.setFixedWidth(22)
        test_row.addWidget(self.test_icon)
        self.test_result = QLabel(page)
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setAccessibleName(tr("Connection test result"))
        test_row.addWidget(self.test_result, 1)
        form.addRow(test_row)
        self.tabs.addTab(page, tr("Connection"))

        # -- desk page ------------------------------------------------------------------------
        desk = QWidget()
        desk_form = QFormLayout(desk)
        self.sound = QCheckBox(tr("Play a sound for every scan and result"), desk)
        self.sound.setAccessibleName(tr("Sounds"))
        self.sound.setChecked(settings.sound)
        desk_form.addRow(tr("Sound:"), self.sound)
        self.not_in_front = QCheckBox(tr("Sound an alarm when Return Desk is not in front "
                                         "(scans would go to another program)"), desk)
        self.not_in_front.setAccessibleName(tr("Alarm when not in front"))
        self.not_in_front.setChecked(settings.not_in_front_alert)
        desk_form.addRow("", self.not_in_front)
        self.interkey = QSpinBox(desk)
        self.interkey.setRange(5, 500)
        self.interkey.setSuffix(" ms")
        self.interkey.setValue(settings.scanner_max_interkey_ms)
        self.interkey.setAccessibleName(tr("Scanner key interval"))
        self.interkey.setToolTip(tr("Keys closer together than this count as a scanner, "
                                    "slower keys as typing"))
        desk_form.addRow(tr("Scanner &key interval up to:"), self.interkey)
        self.repeat = QSpinBox(desk)
        self.repeat.setRange(0, 10000)
        self.repeat.setSingleStep(100)
        self.repeat.setSuffix(" ms")
        self.repeat.setValue(settings.scan_repeat_ms)
        self.repeat.setAccessibleName(tr("Repeated scan window"))
        self.repeat.setToolTip(tr("The same scan again within this time is ignored"))
        desk_form.addRow(tr("Ignore the same scan &within:"), self.repeat)
        self.prefixes = QLineEdit(",".join(settings.scan_prefixes), desk)
        self.prefixes.setAccessibleName(tr("Scanner prefixes"))
        self.prefixes.setPlaceholderText(tr("comma-separated, e.g. ]C1"))
        desk_form.addRow(tr("Strip &prefixes:"), self.prefixes)
        self.suffixes = QLineEdit(",".join(settings.scan_suffixes), desk)
        self.suffixes.setAccessibleName(tr("Scanner suffixes"))
        self.suffixes.setPlaceholderText(tr("comma-separated"))
        desk_form.addRow(tr("Strip s&uffixes:"), self.suffixes)
        self.language = QComboBox(desk)
        self.language.setAccessibleName(tr("Language"))
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        desk_form.addRow(tr("&Language:"), self.language)
        self.operator = QLineEdit(settings.operator, desk)
        self.operator.setAccessibleName(tr("Operator name"))
        desk_form.addRow(tr("&Operator:"), self.operator)
        self.desk_name = QLineEdit(settings.desk, desk)
        self.desk_name.setAccessibleName(tr("Desk name"))
        desk_form.addRow(tr("&Desk:"), self.desk_name)
        self.tabs.addTab(desk, tr("Desk"))

        self.error = QLabel(self)
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName(tr("Settings problem"))
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._environment_changed()
        self.resize(640, 620)

    # -- secrets --------------------------------------------------------------------------
    def _scope(self) -> str:
        return str(self.environment.currentData() or self.original.environment.value)

    def _add_secret_row(self, grid: QGridLayout, row: int, secret: Secret) -> None:
        name = secret_label(secret)
        label = QLabel(name + ":")
        state_icon = QLabel()
        state_icon.setFixedWidth(20)
        state = QLabel()
        state.setAccessibleName(tr("{name}: state").format(name=name))
        edit = QLineEdit()
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setAccessibleName(tr("New {name}").format(name=name))
        edit.setPlaceholderText(tr("type a new value to replace it"))
        label.setBuddy(edit)
        clear = QPushButton(tr("Remove"))
        clear.setAccessibleName(tr("Remove {name}").format(name=name))
        grid.addWidget(label, row, 0)
        grid.addWidget(state_icon, row, 1)
        grid.addWidget(state, row, 2)
        grid.addWidget(edit, row, 3)
        grid.addWidget(clear, row, 4)
        entry = SecretRow(secret, state, state_icon, edit, clear)
        clear.clicked.connect(lambda _c=False, e=entry: self._mark_remove(e))
        edit.textChanged.connect(lambda _t, e=entry: self._show_secret_state(e))
        self.secret_rows[secret] = entry

    def _secret_scope(self, secret: Secret) -> str | None:
        return self._scope() if secret in PER_ENVIRONMENT else None

    def _is_set(self, secret: Secret) -> bool:
        try:
            return self.credentials.is_set(secret, self._secret_scope(secret))
        except CredentialsError:
            return False

    def _mark_remove(self, entry: SecretRow) -> None:
        entry.remove = True
        entry.edit.clear()
        self._show_secret_state(entry)

    def _show_secret_state(self, entry: SecretRow) -> None:
        if entry.edit.text():
            entry.remove = False
            text, name = tr("new value, saved on OK"), "queued"
        elif entry.remove:
            text, name = tr("will be removed on OK"), "warning"
        elif self._is_set(entry.secret):
            text, name = tr("set"), "applied"
        else:
            text, name = tr("not set"), "not_found"
        entry.state.setText(text)
        entry.state_icon.setPixmap(icon(name).pixmap(QSize(16, 16)))
        entry.clear.setEnabled(self._is_set(entry.secret) and not entry.remove)

    def _environment_changed(self) -> None:
        env = self._scope()
        custom = env == Environment.CUSTOM.value
        self.user_url.setEnabled(custom or bool(self.user_url.text()))
        self.public_url.setEnabled(custom or bool(self.public_url.text()))
        for entry in self.secret_rows.values():
            entry.remove = False
            self._show_secret_state(entry)

    # -- result ---------------------------------------------------------------------------
    def build_settings(self) -> Settings:
        """The settings as edited; raises SettingsError with a message for the operator."""
        env = Environment(self._scope())
        user = self.user_url.text().strip() or None
        public = self.public_url.text().strip() or None
        for url in (user, public):
            if url:
                check_base_url(url)
        if env is Environment.CUSTOM and not (user and public):
            raise SettingsError(tr("Custom URLs need both the user API and the public API URL."))

        def split(text: str) -> tuple[str, ...]:
            return tuple(part.strip() for part in text.split(",") if part.strip())

        return dataclasses.replace(
            self.original, environment=env, rh_user_api=user, rh_public_api=public,
            store=self.store.text().strip() or None, sound=self.sound.isChecked(),
            not_in_front_alert=self.not_in_front.isChecked(),
            scanner_max_interkey_ms=self.interkey.value(), scan_repeat_ms=self.repeat.value(),
            scan_prefixes=split(self.prefixes.text()), scan_suffixes=split(self.suffixes.text()),
            language=str(self.language.currentData() or "en"),
            operator=self.operator.text().strip() or self.original.operator,
            desk=self.desk_name.text().strip() or self.original.desk)

    def typed_secrets(self) -> dict[Secret, str]:
        return {s: e.edit.text() for s, e in self.secret_rows.items() if e.edit.text()}

    def save_secrets(self) -> None:
        for secret, entry in self.secret_rows.items():
            scope = self._secret_scope(secret)
            if entry.edit.text():
                self.credentials.set(secret, entry.edit.text(), scope)
            elif entry.remove:
                self.credentials.delete(secret, scope)
            entry.edit.clear()
            entry.remove = False

    def accept(self) -> None:
        try:
            settings = self.build_settings()
            self.save_secrets()
        except (SettingsError, CredentialsError, ValueError) as exc:
            self.error.setText(tr("Cannot save: {error}").format(error=str(exc)))
            self.error.show()
            return
        self.result_settings = settings
        super().accept()

    # -- test connection ------------------------------------------------------------------
    def test_connection(self) -> None:
        if self.tester is None:
            self._test_done(False, tr("Testing is not available here."))
            return
        try:
            settings = self.build_settings()
        except (SettingsError, ValueError) as exc:
            self._test_done(False, str(exc))
            return
        tester = self.tester
        typed = self.typed_secrets()
        self.test_button.setEnabled(False)
        self.test_result.setText(tr("Testing…"))
        self.test_icon.setPixmap(icon("sending").pixmap(QSize(18, 18)))
        self.tasks.op(lambda _p: tester(settings, typed), label=tr("Test connection")) \
            .success(lambda text: self._test_done(True, text)) \
            .failure(lambda exc: self._test_done(False, str(exc) or type(exc).__name__)) \
            .run()

    def _test_done(self, ok: bool, text: str) -> None:
        from ui.qt import is_valid

        if not is_valid(self):
            return
        self.test_button.setEnabled(True)
        prefix = tr("OK:") if ok else tr("Failed:")
        self.test_result.setText(f"{prefix} {text}")
        self.test_icon.setPixmap(icon("applied" if ok else "failed").pixmap(QSize(18, 18)))
