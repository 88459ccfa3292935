"""People at the window: sign-in (keyboard only), wrong PIN and lockout, a scan at the sign-in
screen, Ctrl+L and idle sign-out, managers-only actions, the first manager from People…, and
the journal naming who refunded — against a real counter set-up (settings file, keyring, a
Viopay simulator on loopback), not training."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from cashier_gui.config import Paths, Settings, ViopaySettings, load_settings, save_settings
from cashier_gui.doors import seal
from cashier_gui.operators import OperatorError, OperatorStore, Role
from cashier_gui.runtime import Runtime, open_runtime
from cashier_gui.secrets import HMAC_SECRET, MSK, SecretStore
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from cashier_gui.ui.main_window import MainWindow
from cashier_gui.ui.people import PeopleDialog
from cashier_gui.ui.refund import flow as fl
from cashier_gui.ui.signin import ManagerDialog
from tests.ui.running import rt
from tests.ui.test_keys import key_clock  # noqa: F401 (autouse: keys `ms` apart, exactly)
from tests.ui.test_refund_window import look_up, refund

CHARGE = "ch_train_eur_4990"  # €49.90, captured, nothing refunded yet


@pytest.fixture
def counter(home: Path, memory_keyring: Any) -> Iterator[Callable[[bool, str], Runtime]]:
    """A real counter: settings saved, secrets in the keyring, the gateway a simulator."""
    server = ServerThread(vsim.ViopaySimulator().app).start()
    paths = Paths.default()
    save_settings(
        paths,
        Settings(
            provider="viopay",
            viopay=ViopaySettings(
                base_url=server.url,
                terminal_id=vsim.TRAINING_TERMINAL_ID,
                key_id=vsim.TRAINING_KEY_ID,
            ),
            idle_sign_out_minutes=1,
            test_counter=True,  # the simulator is on this PC
        ),
    )
    secrets = SecretStore()
    secrets.set(HMAC_SECRET, vsim.TRAINING_HMAC_SECRET)
    secrets.set(MSK, vsim.TRAINING_MSK_HEX)
    seal(load_settings(paths), secrets)  # as a manager's save does
    made: list[Runtime] = []

    def make(training: bool, provider: str) -> Runtime:
        rt = open_runtime(paths, training=training, training_provider=provider)
        made.append(rt)
        return rt

    yield make
    server.stop()


@pytest.fixture
def people(home: Path) -> OperatorStore:
    store = OperatorStore(Paths.default().operators)
    store.add("Mia", Role.MANAGER, "2468")
    store.add("Carl", Role.CASHIER, "1357")
    store.add("Bea", Role.CASHIER, "8642")
    return store


@contextlib.contextmanager
def opened(
    qtbot: QtBot, factory: Callable[[bool, str], Runtime], *, training: bool = False
) -> Iterator[MainWindow]:
    """The window, started with its runtime; shut down (runtime closed) afterwards."""
    w = MainWindow(factory, training=training)
    qtbot.addWidget(w)
    w.show()
    w.start()
    try:
        qtbot.waitUntil(lambda: w.runtime is not None, timeout=10_000)
        yield w
    finally:
        closing = asyncio.ensure_future(w.shutdown())
        qtbot.waitUntil(closing.done, timeout=10_000)


@pytest.fixture
def window(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, counter: Any, people: OperatorStore
) -> Iterator[MainWindow]:
    with opened(qtbot, counter) as w:
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.session.page, timeout=5000)
        yield w


def type_pin(qtbot: QtBot, field: QLineEdit, pin: str) -> None:
    """A person's pace (a scanner types faster than 50 ms a key), then Enter."""
    qtbot.waitUntil(field.hasFocus, timeout=3000)
    QTest.keyClicks(field, pin, delay=70)
    QTest.keyClick(field, Qt.Key.Key_Return)


def sign_in(qtbot: QtBot, w: MainWindow, first_letter: str, pin: str) -> None:
    pad = w.session.page.pad
    qtbot.waitUntil(lambda: pad.names.count() == 3, timeout=3000)
    QTest.keyClicks(pad.pin, first_letter)  # letters pick the name, from the PIN field
    type_pin(qtbot, pad.pin, pin)
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.panel_scroll, timeout=3000)


def test_the_refund_screen_is_behind_a_sign_in(qtbot: QtBot, window: MainWindow) -> None:
    page = window.session.page
    pad = page.pad
    qtbot.waitUntil(lambda: pad.names.count() == 3, timeout=3000)
    assert window.session.operator is None and not window.session.name_label.isVisible()
    assert [pad.names.item(i).text() for i in range(3)] == ["Mia — manager", "Carl", "Bea"]
    assert not window.panel.isVisible()
    # Keyboard only: "c" picks Carl from the PIN field, ↓ moves on, ↑ comes back.
    QTest.keyClicks(pad.pin, "c")
    assert pad.name() == "Carl" and pad.pin.text() == "" and pad.who.text() == "PIN for Carl:"
    QTest.keyClick(pad.pin, Qt.Key.Key_Down)
    assert pad.name() == "Bea"
    QTest.keyClick(pad.pin, Qt.Key.Key_Up)
    assert pad.name() == "Carl" and pad.pin.hasFocus()
    QTest.keyClick(pad.pin, Qt.Key.Key_Return)  # no PIN yet
    assert "Type your PIN" in pad.error.text.text()
    # The on-screen keypad types into the field and never takes the focus.
    for digit in "135":
        next(b for b in pad.keys if b.text() == digit).click()
    assert pad.pin.text() == "135" and pad.pin.hasFocus()
    next(b for b in pad.keys if b.text() == "⌫").click()
    assert pad.pin.text() == "13"
    pad.pin.clear()
    type_pin(qtbot, pad.pin, "1357")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.panel_scroll, timeout=3000)
    assert window.session.operator is not None and window.session.operator.name == "Carl"
    assert window.session.name_label.isVisible() and "Carl" in window.session.name_label.text()
    assert window.panel.charge_edit.hasFocus()

    # Carl's refund names Carl in the journal (the OS user stays the machine account).
    look_up(qtbot, window, CHARGE)
    refund(qtbot, window, "5")
    [attempt] = rt(window).service.journal.query()
    assert attempt.operator == "Carl"
    with sqlite3.connect(Paths.default().journal) as db:
        rows = db.execute("SELECT data FROM events WHERE attempt_id = ?", (attempt.id,))
        actors = [json.loads(data).get("actor") for (data,) in rows]
    assert len(actors) >= 3 and set(actors) == {"Carl"}  # prepared, sent, outcome


def test_wrong_pins_lock_the_person_and_say_so(
    qtbot: QtBot, window: MainWindow, people: OperatorStore
) -> None:
    pad = window.session.page.pad
    qtbot.waitUntil(lambda: pad.names.count() == 3, timeout=3000)
    QTest.keyClicks(pad.pin, "b")
    type_pin(qtbot, pad.pin, "0000")
    qtbot.waitUntil(lambda: "2 more tries" in pad.error.text.text(), timeout=3000)
    assert pad.pin.text() == ""  # cleared after every try
    type_pin(qtbot, pad.pin, "1111")
    qtbot.waitUntil(lambda: "1 more try" in pad.error.text.text(), timeout=3000)
    type_pin(qtbot, pad.pin, "2222")
    qtbot.waitUntil(lambda: "locked for a minute" in pad.error.text.text(), timeout=3000)
    type_pin(qtbot, pad.pin, "8642")  # the right PIN, but locked
    qtbot.waitUntil(lambda: "is locked" in pad.error.text.text(), timeout=3000)
    assert window.session.operator is None and not window.panel.isVisible()
    assert people.locked_until("Bea") is not None
    # Someone else signs in meanwhile.
    QTest.keyClicks(pad.pin, "m")
    type_pin(qtbot, pad.pin, "2468")
    qtbot.waitUntil(lambda: window.session.operator is not None, timeout=3000)
    signed = window.session.operator
    assert signed is not None and signed.name == "Mia"


def test_a_scan_at_the_sign_in_screen_is_not_a_pin_and_is_looked_up_after(
    qtbot: QtBot, window: MainWindow, people: OperatorStore
) -> None:
    page = window.session.page
    pad = page.pad
    qtbot.waitUntil(lambda: pad.names.count() == 3, timeout=3000)
    QTest.keyClicks(pad.pin, "c")
    qtbot.wait(80)
    QTest.keyClicks(pad.pin, CHARGE)  # a scanner: all at once, then Enter
    QTest.keyClick(pad.pin, Qt.Key.Key_Return)
    assert page.held_scan == CHARGE and CHARGE in page.scan_note.text.text()
    assert pad.pin.text() == "" and not pad.error.isVisible()
    qtbot.wait(150)
    assert window.session.operator is None
    # Nothing counted against Carl: three wrong tries are still three away.
    with OperatorStore(Paths.default().operators)._locked() as records:
        assert records["carl"].failures == 0
    type_pin(qtbot, pad.pin, "1357")
    qtbot.waitUntil(lambda: window.panel.stage == "charge", timeout=5000)
    assert window.panel.view is not None and window.panel.view.charge_id == CHARGE


def test_ctrl_l_and_idle_sign_out(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window, "c", "1357")
    panel = window.panel
    panel.charge_edit.setText(CHARGE)
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.session.page, timeout=3000)
    assert window.session.operator is None and not window.session.name_label.isVisible()
    # Nobody to sign out when idle: the window's events no longer pass the session's filter.
    assert not window.session.idle.isActive() and not window.session._watching
    assert panel.charge_edit.text() == ""  # nothing of Carl's refund stays for the next one
    assert rt(window).service.actor != "Carl"
    # Idle: the setting says 1 minute; the test shortens the timer, not the rule.
    sign_in(qtbot, window, "b", "8642")
    assert window.session.idle.isActive()
    assert window.session.idle.interval() == 60_000
    window.session.idle_ms = 300
    QTest.keyClicks(panel.charge_edit, "x")  # activity restarts the timer with the new length
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.session.page, timeout=3000)
    page = window.session.page
    qtbot.waitUntil(lambda: "without use" in page.pad.error.text.text(), timeout=3000)


def test_idle_sign_out_waits_for_a_refund_being_sent(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window, "c", "1357")
    window.panel.flow.stage = fl.Stage.SENDING  # the stage the window checks before signing out
    window.session.idle_ms = 200
    window.session._restart_idle()
    qtbot.wait(500)
    assert window.session.operator is not None  # still Carl: the answer comes first
    assert window.session.idle.isActive()  # looks again shortly
    assert not window.session.sign_out()


def test_settings_and_people_are_for_managers(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window, "c", "1357")
    window.open_settings()
    qtbot.waitUntil(lambda: window.findChild(ManagerDialog) is not None, timeout=3000)
    gate = window.findChild(ManagerDialog)
    assert isinstance(gate, ManagerDialog)
    qtbot.waitUntil(gate.isVisible, timeout=3000)
    assert gate.pad.names.isHidden() and gate.pad.name() == "Mia"  # managers only
    pad = gate.pad
    type_pin(qtbot, pad.pin, "1357")  # Carl's PIN is not Mia's
    qtbot.waitUntil(lambda: "Wrong PIN for Mia" in pad.error.text.text(), timeout=3000)
    gate.reject()
    from cashier_gui.ui.settings import SettingsDialog

    qtbot.wait(100)
    assert not [d for d in window.findChildren(SettingsDialog) if d.isVisible()]
    # A manager signed in opens it at once.
    window.activateWindow()  # the closed dialog had the keyboard
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    sign_in(qtbot, window, "m", "2468")
    window.open_people()
    qtbot.waitUntil(lambda: window.findChild(PeopleDialog) is not None, timeout=3000)
    dialog = window.findChild(PeopleDialog)
    assert isinstance(dialog, PeopleDialog)
    qtbot.waitUntil(lambda: dialog.list.count() == 3, timeout=3000)
    gate = window.findChild(ManagerDialog)
    assert gate is None or not gate.isVisible()
    dialog.reject()


def test_people_adds_changes_and_refuses_bad_pins(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window, "m", "2468")
    window.open_people()
    qtbot.waitUntil(lambda: window.findChild(PeopleDialog) is not None, timeout=3000)
    d = window.findChild(PeopleDialog)
    assert isinstance(d, PeopleDialog)
    qtbot.waitUntil(lambda: d.list.count() == 3, timeout=3000)
    d.add_button.click()
    d.name_edit.setText("Dana")
    d.pin_edit.setText("12")
    d.pin_again.setText("12")
    d.save()
    assert "4 to 8 digits" in d.error.text.text()
    d.pin_edit.setText("4321")
    d.pin_again.setText("4322")
    d.save()
    assert "differ" in d.error.text.text() and d.pin_again.text() == ""
    d.pin_edit.clear()
    QTest.keyClicks(d.pin_edit, "a1b2")  # the field takes digits only
    assert d.pin_edit.text() == "12"
    d.pin_edit.setText("4321")
    d.pin_again.setText("4321")
    d.save()  # every change takes the manager's own PIN, checked where the people live
    assert "Type your own PIN first" in d.error.text.text() and d.manager_pin.hasFocus()
    d.manager_pin.setText("0000")
    d.save()
    qtbot.waitUntil(lambda: "Wrong PIN for Mia" in d.error.text.text(), timeout=3000)
    assert d.list.count() == 3 and d.manager_pin.text() == ""
    assert [op.name for op in OperatorStore(Paths.default().operators).list()] == [
        "Mia",
        "Carl",
        "Bea",
    ]
    d.manager_pin.setText("2468")
    d.pin_edit.setText("4321")
    d.pin_again.setText("4321")
    d.save()
    qtbot.waitUntil(lambda: d.list.count() == 4, timeout=3000)
    assert "Saved" in d.error.text.text()
    assert OperatorStore(Paths.default().operators).verify("Dana", "4321").name == "Dana"
    d.add_button.click()
    d.name_edit.setText("dana")
    d.pin_edit.setText("5555")
    d.pin_again.setText("5555")
    d.save()
    qtbot.waitUntil(lambda: "already an operator" in d.error.text.text(), timeout=3000)
    d.reject()


def test_a_counter_without_people_needs_no_sign_in_and_adds_its_first_manager(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, counter: Any
) -> None:
    with opened(qtbot, counter) as w:
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.panel_scroll, timeout=5000)
        assert w.session.operator is None and not w.session.has_people
        w.open_people()  # nobody to ask: open
        qtbot.waitUntil(lambda: w.findChild(PeopleDialog) is not None, timeout=3000)
        d = w.findChild(PeopleDialog)
        assert isinstance(d, PeopleDialog)
        qtbot.waitUntil(d.form.isVisible, timeout=3000)
        assert "first manager" in d.hint.text() and not d.role_box.isEnabled()
        assert d.role_box.currentData() == Role.MANAGER
        d.name_edit.setText("Mia")
        d.pin_edit.setText("2468")
        d.pin_again.setText("2468")
        d.save()
        qtbot.waitUntil(lambda: d.list.count() == 1, timeout=3000)
        d.reject()
        # From now on the counter asks who is there.
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.session.page, timeout=3000)
        pad = w.session.page.pad
        assert pad.names.isHidden() and pad.name() == "Mia"  # one person: PIN alone
        type_pin(qtbot, pad.pin, "2468")
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.panel_scroll, timeout=3000)
        assert "manager" in w.session.name_label.text()


def test_training_needs_no_sign_in(qtbot: QtBot, qloop: Any, training_factory: Any) -> None:
    with opened(qtbot, training_factory, training=True) as w:
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.panel_scroll, timeout=10_000)
        assert w.session.operator is not None and w.session.operator.name == "Trainee"
        assert "training" in w.session.name_label.text()
        assert not w.session.sign_out()  # nothing to sign out of
        assert "Training needs no sign-in" in w.statusBar().currentMessage()
        assert rt(w).service.actor == "Trainee"


def test_leaving_training_takes_a_real_manager(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, counter: Any, people: OperatorStore
) -> None:
    with opened(qtbot, counter, training=True) as w:
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.panel_scroll, timeout=10_000)
        assert rt(w).training and w.real_action.isVisible()
        w.real_action.trigger()
        qtbot.waitUntil(lambda: w.findChild(ManagerDialog) is not None, timeout=3000)
        gate = w.findChild(ManagerDialog)
        assert isinstance(gate, ManagerDialog)
        assert gate.pad.name() == "Mia"  # the counter's manager, not the training one
        type_pin(qtbot, gate.pad.pin, "1234")  # the training manager's PIN does not count
        qtbot.waitUntil(lambda: "Wrong PIN for Mia" in gate.pad.error.text.text(), timeout=3000)
        assert rt(w).training
        type_pin(qtbot, gate.pad.pin, "2468")
        qtbot.waitUntil(lambda: w.runtime is not None and not w.runtime.training, timeout=10_000)
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.session.page, timeout=5000)
        assert w.session.operator is None  # the trainee is nobody here: sign in


def test_training_practises_approval_with_the_training_manager(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, training_factory: Any
) -> None:
    from cashier_gui.journal import State
    from cashier_gui.runtime import TRAINING_MANAGER, TRAINING_MANAGER_PIN

    with opened(qtbot, training_factory, training=True) as w:
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.panel_scroll, timeout=10_000)
        p = w.panel
        look_up(qtbot, w, "ch_train_eur_partly")  # €90.00 left: over the practice limit
        p.full_radio.setChecked(True)
        qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)
        cf = p.confirm_card
        qtbot.waitUntil(cf.approval.isVisible, timeout=3000)
        text = cf.approval_reasons.text()
        assert "A manager must approve" in text
        assert f"training manager is {TRAINING_MANAGER}, PIN {TRAINING_MANAGER_PIN}" in text
        qtbot.waitUntil(lambda: cf.manager_name() == TRAINING_MANAGER, timeout=3000)
        cf.pin_edit.setText(TRAINING_MANAGER_PIN)
        cf.pin_edit.setFocus()
        qtbot.wait(350)  # the confirm card's guard against an Enter typed too early
        QTest.keyClick(cf.pin_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
        [attempt] = rt(w).service.journal.query()
        assert attempt.state is State.APPROVED
        assert (attempt.operator, attempt.approver) == ("Trainee", TRAINING_MANAGER)


def test_a_pin_typed_at_the_window_is_in_no_file(
    qtbot: QtBot, window: MainWindow, people: OperatorStore, home: Path
) -> None:
    pin = "73914682"  # 8 digits: no timestamp or hash in the files contains it by chance
    people.add("Zoe", Role.CASHIER, pin)
    window.sign_out()  # the list is read again with Zoe in it
    pad = window.session.page.pad
    qtbot.waitUntil(lambda: pad.names.count() == 4, timeout=3000)
    QTest.keyClicks(pad.pin, "z")
    type_pin(qtbot, pad.pin, pin)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.panel_scroll, timeout=3000)
    look_up(qtbot, window, CHARGE)
    refund(qtbot, window, "2")
    found = [  # the journal's -wal file included: what SQLite wrote is all there
        str(path)
        for path in home.rglob("*")
        if path.is_file() and pin.encode() in path.read_bytes()
    ]
    assert found == []


def test_an_approval_is_dropped_when_what_the_manager_saw_changes(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, counter: Any, people: OperatorStore
) -> None:
    """Issue 27: the manager types name and PIN for €25.00 (no Enter); the cashier presses Esc,
    raises the amount to €49.90 and confirms: the name and PIN are gone, a manager is asked
    again, and nothing is sent."""
    from cashier_gui.policy import Policy

    paths = Paths.default()
    settings = dataclasses.replace(
        load_settings(paths), policy=Policy(approval_above={"EUR": 2000})
    )
    save_settings(paths, settings)
    seal(settings, SecretStore())  # a manager saved it
    with opened(qtbot, counter) as w:
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.session.page, timeout=5000)
        sign_in(qtbot, w, "c", "1357")
        p = w.panel
        look_up(qtbot, w, "ch_train_eur_4990")
        p.partial_radio.setChecked(True)
        p.amount_edit.setFocus()
        QTest.keyClicks(p.amount_edit, "25", delay=60)
        qtbot.wait(350)
        QTest.keyClick(p.amount_edit, Qt.Key.Key_Return)  # on to the confirm card
        qtbot.waitUntil(lambda: p.stage == "confirm", timeout=3000)
        cf = p.confirm_card
        qtbot.waitUntil(cf.approval.isVisible, timeout=3000)
        assert "€25.00" in cf.amount.text()
        cf.pin_edit.setFocus()  # one manager: the keypad asks only the PIN
        QTest.keyClicks(cf.pin_edit, "2468", delay=70)  # … but no Enter
        QTest.keyClick(cf.pin_edit, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: p.stage == "charge", timeout=3000)
        assert cf.pin_edit.text() == ""
        p.amount_edit.setFocus()
        p.amount_edit.selectAll()
        QTest.keyClicks(p.amount_edit, "49.90", delay=60)
        qtbot.wait(350)
        QTest.keyClick(p.amount_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: p.stage == "confirm", timeout=3000)
        qtbot.waitUntil(cf.approval.isVisible, timeout=3000)
        assert "€49.90" in cf.amount.text()
        assert cf.pin_edit.text() == ""
        qtbot.wait(350)  # the confirm card's guard
        QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)
        qtbot.wait(300)
        assert p.stage == "confirm"  # asks for a manager again
        assert "A manager must approve this" in w.statusBar().currentMessage()
        assert cf.pin_edit.hasFocus()
        assert rt(w).service.journal.query() == []  # nothing written, nothing sent
        # The manager approves what is on the card now: that goes, and is what is recorded.
        cf.pin_edit.setFocus()  # one manager: the keypad asks only the PIN
        type_pin(qtbot, cf.pin_edit, "2468")
        qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
        [attempt] = rt(w).service.journal.query()
        assert (attempt.amount_minor, attempt.approver, attempt.operator) == (4990, "Mia", "Carl")


def test_a_broken_seal_is_named_on_the_window_and_every_refund_asks_a_manager(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, counter: Any, people: OperatorStore
) -> None:
    """Issue 27: the policy edited outside a manager's save (the start-up check found the seal
    broken): a banner says so, and a cashier's €1 refund asks for a manager, saying why."""
    from cashier_gui.doors import Seal, apply_seal

    def factory(training: bool, provider: str) -> Runtime:
        runtime: Runtime = counter(training, provider)
        paths = Paths.default()
        save_settings(  # edited by hand after the fixture's sealed save
            paths,
            dataclasses.replace(load_settings(paths), read_timeout_s=29.0),
        )
        assert apply_seal(runtime) is Seal.INTACT  # timeouts are not sealed
        runtime.service.policy = dataclasses.replace(runtime.service.policy, seal_broken=True)
        return runtime

    with opened(qtbot, factory) as w:
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.session.page, timeout=5000)
        assert w.seal_banner.isVisible()
        assert "outside a manager's save" in w.seal_banner.text.text()
        sign_in(qtbot, w, "c", "1357")
        p = w.panel
        look_up(qtbot, w, "ch_train_eur_4990")
        p.partial_radio.setChecked(True)
        p.amount_edit.setFocus()
        QTest.keyClicks(p.amount_edit, "1", delay=60)
        qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)
        cf = p.confirm_card
        qtbot.waitUntil(cf.approval.isVisible, timeout=3000)
        assert "outside a manager's save" in cf.approval_reasons.text()


def test_a_typed_approval_times_out_on_the_confirm_card(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    training_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 27: a name and PIN typed and left on the confirm card are cleared after a while;
    Enter then asks for the manager again and nothing is sent."""
    from cashier_gui.runtime import TRAINING_MANAGER_PIN
    from cashier_gui.ui.refund import sending

    monkeypatch.setattr(sending, "APPROVAL_TIMEOUT_S", 1)
    with opened(qtbot, training_factory, training=True) as w:
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.panel_scroll, timeout=10_000)
        p = w.panel
        look_up(qtbot, w, "ch_train_eur_partly")  # €90.00 left: over the practice limit
        p.full_radio.setChecked(True)
        qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)
        cf = p.confirm_card
        qtbot.waitUntil(cf.approval.isVisible, timeout=3000)
        cf.pin_edit.setFocus()  # the training manager: the only one, only the PIN is asked
        QTest.keyClicks(cf.pin_edit, TRAINING_MANAGER_PIN, delay=70)
        qtbot.waitUntil(lambda: cf.pin_edit.text() == "", timeout=10_000)
        assert "cleared" in p.confirm_note.text.text()
        QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)
        qtbot.wait(300)
        assert p.stage == "confirm" and rt(w).service.journal.query() == []


@pytest.mark.parametrize("ms", [5, 25])
def test_a_fast_pin_or_a_badge_signs_in(qtbot: QtBot, window: MainWindow, ms: int) -> None:
    """A PIN typed at a scanner's speed is still a PIN (4–8 digits cannot be a receipt's
    ID); a badge reader types the name, Tab, the PIN and Enter in one burst."""
    from tests.ui.test_keys import typed

    pad = window.session.page.pad  # key_clock: the keys' times exactly `ms` apart
    qtbot.waitUntil(lambda: pad.names.count() == 3 and pad.pin.hasFocus(), timeout=3000)
    typed(pad.pin, "Carl\t1357", ms)
    qtbot.waitUntil(lambda: window.session.operator is not None, timeout=3000)
    signed = window.session.operator
    assert signed is not None and signed.name == "Carl"
    assert window.session.page.held_scan is None


def test_people_shows_who_is_locked_and_a_manager_lifts_it(
    qtbot: QtBot, window: MainWindow, people: OperatorStore
) -> None:
    for pin in ("0000", "0001", "0002"):
        with contextlib.suppress(OperatorError):
            people.verify("Bea", pin)
    assert people.locked_until("Bea") is not None
    sign_in(qtbot, window, "m", "2468")
    window.open_people()
    qtbot.waitUntil(lambda: window.findChild(PeopleDialog) is not None, timeout=3000)
    d = window.findChild(PeopleDialog)
    assert isinstance(d, PeopleDialog)
    qtbot.waitUntil(lambda: d.list.count() == 3, timeout=3000)
    texts = [d.list.item(i).text() for i in range(3)]
    assert any("Bea" in t and "locked for another minute" in t for t in texts), texts
    assert not d.unlock_button.isEnabled()  # the first row (Mia) is not locked
    bea = next(i for i, t in enumerate(texts) if "Bea" in t)
    d.list.setCurrentRow(bea)
    assert d.unlock_button.isEnabled()
    d.manager_pin.setText("2468")  # the manager's own PIN, as for every change of people
    d.unlock_button.click()
    qtbot.waitUntil(lambda: "The lock on Bea is lifted." in d.error.text.text(), timeout=3000)
    assert people.locked_until("Bea") is None
    qtbot.waitUntil(
        lambda: (
            d.list.count() == 3 and not any("locked" in d.list.item(i).text() for i in range(3))
        ),
        timeout=3000,
    )
    assert people.verify("Bea", "8642").name == "Bea"
    d.reject()


def laid_out_apart(qtbot: QtBot, d: PeopleDialog) -> None:
    """People's list, its buttons and the message each in their own place once laid out (a
    message under the list once put the buttons over its bottom, issue 26)."""
    from tests.ui.screenshots import overlapping

    qtbot.wait(150)  # the dialog refits in the next turns
    assert overlapping(d) == []
    assert d.list.geometry().bottom() < d.pin_button.geometry().top()


def test_a_manager_locks_a_person_in_people_and_lifts_it(
    qtbot: QtBot, window: MainWindow, people: OperatorStore
) -> None:
    sign_in(qtbot, window, "m", "2468")
    window.open_people()
    qtbot.waitUntil(lambda: window.findChild(PeopleDialog) is not None, timeout=3000)
    d = window.findChild(PeopleDialog)
    assert isinstance(d, PeopleDialog)
    qtbot.waitUntil(lambda: d.list.count() == 3, timeout=3000)
    row = {d.list.item(i).text().split(" — ")[0]: i for i in range(3)}
    # Mia, the only manager: the button is there, the store refuses (nobody would be left).
    d.list.setCurrentRow(row["Mia"])
    assert d.lock_button.isEnabled() and not d.unlock_button.isEnabled()
    qtbot.mouseClick(d.lock_button, Qt.MouseButton.LeftButton)
    assert "Type your own PIN first" in d.error.text.text()
    laid_out_apart(qtbot, d)
    d.manager_pin.setText("2468")
    qtbot.mouseClick(d.lock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Mia is the last manager" in d.error.text.text(), timeout=3000)
    assert people.locked_until("Mia") is None
    laid_out_apart(qtbot, d)
    # A wrong own PIN locks nobody.
    d.list.setCurrentRow(row["Carl"])
    d.manager_pin.setText("0000")
    qtbot.mouseClick(d.lock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Wrong PIN for Mia" in d.error.text.text(), timeout=3000)
    assert people.locked_until("Carl") is None and d.manager_pin.text() == ""
    laid_out_apart(qtbot, d)
    d.manager_pin.setText("2468")
    qtbot.mouseClick(d.lock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Carl is locked" in d.error.text.text(), timeout=3000)
    qtbot.waitUntil(
        lambda: any(
            d.list.item(i).text() == "Carl — cashier — locked by a manager"
            for i in range(d.list.count())
        ),
        timeout=3000,
    )
    assert people.locked_until("Carl") is not None
    laid_out_apart(qtbot, d)
    d.list.setCurrentRow(row["Carl"])
    assert not d.lock_button.isEnabled() and d.unlock_button.isEnabled()
    d.reject()
    # Carl cannot sign in, with his right PIN, and is told why in words.
    window.activateWindow()  # the closed dialog had the keyboard
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    pad = window.session.page.pad
    qtbot.waitUntil(lambda: pad.names.count() == 3, timeout=3000)
    QTest.keyClicks(pad.pin, "c")
    type_pin(qtbot, pad.pin, "1357")
    qtbot.waitUntil(lambda: "Carl is locked by a manager" in pad.error.text.text(), timeout=3000)
    assert window.session.operator is None
    # Mia lifts it from People…; Carl signs in.
    QTest.keyClicks(pad.pin, "m")
    type_pin(qtbot, pad.pin, "2468")
    qtbot.waitUntil(lambda: window.session.operator is not None, timeout=3000)
    window.open_people()
    qtbot.waitUntil(
        lambda: any(
            isinstance(x, PeopleDialog) and x.isVisible() for x in window.findChildren(PeopleDialog)
        ),
        timeout=3000,
    )
    [again] = [x for x in window.findChildren(PeopleDialog) if x.isVisible()]
    qtbot.waitUntil(lambda: again.list.count() == 3, timeout=3000)
    carl = next(i for i in range(3) if again.list.item(i).text().startswith("Carl"))
    again.list.setCurrentRow(carl)
    again.manager_pin.setText("2468")
    qtbot.mouseClick(again.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "The lock on Carl is lifted." in again.error.text.text(), timeout=3000)
    assert people.locked_until("Carl") is None
    laid_out_apart(qtbot, again)
    assert people.verify("Carl", "1357").name == "Carl"
    again.reject()


def test_a_pin_typed_while_starting_is_dropped_at_the_sign_in(
    qtbot: QtBot, qloop: Any, counter: Any, people: OperatorStore
) -> None:
    """Keys typed while "Starting…" shows are kept for the refund screen (a scan the moment the
    window appears) — but a sign-in page first drops them: a PIN never reaches the charge field."""
    w = MainWindow(counter, training=False)
    qtbot.addWidget(w)
    w.show()
    w.start()
    assert w.stack.currentWidget() is w.loading
    QTest.keyClicks(w, "1357")
    QTest.keyClick(w, Qt.Key.Key_Return)
    try:
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.session.page, timeout=10_000)
        sign_in(qtbot, w, "c", "1357")
        assert w.panel.charge_edit.text() == "" and w.panel.stage == "lookup"
    finally:
        closing = asyncio.ensure_future(w.shutdown())
        qtbot.waitUntil(closing.done, timeout=10_000)
