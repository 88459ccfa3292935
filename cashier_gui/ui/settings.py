"""Settings, and first-run setup: which back end, its address and IDs, the secrets, defaults.

Secrets go straight from the password fields into the OS keyring (on a worker thread) and are
never shown again: an empty field means "keep the stored one". The MSK's key check value is
shown as it is typed so the installer can compare it with the gateway's.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
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
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cashier_gui.config import (
    PROVIDERS,
    ConfigError,
    Paths,
    PoyntSettings,
    Settings,
    ViopaySettings,
    load_settings,
    save_settings,
)
from cashier_gui.doors import manager_saved, record
from cashier_gui.money import MoneyError, check_currency
from cashier_gui.policy import Policy, PolicySource, PolicyUnavailable
from cashier_gui.protocol.viopay import key_check_value, parse_msk
from cashier_gui.secrets import HMAC_SECRET, MSK, PAIRING_CODE, SHOP_PASSWORD, SecretStore
from cashier_gui.ui.ops import Operations, describe_error
from cashier_gui.ui.settings_backends import KEEP, BackendChecks, translations
from cashier_gui.ui.widgets import QT_TRANSLATE_NOOP, ComboBox, MessageBox, label

SECRET_WORDS = {  # shown with tr() where they are used
    HMAC_SECRET: QT_TRANSLATE_NOOP("SettingsDialog", "HMAC secret"),
    MSK: QT_TRANSLATE_NOOP("SettingsDialog", "MSK"),
    PAIRING_CODE: QT_TRANSLATE_NOOP("SettingsDialog", "pairing code"),
}


class SettingsDialog(BackendChecks, QDialog):
    saved = Signal()

    def __init__(
        self,
        *,
        paths: Paths | None = None,
        secrets: SecretStore | None = None,
        printing: Any = None,
        parent: QWidget | None = None,
        by: str | None = None,
    ) -> None:
        """`printing`: the window's (Settings' test receipt prints through it); `by`: the
        manager who opened it (the changes log names them)."""
        super().__init__(parent)
        self.paths = paths or Paths.default()
        self.by = by
        self.ops = Operations(self)
        self.problem = MessageBox(self.tr("Settings problem"))
        try:
            self.settings = load_settings(self.paths)
        except ConfigError as exc:
            self.settings = Settings()
            self.problem.show_message(
                self.tr(
                    "{problem}\nThe file is kept as it is until you save; the old one is then "
                    "kept as settings.toml.bak."
                ).format(problem=exc),
                role="warning",
            )
        self.secrets = secrets or SecretStore(self.settings.profile)
        first_run = not self.settings.configured
        self.setWindowTitle(self.tr("Set up this counter") if first_run else self.tr("Settings"))
        self.resize(640, 560)

        self.provider = ComboBox()
        self.provider.setAccessibleName(self.tr("Payment back end"))
        viopay, poynt = PROVIDERS
        self.provider.addItem(self.tr("Viopay POS API (cloud)"), viopay)
        self.provider.addItem(self.tr("Poynt card terminal on this network"), poynt)

        # Viopay -------------------------------------------------------------------------------
        v = self.settings.viopay
        self.base_url = self._line(
            self.tr("Viopay base URL"), v.base_url if v else "https://api.viopay.io"
        )
        self.terminal_id = self._line(
            self.tr("Terminal ID"), v.terminal_id if v else "", self.tr("e.g. TERM-001")
        )
        self.key_id = self._line(
            self.tr("Key ID"), v.key_id if v else "", self.tr("e.g. hmac-key-2025-01")
        )
        self.device_model = self._line(self.tr("Device model"), v.device_model if v else "PC")
        self.ca_bundle = self._line(
            self.tr("CA bundle"),
            (v.ca_bundle or "") if v else "",
            self.tr("empty: the system's trusted certificates"),
        )
        browse = QPushButton(self.tr("Browse…"))
        browse.setAccessibleName(self.tr("Choose a CA bundle file"))
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(browse)
        self.hmac_secret = self._secret(self.tr("HMAC secret"))
        self.msk = self._secret(self.tr("MSK (64 hex digits)"))
        self.msk.textChanged.connect(self._msk_typed)
        self.kcv = label("", role="hint")
        self.kcv.setAccessibleName(self.tr("MSK key check value"))
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setAccessibleName(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = MessageBox(self.tr("Connection test result"))
        vpage = QWidget()
        vf = QFormLayout(vpage)
        vf.addRow(self.tr("Base URL"), self.base_url)
        vf.addRow(self.tr("Terminal ID"), self.terminal_id)
        vf.addRow(self.tr("Key ID"), self.key_id)
        vf.addRow(self.tr("Device model"), self.device_model)
        vf.addRow(self.tr("CA bundle"), ca_row)
        vf.addRow(self.tr("HMAC secret"), self.hmac_secret)
        vf.addRow(self.tr("MSK"), self.msk)
        vf.addRow("", self.kcv)
        vf.addRow("", self.test_button)
        vf.addRow("", self.test_result)

        # Poynt --------------------------------------------------------------------------------
        p = self.settings.poynt
        self.poynt_host = self._line(
            self.tr("Terminal IP address"), p.host if p else "", self.tr("e.g. 192.168.1.23")
        )
        self.poynt_port = QSpinBox()
        self.poynt_port.setRange(1, 65535)
        self.poynt_port.setValue(p.port if p else 55555)
        self.poynt_port.setAccessibleName(self.tr("Terminal port"))
        self.pairing = self._secret(self.tr("Pairing code shown on the terminal"))
        self.pair_button = QPushButton(self.tr("Pair with the terminal"))
        self.pair_button.setAccessibleName(self.tr("Pair with the terminal"))
        self.pair_button.clicked.connect(self.pair)
        self.pair_result = MessageBox(self.tr("Pairing result"))
        ppage = QWidget()
        pf = QFormLayout(ppage)
        pf.addRow(
            label(
                self.tr(
                    "On the terminal, open POS Bridge and press CONNECT: it shows its IP "
                    "address and a pairing code."
                ),
                role="small",
            )
        )
        pf.addRow(self.tr("IP address"), self.poynt_host)
        pf.addRow(self.tr("Port"), self.poynt_port)
        pf.addRow(self.tr("Pairing code"), self.pairing)
        pf.addRow("", self.pair_button)
        pf.addRow("", self.pair_result)

        self.pages = QStackedWidget()
        self.pages.addWidget(vpage)
        self.pages.addWidget(ppage)
        self.provider.currentIndexChanged.connect(self.pages.setCurrentIndex)
        self.provider.setCurrentIndex(1 if self.settings.provider == "poynt" else 0)

        # Common ------------------------------------------------------------------------------
        self.currency = self._line(
            self.tr("Default currency"),
            self.settings.default_currency or "",
            self.tr("e.g. EUR (used where the back end cannot tell)"),
        )
        self.locale_edit = self._line(
            self.tr("Number format"),
            self.settings.locale or "",
            self.tr("empty: this PC's language, or e.g. de_DE"),
        )
        self.connect_timeout = QSpinBox()
        self.connect_timeout.setRange(1, 120)
        self.connect_timeout.setValue(int(self.settings.connect_timeout_s))
        self.connect_timeout.setSuffix(self.tr(" s"))
        self.connect_timeout.setAccessibleName(self.tr("Connect timeout in seconds"))
        self.read_timeout = QSpinBox()
        self.read_timeout.setRange(1, 300)
        self.read_timeout.setValue(int(self.settings.read_timeout_s))
        self.read_timeout.setSuffix(self.tr(" s"))
        self.read_timeout.setAccessibleName(self.tr("Answer timeout in seconds"))
        common = QFormLayout()
        common.addRow(self.tr("Back end"), self.provider)
        common.addRow(self.tr("Shop currency"), self.currency)
        common.addRow(self.tr("Number format"), self.locale_edit)
        common.addRow(self.tr("Connect timeout"), self.connect_timeout)
        common.addRow(self.tr("Answer timeout"), self.read_timeout)

        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setProperty("role", "primary")
        self.save_button.setAccessibleName(self.tr("Save settings"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = cancel = QPushButton(self.tr("Cancel"))
        cancel.setAccessibleName(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        # Sections (issue 26): the connection and its secrets, the counter's paper and
        # language, the shop's policy for managers — each a tab whose fields scroll; what went
        # wrong and Save / Cancel stay in sight above and below them, on any screen height.
        # (A "Shop server" section is for the shop-server integration to add.)
        from cashier_gui.ui.counter_settings import CounterSettingsBox

        self.counter_box = CounterSettingsBox(self.settings, printing)
        policy = self.counter_box.policy_box
        box_layout = self.counter_box.layout()
        if box_layout is not None:
            box_layout.removeWidget(policy)
        connection = QWidget()
        conn = QVBoxLayout(connection)
        conn.addLayout(common)
        conn.addWidget(self.pages, 1)
        policy_page = QWidget()
        pol = QVBoxLayout(policy_page)
        pol.addWidget(policy)
        pol.addStretch(1)
        from cashier_gui.ui.shop_settings import ShopServerBox

        self.shop_box = ShopServerBox(
            self.settings.shop_server, self._run, lambda: self.secrets.get(SHOP_PASSWORD)
        )
        shop_page = QWidget()
        shop = QVBoxLayout(shop_page)
        shop.addWidget(self.shop_box)
        shop.addStretch(1)
        self.sections = QTabWidget()
        self.sections.setDocumentMode(True)
        pages: list[QWidget] = []
        # Each section's name, and the short one its tab shows when the four full names do not
        # fit side by side (1024×768 at 150 %): the tabs never scroll or cut a name.
        self.section_titles = [
            (self.tr("Connection and secrets"), self.tr("Connection")),
            (self.tr("Receipts and language"), self.tr("Receipts")),
            (self.tr("Policy (managers)"), self.tr("Policy")),
            (self.tr("Shop server"), self.tr("Shop server")),
        ]
        for page, (title, _short) in zip(
            (connection, self.counter_box, policy_page, shop_page),
            self.section_titles,
            strict=True,
        ):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(page)
            self.sections.addTab(scroll, title)
            pages.append(page)
        self.body_scroll = self.sections.widget(0)
        layout = QVBoxLayout(self)
        if first_run:
            layout.addWidget(
                label(
                    self.tr(
                        "Set up this counter once: choose the back end, type the "
                        "details your payment provider gave you, then test."
                    ),
                    role="value",
                )
            )
        layout.addWidget(self.problem)
        layout.addWidget(self.sections, 1)
        layout.addLayout(buttons)
        for form in self.findChildren(QFormLayout):
            # A label that leaves its field too little room goes above it (German labels are
            # long): nothing is cut on the right, there is no sideways scrolling.
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        # As wide as the widest section needs (with a scroll bar), within the screen.
        margins = layout.contentsMargins()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) + 4
        need = max(page.sizeHint().width() for page in pages) + bar + margins.left()
        self.resize(max(self.width(), need + margins.right() + 8), self.height())
        self._fit_screen()
        self._run(self._show_stored, lambda _: None)
        # The policy in force, from where it is kept (the settings file, or the shop server:
        # runtime.JournalHome.policy); the tab waits for it, off the GUI thread.
        self._policy_source: PolicySource | None = None
        self._policy_shown: Policy | None = None
        policy.setEnabled(False)
        self._run(self._load_policy, self._policy_loaded)

    # ---- helpers ------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._title_sections()

    def _title_sections(self) -> None:
        """The full section names on the tabs when they fit, else the short ones (the full
        name is the tab's tooltip)."""
        bar = self.sections.tabBar()
        for i, (title, _short) in enumerate(self.section_titles):
            bar.setTabText(i, title)
            bar.setTabToolTip(i, title)
        if bar.sizeHint().width() > self.sections.width():
            for i, (_title, short) in enumerate(self.section_titles):
                bar.setTabText(i, short)

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
        source, self._policy_source = self._policy_source, None
        if source is not None:  # a shop server's pool closes off the GUI thread
            threading.Thread(target=source.close, name="policy-close", daemon=True).start()
        super().done(result)

    async def _load_policy(self) -> tuple[PolicySource, Policy | None, str]:
        def load() -> tuple[PolicySource, Policy | None, str]:
            from cashier_gui.runtime import journal_home

            home = journal_home(self.paths, settings=self.settings, secrets=self.secrets)
            source = home.policy(self.paths, self.settings)
            try:
                return source, source.current(), source.origin()
            except PolicyUnavailable as exc:
                return source, None, str(exc)

        return await asyncio.to_thread(load)

    def _policy_loaded(self, loaded: tuple[PolicySource, Policy | None, str]) -> None:
        source, policy, words = loaded
        self._policy_source = source
        box = self.counter_box.policy_box
        if policy is None:  # cannot be read now: shown, not editable
            box.origin.setText(words)
            return
        box.show_policy(policy, words)
        if not source.in_settings and self.by is None:
            # Opened without a PIN (no people here): the shop's policy binds every counter.
            box.origin.setText(
                box.origin.text()
                + " "
                + self.tr(
                    "The shop's policy applies at every counter, so only a manager changes it: "
                    "this counter has no people yet (add a manager in People…)."
                )
            )
            return
        self._policy_shown = policy
        box.ask_pin(not source.in_settings)
        box.setEnabled(True)

    async def _show_stored(self) -> None:
        for field, name in (
            (self.hmac_secret, HMAC_SECRET),
            (self.msk, MSK),
            (self.pairing, PAIRING_CODE),
        ):
            stored = await asyncio.to_thread(self.secrets.get, name)
            field.setPlaceholderText(translations(KEEP) if stored else self.tr("not set yet"))

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("CA bundle"), "", self.tr("Certificates (*.pem *.crt)")
        )
        if path:
            self.ca_bundle.setText(path)

    def _msk_typed(self, text: str) -> None:
        if not text:
            self.kcv.setText("")
            return
        try:
            self.kcv.setText(
                self.tr(
                    "Key check value: {kcv} — compare it with the one your payment provider "
                    "gave you"
                ).format(kcv=key_check_value(parse_msk(text)))
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
                raise ConfigError(
                    self.tr("Default currency: {problem}").format(problem=exc)
                ) from None
        base = replace(
            self.settings,
            default_currency=currency,
            locale=self.locale_edit.text().strip() or None,
            connect_timeout_s=float(self.connect_timeout.value()),
            read_timeout_s=float(self.read_timeout.value()),
            **self.counter_box.values(),
            **self.shop_box.values(),
        )
        if provider == "viopay":
            for field, name in (
                (self.terminal_id, self.tr("Terminal ID")),
                (self.key_id, self.tr("Key ID")),
                (self.base_url, self.tr("Base URL")),
            ):
                if not field.text().strip():
                    raise ConfigError(
                        self.tr(
                            "{field} is empty: type the one your payment provider gave you."
                        ).format(field=name)
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
        # A policy kept elsewhere (a shop server) is saved there, and only when it changed;
        # the settings file keeps its own (ignored in a shop). Not read yet: unchanged.
        source, to_source, shown = self._policy_source, None, self._policy_shown
        if source is None or not source.in_settings:
            wanted, settings = settings.policy, replace(settings, policy=self.settings.policy)
            if source is not None and shown is not None and wanted.to_toml() != shown.to_toml():
                to_source = wanted
        policy_pin = self.counter_box.policy_box.pin.text()
        if to_source is not None and not policy_pin:
            self.problem.show_message(
                self.tr(
                    "The shop's policy is saved with your PIN, checked by the shop server: type "
                    "it in Policy → Your PIN. Nothing was saved."
                )
            )
            self.save_button.setEnabled(True)
            return

        async def work() -> bool:
            try:
                missing = await self._missing_secrets(typed)
                if missing:
                    words = self.tr(" and the ").join(
                        translations(SECRET_WORDS[m]) for m in missing
                    )
                    self.problem.show_message(
                        self.tr("Type the {secrets}: nothing is stored yet.").format(secrets=words)
                    )
                    return False
                if source is not None and to_source is not None:
                    # First, before anything is stored here: a server that refuses or does not
                    # answer leaves this counter's settings as they were, too.
                    from cashier_gui.runtime import operator_name

                    now = await asyncio.to_thread(source.current)
                    if shown is not None and now.version != shown.version:
                        # Changed at another counter while this was open: not overwritten.
                        self.problem.show_message(
                            self.tr(
                                "The shop's policy was changed at another counter while Settings "
                                "was open (now {origin}), so nothing was saved. Close Settings and "
                                "open it again to see it."
                            ).format(origin=source.origin())
                        )
                        return False
                    await asyncio.to_thread(
                        source.save, to_source, self.by or operator_name(), policy_pin
                    )
                    # Saved (read back with its new version): a second Save does not repeat it.
                    self._policy_shown = source.known()
                    change = {"policy": to_source.to_toml(), "where": source.origin()}
                    await asyncio.to_thread(record, self.paths, self.by, "policy set", change)
                for name, value in typed.items():
                    await asyncio.to_thread(self.secrets.set, name, value)
                shop_password = self.shop_box.typed_password()
                if shop_password is not None and settings.shop_server is not None:
                    await asyncio.to_thread(self.secrets.set, SHOP_PASSWORD, shop_password)
                await asyncio.to_thread(save_settings, self.paths, settings)
                await asyncio.to_thread(  # logged, and sealed: a manager's save
                    manager_saved,
                    self.paths,
                    self.secrets,
                    self.settings,
                    settings,
                    by=self.by,
                    secrets_set=list(typed),
                )
                return True
            finally:
                self.save_button.setEnabled(True)

        def done(ok: bool) -> None:
            if ok:
                for field in (
                    self.hmac_secret,
                    self.msk,
                    self.pairing,
                    self.shop_box.password,
                    self.counter_box.policy_box.pin,
                ):
                    field.clear()
                self.settings = settings
                self.saved.emit()
                self.accept()

        self._run(work, done)
