"""`SqliteJournal`: this PC's home of the journal — one SQLite file, its writes (prepare,
transitions, claims, resolutions, recovery) and its transactions; the reads are in
`reading.py`. It implements `cashier_gui.journal.Journal`."""

from __future__ import annotations

import json
import platform
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cashier_gui.files import chmod_private, create_private, private_dir
from cashier_gui.i18n import _
from cashier_gui.journal import reasons
from cashier_gui.journal.model import (
    _ALLOWED,
    MAX_TEXT,
    Attempt,
    ChargeBusy,
    JournalBusy,
    JournalError,
    NewAttempt,
    RefundIdTaken,
    State,
    StateChanged,
    _cap,
    card_fields,
    utcnow,
)
from cashier_gui.journal.sqlite.owners import OwnerLock
from cashier_gui.journal.sqlite.reading import Reading
from cashier_gui.journal.sqlite.replica import Replica
from cashier_gui.journal.sqlite.schema import (
    GENESIS,
    MIGRATIONS,
    SCHEMA_VERSION,
    event_hash,
    split_sql,
)
from cashier_gui.money import Money


def this_pc() -> str:
    """The counter's name when none was set: the PC's network name."""
    return platform.node() or "this PC"


class SqliteJournal(Reading, Replica):
    """One journal file. Thread-safe (one connection behind a lock); every write is durable when
    the method returns (WAL + synchronous=FULL). Each instance is one owner (`OwnerLock`) of the
    attempts it prepares: open one per process. `counter` names this till in what it writes
    (rows written before schema 6 have none and count as this PC's)."""

    def __init__(
        self, path: Path | str, *, counter: str | None = None, busy_timeout: float = 10.0
    ) -> None:
        self.path = Path(path)
        self.counter = counter or this_pc()
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

    #: This PC's file is always there to write to.
    unavailable: str | None = None

    def watch(self, on_change: Callable[[str], None]) -> None:
        """Nobody else's changes to hear of: one PC's processes each see the file as it is."""

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

    def __enter__(self) -> SqliteJournal:
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
                    for statement in split_sql(MIGRATIONS[target]):
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
        new: NewAttempt,
        *,
        actor: str | None = None,
        guard: Callable[[Sequence[Attempt]], object] | None = None,
    ) -> Attempt:
        """Record `new` as `prepared`, owned by this journal; durable on return.

        Inside the same transaction: ChargeBusy when the charge has an unresolved attempt, and
        `guard(the charge's attempts)` may raise to refuse (e.g. over-refunding what this
        counter knows) — so two processes cannot both pass the checks for one charge.
        """
        now = utcnow()
        card_brand, card_last4 = card_fields(new.card_brand, new.card_last4)
        values: dict[str, Any] = {
            "provider": new.provider,
            "terminal": new.terminal,
            "charge_id": new.charge_id,
            "amount_minor": new.amount.minor if new.amount else None,
            "currency": new.amount.currency if new.amount else None,
            "reason": new.reason,
            "note": new.note,
            "transaction_reference": new.transaction_reference,
            "idempotency_key": new.key,
            "operator": new.operator,
            "training": int(new.training),
            "state": str(State.PREPARED),
            "refund_id": None,
            "error_code": None,
            "error_message": None,
            "trace_id": None,
            "full_refund": int(new.full_refund),
            "kind": str(new.kind),
            "approver": new.approver,
            "owner": self.owner.token,
            "card_brand": card_brand,
            "card_last4": card_last4,
            "counter": self.counter,
            "endpoint": _cap(new.endpoint, 300),
            "policy": _cap(new.policy, 64),
        }
        with self._tx():
            existing = self._select("WHERE charge_id = ? ORDER BY id", (new.charge_id,))
            waiting = [a for a in existing if not a.resolved]
            elsewhere = [a for a in waiting if a.counter not in (None, self.counter)]
            if elsewhere:
                raise ChargeBusy(
                    _(
                        "{counter} has a refund on {charge} without a final answer yet: "
                        "nothing can be sent here until it is settled (Check now settles it "
                        "from any counter; a manager can resolve it)."
                    ).format(counter=elsewhere[0].counter, charge=new.charge_id)
                )
            if waiting:
                raise ChargeBusy(
                    _(
                        "An earlier refund on {charge} (attempt {id}) has no final answer yet: "
                        "check it before refunding again, so the customer is not refunded twice."
                    ).format(charge=new.charge_id, id=waiting[0].id)
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
                        reference=new.transaction_reference
                    )
                ) from None
            attempt_id = int(cursor.lastrowid or 0)
            self._append_event(attempt_id, now, values, actor)
            return self._get_row(attempt_id)

    def transition(
        self,
        key: str,
        state: State,
        *,
        expect: State | frozenset[State] | None = None,
        refund_id: str | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        trace_id: str | None = None,
        amount: Money | None = None,
        actor: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Attempt:
        """Move an attempt to `state` (compare-and-set: StateChanged unless it is in `expect`,
        when given), recording what the server said. Durable on return.

        RefundIdTaken when `refund_id` belongs to another attempt (a replayed answer).
        Leaving `prepared`/`sent` clears the owner; becoming `sent` counts one more send.
        """
        now = utcnow()
        with self._tx():
            current = self._get(key)
            attempt_id = current.id
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
            self._append_event(attempt_id, now, changes, actor)
            return self._get_row(attempt_id)

    def send_or_cancel(
        self, key: str, cancelled: Callable[[], bool], *, actor: str | None = None
    ) -> Attempt:
        """`prepared` → `cancelled` when `cancelled()` says so at the moment of deciding, else →
        `sent`. Exactly one of the two happens, whatever races with it."""
        if cancelled():
            return self.transition(
                key,
                State.CANCELLED,
                expect=State.PREPARED,
                error_code=reasons.CANCELLED,
                actor=actor,
            )
        return self.transition(key, State.SENT, expect=State.PREPARED, actor=actor)

    def claim_resend(self, key: str, *, actor: str | None = None) -> Attempt | None:
        """`unknown` → `sent` by this journal, to re-send the very same request; None when the
        attempt is no longer unknown (settled, or another process is re-sending it)."""
        try:
            return self.transition(key, State.SENT, expect=State.UNKNOWN, actor=actor)
        except StateChanged:
            return None

    def resolve_by_hand(
        self, key: str, *, refunded: bool, by: str, why: str, actor: str | None = None
    ) -> Attempt:
        """Settle an unknown (or pending) attempt from what a person checked on the terminal or
        the gateway's portal: `approved` or `failed`, with who and why in the hash chain."""
        by, why = by.strip(), why.strip()
        if not by or not why:
            raise JournalError(_("Say who checked (a name) and why (what was seen where)."))
        current = self.get(key)
        if current.state not in (State.UNKNOWN, State.PENDING):
            raise StateChanged(
                _(
                    "Refund attempt {id} is already {state}: only a refund without a final "
                    "answer (unknown or pending) can be resolved by hand."
                ).format(id=current.id, state=current.state)
            )
        return self.transition(
            key,
            State.APPROVED if refunded else State.FAILED,
            expect=frozenset({State.UNKNOWN, State.PENDING}),
            error_code=reasons.BY_HAND,
            actor=actor,
            extra={"resolved_by": _cap(by, 80), "resolution": _cap(why, MAX_TEXT)},
        )

    def recover_abandoned(
        self, counter: str | None = None, *, actor: str | None = None
    ) -> list[Attempt]:
        """Settle attempts whose sender is gone (crashed, killed, closed mid-send): `prepared` →
        `not_sent` (it never left), `sent` → `unknown` (it may have left). Attempts a live
        process is sending are left alone. Returns the settled ones."""
        rows = self.query(
            states=[State.PREPARED, State.SENT], counter=counter, limit=None, newest_first=False
        )
        settled: list[Attempt] = []
        for attempt in rows:
            if self.owner.is_alive(attempt.owner):
                continue
            if attempt.state is State.SENT or attempt.send_count > 0:
                target, code = State.UNKNOWN, reasons.STOPPED_SENDING
            else:
                target, code = State.NOT_SENT, reasons.STOPPED_BEFORE
            try:
                settled.append(self._transition_if_owner(attempt, target, code, actor))
            except StateChanged:
                continue  # another process recovered or finished it first
        return settled

    def _transition_if_owner(
        self, attempt: Attempt, state: State, code: str, actor: str | None
    ) -> Attempt:
        with self._tx():
            now_row = self._get(attempt.key)
            if now_row.state is not attempt.state or now_row.owner != attempt.owner:
                raise StateChanged(
                    _("Refund attempt {id} changed meanwhile.").format(id=attempt.id)
                )
            return self.transition(
                attempt.key, state, expect=attempt.state, error_code=code, actor=actor
            )

    # ---- internals ----------------------------------------------------------------------------

    def _append_event(
        self, attempt_id: int, at: str, data: dict[str, Any], actor: str | None
    ) -> None:
        if actor is not None:
            data = {**data, "actor": actor}
        row = self._db.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
        prev = row[0] if row else GENESIS
        payload = json.dumps(data, sort_keys=True, separators=(",", ":"))
        digest = event_hash(prev, attempt_id, at, payload)
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

        def __init__(self, journal: SqliteJournal) -> None:
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

    def _tx(self) -> SqliteJournal._Tx:
        return SqliteJournal._Tx(self)


def start_afresh(path: Path) -> bool:
    """Put the journal at `path` aside (as `NAME.previous`, replacing an older one) so the next
    open starts an empty one — unless a live process still uses it. True when it was put aside.
    Training does this at every start: its simulator starts afresh too, so the practice journal
    and the practice sales always tell one story."""
    from cashier_gui.journal.sqlite.owners import anyone_alive

    if not path.exists() or anyone_alive(path.with_name(path.name + ".owners")):
        return False
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.replace(path.with_name(f"{path.stem}.previous{path.suffix}{suffix}"))
    return True
