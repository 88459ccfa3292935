"""Issue 11's scenarios end to end: the refund service and a real client, through the hostile
server (tests/support/hostile.py) in front of a real simulator, all on loopback.

Every test ends with the same question: does the gateway hold exactly the refunds the journal
says were made — none lost, none made twice?
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from cashier_gui.gateways.base import Timeouts
from cashier_gui.gateways.poynt import PoyntClient
from cashier_gui.gateways.viopay import ViopayClient
from cashier_gui.journal import State
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.money import Money
from cashier_gui.refunds import ChargeView, RefundBlocked, RefundService
from cashier_gui.simulators import poynt as psim
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.support import hostile as H

MSK = bytes.fromhex(vsim.TRAINING_MSK_HEX)
CHARGE = "ch_train_eur_4990"
EUR2 = Money(200, "EUR")


@pytest.fixture
def sim() -> vsim.ViopaySimulator:
    return vsim.ViopaySimulator()


@pytest.fixture
def hostile(sim: vsim.ViopaySimulator) -> Iterator[H.HostileServer]:
    with ServerThread(sim.app) as up, H.HostileServer(up.url) as server:
        yield server


def open_service(url: str, journal: Path, read: float = 2) -> RefundService:
    client = ViopayClient(
        base_url=url,
        terminal_id=vsim.TRAINING_TERMINAL_ID,
        key_id=vsim.TRAINING_KEY_ID,
        hmac_secret=vsim.TRAINING_HMAC_SECRET,
        msk=MSK,
        timeouts=Timeouts(connect=1, read=read),
    )
    return RefundService(client, SqliteJournal(journal), terminal="T1", operator="test")


@pytest.fixture
async def service(hostile: H.HostileServer, tmp_path: Path) -> AsyncIterator[RefundService]:
    s = open_service(hostile.url, tmp_path / "journal.sqlite3")
    yield s
    await s.aclose()
    s.journal.close()


def gateway_refunds(sim: vsim.ViopaySimulator) -> list[tuple[str, int, str | None]]:
    return [
        (r.refund_id, r.amount.minor, r.transaction_reference)
        for _, r in sim.all_refunds()
        if r.transaction_reference  # the training set's earlier refunds have none
    ]


async def agree(service: RefundService, sim: vsim.ViopaySimulator) -> None:
    """The journal's made refunds and the gateway's are the same set; the chain verifies."""
    attempts = await service._db(service.journal.query, limit=None)
    made = {
        (a.refund_id, a.amount_minor, a.transaction_reference)
        for a in attempts
        if a.state in (State.APPROVED, State.PENDING)
    }
    assert made == set(gateway_refunds(sim))
    assert len(gateway_refunds(sim)) == len(made)
    assert await service._db(service.journal.verify) == []


async def lose_first_send(service: RefundService, hostile: H.HostileServer, applied: bool) -> str:
    hostile.then(H.forward(), H.drop_after() if applied else H.drop_before())
    view = await service.lookup(CHARGE)
    attempt = await service.refund(view, EUR2, None)
    assert attempt.state is State.UNKNOWN
    return attempt.key


@pytest.mark.parametrize(
    "answer",
    [
        H.status(401, b'{"error":{"code":"4001","message":"nonce already used"}}'),
        H.status(500, b'{"error":{"code":"5000","message":"Gateway processing error"}}'),
        H.status(429, b""),
        H.drop_before(),
    ],
    ids=["401", "500", "429", "refused"],
)
async def test_a_rejected_resend_never_settles_the_refund(
    service: RefundService,
    hostile: H.HostileServer,
    sim: vsim.ViopaySimulator,
    answer: H.Play,
) -> None:
    """Scenario 1: the re-send of a lost refund is answered 401/500/429 or meets a refused
    connection: the refund stays unknown and the charge blocked — no second refund."""
    attempt_id = await lose_first_send(service, hostile, applied=False)
    hostile.then(H.forward(), answer)  # the lookup (no refund there), then the re-send
    after = await service.reconcile(attempt_id)
    assert after.state is State.UNKNOWN
    with pytest.raises(RefundBlocked, match="no answer yet"):
        await service.refund(await service.lookup(CHARGE), EUR2, None)
    settled = await service.reconcile(attempt_id)  # the network is back
    assert settled.state is State.APPROVED
    assert len(gateway_refunds(sim)) == 1
    await agree(service, sim)


async def test_a_late_commit_with_a_refused_resend_is_found_later(
    service: RefundService, hostile: H.HostileServer, sim: vsim.ViopaySimulator
) -> None:
    """Scenario 7's last case: the original committed, the re-send met a refused connection:
    not 'failed' — the next check finds the refund by its reference."""
    attempt_id = await lose_first_send(service, hostile, applied=True)
    hostile.then(H.drop_before())  # the lookup itself fails
    assert (await service.reconcile_all())[0].state is State.UNKNOWN
    settled = await service.reconcile(attempt_id)
    assert settled.state is State.APPROVED and settled.refund_id == gateway_refunds(sim)[0][0]
    assert len(gateway_refunds(sim)) == 1
    await agree(service, sim)


async def test_a_swapped_answer_is_not_the_refunds_own(
    service: RefundService, hostile: H.HostileServer, sim: vsim.ViopaySimulator
) -> None:
    """The second refund is made upstream but answered with the first one's (captured) answer:
    the refund ID belongs to another attempt, so it stays unknown until the lookup shows it."""
    view = await service.lookup(CHARGE)
    first = await service.refund(view, EUR2, None)
    assert first.state is State.APPROVED
    refund_exchange = len(hostile.recorded) - 1
    hostile.then(H.forward(), H.swap(refund_exchange))
    second = await service.refund(await service.lookup(CHARGE), EUR2, None)
    assert second.state is State.UNKNOWN and second.error_code == "REPLAYED"
    settled = await service.reconcile(second.key)
    assert settled.state is State.APPROVED and settled.refund_id != first.refund_id
    assert len(gateway_refunds(sim)) == 2
    await agree(service, sim)


async def test_a_replayed_answer_never_shows_a_refund_that_was_not_made(
    service: RefundService, hostile: H.HostileServer, sim: vsim.ViopaySimulator
) -> None:
    view = await service.lookup(CHARGE)
    assert (await service.refund(view, EUR2, None)).state is State.APPROVED
    refund_exchange = len(hostile.recorded) - 1
    hostile.then(H.forward(), H.replay(refund_exchange))  # not forwarded: nothing made
    replayed = await service.refund(await service.lookup(CHARGE), EUR2, None)
    assert replayed.state is State.UNKNOWN
    assert len(gateway_refunds(sim)) == 1
    settled = await service.reconcile(replayed.key)  # the re-send makes it, once
    assert settled.state is State.APPROVED and len(gateway_refunds(sim)) == 2
    await agree(service, sim)


async def test_an_answer_for_another_amount_leaves_it_unknown(
    service: RefundService, hostile: H.HostileServer, sim: vsim.ViopaySimulator
) -> None:
    hostile.then(
        H.forward(),
        H.viopay_answer(
            MSK,
            {
                "refund_id": "rf_forged",
                "status": "approved",
                "amount": {"value": "999999", "currency": "USD"},
            },
        ),
    )
    attempt = await service.refund(await service.lookup(CHARGE), EUR2, None)
    assert attempt.state is State.UNKNOWN and attempt.refund_id is None


async def test_duplicated_keys_leave_it_unknown(
    service: RefundService, hostile: H.HostileServer
) -> None:
    hostile.then(
        H.forward(),
        H.viopay_answer(
            MSK,
            H.json_with_duplicates(
                [
                    ("refund_id", "rf_dup"),
                    ("status", "declined"),
                    ("amount", {"value": "200", "currency": "EUR"}),
                    ("status", "approved"),
                ]
            ),
        ),
    )
    attempt = await service.refund(await service.lookup(CHARGE), EUR2, None)
    assert attempt.state is State.UNKNOWN


@pytest.mark.parametrize("play", [H.drip(2, headers_at_once=True), H.bloat(500_000_000)], ids=str)
async def test_drip_and_bloat_leave_it_unknown_within_the_deadline(
    hostile: H.HostileServer, sim: vsim.ViopaySimulator, tmp_path: Path, play: H.Play
) -> None:
    service = open_service(hostile.url, tmp_path / "j.sqlite3", read=1)
    loop = asyncio.get_running_loop()
    try:
        hostile.then(H.forward(), play)
        view = await service.lookup(CHARGE)
        started = loop.time()
        attempt = await service.refund(view, EUR2, None)
        assert loop.time() - started < 6  # connect 1 s + read 1 s, with room for a slow CI
        assert attempt.state is State.UNKNOWN
        assert (await service.reconcile(attempt.key)).state is State.APPROVED
        assert len(gateway_refunds(sim)) == 1  # made once: by the first send or the re-send
        await agree(service, sim)
    finally:
        await service.aclose()
        service.journal.close()


async def test_a_second_process_never_settles_a_live_refund(
    hostile: H.HostileServer, sim: vsim.ViopaySimulator, tmp_path: Path
) -> None:
    """Scenario 7: while one process is still waiting for its answer, another one starting up
    (recovery) and reconciling leaves that refund alone."""
    path = tmp_path / "shared.sqlite3"
    live = open_service(hostile.url, path, read=4)
    other = open_service(hostile.url, path)
    try:
        view = await live.lookup(CHARGE)
        hostile.then(H.drip(150, headers_at_once=True))  # the answer takes ≈ 2 s
        sending = asyncio.ensure_future(live.refund(view, EUR2, None))
        for _ in range(100):
            await asyncio.sleep(0.02)
            rows = await other._db(other.journal.for_charge, CHARGE)
            if rows and rows[0].state is State.SENT:
                break
        assert rows and rows[0].state is State.SENT and not sending.done()
        assert await other.recover() == []
        assert await other.reconcile_all() == []
        with pytest.raises(RefundBlocked, match="being sent right now"):
            await other.refund(await other.lookup(CHARGE), EUR2, None)
        attempt = await sending
        assert attempt.state is State.APPROVED
        assert len(gateway_refunds(sim)) == 1
        await agree(live, sim)
    finally:
        for s in (live, other):
            await s.aclose()
            s.journal.close()


# ---- Poynt: replayed signed answers on the shop LAN ----------------------------------------


@pytest.fixture
def terminal() -> psim.PoyntSimulator:
    return psim.PoyntSimulator()


@pytest.fixture
async def poynt(
    terminal: psim.PoyntSimulator, tmp_path: Path
) -> AsyncIterator[tuple[RefundService, H.HostileServer]]:
    with ServerThread(terminal.app) as up, H.HostileServer(up.url) as hostile:
        client = PoyntClient(
            host=hostile.host,
            port=hostile.port,
            pairing_code=psim.TRAINING_PAIRING_CODE,
            timeouts=Timeouts(connect=1, read=2),
            currency="USD",
            retries_after_timeout=0,
        )
        service = RefundService(
            client, SqliteJournal(tmp_path / "p.sqlite3"), terminal="p", operator="t"
        )
        yield service, hostile
        await service.aclose()
        service.journal.close()


async def test_poynt_replayed_approval_is_not_a_refund(
    poynt: tuple[RefundService, H.HostileServer], terminal: psim.PoyntSimulator
) -> None:
    service, hostile = poynt
    usd5 = Money(500, "USD")
    first = await service.refund(ChargeView("txn_train_usd_2500", None, ()), usd5, None)
    assert first.state is State.APPROVED
    hostile.then(H.replay(0), H.replay(0))  # the captured signed answer, twice more
    for txn in ("txn_train_usd_partly", "txn_train_usd_2500"):
        attempt = await service.refund(await service.lookup(txn), usd5, None)
        assert attempt.state is State.UNKNOWN
    assert len(terminal.refunds) == 1


async def test_poynt_captured_error_in_place_of_a_committed_refund(
    poynt: tuple[RefundService, H.HostileServer], terminal: psim.PoyntSimulator
) -> None:
    """A signed error captured earlier is answered in place of the real (committed) refund:
    the window must not say "nothing was refunded"."""
    service, hostile = poynt
    refused = await service.refund(
        ChargeView("txn_train_usd_2500", None, ()), Money(999999, "USD"), None
    )
    assert refused.state is State.FAILED  # a real, bound refusal (over the amount)
    hostile.then(H.swap(0))  # the next refund is made, answered with that error
    attempt = await service.refund(
        await service.lookup("txn_train_usd_2500"), Money(500, "USD"), None
    )
    assert attempt.state is State.UNKNOWN
    assert terminal.transactions["txn_train_usd_2500"].refunded == 500
    settled = await service.reconcile(attempt.key)  # same poyntRequestId: from memory
    assert settled.state is State.APPROVED
    made = [r for r in terminal.refunds if r["status"] == "REFUNDED"]
    assert [r["poyntRequestId"] for r in made] == [attempt.idempotency_key]
