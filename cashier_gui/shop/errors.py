"""What the shop server can refuse, each a sentence for the person at the counter.

Every error is `UserFacing` (cashier_gui.errors): `str(exc)` says what happened and what to do.
None of them ever carries a password or a connection string with one: the server's own
messages are not chained (`from None`) where they could name the connection.
"""

from __future__ import annotations

from datetime import datetime

from cashier_gui.errors import UserFacing
from cashier_gui.i18n import _, ngettext
from cashier_gui.money import Money
from cashier_gui.zones import shown


class ShopError(UserFacing):
    """Base of every shop server error."""


class ShopUnavailable(ShopError):
    """The shop server could not be reached, or did not answer in time. The caller fails
    closed: nothing new is sent while this is raised. `reason` is a short technical hint for the
    log (never the password)."""

    def __init__(self, reason: str = "", text: str | None = None) -> None:
        self.reason = reason
        super().__init__(
            text
            or _(
                "The shop server cannot be reached right now, so nothing was sent. Check the "
                "shop server and this counter's network, then try again."
            )
        )


class ShopAccessDenied(ShopUnavailable):
    """The server answered but refused the user or password (still: nothing is sent)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(
            reason,
            _(
                "The shop server refused this counter's user or password, so nothing was sent. "
                "Check the user in the shop server's address and the stored password."
            ),
        )


def unreachable(exc: Exception) -> ShopUnavailable:
    """ShopUnavailable, or ShopAccessDenied when libpq's text says authentication failed (it
    has no SQLSTATE for that). The reason keeps libpq's first line: host and user, never the
    password."""
    text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    lowered = str(exc).lower()
    refused = ("authentication failed", "no pg_hba.conf entry", "no password supplied")
    if any(words in lowered for words in refused):
        return ShopAccessDenied(text)
    return ShopUnavailable(text)


def why_unread(exc: ShopError) -> str:
    """Why the shop server could not be read, as a clause for paper ("… could not be read
    ({why})"): without the refund screen's "so nothing was sent", which a report never sends,
    and without a closing full stop."""
    if isinstance(exc, ShopAccessDenied):
        return _("it refused this counter's user or password")
    if isinstance(exc, ShopUnavailable):
        return _("it cannot be reached")
    return str(exc).strip().rstrip(".")


class ShopSchemaError(ShopError):
    """The server's tables are missing, or newer than this app knows."""


class ShopInputError(ShopError, ValueError):
    """A value the shop server will not take (a bad ID, amount or state): nothing was written."""


class BadTransition(ShopError):
    """An attempt cannot move from its state to the one asked for (e.g. `sent` after the lease
    ran out and it was cancelled: it must not be sent)."""

    def __init__(self, global_id: str, current: str, wanted: str) -> None:
        self.global_id, self.current, self.wanted = global_id, current, wanted
        super().__init__(
            _(
                "The shop server has refund attempt {gid} as “{current}”; it cannot become "
                "“{wanted}”. Nothing was changed."
            ).format(gid=global_id, current=current, wanted=wanted)
        )


class AttemptNotFound(ShopError):
    def __init__(self, global_id: str) -> None:
        self.global_id = global_id
        super().__init__(_("The shop server has no refund attempt {gid}.").format(gid=global_id))


class ChargeBusyElsewhere(ShopError):
    """The charge's row stayed locked past the lock timeout: another counter is claiming it at
    this very moment. `counter` is that counter's name when the server could tell."""

    def __init__(self, charge_id: str, counter: str | None) -> None:
        self.charge_id, self.counter = charge_id, counter
        if counter:
            text = _(
                "{charge} is being refunded at {counter} right now. Nothing was sent: wait a "
                "moment and look it up again."
            ).format(charge=charge_id, counter=counter)
        else:
            text = _(
                "{charge} is being refunded at another counter right now. Nothing was sent: "
                "wait a moment and look it up again."
            ).format(charge=charge_id)
        super().__init__(text)


class ChargeOpenElsewhere(ShopError):
    """Another attempt on this charge has no final answer yet (prepared, sent or unknown), at
    any counter. Carries what the window says in words."""

    def __init__(
        self,
        charge_id: str,
        *,
        global_id: str,
        counter: str,
        when: datetime,
        amount: Money | None,
        state: str,
    ) -> None:
        self.charge_id, self.global_id, self.counter = charge_id, global_id, counter
        self.when, self.amount, self.state = when, amount, state
        how_much = amount.format() if amount is not None else _("the full amount")
        if state == "unknown":
            text = _(
                "{charge} has a refund of {amount} from {counter} ({when}) whose answer never "
                "came. Nothing was sent: check it now (a look-up or re-send with the same key "
                "settles it from any counter) or ask a manager to resolve it."
            )
        else:
            text = _(
                "{charge} is being refunded ({amount}) at {counter} since {when}. Nothing was "
                "sent: wait for that refund's answer, then look the charge up again."
            )
        super().__init__(
            text.format(
                charge=charge_id,
                amount=how_much,
                counter=counter,
                when=shown(when).strftime("%Y-%m-%d %H:%M"),
            )
        )


class OverRefund(ShopError):
    """The refund would take more than the charge has left, counting every counter's approved,
    pending and open attempts."""

    def __init__(self, charge_id: str, left: Money) -> None:
        self.charge_id, self.left = charge_id, left
        super().__init__(
            _(
                "{charge} has only {left} left to refund across all counters. Nothing was sent."
            ).format(charge=charge_id, left=left.format())
        )


class OverDailyLimit(ShopError):
    """The shop's `refunds_per_day`: this person has made `count` refunds today at all counters
    (the limit is `limit`); the next one needs a manager. Decided by the server in the claim."""

    def __init__(self, count: int, limit: int) -> None:
        self.count, self.limit = count, limit
        super().__init__(
            ngettext(
                "You have made {count} refund today at the shop's counters; more than {limit} "
                "need a manager. Nothing was sent.",
                "You have made {count} refunds today at the shop's counters; more than {limit} "
                "need a manager. Nothing was sent.",
                count,
            ).format(count=count, limit=limit)
        )


class ApproverRefused(ShopError):
    """The shop server did not take the approver: not a manager, no such person, a wrong PIN
    (counted towards their lock-out, as at sign-in) or locked. Nothing was claimed or sent; a
    manager approves again. `status` is the server's (shop_people_verify's) word for it."""

    def __init__(self, text: str, status: str) -> None:
        self.status = status
        super().__init__(
            _("The shop server did not take the approval: {why} Nothing was sent.").format(why=text)
        )


class SessionRefused(ShopError):
    """The shop server did not take the operator's sign-in session for a claim (schema 10): none
    given, unknown, ended (signed out), expired, opened at another counter, its person removed
    or locked, or a name not the session's. Nothing was claimed or sent: sign in again."""

    def __init__(self, status: str, person: str | None) -> None:
        self.status = status
        who = person or ""
        if status == "session_ended":
            why = _("{name}'s sign-in at this counter has ended (signed out).").format(name=who)
        elif status == "session_expired":
            why = _("{name}'s sign-in is older than the shop allows (12 hours).").format(name=who)
        elif status == "session_elsewhere":
            why = _("That sign-in was made at another counter.")
        elif status == "session_gone":
            why = _("{name} was removed or locked by a manager.").format(name=who)
        elif status == "session_other":
            why = _("The operator is not the person signed in ({name}).").format(name=who)
        elif status == "session_unknown":
            why = _("The shop server does not know this sign-in.")
        else:
            why = _("Nobody is signed in with the shop server at this counter.")
        super().__init__(
            _(
                "The shop server did not take the refund: {why} Nothing was sent. Sign in "
                "again with your name and PIN, then try again."
            ).format(why=why)
        )


class PolicyChanged(ShopError):
    """The shop's policy changed (now `version`) after this counter weighed the refund under an
    older one: nothing was sent; weigh it again under the new one."""

    def __init__(self, version: int) -> None:
        self.version = version
        super().__init__(
            _(
                "The shop's policy was changed just now at another counter, so nothing was sent. "
                "Try again: the new policy applies."
            )
        )
