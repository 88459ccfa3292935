"""History with 100,000 rows: opens at once (lazy), searches, filters, totals, exports."""

from __future__ import annotations

import asyncio
import csv
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from cashier_gui.journal import Journal
from cashier_gui.ui.history import PAGE, HistoryDialog
from tests.support.bulk import fill

ROWS = 100_000


@pytest.fixture(scope="module")
def big_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "journal.sqlite3"
    fill(path, ROWS, days=60)
    return path


@pytest.fixture
def dialog(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, big_journal: Path) -> HistoryDialog:
    journal = Journal(big_journal)
    d = HistoryDialog(journal)
    qtbot.addWidget(d)
    d.since.setDate(QDate.currentDate().addDays(-61))
    d.show()
    journal.close()
    return d


def test_opens_lazily_with_100k_rows(dialog: HistoryDialog) -> None:
    assert dialog.model.total == ROWS
    assert dialog.model.rowCount() == PAGE
    assert "100,000 matching" in dialog.summary.text()
    first = dialog.model.rows[0]
    assert first.charge_id == f"ch_bulk_{ROWS - 1:07d}"  # newest first


def test_scrolling_fetches_more(qtbot: QtBot, dialog: HistoryDialog) -> None:
    dialog.table.scrollToBottom()
    qtbot.waitUntil(lambda: dialog.model.rowCount() > PAGE, timeout=3000)
    assert dialog.model.rowCount() % PAGE == 0


def test_search_and_filters_are_indexed(dialog: HistoryDialog) -> None:
    started = time.perf_counter()
    dialog.search.setText("rf_bulk_0012348")
    assert [a.charge_id for a in dialog.model.rows] == ["ch_bulk_0012348"]
    dialog.search.setText("REF-0000017")
    assert [a.state for a in dialog.model.rows] == ["unknown"]
    dialog.search.clear()
    dialog.state.setCurrentIndex(dialog.state.findData("unknown"))
    assert dialog.model.total == ROWS // 18 + (1 if ROWS % 18 > 17 else 0)
    assert all(a.state == "unknown" for a in dialog.model.rows)
    elapsed = time.perf_counter() - started
    print(f"\nsearch + state filter over {ROWS:,} rows: {elapsed * 1000:.0f} ms")
    dialog.state.setCurrentIndex(0)
    dialog.since.setDate(QDate.currentDate().addDays(-10))
    assert 0 < dialog.model.total < ROWS


def test_totals_for_today(dialog: HistoryDialog) -> None:
    assert "approved today:" in dialog.summary.text()


def test_export_csv(qtbot: QtBot, dialog: HistoryDialog, tmp_path: Path) -> None:
    dialog.state.setCurrentIndex(dialog.state.findData("failed"))
    target = tmp_path / "failed.csv"
    dialog.export(str(target))
    qtbot.waitUntil(lambda: "Exported" in dialog.summary.text(), timeout=20_000)
    with open(target, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == dialog.model.total and all(r["state"] == "failed" for r in rows)


def test_export_to_an_unwritable_place_says_so(
    qtbot: QtBot, dialog: HistoryDialog, tmp_path: Path
) -> None:
    dialog.export(str(tmp_path / "missing-folder" / "x.csv"))
    qtbot.waitUntil(lambda: "Could not write" in dialog.summary.text(), timeout=5000)
