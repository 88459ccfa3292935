"""`cashier-refund`: the command line of the counter app (a contract: keep names and flags).

Exit codes, truthful about what left the machine: 0 approved (lookup: found; reconcile: nothing
left unknown); 2 bad input or usage, nothing sent; 3 declined or refused by the server;
4 pending, or unknown — it MAY have been sent (never used when nothing was sent); 5 not sent:
nothing reached the server (or the refund was cancelled before it left), safe to try again;
1 anything else (a lookup that failed before any refund: nothing was refunded).
`--json` prints exactly one JSON object on stdout.

`CASHIER_GUI_HOME=DIR` puts config and data under DIR; the keyring backend follows keyring's
own `PYTHON_KEYRING_BACKEND`.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from cashier_gui import __version__
from cashier_gui.cli_common import (
    EXIT_INPUT,
    EXIT_NOT_SENT,
    EXIT_OK,
    EXIT_OTHER,
    EXIT_REFUSED,
    EXIT_UNKNOWN,
    Usage,
)
from cashier_gui.cli_common import err as _err
from cashier_gui.cli_common import print_json as _print_json
from cashier_gui.cli_paper import add_paper_parsers
from cashier_gui.cli_people import (
    add_operator_parser,
    add_sign_in_arguments,
    require_manager,
    signed_in,
)
from cashier_gui.cli_people import store as people_store
from cashier_gui.config import (
    ConfigError,
    Paths,
    PoyntSettings,
    ViopaySettings,
    load_settings,
    save_settings,
)
from cashier_gui.errors import UserFacing
from cashier_gui.gateways.base import (
    GatewayError,
    InvalidInput,
    NotConfigured,
    NotSent,
    OutcomeUnknown,
    Rejected,
)
from cashier_gui.journal import Attempt, Journal, Kind, State
from cashier_gui.money import Money, MoneyError, parse_amount
from cashier_gui.operators import Operator, OperatorError
from cashier_gui.protocol.viopay import key_check_value, parse_msk
from cashier_gui.refunds import REASONS, ApprovalNeeded, ChargeView, RefundService, parse_reason
from cashier_gui.runtime import Runtime, open_runtime
from cashier_gui.safetext import printable
from cashier_gui.secrets import MSK, NAMES, PAIRING_CODE, SecretStore


class LookupFailed(UserFacing):
    """The lookup before a refund failed: nothing was sent, nothing refunded (exit 1)."""


def exit_code_for(exc: BaseException) -> int:
    if isinstance(
        exc, InvalidInput | NotConfigured | Usage | MoneyError | ConfigError | OperatorError
    ):
        return EXIT_INPUT
    if isinstance(exc, Rejected):
        return EXIT_REFUSED
    if isinstance(exc, OutcomeUnknown):
        return EXIT_UNKNOWN
    return EXIT_OTHER  # LookupFailed, JournalError, ConnectFailed outside a refund, …


def exit_code_for_state(state: State) -> int:
    return {
        State.APPROVED: EXIT_OK,
        State.DECLINED: EXIT_REFUSED,
        State.FAILED: EXIT_REFUSED,
        State.PENDING: EXIT_UNKNOWN,
        State.UNKNOWN: EXIT_UNKNOWN,
        State.SENT: EXIT_UNKNOWN,
        State.PREPARED: EXIT_UNKNOWN,
        State.NOT_SENT: EXIT_NOT_SENT,
        State.CANCELLED: EXIT_NOT_SENT,
    }[state]


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


# ---- commands ---------------------------------------------------------------------------------


def cmd_sim(args: argparse.Namespace) -> int:
    from cashier_gui.simulators.server import serve_forever

    if args.provider == "viopay":
        from cashier_gui.simulators import viopay as vsim

        secret = os.environ.get("VIOPAY_SIM_HMAC_SECRET") or ""
        msk_hex = os.environ.get("VIOPAY_SIM_MSK") or ""
        if msk_hex:
            try:
                msk = parse_msk(msk_hex)
            except ValueError as exc:
                raise Usage(f"VIOPAY_SIM_MSK: {exc}") from None
        else:
            msk = bytes.fromhex(vsim.TRAINING_MSK_HEX)
        charges = None
        if args.charges:
            try:
                charges = vsim.load_charges(args.charges)
            except (OSError, ValueError) as exc:
                raise Usage(str(exc)) from None
        sim = vsim.ViopaySimulator(
            hmac_secret=secret or vsim.TRAINING_HMAC_SECRET,
            msk=msk,
            key_id=args.key_id,
            terminal_id=args.terminal_id,
            charges=charges,
        )
        sim.faults.delay_ms = args.delay_ms
        for kind in args.fault or []:
            sim.faults.push(kind, 1_000_000 if args.fault_always else 1)
        print(f"Viopay simulator — terminal {args.terminal_id}, key ID {args.key_id}")
        if not secret:
            print(f"  HMAC secret (training): {vsim.TRAINING_HMAC_SECRET}")
        if not msk_hex:
            print(f"  MSK (training): {vsim.TRAINING_MSK_HEX}")
        print(f"  MSK key check value: {sim.kcv}")
        print(f"  {len(sim.charges)} charges: {', '.join(sorted(sim.charges))}")
        app = sim.app()
        port = args.port if args.port is not None else 8080
    else:
        from cashier_gui.simulators import poynt as psim

        code = os.environ.get("POYNT_SIM_PAIRING_CODE") or ""
        transactions = None
        if args.transactions:
            try:
                transactions = psim.load_transactions(args.transactions)
            except (OSError, ValueError) as exc:
                raise Usage(str(exc)) from None
        psimulator = psim.PoyntSimulator(
            pairing_code=code or psim.TRAINING_PAIRING_CODE, transactions=transactions
        )
        psimulator.delay_ms = args.delay_ms
        print("Poynt POS Bridge simulator")
        if not code:
            print(f"  pairing code (training): {psim.TRAINING_PAIRING_CODE}")
        print(
            f"  {len(psimulator.transactions)} transactions: "
            f"{', '.join(sorted(psimulator.transactions))}"
        )
        app = psimulator.app()
        port = args.port if args.port is not None else 55555

    def announce(url: str) -> None:
        print(f"Listening on {url}  (Ctrl+C to stop)", flush=True)

    try:
        asyncio.run(serve_forever(app, args.host, port, announce))
    except KeyboardInterrupt:
        print("Stopped.")
    except OSError as exc:
        _err(f"Cannot listen on {args.host}:{port}: {exc.strerror or exc}")
        return EXIT_OTHER
    return EXIT_OK


def _read_secret(prompt: str) -> str:
    """From the terminal without echo, or one line of piped standard input — never argv."""
    raw = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline()
    return raw.strip()


def cmd_setup(args: argparse.Namespace) -> int:
    paths = Paths.default()
    settings = load_settings(paths)
    if args.provider == "viopay":
        settings = settings.with_viopay(
            ViopaySettings(
                base_url=args.base_url,
                terminal_id=args.terminal_id,
                key_id=args.key_id,
                device_model=args.device_model,
                ca_bundle=args.ca_bundle,
            )
        )
    else:
        settings = settings.with_poynt(PoyntSettings(host=args.host, port=args.port))
        if args.currency is not None:
            from dataclasses import replace

            from cashier_gui.money import check_currency

            settings = replace(settings, default_currency=check_currency(args.currency.upper()))
        if not settings.default_currency:
            _err(
                "Note: the terminal cannot look sales up, so every refund needs the shop's "
                "currency. Set it once: cashier-refund setup poynt --host "
                f"{args.host} --currency USD (your currency's code)."
            )
    save_settings(paths, settings)
    print(f"Saved {paths.settings}")
    return EXIT_OK


def cmd_secret(args: argparse.Namespace) -> int:
    store = SecretStore(load_settings(Paths.default()).profile)
    name = args.name
    if args.action == "delete":
        print(f"{name}: {'deleted' if store.delete(name) else 'was not set'}")
        return EXIT_OK
    if args.action == "status":
        store.check()
        for n in NAMES:
            print(f"{n:<20} {'set' if store.get(n) else 'missing'}")
        return EXIT_OK
    value = _read_secret(f"{name} (not shown): ")
    if not value:
        raise Usage(f"{name}: nothing was read from standard input; nothing was stored.")
    extra = ""
    if name == MSK:
        try:
            msk = parse_msk(value)
        except ValueError as exc:
            raise Usage(f"{name}: {exc}. Nothing was stored.") from None
        value = msk.hex().upper()
        extra = f" — key check value {key_check_value(msk)} (compare it with the gateway's)"
    elif name == PAIRING_CODE and not value.isalnum():
        raise Usage(f"{name}: a pairing code is letters and digits only. Nothing was stored.")
    elif len(value) < 8 and name != PAIRING_CODE:
        raise Usage(f"{name}: that is too short to be a real secret. Nothing was stored.")
    store.set(name, value)
    print(f"Stored {name} in the OS keyring{extra}.")
    return EXIT_OK


async def _with_runtime(args: argparse.Namespace, body: Any) -> int:
    runtime = await asyncio.to_thread(open_runtime, training=False)
    try:
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
    """Before asking y/N: exit 2 with the policy's reasons when a manager must approve."""
    reasons = await service.approval_reasons(view, kind, amount, operator)
    if reasons and (approver is None or approver == operator):
        raise ApprovalNeeded(reasons)


async def _lookup_first(service: RefundService, charge_id: str, what: str) -> ChargeView:
    """The lookup before a refund or void: when it fails, nothing was sent (never exit 4)."""
    try:
        return await service.lookup(charge_id)
    except (OutcomeUnknown, NotSent) as exc:
        if isinstance(exc, InvalidInput):
            raise
        raise LookupFailed(
            f"Could not look {charge_id} up: {exc.message} Nothing was {what}."
        ) from None


def cmd_lookup(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        view = await rt.service.lookup(args.charge_id)
        if view.charge is None:
            _err(
                "This back end (Poynt POS Bridge) has no charge lookup: the terminal cannot "
                "tell the original amount. Refund with --full or --amount."
            )
        if args.json:
            _print_json(charge_json(view))
        else:
            print_charge(view)
        return EXIT_OK

    return asyncio.run(_with_runtime(args, body))


def cmd_refund(args: argparse.Namespace) -> int:
    reason = parse_reason(args.reason) if args.reason else None
    operator, approver = signed_in(args)

    async def body(rt: Runtime) -> int:
        service = rt.service
        view = await _lookup_first(service, args.charge_id, "refunded")
        amount: Money | None = None
        if args.amount is not None:
            currency = (
                view.charge.amount.currency
                if view.charge is not None
                else (args.currency or rt.settings.default_currency)
            )
            if not currency:
                raise Usage(
                    "The terminal cannot look the sale up, so the currency is not known. Set "
                    "the shop's currency once (cashier-refund setup poynt --host IP --currency "
                    "USD, or Counter → Settings), or give --currency here."
                )
            amount = parse_amount(args.amount, currency, locale=rt.settings.locale)
        to_send = service.check_amount(view, amount)
        await _check_approval(service, view, Kind.REFUND, to_send, operator, approver)
        shown = to_send.format(rt.settings.locale) if to_send else "the full amount"
        if not args.yes:
            card = ""
            if view.charge is not None and view.charge.card_brand:
                card = f" ({view.charge.card_brand} •••• {view.charge.card_last4})"
            question = f"Refund {shown} on {view.charge_id}{card}? [y/N] "
            sys.stderr.write(question)
            sys.stderr.flush()
            answer = sys.stdin.readline().strip().lower()
            if answer not in ("y", "yes"):
                raise Usage("Cancelled: nothing was refunded.")
        attempt = await service.refund(
            view,
            amount,
            reason,
            args.note,
            reference=args.reference,
            operator=operator,
            approver=approver,
        )
        if args.json:
            _print_json(attempt_json(attempt))
        else:
            print_attempt(attempt)
        return exit_code_for_state(attempt.state)

    return asyncio.run(_with_runtime(args, body))


def cmd_void(args: argparse.Namespace) -> int:
    operator, approver = signed_in(args)

    async def body(rt: Runtime) -> int:
        service = rt.service
        view = await _lookup_first(service, args.charge_id, "voided")
        amount = service.check_void(view)
        await _check_approval(service, view, Kind.VOID, amount, operator, approver)
        shown = amount.format(rt.settings.locale) if amount else "the whole sale"
        if not args.yes:
            sys.stderr.write(
                f"Void {shown} on {view.charge_id}? The whole sale is cancelled and the "
                "customer is never charged. [y/N] "
            )
            sys.stderr.flush()
            if sys.stdin.readline().strip().lower() not in ("y", "yes"):
                raise Usage("Cancelled: nothing was voided.")
        attempt = await service.void(view, args.note, operator=operator, approver=approver)
        if args.json:
            _print_json(attempt_json(attempt))
        else:
            print_attempt(attempt)
        return exit_code_for_state(attempt.state)

    return asyncio.run(_with_runtime(args, body))


def cmd_reconcile(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        results = await rt.service.reconcile_all()
        changed = await rt.service.recheck_pending()
        left = [a for a in results if not a.resolved]
        if args.json:
            _print_json(
                {
                    "reconciled": [attempt_json(a) for a in results],
                    "pending_changed": [attempt_json(a) for a in changed],
                    "unknown_left": len(left),
                }
            )
        else:
            if not results and not changed:
                print("Nothing to reconcile: every refund has an answer.")
            for a in [*results, *changed]:
                print_attempt(a)
                print()
            if left:
                print(f"{len(left)} refund(s) still unknown: try again when the network is back.")
        return EXIT_UNKNOWN if left else EXIT_OK

    return asyncio.run(_with_runtime(args, body))


def cmd_resolve(args: argparse.Namespace) -> int:
    manager = require_manager(people_store(), args.manager, "resolve refunds by hand")

    async def body(rt: Runtime) -> int:
        rt.service.act_as(manager)
        attempt = await rt.service.resolve_by_hand(
            args.attempt_id, refunded=args.refunded, by=args.by, why=args.why
        )
        if args.json:
            _print_json(attempt_json(attempt))
        else:
            print_attempt(attempt)
        return EXIT_OK

    return asyncio.run(_with_runtime(args, body))


def cmd_journal(args: argparse.Namespace) -> int:
    paths = Paths.default()
    with Journal(paths.journal) as journal:
        if args.action == "list":
            states = [State(args.state)] if args.state else None
            rows = journal.query(states=states, limit=args.limit, newest_first=False)
            if args.json:
                _print_json({"attempts": [attempt_json(a) for a in rows]})
            else:
                for a in rows:
                    amount = a.amount.format() if a.amount else "full"
                    print(
                        f"#{a.id:<6} {a.created_at[:19]}  {a.state:<8} {amount:>14}  "
                        f"{a.charge_id}  {a.refund_id or ''}"
                    )
            return EXIT_OK
        if args.action == "export":
            n = journal.export_csv(args.csv)
            print(f"Wrote {n} refund attempts to {args.csv}")
            return EXIT_OK
        problems = journal.verify()
        if not problems:
            print(f"The journal is intact ({journal.count()} refund attempts).")
            return EXIT_OK
        for p in problems:
            print(f"TAMPERED  {p}")
        return EXIT_OTHER


def cmd_doctor(args: argparse.Namespace) -> int:
    from cashier_gui.diagnose import doctor

    checks = asyncio.run(doctor())
    if args.json:
        _print_json(
            {
                "ok": all(c.ok for c in checks),
                "checks": [
                    {"name": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix or None}
                    for c in checks
                ],
            }
        )
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            print(f"{'ok  ' if c.ok else 'FAIL'}  {c.name:<{width}}  {c.text}")
    return EXIT_OK if all(c.ok for c in checks) else EXIT_OTHER


def cmd_pair(args: argparse.Namespace) -> int:
    from cashier_gui.gateways.factory import pair_with_terminal

    paths = Paths.default()
    settings = load_settings(paths)
    if settings.poynt is None:
        raise Usage("Set the terminal's address first: cashier-refund setup poynt --host IP")
    store = SecretStore(settings.profile)
    code = _read_secret("Pairing code shown on the terminal: ").upper()
    if not code or not code.isalnum():
        raise Usage("Type the pairing code the terminal shows (letters and digits).")
    serial = asyncio.run(pair_with_terminal(settings.poynt, code))  # code is upper-cased
    store.set(PAIRING_CODE, code)
    print(f"Paired with terminal {serial}; the pairing code is in the OS keyring.")
    return EXIT_OK


# ---- parser -----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        _err(f"{self.prog}: {message}")
        raise SystemExit(EXIT_INPUT)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cashier-refund", description="Refund card payments from the counter.")
    p.add_argument("--version", action="version", version=f"cashier-refund {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sim = sub.add_parser("sim", help="run a training/test simulator as a real HTTP server")
    simsub = sim.add_subparsers(dest="provider", required=True, parser_class=_Parser)
    from cashier_gui.simulators.names import FAULT_KINDS, TRAINING_KEY_ID, TRAINING_TERMINAL_ID

    sv = simsub.add_parser("viopay", help="a Viopay POS API simulator (training charges)")
    sv.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    sv.add_argument("--port", type=int, default=None, help="port to listen on (default: any free)")
    sv.add_argument(
        "--charges", metavar="FILE", help="charges to serve, as JSON (default: the training set)"
    )
    sv.add_argument(
        "--key-id", default=TRAINING_KEY_ID, help="HMAC key ID it accepts (default: %(default)s)"
    )
    sv.add_argument(
        "--terminal-id",
        default=TRAINING_TERMINAL_ID,
        help="terminal ID it accepts (default: %(default)s)",
    )
    sv.add_argument(
        "--delay-ms", type=int, default=0, help="wait this long before each answer (default: 0)"
    )
    sv.add_argument(
        "--fault",
        action="append",
        choices=FAULT_KINDS,
        help="plan a fault for the next refund (repeatable)",
    )
    sv.add_argument("--fault-always", action="store_true", help="repeat the planned faults")
    sp = simsub.add_parser("poynt", help="a Poynt terminal simulator (training transactions)")
    sp.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    sp.add_argument("--port", type=int, default=None, help="port to listen on (default: any free)")
    sp.add_argument(
        "--transactions",
        metavar="FILE",
        help="transactions to serve, as JSON (default: the training set)",
    )
    sp.add_argument(
        "--delay-ms", type=int, default=0, help="wait this long before each answer (default: 0)"
    )
    sim.set_defaults(func=cmd_sim)

    setup = sub.add_parser("setup", help="write the non-secret settings")
    setupsub = setup.add_subparsers(dest="provider", required=True, parser_class=_Parser)
    s1 = setupsub.add_parser("viopay", help="the Viopay POS API (cloud)")
    s1.add_argument("--base-url", required=True, help="the API address Viopay gave you (https://…)")
    s1.add_argument("--terminal-id", required=True, help="this counter's terminal ID at Viopay")
    s1.add_argument("--key-id", required=True, help="the ID of the HMAC key Viopay issued")
    s1.add_argument(
        "--device-model", default="PC", help="device model sent to Viopay (default: %(default)s)"
    )
    s1.add_argument("--ca-bundle", default=None, help="a CA bundle file to trust for TLS")
    s2 = setupsub.add_parser("poynt", help="a Poynt card terminal on this network")
    s2.add_argument("--host", required=True, help="the terminal's IP address on the shop network")
    s2.add_argument(
        "--port", type=int, default=55555, help="the terminal's port (default: %(default)s)"
    )
    s2.add_argument(
        "--currency",
        help="the shop's currency, set once (e.g. USD): the terminal cannot look sales up",
    )
    setup.set_defaults(func=cmd_setup)

    sec = sub.add_parser("secret", help="store a secret in the OS keyring (read from stdin)")
    secsub = sec.add_subparsers(dest="action", required=True, parser_class=_Parser)
    for action, what in (("set", "store it (typed or piped in)"), ("delete", "remove it")):
        a = secsub.add_parser(action, help=f"{what} in the OS keyring")
        a.add_argument("name", choices=NAMES, help=f"which secret: {', '.join(NAMES)}")
    secsub.add_parser("status", help="which secrets are stored (never their values)").set_defaults(
        name=None
    )
    sec.set_defaults(func=cmd_secret)

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

    add_operator_parser(sub, _Parser)

    rc = sub.add_parser("reconcile", help="find out what happened to refunds with no answer")
    rc.add_argument("--json", action="store_true", help="print one JSON object")
    rc.set_defaults(func=cmd_reconcile)

    rs = sub.add_parser(
        "resolve",
        help="settle an unknown refund by hand, from what you checked on the terminal or portal",
    )
    rs.add_argument("attempt_id", type=int, help="the refund attempt (journal list shows it)")
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

    jn = sub.add_parser("journal", help="the refund journal")
    jsub = jn.add_subparsers(dest="action", required=True, parser_class=_Parser)
    jl = jsub.add_parser("list", help="the refund attempts, newest first")
    jl.add_argument("--state", choices=[s.value for s in State], help="only attempts in this state")
    jl.add_argument("--limit", type=int, default=None, help="at most this many (default: all)")
    jl.add_argument("--json", action="store_true", help="print JSON")
    je = jsub.add_parser("export", help="write every attempt to a CSV file")
    je.add_argument("--csv", required=True, metavar="FILE", help="the CSV file to write")
    jsub.add_parser("verify", help="check the journal's events and states agree")
    jn.set_defaults(func=cmd_journal)

    dr = sub.add_parser("doctor", help="check config, keyring, secrets, clock, TLS, reachability")
    dr.add_argument("--json", action="store_true", help="print one JSON object")
    dr.set_defaults(func=cmd_doctor)

    pr = sub.add_parser("pair", help="pair with the Poynt terminal (code read from stdin)")
    pr.set_defaults(func=cmd_pair)
    add_paper_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    json_mode = bool(getattr(args, "json", False))
    try:
        code: int = args.func(args)
        return code
    except UserFacing as exc:
        code = exit_code_for(exc)
        if json_mode:
            payload: dict[str, Any] = {"status": "error", "error": {"message": str(exc)}}
            if isinstance(exc, GatewayError):
                payload["error"] = exc.as_dict()
                payload["status"] = (
                    "unknown"
                    if isinstance(exc, OutcomeUnknown)
                    else "not_sent"
                    if isinstance(exc, NotSent)
                    else "refused"
                )
            _print_json(payload)
        else:
            _err(printable(str(exc), 600))
            if isinstance(exc, GatewayError) and exc.trace_id:
                _err(f"Trace ID: {printable(exc.trace_id, 100)}")
        return code
    except KeyboardInterrupt:
        _err("Interrupted.")
        return EXIT_OTHER


if __name__ == "__main__":
    raise SystemExit(main())
