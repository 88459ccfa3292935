"""The hostile test server itself, with plain httpx, in front of real simulators on loopback."""

from __future__ import annotations

import json
import threading
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cashier_gui.protocol import poynt as pproto
from cashier_gui.protocol import viopay as vproto
from cashier_gui.simulators import poynt as psim
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.e2e.test_viopay_simulator import send
from tests.support import hostile as H

MSK = bytes.fromhex(vsim.TRAINING_MSK_HEX)
LOOKUP = "/pos/charge/ch_train_eur_4990"
REFUND = LOOKUP + "/refund"


@pytest.fixture
def sim() -> vsim.ViopaySimulator:
    return vsim.ViopaySimulator()


@pytest.fixture
def upstream(sim: vsim.ViopaySimulator) -> Iterator[ServerThread]:
    with ServerThread(sim.app) as server:
        yield server


@pytest.fixture
def hostile(upstream: ServerThread) -> Iterator[H.HostileServer]:
    with H.HostileServer(upstream.url) as server:
        yield server


def refund(url: str, minor: int = 100, key: str | None = None) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key else None
    return send(
        url, "POST", REFUND, {"amount": {"value": str(minor), "currency": "EUR"}}, override=extra
    )


def opened(r: httpx.Response | bytes) -> dict[str, Any]:
    raw = r if isinstance(r, bytes) else r.content
    data = json.loads(vproto.open_envelope(MSK, raw))
    assert isinstance(data, dict)
    return data


def test_forward_passes_through_and_records(
    hostile: H.HostileServer, sim: vsim.ViopaySimulator
) -> None:
    r = send(hostile.url, "GET", LOOKUP)
    assert r.status_code == 200 and r.headers["Connection"] == "close"
    assert opened(r)["charge_id"] == "ch_train_eur_4990"
    assert sim.requests_seen == 1 and hostile.requests_seen == 1 and hostile.forwarded == 1
    ex = hostile.recorded[0]
    assert (ex.number, ex.play, ex.method, ex.target) == (1, "forward", "GET", LOOKUP)
    assert ex.request.startswith(b"GET " + LOOKUP.encode() + b" HTTP/1.1\r\n")
    assert ex.status == 200 and ex.body == r.content and ex.header("Date")
    assert ex.raw_response.endswith(r.content)
    assert hostile.log == [(1, "forward")]


def test_plays_run_in_order_then_the_default(hostile: H.HostileServer) -> None:
    hostile.then(H.status(503), H.status(429, '{"error":{}}', {"Retry-After": "1"}))
    assert send(hostile.url, "GET", LOOKUP).status_code == 503
    r = send(hostile.url, "GET", LOOKUP)
    assert (r.status_code, r.headers["Retry-After"], r.json()) == (429, "1", {"error": {}})
    assert send(hostile.url, "GET", LOOKUP).status_code == 200
    assert [kind for _, kind in hostile.log] == ["status", "status", "forward"]
    assert hostile.forwarded == 1 and hostile.pending_plays == []


def test_replay_answers_from_the_record_without_forwarding(
    hostile: H.HostileServer, sim: vsim.ViopaySimulator
) -> None:
    first = refund(hostile.url, 100)
    hostile.then(H.replay(0))
    second = refund(hostile.url, 200)
    assert second.content == first.content  # the old refund's answer for a new refund
    assert sim.requests_seen == 1 and len(sim.charges["ch_train_eur_4990"].refunds) == 1


def test_swap_applies_upstream_but_answers_the_record(
    hostile: H.HostileServer, sim: vsim.ViopaySimulator
) -> None:
    first = refund(hostile.url, 100)
    hostile.then(H.swap(0))
    second = refund(hostile.url, 200)
    assert second.content == first.content
    refunds = sim.charges["ch_train_eur_4990"].refunds
    assert [r.amount.minor for r in refunds] == [100, 200]  # the second one was made
    assert opened(hostile.recorded[1].body)["amount"]["value"] == "200"  # and recorded
    assert hostile.recorded[1].play == "swap"


def test_drop_before_never_reaches_upstream(
    hostile: H.HostileServer, sim: vsim.ViopaySimulator
) -> None:
    hostile.then(H.drop_before())
    with pytest.raises(httpx.RemoteProtocolError):
        refund(hostile.url)
    assert sim.requests_seen == 0 and hostile.requests_seen == 1 and hostile.recorded == []


def test_drop_after_applies_upstream_and_answers_nothing(
    hostile: H.HostileServer, sim: vsim.ViopaySimulator
) -> None:
    hostile.then(H.drop_after())
    with pytest.raises(httpx.RemoteProtocolError):
        refund(hostile.url)
    assert len(sim.charges["ch_train_eur_4990"].refunds) == 1
    assert opened(hostile.recorded[0].body)["status"] == "approved"


def test_status_after_forward(hostile: H.HostileServer, sim: vsim.ViopaySimulator) -> None:
    hostile.then(H.status_after_forward(500, b'{"error":{"code":"5000","message":"x"}}'))
    r = refund(hostile.url)
    assert r.status_code == 500 and r.json()["error"]["code"] == "5000"
    assert len(sim.charges["ch_train_eur_4990"].refunds) == 1


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}",  # shorter than it says
        b"garbage\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        b"",
    ],
)
def test_raw_bytes_then_close(hostile: H.HostileServer, data: bytes) -> None:
    hostile.then(H.raw(data))
    with pytest.raises(httpx.HTTPError):
        send(hostile.url, "GET", LOOKUP)


def test_raw_can_also_be_a_valid_answer(hostile: H.HostileServer) -> None:
    hostile.then(H.raw(b"HTTP/1.1 418 I'm a teapot\r\nContent-Length: 2\r\n\r\n{}"))
    assert send(hostile.url, "GET", LOOKUP).status_code == 418


@pytest.mark.parametrize("headers_at_once", [False, True])
def test_drip_sends_slowly(hostile: H.HostileServer, headers_at_once: bool) -> None:
    rate = 200  # bytes/s: slow enough that "at once" and "dripped" differ even on a busy machine
    hostile.then(H.drip(rate, headers_at_once=headers_at_once))
    started = time.monotonic()
    with httpx.Client(timeout=5) as http, http.stream("GET", hostile.url + "/nowhere") as r:
        head_after = time.monotonic() - started
        body = r.read()
    total = time.monotonic() - started
    exchange = hostile.recorded[0]
    dripped = len(exchange.body) if headers_at_once else len(exchange.raw_response)
    assert r.status_code == 404 and json.loads(body)["error"]["code"] == "4040"
    assert dripped / rate * 0.7 < total < dripped / rate + 2
    if headers_at_once:
        assert head_after < len(exchange.body) / rate / 2  # long before the body has dripped
    else:
        assert head_after > (dripped - len(exchange.body)) / rate * 0.7  # the head dripped too


def test_drip_stops_at_max_seconds(hostile: H.HostileServer) -> None:
    hostile.then(H.drip(1, max_seconds=0.5))
    started = time.monotonic()
    with pytest.raises(httpx.RemoteProtocolError):
        send(hostile.url, "GET", LOOKUP)
    assert time.monotonic() - started < 3


def test_stop_ends_a_drip_at_once(upstream: ServerThread) -> None:
    server = H.HostileServer(upstream.url).start()
    server.then(H.drip(1))
    outcome: list[object] = []

    def client() -> None:
        try:
            outcome.append(httpx.get(server.url + "/pos/charge/x", timeout=30))
        except httpx.HTTPError as exc:
            outcome.append(exc)

    t = threading.Thread(target=client)
    t.start()
    time.sleep(1.2)  # a byte or two of the status line is out
    started = time.monotonic()
    server.stop()
    t.join(5)
    assert time.monotonic() - started < 3 and not t.is_alive()
    assert isinstance(outcome[0], httpx.HTTPError)


def test_bloat_streams_without_holding_the_body() -> None:
    n = 500_000_000
    # No upstream is needed for bloat; point it at a closed port.
    with H.HostileServer("http://127.0.0.1:9") as server:
        server.then(H.bloat(n, headers={"Signature": "AB"}))
        tracemalloc.start()
        try:
            got, first, last = 0, b"", b""
            with httpx.Client(timeout=30) as http, http.stream("GET", server.url + "/x") as r:
                assert r.headers["Content-Length"] == str(n)
                assert r.headers["Signature"] == "AB"
                for chunk in r.iter_raw():
                    # Chunk borders are the network's business: gather the head across them.
                    if len(first) < 16:
                        first = (first + chunk)[:16]
                    got += len(chunk)
                    last = (last + chunk)[-8:]
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert got == n and first.startswith(b'{"a":"xxxxxxxxx') and last.endswith(b'xxxxxx"}')
    # Server and client share this process: both together stayed far below the body's size.
    assert peak < 16 * 1024 * 1024, peak


def test_bloat_without_a_length(upstream: ServerThread) -> None:
    with H.HostileServer(upstream.url) as server:
        server.then(H.bloat(1_000_000, declare_length=False))
        r = httpx.get(server.url + "/x")
    assert "Content-Length" not in r.headers and len(r.content) == 1_000_000
    assert json.loads(r.content)["a"] == "x" * (1_000_000 - 8)


def test_resend_replays_a_request_to_upstream(hostile: H.HostileServer) -> None:
    assert refund(hostile.url).status_code == 200
    code, body = hostile.resend(0)
    assert code == 401 and json.loads(body)["error"]["message"] == "nonce already used"


def test_viopay_answer_with_duplicated_keys(hostile: H.HostileServer) -> None:
    plaintext = H.json_with_duplicates(
        [
            ("refund_id", "rf_dup"),
            ("status", "declined"),
            ("amount", {"value": "100", "currency": "EUR"}),
            ("status", "approved"),
        ]
    )
    assert plaintext.count(b'"status"') == 2
    hostile.then(H.viopay_answer(MSK, plaintext))
    r = refund(hostile.url)
    assert r.status_code == 200 and vproto.open_envelope(MSK, r.content) == plaintext
    hostile.then(H.viopay_answer(MSK, {"refund_id": "rf_x"}, with_kcv=False))
    assert "key_kcv" not in refund(hostile.url).json()


@pytest.fixture
def terminal() -> psim.PoyntSimulator:
    return psim.PoyntSimulator()


@pytest.fixture
def poynt_hostile(terminal: psim.PoyntSimulator) -> Iterator[H.HostileServer]:
    with ServerThread(terminal.app) as up, H.HostileServer(up.url) as server:
        yield server


def poynt_post(url: str, body: dict[str, Any]) -> httpx.Response:
    raw = json.dumps(body).encode()
    headers = {
        "Content-Type": "text/plain",
        "Signature": pproto.sign(psim.TRAINING_PAIRING_CODE, raw),
    }
    return httpx.post(url + "/devices/cat/authorizeRefund", content=raw, headers=headers)


def test_poynt_through_the_hostile_server(
    poynt_hostile: H.HostileServer, terminal: psim.PoyntSimulator
) -> None:
    body = {
        "poyntRequestId": str(uuid.uuid4()),
        "transactionId": "txn_train_usd_2500",
        "timeout": 1000,
    }
    r = poynt_post(poynt_hostile.url, body)
    assert r.status_code == 200
    assert pproto.verify(psim.TRAINING_PAIRING_CODE, r.content, r.headers["Signature"])
    # An answer for another request id, correctly signed: what a replay looks like.
    other = dict(json.loads(r.content), poyntRequestId=str(uuid.uuid4()))
    poynt_hostile.then(H.poynt_answer(psim.TRAINING_PAIRING_CODE, other))
    forged = poynt_post(poynt_hostile.url, dict(body, poyntRequestId=str(uuid.uuid4())))
    assert pproto.verify(psim.TRAINING_PAIRING_CODE, forged.content, forged.headers["Signature"])
    assert forged.json()["poyntRequestId"] == other["poyntRequestId"]
    assert len(terminal.refunds) == 1


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        H.drip(0)
    with pytest.raises(ValueError):
        H.bloat(3)
    with pytest.raises(ValueError):
        H.HostileServer("https://example.org")
