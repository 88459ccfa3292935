"""The shop server's answers about a PIN (shop_people_verify's status row) in words: one place
for people.py (sign-in, changes of people), server.py (an approver refused by the claim) and
shop_policy.py (a manager refused by shop_set_policy). Imports nothing of the shop's, so none
of them import each other for it."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from cashier_gui.i18n import _, ngettext
from cashier_gui.operators import (
    MAX_FAILURES,
    LockedOut,
    OperatorError,
    WrongPin,
    by_manager,
    manager_locked_words,
)


def _minutes_left(until: dt.datetime) -> int:
    seconds = (until - dt.datetime.now(dt.UTC)).total_seconds()
    return max(1, math.ceil(seconds / 60))


def pin_refused(row: tuple[Any, ...], name: str) -> OperatorError | None:
    """The sentence for a status row of shop_people_verify (None: the PIN was right)."""
    status, person, _role, until, left, minutes = row
    who = person or name
    if status == "ok":
        return None
    if status == "unknown":
        return OperatorError(_("There is no operator called {name}.").format(name=name))
    if status == "no_pin":
        return OperatorError(
            _(
                "{name} has no PIN on the shop server yet: a manager sets one (People… → New "
                "PIN, or cashier-refund operator pin)."
            ).format(name=who)
        )
    if status == "not_manager":
        return OperatorError(
            _("{name} is not a manager: only a manager can change people.").format(name=who)
        )
    if status == "wrong":
        return WrongPin(
            ngettext(
                "Wrong PIN for {name}: {left} more try before a lock.",
                "Wrong PIN for {name}: {left} more tries before a lock.",
                int(left),
            ).format(name=who, left=left)
        )
    if status == "locked_now":
        return LockedOut(
            ngettext(
                "Wrong PIN {count} times: {name} is locked for {minutes} minute, at every counter.",
                "Wrong PIN {count} times: {name} is locked for {minutes} minutes, at every "
                "counter.",
                int(minutes),
            ).format(count=MAX_FAILURES, name=who, minutes=minutes)
        )
    if status == "locked" and until is not None:
        if by_manager(until, dt.datetime.now(dt.UTC)):
            return LockedOut(manager_locked_words(who))
        left_min = _minutes_left(until)
        return LockedOut(
            ngettext(
                "{name} is locked after wrong PINs for {minutes} more minute: wait, or ask a "
                "manager to lift the lock.",
                "{name} is locked after wrong PINs for {minutes} more minutes: wait, or ask a "
                "manager to lift the lock.",
                left_min,
            ).format(name=who, minutes=left_min)
        )
    return OperatorError(
        _("The shop server did not accept the PIN ({status}).").format(status=status)
    )
