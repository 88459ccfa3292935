"""The SQLite home's reads: look-ups, History's queries and counts, the CSV export, and the
tamper-evidence check. A mixin of `SqliteJournal` (it shares its connection and lock)."""

from __future__ import annotations

import csv
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from cashier_gui.config import Paths
from cashier_gui.files import open_output
from cashier_gui.i18n import _
from cashier_gui.journal.model import COLUMNS, UNRESOLVED, Attempt, JournalError, Problem, State
from cashier_gui.journal.sqlite.schema import GENESIS, TRACKED, event_hash
from cashier_gui.money import Money
from cashier_gui.safetext import csv_cell

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM attempts"  # noqa: S608


class Reading:
    _db: sqlite3.Connection
    _lock: threading.RLock
    counter: str

    # ---- reads --------------------------------------------------------------------------------

    def get(self, key: str) -> Attempt:
        with self._lock:
            return self._get(key)

    def find(self, ref: str) -> Attempt:
        """By the row number a person reads off a screen or receipt, or by the global key."""
        ref = ref.strip()
        with self._lock:
            if ref.isascii() and ref.isdigit():
                return self._get_row(int(ref))
            return self._get(ref)

    def _select(self, where: str, args: Sequence[Any]) -> list[Attempt]:
        return [Attempt.from_row(r) for r in self._db.execute(f"{_SELECT} {where}", tuple(args))]

    def by_refund_id(self, refund_id: str) -> Attempt | None:
        with self._lock:
            rows = self._select("WHERE refund_id = ?", (refund_id,))
        return rows[0] if rows else None

    def _get(self, key: str) -> Attempt:
        row = self._db.execute(f"{_SELECT} WHERE idempotency_key = ?", (key,)).fetchone()
        if row is None:
            raise JournalError(_("There is no refund attempt {id} in this journal.").format(id=key))
        return Attempt.from_row(row)

    def _get_row(self, attempt_id: int) -> Attempt:
        row = self._db.execute(f"{_SELECT} WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise JournalError(
                _("There is no refund attempt {id} in this journal.").format(id=attempt_id)
            )
        return Attempt.from_row(row)

    def by_reference(self, transaction_reference: str) -> Attempt | None:
        with self._lock:
            rows = self._select("WHERE transaction_reference = ?", (transaction_reference,))
        return rows[0] if rows else None

    def for_charge(self, charge_id: str) -> list[Attempt]:
        return self.query(charge_id=charge_id, limit=None, newest_first=False)

    def unresolved(self, counter: str | None = None) -> list[Attempt]:
        return self.query(
            states=sorted(UNRESOLVED), counter=counter, limit=None, newest_first=False
        )

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

    def unknown(self, counter: str | None = None) -> list[Attempt]:
        return self.query(states=[State.UNKNOWN], counter=counter, limit=None, newest_first=False)

    def pending(self, counter: str | None = None) -> list[Attempt]:
        return self.query(states=[State.PENDING], counter=counter, limit=None, newest_first=False)

    def _where(
        self,
        *,
        text: str | None = None,
        charge_id: str | None = None,
        states: Sequence[State | str] | None = None,
        since: str | None = None,
        until: str | None = None,
        amounts: list[Money] | None = None,
        operator: str | None = None,
        counter: str | None = None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if charge_id is not None:
            clauses.append("charge_id = ?")
            args.append(charge_id)
        # The card's last 4 digits too: a sale found without the receipt (indexed, schema 5).
        id_match = "charge_id = ? OR refund_id = ? OR transaction_reference = ? OR card_last4 = ?"
        if text and amounts:  # what was typed may be an ID or an amount: either matches
            money = " OR ".join("(currency = ? AND amount_minor = ?)" for _ in amounts)
            clauses.append(f"({id_match} OR {money})")
            args += [text, text, text, text]
            for m in amounts:
                args += [m.currency, m.minor]
        elif text:
            clauses.append(f"({id_match})")
            args += [text, text, text, text]
        if operator:
            clauses.append("(operator = ? OR approver = ?)")
            args += [operator, operator]
        if counter is not None:  # rows from before schema 6 are this PC's
            clauses.append("COALESCE(counter, ?) = ?")
            args += [self.counter, counter]
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
        states: Sequence[State | str] | None = None,
        since: str | None = None,
        until: str | None = None,
        amounts: list[Money] | None = None,
        operator: str | None = None,
        counter: str | None = None,
        limit: int | None = 200,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[Attempt]:
        """Attempts matching every filter given; `text` matches a charge, refund or reference
        ID or a card's last 4 digits exactly (indexed), or — with `amounts` — any of those amounts (the same typed text
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
            counter=counter,
        )
        order = "DESC" if newest_first else "ASC"
        # In time order, as the created_at index holds them (it ends in the row id): a page of
        # History's last 30 days is read from the index, not by sorting 50,000 rows by id
        # (1 ms instead of 110–160 ms with 100,000 rows).
        sql = f"{_SELECT}{where} ORDER BY created_at {order}, id {order}"
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
        """The values of `operator`, `currency` or `counter` that occur, sorted (History's
        filter lists)."""
        if column not in ("operator", "currency", "counter"):
            raise ValueError(column)
        value = "COALESCE(counter, ?)" if column == "counter" else column
        args = [self.counter] if column == "counter" else []
        with self._lock:
            sql = f"SELECT DISTINCT {value} FROM attempts WHERE {value} IS NOT NULL"  # noqa: S608
            return sorted(str(r[0]) for r in self._db.execute(sql, args + args))

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
        """Write attempts (oldest first) as CSV (`files.open_output`: 0600, never through a link
        or over this PC's `Paths.default().own_files()`); returns the number of rows. Text cells a
        spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) get a `'`."""
        count = 0
        own = Paths.default().own_files()
        with open_output(target, "w", newline="", own=own) as fh:
            writer = csv.writer(fh)
            writer.writerow([*COLUMNS, "amount"])
            for attempt in self._iter(**filters):
                amount = attempt.amount
                row = [*(attempt.as_dict()[c] for c in COLUMNS), amount.plain() if amount else ""]
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
            for r in self._db.execute(_SELECT):
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
            if event_hash(prev_hash, attempt_id, at, data) != digest:
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
            for column in TRACKED:
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
