"""The end-of-shift report of a busy day: 5,000 refunds today among 100,000 rows (60 days), read
and laid out as the report window does it (build_report on a reader, then its lines).

    python bench/report.py [runs]

Goal: ≤ 200 ms. Runs on the reader thread in the window: this is how long the cashier waits
for the report, not a stall.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.paper.report import build_report, day_bounds
from tests.support.bulk import fill


def today_rows(path: Path, rows: int) -> None:
    """`rows` more attempts spread over today so far (the bulk fill's columns, new keys)."""
    db = sqlite3.connect(path)
    now = dt.datetime.now().astimezone()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    step = (now - start) / (rows + 1)
    states = ["approved"] * 14 + ["declined", "failed", "pending", "unknown"]
    currencies = ["EUR", "EUR", "EUR", "USD", "JPY", "KWD"]
    data = []
    for i in range(rows):
        stamp = (start + step * (i + 1)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        state = states[i % len(states)]
        data.append(
            ("viopay", "TERM-001", f"ch_day_{i:06d}", 100 + i % 9000, currencies[i % 6],
             "customer_request", None, f"DAY-{i:06d}", f"day-{i:06d}", ("anna", "ben")[i % 2],
             0, state, f"rf_day_{i:06d}" if state in ("approved", "pending", "declined") else None,
             stamp, stamp)
        )  # fmt: skip
    db.executemany(
        "INSERT INTO attempts (provider, terminal, charge_id, amount_minor, currency, reason, "
        "note, transaction_reference, idempotency_key, operator, training, state, refund_id, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        data,
    )
    db.commit()
    db.close()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "day.sqlite3"
        fill(path, 100_000, days=60)
        today_rows(path, 5_000)
        since, until = day_bounds(dt.date.today())
        reader = SqliteJournal(path)
        build, lay, total = [], [], []
        count = 0
        for _ in range(runs + 1):
            t0 = time.perf_counter()
            report = build_report(reader, since=since, until=until, title="bench")
            t1 = time.perf_counter()
            lines = report.lines(42, "de_DE")
            t2 = time.perf_counter()
            build.append((t1 - t0) * 1000)
            lay.append((t2 - t1) * 1000)
            total.append((t2 - t0) * 1000)
            count = report.count
        reader.close()
    del build[0], lay[0], total[0]  # the first run warms the page cache
    print(
        f"end-of-shift report, {count:,} attempts today among 105,000 rows, median of {runs} "
        f"(load average {os.getloadavg()[0]:.1f}): {statistics.median(total):.0f} ms "
        f"(read and count {statistics.median(build):.0f} ms, {len(lines)} lines laid out "
        f"{statistics.median(lay):.1f} ms), slowest {max(total):.0f} ms"
    )


if __name__ == "__main__":
    main()
