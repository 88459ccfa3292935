"""What the refund screen says about a charge and an attempt, in plain words — no Qt, no HTTP
codes, no "gateway" or "Reconcile": the cashier's words are "Check now" and "the payment
service"."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QCoreApplication

from cashier_gui.journal import Attempt, Kind, State, reasons
from cashier_gui.money import Money, currency_digits
from cashier_gui.refunds import ChargeView
from cashier_gui.ui.widgets import QT_TRANSLATE_NOOP, local_time

EARLIER_SHOWN = 3  # attempts listed on the charge card (the totals count them all)

CHECK_TODO = QT_TRANSLATE_NOOP(
    "words",
    "What to do: do not refund this payment again. Press Check now (F5). If it still cannot "
    "tell, look the refund up on the terminal or the payment service's website, then press "
    "Resolve by hand.",
)

#: (card colour role, title, what it means / what to do)
RESULT_WORDS: dict[State, tuple[str, str, str]] = {
    State.APPROVED: (
        "approved",
        QT_TRANSLATE_NOOP("words", "Refund approved"),
        QT_TRANSLATE_NOOP("words", "The money goes back to the card."),
    ),
    State.DECLINED: (
        "declined",
        QT_TRANSLATE_NOOP("words", "Refund declined"),
        QT_TRANSLATE_NOOP(
            "words", "The card's bank declined it: nothing was refunded. Offer another way."
        ),
    ),
    State.PENDING: (
        "pending",
        QT_TRANSLATE_NOOP("words", "Refund pending"),
        QT_TRANSLATE_NOOP(
            "words", "It was accepted and will be confirmed later. It is in History."
        ),
    ),
    State.FAILED: (
        "declined",
        QT_TRANSLATE_NOOP("words", "Not refunded"),
        QT_TRANSLATE_NOOP("words", "The refund was refused: nothing was refunded."),
    ),
    State.UNKNOWN: (
        "unknown",
        QT_TRANSLATE_NOOP("words", "Outcome unknown — check before refunding again"),
        QT_TRANSLATE_NOOP("words", "The answer was lost on the way back."),
    ),
    State.PREPARED: (
        "unknown",
        QT_TRANSLATE_NOOP("words", "Being sent"),
        QT_TRANSLATE_NOOP("words", "Wait for its answer."),
    ),
    State.SENT: (
        "unknown",
        QT_TRANSLATE_NOOP("words", "Being sent"),
        QT_TRANSLATE_NOOP("words", "Wait for its answer."),
    ),
    State.NOT_SENT: (
        "declined",
        QT_TRANSLATE_NOOP("words", "Not sent — nothing refunded"),
        QT_TRANSLATE_NOOP(
            "words",
            "The request did not reach the payment service. Check the connection, then try again.",
        ),
    ),
    State.CANCELLED: (
        "declined",
        QT_TRANSLATE_NOOP("words", "Cancelled"),
        QT_TRANSLATE_NOOP("words", "Cancelled before it was sent: nothing was refunded."),
    ),
}

VOID_WORDS: dict[State, tuple[str, str]] = {
    State.APPROVED: (
        QT_TRANSLATE_NOOP("words", "Sale voided"),
        QT_TRANSLATE_NOOP("words", "The customer is never charged for this sale."),
    ),
    State.DECLINED: (
        QT_TRANSLATE_NOOP("words", "Void refused"),
        QT_TRANSLATE_NOOP("words", "Nothing was voided."),
    ),
    State.FAILED: (
        QT_TRANSLATE_NOOP("words", "Not voided"),
        QT_TRANSLATE_NOOP("words", "Nothing was voided."),
    ),
    State.NOT_SENT: (
        QT_TRANSLATE_NOOP("words", "Not sent — nothing voided"),
        QT_TRANSLATE_NOOP("words", "Check the connection, then try again."),
    ),
    State.CANCELLED: (
        QT_TRANSLATE_NOOP("words", "Cancelled"),
        QT_TRANSLATE_NOOP("words", "Cancelled before it was sent: nothing was voided."),
    ),
}

#: One line per attempt on the charge card: the settled outcome says what to do.
ATTEMPT_LINE: dict[State, str] = {
    State.APPROVED: QT_TRANSLATE_NOOP("words", "Approved — do not refund again"),
    State.PENDING: QT_TRANSLATE_NOOP("words", "Pending — do not refund again"),
    State.DECLINED: QT_TRANSLATE_NOOP("words", "Not made — you can refund"),
    State.FAILED: QT_TRANSLATE_NOOP("words", "Not made — you can refund"),
    State.NOT_SENT: QT_TRANSLATE_NOOP("words", "Not made — you can refund"),
    State.CANCELLED: QT_TRANSLATE_NOOP("words", "Not made — you can refund"),
    State.UNKNOWN: QT_TRANSLATE_NOOP("words", "No answer — press Check now (F5)"),
    State.PREPARED: QT_TRANSLATE_NOOP("words", "Being sent — wait"),
    State.SENT: QT_TRANSLATE_NOOP("words", "Being sent — wait"),
}


def settled_sale(attempt: Attempt) -> bool:
    """A void the back end refused because the sale has settled: refund it instead."""
    if attempt.kind is not Kind.VOID or attempt.state not in (State.FAILED, State.DECLINED):
        return False
    said = f"{attempt.error_code or ''} {reasons.why(attempt) or ''}".lower()
    return "settled" in said


# A refund the gateway lists (not made by this counter), by its status: the same words as
# this counter's own attempts (issue 26: "approved" here, "Approved — do not refund again"
# there, for one and the same kind of refund).
PAST_STATUS = {
    "approved": ATTEMPT_LINE[State.APPROVED],
    "declined": ATTEMPT_LINE[State.DECLINED],
    "pending": ATTEMPT_LINE[State.PENDING],
}

# A void's line: a voided sale is not "approved — do not refund again" but voided.
VOID_LINE: dict[State, str] = {
    State.APPROVED: QT_TRANSLATE_NOOP("words", "Voided — the customer is not charged"),
    State.PENDING: QT_TRANSLATE_NOOP("words", "Void pending — do not refund"),
}


def past_status(status: object) -> str:
    text = PAST_STATUS.get(str(status))
    return translations(text) if text else str(status)


def translations(text: str) -> str:
    """A text of the tables above, in the window's language."""
    return QCoreApplication.translate("words", text)


def result_words(attempt: Attempt, training: bool) -> tuple[str, str, str]:
    role, title, text = RESULT_WORDS[attempt.state]
    if attempt.kind is Kind.VOID and attempt.state in VOID_WORDS:
        title, text = VOID_WORDS[attempt.state]
    title, text = translations(title), translations(text)
    why = reasons.why(attempt)
    if attempt.state is State.UNKNOWN:
        text = f"{why or text}\n\n{translations(CHECK_TODO)}"
    elif attempt.state in (State.FAILED, State.NOT_SENT, State.DECLINED) and why:
        text = why
    if settled_sale(attempt):
        title = QCoreApplication.translate("words", "Already settled: refund it instead")
        text = QCoreApplication.translate(
            "words",
            "This sale is already settled, so it cannot be voided. Press Enter to refund it.",
        )
    if attempt.resolved_by:
        refunded = attempt.state is State.APPROVED
        title = (
            QCoreApplication.translate("words", "Refunded — checked by hand") if refunded else title
        )
        text = (
            QCoreApplication.translate(
                "words", "The money went back to the card, as checked by hand."
            )
            if refunded
            else QCoreApplication.translate(
                "words", "Not refunded, as checked by hand: this payment can be refunded again."
            )
        )
    if training:
        title = QCoreApplication.translate("words", "{title} (training)").format(title=title)
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
                f"• {fmt(r.amount)}  {past_status(r.status)}  {local_time(r.created_at)}  "
                f"{r.refund_id}"
            )
    for a in view.attempts:
        what = (
            QCoreApplication.translate("words", "void")
            if a.kind is Kind.VOID
            else (fmt(a.amount) if a.amount else QCoreApplication.translate("words", "full"))
        )
        table = VOID_LINE if a.kind is Kind.VOID and a.state in VOID_LINE else ATTEMPT_LINE
        words = translations(table[a.state]) if a.state in table else str(a.state)
        if a.resolved_by:
            words += " " + QCoreApplication.translate("words", "(checked by hand by {who})").format(
                who=a.resolved_by
            )
        where = f"  ({a.counter})" if a.counter and a.counter != view.counter else ""
        lines.append(f"• {what}  {words}  {local_time(a.created_at)}{where}")
    if not lines:
        return QCoreApplication.translate("words", "No earlier refunds.")
    if len(lines) > EARLIER_SHOWN:  # the newest; a long list would push the form off screen
        more = QCoreApplication.translate("words", "… {n} more before these").format(
            n=len(lines) - EARLIER_SHOWN
        )
        lines = [f"• {more}", *lines[-EARLIER_SHOWN:]]
    return QCoreApplication.translate("words", "Earlier refunds:") + "\n" + "\n".join(lines)


def known_refunded(view: ChargeView, fmt: Callable[[Money | None], str], currency: str) -> str:
    """No lookup (Poynt): what this counter itself refunded on the transaction."""
    done = [a for a in view.attempts if a.state in (State.APPROVED, State.PENDING)]
    if not done:
        return QCoreApplication.translate("words", "nothing, as far as this counter knows")
    if any(a.full_refund for a in done):
        return QCoreApplication.translate("words", "in full (by this counter)")
    total = sum(a.amount_minor or 0 for a in done)
    return QCoreApplication.translate("words", "{amount} (by this counter)").format(
        amount=fmt(Money(total, done[0].currency or currency))
    )


def amount_example(currency: str, locale: str | None = None) -> str:
    """A placeholder amount with the currency's own decimals, as the locale writes them: 1250
    for JPY, 12.500 for KWD; 12,50 in German."""
    from babel.numbers import format_decimal

    from cashier_gui.money import display_locale

    digits = currency_digits(currency)
    if digits == 0:
        return "1250"
    number = Decimal("12." + "5".ljust(digits, "0"))
    return str(format_decimal(number, format="0." + "0" * digits, locale=display_locale(locale)))
