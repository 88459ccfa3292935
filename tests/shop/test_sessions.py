"""Sign-in sessions on the shop server (schema 10, closing issue 21's last gap), on a real
PostgreSQL and a counter's own login: the claim takes the operator from a session opened where
the PIN was checked, never from the name a counter sends — a counter's login that knows nobody's
PIN cannot claim as a manager and step around `refunds_per_day`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import psycopg
import pytest

from cashier_gui.money import Money
from cashier_gui.operators import Role, WrongPin
from cashier_gui.shop import (
    AttemptRecord,
    Kind,
    OverDailyLimit,
    SessionRefused,
    ShopServer,
    State,
    init_shop,
    schema,
)
from cashier_gui.shop.people import ShopPeople
from tests.shop.people_support import PINS, put_policy, sign_in, staff
from tests.shop.test_policy import record, till_url
from tests.shop.test_policy_cli import refund, tills
from tests.shop.test_two_counters import CHARGE, Till

__all__ = ["till_url", "tills"]  # fixtures shared with test_policy and test_policy_cli

ARGS = "%s, %s, %s, 'refund', 'viopay', 100, 'EUR', %s, NULL, NULL, 30, NULL, NULL, %s"


def raw_claim(conn: psycopg.Connection[Any], counter: str, operator: str | None, token: Any) -> Any:
    """What a counter's login can call by hand: the checked claim, with any name and token."""
    row = conn.execute(
        f"SELECT status, person, repeat FROM shop_claim_checked({ARGS})",  # noqa: S608
        (str(uuid.uuid4()), counter, f"ch_{uuid.uuid4().hex[:8]}", operator, token),
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_a_made_up_name_without_a_token_claims_nothing(till_url: str) -> None:
    with ShopServer(till_url, wait_s=3) as till:
        staff(till)
        assert put_policy(till, {"refunds_per_day": 1}) == 1
        with pytest.raises(SessionRefused, match="Sign in again") as refused:
            till.claim(record("ch_m1", "Mia", version=1), "Till 1")
        assert refused.value.status == "no_session"
        assert till.attempts(charge_id="ch_m1") == []
    with psycopg.connect(till_url, autocommit=True) as conn:
        assert raw_claim(conn, "Till 1", "Mia", None)[0] == "no_session"
        assert raw_claim(conn, "Till 1", "Mia", "00" * 32)[0] == "session_unknown"
        assert raw_claim(conn, "Till 1", "Mia", "not a token")[0] == "no_session"
        assert conn.execute("SELECT count(*) FROM attempts").fetchone() == (0,)
        # The counters' role never reads the sessions, nor may it call the old claim.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM shop_sessions")
    with (
        psycopg.connect(till_url, autocommit=True) as conn,
        pytest.raises(psycopg.errors.UndefinedFunction),
    ):
        conn.execute(
            "SELECT * FROM shop_claim_checked(%s, 'Till 1', 'ch_x', 'refund', 'viopay', 100, "
            "'EUR', 'Mia', NULL, NULL, 30, NULL, NULL)",
            (str(uuid.uuid4()),),
        )


def test_a_cashiers_token_cannot_claim_as_a_manager_nor_pass_the_daily_limit(
    till_url: str,
) -> None:
    with ShopServer(till_url, wait_s=3) as till:
        staff(till)
        assert put_policy(till, {"refunds_per_day": 1}) == 1
        cat = sign_in(till, "Cat")
    with psycopg.connect(till_url, autocommit=True) as conn:
        assert raw_claim(conn, "Till 1", "Mia", cat)[:2] == ("session_other", "Cat")
        assert raw_claim(conn, "Till 1", None, cat)[0] == "ok"  # Cat's one for today
        kept = conn.execute("SELECT operator FROM attempts").fetchall()
        assert kept == [("Cat",)]  # the session's person, as the shop spells it
        with pytest.raises(psycopg.Error, match="made 1 refunds today"):
            raw_claim(conn, "Till 1", None, cat)
        with pytest.raises(psycopg.Error, match="made 1 refunds today"):
            raw_claim(conn, "Till 1", "cat", cat)
    with ShopServer(till_url, wait_s=3) as till:
        with pytest.raises(OverDailyLimit):
            till.claim(record("ch_c2", version=1, session=cat), "Till 1")
        # A manager's own session goes alone; a manager approving lets Cat go on.
        mia = sign_in(till, "Mia")
        assert till.claim(record("ch_c2", "Mia", version=1, session=mia), "Till 1").attempt
        done = till.claim(
            record("ch_c3", version=1, approver="Bo", pin=PINS["Bo"], session=cat), "Till 1"
        ).attempt
        assert (done.operator, done.approver) == ("Cat", "Bo")


def test_a_token_from_another_counter_an_ended_or_expired_one_is_refused(
    till_url: str, shop_url: str
) -> None:
    with ShopServer(till_url, wait_s=3) as till:
        staff(till)
        at_one = sign_in(till, "Bo", "Till 1")
        with pytest.raises(SessionRefused, match="another counter") as other:
            till.claim(record("ch_e1", "Bo", version=None, session=at_one), "Till 2")
        assert other.value.status == "session_elsewhere"
        people = ShopPeople(lambda: ShopServer(till_url, wait_s=3), "Till 1")
        try:
            bo = people.sign_in("bo", PINS["Bo"])
            assert (bo.name, bo.role) == ("Bo", Role.MANAGER) and bo.session
            assert "session" not in repr(bo) and bo.session not in repr(bo)
            assert till.claim(record("ch_e1", "Bo", version=None, session=bo.session), "Till 1")
            people.sign_out(bo)  # sign-out ends it at once
            with pytest.raises(SessionRefused, match="has ended") as ended:
                till.claim(record("ch_e2", "Bo", version=None, session=bo.session), "Till 1")
            assert ended.value.status == "session_ended"
            # A wrong PIN opens nothing and is counted as before.
            with pytest.raises(WrongPin, match="2 more tries"):
                people.sign_in("Bo", "0000")
        finally:
            people.close()
        late = sign_in(till, "Bo")
    with psycopg.connect(shop_url, autocommit=True) as owner:  # the clock moved on 12 hours
        owner.execute("UPDATE shop_sessions SET expires_at = now() - interval '1 second'")
        stored = owner.execute("SELECT token_hash FROM shop_sessions").fetchall()
    assert all(bytes(h) != bytes.fromhex(late) for (h,) in stored)  # only its hash is kept
    with ShopServer(till_url, wait_s=3) as till:
        with pytest.raises(SessionRefused, match="12 hours") as expired:
            till.claim(record("ch_e3", "Bo", version=None, session=late), "Till 1")
        assert expired.value.status == "session_expired"
        assert till.attempts(charge_id="ch_e2") == [] and till.attempts(charge_id="ch_e3") == []


def test_a_locked_or_removed_persons_session_claims_nothing(till_url: str) -> None:
    with ShopServer(till_url, wait_s=3) as till:
        staff(till)
        cat = sign_in(till, "Cat")
        people = ShopPeople(lambda: ShopServer(till_url, wait_s=3), "Till 1")
        try:
            from cashier_gui.operators import ManagerPin

            people.lock("Cat", by=ManagerPin("Mia", PINS["Mia"]))
            with pytest.raises(SessionRefused, match="removed or locked"):
                till.claim(record("ch_l1", version=None, session=cat), "Till 1")
        finally:
            people.close()


def test_the_session_gates_the_claim_only_not_a_repeat_nor_the_outcomes(till_url: str) -> None:
    """An outbox repeating a claim, or replaying sent / outcome after a restart, needs no
    session that may have ended since: money may have moved and the shop must hear of it."""
    with ShopServer(till_url, wait_s=3) as till:
        staff(till)
        token = sign_in(till, "Cat")
        rec = record("ch_r1", version=None, session=token)
        first = till.claim(rec, "Till 1").attempt
        till.run(lambda conn: conn.execute("SELECT shop_session_end(%s, 'Till 1')", (token,)))
        again = till.claim(rec, "Till 1")
        assert again.repeat and again.attempt.global_id == first.global_id
        till.mark_sent(first.global_id, "Till 1")
        assert till.record_outcome(first.global_id, State.APPROVED, refund_id="re_r1")


def test_a_shop_without_people_claims_as_before(shop: ShopServer) -> None:
    rec = AttemptRecord(
        str(uuid.uuid4()), "ch_n1", Kind.REFUND, "viopay", Money(100, "EUR"), operator="anyone"
    )
    assert shop.claim(rec, "Till 1").attempt.operator == "anyone"


def test_the_upgrade_from_version_9_keeps_people_and_attempts(empty_db_url: str) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        assert schema.migrate(conn, target=9)[-1] == 9
        for name, role, by in (("Mia", "manager", None), ("Cat", "cashier", "Mia")):
            row = conn.execute(
                "SELECT status FROM shop_people_add(%s, %s, 'Till 1', %s, %s, %s)",
                (by, PINS[by] if by else None, name, role, PINS[name]),
            ).fetchone()
            assert row == ("ok",)
        # A version-9 counter's claim: the operator's name as its word.
        conn.execute(
            "SELECT * FROM shop_claim_checked(%s, 'Till 1', 'ch_v9', 'refund', 'viopay', "
            "300, 'EUR', 'Cat', NULL, NULL, 30, NULL, NULL)",
            (str(uuid.uuid4()),),
        )
    result = init_shop(empty_db_url)
    assert (result.before, result.after, result.applied) == (9, 11, [10, 11])
    with ShopServer(empty_db_url, wait_s=3) as shop:
        [kept] = shop.attempts(charge_id="ch_v9")
        assert (kept.operator, kept.amount) == ("Cat", Money(300, "EUR"))
        people = ShopPeople(lambda: ShopServer(empty_db_url, wait_s=3), "Till 1")
        try:
            assert [p.name for p in people.list()] == ["Cat", "Mia"]
            cat = people.sign_in("Cat", PINS["Cat"])  # PINs survived; sessions work
        finally:
            people.close()
        shop.record_outcome(kept.global_id, State.CANCELLED)
        assert shop.claim(record("ch_v10", version=None, session=cat.session), "Till 1")


def test_the_cli_signs_in_with_the_pin_on_stdin_and_signs_out_when_done(
    tills: tuple[Till, Till], shop_url: str
) -> None:
    """`refund --operator NAME` reads the PIN on stdin (never argv), opens a session at its
    counter for the claim and ends it when the command is done."""
    till1, _till2 = tills
    done = refund(till1, "1.00")
    assert done.returncode == 0, done.stdout + done.stderr
    with psycopg.connect(shop_url) as owner:
        rows = owner.execute(
            "SELECT person, counter, ended_at IS NOT NULL, expires_at - opened_at "
            "FROM shop_sessions"
        ).fetchall()
        [(operator,)] = owner.execute("SELECT operator FROM attempts").fetchall()
    assert [r[:3] for r in rows] == [("Cat", "Till 1", True)]
    assert rows[0][3] == dt.timedelta(hours=12)
    assert operator == "Cat"
    # A wrong PIN opens no session and sends nothing.
    wrong = till1(
        "refund", CHARGE, "--amount", "1.00", "--yes", "--operator", "Cat", stdin="0000\n"
    )
    assert wrong.returncode != 0 and "Wrong PIN for Cat" in wrong.stderr
    with psycopg.connect(shop_url) as owner:
        assert owner.execute("SELECT count(*) FROM shop_sessions").fetchone() == (1,)
        assert owner.execute("SELECT count(*) FROM attempts").fetchone() == (1,)


def test_wrong_pins_typed_for_a_signed_in_cashier_elsewhere_do_not_end_their_session(
    till_url: str,
) -> None:
    """Anyone at another counter can type three wrong PINs for a name: that locks further
    sign-ins (the guessing stops), but the cashier already signed in with the right PIN keeps
    refunding — a lock after wrong PINs proves nothing against their session. A manager's lock
    still ends it (test_a_locked_or_removed_persons_session_claims_nothing)."""
    from cashier_gui.operators import LockedOut

    with ShopServer(till_url, wait_s=3) as till:
        staff(till)
        cat = sign_in(till, "Cat", "Till 1")
        elsewhere = ShopPeople(lambda: ShopServer(till_url, wait_s=3), "Till 2")
        try:
            for _ in range(2):
                with pytest.raises(WrongPin):
                    elsewhere.sign_in("Cat", "0000")
            with pytest.raises(LockedOut):
                elsewhere.sign_in("Cat", "0000")
            with pytest.raises(LockedOut):  # the guessing is stopped: no one signs in as Cat
                elsewhere.sign_in("Cat", PINS["Cat"])
        finally:
            elsewhere.close()
        claimed = till.claim(record("ch_w1", "Cat", version=None, session=cat), "Till 1")
        assert claimed.attempt.operator == "Cat"
