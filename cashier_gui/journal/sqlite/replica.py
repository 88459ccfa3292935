"""What the SQLite file does for a shop: it is the counter's write-ahead log and outbox, and a
replica of the other counters' attempts (a mixin of `SqliteJournal`).

- Outbox: `shop_state` (schema 7) is the state the shop server holds for an attempt (NULL: the
  server does not know it — no shop, or its claim was refused). An attempt whose state differs
  from its `shop_state`, and is not in flight, has an outcome still to push (`outbox()`); once
  the server has it, `pushed(key, state)`. The outbox is derived from the rows themselves, so it
  survives restarts and a push is idempotent.
- Replica: `mirror(attempt)` keeps another counter's attempt as the server reported it, and
  takes the server's word for one of this counter's own attempts once that one is out of this
  process's hands (unknown or pending here, settled at another counter). Mirrored changes are
  events like any other (`"mirrored": true`), so the hash chain stays whole.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from cashier_gui.i18n import _
from cashier_gui.journal.model import (
    _ALLOWED,
    COLUMNS,
    IN_FLIGHT,
    UNRESOLVED,
    Attempt,
    JournalError,
    State,
    utcnow,
)

#: Columns a mirrored attempt may change after it was first seen here.
_MIRRORED_CHANGES = (
    "state",
    "refund_id",
    "error_code",
    "error_message",
    "amount_minor",
    "currency",
    "resolved_by",
    "resolution",
)


class Replica:
    _db: sqlite3.Connection
    _lock: threading.RLock
    counter: str
    _tx: Callable[[], AbstractContextManager[None]]
    _append_event: Callable[..., None]
    _select: Callable[..., list[Attempt]]

    # ---- outbox -------------------------------------------------------------------------------

    def outbox(self) -> list[Attempt]:
        """Attempts whose state the shop server does not have yet (oldest first)."""
        with self._lock:
            return self._select(
                "WHERE shop_state IS NOT NULL AND shop_state != state "
                "AND state NOT IN (?, ?) ORDER BY id",
                [str(s) for s in sorted(IN_FLIGHT)],
            )

    def pushed(self, key: str, state: State) -> None:
        """The shop server now holds `state` for this attempt (a bookkeeping column, not part
        of the attempt: no event)."""
        with self._tx():
            self._db.execute(
                "UPDATE attempts SET shop_state = ? WHERE idempotency_key = ?", (str(state), key)
            )

    def shop_state(self, key: str) -> State | None:
        with self._lock:
            row = self._db.execute(
                "SELECT shop_state FROM attempts WHERE idempotency_key = ?", (key,)
            ).fetchone()
        if row is None:
            raise JournalError(_("There is no refund attempt {id} in this journal.").format(id=key))
        return None if row[0] is None else State(row[0])

    def batch(self) -> AbstractContextManager[None]:
        """Several mirrors or adoptions as one transaction (one write to disk instead of one
        each: 2,000 of another counter's attempts mirrored in well under a second). Keep a
        batch short — a refund's next write waits for it."""
        return self._tx()

    # ---- moving into a shop (`shop import`) ----------------------------------------------------

    def history(self, key: str) -> list[tuple[int, str, dict[str, Any]]]:
        """An attempt's events, oldest first: (sequence number, when, what changed)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT e.seq, e.at, e.data FROM events e JOIN attempts a "
                "ON a.id = e.attempt_id WHERE a.idempotency_key = ? ORDER BY e.seq",
                (key,),
            ).fetchall()
        return [(int(seq), str(at), json.loads(data)) for seq, at, data in rows]

    def adopt(self, key: str, counter: str, shop_state: State) -> None:
        """One of this PC's own attempts is on the shop server now, under `counter` (`shop
        import`): it is named so here too — an event, so the hash chain holds the change — and
        the server's state is kept (unless the server knew it already) so later outcomes are
        pushed like any other."""
        now = utcnow()
        with self._tx():
            [mine] = self._select("WHERE idempotency_key = ?", [key])
            if self.shop_state(key) is None:
                self.pushed(key, shop_state)
            if mine.counter != counter:
                self._db.execute("UPDATE attempts SET counter = ? WHERE id = ?", (counter, mine.id))
                self._append_event(mine.id, now, {"counter": counter, "imported": True}, None)

    # ---- replica ------------------------------------------------------------------------------

    def mirror(self, theirs: Attempt, *, own_settled: bool = False) -> Attempt | None:
        """Keep what the shop server says of an attempt; returns the row when it changed here.

        Another counter's attempt is inserted, or updated to what the server says. One of this
        counter's own attempts is changed only when it is unknown or pending here and the server
        has a later state that the state machine allows (another counter settled it); an
        attempt this process is sending is never touched. With `own_settled` (a report of the
        shop), one of this counter's own attempts that this file has never held — a PC that
        replaced the counter's old one — is kept too when it has an answer (pending included):
        nothing here sends or recovers it."""
        now = utcnow()
        with self._tx():
            rows = self._select("WHERE idempotency_key = ?", [theirs.key])
            if not rows:
                if theirs.counter in (None, self.counter) and not (
                    own_settled and theirs.state not in UNRESOLVED
                ):
                    return None  # ours, never prepared here: nothing to mirror
                return self._insert_mirrored(theirs, now)
            mine = rows[0]
            ours = mine.counter in (None, self.counter)
            if mine.state == theirs.state and mine.refund_id == theirs.refund_id:
                return None
            if ours and (
                mine.state not in (State.UNKNOWN, State.PENDING)
                or theirs.state not in _ALLOWED.get(mine.state, set())
                or theirs.state in IN_FLIGHT
            ):
                return None
            changes = {
                c: getattr(theirs, c)
                for c in _MIRRORED_CHANGES
                if getattr(theirs, c) != getattr(mine, c)
            }
            changes["state"] = str(theirs.state)
            changes["shop_state"] = str(theirs.state)
            sets = ", ".join(f"{k} = ?" for k in changes)
            self._db.execute(
                f"UPDATE attempts SET {sets}, updated_at = ? WHERE id = ?",  # noqa: S608
                (*changes.values(), now, mine.id),
            )
            event = {k: v for k, v in changes.items() if k != "shop_state"}
            self._append_event(mine.id, now, {**event, "mirrored": True}, theirs.counter)
            return self._select("WHERE id = ?", [mine.id])[0]

    def _insert_mirrored(self, theirs: Attempt, now: str) -> Attempt:
        values: dict[str, Any] = {
            c: getattr(theirs, c) for c in COLUMNS if c not in ("id", "created_at", "updated_at")
        }
        values.update(
            state=str(theirs.state),
            kind=str(theirs.kind),
            training=int(theirs.training),
            full_refund=int(theirs.full_refund),
            owner=None,
            send_count=0,
        )
        try:
            cursor = self._db.execute(
                f"INSERT INTO attempts ({', '.join(values)}, shop_state, created_at, updated_at) "  # noqa: S608
                f"VALUES ({', '.join('?' * len(values))}, ?, ?, ?)",
                (*values.values(), str(theirs.state), theirs.created_at, now),
            )
        except sqlite3.IntegrityError:
            raise JournalError(
                _(
                    "The shop's refund attempt {key} uses a reference this counter holds for "
                    "another refund: call support before refunding this sale."
                ).format(key=theirs.key)
            ) from None
        row_id = int(cursor.lastrowid or 0)
        self._append_event(row_id, now, {**values, "mirrored": True}, theirs.counter)
        return self._select("WHERE id = ?", [row_id])[0]
