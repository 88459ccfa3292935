"""The shop's events are one hash chain (schema 6): what a counter did is kept, and an edit made
behind the functions' back — by the database's owner — is found. On a real PostgreSQL."""

from __future__ import annotations

import uuid

import psycopg

from cashier_gui.money import Money
from cashier_gui.shop import AttemptRecord, Kind, ShopServer, State, init_shop
from cashier_gui.shop.schema import migrate
from tests.support.pg import PgServer


def refund(server: ShopServer, charge: str, outcome: State = State.APPROVED) -> str:
    key = str(uuid.uuid4())
    server.claim(AttemptRecord(key, charge, Kind.REFUND, "viopay", Money(500, "EUR")), "Till 1")
    server.mark_sent(key, "Till 1")
    server.record_outcome(key, outcome, refund_id=f"rf_{key[:8]}")
    return key


def owner(url: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(url, autocommit=True)


def test_the_chain_holds_what_the_counters_did(shop: ShopServer) -> None:
    for n in range(5):
        refund(shop, f"ch_{n}", State.APPROVED if n % 2 else State.DECLINED)
    shop.expire_leases("Till 2")
    assert shop.verify_chain() == []


def test_an_edited_event_and_a_rewritten_attempt_are_found(shop: ShopServer, shop_url: str) -> None:
    key = refund(shop, "ch_e")
    refund(shop, "ch_f")
    with owner(shop_url) as conn:
        conn.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        conn.execute(
            'UPDATE events SET detail = \'{"refund_id": "rf_forged"}\' '
            "WHERE id = (SELECT min(id) FROM events)"
        )
        conn.execute("UPDATE attempts SET state = 'failed' WHERE global_id = %s", (key,))
    problems = shop.verify_chain()
    assert any("was edited" in p for p in problems), problems
    assert any(key in p and "failed" in p for p in problems), problems


def test_events_cut_off_the_end_are_found(shop: ShopServer, shop_url: str) -> None:
    refund(shop, "ch_c")
    with owner(shop_url) as conn:
        conn.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        conn.execute("DELETE FROM events WHERE id = (SELECT max(id) FROM events)")
    problems = shop.verify_chain()
    assert any("head" in p for p in problems), problems


def test_events_from_before_the_chain_are_chained_by_the_upgrade(
    pg_running: PgServer, empty_db_url: str
) -> None:
    with owner(empty_db_url) as conn:
        migrate(conn, target=5)
    with owner(empty_db_url) as conn:  # an app of schema 5 wrote these, with its functions
        for n in range(3):
            key = str(uuid.uuid4())
            conn.execute(
                "SELECT shop_claim(%s, 'Till 1', %s, 'refund', 'viopay', 500, 'EUR', NULL, "
                "NULL, NULL, 60)",
                (key, f"ch_old_{n}"),
            )
            for state, refund_id in (("sent", None), ("approved", f"rf_{key[:8]}")):
                conn.execute(
                    "SELECT shop_set_state(%s, 'Till 1', %s, %s, NULL, NULL, NULL, NULL)",
                    (key, state, refund_id),
                )
    init_shop(empty_db_url)  # the upgrade to 6
    with ShopServer(empty_db_url, wait_s=3) as server:
        refund(server, "ch_new")
        assert server.verify_chain() == []
