"""Viopay POS API client (async, httpx) following ../shared/protocol/viopay.md.

Every request: the contract's headers, a fresh nonce from `secrets`, an RFC 3339 UTC timestamp,
and a `v1=` signature over the exact body bytes that are sent. Refund bodies and all 200 answers
travel in MSK envelopes. Errors are mapped onto the tree in `gateways.base`.

Answers belong to their request (contract assumption 9): one overall deadline and a 1 MiB cap
per exchange (`gateways.http`); a plaintext with a duplicated JSON key, an unknown status,
approved/pending without a `refund_id` or without the requested amount and currency is not an
answer (`BadResponse`: the outcome stays unknown). Whether a `refund_id` is already held by
another attempt is the journal's check (`RefundIdTaken`).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import platform
import secrets
import string
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from cashier_gui import __version__
from cashier_gui.gateways.base import (
    AuthFailed,
    BadRequest,
    BadResponse,
    Busy,
    Charge,
    Conflict,
    ConnectFailed,
    ConnectionLost,
    GatewayError,
    InvalidInput,
    NotFound,
    RefundOutcome,
    RefundRequest,
    Rejected,
    ServerError,
    TimedOut,
    Timeouts,
    check_charge_id,
)
from cashier_gui.gateways.http import Answer, AnswerTooBig, DeadlinePassed, exchange
from cashier_gui.gateways.viopay_answers import (
    _LOOKUP,
    _REFUND,
    _VOID,
    _opt_str,
    _why,
    parse_charge,
    parse_refund,
    parse_void,
    refund_plaintext,
    strict_json,
)
from cashier_gui.i18n import N_, _
from cashier_gui.protocol import viopay as proto

NONCE_LENGTH = 24
_NONCE_ALPHABET = string.ascii_letters + string.digits
#: A 401 whose Date header is further off than this is blamed on the PC clock.
CLOCK_SKEW_TOLERANCE = dt.timedelta(seconds=60)


def make_nonce() -> str:
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(NONCE_LENGTH))


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_agent(device_model: str) -> str:
    system = f"{platform.system()} {platform.release()}".strip() or "unknown OS"
    return f"Viopay-POS/{__version__} ({system}; {device_model or 'PC'})"


class ViopayClient:
    """One terminal's connection to the Viopay POS API. Never blocks the event loop.

    `verify` is True (the operating system's trust store) or a CA bundle path: TLS checks are
    never off.
    `transport` and `clock` exist for tests.
    """

    provider = "viopay"
    has_lookup = True

    def __init__(
        self,
        *,
        base_url: str,
        terminal_id: str,
        key_id: str,
        hmac_secret: str,
        msk: bytes,
        device_model: str = "PC",
        timeouts: Timeouts | None = None,
        verify: bool | str = True,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        if verify is False:
            raise ValueError("TLS verification cannot be switched off")
        from cashier_gui.tls import tls_context

        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self.key_id = key_id
        self._hmac_secret = hmac_secret
        self._msk = msk
        self._user_agent = user_agent(device_model)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._base_path = urlsplit(self.base_url).path.rstrip("/")
        self._timeouts = timeouts or Timeouts()
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=self._timeouts.httpx(),
            verify=tls_context(verify if isinstance(verify, str) else None),
            transport=transport,
            follow_redirects=False,
            trust_env=False,
        )

    def __repr__(self) -> str:  # never the secrets
        return f"ViopayClient(base_url={self.base_url!r}, terminal_id={self.terminal_id!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    # ---- operations ---------------------------------------------------------------------------

    async def lookup(self, charge_id: str) -> Charge:
        charge_id = check_charge_id(charge_id)
        answer = await self._send(
            "GET", f"/pos/charge/{quote(charge_id, safe='')}", b"", what=_LOOKUP
        )
        return parse_charge(answer, charge_id)

    async def refund(self, request: RefundRequest) -> RefundOutcome:
        charge_id = check_charge_id(request.charge_id)
        if request.amount is None:
            raise InvalidInput(
                _("Viopay needs the refund amount (the full amount for a full refund).")
            )
        body = proto.seal(self._msk, refund_plaintext(request))
        answer = await self._send(
            "POST",
            f"/pos/charge/{quote(charge_id, safe='')}/refund",
            body,
            {"Idempotency-Key": request.idempotency_key},
            what=_REFUND,
        )
        return parse_refund(answer, request)

    async def void(self, request: RefundRequest) -> RefundOutcome:
        """`POST /pos/charge/{id}/cancel` (contract assumption 10): no body, the HMAC over the
        empty body, the Idempotency-Key as for refunds. Approved = the sale is cancelled."""
        charge_id = check_charge_id(request.charge_id)
        answer = await self._send(
            "POST",
            f"/pos/charge/{quote(charge_id, safe='')}/cancel",
            b"",
            {"Idempotency-Key": request.idempotency_key},
            what=_VOID,
        )
        return parse_void(answer, request)

    # ---- the wire -----------------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        path: str,
        body: bytes,
        extra: dict[str, str] | None = None,
        *,
        what: str,
    ) -> dict[str, Any]:
        """Sign and send; return the opened plaintext of a 200 or raise a GatewayError.
        `what` is the sentence about consequences used in "may or may not" messages."""
        full_path = self._base_path + path
        timestamp = rfc3339(self._clock())
        nonce = make_nonce()
        headers = {
            "X-Terminal-Id": self.terminal_id,
            "User-Agent": self._user_agent,
            "X-Client-Type": "pos",
            "X-Key-Id": self.key_id,
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": proto.sign(
                self._hmac_secret, method, full_path, "", body, self.terminal_id, timestamp, nonce
            ),
            "Content-Type": "application/json",
            "Accept": "application/json",
            **(extra or {}),
        }
        url = self.base_url + path
        try:
            response = await exchange(
                self._http,
                method,
                url,
                content=body,
                headers=headers,
                deadline=self._timeouts.deadline,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ConnectFailed(
                _(
                    "Cannot reach Viopay at {url}: check the network cable or Wi-Fi, then try "
                    "again. ({problem})"
                ).format(url=self.base_url, problem=_why(exc))
            ) from None
        except (httpx.TimeoutException, DeadlinePassed):
            raise TimedOut(
                _("Viopay did not answer in time. {what}").format(what=_(what))
            ) from None
        except AnswerTooBig:
            raise BadResponse(
                _("Viopay's answer was far too large to be real. {what}").format(what=_(what))
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            raise ConnectionLost(
                _("The connection to Viopay dropped before it answered. {what}").format(
                    what=_(what)
                )
            ) from None
        except httpx.HTTPError as exc:
            raise ConnectionLost(
                _("Network error talking to Viopay ({problem}). {what}").format(
                    problem=_why(exc), what=_(what)
                )
            ) from None
        if response.status_code == 200:
            return self._open(response.content)
        raise self._error(response, what)

    def _open(self, content: bytes) -> dict[str, Any]:
        try:
            plaintext = proto.open_envelope(self._msk, content)
        except proto.EnvelopeError as exc:
            if exc.field == "key_kcv":
                raise BadResponse(
                    _(
                        "Viopay's answer was sealed with another key: the MSK configured on "
                        "this PC does not match the gateway's ({problem})."
                    ).format(problem=exc)
                ) from None
            raise BadResponse(
                _("Viopay's answer could not be read: {problem}.").format(problem=exc)
            ) from None
        try:
            data = strict_json(plaintext)
        except ValueError as exc:
            raise BadResponse(
                _("Viopay's answer could not be read: {problem}.").format(problem=exc)
            ) from None
        if not isinstance(data, dict):
            raise BadResponse(_("Viopay's answer could not be read: not a JSON object inside."))
        return data

    def _error(self, response: Answer, what: str) -> GatewayError:
        code = server_message = trace_id = None
        try:
            err = strict_json(response.content).get("error", {})
            code = _opt_str(err.get("code"))
            server_message = _opt_str(err.get("message"))
            trace_id = _opt_str(err.get("trace_id"))
        except (ValueError, AttributeError):
            pass
        kw = {"code": code, "server_message": server_message, "trace_id": trace_id}
        # Known codes in the cashier's words; the gateway's own (English) text stays on the
        # error as `server_message`, for the log and support — not in a German sentence.
        words = _code_words(code)
        if words and server_message and code in DETAILED_CODES:
            # A generic code: the gateway's own text says which part, quoted as its detail.
            said = " " + _("Viopay says: {words}: “{detail}”.").format(
                words=words, detail=server_message
            )
        elif words:  # no code numbers for the cashier: the code stays on the error
            said = " " + _("Viopay says: {words}.").format(words=words)
        elif server_message:
            said = " " + _("Viopay says: {message}.").format(message=server_message)
        else:
            said = ""
        status = response.status_code
        if status == 400:
            return BadRequest(_("Viopay refused the request.") + said, **kw)
        if status == 401:
            skew = self._skew(response)
            if skew is not None and abs(skew) > CLOCK_SKEW_TOLERANCE:
                minutes = round(abs(skew).total_seconds() / 60) or 1
                message = (
                    _(
                        "The PC clock is off by {minutes} min (behind): set the date and time "
                        "correctly, then try again."
                    )
                    if skew > dt.timedelta(0)
                    else _(
                        "The PC clock is off by {minutes} min (ahead): set the date and time "
                        "correctly, then try again."
                    )
                )
                error = AuthFailed(message.format(minutes=minutes), **kw)
                error.clock_skew = skew
                return error
            return AuthFailed(
                _(
                    "Viopay did not accept this counter's signature: the HMAC secret, key ID or "
                    "terminal ID is wrong. Ask the person who set up this PC."
                )
                + said,
                **kw,
            )
        if status == 404:
            return NotFound(_("No charge with this ID: check the receipt and scan it again."), **kw)
        if status == 409:
            return Conflict(_("Viopay refused a repeated request.") + said, **kw)
        if status == 429:
            return Busy(_("Viopay is busy: try again in a minute.") + said, **kw)
        if 400 <= status < 500:
            other = Rejected(
                _("Viopay refused the request (code {status}).").format(status=status) + said, **kw
            )
            other.settles = False  # not a refusal the contract defines: proves nothing earlier
            return other
        return ServerError(
            _("Viopay had a problem on its side. {what}").format(what=_(what)) + said, **kw
        )

    def _skew(self, response: Answer) -> dt.timedelta | None:
        """Server time minus PC time, from the response's Date header."""
        header = response.headers.get("Date")
        if not header:
            return None
        try:
            server_now = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return None
        if server_now.tzinfo is None:
            server_now = server_now.replace(tzinfo=dt.UTC)
        return server_now - self._clock()


# Kept untranslated (built at import time); `_()` where they are used.


#: Codes that name a kind of refusal, not its reason: the gateway's text follows, quoted.
DETAILED_CODES = frozenset({"4000", "4001"})


def _code_words(code: str | None) -> str | None:
    """Viopay's error codes in words (None: a code without words here; its text is shown)."""
    words = {
        "4000": N_("the request was not valid"),
        "4001": N_("the request was not signed as it expects"),
        "4004": N_("no such charge"),
        "4009": N_("this request's key was already used for another request"),
        "5000": N_("an error inside Viopay"),
    }.get(code or "")
    return _(words) if words else None
