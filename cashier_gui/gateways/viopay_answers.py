"""What Viopay's answers must look like (../shared/protocol/viopay.md): strict JSON (no
duplicate keys), a charge, a refund or a void that belongs to the request sent — anything else
is `BadResponse`. The request's own plaintext is built here too, so both sides of an exchange
read side by side."""

from __future__ import annotations

import json
from typing import Any

from cashier_gui.gateways.base import (
    BadResponse,
    Charge,
    ChargeStatus,
    PastRefund,
    RefundOutcome,
    RefundRequest,
    RefundStatus,
    server_id,
)
from cashier_gui.i18n import N_, _
from cashier_gui.money import Money, MoneyError

_REFUND = N_("The refund may or may not have gone through: check it before refunding again.")
_LOOKUP = N_("Nothing was refunded: try the lookup again.")
_VOID = N_("The void may or may not have gone through: check it before trying again.")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice")
        out[key] = value
    return out


def strict_json(raw: bytes) -> Any:
    """JSON where a duplicated key is an error (two parsers could read two different answers)."""
    try:
        return json.loads(raw, object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except json.JSONDecodeError:
        raise ValueError("not JSON") from None


def refund_plaintext(request: RefundRequest) -> bytes:
    assert request.amount is not None
    body: dict[str, Any] = {"amount": request.amount.to_wire()}
    if request.reason:
        body["reason"] = request.reason
    body["transaction_reference"] = request.transaction_reference
    return json.dumps(body, separators=(",", ":")).encode()


def parse_charge(data: dict[str, Any], charge_id: str) -> Charge:
    try:
        amount = Money.from_wire(data["amount"]["value"], data["amount"]["currency"])
        refunded_raw = data.get("refunded_amount") or {"value": "0", "currency": amount.currency}
        refunded = Money.from_wire(refunded_raw["value"], refunded_raw["currency"])
        card = data.get("card") or {}
        refunds = tuple(
            PastRefund(
                refund_id=server_id(r["refund_id"], N_("refund ID")) or "",
                status=RefundStatus(r["status"]),
                amount=Money.from_wire(r["amount"]["value"], r["amount"]["currency"]),
                reason=_opt_str(r.get("reason")),
                transaction_reference=_opt_str(r.get("transaction_reference")),
                created_at=_opt_str(r.get("created_at")),
            )
            for r in data.get("refunds") or []
        )
        charge = Charge(
            charge_id=str(data.get("charge_id") or charge_id),
            status=ChargeStatus(data["status"]),
            amount=amount,
            refunded=refunded,
            created_at=_opt_str(data.get("created_at")),
            card_brand=_opt_str(card.get("brand")),
            card_last4=_opt_str(card.get("last4")),
            refunds=refunds,
            settled=_opt_bool(data.get("settled")),
        )
    except (KeyError, TypeError, ValueError, AttributeError, MoneyError) as exc:
        raise BadResponse(
            _("Viopay's description of the charge is incomplete ({problem}).").format(problem=exc)
        ) from None
    if charge.charge_id != charge_id:
        raise BadResponse(
            _("Viopay answered about another charge ({charge}).").format(charge=charge.charge_id)
        )
    if refunded.currency != amount.currency:
        raise BadResponse(_("Viopay's charge mixes two currencies."))
    return charge


def parse_refund(data: dict[str, Any], request: RefundRequest) -> RefundOutcome:
    """The outcome, only from an answer bound to `request` (else BadResponse: unknown)."""
    try:
        status = RefundStatus(data["status"])
        refund_id = server_id(data.get("refund_id"), N_("refund ID"))
        amount_raw = data.get("amount")
        amount = (
            Money.from_wire(amount_raw["value"], amount_raw["currency"]) if amount_raw else None
        )
    except (KeyError, TypeError, ValueError, MoneyError) as exc:
        raise BadResponse(
            _("Viopay's answer to the refund is incomplete ({problem}). {what}").format(
                problem=exc, what=_(_REFUND)
            )
        ) from None
    if status is not RefundStatus.DECLINED and not refund_id:
        raise BadResponse(
            _("Viopay's answer to the refund has no refund ID. {what}").format(what=_(_REFUND))
        )
    if amount is None and status is not RefundStatus.DECLINED:
        raise BadResponse(
            _("Viopay's answer does not say which amount was refunded. {what}").format(
                what=_(_REFUND)
            )
        )
    if amount is not None and amount != request.amount:
        raise BadResponse(
            _(
                "Viopay's answer is about another amount ({amount}) than this refund: it does "
                "not belong to it. {what}"
            ).format(amount=f"{amount.plain()} {amount.currency}", what=_(_REFUND))
        )
    return RefundOutcome(status=status, refund_id=refund_id, amount=amount, raw=data)


def parse_void(data: dict[str, Any], request: RefundRequest) -> RefundOutcome:
    """A void's outcome, only from an answer bound to `request`: the same charge, `cancelled`,
    for the sale's amount."""
    try:
        charge_id = str(data["charge_id"])
        status = str(data["status"])
        amount_raw = data["amount"]
        amount = Money.from_wire(amount_raw["value"], amount_raw["currency"])
    except (KeyError, TypeError, ValueError, MoneyError) as exc:
        raise BadResponse(
            _("Viopay's answer to the void is incomplete ({problem}). {what}").format(
                problem=exc, what=_(_VOID)
            )
        ) from None
    if charge_id != request.charge_id:
        raise BadResponse(
            _("Viopay's answer is about another charge. {what}").format(what=_(_VOID))
        )
    if status != "cancelled":
        raise BadResponse(
            _("Viopay answered the void with status {status}. {what}").format(
                status=repr(status), what=_(_VOID)
            )
        )
    if request.amount is not None and amount != request.amount:
        raise BadResponse(
            _("Viopay's answer is about another amount than this sale. {what}").format(
                what=_(_VOID)
            )
        )
    return RefundOutcome(RefundStatus.APPROVED, None, amount, raw=data)


def _opt_bool(value: object) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ValueError("settled must be true or false")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _why(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text[:200]
