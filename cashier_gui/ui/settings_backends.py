"""Settings' buttons that talk to the back end: Test connection (Viopay) and Pair with the
terminal (Poynt). Mixed into SettingsDialog; the work runs through its `_run` (ui/ops)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from cashier_gui.config import ConfigError
from cashier_gui.gateways.base import GatewayError
from cashier_gui.secrets import HMAC_SECRET, MSK, PAIRING_CODE
from cashier_gui.ui.widgets import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLineEdit, QPushButton

    from cashier_gui.config import Paths, Settings
    from cashier_gui.secrets import SecretStore
    from cashier_gui.ui.widgets import MessageBox

#: A stored secret's placeholder: shown through SettingsDialog.tr.
KEEP = QT_TRANSLATE_NOOP("SettingsDialog", "stored in the keyring — leave empty to keep it")


def translations(text: str) -> str:
    """A SettingsDialog text from a QT_TRANSLATE_NOOP table (KEEP, SECRET_WORDS), translated."""
    return QCoreApplication.translate("SettingsDialog", text)


class BackendChecks:
    secrets: SecretStore
    paths: Paths
    by: str | None  # the manager who opened Settings (the changes log names them)
    test_button: QPushButton
    test_result: MessageBox
    pair_button: QPushButton
    pair_result: MessageBox
    pairing: QLineEdit

    if TYPE_CHECKING:

        def form_settings(self) -> Settings: ...
        def form_secrets(self) -> dict[str, str]: ...
        def _run(self, work: Any, done: Any) -> None: ...

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
        self.test_button.setText(QCoreApplication.translate("SettingsDialog", "Testing…"))

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
                self.test_button.setText(
                    QCoreApplication.translate("SettingsDialog", "Test connection")
                )

        def done(check: Any) -> None:
            if check is None:
                self.test_result.show_message(
                    QCoreApplication.translate(
                        "SettingsDialog", "Type the HMAC secret and the MSK first."
                    )
                )
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
            self.pair_result.show_message(
                QCoreApplication.translate(
                    "SettingsDialog", "Type the pairing code the terminal shows."
                )
            )
            return
        self.pair_button.setEnabled(False)

        async def work() -> str:
            from cashier_gui.doors import record
            from cashier_gui.gateways.factory import pair_with_terminal

            try:
                assert settings.poynt is not None
                serial = await pair_with_terminal(settings.poynt, code)
                # Stored as the terminal shows it (upper case), whatever case was typed.
                await asyncio.to_thread(self.secrets.set, PAIRING_CODE, code.strip().upper())
                await asyncio.to_thread(
                    record, self.paths, self.by, "pair", {PAIRING_CODE: "set", "serial": serial}
                )
                return serial
            finally:
                self.pair_button.setEnabled(True)

        def done(serial: str) -> None:
            self.pairing.clear()
            self.pairing.setPlaceholderText(translations(KEEP))
            self.pair_result.show_message(
                QCoreApplication.translate(
                    "SettingsDialog", "Paired with terminal {serial}."
                ).format(serial=serial),
                role="info",
            )

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
