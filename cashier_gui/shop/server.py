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

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pge
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

from cashier_gui.money import Money
from cashier_gui.shop import schema
from cashier_gui.shop.conninfo import STATEMENT_TIMEOUT_MS, ShopTarget, parse_url
from cashier_gui.shop.deadline import deadline
from cashier_gui.shop.errors import (
    ApproverRefused,
    ChargeBusyElsewhere,
    SessionRefused,
    ShopError,
    ShopInputError,
    ShopSchemaError,
    ShopUnavailable,
    unreachable,
)
from cashier_gui.shop.model import (
    OUTCOMES,
    AttemptRecord,
    Claimed,
    CounterInfo,
    Expired,
    Health,
    Imported,
    PolicyChange,
    ShopAttempt,
    ShopPolicyRow,
    State,
    canonical_global_id,
    check_money,
    check_name,
    check_text,
)
from cashier_gui.shop.queries import COLUMNS, attempt_from_row, attempts_query
from cashier_gui.shop.sessions_sql import CLAIM
from cashier_gui.shop.sqlerrors import mapped

log = logging.getLogger(__name__)
# The pool's own warnings ("error connecting in 'shop': … no password supplied", once per retry)
# belong in the app's log file, which the window sets up; a command that has none would print
# each one on stderr (logging's last resort) under the one sentence it says itself.
logging.getLogger("psycopg.pool").addHandler(logging.NullHandler())
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
        deadline_s: float | None = None,
    ) -> None:
        self.target = url if isinstance(url, ShopTarget) else parse_url(url, ca_file=ca_file)
        if not 5 <= lease_seconds <= 86400:
            raise ShopInputError("A lease lasts 5 seconds to a day.")
        self.lease_seconds = lease_seconds
        self.lock_timeout_ms = int(lock_timeout_s * 1000)
        # Past the server's own timeouts: a link that never answers (deadline.py).
        self.deadline_s = deadline_s or statement_timeout_ms / 1000 + 3
        self._schema_ok = False
        self._kwargs = self.target.connect_kwargs(
            password, application_name=application_name, statement_timeout_ms=statement_timeout_ms
        )
        self._pool_args: dict[str, Any] = dict(
            min_size=1,
            max_size=max_connections,
            timeout=wait_s,
            check=self._check,
            reconnect_timeout=3600,
            name="shop",
        )
        self._lock = threading.Lock()
        self._down = False  # the last probe failed or a connection broke: probe first
        self._pool = self._new_pool()

    def _check(self, conn: psycopg.Connection[Any]) -> None:
        """The pool's check of a connection before it is lent, under the deadline too."""
        with deadline(conn, self.deadline_s):
            ConnectionPool.check_connection(conn)

    def _new_pool(self) -> ConnectionPool:
        pool: ConnectionPool = ConnectionPool(
            "", kwargs=self._kwargs, open=False, **self._pool_args
        )
        pool.open(wait=False)
        return pool

    def close(self) -> None:
        with self._lock:
            self._pool.close(timeout=2)

    def __enter__(self) -> ShopServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------
    def _run(self, body: Callable[[psycopg.Connection[Any]], T]) -> T:
        """`body(conn)` inside one transaction; every way of not reaching the server becomes
        ShopUnavailable (no password, no conninfo in it).

        When the pool finds no connection in time, a direct connection tells at once whether the
        server is back, or refuses our user or password (ShopAccessDenied: the pool cannot tell).
        If it is back, a fresh pool replaces the old one: the pool's own reconnection backs off
        exponentially, which after a long outage would keep the counter closed for minutes.
        While the server stays unreachable, each call probes first and fails fast."""
        if self._down:
            self._revive()
        try:
            return self._attempt(body)
        except PoolTimeout:
            self._revive()
        try:
            return self._attempt(body)
        except PoolTimeout:
            raise ShopUnavailable("no connection within the wait") from None

    def _revive(self) -> None:
        """Probe the server directly; replace the pool when it answers, raise when not."""
        try:
            psycopg.connect(**self._kwargs).close()
        except psycopg.OperationalError as exc:
            self._down = True
            raise unreachable(exc) from None
        with self._lock:
            old, self._pool = self._pool, self._new_pool()
            self._down = False
        old.close(timeout=0)

    def _attempt(self, body: Callable[[psycopg.Connection[Any]], T]) -> T:
        try:
            with self._pool.connection() as conn, deadline(conn, self.deadline_s):
                if not self._schema_ok:
                    schema.check_version(conn)
                    conn.commit()
                    self._schema_ok = True
                with conn.transaction():
                    return body(conn)
        except PoolTimeout:
            raise  # _run probes and may retry
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
            self._down = True  # the connection went: the next call probes first
            raise ShopUnavailable(f"{type(exc).__name__}: {exc.sqlstate or 'no answer'}") from None
        except psycopg.Error as exc:
            raise mapped(exc) from None

    def run(self, body: Callable[[psycopg.Connection[Any]], T]) -> T:
        """`body(conn)` in one short transaction, with every way of not reaching the server as
        ShopUnavailable (for the shop's other tables: people.py)."""
        return self._run(body)

    def check(self) -> int:
        """Reach the server and check its schema; returns the version. Raises ShopSchemaError,
        ShopAccessDenied (user or password refused) or ShopUnavailable."""
        self._schema_ok = False
        return self._run(lambda conn: schema.current_version(conn))

    def health(self) -> Health:
        """What `doctor` and Test connection report: the schema's version, whether the link is
        encrypted, the clock difference (server minus this PC), and whether this counter's
        database user may call what a counter calls. Raises as `check()` does."""
        version = self.check()

        def body(conn: psycopg.Connection[Any]) -> Health:
            row = conn.execute(
                "SELECT now(), "
                f"has_function_privilege('{CLAIM}', 'EXECUTE'), "
                "has_function_privilege('shop_set_state(text, text, text, text, text, text,"
                " bigint, text)', 'EXECUTE'), "
                "has_table_privilege('attempts', 'SELECT')"
            ).fetchone()
            assert row is not None
            # What a counter's login must not be or do (issue 21's least privilege): a
            # superuser or the tables' owner may rewrite history and read the PIN hashes.
            mighty = conn.execute(
                "SELECT r.rolsuper, pg_has_role(current_user, c.relowner, 'MEMBER'), "
                "has_table_privilege('shop_people', 'SELECT'), "
                "has_table_privilege('events', 'INSERT, UPDATE, DELETE, TRUNCATE') "
                "OR has_table_privilege('attempts', 'INSERT, UPDATE, DELETE, TRUNCATE') "
                "FROM pg_roles r, pg_class c "
                "WHERE r.rolname = current_user AND c.oid = 'attempts'::regclass"
            ).fetchone()
            assert mighty is not None
            names = ("superuser", "owner", "pin_hashes", "writes_history")
            skew = (row[0] - datetime.now(UTC)).total_seconds()
            return Health(
                version=version,
                encrypted=bool(conn.pgconn.ssl_in_use),
                clock_skew_s=skew,
                may_claim=bool(row[1] and row[2] and row[3]),
                too_mighty=tuple(n for n, v in zip(names, mighty, strict=True) if v),
            )

        return self._run(body)

    def verify_chain(self) -> list[str]:
        """Walk the shop's event chain (schema 6): each hash recomputed here from its row, each
        linked to the one before, the head where the last one ends, and every attempt in the
        state its last event moved it to. [] = intact; otherwise one line per problem."""

        def body(conn: psycopg.Connection[Any]) -> tuple[list[Any], Any, list[Any]]:
            events = conn.execute(
                "SELECT e.id, e.global_id, e.to_state, e.prev_hash, e.hash, shop_event_text(e) "
                "FROM events e ORDER BY e.id"
            ).fetchall()
            head = conn.execute("SELECT head FROM shop_chain").fetchone()
            states = conn.execute("SELECT global_id, state FROM attempts").fetchall()
            return events, head, states

        events, head, states = self._run(body)
        problems: list[str] = []
        prev = schema.GENESIS
        last_state: dict[str, str] = {}
        for event_id, gid, to_state, prev_hash, digest, text in events:
            if prev_hash != prev:
                problems.append(f"event {event_id}: does not follow the event before it")
            wanted = hashlib.sha256(f"{prev_hash}\n{text}".encode()).hexdigest()
            if digest != wanted:
                problems.append(f"event {event_id}: was edited (its hash does not match)")
            prev = digest
            last_state[gid] = to_state
        if head is None or head[0] != prev:
            problems.append("the chain's head does not end at the last event (events removed)")
        for gid, state in states:
            if last_state.get(gid) != state:
                problems.append(f"attempt {gid}: is {state}, its events say {last_state.get(gid)}")
        return problems

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

        def body(conn: psycopg.Connection[Any]) -> Claimed | tuple[Any, ...]:
            conn.execute(
                "SELECT set_config('lock_timeout', %s, true), "
                "set_config('application_name', %s, true)",
                (f"{self.lock_timeout_ms}ms", (APP_PREFIX + counter)[:63]),
            )
            # The operator taken from their sign-in session (schema 10: SessionRefused), the
            # approver's PIN checked, a cashier going alone held to the per-day rule (under a
            # per-person lock held until this commits): ApproverRefused, OverDailyLimit,
            # PolicyChanged (schemas 7 and 9).
            row = conn.execute(
                "SELECT status, person, person_role, locked_until, left_tries, lock_minutes, "
                "repeat FROM shop_claim_checked("
                "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (*params, rec.policy_version, rec.approver_pin, rec.session),
            ).fetchone()
            assert row is not None
            if row[0] != "ok":
                return tuple(row[:6])  # nothing claimed: the failure counted commits
            conn.execute(
                "SELECT shop_describe(%s, %s, %s, %s, %s, %s, %s)",
                (
                    rec.global_id,
                    rec.terminal,
                    rec.transaction_reference,
                    rec.reason,
                    rec.full_refund,
                    rec.card_brand,
                    rec.card_last4,
                ),
            )
            found = conn.execute(
                COLUMNS + sql.SQL(" WHERE global_id = %s"), (rec.global_id,)
            ).fetchone()
            assert found is not None
            return Claimed(attempt_from_row(found), repeat=bool(row[6]))

        for tries in (1, 2):
            try:
                done = self._run(body)
                if isinstance(done, tuple):
                    if done[0] == "no_session" or str(done[0]).startswith("session_"):
                        raise SessionRefused(str(done[0]), done[1])
                    raise _approver_refused(done, rec.approver or "")
                return done
            except pge.LockNotAvailable:
                raise ChargeBusyElsewhere(rec.charge_id, self._holder(rec.charge_id)) from None
            except pge.UniqueViolation as exc:
                # Two claims raced past each other (same global ID on two charges, or the
                # one-open index as a backstop): the second try sees what won.
                if tries == 2:
                    raise mapped(exc) from None
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
            refund_id=check_text(refund_id, limit=200, what="refund ID"),
            error_code=check_text(error_code, limit=200, what="error code"),
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
            found = conn.execute(
                "SELECT shop_set_state(%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    gid,
                    by,
                    state.value,
                    refund_id,
                    error_code,
                    gateway_text,
                    amount.minor if amount else None,
                    amount.currency if amount else None,
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

    # -- the shop's policy (schema 7) --------------------------------------------------------
    def policy(self) -> ShopPolicyRow:
        """The policy in force at every counter, as the server keeps it."""

        def body(conn: psycopg.Connection[Any]) -> ShopPolicyRow:
            row = conn.execute(
                "SELECT policy, version, changed_by, changed_at, counter FROM shop_policy"
            ).fetchone()
            assert row is not None
            return ShopPolicyRow(dict(row[0]), int(row[1]), row[2], row[3], row[4])

        return self._run(body)

    def set_policy(
        self, policy: dict[str, Any], manager: str, pin: str, counter: str
    ) -> PolicyChange:
        """Replace the shop's policy (in the shape of `Policy.to_toml()`) as manager `manager`,
        whose PIN the server checks in the same function (a wrong one counts towards their
        lock-out, as at sign-in), at counter `counter`: recorded in `policy_changes`, heard by
        every counter (NOTIFY shop_policy). Returns the server's answer: `status` "ok" with the
        new version, or why not (the people functions' statuses, or "no_people": a shop
        without people; nothing changed). ShopInputError (nothing changed) when the server
        refuses the policy's shape."""
        manager = check_name("manager", manager)
        counter = check_name("counter", counter)
        text = json.dumps(policy, sort_keys=True)

        def body(conn: psycopg.Connection[Any]) -> PolicyChange:
            row = conn.execute(
                "SELECT status, person, person_role, locked_until, left_tries, lock_minutes, "
                "new_version FROM shop_set_policy(%s::json, %s, %s, %s)",
                (text, manager, pin, counter),
            ).fetchone()
            assert row is not None  # OUT parameters: always one row
            return PolicyChange(tuple(row[:6]), None if row[6] is None else int(row[6]))

        return self._run(body)

    def refunds_today(self, operator: str) -> int:
        """`operator`'s refunds today at every counter that may have moved money, in the shop
        policy's time zone (the server's own when it names none)."""
        operator = check_name("operator", operator)
        row = self._run(
            lambda conn: conn.execute("SELECT shop_refunds_today(%s)", (operator,)).fetchone()
        )
        return int(row[0]) if row else 0

    def import_attempts(
        self, counter: str, batch: Sequence[tuple[dict[str, Any], list[dict[str, Any]]]]
    ) -> list[Imported | ShopError]:
        """`shop import`: add settled attempts of this counter's own history, each with its
        state changes as events (schema 7's `shop_import`), in one transaction — each in a
        savepoint, so one the server refuses (ShopInputError in its place) leaves the others.
        An attempt the server already holds adds nothing (`Imported.added` False, with the
        counter and state it is held under). Safe to repeat."""
        counter = check_name("counter", counter)

        def body(conn: psycopg.Connection[Any]) -> list[Imported | ShopError]:
            done: list[Imported | ShopError] = []
            for attempt, events in batch:
                try:
                    with conn.transaction():
                        row = conn.execute(
                            "SELECT shop_import(%s, %s, %s)",
                            (counter, Jsonb(attempt), Jsonb(events)),
                        ).fetchone()
                except psycopg.OperationalError:
                    raise
                except psycopg.Error as exc:
                    found = mapped(exc)
                    if not isinstance(found, ShopError):
                        raise
                    done.append(found)
                    continue
                assert row is not None
                said = row[0]
                done.append(Imported(bool(said["added"]), str(said["counter"]), said["state"]))
            return done

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

    def counters(self) -> list[CounterInfo]:
        """Every counter the server has heard from, by name (for a counter filter, or to see
        who has gone silent)."""
        rows = self._run(
            lambda conn: conn.execute(
                "SELECT name, first_seen, last_seen, lease_seconds FROM counters ORDER BY name"
            ).fetchall()
        )
        return [CounterInfo(*row) for row in rows]

    def server_time(self) -> datetime:
        """The server's clock (compare with this PC's: leases and times are the server's)."""
        row = self._run(lambda conn: conn.execute("SELECT clock_timestamp()").fetchone())
        assert row is not None
        value: datetime = row[0]
        return value

    def unknown(self) -> list[ShopAttempt]:
        """Every counter's unknown attempts, oldest first: what `reconcile` may settle."""
        return sorted(self.attempts(states=[State.UNKNOWN], limit=100_000), key=_created)


def _approver_refused(answer: tuple[Any, ...], name: str) -> ApproverRefused:
    """The claim's refusal of an approver (shop_people_verify's status row) in words."""
    from cashier_gui.i18n import _
    from cashier_gui.shop.pin_words import pin_refused

    status, person = str(answer[0]), answer[1] or name
    if status == "not_manager":
        return ApproverRefused(
            _("{name} is not a manager: only a manager approves.").format(name=person), status
        )
    why = pin_refused(answer, name)
    return ApproverRefused(str(why) if why is not None else status, status)


def _created(a: ShopAttempt) -> datetime:
    return a.created_at
