"""The SQLite home's file format: migrations (schema versions 1 → SCHEMA_VERSION), the columns of
`attempts`, and the event hash. A journal written by a newer version is refused, never
rewritten."""

from __future__ import annotations

import hashlib

from cashier_gui.journal.model import COLUMNS

SCHEMA_VERSION = 8
GENESIS = "0" * 64

MIGRATIONS: dict[int, str] = {
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
    # 5: the card the sale was paid with (brand, last 4 digits), from the charge's look-up:
    # the receipt prints it and History finds a sale by it. NULL when the back end did not say.
    5: """
    ALTER TABLE attempts ADD COLUMN card_brand TEXT;
    ALTER TABLE attempts ADD COLUMN card_last4 TEXT;
    CREATE INDEX attempts_card ON attempts(card_last4);
    """,
    # 6: which counter (till) made the attempt, so one journal can hold a shop's attempts and
    # "unknown at till 1" can be told from "unknown here". NULL: this PC, before schema 6.
    6: """
    ALTER TABLE attempts ADD COLUMN counter TEXT;
    CREATE INDEX attempts_counter ON attempts(counter);
    """,
    # 7: for a counter in a shop — the state the shop server holds for each attempt (NULL: the
    # server does not know it). Where it differs, an outcome waits to be pushed (the outbox).
    7: """
    ALTER TABLE attempts ADD COLUMN shop_state TEXT;
    CREATE INDEX attempts_outbox ON attempts(id)
        WHERE shop_state IS NOT NULL AND shop_state != state;
    """,
    # 8: where each attempt's request went, and the fingerprint of the guarded settings it was
    # made under (both in its first, hash-chained event). NULL: made before schema 8.
    8: """
    ALTER TABLE attempts ADD COLUMN endpoint TEXT;
    ALTER TABLE attempts ADD COLUMN policy TEXT;
    """,
}

#: What an attempt's events replay (verify): every column but its row ID and timestamps.
TRACKED = [c for c in COLUMNS if c not in ("id", "created_at", "updated_at")]


def event_hash(prev: str, attempt_id: int, at: str, payload: str) -> str:
    return hashlib.sha256(f"{prev}\n{attempt_id}\n{at}\n{payload}".encode()).hexdigest()


def split_sql(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
