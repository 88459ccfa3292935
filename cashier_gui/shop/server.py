"""`ShopServer`: a counter's blocking, thread-safe handle on the shop server.

Every operation is one short transaction on a pooled connection and returns before any gateway
or terminal call: claim, commit, *then* send. Nothing here holds a lock or an open transaction
across the network call, and nothing retries a refund.

How a counter uses it (from a worker thread, never the GUI thread):
    claimed = shop.claim(AttemptRecord(...), counter)   # ChargeOpenElsewhere, OverRefund, …
    shop.mark_sent(gid, counter)       # only after this returned may the request leave
    … the gateway call …
    shop.record_outcome(gid, State.APPROVED, refund_id=…, amount=…)
    shop.heartbeat(counter)            # every lease/3 seconds while attempts are in flight
    shop.expire_leases()               # from any counter, now and then

`ShopUnavailable` means the server could not be reached or did not answer in time: the caller
fails closed (sends nothing new). A claim or mark_sent whose commit was lost with the connection
is safe too: an unsent `prepared` claim is cancelled when its lease runs out; a `sent` that was
never followed by a request becomes `unknown` and is reconciled like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pge
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from cashier_gui.money import Money
from cashier_gui.shop import schema
from cashier_gui.shop.conninfo import STATEMENT_TIMEOUT_MS, ShopTarget, parse_url
from cashier_gui.shop.errors import (
    ChargeBusyElsewhere,
    ShopInputError,
    ShopSchemaError,
    ShopUnavailable,
    unreachable,
)
from cashier_gui.shop.model import (
    OUTCOMES,
    AttemptRecord,
    Claimed,
    Expired,
    ShopAttempt,
    State,
    canonical_global_id,
    check_money,
    check_name,
    check_text,
)
from cashier_gui.shop.queries import COLUMNS, attempt_from_row, attempts_query
from cashier_gui.shop.sqlerrors import mapped

log = logging.getLogger(__name__)
T = TypeVar("T")
APP_PREFIX = "cashier:"  # application_name while a counter's transaction runs: "cashier:Till 2"


class ShopServer:
    """One pool of connections to the shop server. Safe to share between threads; `close()` it
    (or use it as a context manager). Connecting is lazy: the constructor never blocks on the
    network, and the first operation checks the schema's version once."""

    def __init__(
        self,
        url: str | ShopTarget,
        *,
        password: str | None = None,
        ca_file: str | Path | None = None,
        lease_seconds: int = 60,
        lock_timeout_s: float = 2.0,
        wait_s: float = 5.0,
        statement_timeout_ms: int = STATEMENT_TIMEOUT_MS,
        max_connections: int = 4,
        application_name: str = "cashier-refund",
    ) -> None:
        self.target = url if isinstance(url, ShopTarget) else parse_url(url, ca_file=ca_file)
        if not 5 <= lease_seconds <= 86400:
            raise ShopInputError("A lease lasts 5 seconds to a day.")
        self.lease_seconds = lease_seconds
        self.lock_timeout_ms = int(lock_timeout_s * 1000)
        self._schema_ok = False
        self._kwargs = self.target.connect_kwargs(
            password, application_name=application_name, statement_timeout_ms=statement_timeout_ms
        )
        self._pool = ConnectionPool(
            "",
            kwargs=self._kwargs,
            min_size=1,
            max_size=max_connections,
            timeout=wait_s,
            check=ConnectionPool.check_connection,
            reconnect_timeout=3600,
            open=False,
            name="shop",
        )
        self._pool.open(wait=False)

    def close(self) -> None:
        self._pool.close(timeout=2)

    def __enter__(self) -> ShopServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------
    def _run(self, body: Callable[[psycopg.Connection[Any]], T]) -> T:
        """`body(conn)` inside one transaction; every way of not reaching the server becomes
        ShopUnavailable (no password, no conninfo in it)."""
        try:
            with self._pool.connection() as conn:
                if not self._schema_ok:
                    schema.check_version(conn)
                    conn.commit()
                    self._schema_ok = True
                with conn.transaction():
                    return body(conn)
        except PoolTimeout:
            raise ShopUnavailable("no connection within the wait") from None
        except (pge.UndefinedFunction, pge.UndefinedTable):
            raise ShopSchemaError(
                "The shop server has no shop tables here. Run `cashier-refund shop init --url …` "
                "once, then try again."
            ) from None
        except pge.QueryCanceled:
            raise ShopUnavailable("the shop server did not answer in time") from None
        except (pge.LockNotAvailable, pge.UniqueViolation):
            raise  # claim() knows what they mean
        except psycopg.OperationalError as exc:
            raise ShopUnavailable(f"{type(exc).__name__}: {exc.sqlstate or 'no answer'}") from None
        except psycopg.Error as exc:
            raise mapped(exc) from None

    def check(self) -> int:
        """Reach the server and check its schema; returns the version. Raises ShopSchemaError,
        ShopAccessDenied (user or password refused: a direct connection tells, the pool cannot)
        or ShopUnavailable."""
        self._schema_ok = False
        try:
            return self._run(lambda conn: schema.current_version(conn))
        except ShopUnavailable:
            try:
                psycopg.connect(**self._kwargs).close()
            except psycopg.OperationalError as exc:
                raise unreachable(exc) from None
            raise

    # -- writes -----------------------------------------------------------------------------
    def claim(self, record: AttemptRecord, counter: str) -> Claimed:
        """Claim a charge for one attempt, before anything is sent. Raises ChargeOpenElsewhere
        (another open attempt, any counter), OverRefund, ChargeBusyElsewhere (its row stayed
        locked past the lock timeout), ShopInputError, ShopUnavailable. The same global ID
        claimed again returns the stored attempt with `repeat=True`."""
        rec = record.checked()
        counter = check_name("counter", counter)
        params = (
            rec.global_id,
            counter,
            rec.charge_id,
            rec.kind.value,
            rec.provider,
            rec.amount.minor if rec.amount else None,
            rec.currency,
            rec.operator,
            rec.approver,
            rec.charge_total.minor if rec.charge_total else None,
            self.lease_seconds,
        )

        def body(conn: psycopg.Connection[Any]) -> Claimed:
            conn.execute(
                "SELECT set_config('lock_timeout', %s, true), "
                "set_config('application_name', %s, true)",
                (f"{self.lock_timeout_ms}ms", (APP_PREFIX + counter)[:63]),
            )
            row = conn.execute(
                "SELECT shop_claim(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", params
            ).fetchone()
            found = conn.execute(
                COLUMNS + sql.SQL(" WHERE global_id = %s"), (rec.global_id,)
            ).fetchone()
            assert row is not None and found is not None
            return Claimed(attempt_from_row(found), repeat=bool(row[0]))

        for tries in (1, 2):
            try:
                return self._run(body)
            except pge.LockNotAvailable:
                raise ChargeBusyElsewhere(rec.charge_id, self._holder(rec.charge_id)) from None
            except pge.UniqueViolation:
                # Two claims raced past each other (same global ID on two charges, or the
                # one-open index as a backstop): the second try sees what won.
                if tries == 2:
                    raise
        raise AssertionError("unreachable")

    def _holder(self, charge_id: str) -> str | None:
        """Which counter holds the charge's row lock, when the server can tell (best effort)."""
        try:
            found = self._run(
                lambda conn: conn.execute(
                    "SELECT a.application_name FROM charges c JOIN pg_stat_activity a "
                    "ON a.backend_xid = c.xmax WHERE c.charge_id = %s",
                    (charge_id,),
                ).fetchone()
            )
        except ShopUnavailable:
            return None
        name = str(found[0]) if found and found[0] else ""
        return name[len(APP_PREFIX) :] if name.startswith(APP_PREFIX) else None

    def mark_sent(self, global_id: str, counter: str) -> bool:
        """`prepared` → `sent`, just before the request leaves; only after this returned may it
        be sent. True when it changed, False for a repeat. BadTransition when the attempt is no
        longer `prepared` (e.g. cancelled when its lease ran out: do not send it)."""
        return self._set_state(
            canonical_global_id(global_id), State.SENT, check_name("counter", counter)
        )

    def record_outcome(
        self,
        global_id: str,
        state: State | str,
        refund_id: str | None = None,
        error_code: str | None = None,
        gateway_text: str | None = None,
        amount: Money | None = None,
        *,
        by: str | None = None,
    ) -> bool:
        """Record what became of an attempt (any state but prepared/sent). Idempotent: the same
        state again is ignored (False) unless it brings a missing refund ID or amount (True);
        another refund ID or an impossible move raises BadTransition. `amount` is
        what the gateway refunded (fills in a full refund's amount; must match a known one).
        `by` names the counter that learnt it (default: the attempt's own)."""
        try:
            target = State(state)
        except ValueError:
            raise ShopInputError(f"{state!r:.40} is not an attempt state.") from None
        if target not in OUTCOMES:
            raise ShopInputError(f"“{target}” is not an outcome: use mark_sent for sent.")
        check_money("amount", amount)
        return self._set_state(
            canonical_global_id(global_id),
            target,
            None if by is None else check_name("counter", by),
            refund_id=check_text(refund_id),
            error_code=check_text(error_code),
            gateway_text=check_text(gateway_text),
            amount=amount,
        )

    def _set_state(
        self,
        gid: str,
        state: State,
        by: str | None,
        *,
        refund_id: str | None = None,
        error_code: str | None = None,
        gateway_text: str | None = None,
        amount: Money | None = None,
    ) -> bool:
        def body(conn: psycopg.Connection[Any]) -> bool:
            if amount is not None:
                row = conn.execute(
                    "SELECT currency FROM attempts WHERE global_id = %s", (gid,)
                ).fetchone()
                if row and row[0] and row[0] != amount.currency:
                    raise ShopInputError(f"Attempt {gid} is in {row[0]}, not {amount.currency}.")
            found = conn.execute(
                "SELECT shop_set_state(%s, %s, %s, %s, %s, %s, %s)",
                (
                    gid,
                    by,
                    state.value,
                    refund_id and refund_id[:200],
                    error_code and error_code[:200],
                    gateway_text,
                    amount.minor if amount else None,
                ),
            ).fetchone()
            return bool(found and found[0])

        return self._run(body)

    def heartbeat(self, counter: str) -> int:
        """This counter is alive: refresh its last_seen and the lease of its prepared and sent
        attempts. Returns how many attempts it refreshed."""
        counter = check_name("counter", counter)

        def body(conn: psycopg.Connection[Any]) -> int:
            row = conn.execute(
                "SELECT shop_heartbeat(%s, %s)", (counter, self.lease_seconds)
            ).fetchone()
            return int(row[0]) if row else 0

        return self._run(body)

    def expire_leases(self, by: str = "lease expiry") -> list[Expired]:
        """Every counter's attempts whose lease has passed: `sent` → `unknown` (never retried),
        `prepared` → `cancelled` (never sent). Safe from any counter, at any time."""
        by = check_name("counter", by)

        def body(conn: psycopg.Connection[Any]) -> list[Expired]:
            rows = conn.execute("SELECT * FROM shop_expire_leases(%s)", (by,)).fetchall()
            return [Expired(r[0], r[1], r[2], State(r[3]), State(r[4])) for r in rows]

        return self._run(body)

    # -- reads ------------------------------------------------------------------------------
    def attempt(self, global_id: str) -> ShopAttempt | None:
        gid = canonical_global_id(global_id)
        row = self._run(
            lambda conn: conn.execute(COLUMNS + sql.SQL(" WHERE global_id = %s"), (gid,)).fetchone()
        )
        return attempt_from_row(row) if row else None

    def attempts(
        self,
        charge_id: str | None = None,
        counter: str | None = None,
        states: Iterable[State | str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
    ) -> list[ShopAttempt]:
        """Every counter's attempts, newest first, filtered. `since` ≤ created_at < `until`
        (timezone-aware datetimes)."""
        query, args = attempts_query(charge_id, counter, states, since, until, limit)
        rows = self._run(lambda conn: conn.execute(query, args).fetchall())
        return [attempt_from_row(r) for r in rows]

    def unknown(self) -> list[ShopAttempt]:
        """Every counter's unknown attempts, oldest first: what `reconcile` may settle."""
        return sorted(self.attempts(states=[State.UNKNOWN], limit=100_000), key=_created)


def _created(a: ShopAttempt) -> datetime:
    return a.created_at
