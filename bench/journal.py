"""Journal: write latency (prepare → synced, and prepare + outcome), history open and filter
with 100,000 rows, and memory with 100,000 rows.

    QT_QPA_PLATFORM=offscreen python bench/journal.py
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cashier_gui.journal import NewAttempt, State
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.money import Money
from tests.support.bulk import fill


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def writes(folder: Path, n: int = 300) -> None:
    j = SqliteJournal(folder / "writes.sqlite3")
    prep, sent, both = [], [], []
    for i in range(n):
        t0 = time.perf_counter()
        a = j.prepare(
            NewAttempt(
                provider="viopay",
                terminal="T",
                charge_id=f"ch_{i}",
                amount=Money(100, "EUR"),
                reason=None,
                note=None,
                transaction_reference=f"R{i}",
                key=f"K{i}",
                operator="o",
            )
        )
        t1 = time.perf_counter()
        j.send_or_cancel(a.key, lambda: False)
        t2 = time.perf_counter()
        j.transition(a.key, State.APPROVED, expect=State.SENT, refund_id=f"rf_{i}")
        t3 = time.perf_counter()
        prep.append((t1 - t0) * 1000)
        sent.append((t2 - t0) * 1000)
        both.append((t3 - t0) * 1000)
    j.close()
    for name, xs in (
        ("prepare (synced)", prep),
        ("prepare + sent (before the request leaves)", sent),
        ("prepare + sent + outcome", both),
    ):
        xs.sort()
        print(
            f"journal write, {name}: p50 {statistics.median(xs):.2f} ms, "
            f"p99 {xs[int(len(xs) * 0.99)]:.2f} ms  ({n} refunds, WAL, synchronous=FULL)"
        )


def history(folder: Path, rows: int = 100_000) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    path = folder / "big.sqlite3"
    t0 = time.perf_counter()
    fill(path, rows)
    print(
        f"filled {rows:,} rows in {time.perf_counter() - t0:.1f} s "
        f"({path.stat().st_size / 2**20:.0f} MiB on disk)"
    )
    import asyncio

    import qasync
    from PySide6.QtWidgets import QApplication

    from cashier_gui.app import use_worker_threads_on_demand
    from cashier_gui.ui.history import HistoryDialog

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    use_worker_threads_on_demand(loop)  # as app.run does
    asyncio.set_event_loop(loop)
    before = rss_mib()

    async def until(done: Callable[[], bool]) -> float:
        t0 = time.perf_counter()
        while not done():
            await asyncio.sleep(0.0005)
        return time.perf_counter() - t0

    async def measure() -> None:
        t0 = time.perf_counter()
        dialog = HistoryDialog(lambda: SqliteJournal(path))
        dialog.show()
        await asyncio.sleep(0)  # one turn of the loop: the window is painted
        up = time.perf_counter() - t0  # the window is there; the rows come off the GUI thread
        await until(lambda: not dialog.model.loading)
        opened = time.perf_counter() - t0  # the first page is in the table

        await until(lambda: dialog.lists_loaded and not dialog.model.loading)
        lists = time.perf_counter() - t0

        def ready() -> bool:  # nothing left on the reader (today's totals come last)
            return (
                dialog.lists_loaded and not dialog.model.loading and dialog.today_totals is not None
            )

        await until(ready)
        totals = time.perf_counter() - t0
        dialog.search.setText("rf_bulk_0054000")
        search = await until(ready)
        dialog.search.clear()
        await until(ready)
        dialog.state.setCurrentIndex(dialog.state.findData("unknown"))
        state = await until(ready)
        rows_before = dialog.model.rowCount()
        dialog.table.scrollToBottom()
        scroll = await until(lambda: dialog.model.rowCount() > rows_before)
        print(
            f"history with {rows:,} rows: window up {up * 1000:.0f} ms, first page shown "
            f"{opened * 1000:.0f} ms, filter lists {lists * 1000:.0f} ms, today's totals {totals * 1000:.0f} ms, search by refund ID {search * 1000:.0f} ms, state filter "
            f"{state * 1000:.0f} ms ({dialog.model.total:,} rows), next page {scroll * 1000:.0f} ms"
        )
        print(
            f"memory: {rss_mib() - before:.0f} MiB more RSS with the dialog open "
            f"(process RSS {rss_mib():.0f} MiB, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)"
        )
        dialog.close()

    with loop:
        loop.run_until_complete(measure())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        writes(Path(tmp))
        history(Path(tmp))


if __name__ == "__main__":
    main()
