"""Why an attempt ended as it did: the journal stores a *code* (and, from a back end, the
gateway's own text), never a sentence in the writer's language — counters of one shop may speak
different languages and share one history. `why(attempt)` makes the words at display time, in
the reader's language.

Rows written before codes (schema ≤ 5, or a gateway error's sentence) keep their stored text:
`why` shows it as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from cashier_gui.i18n import _
from cashier_gui.journal.model import Attempt, State

# The app's own reasons (error_code). A back end's code (e.g. "INSUFFICIENT_FUNDS") is stored as
# it came, with its own text beside it.
INTERRUPTED = "INTERRUPTED"  # the send was cut off inside this process (cancelled, closed)
STOPPED_SENDING = "APP_STOPPED_SENDING"  # recovery: its process died while it was sent
STOPPED_BEFORE = "APP_STOPPED_BEFORE_SEND"  # recovery: its process died before sending
CANCELLED = "CANCELLED"  # the cashier cancelled before it was sent
NOT_RECORDED = "SEND_NOT_RECORDED"  # the journal could not record `sent`: never sent
UNBOUND = "UNBOUND"  # an answer about another amount
REPLAYED = "REPLAYED"  # an answer naming another attempt's refund ID
VOID_SETTLED = "VOID_SETTLED"  # the sale settled without being voided
LOOKUP_SEVERAL = "LOOKUP_SEVERAL"  # the look-up shows several refunds with this reference
LOOKUP_AMOUNT = "LOOKUP_AMOUNT"  # … one with another amount (the amount is the detail)
LOOKUP_REPLAYED = "LOOKUP_REPLAYED"  # … one whose refund ID another attempt holds
BY_HAND = "BY_HAND"  # resolved by a person: who and why are in resolved_by/resolution
# A counter in a shop (the other counter's name is the detail):
SHOP_UNAVAILABLE = "SHOP_UNAVAILABLE"  # no claim from the shop server: never sent
CLAIM_OPEN = "CLAIM_OPEN"  # another counter has an attempt on the sale without a final answer
CLAIM_BUSY = "CLAIM_BUSY"  # another counter was claiming the sale at that very moment
CLAIM_OVER = "CLAIM_OVER"  # the shop's attempts leave less than this on the sale
CLAIM_POLICY = "CLAIM_POLICY"  # the shop server weighed it under its policy: a manager, or again
CLAIM_SIGN_IN = "CLAIM_SIGN_IN"  # the shop server did not take the operator's sign-in session


_WORDS: dict[str, Callable[[Attempt], str]] = {
    INTERRUPTED: lambda a: _("The refund was interrupted before its answer arrived."),
    STOPPED_SENDING: lambda a: _("The app stopped while this refund was being sent."),
    STOPPED_BEFORE: lambda a: _(
        "The app stopped before this refund was sent: nothing was refunded."
    ),
    CANCELLED: lambda a: _("Cancelled before it was sent: nothing was refunded."),
    NOT_RECORDED: lambda a: _("The journal could not record the send: nothing was sent."),
    UNBOUND: lambda a: _(
        "The answer is about another amount: it does not belong to this refund. "
        "Check it before refunding again."
    ),
    REPLAYED: lambda a: _(
        "The answer names a refund that belongs to another refund attempt: it is a replayed "
        "answer, not this refund's. Check this refund before refunding again."
    ),
    VOID_SETTLED: lambda a: _("The sale settled without being voided: refund it instead."),
    LOOKUP_SEVERAL: lambda a: _(
        "The gateway shows several refunds with this reference. Check it on the gateway's "
        "portal and resolve it by hand."
    ),
    LOOKUP_AMOUNT: lambda a: _(
        "The gateway shows a refund with this reference for {amount}, not this refund's "
        "amount. Check it on the gateway's portal and resolve it by hand."
    ).format(amount=a.error_message or "?"),
    LOOKUP_REPLAYED: lambda a: _(
        "The gateway shows this reference with a refund that belongs to another refund "
        "attempt. Check it on the gateway's portal and resolve it by hand."
    ),
    SHOP_UNAVAILABLE: lambda a: _(
        "The shop server could not be reached, so this was not sent: nothing was refunded."
    ),
    CLAIM_OPEN: lambda a: _(
        "{counter} has a refund on this sale without a final answer, so this was not sent."
    ).format(counter=a.error_message or _("Another counter")),
    CLAIM_BUSY: lambda a: _(
        "{counter} was refunding this sale at that moment, so this was not sent."
    ).format(counter=a.error_message or _("Another counter")),
    CLAIM_OVER: lambda a: _(
        "The shop's refunds leave less than this on the sale, so this was not sent."
    ),
    CLAIM_POLICY: lambda a: _(
        "The shop's policy needed a manager for this, or changed at that moment, so this was "
        "not sent."
    ),
    CLAIM_SIGN_IN: lambda a: _(
        "The shop server did not take this operator's sign-in (signed out, expired or made "
        "elsewhere), so this was not sent."
    ),
    BY_HAND: lambda a: (
        _("Refunded, checked by hand.")
        if a.state is State.APPROVED
        else _("Not refunded, checked by hand.")
    ),
}

#: Codes whose stored text is data for the words (not a sentence of its own).
_DETAIL_IS_DATA = frozenset({LOOKUP_AMOUNT, CLAIM_OPEN, CLAIM_BUSY})


def why(attempt: Attempt) -> str | None:
    """What to tell a person about how `attempt` ended, in the current language; None when
    there is nothing to say. A row from before codes kept its sentence: that is shown."""
    words = _WORDS.get(attempt.error_code or "")
    if words is not None and (attempt.error_code in _DETAIL_IS_DATA or not attempt.error_message):
        return words(attempt)
    return attempt.error_message or None
