"""Counters at the same moment: exactly one claim wins a charge; a held row answers in ~2 s."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid

import psycopg
import pytest

from cashier_gui.money import Money
from cashier_gui.shop import (
    AttemptRecord,
    ChargeBusyElsewhere,
    ChargeOpenElsewhere,
    Kind,
    ShopServer,
    State,
)
from tests.support.cli import ROOT


def record(charge: str, minor: int = 700, total: int | None = None) -> AttemptRecord:
    return AttemptRecord(
        global_id=str(uuid.uuid4()),
        charge_id=charge,
        kind=Kind.REFUND,
        provider="viopay",
        amount=Money(minor, "EUR"),
        charge_total=None if total is None else Money(total, "EUR"),
    )


def existing(url: str, charges: list[str]) -> None:
    with psycopg.connect(url) as conn:
        for charge in charges:
            conn.execute(
                "INSERT INTO charges (charge_id, currency, total_minor) VALUES (%s, 'EUR', 1000)",
                (charge,),
            )


def test_two_threads_claiming_one_charge_at_once_one_wins(shop_url: str) -> None:
    till1 = ShopServer(shop_url, wait_s=5)
    till2 = ShopServer(shop_url, wait_s=5)
    # The charges exist already (an earlier look-up or refund), as they usually will: a new
    # charge's first INSERT would serialize the two claims by itself and hide a missing lock.
    existing(shop_url, [f"ch_race_{n}" for n in range(25)])
    try:
        for n in range(25):
            charge = f"ch_race_{n}"
            barrier = threading.Barrier(2)
            results: dict[str, object] = {}

            def go(
                server: ShopServer,
                counter: str,
                charge: str = charge,
                barrier: threading.Barrier = barrier,
                results: dict[str, object] = results,
            ) -> None:
                r = record(charge)
                barrier.wait()
                try:
                    results[counter] = server.claim(r, counter)
                except (ChargeOpenElsewhere, ChargeBusyElsewhere) as exc:
                    results[counter] = exc

            threads = [
                threading.Thread(target=go, args=(till1, "Till 1")),
                threading.Thread(target=go, args=(till2, "Till 2")),
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(10)
            kinds = sorted(type(v).__name__ for v in results.values())
            assert kinds == ["ChargeOpenElsewhere", "Claimed"], (n, results)
            assert len(till1.attempts(charge_id=charge)) == 1
    finally:
        till1.close()
        till2.close()


_WORKER = """
import json, sys, time, uuid
from cashier_gui.money import Money
from cashier_gui.shop import *
url, counter, start, n = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
shop = ShopServer(url, wait_s=10)
shop.check()
out = {}
time.sleep(max(0.0, start - time.time()))
for i in range(n):
    rec = AttemptRecord(str(uuid.uuid4()), f"ch_proc_{i}", Kind.REFUND, "viopay",
                        Money(600, "EUR"), charge_total=Money(1000, "EUR"))
    try:
        shop.claim(rec, counter)
        out[i] = "won"
    except (ChargeOpenElsewhere, ChargeBusyElsewhere, OverRefund) as exc:
        out[i] = type(exc).__name__
shop.close()
print(json.dumps(out))
"""


def test_two_processes_claiming_the_same_charges_one_wins_each(shop_url: str) -> None:
    """Each process claims 600 of a 1000 charge: one of the two may, never both (the other is
    refused as open elsewhere, or as over-refund once the first was settled — here it is not)."""
    n = 40
    existing(shop_url, [f"ch_proc_{i}" for i in range(n)])
    start = time.time() + 2.0
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, shop_url, counter, str(start), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for counter in ("Till 1", "Till 2")
    ]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=90)
        assert p.returncode == 0, err
        outs.append(json.loads(out))
    for i in range(n):
        got = sorted([outs[0][str(i)], outs[1][str(i)]])
        assert got.count("won") == 1, (i, got)
    with psycopg.connect(shop_url) as conn:
        per_charge = conn.execute(
            "SELECT charge_id, count(*) FROM attempts GROUP BY charge_id HAVING count(*) <> 1"
        ).fetchall()
    assert per_charge == []


def test_a_held_charge_row_answers_busy_elsewhere_in_about_two_seconds(
    shop: ShopServer, shop_url: str
) -> None:
    first = record("ch_held")
    shop.claim(first, "Till 1")
    shop.record_outcome(first.global_id, State.CANCELLED)
    with psycopg.connect(shop_url) as holder:
        holder.execute("SET application_name = 'cashier:Till 9'")
        holder.execute("SELECT 1 FROM charges WHERE charge_id = 'ch_held' FOR UPDATE")
        started = time.monotonic()
        with pytest.raises(ChargeBusyElsewhere) as info:
            shop.claim(record("ch_held"), "Till 2")
        took = time.monotonic() - started
        holder.rollback()
    assert 1.8 <= took < 5.0, took
    assert info.value.counter == "Till 9"
    assert "Till 9" in str(info.value) and "right now" in str(info.value)
    # Other charges were never held up, and the row is free again.
    assert shop.claim(record("ch_held"), "Till 2").attempt.state is State.PREPARED


def test_a_new_charge_row_held_by_an_unfinished_claim_is_busy_too(
    shop: ShopServer, shop_url: str
) -> None:
    """The first claim of a charge inserts its row: another claim waits on that insert."""
    with psycopg.connect(shop_url) as holder:
        holder.execute("INSERT INTO charges (charge_id) VALUES ('ch_new')")
        started = time.monotonic()
        with pytest.raises(ChargeBusyElsewhere) as info:
            shop.claim(record("ch_new"), "Till 2")
        assert 1.8 <= time.monotonic() - started < 5.0
        holder.rollback()
    assert info.value.counter is None and "another counter" in str(info.value)
