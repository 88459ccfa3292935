"""What a refund is made of: reasons, the charge as the counter sees it, references, the
send control, and the refusals a cashier reads."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cashier_gui.gateways.base import (
    Charge,
    InvalidInput,
)
from cashier_gui.i18n import N_, _, ngettext
from cashier_gui.journal import (
    Attempt,
    Kind,
    State,
)
from cashier_gui.zones import shown

if TYPE_CHECKING:
    from cashier_gui.money import Money
    from cashier_gui.operators import Operator

#: Reason codes sent to the gateway, with what the cashier sees.
#: The labels are kept in English here (the table is built at import time): show them with
#: `reason_label(code)`, which translates.
REASONS: dict[str, str] = {
    "customer_request": N_("Customer request"),
    "defective_product": N_("Defective product"),
    "wrong_item": N_("Wrong item"),
    "duplicate_charge": N_("Duplicate charge"),
    "other": N_("Other"),
}
MAX_NOTE = 200
_REFERENCE_RE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RefundBlocked(InvalidInput):
    """A refund that the rules refuse before anything is sent (nothing was written).
    `blocking`: the attempt in the way, when it is one (another counter's, in a shop)."""

    def __init__(self, message: str, *, blocking: Attempt | None = None) -> None:
        super().__init__(message)
        self.blocking = blocking


class SignInRequired(RefundBlocked):
    """The shop server did not take the operator's sign-in for the claim (signed out, expired,
    made at another counter): nothing was sent; the window signs out so they sign in again."""


class ApprovalNeeded(RefundBlocked):
    """The shop's policy wants a manager's PIN for this one; `reasons` say why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(
            _("{reasons} Ask a manager to approve it with their PIN.").format(
                reasons=" ".join(reasons)
            )
        )
        self.reasons = reasons


class ApprovalMismatch(ApprovalNeeded):
    """The manager approved something else (another charge, kind, amount, currency or reason)
    than what is about to be sent: nothing was written or sent; a manager must approve again."""


@dataclass(frozen=True)
class Approval:
    """A manager's yes to exactly what the manager saw: this charge, this kind, this amount in
    this currency (None: the full amount the counter cannot know, Poynt), this reason. The
    service sends a refund on it only when the attempt it prepares is that one
    (`RefundService._approval`); anything else asks again."""

    manager: Operator
    charge_id: str
    kind: Kind
    amount: Money | None
    reason: str | None = None
    #: The manager's PIN as typed for this approval: a shop server checks it again in the
    #: claim (schema 9). Never kept, never shown.
    pin: str | None = field(default=None, repr=False)

    def differs(self, charge_id: str, kind: Kind, amount: Money | None, reason: str | None) -> bool:
        return (self.charge_id, self.kind, self.amount, self.reason) != (
            charge_id,
            kind,
            amount,
            reason,
        )


@dataclass(frozen=True)
class ChargeView:
    """What the counter knows about a charge: the gateway's view (None without lookup) and this
    counter's own attempts on it."""

    charge_id: str
    charge: Charge | None
    attempts: tuple[Attempt, ...]
    #: This counter's name; attempts of other counters (a shop) are said as theirs.
    counter: str | None = None

    @property
    def unresolved(self) -> tuple[Attempt, ...]:
        return tuple(a for a in self.attempts if not a.resolved)

    @property
    def elsewhere(self) -> tuple[Attempt, ...]:
        """Unresolved attempts another counter of the shop made."""
        return tuple(
            a for a in self.unresolved if a.counter is not None and a.counter != self.counter
        )

    def _elsewhere_reason(self) -> str | None:
        if not self.elsewhere:
            return None
        a = self.elsewhere[0]
        when = shown(dt.datetime.fromisoformat(a.created_at.replace("Z", "+00:00")))
        amount = a.amount.format() if a.amount is not None else _("the full amount")
        if a.state in (State.PREPARED, State.SENT):
            return _(
                "{counter} is refunding {amount} on this charge right now (since {time}). "
                "Wait for its answer, then look the charge up again."
            ).format(counter=a.counter, amount=amount, time=when.strftime("%H:%M"))
        return _(
            "{counter} refunded {amount} on this charge at {time} and its answer never came. "
            "Nothing can be sent here until it is settled: press Check now (F5) — a look-up "
            "settles it from any counter — or ask a manager to resolve it."
        ).format(counter=a.counter, amount=amount, time=when.strftime("%H:%M"))

    def void_blocked_reason(self) -> str | None:
        """None when the whole sale can be voided now; otherwise a sentence for the cashier."""
        if self.unresolved or any(
            a.kind is Kind.VOID and a.state is State.APPROVED for a in self.attempts
        ):
            return self.blocked_reason()
        if self.charge is not None:
            return self.charge.why_not_voidable()
        if any(a.state in (State.APPROVED, State.PENDING) for a in self.attempts):
            return _("This sale has refunds already: refund the rest instead of voiding.")
        return None

    def blocked_reason(self) -> str | None:
        elsewhere = self._elsewhere_reason()
        if elsewhere:
            return elsewhere
        if any(a.state in (State.PREPARED, State.SENT) for a in self.unresolved):
            return _(
                "A refund on this charge is being sent right now (in this or another window). "
                "Wait for its answer before refunding again."
            )
        if self.unresolved:
            n = len(self.unresolved)
            return ngettext(
                "{count} earlier refund on this charge has no answer yet. Check it (Check now, "
                "F5) before refunding again, so the customer is not refunded twice.",
                "{count} earlier refunds on this charge have no answer yet. Check them (Check "
                "now, F5) before refunding again, so the customer is not refunded twice.",
                n,
            ).format(count=n)
        if any(a.kind is Kind.VOID and a.state is State.APPROVED for a in self.attempts):
            return _("This sale was voided: the customer was never charged.")
        if self.charge is not None:
            return self.charge.why_not_refundable()
        done = [a for a in self.attempts if a.state in (State.APPROVED, State.PENDING)]
        if any(a.full_refund for a in done):
            return _("This counter has already refunded this payment in full.")
        return None


def make_reference(terminal: str, now: dt.datetime | None = None) -> str:
    """A transaction reference: `{terminal}-{UTC yymmddHHMMSS}-{6 random}`, ≤ 64 of [A-Za-z0-9._:-]."""
    now = now or dt.datetime.now(dt.UTC)
    safe = re.sub(r"[^A-Za-z0-9._:-]", "", terminal)[:24] or "POS"
    alphabet = string.ascii_uppercase + string.digits
    token = "".join(secrets.choice(alphabet) for _ in range(6))
    return f"{safe}-{now.astimezone(dt.UTC):%y%m%d%H%M%S}-{token}"


class SendControl:
    """Cancel a refund until it is sent. `cancel()` never blocks: it returns True when the
    refund will not be sent (the attempt ends `cancelled`), False when it is too late (the
    request is leaving or has left: the attempt is followed up as any other)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._decided = False

    def cancel(self) -> bool:
        with self._lock:
            if self._decided and not self._cancelled:
                return False
            self._cancelled = True
            return True

    @property
    def cancellable(self) -> bool:
        with self._lock:
            return not self._decided

    def decide(self) -> bool:
        """Called once, just before `sent` is written: True = cancelled, do not send."""
        with self._lock:
            self._decided = True
            return self._cancelled


def reason_label(code: str) -> str:
    """What the cashier sees for a reason code, in their language (the code when unknown)."""
    label = REASONS.get(code)
    return _(label) if label is not None else code


def parse_reason(text: str | None) -> str | None:
    if text is None:
        return None
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    if key not in REASONS:
        raise InvalidInput(
            _("Unknown reason “{reason}”: use one of {choices}.").format(
                reason=text, choices=", ".join(REASONS)
            )
        )
    return key
