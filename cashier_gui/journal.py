"""The refund journal: a SQLite file (WAL, synchronous=FULL) that makes sure no refund is lost
or made twice.

Every refund attempt is a row in `attempts` (its current state, for fast queries) and every
change of state is a row in `events`, append-only. The journal knows whether a request left:

    prepared ─▶ sent ─▶ approved | declined | pending | failed | unknown | not_sent
        │                                    (not_sent: the first send found no connection)
        └────▶ cancelled | not_sent          (never sent, by anyone, ever)
    unknown  ─▶ sent (claimed for a re-send with the same key) | approved | declined | pending
                | failed                      (settled by a bound answer, or by hand)
    pending  ─▶ approved | declined           (re-checked)

`prepared` is durable before anything else happens; `sent` is durable just before the request's
bytes leave. While an attempt is `prepared` or `sent` it names its `owner` (an `OwnerLock`
token): start-up recovery settles only attempts whose owner is gone, so one process never
settles another's live refund. Every change is compare-and-set inside `BEGIN IMMEDIATE`, so two
processes on one journal can never both send for one charge (`prepare` refuses a charge with an
unresolved attempt) nor both claim one re-send.

Tamper evidence: each event carries `hash = SHA-256(prev_hash + canonical JSON of the event)`.
`verify()` walks the chain and finds an edited, inserted or deleted event, and an attempts row
that no longer agrees with its events. (Cutting events off the end is seen only against the
head hash kept in `meta`; someone who edits both is not caught — the journal proves integrity
against accidents and casual edits, not against the PC's administrator.)

Blocking: every method does disk I/O and fsync. The window calls them from a worker thread.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from cashier_gui.errors import UserFacing
from cashier_gui.files import chmod_private, create_private, open_private, private_dir
from cashier_gui.i18n import _
from cashier_gui.money import Money
from cashier_gui.owners import OwnerLock
from cashier_gui.safetext import csv_cell, printable

SCHEMA_VERSION = 4
GENESIS = "0" * 64


class Kind(StrEnum):
    REFUND = "refund"
    VOID = "void"  # cancels the whole sale before settlement; `approved` = voided


class State(StrEnum):
    PREPARED = "prepared"  # durable, not sent yet
    SENT = "sent"  # its request may have left: in flight (owner) or abandoned (recovery)
    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"
    FAILED = "failed"  # the server refused it: not applied
    UNKNOWN = "unknown"  # sent, no trustworthy answer: blocks the charge until settled
    CANCELLED = "cancelled"  # the cashier cancelled it before it was sent
    NOT_SENT = "not_sent"  # nothing reached the server


FINAL = frozenset({State.APPROVED, State.DECLINED, State.FAILED, State.CANCELLED, State.NOT_SENT})
UNRESOLVED = frozenset({State.PREPARED, State.SENT, State.UNKNOWN})
IN_FLIGHT = frozenset({State.PREPARED, State.SENT})
_OUTCOMES = {State.APPROVED, State.DECLINED, State.PENDING, State.FAILED}
_ALLOWED = {
    # PREPARED → UNKNOWN only for rows of schema 2, whose `prepared` meant "may have been sent".
    State.PREPARED: {State.SENT, State.CANCELLED, State.NOT_SENT, State.UNKNOWN},
    State.SENT: {*_OUTCOMES, State.UNKNOWN, State.NOT_SENT},
    State.UNKNOWN: {*_OUTCOMES, State.UNKNOWN, State.SENT},
    State.PENDING: {State.APPROVED, State.DECLINED, State.PENDING},
}

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        provider TEXT NOT NULL,
        terminal TEXT NOT NULL,
        charge_id TEXT NOT NULL,
        amount_minor INTEGER,             -- NULL: full refund of an unknown amount (Poynt)
        currency TEXT,
        reason TEXT,
        note TEXT,
        transaction_reference TEXT NOT NULL UNIQUE,
        idempotency_key TEXT NOT NULL UNIQUE,   -- Viopay Idempotency-Key / Poynt poyntRequestId
        operator TEXT NOT NULL,
        training INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        refund_id TEXT,
        error_code TEXT,
        error_message TEXT,
        trace_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX attempts_charge ON attempts(charge_id);
    CREATE INDEX attempts_refund ON attempts(refund_id);
    CREATE INDEX attempts_state ON attempts(state, created_at);
    CREATE INDEX attempts_created ON attempts(created_at);
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL,
        at TEXT NOT NULL,
        data TEXT NOT NULL,               -- canonical JSON of what changed
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX events_attempt ON events(attempt_id);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: remember that a refund was asked for in full, even once the answer tells the amount.
    2: """
    ALTER TABLE attempts ADD COLUMN full_refund INTEGER NOT NULL DEFAULT 0;
    UPDATE attempts SET full_refund = 1 WHERE amount_minor IS NULL;
    """,
    # 3: who is sending an attempt (owner), how often it was sent, resolutions by hand, and
    # what kind of attempt it is (a refund, or a void of the whole sale before settlement).
    # A schema-2 `prepared` row may have been sent: it counts as sent once.
    3: """
    ALTER TABLE attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'refund';
    ALTER TABLE attempts ADD COLUMN approver TEXT;
    ALTER TABLE attempts ADD COLUMN owner TEXT;
    ALTER TABLE attempts ADD COLUMN send_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE attempts ADD COLUMN resolved_by TEXT;
    ALTER TABLE attempts ADD COLUMN resolution TEXT;
    UPDATE attempts SET send_count = 1 WHERE state = 'prepared';
    """,
    # 4: History finds a sale by the amount typed and by who made or approved it.
    4: """
    CREATE INDEX attempts_amount ON attempts(amount_minor, currency);
    CREATE INDEX attempts_operator ON attempts(operator);
    CREATE INDEX attempts_approver ON attempts(approver);
    """,
}

_COLUMNS = [
    "id",
    "provider",
    "terminal",
    "charge_id",
    "amount_minor",
    "currency",
    "reason",
    "note",
    "transaction_reference",
    "idempotency_key",
    "operator",
    "training",
    "state",
    "refund_id",
    "error_code",
    "error_message",
    "trace_id",
    "created_at",
    "updated_at",
    "full_refund",
    "kind",
    "approver",
    "owner",
    "send_count",
    "resolved_by",
    "resolution",
]
_TRACKED = [
    "provider",
    "terminal",
    "charge_id",
    "amount_minor",
    "currency",
    "reason",
    "note",
    "transaction_reference",
    "idempotency_key",
    "operator",
    "training",
    "state",
    "refund_id",
    "error_code",
    "error_message",
    "trace_id",
    "full_refund",
    "kind",
    "approver",
    "owner",
    "send_count",
    "resolved_by",
    "resolution",
]
MAX_TEXT = 500  # characters of a server's message or trace ID kept


class JournalError(UserFacing):
    """The journal cannot do what was asked; `str()` is a sentence for the cashier."""


class JournalBusy(JournalError):
    """Another process held the journal past the busy timeout; nothing was written."""


class StateChanged(JournalError):
    """Compare-and-set failed: another process (or task) changed the attempt first."""


class ChargeBusy(JournalError):
    """`prepare` refused: this charge has an attempt without a final answer."""


class RefundIdTaken(JournalError):
    """An answer names a refund ID this journal holds for another attempt: a replayed answer."""


@dataclass(frozen=True)
class Attempt:
    id: int
    provider: str
    terminal: str
    charge_id: str
    amount_minor: int | None
    currency: str | None
    reason: str | None
    note: str | None
    transaction_reference: str
    idempotency_key: str
    operator: str
    training: bool
    state: State
    refund_id: str | None
    error_code: str | None
    error_message: str | None
    trace_id: str | None
    created_at: str
    updated_at: str
    full_refund: bool = False
    kind: Kind = Kind.REFUND
    approver: str | None = None  # the manager who approved it (policy), when one had to
    owner: str | None = None
    send_count: int = 0
    resolved_by: str | None = None
    resolution: str | None = None

    @property
    def amount(self) -> Money | None:
        if self.amount_minor is None or self.currency is None:
            return None
        return Money(self.amount_minor, self.currency)

    @property
    def resolved(self) -> bool:
        return self.state not in UNRESOLVED

    @classmethod
    def from_row(cls, row: sqlite3.Row | tuple[Any, ...]) -> Attempt:
        values = dict(zip(_COLUMNS, tuple(row), strict=True))
        values["state"] = State(values["state"])
        values["training"] = bool(values["training"])
        values["full_refund"] = bool(values["full_refund"])
        values["send_count"] = int(values["send_count"] or 0)
        values["kind"] = Kind(values["kind"])
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in _COLUMNS}
        out["state"] = str(self.state)
        out["kind"] = str(self.kind)
        return out


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Journal:
    """One journal file. Thread-safe (one connection behind a lock); every write is durable when
    the method returns (WAL + synchronous=FULL). Each instance is one owner (`OwnerLock`) of the
    attempts it prepares: open one per process."""

    def __init__(self, path: Path | str, *, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        private_dir(self.path.parent)
        create_private(self.path)
        self._lock = threading.RLock()
        self._depth = 0  # nesting of _tx()
        try:
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=busy_timeout
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise JournalError(
                _(
                    "The refund journal {path} cannot be opened ({problem}). Nothing was "
                    "changed: call support before refunding on this PC."
                ).format(path=self.path, problem=exc)
            ) from None
        chmod_private(self.path)  # also the -wal/-shm of journals made by older versions
        self._owner: OwnerLock | None = None
        #: Who is at the counter: written into every event from here on (the OS user stays in
        #: `attempts.terminal`/`operator` as the machine account when nobody signs in).
        self.actor: str | None = None

    @property
    def owner(self) -> OwnerLock:
        """This journal's claim on the attempts it sends (created on first use)."""
        if self._owner is None:
            self._owner = OwnerLock(self.path.with_name(self.path.name + ".owners"))
        return self._owner

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._owner is not None:
                self._owner.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- schema -------------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._lock:
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise JournalError(
                    _(
                        "{path} was written by a newer version of this app (schema {version}); "
                        "update the app before using this journal."
                    ).format(path=self.path, version=version)
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _split_sql(_MIGRATIONS[target]):
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {target}")
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # ---- writes -------------------------------------------------------------------------------

    def prepare(
        self,
        *,
        provider: str,
        terminal: str,
        charge_id: str,
        amount: Money | None,
        reason: str | None,
        note: str | None,
        transaction_reference: str,
        idempotency_key: str,
        operator: str,
        training: bool = False,
        full_refund: bool | None = None,
        kind: Kind = Kind.REFUND,
        approver: str | None = None,
        guard: Callable[[Sequence[Attempt]], object] | None = None,
    ) -> Attempt:
        """Record an attempt as `prepared`, owned by this journal; durable on return.

        Inside the same transaction: ChargeBusy when the charge has an unresolved attempt, and
        `guard(the charge's attempts)` may raise to refuse (e.g. over-refunding what this
        counter knows) — so two processes cannot both pass the checks for one charge.
        `full_refund` defaults to "no amount given".
        """
        now = utcnow()
        values: dict[str, Any] = {
            "provider": provider,
            "terminal": terminal,
            "charge_id": charge_id,
            "amount_minor": amount.minor if amount else None,
            "currency": amount.currency if amount else None,
            "reason": reason,
            "note": note,
            "transaction_reference": transaction_reference,
            "idempotency_key": idempotency_key,
            "operator": operator,
            "training": int(training),
            "state": str(State.PREPARED),
            "refund_id": None,
            "error_code": None,
            "error_message": None,
            "trace_id": None,
            "full_refund": int(amount is None if full_refund is None else full_refund),
            "kind": str(kind),
            "approver": approver,
            "owner": self.owner.token,
        }
        with self._tx():
            existing = self._select("WHERE charge_id = ? ORDER BY id", (charge_id,))
            waiting = [a for a in existing if not a.resolved]
            if waiting:
                raise ChargeBusy(
                    _(
                        "An earlier refund on {charge} (attempt {id}) has no final answer yet: "
                        "check it before refunding again, so the customer is not refunded twice."
                    ).format(charge=charge_id, id=waiting[0].id)
                )
            if guard is not None:
                guard(existing)
            try:
                cursor = self._db.execute(
                    f"INSERT INTO attempts ({', '.join(values)}, created_at, updated_at) "  # noqa: S608
                    f"VALUES ({', '.join('?' * len(values))}, ?, ?)",
                    (*values.values(), now, now),
                )
            except sqlite3.IntegrityError:
                raise JournalError(
                    _("The reference {reference} is already used by another refund.").format(
                        reference=transaction_reference
                    )
                ) from None
            attempt_id = int(cursor.lastrowid or 0)
            self._append_event(attempt_id, now, values)
            return self._get(attempt_id)

    def transition(
        self,
        attempt_id: int,
        state: State,
        *,
        expect: State | frozenset[State] | None = None,
        refund_id: str | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        trace_id: str | None = None,
        amount: Money | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Attempt:
        """Move an attempt to `state` (compare-and-set: StateChanged unless it is in `expect`,
        when given), recording what the server said. Durable on return.

        RefundIdTaken when `refund_id` belongs to another attempt (a replayed answer).
        Leaving `prepared`/`sent` clears the owner; becoming `sent` counts one more send.
        """
        now = utcnow()
        with self._tx():
            current = self._get(attempt_id)
            if expect is not None:
                allowed = {expect} if isinstance(expect, State) else expect
                if current.state not in allowed:
                    raise StateChanged(
                        _(
                            "Refund attempt {id} is now {state} (another window or process got "
                            "there first)."
                        ).format(id=attempt_id, state=current.state)
                    )
            if state not in _ALLOWED.get(current.state, set()):
                raise StateChanged(
                    _("Refund attempt {id} is {state}; it cannot become {target}.").format(
                        id=attempt_id, state=current.state, target=state
                    )
                )
            if refund_id is not None:
                holder = self._db.execute(
                    "SELECT id FROM attempts WHERE refund_id = ? AND id != ?",
                    (refund_id, attempt_id),
                ).fetchone()
                if holder is not None:
                    raise RefundIdTaken(
                        _(
                            "The answer names refund {refund}, which belongs to refund attempt "
                            "{id}: it is a replayed answer, not this refund's."
                        ).format(refund=refund_id, id=holder[0])
                    )
            changes: dict[str, Any] = {
                "state": str(state),
                "error_code": _cap(error_code, 64),
                "error_message": _cap(error_message, MAX_TEXT),
                "trace_id": _cap(trace_id, 128),
            }
            if refund_id is not None:
                changes["refund_id"] = refund_id
            if amount is not None and current.amount_minor is None:
                changes["amount_minor"] = amount.minor
                changes["currency"] = amount.currency
            if state is State.SENT:
                changes["owner"] = self.owner.token
                changes["send_count"] = current.send_count + 1
            elif current.owner is not None:
                changes["owner"] = None
            changes.update(extra or {})
            sets = ", ".join(f"{k} = ?" for k in changes)
            self._db.execute(
                f"UPDATE attempts SET {sets}, updated_at = ? WHERE id = ?",  # noqa: S608
                (*changes.values(), now, attempt_id),
            )
            self._append_event(attempt_id, now, changes)
            return self._get(attempt_id)

    def send_or_cancel(self, attempt_id: int, cancelled: Callable[[], bool]) -> Attempt:
        """`prepared` → `cancelled` when `cancelled()` says so at the moment of deciding, else →
        `sent`. Exactly one of the two happens, whatever races with it."""
        if cancelled():
            return self.transition(
                attempt_id,
                State.CANCELLED,
                expect=State.PREPARED,
                error_message=_("Cancelled before it was sent: nothing was refunded."),
            )
        return self.transition(attempt_id, State.SENT, expect=State.PREPARED)

    def claim_resend(self, attempt_id: int) -> Attempt | None:
        """`unknown` → `sent` by this journal, to re-send the very same request; None when the
        attempt is no longer unknown (settled, or another process is re-sending it)."""
        try:
            return self.transition(attempt_id, State.SENT, expect=State.UNKNOWN)
        except StateChanged:
            return None

    def resolve_by_hand(self, attempt_id: int, *, refunded: bool, by: str, why: str) -> Attempt:
        """Settle an unknown (or pending) attempt from what a person checked on the terminal or
        the gateway's portal: `approved` or `failed`, with who and why in the hash chain."""
        by, why = by.strip(), why.strip()
        if not by or not why:
            raise JournalError(_("Say who checked (a name) and why (what was seen where)."))
        current = self.get(attempt_id)
        if current.state not in (State.UNKNOWN, State.PENDING):
            raise StateChanged(
                _(
                    "Refund attempt {id} is already {state}: only a refund without a final "
                    "answer (unknown or pending) can be resolved by hand."
                ).format(id=attempt_id, state=current.state)
            )
        return self.transition(
            attempt_id,
            State.APPROVED if refunded else State.FAILED,
            expect=frozenset({State.UNKNOWN, State.PENDING}),
            error_code="BY_HAND",
            error_message=(
                _("Refunded, checked by hand.") if refunded else _("Not refunded, checked by hand.")
            ),
            extra={"resolved_by": _cap(by, 80), "resolution": _cap(why, MAX_TEXT)},
        )

    def recover_abandoned(self) -> list[Attempt]:
        """Settle attempts whose sender is gone (crashed, killed, closed mid-send): `prepared` →
        `not_sent` (it never left), `sent` → `unknown` (it may have left). Attempts a live
        process is sending are left alone. Returns the settled ones."""
        with self._lock:
            rows = self._select(
                "WHERE state IN (?, ?) ORDER BY id", (str(State.PREPARED), str(State.SENT))
            )
        settled: list[Attempt] = []
        for attempt in rows:
            if self.owner.is_alive(attempt.owner):
                continue
            if attempt.state is State.SENT or attempt.send_count > 0:
                target, why = State.UNKNOWN, _("The app stopped while this refund was being sent.")
            else:
                target, why = (
                    State.NOT_SENT,
                    _("The app stopped before this refund was sent: nothing was refunded."),
                )
            try:
                settled.append(self._transition_if_owner(attempt, target, why))
            except StateChanged:
                continue  # another process recovered or finished it first
        return settled

    def _transition_if_owner(self, attempt: Attempt, state: State, why: str) -> Attempt:
        with self._tx():
            now_row = self._get(attempt.id)
            if now_row.state is not attempt.state or now_row.owner != attempt.owner:
                raise StateChanged(
                    _("Refund attempt {id} changed meanwhile.").format(id=attempt.id)
                )
            return self.transition(attempt.id, state, expect=attempt.state, error_message=why)

    # ---- reads --------------------------------------------------------------------------------

    def get(self, attempt_id: int) -> Attempt:
        with self._lock:
            return self._get(attempt_id)

    def _select(self, where: str, args: Sequence[Any]) -> list[Attempt]:
        sql = f"SELECT {', '.join(_COLUMNS)} FROM attempts {where}"  # noqa: S608
        return [Attempt.from_row(r) for r in self._db.execute(sql, tuple(args))]

    def by_refund_id(self, refund_id: str) -> Attempt | None:
        with self._lock:
            rows = self._select("WHERE refund_id = ?", (refund_id,))
        return rows[0] if rows else None

    def _get(self, attempt_id: int) -> Attempt:
        row = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM attempts WHERE id = ?",  # noqa: S608
            (attempt_id,),
        ).fetchone()
        if row is None:
            raise JournalError(
                _("There is no refund attempt {id} in this journal.").format(id=attempt_id)
            )
        return Attempt.from_row(row)

    def by_reference(self, transaction_reference: str) -> Attempt | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM attempts "  # noqa: S608
                "WHERE transaction_reference = ?",
                (transaction_reference,),
            ).fetchone()
        return None if row is None else Attempt.from_row(row)

    def for_charge(self, charge_id: str) -> list[Attempt]:
        return self.query(charge_id=charge_id, limit=None, newest_first=False)

    def unresolved(self) -> list[Attempt]:
        return self.query(states=sorted(UNRESOLVED), limit=None, newest_first=False)

    def count_by_operator(self, operator: str, since: str) -> int:
        """Refund attempts `operator` started since `since` (UTC, as stored) that may have
        moved money: not cancelled, not `not_sent`, not refused."""
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM attempts WHERE operator = ? AND created_at >= ? "
                "AND kind = 'refund' AND state NOT IN ('cancelled', 'not_sent', 'failed', "
                "'declined')",
                (operator, since),
            ).fetchone()
        return int(row[0])

    def unknown(self) -> list[Attempt]:
        return self.query(states=[State.UNKNOWN], limit=None, newest_first=False)

    def pending(self) -> list[Attempt]:
        return self.query(states=[State.PENDING], limit=None, newest_first=False)

    def _where(
        self,
        *,
        text: str | None = None,
        charge_id: str | None = None,
        states: list[State] | list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        amounts: list[Money] | None = None,
        operator: str | None = None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if charge_id is not None:
            clauses.append("charge_id = ?")
            args.append(charge_id)
        id_match = "charge_id = ? OR refund_id = ? OR transaction_reference = ?"
        if text and amounts:  # what was typed may be an ID or an amount: either matches
            money = " OR ".join("(currency = ? AND amount_minor = ?)" for _ in amounts)
            clauses.append(f"({id_match} OR {money})")
            args += [text, text, text]
            for m in amounts:
                args += [m.currency, m.minor]
        elif text:
            clauses.append(f"({id_match})")
            args += [text, text, text]
        if operator:
            clauses.append("(operator = ? OR approver = ?)")
            args += [operator, operator]
        if states:
            clauses.append(f"state IN ({', '.join('?' * len(states))})")
            args += [str(s) for s in states]
        if since:
            clauses.append("created_at >= ?")
            args.append(since)
        if until:
            clauses.append("created_at < ?")
            args.append(until)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def query(
        self,
        *,
        text: str | None = None,
        charge_id: str | None = None,
        states: list[State] | list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        amounts: list[Money] | None = None,
        operator: str | None = None,
        limit: int | None = 200,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[Attempt]:
        """Attempts matching every filter given; `text` matches a charge, refund or reference
        ID exactly (indexed), or — with `amounts` — any of those amounts (the same typed text
        read in each currency). `operator` matches who made or approved it. `since`/`until` are
        UTC timestamps as stored."""
        where, args = self._where(
            text=text,
            charge_id=charge_id,
            states=states,
            since=since,
            until=until,
            amounts=amounts,
            operator=operator,
        )
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT {', '.join(_COLUMNS)} FROM attempts{where} ORDER BY id {order}"  # noqa: S608
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [limit, offset]
        with self._lock:
            return [Attempt.from_row(r) for r in self._db.execute(sql, args)]

    def count(self, **filters: Any) -> int:
        where, args = self._where(**filters)
        with self._lock:
            sql = f"SELECT COUNT(*) FROM attempts{where}"  # noqa: S608
            return int(self._db.execute(sql, args).fetchone()[0])

    def distinct(self, column: str) -> list[str]:
        """The values of `operator` or `currency` that occur, sorted (History's filter lists)."""
        if column not in ("operator", "currency"):
            raise ValueError(column)
        with self._lock:
            sql = f"SELECT DISTINCT {column} FROM attempts WHERE {column} IS NOT NULL"  # noqa: S608
            return sorted(str(r[0]) for r in self._db.execute(sql))

    def totals(self, since: str, until: str) -> dict[str, int]:
        """Approved refund totals per currency (minor units) for [since, until)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT currency, SUM(amount_minor) FROM attempts WHERE state = ? AND "
                "created_at >= ? AND created_at < ? AND currency IS NOT NULL GROUP BY currency",
                (str(State.APPROVED), since, until),
            ).fetchall()
        return {str(c): int(s) for c, s in rows}

    def export_csv(self, target: Path | str, **filters: Any) -> int:
        """Write attempts (oldest first) as CSV (0600); returns the number of rows. Text cells a
        spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) get a `'`."""
        count = 0
        with open_private(target, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([*_COLUMNS, "amount"])
            for attempt in self._iter(**filters):
                amount = attempt.amount
                row = [*(attempt.as_dict()[c] for c in _COLUMNS), amount.plain() if amount else ""]
                writer.writerow([csv_cell(v) if isinstance(v, str) else v for v in row])
                count += 1
        return count

    def _iter(self, batch: int = 2000, **filters: Any) -> Iterator[Attempt]:
        offset = 0
        while True:
            rows = self.query(limit=batch, offset=offset, newest_first=False, **filters)
            yield from rows
            if len(rows) < batch:
                return
            offset += batch

    # ---- tamper evidence ----------------------------------------------------------------------

    def verify(self) -> list[Problem]:
        """Check the hash chain and that each attempt agrees with its events. [] = intact."""
        problems: list[Problem] = []
        replayed: dict[int, dict[str, Any]] = {}
        prev = GENESIS
        expected_seq = 1
        rows: dict[Any, Attempt] = {}
        with self._lock:
            events = self._db.execute(
                "SELECT seq, attempt_id, at, data, prev_hash, hash FROM events ORDER BY seq"
            ).fetchall()
            for r in self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM attempts"):  # noqa: S608
                try:  # garbage written behind the app's back is tampering, not a crash
                    rows[r[0]] = Attempt.from_row(r)
                except (TypeError, ValueError):
                    problems.append(
                        Problem(
                            _("refund attempt {id}").format(id=r[0]),
                            _("holds values the app never writes"),
                        )
                    )
                    rows[r[0]] = None  # type: ignore[assignment]
            head = self._db.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
        for seq, attempt_id, at, data, prev_hash, digest in events:
            where = _("event {seq} (refund attempt {id})").format(seq=seq, id=attempt_id)
            if not isinstance(seq, int):
                problems.append(Problem(where, _("holds values the app never writes")))
                continue
            if seq != expected_seq:
                problems.append(
                    Problem(
                        _("before event {seq}").format(seq=seq),
                        _("event {seq} is missing").format(seq=expected_seq),
                    )
                )
            expected_seq = seq + 1
            if prev_hash != prev:
                problems.append(
                    Problem(where, _("does not follow the event before it (inserted or deleted)"))
                )
            if _event_hash(prev_hash, attempt_id, at, data) != digest:
                problems.append(
                    Problem(where, _("was edited: its hash does not match its content"))
                )
            prev = digest
            try:
                content = json.loads(data)
                if not isinstance(content, dict):
                    raise ValueError("not an object")
                replayed.setdefault(attempt_id, {}).update(content)
            except (TypeError, ValueError):
                problems.append(Problem(where, _("its content is not readable")))
        if head is not None and head[0] != prev:
            problems.append(Problem(_("end of the journal"), _("events were removed from the end")))
        for attempt_id, attempt in rows.items():
            state = replayed.get(attempt_id)
            if attempt is None:
                continue
            if state is None:
                problems.append(
                    Problem(
                        _("refund attempt {id}").format(id=attempt_id),
                        _("has no history (inserted)"),
                    )
                )
                continue
            current = attempt.as_dict()
            for column in _TRACKED:
                if column in state and state[column] != current[column]:
                    problems.append(
                        Problem(
                            _("refund attempt {id}").format(id=attempt_id),
                            _("{column} was changed outside the app").format(column=column),
                        )
                    )
        for attempt_id in replayed.keys() - rows.keys():
            problems.append(
                Problem(_("refund attempt {id}").format(id=attempt_id), _("was deleted"))
            )
        return problems

    # ---- internals ----------------------------------------------------------------------------

    def _append_event(self, attempt_id: int, at: str, data: dict[str, Any]) -> None:
        if self.actor is not None:
            data = {**data, "actor": self.actor}
        row = self._db.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
        prev = row[0] if row else GENESIS
        payload = json.dumps(data, sort_keys=True, separators=(",", ":"))
        digest = _event_hash(prev, attempt_id, at, payload)
        self._db.execute(
            "INSERT INTO events (attempt_id, at, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?)",
            (attempt_id, at, payload, prev, digest),
        )
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES ('head', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (digest,),
        )

    class _Tx:
        """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error); nested uses join the outer one."""

        def __init__(self, journal: Journal) -> None:
            self.journal = journal

        def __enter__(self) -> None:
            j = self.journal
            j._lock.acquire()
            if j._depth == 0:
                try:
                    j._db.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    j._lock.release()
                    raise JournalBusy(
                        _(
                            "The refund journal is busy (another window or cashier-refund "
                            "command holds it: {problem}). Nothing was changed: try again in a "
                            "moment."
                        ).format(problem=exc)
                    ) from None
            j._depth += 1

        def __exit__(self, exc_type: object, *rest: object) -> None:
            j = self.journal
            j._depth -= 1
            try:
                if j._depth == 0:
                    j._db.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                j._lock.release()

    def _tx(self) -> Journal._Tx:
        return Journal._Tx(self)


def _cap(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return printable(text, limit)


def _event_hash(prev: str, attempt_id: int, at: str, payload: str) -> str:
    return hashlib.sha256(f"{prev}\n{attempt_id}\n{at}\n{payload}".encode()).hexdigest()


def _split_sql(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
