"""The Poynt POS Bridge client against the simulated terminal as a real HTTP server."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from cashier_gui.gateways.base import (
    AuthFailed,
    BadRequest,
    BadResponse,
    ConnectFailed,
    InvalidInput,
    RefundRequest,
    RefundStatus,
    Rejected,
    TimedOut,
    Timeouts,
)
from cashier_gui.gateways.poynt import PoyntClient
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.money import Money
from cashier_gui.protocol import poynt as proto
from cashier_gui.simulators import poynt as psim
from cashier_gui.simulators.server import ServerThread


@pytest.fixture
def terminal() -> psim.PoyntSimulator:
    return psim.PoyntSimulator()


@pytest.fixture
def server(terminal: psim.PoyntSimulator) -> Iterator[ServerThread]:
    with ServerThread(terminal.app) as s:
        yield s


def client(
    server: ServerThread, code: str = psim.TRAINING_PAIRING_CODE, **kw: object
) -> PoyntClient:
    kw.setdefault("timeouts", Timeouts(connect=1, read=2))
    return PoyntClient(host=server.host, port=server.port, pairing_code=code, **kw)  # type: ignore[arg-type]


def req(txn: str, minor: int | None, rid: str | None = None) -> RefundRequest:
    return RefundRequest(
        txn,
        Money(minor, "USD") if minor is not None else None,
        None,
        "REF-1",
        rid or str(uuid.uuid4()),
    )


async def test_pair_and_ping(server: ServerThread, terminal: psim.PoyntSimulator) -> None:
    c = client(server)
    assert await c.pair() == psim.SERIAL
    await c.ping()
    await c.aclose()
    assert terminal.paired_client == "cashier_gui"


async def test_wrong_pairing_code(server: ServerThread) -> None:
    c = client(server, code="WRONG1")
    with pytest.raises(AuthFailed, match="Wrong pairing code"):
        await c.pair()
    await c.aclose()


async def test_full_refund_sends_an_empty_payment(
    server: ServerThread, terminal: psim.PoyntSimulator
) -> None:
    c = client(server)
    out = await c.refund(req("txn_train_usd_partly", None))
    await c.aclose()
    assert out.status is RefundStatus.APPROVED and out.amount == Money(6000, "USD")
    assert terminal.transactions["txn_train_usd_partly"].refunded == 10000


async def test_partial_refund_and_over_refund(
    server: ServerThread, terminal: psim.PoyntSimulator
) -> None:
    c = client(server)
    out = await c.refund(req("txn_train_usd_2500", 500))
    assert out.status is RefundStatus.APPROVED and out.refund_id
    with pytest.raises(BadRequest, match="at most 2000"):
        await c.refund(req("txn_train_usd_2500", 2001))
    await c.aclose()


async def test_decline_and_failed(server: ServerThread, terminal: psim.PoyntSimulator) -> None:
    c = client(server)
    assert (
        await c.refund(req("txn_train_usd_issuer_declines", 100))
    ).status is RefundStatus.DECLINED
    terminal.push("fail")
    with pytest.raises(Rejected, match="FAILED"):
        await c.refund(req("txn_train_usd_2500", 100))
    await c.aclose()
    assert terminal.transactions["txn_train_usd_2500"].refunded == 0


@pytest.mark.parametrize("fault", ["unsigned", "bad_signature"])
async def test_untrusted_answers_are_not_success(
    server: ServerThread, terminal: psim.PoyntSimulator, fault: str
) -> None:
    terminal.push(fault)
    c = client(server)
    with pytest.raises(BadResponse, match="cannot be trusted"):
        await c.refund(req("txn_train_usd_2500", 100))
    await c.aclose()


async def test_timeout_then_the_same_request_id_answers_from_memory(
    server: ServerThread, terminal: psim.PoyntSimulator
) -> None:
    terminal.push("timeout")
    terminal.hang_seconds = 1.0
    c = client(server, timeouts=Timeouts(connect=1, read=0.3))
    out = await c.refund(req("txn_train_usd_2500", 700, rid="11111111-2222-3333-4444-555555555555"))
    await c.aclose()
    assert out.status is RefundStatus.APPROVED
    assert (
        len(terminal.refunds) == 1 and terminal.transactions["txn_train_usd_2500"].refunded == 700
    )


async def test_timeouts_on_every_try_leave_the_outcome_unknown(
    server: ServerThread, terminal: psim.PoyntSimulator
) -> None:
    terminal.delay_ms = 800
    c = client(server, timeouts=Timeouts(connect=1, read=0.2))
    with pytest.raises(TimedOut):
        await c.refund(req("txn_train_usd_2500", 100))
    await c.aclose()


async def test_dropped_connection_is_retried_with_the_same_id(
    server: ServerThread, terminal: psim.PoyntSimulator
) -> None:
    terminal.push("drop_after_commit")
    c = client(server)
    out = await c.refund(req("txn_train_usd_2500", 300))
    await c.aclose()
    assert out.status is RefundStatus.APPROVED and len(terminal.refunds) == 1


async def test_requests_must_be_text_plain_and_signed(server: ServerThread) -> None:
    body = json.dumps({"poyntRequestId": str(uuid.uuid4())}).encode()
    sig = proto.sign(psim.TRAINING_PAIRING_CODE, body)
    async with httpx.AsyncClient(base_url=server.url) as http:
        ok = await http.post(
            "/devices/cat/ping",
            content=body,
            headers={"Content-Type": "text/plain", "Signature": sig.lower()},
        )
        as_json = await http.post(
            "/devices/cat/ping",
            content=body,
            headers={"Content-Type": "application/json", "Signature": sig},
        )
    assert ok.status_code == 200
    assert proto.verify(psim.TRAINING_PAIRING_CODE, ok.content, ok.headers["Signature"])
    assert as_json.status_code == 400
    assert as_json.json()["error"]["errorName"] == "REQUEST_SIGNATURE_MISMATCH"


async def test_no_lookup_and_no_terminal() -> None:
    c = PoyntClient(host="127.0.0.1", port=9, pairing_code="X", timeouts=Timeouts(1, 1))
    with pytest.raises(InvalidInput, match="cannot look payments up"):
        await c.lookup("txn")
    with pytest.raises(ConnectFailed, match="Cannot reach the card terminal"):
        await c.refund(req("txn_1", 100))
    await c.aclose()


# ---- the refund service and the command line with a Poynt terminal ---------------------------


async def test_service_refuses_a_second_full_refund(server: ServerThread, tmp_path: object) -> None:
    from pathlib import Path

    from cashier_gui.journal import State
    from cashier_gui.refunds import RefundBlocked, RefundService

    svc = RefundService(
        client(server, currency="USD"),
        SqliteJournal(Path(str(tmp_path)) / "j.sqlite3"),
        terminal="poynt",
        operator="t",
    )
    view = await svc.lookup("txn_train_usd_2500")
    assert view.charge is None
    first = await svc.refund(view, None, "customer_request")
    assert first.state is State.APPROVED and first.full_refund and first.amount_minor == 2500
    with pytest.raises(RefundBlocked, match="already refunded this payment in full"):
        await svc.refund(await svc.lookup("txn_train_usd_2500"), Money(1, "USD"), None)
    await svc.aclose()
    svc.journal.close()


def test_cli_with_a_poynt_terminal(
    server: ServerThread, terminal: psim.PoyntSimulator, tmp_path: object
) -> None:
    from pathlib import Path

    from tests.support.cli import cli_env, run_cli

    env = cli_env(Path(str(tmp_path)))

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return run_cli(env, *args, stdin=stdin)

    assert run("setup", "poynt", "--host", "8.8.8.8").returncode == 2  # not a LAN address
    setup: tuple[str, ...] = ("setup", "poynt", "--host", "127.0.0.1", "--port", str(server.port))
    real = run(*setup)  # a real counter is not pointed at this PC itself (issue 27)
    assert real.returncode == 2 and "--test-counter" in real.stderr, real.stderr
    setup = (*setup, "--test-counter")
    assert run(*setup).returncode == 0
    bad = run("pair", stdin="WRONG1\n")
    assert bad.returncode == 3 and "Wrong pairing code" in bad.stderr
    ok = run("pair", stdin=psim.TRAINING_PAIRING_CODE + "\n")
    assert ok.returncode == 0 and psim.SERIAL in ok.stdout
    looked = run("lookup", "txn_train_usd_2500")
    assert looked.returncode == 0 and "no charge lookup" in looked.stderr
    # Issue 27: no shop currency, no refund — the cashier's --currency does not stand in for it.
    blind = run("refund", "txn_train_usd_2500", "--amount", "5", "--currency", "USD", "--yes")
    assert blind.returncode == 2 and "no shop currency" in blind.stderr, blind.stderr
    assert run(*setup, "--currency", "USD").returncode == 0
    # ¥2,500 against a USD terminal: the terminal would refund $25.00. Refused, nothing sent.
    yen = run("refund", "txn_train_usd_2500", "--amount", "2500", "--currency", "JPY", "--yes")
    assert yen.returncode == 2, yen.stderr
    assert "This terminal takes USD, not JPY" in yen.stderr and "--currency" in yen.stderr
    assert terminal.transactions["txn_train_usd_2500"].refunded == 0
    partial = run("refund", "txn_train_usd_2500", "--amount", "5", "--yes", "--json")
    assert partial.returncode == 0, partial.stderr
    assert json.loads(partial.stdout)["amount_minor"] == 500
    # A test counter's refund says where it went, wherever it is shown (issue 27).
    home = SqliteJournal(Path(env["CASHIER_GUI_HOME"]) / "journal.sqlite3")
    try:
        [row] = home.query()
        assert row.terminal.endswith(f"[test counter: http://127.0.0.1:{server.port}]")
    finally:
        home.close()
    full = run("refund", "txn_train_usd_2500", "--full", "--yes", "--json")
    assert full.returncode == 0 and json.loads(full.stdout)["amount_minor"] == 2000
    assert terminal.transactions["txn_train_usd_2500"].refunded == 2500
    again = run("refund", "txn_train_usd_2500", "--full", "--yes")
    assert again.returncode == 2 and "in full" in again.stderr
    # Refunds made outside the app cannot be found on the bridge: said, not "nothing found".
    checked = run("reconcile", "--json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["outside"]["checked"] is False
    assert "cannot list a sale's refunds" in checked.stderr
    assert not (Path(env["CASHIER_GUI_HOME"]) / "outside-refunds.json").exists()


# ---- answers bound to their request (contract assumption 5) --------------------------------


@pytest.fixture
def fake_terminal() -> Iterator[
    Callable[[Callable[[dict[str, Any]], tuple[Any, ...]]], ServerThread]
]:
    """A loopback terminal whose answers a test writes: `answer(request body) -> (status,
    body)`, signed with the training pairing code (so only their content is wrong)."""
    servers: list[ServerThread] = []

    def start(answer: Callable[[dict[str, Any]], tuple[Any, ...]]) -> ServerThread:
        async def handler(request: web.Request) -> web.Response:
            status, body, *delay = answer(json.loads(await request.read()))
            if delay:
                await asyncio.sleep(delay[0])
            raw = json.dumps(body).encode()
            return web.Response(
                body=raw,
                status=status,
                content_type="application/json",
                headers={"Signature": proto.sign(psim.TRAINING_PAIRING_CODE, raw)},
            )

        def make() -> web.Application:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handler)
            return app

        server = ServerThread(make).start()
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()


def refund_answer(
    request_id: object, txn: str, minor: int, currency: str = "USD", **extra: Any
) -> dict[str, Any]:
    transaction = {
        "id": "rtxn_1",
        "action": "REFUND",
        "status": "REFUNDED",
        "links": [{"href": txn, "rel": "CAPTURE", "method": "GET"}],
        "amounts": {"transactionAmount": minor, "currency": currency},
    }
    transaction.update(extra)
    return {"poyntRequestId": request_id, "payment": {"transactions": [transaction]}}


@pytest.mark.parametrize(
    ("make_answer", "says"),
    [
        # a captured answer to another request, replayed
        (lambda b: (200, refund_answer(str(uuid.uuid4()), b["transactionId"], 500)), "replay"),
        (lambda b: (200, refund_answer(None, b["transactionId"], 500)), "replay"),
        # a captured signed *error*, answered in place of the real (committed) refund
        (
            lambda b: (
                400,
                {"poyntRequestId": str(uuid.uuid4()), "error": {"errorName": "INVALID"}},
            ),
            "replay",
        ),
        (
            lambda b: (200, refund_answer(b["poyntRequestId"], b["transactionId"], 500, "JPY")),
            "JPY",
        ),
        (lambda b: (200, refund_answer(b["poyntRequestId"], "txn_other", 500)), "not linked"),
        (
            lambda b: (200, refund_answer(b["poyntRequestId"], b["transactionId"], 900)),
            "another amount",
        ),
        (
            lambda b: (
                200,
                {
                    "poyntRequestId": b["poyntRequestId"],
                    "payment": {
                        "transactions": [
                            refund_answer(0, b["transactionId"], 500, status="DECLINED")["payment"][
                                "transactions"
                            ][0],
                            refund_answer(0, b["transactionId"], 500)["payment"]["transactions"][0],
                        ]
                    },
                },
            ),
            "2 refund transactions",
        ),
    ],
)
async def test_answers_not_bound_to_the_request_are_not_outcomes(
    fake_terminal: Any, make_answer: Any, says: str, tmp_path: Path
) -> None:
    from cashier_gui.journal import State
    from cashier_gui.refunds import ChargeView, RefundService

    server = fake_terminal(make_answer)
    c = client(server, currency="USD", retries_after_timeout=0)
    with pytest.raises(BadResponse, match=says):
        await c.refund(req("txn_a", 500))
    service = RefundService(c, SqliteJournal(tmp_path / "j.sqlite3"), terminal="t", operator="t")
    attempt = await service.refund(ChargeView("txn_a", None, ()), Money(500, "USD"), None)
    await service.aclose()
    service.journal.close()
    assert attempt.state is State.UNKNOWN  # never approved, never "nothing was refunded"


async def test_a_bound_answer_is_the_outcome(fake_terminal: Any) -> None:
    server = fake_terminal(
        lambda b: (200, refund_answer(b["poyntRequestId"], b["transactionId"], 500))
    )
    c = client(server, currency="USD")
    out = await c.refund(req("txn_a", 500))
    await c.aclose()
    assert out.status is RefundStatus.APPROVED and out.refund_id == "rtxn_1"


async def test_busy_after_a_timeout_leaves_the_outcome_unknown(fake_terminal: Any) -> None:
    """The retry with the same id meets a busy terminal: that says nothing about the first."""
    calls: list[str] = []

    def answer(body: dict[str, Any]) -> tuple[Any, ...]:
        calls.append(body["poyntRequestId"])
        busy = {"poyntRequestId": body["poyntRequestId"], "error": {"errorName": "TERMINAL_BUSY"}}
        return (400, busy, 3.0) if len(calls) == 1 else (400, busy)  # the first: too late

    server = fake_terminal(answer)
    c = client(server, timeouts=Timeouts(connect=0.5, read=0.5))
    with pytest.raises(TimedOut):
        await c.refund(req("txn_a", 500))
    await c.aclose()
    assert len(calls) == 2 and calls[0] == calls[1]


async def test_a_busy_terminal_on_reconcile_keeps_the_refund_unknown(
    server: ServerThread, terminal: psim.PoyntSimulator, tmp_path: Path
) -> None:
    from cashier_gui.journal import State
    from cashier_gui.refunds import ChargeView, RefundService

    service = RefundService(
        client(server, retries_after_timeout=0, currency="USD"),
        SqliteJournal(tmp_path / "j.sqlite3"),
        terminal="t",
        operator="t",
    )
    terminal.push("drop_after_commit")
    first = await service.refund(
        ChargeView("txn_train_usd_2500", None, ()), Money(500, "USD"), None
    )
    assert first.state is State.UNKNOWN
    terminal.push("busy")
    assert (await service.reconcile(first.key)).state is State.UNKNOWN
    settled = await service.reconcile(first.key)  # the terminal answers from memory
    assert (
        settled.state is State.APPROVED
        and terminal.transactions["txn_train_usd_2500"].refunded == 500
    )
    await service.aclose()
    service.journal.close()
