"""The time zone people are shown times in: the shop's.

Decision: every time the app shows or prints — refund cards, History and its day filter,
receipts, the end-of-shift report, refunds made outside the app, another counter's refund — is
in the zone of the policy in force (`Policy.zone()`: its `time_zone`, else the zone the OS is set
to, read from the OS's own file), the same zone the shop's day (`refunds_per_day`, the report's
day) is counted in. Never the process's `TZ` variable, which whoever starts the program chooses:
with it, a receipt's time and the day a refund counts in could disagree. Where no zone can be
read (Windows without a `time_zone`), the PC's local time.

The runtime names its policy source once it has chosen it (`follow`); before that, and in commands
that open none, the OS's zone. Light on purpose (no policy, Babel or Qt): the window's first
screen imports it.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
import zoneinfo
from collections.abc import Callable


@functools.lru_cache(maxsize=1)
def os_time_zone() -> dt.tzinfo | None:
    """The zone the OS is set to, from the OS's own file (Linux, macOS: /etc/localtime) — not
    the `TZ` variable of this process. None where that file is not (Windows)."""
    if sys.platform == "win32":
        return None
    try:
        with open("/etc/localtime", "rb") as f:
            return zoneinfo.ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError):
        return None


_zone_of: Callable[[], dt.tzinfo | None] = os_time_zone


def follow(zone_of: Callable[[], dt.tzinfo | None] | None) -> None:
    """Show times in the zone `zone_of()` gives from now on (the policy in force's `zone`,
    called at each use: a shop's policy can change while the window is open); None: the OS's."""
    global _zone_of
    _zone_of = zone_of if zone_of is not None else os_time_zone


def shown_zone() -> dt.tzinfo | None:
    """The zone times are shown in now; None when none can be read (then the PC's local time)."""
    return _zone_of()


def shown(moment: dt.datetime) -> dt.datetime:
    """An aware moment as it is shown (a naive one is taken as UTC, as the journal writes)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    zone = shown_zone()
    return moment.astimezone(zone) if zone is not None else moment.astimezone()


def parse_shown(stamp: str) -> dt.datetime | None:
    """A stored RFC 3339 stamp (`…Z` or with an offset) as it is shown; None when it is not one."""
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return shown(moment)


def midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in the shown zone, aware."""
    zone = shown_zone()
    if zone is None:
        return dt.datetime.combine(day, dt.time.min).astimezone()
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def today() -> dt.date:
    """The calendar day now in the shown zone."""
    return shown(dt.datetime.now(dt.UTC)).date()
