"""The shop server's values: what a counter claims, and what the server holds about an attempt.

States and kinds use the same words as the local journal (`cashier_gui.journal.State`, `Kind`)
so a home can map one to the other by value; the shop package does not import the journal (the
journal's shop home will import this package, not the other way round).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from cashier_gui.money import MAX_MINOR_UNITS, Money, MoneyError, check_currency
from cashier_gui.shop.errors import ShopInputError


class Kind(StrEnum):
    REFUND = "refund"
    VOID = "void"


class State(StrEnum):
    PREPARED = "prepared"
    SENT = "sent"
    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"
    FAILED = "failed"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"
    NOT_SENT = "not_sent"


#: At most one attempt per charge in these states, shop-wide (a partial unique index).
OPEN = frozenset({State.PREPARED, State.SENT, State.UNKNOWN})
#: What counts against a charge's total: approved, maybe approved later, or maybe applied.
COUNTED = frozenset({State.APPROVED, State.PENDING, *OPEN})

#: Where an attempt may go from where it is (a repeat of the same state is ignored, not here).
#: `prepared` may become `sent` only through mark_sent; a counter sends only after mark_sent
#: returned, which is what makes "prepared past its lease → cancelled" safe.
TRANSITIONS: dict[State, frozenset[State]] = {
    State.PREPARED: frozenset({State.SENT, State.CANCELLED, State.NOT_SENT}),
    State.SENT: frozenset(
        {State.APPROVED, State.DECLINED, State.PENDING, State.FAILED, State.UNKNOWN, State.NOT_SENT}
    ),
    State.UNKNOWN: frozenset(
        {State.APPROVED, State.DECLINED, State.PENDING, State.FAILED, State.NOT_SENT}
    ),
    State.PENDING: frozenset({State.APPROVED, State.DECLINED, State.FAILED}),
    State.APPROVED: frozenset(),
    State.DECLINED: frozenset(),
    State.FAILED: frozenset(),
    State.CANCELLED: frozenset(),
    State.NOT_SENT: frozenset(),
}
#: Outcomes a counter may record (record_outcome); `sent` goes through mark_sent.
OUTCOMES = frozenset(State) - {State.PREPARED, State.SENT}

_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,100}")
MAX_CHARGE_ID = 200
MAX_TEXT = 2000


def canonical_global_id(value: str) -> str:
    """The attempt's idempotency key as the server stores it: a UUID, lower case, with dashes."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ShopInputError(f"{value!r:.60} is not an attempt's global ID (a UUID).") from None


def check_name(what: str, value: str) -> str:
    """A counter, operator or provider name: 1-100 printable characters."""
    if not isinstance(value, str) or not _NAME.fullmatch(value) or not value.strip():
        raise ShopInputError(f"The {what} name must be 1 to 100 printable characters.")
    return value


def check_charge_id(value: str) -> str:
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > MAX_CHARGE_ID
        or re.search(r"[\x00-\x1f\x7f]", value)
    ):
        raise ShopInputError(
            f"A charge ID must be 1 to {MAX_CHARGE_ID} printable characters; nothing was written."
        )
    return value


def check_text(value: str | None, *, limit: int = 0, what: str = "") -> str | None:
    """A text without NUL. With `limit`, longer is refused (IDs are never cut); without, a
    gateway's text is cut to MAX_TEXT characters."""
    if value is None:
        return None
    if not isinstance(value, str) or "\x00" in value:
        raise ShopInputError("Texts for the shop server must be strings without NUL characters.")
    if limit and len(value) > limit:
        raise ShopInputError(f"A {what} has at most {limit} characters.")
    return value[:MAX_TEXT]


def money_or_none(minor: int | None, currency: str | None) -> Money | None:
    if minor is None or currency is None:
        return None
    return Money(minor, currency)


def check_money(what: str, value: Money | None) -> Money | None:
    if value is None:
        return None
    if not isinstance(value, Money):
        raise ShopInputError(f"The {what} must be a Money (minor units and currency).")
    if not 0 < value.minor <= MAX_MINOR_UNITS:
        raise ShopInputError(f"The {what} must be more than zero and at most {MAX_MINOR_UNITS}.")
    return value


def _short(value: str | None, limit: int) -> str | None:
    """Printable text of at most `limit` characters, or None; ShopInputError when longer."""
    if value is None or not value.strip():
        return None
    if len(value) > limit or not value.isprintable():
        raise ShopInputError(f"A description of the attempt is unusable: {value[:40]!r}.")
    return value


@dataclass(frozen=True)
class AttemptRecord:
    """What a counter claims. `amount` None is a full refund (or a void) of an amount not known
    yet; `currency` then names the charge's currency when known. `charge_total` is the charge's
    amount from a gateway look-up, when there was one: the server then refuses over-refunds."""

    global_id: str
    charge_id: str
    kind: Kind
    provider: str
    amount: Money | None
    operator: str | None = None
    approver: str | None = None
    charge_total: Money | None = None
    currency: str | None = None
    # What people read of it at other counters (schema 4), written once with the claim:
    terminal: str | None = None
    transaction_reference: str | None = None
    reason: str | None = None
    full_refund: bool = False
    card_brand: str | None = None
    card_last4: str | None = None
    #: The shop policy's version the counter weighed this under, when the operator is held to
    #: it alone (a cashier without an approver): the server then counts `refunds_per_day` over
    #: every counter and refuses a claim made under an older policy (schema 7).
    policy_version: int | None = None
    #: The approver's PIN, for the server to check in the claim (schema 9); never stored,
    #: never shown.
    approver_pin: str | None = field(default=None, repr=False)
    #: The operator's sign-in session (schema 10): the token `ShopPeople.sign_in` returned.
    #: In a shop with people the server takes the operator from it, never from `operator`.
    #: Kept in memory only; never stored, never shown.
    session: str | None = field(default=None, repr=False)

    def checked(self) -> AttemptRecord:
        """A copy with every field checked and the global ID canonical; ShopInputError else."""
        try:
            kind = Kind(self.kind)
        except ValueError:
            raise ShopInputError(f"{self.kind!r:.40} is not refund or void.") from None
        amount = check_money("amount", self.amount)
        total = check_money("charge total", self.charge_total)
        currency = self.currency
        if currency is not None:
            try:
                currency = check_currency(currency)
            except MoneyError as exc:
                raise ShopInputError(str(exc)) from None
        currencies = {m.currency for m in (amount, total) if m is not None}
        if currency is not None:
            currencies.add(currency)
        if len(currencies) > 1:
            raise ShopInputError(
                "The amount, the charge's total and the currency must be in one currency."
            )
        return AttemptRecord(
            global_id=canonical_global_id(self.global_id),
            charge_id=check_charge_id(self.charge_id),
            kind=kind,
            provider=check_name("provider", self.provider),
            amount=amount,
            operator=None if self.operator is None else check_name("operator", self.operator),
            approver=None if self.approver is None else check_name("approver", self.approver),
            charge_total=total,
            currency=next(iter(currencies), None),
            terminal=_short(self.terminal, 200),
            transaction_reference=_short(self.transaction_reference, 64),
            reason=_short(self.reason, 64),
            full_refund=bool(self.full_refund),
            card_brand=_short(self.card_brand, 40),
            card_last4=(
                self.card_last4
                if self.card_last4
                and len(self.card_last4) == 4
                and self.card_last4.isdigit()
                and self.card_last4.isascii()
                else None
            ),
            policy_version=_version(self.policy_version),
            approver_pin=self.approver_pin if self.approver is not None else None,
            session=self.session,
        )


def _version(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ShopInputError("A policy version is a whole number, 0 or more.")
    return value


@dataclass(frozen=True)
class ShopPolicyRow:
    """The shop's policy as the server keeps it (schema 7): `policy` in the shape of
    `Policy.to_toml()`, its `version` (0: never set), and who changed it last, where, when."""

    policy: dict[str, Any]
    version: int
    changed_by: str | None
    changed_at: datetime | None
    counter: str | None


@dataclass(frozen=True)
class PolicyChange:
    """The server's answer to `shop_set_policy`: `answer` is the manager check's status row
    (status, person, role, locked_until, left_tries, lock_minutes — as the people functions
    give it, plus "no_people"), `version` the new version when the status is "ok"."""

    answer: tuple[Any, ...]
    version: int | None

    @property
    def status(self) -> str:
        return str(self.answer[0])


@dataclass(frozen=True)
class ShopAttempt:
    """One attempt as the shop server holds it."""

    global_id: str
    counter: str
    charge_id: str
    kind: Kind
    provider: str
    amount: Money | None
    currency: str | None
    state: State
    refund_id: str | None
    error_code: str | None
    gateway_text: str | None
    operator: str | None
    approver: str | None
    created_at: datetime
    updated_at: datetime
    lease_until: datetime | None
    terminal: str | None = None
    transaction_reference: str | None = None
    reason: str | None = None
    full_refund: bool = False
    card_brand: str | None = None
    card_last4: str | None = None

    @property
    def open(self) -> bool:
        return self.state in OPEN


@dataclass(frozen=True)
class Claimed:
    """The answer to `claim`: the attempt as stored; `repeat` when this global ID had been
    claimed before (then `attempt.state` may be anything: the caller decides from it)."""

    attempt: ShopAttempt
    repeat: bool


@dataclass(frozen=True)
class Expired:
    """One attempt `expire_leases` moved: `sent` → `unknown` or `prepared` → `cancelled`."""

    global_id: str
    charge_id: str
    counter: str
    before: State
    after: State


@dataclass(frozen=True)
class Health:
    """The shop server as `doctor` sees it."""

    version: int
    encrypted: bool
    clock_skew_s: float  # server minus this PC, in seconds (a duration, not money)
    may_claim: bool
    #: Rights this counter's login has and a counter must not (a superuser, the owner of the
    #: shop's tables or a member of its role, a login that may read the PIN hashes or write
    #: history itself): ("superuser", "owner", "pin_hashes", "writes_history"), empty when none.
    too_mighty: tuple[str, ...] = ()


@dataclass(frozen=True)
class CounterInfo:
    """A counter the shop server has heard from: when last (claim or heartbeat), its lease."""

    name: str
    first_seen: datetime
    last_seen: datetime
    lease_seconds: int


@dataclass(frozen=True)
class Imported:
    """What `import_attempts` did with one attempt: `added`, or already held — by `counter`
    (this one, or another when the PC was in the shop under another name), in `state`."""

    added: bool
    counter: str
    state: str
