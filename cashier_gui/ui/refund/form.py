"""The refund panel's charge card and form: filling them from a lookup, the amount check, the
Void/Refund choice: the layer over PanelBase (base.py), under SendingPart (sending.py)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from cashier_gui.gateways.base import GatewayError
from cashier_gui.journal import State
from cashier_gui.money import Money, MoneyError, parse_amount
from cashier_gui.refunds import ChargeView
from cashier_gui.safetext import typed_problem
from cashier_gui.ui.refund import flow as fl
from cashier_gui.ui.refund.base import PanelBase
from cashier_gui.ui.refund.words import amount_example, attempt_lines, known_refunded
from cashier_gui.ui.widgets import QT_TRANSLATE_NOOP, local_time, restyle, set_visible

if TYPE_CHECKING:
    from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget


class FormPart(PanelBase):
    def _connect_form(self) -> None:
        self.amount_edit.textEdited.connect(self._amount_typed)
        self.amount_edit.textChanged.connect(self._validate)
        self.full_radio.toggled.connect(self._validate)
        self.partial_radio.toggled.connect(self._partial_toggled)
        self.note_edit.textChanged.connect(self._validate)  # a bad note is refused as typed

    # ---- filling ------------------------------------------------------------------------------

    def _clear_form(self) -> None:
        # Without a lookup (Poynt) the cashier types the receipt's amount: Partial first; Full
        # (Alt+F) asks for the amount paid instead.
        (self.full_radio if self.has_lookup else self.partial_radio).setChecked(True)
        self.amount_edit.clear()
        self.note_edit.clear()
        self.reason_combo.setCurrentIndex(0)
        self.confirm_card.no_approval()
        self.confirm_note.clear()

    def _charge_focus(self) -> None:
        """The charge card for the flow's view: filled, the form or the reason it cannot be
        refunded (once), the void choice for a sale that can still be voided."""
        view = self.view
        if view is None:
            return
        if self._reference_for != view.charge_id or self.attempt is not None:
            self._new_reference()
            self._reference_for = view.charge_id
        self.attempt = None
        self._fill_details(view)
        why = view.blocked_reason()
        voidable = view.void_blocked_reason() is None
        if view.charge is None and self.service is not None:
            voidable = voidable and not view.attempts  # Poynt: a sale with nothing done yet
        set_visible(self.charge_card.choice, voidable)
        if why:
            self.not_refundable.show_message(why, role="warning")
        else:
            self.not_refundable.clear()
        set_visible(self.form_card, not why)  # no form for a charge that cannot be refunded
        self._validate()
        focus: QWidget
        if why:
            focus = self.charge_edit
        elif voidable and view.charge is not None:
            focus = self.void_button  # today's unsettled sale: Void first
        elif self.has_lookup:
            focus = self.full_radio if self.full_radio.isChecked() else self.amount_edit
        else:
            focus = self.amount_edit
        if not self.charge_edit.hasFocus() or not why:
            focus.setFocus()

    def _fill_details(self, view: ChargeView) -> None:
        charge = view.charge
        f = self.fields
        for key in ("amount", "remaining"):
            restyle(f[key], "big" if charge is not None else "value")
        blocked = view.blocked_reason() is not None
        if charge is not None:
            currency = charge.amount.currency
            f["amount"].setText(self._fmt(charge.amount))
            f["status"].setText(status_word(charge.status))
            f["card"].setText(
                f"{charge.card_brand} •••• {charge.card_last4 or '????'}"
                if charge.card_brand
                else "—"
            )
            f["date"].setText(local_time(charge.created_at))
            f["refunded"].setText(self._fmt(charge.refunded))
            f["remaining"].setText(self._fmt(charge.remaining))
            self.full_radio.setText(
                self.tr("&Full — {amount}").format(amount=self._fmt(charge.remaining))
            )
            self.form_card.amount_caption.setText(self.tr("&Amount"))
        else:
            currency = self.default_currency
            f["amount"].setText(self.tr("type it from the receipt"))
            f["status"].setText(self.tr("The terminal cannot look transactions up"))
            for key in ("card", "date"):
                f[key].setText("—")
            f["refunded"].setText(known_refunded(view, self._fmt, currency))
            f["remaining"].setText("")
            self.full_radio.setText(self.tr("&Full — the amount paid"))
            self.form_card.amount_caption.setText(
                self.tr("&Amount paid") if self.full_radio.isChecked() else self.tr("&Amount")
            )
        # "Still refundable" only says something when a refund is possible and known.
        self.charge_card.show_row("remaining", charge is not None and not blocked)
        self.currency_label.setText(currency)
        self.form_card.set_amount_example(amount_example(currency, self.money_locale))
        self.earlier.setText(attempt_lines(view, self._fmt))

    # ---- amount ---------------------------------------------------------------------------

    def _amount_typed(self, _text: str) -> None:
        # With a lookup, typing an amount means partial; without one (Poynt) Full asks for the
        # amount paid, typed once, so that the confirm card can show it.
        if self.has_lookup and not self.partial_radio.isChecked():
            self.partial_radio.setChecked(True)
        self._validate()

    def _partial_toggled(self, checked: bool) -> None:
        if checked or not self.has_lookup:
            self.amount_edit.setFocus()
        elif self.has_lookup:
            self.amount_edit.clear()  # Full: what was typed no longer counts
        if not self.has_lookup:
            self.form_card.amount_caption.setText(
                self.tr("&Amount") if checked else self.tr("&Amount paid")
            )
        self._validate()

    def typed_amount(self) -> tuple[Money | None, str | None]:
        view = self.view
        currency = (
            view.charge.amount.currency if view is not None and view.charge else None
        ) or self.default_currency
        try:
            return parse_amount(self.amount_edit.text(), currency, locale=self.money_locale), None
        except MoneyError as exc:
            return None, str(exc)

    def chosen_amount(self) -> tuple[Money | None, str | None]:
        """(amount to send or None for full, problem sentence or None)."""
        view = self.view
        if view is None or self.service is None:
            return None, self.tr("Look a charge up first.")
        amount: Money | None = None
        if self.partial_radio.isChecked():
            amount, problem = self.typed_amount()
            if problem:
                return None, problem
        elif not self.has_lookup:
            paid, problem = self.typed_amount()
            if problem:
                return None, self.tr("Type the amount paid, from the receipt.") if not (
                    self.amount_edit.text().strip()
                ) else problem
            if paid is not None and paid.minor <= 0:
                return None, self.tr("A refund amount must be more than zero.")
        try:
            return self.service.check_amount(view, amount), None
        except GatewayError as exc:
            return None, exc.message

    def shown_amount(self) -> Money | None:
        """What the confirm card shows: the amount; for a full refund without lookup (Poynt)
        the amount paid, typed once, less what this counter already refunded on it."""
        amount, _problem = self.chosen_amount()
        view = self.view
        if amount is None and not self.has_lookup and view is not None:
            paid, _problem = self.typed_amount()
            if paid is not None:
                done = sum(
                    a.amount_minor or 0
                    for a in view.attempts
                    if a.state in (State.APPROVED, State.PENDING) and a.currency == paid.currency
                )
                amount = Money(max(0, paid.minor - done), paid.currency)
        return amount

    def _validate(self) -> None:
        if self.stage is not fl.Stage.CHARGE:
            _enable(self.action_button, False)
            return
        amount, problem = self.chosen_amount()
        typed = self.amount_edit.text().strip()
        blocked = self.view is not None and self.view.blocked_reason() is not None
        note_problem = typed_problem(self.note_edit.text(), "note")
        if blocked:
            _set_text(self.amount_hint, "")
        elif note_problem and problem is None:  # words stay words: no controls, no bidi
            problem = note_problem
            _set_text(self.amount_hint, note_problem)
            restyle(self.amount_hint, "hint-bad")
        elif problem and (self.full_radio.isChecked() or typed or self.view is None):
            _set_text(self.amount_hint, problem)
            restyle(self.amount_hint, "hint-bad" if typed or self.has_lookup else "hint")
        elif problem:
            _set_text(self.amount_hint, self.tr("Type the amount to refund."))
            restyle(self.amount_hint, "hint")
        else:
            _set_text(self.amount_hint, "")
        self._fit_hint()
        ok = problem is None and not self.ops.busy
        self.flow.handle(fl.FormReady(ok))
        _enable(self.action_button, ok)
        shown_money = self.shown_amount() if ok else amount
        shown = self._fmt(shown_money) if shown_money else self.tr("the full amount")
        label = self.tr("Refund {amount}").format(amount=shown)
        _set_text(self.action_button, f"{label}  ⏎" if ok else self.tr("Refund"))
        self.action_button.setAccessibleName(label)

    def _fit_hint(self) -> None:
        """The form layout gives a row the height its label asked for when the form was laid
        out: a longer (German, bold) reason must ask for its lines itself, or it is cut."""
        hint = self.amount_hint
        line = hint.fontMetrics().lineSpacing() + 2
        width = hint.width() if hint.width() > 50 else 320
        need = max(line, hint.heightForWidth(width) + 2 if hint.text() else 0)
        if hint.minimumHeight() != need:
            grew = need > hint.minimumHeight()
            hint.setMinimumHeight(need)
            if grew:
                self.follow_actions()

    def _update_enabled(self, validate: bool = True) -> None:
        """`validate=False`: the caller validates the form itself afterwards (once a lookup's
        charge is filled in: validating the empty form first was wasted, 0.2–0.4 ms)."""
        # Only real changes: with a stylesheet every enable/disable re-polishes the widget.
        locked = self.stage in ("confirm", "sending") or self.ops.busy
        if self.charge_edit.isReadOnly() != locked:
            self.charge_edit.setReadOnly(locked)
        _enable(self.lookup_button, self.service is not None and not locked)
        _enable(self.practice, not locked)
        for w in (
            self.full_radio,
            self.partial_radio,
            self.amount_edit,
            self.reason_combo,
            self.note_edit,
            self.restart_button,
            self.void_button,
        ):
            _enable(w, not locked)
        _enable(self.confirm_button, self.stage == "confirm" and not self.ops.busy)
        _enable(self.back_button, self.stage == "confirm")
        if validate:
            self._validate()

    def ask_confirm(self) -> None:
        """The form's Refund button: a deliberate click."""
        if self.ops.busy:
            return
        self._validate()
        self._feed(fl.Choose("refund", time.monotonic()))


def _enable(widget: QWidget, enabled: bool) -> None:
    if widget.isEnabled() != enabled:
        widget.setEnabled(enabled)


#: A charge's status as the charge card shows it (translated where shown).
STATUS_WORDS = {
    "approved": QT_TRANSLATE_NOOP("FormPart", "Approved"),
    "declined": QT_TRANSLATE_NOOP("FormPart", "Declined"),
    "pending": QT_TRANSLATE_NOOP("FormPart", "Pending"),
    "cancelled": QT_TRANSLATE_NOOP("FormPart", "Cancelled"),
    "reversed": QT_TRANSLATE_NOOP("FormPart", "Reversed"),
}


def translations(text: str) -> str:
    return QCoreApplication.translate("FormPart", text)


def status_word(status: object) -> str:
    text = STATUS_WORDS.get(str(status))
    return translations(text) if text else str(status).capitalize()


def _set_text(widget: QLabel | QAbstractButton, text: str) -> None:
    if widget.text() != text:  # a new text re-lays out the column
        widget.setText(text)
