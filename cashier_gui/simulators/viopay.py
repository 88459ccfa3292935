"""A Viopay POS API simulator: a real HTTP server (aiohttp) for training and tests.

Implements every rule of ../shared/protocol/viopay.md: required headers, the timestamp window
(any RFC 3339 form: `Z` or an offset, fractions of a second or not), nonce replay, the `v1=`
signature, envelopes and key check values (optional in requests, checked when present; left out
of answers with `answer_kcv=False`), refund rules, idempotency and 404s. Charges live in memory. Faults can be planned (`Faults`) for tests and training: decline,
pending, 500, a delay, or committing a refund and then dropping the connection.

The refund critical section (check the remainder, commit) contains no `await`, so concurrent
refunds on one charge can never add up to more than the charge.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from typing import Any

from cashier_gui.money import Money
from cashier_gui.protocol import viopay as proto
from cashier_gui.simulators.aiohttp_web import web

# Training values and fault names live in names.py (no aiohttp there); re-exported here.
from cashier_gui.simulators.names import FAULT_KINDS as FAULT_KINDS
from cashier_gui.simulators.names import TRAINING_HMAC_SECRET as TRAINING_HMAC_SECRET
from cashier_gui.simulators.names import TRAINING_KEY_ID as TRAINING_KEY_ID
from cashier_gui.simulators.names import TRAINING_MSK_HEX as TRAINING_MSK_HEX
from cashier_gui.simulators.names import TRAINING_TERMINAL_ID as TRAINING_TERMINAL_ID
from cashier_gui.simulators.practice import PRACTICE as PRACTICE
from cashier_gui.simulators.practice import SLOW_ANSWER_S as SLOW_ANSWER_S
from cashier_gui.simulators.practice import take_practice
from cashier_gui.simulators.viopay_charges import Faults as Faults
from cashier_gui.simulators.viopay_charges import SimCharge as SimCharge
from cashier_gui.simulators.viopay_charges import SimRefund as SimRefund
from cashier_gui.simulators.viopay_charges import _parse_ts as _parse_ts
from cashier_gui.simulators.viopay_charges import describe as describe
from cashier_gui.simulators.viopay_charges import load_charges as load_charges
from cashier_gui.simulators.viopay_charges import training_charges as training_charges

PAST_WINDOW = dt.timedelta(minutes=5)
FUTURE_WINDOW = dt.timedelta(minutes=1)
NONCE_TTL = dt.timedelta(minutes=10)
_NONCE_RE = re.compile(r"[A-Za-z0-9]{12,128}")
_VALUE_RE = re.compile(r"[1-9][0-9]{0,17}")
_REF_RE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
REQUIRED_HEADERS = (
    "X-Terminal-Id",
    "User-Agent",
    "X-Client-Type",
    "X-Key-Id",
    "X-Timestamp",
    "X-Nonce",
    "X-Signature",
)


class ViopaySimulator:
    """State and rules of one simulated gateway; `app()` is its aiohttp application."""

    def __init__(
        self,
        *,
        hmac_secret: str = TRAINING_HMAC_SECRET,
        msk: bytes | None = None,
        key_id: str = TRAINING_KEY_ID,
        terminal_id: str = TRAINING_TERMINAL_ID,
        charges: list[SimCharge] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        answer_kcv: bool = True,
    ) -> None:
        """`answer_kcv=False`: sealed answers (refund, lookup) leave `key_kcv` out, as most of
        Viopay's own examples do (assumption 1), so clients can be checked against that."""
        self._hmac_secret = hmac_secret
        self.answer_kcv = answer_kcv
        self._msk = msk if msk is not None else bytes.fromhex(TRAINING_MSK_HEX)
        self.key_id = key_id
        self.terminal_id = terminal_id
        self.charges: dict[str, SimCharge] = {
            c.charge_id: c for c in (training_charges() if charges is None else charges)
        }
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.faults = Faults()
        self._nonces: dict[tuple[str, str], dt.datetime] = {}
        self._next_prune = dt.datetime.min.replace(tzinfo=dt.UTC)
        # Idempotency-Key -> (fingerprint of the request, the stored answer's plaintext)
        self._idempotent: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        self.requests_seen = 0

    @property
    def kcv(self) -> str:
        return proto.key_check_value(self._msk)

    def all_refunds(self) -> list[tuple[str, SimRefund]]:
        return [(c.charge_id, r) for c in self.charges.values() for r in c.refunds]

    def refund_outside(
        self, charge_id: str, amount: Money, *, reference: str | None = None
    ) -> SimRefund:
        """A refund made behind the app's back — in the gateway's portal, or by a script that
        signed it with the counter's secret — recorded as approved, as the gateway would; for
        tests and demonstrations of `reconcile`'s outside-refund check. Not reachable over
        HTTP. ValueError when the charge cannot take it (the gateway's own refund rules)."""
        charge = self.charges.get(charge_id)
        if charge is None:
            raise ValueError(f"no charge {charge_id}")
        data: dict[str, Any] = {"amount": amount.to_wire()}
        if reference is not None:
            data["transaction_reference"] = reference
        problem = self._refund_problem(charge, data)
        if problem:
            raise ValueError(problem)
        refund = SimRefund(
            refund_id="rf_" + secrets.token_hex(8),
            status="approved",
            amount=amount,
            reason="customer_request",
            transaction_reference=reference,
            created_at=self.clock(),
        )
        charge.refunds.append(refund)
        return refund

    # ---- HTTP ---------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_get("/pos/charge/{charge_id}", self._lookup)
        app.router.add_post("/pos/charge/{charge_id}/refund", self._refund)
        app.router.add_post("/pos/charge/{charge_id}/cancel", self._cancel)
        app.router.add_post("/pos/charge/{charge_id}/reverse", self._cancel)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        return app

    async def _lookup(self, request: web.Request) -> web.StreamResponse:
        self.requests_seen += 1
        body = await request.read()
        denied = self._authenticate(request, body)
        if denied is not None:
            return denied
        if body:
            return self._error(400, "4000", "a lookup has no body")
        charge = self.charges.get(request.match_info["charge_id"])
        if charge is None:
            return self._error(404, "4004", "Charge not found")
        self._settle_pending()
        return self._sealed(charge.to_json())

    async def _refund(self, request: web.Request) -> web.StreamResponse:
        self.requests_seen += 1
        body = await request.read()
        denied = self._authenticate(request, body)
        if denied is not None:
            return denied
        try:
            envelope = proto.parse_envelope(body)
        except proto.EnvelopeError as exc:
            return self._error(400, "4000", f"invalid envelope: {exc}")
        if envelope.key_kcv is not None and envelope.key_kcv != self.kcv:
            return self._error(400, "4000", "key check value mismatch")
        try:
            plaintext = proto.open_envelope(self._msk, body)
            data = json.loads(plaintext)
        except proto.EnvelopeError as exc:
            return self._error(400, "4000", f"invalid envelope: {exc}")
        except ValueError:
            return self._error(400, "4000", "invalid body: the plaintext is not JSON")
        if not isinstance(data, dict):
            return self._error(400, "4000", "invalid body: the plaintext is not a JSON object")
        charge_id = request.match_info["charge_id"]
        idem_key = request.headers.get("Idempotency-Key")
        if idem_key is not None and not 1 <= len(idem_key) <= 64:
            return self._error(400, "4000", "Idempotency-Key must be 1 to 64 characters")
        fingerprint = hashlib.sha256(
            (charge_id + "\n" + json.dumps(data, sort_keys=True)).encode()
        ).hexdigest()
        slot = (self.terminal_id, idem_key) if idem_key else None
        if slot is not None and slot in self._idempotent:
            stored_fp, stored = self._idempotent[slot]
            if stored_fp != fingerprint:
                return self._error(409, "4009", "Idempotency key reused with a different request")
            return await self._answer_refund(request, stored)
        charge = self.charges.get(charge_id)
        if charge is None:
            return self._error(404, "4004", "Charge not found")
        problem = self._refund_problem(charge, data)
        if problem:
            return self._error(400, "4000", problem)
        fault = self.faults.take() or take_practice(charge)
        if fault == "slow":
            await asyncio.sleep(SLOW_ANSWER_S)
            if self.charges.get(charge_id) is not charge or self._refund_problem(charge, data):
                return self._error(409, "4009", "the charge changed while answering slowly")
        if fault == "error500":
            return self._error(500, "5000", "Processing error")
        if fault == "drop_before_commit":
            return self._drop(request)
        # ---- commit (no await between the checks above and here) ----
        outcome = charge.refund_outcome
        if fault in ("decline", "pending"):
            outcome = {"decline": "declined", "pending": "pending"}[fault]
        amount = Money.from_wire(data["amount"]["value"], data["amount"]["currency"])
        refund = SimRefund(
            refund_id="rf_" + secrets.token_hex(8),
            status=outcome,
            amount=amount,
            reason=data.get("reason"),
            transaction_reference=data.get("transaction_reference"),
            created_at=self.clock(),
        )
        charge.refunds.append(refund)
        answer = {"refund_id": refund.refund_id, "status": outcome, "amount": amount.to_wire()}
        if slot is not None:
            self._idempotent[slot] = (fingerprint, answer)
        if fault == "error500_after_commit":
            return self._error(500, "5000", "Processing error")
        if fault == "drop_after_commit":
            return self._drop(request)
        if fault == "timeout":
            await asyncio.sleep(self.faults.hang_seconds)
        return await self._answer_refund(request, answer)

    async def _cancel(self, request: web.Request) -> web.StreamResponse:
        """Void a sale before settlement (assumption 10): no body, Idempotency-Key as for
        refunds; a cancelled charge answers the same again."""
        self.requests_seen += 1
        body = await request.read()
        denied = self._authenticate(request, body)
        if denied is not None:
            return denied
        if body:
            return self._error(400, "4000", "invalid body: cancel takes no body")
        charge_id = request.match_info["charge_id"]
        idem_key = request.headers.get("Idempotency-Key")
        if idem_key is not None and not 1 <= len(idem_key) <= 64:
            return self._error(400, "4000", "Idempotency-Key must be 1 to 64 characters")
        fingerprint = hashlib.sha256(f"{charge_id}\ncancel".encode()).hexdigest()
        slot = (self.terminal_id, idem_key) if idem_key else None
        if slot is not None and slot in self._idempotent:
            stored_fp, stored = self._idempotent[slot]
            if stored_fp != fingerprint:
                return self._error(409, "4009", "Idempotency key reused with a different request")
            return await self._answer_refund(request, stored)
        charge = self.charges.get(charge_id)
        if charge is None:
            return self._error(404, "4004", "Charge not found")
        if charge.status == "cancelled" and charge.cancelled_at is not None:
            return await self._answer_refund(request, charge.void_answer())
        if charge.status != "approved":
            return self._error(400, "4000", f"charge is {charge.status}: it cannot be cancelled")
        if charge.settled:
            return self._error(400, "4000", "charge already settled — use refund")
        if charge.refunds:
            return self._error(400, "4000", "charge has refunds — refund the rest instead")
        fault = self.faults.take()
        if fault == "error500":
            return self._error(500, "5000", "Processing error")
        if fault == "drop_before_commit":
            return self._drop(request)
        # ---- commit ----
        charge.status, charge.cancelled_at = "cancelled", self.clock()
        answer = charge.void_answer()
        if slot is not None:
            self._idempotent[slot] = (fingerprint, answer)
        if fault == "error500_after_commit":
            return self._error(500, "5000", "Processing error")
        if fault == "drop_after_commit":
            return self._drop(request)
        if fault == "timeout":
            await asyncio.sleep(self.faults.hang_seconds)
        return await self._answer_refund(request, answer)

    async def _answer_refund(
        self, request: web.Request, answer: dict[str, Any]
    ) -> web.StreamResponse:
        if self.faults.delay_ms:
            await asyncio.sleep(self.faults.delay_ms / 1000)
        return self._sealed(answer)

    async def _not_found(self, request: web.Request) -> web.StreamResponse:
        return self._error(404, "4040", f"no route {request.method} {request.path}")

    # ---- rules --------------------------------------------------------------------------------

    def _authenticate(self, request: web.Request, body: bytes) -> web.Response | None:
        """Headers, timestamp, nonce and signature (the contract's order); None when all pass."""
        h = request.headers
        missing = [name for name in REQUIRED_HEADERS if not h.get(name)]
        if missing:
            return self._error(401, "4001", f"missing header {missing[0]}")
        if not h["User-Agent"].startswith("Viopay-POS/"):
            return self._error(401, "4001", "User-Agent must start with Viopay-POS/")
        if h["X-Client-Type"] != "pos":
            return self._error(401, "4001", "X-Client-Type must be pos")
        if h["X-Key-Id"] != self.key_id or h["X-Terminal-Id"] != self.terminal_id:
            return self._error(401, "4001", "unknown key ID or terminal")
        now = self.clock()
        sent = _parse_ts(h["X-Timestamp"])
        if sent is None:
            return self._error(401, "4001", "X-Timestamp is not an RFC 3339 date-time")
        if not now - PAST_WINDOW <= sent <= now + FUTURE_WINDOW:
            return self._error(401, "4001", "timestamp outside the allowed window")
        nonce = h["X-Nonce"]
        if not _NONCE_RE.fullmatch(nonce):
            return self._error(401, "4001", "X-Nonce must be at least 12 letters or digits")
        if now >= self._next_prune:  # forget expired nonces once a minute, not per request
            self._nonces = {k: t for k, t in self._nonces.items() if t > now}
            self._next_prune = now + dt.timedelta(minutes=1)
        expires = self._nonces.get((self.key_id, nonce))
        if expires is not None and expires > now:
            return self._error(401, "4001", "nonce already used")
        path, _, query = request.raw_path.partition("?")
        expected = proto.sign(
            self._hmac_secret,
            request.method,
            path,
            query,
            body,
            h["X-Terminal-Id"],
            h["X-Timestamp"],
            nonce,
        )
        if not proto.signature_matches(expected, h["X-Signature"]):
            return self._error(401, "4001", "Invalid signature")
        self._nonces[(self.key_id, nonce)] = now + NONCE_TTL
        return None

    @staticmethod
    def _refund_problem(charge: SimCharge, data: dict[str, Any]) -> str | None:
        amount = data.get("amount")
        if not isinstance(amount, dict):
            return "amount is required"
        value, currency = amount.get("value"), amount.get("currency")
        if not isinstance(value, str) or not _VALUE_RE.fullmatch(value):
            return "amount.value must be a string of digits, more than zero"
        if currency != charge.amount.currency:
            return f"amount.currency must match the charge's currency ({charge.amount.currency})"
        if charge.status != "approved":
            return f"charge is {charge.status}, only approved charges can be refunded"
        remaining = charge.amount.minor - charge.refunded.minor
        if int(value) > remaining:
            return f"amount.value exceeds the refundable amount ({remaining})"
        reason = data.get("reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > 255):
            return "reason must be a string of at most 255 characters"
        ref = data.get("transaction_reference")
        if ref is not None and (not isinstance(ref, str) or not _REF_RE.fullmatch(ref)):
            return "transaction_reference must be 1-64 characters of A-Z a-z 0-9 . _ : -"
        return None

    def _settle_pending(self) -> None:
        after = self.faults.pending_settles_after
        if after is None:
            return
        now = self.clock()
        for charge in self.charges.values():
            for r in charge.refunds:
                if r.status == "pending" and now - r.created_at >= after:
                    r.status = "approved"

    # ---- answers ------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"Date": email.utils.format_datetime(self.clock().astimezone(dt.UTC), usegmt=True)}

    def _sealed(self, plaintext: dict[str, Any]) -> web.Response:
        body = proto.seal(
            self._msk,
            json.dumps(plaintext, separators=(",", ":")).encode(),
            with_kcv=self.answer_kcv,
        )
        return web.Response(body=body, content_type="application/json", headers=self._headers())

    def _error(self, status: int, code: str, message: str) -> web.Response:
        payload = {"error": {"code": code, "message": message, "trace_id": secrets.token_hex(8)}}
        return web.json_response(payload, status=status, headers=self._headers())

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)
