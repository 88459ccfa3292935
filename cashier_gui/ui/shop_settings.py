"""Settings → Shop server: join this counter to the shop server all counters share, or leave it.

The address (postgresql://USER@HOST:PORT/DATABASE, no password in it), this counter's name in
the shop, a CA file for the server's certificate, and the password — kept in the OS keyring
(`shop-password`), never in the settings file. *Test connection* reaches the server as the
counter will, off the GUI thread, and says what it found or what to fix. `values()` gives the
field for `dataclasses.replace` on `Settings` (ConfigError naming the field); the dialog saves.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QLineEdit, QPushButton

from cashier_gui.config import ConfigError, ShopServerSettings
from cashier_gui.ui.widgets import MessageBox

#: The form of the address (not words: the same in every language).
EXAMPLE_URL = "postgresql://till@192.168.1.10:5432/shop"


class ShopServerBox(QGroupBox):
    def __init__(self, current: ShopServerSettings | None, run: Any, stored_password: Any) -> None:
        """`run(work, done)`: the dialog's way to run async work; `stored_password()`: the
        keyring's shop password (blocking: called off the GUI thread)."""
        super().__init__(self.tr("Shop server (all counters of the shop)"))
        self._run = run
        self._stored_password = stored_password
        form = QFormLayout(self)
        self.joined = QCheckBox(self.tr("This counter is part of a shop"))
        self.joined.setChecked(current is not None)
        self.url = QLineEdit(current.url if current else "")
        self.url.setPlaceholderText(EXAMPLE_URL)
        self.url.setAccessibleName(self.tr("Shop server address"))
        self.counter = QLineEdit(current.counter if current else "")
        self.counter.setPlaceholderText(self.tr("Till 2"))
        self.counter.setAccessibleName(self.tr("This counter's name in the shop"))
        self.ca_file = QLineEdit((current.ca_file or "") if current else "")
        self.ca_file.setPlaceholderText(self.tr("the system's certificates"))
        self.ca_file.setAccessibleName(self.tr("CA file for the shop server"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("kept in the OS keyring; empty keeps it"))
        self.password.setAccessibleName(self.tr("Shop server password"))
        self._lease = current.lease_seconds if current else 60
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setAccessibleName(self.tr("Test the connection to the shop server"))
        self.test_button.clicked.connect(self.test)
        self.result = MessageBox(self.tr("Shop server test result"))
        form.addRow("", self.joined)
        form.addRow(self.tr("Address"), self.url)
        form.addRow(self.tr("Counter name"), self.counter)
        form.addRow(self.tr("CA file"), self.ca_file)
        form.addRow(self.tr("Password"), self.password)
        form.addRow("", self.test_button)
        form.addRow("", self.result)
        self.joined.toggled.connect(self._enable)
        self._enable(self.joined.isChecked())

    def _enable(self, joined: bool) -> None:
        for w in (self.url, self.counter, self.ca_file, self.password, self.test_button):
            w.setEnabled(joined)

    def values(self) -> dict[str, Any]:
        if not self.joined.isChecked():
            return {"shop_server": None}
        try:
            shop = ShopServerSettings(
                url=self.url.text().strip(),
                counter=self.counter.text().strip(),
                ca_file=self.ca_file.text().strip() or None,
                lease_seconds=self._lease,
            )
        except ConfigError as exc:
            raise ConfigError(self.tr("Shop server: {problem}").format(problem=exc)) from None
        return {"shop_server": shop}

    def typed_password(self) -> str | None:
        return self.password.text() or None

    def test(self) -> None:
        """Reach the server with what is typed (and the stored password unless one is typed)."""
        try:
            shop = self.values()["shop_server"]
        except ConfigError as exc:
            self.result.show_message(str(exc))
            return
        if shop is None:
            return
        typed = self.typed_password()
        self.test_button.setEnabled(False)
        self.result.show_message(self.tr("Reaching the shop server…"), role="info")

        def check() -> Any:
            from cashier_gui.shop import ShopError, ShopServer

            password = typed if typed is not None else self._stored_password()
            try:
                with ShopServer(
                    shop.url, password=password, ca_file=shop.ca_file, wait_s=5
                ) as server:
                    return server.health()
            except ShopError as exc:
                return exc

        async def work() -> Any:
            return await asyncio.to_thread(check)

        def done(found: Any) -> None:
            self.test_button.setEnabled(True)
            if isinstance(found, Exception):
                self.result.show_message(str(found))
                return
            text = self.tr(
                "The shop server answers (tables at version {version}), {tls}; its clock is "
                "{seconds} s from this PC's."
            ).format(
                version=found.version,
                tls=self.tr("encrypted") if found.encrypted else self.tr("not encrypted"),
                seconds=f"{found.clock_skew_s:+.1f}",
            )
            if not found.may_claim:
                text += " " + self.tr(
                    "This counter's database user may not call the shop's functions: ask the "
                    "server's administrator."
                )
            self.result.show_message(text, role="info" if found.may_claim else "warning")

        self._run(work, done)
