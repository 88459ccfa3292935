"""Voiding today's sale, end to end against the simulators as real loopback servers: through
the same journal as refunds, never doubled, reconciled the same way."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from cashier_gui.gateways.base import BadRequest, RefundRequest, RefundStatus, Timeouts
from cashier_gui.gateways.poynt import PoyntClient
from cashier_gui.gateways.viopay import ViopayClient
from cashier_gui.journal import Kind, State, reasons
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.money import Money
from cashier_gui.refunds import ChargeView, RefundBlocked, RefundService
from cashier_gui.simulators import poynt as psim
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.support import cli as support_cli

TODAY = "ch_train_eur_today_2450"
SETTLED = "ch_train_eur_4990"


def viopay_client(url: str) -> ViopayClient:
    return ViopayClient(
        base_url=url,
        terminal_id=vsim.TRAINING_TERMINAL_ID,
        key_id=vsim.TRAINING_KEY_ID,
        hmac_secret=vsim.TRAINING_HMAC_SECRET,
        msk=bytes.fromhex(vsim.TRAINING_MSK_HEX),
        timeouts=Timeouts(connect=2, read=2),
    )


@pytest.fixture
async def service(viopay_server: ServerThread, tmp_path: Path) -> AsyncIterator[RefundService]:
    s = RefundService(
        viopay_client(viopay_server.url),
        SqliteJournal(tmp_path / "journal.sqlite3"),
        terminal="T1",
        operator="test",
    )
    yield s
    await s.aclose()
    s.journal.close()


async def test_void_of_an_unsettled_sale_cancels_it_once(
    service: RefundService, viopay_sim: vsim.ViopaySimulator
) -> None:
    view = await service.lookup(TODAY)
    assert view.charge is not None and view.charge.settled is False
    assert view.void_blocked_reason() is None
    attempt = await service.void(view, "customer changed their mind")
    assert attempt.kind is Kind.VOID and attempt.state is State.APPROVED
    assert attempt.amount == Money(2450, "EUR")
    assert viopay_sim.charges[TODAY].status == "cancelled"
    after = await service.lookup(TODAY)
    assert "cancelled" in (after.blocked_reason() or "") or "voided" in (
        after.blocked_reason() or ""
    )
    with pytest.raises(RefundBlocked):
        await service.void(after)
    with pytest.raises(RefundBlocked):
        await service.refund(after, Money(100, "EUR"), None)


async def test_void_of_a_settled_sale_is_refused_with_the_refund_hint(
    service: RefundService, viopay_server: ServerThread, viopay_sim: vsim.ViopaySimulator
) -> None:
    view = await service.lookup(SETTLED)
    with pytest.raises(RefundBlocked, match="refund it instead"):
        await service.void(view)
    assert await service._db(service.journal.count) == 0
    # the server says the same to a client that asks anyway
    client = viopay_client(viopay_server.url)
    with pytest.raises(BadRequest, match="use refund"):
        await client.void(RefundRequest(SETTLED, None, None, "R", str(uuid.uuid4())))
    await client.aclose()
    assert viopay_sim.charges[SETTLED].status == "approved"


async def test_the_same_void_twice_answers_the_same_and_cancels_once(
    viopay_server: ServerThread, viopay_sim: vsim.ViopaySimulator
) -> None:
    client = viopay_client(viopay_server.url)
    request = RefundRequest(TODAY, Money(2450, "EUR"), None, "R-1", str(uuid.uuid4()))
    first = await client.void(request)
    again = await client.void(request)
    other_key = await client.void(
        RefundRequest(TODAY, Money(2450, "EUR"), None, "R-2", str(uuid.uuid4()))
    )
    await client.aclose()
    assert first.status is again.status is other_key.status is RefundStatus.APPROVED
    assert first.raw == again.raw == other_key.raw  # a cancelled charge answers the same
    assert viopay_sim.charges[TODAY].status == "cancelled"


@pytest.mark.parametrize("fault", ["drop_after_commit", "drop_before_commit", "error500"])
async def test_a_lost_void_is_reconciled_to_one_void(
    service: RefundService, viopay_sim: vsim.ViopaySimulator, fault: str
) -> None:
    viopay_sim.faults.push(fault)
    attempt = await service.void(await service.lookup(TODAY))
    assert attempt.state is State.UNKNOWN
    with pytest.raises(RefundBlocked, match="no answer yet"):
        await service.void(await service.lookup(TODAY))
    [settled] = await service.reconcile_all()
    assert settled.id == attempt.id and settled.state is State.APPROVED
    assert viopay_sim.charges[TODAY].status == "cancelled"
    assert await service._db(service.journal.verify) == []


# ---- Poynt: authorizeVoid ----------------------------------------------------------------------


@pytest.fixture
def terminal() -> psim.PoyntSimulator:
    return psim.PoyntSimulator()


@pytest.fixture
def poynt_server(terminal: psim.PoyntSimulator) -> Iterator[ServerThread]:
    with ServerThread(terminal.app) as s:
        yield s


@pytest.fixture
async def poynt_service(poynt_server: ServerThread, tmp_path: Path) -> AsyncIterator[RefundService]:
    client = PoyntClient(
        host=poynt_server.host,
        port=poynt_server.port,
        pairing_code=psim.TRAINING_PAIRING_CODE.lower(),  # typed in lower case: upper-cased
        timeouts=Timeouts(connect=1, read=2),
        currency="USD",
    )
    s = RefundService(client, SqliteJournal(tmp_path / "p.sqlite3"), terminal="poynt", operator="t")
    yield s
    await s.aclose()
    s.journal.close()


async def test_poynt_void_of_todays_sale(
    poynt_service: RefundService, terminal: psim.PoyntSimulator
) -> None:
    attempt = await poynt_service.void(ChargeView("txn_train_usd_today_1250", None, ()))
    assert attempt.state is State.APPROVED and attempt.amount == Money(1250, "USD")
    assert terminal.transactions["txn_train_usd_today_1250"].voided
    view = await poynt_service.lookup("txn_train_usd_today_1250")
    assert "voided" in (view.blocked_reason() or "")


async def test_poynt_void_of_a_settled_sale_says_refund_instead(
    poynt_service: RefundService, terminal: psim.PoyntSimulator
) -> None:
    attempt = await poynt_service.void(ChargeView("txn_train_usd_2500", None, ()))
    assert attempt.state is State.FAILED
    assert "refund it instead" in (reasons.why(attempt) or "")
    assert not terminal.transactions["txn_train_usd_2500"].voided
    refund = await poynt_service.refund(
        await poynt_service.lookup("txn_train_usd_2500"), Money(500, "USD"), None
    )
    assert refund.state is State.APPROVED  # one key away


async def test_poynt_lost_void_is_asked_again_with_the_same_id(
    poynt_service: RefundService, terminal: psim.PoyntSimulator
) -> None:
    terminal.push("drop_after_commit")  # the in-call retry with the same id gets the answer
    attempt = await poynt_service.void(ChargeView("txn_train_usd_today_1250", None, ()))
    assert attempt.state is State.APPROVED
    assert terminal.transactions["txn_train_usd_today_1250"].voided


def test_cli_void(
    tmp_path: Path, viopay_server: ServerThread, viopay_sim: vsim.ViopaySimulator
) -> None:
    env = support_cli.cli_env(tmp_path)

    support_cli.configure_viopay(
        lambda *a, **k: support_cli.run_cli(env, *a, **k),
        viopay_server.url,
        vsim.TRAINING_HMAC_SECRET,
        vsim.TRAINING_MSK_HEX,
    )
    asked = support_cli.run_cli(env, "void", TODAY, stdin="n\n")
    assert (
        asked.returncode == 2 and "Void €24.50" in asked.stderr and "never charged" in asked.stderr
    )
    settled = support_cli.run_cli(env, "void", SETTLED, "--yes")
    assert settled.returncode == 2 and "refund it instead" in settled.stderr
    done = support_cli.run_cli(env, "void", TODAY, "--yes", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["kind"] == "void" and data["status"] == "approved" and data["amount_minor"] == 2450
    again = support_cli.run_cli(env, "void", TODAY, "--yes")
    assert again.returncode == 2
    assert viopay_sim.charges[TODAY].status == "cancelled"
