"""How `cashier-refund` shows charges and attempts: as words for a person, or JSON for a script."""

from __future__ import annotations

from typing import Any

from cashier_gui.journal import Attempt, Kind, State
from cashier_gui.refunds import ChargeView
from cashier_gui.safetext import printable

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
        out["error"] = {"code": a.error_code, "message": a.error_message, "trace_id": a.trace_id}
    return out


def print_charge(view: ChargeView) -> None:
    c = view.charge
    print(f"Charge     {view.charge_id}")
    if c is None:
        print("           (this back end has no lookup: amounts are not known here)")
    else:
        # What the server sent is printed through printable(): hostile text stays text.
        print(f"Status     {c.status}")
        print(f"Amount     {c.amount.format()}")
        if c.card_brand:
            card = f"{printable(c.card_brand, 20)} •••• {printable(c.card_last4 or '????', 8)}"
            print(f"Card       {card}")
        if c.created_at:
            print(f"Date       {printable(c.created_at, 40)}")
        print(f"Refunded   {c.refunded.format()}")
        print(f"Remaining  {c.remaining.format()}")
        for r in c.refunds:
            print(
                f"  refund   {printable(r.refund_id, 80)}  {r.status:<8} {r.amount.format()}  "
                f"{printable(r.reason or '', 80)}"
            )
    for a in view.attempts:
        amount = a.amount.format() if a.amount else "full"
        print(f"  journal  #{a.id} {a.state:<8} {amount}  {printable(a.refund_id or '', 80)}")
    why = view.blocked_reason()
    if why:
        print(f"Not refundable: {why}")


def print_attempt(a: Attempt) -> None:
    if a.kind is Kind.VOID:
        print_void(a)
        return
    amount = a.amount.format() if a.amount else "the full amount"
    words = {
        State.APPROVED: "APPROVED",
        State.DECLINED: "DECLINED",
        State.PENDING: "PENDING — the gateway will confirm later",
        State.FAILED: "NOT DONE — refused, nothing was refunded",
        State.UNKNOWN: "UNKNOWN — it may have gone through: check it with `cashier-refund "
        "reconcile` before refunding again",
        State.SENT: "BEING SENT — wait for its answer",
        State.PREPARED: "BEING SENT — wait for its answer",
        State.NOT_SENT: "NOT SENT — nothing reached the server, nothing was refunded",
        State.CANCELLED: "CANCELLED — nothing was sent, nothing was refunded",
    }
    print(f"{words[a.state]}: {amount} on {a.charge_id}")
    if a.refund_id:
        print(f"Refund ID  {printable(a.refund_id, 80)}")
    print(f"Reference  {a.transaction_reference}")
    if a.error_message:
        print(f"Why        {printable(a.error_message, 500)}")
    if a.trace_id:
        print(f"Trace ID   {printable(a.trace_id, 100)}")
    if a.resolved_by:
        print(f"Checked by {printable(a.resolved_by)}: {printable(a.resolution or '')}")


def print_void(a: Attempt) -> None:
    amount = a.amount.format() if a.amount else "the whole sale"
    words = {
        State.APPROVED: "VOIDED — the customer is never charged",
        State.FAILED: "NOT VOIDED — refused, nothing changed",
        State.UNKNOWN: "UNKNOWN — the void may have gone through: check it with "
        "`cashier-refund reconcile` before trying again",
        State.SENT: "BEING SENT — wait for its answer",
        State.PREPARED: "BEING SENT — wait for its answer",
        State.NOT_SENT: "NOT SENT — nothing reached the server, nothing changed",
        State.CANCELLED: "CANCELLED — nothing was sent",
        State.DECLINED: "DECLINED — nothing changed",
        State.PENDING: "PENDING",
    }
    print(f"{words[a.state]}: {amount} on {a.charge_id}")
    if a.error_message:
        print(f"Why        {printable(a.error_message, 500)}")
    if a.trace_id:
        print(f"Trace ID   {printable(a.trace_id, 100)}")
    if a.resolved_by:
        print(f"Checked by {printable(a.resolved_by)}: {printable(a.resolution or '')}")
