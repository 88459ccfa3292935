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

from cashier_gui.journal.model import (
    _ALLOWED,
    FINAL,
    IN_FLIGHT,
    MAX_TEXT,
    UNRESOLVED,
    Attempt,
    ChargeBusy,
    JournalBusy,
    JournalError,
    Kind,
    Problem,
    RefundIdTaken,
    State,
    StateChanged,
    utcnow,
)
from cashier_gui.journal.schema import (
    _COLUMNS,
    _MIGRATIONS,
    _TRACKED,
    GENESIS,
    SCHEMA_VERSION,
    _event_hash,
    _split_sql,
)
from cashier_gui.journal.store import Journal

__all__ = [
    "FINAL",
    "GENESIS",
    "IN_FLIGHT",
    "MAX_TEXT",
    "SCHEMA_VERSION",
    "UNRESOLVED",
    "_ALLOWED",
    "_COLUMNS",
    "_MIGRATIONS",
    "_TRACKED",
    "Attempt",
    "ChargeBusy",
    "Journal",
    "JournalBusy",
    "JournalError",
    "Kind",
    "Problem",
    "RefundIdTaken",
    "State",
    "StateChanged",
    "_event_hash",
    "_split_sql",
    "utcnow",
]
