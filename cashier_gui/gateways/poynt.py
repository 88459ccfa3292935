"""Poynt POS Bridge client: the card terminal on the shop's LAN, following
../shared/protocol/poynt-pos-bridge.md.

Requests are `text/plain` JSON, signed with the pairing code (upper-case hex HMAC-SHA256).
Responses must carry a valid `Signature` (either hex case); one that is missing or wrong counts
as no answer — the outcome stays unknown, never success. After a timeout or a dropped
connection, the very same request (same `poyntRequestId`) is sent once more, which the terminal
answers from memory, before the outcome is declared unknown.

Decisions: the bridge has no lookup (`has_lookup = False`); a refund's `FAILED` status, and error
bodies with a valid signature, are "refused — nothing refunded"; `AUTHORIZED`/`HOLD` are pending.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from cashier_gui.config import PoyntSettings
from cashier_gui.gateways.base import (
    AuthFailed,
    BadRequest,
    BadResponse,
    Charge,
    ConnectFailed,
    ConnectionLost,
    GatewayError,
    InvalidInput,
    RefundOutcome,
    RefundRequest,
    RefundStatus,
    Rejected,
    ServerError,
    TimedOut,
    Timeouts,
    check_charge_id,
)
from cashier_gui.money import Money, MoneyError
from cashier_gui.protocol import poynt as proto

_APPROVED = {"REFUNDED", "COMPLETED", "CAPTURED"}
_DECLINED = {"DECLINED", "VOIDED", "CANCELED"}
_PENDING = {"AUTHORIZED", "HOLD"}
SIGNATURE_MISMATCH = "REQUEST_SIGNATURE_MISMATCH"


class PoyntClient:
    provider = "poynt"
    has_lookup = False

    def __init__(
        self,
        *,
        host: str,
        port: int = 55555,
        pairing_code: str,
        client_name: str = "cashier_gui",
        timeouts: Timeouts | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retries_after_timeout: int = 1,
    ) -> None:
        self.base_url = f"http://{host}:{port}"
        self._code = pairing_code
        self.client_name = client_name
        self._timeouts = timeouts or Timeouts()
        self._retries = retries_after_timeout
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=self._timeouts.httpx(),
            transport=transport,
            trust_env=False,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"PoyntClient(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    # ---- operations ---------------------------------------------------------------------------

    async def lookup(self, charge_id: str) -> Charge:
        raise InvalidInput(
            "The Poynt terminal cannot look payments up: enter the amount to refund, or Full."
        )

    async def pair(self) -> str:
        """Pair with the terminal (the pairing code it shows). Returns its serial number."""
        data = await self._post("pair", {"poyntRequestId": str(uuid.uuid4())}, retry=False)
        if data.get("status") != "SUCCESS":
            raise BadResponse(f"The terminal did not confirm the pairing ({data.get('status')}).")
        return str(data.get("serialNumber") or "unknown")

    async def ping(self) -> None:
        data = await self._post(
            "ping",
            {"poyntRequestId": str(uuid.uuid4()), "timeout": self._timeout_ms()},
            retry=False,
        )
        if data.get("status") != "SUCCESS":
            raise BadResponse(f"The terminal answered the ping with {data.get('status')}.")

    async def refund(self, request: RefundRequest) -> RefundOutcome:
        transaction_id = check_charge_id(request.charge_id)
        payment: dict[str, Any] = {}
        if request.amount is not None:
            payment["amount"] = request.amount.minor
        body = {
            "poyntRequestId": request.idempotency_key,
            "transactionId": transaction_id,
            "timeout": self._timeout_ms(),
            "payment": payment,
        }
        data = await self._post("authorizeRefund", body, retry=True)
        return parse_refund(data, request)

    def _timeout_ms(self) -> int:
        return int(self._timeouts.read * 1000)

    # ---- the wire -----------------------------------------------------------------------------

    async def _post(self, operation: str, body: dict[str, Any], *, retry: bool) -> dict[str, Any]:
        raw = json.dumps(body, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "text/plain",
            "Signature": proto.sign(self._code, raw),
            "Poynt-Client": self.client_name,
            "Poynt-Request-Id": str(body["poyntRequestId"]),
        }
        tries = 1 + (self._retries if retry else 0)
        last: GatewayError | None = None
        for _ in range(tries):
            try:
                response = await self._http.post(
                    f"/devices/cat/{operation}", content=raw, headers=headers
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                if last is not None:  # an earlier try may have reached the terminal
                    raise last from None
                raise ConnectFailed(
                    f"Cannot reach the card terminal at {self.base_url}: check that it is on, "
                    f"on the same network, and showing its POS Bridge screen. ({exc})"
                ) from None
            except httpx.TimeoutException:
                last = TimedOut(
                    "The card terminal did not answer in time. The refund may or may not have "
                    "gone through: check it before refunding again."
                )
                continue
            except httpx.HTTPError as exc:
                last = ConnectionLost(
                    "The connection to the card terminal dropped before it answered. The refund "
                    f"may or may not have gone through. ({exc})"
                )
                continue
            return self._read(response, operation)
        assert last is not None
        raise last

    def _read(self, response: httpx.Response, operation: str) -> dict[str, Any]:
        signed = proto.verify(self._code, response.content, response.headers.get("Signature"))
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        error = data.get("error") if isinstance(data, dict) else None
        if not signed:
            hint = ""
            if isinstance(error, dict) and error.get("errorName") == SIGNATURE_MISMATCH:
                hint = " The terminal says the pairing code does not match: pair again."
            if operation == "pair" and hint:
                raise AuthFailed("Wrong pairing code: type the code the terminal shows now.")
            raise BadResponse(
                "The card terminal's answer is not signed with this counter's pairing code, so "
                f"it cannot be trusted.{hint}"
            )
        if not isinstance(data, dict):
            raise BadResponse("The card terminal's answer is not JSON.")
        if response.status_code == 200 and error is None:
            return data
        name = str(error.get("errorName")) if isinstance(error, dict) else None
        description = str(error.get("description")) if isinstance(error, dict) else None
        code = str(error.get("errorCode")) if isinstance(error, dict) else None
        kw = {"code": code or name, "server_message": description, "trace_id": None}
        said = f" The terminal says: {description}" if description else ""
        if response.status_code >= 500:
            raise ServerError(
                "The card terminal had a problem. The refund may or may not have gone through: "
                f"check it before refunding again.{said}",
                **kw,
            )
        if name == SIGNATURE_MISMATCH:
            raise AuthFailed(
                f"The terminal refused this counter's signature: pair again.{said}", **kw
            )
        raise BadRequest(f"The card terminal refused the request.{said}", **kw)


def parse_refund(data: dict[str, Any], request: RefundRequest) -> RefundOutcome:
    payment = data.get("payment")
    transactions = payment.get("transactions") if isinstance(payment, dict) else None
    if not isinstance(transactions, list):
        raise BadResponse("The terminal's answer has no transactions.")
    refunds = [t for t in transactions if isinstance(t, dict) and t.get("action") == "REFUND"]
    if not refunds:
        raise BadResponse("The terminal's answer has no refund transaction.")
    txn = refunds[-1]
    status = str(txn.get("status", "")).upper()
    amount: Money | None = None
    amounts = txn.get("amounts")
    if isinstance(amounts, dict) and "transactionAmount" in amounts:
        try:
            amount = Money(int(amounts["transactionAmount"]), str(amounts.get("currency", "USD")))
        except (TypeError, ValueError, MoneyError):
            raise BadResponse("The terminal's refund amount is unreadable.") from None
    refund_id = str(txn["id"]) if txn.get("id") else None
    if status in _APPROVED:
        result = RefundStatus.APPROVED
    elif status in _DECLINED:
        result = RefundStatus.DECLINED
    elif status in _PENDING:
        result = RefundStatus.PENDING
    elif status == "FAILED":
        raise Rejected(
            "The card terminal reports the refund FAILED: nothing was refunded.",
            code="FAILED",
        )
    else:
        raise BadResponse(f"The terminal answered with an unknown status {status!r}.")
    if result is not RefundStatus.DECLINED and not refund_id:
        raise BadResponse("The terminal's refund has no transaction ID.")
    if request.amount is not None and amount is not None and amount.minor != request.amount.minor:
        raise BadResponse("The terminal refunded a different amount than was asked.")
    return RefundOutcome(result, refund_id, amount, raw=data)


async def pair_with_terminal(settings: PoyntSettings, code: str) -> str:
    client = PoyntClient(
        host=settings.host,
        port=settings.port,
        pairing_code=code,
        client_name=settings.client_name,
    )
    try:
        return await client.pair()
    finally:
        await client.aclose()
