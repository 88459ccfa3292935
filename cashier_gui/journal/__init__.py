"""The refund journal: makes sure no refund is lost or made twice.

This package is the journal's *interface* — the model (`Attempt`, `NewAttempt`, states, kinds,
errors, timestamps), the reasons an attempt ended (`reasons`), and the Protocols `Journal` and
`JournalReader` (`interface.py`). Its homes live beside it: this PC's SQLite file
(`journal.sqlite`); the shop server is the second. Only the start-up code (`runtime`) chooses
and opens a home; everything else gets a `Journal` or `JournalReader` from it.

Every attempt has a current state and an append-only history of events. The journal knows
whether a request left:

    prepared ─▶ sent ─▶ approved | declined | pending | failed | unknown | not_sent
        │                                    (not_sent: the first send found no connection)
        └────▶ cancelled | not_sent          (never sent, by anyone, ever)
    unknown  ─▶ sent (claimed for a re-send with the same key) | approved | declined | pending
                | failed                      (settled by a bound answer, or by hand)
    pending  ─▶ approved | declined           (re-checked)

`prepared` is durable before anything else happens; `sent` is durable just before the request's
bytes leave. A home guarantees: every change is compare-and-set, so two senders can never both
send for one charge (`prepare` refuses a charge with an unresolved attempt) nor both claim one
re-send; recovery settles only attempts whose sender is gone; `verify()` finds edits behind the
app's back. `tests/support/journal_contract.py` is what every home must pass.

Blocking: every method does disk I/O (and may do network I/O): call them from a worker thread.
"""

from cashier_gui.journal.interface import Journal, JournalReader
from cashier_gui.journal.model import (
    COLUMNS,
    FINAL,
    IN_FLIGHT,
    MAX_TEXT,
    UNRESOLVED,
    Attempt,
    ChargeBusy,
    JournalBusy,
    JournalError,
    Kind,
    NeedsManager,
    NewAttempt,
    Problem,
    RefundIdTaken,
    SignInNeeded,
    State,
    StateChanged,
    stamp,
    utcnow,
)

__all__ = [
    "COLUMNS",
    "FINAL",
    "IN_FLIGHT",
    "MAX_TEXT",
    "UNRESOLVED",
    "Attempt",
    "ChargeBusy",
    "Journal",
    "JournalBusy",
    "JournalError",
    "JournalReader",
    "Kind",
    "NeedsManager",
    "NewAttempt",
    "Problem",
    "RefundIdTaken",
    "SignInNeeded",
    "State",
    "StateChanged",
    "stamp",
    "utcnow",
]
