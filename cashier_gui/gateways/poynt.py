"""Poynt POS Bridge client: the card terminal on the shop's LAN, following
../shared/protocol/poynt-pos-bridge.md.

Requests are `text/plain` JSON, signed with the pairing code (upper-case hex HMAC-SHA256).
Responses must carry a valid `Signature` (either hex case); one that is missing or wrong counts
as no answer — the outcome stays unknown, never success. After a timeout or a dropped
connection, the very same request (same `poyntRequestId`) is sent once more, which the terminal
answers from memory, before the outcome is declared unknown.

Answers belong to their request (contract assumption 5): an answer counts only when it is
signed, echoes the `poyntRequestId` that was sent, and — for a refund — holds exactly one REFUND
transaction that links to the requested `transactionId`, in the expected currency, for the
requested amount. Anything else (a replayed or swapped answer) is `BadResponse`: unknown.
Each exchange has one overall deadline and a 1 MiB cap (`gateways.http`).

Decisions: the bridge has no lookup (`has_lookup = False`); a refund's `FAILED` status, and bound
error bodies, are "refused — nothing refunded"; `AUTHORIZED`/`HOLD` are pending. A busy terminal
(`TERMINAL_BUSY`) is `Busy` and a signature error `AuthFailed`: neither says anything about an
earlier send with the same id, so after the in-call retry they leave the outcome unknown.
The pairing code is upper-cased (assumption 6); pairing waits at least 60 s for the terminal's
confirmation dialog.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from cashier_gui.gateways.base import (
    AuthFailed,
    BadRequest,
    BadResponse,
    Busy,
    Charge,
    ConnectFailed,
    ConnectionLost,
    GatewayError,
    InvalidInput,
    RefundOutcome,
    RefundRequest,
    Rejected,
    ServerError,
    TimedOut,
    Timeouts,
    check_charge_id,
)
from cashier_gui.gateways.http import AnswerTooBig, DeadlinePassed, exchange
from cashier_gui.gateways.poynt_answers import _MAYBE, _MAYBE_VOID, parse_refund, parse_void
from cashier_gui.i18n import N_, _
from cashier_gui.protocol import poynt as proto

SIGNATURE_MISMATCH = "REQUEST_SIGNATURE_MISMATCH"
TERMINAL_BUSY = "TERMINAL_BUSY"
TRANSACTION_SETTLED = "TRANSACTION_SETTLED"
PAIRING_WAIT = 60.0  # seconds: the terminal's confirmation dialog waits up to 30 s


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
        currency: str | None = None,
    ) -> None:
        self.base_url = f"http://{host}:{port}"
        self._code = pairing_code.strip().upper()
        self.currency = currency
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
            _("The Poynt terminal cannot look payments up: enter the amount to refund, or Full.")
        )

    async def pair(self) -> str:
        """Pair with the terminal (the pairing code it shows). Returns its serial number."""
        try:
            data = await self._post(
                "pair",
                {"poyntRequestId": str(uuid.uuid4())},
                retry=False,
                deadline=max(PAIRING_WAIT, self._timeouts.deadline),
                maybe="",
            )
        except TimedOut:
            raise TimedOut(
                _(
                    "The terminal did not confirm the pairing in time: press CONNECT on the "
                    "terminal, accept the pairing there, and try again."
                )
            ) from None
        if data.get("status") != "SUCCESS":
            raise BadResponse(
                _("The terminal did not confirm the pairing ({status}).").format(
                    status=data.get("status")
                )
            )
        return str(data.get("serialNumber") or "unknown")

    async def ping(self) -> None:
        data = await self._post(
            "ping",
            {"poyntRequestId": str(uuid.uuid4()), "timeout": self._timeout_ms()},
            retry=False,
            maybe=N_("Nothing was refunded."),
        )
        if data.get("status") != "SUCCESS":
            raise BadResponse(
                _("The terminal answered the ping with {status}.").format(status=data.get("status"))
            )

    async def refund(self, request: RefundRequest) -> RefundOutcome:
        transaction_id = check_charge_id(request.charge_id)
        payment: dict[str, Any] = {}
        if request.amount is not None:
            if self.currency and request.amount.currency != self.currency:
                raise InvalidInput(
                    _("This terminal takes {currency}, not {other}.").format(
                        currency=self.currency, other=request.amount.currency
                    )
                )
            payment["amount"] = request.amount.minor
        body = {
            "poyntRequestId": request.idempotency_key,
            "transactionId": transaction_id,
            "timeout": self._timeout_ms(),
            "payment": payment,
        }
        data = await self._post("authorizeRefund", body, retry=True)
        return parse_refund(data, request, self.currency)

    async def void(self, request: RefundRequest) -> RefundOutcome:
        """`authorizeVoid` (contract assumption 7): approved = the sale is VOIDED; a settled
        sale is refused with TRANSACTION_SETTLED (then refund it)."""
        transaction_id = check_charge_id(request.charge_id)
        body = {
            "poyntRequestId": request.idempotency_key,
            "transactionId": transaction_id,
            "timeout": self._timeout_ms(),
        }
        data = await self._post("authorizeVoid", body, retry=True, maybe=_MAYBE_VOID)
        return parse_void(data, request)

    def _timeout_ms(self) -> int:
        return int(self._timeouts.read * 1000)

    # ---- the wire -----------------------------------------------------------------------------

    async def _post(
        self,
        operation: str,
        body: dict[str, Any],
        *,
        retry: bool,
        deadline: float | None = None,
        maybe: str = _MAYBE,
    ) -> dict[str, Any]:
        """Send one signed request (and, with `retry`, the very same again after a timeout or
        a dropped connection). `maybe` is the sentence on what may have happened."""
        maybe = _(maybe) if maybe else ""
        raw = json.dumps(body, separators=(",", ":")).encode()
        request_id = str(body["poyntRequestId"])
        headers = {
            "Content-Type": "text/plain",
            "Signature": proto.sign(self._code, raw),
            "Poynt-Client": self.client_name,
            "Poynt-Request-Id": request_id,
        }
        tries = 1 + (self._retries if retry else 0)
        last: GatewayError | None = None  # set once a try may have reached the terminal
        for _try in range(tries):
            try:
                response = await exchange(
                    self._http,
                    "POST",
                    f"{self.base_url}/devices/cat/{operation}",
                    content=raw,
                    headers=headers,
                    deadline=deadline or self._timeouts.deadline,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                if last is not None:  # an earlier try may have reached the terminal
                    raise last from None
                raise ConnectFailed(
                    _(
                        "Cannot reach the card terminal at {url}: check that it is on, on the "
                        "same network, and showing its POS Bridge screen. ({problem})"
                    ).format(url=self.base_url, problem=exc)
                ) from None
            except (httpx.TimeoutException, DeadlinePassed):
                last = TimedOut(
                    _("The card terminal did not answer in time. {maybe}").format(maybe=maybe)
                )
                continue
            except AnswerTooBig:
                raise BadResponse(
                    _("The card terminal's answer was far too large to be real. {maybe}").format(
                        maybe=maybe
                    )
                ) from None
            except httpx.HTTPError as exc:
                last = ConnectionLost(
                    _(
                        "The connection to the card terminal dropped before it answered. "
                        "{maybe} ({problem})"
                    ).format(maybe=maybe, problem=exc)
                )
                continue
            try:
                return self._read(
                    response.status_code,
                    response.headers.get("Signature"),
                    response.content,
                    operation,
                    request_id,
                    maybe,
                )
            except Rejected as exc:
                if last is not None and not exc.settles:
                    raise last from None  # a busy/auth refusal of the retry proves nothing
                raise
        assert last is not None
        raise last

    def _read(
        self,
        status_code: int,
        signature: str | None,
        content: bytes,
        operation: str,
        request_id: str,
        maybe: str,
    ) -> dict[str, Any]:
        signed = proto.verify(self._code, content, signature)
        try:
            data = json.loads(content)
        except ValueError:
            data = None
        error = data.get("error") if isinstance(data, dict) else None
        if not signed:
            hint = ""
            if isinstance(error, dict) and error.get("errorName") == SIGNATURE_MISMATCH:
                hint = " " + _("The terminal says the pairing code does not match: pair again.")
            if operation == "pair" and hint:
                raise AuthFailed(_("Wrong pairing code: type the code the terminal shows now."))
            raise BadResponse(
                _(
                    "The card terminal's answer is not signed with this counter's pairing code, "
                    "so it cannot be trusted."
                )
                + hint
            )
        if not isinstance(data, dict):
            raise BadResponse(_("The card terminal's answer is not JSON."))
        if data.get("poyntRequestId") != request_id:
            raise BadResponse(
                _(
                    "The card terminal's answer is not about this request (another request's "
                    "answer, or a replay), so it cannot be trusted. {maybe}"
                ).format(maybe=maybe)
            )
        if status_code == 200 and error is None:
            return data
        name = str(error.get("errorName")) if isinstance(error, dict) else None
        description = str(error.get("description")) if isinstance(error, dict) else None
        code = str(error.get("errorCode")) if isinstance(error, dict) else None
        kw = {"code": code or name, "server_message": description, "trace_id": None}
        said = (
            " " + _("The terminal says: {message}").format(message=description)
            if description
            else ""
        )
        if status_code >= 500:
            raise ServerError(
                _("The card terminal had a problem. {maybe}").format(maybe=maybe) + said, **kw
            )
        if name == SIGNATURE_MISMATCH:
            raise AuthFailed(
                _("The terminal refused this counter's signature: pair again.") + said, **kw
            )
        if name == TRANSACTION_SETTLED:
            raise BadRequest(
                _("This sale is already settled, so it cannot be voided: refund it instead."),
                **kw,
            )
        if name == TERMINAL_BUSY:
            raise Busy(
                _("The card terminal is busy with something else: finish that, then try again.")
                + said,
                **kw,
            )
        raise BadRequest(_("The card terminal refused the request.") + said, **kw)
