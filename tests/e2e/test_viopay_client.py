"""The Viopay client against the simulator as a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Iterator

import pytest
from aiohttp import web

from cashier_gui.gateways.base import (
    AuthFailed,
    BadRequest,
    BadResponse,
    ChargeStatus,
    Conflict,
    ConnectFailed,
    ConnectionLost,
    InvalidInput,
    NotFound,
    RefundRequest,
    RefundStatus,
    ServerError,
    TimedOut,
    Timeouts,
)
from cashier_gui.gateways.viopay import ViopayClient
from cashier_gui.money import Money
from cashier_gui.protocol import viopay as proto
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread

MSK = bytes.fromhex(vsim.TRAINING_MSK_HEX)


def client_for(url: str, **kw: object) -> ViopayClient:
    args: dict[str, object] = {
        "base_url": url,
        "terminal_id": vsim.TRAINING_TERMINAL_ID,
        "key_id": vsim.TRAINING_KEY_ID,
        "hmac_secret": vsim.TRAINING_HMAC_SECRET,
        "msk": MSK,
        "timeouts": Timeouts(connect=2, read=2),
    }
    args.update(kw)
    return ViopayClient(**args)  # type: ignore[arg-type]


def req(
    charge: str, minor: int, currency: str = "EUR", key: str = "k-1", ref: str = "REF-1"
) -> RefundRequest:
    return RefundRequest(charge, Money(minor, currency), "customer_request", ref, key)


@pytest.fixture
def url(viopay_server: ServerThread) -> str:
    return viopay_server.url


async def test_lookup_shows_the_charge(url: str) -> None:
    c = client_for(url)
    charge = await c.lookup("ch_train_eur_partly")
    await c.aclose()
    assert charge.status is ChargeStatus.APPROVED
    assert charge.amount == Money(12000, "EUR")
    assert charge.refunded == Money(3000, "EUR")
    assert charge.remaining == Money(9000, "EUR")
    assert (charge.card_brand, charge.card_last4) == ("MASTERCARD", "5100")
    assert len(charge.refunds) == 1 and charge.why_not_refundable() is None


async def test_partial_refund_is_approved_and_counted(url: str) -> None:
    c = client_for(url)
    out = await c.refund(req("ch_train_eur_4990", 1250))
    charge = await c.lookup("ch_train_eur_4990")
    await c.aclose()
    assert out.status is RefundStatus.APPROVED and out.refund_id
    assert out.amount == Money(1250, "EUR")
    assert charge.refunded == Money(1250, "EUR")
    assert charge.refunds[-1].transaction_reference == "REF-1"


async def test_over_refund_is_refused_by_the_server(url: str) -> None:
    c = client_for(url)
    with pytest.raises(BadRequest) as info:
        await c.refund(req("ch_train_eur_4990", 4991))
    await c.aclose()
    assert info.value.code == "4000" and "exceeds" in (info.value.server_message or "")
    assert info.value.trace_id


async def test_currency_mismatch_is_refused(url: str) -> None:
    c = client_for(url)
    with pytest.raises(BadRequest, match="currency"):
        await c.refund(req("ch_train_eur_4990", 100, "USD"))
    await c.aclose()


async def test_unknown_charge_is_not_found(url: str) -> None:
    c = client_for(url)
    with pytest.raises(NotFound) as info:
        await c.lookup("ch_nope")
    await c.aclose()
    assert info.value.code == "4004"


async def test_declined_and_pending_refunds(url: str) -> None:
    c = client_for(url)
    declined = await c.refund(req("ch_train_usd_issuer_declines", 100, "USD"))
    pending = await c.refund(req("ch_train_gbp_refund_pending", 100, "GBP", key="k-2", ref="R2"))
    await c.aclose()
    assert declined.status is RefundStatus.DECLINED
    assert pending.status is RefundStatus.PENDING


async def test_wrong_secret_is_told_as_such(url: str) -> None:
    c = client_for(url, hmac_secret="not-the-secret")
    with pytest.raises(AuthFailed, match="HMAC secret, key ID or terminal ID") as info:
        await c.lookup("ch_train_eur_4990")
    await c.aclose()
    assert info.value.clock_skew is None and info.value.code == "4001"


async def test_clock_skew_is_reported_in_minutes(url: str) -> None:
    late = lambda: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=12)  # noqa: E731
    c = client_for(url, clock=late)
    with pytest.raises(AuthFailed, match="PC clock is off by 12 min") as info:
        await c.lookup("ch_train_eur_4990")
    await c.aclose()
    assert info.value.clock_skew is not None


async def test_replayed_nonce_is_refused(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import cashier_gui.gateways.viopay as mod

    monkeypatch.setattr(mod, "make_nonce", lambda: "SameNonce12345")
    c = client_for(url)
    await c.lookup("ch_train_eur_4990")
    with pytest.raises(AuthFailed) as info:
        await c.lookup("ch_train_eur_4990")
    await c.aclose()
    assert info.value.server_message == "nonce already used"


async def test_wrong_msk_is_diagnosed(url: str) -> None:
    c = client_for(url, msk=bytes(range(32)))
    with pytest.raises(BadRequest) as info:
        await c.refund(req("ch_train_eur_4990", 100))
    with pytest.raises(BadResponse, match="MSK configured on this PC does not match"):
        await c.lookup("ch_train_eur_4990")
    await c.aclose()
    assert info.value.server_message == "key check value mismatch"


async def test_idempotent_retry_returns_the_same_refund(
    url: str, viopay_sim: vsim.ViopaySimulator
) -> None:
    c = client_for(url)
    first = await c.refund(req("ch_train_eur_4990", 4990))
    again = await c.refund(req("ch_train_eur_4990", 4990))  # fully refunded by now
    with pytest.raises(Conflict):
        await c.refund(req("ch_train_eur_4990", 100))  # same key, other request
    await c.aclose()
    assert again.refund_id == first.refund_id
    assert len(viopay_sim.charges["ch_train_eur_4990"].refunds) == 1


async def test_server_error_is_an_unknown_outcome(
    url: str, viopay_sim: vsim.ViopaySimulator
) -> None:
    viopay_sim.faults.push("error500")
    c = client_for(url)
    with pytest.raises(ServerError) as info:
        await c.refund(req("ch_train_eur_4990", 100))
    await c.aclose()
    assert info.value.code == "5000" and info.value.trace_id


async def test_timeout_then_retry_with_the_same_key(
    url: str, viopay_sim: vsim.ViopaySimulator
) -> None:
    viopay_sim.faults.push("timeout")
    viopay_sim.faults.hang_seconds = 1.5
    c = client_for(url, timeouts=Timeouts(connect=1, read=0.3))
    with pytest.raises(TimedOut):
        await c.refund(req("ch_train_eur_4990", 700))
    retry = await c.refund(req("ch_train_eur_4990", 700))
    await c.aclose()
    assert retry.status is RefundStatus.APPROVED
    assert len(viopay_sim.charges["ch_train_eur_4990"].refunds) == 1


async def test_dropped_connection_after_commit(url: str, viopay_sim: vsim.ViopaySimulator) -> None:
    viopay_sim.faults.push("drop_after_commit")
    c = client_for(url)
    with pytest.raises(ConnectionLost):
        await c.refund(req("ch_train_eur_4990", 100))
    retry = await c.refund(req("ch_train_eur_4990", 100))
    await c.aclose()
    assert retry.refund_id == viopay_sim.charges["ch_train_eur_4990"].refunds[0].refund_id


async def test_nothing_listening_is_connect_failed() -> None:
    c = client_for("http://127.0.0.1:9")
    with pytest.raises(ConnectFailed, match="Cannot reach Viopay"):
        await c.lookup("ch_x")
    await c.aclose()


async def test_bad_charge_ids_never_reach_the_url(
    url: str, viopay_sim: vsim.ViopaySimulator
) -> None:
    c = client_for(url)
    for bad in ("../etc", "a/b", "a?b=1", "a b", "", "x" * 200):
        with pytest.raises(InvalidInput):
            await c.lookup(bad)
    await c.aclose()
    assert viopay_sim.requests_seen == 0


async def test_concurrent_refunds_never_exceed_the_charge(
    url: str, viopay_sim: vsim.ViopaySimulator
) -> None:
    c = client_for(url)
    results = await asyncio.gather(
        *(c.refund(req("ch_train_eur_4990", 1000, key=f"k{i}", ref=f"R{i}")) for i in range(8)),
        return_exceptions=True,
    )
    await c.aclose()
    approved = [r for r in results if not isinstance(r, BaseException)]
    assert len(approved) == 4
    assert all(isinstance(r, BadRequest) for r in results if isinstance(r, BaseException))
    assert viopay_sim.charges["ch_train_eur_4990"].refunded == Money(4000, "EUR")


async def test_tls_verification_cannot_be_switched_off() -> None:
    with pytest.raises(ValueError, match="cannot be switched off"):
        client_for("https://example.invalid", verify=False)


def test_repr_holds_no_secret() -> None:
    c = client_for("http://127.0.0.1:9")
    assert vsim.TRAINING_HMAC_SECRET not in repr(c) and "MSK" not in repr(c)
    asyncio.run(c.aclose())


# ---- malformed answers from a server that does not follow the contract -----------------------


@pytest.fixture
def bad_server() -> Iterator[Callable[[bytes, int], str]]:
    servers: list[ServerThread] = []

    def start(body: bytes, status: int = 200) -> str:
        async def handler(request: web.Request) -> web.Response:
            return web.Response(body=body, status=status, content_type="application/json")

        def make() -> web.Application:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handler)
            return app

        server = ServerThread(make).start()
        servers.append(server)
        return server.url

    yield start
    for s in servers:
        s.stop()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<html>oops</html>", "could not be read"),
        (b'{"format":"TR31-DATA","mode":"CBC"}', "could not be read"),
        (proto.seal(bytes(range(32)), b"{}"), "MSK configured on this PC does not match"),
        (proto.seal(MSK, b"not json"), "not JSON"),
        (proto.seal(MSK, b'{"status":"approved"}'), "no refund ID"),
        (proto.seal(MSK, b'{"status":"weird","refund_id":"rf_1"}'), "incomplete"),
        (
            proto.seal(MSK, b'{"status":"approved","amount":{"value":"1","currency":"EUR"}}'),
            "no refund ID",
        ),
    ],
)
async def test_malformed_refund_answers_are_unknown_outcomes(
    bad_server: Callable[[bytes, int], str], body: bytes, says: str
) -> None:
    c = client_for(bad_server(body, 200))
    with pytest.raises(BadResponse, match=says):
        await c.refund(req("ch_1", 100))
    await c.aclose()


async def test_lookup_answer_about_another_charge_is_refused(
    bad_server: Callable[[bytes, int], str],
) -> None:
    other = vsim.training_charges()[0].to_json()
    c = client_for(bad_server(proto.seal(MSK, json.dumps(other).encode()), 200))
    with pytest.raises(BadResponse, match="another charge"):
        await c.lookup("ch_other")
    await c.aclose()


async def test_error_answer_that_is_not_json_still_maps_by_status(
    bad_server: Callable[[bytes, int], str],
) -> None:
    c = client_for(bad_server(b"Bad Gateway", 502))
    with pytest.raises(ServerError) as info:
        await c.refund(req("ch_1", 100))
    await c.aclose()
    assert info.value.code is None


def test_tls_uses_the_system_store_or_the_named_bundle(tmp_path: object) -> None:
    import ssl

    from cashier_gui.tls import tls_context

    system = tls_context()
    assert type(system).__module__.startswith("truststore")
    assert system.verify_mode == ssl.CERT_REQUIRED and system.check_hostname
    import certifi

    bundle = tls_context(certifi.where())
    assert bundle.verify_mode == ssl.CERT_REQUIRED and bundle.check_hostname
    from cashier_gui.config import ConfigError

    with pytest.raises(ConfigError, match="cannot be used"):
        tls_context(str(tmp_path) + "/missing.pem")


def sealed(plaintext: str) -> bytes:
    return proto.seal(MSK, plaintext.encode())


@pytest.mark.parametrize(
    ("plaintext", "says"),
    [
        # the amount of another request (and another currency)
        (
            '{"refund_id":"rf_1","status":"approved","amount":{"value":"999999","currency":"USD"}}',
            "another amount",
        ),
        ('{"refund_id":"rf_1","status":"approved","amount":{"value":"200","currency":"EUR"}}', ""),
        ('{"refund_id":"rf_1","status":"approved"}', "which amount"),
        ('{"refund_id":"rf_1","status":"pending"}', "which amount"),
        # two readings of one answer: the duplicated key is refused, not the last one taken
        (
            '{"refund_id":"rf_1","status":"declined","amount":{"value":"200","currency":"EUR"},'
            '"status":"approved"}',
            "appears twice",
        ),
        ('{"refund_id":"rf 1\\u001b[2J","status":"approved"}', "not a usable ID"),
    ],
)
async def test_approvals_must_match_the_request(
    bad_server: Callable[[bytes, int], str], plaintext: str, says: str
) -> None:
    c = client_for(bad_server(sealed(plaintext), 200))
    try:
        if not says:  # the control: the same answer for the requested amount is approved
            out = await c.refund(req("ch_1", 200))
            assert out.status is RefundStatus.APPROVED and out.amount == Money(200, "EUR")
            return
        with pytest.raises(BadResponse, match=says):
            await c.refund(req("ch_1", 200))
    finally:
        await c.aclose()


@pytest.fixture
def bloat_server() -> Iterator[Callable[[int], str]]:
    """Answers 200 with `size` bytes of one JSON string, generated as it is sent."""
    servers: list[ServerThread] = []

    def start(size: int) -> str:
        async def handler(request: web.Request) -> web.StreamResponse:
            await request.read()
            response = web.StreamResponse(status=200)
            await response.prepare(request)
            chunk = b"x" * 65536
            await response.write(b'{"refund_id":"rf_1","status":"approved","pad":"')
            sent = 0
            try:
                while sent < size:
                    await response.write(chunk)
                    sent += len(chunk)
            except (ConnectionError, RuntimeError):
                return response  # the client hung up: as it should
            await response.write(b'"}')
            return response

        def make() -> web.Application:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handler)
            return app

        server = ServerThread(make).start()
        servers.append(server)
        return server.url

    yield start
    for s in servers:
        s.stop()


async def test_an_answer_over_the_size_cap_is_cut_off_and_not_trusted(
    bloat_server: Callable[[int], str],
) -> None:
    import tracemalloc

    c = client_for(bloat_server(500 << 20))  # 500 MiB offered
    tracemalloc.start()
    try:
        with pytest.raises(BadResponse, match="far too large"):
            await c.refund(req("ch_1", 200))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await c.aclose()
    assert peak < 8 << 20  # cut off after 1 MiB, never read whole


@pytest.fixture
def drip_server() -> Iterator[Callable[[bytes, float], str]]:
    """Answers 200 at once, then the body one byte every `interval` seconds."""
    servers: list[ServerThread] = []

    def start(body: bytes, interval: float) -> str:
        async def handler(request: web.Request) -> web.StreamResponse:
            await request.read()
            response = web.StreamResponse(status=200)
            response.content_length = len(body)
            await response.prepare(request)
            for i in range(len(body)):
                await response.write(body[i : i + 1])
                await asyncio.sleep(interval)
            return response

        def make() -> web.Application:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handler)
            return app

        server = ServerThread(make).start()
        servers.append(server)
        return server.url

    yield start
    for s in servers:
        s.stop()


async def test_a_dripping_answer_meets_the_overall_deadline(
    drip_server: Callable[[bytes, float], str],
) -> None:
    body = sealed(
        '{"refund_id":"rf_1","status":"approved","amount":{"value":"200","currency":"EUR"}}'
    )
    # every byte comes well within the read timeout; the whole answer would take minutes
    c = client_for(drip_server(body, 0.2), timeouts=Timeouts(connect=1, read=1))
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        with pytest.raises(TimedOut, match="may or may not"):
            await c.refund(req("ch_1", 200))
    finally:
        await c.aclose()
    assert loop.time() - started < 5  # deadline = connect + read = 2 s, not len(body) * 0.2


async def test_answers_without_key_check_value_are_read(
    bad_server: Callable[[bytes, int], str],
) -> None:
    envelope = json.loads(
        sealed('{"refund_id":"rf_1","status":"approved","amount":{"value":"200","currency":"EUR"}}')
    )
    del envelope["key_kcv"]
    c = client_for(bad_server(json.dumps(envelope).encode(), 200))
    try:
        out = await c.refund(req("ch_1", 200))
    finally:
        await c.aclose()
    assert out.status is RefundStatus.APPROVED
