"""This PC's home of the journal: one SQLite file (WAL, synchronous=FULL).

Every attempt is a row in `attempts` (its current state, for fast queries) and every change of
state a row in `events`, append-only. While an attempt is `prepared` or `sent` it names its
`owner` (an `OwnerLock` token): start-up recovery settles only attempts whose owner is gone, so
one process never settles another's live refund. Every change is compare-and-set inside
`BEGIN IMMEDIATE`, so two processes on one file can never both send for one charge.

Tamper evidence: each event carries `hash = SHA-256(prev_hash + canonical JSON of the event)`.
`verify()` walks the chain and finds an edited, inserted or deleted event, and an attempts row
that no longer agrees with its events. (Cutting events off the end is seen only against the
head hash kept in `meta`; someone who edits both is not caught — one PC's file proves integrity
against accidents and casual edits, not against the PC's administrator.)

Only the start-up code (`cashier_gui.runtime`) and the tests open one.
"""

from cashier_gui.journal.sqlite.store import SqliteJournal, start_afresh, this_pc

__all__ = ["SqliteJournal", "start_afresh", "this_pc"]
