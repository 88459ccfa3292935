"""The Viopay simulator's charges: refunds and sales as it keeps them, the training set (with
practice receipts and what each practises), charges loaded from a file, and planned faults."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from cashier_gui.money import Money, MoneyError
from cashier_gui.simulators.names import FAULT_KINDS
from cashier_gui.simulators.practice import PRACTICE, describe_sale

#: RFC 3339 date-time (section 5.6): `Z` or a numeric offset, optional fractions of a second,
#: `T`/`Z` in either case. Leap seconds (`:60`) are not accepted.
_TS_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


@dataclass
class SimRefund:
    refund_id: str
    status: str
    amount: Money
    reason: str | None
    transaction_reference: str | None
    created_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "refund_id": self.refund_id,
            "status": self.status,
            "amount": self.amount.to_wire(),
            "created_at": _rfc3339(self.created_at),
        }
        if self.reason is not None:
            out["reason"] = self.reason
        if self.transaction_reference is not None:
            out["transaction_reference"] = self.transaction_reference
        return out


@dataclass
class SimCharge:
    charge_id: str
    status: str
    amount: Money
    created_at: str
    card: dict[str, str] | None = None
    refunds: list[SimRefund] = field(default_factory=list)
    #: How this charge's issuer answers refunds: approved, declined or pending.
    refund_outcome: str = "approved"
    #: False until the acquirer's batch for its day closes: until then it can be voided.
    settled: bool = True
    cancelled_at: dt.datetime | None = None
    #: Training: a failure this receipt practises (see PRACTICE), on its first refund request
    #: ("slow": on every one); the re-send that Check now (F5) makes then goes through.
    practice: str | None = None
    practised: bool = False

    @property
    def refunded(self) -> Money:
        total = sum(r.amount.minor for r in self.refunds if r.status in ("approved", "pending"))
        return Money(total, self.amount.currency)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "charge_id": self.charge_id,
            "status": self.status,
            "amount": self.amount.to_wire(),
            "refunded_amount": self.refunded.to_wire(),
            "created_at": self.created_at,
            "refunds": [r.to_json() for r in self.refunds],
            "settled": self.settled,
        }
        if self.card:
            out["card"] = self.card
        return out

    def void_answer(self) -> dict[str, Any]:
        assert self.cancelled_at is not None
        return {
            "charge_id": self.charge_id,
            "status": "cancelled",
            "amount": self.amount.to_wire(),
            "cancelled_at": _rfc3339(self.cancelled_at),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SimCharge:
        """A charge in the lookup schema (refunds optional); `refunded_amount` without refunds
        becomes one earlier approved refund of that amount."""
        amount = Money.from_wire(data["amount"]["value"], data["amount"]["currency"])
        charge = cls(
            charge_id=str(data["charge_id"]),
            status=str(data.get("status", "approved")),
            amount=amount,
            created_at=str(data.get("created_at") or _rfc3339(dt.datetime.now(dt.UTC))),
            card=data.get("card"),
            refund_outcome=str(data.get("sim_refund_outcome", "approved")),
            settled=data.get("settled", True) is not False,
            practice=data.get("sim_practice"),
        )
        if charge.practice is not None and charge.practice not in PRACTICE:
            raise ValueError(f"unknown practice {charge.practice!r}: one of {', '.join(PRACTICE)}")
        if charge.status not in ("approved", "declined", "pending", "cancelled", "reversed"):
            raise ValueError(f"charge {charge.charge_id}: unknown status {charge.status!r}")
        for r in data.get("refunds") or []:
            charge.refunds.append(
                SimRefund(
                    refund_id=str(r["refund_id"]),
                    status=str(r["status"]),
                    amount=Money.from_wire(r["amount"]["value"], r["amount"]["currency"]),
                    reason=r.get("reason"),
                    transaction_reference=r.get("transaction_reference"),
                    created_at=_parse_ts(r.get("created_at")) or dt.datetime.now(dt.UTC),
                )
            )
        refunded = data.get("refunded_amount")
        if refunded and not charge.refunds and int(refunded["value"]) > 0:
            charge.refunds.append(
                SimRefund(
                    refund_id="rf_" + secrets.token_hex(6),
                    status="approved",
                    amount=Money.from_wire(refunded["value"], refunded["currency"]),
                    reason="customer_request",
                    transaction_reference=None,
                    # As old as the sale: it was made before this simulator's session began.
                    created_at=_parse_ts(charge.created_at) or dt.datetime.now(dt.UTC),
                )
            )
        return charge


def training_charges() -> list[SimCharge]:
    """The built-in set a new cashier practises with (IDs printed on the training screen)."""
    day = "2026-11-21T"
    specs: list[dict[str, Any]] = [
        {
            "charge_id": "ch_train_eur_4990",
            "amount": {"value": "4990", "currency": "EUR"},
            "created_at": day + "09:12:44Z",
            "card": {"brand": "VISA", "last4": "4242"},
        },
        {
            "charge_id": "ch_train_eur_partly",
            "amount": {"value": "12000", "currency": "EUR"},
            "refunded_amount": {"value": "3000", "currency": "EUR"},
            "created_at": day + "10:03:10Z",
            "card": {"brand": "MASTERCARD", "last4": "5100"},
        },
        {
            "charge_id": "ch_train_jpy_12800",
            "amount": {"value": "12800", "currency": "JPY"},
            "created_at": day + "11:30:00Z",
            "card": {"brand": "JCB", "last4": "0005"},
        },
        {
            "charge_id": "ch_train_kwd_12345",
            "amount": {"value": "12345", "currency": "KWD"},
            "created_at": day + "12:45:19Z",
            "card": {"brand": "VISA", "last4": "1881"},
        },
        {
            "charge_id": "ch_train_eur_today_2450",
            "amount": {"value": "2450", "currency": "EUR"},
            "created_at": "2026-11-22T08:41:07Z",
            "card": {"brand": "VISA", "last4": "1111"},
            "settled": False,
        },
        {
            "charge_id": "ch_train_usd_issuer_declines",
            "amount": {"value": "2599", "currency": "USD"},
            "created_at": day + "13:02:51Z",
            "card": {"brand": "AMEX", "last4": "0005"},
            "sim_refund_outcome": "declined",
        },
        {
            "charge_id": "ch_train_gbp_refund_pending",
            "amount": {"value": "8500", "currency": "GBP"},
            "created_at": day + "13:40:02Z",
            "card": {"brand": "VISA", "last4": "0077"},
            "sim_refund_outcome": "pending",
        },
        {
            "charge_id": "ch_train_server_error",
            "amount": {"value": "1999", "currency": "EUR"},
            "created_at": day + "13:50:00Z",
            "card": {"brand": "VISA", "last4": "0101"},
            "sim_practice": "error500",
        },
        {
            "charge_id": "ch_train_lost_answer",
            "amount": {"value": "3450", "currency": "EUR"},
            "created_at": day + "13:55:00Z",
            "card": {"brand": "MASTERCARD", "last4": "0202"},
            "sim_practice": "drop_after_commit",
        },
        {
            "charge_id": "ch_train_slow_answer",
            "amount": {"value": "1200", "currency": "EUR"},
            "created_at": day + "13:58:00Z",
            "card": {"brand": "VISA", "last4": "0303"},
            "sim_practice": "slow",
        },
        {
            "charge_id": "ch_train_declined",
            "status": "declined",
            "amount": {"value": "1500", "currency": "EUR"},
            "created_at": day + "14:10:09Z",
            "card": {"brand": "VISA", "last4": "0002"},
        },
        {
            "charge_id": "ch_train_pending",
            "status": "pending",
            "amount": {"value": "3300", "currency": "EUR"},
            "created_at": day + "14:55:31Z",
        },
        {
            "charge_id": "ch_train_fully_refunded",
            "amount": {"value": "2000", "currency": "EUR"},
            "refunded_amount": {"value": "2000", "currency": "EUR"},
            "created_at": day + "15:20:00Z",
            "card": {"brand": "MASTERCARD", "last4": "4444"},
        },
    ]
    return [SimCharge.from_json(s) for s in specs]


def load_charges(path: str) -> list[SimCharge]:
    """Read a `--charges FILE`: a JSON list of charge objects in the lookup schema."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of charges")
    try:
        return [SimCharge.from_json(item) for item in data]
    except (KeyError, TypeError, ValueError, MoneyError) as exc:
        raise ValueError(f"{path}: bad charge: {exc}") from exc


@dataclass
class Faults:
    """What the simulator should do wrong. Tests push one-shot faults; training sets defaults."""

    planned: list[str] = field(default_factory=list)
    delay_ms: int = 0
    hang_seconds: float = 60.0
    #: For randomized tests: probability of a random fault on each refund, with its own RNG.
    random_rate: float = 0.0  # a probability (0–1), not money
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    pending_settles_after: dt.timedelta | None = dt.timedelta(seconds=20)

    def push(self, kind: str, count: int = 1) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        self.planned.extend([kind] * count)

    def take(self) -> str | None:
        if self.planned:
            return self.planned.pop(0)
        if self.random_rate and self.rng.random() < self.random_rate:
            return self.rng.choice(
                ["error500", "error500_after_commit", "drop_after_commit", "drop_before_commit"]
            )
        return None


def describe(charge: SimCharge, locale: str | None = None) -> str:
    """One line for the training screen: what practising with this charge shows, amounts as
    `locale` (the cashier's) writes them."""
    return describe_sale(
        charge.amount,
        charge.refunded,
        payment_status=charge.status,
        unsettled=not charge.settled and not charge.refunds,
        practice=charge.practice,
        outcome=charge.refund_outcome,
        locale=locale,
    )


def _parse_ts(text: object) -> dt.datetime | None:
    """Any RFC 3339 date-time, as an aware UTC datetime; None when it is not one."""
    if not isinstance(text, str) or not _TS_RE.fullmatch(text):
        return None
    try:
        moment = dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:  # e.g. month 13, hour 24, offset +25:00
        return None
    return moment.astimezone(dt.UTC)


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
