"""What the Poynt terminal's answers must look like (../shared/protocol/poynt-pos-bridge.md):
a refund's or a void's payment with exactly one transaction that links to the requested sale,
in its currency and for its amount — anything else is `BadResponse`."""

from __future__ import annotations

from typing import Any

from cashier_gui.gateways.base import (
    BadResponse,
    RefundOutcome,
    RefundRequest,
    RefundStatus,
    Rejected,
    server_id,
)
from cashier_gui.i18n import N_, _
from cashier_gui.money import Money, MoneyError

_APPROVED = {"REFUNDED", "COMPLETED", "CAPTURED"}
_DECLINED = {"DECLINED", "VOIDED", "CANCELED"}
_PENDING = {"AUTHORIZED", "HOLD"}
_MAYBE = N_("The refund may or may not have gone through: check it before refunding again.")
_MAYBE_VOID = N_("The void may or may not have gone through: check it before trying again.")


def parse_refund(
    data: dict[str, Any], request: RefundRequest, currency: str | None = None
) -> RefundOutcome:
    """The outcome, only from an answer bound to `request`: exactly one REFUND transaction,
    linked to the requested transaction, in the expected currency (the request's, else the
    configured one), for the requested amount (any positive amount for a full refund)."""
    payment = data.get("payment")
    transactions = payment.get("transactions") if isinstance(payment, dict) else None
    if not isinstance(transactions, list):
        raise BadResponse(
            _("The terminal's answer has no transactions. {maybe}").format(maybe=_(_MAYBE))
        )
    refunds = [t for t in transactions if isinstance(t, dict) and t.get("action") == "REFUND"]
    if len(refunds) != 1:
        raise BadResponse(
            _("The terminal's answer holds {count} refund transactions, not one. {maybe}").format(
                count=len(refunds), maybe=_(_MAYBE)
            )
        )
    txn = refunds[0]
    links = txn.get("links")
    linked = isinstance(links, list) and any(
        isinstance(link, dict) and link.get("href") == request.charge_id for link in links
    )
    if not linked:
        raise BadResponse(
            _(
                "The terminal's refund is not linked to transaction {transaction}: it does not "
                "belong to this request. {maybe}"
            ).format(transaction=request.charge_id, maybe=_(_MAYBE))
        )
    status = str(txn.get("status", "")).upper()
    expected_currency = request.amount.currency if request.amount else currency
    amount: Money | None = None
    amounts = txn.get("amounts")
    if isinstance(amounts, dict) and "transactionAmount" in amounts:
        value, cur = amounts.get("transactionAmount"), amounts.get("currency")
        if not isinstance(value, int) or isinstance(value, bool) or not isinstance(cur, str):
            raise BadResponse(
                _("The terminal's refund amount is unreadable. {maybe}").format(maybe=_(_MAYBE))
            )
        try:
            amount = Money(value, cur)
        except MoneyError:
            raise BadResponse(
                _("The terminal's refund amount is unreadable. {maybe}").format(maybe=_(_MAYBE))
            ) from None
    refund_id = server_id(txn.get("id"), N_("transaction ID"))
    if status in _APPROVED:
        result = RefundStatus.APPROVED
    elif status in _DECLINED:
        result = RefundStatus.DECLINED
    elif status in _PENDING:
        result = RefundStatus.PENDING
    elif status == "FAILED":
        raise Rejected(
            _("The card terminal reports the refund FAILED: nothing was refunded."),
            code="FAILED",
        )
    else:
        raise BadResponse(
            _("The terminal answered with an unknown status {status}. {maybe}").format(
                status=repr(status), maybe=_(_MAYBE)
            )
        )
    if result is not RefundStatus.DECLINED:
        if not refund_id:
            raise BadResponse(
                _("The terminal's refund has no transaction ID. {maybe}").format(maybe=_(_MAYBE))
            )
        if amount is None or amount.minor <= 0:
            raise BadResponse(
                _("The terminal's answer does not say what it refunded. {maybe}").format(
                    maybe=_(_MAYBE)
                )
            )
    if amount is not None:
        if expected_currency and amount.currency != expected_currency:
            raise BadResponse(
                _(
                    "The terminal answered in {currency}, not {expected}: the answer does not "
                    "belong to this refund. {maybe}"
                ).format(currency=amount.currency, expected=expected_currency, maybe=_(_MAYBE))
            )
        if request.amount is not None and amount != request.amount:
            raise BadResponse(
                _("The terminal's answer is about another amount than this refund. {maybe}").format(
                    maybe=_(_MAYBE)
                )
            )
    return RefundOutcome(result, refund_id, amount, raw=data)


def parse_void(data: dict[str, Any], request: RefundRequest) -> RefundOutcome:
    """A void's outcome, only from an answer bound to `request`: a transaction with the sale's
    id, VOIDED (the payment VOIDED too, when it says)."""
    payment = data.get("payment")
    transactions = payment.get("transactions") if isinstance(payment, dict) else None
    if not isinstance(transactions, list):
        raise BadResponse(
            _("The terminal's answer to the void has no transactions. {maybe}").format(
                maybe=_(_MAYBE_VOID)
            )
        )
    sale = [t for t in transactions if isinstance(t, dict) and t.get("id") == request.charge_id]
    if len(sale) != 1:
        raise BadResponse(
            _("The terminal's answer is not about transaction {transaction}. {maybe}").format(
                transaction=request.charge_id, maybe=_(_MAYBE_VOID)
            )
        )
    status = str(sale[0].get("status", "")).upper()
    payment_status = str(payment.get("status", "VOIDED")).upper()  # type: ignore[union-attr]
    if status != "VOIDED" or payment_status != "VOIDED":
        raise BadResponse(
            _("The terminal answered the void with {status}. {maybe}").format(
                status=repr(status), maybe=_(_MAYBE_VOID)
            )
        )
    amount: Money | None = None
    amounts = sale[0].get("amounts")
    if isinstance(amounts, dict):
        value, cur = amounts.get("transactionAmount"), amounts.get("currency")
        if isinstance(value, int) and not isinstance(value, bool) and isinstance(cur, str):
            try:
                amount = Money(value, cur)
            except MoneyError:
                amount = None
    if request.amount is not None and amount is not None and amount != request.amount:
        raise BadResponse(
            _("The terminal voided another amount than this sale's. {maybe}").format(
                maybe=_(_MAYBE_VOID)
            )
        )
    return RefundOutcome(RefundStatus.APPROVED, None, amount, raw=data)
