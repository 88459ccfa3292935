"""The refund journal: a SQLite file (WAL, synchronous=FULL) that makes sure no refund is lost
or made twice.

Every refund attempt is a row in `attempts` (its current state, for fast queries) and every
change of state is a row in `events`, append-only. An attempt is written and synced in state
`prepared` **before** its request leaves the machine; its outcome is recorded afterwards:

    prepared ─▶ approved | declined | pending | failed | unknown
    pending  ─▶ approved | declined            (re-checked)
    unknown  ─▶ approved | declined | pending | failed   (reconciled)

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
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from cashier_gui.money import Money

SCHEMA_VERSION = 2
GENESIS = "0" * 64


class State(StrEnum):
    PREPARED = "prepared"
    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"
    FAILED = "failed"
    UNKNOWN = "unknown"


FINAL = frozenset({State.APPROVED, State.DECLINED, State.FAILED})
UNRESOLVED = frozenset({State.PREPARED, State.UNKNOWN})
_ALLOWED = {
    State.PREPARED: {State.APPROVED, State.DECLINED, State.PENDING, State.FAILED, State.UNKNOWN},
    State.UNKNOWN: {State.APPROVED, State.DECLINED, State.PENDING, State.FAILED, State.UNKNOWN},
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
]


class JournalError(Exception):
    pass


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
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in _COLUMNS}
        out["state"] = str(self.state)
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
    the method returns (WAL + synchronous=FULL)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=10
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self._db.close()

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
                    f"{self.path} was written by a newer version of this app (schema {version}); "
                    "update the app before using this journal."
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
    ) -> Attempt:
        """Record an attempt as `prepared`; durable on return. Call before anything is sent."""
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
            "full_refund": int(amount is None),
        }
        with self._tx():
            cursor = self._db.execute(
                f"INSERT INTO attempts ({', '.join(values)}, created_at, updated_at) "  # noqa: S608
                f"VALUES ({', '.join('?' * len(values))}, ?, ?)",
                (*values.values(), now, now),
            )
            attempt_id = int(cursor.lastrowid or 0)
            self._append_event(attempt_id, now, values)
        return self.get(attempt_id)

    def transition(
        self,
        attempt_id: int,
        state: State,
        *,
        refund_id: str | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        trace_id: str | None = None,
        amount: Money | None = None,
    ) -> Attempt:
        """Move an attempt to `state`, recording what the server said. Durable on return."""
        now = utcnow()
        with self._tx():
            current = self._get(attempt_id)
            if state not in _ALLOWED.get(current.state, set()):
                raise JournalError(
                    f"refund attempt {attempt_id} is {current.state}; it cannot become {state}"
                )
            changes: dict[str, Any] = {
                "state": str(state),
                "error_code": error_code,
                "error_message": error_message,
                "trace_id": trace_id,
            }
            if refund_id is not None:
                changes["refund_id"] = refund_id
            if amount is not None and current.amount_minor is None:
                changes["amount_minor"] = amount.minor
                changes["currency"] = amount.currency
            sets = ", ".join(f"{k} = ?" for k in changes)
            self._db.execute(
                f"UPDATE attempts SET {sets}, updated_at = ? WHERE id = ?",  # noqa: S608
                (*changes.values(), now, attempt_id),
            )
            self._append_event(attempt_id, now, changes)
        return self.get(attempt_id)

    def mark_interrupted(self) -> list[Attempt]:
        """At start: attempts left `prepared` (the app died before or while sending) become
        `unknown`, to be reconciled. Returns them."""
        with self._lock:
            ids = [
                int(r[0])
                for r in self._db.execute(
                    "SELECT id FROM attempts WHERE state = ?", (str(State.PREPARED),)
                )
            ]
        return [
            self.transition(
                i,
                State.UNKNOWN,
                error_message="The app stopped while this refund was being sent.",
            )
            for i in ids
        ]

    # ---- reads --------------------------------------------------------------------------------

    def get(self, attempt_id: int) -> Attempt:
        with self._lock:
            return self._get(attempt_id)

    def _get(self, attempt_id: int) -> Attempt:
        row = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM attempts WHERE id = ?",  # noqa: S608
            (attempt_id,),
        ).fetchone()
        if row is None:
            raise JournalError(f"no refund attempt {attempt_id}")
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
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if charge_id is not None:
            clauses.append("charge_id = ?")
            args.append(charge_id)
        if text:
            clauses.append("(charge_id = ? OR refund_id = ? OR transaction_reference = ?)")
            args += [text, text, text]
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
        limit: int | None = 200,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[Attempt]:
        """Attempts matching every filter given; `text` matches a charge, refund or reference
        ID exactly (indexed). `since`/`until` are UTC timestamps as stored."""
        where, args = self._where(
            text=text, charge_id=charge_id, states=states, since=since, until=until
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
        """Write attempts (oldest first) as CSV; returns the number of rows."""
        count = 0
        with open(target, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([*_COLUMNS, "amount"])
            for attempt in self._iter(**filters):
                amount = attempt.amount
                writer.writerow(
                    [*(attempt.as_dict()[c] for c in _COLUMNS), amount.plain() if amount else ""]
                )
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
        with self._lock:
            events = self._db.execute(
                "SELECT seq, attempt_id, at, data, prev_hash, hash FROM events ORDER BY seq"
            ).fetchall()
            rows = {
                int(r[0]): Attempt.from_row(r)
                for r in self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM attempts")  # noqa: S608
            }
            head = self._db.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
        for seq, attempt_id, at, data, prev_hash, digest in events:
            where = f"event {seq} (refund attempt {attempt_id})"
            if seq != expected_seq:
                problems.append(Problem(f"before event {seq}", f"event {expected_seq} is missing"))
            expected_seq = seq + 1
            if prev_hash != prev:
                problems.append(
                    Problem(where, "does not follow the event before it (inserted or deleted)")
                )
            if _event_hash(prev_hash, attempt_id, at, data) != digest:
                problems.append(Problem(where, "was edited: its hash does not match its content"))
            prev = digest
            try:
                replayed.setdefault(attempt_id, {}).update(json.loads(data))
            except ValueError:
                problems.append(Problem(where, "its content is not readable"))
        if head is not None and head[0] != prev:
            problems.append(Problem("end of the journal", "events were removed from the end"))
        for attempt_id, attempt in rows.items():
            state = replayed.get(attempt_id)
            if state is None:
                problems.append(
                    Problem(f"refund attempt {attempt_id}", "has no history (inserted)")
                )
                continue
            current = attempt.as_dict()
            for column in _TRACKED:
                if column in state and state[column] != current[column]:
                    problems.append(
                        Problem(
                            f"refund attempt {attempt_id}",
                            f"{column} was changed outside the app",
                        )
                    )
        for attempt_id in replayed.keys() - rows.keys():
            problems.append(Problem(f"refund attempt {attempt_id}", "was deleted"))
        return problems

    # ---- internals ----------------------------------------------------------------------------

    def _append_event(self, attempt_id: int, at: str, data: dict[str, Any]) -> None:
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
        def __init__(self, journal: Journal) -> None:
            self.journal = journal

        def __enter__(self) -> None:
            self.journal._lock.acquire()
            self.journal._db.execute("BEGIN IMMEDIATE")

        def __exit__(self, exc_type: object, *rest: object) -> None:
            try:
                self.journal._db.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self.journal._lock.release()

    def _tx(self) -> Journal._Tx:
        return Journal._Tx(self)


def _event_hash(prev: str, attempt_id: int, at: str, payload: str) -> str:
    return hashlib.sha256(f"{prev}\n{attempt_id}\n{at}\n{payload}".encode()).hexdigest()


def _split_sql(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
