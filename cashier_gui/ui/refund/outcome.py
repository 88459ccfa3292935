"""The refund screen's later cards: confirm (with a manager's approval when the shop wants one),
sending (countdown, Cancel while it still works) and the result."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from cashier_gui.ui.refund.cards import Card
from cashier_gui.ui.signin import PinPad
from cashier_gui.ui.widgets import CopyRow, MessageBox, label, set_visible

if TYPE_CHECKING:
    from cashier_gui.operators import Operator


class ConfirmCard(Card):
    def __init__(self) -> None:
        super().__init__("confirm")
        self.note = MessageBox(self.tr("What happened to the last try"))
        self.text = label("", role="title", selectable=False)
        self.text.setAccessibleName(self.tr("Confirm question"))
        self.amount = label("", role="result-amount")
        self.amount.setAccessibleName(self.tr("Amount to confirm"))
        self.detail = label("", role="value")
        # Manager approval: shown only when the shop's policy wants one for this refund. The
        # same names and keypad as sign-in (touch alone approves); the PIN field is a secret
        # field: never part of a scan (ui/refund/keys.py), kept until the refund goes.
        self.approval = QFrame()
        form = QVBoxLayout(self.approval)
        form.setContentsMargins(0, 0, 0, 0)
        self.approval_reasons = label("", role="value")
        self.approval_reasons.setAccessibleName(self.tr("Why a manager must approve"))
        self.pad = PinPad(
            side_by_side=True,
            keep_pin=True,
            ok_name=self.tr("Approve"),
            problem=self.tr("Approval problem"),
        )
        self.pad.names.setAccessibleName(self.tr("Manager"))
        self.pad.names.hide()  # until the managers are read: two or more are listed
        self.pin_edit = self.pad.pin
        self.pin_edit.setAccessibleName(self.tr("Manager PIN"))
        form.addWidget(self.approval_reasons)
        form.addWidget(self.pad)
        self.approval.hide()
        self.button = QPushButton(self.tr("Confirm refund  ⏎"))
        self.button.setProperty("role", "primary")
        self.button.setAccessibleName(self.tr("Confirm refund"))
        self.back_button = QPushButton(self.tr("Back  Esc"))
        self.back_button.setAccessibleName(self.tr("Back"))
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addWidget(self.button, 1)
        for w in (self.note, self.text, self.amount, self.detail, self.approval):
            self.lay.addWidget(w)
        self.lay.addLayout(row)

    def ask_approval(self, reasons: list[str], *, practice: str | None = None) -> None:
        """`practice`: in training, who the training manager is and their PIN."""
        text = self.tr(
            "A manager must approve this: {reasons} Manager: choose your name, type your PIN, "
            "then press Enter or OK."
        ).format(reasons=" ".join(reasons))
        self.approval_reasons.setText(f"{text}\n{practice}" if practice else text)
        if self.approval.isHidden():  # asked again (back on this card): keep the name
            self.pad.clear()
            self.approval.show()

    def set_managers(self, managers: Sequence[Operator]) -> None:
        """Who may approve: the names to choose from (one manager: only the PIN is asked)."""
        self.pad.set_people(managers, keep=self.pad.name())

    def manager_name(self) -> str:
        """The manager chosen on the card ("" when none)."""
        return self.pad.name() or ""

    def no_approval(self) -> None:
        self.approval.hide()
        self.pad.clear()

    @property
    def needs_approval(self) -> bool:
        return not self.approval.isHidden()


class SendingCard(Card):
    def __init__(self) -> None:
        super().__init__()
        self.text = label(self.tr("Sending the refund… keep this window open."), role="title")
        self.wait = label("", role="value")
        self.wait.setAccessibleName(self.tr("Time left for the answer"))
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(self.tr("Sending"))
        self.cancel_button = QPushButton(self.tr("Cancel  Esc"))
        self.cancel_button.setAccessibleName(self.tr("Cancel before sending"))
        for w in (self.text, self.wait, self.bar, self.cancel_button):
            self.lay.addWidget(w)


class ResultCard(Card):
    def __init__(self) -> None:
        super().__init__("approved")
        self.title = label("", role="result-title")
        self.title.setAccessibleName(self.tr("Refund result"))
        self.amount = label("", role="result-amount")
        self.amount.setAccessibleName(self.tr("Refunded amount"))
        self.text = label("", role="value", selectable=True)
        self.text.setAccessibleName(self.tr("What to do next"))
        self.refund_id = CopyRow(self.tr("Refund ID"), self.tr("refund ID"))
        self.reference = CopyRow(self.tr("Reference"), self.tr("transaction reference"))
        self.trace = CopyRow(self.tr("Trace ID"), self.tr("trace ID"))
        self.time = label("", role="small")
        self.by_hand = label("", role="value", selectable=True)
        self.by_hand.setAccessibleName(self.tr("Resolved by hand"))
        self.check_button = QPushButton(self.tr("Check now  F5"))
        self.check_button.setProperty("role", "primary")
        self.check_button.setAccessibleName(self.tr("Check now whether this refund went through"))
        self.resolve_button = QPushButton(self.tr("Resolve by hand…"))
        self.resolve_button.setAccessibleName(self.tr("Resolve this refund by hand"))
        self.instead_button = QPushButton(self.tr("Refund it instead  ⏎"))
        self.instead_button.setProperty("role", "primary")
        self.instead_button.setAccessibleName(self.tr("Refund this sale instead"))
        self.new_button = QPushButton(self.tr("New refund  Ctrl+N"))
        self.new_button.setAccessibleName(self.tr("New refund"))
        # Paper, as a till offers it: print the receipt, or none and on to the next customer.
        self.print_button = QPushButton(self.tr("Print receipt  Ctrl+P"))
        self.print_button.setAccessibleName(self.tr("Print the receipt"))
        for w in (
            self.title,
            self.amount,
            self.text,
            self.by_hand,
            self.refund_id,
            self.reference,
            self.trace,
            self.time,
        ):
            self.lay.addWidget(w)
        # The step the outcome asks for (Check now / Refund it instead) on a row of its own,
        # full width; Resolve by hand and New refund below it: every label fits, also in German.
        # Print receipt takes that row when the outcome asks for no step (approved, declined,
        # pending): the way on (No receipt / New refund, the primary) keeps its own room.
        first = QHBoxLayout()
        first.addWidget(self.check_button, 1)
        first.addWidget(self.instead_button, 1)
        first.addWidget(self.print_button, 1)
        second = QHBoxLayout()
        second.addWidget(self.resolve_button)
        second.addStretch(1)
        second.addWidget(self.new_button)
        for b in (self.resolve_button, self.check_button, self.instead_button):
            b.hide()  # shown by the outcome that needs them; hidden they take no room
        self.lay.addLayout(first)
        self.lay.addLayout(second)

    def paper(self, money_moved: bool, step: bool) -> None:
        """Print receipt above the way on: "No receipt" when money moved (the customer may
        want the paper), "New refund" otherwise. When the outcome asks for a step (Check now,
        Refund it instead) that row is the step's: the receipt is then Ctrl+P or History's."""
        set_visible(self.print_button, not step)
        if money_moved:
            self.new_button.setText(self.tr("No receipt  Ctrl+N"))
            self.new_button.setAccessibleName(self.tr("No receipt: on to a new refund"))
        else:
            self.new_button.setText(self.tr("New refund  Ctrl+N"))
            self.new_button.setAccessibleName(self.tr("New refund"))

    def default_button(self) -> QPushButton | None:
        """What Enter presses on this card when the charge field is empty: Check now for an
        unknown answer, Refund it instead after a settled sale refused its void."""
        for b in (self.check_button, self.instead_button):
            if not b.isHidden():
                return b
        return None

    def primary(self, which: QPushButton) -> None:
        """One primary (default) button: Check now for an unknown answer, Refund it instead
        after a settled sale refused its void, else New refund."""
        for b in (self.check_button, self.instead_button, self.new_button):
            role = "primary" if b is which else None
            if b.property("role") != role:
                b.setProperty("role", role)
                b.style().unpolish(b)
                b.style().polish(b)
