"""The shop's policy (schema 7) attacked as a dishonest cashier and a careless installer would,
on a real PostgreSQL and the real `cashier-refund` at two counters: what whoever starts the
program chooses (its environment) or a counter without people must not move the shop's rules."""

from __future__ import annotations

import datetime as dt
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from cashier_gui.operators import OperatorError, WrongPin
from cashier_gui.policy import Policy
from cashier_gui.shop import ApproverRefused, ShopServer, State
from cashier_gui.shop.shop_policy import ShopPolicy
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.shop.people_support import PINS, put_policy, sign_in, staff
from tests.shop.test_policy import record, till_url
from tests.shop.test_policy_cli import CAT, policy_file, refund, set_policy, shop_version, tills
from tests.shop.test_two_counters import CHARGE, Till
from tests.support import cli as support_cli

__all__ = ["till_url", "tills"]  # fixtures shared with test_policy and test_policy_cli


def midnight_just_now() -> str:
    """A POSIX time zone (as PGTZ takes it) in which midnight was less than a minute ago
    (PostgreSQL takes whole minutes only)."""
    now = dt.datetime.now(dt.UTC)
    since = (now - now.replace(hour=0, minute=0, second=0, microsecond=0)).seconds // 60
    east = -since if since <= 12 * 60 else 24 * 60 - since  # local = UTC + east minutes
    west = -east  # POSIX counts hours west of Greenwich
    h, m = divmod(abs(west), 60)
    return f"XXX{'-' if west < 0 else '+'}{h}:{m:02d}"


def test_the_session_time_zone_does_not_move_the_shops_day(
    shop: ShopServer, till_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A policy without `time_zone` counts the day in the server's own zone — not in the zone
    the counter's connection asks for (libpq sends PGTZ as the session's TimeZone)."""
    staff(shop)
    assert put_policy(shop, {"refunds_per_day": 1}) == 1
    with psycopg.connect(till_url) as conn:
        own = conn.execute("SELECT shop_day_start()").fetchone()
    for zone in ("Asia/Kolkata", "Pacific/Kiritimati", midnight_just_now()):
        monkeypatch.setenv("PGTZ", zone)
        with psycopg.connect(till_url) as conn:
            assert conn.execute("SHOW TimeZone").fetchone() == (zone,)  # the client chose it
            assert conn.execute("SELECT shop_day_start()").fetchone() == own, zone


def test_pgtz_on_the_command_does_not_reset_a_cashiers_count(
    tills: tuple[Till, Till], shop_url: str, tmp_path: Path
) -> None:
    """Issue 27's `TZ=XXX+7:11`, at the shop server: PGTZ on the refund command moved the
    server's midnight to a minute ago and Cat's second refund of the day went alone."""
    till1, till2 = tills
    now = dt.datetime.now(dt.UTC)
    if now.time() < dt.time(0, 3):  # the refund made "2 minutes ago" must be today (UTC)
        time.sleep((now.replace(minute=3, second=0) - now).total_seconds())
    assert set_policy(till1, policy_file(tmp_path, "refunds_per_day = 1\n")).returncode == 0
    first = refund(till1, "1.00")
    assert first.returncode == 0, first.stdout + first.stderr
    with psycopg.connect(shop_url, autocommit=True) as admin:  # made 2 minutes ago
        admin.execute("UPDATE attempts SET created_at = created_at - interval '2 minutes'")
    till2.env["PGTZ"] = midnight_just_now()
    second = refund(till2, "1.00")
    assert second.returncode == 2, second.stdout + second.stderr
    assert "You have made 1 refund today" in second.stderr


def test_a_shop_counter_without_people_cannot_set_the_shops_policy(
    tills: tuple[Till, Till], viopay_server: ServerThread, shop_url: str, tmp_path: Path
) -> None:
    """A careless installer joins a third till with nobody on its own people file: before
    people lived on the shop server, anyone at it set the policy every counter of the shop runs
    under (`policy set` asked for no one). Now the till has the shop's people, and asks for one
    of its managers."""
    till1, _till2 = tills
    assert set_policy(till1, policy_file(tmp_path, "refunds_per_day = 1\n")).returncode == 0
    bare = Till("Till 3", tmp_path / "till3")
    support_cli.configure_viopay(
        bare, viopay_server.url, vsim.TRAINING_HMAC_SECRET, vsim.TRAINING_MSK_HEX
    )
    assert bare("setup", "shop", "--url", shop_url, "--counter", "Till 3").returncode == 0
    loose = policy_file(tmp_path, "refunds_per_day = 100000\n")
    done = bare("policy", "set", "--from", loose)
    assert done.returncode == 2, done.stdout + done.stderr
    # Its people are the shop's (people-21): the shop's managers are asked for, by name.
    assert "Only a manager can set the shop's policy" in done.stderr, done.stderr
    assert shop_version(shop_url) == 1
    assert "refunds_per_day = 1" in bare("policy", "show").stdout


def test_two_processes_at_two_tills_cannot_both_take_the_last_slot(
    tills: tuple[Till, Till], tmp_path: Path
) -> None:
    """Cat starts a refund at each till at once, on two sales, with one refund a day to go
    alone: one is sent, the other needs a manager — whichever weighed first."""
    assert set_policy(tills[0], policy_file(tmp_path, "refunds_per_day = 1\n")).returncode == 0
    runs = []
    for till, charge in zip(tills, (CHARGE, "ch_train_eur_today_2450"), strict=True):
        args = ["refund", charge, "--amount", "1.00", "--yes", "--operator", "Cat"]
        runs.append(
            subprocess.Popen(
                [*support_cli.CLI, *args],
                env=till.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    done = [run.communicate(f"{CAT}\n", timeout=60) for run in runs]
    codes = sorted(run.returncode for run in runs)
    assert codes == [0, 2], done
    [held] = [err for (_out, err), run in zip(done, runs, strict=True) if run.returncode == 2]
    assert "1 refund today" in held and "need a manager" in held


def test_every_function_run_with_its_owners_rights_looks_in_pg_temp_last(
    shop_url: str, shop: ShopServer
) -> None:
    """Whatever migration made it (the claim's, the policy's, the import's, the people's): each
    SECURITY DEFINER function of the shop fixes its search_path with the session's temporary
    schema last, so none of them can be shadowed as the test below does for two."""
    with psycopg.connect(shop_url) as conn:
        rows = conn.execute(
            """SELECT p.oid::regprocedure::text, coalesce(array_to_string(p.proconfig, ';'), '')
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.prosecdef"""
        ).fetchall()
    assert len(rows) >= 15  # claims, states, policy, import, people
    assert [name for name, config in rows if config != "search_path=public, pg_temp"] == []


def test_a_counter_login_cannot_shadow_the_shops_tables_with_temporary_ones(
    till_url: str,
) -> None:
    """The functions run with their owner's rights and `search_path = public`, where PostgreSQL
    still looks in the session's own temporary schema first: a counter's login made a temporary
    `shop_transitions` and moved an approved refund to cancelled (history rewritten, the day's
    count and the sale's refundable amount given back), or a temporary `shop_policy` without
    limits for the claim's per-day check."""
    with ShopServer(till_url, wait_s=3) as till:
        staff(till)
        assert put_policy(till, {"refunds_per_day": 1}) == 1
        done = till.claim(
            record("ch_t1", version=1, session=sign_in(till, "Cat")), "Till 1"
        ).attempt
        till.mark_sent(done.global_id, "Till 1")
        till.record_outcome(done.global_id, State.APPROVED, refund_id="rf_t1")
    with psycopg.connect(till_url, autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE shop_transitions (from_state text, to_state text)")
        conn.execute("INSERT INTO shop_transitions VALUES ('approved', 'cancelled')")
        with pytest.raises(psycopg.Error, match="is approved"):
            conn.execute(
                "SELECT shop_set_state(%s, 'Till 1', 'cancelled', NULL, NULL, NULL, NULL, NULL)",
                (done.global_id,),
            )
        conn.execute("CREATE TEMP TABLE shop_policy AS SELECT * FROM public.shop_policy")
        conn.execute("UPDATE shop_policy SET policy = '{}'")
        conn.execute("CREATE TEMP TABLE attempts AS SELECT * FROM public.attempts LIMIT 0")
        with pytest.raises(psycopg.Error, match="made 1 refunds today"):
            conn.execute("SELECT shop_check_policy(1, 'Cat', 'refund')")
    with ShopServer(till_url, wait_s=3) as till:
        kept = till.attempt(done.global_id)
        assert kept is not None and kept.state is State.APPROVED
        assert till.refunds_today("Cat") == 1


def test_a_counter_login_cannot_set_the_policy_under_a_name_it_has_no_pin_of(
    till_url: str,
) -> None:
    """Issue 21 hardening, item 1: `shop_set_policy(json, manager, counter)` took any name — a
    counter's login set `refunds_per_day = 100000` as "Nobody". The server now checks the
    manager's name and PIN in the same function, counts a wrong PIN like a sign-in, and a shop
    without people refuses every change from a counter."""
    with psycopg.connect(till_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UndefinedFunction):
            conn.execute(
                "SELECT shop_set_policy('{\"refunds_per_day\":100000}', 'Nobody', 'Till 9')"
            )

        def attempt(manager: str, pin: str | None) -> tuple[object, ...]:
            row = conn.execute(
                "SELECT status, person, left_tries, new_version FROM shop_set_policy("
                "'{\"refunds_per_day\":100000}', %s, %s, 'Till 9')",
                (manager, pin),
            ).fetchone()
            assert row is not None
            return tuple(row)

        assert attempt("Nobody", "0000") == ("no_people", None, None, None)  # nobody to ask
    with ShopServer(till_url, wait_s=3) as till:
        staff(till)
    with psycopg.connect(till_url, autocommit=True) as conn:
        assert attempt("Nobody", "0000")[0] == "unknown"
        assert attempt("Cat", PINS["Cat"])[:2] == ("not_manager", "Cat")  # a cashier
        assert attempt("Mia", None)[0] == "wrong"
        assert attempt("Mia", "0000") == ("wrong", "Mia", 1, None)
        assert attempt("Mia", "1111")[0] == "locked_now"  # counted like a sign-in
        assert attempt("Mia", PINS["Mia"])[0] == "locked"  # no way around the lock-out
        assert conn.execute("SELECT version FROM shop_policy").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM policy_changes").fetchone() == (0,)
        status, person, _left, version = attempt("bo", PINS["Bo"])
        assert (status, person, version) == ("ok", "Bo", 1)
        kept = conn.execute("SELECT policy, changed_by, counter FROM shop_policy").fetchone()
        assert kept == ({"refunds_per_day": 100000}, "Bo", "Till 9")


def test_shop_policy_save_says_why_a_manager_pin_is_refused(till_url: str) -> None:
    with ShopServer(till_url, wait_s=3) as till:
        source = ShopPolicy(till, "Till 1")
        wanted = Policy(refunds_per_day=9)
        with pytest.raises(OperatorError, match="no people yet"):
            source.save(wanted, "Mia", PINS["Mia"])
        staff(till)
        with pytest.raises(OperatorError, match="type Mia's PIN"):
            source.save(wanted, "Mia", None)
        with pytest.raises(WrongPin, match="Wrong PIN for Mia: 2 more tries"):
            source.save(wanted, "Mia", "9999")
        with pytest.raises(OperatorError, match="Cat is not a manager"):
            source.save(wanted, "Cat", PINS["Cat"])
        assert till.policy().version == 0
        source.save(wanted, "Mia", PINS["Mia"])
        assert source.current().refunds_per_day == 9 and till.policy().changed_by == "Mia"


def test_the_claim_itself_checks_the_approver_and_the_per_day_rule(till_url: str) -> None:
    """Issue 21 hardening, item 2: `shop_claim` took any approver's name, and the per-day count
    ran only when the counter asked (`shop_check_policy`). A counter's login now claims only
    through `shop_claim_checked`: an approver with their PIN, checked and counted there; a
    cashier alone held to `refunds_per_day` whatever the counter passes."""
    args = "%s, 'Till 9', %s, 'refund', 'viopay', 100, 'EUR', %s, %s, NULL, 30"
    with ShopServer(till_url, wait_s=3) as till:
        staff(till)
        assert put_policy(till, {"refunds_per_day": 1}) == 1
        cat = sign_in(till, "Cat", "Till 9")
        till.claim(record("ch_a1", version=1, session=sign_in(till, "Cat")), "Till 1")  # Cat's one
    with psycopg.connect(till_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"SELECT shop_claim({args})", (str(uuid.uuid4()), "ch_x", "Cat", "Mia"))

        def claim(charge: str, approver: str | None, pin: str | None, version: int | None) -> Any:
            row = conn.execute(
                f"SELECT status, person, repeat FROM shop_claim_checked({args}, %s, %s, %s)",  # noqa: S608
                (str(uuid.uuid4()), charge, "Cat", approver, version, pin, cat),
            ).fetchone()
            assert row is not None
            return tuple(row)

        # Alone, not asking for the check (no version): the server counts anyway.
        with pytest.raises(psycopg.Error, match="made 1 refunds today"):
            claim("ch_a2", None, None, None)
        assert claim("ch_a2", "Nobody", "0000", None)[0] == "unknown"
        assert claim("ch_a2", "Cat", PINS["Cat"], None)[:2] == ("not_manager", "Cat")
        assert claim("ch_a2", "Mia", None, None)[0] == "wrong"
        assert claim("ch_a2", "Mia", "0000", None)[0] == "wrong"
        assert claim("ch_a2", "Mia", "1111", None)[0] == "locked_now"  # counted as a sign-in
        assert claim("ch_a2", "Mia", PINS["Mia"], None)[0] == "locked"
        assert conn.execute(
            "SELECT count(*) FROM attempts WHERE charge_id = 'ch_a2'"
        ).fetchone() == (0,)
        assert claim("ch_a2", "bo", PINS["Bo"], None) == ("ok", "Bo", False)
        kept = conn.execute("SELECT approver FROM attempts WHERE charge_id = 'ch_a2'").fetchone()
        assert kept == ("Bo",)  # the name as the shop spells it


def test_an_approver_the_server_refuses_is_said_in_words_and_nothing_is_claimed(
    till_url: str,
) -> None:
    with ShopServer(till_url, wait_s=3) as till:
        staff(till)
        cat, bo = sign_in(till, "Cat"), sign_in(till, "Bo")
        with pytest.raises(ApproverRefused, match="Wrong PIN for Mia") as refused:
            till.claim(
                record("ch_w", version=None, approver="Mia", pin="0000", session=cat), "Till 1"
            )
        assert refused.value.status == "wrong" and "Nothing was sent" in str(refused.value)
        with pytest.raises(ApproverRefused, match="Cat is not a manager"):
            till.claim(
                record("ch_w", "Bo", version=None, approver="Cat", pin=PINS["Cat"], session=bo),
                "Till 1",
            )
        assert till.attempts(charge_id="ch_w") == []
        done = till.claim(
            record("ch_w", version=None, approver="Mia", pin=PINS["Mia"], session=cat), "Till 1"
        )
        assert done.attempt.approver == "Mia"
