"""The refund receipt: what the customer takes home as proof that the money is coming back.

`receipt_lines(attempt, shop, width, locale)` lays one journal attempt out for paper: the shop,
date and time, who refunded (and approved), the charge, the card, the amount, the reason, the
refund ID and reference, and the state in words — an approved refund says when the money
usually arrives; a pending or unknown one says plainly that it is not confirmed yet and what
happens next; nothing refunded says so. Training receipts say TRAINING — NOT A REFUND at the
top and the bottom, so a practice slip can never pass for a real one.

Decisions: the time printed is when the attempt was made, in this PC's time zone; dates and
amounts follow the money locale (Babel), words the app's language; "3–5 working days" is what
card schemes usually take (the gateway does not say) and is printed as "usually".
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_datetime

from cashier_gui.i18n import _
from cashier_gui.journal import Attempt, Kind, State
from cashier_gui.money import display_locale
from cashier_gui.paper.layout import Line, blank, centred, pair, paragraph, rule
from cashier_gui.paper.settings import ShopSettings
from cashier_gui.refunds import reason_label
from cashier_gui.zones import shown


def state_heading(attempt: Attempt) -> str:
    """The state as the receipt's big line."""
    void = attempt.kind is Kind.VOID
    state = attempt.state
    if state is State.APPROVED:
        return _("SALE VOIDED") if void else _("REFUND APPROVED")
    if state is State.PENDING:
        return _("NOT CONFIRMED YET — PENDING")
    if state in (State.UNKNOWN, State.SENT, State.PREPARED):
        return _("NOT CONFIRMED YET")
    if state is State.DECLINED:
        return _("DECLINED — NOTHING REFUNDED")
    return _("NOT REFUNDED")


def state_explanation(attempt: Attempt) -> str:
    """What the state means for the customer, and what happens next."""
    void = attempt.kind is Kind.VOID
    state = attempt.state
    if state is State.APPROVED:
        if void:
            return _("The sale was cancelled before it was settled: the card is not charged.")
        return _(
            "The money goes back to the card it was paid with. It usually arrives within "
            "3–5 working days, depending on the card's bank."
        )
    if state is State.PENDING:
        return _(
            "The card's bank has not confirmed this refund yet. The shop checks it again; keep "
            "this receipt until the money has arrived."
        )
    if state in (State.UNKNOWN, State.SENT, State.PREPARED):
        return _(
            "The answer from the payment service did not arrive, so this refund is not "
            "confirmed yet. The shop checks it and does not refund it twice. Keep this receipt: "
            "ask at the counter if the money has not arrived within 5 working days."
        )
    if state is State.DECLINED:
        return _("The card's bank declined this refund. No money was refunded.")
    if state is State.CANCELLED:
        return _("The refund was cancelled before it was sent. No money was refunded.")
    return _("The refund did not go through. No money was refunded.")


def local_time(stamp: str, locale: str) -> str:
    moment = shown(dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")))
    return format_datetime(moment, format="medium", locale=locale)


def receipt_lines(
    attempt: Attempt, shop: ShopSettings, width: int = 42, locale: str | None = None
) -> list[Line]:
    locale = display_locale(locale)
    out: list[Line] = []
    if attempt.training:
        out += centred(_("TRAINING — NOT A REFUND"), width, bold=True)
        out.append(rule(width, "*"))
    if shop.name:
        out += centred(shop.name, width, bold=True, large=True)
    for line in shop.address:
        out += centred(line, width)
    out.append(blank())
    title = _("VOID RECEIPT") if attempt.kind is Kind.VOID else _("REFUND RECEIPT")
    out += centred(title, width, bold=True)
    out.append(rule(width))
    out += pair(_("Date"), local_time(attempt.created_at, locale), width)
    out += pair(_("Terminal"), attempt.terminal, width)
    if attempt.counter:
        out += pair(_("Counter"), attempt.counter, width)
    out += pair(_("Served by"), attempt.operator, width)
    if attempt.approver:
        out += pair(_("Approved by"), attempt.approver, width)
    out += pair(_("Payment"), attempt.charge_id, width)
    if attempt.card_brand or attempt.card_last4:
        card = " ".join(
            part
            for part in (
                attempt.card_brand,
                f"•••• {attempt.card_last4}" if attempt.card_last4 else None,
            )
            if part
        )
        out += pair(_("Card"), card, width)
    if attempt.reason:
        out += pair(_("Reason"), reason_label(attempt.reason), width)
    out.append(rule(width))
    amount = attempt.amount
    shown = amount.format(locale) if amount is not None else _("the full amount")
    label = _("Sale voided") if attempt.kind is Kind.VOID else _("Refund")
    out += pair(label, shown, width, bold=True)
    out.append(rule(width))
    out += centred(state_heading(attempt), width, bold=True)
    out += paragraph(state_explanation(attempt), width)
    if attempt.resolved_by:
        out += paragraph(_("Checked by hand by {who}.").format(who=attempt.resolved_by), width)
    out.append(blank())
    if attempt.refund_id:
        out += pair(_("Refund ID"), attempt.refund_id, width)
    out += pair(_("Reference"), attempt.transaction_reference, width)
    out += pair(_("Attempt"), str(attempt.id), width)
    out.append(blank())
    out += centred(_("Please keep this receipt."), width)
    if attempt.training:
        out.append(rule(width, "*"))
        out += centred(_("TRAINING — NOT A REFUND"), width, bold=True)
    return out
