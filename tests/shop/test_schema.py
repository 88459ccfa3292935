"""Migrations from every earlier version, a newer schema refused, the schema's rules."""

from __future__ import annotations

import re
import threading
import uuid

import psycopg
import pytest

from cashier_gui.money import Money
from cashier_gui.shop import (
    AttemptRecord,
    Kind,
    OverRefund,
    ShopSchemaError,
    ShopServer,
    State,
    init_shop,
    schema,
)
from cashier_gui.shop.model import TRANSITIONS
from tests.shop.people_support import put_policy, staff


def connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(url, autocommit=True)


def test_the_migrations_are_numbered_to_latest() -> None:
    assert len(schema.migrations()) == schema.LATEST


def seed(conn: psycopg.Connection[tuple[object, ...]], version: int) -> str | None:
    """Rows as a counter of that version left them (raw SQL: the functions came in v3)."""
    if version < 1:
        return None
    gid = str(uuid.uuid4())
    conn.execute("INSERT INTO counters (name) VALUES ('Till 1')")
    conn.execute(
        "INSERT INTO charges (charge_id, currency, total_minor) VALUES ('ch_old', 'EUR', 1000)"
    )
    conn.execute(
        "INSERT INTO attempts (global_id, counter, charge_id, kind, provider, amount_minor, "
        "currency, state, lease_until) VALUES (%s, 'Till 1', 'ch_old', 'refund', 'viopay', 400, "
        "'EUR', 'sent', now() + interval '1 hour')",
        (gid,),
    )
    conn.execute(
        "INSERT INTO events (global_id, charge_id, counter, to_state) VALUES (%s, 'ch_old', 'Till 1', 'sent')",
        (gid,),
    )
    return gid


@pytest.mark.parametrize("start", range(schema.LATEST))
def test_upgrade_from_every_earlier_version(empty_db_url: str, start: int) -> None:
    with connect(empty_db_url) as conn:
        assert schema.migrate(conn, target=start) == list(range(1, start + 1))
        assert schema.current_version(conn) == start
        gid = seed(conn, start)
    result = init_shop(empty_db_url)
    assert (result.before, result.after) == (start, schema.LATEST)
    assert result.applied == list(range(start + 1, schema.LATEST + 1))
    with ShopServer(empty_db_url) as shop:
        if gid is not None:
            old = shop.attempt(gid)
            assert old is not None and old.state is State.SENT and old.amount == Money(400, "EUR")
            assert shop.record_outcome(gid, State.APPROVED, refund_id="re_old")
            # The old total still guards the charge: 400 of 1000 are refunded.
            with pytest.raises(OverRefund, match=r"only €6\.00 left"):
                shop.claim(
                    AttemptRecord(
                        str(uuid.uuid4()), "ch_old", Kind.REFUND, "viopay", Money(601, "EUR")
                    ),
                    "Till 2",
                )
        r = AttemptRecord(str(uuid.uuid4()), "ch_new", Kind.VOID, "poynt", None, currency="USD")
        assert shop.claim(r, "Till 2").attempt.state is State.PREPARED
        # 7: no policy yet (version 0, no rules), and one can be set.
        none = shop.policy()
        assert (none.policy, none.version, none.changed_by) == ({}, 0, None)
        staff(shop)  # 9: people, and a manager's PIN checked by the server to set it
        assert put_policy(shop, {"refunds_per_day": 3}, "Bo", "Till 2") == 1
        assert shop.policy().policy == {"refunds_per_day": 3}
    again = init_shop(empty_db_url)
    assert (again.before, again.after, again.applied) == (schema.LATEST, schema.LATEST, [])


def test_two_inits_at_once_apply_each_step_once(empty_db_url: str) -> None:
    results: list[object] = []

    def go() -> None:
        try:
            results.append(init_shop(empty_db_url).applied)
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results, key=str) == [list(range(1, schema.LATEST + 1)), []]


def test_a_newer_schema_is_refused_and_left_alone(shop_url: str) -> None:
    with connect(shop_url) as conn:
        conn.execute("UPDATE shop_meta SET version = %s", (schema.LATEST + 1,))
    with pytest.raises(ShopSchemaError, match="newer than this app") as info:
        init_shop(shop_url)
    assert "Update the app" in str(info.value)
    with ShopServer(shop_url) as shop, pytest.raises(ShopSchemaError, match="newer"):
        shop.claim(
            AttemptRecord(str(uuid.uuid4()), "ch", Kind.REFUND, "viopay", Money(1, "EUR")), "Till 1"
        )
    with connect(shop_url) as conn:
        assert schema.current_version(conn) == schema.LATEST + 1
        assert conn.execute("SELECT count(*) FROM attempts").fetchone() == (0,)


def test_an_older_schema_asks_for_shop_init(empty_db_url: str) -> None:
    with connect(empty_db_url) as conn:
        schema.migrate(conn, target=2)
    with ShopServer(empty_db_url) as shop, pytest.raises(ShopSchemaError, match="shop init"):
        shop.attempts()


def test_the_server_knows_the_same_states_and_moves_as_the_code(shop_url: str) -> None:
    with connect(shop_url) as conn:
        moves = set(conn.execute("SELECT from_state, to_state FROM shop_transitions").fetchall())
        check = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'attempts'::regclass AND pg_get_constraintdef(oid) LIKE '%state%'"
        ).fetchone()
    assert moves == {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert check is not None
    assert set(re.findall(r"'(\w+)'::text", str(check[0]))) == {s.value for s in State}


def test_events_are_append_only_and_one_open_attempt_per_charge(shop_url: str) -> None:
    with ShopServer(shop_url) as shop:
        r = AttemptRecord(str(uuid.uuid4()), "ch_1", Kind.REFUND, "viopay", Money(5, "EUR"))
        shop.claim(r, "Till 1")
    with connect(shop_url) as conn:
        for statement in (
            "UPDATE events SET counter = 'x'",
            "DELETE FROM events",
            "TRUNCATE events",
        ):
            with pytest.raises(psycopg.Error, match="append-only"):
                conn.execute(statement.encode())
        # The partial unique index holds even against a write that skips the functions.
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(
                "INSERT INTO attempts (global_id, counter, charge_id, kind, provider, state) "
                "VALUES (%s, 'Till 1', 'ch_1', 'refund', 'viopay', 'unknown')",
                (str(uuid.uuid4()),),
            )
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "INSERT INTO attempts (global_id, counter, charge_id, kind, provider, state) "
                "VALUES ('NOT-A-UUID', 'Till 1', 'ch_1', 'refund', 'viopay', 'declined')"
            )


def test_recommended_settings_are_checked(shop_url: str) -> None:
    names = {a.name for a in init_shop(shop_url).advice}
    assert names == {
        "tcp_keepalives_idle",
        "tcp_keepalives_interval",
        "tcp_keepalives_count",
        "idle_in_transaction_session_timeout",
    }
    db = shop_url.rsplit("/", 1)[1]
    with connect(shop_url) as conn:
        for a in init_shop(shop_url).advice:
            conn.execute(f"ALTER DATABASE {db} SET {a.name} = '{a.recommended}'".encode())
    assert init_shop(shop_url).advice == []
