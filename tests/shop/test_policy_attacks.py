"""The shop's policy (schema 7) attacked as a dishonest cashier and a careless installer would,
on a real PostgreSQL and the real `cashier-refund` at two counters: what whoever starts the
program chooses (its environment) or a counter without people must not move the shop's rules."""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from pathlib import Path

import psycopg
import pytest

from cashier_gui.shop import ShopServer, State
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
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
    assert shop.set_policy({"refunds_per_day": 1}, "Mia", "Till 1") == 1
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
    """A careless installer joins a third till with nobody on it: without a manager to ask,
    anyone at it set the policy every counter of the shop runs under (`policy set` asked for
    no one, and the shop server took any name)."""
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
        assert till.set_policy({"refunds_per_day": 1}, "Mia", "Till 1") == 1
        done = till.claim(record("ch_t1", version=1), "Till 1").attempt
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
