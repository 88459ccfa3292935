"""`cashier-refund lookup|refund|void|reconcile|resolve`: the commands that reach the gateway."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cashier_gui.cli.common import (
    EXIT_NOT_SENT,
    EXIT_OK,
    EXIT_OUTSIDE,
    EXIT_UNKNOWN,
    LookupFailed,
    Usage,
    exit_code_for_state,
)
from cashier_gui.cli.output import (
    attempt_json,
    charge_json,
    err,
    print_attempt,
    print_charge,
    print_json,
)
from cashier_gui.cli.people import (
    add_sign_in_arguments,
    require_manager,
    signed_in,
    signed_out,
)
from cashier_gui.cli.people import store as people_store
from cashier_gui.doors import apply_seal
from cashier_gui.errors import UserFacing
from cashier_gui.gateways.base import InvalidInput, NotSent, OutcomeUnknown
from cashier_gui.i18n import N_, _
from cashier_gui.journal import Attempt, Kind
from cashier_gui.money import Money, parse_amount
from cashier_gui.operators import Operator
from cashier_gui.policy import Approver, check_approver
from cashier_gui.refunds import (
    REASONS,
    Approval,
    ApprovalNeeded,
    ChargeView,
    RefundService,
    parse_reason,
)
from cashier_gui.runtime import Runtime, open_runtime
from cashier_gui.safetext import Field, typed_problem


async def _with_runtime(args: argparse.Namespace, body: Any) -> int:
    runtime = await asyncio.to_thread(open_runtime, training=False)
    try:
        await asyncio.to_thread(apply_seal, runtime)  # unsealed policy: every refund asks
        await runtime.service.recover()
        result: int = await body(runtime)
        return result
    finally:
        await runtime.aclose()


async def _check_approval(
    service: RefundService,
    view: ChargeView,
    kind: Kind,
    amount: Money | None,
    operator: Operator | None,
    approver: Operator | None,
) -> None:
    """Before asking y/N: exit 2 with the policy's reasons when a manager must approve and
    `approver` cannot (policy.check_approver: the rule the service applies again)."""
    reasons = await service.approval_reasons(view, kind, amount, operator)
    if reasons and check_approver(approver, operator) is not Approver.OK:
        raise ApprovalNeeded(reasons)


async def _lookup_first(service: RefundService, charge_id: str, what: str) -> ChargeView:
    """The lookup before a refund or void: when it fails, nothing was sent (never exit 4)."""
    try:
        return await service.lookup(charge_id)
    except (OutcomeUnknown, NotSent) as exc:
        if isinstance(exc, InvalidInput):
            raise
        raise LookupFailed(
            _("Could not look {charge_id} up: {message} Nothing was {what}.").format(
                charge_id=charge_id, message=exc.message, what=_(what)
            )
        ) from None


def cmd_lookup(args: argparse.Namespace) -> int:
    """A lookup only reads: when it fails (a bad answer, a redirect, a timeout), nothing can have
    been refunded — exit 1 as the README says, never 4 ("may have been sent")."""

    async def body(rt: Runtime) -> int:
        try:
            view = await rt.service.lookup(args.charge_id)
        except OutcomeUnknown as exc:  # refused (3), not set up (2), unreachable (1) as before
            raise LookupFailed(
                _("Could not look {charge_id} up: {message} Nothing was {what}.").format(
                    charge_id=args.charge_id, message=exc.message, what=_("refunded")
                )
            ) from None
        if view.charge is None:
            err(
                _(
                    "This back end (Poynt POS Bridge) has no charge lookup: the terminal cannot "
                    "tell the original amount. Refund with --full or --amount."
                )
            )
        if args.json:
            print_json(charge_json(view))
        else:
            print_charge(view)
        return EXIT_OK

    return asyncio.run(_with_runtime(args, body))


def _shop_unavailable(exc: BaseException) -> bool:
    """Is it the shop server not answering? (Without a shop its module was never loaded.)"""
    errors = sys.modules.get("cashier_gui.shop.errors")
    return errors is not None and isinstance(exc, errors.ShopUnavailable)


@dataclass(frozen=True)
class _Order:
    """What `refund` or `void` is about to send, once approved and confirmed."""

    kind: Kind
    amount: Money | None  # what the policy weighs (None: the full amount, not known here)
    reason: str | None  # the reason code sent (None for a void)
    question: str  # the y/N question, unless --yes
    cancelled: str  # what a "no" says
    send: Callable[[Operator | None, Approval | None], Awaitable[Attempt]]  # (operator, approval)


def _send_one(
    args: argparse.Namespace, what: str, order: Callable[[Runtime, ChargeView], _Order]
) -> int:
    """The one path of `refund` and `void`: sign in, look the sale up (when that fails, nothing
    was `what`), the policy's approval, y/N unless --yes, send, print the outcome; its exit
    code."""
    _typed(args.note, "note")  # before any PIN is read: bad input, exit 2
    try:
        operator, approver, approver_pin = signed_in(args)
    except UserFacing as exc:
        if not _shop_unavailable(exc):
            raise
        # The shop's people could not be asked: nothing was sent (exit 5, as when the claim
        # cannot be made), safe to try again.
        if args.json:
            print_json({"status": "not_sent", "error": {"message": str(exc)}})
        else:
            err(str(exc))
        return EXIT_NOT_SENT

    async def body(rt: Runtime) -> int:
        view = await _lookup_first(rt.service, args.charge_id, what)
        o = order(rt, view)
        await _check_approval(rt.service, view, o.kind, o.amount, operator, approver)
        if not args.yes:
            sys.stderr.write(o.question)
            sys.stderr.flush()
            if sys.stdin.readline().strip().lower() not in YES:
                raise Usage(o.cancelled)
        # The manager approves what this command sends: its charge, kind, amount and reason.
        approval = (
            Approval(approver, view.charge_id, o.kind, o.amount, o.reason, pin=approver_pin)
            if approver is not None
            else None
        )
        attempt = await o.send(operator, approval)
        if args.json:
            print_json(attempt_json(attempt))
        else:
            print_attempt(attempt)
        return exit_code_for_state(attempt.state)

    try:
        return asyncio.run(_with_runtime(args, body))
    finally:
        signed_out(operator)


def cmd_refund(args: argparse.Namespace) -> int:
    reason = parse_reason(args.reason) if args.reason else None

    def order(rt: Runtime, view: ChargeView) -> _Order:
        amount: Money | None = None
        if args.amount is not None:
            currency = (
                view.charge.amount.currency
                if view.charge is not None
                else (args.currency or rt.settings.default_currency)
            )
            if not currency:
                raise Usage(
                    _(
                        "The terminal cannot look the sale up, so the currency is not known. Set "
                        "the shop's currency once (cashier-refund setup poynt --host IP --currency "
                        "USD, or Counter → Settings): nothing was sent."
                    )
                )
            amount = parse_amount(args.amount, currency, locale=rt.settings.locale)
        to_send = rt.service.check_amount(view, amount)
        shown = to_send.format(rt.settings.locale) if to_send else _("the full amount")
        card = ""
        if view.charge is not None and view.charge.card_brand:
            card = f" ({view.charge.card_brand} •••• {view.charge.card_last4})"

        def send(operator: Operator | None, approval: Approval | None) -> Awaitable[Attempt]:
            return rt.service.refund(
                view,
                amount,
                reason,
                args.note,
                reference=args.reference,
                operator=operator,
                approval=approval,
            )

        return _Order(
            Kind.REFUND,
            to_send,
            reason,
            _("Refund {amount} on {charge}{card}? [y/N] ").format(
                amount=shown, charge=view.charge_id, card=card
            ),
            _("Cancelled: nothing was refunded."),
            send,
        )

    return _send_one(args, N_("refunded"), order)


def cmd_void(args: argparse.Namespace) -> int:
    def order(rt: Runtime, view: ChargeView) -> _Order:
        amount = rt.service.check_void(view)
        shown = amount.format(rt.settings.locale) if amount else _("the whole sale")

        def send(operator: Operator | None, approval: Approval | None) -> Awaitable[Attempt]:
            return rt.service.void(view, args.note, operator=operator, approval=approval)

        return _Order(
            Kind.VOID,
            amount,
            None,
            _(
                "Void {amount} on {charge}? The whole sale is cancelled and the customer is "
                "never charged. [y/N] "
            ).format(amount=shown, charge=view.charge_id),
            _("Cancelled: nothing was voided."),
            send,
        )

    return _send_one(args, N_("voided"), order)


def cmd_reconcile(args: argparse.Namespace) -> int:
    """Settle unknown refunds, re-check pending ones, then compare the gateway's refunds on
    every charge the journal has touched with the journal (refunds made outside this app).
    Exit: 6 while a refund made outside this app is not acknowledged, else 4 while a refund
    is still unknown, else 0. `--acknowledge`: a manager has seen those findings."""
    if args.acknowledge:
        return _acknowledge(args)

    async def body(rt: Runtime) -> int:
        from cashier_gui.refunds.outside import FindingsFile, check_outside, unsupported_words

        results = await rt.service.reconcile_all()
        changed = await rt.service.recheck_pending()
        left = [a for a in results if not a.resolved]
        check = await check_outside(rt.service)
        findings = FindingsFile(rt.paths.data_dir)
        new = (
            await asyncio.to_thread(findings.record, check, complete=not check.failed)
            if check.supported
            else []
        )
        kept = await asyncio.to_thread(findings.all)
        still_open = [f for f in kept if f.open]
        locale = rt.settings.locale
        if args.json:
            print_json(
                {
                    "reconciled": [attempt_json(a) for a in results],
                    "pending_changed": [attempt_json(a) for a in changed],
                    "unknown_left": len(left),
                    "outside": {
                        "checked": check.supported,
                        "charges_checked": check.charges,
                        "new": [f.to_json() for f in new],
                        "open": [f.to_json() for f in still_open],
                        "history": [f.to_json() for f in kept] if args.history else None,
                        "failed": [{"charge_id": c, "message": m} for c, m in check.failed],
                    },
                }
            )
        else:
            if not results and not changed:
                print(_("Nothing to reconcile: every refund has an answer."))
            for a in [*results, *changed]:
                print_attempt(a)
                print()
            if left:
                print(
                    _("Still unknown: {count}. Try again when the network is back.").format(
                        count=len(left)
                    )
                )
            _print_outside(check, still_open, kept if args.history else [], locale)
        if not check.supported:
            err(unsupported_words())
        for charge_id, message in check.failed:
            err(
                _("Could not check {charge} for refunds made outside this app: {why}").format(
                    charge=charge_id, why=message
                )
            )
        if still_open:
            return EXIT_OUTSIDE
        return EXIT_UNKNOWN if left else EXIT_OK

    return asyncio.run(_with_runtime(args, body))


def _print_outside(
    check: Any, still_open: list[Any], history: list[Any], locale: str | None
) -> None:
    if check.supported:
        print(
            _("Checked {count} charges for refunds made outside this app.").format(
                count=check.charges
            )
        )
    for f in still_open:
        print(_("FOUND  {words}").format(words=f.words(locale)))
    if still_open:
        print(
            _(
                "Nobody at this counter sent these. A manager checks them with the payment "
                "service, then acknowledges them: cashier-refund reconcile --acknowledge "
                "REFUND_ID (or all) --manager NAME."
            )
        )
    for f in history:
        if not f.open:
            print(
                _("ACKNOWLEDGED by {who} at {when}: {words}").format(
                    who=f.acknowledged_by,
                    when=f.acknowledged_at,
                    words=f.words(locale),
                )
            )


def _acknowledge(args: argparse.Namespace) -> int:
    """A manager has seen refunds made outside this app: they leave the banner and the exit
    code, and stay in the history (and the changes log names who and when)."""
    from cashier_gui.cli.guard import who
    from cashier_gui.config import Paths
    from cashier_gui.doors import record
    from cashier_gui.refunds.outside import FindingsFile

    manager = require_manager(
        people_store(), args.manager, N_("acknowledge refunds made outside this app")
    )
    paths = Paths.default()
    findings = FindingsFile(paths.data_dir)
    wanted = None if "all" in args.acknowledge else list(args.acknowledge)
    open_ids = {f.refund_id for f in findings.open()}
    unknown = sorted(set(wanted or []) - open_ids)
    if unknown:
        raise Usage(
            _(
                "No open finding names {ids}: cashier-refund reconcile lists them. Nothing "
                "was acknowledged."
            ).format(ids=", ".join(unknown))
        )
    done = findings.acknowledge(wanted, by=who(manager))
    if done:
        record(
            paths,
            who(manager),
            "acknowledge outside refunds",
            {f.refund_id: f"{f.amount.plain()} {f.currency} on {f.charge_id}" for f in done},
        )
    if args.json:
        print_json({"acknowledged": [f.to_json() for f in done]})
    else:
        for f in done:
            print(_("Acknowledged: {words}").format(words=f.words()))
        if not done:
            print(_("Nothing to acknowledge: no refund made outside this app is open."))
    return EXIT_OK


def _typed(text: str | None, field: Field) -> None:
    """Exit 2 before anything else when a typed note, name or reason is not one line of plain
    text (no line breaks, control characters, bidi overrides)."""
    problem = typed_problem(text, field) if text else None
    if problem is not None:
        raise Usage(problem)


def cmd_resolve(args: argparse.Namespace) -> int:
    _typed(args.by, "by")
    _typed(args.why, "why")
    people = people_store()
    try:
        manager = require_manager(people, args.manager, N_("resolve refunds by hand"))
    finally:
        people.close()

    async def body(rt: Runtime) -> int:
        rt.service.act_as(manager)
        named = await rt.service.find(args.attempt_id)
        attempt = await rt.service.resolve_by_hand(
            named.key, refunded=args.refunded, by=args.by, why=args.why
        )
        if args.json:
            print_json(attempt_json(attempt))
        else:
            print_attempt(attempt)
        return EXIT_OK

    return asyncio.run(_with_runtime(args, body))


#: Answers that confirm: English, and German ("j", "ja") whatever the language in use.
YES = ("y", "yes", "j", "ja")


# ---- the commands' parsers ------------------------------------------------------------------


def add_refund_parsers(sub: Any) -> None:
    """`lookup`, `refund` and `void`."""
    lk = sub.add_parser("lookup", help="show a charge and what can still be refunded")
    lk.add_argument("charge_id", help="the charge ID from the receipt")
    lk.add_argument("--json", action="store_true", help="print one JSON object")
    lk.set_defaults(func=cmd_lookup)

    rf = sub.add_parser("refund", help="refund a charge (asks for confirmation unless --yes)")
    rf.add_argument("charge_id", help="the charge or terminal transaction ID from the receipt")
    how = rf.add_mutually_exclusive_group(required=True)
    how.add_argument("--amount", help="e.g. 12.50 (in the charge's currency)")
    how.add_argument("--full", action="store_true", help="refund all that remains")
    rf.add_argument("--reason", help=f"one of: {', '.join(REASONS)}")
    rf.add_argument("--note", help="a few words for the journal (at most 200 characters)")
    rf.add_argument("--reference", help="transaction reference to send (generated if absent)")
    rf.add_argument(
        "--currency",
        help="Poynt: the sale's currency when not the shop's (set once with setup poynt)",
    )
    rf.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rf.add_argument("--json", action="store_true", help="print one JSON object")
    add_sign_in_arguments(rf)
    rf.set_defaults(func=cmd_refund)

    vd = sub.add_parser(
        "void",
        help="void today's sale before settlement (the whole sale; asks unless --yes)",
    )
    vd.add_argument("charge_id", help="the charge or terminal transaction ID from the receipt")
    vd.add_argument("--note", help="why, for the journal")
    vd.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    vd.add_argument("--json", action="store_true", help="print one JSON object")
    add_sign_in_arguments(vd)
    vd.set_defaults(func=cmd_void)


def add_reconcile_parsers(sub: Any) -> None:
    """`reconcile` and `resolve`."""
    rc = sub.add_parser(
        "reconcile",
        help="find out what happened to refunds with no answer, and find refunds made outside "
        "this app",
    )
    rc.add_argument("--json", action="store_true", help="print one JSON object")
    rc.add_argument(
        "--history",
        action="store_true",
        help="also list refunds made outside this app that a manager acknowledged",
    )
    rc.add_argument(
        "--acknowledge",
        action="append",
        metavar="REFUND_ID",
        help="a manager has checked this refund made outside this app (repeatable; 'all')",
    )
    rc.add_argument("--manager", metavar="NAME", help="the manager acknowledging (PIN on stdin)")
    rc.set_defaults(func=cmd_reconcile)

    rs = sub.add_parser(
        "resolve",
        help="settle an unknown refund by hand, from what you checked on the terminal or portal",
    )
    rs.add_argument(
        "attempt_id", help="the refund attempt: its number or key (journal list shows both)"
    )
    outcome = rs.add_mutually_exclusive_group(required=True)
    outcome.add_argument(
        "--refunded", action="store_true", help="the terminal/portal shows it was refunded"
    )
    outcome.add_argument(
        "--not-refunded",
        dest="refunded",
        action="store_false",
        help="the terminal/portal shows it was not refunded",
    )
    rs.add_argument("--by", required=True, help="who checked (a name)")
    rs.add_argument("--why", required=True, help="what was seen where")
    rs.add_argument("--manager", metavar="NAME", help="the manager allowing it (PIN on stdin)")
    rs.add_argument("--json", action="store_true", help="print one JSON object")
    rs.set_defaults(func=cmd_resolve)
