"""Settings, and first-run setup: which back end, its address and IDs, the secrets, defaults.

Secrets go straight from the password fields into the OS keyring (on a worker thread) and are
never shown again: an empty field means "keep the stored one". The MSK's key check value is
shown as it is typed so the installer can compare it with the gateway's.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cashier_gui.config import (
    ConfigError,
    Paths,
    PoyntSettings,
    Settings,
    ViopaySettings,
    load_settings,
    save_settings,
)
from cashier_gui.gateways.base import GatewayError
from cashier_gui.money import MoneyError, check_currency
from cashier_gui.protocol.viopay import key_check_value, parse_msk
from cashier_gui.secrets import HMAC_SECRET, MSK, PAIRING_CODE, SecretStore
from cashier_gui.ui.ops import Operations, describe_error
from cashier_gui.ui.widgets import MessageBox, label

KEEP = "stored in the keyring — leave empty to keep it"
SECRET_WORDS = {HMAC_SECRET: "HMAC secret", MSK: "MSK", PAIRING_CODE: "pairing code"}


class SettingsDialog(QDialog):
    saved = Signal()

    def __init__(
        self,
        *,
        paths: Paths | None = None,
        secrets: SecretStore | None = None,
        printing: Any = None,
        parent: QWidget | None = None,
    ) -> None:
        """`printing`: the window's (Settings' test receipt prints through it)."""
        super().__init__(parent)
        self.paths = paths or Paths.default()
        self.ops = Operations(self)
        self.problem = MessageBox("Settings problem")
        try:
            self.settings = load_settings(self.paths)
        except ConfigError as exc:
            self.settings = Settings()
            self.problem.show_message(
                f"{exc}\nThe file is kept as it is until you save; the old one is then kept "
                "as settings.toml.bak.",
                role="warning",
            )
        self.secrets = secrets or SecretStore(self.settings.profile)
        first_run = not self.settings.configured
        self.setWindowTitle("Set up this counter" if first_run else "Settings")
        self.resize(640, 560)

        self.provider = QComboBox()
        self.provider.setAccessibleName("Payment back end")
        self.provider.addItem("Viopay POS API (cloud)", "viopay")
        self.provider.addItem("Poynt card terminal on this network", "poynt")

        # Viopay -------------------------------------------------------------------------------
        v = self.settings.viopay
        self.base_url = self._line("Viopay base URL", v.base_url if v else "https://api.viopay.io")
        self.terminal_id = self._line("Terminal ID", v.terminal_id if v else "", "e.g. TERM-001")
        self.key_id = self._line("Key ID", v.key_id if v else "", "e.g. hmac-key-2025-01")
        self.device_model = self._line("Device model", v.device_model if v else "PC")
        self.ca_bundle = self._line(
            "CA bundle",
            (v.ca_bundle or "") if v else "",
            "empty: the system's trusted certificates",
        )
        browse = QPushButton("Browse…")
        browse.setAccessibleName("Choose a CA bundle file")
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(browse)
        self.hmac_secret = self._secret("HMAC secret")
        self.msk = self._secret("MSK (64 hex digits)")
        self.msk.textChanged.connect(self._msk_typed)
        self.kcv = label("", role="hint")
        self.kcv.setAccessibleName("MSK key check value")
        self.test_button = QPushButton("Test connection")
        self.test_button.setAccessibleName("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = MessageBox("Connection test result")
        vpage = QWidget()
        vf = QFormLayout(vpage)
        vf.addRow("Base URL", self.base_url)
        vf.addRow("Terminal ID", self.terminal_id)
        vf.addRow("Key ID", self.key_id)
        vf.addRow("Device model", self.device_model)
        vf.addRow("CA bundle", ca_row)
        vf.addRow("HMAC secret", self.hmac_secret)
        vf.addRow("MSK", self.msk)
        vf.addRow("", self.kcv)
        vf.addRow("", self.test_button)
        vf.addRow("", self.test_result)

        # Poynt --------------------------------------------------------------------------------
        p = self.settings.poynt
        self.poynt_host = self._line(
            "Terminal IP address", p.host if p else "", "e.g. 192.168.1.23"
        )
        self.poynt_port = QSpinBox()
        self.poynt_port.setRange(1, 65535)
        self.poynt_port.setValue(p.port if p else 55555)
        self.poynt_port.setAccessibleName("Terminal port")
        self.pairing = self._secret("Pairing code shown on the terminal")
        self.pair_button = QPushButton("Pair with the terminal")
        self.pair_button.setAccessibleName("Pair with the terminal")
        self.pair_button.clicked.connect(self.pair)
        self.pair_result = MessageBox("Pairing result")
        ppage = QWidget()
        pf = QFormLayout(ppage)
        pf.addRow(
            label(
                "On the terminal, open POS Bridge and press CONNECT: it shows its IP "
                "address and a pairing code.",
                role="small",
            )
        )
        pf.addRow("IP address", self.poynt_host)
        pf.addRow("Port", self.poynt_port)
        pf.addRow("Pairing code", self.pairing)
        pf.addRow("", self.pair_button)
        pf.addRow("", self.pair_result)

        self.pages = QStackedWidget()
        self.pages.addWidget(vpage)
        self.pages.addWidget(ppage)
        self.provider.currentIndexChanged.connect(self.pages.setCurrentIndex)
        self.provider.setCurrentIndex(1 if self.settings.provider == "poynt" else 0)

        # Common ------------------------------------------------------------------------------
        self.currency = self._line(
            "Default currency",
            self.settings.default_currency or "",
            "e.g. EUR (used where the back end cannot tell)",
        )
        self.locale_edit = self._line(
            "Number format", self.settings.locale or "", "empty: this PC's language, or e.g. de_DE"
        )
        self.connect_timeout = QSpinBox()
        self.connect_timeout.setRange(1, 120)
        self.connect_timeout.setValue(int(self.settings.connect_timeout_s))
        self.connect_timeout.setSuffix(" s")
        self.connect_timeout.setAccessibleName("Connect timeout in seconds")
        self.read_timeout = QSpinBox()
        self.read_timeout.setRange(1, 300)
        self.read_timeout.setValue(int(self.settings.read_timeout_s))
        self.read_timeout.setSuffix(" s")
        self.read_timeout.setAccessibleName("Answer timeout in seconds")
        common = QFormLayout()
        common.addRow("Back end", self.provider)
        common.addRow("Shop currency", self.currency)
        common.addRow("Number format", self.locale_edit)
        common.addRow("Connect timeout", self.connect_timeout)
        common.addRow("Answer timeout", self.read_timeout)

        self.save_button = QPushButton("Save")
        self.save_button.setProperty("role", "primary")
        self.save_button.setAccessibleName("Save settings")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = cancel = QPushButton("Cancel")
        cancel.setAccessibleName("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        # The fields scroll; Save and Cancel stay pinned below them, on any screen height.
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        if first_run:
            inner.addWidget(
                label(
                    "Set up this counter once: choose the back end, type the "
                    "details your payment provider gave you, then test.",
                    role="value",
                )
            )
        inner.addWidget(self.problem)
        inner.addLayout(common)
        inner.addWidget(self.pages, 1)
        from cashier_gui.ui.counter_settings import CounterSettingsBox

        self.counter_box = CounterSettingsBox(self.settings, printing)
        inner.addWidget(self.counter_box)
        self.body_scroll = QScrollArea()
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body_scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body_scroll, 1)
        layout.addLayout(buttons)
        self._fit_screen()
        self._run(self._show_stored, lambda _: None)

    # ---- helpers ------------------------------------------------------------------------------

    def _fit_screen(self) -> None:
        """At most the screen's available height (less the title bar): the fields scroll."""
        screen = self.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self.resize(min(self.width(), area.width() - 40), min(self.height(), area.height() - 80))

    def _line(self, name: str, value: str, placeholder: str = "") -> QLineEdit:
        w = QLineEdit(value)
        w.setAccessibleName(name)
        w.setPlaceholderText(placeholder)
        return w

    def _secret(self, name: str) -> QLineEdit:
        w = QLineEdit()
        w.setEchoMode(QLineEdit.EchoMode.Password)
        w.setAccessibleName(name)
        return w

    def _run(self, work: Any, done: Any) -> None:
        """Through `ui/ops.py` like every async action: cancelled with the dialog, errors
        shown in the dialog's message box."""
        self.ops.run(
            work,
            on_success=done,
            on_error=lambda exc: self.problem.show_message(describe_error(exc)),
            foreground=False,
        )

    def done(self, result: int) -> None:
        self.ops.cancel_all()  # closing: nothing it started reports back into a closed dialog
        super().done(result)

    async def _show_stored(self) -> None:
        for field, name in (
            (self.hmac_secret, HMAC_SECRET),
            (self.msk, MSK),
            (self.pairing, PAIRING_CODE),
        ):
            stored = await asyncio.to_thread(self.secrets.get, name)
            field.setPlaceholderText(KEEP if stored else "not set yet")

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CA bundle", "", "Certificates (*.pem *.crt)")
        if path:
            self.ca_bundle.setText(path)

    def _msk_typed(self, text: str) -> None:
        if not text:
            self.kcv.setText("")
            return
        try:
            self.kcv.setText(
                f"Key check value: {key_check_value(parse_msk(text))} — compare it "
                "with the one your payment provider gave you"
            )
        except ValueError as exc:
            text = str(exc)
            self.kcv.setText(text[:1].upper() + text[1:])

    # ---- reading the form ------------------------------------------------------------------

    def form_settings(self) -> Settings:
        """The settings as typed; ConfigError with a sentence naming the field otherwise."""
        provider = str(self.provider.currentData())
        currency = self.currency.text().strip() or None
        if currency:
            try:
                currency = check_currency(currency)
            except MoneyError as exc:
                raise ConfigError(f"Default currency: {exc}") from None
        base = replace(
            self.settings,
            default_currency=currency,
            locale=self.locale_edit.text().strip() or None,
            connect_timeout_s=float(self.connect_timeout.value()),
            read_timeout_s=float(self.read_timeout.value()),
            **self.counter_box.values(),
        )
        if provider == "viopay":
            for field, name in (
                (self.terminal_id, "Terminal ID"),
                (self.key_id, "Key ID"),
                (self.base_url, "Base URL"),
            ):
                if not field.text().strip():
                    raise ConfigError(
                        f"{name} is empty: type the one your payment provider gave you."
                    )
            return base.with_viopay(
                ViopaySettings(
                    base_url=self.base_url.text().strip(),
                    terminal_id=self.terminal_id.text().strip(),
                    key_id=self.key_id.text().strip(),
                    device_model=self.device_model.text().strip() or "PC",
                    ca_bundle=self.ca_bundle.text().strip() or None,
                )
            )
        return base.with_poynt(
            PoyntSettings(host=self.poynt_host.text().strip(), port=self.poynt_port.value())
        )

    def form_secrets(self) -> dict[str, str]:
        """Secrets typed in this dialog (validated); names absent mean "keep the stored one"."""
        typed: dict[str, str] = {}
        if self.provider.currentData() == "viopay":
            if self.hmac_secret.text():
                if len(self.hmac_secret.text().strip()) < 8:
                    raise ConfigError("The HMAC secret is too short to be real: paste it again.")
                typed[HMAC_SECRET] = self.hmac_secret.text().strip()
            if self.msk.text():
                try:
                    typed[MSK] = parse_msk(self.msk.text()).hex().upper()
                except ValueError as exc:
                    raise ConfigError(f"MSK: {exc}.") from None
        elif self.pairing.text():
            code = self.pairing.text().strip()
            if not code.isalnum():
                raise ConfigError("The pairing code is letters and digits only.")
            typed[PAIRING_CODE] = code
        return typed

    async def _missing_secrets(self, typed: dict[str, str]) -> list[str]:
        needed = (HMAC_SECRET, MSK) if self.provider.currentData() == "viopay" else ()
        missing = []
        for name in needed:
            if name not in typed and not await asyncio.to_thread(self.secrets.get, name):
                missing.append(name)
        return missing

    # ---- actions ------------------------------------------------------------------------------

    def save(self) -> None:
        self.problem.clear()
        try:
            settings = self.form_settings()
            typed = self.form_secrets()
        except ConfigError as exc:
            self.problem.show_message(str(exc))
            return
        self.save_button.setEnabled(False)

        async def work() -> bool:
            try:
                missing = await self._missing_secrets(typed)
                if missing:
                    words = " and the ".join(SECRET_WORDS[m] for m in missing)
                    self.problem.show_message(f"Type the {words}: nothing is stored yet.")
                    return False
                for name, value in typed.items():
                    await asyncio.to_thread(self.secrets.set, name, value)
                await asyncio.to_thread(save_settings, self.paths, settings)
                return True
            finally:
                self.save_button.setEnabled(True)

        def done(ok: bool) -> None:
            if ok:
                for field in (self.hmac_secret, self.msk, self.pairing):
                    field.clear()
                self.settings = settings
                self.saved.emit()
                self.accept()

        self._run(work, done)

    def test_connection(self) -> None:
        self.test_result.clear()
        try:
            settings = self.form_settings()
            typed = self.form_secrets()
        except ConfigError as exc:
            self.test_result.show_message(str(exc))
            return
        if settings.viopay is None:
            return
        self.test_button.setEnabled(False)
        self.test_button.setText("Testing…")

        async def work() -> Any:
            from cashier_gui.diagnose import test_viopay
            from cashier_gui.gateways.factory import timeouts, viopay_client

            try:
                secret = typed.get(HMAC_SECRET) or await asyncio.to_thread(
                    self.secrets.get, HMAC_SECRET
                )
                msk = typed.get(MSK) or await asyncio.to_thread(self.secrets.get, MSK)
                if not secret or not msk:
                    return None
                assert settings.viopay is not None
                v = settings.viopay
                client = viopay_client(
                    v, hmac_secret=secret, msk_hex=msk, limits=timeouts(settings)
                )
                try:
                    return await test_viopay(client)
                finally:
                    await client.aclose()
            finally:
                self.test_button.setEnabled(True)
                self.test_button.setText("Test connection")

        def done(check: Any) -> None:
            if check is None:
                self.test_result.show_message("Type the HMAC secret and the MSK first.")
            else:
                self.test_result.show_message(check.detail, role="info" if check.ok else "error")

        self._run(work, done)

    def pair(self) -> None:
        self.pair_result.clear()
        try:
            settings = self.form_settings()
            typed = self.form_secrets()
        except ConfigError as exc:
            self.pair_result.show_message(str(exc))
            return
        code = typed.get(PAIRING_CODE)
        if settings.poynt is None or not code:
            self.pair_result.show_message("Type the pairing code the terminal shows.")
            return
        self.pair_button.setEnabled(False)

        async def work() -> str:
            from cashier_gui.gateways.factory import pair_with_terminal

            try:
                assert settings.poynt is not None
                serial = await pair_with_terminal(settings.poynt, code)
                # Stored as the terminal shows it (upper case), whatever case was typed.
                await asyncio.to_thread(self.secrets.set, PAIRING_CODE, code.strip().upper())
                return serial
            finally:
                self.pair_button.setEnabled(True)

        def done(serial: str) -> None:
            self.pairing.clear()
            self.pairing.setPlaceholderText(KEEP)
            self.pair_result.show_message(f"Paired with terminal {serial}.", role="info")

        async def guarded() -> str | None:
            try:
                return await work()
            except GatewayError as exc:
                self.pair_result.show_message(exc.message)
                return None

        def finished(serial: str | None) -> None:
            if serial:
                done(serial)

        self._run(guarded, finished)
