"""What a training receipt practises, as the training screen lists it — one wording for both
simulators (Viopay charges and Poynt transactions), in the app's language."""

from __future__ import annotations

from typing import Protocol

from cashier_gui.i18n import N_, _
from cashier_gui.money import Money

#: A practice receipt's failure (its first refund request; "slow" every time).
PRACTICE = {
    "error500": N_("practises a server or terminal error: nothing refunded; press F5 (Check now)"),
    "drop_after_commit": N_("practises a lost answer: then press F5 (Check now)"),
    "slow": N_("practises a slow answer: watch the countdown, wait for it"),
}
SLOW_ANSWER_S = 4.0  # a slow answer, still well inside the training client's deadline


def describe_sale(
    total: Money,
    refunded: Money,
    *,
    payment_status: str = "approved",
    unsettled: bool = False,
    practice: str | None = None,
    outcome: str = "approved",
    voided: bool = False,
    locale: str | None = None,
) -> str:
    """One line for the training screen: the sale's amount and what practising with it shows.
    `outcome`: what a refund of it answers (approved, declined, pending). Amounts as the
    cashier's `locale` writes them ("49,90 €" in German), like every other amount."""
    amount, gone = total.format(locale), refunded.format(locale)
    if voided:
        return _("{total} — voided").format(total=amount)
    if payment_status != "approved":
        return _("{total} — payment {status}: practises a charge that cannot be refunded").format(
            total=amount, status=payment_status
        )
    if practice is not None:
        return f"{amount} — {_(PRACTICE[practice])}"
    if unsettled and not refunded.minor:
        return _("{total} — practises a void: today's sale, not settled yet").format(total=amount)
    if refunded.minor >= total.minor:
        return _("{total} — already fully refunded: practises saying no").format(total=amount)
    notes = {
        "declined": N_("practises a declined refund (the card's bank says no)"),
        "pending": N_("practises a pending refund (confirmed later)"),
    }
    text = (
        _("{total}, {refunded} refunded").format(total=amount, refunded=gone)
        if refunded.minor
        else amount
    )
    note = notes.get(outcome)
    return f"{text} — {_(note)}" if note else text


class Practised(Protocol):
    practice: str | None
    practised: bool


def take_practice(sale: Practised) -> str | None:
    """A practice receipt's failure for this request: once (the re-send then works), or
    always when slow."""
    if sale.practice == "slow":
        return "slow"
    if sale.practice is None or sale.practised:
        return None
    sale.practised = True
    return sale.practice
