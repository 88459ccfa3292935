"""A manager's doors on the command line (issue 27): who may change the counter, and what is
kept of it — `door` asks for a manager once people exist (PIN on stdin first), `who` names
whoever did it, `seal_saved` seals what a manager just saved."""

from __future__ import annotations

import argparse

from cashier_gui.cli.output import err
from cashier_gui.config import Paths, load_settings
from cashier_gui.i18n import _
from cashier_gui.operators import Operator
from cashier_gui.secrets import SecretStore


def door(args: argparse.Namespace, what: str) -> Operator | None:
    """The manager this command needs once people exist (PIN from stdin, before anything else);
    None on a counter without people."""
    from cashier_gui.cli.people import require_manager, store

    people = store()
    try:
        return require_manager(people, getattr(args, "manager", None), what)
    finally:
        people.close()


def door_pin(args: argparse.Namespace, what: str) -> tuple[Operator | None, str | None]:
    """As `door`, with the PIN the manager typed (the shop server checks it again itself when
    the change is the shop's)."""
    from cashier_gui.cli.people import require_manager_pin, store

    people = store()
    try:
        return require_manager_pin(people, getattr(args, "manager", None), what)
    finally:
        people.close()


def who(manager: Operator | None) -> str:
    from cashier_gui.runtime import operator_name

    if manager is not None:
        return manager.name
    return _("{user} (no operators on this counter)").format(user=operator_name())


def seal_saved(paths: Paths, by: str | None = None) -> None:
    """Seal what a manager (`by`) just saved, and record the seal with its time in the changes
    log; a keyring that cannot keep it is said, not hidden."""
    from cashier_gui.doors import record_seal, seal
    from cashier_gui.secrets import KeyringUnavailable

    settings = load_settings(paths)
    try:
        seal(settings, SecretStore(settings.profile))
        record_seal(paths, by, settings)
    except KeyringUnavailable as exc:
        err(
            _(
                "Saved, but not sealed ({problem}): until a manager seals it (cashier-refund "
                "policy seal --manager NAME), every cashier's refund needs a manager."
            ).format(problem=exc)
        )
