"""The shop's home of the journal (`ShopJournal`) runs the same contract as this PC's SQLite home
— on a real PostgreSQL: each counter its own file, one server — plus what only a shop has."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_gui.journal import ChargeBusy, Journal, NeedsManager, State, reasons
from cashier_gui.journal.shop import ShopJournal
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.shop import ShopServer
from cashier_gui.shop import State as ShopState
from tests.shop.people_support import PINS, sign_in, staff
from tests.support.journal_contract import JournalContract, new, prepare, sent
from tests.support.pg import PgServer


class ShopHome:
    """Counters of one shop: each counter its own SQLite file (its PC), one shop server."""

    def __init__(self, folder: Path, url: str, lease_seconds: int = 30) -> None:
        self.folder, self.url, self.lease_seconds = folder, url, lease_seconds
        self.opened: list[ShopJournal] = []

    def open(self, counter: str | None = None) -> Journal:
        name = counter or "Till 1"
        local = SqliteJournal(self.folder / f"{name.replace(' ', '_')}.sqlite3", counter=name)
        server = ShopServer(self.url, lease_seconds=self.lease_seconds, wait_s=3)
        journal = ShopJournal(local, server)
        self.opened.append(journal)
        return journal

    def kill(self, journal: Journal) -> None:
        """As a killed process: its file lock goes, the server hears nothing more."""
        assert isinstance(journal, ShopJournal)
        journal.stop()
        journal.local.close()
        journal.server.close()

    def close_all(self) -> None:
        for journal in self.opened:
            journal.stop()
            journal.server.close()


class TestShopHome(JournalContract):
    @pytest.fixture
    def home(self, tmp_path: Path, shop_url: str) -> Iterator[ShopHome]:
        made = ShopHome(tmp_path, shop_url)
        yield made
        made.close_all()


@pytest.fixture
def home(tmp_path: Path, shop_url: str) -> Iterator[ShopHome]:
    made = ShopHome(tmp_path, shop_url, lease_seconds=5)
    yield made
    made.close_all()


def test_every_step_reaches_the_server_before_the_next(home: ShopHome, shop: ShopServer) -> None:
    j = home.open("Till 1")
    a = prepare(j, 1, "ch_s")
    assert [x.state for x in shop.attempts(charge_id="ch_s")] == [ShopState.PREPARED]
    j.send_or_cancel(a, lambda: False)
    assert [x.state for x in shop.attempts(charge_id="ch_s")] == [ShopState.SENT]
    j.transition(a, State.APPROVED, refund_id="rf_s")
    [there] = shop.attempts(charge_id="ch_s")
    assert there.state is ShopState.APPROVED and there.refund_id == "rf_s"
    assert there.transaction_reference == "REF-1" and there.terminal == "T1"


def test_a_claim_another_counter_holds_is_refused_and_cancelled_here(
    home: ShopHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    till1, till2 = home.open("Till 1"), home.open("Till 2")
    sent(till1, 1, "ch_x")
    with pytest.raises(ChargeBusy, match="Till 1 has a refund"):  # seen here first
        till2.prepare(new(2, "ch_x"))
    # The same when this counter had not heard of it yet: the server's claim refuses it.
    other = home.open("Till 3")
    assert isinstance(other, ShopJournal)
    monkeypatch.setattr(other, "_sync_charge", lambda charge_id: [])
    with pytest.raises(ChargeBusy, match="Till 1"):
        other.prepare(new(3, "ch_x"))
    till2 = other
    # Till 3's file: its refused attempt is cancelled, with the reason in words.
    mine = till2.query(counter="Till 3", limit=None)
    assert [(a.state, a.error_code) for a in mine] == [(State.CANCELLED, reasons.CLAIM_OPEN)]
    assert "Till 1" in (reasons.why(mine[0]) or "")


def test_an_unreachable_server_means_not_sent(home: ShopHome, pg_running: PgServer) -> None:
    j = home.open("Till 1")
    pg_running.stop()
    try:
        a = j.prepare(new(1, "ch_d"))
    finally:
        pg_running.start()
    assert a.state is State.NOT_SENT and a.error_code == reasons.SHOP_UNAVAILABLE
    assert j.unavailable is not None
    prepare(j, 2, "ch_d")  # back: the charge was never blocked by the refused one
    assert j.unavailable is None


def test_the_background_heartbeat_keeps_a_live_counters_lease(
    home: ShopHome, shop: ShopServer
) -> None:
    j = home.open("Till 1")
    assert isinstance(j, ShopJournal)
    j.start(listen=False)
    a = sent(j, 1, "ch_l")
    time.sleep(7)  # longer than the 5 s lease: only the heartbeat keeps it
    shop.expire_leases("Till 9")
    assert [x.state for x in shop.attempts(charge_id="ch_l")] == [ShopState.SENT]
    home.kill(j)
    time.sleep(6)
    shop.expire_leases("Till 9")  # silent now: may have been sent → unknown, never retried
    assert [x.state for x in shop.attempts(charge_id="ch_l")] == [ShopState.UNKNOWN]
    other = home.open("Till 2")
    assert [x.key for x in other.unknown()] == [a]


def test_the_approvers_pin_goes_with_the_claim_and_a_wrong_one_asks_for_a_manager(
    home: ShopHome, shop: ShopServer
) -> None:
    """Issue 21 hardening: the approval's PIN travels with the attempt to the server's claim
    (never into this PC's file); a PIN the server refuses cancels the attempt here, and the
    refund asks for a manager again — nothing is claimed at the shop."""
    staff(shop)
    cat = sign_in(shop, "Cat")
    j = home.open("Till 1")
    with pytest.raises(NeedsManager, match="Wrong PIN for Mia"):
        j.prepare(new(1, "ch_p", operator="Cat", approver="Mia", approver_pin="0000", session=cat))
    [refused] = j.query(counter="Till 1", limit=None)
    assert (refused.state, refused.error_code) == (State.CANCELLED, reasons.CLAIM_POLICY)
    assert shop.attempts(charge_id="ch_p") == []
    a = j.prepare(
        new(2, "ch_p", operator="Cat", approver="Mia", approver_pin=PINS["Mia"], session=cat)
    )
    [there] = shop.attempts(charge_id="ch_p")
    assert there.global_id == a.key and there.approver == "Mia"
    assert "approver_pin" not in repr(new(3, approver_pin="2468"))
    assert "2468" not in repr(new(3, approver_pin="2468"))
    assert cat not in repr(new(3, session=cat))


def test_a_claim_without_a_live_sign_in_is_cancelled_here_and_says_sign_in_again(
    home: ShopHome, shop: ShopServer
) -> None:
    """Schema 10: the shop takes the operator from the sign-in session. Without one (or an
    ended one) nothing is claimed or sent; this PC keeps the attempt as cancelled."""
    staff(shop)
    j = home.open("Till 1")
    with pytest.raises(ChargeBusy, match="Sign in again"):
        j.prepare(new(1, "ch_s", operator="Mia"))
    token = sign_in(shop, "Cat")
    shop.run(lambda conn: conn.execute("SELECT shop_session_end(%s, 'Till 1')", (token,)))
    with pytest.raises(ChargeBusy, match="has ended"):
        j.prepare(new(2, "ch_s", operator="Cat", session=token))
    kept = j.query(counter="Till 1", limit=None)
    assert {(a.state, a.error_code) for a in kept} == {(State.CANCELLED, reasons.CLAIM_SIGN_IN)}
    assert shop.attempts(charge_id="ch_s") == []
    a = j.prepare(new(3, "ch_s", operator="Cat", session=sign_in(shop, "Cat")))
    [there] = shop.attempts(charge_id="ch_s")
    assert (there.global_id, there.operator) == (a.key, "Cat")
