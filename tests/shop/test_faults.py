"""The shop server going away: fail closed with ShopUnavailable, work again when it is back; the
listener hears changes within a second and survives a restart."""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from cashier_gui.money import Money
from cashier_gui.shop import (
    AttemptRecord,
    ChargeOpenElsewhere,
    Kind,
    Listener,
    ShopSchemaError,
    ShopServer,
    ShopUnavailable,
    State,
    parse_url,
)
from tests.support.pg import PgServer, free_port


def record(charge: str) -> AttemptRecord:
    return AttemptRecord(str(uuid.uuid4()), charge, Kind.REFUND, "poynt", Money(300, "USD"))


@pytest.fixture
def restored(pg_running: PgServer) -> Iterator[PgServer]:
    """The server; started again after the test, whatever it did to it."""
    yield pg_running
    if not pg_running.running:
        pg_running.start()


def test_no_server_at_all_is_unavailable_in_seconds() -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/shop"
    with ShopServer(url, wait_s=1.5) as shop:
        started = time.monotonic()
        with pytest.raises(ShopUnavailable) as info:
            shop.claim(record("ch_1"), "Till 1")
        assert time.monotonic() - started < 5
    assert "cannot be reached" in str(info.value) and "nothing was sent" in str(info.value)


def test_a_database_without_the_tables_says_run_shop_init(empty_db_url: str) -> None:
    with ShopServer(empty_db_url) as shop, pytest.raises(ShopSchemaError, match="shop init"):
        shop.claim(record("ch_1"), "Till 1")


def test_server_stopped_mid_claim_then_back(restored: PgServer, shop_url: str) -> None:
    shop = ShopServer(shop_url, wait_s=2, lock_timeout_s=30)
    try:
        shop.claim(record("ch_warm"), "Till 1")  # the pool holds a live connection
        r = record("ch_mid")
        holder = psycopg.connect(shop_url)
        holder.execute("INSERT INTO charges (charge_id) VALUES ('ch_mid')")
        outcome: queue.Queue[BaseException | object] = queue.Queue()

        def claim() -> None:
            try:
                outcome.put(shop.claim(r, "Till 1"))
            except BaseException as exc:
                outcome.put(exc)

        t = threading.Thread(target=claim)
        t.start()
        time.sleep(0.5)  # the claim now waits on the held row, inside its transaction
        restored.stop()
        t.join(10)
        assert isinstance(outcome.get_nowait(), ShopUnavailable)
        holder.close()
        # Down: every call fails closed, quickly.
        started = time.monotonic()
        with pytest.raises(ShopUnavailable):
            shop.heartbeat("Till 1")
        assert time.monotonic() - started < 5
        restored.start()
        # Back: the pool drops its dead connections and makes new ones; the lost claim was
        # rolled back, so the same key claims afresh.
        deadline = time.monotonic() + 10
        while True:
            try:
                claimed = shop.claim(r, "Till 1")
                break
            except ShopUnavailable:
                assert time.monotonic() < deadline, "the pool did not recover"
                time.sleep(0.2)
        assert not claimed.repeat and claimed.attempt.state is State.PREPARED
    finally:
        shop.close()


def test_a_restart_between_calls_is_not_noticed(restored: PgServer, shop_url: str) -> None:
    with ShopServer(shop_url, wait_s=5) as shop:
        shop.claim(record("ch_a"), "Till 1")
        restored.restart()
        # The pooled connection died with the restart: check_connection replaces it.
        assert shop.claim(record("ch_b"), "Till 1").attempt.state is State.PREPARED


def test_a_statement_past_its_timeout_is_unavailable(shop_url: str) -> None:
    with ShopServer(shop_url, statement_timeout_ms=300, lock_timeout_s=10) as shop:
        shop.claim(record("ch_slow"), "Till 1")
        with psycopg.connect(shop_url) as holder:
            holder.execute("SELECT 1 FROM charges WHERE charge_id = 'ch_slow' FOR UPDATE")
            started = time.monotonic()
            with pytest.raises(ShopUnavailable):
                shop.claim(record("ch_slow"), "Till 2")
            assert time.monotonic() - started < 3


def test_notifications_arrive_within_a_second_and_survive_a_restart(
    restored: PgServer, shop_url: str
) -> None:
    changes: queue.Queue[str] = queue.Queue()
    connects: queue.Queue[float] = queue.Queue()
    listener = Listener(
        parse_url(shop_url),
        on_change=changes.put,
        on_connected=lambda: connects.put(time.monotonic()),
        poll_s=0.2,
        retry_s=(0.2, 1.0),
    )
    with listener, ShopServer(shop_url, wait_s=5) as shop:
        connects.get(timeout=5)
        r = record("ch_live")
        started = time.monotonic()
        shop.claim(r, "Till 2")
        assert changes.get(timeout=1) == "ch_live"
        assert time.monotonic() - started < 1
        shop.heartbeat("Till 2")  # a lease refresh is not news
        shop.mark_sent(r.global_id, "Till 2")
        assert changes.get(timeout=1) == "ch_live"
        with pytest.raises(queue.Empty):
            changes.get(timeout=0.5)

        restored.restart()
        connects.get(timeout=10)  # reconnected: the caller re-reads everything now
        assert listener.reconnects == 1
        # The pool's first call after the restart may wait for a new connection; the
        # notification then comes within a second of the commit.
        shop.record_outcome(r.global_id, State.APPROVED, refund_id="re_live")
        committed = time.monotonic()
        assert changes.get(timeout=1) == "ch_live"
        assert time.monotonic() - committed < 1


def test_the_listener_keeps_trying_while_the_server_is_down(
    restored: PgServer, shop_url: str
) -> None:
    connects: queue.Queue[float] = queue.Queue()
    lost = threading.Event()
    restored.stop()
    listener = Listener(
        parse_url(shop_url),
        on_change=lambda charge: None,
        on_connected=lambda: connects.put(time.monotonic()),
        on_lost=lost.set,
        retry_s=(0.2, 0.5),
    )
    with listener:
        time.sleep(1.0)
        assert connects.empty() and not listener.connected.is_set()
        restored.start()
        connects.get(timeout=10)
        assert listener.connected.is_set()
        restored.stop()
        assert lost.wait(5)


def test_after_a_long_outage_the_first_call_works_and_calls_fail_fast_meanwhile(
    restored: PgServer, shop_url: str
) -> None:
    """The pool's own reconnection backs off (1, 2, 4, 8 s …); the server's return is noticed
    at the next call anyway, and while it is down each call fails at once."""
    with ShopServer(shop_url, wait_s=2) as shop:
        shop.heartbeat("Till 1")
        restored.stop()
        outage_end = time.monotonic() + 12
        calls = 0
        while time.monotonic() < outage_end:
            started = time.monotonic()
            with pytest.raises(ShopUnavailable):
                shop.heartbeat("Till 1")
            if calls:  # the first one may wait for the pool; after it, fail fast
                assert time.monotonic() - started < 1.0
            calls += 1
            time.sleep(0.5)
        restored.start()
        started = time.monotonic()
        assert shop.claim(record("ch_back"), "Till 1").attempt.state is State.PREPARED
        assert time.monotonic() - started < 3


_COUNTER = """
import sys, time, uuid
from cashier_gui.money import Money
from cashier_gui.shop import AttemptRecord, Kind, ShopServer
url, sent, prepared = sys.argv[1:4]
shop = ShopServer(url, lease_seconds=5)
for gid, charge in ((sent, "ch_sent"), (prepared, "ch_prepared")):
    shop.claim(AttemptRecord(gid, charge, Kind.REFUND, "viopay", Money(100, "EUR")), "Till 1")
shop.mark_sent(sent, "Till 1")
print("claimed", flush=True)
time.sleep(60)
"""


def eur(charge: str) -> AttemptRecord:
    return AttemptRecord(str(uuid.uuid4()), charge, Kind.REFUND, "viopay", Money(100, "EUR"))


def test_a_killed_counter_s_attempts_expire_when_its_lease_runs_out(shop_url: str) -> None:
    """SIGKILL between claim and send, and during send (as far as the server can tell): after
    the lease, the sent one is unknown shop-wide (never retried) and the unsent one cancelled;
    a living counter's heartbeat keeps its own attempt open."""
    import subprocess
    import sys

    from tests.support.cli import ROOT

    sent, prepared = str(uuid.uuid4()), str(uuid.uuid4())
    proc = subprocess.Popen(
        [sys.executable, "-c", _COUNTER, shop_url, sent, prepared],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "claimed"
    finally:
        proc.kill()
        proc.communicate(timeout=10)  # reaps it and closes its pipe
    with ShopServer(shop_url, lease_seconds=5) as till2:
        mine = record("ch_mine")
        till2.claim(mine, "Till 2")
        assert till2.expire_leases("Till 2") == []  # not yet: the lease has 5 s
        deadline = time.monotonic() + 6.5
        while time.monotonic() < deadline:
            till2.heartbeat("Till 2")
            time.sleep(1)
        expired = {(e.global_id, e.after) for e in till2.expire_leases("Till 2")}
        assert expired == {(sent, State.UNKNOWN), (prepared, State.CANCELLED)}
        assert till2.attempt(mine.global_id).state is State.PREPARED  # type: ignore[union-attr]
        assert [a.global_id for a in till2.unknown()] == [sent]
        with pytest.raises(ChargeOpenElsewhere) as info:
            till2.claim(eur("ch_sent"), "Till 2")
        assert info.value.counter == "Till 1" and info.value.state == "unknown"
        # The cancelled charge is free again.
        assert till2.claim(eur("ch_prepared"), "Till 2").attempt.state is State.PREPARED


def test_a_link_that_never_answers_is_unavailable_within_the_deadline(shop_url: str) -> None:
    """Black hole (everything ACKed, nothing answered): neither the server's timeouts nor TCP's
    notice it; the client-side deadline does. Then the link comes back, and so does the shop."""
    from tests.support.tcpproxy import TcpProxy

    port = int(shop_url.split(":")[2].split("/")[0])
    with TcpProxy(port) as proxy:
        url = shop_url.replace(f":{port}/", f":{proxy.port}/")
        with ShopServer(url, statement_timeout_ms=1000, wait_s=2) as shop:
            assert shop.deadline_s == 4
            shop.claim(record("ch_ok"), "Till 1")
            proxy.blackhole.set()
            started = time.monotonic()
            with pytest.raises(ShopUnavailable):
                shop.claim(record("ch_hole"), "Till 1")
            took = time.monotonic() - started
            # The deadline ends the pooled connection's wait; the direct probe that follows
            # has the connect timeout (5 s) at most.
            assert 3.5 < took < 4 + 5 + 2, took
            started = time.monotonic()
            with pytest.raises(ShopUnavailable):  # the probe's connect_timeout, no longer
                shop.heartbeat("Till 1")
            assert time.monotonic() - started < 8
            proxy.blackhole.clear()
            proxy.drop()
            assert shop.claim(record("ch_back"), "Till 1").attempt.state is State.PREPARED
            proxy.drop()  # a reset between calls: the pool's check replaces the connection
            started = time.monotonic()
            assert shop.claim(record("ch_again"), "Till 1").attempt.state is State.PREPARED
            assert time.monotonic() - started < 2


def test_the_listener_notices_a_link_that_never_answers(shop_url: str) -> None:
    from tests.support.tcpproxy import TcpProxy

    port = int(shop_url.split(":")[2].split("/")[0])
    connects: queue.Queue[float] = queue.Queue()
    lost = threading.Event()
    with TcpProxy(port) as proxy:
        url = shop_url.replace(f":{port}/", f":{proxy.port}/")
        listener = Listener(
            parse_url(url),
            on_change=lambda charge: None,
            on_connected=lambda: connects.put(time.monotonic()),
            on_lost=lost.set,
            poll_s=0.2,
            retry_s=(0.2, 0.5),
            ping_s=1.0,
        )
        with listener:
            connects.get(timeout=5)
            proxy.blackhole.set()
            started = time.monotonic()
            assert lost.wait(8)
            assert time.monotonic() - started < 4
            proxy.blackhole.clear()
            connects.get(timeout=10)  # back: LISTEN again, re-read
