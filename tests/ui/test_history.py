"""History with 100,000 rows: opens at once (lazy), searches, filters, totals, exports."""

from __future__ import annotations

import asyncio
import csv
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from cashier_gui.journal import Journal, NewAttempt
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.ui.history import COLUMNS, PAGE, HistoryDialog, _utc_bound
from tests.support.bulk import fill

ROWS = 100_000


@pytest.fixture(scope="module")
def big_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "journal.sqlite3"
    fill(path, ROWS, days=60)
    return path


def loaded(qtbot: QtBot, d: HistoryDialog) -> HistoryDialog:
    """Wait until the dialog's reads (off the GUI thread) have landed."""
    qtbot.waitUntil(
        lambda: d.lists_loaded and not d.model.loading and "Reading" not in d.summary.text(),
        timeout=10_000,
    )
    return d


def shown(qtbot: QtBot, path: Path, days: int | None = None) -> HistoryDialog:
    d = HistoryDialog(lambda: SqliteJournal(path))
    qtbot.addWidget(d)
    if days is not None:
        d.since.setDate(QDate.currentDate().addDays(-days))
    d.show()
    return loaded(qtbot, d)


@pytest.fixture
def dialog(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, big_journal: Path) -> HistoryDialog:
    return shown(qtbot, big_journal, days=61)


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


def test_search_and_filters_are_indexed(qtbot: QtBot, dialog: HistoryDialog) -> None:
    started = time.perf_counter()
    dialog.search.setText("rf_bulk_0012348")
    loaded(qtbot, dialog)
    assert [a.charge_id for a in dialog.model.rows] == ["ch_bulk_0012348"]
    dialog.search.setText("REF-0000017")
    loaded(qtbot, dialog)
    assert [a.state for a in dialog.model.rows] == ["unknown"]
    dialog.search.clear()
    loaded(qtbot, dialog)
    dialog.state.setCurrentIndex(dialog.state.findData("unknown"))
    loaded(qtbot, dialog)
    assert dialog.model.total == ROWS // 18 + (1 if ROWS % 18 > 17 else 0)
    assert all(a.state == "unknown" for a in dialog.model.rows)
    elapsed = time.perf_counter() - started
    print(f"\nsearch + state filter over {ROWS:,} rows: {elapsed * 1000:.0f} ms")
    dialog.state.setCurrentIndex(0)
    loaded(qtbot, dialog)
    dialog.since.setDate(QDate.currentDate().addDays(-10))
    loaded(qtbot, dialog)
    assert 0 < dialog.model.total < ROWS


def test_totals_for_today(qtbot: QtBot, dialog: HistoryDialog) -> None:
    """Today's totals are read after the first page and said once known — never "none" while
    they are still being counted."""
    if dialog.today_totals is None:
        assert "today" not in dialog.summary.text()
    qtbot.waitUntil(lambda: "today: refunded" in dialog.summary.text(), timeout=8000)
    assert dialog.today_totals is not None


def test_todays_totals_are_the_end_of_shift_reports(qtbot: QtBot, window: Any) -> None:
    """Issue 26: History said "approved today €136.39" with a €24.50 void in it, while the
    report lists refunded and voided apart. One rule now: the report's."""
    from tests.ui.test_counter import TODAY, A, look_up

    p = window.panel
    look_up(qtbot, window, TODAY)
    p.void_button.click()
    p.confirm_button.click()
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    look_up(qtbot, window, A)
    p.partial_radio.setChecked(True)
    p.amount_edit.setText("5")
    p.action_button.click()
    p.confirm_button.click()
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    window.open_history()
    history = window.findChild(HistoryDialog)
    assert isinstance(history, HistoryDialog)
    # "voided none" may show first, while the totals are still being read (a busy machine)
    qtbot.waitUntil(lambda: "voided €" in history.summary.text(), timeout=8000)
    text = history.summary.text()
    assert "refunded €5.00" in text and "voided €24.50" in text, text
    # One set of state words: the void's row reads "voided" as the charge card and the report
    # say it, the refund's "approved".
    qtbot.waitUntil(lambda: history.model.rowCount() == 2, timeout=5000)
    col = COLUMNS.index("State")
    states = {
        history.model.rows[r].kind.value: history.model.index(r, col).data()
        for r in range(history.model.rowCount())
    }
    assert states["void"].startswith("voided") and states["refund"].startswith("approved"), states
    history.reject()


def test_export_csv(qtbot: QtBot, dialog: HistoryDialog, tmp_path: Path) -> None:
    dialog.state.setCurrentIndex(dialog.state.findData("failed"))
    loaded(qtbot, dialog)
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


def _attempt(
    journal: Journal,
    charge: str,
    minor: int,
    currency: str,
    operator: str,
    reason: str | None,
    last4: str | None = None,
) -> None:
    from cashier_gui.journal import State
    from cashier_gui.money import Money

    a = journal.prepare(
        NewAttempt(
            provider="viopay",
            terminal="T-1",
            charge_id=charge,
            amount=Money(minor, currency),
            reason=reason,
            note=None,
            transaction_reference=f"REF-{charge}",
            key=f"K-{charge}",
            operator=operator,
            card_brand="VISA" if last4 else None,
            card_last4=last4,
        )
    )
    journal.send_or_cancel(a.key, lambda: False)
    journal.transition(a.key, State.APPROVED, expect=State.SENT, refund_id=f"rf_{charge}")


@pytest.fixture
def small(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> HistoryDialog:
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    _attempt(journal, "ch_a", 1550, "EUR", "Ana", "customer_request", "4242")
    _attempt(journal, "ch_b", 1550, "JPY", "Ben", None, "1550")
    _attempt(journal, "ch_c", 155, "EUR", "Ben", "duplicate_charge")
    journal.close()
    return shown(qtbot, tmp_path / "journal.sqlite3")


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("15,50", ["ch_a"]),  # the German way: €15.50 (JPY has no decimals: not ¥1550)
        ("15.50", ["ch_a"]),
        ("1550", ["ch_b"]),  # ¥1550 (its card ends 1550 too); €1550.00 does not exist
        ("4242", ["ch_a"]),  # the card's last 4 digits: a sale found without the receipt
        ("1.55", ["ch_c"]),
        ("15.5", ["ch_a"]),
        ("99", []),
        ("ch_b", ["ch_b"]),  # IDs still match exactly
        ("rf_ch_c", ["ch_c"]),
    ],
)
def test_search_by_amount_as_the_cashier_types_it(
    qtbot: QtBot, small: HistoryDialog, typed: str, found: list[str]
) -> None:
    small.search.setText(typed)
    loaded(qtbot, small)
    assert sorted(a.charge_id for a in small.model.rows) == found


def test_filter_by_operator_and_human_labels(qtbot: QtBot, small: HistoryDialog) -> None:
    names = [small.operator.itemText(i) for i in range(small.operator.count())]
    assert names == ["Everyone", "Ana", "Ben"]
    small.operator.setCurrentIndex(small.operator.findData("Ben"))
    loaded(qtbot, small)
    assert sorted(a.charge_id for a in small.model.rows) == ["ch_b", "ch_c"]
    small.operator.setCurrentIndex(0)
    loaded(qtbot, small)
    reasons = {
        small.model.index(r, COLUMNS.index("Reason")).data() for r in range(small.model.rowCount())
    }
    assert reasons == {"Customer request", "Duplicate charge", ""}, reasons


def test_choosing_a_row_shows_its_details_at_once(qtbot: QtBot, small: HistoryDialog) -> None:
    """A click or the arrows: the details pane below the table (issue 26: double-click only,
    and nothing said so); before any choice it says what it is for."""
    small.search.setText("ch_a")
    loaded(qtbot, small)
    assert "Choose a refund attempt" in small.detail.text()
    small.table.setFocus()
    small.table.setCurrentIndex(small.model.index(0, 0))
    text = small.detail.text()
    assert "ch_a" in text and "rf_ch_a" in text and "Made by Ana" in text
    assert "€15.50" in text and "Customer request" in text
    small.search.setText("")  # a new search: what no longer matches is gone
    loaded(qtbot, small)
    assert "Choose a refund attempt" in small.detail.text()
    # The keyboard alone: ↓ from the search field chooses the first row, its details show.
    small.search.setFocus()
    QTest.keyClick(small.search, Qt.Key.Key_Down)
    assert small.table.hasFocus() and small.table.currentIndex().row() == 0
    assert small.model.rows[0].charge_id in small.detail.text()


def test_the_count_reads_as_a_sentence(qtbot: QtBot, small: HistoryDialog) -> None:
    small.search.setText("ch_a")
    loaded(qtbot, small)
    assert small.summary.text().startswith("1 matching refund attempt ·"), small.summary.text()


def test_a_shops_history_filters_by_counter(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    from cashier_gui.journal import Attempt, State

    path = tmp_path / "journal.sqlite3"
    journal = SqliteJournal(path, counter="Till 1")
    _attempt(journal, "ch_mine", 1550, "EUR", "Ana", None)
    journal.mirror(  # another counter's refund, as the shop server reported it
        Attempt(
            id=0, provider="viopay", terminal="T2", charge_id="ch_theirs", amount_minor=990,
            currency="EUR", reason=None, note=None, transaction_reference="R-theirs",
            idempotency_key="00000000-0000-4000-8000-000000000002", operator="Ben",
            training=False, state=State.APPROVED, refund_id="rf_theirs", error_code=None,
            error_message=None, trace_id=None, created_at=_utc_bound(QDate.currentDate()),
            updated_at=_utc_bound(QDate.currentDate()), counter="Till 2",
        )
    )  # fmt: skip
    journal.close()
    d = HistoryDialog(lambda: SqliteJournal(path, counter="Till 1"))
    qtbot.addWidget(d)
    d.show()
    loaded(qtbot, d)
    assert d.counter.isVisible() and d.model.total == 2
    d.counter.setCurrentIndex(d.counter.findData("Till 2"))
    loaded(qtbot, d)
    assert [a.charge_id for a in d.model.rows] == ["ch_theirs"]
    d.table.setCurrentIndex(d.model.index(0, 0))
    d.show_detail(d.model.index(0, 0))
    assert "(Till 2)" in d.detail.text() and "Ben" in d.detail.text()


def test_columns_are_as_wide_as_what_they_show(qtbot: QtBot, small: HistoryDialog) -> None:
    loaded(qtbot, small)
    table, model = small.table, small.model
    for col in range(model.columnCount() - 1):
        header = str(model.headerData(col, Qt.Orientation.Horizontal))
        widths = [table.fontMetrics().horizontalAdvance(header)]
        widths += [
            table.fontMetrics().horizontalAdvance(str(model.index(r, col).data() or ""))
            for r in range(model.rowCount())
        ]
        assert table.columnWidth(col) >= min(max(widths), 300), (header, table.columnWidth(col))


def _as_qt_shows_a_tooltip(tip: str) -> str:
    """What a person reads: QToolTip treats text as rich when Qt.mightBeRichText says so."""
    from PySide6.QtGui import Qt as QtGui_Qt
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    if QtGui_Qt.mightBeRichText(tip):
        doc.setHtml(tip)
    else:
        doc.setPlainText(tip)
    return doc.toPlainText()


def test_a_notes_and_a_servers_words_are_shown_literally_in_the_tooltip(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    from cashier_gui.journal import State
    from cashier_gui.money import Money

    note = '<h1 style="color:red">Resolved: NOT refunded</h1>'
    server = "<b>Declined</b> <img src='http://127.0.0.1:9/x.png'> & <i>more</i>"
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    a = journal.prepare(
        NewAttempt(
            provider="viopay",
            terminal="T-1",
            charge_id="ch_html",
            amount=Money(500, "EUR"),
            reason=None,
            note=note,
            transaction_reference="REF-html",
            key="K-html",
            operator="Ana",
        )
    )
    journal.send_or_cancel(a.key, lambda: False)
    journal.transition(a.key, State.FAILED, expect=State.SENT, error_message=server)
    journal.close()
    d = shown(qtbot, tmp_path / "journal.sqlite3")
    tip = d.model.data(d.model.index(0, 3), Qt.ItemDataRole.ToolTipRole)
    assert isinstance(tip, str)
    assert _as_qt_shows_a_tooltip(tip).splitlines() == [server, note]
