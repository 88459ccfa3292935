"""What every payment back end offers, the values it returns, and the errors it raises.

The error tree — what the cashier can rely on for each kind of failure::

    GatewayError                   anything that stopped a lookup or refund; str() is for people
    ├── NotSent                    nothing reached the server: safe to try again
    │   ├── InvalidInput           refused here before sending (bad charge ID, bad amount)
    │   ├── NotConfigured          settings or a secret are missing
    │   └── ConnectFailed          no connection (DNS, refused, TLS, network down)
    ├── Rejected                   the server answered with a 4xx: this request NOT applied
    │   ├── BadRequest             400: the body or refund rules (over-refund, currency…)
    │   ├── AuthFailed             401: secret, key ID, terminal, clock (see .clock_skew)
    │   ├── Busy                   429 / a busy terminal: not taken this time
    │   ├── NotFound               404: no such charge
    │   └── Conflict               409: idempotency key reused with another request
    └── OutcomeUnknown             sent, but no trustworthy answer: the refund MAY have happened
        ├── TimedOut               no answer in time
        ├── ConnectionLost         the connection dropped before a full answer
        ├── ServerError            5xx (the gateway failed somewhere behind the API)
        └── BadResponse            an answer that cannot be trusted (not JSON, bad envelope,
                                   wrong key check value, bad or missing signature)

Each error carries the server's `code`, `server_message` and `trace_id` when there was one,
cleaned of control characters and capped (`safetext.printable`): hostile text stays text.
An outcome that is unknown must be reconciled with the same idempotency key or request id —
never retried with a new one.

What a *re-send* of an unknown refund may settle: only `Rejected.settles` errors (400/404/409,
a refusal of the refund itself, bound to the same key) and bound 2xx answers. A 401 or a busy
refusal of the re-send says nothing about the first send (`settles = False`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from cashier_gui.errors import UserFacing
from cashier_gui.i18n import _
from cashier_gui.money import Money


class RefundStatus(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"


class ChargeStatus(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"
    CANCELLED = "cancelled"
    REVERSED = "reversed"


@dataclass(frozen=True)
class PastRefund:
    refund_id: str
    status: RefundStatus
    amount: Money
    reason: str | None = None
    transaction_reference: str | None = None
    created_at: str | None = None


@dataclass(frozen=True)
class Charge:
    charge_id: str
    status: ChargeStatus
    amount: Money
    refunded: Money
    created_at: str | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    refunds: tuple[PastRefund, ...] = ()
    settled: bool | None = None  # None: the gateway does not say

    @property
    def remaining(self) -> Money:
        left = self.amount - self.refunded
        return left if left.minor > 0 else Money.zero(self.amount.currency)

    def why_not_voidable(self) -> str | None:
        """None when the whole sale can still be voided (cancelled before settlement)."""
        if self.status is not ChargeStatus.APPROVED:
            return self.why_not_refundable()
        if self.settled is not False:
            return _("This sale is already settled: refund it instead.")
        if self.refunds or self.refunded.minor:
            return _("This sale has refunds already: refund the rest instead of voiding.")
        return None

    def why_not_refundable(self) -> str | None:
        """None when a refund is possible; otherwise a sentence for the cashier."""
        if self.status is not ChargeStatus.APPROVED:
            return {
                ChargeStatus.DECLINED: _("This payment was declined: no money was taken."),
                ChargeStatus.PENDING: _(
                    "This payment is still pending: wait until it is approved."
                ),
                ChargeStatus.CANCELLED: _("This payment was cancelled: no money was taken."),
                ChargeStatus.REVERSED: _("This payment was reversed: the money is already back."),
            }[self.status]
        if self.remaining.minor <= 0:
            return _("This payment is already fully refunded.")
        return None


@dataclass(frozen=True)
class RefundRequest:
    """One refund as it is sent, and re-sent unchanged when its outcome must be reconciled."""

    charge_id: str
    amount: Money | None  # None: the full amount (Poynt `payment: {}`)
    reason: str | None
    transaction_reference: str
    idempotency_key: str


@dataclass(frozen=True)
class RefundOutcome:
    status: RefundStatus
    refund_id: str | None
    amount: Money | None
    raw: dict[str, object] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection, and for the answer once the request is sent."""

    connect: float = 5.0  # seconds
    read: float = 30.0  # seconds

    @property
    def deadline(self) -> float:
        """Seconds for one whole exchange: connect, send and the entire answer."""
        return self.connect + self.read

    def httpx(self) -> Any:
        import httpx

        return httpx.Timeout(self.read, connect=self.connect)


class Gateway(Protocol):
    """A payment back end. Methods are coroutines; none blocks the event loop."""

    provider: str
    has_lookup: bool

    async def lookup(self, charge_id: str) -> Charge: ...

    async def refund(self, request: RefundRequest) -> RefundOutcome: ...

    async def void(self, request: RefundRequest) -> RefundOutcome:
        """Cancel the whole sale before settlement; `approved` = voided. The request's amount
        is the sale's (None when unknown); its idempotency key works as for refunds."""
        ...

    async def aclose(self) -> None: ...


# ---- errors -----------------------------------------------------------------------------------


class GatewayError(UserFacing):
    """Base of the tree in the module docstring. `str()` is a sentence for the cashier."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        server_message: str | None = None,
        trace_id: str | None = None,
    ) -> None:
        from cashier_gui.safetext import printable

        message = printable(message, 600)
        super().__init__(message)
        self.message = message
        self.code = None if code is None else printable(code, 64)
        self.server_message = None if server_message is None else printable(server_message, 300)
        self.trace_id = None if trace_id is None else printable(trace_id, 128)

    def as_dict(self) -> dict[str, str | None]:
        return {
            "kind": type(self).__name__,
            "message": self.message,
            "code": self.code,
            "server_message": self.server_message,
            "trace_id": self.trace_id,
        }


class NotSent(GatewayError):
    """Nothing reached the server."""


class InvalidInput(NotSent):
    pass


class NotConfigured(NotSent):
    pass


class ConnectFailed(NotSent):
    pass


class Rejected(GatewayError):
    """The server refused the request: it was not applied.

    `settles`: also proof about an earlier send of the same refund (same key / request id)."""

    settles = True


class BadRequest(Rejected):
    pass


class AuthFailed(Rejected):
    """`clock_skew` (server time minus PC time) is set when the PC clock is to blame."""

    clock_skew: dt.timedelta | None = None
    settles = False


class Busy(Rejected):
    """Too many requests, or the terminal is busy with something else: try again later."""

    settles = False


class NotFound(Rejected):
    pass


class Conflict(Rejected):
    pass


class OutcomeUnknown(GatewayError):
    """The request was sent, but there is no trustworthy answer."""


class TimedOut(OutcomeUnknown):
    pass


class ConnectionLost(OutcomeUnknown):
    pass


class ServerError(OutcomeUnknown):
    pass


class BadResponse(OutcomeUnknown):
    pass


_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:")


def check_charge_id(text: str) -> str:
    """Return the charge or transaction ID a cashier typed or scanned, or raise InvalidInput.

    Only letters, digits and `_ - . :` (no `/`, `..`, `?`, spaces): the ID goes into a URL path.
    """
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(_("Scan or type the charge ID from the receipt."))
    if len(cleaned) > 128:
        raise InvalidInput(_("That charge ID is too long: check the receipt and scan it again."))
    if set(cleaned) - _ID_CHARS or ".." in cleaned or cleaned[0] in ".:":
        raise InvalidInput(
            _(
                "“{text}” is not a charge ID: it may only contain letters, digits and - _ . :"
            ).format(text=cleaned[:40])
        )
    return cleaned


def server_id(value: object, what: str) -> str | None:
    """An ID the server sent (refund ID, transaction ID): None when absent; BadResponse unless
    it is 1 to 128 printable ASCII characters without spaces — the journal stores it, the CLI
    prints it, the cashier reads it out."""
    if value is None or value == "":
        return None
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    if text is None or len(text) > 128 or not all("!" <= ch <= "~" for ch in text):
        raise BadResponse(
            _("The answer's {what} is not a usable ID: it cannot be trusted.").format(what=_(what))
        )
    return text
