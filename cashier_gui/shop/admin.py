"""`init_shop`: create or upgrade the shop's tables (what `cashier-refund shop init` does), and
the server settings a shop should have.

Running it again changes nothing. The settings are checked, not changed: they belong to the
server's administrator (`ALTER SYSTEM …` then a reload), and `shop init` prints what to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from cashier_gui.i18n import N_, _
from cashier_gui.shop import schema
from cashier_gui.shop.conninfo import ShopTarget, parse_url
from cashier_gui.shop.errors import ShopError, ShopSchemaError, unreachable
from cashier_gui.shop.people_sql import MANAGER_ROLE


@dataclass(frozen=True)
class Advice:
    """One server setting that is not what a shop needs."""

    name: str
    current: str
    recommended: str
    why: str

    @property
    def fix(self) -> str:
        return f"ALTER SYSTEM SET {self.name} = '{self.recommended}';"


@dataclass(frozen=True)
class InitResult:
    before: int
    after: int
    applied: list[int]
    advice: list[Advice] = field(default_factory=list)


# name → (largest good value in the server's unit, recommended, why); 0 means "off" for all.
_RECOMMENDED = {
    "tcp_keepalives_idle": (
        60,
        "30",
        N_("a counter that lost power holds its connection for 2 hours by default"),
    ),
    "tcp_keepalives_interval": (15, "10", N_("so a dead counter is noticed in about a minute")),
    "tcp_keepalives_count": (6, "3", N_("so a dead counter is noticed in about a minute")),
    "idle_in_transaction_session_timeout": (
        60000,
        "30s",
        N_("no counter should hold a transaction (and its locks) while idle"),
    ),
}


def recommended_settings(conn: psycopg.Connection[Any]) -> list[Advice]:
    """What to change on the server. Keepalive settings read 0 over a Unix socket: check over
    TCP, as the counters connect."""
    rows = conn.execute(
        "SELECT name, setting, coalesce(unit, '') FROM pg_settings WHERE name = ANY(%s)",
        (list(_RECOMMENDED),),
    ).fetchall()
    advice = []
    for name, setting, unit in sorted(rows):
        limit, good, why = _RECOMMENDED[name]
        value = int(setting)
        if value == 0 or value > limit:
            advice.append(Advice(name, f"{setting}{unit}" if value else "0 (off)", good, why))
    return advice


def _not_allowed(exc: psycopg.errors.InsufficientPrivilege, target: ShopTarget) -> ShopSchemaError:
    """What the owner lacks, in words. The shop's two roles are the server's (cluster-wide):
    a database owner without CREATEROLE cannot make them on a server that has none yet — it
    has its tables then, but not the rest (each step that went through stays; running `shop
    init` again goes on from there)."""
    primary = (exc.diag.message_primary or "").lower()
    if "create role" in primary:
        return ShopSchemaError(
            _(
                "The user in the address may not create the shop's roles on {where} "
                "({counter}, {manager}: once per server). Ask the server's administrator to "
                "create them — as a superuser: CREATE ROLE {counter} NOLOGIN; CREATE ROLE "
                "{manager} NOLOGIN IN ROLE {counter}; — or to give this user CREATEROLE, then "
                "run `shop init` again (it goes on where it stopped)."
            ).format(where=target.where, counter=schema.COUNTER_ROLE, manager=MANAGER_ROLE)
        )
    return ShopSchemaError(
        _(
            "The user in the address may not create tables in {where}. Use the database's "
            "owner for `shop init`."
        ).format(where=target.where)
    )


def init_shop(
    url: str | ShopTarget,
    password: str | None = None,
    *,
    ca_file: str | Path | None = None,
) -> InitResult:
    """Create the shop's tables or bring them to the latest version; returns what it did and
    what to change on the server. ShopUnavailable, ShopSchemaError (newer than this app),
    ShopInputError (the URL)."""
    target = url if isinstance(url, ShopTarget) else parse_url(url, ca_file=ca_file)
    kwargs = target.connect_kwargs(password, application_name="cashier-refund shop init")
    kwargs["options"] = "-c statement_timeout=60000"  # migrations may take longer than a claim
    try:
        with psycopg.connect(autocommit=True, **kwargs) as conn:
            before = schema.current_version(conn)
            if before > schema.LATEST:
                raise schema.too_new(before)
            applied = schema.migrate(conn)
            after = schema.current_version(conn)
            return InitResult(before, after, applied, recommended_settings(conn))
    except ShopError:
        raise
    except psycopg.errors.InsufficientPrivilege as exc:
        raise _not_allowed(exc, target) from None
    except psycopg.OperationalError as exc:
        raise unreachable(exc) from None
