"""A counter's database login (a member of `shop_counter`) claims, records, renews and expires
through the shop's functions, reads every table, and cannot rewrite the shop's history — on a
real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from cashier_gui.money import Money
from cashier_gui.shop import AttemptRecord, Kind, ShopServer, State
from cashier_gui.shop.schema import COUNTER_ROLE
from tests.support.pg import PgServer


@pytest.fixture
def till_url(pg_running: PgServer, shop_url: str) -> Iterator[str]:
    """A login for one counter, in the counters' role (what the shop's administrator makes)."""
    name = f"till_{uuid.uuid4().hex[:8]}"
    with pg_running.admin() as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN IN ROLE {COUNTER_ROLE}")
    yield shop_url.replace("postgresql://postgres@", f"postgresql://{name}@")
    with pg_running.admin() as conn:
        conn.execute(f"DROP OWNED BY {name}")
        conn.execute(f"DROP ROLE {name}")


def test_a_counter_login_does_its_work_through_the_functions(till_url: str) -> None:
    key = str(uuid.uuid4())
    with ShopServer(till_url, lease_seconds=30, wait_s=3) as till:
        assert till.health().may_claim
        claimed = till.claim(
            AttemptRecord(key, "ch_role", Kind.REFUND, "viopay", Money(500, "EUR")), "Till 1"
        )
        assert claimed.attempt.state is State.PREPARED and not claimed.repeat
        assert till.mark_sent(key, "Till 1")
        assert till.record_outcome(key, State.APPROVED, refund_id="rf_role")
        assert till.heartbeat("Till 1") == 0
        till.expire_leases("Till 1")
        [seen] = till.attempts(charge_id="ch_role")
        assert seen.state is State.APPROVED and seen.refund_id == "rf_role"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE attempts SET state = 'failed', refund_id = NULL",
        "DELETE FROM attempts",
        "INSERT INTO attempts (global_id, counter, charge_id, kind, provider, state) VALUES "
        "('00000000-0000-4000-8000-000000000001', 'Till 1', 'ch_role', 'refund', 'x', 'approved')",
        "UPDATE events SET to_state = 'failed'",
        "DELETE FROM events",
        "TRUNCATE events",
        "UPDATE charges SET total_minor = 1",
        "DELETE FROM shop_meta",
    ],
)
def test_a_counter_login_cannot_rewrite_history(till_url: str, statement: str) -> None:
    key = str(uuid.uuid4())
    with ShopServer(till_url, wait_s=3) as till:  # one real attempt and its events
        till.claim(AttemptRecord(key, "ch_role", Kind.REFUND, "viopay", Money(500, "EUR")), "T1")
        till.mark_sent(key, "T1")
        till.record_outcome(key, State.APPROVED, refund_id="rf_kept")
    with psycopg.connect(till_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)
    with ShopServer(till_url, wait_s=3) as till:
        [kept] = till.attempts(charge_id="ch_role")
        assert kept.state is State.APPROVED and kept.refund_id == "rf_kept"


def test_a_login_outside_the_counters_role_may_not_claim(
    pg_running: PgServer, shop_url: str
) -> None:
    name = f"visitor_{uuid.uuid4().hex[:8]}"
    with pg_running.admin() as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN")
    try:
        url = shop_url.replace("postgresql://postgres@", f"postgresql://{name}@")
        with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM attempts")
    finally:
        with pg_running.admin() as conn:
            conn.execute(f"DROP ROLE {name}")
