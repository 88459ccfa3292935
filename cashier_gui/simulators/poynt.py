"""A Poynt POS Bridge simulator: a real HTTP server (aiohttp) speaking the bridge contract.

Pairing, ping and authorizeRefund against an in-memory transaction store; request signatures
checked (text/plain bodies only, any charset parameter, either hex case), response signatures set
(upper-case hex); every answer, error or not, echoes the request's `poyntRequestId` (the body's,
not the `Poynt-Request-Id` header's); a repeated `poyntRequestId` is answered from memory with the
very same bytes; planned faults (decline, fail, delay, drop, timeout, unsigned or tampered
answers, a busy terminal) for tests and training.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from cashier_gui.money import Money
from cashier_gui.protocol import poynt as proto
from cashier_gui.simulators.aiohttp_web import web
from cashier_gui.simulators.practice import (
    PRACTICE,
    SLOW_ANSWER_S,
    describe_sale,
    take_practice,
)

TRAINING_PAIRING_CODE = "TRAIN7"
SERIAL = "P61SIM000000001"
FAULT_KINDS = (
    "decline",  # the card issuer declines the refund
    "fail",  # the refund FAILED on the terminal
    "drop_after_commit",  # refund made, connection closed without an answer
    "timeout",  # refund made, then no answer for `hang_seconds`
    "unsigned",  # answer without a Signature header
    "bad_signature",  # answer with a wrong Signature
    "error500",  # terminal failure, nothing refunded
    "busy",  # TERMINAL_BUSY before anything is looked at: nothing refunded, nothing remembered
)


#: A practised lost answer is lost this often for its request: the send and the client's one
#: automatic re-send (so the cashier sees "unknown"); F5's re-send then gets the answer.
LOST_ANSWER_DROPS = 2


@dataclass
class SimTransaction:
    transaction_id: str
    amount: int
    currency: str = "USD"
    refunded: int = 0
    refund_outcome: str = "REFUNDED"
    #: False while the terminal's batch for the sale's day is open: it can still be voided.
    settled: bool = True
    voided: bool = False
    #: Training: a failure this receipt practises (see PRACTICE).
    practice: str | None = None
    practised: bool = False

    def __post_init__(self) -> None:
        if self.practice is not None and self.practice not in PRACTICE:
            raise ValueError(f"unknown practice {self.practice!r}: one of {', '.join(PRACTICE)}")

    def describe(self, locale: str | None = None) -> str:
        return describe_sale(
            Money(self.amount, self.currency),
            Money(self.refunded, self.currency),
            unsettled=not self.settled,
            practice=self.practice,
            outcome="declined" if self.refund_outcome == "DECLINED" else "approved",
            voided=self.voided,
            locale=locale,
        )


def training_transactions() -> list[SimTransaction]:
    return [
        SimTransaction("txn_train_usd_2500", 2500, "USD"),
        SimTransaction("txn_train_usd_today_1250", 1250, "USD", settled=False),
        SimTransaction("txn_train_usd_partly", 10000, "USD", refunded=4000),
        SimTransaction("txn_train_usd_issuer_declines", 1899, "USD", refund_outcome="DECLINED"),
        SimTransaction("txn_train_usd_fully_refunded", 1500, "USD", refunded=1500),
        SimTransaction("txn_train_usd_server_error", 2000, "USD", practice="error500"),
        SimTransaction("txn_train_usd_lost_answer", 3000, "USD", practice="drop_after_commit"),
        SimTransaction("txn_train_usd_slow_answer", 1000, "USD", practice="slow"),
    ]


def load_transactions(path: str) -> list[SimTransaction]:
    """`--transactions FILE`: a JSON list of {transactionId, amount, currency, refunded}."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of transactions")
    out = []
    for item in data:
        try:
            out.append(
                SimTransaction(
                    transaction_id=str(item["transactionId"]),
                    amount=int(item["amount"]),
                    currency=str(item.get("currency", "USD")),
                    refunded=int(item.get("refunded", 0)),
                    settled=item.get("settled", True) is not False,
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: bad transaction {item!r}: {exc}") from exc
    return out


class PoyntSimulator:
    """State and rules of one simulated terminal; `app()` is its aiohttp application."""

    def __init__(
        self,
        pairing_code: str = TRAINING_PAIRING_CODE,
        transactions: list[SimTransaction] | None = None,
    ) -> None:
        # The terminal shows its code in upper case and clients upper-case what is typed
        # (assumption 6): the key is the upper-case code, whatever case it was given in.
        self.pairing_code = pairing_code.upper()
        txns = training_transactions() if transactions is None else transactions
        self.transactions = {t.transaction_id: t for t in txns}
        self.delay_ms = 0
        self.hang_seconds = 60.0
        self.planned: list[str] = []
        self.paired_client: str | None = None
        self.refunds: list[dict[str, Any]] = []
        self._answers: dict[str, tuple[int, bytes]] = {}
        self._drops: dict[str, int] = {}  # request id → answers still to lose (practice)
        self.requests_seen = 0

    def push(self, kind: str, count: int = 1) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}")
        self.planned.extend([kind] * count)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_post("/devices/cat/{operation}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests_seen += 1
        raw = await request.read()
        operation = request.match_info["operation"]
        if self.delay_ms:
            await asyncio.sleep(self.delay_ms / 1000)
        # `content_type` is the media type without parameters: `text/plain; charset=utf-8` and
        # `text/plain` are both text/plain.
        text_plain = request.content_type == "text/plain"
        request_id = _request_id(raw)  # echoed in every answer, even a refusal
        if not text_plain or not proto.verify(
            self.pairing_code, raw, request.headers.get("Signature")
        ):
            return self._error(
                request_id,
                400,
                1001,
                "REQUEST_SIGNATURE_MISMATCH",
                "Pairing code mismatch. Please re-pair the devices",
            )
        if request_id is None:
            return self._error(None, 400, 1002, "INVALID_REQUEST", "poyntRequestId is required")
        body = json.loads(raw)
        if operation == "pair":
            self.paired_client = request.headers.get("Poynt-Client", "unknown")
            return self._answer(
                200, {"status": "SUCCESS", "poyntRequestId": request_id, "serialNumber": SERIAL}
            )
        if operation == "ping":
            return self._answer(200, {"status": "SUCCESS", "poyntRequestId": request_id})
        if operation not in ("authorizeRefund", "authorizeVoid"):
            return self._error(
                request_id, 400, 1003, "UNSUPPORTED_OPERATION", f"{operation} is not supported"
            )
        if self.planned and self.planned[0] == "busy":
            # Busy says nothing about an earlier request with this id: not remembered.
            self.planned.pop(0)
            return self._error(
                request_id, 400, 3001, "TERMINAL_BUSY", "The terminal is busy with another task"
            )
        if request_id in self._answers:  # the same request again: the original answer
            status, stored = self._answers[request_id]
            if self._drops.get(request_id):
                return self._lose(request, request_id, self._signed(status, stored))
            return self._signed(status, stored)
        if operation == "authorizeVoid":
            return await self._void(request, request_id, body)
        return await self._refund(request, request_id, body)

    async def _void(
        self, request: web.Request, request_id: str, body: dict[str, Any]
    ) -> web.StreamResponse:
        """Void a sale whose batch is open (assumption 7); settled → TRANSACTION_SETTLED."""
        txn = self.transactions.get(str(body.get("transactionId")))
        refusal = None
        if txn is None:
            refusal = (2001, "TRANSACTION_NOT_FOUND", "No such transaction on this terminal")
        elif txn.settled:
            refusal = (2004, "TRANSACTION_SETTLED", "The batch has settled: refund it instead")
        elif txn.refunded:
            refusal = (2005, "TRANSACTION_REFUNDED", "It has refunds: refund the rest instead")
        if refusal is not None or txn is None:
            assert refusal is not None
            return self._remember(request_id, *self._error_body(request_id, 400, *refusal))
        fault = self.planned.pop(0) if self.planned else None
        if fault == "error500":
            return self._error(
                request_id, 500, 5000, "TERMINAL_ERROR", "The terminal could not process it"
            )
        txn.voided = True
        txn.refunded = txn.amount  # nothing is left to refund
        answer = {
            "poyntRequestId": request_id,
            "payment": {
                "status": "VOIDED",
                "transactions": [
                    {
                        "id": txn.transaction_id,
                        "action": "SALE",
                        "status": "VOIDED",
                        "amounts": {"transactionAmount": txn.amount, "currency": txn.currency},
                    }
                ],
            },
        }
        response = self._remember(request_id, 200, answer)
        if fault == "drop_after_commit":
            if request.transport is not None:
                request.transport.close()
            return response
        if fault == "timeout":
            await asyncio.sleep(self.hang_seconds)
        return response

    async def _refund(
        self, request: web.Request, request_id: str, body: dict[str, Any]
    ) -> web.StreamResponse:
        txn = self.transactions.get(str(body.get("transactionId")))
        # No `payment` at all (Poynt's iOS library) or `payment: {}`: the full remaining amount.
        payment = body.get("payment", {})
        if txn is None:
            return self._remember(
                request_id,
                *self._error_body(
                    request_id,
                    400,
                    2001,
                    "TRANSACTION_NOT_FOUND",
                    "No such transaction on this terminal",
                ),
            )
        if not isinstance(payment, dict):
            return self._remember(
                request_id,
                *self._error_body(
                    request_id, 400, 1002, "INVALID_REQUEST", "payment must be an object"
                ),
            )
        remaining = txn.amount - txn.refunded
        amount = payment.get("amount", remaining)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            return self._remember(
                request_id,
                *self._error_body(
                    request_id,
                    400,
                    2002,
                    "INVALID_AMOUNT",
                    "amount must be a positive whole number of cents",
                ),
            )
        if amount > remaining:
            return self._remember(
                request_id,
                *self._error_body(
                    request_id,
                    400,
                    2003,
                    "AMOUNT_EXCEEDS_REFUNDABLE",
                    f"at most {remaining} can still be refunded",
                ),
            )
        planned = self.planned.pop(0) if self.planned else None
        fault = planned or take_practice(txn)
        if planned is None and fault == "drop_after_commit":
            self._drops[request_id] = LOST_ANSWER_DROPS
        if fault == "slow":
            await asyncio.sleep(SLOW_ANSWER_S)
            if amount > txn.amount - txn.refunded:  # refunded meanwhile by another request
                return self._remember(
                    request_id,
                    *self._error_body(
                        request_id,
                        400,
                        2003,
                        "AMOUNT_EXCEEDS_REFUNDABLE",
                        f"at most {txn.amount - txn.refunded} can still be refunded",
                    ),
                )
        if fault == "error500":
            return self._error(
                request_id, 500, 5000, "TERMINAL_ERROR", "The terminal could not process it"
            )
        status = {"decline": "DECLINED", "fail": "FAILED"}.get(fault or "", txn.refund_outcome)
        refund_id = str(uuid.uuid4())
        if status == "REFUNDED":
            txn.refunded += amount  # no await since the checks: refunds never add up past it
        self.refunds.append(
            {
                "id": refund_id,
                "transactionId": txn.transaction_id,
                "amount": amount,
                "status": status,
                "poyntRequestId": request_id,
            }
        )
        answer = {
            "payment": {
                "status": status,
                "transactions": [
                    {
                        "id": refund_id,
                        "action": "REFUND",
                        "status": status,
                        "amounts": {"transactionAmount": amount, "currency": txn.currency},
                        "links": [{"href": txn.transaction_id, "method": "GET", "rel": "CAPTURE"}],
                        "processorResponse": {
                            "approvalCode": secrets.token_hex(3).upper(),
                            "status": "Successful" if status == "REFUNDED" else status.title(),
                        },
                    }
                ],
            },
            "poyntRequestId": request_id,
        }
        response = self._remember(request_id, 200, answer)
        if self._drops.get(request_id):
            return self._lose(request, request_id, response)
        if fault == "drop_after_commit":
            if request.transport is not None:
                request.transport.close()
            return response
        if fault == "timeout":
            await asyncio.sleep(self.hang_seconds)
        if fault == "unsigned":
            response.headers.popall("Signature", None)
        if fault == "bad_signature":
            response.headers["Signature"] = proto.sign("not-the-code", response.body)  # type: ignore[arg-type]
        return response

    # ---- answers ------------------------------------------------------------------------------

    def _lose(self, request: web.Request, request_id: str, response: web.Response) -> web.Response:
        """Close the connection instead of answering (a practised lost answer)."""
        self._drops[request_id] -= 1
        if request.transport is not None:
            request.transport.close()
        return response

    def _remember(self, request_id: str, status: int, data: dict[str, Any]) -> web.Response:
        raw = json.dumps(data, separators=(",", ":")).encode()
        self._answers[request_id] = (status, raw)
        return self._signed(status, raw)

    @staticmethod
    def _error_body(
        request_id: str | None, status: int, code: int, name: str, text: str
    ) -> tuple[int, dict[str, Any]]:
        """`{"poyntRequestId": …, "error": {…}}`; without the id only when the request had none."""
        data: dict[str, Any] = {} if request_id is None else {"poyntRequestId": request_id}
        data["error"] = {"errorCode": code, "errorName": name, "description": text}
        return status, data

    def _error(
        self, request_id: str | None, status: int, code: int, name: str, text: str
    ) -> web.Response:
        _, data = self._error_body(request_id, status, code, name, text)
        return self._answer(status, data)

    def _answer(self, status: int, data: dict[str, Any]) -> web.Response:
        return self._signed(status, json.dumps(data, separators=(",", ":")).encode())

    def _signed(self, status: int, raw: bytes) -> web.Response:
        return web.Response(
            status=status,
            body=raw,
            content_type="application/json",
            headers={"Signature": proto.sign(self.pairing_code, raw)},
        )


def _request_id(raw: bytes) -> str | None:
    """The body's `poyntRequestId` (a non-empty string), or None when there is none."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    value = body.get("poyntRequestId") if isinstance(body, dict) else None
    return value if isinstance(value, str) and value else None
