"""What every gateway promises, as one test class to subclass per back end (keyring's
`testing/backend.py` is the model). A subclass says how to build its real client against its
real simulator on loopback, and against an `httpx.MockTransport` for answers no simulator
gives; the tests here are the same for Viopay and Poynt.

Promises:
- a refund's answer is the outcome, bound to the request (amount, id);
- the very same request again (same key / request id) makes no second refund;
- a timeout is `TimedOut`, never success nor "not sent";
- a garbled answer is `BadResponse`;
- nothing listening is `ConnectFailed` (nothing sent);
- an answer captured for another request is not an outcome (`BadResponse`);
- a void of an unsettled sale is approved, once.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from cashier_gui.gateways.base import (
    BadResponse,
    ConnectFailed,
    Gateway,
    RefundRequest,
    RefundStatus,
    TimedOut,
)
from cashier_gui.money import Money
from cashier_gui.simulators.server import ServerThread
from tests.support import hostile as H


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class GatewayContract:
    """Subclass and provide the hooks below; the `test_*` methods then run for that back end."""

    #: a charge/transaction the simulator can refund (at least 5.00) and void
    refundable: str
    voidable: str
    currency: str

    # ---- hooks -------------------------------------------------------------------------------

    def make_simulator(self) -> Any:
        raise NotImplementedError

    def client(self, host: str, port: int, *, transport: Any = None, read: float = 2) -> Gateway:
        raise NotImplementedError

    def refunds_made(self, simulator: Any) -> int:
        raise NotImplementedError

    def garbled(self) -> httpx.Response:
        """A 200 answer that cannot be read (raw bytes where an answer should be)."""
        return httpx.Response(200, content=b"\x00garbage{", headers={"Signature": "00"})

    # ---- fixtures ----------------------------------------------------------------------------

    @pytest.fixture
    def simulator(self) -> Any:
        return self.make_simulator()

    @pytest.fixture
    async def wire(self, simulator: Any) -> AsyncIterator[tuple[Gateway, H.HostileServer]]:
        with ServerThread(simulator.app) as up, H.HostileServer(up.url) as hostile:
            gateway = self.client(hostile.host, hostile.port)
            yield gateway, hostile
            await gateway.aclose()

    def request(self, charge: str, minor: int, key: str | None = None) -> RefundRequest:
        return RefundRequest(
            charge,
            Money(minor, self.currency),
            None,
            f"REF-{uuid.uuid4().hex[:8]}",
            key or str(uuid.uuid4()),
        )

    # ---- the promises ------------------------------------------------------------------------

    async def test_a_refund_is_approved_and_bound_to_its_request(
        self, wire: tuple[Gateway, H.HostileServer], simulator: Any
    ) -> None:
        gateway, _ = wire
        outcome = await gateway.refund(self.request(self.refundable, 500))
        assert outcome.status is RefundStatus.APPROVED and outcome.refund_id
        assert outcome.amount == Money(500, self.currency)
        assert self.refunds_made(simulator) == 1

    async def test_the_same_request_again_makes_no_second_refund(
        self, wire: tuple[Gateway, H.HostileServer], simulator: Any
    ) -> None:
        gateway, hostile = wire
        request = self.request(self.refundable, 500)
        hostile.then(H.drop_after())  # made, answer lost (a retry inside the call may follow)
        try:
            first = await gateway.refund(request)
        except TimedOut:
            first = None
        except Exception as exc:  # the connection dropped: unknown, never success
            assert type(exc).__name__ in ("ConnectionLost", "TimedOut"), exc
            first = None
        again = await gateway.refund(request)
        assert again.status is RefundStatus.APPROVED
        assert first is None or first.refund_id == again.refund_id
        assert self.refunds_made(simulator) == 1

    async def test_a_timeout_is_timed_out(
        self, wire: tuple[Gateway, H.HostileServer], simulator: Any
    ) -> None:
        _, hostile = wire
        slow = self.client(hostile.host, hostile.port, read=0.5)
        hostile.then(*[H.drip(5, headers_at_once=True)] * 3)
        try:
            with pytest.raises(TimedOut):
                await slow.refund(self.request(self.refundable, 500))
        finally:
            await slow.aclose()

    async def test_a_garbled_answer_is_bad_response(self) -> None:
        mock = httpx.MockTransport(lambda request: self.garbled())
        gateway = self.client("127.0.0.1", 9, transport=mock)
        try:
            with pytest.raises(BadResponse):
                await gateway.refund(self.request(self.refundable, 500))
        finally:
            await gateway.aclose()

    async def test_nothing_listening_is_connect_failed(self) -> None:
        gateway = self.client("127.0.0.1", free_port(), read=1)
        try:
            with pytest.raises(ConnectFailed):
                await gateway.refund(self.request(self.refundable, 500))
        finally:
            await gateway.aclose()

    async def test_an_answer_captured_for_another_request_is_not_an_outcome(
        self, wire: tuple[Gateway, H.HostileServer], simulator: Any
    ) -> None:
        gateway, hostile = wire
        await gateway.refund(self.request(self.refundable, 500))
        captured = len(hostile.recorded) - 1
        hostile.then(*[H.replay(captured)] * 3)
        with pytest.raises(BadResponse):
            await gateway.refund(self.request(self.refundable, 700))
        assert self.refunds_made(simulator) == 1

    async def test_a_void_of_an_unsettled_sale_is_approved_once(
        self, wire: tuple[Gateway, H.HostileServer], simulator: Any
    ) -> None:
        gateway, _ = wire
        request = RefundRequest(self.voidable, None, None, "R-void", str(uuid.uuid4()))
        first = await gateway.void(request)
        again = await gateway.void(request)
        assert first.status is again.status is RefundStatus.APPROVED
        assert first.amount == again.amount and first.amount is not None
