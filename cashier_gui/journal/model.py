"""What the journal holds, whichever home keeps it: kinds and states of attempts (and which
changes are allowed), the attempt record, the new-attempt record, timestamps, and the journal's
errors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from cashier_gui.errors import UserFacing
from cashier_gui.money import Money
from cashier_gui.safetext import printable


class Kind(StrEnum):
    REFUND = "refund"
    VOID = "void"  # cancels the whole sale before settlement; `approved` = voided


class State(StrEnum):
    PREPARED = "prepared"  # durable, not sent yet
    SENT = "sent"  # its request may have left: in flight (owner) or abandoned (recovery)
    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"
    FAILED = "failed"  # the server refused it: not applied
    UNKNOWN = "unknown"  # sent, no trustworthy answer: blocks the charge until settled
    CANCELLED = "cancelled"  # the cashier cancelled it before it was sent
    NOT_SENT = "not_sent"  # nothing reached the server


FINAL = frozenset({State.APPROVED, State.DECLINED, State.FAILED, State.CANCELLED, State.NOT_SENT})
UNRESOLVED = frozenset({State.PREPARED, State.SENT, State.UNKNOWN})
IN_FLIGHT = frozenset({State.PREPARED, State.SENT})
_OUTCOMES = {State.APPROVED, State.DECLINED, State.PENDING, State.FAILED}
_ALLOWED = {
    # PREPARED → UNKNOWN only for rows of schema 2, whose `prepared` meant "may have been sent".
    State.PREPARED: {State.SENT, State.CANCELLED, State.NOT_SENT, State.UNKNOWN},
    State.SENT: {*_OUTCOMES, State.UNKNOWN, State.NOT_SENT},
    State.UNKNOWN: {*_OUTCOMES, State.UNKNOWN, State.SENT},
    State.PENDING: {State.APPROVED, State.DECLINED, State.PENDING},
}

MAX_TEXT = 500  # characters of a server's message or trace ID kept


class JournalError(UserFacing):
    """The journal cannot do what was asked; `str()` is a sentence for the cashier."""


class JournalBusy(JournalError):
    """Another process held the journal past the busy timeout; nothing was written."""


class StateChanged(JournalError):
    """Compare-and-set failed: another process (or task) changed the attempt first."""


class ChargeBusy(JournalError):
    """`prepare` refused: this charge has an attempt without a final answer."""


class NeedsManager(ChargeBusy):
    """`prepare` refused: the journal's home wants a manager's approval for this one (a shop
    server counting `refunds_per_day` over every counter); `str()` says why."""


class SignInNeeded(ChargeBusy):
    """`prepare` refused: the journal's home (a shop server) did not take the operator's
    sign-in session — ended, expired, made elsewhere; `str()` says so. Sign in again."""


class RefundIdTaken(JournalError):
    """An answer names a refund ID this journal holds for another attempt: a replayed answer."""


@dataclass(frozen=True)
class Attempt:
    id: int
    provider: str
    terminal: str
    charge_id: str
    amount_minor: int | None
    currency: str | None
    reason: str | None
    note: str | None
    transaction_reference: str
    idempotency_key: str
    operator: str
    training: bool
    state: State
    refund_id: str | None
    error_code: str | None
    error_message: str | None
    trace_id: str | None
    created_at: str
    updated_at: str
    full_refund: bool = False
    kind: Kind = Kind.REFUND
    approver: str | None = None  # the manager who approved it (policy), when one had to
    owner: str | None = None
    send_count: int = 0
    resolved_by: str | None = None
    resolution: str | None = None
    card_brand: str | None = None  # e.g. "VISA", as the back end names it
    card_last4: str | None = None  # four digits, or None
    counter: str | None = None  # the counter that made it (None: this PC, before schema 6)
    endpoint: str | None = None  # where its request went (the back end's address; schema 8)
    policy: str | None = None  # fingerprint of the guarded settings it was made under (doors.py)

    @property
    def key(self) -> str:
        """The attempt's global ID, the same in every home and on the wire: its idempotency key
        (Viopay's Idempotency-Key, Poynt's poyntRequestId). `id` is only a home's row number,
        for people to read out."""
        return self.idempotency_key

    @property
    def amount(self) -> Money | None:
        if self.amount_minor is None or self.currency is None:
            return None
        return Money(self.amount_minor, self.currency)

    @property
    def resolved(self) -> bool:
        return self.state not in UNRESOLVED

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Attempt:
        """From a row of COLUMNS (any home's storage returns them in this order)."""
        values = dict(zip(COLUMNS, tuple(row), strict=True))
        values["state"] = State(values["state"])
        values["training"] = bool(values["training"])
        values["full_refund"] = bool(values["full_refund"])
        values["send_count"] = int(values["send_count"] or 0)
        values["kind"] = Kind(values["kind"])
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in COLUMNS}
        out["state"] = str(self.state)
        out["kind"] = str(self.kind)
        return out


#: The attempt's fields in their stored order (every home keeps these).
COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Attempt))


@dataclass(frozen=True)
class NewAttempt:
    """Everything a new attempt is made of, before any home has stored it — what `prepare`
    records, and what an outbox carries to another home. `key` is its global ID (the
    idempotency key); `amount` None is a full refund of an amount the back end knows."""

    provider: str
    terminal: str
    charge_id: str
    amount: Money | None
    reason: str | None
    note: str | None
    transaction_reference: str
    key: str
    operator: str
    kind: Kind = Kind.REFUND
    full_refund: bool = False
    training: bool = False
    approver: str | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    #: The sale's amount from a look-up, when there was one: a shop's server refuses what
    #: would over-refund it across all counters. Not kept by this PC's file.
    charge_total: Money | None = None
    #: Where the request goes (the back end's address) and the fingerprint of the guarded
    #: settings (policy, endpoint, shop) it is made under: an audit names a refund sent
    #: elsewhere, or under settings no manager saved.
    endpoint: str | None = None
    policy: str | None = None
    #: The shop policy's version a cashier going alone was weighed under (None: not held to
    #: it, or no shop): the shop server counts again as it claims. Not kept by this PC's file.
    policy_version: int | None = None
    #: The approver's PIN, for a shop server to check in the claim. Never kept, never shown.
    approver_pin: str | None = field(default=None, repr=False)
    #: The operator's sign-in session at a shop (`Operator.session`): the shop server takes
    #: who refunds from it at the claim. Never kept, never shown.
    session: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def stamp(moment: dt.datetime) -> str:
    """The journal's one timestamp format: UTC, microseconds, `Z` (sorts as text). A naive
    `moment` is taken as local time."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utcnow() -> str:
    return stamp(dt.datetime.now(dt.UTC))


def _cap(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return printable(text, limit)


def card_fields(brand: str | None, last4: str | None) -> tuple[str | None, str | None]:
    """What the journal keeps of a card: the brand as printable text (at most 20 characters)
    and the last four digits only when they are exactly four ASCII digits."""
    kept_brand = printable(brand, 20) if brand and brand.strip() else None
    kept_last4 = (
        last4 if last4 and len(last4) == 4 and last4.isascii() and last4.isdigit() else None
    )
    return kept_brand, kept_last4
