"""Input routing (issue 26 item 1), driven by real key events at a scanner's and a person's
speed (5, 25 and 60 ms a key): a PIN on the approval card is never a scan (never looked up,
never in the charge field, a request, a log or a file); a badge reader (name, Tab, PIN, Enter)
approves; a scan is a scan whatever holds the keyboard — the menu bar after a tap of Alt or
after Alt+E, Esc, a form field, the reason list, the approval card's PIN field."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from cashier_gui.journal import State
from cashier_gui.operators import Operator, OperatorStore, Role
from cashier_gui.policy import Policy
from cashier_gui.ui.main_window import MainWindow
from cashier_gui.ui.refund.keys import is_secret
from tests.ui.running import rt
from tests.ui.test_counter import A, B, charge_of, look_up, to_confirm

SPEEDS = [5, 25, 60]  # ms a key: a scanner, a fast typist or badge, a person
PIN = "73914682"  # 8 digits: no timestamp or hash contains it by chance


class KeyClock:
    """The key feed's and the keypad's clock (their `time.monotonic`): while `typed` sends a
    burst, each key is stamped exactly `ms` after the one before — a loaded 2-core machine
    delays Qt's delivery but not the pace tested; between bursts it runs with real time."""

    def __init__(self) -> None:
        self.pinned: float | None = None
        self.offset = 0.0

    def monotonic(self) -> float:
        return self.pinned if self.pinned is not None else time.monotonic() + self.offset


CLOCK: KeyClock | None = None


@pytest.fixture(autouse=True)
def key_clock(monkeypatch: Any) -> Iterator[KeyClock]:
    from cashier_gui.ui import signin
    from cashier_gui.ui.refund import keys

    global CLOCK
    clock = CLOCK = KeyClock()
    monkeypatch.setattr(keys, "time", clock)
    monkeypatch.setattr(signin, "time", clock)
    yield clock
    CLOCK = None


def typed(target: QWidget, text: str, ms: int) -> None:
    """`text` then Enter, one key every `ms` milliseconds (Tab as a key of its own), each to
    the widget that has the focus then (as the keyboard does). With the `key_clock` fixture
    each key's time is exactly `ms` after the last; QTest's own `delay` waits before the press
    *and* the release: twice the time asked."""
    clock = CLOCK
    start = clock.monotonic() if clock is not None else 0.0
    last = start
    for i, ch in enumerate([*text, "\n"]):
        if clock is not None:
            clock.pinned = last = start + i * ms / 1000
        where = QApplication.focusWidget() or target
        if ch == "\t":
            QTest.keyClick(where, Qt.Key.Key_Tab)
        elif ch == "\n":
            QTest.keyClick(where, Qt.Key.Key_Return)
        else:
            QTest.keyClicks(where, ch)
        if ch != "\n":
            QTest.qWait(ms)
    if clock is not None:
        clock.pinned = None
        clock.offset = max(clock.offset, last - time.monotonic())


def recorded_lookups(w: MainWindow) -> list[str]:
    """Every charge ID the service is asked to look up from now on."""
    service = rt(w).service
    seen: list[str] = []
    real = service.lookup

    async def lookup(charge_id: str) -> Any:
        seen.append(charge_id)
        return await real(charge_id)

    service.lookup = lookup  # type: ignore[method-assign]
    return seen


def approval_card(qtbot: QtBot, w: MainWindow, tmp_path: Path, *managers: str) -> Any:
    """The confirm card of a €20.00 refund that needs a manager; `managers` (PIN `PIN` for
    the first, 2468 for the others) are on the card's list."""
    p = w.panel
    store = OperatorStore(tmp_path / "operators.json")
    for i, name in enumerate(managers):
        store.add(name, Role.MANAGER, PIN if i == 0 else "2468")
    store.add("Carl", Role.CASHIER, "1357")
    p.operators = store
    w.session._set(Operator("Carl", Role.CASHIER))
    rt(w).service.policy = Policy(approval_above={"EUR": 1000})
    to_confirm(qtbot, w, A, "20")
    cf = p.confirm_card
    qtbot.waitUntil(lambda: cf.approval.isVisible() and cf.pad.names.count() == len(managers))
    qtbot.wait(350)  # the confirm card's guard
    assert cf.pin_edit.hasFocus() and is_secret(cf.pin_edit)
    return cf


@pytest.mark.parametrize("ms", SPEEDS)
def test_a_pin_on_the_approval_card_is_never_a_scan(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, home: Path, caplog: Any, ms: int
) -> None:
    caplog.set_level(logging.DEBUG)
    p = window.panel
    cf = approval_card(qtbot, window, tmp_path, "Mia")
    lookups = recorded_lookups(window)
    seen_in_charge_field: list[str] = []
    p.charge_edit.textChanged.connect(seen_in_charge_field.append)
    typed(cf.pin_edit, PIN, ms)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.APPROVED and attempt.approver == "Mia"
    assert all(PIN not in charge for charge in lookups)
    assert all(PIN not in text for text in seen_in_charge_field)
    assert PIN not in p.charge_edit.text()
    assert all(PIN not in r.getMessage() for r in caplog.records)
    found = [str(f) for f in home.rglob("*") if f.is_file() and PIN.encode() in f.read_bytes()]
    assert found == []


def test_a_badge_reader_approves_with_name_tab_pin_enter(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """Two managers: the badge's name picks the right one, its Tab is not a focus change."""
    p = window.panel
    cf = approval_card(qtbot, window, tmp_path, "Mia", "Max")
    cf.pad.names.setCurrentRow(1 if cf.pad.names.item(0).text().startswith("Mia") else 0)
    assert cf.manager_name() == "Max"
    lookups = recorded_lookups(window)
    typed(cf.pin_edit, f"Mia\t{PIN}", 5)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    [attempt] = rt(window).service.journal.query()
    assert attempt.approver == "Mia" and lookups == []


@pytest.mark.parametrize("ms", [5, 25])
def test_a_scan_on_the_approval_card_is_a_new_charge_not_a_pin(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, ms: int
) -> None:
    p = window.panel
    cf = approval_card(qtbot, window, tmp_path, "Mia", "Max")
    before = cf.manager_name()
    QTest.keyClicks(cf.pin_edit, "12")  # half a PIN, typed by a person
    qtbot.wait(120)
    typed(cf.pin_edit, B, ms)
    qtbot.waitUntil(lambda: p.stage == "charge" and charge_of(p) == B, timeout=5000)
    assert rt(window).service.journal.count() == 0  # nothing approved, nothing sent
    assert cf.manager_name() == before  # the scan's letters did not pick another manager


@pytest.mark.parametrize("ms", SPEEDS)
@pytest.mark.parametrize("how", ["alt", "alt-e-esc"])
def test_a_scan_after_the_menu_bar_took_the_keyboard_is_looked_up(
    qtbot: QtBot, window: MainWindow, how: str, ms: int
) -> None:
    p = window.panel
    look_up(qtbot, window, A)
    p.amount_edit.setFocus()
    bar = window.menuBar()
    QTest.keyClick(p.amount_edit, Qt.Key.Key_Alt)  # a tap of Alt: the menu bar has the keys
    if how == "alt-e-esc":
        QTest.keyClick(bar, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=2000)
        popup = QApplication.activePopupWidget()
        assert popup is not None
        QTest.keyClick(popup, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=2000)
        # The platform gives the window back its activation (offscreen does not by itself).
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    assert bar.hasFocus()
    lookups = recorded_lookups(window)
    target = QApplication.focusWidget()
    assert target is bar
    # "ch_train_eur_partly": p, r, e, h, c … are all mnemonics of the menus.
    typed(bar, B, ms)
    if ms < 50:  # a scanner: the new charge is looked up
        qtbot.waitUntil(lambda: p.stage == "charge" and charge_of(p) == B, timeout=5000)
        assert lookups == [B]
        assert p.amount_edit.text() == ""  # the scan's characters are not left in the amount
    else:  # a person: the keys go where the focus was, as if Alt had not been tapped
        assert p.stage in ("charge", "confirm") and lookups == []
    assert QApplication.activePopupWidget() is None
    assert not bar.hasFocus()
    assert not [
        d for d in QApplication.topLevelWidgets() if isinstance(d, QDialog) and d.isVisible()
    ]
    assert window.session.operator is not None or window.runtime is not None  # not signed out
    assert window.stack.currentWidget() is window.panel_scroll


@pytest.mark.parametrize("ms", [5, 25])
@pytest.mark.parametrize("holder", ["amount", "note", "reason", "confirm"])
def test_a_scan_is_a_scan_whatever_holds_the_focus(
    qtbot: QtBot, window: MainWindow, holder: str, ms: int
) -> None:
    p = window.panel
    look_up(qtbot, window, A)
    widget: QWidget = {"amount": p.amount_edit, "note": p.note_edit, "reason": p.reason_combo}.get(
        holder, p.confirm_button
    )
    if holder == "confirm":
        p.amount_edit.setText("5")
        p.action_button.click()
        assert p.stage == "confirm"
    widget.setFocus()
    lookups = recorded_lookups(window)
    typed(widget, B, ms)
    qtbot.waitUntil(lambda: p.stage == "charge" and charge_of(p) == B, timeout=5000)
    assert lookups == [B] and rt(window).service.journal.count() == 0
    assert B not in p.note_edit.text() and B not in p.amount_edit.text()


def test_a_manager_approves_by_touch_alone(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """The approval card as sign-in: tap the name, tap the PIN's digits, tap OK — no key."""
    p = window.panel
    cf = approval_card(qtbot, window, tmp_path, "Mia", "Max")
    names = cf.pad.names
    assert names.isVisible()
    row = next(i for i in range(names.count()) if names.item(i).text().startswith("Mia"))
    rect = names.visualItemRect(names.item(row))
    qtbot.mouseClick(names.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert cf.manager_name() == "Mia"
    keys = {b.text(): b for b in cf.pad.keys}
    for digit in PIN:
        qtbot.mouseClick(keys[digit], Qt.MouseButton.LeftButton)
    assert cf.pin_edit.text() == PIN
    taps = 1 + len(PIN) + 1
    qtbot.mouseClick(keys["OK"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    [attempt] = rt(window).service.journal.query()
    assert attempt.approver == "Mia" and attempt.state is State.APPROVED
    assert taps == 10  # name, eight digits, OK
