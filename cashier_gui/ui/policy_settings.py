"""Settings → Policy: what a cashier may do alone, and what needs a manager's PIN (see
`cashier_gui.policy`). Settings is for managers, so only a manager edits this.

Amounts are typed per currency as the receipt shows them: `EUR 50.00, JPY 5000`. A count of 0
means "no limit" here (the settings file can still say 0 for "every refund needs a manager").
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QSpinBox

from cashier_gui.money import Money
from cashier_gui.policy import VOIDS, Policy, PolicyError
from cashier_gui.ui.widgets import ComboBox

_PAIR = re.compile(r"\s*([A-Za-z]{3})\s+([0-9][0-9.,']*)\s*")


def amounts_text(table: dict[str, int]) -> str:
    return ", ".join(f"{c} {Money(v, c).plain()}" for c, v in sorted(table.items()))


def parse_amounts(text: str) -> dict[str, str] | None:
    """`EUR 50.00, JPY 5000` → {"EUR": "50.00", "JPY": "5000"}; None when it is not that."""
    out: dict[str, str] = {}
    for part in filter(str.strip, re.split(r"[;\n]|,(?=\s*[A-Za-z])", text)):
        match = _PAIR.fullmatch(part)
        if match is None:
            return None
        out[match.group(1).upper()] = match.group(2)
    return out


class PolicyBox(QGroupBox):
    def __init__(self, policy: Policy) -> None:
        super().__init__()
        self._time_zone = policy.time_zone  # kept as set (settings file or command line)
        self.setTitle(self.tr("Policy: when a manager must approve"))
        form = QFormLayout(self)
        #: Where the policy shown comes from (the settings file, or the shop server).
        self.origin = QLabel("")
        self.origin.setWordWrap(True)
        self.origin.setObjectName("hint")
        form.addRow(self.origin)
        self.approval = QLineEdit(amounts_text(policy.approval_above))
        self.approval.setPlaceholderText(self.tr("e.g. EUR 50.00, JPY 5000 — empty: never"))
        self.approval.setAccessibleName(self.tr("Refunds above these amounts need a manager"))
        self.no_lookup = QLineEdit(amounts_text(policy.no_lookup_above))
        self.no_lookup.setPlaceholderText(self.tr("e.g. USD 20 — empty: never"))
        self.no_lookup.setAccessibleName(
            self.tr("Refunds without a lookup (Poynt) above these amounts need a manager")
        )
        self.per_day = QSpinBox()
        self.per_day.setRange(0, 1000)
        self.per_day.setSpecialValueText(self.tr("no limit"))
        self.per_day.setValue(policy.refunds_per_day or 0)
        self.per_day.setAccessibleName(self.tr("Refunds per cashier per day without a manager"))
        self.max_age = QSpinBox()
        self.max_age.setRange(0, 3650)
        self.max_age.setSpecialValueText(self.tr("no limit"))
        self.max_age.setSuffix(self.tr(" days"))
        self.max_age.setValue(policy.max_sale_age_days or 0)
        self.max_age.setAccessibleName(self.tr("Older sales need a manager"))
        self.voids = ComboBox()
        self.voids.setAccessibleName(self.tr("Who may void a sale"))
        anyone, managers = VOIDS
        self.voids.addItem(self.tr("Anyone"), anyone)
        self.voids.addItem(self.tr("Managers only"), managers)
        self.voids.setCurrentIndex(max(0, self.voids.findData(policy.voids)))
        form.addRow(self.tr("Refunds above"), self.approval)
        form.addRow(self.tr("Without a lookup, above"), self.no_lookup)
        form.addRow(self.tr("Refunds per cashier per day"), self.per_day)
        form.addRow(self.tr("Sales older than"), self.max_age)
        form.addRow(self.tr("Voids"), self.voids)
        # A shop's policy: the shop server checks the manager's PIN itself when it is saved
        # (the window's own check may have been the signed-in manager, with no PIN typed).
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setAccessibleName(self.tr("Your PIN, to change the shop's policy"))
        self.pin_label = QLabel(self.tr("Your PIN (to save the shop's policy)"))
        form.addRow(self.pin_label, self.pin)
        self.ask_pin(False)

    def ask_pin(self, shown: bool) -> None:
        """Show the PIN field (a policy kept on the shop server) or hide it."""
        self.pin.setVisible(shown)
        self.pin_label.setVisible(shown)

    def show_policy(self, policy: Policy, origin: str) -> None:
        """Show `policy` (the one in force, read from its source) and where it comes from."""
        self._time_zone = policy.time_zone
        self.approval.setText(amounts_text(policy.approval_above))
        self.no_lookup.setText(amounts_text(policy.no_lookup_above))
        self.per_day.setValue(policy.refunds_per_day or 0)
        self.max_age.setValue(policy.max_sale_age_days or 0)
        self.voids.setCurrentIndex(max(0, self.voids.findData(policy.voids)))
        self.origin.setText(self.tr("In force from {origin}.").format(origin=origin))

    def value(self) -> Policy:
        """The policy as typed; PolicyError (the field, what to type) otherwise."""
        data: dict[str, object] = {"voids": str(self.voids.currentData())}
        for key, field in (("approval_above", self.approval), ("no_lookup_above", self.no_lookup)):
            table = parse_amounts(field.text())
            if table is None:
                raise PolicyError(
                    self.tr(
                        "Type amounts with their currency, e.g. EUR 50.00, JPY 5000 (not “{text}”)."
                    ).format(text=field.text().strip()[:40])
                )
            if table:
                data[key] = table
        if self.per_day.value():
            data["refunds_per_day"] = self.per_day.value()
        if self.max_age.value():
            data["max_sale_age_days"] = self.max_age.value()
        if self._time_zone:
            data["time_zone"] = self._time_zone
        return Policy.from_toml(data)
