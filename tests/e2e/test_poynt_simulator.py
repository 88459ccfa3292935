"""The Poynt POS Bridge simulator against raw HTTP (no client in between), on a real loopback
server: what the contract's recent changes ask of the terminal side."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cashier_gui.protocol import poynt as proto
from cashier_gui.simulators import poynt as psim
from cashier_gui.simulators.server import ServerThread

CODE = psim.TRAINING_PAIRING_CODE


@pytest.fixture
def terminal() -> psim.PoyntSimulator:
    return psim.PoyntSimulator()


@pytest.fixture
def server(terminal: psim.PoyntSimulator) -> Iterator[ServerThread]:
    with ServerThread(terminal.app) as s:
        yield s


def post(
    server: ServerThread,
    operation: str,
    body: dict[str, Any] | bytes,
    *,
    code: str = CODE,
    content_type: str = "text/plain",
    lower_hex: bool = False,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    sig = proto.sign(code, raw)
    h = {"Content-Type": content_type, "Signature": sig.lower() if lower_hex else sig}
    h.update(headers or {})
    return httpx.post(f"{server.url}/devices/cat/{operation}", content=raw, headers=h)


def signed_json(r: httpx.Response, code: str = CODE) -> dict[str, Any]:
    """The answer's JSON, after checking its Signature exactly (upper-case hex, assumption 2)."""
    assert r.headers["Signature"] == proto.sign(code, r.content)
    data = json.loads(r.content)
    assert isinstance(data, dict)
    return data


def refund_body(txn: str, amount: int | None = None, rid: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "poyntRequestId": rid or str(uuid.uuid4()),
        "transactionId": txn,
        "timeout": 60000,
    }
    if amount is not None:
        body["payment"] = {"amount": amount}
    return body


def the_refund(data: dict[str, Any]) -> dict[str, Any]:
    txns = data["payment"]["transactions"]
    assert len(txns) == 1 and txns[0]["action"] == "REFUND"
    return dict(txns[0])


# ---- a request built the way Poynt's Java sample builds it ------------------------------------


def test_a_java_sample_request_is_accepted(
    server: ServerThread, terminal: psim.PoyntSimulator
) -> None:
    body_id = str(uuid.uuid4())
    # Java's JSONObject: its own key order and spacing; the signature is over these exact bytes.
    raw = (
        '{"timeout": 60000, "payment": {"amount": 500}, "transactionId": "txn_train_usd_2500",'
        f' "poyntRequestId": "{body_id}"}}'
    ).encode()
    r = httpx.post(
        f"{server.url}/devices/cat/authorizeRefund",
        content=raw,
        headers={
            "Content-Type": "text/plain; charset=utf-8",
            "Signature": proto.sign(CODE, raw).upper(),
            "Poynt-Client": "JavaSample",
            "Poynt-Request-Id": str(uuid.uuid4()),  # differs from the body's: the body's counts
            "Connection": "Keep-Alive",
        },
    )
    assert r.status_code == 200, r.text
    data = signed_json(r)
    assert data["poyntRequestId"] == body_id
    refund = the_refund(data)
    assert refund["status"] == "REFUNDED"
    assert refund["amounts"] == {"transactionAmount": 500, "currency": "USD"}
    assert terminal.refunds[0]["poyntRequestId"] == body_id


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/plain; charset=utf-8", "text/plain;charset=UTF-8", "Text/Plain"],
)
def test_text_plain_with_or_without_a_charset(server: ServerThread, content_type: str) -> None:
    rid = str(uuid.uuid4())
    r = post(server, "ping", {"poyntRequestId": rid, "timeout": 1000}, content_type=content_type)
    assert r.status_code == 200 and signed_json(r) == {"status": "SUCCESS", "poyntRequestId": rid}


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "text/html", ""]
)
def test_other_content_types_are_refused(server: ServerThread, content_type: str) -> None:
    rid = str(uuid.uuid4())
    r = post(server, "ping", {"poyntRequestId": rid, "timeout": 1000}, content_type=content_type)
    data = signed_json(r)
    assert r.status_code == 400 and data["error"]["errorName"] == "REQUEST_SIGNATURE_MISMATCH"
    assert data["poyntRequestId"] == rid


@pytest.mark.parametrize("case", ["upper", "lower", "mixed"])
def test_request_signatures_in_either_hex_case(server: ServerThread, case: str) -> None:
    raw = json.dumps({"poyntRequestId": str(uuid.uuid4()), "timeout": 1000}).encode()
    sig = proto.sign(CODE, raw)
    sig = {"upper": sig, "lower": sig.lower(), "mixed": sig[:32].lower() + sig[32:]}[case]
    r = httpx.post(
        f"{server.url}/devices/cat/ping",
        content=raw,
        headers={"Content-Type": "text/plain", "Signature": sig},
    )
    assert r.status_code == 200


def test_keep_alive_requests_on_one_connection(server: ServerThread) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        socks = []
        for amount in (100, 200, 300):
            raw = json.dumps(refund_body("txn_train_usd_2500", amount)).encode()
            conn.request(
                "POST",
                "/devices/cat/authorizeRefund",
                body=raw,
                headers={
                    "Content-Type": "text/plain; charset=utf-8",
                    "Signature": proto.sign(CODE, raw),
                    "Connection": "Keep-Alive",
                },
            )
            resp = conn.getresponse()
            body = resp.read()
            assert resp.status == 200, body
            assert resp.getheader("Signature") == proto.sign(CODE, body)
            socks.append(conn.sock)
        assert socks[0] is not None and socks.count(socks[0]) == 3  # never reconnected
    finally:
        conn.close()


# ---- refunds ------------------------------------------------------------------------------------


@pytest.mark.parametrize("payment", ["absent", "empty"])
def test_a_full_refund_without_payment_or_with_an_empty_one(
    server: ServerThread, terminal: psim.PoyntSimulator, payment: str
) -> None:
    body = refund_body("txn_train_usd_partly")
    if payment == "empty":
        body["payment"] = {}
    assert ("payment" in body) is (payment == "empty")
    r = post(server, "authorizeRefund", body)
    refund = the_refund(signed_json(r))
    assert refund["amounts"] == {"transactionAmount": 6000, "currency": "USD"}
    assert terminal.transactions["txn_train_usd_partly"].refunded == 10000


def test_payment_that_is_not_an_object_is_refused(server: ServerThread) -> None:
    body = refund_body("txn_train_usd_2500")
    body["payment"] = None
    data = signed_json(post(server, "authorizeRefund", body))
    assert data["error"]["errorName"] == "INVALID_REQUEST"
    assert data["poyntRequestId"] == body["poyntRequestId"]


def test_the_refund_answer_links_to_the_original(server: ServerThread) -> None:
    body = refund_body("txn_train_usd_2500", 1234)
    data = signed_json(post(server, "authorizeRefund", body))
    assert data["poyntRequestId"] == body["poyntRequestId"]
    refund = the_refund(data)
    assert {"href": "txn_train_usd_2500", "rel": "CAPTURE", "method": "GET"} in refund["links"]
    assert refund["amounts"] == {"transactionAmount": 1234, "currency": "USD"}
    assert refund["id"] and refund["id"] != "txn_train_usd_2500"


def test_the_answer_uses_the_transactions_currency() -> None:
    terminal = psim.PoyntSimulator(transactions=[psim.SimTransaction("txn_eur", 900, "EUR")])
    with ServerThread(terminal.app) as server:
        refund = the_refund(signed_json(post(server, "authorizeRefund", refund_body("txn_eur"))))
    assert refund["amounts"] == {"transactionAmount": 900, "currency": "EUR"}


def test_the_same_request_id_gets_the_identical_answer(
    server: ServerThread, terminal: psim.PoyntSimulator
) -> None:
    body = refund_body("txn_train_usd_2500", 700)
    first = post(server, "authorizeRefund", body)
    # The retry may be serialized differently (another library): the id is what counts.
    second = post(server, "authorizeRefund", json.dumps(body, indent=1).encode())
    assert first.content == second.content
    assert first.headers["Signature"] == second.headers["Signature"]
    assert len(terminal.refunds) == 1
    assert terminal.transactions["txn_train_usd_2500"].refunded == 700


# ---- every answer echoes the request's id ------------------------------------------------------


def _error_cases() -> list[tuple[str, dict[str, Any], str]]:
    return [
        ("code", {"code": "WRONG1"}, "REQUEST_SIGNATURE_MISMATCH"),
        ("type", {"content_type": "application/json"}, "REQUEST_SIGNATURE_MISMATCH"),
        ("op", {"operation": "authorizeSales"}, "UNSUPPORTED_OPERATION"),
        ("txn", {"txn": "txn_nope"}, "TRANSACTION_NOT_FOUND"),
        ("amount0", {"amount": 0}, "INVALID_AMOUNT"),
        ("too_much", {"amount": 2501}, "AMOUNT_EXCEEDS_REFUNDABLE"),
        ("error500", {"fault": "error500"}, "TERMINAL_ERROR"),
        ("busy", {"fault": "busy"}, "TERMINAL_BUSY"),
    ]


@pytest.mark.parametrize(("case", "how", "name"), _error_cases(), ids=lambda x: str(x))
def test_every_error_body_echoes_the_request_id(
    server: ServerThread,
    terminal: psim.PoyntSimulator,
    case: str,
    how: dict[str, Any],
    name: str,
) -> None:
    if "fault" in how:
        terminal.push(how["fault"])
    body = refund_body(how.get("txn", "txn_train_usd_2500"), how.get("amount", 100))
    r = post(
        server,
        how.get("operation", "authorizeRefund"),
        body,
        code=how.get("code", CODE),
        content_type=how.get("content_type", "text/plain"),
    )
    assert r.status_code == (500 if case == "error500" else 400)
    data = signed_json(r)  # signed with the terminal's code, even when the request was not
    assert list(data) == ["poyntRequestId", "error"]
    assert data["poyntRequestId"] == body["poyntRequestId"]
    assert data["error"]["errorName"] == name and isinstance(data["error"]["errorCode"], int)
    assert data["error"]["description"]


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"timeout":1}', b'{"poyntRequestId":7}'])
def test_without_an_id_there_is_nothing_to_echo(server: ServerThread, raw: bytes) -> None:
    data = signed_json(post(server, "ping", raw))
    assert data == {
        "error": {
            "errorCode": 1002,
            "errorName": "INVALID_REQUEST",
            "description": "poyntRequestId is required",
        }
    }


def test_success_bodies_echo_the_id_too(server: ServerThread) -> None:
    for op in ("pair", "ping"):
        rid = str(uuid.uuid4())
        data = signed_json(post(server, op, {"poyntRequestId": rid, "timeout": 1000}))
        assert data["poyntRequestId"] == rid and data["status"] == "SUCCESS"


# ---- a busy terminal ----------------------------------------------------------------------------


def test_busy_is_signed_refunds_nothing_and_is_not_remembered(
    server: ServerThread, terminal: psim.PoyntSimulator
) -> None:
    terminal.push("busy")
    body = refund_body("txn_train_usd_2500", 100)
    busy = post(server, "authorizeRefund", body)
    assert busy.status_code == 400
    assert signed_json(busy)["error"]["errorName"] == "TERMINAL_BUSY"
    assert terminal.refunds == []
    again = post(server, "authorizeRefund", body)  # the same id: now it is done
    assert the_refund(signed_json(again))["status"] == "REFUNDED"
    assert len(terminal.refunds) == 1


def test_busy_says_nothing_about_an_earlier_request_with_the_same_id(
    server: ServerThread, terminal: psim.PoyntSimulator
) -> None:
    terminal.push("drop_after_commit")
    terminal.push("busy")
    body = refund_body("txn_train_usd_2500", 250)
    with pytest.raises(httpx.HTTPError):
        post(server, "authorizeRefund", body)
    assert len(terminal.refunds) == 1  # committed, no answer
    busy = post(server, "authorizeRefund", body)
    assert signed_json(busy)["error"]["errorName"] == "TERMINAL_BUSY"
    stored = post(server, "authorizeRefund", body)
    assert the_refund(signed_json(stored))["amounts"]["transactionAmount"] == 250
    assert (
        len(terminal.refunds) == 1 and terminal.transactions["txn_train_usd_2500"].refunded == 250
    )


def test_fault_kinds_include_busy_and_unknown_ones_are_refused() -> None:
    assert "busy" in psim.FAULT_KINDS
    with pytest.raises(ValueError, match="unknown fault"):
        psim.PoyntSimulator().push("sleepy")


@pytest.mark.parametrize("fault", [f for f in psim.FAULT_KINDS if f not in ("timeout",)])
def test_every_fault_kind_still_works(
    server: ServerThread, terminal: psim.PoyntSimulator, fault: str
) -> None:
    terminal.push(fault)
    body = refund_body("txn_train_usd_2500", 100)
    try:
        r = post(server, "authorizeRefund", body)
    except httpx.HTTPError:
        assert fault == "drop_after_commit"
        assert len(terminal.refunds) == 1
        return
    if fault == "unsigned":
        assert "Signature" not in r.headers
    elif fault == "bad_signature":
        assert r.headers["Signature"] != proto.sign(CODE, r.content)
    else:
        data = signed_json(r)
        assert data["poyntRequestId"] == body["poyntRequestId"]
        expected = {
            "decline": "DECLINED",
            "fail": "FAILED",
            "error500": None,
            "busy": None,
        }[fault]
        if expected is None:
            assert r.status_code in (400, 500) and "error" in data
        else:
            assert the_refund(data)["status"] == expected
    assert terminal.planned == []


def test_the_timeout_fault_commits_then_hangs(
    server: ServerThread, terminal: psim.PoyntSimulator
) -> None:
    terminal.push("timeout")
    terminal.hang_seconds = 0.6
    body = refund_body("txn_train_usd_2500", 100)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{server.url}/devices/cat/authorizeRefund",
            content=json.dumps(body).encode(),
            headers={
                "Content-Type": "text/plain",
                "Signature": proto.sign(CODE, json.dumps(body).encode()),
            },
            timeout=0.2,
        )
    assert len(terminal.refunds) == 1
    again = post(server, "authorizeRefund", body)
    assert the_refund(signed_json(again))["status"] == "REFUNDED"


# ---- pairing ------------------------------------------------------------------------------------


def test_the_pairing_code_is_upper_case_and_matches_an_upper_cased_typing() -> None:
    terminal = psim.PoyntSimulator(pairing_code="ab12cd")
    assert terminal.pairing_code == "AB12CD"  # what the terminal shows
    with ServerThread(terminal.app) as server:
        typed = "ab12cd"
        ok = post(server, "pair", {"poyntRequestId": str(uuid.uuid4())}, code=typed.upper())
        assert ok.status_code == 200
        assert signed_json(ok, code="AB12CD")["serialNumber"] == psim.SERIAL
        raw_typed = post(server, "pair", {"poyntRequestId": str(uuid.uuid4())}, code=typed)
        assert signed_json(raw_typed, "AB12CD")["error"]["errorName"] == (
            "REQUEST_SIGNATURE_MISMATCH"
        )


def test_the_training_code_pairs_from_lower_case_typing(server: ServerThread) -> None:
    typed = CODE.lower()
    r = post(server, "pair", {"poyntRequestId": str(uuid.uuid4())}, code=typed.upper())
    assert r.status_code == 200
