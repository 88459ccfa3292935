"""`cashier-refund operator …` and signing in on the command line (`--operator`, `--approver`,
`--manager`): PINs are read from standard input, one per line, never from argv.

Order of the lines on standard input: the manager's PIN (when `--manager` is given), then the
operator's (`--operator`), then the approver's (`--approver`), then a new PIN twice (`operator
add` / `operator pin`), then the y/N answer when the command asks one.

On a counter in a shop, the people are the shop server's (`runtime.people_home`): a change
sends the manager's name and PIN with it, and the server checks both in the same step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import logging
import math
import sys
from typing import Any

from cashier_gui.cli.common import EXIT_OK
from cashier_gui.config import Paths
from cashier_gui.i18n import N_, _, ngettext
from cashier_gui.operators import (
    ManagerPin,
    Operator,
    OperatorError,
    PeopleStore,
    Role,
    by_manager,
)
from cashier_gui.policy import Approver, check_approver

log = logging.getLogger(__name__)


def read_pin(prompt: str) -> str:
    raw = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline()
    return raw.strip()


def store() -> PeopleStore:
    """This counter's people: its file, or its shop's (close it when done). A settings file
    that cannot be read is ConfigError, never "no shop": falling back to the PC's operators
    file would let whoever breaks the settings choose who is a manager."""
    from cashier_gui.config import load_settings
    from cashier_gui.runtime import people_home

    paths = Paths.default()
    return people_home(paths, settings=load_settings(paths))


def manager_pin(people: PeopleStore, name: str | None, what: str) -> ManagerPin | None:
    """The manager's name and PIN (from stdin) for a change of people, checked by the store
    with the change; None while nobody exists yet (the first manager)."""
    if not people.any():
        return None
    if not name:
        raise OperatorError(
            _("Only a manager can {what}: give --manager NAME (PIN on stdin).").format(what=_(what))
        )
    return ManagerPin(name, read_pin(_("PIN for {name}: ").format(name=name)))


def require_manager(people: PeopleStore, name: str | None, what: str) -> Operator | None:
    """The signed-in manager, or None when the counter has no operators yet."""
    return require_manager_pin(people, name, what)[0]


def require_manager_pin(
    people: PeopleStore, name: str | None, what: str
) -> tuple[Operator | None, str | None]:
    """The signed-in manager and the PIN they typed (for a change the shop server checks
    again itself), or (None, None) when the counter has no operators yet."""
    if not people.any():
        return None, None
    if not name:
        raise OperatorError(
            _("Only a manager can {what}: give --manager NAME (PIN on stdin).").format(what=_(what))
        )
    pin = read_pin(_("PIN for {name}: ").format(name=name))
    manager = people.verify(name, pin)
    if check_approver(manager) is not Approver.OK:
        raise OperatorError(
            _("{name} is not a manager: only a manager can {what}.").format(
                name=manager.name, what=_(what)
            )
        )
    return manager, pin


def signed_in(
    args: argparse.Namespace,
) -> tuple[Operator | None, Operator | None, str | None]:
    """(operator, approver, the approver's PIN — a shop server checks it again in the claim)
    for a refund or void. A counter without operators: (None, None, None)."""
    people = store()
    try:
        return _signed_in(people, args)
    finally:
        people.close()


def _signed_in(
    people: PeopleStore, args: argparse.Namespace
) -> tuple[Operator | None, Operator | None, str | None]:
    if not people.any():
        if args.operator or args.approver:
            raise OperatorError(
                _(
                    "No operators are set up on this counter: leave out --operator/--approver, or "
                    "add the first manager with `cashier-refund operator add NAME --role manager`."
                )
            )
        return None, None, None
    if not args.operator:
        raise OperatorError(
            _(
                "This counter has operators: sign in with --operator NAME (the PIN is read from "
                "standard input)."
            )
        )
    # At a shop the server opens a sign-in session in the same step (the claim proves who
    # refunds with it); `signed_out` ends it when the command is done.
    operator = people.sign_in(
        args.operator, read_pin(_("PIN for {operator}: ").format(operator=args.operator))
    )
    approver, pin = None, None
    if args.approver:
        pin = read_pin(_("PIN for {approver}: ").format(approver=args.approver))
        approver = people.verify(args.approver, pin)
        if check_approver(approver, operator) is Approver.NOT_A_MANAGER:
            raise OperatorError(
                _("{name} is not a manager: only a manager approves.").format(name=approver.name)
            )
    return operator, approver, pin


def signed_out(operator: Operator | None) -> None:
    """End the sign-in session `signed_in` opened at a shop (nothing on a counter alone). Best
    effort: the server unreachable leaves it to expire (12 hours); the refund stands."""
    if operator is None or operator.session is None:
        return
    people = store()
    try:
        people.sign_out(operator)
    except Exception as exc:
        log.warning("the shop server did not end the sign-in session: %s", exc)
    finally:
        people.close()


def add_sign_in_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--operator", metavar="NAME", help="who is refunding (PIN read from stdin)")
    p.add_argument(
        "--approver",
        metavar="NAME",
        help="the manager approving what the shop's policy sends for approval (PIN from stdin)",
    )


def cmd_operator(args: argparse.Namespace) -> int:
    people = store()
    try:
        return _operator(people, args)
    finally:
        people.close()


def _operator(people: PeopleStore, args: argparse.Namespace) -> int:
    if args.action == "list":
        operators = people.list()
        if not operators:
            print(_("No operators: refunds are made as this PC's user. Add the first manager with"))
            print(_("  cashier-refund operator add NAME --role manager"))
        for op in operators:
            locked = people.locked_until(op.name)
            lock = "  " + _locked_for(locked) if locked else ""
            print(f"{op.name:<24} {op.role}{lock}")
        return EXIT_OK
    if args.action == "add":
        by = manager_pin(people, args.manager, N_("add operators"))
        pin = _new_pin(args.name)
        op = people.add(args.name, Role(args.role), pin, by=by)
        print(_("Added {name} ({role}).").format(name=op.name, role=op.role))
        return EXIT_OK
    if args.action == "remove":
        people.remove(args.name, by=manager_pin(people, args.manager, N_("remove operators")))
        print(_("Removed {name}.").format(name=args.name))
        return EXIT_OK
    if args.action == "unlock":
        people.unlock(args.name, by=manager_pin(people, args.manager, N_("lift locks")))
        print(_("The lock on {name} is lifted.").format(name=args.name))
        return EXIT_OK
    if args.action == "lock":
        by = manager_pin(people, args.manager, N_("lock people"))
        if by is None:
            raise OperatorError(_("There is no operator called {name}.").format(name=args.name))
        people.lock(args.name, by=by)
        print(
            _(
                "{name} is locked by a manager: they cannot sign in or approve until a manager "
                "lifts the lock (operator unlock) or sets a new PIN."
            ).format(name=args.name)
        )
        return EXIT_OK
    by = manager_pin(people, args.manager, N_("set PINs"))
    if by is None:
        raise OperatorError(_("There is no operator called {name}.").format(name=args.name))
    people.set_pin(args.name, _new_pin(args.name), by=by)
    print(_("New PIN set for {name}; the lock, if any, is lifted.").format(name=args.name))
    return EXIT_OK


def _locked_for(until: dt.datetime) -> str:
    """How long a lock still lasts, in minutes (no clock time: no time zone to get wrong)."""
    now = dt.datetime.now(dt.UTC)
    if by_manager(until, now):
        return _("(locked by a manager)")
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return ngettext(
        "(locked for another minute)", "(locked for {minutes} more minutes)", minutes
    ).format(minutes=minutes)


def _new_pin(name: str) -> str:
    first = read_pin(_("New PIN for {name} (4–8 digits): ").format(name=name))
    second = read_pin(_("The same PIN again: "))
    if first != second:
        raise OperatorError(_("The two PINs differ: nothing was changed."))
    return first


def add_operator_parser(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    op = sub.add_parser("operator", help="the people who refund: names, roles and PINs")
    opsub = op.add_subparsers(dest="action", required=True, parser_class=parser_class)
    add = opsub.add_parser("add", help="add a person (PIN twice on stdin)")
    add.add_argument("name", help="their name as shown at sign-in")
    add.add_argument(
        "--role", choices=[r.value for r in Role], required=True, help="what they may do"
    )
    add.add_argument("--manager", metavar="NAME", help="the manager adding them (PIN on stdin)")
    opsub.add_parser("list", help="everyone, with their role")
    rm = opsub.add_parser("remove", help="remove a person")
    rm.add_argument("name", help="who")
    rm.add_argument("--manager", metavar="NAME", help="the manager removing them (PIN on stdin)")
    pin = opsub.add_parser("pin", help="set a new PIN for a person (and lift a lock)")
    pin.add_argument("name", help="whose PIN")
    pin.add_argument("--manager", metavar="NAME", help="the manager setting it (PIN on stdin)")
    unlock = opsub.add_parser("unlock", help="lift a person's lock (wrong PINs or a manager's)")
    unlock.add_argument("name", help="who")
    unlock.add_argument("--manager", metavar="NAME", help="the manager lifting it (PIN on stdin)")
    lock = opsub.add_parser(
        "lock", help="lock a person until a manager lifts the lock or sets a new PIN"
    )
    lock.add_argument("name", help="who")
    lock.add_argument("--manager", metavar="NAME", help="the manager locking them (PIN on stdin)")
    op.set_defaults(func=cmd_operator)
