"""Claim, refuse, repeat, settle — one shop server, several counters (names), real PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from cashier_gui.money import Money
from cashier_gui.shop import (
    AttemptNotFound,
    AttemptRecord,
    BadTransition,
    ChargeOpenElsewhere,
    Kind,
    OverRefund,
    ShopInputError,
    ShopServer,
    State,
)

EUR = "EUR"


def gid() -> str:
    return str(uuid.uuid4())


def rec(charge: str = "ch_1", minor: int | None = 500, **kw: Any) -> AttemptRecord:
    values: dict[str, Any] = dict(
        global_id=gid(),
        charge_id=charge,
        kind=Kind.REFUND,
        provider="viopay",
        amount=None if minor is None else Money(minor, EUR),
        operator="Ann",
    )
    values.update(kw)
    return AttemptRecord(**values)


def sql(url: str, query: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(query.encode(), args or None)
        return cur.fetchall() if cur.description else []


def test_claim_stores_a_prepared_attempt_with_a_lease(shop: ShopServer) -> None:
    r = rec(approver="Bea", charge_total=Money(1000, EUR))
    claimed = shop.claim(r, "Till 1")
    a = claimed.attempt
    assert not claimed.repeat
    assert (a.global_id, a.counter, a.charge_id, a.state) == (
        r.global_id,
        "Till 1",
        "ch_1",
        "prepared",
    )
    assert (a.amount, a.kind, a.provider, a.operator, a.approver) == (
        Money(500, EUR),
        Kind.REFUND,
        "viopay",
        "Ann",
        "Bea",
    )
    assert a.lease_until is not None
    assert timedelta(seconds=29) < a.lease_until - a.created_at <= timedelta(seconds=30)
    assert shop.attempt(r.global_id) == a


def test_the_same_global_id_twice_is_one_claim(shop: ShopServer) -> None:
    r = rec()
    first = shop.claim(r, "Till 1")
    again = shop.claim(r, "Till 1")
    assert again.repeat and again.attempt == first.attempt
    # Upper-case UUID is the same key.
    assert shop.claim(rec(global_id=r.global_id.upper()), "Till 1").repeat
    assert len(shop.attempts(charge_id="ch_1")) == 1
    shop.mark_sent(r.global_id, "Till 1")
    shop.record_outcome(r.global_id, State.APPROVED, refund_id="re_1", amount=Money(500, EUR))
    later = shop.claim(r, "Till 1")
    assert later.repeat and later.attempt.state is State.APPROVED  # the caller sees it settled


def test_a_global_id_reused_for_something_else_is_refused(shop: ShopServer) -> None:
    r = rec()
    shop.claim(r, "Till 1")
    for other in (
        rec("ch_2", global_id=r.global_id),
        rec(minor=600, global_id=r.global_id),
        rec(kind=Kind.VOID, global_id=r.global_id),
    ):
        with pytest.raises(ShopInputError, match="already claimed"):
            shop.claim(other, "Till 1")
    with pytest.raises(ShopInputError, match="already claimed"):
        shop.claim(r, "Till 2")


def test_an_open_attempt_anywhere_refuses_the_charge_in_words(shop: ShopServer) -> None:
    first = rec(minor=1250)
    shop.claim(first, "Till 1")
    with pytest.raises(ChargeOpenElsewhere) as info:
        shop.claim(rec(minor=100), "Till 2")
    e = info.value
    assert (e.counter, e.state, e.amount, e.global_id) == (
        "Till 1",
        "prepared",
        Money(1250, EUR),
        first.global_id,
    )
    assert "Till 1" in str(e) and "€12.50" in str(e) and "ch_1" in str(e)
    assert abs(e.when - datetime.now(UTC)) < timedelta(minutes=1)
    # Also a void, and also the same counter with another key.
    with pytest.raises(ChargeOpenElsewhere):
        shop.claim(rec(minor=None, kind=Kind.VOID), "Till 1")
    # sent and unknown block as well; a final answer frees the charge.
    shop.mark_sent(first.global_id, "Till 1")
    shop.record_outcome(first.global_id, State.UNKNOWN, error_code="timeout")
    with pytest.raises(ChargeOpenElsewhere) as info:
        shop.claim(rec(minor=100), "Till 2")
    assert info.value.state == "unknown" and "never came" in str(info.value)
    assert [a.global_id for a in shop.unknown()] == [first.global_id]
    shop.record_outcome(first.global_id, State.DECLINED, by="Till 2")
    assert shop.claim(rec(minor=100), "Till 2").attempt.state is State.PREPARED


def test_over_refund_is_refused_across_counters(shop: ShopServer) -> None:
    total = Money(1000, EUR)
    a = rec(minor=600, charge_total=total)
    shop.claim(a, "Till 1")
    shop.mark_sent(a.global_id, "Till 1")
    shop.record_outcome(a.global_id, State.APPROVED, refund_id="re_a", amount=Money(600, EUR))
    with pytest.raises(OverRefund) as info:
        shop.claim(rec(minor=401, charge_total=total), "Till 2")
    assert info.value.left == Money(400, EUR) and "€4.00" in str(info.value)
    # Without a look-up at Till 3 the total an earlier claim brought still counts.
    with pytest.raises(OverRefund):
        shop.claim(rec(minor=401), "Till 3")
    b = rec(minor=300, charge_total=total)
    shop.claim(b, "Till 2")
    shop.mark_sent(b.global_id, "Till 2")
    shop.record_outcome(b.global_id, State.PENDING)  # pending may still be applied: it counts
    with pytest.raises(OverRefund) as info:
        shop.claim(rec(minor=101, charge_total=total), "Till 3")
    assert info.value.left == Money(100, EUR)
    c = shop.claim(rec(minor=100, charge_total=total), "Till 3")
    shop.record_outcome(c.attempt.global_id, State.CANCELLED)
    shop.record_outcome(b.global_id, State.DECLINED)  # declined frees its amount
    assert shop.claim(rec(minor=400, charge_total=total), "Till 1").attempt.amount == Money(
        400, EUR
    )


def test_a_full_refund_of_unknown_amount_uses_up_the_charge(shop: ShopServer) -> None:
    total = Money(2500, EUR)
    full = rec(minor=None, currency=EUR, charge_total=total)
    claimed = shop.claim(full, "Till 1")
    assert claimed.attempt.amount is None and claimed.attempt.currency == EUR
    shop.mark_sent(full.global_id, "Till 1")
    shop.record_outcome(full.global_id, State.APPROVED, refund_id="re_full")
    with pytest.raises(OverRefund) as info:
        shop.claim(rec(minor=1, charge_total=total), "Till 2")
    assert info.value.left == Money(0, EUR)
    # The gateway's amount, when it comes, fills it in (and must match later).
    shop.record_outcome(full.global_id, State.APPROVED, amount=Money(2500, EUR))
    assert shop.attempt(full.global_id).amount == Money(2500, EUR)  # type: ignore[union-attr]
    # A void of a sale whose currency nobody knew: the outcome brings amount and currency.
    void = rec("ch_void", minor=None, kind=Kind.VOID)
    shop.claim(void, "Till 2")
    shop.mark_sent(void.global_id, "Till 2")
    shop.record_outcome(void.global_id, State.APPROVED, amount=Money(900, "JPY"))
    assert shop.attempt(void.global_id).amount == Money(900, "JPY")  # type: ignore[union-attr]


def test_transitions_are_idempotent_and_impossible_ones_raise(shop: ShopServer) -> None:
    r = rec()
    shop.claim(r, "Till 1")
    with pytest.raises(BadTransition):
        shop.record_outcome(r.global_id, State.APPROVED)  # never marked sent
    with pytest.raises(ShopInputError, match="Only Till 1"):
        shop.mark_sent(r.global_id, "Till 2")
    assert shop.mark_sent(r.global_id, "Till 1") is True
    assert shop.mark_sent(r.global_id, "Till 1") is False
    assert shop.record_outcome(r.global_id, State.APPROVED, refund_id="re_1") is True
    assert shop.record_outcome(r.global_id, State.APPROVED, refund_id="re_1") is False
    with pytest.raises(BadTransition) as info:
        shop.record_outcome(r.global_id, State.APPROVED, refund_id="re_OTHER")
    assert (info.value.current, info.value.wanted) == ("approved", "approved")
    with pytest.raises(BadTransition, match="cannot become"):
        shop.record_outcome(r.global_id, State.DECLINED)
    with pytest.raises(BadTransition):
        shop.mark_sent(r.global_id, "Till 1")
    with pytest.raises(ShopInputError, match="amount"):
        shop.record_outcome(r.global_id, State.APPROVED, amount=Money(499, EUR))
    with pytest.raises(ShopInputError, match="amount or currency"):
        shop.record_outcome(r.global_id, State.APPROVED, amount=Money(500, "USD"))
    with pytest.raises(ShopInputError, match="refund ID"):
        shop.record_outcome(r.global_id, State.APPROVED, refund_id="r" * 201)
    with pytest.raises(AttemptNotFound):
        shop.record_outcome(gid(), State.APPROVED)
    a = shop.attempt(r.global_id)
    assert a is not None and (a.state, a.refund_id, a.lease_until) == ("approved", "re_1", None)
    events = sql(
        shop.target.url,
        "SELECT counter, from_state, to_state FROM events WHERE global_id = %s ORDER BY id",
        r.global_id,
    )
    assert events == [
        ("Till 1", None, "prepared"),
        ("Till 1", "prepared", "sent"),
        ("Till 1", "sent", "approved"),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(global_id="not-a-uuid"), "UUID"),
        (dict(charge_id=""), "charge ID"),
        (dict(charge_id="x" * 201), "charge ID"),
        (dict(charge_id="ch\n1"), "charge ID"),
        (dict(kind="refundish"), "refund or void"),
        (dict(provider=""), "provider"),
        (dict(operator="a\x00b"), "operator"),
        (dict(amount=Money(0, EUR)), "more than zero"),
        (dict(amount=Money(-5, EUR)), "more than zero"),
        (dict(amount=500), "Money"),
        (dict(charge_total=Money(1000, "USD")), "one currency"),
        (dict(currency="XYZ"), "currency"),
    ],
)
def test_bad_input_is_refused_before_the_server(
    shop: ShopServer, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ShopInputError, match=message):
        shop.claim(rec(**change), "Till 1")
    assert shop.attempts() == []


def test_bad_input_to_the_other_calls(shop: ShopServer) -> None:
    r = rec()
    shop.claim(r, "Till 1")
    with pytest.raises(ShopInputError):
        shop.claim(rec(), "")
    with pytest.raises(ShopInputError):
        shop.record_outcome(r.global_id, "sent")
    with pytest.raises(ShopInputError):
        shop.record_outcome(r.global_id, "bogus")
    with pytest.raises(ShopInputError):
        shop.record_outcome(r.global_id, State.CANCELLED, gateway_text="a\x00")
    with pytest.raises(ShopInputError):
        shop.attempts(since=datetime(2026, 1, 1))  # naive
    with pytest.raises(ShopInputError):
        shop.attempts(states=["nope"])
    with pytest.raises(ShopInputError):
        shop.attempts(limit=0)
    with pytest.raises(ShopInputError):
        ShopServer(shop.target, lease_seconds=1)
    # A currency other than the charge's.
    shop.record_outcome(r.global_id, State.CANCELLED)
    with pytest.raises(ShopInputError, match="in EUR"):
        shop.claim(rec(amount=Money(500, "USD")), "Till 1")


def test_shop_wide_reads_filter(shop: ShopServer) -> None:
    made = []
    for n, counter in enumerate(["Till 1", "Till 2", "Till 1"]):
        r = rec(f"ch_{n}")
        shop.claim(r, counter)
        made.append(r.global_id)
    shop.record_outcome(made[0], State.CANCELLED)
    assert [a.global_id for a in shop.attempts()] == made[::-1]
    assert {a.global_id for a in shop.attempts(counter="Till 1")} == {made[0], made[2]}
    assert [a.global_id for a in shop.attempts(charge_id="ch_1")] == [made[1]]
    assert [a.global_id for a in shop.attempts(states=[State.CANCELLED])] == [made[0]]
    assert len(shop.attempts(limit=2)) == 2
    now = datetime.now(UTC)
    assert shop.attempts(since=now + timedelta(minutes=1)) == []
    assert (
        len(shop.attempts(since=now - timedelta(minutes=1), until=now + timedelta(minutes=1))) == 3
    )


def test_heartbeat_and_lease_expiry(shop: ShopServer) -> None:
    url = shop.target.url
    sent, prepared, other = rec("ch_s"), rec("ch_p"), rec("ch_o")
    shop.claim(sent, "Till 1")
    shop.mark_sent(sent.global_id, "Till 1")
    shop.claim(prepared, "Till 1")
    shop.claim(other, "Till 2")
    # Till 1 went silent a minute ago; Till 2 is alive.
    sql(
        url,
        "UPDATE attempts SET lease_until = now() - interval '1 minute' WHERE counter = 'Till 1'",
    )
    assert shop.heartbeat("Till 2") == 1
    expired = shop.expire_leases(by="Till 2")
    assert {(e.global_id, e.before, e.after, e.counter) for e in expired} == {
        (sent.global_id, "sent", "unknown", "Till 1"),
        (prepared.global_id, "prepared", "cancelled", "Till 1"),
    }
    assert shop.expire_leases() == []  # nothing twice
    assert shop.attempt(sent.global_id).state is State.UNKNOWN  # type: ignore[union-attr]
    assert shop.attempt(other.global_id).state is State.PREPARED  # type: ignore[union-attr]
    # The silent counter wakes up: its cancelled claim must not be sent.
    with pytest.raises(BadTransition):
        shop.mark_sent(prepared.global_id, "Till 1")
    # An unknown is never retried: it waits for reconcile, from any counter.
    assert [a.global_id for a in shop.unknown()] == [sent.global_id]
    shop.record_outcome(sent.global_id, State.APPROVED, refund_id="re_s", by="Till 2")
    # A heartbeat keeps a lease alive.
    sql(
        url,
        "UPDATE attempts SET lease_until = now() + interval '1 second' WHERE counter = 'Till 2'",
    )
    assert shop.heartbeat("Till 2") == 1
    assert shop.expire_leases() == []
    lease = shop.attempt(other.global_id).lease_until  # type: ignore[union-attr]
    assert lease is not None and lease > datetime.now(UTC) + timedelta(seconds=20)
    events = sql(
        url, "SELECT counter, to_state FROM events WHERE global_id = %s ORDER BY id", sent.global_id
    )
    assert events[-2:] == [("Till 2", "unknown"), ("Till 2", "approved")]


def test_the_refusal_comes_out_in_german(shop: ShopServer) -> None:
    from cashier_gui import i18n

    shop.claim(rec(minor=1250), "Kasse 1")
    assert i18n.install("de") == "de"
    try:
        with pytest.raises(ChargeOpenElsewhere) as info:
            shop.claim(rec(minor=100), "Kasse 2")
    finally:
        i18n.install("en")
    assert "wird seit" in str(info.value) and "an Kasse 1 erstattet" in str(info.value)


def test_counters_and_the_server_clock(shop: ShopServer) -> None:
    shop.claim(rec(), "Till 2")
    shop.heartbeat("Till 1")
    seen = shop.counters()
    assert [c.name for c in seen] == ["Till 1", "Till 2"]
    assert all(c.lease_seconds == 30 for c in seen)
    assert abs(shop.server_time() - datetime.now(UTC)) < timedelta(seconds=5)
    assert all(abs(c.last_seen - datetime.now(UTC)) < timedelta(seconds=30) for c in seen)
