"""RefundService with the real Viopay client, the simulator as a real server, a real SQLite file."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cashier_gui.gateways.base import Timeouts
from cashier_gui.journal import State
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.money import Money
from cashier_gui.refunds import RefundBlocked, RefundService
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.e2e.test_viopay_client import client_for


@pytest.fixture
async def service(viopay_server: ServerThread, tmp_path: Path) -> AsyncIterator[RefundService]:
    svc = RefundService(
        client_for(viopay_server.url, timeouts=Timeouts(connect=1, read=0.5)),
        SqliteJournal(tmp_path / "journal.sqlite3"),
        terminal="TRAIN-001",
        operator="test",
    )
    yield svc
    await svc.aclose()
    svc.journal.close()


def server_refunds(sim: vsim.ViopaySimulator, charge: str) -> list[vsim.SimRefund]:
    return [r for r in sim.charges[charge].refunds if r.transaction_reference]


async def test_partial_refund_is_journaled_and_approved(
    service: RefundService, viopay_sim: vsim.ViopaySimulator
) -> None:
    seen: list[State] = []
    view = await service.lookup("ch_train_eur_4990")
    attempt = await service.refund(
        view,
        Money(1250, "EUR"),
        "customer_request",
        "scratched",
        on_sent=lambda a: seen.append(a.state),
    )
    assert seen == [State.SENT]
    assert attempt.state is State.APPROVED and attempt.refund_id
    assert attempt.note == "scratched" and attempt.operator == "test"
    assert (attempt.card_brand, attempt.card_last4) == ("VISA", "4242")  # from the look-up
    [refund] = server_refunds(viopay_sim, "ch_train_eur_4990")
    assert refund.refund_id == attempt.refund_id
    assert refund.transaction_reference == attempt.transaction_reference


async def test_full_refund_sends_the_remainder(service: RefundService) -> None:
    view = await service.lookup("ch_train_eur_partly")
    attempt = await service.refund(view, None, "wrong_item")
    assert attempt.amount == Money(9000, "EUR") and attempt.state is State.APPROVED


@pytest.mark.parametrize(
    ("charge", "amount", "says"),
    [
        ("ch_train_eur_4990", Money(4991, "EUR"), "At most"),
        ("ch_train_eur_4990", Money(100, "USD"), "in EUR"),
        ("ch_train_declined", Money(100, "EUR"), "declined"),
        ("ch_train_pending", Money(100, "EUR"), "pending"),
        ("ch_train_fully_refunded", None, "fully refunded"),
    ],
)
async def test_refused_before_sending_and_nothing_written(
    service: RefundService,
    viopay_sim: vsim.ViopaySimulator,
    charge: str,
    amount: Money | None,
    says: str,
) -> None:
    view = await service.lookup(charge)
    before = viopay_sim.requests_seen
    with pytest.raises(RefundBlocked, match=says):
        await service.refund(view, amount, "customer_request")
    assert viopay_sim.requests_seen == before
    assert service.journal.count() == 0


@pytest.mark.parametrize(
    "fault",
    ["drop_after_commit", "error500_after_commit", "timeout", "error500", "drop_before_commit"],
)
async def test_lost_answers_end_with_exactly_one_refund(
    service: RefundService, viopay_sim: vsim.ViopaySimulator, fault: str
) -> None:
    viopay_sim.faults.push(fault)
    viopay_sim.faults.hang_seconds = 1.0
    view = await service.lookup("ch_train_eur_4990")
    attempt = await service.refund(view, Money(700, "EUR"), "customer_request")
    assert attempt.state is State.UNKNOWN
    # A new refund on the charge is refused until this one is resolved.
    with pytest.raises(RefundBlocked, match="no answer yet"):
        await service.refund(await service.lookup("ch_train_eur_4990"), Money(1, "EUR"), None)
    [done] = await service.reconcile_all()
    assert done.state is State.APPROVED
    refunds = server_refunds(viopay_sim, "ch_train_eur_4990")
    assert len(refunds) == 1 and refunds[0].refund_id == done.refund_id
    assert service.journal.verify() == []


async def test_rejected_refund_is_failed_not_unknown(
    service: RefundService, viopay_sim: vsim.ViopaySimulator
) -> None:
    view = await service.lookup("ch_train_eur_4990")
    # Someone else refunds 45.00 meanwhile: the server now refuses what the view allowed.
    viopay_sim.charges["ch_train_eur_4990"].refunds.append(
        vsim.SimRefund("rf_other", "approved", Money(4500, "EUR"), None, None, viopay_sim.clock())
    )
    attempt = await service.refund(view, Money(1000, "EUR"), None)
    assert attempt.state is State.FAILED and attempt.error_code == "4000" and attempt.trace_id


async def test_cancelled_in_flight_is_recorded_as_unknown(
    service: RefundService, viopay_sim: vsim.ViopaySimulator
) -> None:
    viopay_sim.faults.push("timeout")
    viopay_sim.faults.hang_seconds = 1.0
    view = await service.lookup("ch_train_eur_4990")
    sent = asyncio.Event()
    task = asyncio.ensure_future(
        service.refund(view, Money(100, "EUR"), None, on_sent=lambda _: sent.set())
    )
    await asyncio.wait_for(sent.wait(), 10)  # `sent` is durable: from here it may be out there
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [attempt] = service.journal.query()
    assert attempt.state is State.UNKNOWN


async def test_one_refund_at_a_time_per_charge(
    service: RefundService, viopay_sim: vsim.ViopaySimulator
) -> None:
    viopay_sim.faults.delay_ms = 200
    view = await service.lookup("ch_train_eur_4990")
    results = await asyncio.gather(
        service.refund(view, Money(100, "EUR"), None),
        service.refund(view, Money(100, "EUR"), None),
        return_exceptions=True,
    )
    assert sum(isinstance(r, RefundBlocked) for r in results) == 1
    assert len(server_refunds(viopay_sim, "ch_train_eur_4990")) == 1


async def test_pending_is_rechecked_until_final(
    service: RefundService, viopay_sim: vsim.ViopaySimulator
) -> None:
    viopay_sim.faults.pending_settles_after = None
    view = await service.lookup("ch_train_gbp_refund_pending")
    attempt = await service.refund(view, Money(500, "GBP"), None)
    assert attempt.state is State.PENDING
    assert await service.recheck_pending() == []
    import datetime as dt

    viopay_sim.faults.pending_settles_after = dt.timedelta(0)
    [changed] = await service.recheck_pending()
    assert changed.state is State.APPROVED


async def test_randomized_faults_never_lose_or_double_a_refund(
    service: RefundService, viopay_sim: vsim.ViopaySimulator
) -> None:
    charges = [f"ch_rand_{i}" for i in range(12)]
    for cid in charges:
        viopay_sim.charges[cid] = vsim.SimCharge(
            cid, "approved", Money(100_000, "EUR"), "2026-01-01T00:00:00Z"
        )
    viopay_sim.faults.random_rate = 0.3
    viopay_sim.faults.rng = random.Random(20261122)
    rng = random.Random(7)
    for _ in range(200):
        cid = rng.choice(charges)
        try:
            view = await service.lookup(cid)
            await service.refund(view, Money(rng.randint(1, 900), "EUR"), "customer_request")
        except RefundBlocked:
            await service.reconcile_all()
    viopay_sim.faults.random_rate = 0
    left = [a for a in await service.reconcile_all() if not a.resolved]
    assert left == []
    approved = {a.refund_id: a for a in service.journal.query(states=[State.APPROVED], limit=None)}
    on_server = {
        r.refund_id: r
        for cid, r in viopay_sim.all_refunds()
        if r.status == "approved" and cid in charges
    }
    assert approved.keys() == on_server.keys()
    for rid, a in approved.items():
        assert rid is not None and a.amount == on_server[rid].amount
    for cid in charges:
        c = viopay_sim.charges[cid]
        assert c.refunded.minor <= c.amount.minor
    assert service.journal.count() >= 150
    assert service.journal.verify() == []
