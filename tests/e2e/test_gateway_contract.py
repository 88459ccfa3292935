"""The gateway contract (tests/support/gateway_contract.py) for both real clients against
their simulators on loopback."""

from __future__ import annotations

from typing import Any

import httpx

from cashier_gui.gateways.base import Gateway, Timeouts
from cashier_gui.gateways.poynt import PoyntClient
from cashier_gui.gateways.viopay import ViopayClient
from cashier_gui.protocol import poynt as pproto
from cashier_gui.simulators import poynt as psim
from cashier_gui.simulators import viopay as vsim
from tests.support.gateway_contract import GatewayContract


class TestViopay(GatewayContract):
    refundable = "ch_train_eur_4990"
    voidable = "ch_train_eur_today_2450"
    currency = "EUR"

    def make_simulator(self) -> Any:
        return vsim.ViopaySimulator()

    def client(self, host: str, port: int, *, transport: Any = None, read: float = 2) -> Gateway:
        return ViopayClient(
            base_url=f"http://{host}:{port}",
            terminal_id=vsim.TRAINING_TERMINAL_ID,
            key_id=vsim.TRAINING_KEY_ID,
            hmac_secret=vsim.TRAINING_HMAC_SECRET,
            msk=bytes.fromhex(vsim.TRAINING_MSK_HEX),
            timeouts=Timeouts(connect=1, read=read),
            transport=transport,
        )

    def refunds_made(self, simulator: Any) -> int:
        return sum(1 for _, r in simulator.all_refunds() if r.transaction_reference)


class TestPoynt(GatewayContract):
    refundable = "txn_train_usd_2500"
    voidable = "txn_train_usd_today_1250"
    currency = "USD"

    def make_simulator(self) -> Any:
        return psim.PoyntSimulator()

    def client(self, host: str, port: int, *, transport: Any = None, read: float = 2) -> Gateway:
        return PoyntClient(
            host=host,
            port=port,
            pairing_code=psim.TRAINING_PAIRING_CODE,
            timeouts=Timeouts(connect=1, read=read),
            transport=transport,
            currency="USD",
        )

    def refunds_made(self, simulator: Any) -> int:
        return sum(1 for r in simulator.refunds if r["status"] == "REFUNDED")

    def garbled(self) -> httpx.Response:
        body = b"\x00garbage{"  # signed, so only its content is wrong
        return httpx.Response(
            200, content=body, headers={"Signature": pproto.sign(psim.TRAINING_PAIRING_CODE, body)}
        )
