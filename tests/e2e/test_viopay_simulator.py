"""The simulator enforces every rule of the Viopay contract (raw HTTP, no client in between)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
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
    timestamp: str | None = None,
    with_kcv: bool = True,
) -> httpx.Response:
    """One signed request. `timestamp` is sent (and signed) exactly as given; `with_kcv=False`
    seals the plaintext without `key_kcv`."""
    if body is None and plaintext is not None:
        body = proto.seal(MSK, json.dumps(plaintext).encode(), with_kcv=with_kcv)
    body = body or b""
    ts = timestamp or rfc3339(when or dt.datetime.now(dt.UTC))
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


# ---- the contract's recent changes: RFC 3339 timestamps in any form, key_kcv optional ----------


def _stamp(moment: dt.datetime, form: str) -> str:
    """`moment` written in one of the RFC 3339 forms a client may send."""
    utc = moment.astimezone(dt.UTC)
    if form == "z":
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == "plus00":  # what Java's OffsetDateTime/ISO formatters may give
        return utc.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    if form == "millis_z":  # the seed's Java sample: Instant.toString() with milliseconds
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    if form == "micros_plus00":
        return utc.isoformat(timespec="microseconds")  # …T…:…:….123456+00:00
    if form == "nanos_z":
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%f") + "789Z"
    if form == "plus0530":
        return moment.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))).isoformat()
    if form == "minus0700_frac":
        return moment.astimezone(dt.timezone(dt.timedelta(hours=-7))).isoformat(
            timespec="milliseconds"
        )
    if form == "lower_t_z":
        return utc.strftime("%Y-%m-%dt%H:%M:%Sz")
    raise AssertionError(form)


FORMS = [
    "z",
    "plus00",
    "millis_z",
    "micros_plus00",
    "nanos_z",
    "plus0530",
    "minus0700_frac",
    "lower_t_z",
]


@pytest.mark.parametrize("form", FORMS)
def test_any_rfc3339_timestamp_is_accepted(url: str, form: str) -> None:
    ts = _stamp(dt.datetime.now(dt.UTC), form)
    looked = send(url, "GET", LOOKUP, timestamp=ts)
    assert looked.status_code == 200, (ts, looked.text)
    refund = send(url, "POST", REFUND, {"amount": {"value": "10", "currency": "EUR"}}, timestamp=ts)
    assert refund.status_code == 200, (ts, refund.text)


@pytest.mark.parametrize("form", ["plus00", "millis_z", "plus0530", "minus0700_frac"])
@pytest.mark.parametrize(("shift", "ok"), [(-296, True), (-304, False), (55, True), (65, False)])
def test_the_window_holds_whatever_the_form(url: str, form: str, shift: int, ok: bool) -> None:
    ts = _stamp(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=shift), form)
    r = send(url, "GET", LOOKUP, timestamp=ts)
    assert (r.status_code == 200) is ok, ts
    if not ok:
        assert error_of(r)[2] == "timestamp outside the allowed window"


def test_an_offset_is_applied_not_ignored(url: str) -> None:
    # The local wall-clock time of +02:00 with the offset dropped would be two hours ahead.
    now = dt.datetime.now(dt.UTC)
    right = now.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat(timespec="seconds")
    assert send(url, "GET", LOOKUP, timestamp=right).status_code == 200
    wrong = now.strftime("%Y-%m-%dT%H:%M:%S") + "+02:00"  # UTC digits labelled +02:00
    assert error_of(send(url, "GET", LOOKUP, timestamp=wrong))[2] == (
        "timestamp outside the allowed window"
    )


@pytest.mark.parametrize(
    "bad",
    [
        "2025-12-13T14:25:30",  # no offset
        "2025-12-13 14:25:30Z",  # space
        "2025-12-13T14:25:30+0000",  # offset without the colon
        "2025-12-13T14:25:30+25:00",
        "2025-13-13T14:25:30Z",
        "2025-12-13T14:25:30.Z",
        "1765635930",
    ],
)
def test_timestamps_that_are_not_rfc3339_are_401(url: str, bad: str) -> None:
    status, code, message = error_of(send(url, "GET", LOOKUP, timestamp=bad))
    assert (status, code) == (401, "4001") and "RFC 3339" in message


def test_a_request_envelope_without_kcv_is_accepted(url: str) -> None:
    p = {"amount": {"value": "150", "currency": "EUR"}, "transaction_reference": "NOKCV-1"}
    r = send(url, "POST", REFUND, p, with_kcv=False)
    assert r.status_code == 200, r.text
    answer = json.loads(proto.open_envelope(MSK, r.content))
    assert answer["status"] == "approved" and answer["amount"] == p["amount"]


def test_a_kcv_that_is_present_is_still_checked(url: str) -> None:
    env = json.loads(proto.seal(MSK, b'{"amount":{"value":"1","currency":"EUR"}}'))
    env["key_kcv"] = "000000"
    r = send(url, "POST", REFUND, body=json.dumps(env).encode())
    assert error_of(r)[:3] == (400, "4000", "key check value mismatch")
    env["key_kcv"] = None  # present, but not a KCV: not the same as absent
    r = send(url, "POST", REFUND, body=json.dumps(env).encode())
    assert error_of(r)[:2] == (400, "4000") and "key_kcv" in error_of(r)[2]


def test_without_kcv_a_wrong_msk_is_still_a_400(url: str, viopay_sim: vsim.ViopaySimulator) -> None:
    plaintext = b'{"amount":{"value":"1","currency":"EUR"}}'
    for _ in range(5):  # a wrong key gives bad padding, or (rarely) garbage that is not JSON
        body = proto.seal(bytes(range(1, 33)), plaintext, with_kcv=False)
        status, code, message = error_of(send(url, "POST", REFUND, body=body))
        assert (status, code) == (400, "4000")
        assert "padding" in message or "not JSON" in message
    assert viopay_sim.charges["ch_train_eur_4990"].refunds == []


def test_timestamp_digits_are_ascii_only() -> None:
    # `\d` would match full-width digits; headers cannot carry them through httpx anyway.
    assert vsim._parse_ts("２０25-12-13T14:25:30Z") is None
    assert vsim._parse_ts("2025-12-13T14:25:30.5+01:00") == dt.datetime(
        2025, 12, 13, 13, 25, 30, 500000, tzinfo=dt.UTC
    )


def test_checks_come_in_the_contracts_order_without_kcv_too(url: str) -> None:
    # A bad signature over a kcv-less envelope with a bad body: 401, not 400.
    body = proto.seal(MSK, b'{"amount":{}}', with_kcv=False)
    r = send(url, "POST", REFUND, body=body, override={"X-Signature": "v1=" + "B" * 43 + "="})
    assert error_of(r)[:2] == (401, "4001")
    # A good signature: the body's problem is named.
    assert "amount.value" in error_of(send(url, "POST", REFUND, body=body))[2]
    # Nonce replay is a 401 whatever the body.
    first = send(url, "POST", REFUND, body=body, nonce="NoKcvNonce0001")
    assert first.status_code == 400
    again = send(url, "POST", REFUND, body=body, nonce="NoKcvNonce0001")
    assert error_of(again)[:3] == (401, "4001", "nonce already used")


def test_idempotency_is_about_the_plaintext_not_the_kcv(
    url: str, viopay_sim: vsim.ViopaySimulator
) -> None:
    p = {"amount": {"value": "200", "currency": "EUR"}, "transaction_reference": "IDEM-1"}
    a = send(url, "POST", REFUND, p, override={"Idempotency-Key": "idem-kcv"})
    b = send(url, "POST", REFUND, p, override={"Idempotency-Key": "idem-kcv"}, with_kcv=False)
    first, second = (json.loads(proto.open_envelope(MSK, x.content)) for x in (a, b))
    assert first == second and first["refund_id"].startswith("rf_")
    assert [r.refund_id for _, r in viopay_sim.all_refunds()].count(first["refund_id"]) == 1
    other = dict(p, transaction_reference="IDEM-2")
    c = send(url, "POST", REFUND, other, override={"Idempotency-Key": "idem-kcv"}, with_kcv=False)
    assert error_of(c)[:2] == (409, "4009")


@pytest.fixture
def no_kcv_url() -> Iterator[str]:
    sim = vsim.ViopaySimulator(answer_kcv=False)
    with ServerThread(sim.app) as server:
        yield server.url


def test_answer_kcv_false_leaves_it_out_of_every_sealed_answer(no_kcv_url: str) -> None:
    looked = send(no_kcv_url, "GET", LOOKUP)
    refund = send(
        no_kcv_url,
        "POST",
        REFUND,
        {"amount": {"value": "100", "currency": "EUR"}},
        override={"Idempotency-Key": "ak-1"},
    )
    again = send(
        no_kcv_url,
        "POST",
        REFUND,
        {"amount": {"value": "100", "currency": "EUR"}},
        override={"Idempotency-Key": "ak-1"},
    )
    for r in (looked, refund, again):
        assert r.status_code == 200, r.text
        assert set(r.json()) == {"format", "ciphertext", "initialization_vector", "mode"}
        assert json.loads(proto.open_envelope(MSK, r.content))
    assert json.loads(proto.open_envelope(MSK, looked.content))["charge_id"] == "ch_train_eur_4990"
    # the default still answers with it
    assert "key_kcv" in (vsim.ViopaySimulator()._sealed({}).text or "")


async def test_the_current_client_reads_answers_without_kcv(no_kcv_url: str) -> None:
    from cashier_gui.gateways.base import RefundRequest, RefundStatus, Timeouts
    from cashier_gui.gateways.viopay import ViopayClient
    from cashier_gui.money import Money

    c = ViopayClient(
        base_url=no_kcv_url,
        terminal_id=vsim.TRAINING_TERMINAL_ID,
        key_id=vsim.TRAINING_KEY_ID,
        hmac_secret=vsim.TRAINING_HMAC_SECRET,
        msk=MSK,
        timeouts=Timeouts(connect=2, read=2),
    )
    try:
        charge = await c.lookup("ch_train_eur_4990")
        out = await c.refund(
            RefundRequest("ch_train_eur_4990", Money(100, "EUR"), None, "REF-NOKCV", "k-nokcv")
        )
    finally:
        await c.aclose()
    assert charge.amount == Money(4990, "EUR")
    assert out.status is RefundStatus.APPROVED and out.amount == Money(100, "EUR")


def _seed_sample_request(url: str, body_json: str) -> httpx.Response:
    """The seed page's Python sample, line for line (requests → httpx), aimed at the simulator
    with the training terminal's secret."""
    import base64
    import hashlib
    import hmac
    import uuid
    from datetime import datetime, timezone

    terminal_id = vsim.TRAINING_TERMINAL_ID
    key_id = vsim.TRAINING_KEY_ID
    hmac_secret = vsim.TRAINING_HMAC_SECRET.encode()
    timestamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: UP017
    nonce = uuid.uuid4().hex[:12]
    charge_id = "ch_train_eur_4990"
    path = f"/pos/charge/{charge_id}/refund"
    signature_string = f"POST\n{path}\n\n{body_json}\n{terminal_id}\n{timestamp}\n{nonce}"
    signature = hmac.new(hmac_secret, signature_string.encode(), hashlib.sha256).digest()
    signature_b64 = base64.b64encode(signature).decode()
    headers = {
        "X-Terminal-Id": terminal_id,
        "User-Agent": "Viopay-POS/1.4.2 (Android 12; PAX-A920)",
        "X-Client-Type": "pos",
        "X-Key-Id": key_id,
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
        "X-Signature": f"v1={signature_b64}",
        "Content-Type": "application/json",
    }
    return httpx.post(f"{url}{path}", headers=headers, content=body_json)


def test_the_seed_pages_python_sample_is_understood(viopay_server: ServerThread) -> None:
    body = {"amount": {"value": "1500", "currency": "EUR"}, "reason": "customer_request"}
    body_json = json.dumps(body, separators=(",", ":"))
    # As printed, the sample signs and sends the plaintext: its signature is accepted (no 401),
    # then the body is refused for what it is — not an envelope.
    plain = _seed_sample_request(viopay_server.url, body_json)
    assert plain.status_code == 400 and "envelope" in plain.json()["error"]["message"]
    # The same sample with its body sealed the way the docs' envelope examples show it (no
    # key_kcv): approved.
    envelope = json.loads(proto.seal(MSK, body_json.encode(), with_kcv=False))
    assert "key_kcv" not in envelope
    sealed = _seed_sample_request(viopay_server.url, json.dumps(envelope, separators=(",", ":")))
    assert sealed.status_code == 200, sealed.text
    answer = json.loads(proto.open_envelope(MSK, sealed.content))
    assert answer["status"] == "approved" and answer["amount"] == body["amount"]


# ---- every planned fault still does what FAULT_KINDS says ---------------------------------------


@pytest.mark.parametrize("fault", vsim.FAULT_KINDS)
def test_every_fault_kind_still_works(
    url: str, viopay_sim: vsim.ViopaySimulator, fault: str
) -> None:
    viopay_sim.faults.push(fault)
    viopay_sim.faults.hang_seconds = 0.5
    p = {"amount": {"value": "100", "currency": "EUR"}}
    made = {
        "error500": 0,
        "error500_after_commit": 1,
        "drop_after_commit": 1,
        "drop_before_commit": 0,
        "timeout": 1,
        "decline": 1,
        "pending": 1,
    }[fault]
    try:
        r = send(url, "POST", REFUND, p, with_kcv=False)
    except httpx.HTTPError:
        assert fault in ("drop_after_commit", "drop_before_commit")
    else:
        if fault.startswith("error500"):
            assert error_of(r)[:2] == (500, "5000")
        else:
            status = json.loads(proto.open_envelope(MSK, r.content))["status"]
            assert (
                status
                == {"timeout": "approved", "decline": "declined", "pending": "pending"}[fault]
            )
    assert len(viopay_sim.charges["ch_train_eur_4990"].refunds) == made
    assert viopay_sim.faults.planned == []
    with pytest.raises(ValueError, match="unknown fault"):
        viopay_sim.faults.push("busy")
