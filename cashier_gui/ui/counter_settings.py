"""Settings → the counter's own part: language, idle sign-out, the shop on receipts, and the
receipt printer (with a test print). `values()` gives the fields for `dataclasses.replace` on
`Settings`, or ConfigError naming the field; nothing is saved here (the dialog saves)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cashier_gui.i18n import LANGUAGES
from cashier_gui.ui.widgets import ComboBox, label

#: Each language in its own words (a cashier who reads only that one finds it).
NATIVE_NAMES = {"en": "English", "de": "Deutsch"}

if TYPE_CHECKING:
    from cashier_gui.config import Settings
    from cashier_gui.ui.printing import Printing


class CounterSettingsBox(QWidget):
    def __init__(self, settings: Settings, printing: Printing | None = None) -> None:
        super().__init__()
        from cashier_gui.paper.settings import PRINTER_KINDS, WIDTHS

        self.printing = printing
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)

        counter = QGroupBox(self.tr("This counter"))
        cf = QFormLayout(counter)
        self.language = ComboBox()
        self.language.setAccessibleName(self.tr("Language"))
        self.language.addItem(self.tr("This PC's language"), "")
        for code in LANGUAGES:
            self.language.addItem(NATIVE_NAMES.get(code, code), code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.idle = QSpinBox()
        self.idle.setRange(0, 240)
        self.idle.setSuffix(self.tr(" min"))
        self.idle.setSpecialValueText(self.tr("never"))
        self.idle.setValue(settings.idle_sign_out_minutes)
        self.idle.setAccessibleName(self.tr("Sign out after this many idle minutes"))
        cf.addRow(self.tr("Language"), self.language)
        cf.addRow(self.tr("Sign out when idle"), self.idle)
        lay.addWidget(counter)

        paper = QGroupBox(self.tr("Receipts"))
        pf = QFormLayout(paper)
        self.shop_name = QLineEdit(settings.paper.shop.name)
        self.shop_name.setMaxLength(48)
        self.shop_name.setAccessibleName(self.tr("Shop name on receipts"))
        self.shop_address = QPlainTextEdit("\n".join(settings.paper.shop.address))
        self.shop_address.setAccessibleName(self.tr("Shop address on receipts, up to 4 lines"))
        self.shop_address.setTabChangesFocus(True)
        self.shop_address.setFixedHeight(self.shop_address.fontMetrics().lineSpacing() * 5)
        kinds = {
            "none": self.tr("No printer"),
            "system": self.tr("This PC's printer (print dialog)"),
            "escpos-network": self.tr("Receipt printer on the network"),
            "escpos-usb": self.tr("Receipt printer on USB"),
            "escpos-file": self.tr("Receipt printer at a device path"),
        }
        self.kind = ComboBox()
        self.kind.setAccessibleName(self.tr("Printer"))
        for kind in PRINTER_KINDS:
            self.kind.addItem(kinds[kind], kind)
        printer = settings.paper.printer
        self.kind.setCurrentIndex(max(0, self.kind.findData(printer.kind)))
        self.target = QLineEdit(printer.target)
        self.target.setAccessibleName(self.tr("Printer address"))
        self.paper_width = ComboBox()
        self.paper_width.setAccessibleName(self.tr("Characters per line"))
        for w in WIDTHS:
            self.paper_width.addItem(self.tr("{n} characters").format(n=w), w)
        self.paper_width.setCurrentIndex(max(0, self.paper_width.findData(printer.width)))
        self.auto = QCheckBox(self.tr("Print the receipt as soon as a refund has its answer"))
        self.auto.setChecked(printer.auto_print)
        self.test_button = QPushButton(self.tr("Print a test receipt"))
        self.test_button.clicked.connect(self.print_test)
        self.hint = label("", role="hint")
        pf.addRow(self.tr("Shop name"), self.shop_name)
        pf.addRow(self.tr("Address"), self.shop_address)
        pf.addRow(self.tr("Printer"), self.kind)
        pf.addRow(self.tr("Address of the printer"), self.target)
        pf.addRow(self.tr("Paper width"), self.paper_width)
        pf.addRow("", self.auto)
        pf.addRow("", self.test_button)
        pf.addRow("", self.hint)
        lay.addWidget(paper)
        from cashier_gui.ui.policy_settings import PolicyBox

        self.policy_box = PolicyBox(settings.policy)
        lay.addWidget(self.policy_box)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = str(self.kind.currentData())
        hints = {
            "escpos-network": self.tr("e.g. 192.168.1.50 (port 9100) or 192.168.1.50:9100"),
            "escpos-usb": self.tr("vendor:product in hex, e.g. 04b8:0202 (lsusb shows it)"),
            "escpos-file": self.tr("e.g. /dev/usb/lp0"),
        }
        self.target.setEnabled(kind in hints)
        self.target.setPlaceholderText(hints.get(kind, ""))
        self.auto.setEnabled(kind != "none")

    def values(self) -> dict[str, Any]:
        """Fields of Settings from this box; ConfigError (the field, what to do) otherwise."""
        from cashier_gui.config import ConfigError
        from cashier_gui.paper.settings import (
            PaperSettings,
            PaperSettingsError,
            PrinterSettings,
            ShopSettings,
        )

        address = [x for x in self.shop_address.toPlainText().splitlines() if x.strip()]
        kind = str(self.kind.currentData())
        try:
            paper = PaperSettings(
                ShopSettings(self.shop_name.text(), tuple(address)),
                PrinterSettings(
                    kind,
                    self.target.text().strip() if self.target.isEnabled() else "",
                    self.auto.isChecked() and kind != "none",
                    int(self.paper_width.currentData()),
                ),
            )
        except PaperSettingsError as exc:
            raise ConfigError(str(exc)) from None
        from cashier_gui.policy import PolicyError

        try:
            policy = self.policy_box.value()
        except PolicyError as exc:
            raise ConfigError(str(exc)) from None
        return {
            "policy": policy,
            "language": str(self.language.currentData()),
            "idle_sign_out_minutes": self.idle.value(),
            "paper": paper,
        }

    def print_test(self) -> None:
        """A test receipt on the printer as typed (not yet saved)."""
        from dataclasses import replace

        from cashier_gui.config import ConfigError, Settings
        from cashier_gui.paper.layout import centred, pair, rule

        if self.printing is None:
            return
        try:
            paper = self.values()["paper"]
        except ConfigError as exc:
            self.hint.setText(str(exc))
            return
        width = paper.printer.width
        lines = centred(paper.shop.name or self.tr("Test receipt"), width, bold=True, large=True)
        for line in paper.shop.address:
            lines += centred(line, width)
        lines.append(rule(width))
        lines += centred(self.tr("TEST — NOT A REFUND"), width, bold=True)
        lines += pair("€ £ ¥ ä ö ü ß", "12,50 €", width)
        lines.append(rule(width))
        test = replace(Settings(), paper=paper)
        self.printing.lines(lines, ask=True, what=self.tr("Test receipt"), settings=test)
        self.hint.setText(self.tr("Test receipt sent."))
