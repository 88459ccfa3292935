"""The window's end-of-shift report on a counter in a shop: every counter's figures read from
the real PostgreSQL (off the GUI thread), one counter chosen, and the shop server away said on
the report and beside it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from cashier_gui.config import Settings, ShopServerSettings
from cashier_gui.journal import State
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.runtime import JournalHome
from cashier_gui.ui.printing import Printing
from cashier_gui.ui.report_dialog import ReportDialog
from tests.shop.test_shop_import import made
from tests.support.pg import PgServer


def test_the_windows_report_is_the_shops(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    shop_url: str,
    pg_running: PgServer,
) -> None:
    homes = {}
    for name, minor in (("Till 1", 1250), ("Till 2", 700)):
        path = tmp_path / name.replace(" ", "_") / "journal.sqlite3"
        with SqliteJournal(path, counter=name) as j:
            made(j, f"ch_{minor}", minor, State.SENT, State.APPROVED)
        homes[name] = JournalHome(path, name, ShopServerSettings(url=shop_url, counter=name))
        assert homes[name].import_to_shop().added == 1
    home = homes["Till 1"]
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = ReportDialog(
        home.reader,
        Settings(),
        Printing(parent, lambda: Settings()),
        read_shop=home.read_shop_period,
        parent=parent,
    )
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert dialog.report is not None and dialog.report.count == 2
    text = dialog.text.toPlainText()
    assert "every counter of the shop" in text and "Per counter" in text and "Till 2" in text
    assert [dialog.counter.itemData(i) for i in range(dialog.counter.count())] == [
        None,
        "Till 1",
        "Till 2",
    ]
    dialog.counter.setCurrentIndex(dialog.counter.findData("Till 2"))
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.counter == "Till 2")
    assert dialog.report.count == 1 and "Per counter" not in dialog.text.toPlainText()

    pg_running.stop()
    try:
        dialog.counter.setCurrentIndex(0)
        qtbot.waitUntil(
            lambda: dialog.report is not None and dialog.report.shop_problem is not None,
            timeout=15_000,
        )
        assert "NOT THE SHOP'S FIGURES" in dialog.text.toPlainText()
        paper = " ".join(dialog.text.toPlainText().split())
        assert "(it cannot be reached)." in paper and "nothing was sent" not in paper
        assert "could not be read" in dialog.error.text.text()
    finally:
        pg_running.start()
    dialog.reject()
