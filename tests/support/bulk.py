"""Fill a journal with many rows quickly (one transaction, no events): for history tests and
benchmarks. Rows are spread over the last `days` days, states mixed."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from cashier_gui.journal.sqlite import SqliteJournal

STATES = ["approved"] * 14 + ["declined", "failed", "pending", "unknown"]
CURRENCIES = ["EUR", "EUR", "EUR", "USD", "JPY", "KWD"]


def fill(path: Path, rows: int, days: int = 60) -> None:
    SqliteJournal(path).close()  # schema
    db = sqlite3.connect(path)
    now = dt.datetime.now(dt.UTC)
    step = dt.timedelta(days=days) / max(rows, 1)

    def row(i: int) -> tuple[object, ...]:
        stamp = (now - dt.timedelta(days=days) + step * i).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        state = STATES[i % len(STATES)]
        return (
            "viopay",
            "TERM-001",
            f"ch_bulk_{i:07d}",
            100 + i % 9000,
            CURRENCIES[i % 6],
            "customer_request",
            None,
            f"REF-{i:07d}",
            f"key-{i:07d}",
            "anna",
            0,
            state,
            f"rf_bulk_{i:07d}" if state in ("approved", "pending", "declined") else None,
            stamp,
            stamp,
        )

    db.executemany(
        "INSERT INTO attempts (provider, terminal, charge_id, amount_minor, currency, reason, "
        "note, transaction_reference, idempotency_key, operator, training, state, refund_id, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row(i) for i in range(rows)),
    )
    db.commit()
    db.close()
