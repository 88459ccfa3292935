"""The shop's refund policy: what a cashier may do alone, and what needs a manager's PIN.

Settings `[policy]` (managers edit it; every key optional, absent = no such rule):

    approval_above = { EUR = "50.00", JPY = "5000" }  # a refund above this needs a manager
    refunds_per_day = 5            # a cashier's 6th refund of the day needs a manager
    max_sale_age_days = 30         # refunding an older sale needs a manager
    no_lookup_above = { USD = "20" }  # Poynt (no lookup) refunds above this need a manager
    voids = "managers"             # "anyone" (default) or "managers"
    time_zone = "Europe/Berlin"    # the shop's day for refunds_per_day (default: the OS's zone)

Decisions: managers need no approval (they are the approvers); an amount in a currency that a
non-empty limits table does not name needs a manager (fail closed: a cashier cannot step around
`approval_above = { EUR = … }` in another currency); a counter without operators
(`operators.OperatorStore.any()` false) has nobody to ask, so no rule applies; an amount the
counter cannot know (a Poynt full refund) counts as above `no_lookup_above`; a sale whose date
is unknown is not held to `max_sale_age_days`. `reasons()` returns every rule that applies, in
words for the cashier, so the confirm card can say why a manager is needed.

"Today" (`refunds_per_day`, the end-of-shift report's day) is the shop's day: midnight in
`time_zone` (an IANA name), by default the zone the OS is set to — read from the OS
(`/etc/localtime` on Linux and macOS), never from the process's `TZ` variable, which whoever
starts the program chooses. Where the OS's zone cannot be read that way (Windows without a
`time_zone`), the per-day count covers the last 24 hours instead: never fewer refunds than
since midnight, so it fails closed. `time_zone` is part of the policy (and of its seal): moving
the shop's midnight is a way around the per-day limit.

Where the policy comes from is a `PolicySource`, chosen with the journal's home
(`runtime.JournalHome.policy`): on a counter alone, `SettingsPolicy` — the settings file's
`[policy]`; on a counter in a shop, `shop.shop_policy.ShopPolicy` — the one policy the shop server
keeps for every counter (the local `[policy]` is then ignored). The refund service asks its
source for `current()` each time it weighs a cashier's refund; a source that cannot say raises
`PolicyUnavailable` and the refund is refused (fail closed).

Who may approve whom is written once, here: `needs_approval(operator)` (only a cashier's
refunds and voids are held to the rules) and `check_approver(approver, operator)` (only a
manager approves, and never what they made themselves). The refund service, the command line
and the window all ask these two.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from cashier_gui.errors import UserFacing
from cashier_gui.i18n import _, ngettext
from cashier_gui.money import Money, MoneyError, parse_amount
from cashier_gui.zones import os_time_zone

if TYPE_CHECKING:
    from collections.abc import Callable

    from cashier_gui.operators import Operator

VOIDS = ("anyone", "managers")


def _fix() -> str:
    return _(
        "a manager fixes it in Counter → Settings → Policy, or in the settings file's [policy]"
    )


class Approver(StrEnum):
    """What the approval rule says of a would-be approver (`check_approver`)."""

    OK = "ok"  # a manager, and not the person whose refund or void it is
    MISSING = "missing"  # nobody was named
    NOT_A_MANAGER = "not_a_manager"  # only a manager approves
    SAME_PERSON = "same_person"  # nobody approves what they made themselves


def needs_approval(operator: Operator | None) -> TypeGuard[Operator]:
    """Whether the policy's rules apply to what `operator` does: only to a cashier. A manager
    needs no approval (they are the approvers); a counter without operators (None) has nobody
    to ask."""
    return operator is not None and not operator.is_manager


def check_approver(approver: Operator | None, operator: Operator | None = None) -> Approver:
    """May `approver` approve what `operator` does — or, without an operator, act as a manager
    (settings, people, resolving by hand)? Only a manager, and never for themselves (the same
    name, whatever its case: the operators file knows a name once)."""
    if approver is None:
        return Approver.MISSING
    if not approver.is_manager:
        return Approver.NOT_A_MANAGER
    if operator is not None and approver.name.casefold() == operator.name.casefold():
        return Approver.SAME_PERSON
    return Approver.OK


class PolicyError(UserFacing, ValueError):
    """A `[policy]` value that cannot be used; `str()` names the key and the fix."""


@dataclass(frozen=True)
class Policy:
    approval_above: dict[str, int] = field(default_factory=dict)  # currency → minor units
    refunds_per_day: int | None = None
    max_sale_age_days: int | None = None
    no_lookup_above: dict[str, int] = field(default_factory=dict)
    voids: str = "anyone"
    time_zone: str = ""  # the shop's day: an IANA name; "" = the zone the OS is set to
    # Set at start, never read from the file: the settings seal does not hold (doors.py), so
    # every cashier's refund and void needs a manager until a manager saves again.
    seal_broken: bool = False
    #: The shop server's version of this policy (a shop), None for the settings file's. The
    #: server refuses a claim weighed under another version (schema 7).
    version: int | None = field(default=None, compare=False)

    @property
    def empty(self) -> bool:
        return self == Policy()

    def zone(self) -> dt.tzinfo | None:
        """The shop's time zone: `time_zone`, else the OS's own (never `TZ`); None when
        neither can be read (then a day is the last 24 hours: `day_start`)."""
        if self.time_zone:
            return _zone(self.time_zone)
        return os_time_zone()

    def day_start(self, now: dt.datetime | None = None) -> dt.datetime:
        """When the shop's today began (aware, UTC): midnight in `zone()`; 24 hours ago when
        the zone is not known (fail closed: that window holds at least today's refunds)."""
        now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        zone = self.zone()
        if zone is None:
            return now - dt.timedelta(hours=24)
        local = now.astimezone(zone)
        midnight = dt.datetime.combine(local.date(), dt.time.min, tzinfo=zone)
        return midnight.astimezone(dt.UTC)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """The shop's calendar day now (the OS's local day when the zone is not known)."""
        now = now or dt.datetime.now(dt.UTC)
        zone = self.zone()
        return now.astimezone(zone).date() if zone is not None else now.astimezone().date()

    @classmethod
    def from_toml(cls, data: object) -> Policy:
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise PolicyError(
                _("policy must be a table ([policy] and its rules): {fix}").format(fix=_fix())
            )
        known = {
            "approval_above",
            "refunds_per_day",
            "max_sale_age_days",
            "no_lookup_above",
            "voids",
            "time_zone",
        }
        for key in data:
            if key not in known:
                raise PolicyError(
                    _("policy.{key} is not a rule this app knows: {fix}").format(
                        key=str(key)[:40], fix=_fix()
                    )
                )
        voids = data.get("voids", "anyone")
        if voids not in VOIDS:
            raise PolicyError(
                _('policy.voids must be "anyone" or "managers": {fix}').format(fix=_fix())
            )
        time_zone = data.get("time_zone", "")
        if not isinstance(time_zone, str) or (time_zone and _zone(time_zone) is None):
            raise PolicyError(
                _(
                    "policy.time_zone must be a time zone this PC knows, by its IANA name (e.g. "
                    "Europe/Berlin), or left out for the zone the PC is set to: {fix}"
                ).format(fix=_fix())
            )
        return cls(
            approval_above=_amounts("policy.approval_above", data.get("approval_above")),
            refunds_per_day=_count("policy.refunds_per_day", data.get("refunds_per_day")),
            max_sale_age_days=_count("policy.max_sale_age_days", data.get("max_sale_age_days")),
            no_lookup_above=_amounts("policy.no_lookup_above", data.get("no_lookup_above")),
            voids=str(voids),
            time_zone=time_zone,
        )

    def to_toml(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("approval_above", "no_lookup_above"):
            table = getattr(self, name)
            if table:
                out[name] = {c: Money(v, c).plain() for c, v in table.items()}
        for name in ("refunds_per_day", "max_sale_age_days"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.voids != "anyone":
            out["voids"] = self.voids
        if self.time_zone:
            out["time_zone"] = self.time_zone
        return out

    def reasons(
        self,
        *,
        kind: str,
        amount: Money | None,
        has_lookup: bool,
        sale_date: str | None,
        refunds_today: int,
        now: dt.datetime | None = None,
        locale: str | None = None,
    ) -> list[str]:
        """Why a manager must approve this refund (or void) by a cashier; [] = no approval.
        `locale`: how its amounts are written (the window's: "50,00 €" in German)."""
        why: list[str] = []
        if self.seal_broken:
            why.append(
                _(
                    "The shop's policy was changed outside a manager's save: every refund needs a "
                    "manager until a manager saves the settings again."
                )
            )
        if kind == "void":
            if self.voids == "managers":
                why.append(_("Voiding a sale needs a manager."))
            return why
        # A currency the limits do not name is not unlimited: it needs a manager (fail closed).
        unlisted = amount is not None and any(
            table and amount.currency not in table
            for table in (self.approval_above, self.no_lookup_above if not has_lookup else {})
        )
        if amount is not None and unlisted:
            why.append(
                # One reason among others, after the card's "A manager must approve this:".
                _(
                    "Refunds in {currency} need a manager: the shop's limits name no amount in it."
                ).format(currency=amount.currency)
            )
        if amount is not None:
            limit = self.approval_above.get(amount.currency)
            if limit is not None and amount.minor > limit:
                why.append(
                    _("Refunds above {amount} need a manager.").format(
                        amount=Money(limit, amount.currency).format(locale)
                    )
                )
        if not has_lookup and self.no_lookup_above:
            limit = self.no_lookup_above.get(amount.currency) if amount else None
            if amount is None:
                why.append(
                    _("A full refund without a lookup (amount not known here) needs a manager.")
                )
            elif limit is not None and amount.minor > limit:
                why.append(
                    _("Refunds above {amount} without a lookup need a manager.").format(
                        amount=Money(limit, amount.currency).format(locale)
                    )
                )
        if self.refunds_per_day is not None and refunds_today >= self.refunds_per_day:
            why.append(
                ngettext(
                    "You have made {count} refund today; more than {limit} need a manager.",
                    "You have made {count} refunds today; more than {limit} need a manager.",
                    refunds_today,
                ).format(count=refunds_today, limit=self.refunds_per_day)
            )
        if self.max_sale_age_days is not None and sale_date:
            try:
                made = dt.datetime.fromisoformat(sale_date.replace("Z", "+00:00"))
            except ValueError:
                made = None
            now = now or dt.datetime.now(dt.UTC)
            if made is not None and made.tzinfo is not None:
                age = (now - made).days
                if age > self.max_sale_age_days:
                    why.append(
                        ngettext(
                            "This sale is {age} day old; refunds after {limit} days need a "
                            "manager.",
                            "This sale is {age} days old; refunds after {limit} days need a "
                            "manager.",
                            age,
                        ).format(age=age, limit=self.max_sale_age_days)
                    )
        return why


class PolicyUnavailable(UserFacing):
    """The policy in force cannot be read now (the shop server does not answer): a cashier's
    refund is refused, never weighed under no rules."""


class PolicySource(Protocol):
    """Where the policy in force comes from (the settings file, or the shop server)."""

    @property
    def in_settings(self) -> bool:
        """Kept in the settings file (saved with the rest of them), or elsewhere."""
        ...

    def current(self) -> Policy:
        """The policy in force now. May block (a shop server): call it from a worker thread.
        PolicyUnavailable when it cannot be read."""
        ...

    def known(self) -> Policy:
        """The policy as last read, without blocking (for display; Policy() before any)."""
        ...

    def origin(self) -> str:
        """Where the policy comes from, in words for a manager."""
        ...

    def save(self, policy: Policy, manager: str, pin: str | None = None) -> None:
        """Put `policy` in force as `manager`. The settings file: the caller checked the
        manager's PIN; the shop server checks `pin` itself, in the same function (no PIN, a
        wrong one or no manager there: OperatorError in words, nothing changed). May block."""
        ...

    def close(self) -> None: ...


def ignored_local_policy() -> str:
    """What doctor and `policy show` say on a counter in a shop whose settings file has a
    `[policy]` of its own."""
    return _(
        "This counter's settings file has a [policy] of its own: it is ignored, the shop "
        "server's policy applies at every counter of the shop. Set the shop's with "
        "cashier-refund policy set."
    )


class SettingsPolicy:
    """The settings file's `[policy]`, as read at start (a counter not in a shop). `write`
    puts a policy in the file (runtime.py gives one; the caller seals and records the change:
    doors.py); training and tests give none."""

    in_settings = True

    def __init__(
        self, policy: Policy | None = None, write: Callable[[Policy], None] | None = None
    ) -> None:
        self.policy = policy or Policy()
        self._write = write

    def current(self) -> Policy:
        return self.policy

    def known(self) -> Policy:
        return self.policy

    def origin(self) -> str:
        return _("this counter's settings file ([policy])")

    def save(self, policy: Policy, manager: str, pin: str | None = None) -> None:
        if self._write is None:
            raise PolicyError(_("This policy is not kept in a settings file: it cannot be saved."))
        self._write(policy)
        self.policy = policy

    def close(self) -> None:
        return None


def _amounts(key: str, table: object) -> dict[str, int]:
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise PolicyError(
            _("{key} must be a table of amounts, e.g. {example}: {fix}").format(
                key=key, example='{ EUR = "50.00" }', fix=_fix()
            )
        )
    out = {}
    for currency, text in table.items():
        if not isinstance(text, str):
            raise PolicyError(
                _('{key}.{currency} must be an amount in quotes, e.g. "50.00": {fix}').format(
                    key=key, currency=currency, fix=_fix()
                )
            )
        try:
            out[str(currency).upper()] = parse_amount(text, str(currency).upper()).minor
        except MoneyError as exc:
            raise PolicyError(
                _("{key}.{currency}: {problem} ({fix})").format(
                    key=key, currency=currency, problem=exc, fix=_fix()
                )
            ) from None
    return out


def _count(key: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
        raise PolicyError(
            _("{key} must be a whole number (0 or more): {fix}").format(key=key, fix=_fix())
        )
    return value


def _zone(name: str) -> dt.tzinfo | None:
    if len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None
