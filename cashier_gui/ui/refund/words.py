"""What the refund screen says about a charge and an attempt, in plain words — no Qt, no HTTP
codes, no "gateway" or "Reconcile": the cashier's words are "Check now" and "the payment
service"."""

from __future__ import annotations

from collections.abc import Callable

from cashier_gui.journal import Attempt, Kind, State
from cashier_gui.money import Money, currency_digits
from cashier_gui.refunds import ChargeView
from cashier_gui.ui.widgets import local_time

EARLIER_SHOWN = 3  # attempts listed on the charge card (the totals count them all)

CHECK_TODO = (
    "What to do: do not refund this payment again. Press Check now (F5). If it still cannot "
    "tell, look the refund up on the terminal or the payment service's website, then press "
    "Resolve by hand."
)

#: (card colour role, title, what it means / what to do)
RESULT_WORDS: dict[State, tuple[str, str, str]] = {
    State.APPROVED: ("approved", "Refund approved", "The money goes back to the card."),
    State.DECLINED: (
        "declined",
        "Refund declined",
        "The card's bank declined it: nothing was refunded. Offer another way.",
    ),
    State.PENDING: (
        "pending",
        "Refund pending",
        "It was accepted and will be confirmed later. It is in History.",
    ),
    State.FAILED: ("declined", "Not refunded", "The refund was refused: nothing was refunded."),
    State.UNKNOWN: (
        "unknown",
        "Outcome unknown — check before refunding again",
        "The answer was lost on the way back.",
    ),
    State.PREPARED: ("unknown", "Being sent", "Wait for its answer."),
    State.SENT: ("unknown", "Being sent", "Wait for its answer."),
    State.NOT_SENT: (
        "declined",
        "Not sent — nothing refunded",
        "The request did not reach the payment service. Check the connection, then try again.",
    ),
    State.CANCELLED: (
        "declined",
        "Cancelled",
        "Cancelled before it was sent: nothing was refunded.",
    ),
}

VOID_WORDS: dict[State, tuple[str, str]] = {
    State.APPROVED: ("Sale voided", "The customer is never charged for this sale."),
    State.DECLINED: ("Void refused", "Nothing was voided."),
    State.FAILED: ("Not voided", "Nothing was voided."),
    State.NOT_SENT: ("Not sent — nothing voided", "Check the connection, then try again."),
    State.CANCELLED: ("Cancelled", "Cancelled before it was sent: nothing was voided."),
}

#: One line per attempt on the charge card: the settled outcome says what to do.
ATTEMPT_LINE: dict[State, str] = {
    State.APPROVED: "Approved — do not refund again",
    State.PENDING: "Pending — do not refund again",
    State.DECLINED: "Not made — you can refund",
    State.FAILED: "Not made — you can refund",
    State.NOT_SENT: "Not made — you can refund",
    State.CANCELLED: "Not made — you can refund",
    State.UNKNOWN: "No answer — press Check now (F5)",
    State.PREPARED: "Being sent — wait",
    State.SENT: "Being sent — wait",
}


def settled_sale(attempt: Attempt) -> bool:
    """A void the back end refused because the sale has settled: refund it instead."""
    if attempt.kind is not Kind.VOID or attempt.state not in (State.FAILED, State.DECLINED):
        return False
    said = f"{attempt.error_code or ''} {attempt.error_message or ''}".lower()
    return "settled" in said


def result_words(attempt: Attempt, training: bool) -> tuple[str, str, str]:
    role, title, text = RESULT_WORDS[attempt.state]
    if attempt.kind is Kind.VOID and attempt.state in VOID_WORDS:
        title, text = VOID_WORDS[attempt.state]
    if attempt.state is State.UNKNOWN:
        text = f"{attempt.error_message or text}\n\n{CHECK_TODO}"
    elif attempt.state in (State.FAILED, State.NOT_SENT, State.DECLINED) and attempt.error_message:
        text = attempt.error_message
    if settled_sale(attempt):
        title = "Already settled: refund it instead"
        text = "This sale is already settled, so it cannot be voided. Press Enter to refund it."
    if attempt.resolved_by:
        refunded = attempt.state is State.APPROVED
        title = "Refunded — checked by hand" if refunded else title
        text = (
            "The money went back to the card, as checked by hand."
            if refunded
            else "Not refunded, as checked by hand: this payment can be refunded again."
        )
    if training:
        title = f"{title} (training)"
    return role, title, text


def attempt_lines(view: ChargeView, fmt: Callable[[Money | None], str]) -> str:
    """One line per refund: this counter's attempts with their settled outcome, then the
    gateway's refunds no attempt of this counter accounts for (matched by refund ID or
    reference, so an attempt and its own refund are one line)."""
    lines: list[str] = []
    mine_ids = {a.refund_id for a in view.attempts if a.refund_id}
    mine_refs = {a.transaction_reference for a in view.attempts}
    if view.charge is not None:
        for r in view.charge.refunds:
            if r.refund_id in mine_ids or (r.transaction_reference or "") in mine_refs:
                continue
            lines.append(
                f"• {fmt(r.amount)}  {r.status}  {local_time(r.created_at)}  {r.refund_id}"
            )
    for a in view.attempts:
        what = "void" if a.kind is Kind.VOID else (fmt(a.amount) if a.amount else "full")
        words = ATTEMPT_LINE.get(a.state, str(a.state))
        if a.resolved_by:
            words += f" (checked by hand by {a.resolved_by})"
        lines.append(f"• {what}  {words}  {local_time(a.created_at)}")
    if not lines:
        return "No earlier refunds."
    if len(lines) > EARLIER_SHOWN:  # the newest; a long list would push the form off screen
        lines = [f"• … {len(lines) - EARLIER_SHOWN} more before these", *lines[-EARLIER_SHOWN:]]
    return "Earlier refunds:\n" + "\n".join(lines)


def known_refunded(view: ChargeView, fmt: Callable[[Money | None], str], currency: str) -> str:
    """No lookup (Poynt): what this counter itself refunded on the transaction."""
    done = [a for a in view.attempts if a.state in (State.APPROVED, State.PENDING)]
    if not done:
        return "nothing, as far as this counter knows"
    if any(a.full_refund for a in done):
        return "in full (by this counter)"
    total = sum(a.amount_minor or 0 for a in done)
    return f"{fmt(Money(total, done[0].currency or currency))} (by this counter)"


def amount_example(currency: str) -> str:
    """A placeholder amount with the currency's own decimals: 1250 for JPY, 12.500 for KWD."""
    digits = currency_digits(currency)
    return "1250" if digits == 0 else "12." + "5".ljust(digits, "0")
