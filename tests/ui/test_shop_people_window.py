"""The window of a counter in a shop signs people in, and People… changes them, on the shop
server — people added at another counter (a real `cashier-refund` process) sign in here at
once; a person added here is at the other counter at once; the PC's own operators file is not
read. Real PostgreSQL, real Viopay simulator, real key events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from cashier_gui.config import Paths
from cashier_gui.operators import OperatorStore, Role
from cashier_gui.runtime import Runtime
from cashier_gui.ui.main_window import MainWindow
from cashier_gui.ui.people import PeopleDialog
from tests.support import cli as support_cli
from tests.ui.test_refund_window import look_up, refund
from tests.ui.test_shop_window import sim, till1, till2  # noqa: F401 (fixtures)

BOSS_PIN, CY_PIN = "2468", "1357"
REFUND = ("refund", "ch_train_eur_4990", "--amount", "1", "--yes")


@pytest.fixture
def staffed(till2: dict[str, str]) -> dict[str, str]:  # noqa: F811
    """Boss (manager) and Cy (cashier), added at Till 2."""
    for args, stdin in (
        (("operator", "add", "Boss", "--role", "manager"), f"{BOSS_PIN}\n{BOSS_PIN}\n"),
        (
            ("operator", "add", "Cy", "--role", "cashier", "--manager", "Boss"),
            f"{BOSS_PIN}\n{CY_PIN}\n{CY_PIN}\n",
        ),
    ):
        done = support_cli.run_cli(till2, *args, stdin=stdin)
        assert done.returncode == 0, done.stdout + done.stderr
    return till2


@pytest.fixture
def window(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    till1: Callable[[bool, str], Runtime],  # noqa: F811
    staffed: dict[str, str],
) -> Iterator[MainWindow]:
    # A forged local file on this PC: Cy a manager. It must not matter in a shop.
    OperatorStore(Paths.default().operators).add("Cy", Role.MANAGER, CY_PIN)
    w = MainWindow(till1, training=False)
    qtbot.addWidget(w)
    w.resize(1024, 768)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.runtime is not None, timeout=15_000)
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.session.page, timeout=5000)
    yield w
    closing = asyncio.ensure_future(w.shutdown())
    qtbot.waitUntil(closing.done, timeout=20_000)


def sign_in(qtbot: QtBot, w: MainWindow, first_letter: str, pin: str) -> None:
    pad = w.session.page.pad
    qtbot.waitUntil(lambda: pad.names.count() >= 2, timeout=5000)
    QTest.keyClicks(pad.pin, first_letter)
    qtbot.waitUntil(pad.pin.hasFocus, timeout=3000)
    QTest.keyClicks(pad.pin, pin, delay=70)
    QTest.keyClick(pad.pin, Qt.Key.Key_Return)


def test_people_of_the_shop_sign_in_and_are_managed_from_the_window(
    qtbot: QtBot, window: MainWindow, staffed: dict[str, str], shop_url: Any
) -> None:
    pad = window.session.page.pad
    qtbot.waitUntil(lambda: pad.names.count() == 2, timeout=5000)
    # Cy is a cashier on the shop server, whatever this PC's file says.
    sign_in(qtbot, window, "c", CY_PIN)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.panel_scroll, timeout=5000)
    assert window.session.operator is not None
    assert window.session.operator.name == "Cy" and not window.session.operator.is_manager
    # Signed in at the shop: a session, its token in memory only; the claim proves Cy with it.
    token = window.session.operator.session
    assert token and token not in repr(window.session.operator)
    look_up(qtbot, window, "ch_train_eur_4990")
    refund(qtbot, window, "1")
    assert window.panel.result_title.text().startswith("Refund approved")

    def sessions() -> list[tuple[Any, ...]]:
        with psycopg.connect(shop_url) as owner:
            return owner.execute(
                "SELECT person, counter, ended_at IS NOT NULL FROM shop_sessions"
            ).fetchall()

    with psycopg.connect(shop_url) as owner:
        assert owner.execute("SELECT operator, counter FROM attempts").fetchall() == [
            ("Cy", "Till 1")
        ]
    assert sessions() == [("Cy", "Till 1", False)]
    window.sign_out()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.session.page, timeout=5000)
    qtbot.waitUntil(lambda: sessions() == [("Cy", "Till 1", True)], timeout=5000)
    # A session ended behind the window's back (here: by hand on the server) sends nothing:
    # the window says why and signs out, so Cy signs in again.
    sign_in(qtbot, window, "c", CY_PIN)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.panel_scroll, timeout=5000)
    assert window.session.operator is not None
    with psycopg.connect(shop_url, autocommit=True) as owner:
        owner.execute("UPDATE shop_sessions SET expires_at = now() WHERE ended_at IS NULL")
    look_up(qtbot, window, "ch_train_eur_4990")
    p = window.panel
    p.amount_edit.setFocus()
    QTest.keyClicks(p.amount_edit, "1", delay=60)
    qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(p.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.session.page, timeout=8000)
    pad = window.session.page.pad
    qtbot.waitUntil(lambda: "Sign in again" in pad.error.text.text(), timeout=5000)
    assert "12 hours" in pad.error.text.text() and window.session.operator is None
    with psycopg.connect(shop_url) as owner:
        assert owner.execute("SELECT count(*) FROM attempts").fetchone() == (1,)
    sign_in(qtbot, window, "b", BOSS_PIN)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.panel_scroll, timeout=5000)
    window.open_people()
    qtbot.waitUntil(lambda: window.findChild(PeopleDialog) is not None, timeout=3000)
    d = window.findChild(PeopleDialog)
    assert isinstance(d, PeopleDialog)
    qtbot.waitUntil(lambda: d.list.count() == 2, timeout=5000)
    # The shop's people, not this counter's: a change here is a change at every counter.
    assert d.title.text() == "People of the shop"
    assert "every counter" in d.hint.text()
    d.add_button.click()
    d.name_edit.setText("Dee")
    d.pin_edit.setText("4444")
    d.pin_again.setText("4444")
    d.manager_pin.setText("0000")  # a wrong own PIN: the server refuses and counts it
    d.save()
    qtbot.waitUntil(lambda: "Wrong PIN for Boss" in d.error.text.text(), timeout=5000)
    d.manager_pin.setText(BOSS_PIN)
    d.pin_edit.setText("4444")
    d.pin_again.setText("4444")
    d.save()
    qtbot.waitUntil(lambda: d.list.count() == 3, timeout=5000)
    # Cy locked by wrong PINs at the other till; Unlock here lifts it for every till.
    for _try in range(3):
        support_cli.run_cli(staffed, *REFUND, "--operator", "Cy", stdin="0000\n")
    locked = support_cli.run_cli(staffed, *REFUND, "--operator", "Cy", stdin=f"{CY_PIN}\n")
    assert locked.returncode == 2 and "locked" in locked.stderr
    d.reload()  # the list says who is locked, as the shop server has it
    qtbot.waitUntil(lambda: "locked" in d.list.item(1).text(), timeout=5000)
    d.list.setCurrentRow(1)
    assert d.selected() == "Cy" and d.unlock_button.isEnabled()
    d.error.clear()  # "Saved." of the last change
    d.unlock_button.click()
    qtbot.waitUntil(lambda: "The lock on Cy is lifted." in d.error.text.text(), timeout=5000)
    d.reject()
    signed = support_cli.run_cli(staffed, *REFUND, "--operator", "Cy", stdin=f"{CY_PIN}\n")
    assert signed.returncode == 0, signed.stdout + signed.stderr
    # At the other counter at once.
    listed = support_cli.run_cli(staffed, "operator", "list")
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["Boss", "Cy", "Dee"]
    assert not (Path(staffed["CASHIER_GUI_HOME"]) / "operators.json").exists()


def test_a_sign_in_page_shown_while_the_shop_server_was_away_recovers_when_it_is_back(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    till1: Callable[[bool, str], Runtime],  # noqa: F811
    staffed: dict[str, str],
    pg_running: Any,
) -> None:
    """The window starts while the shop server is away: no names, and it says why. Once the
    server is back, Enter asks for the people again — the names appear and Cy signs in. (It
    said "Nobody to sign in: a manager adds people first." until the app was restarted.)"""
    pg_running.stop()
    w = MainWindow(till1, training=False)
    qtbot.addWidget(w)
    w.resize(1024, 768)
    w.show()
    try:
        w.start()
        qtbot.waitUntil(lambda: w.runtime is not None, timeout=15_000)
        pad = w.session.page.pad
        qtbot.waitUntil(lambda: "nobody can sign in" in pad.error.text.text(), timeout=15_000)
        assert pad.names.count() == 0
        pg_running.start()
        QTest.keyClicks(pad.pin, CY_PIN, delay=70)
        QTest.keyClick(pad.pin, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: pad.names.count() == 2, timeout=15_000)
        assert "Nobody to sign in" not in pad.error.text.text()
        assert "type your PIN again" in pad.error.text.text()
        sign_in(qtbot, w, "c", CY_PIN)
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.panel_scroll, timeout=10_000)
        assert w.session.operator is not None and w.session.operator.name == "Cy"
    finally:
        if not pg_running.running:
            pg_running.start()
        closing = asyncio.ensure_future(w.shutdown())
        qtbot.waitUntil(closing.done, timeout=20_000)
