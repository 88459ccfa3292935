"""How `cashier-refund` shows charges and attempts: as words for a person, or JSON for a script;
and where each goes (JSON on stdout, errors on stderr)."""

from __future__ import annotations

import json
import sys
from typing import Any

from cashier_gui.i18n import N_, _
from cashier_gui.journal import Attempt, Kind, State, reasons
from cashier_gui.refunds import ChargeView
from cashier_gui.safetext import printable


def print_json(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n")


def err(text: str) -> None:
    sys.stderr.write(text.rstrip() + "\n")


# ---- presentation -----------------------------------------------------------------------------


def charge_json(view: ChargeView) -> dict[str, Any]:
    out: dict[str, Any] = {"charge_id": view.charge_id}
    c = view.charge
    if c is not None:
        out.update(
            status=str(c.status),
            amount=c.amount.plain(),
            amount_minor=c.amount.minor,
            currency=c.amount.currency,
            refunded=c.refunded.plain(),
            refunded_minor=c.refunded.minor,
            remaining=c.remaining.plain(),
            remaining_minor=c.remaining.minor,
            created_at=c.created_at,
            card={"brand": c.card_brand, "last4": c.card_last4} if c.card_brand else None,
            refunds=[
                {
                    "refund_id": r.refund_id,
                    "status": str(r.status),
                    "amount": r.amount.plain(),
                    "currency": r.amount.currency,
                    "reason": r.reason,
                    "transaction_reference": r.transaction_reference,
                    "created_at": r.created_at,
                }
                for r in c.refunds
            ],
            refundable=view.blocked_reason() is None,
        )
    out["why_not_refundable"] = view.blocked_reason()
    out["journal"] = [attempt_json(a) for a in view.attempts]
    return out


def attempt_json(a: Attempt) -> dict[str, Any]:
    amount = a.amount
    out: dict[str, Any] = {
        "attempt_id": a.id,
        "key": a.key,
        "counter": a.counter,
        "endpoint": a.endpoint,
        "policy": a.policy,
        "charge_id": a.charge_id,
        "status": str(a.state),
        "refund_id": a.refund_id,
        "amount": amount.plain() if amount else None,
        "amount_minor": amount.minor if amount else None,
        "currency": a.currency,
        "kind": str(a.kind),
        "full": a.full_refund,
        "reason": a.reason,
        "transaction_reference": a.transaction_reference,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "training": a.training,
        "operator": a.operator,
        "approver": a.approver,
    }
    if a.resolved_by:
        out["resolved_by_hand"] = {"by": a.resolved_by, "why": a.resolution}
    if a.error_message or a.error_code or a.trace_id:
        out["error"] = {"code": a.error_code, "message": reasons.why(a), "trace_id": a.trace_id}
    return out


def print_charge(view: ChargeView) -> None:
    c = view.charge
    print(_("Charge     {charge_id}").format(charge_id=view.charge_id))
    if c is None:
        print(_("           (this back end has no lookup: amounts are not known here)"))
    else:
        # What the server sent is printed through printable(): hostile text stays text.
        print(_("Status     {status}").format(status=c.status))
        print(_("Amount     {amount}").format(amount=c.amount.format()))
        if c.card_brand:
            card = f"{printable(c.card_brand, 20)} •••• {printable(c.card_last4 or '????', 8)}"
            print(_("Card       {card}").format(card=card))
        if c.created_at:
            print(_("Date       {date}").format(date=printable(c.created_at, 40)))
        print(_("Refunded   {amount}").format(amount=c.refunded.format()))
        print(_("Remaining  {amount}").format(amount=c.remaining.format()))
        for r in c.refunds:
            print(
                f"  refund   {printable(r.refund_id, 80)}  {r.status:<8} {r.amount.format()}  "
                f"{printable(r.reason or '', 80)}"
            )
    for a in view.attempts:
        amount = a.amount.format() if a.amount else "full"
        print(
            _("  journal  #{id} {state} {amount}  {refund_id}").format(
                id=a.id,
                state=f"{a.state:<8}",
                amount=amount,
                refund_id=printable(a.refund_id or "", 80),
            )
        )
    why = view.blocked_reason()
    if why:
        print(_("Not refundable: {why}").format(why=why))


def print_attempt(a: Attempt) -> None:
    if a.kind is Kind.VOID:
        print_void(a)
        return
    amount = a.amount.format() if a.amount else "the full amount"
    words = {
        State.APPROVED: N_("APPROVED"),
        State.DECLINED: N_("DECLINED"),
        State.PENDING: N_("PENDING — the gateway will confirm later"),
        State.FAILED: N_("NOT DONE — refused, nothing was refunded"),
        State.UNKNOWN: N_(
            "UNKNOWN — it may have gone through: check it with `cashier-refund "
            "reconcile` before refunding again"
        ),
        State.SENT: N_("BEING SENT — wait for its answer"),
        State.PREPARED: N_("BEING SENT — wait for its answer"),
        State.NOT_SENT: N_("NOT SENT — nothing reached the server, nothing was refunded"),
        State.CANCELLED: N_("CANCELLED — nothing was sent, nothing was refunded"),
    }
    print(
        _("{state}: {amount} on {charge_id}").format(
            state=_(words[a.state]), amount=amount, charge_id=a.charge_id
        )
    )
    if a.refund_id:
        print(_("Refund ID  {refund_id}").format(refund_id=printable(a.refund_id, 80)))
    print(
        _("Reference  {transaction_reference}").format(
            transaction_reference=a.transaction_reference
        )
    )
    _print_why(a)


def print_void(a: Attempt) -> None:
    amount = a.amount.format() if a.amount else _("the whole sale")
    words = {
        State.APPROVED: N_("VOIDED — the customer is never charged"),
        State.FAILED: N_("NOT VOIDED — refused, nothing changed"),
        State.UNKNOWN: N_(
            "UNKNOWN — the void may have gone through: check it with "
            "`cashier-refund reconcile` before trying again"
        ),
        State.SENT: N_("BEING SENT — wait for its answer"),
        State.PREPARED: N_("BEING SENT — wait for its answer"),
        State.NOT_SENT: N_("NOT SENT — nothing reached the server, nothing changed"),
        State.CANCELLED: N_("CANCELLED — nothing was sent"),
        State.DECLINED: N_("DECLINED — nothing changed"),
        State.PENDING: N_("PENDING"),
    }
    print(
        _("{state}: {amount} on {charge_id}").format(
            state=_(words[a.state]), amount=amount, charge_id=a.charge_id
        )
    )
    _print_why(a)


def _print_why(a: Attempt) -> None:
    """What went wrong, the trace ID to quote, and who checked it by hand, when known."""
    why = reasons.why(a)
    if why:
        print(_("Why        {why}").format(why=printable(why, 500)))
    if a.trace_id:
        print(_("Trace ID   {trace}").format(trace=printable(a.trace_id, 100)))
    if a.resolved_by:
        print(
            _("Checked by {who}: {what}").format(
                who=printable(a.resolved_by), what=printable(a.resolution or "")
            )
        )
