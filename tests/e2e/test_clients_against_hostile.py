"""The clients (cashier_gui/gateways) through the hostile server, each test named after the
contract clause it holds them to: duplicated keys, other amounts, huge and dripping answers,
answers that do not belong to the request, busy retries, pairing codes."""

from __future__ import annotations

import asyncio
import tracemalloc
import uuid
from collections.abc import Iterator

import pytest

from cashier_gui.gateways.base import (
    BadResponse,
    OutcomeUnknown,
    RefundRequest,
    RefundStatus,
    Timeouts,
)
from cashier_gui.gateways.poynt import PoyntClient
from cashier_gui.gateways.viopay import ViopayClient
from cashier_gui.money import Money
from cashier_gui.simulators import poynt as psim
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.support import hostile as H

MSK = bytes.fromhex(vsim.TRAINING_MSK_HEX)
CODE = psim.TRAINING_PAIRING_CODE


@pytest.fixture
def viopay() -> Iterator[tuple[vsim.ViopaySimulator, H.HostileServer]]:
    sim = vsim.ViopaySimulator()
    with ServerThread(sim.app) as up, H.HostileServer(up.url) as hostile:
        yield sim, hostile


def vclient(url: str, read: float = 2) -> ViopayClient:
    return ViopayClient(
        base_url=url,
        terminal_id=vsim.TRAINING_TERMINAL_ID,
        key_id=vsim.TRAINING_KEY_ID,
        hmac_secret=vsim.TRAINING_HMAC_SECRET,
        msk=MSK,
        timeouts=Timeouts(connect=2, read=read),
    )


def vreq(minor: int = 100, key: str | None = None) -> RefundRequest:
    return RefundRequest(
        "ch_train_eur_4990", Money(minor, "EUR"), None, "REF-H", key or uuid.uuid4().hex
    )


async def test_viopay_client_through_forward_and_without_kcv(
    viopay: tuple[vsim.ViopaySimulator, H.HostileServer],
) -> None:
    _, hostile = viopay
    c = vclient(hostile.url)
    try:
        assert (await c.refund(vreq(100))).status is RefundStatus.APPROVED
        hostile.then(
            H.viopay_answer(
                MSK,
                {
                    "refund_id": "rf_nokcv",
                    "status": "approved",
                    "amount": {"value": "100", "currency": "EUR"},
                },
                with_kcv=False,
            )
        )
        assert (await c.refund(vreq(100))).refund_id == "rf_nokcv"
    finally:
        await c.aclose()


async def test_viopay_duplicated_status_is_not_an_answer(
    viopay: tuple[vsim.ViopaySimulator, H.HostileServer],
) -> None:
    _, hostile = viopay
    plaintext = H.json_with_duplicates(
        [
            ("refund_id", "rf_dup"),
            ("status", "declined"),
            ("amount", {"value": "100", "currency": "EUR"}),
            ("status", "approved"),
        ]
    )
    hostile.then(H.status_after_forward(200, H.viopay_answer(MSK, plaintext).args["body"]))
    c = vclient(hostile.url)
    try:
        with pytest.raises(OutcomeUnknown):
            await c.refund(vreq(100))
    finally:
        await c.aclose()


async def test_viopay_answer_for_another_amount_is_not_an_answer(
    viopay: tuple[vsim.ViopaySimulator, H.HostileServer],
) -> None:
    _, hostile = viopay
    c = vclient(hostile.url)
    try:
        await c.refund(vreq(100))
        hostile.then(H.swap(0))  # the 250 refund is made; the answer is the 100 one's
        with pytest.raises(OutcomeUnknown):
            await c.refund(vreq(250))
    finally:
        await c.aclose()


async def test_viopay_client_does_not_swallow_a_huge_body(
    viopay: tuple[vsim.ViopaySimulator, H.HostileServer],
) -> None:
    _, hostile = viopay
    hostile.then(H.bloat(40_000_000))
    c = vclient(hostile.url)
    tracemalloc.start()
    try:
        with pytest.raises(BadResponse):
            await c.refund(vreq(100))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await c.aclose()
    assert peak < 8_000_000, peak


async def test_viopay_client_gives_up_on_a_drip(
    viopay: tuple[vsim.ViopaySimulator, H.HostileServer],
) -> None:
    _, hostile = viopay
    hostile.then(H.drip(25, max_seconds=30))  # ~300 bytes at 25 B/s: 12 s, every read < 1 s
    c = vclient(hostile.url, read=1)
    try:
        with pytest.raises(OutcomeUnknown):
            await asyncio.wait_for(c.refund(vreq(100)), 6)  # read timeout 1 s: give up long before
    finally:
        await c.aclose()


# ---- Poynt ----------------------------------------------------------------------------------------


@pytest.fixture
def poynt() -> Iterator[tuple[psim.PoyntSimulator, H.HostileServer]]:
    terminal = psim.PoyntSimulator()
    with ServerThread(terminal.app) as up, H.HostileServer(up.url) as hostile:
        yield terminal, hostile


def pclient(hostile: H.HostileServer, code: str = CODE, read: float = 2) -> PoyntClient:
    return PoyntClient(
        host=hostile.host, port=hostile.port, pairing_code=code, timeouts=Timeouts(1, read)
    )


def preq(minor: int | None = 100, rid: str | None = None) -> RefundRequest:
    amount = Money(minor, "USD") if minor is not None else None
    return RefundRequest("txn_train_usd_2500", amount, None, "REF-P", rid or str(uuid.uuid4()))


def poynt_refund_answer(
    rid: str, *, href: str = "txn_train_usd_2500", currency: str = "USD", count: int = 1
) -> dict[str, object]:
    txn = {
        "id": str(uuid.uuid4()),
        "action": "REFUND",
        "status": "REFUNDED",
        "amounts": {"transactionAmount": 100, "currency": currency},
        "links": [{"href": href, "method": "GET", "rel": "CAPTURE"}],
    }
    return {"poyntRequestId": rid, "payment": {"status": "REFUNDED", "transactions": [txn] * count}}


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param({"rid": "other"}, id="another-request-id"),
        pytest.param({"href": "txn_someone_else"}, id="links-to-another-transaction"),
        pytest.param({"currency": "EUR"}, id="another-currency"),
        pytest.param({"count": 2}, id="two-refund-transactions"),
    ],
)
async def test_poynt_answers_that_do_not_belong_to_the_request(
    poynt: tuple[psim.PoyntSimulator, H.HostileServer], forged: dict[str, object]
) -> None:
    _, hostile = poynt
    rid = str(uuid.uuid4())
    args = dict(forged)
    answer_rid = str(uuid.uuid4()) if args.pop("rid", None) else rid
    hostile.then(H.poynt_answer(CODE, poynt_refund_answer(answer_rid, **args)))  # type: ignore[arg-type]
    c = pclient(hostile)
    try:
        with pytest.raises(OutcomeUnknown):
            await c.refund(preq(100, rid))
    finally:
        await c.aclose()


async def test_poynt_busy_on_the_retry_leaves_the_outcome_unknown(
    poynt: tuple[psim.PoyntSimulator, H.HostileServer],
) -> None:
    terminal, hostile = poynt
    terminal.push("drop_after_commit")
    terminal.push("busy")
    c = pclient(hostile)
    try:
        with pytest.raises(OutcomeUnknown):
            await c.refund(preq(100))
    finally:
        await c.aclose()
    assert len(terminal.refunds) == 1


async def test_poynt_pairing_with_a_lower_case_typed_code(
    poynt: tuple[psim.PoyntSimulator, H.HostileServer],
) -> None:
    _, hostile = poynt
    c = pclient(hostile, code=CODE.lower())
    try:
        assert await c.pair() == psim.SERIAL
    finally:
        await c.aclose()


async def test_poynt_replayed_answer_for_the_same_id_is_fine(
    poynt: tuple[psim.PoyntSimulator, H.HostileServer],
) -> None:
    terminal, hostile = poynt
    hostile.then(H.drop_after())  # made, no answer: the client asks again with the same id
    c = pclient(hostile)
    try:
        out = await c.refund(preq(100))
    finally:
        await c.aclose()
    assert out.status is RefundStatus.APPROVED and len(terminal.refunds) == 1
    assert hostile.recorded[0].body == hostile.recorded[1].body
