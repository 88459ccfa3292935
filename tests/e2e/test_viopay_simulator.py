"""The simulator enforces every rule of the Viopay contract (raw HTTP, no client in between)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from cashier_gui.gateways.viopay import make_nonce, rfc3339
from cashier_gui.protocol import viopay as proto
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread

MSK = bytes.fromhex(vsim.TRAINING_MSK_HEX)


def send(
    url: str,
    method: str,
    path: str,
    plaintext: dict[str, Any] | None = None,
    *,
    drop: str | None = None,
    override: dict[str, str] | None = None,
    when: dt.datetime | None = None,
    secret: str = vsim.TRAINING_HMAC_SECRET,
    body: bytes | None = None,
    nonce: str | None = None,
) -> httpx.Response:
    if body is None:
        body = proto.seal(MSK, json.dumps(plaintext).encode()) if plaintext is not None else b""
    ts = rfc3339(when or dt.datetime.now(dt.UTC))
    nonce = nonce or make_nonce()
    headers = {
        "X-Terminal-Id": vsim.TRAINING_TERMINAL_ID,
        "User-Agent": "Viopay-POS/1.0 (Test; PC)",
        "X-Client-Type": "pos",
        "X-Key-Id": vsim.TRAINING_KEY_ID,
        "X-Timestamp": ts,
        "X-Nonce": nonce,
        "X-Signature": proto.sign(
            secret, method, path, "", body, vsim.TRAINING_TERMINAL_ID, ts, nonce
        ),
        "Content-Type": "application/json",
    }
    headers.update(override or {})
    if drop:
        del headers[drop]
    return httpx.request(method, url + path, content=body, headers=headers)


def error_of(r: httpx.Response) -> tuple[int, str, str]:
    e = r.json()["error"]
    assert e["trace_id"]
    return r.status_code, e["code"], e["message"]


@pytest.fixture
def url(viopay_server: ServerThread) -> str:
    return viopay_server.url


LOOKUP = "/pos/charge/ch_train_eur_4990"
REFUND = LOOKUP + "/refund"


@pytest.mark.parametrize("header", vsim.REQUIRED_HEADERS)
def test_every_header_is_required(url: str, header: str) -> None:
    assert error_of(send(url, "GET", LOOKUP, drop=header))[:2] == (401, "4001")


@pytest.mark.parametrize(
    ("override", "says"),
    [
        ({"User-Agent": "curl/8"}, "Viopay-POS/"),
        ({"X-Client-Type": "web"}, "pos"),
        ({"X-Key-Id": "other"}, "unknown key ID"),
        ({"X-Timestamp": "yesterday"}, "RFC 3339"),
        ({"X-Nonce": "short"}, "at least 12"),
        ({"X-Signature": "v1=AAAA"}, "Invalid signature"),
    ],
)
def test_bad_headers_are_401(url: str, override: dict[str, str], says: str) -> None:
    status, code, message = error_of(send(url, "GET", LOOKUP, override=override))
    assert (status, code) == (401, "4001") and says in message


# Margins of a few seconds: the timestamp is sent in whole seconds.
@pytest.mark.parametrize(("shift", "ok"), [(-296, True), (-304, False), (55, True), (65, False)])
def test_timestamp_window(url: str, shift: int, ok: bool) -> None:
    r = send(url, "GET", LOOKUP, when=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=shift))
    assert (r.status_code == 200) is ok
    if not ok:
        assert error_of(r)[2] == "timestamp outside the allowed window"
        assert r.headers["Date"]


def test_nonce_replay_is_refused(url: str) -> None:
    assert send(url, "GET", LOOKUP, nonce="ReplayNonce001").status_code == 200
    assert error_of(send(url, "GET", LOOKUP, nonce="ReplayNonce001"))[2] == "nonce already used"


def test_signature_covers_the_body(url: str) -> None:
    body = proto.seal(MSK, b'{"amount":{"value":"100","currency":"EUR"}}')
    good = send(url, "POST", REFUND, body=body)
    assert good.status_code == 200
    # Sign one body, send another: the envelope differs by one hex digit.
    r = send(url, "POST", REFUND, body=body, override={"X-Signature": "v1=" + "A" * 43 + "="})
    assert error_of(r)[:2] == (401, "4001")


@pytest.mark.parametrize(
    ("plaintext", "says"),
    [
        ({}, "amount is required"),
        ({"amount": {"value": "0", "currency": "EUR"}}, "amount.value"),
        ({"amount": {"value": "10.00", "currency": "EUR"}}, "amount.value"),
        ({"amount": {"value": 100, "currency": "EUR"}}, "amount.value"),
        ({"amount": {"value": "100", "currency": "USD"}}, "amount.currency"),
        ({"amount": {"value": "4991", "currency": "EUR"}}, "exceeds"),
        ({"amount": {"value": "100", "currency": "EUR"}, "reason": "x" * 256}, "reason"),
        (
            {"amount": {"value": "100", "currency": "EUR"}, "transaction_reference": "a b"},
            "transaction_reference",
        ),
        (
            {"amount": {"value": "100", "currency": "EUR"}, "transaction_reference": "x" * 65},
            "transaction_reference",
        ),
    ],
)
def test_refund_rules_name_the_field(url: str, plaintext: dict[str, Any], says: str) -> None:
    status, code, message = error_of(send(url, "POST", REFUND, plaintext))
    assert (status, code) == (400, "4000") and says in message


@pytest.mark.parametrize("charge", ["ch_train_declined", "ch_train_pending"])
def test_only_approved_charges_can_be_refunded(url: str, charge: str) -> None:
    r = send(
        url, "POST", f"/pos/charge/{charge}/refund", {"amount": {"value": "100", "currency": "EUR"}}
    )
    assert "only approved charges" in error_of(r)[2]


def test_envelope_problems_are_400(url: str) -> None:
    assert "invalid envelope" in error_of(send(url, "POST", REFUND, body=b"{}"))[2]
    wrong_key = proto.seal(bytes(32), b"{}")
    assert error_of(send(url, "POST", REFUND, body=wrong_key))[2] == "key check value mismatch"


def test_idempotency_key_rules(url: str) -> None:
    p = {"amount": {"value": "100", "currency": "EUR"}}
    a = send(url, "POST", REFUND, p, override={"Idempotency-Key": "key-1"})
    b = send(url, "POST", REFUND, p, override={"Idempotency-Key": "key-1"})
    assert json.loads(proto.open_envelope(MSK, a.content)) == json.loads(
        proto.open_envelope(MSK, b.content)
    )
    other = {"amount": {"value": "101", "currency": "EUR"}}
    c = send(url, "POST", REFUND, other, override={"Idempotency-Key": "key-1"})
    assert error_of(c)[:2] == (409, "4009")
    d = send(url, "POST", REFUND, p, override={"Idempotency-Key": "k" * 65})
    assert error_of(d)[0] == 400


def test_unknown_charge_and_route_are_404(url: str) -> None:
    assert error_of(send(url, "GET", "/pos/charge/nope"))[:2] == (404, "4004")
    assert error_of(send(url, "GET", "/elsewhere"))[0] == 404


def test_pending_refunds_settle(url: str, viopay_sim: vsim.ViopaySimulator) -> None:
    viopay_sim.faults.pending_settles_after = dt.timedelta(0)
    charge_path = "/pos/charge/ch_train_gbp_refund_pending"
    r = send(url, "POST", charge_path + "/refund", {"amount": {"value": "100", "currency": "GBP"}})
    assert json.loads(proto.open_envelope(MSK, r.content))["status"] == "pending"
    looked = json.loads(proto.open_envelope(MSK, send(url, "GET", charge_path).content))
    assert looked["refunds"][0]["status"] == "approved"


def test_charges_file_round_trip(tmp_path: Any) -> None:
    path = tmp_path / "charges.json"
    path.write_text(json.dumps([c.to_json() for c in vsim.training_charges()]))
    loaded = vsim.load_charges(str(path))
    assert [c.charge_id for c in loaded] == [c.charge_id for c in vsim.training_charges()]
    assert loaded[1].refunded.minor == 3000
    path.write_text('[{"charge_id": "x"}]')
    with pytest.raises(ValueError, match="bad charge"):
        vsim.load_charges(str(path))
