"""What the journal holds: kinds and states of attempts (and which changes are allowed), the
attempt record, and the journal's errors."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cashier_gui.errors import UserFacing
from cashier_gui.journal.schema import _COLUMNS
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

    @property
    def amount(self) -> Money | None:
        if self.amount_minor is None or self.currency is None:
            return None
        return Money(self.amount_minor, self.currency)

    @property
    def resolved(self) -> bool:
        return self.state not in UNRESOLVED

    @classmethod
    def from_row(cls, row: sqlite3.Row | tuple[Any, ...]) -> Attempt:
        values = dict(zip(_COLUMNS, tuple(row), strict=True))
        values["state"] = State(values["state"])
        values["training"] = bool(values["training"])
        values["full_refund"] = bool(values["full_refund"])
        values["send_count"] = int(values["send_count"] or 0)
        values["kind"] = Kind(values["kind"])
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in _COLUMNS}
        out["state"] = str(self.state)
        out["kind"] = str(self.kind)
        return out


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
