"""The whole cashier flow in the real window, against the training simulator as a real server."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from cashier_gui.gateways.base import Charge, ChargeStatus, PastRefund, RefundStatus
from cashier_gui.journal import State
from cashier_gui.money import Money
from cashier_gui.refunds import ChargeView
from cashier_gui.simulators import viopay as vsim
from cashier_gui.ui.main_window import MainWindow
from tests.ui.running import rt


def sim(w: MainWindow) -> vsim.ViopaySimulator:
    state = rt(w).simulator_state
    assert isinstance(state, vsim.ViopaySimulator)
    return state


def look_up(qtbot: QtBot, w: MainWindow, charge: str) -> None:
    p = w.panel
    p.charge_edit.setFocus()
    p.charge_edit.clear()
    QTest.keyClicks(p.charge_edit, charge)
    QTest.keyClick(p.charge_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "charge" or p.lookup_error.isVisible(), timeout=5000)


def refund(qtbot: QtBot, w: MainWindow, amount: str | None) -> None:
    p = w.panel
    if amount is not None:
        p.amount_edit.setFocus()
        QTest.keyClicks(p.amount_edit, amount, delay=60)
    qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)
    assert p.stage == "confirm"
    qtbot.mouseClick(p.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)


def test_training_is_unmistakable(window: MainWindow) -> None:
    assert window.training_banner.isVisible()
    assert "no money moves" in window.training_banner.text()
    assert window.status_badge.isVisible() and "TRAINING" in window.windowTitle()
    assert window.panel.practice.count() == len(vsim.training_charges())
    assert window.panel.charge_edit.hasFocus()


def test_lookup_partial_approved(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    look_up(qtbot, window, "ch_train_eur_partly")
    assert p.fields["remaining"].text() == "€90.00"
    assert p.fields["card"].text() == "MASTERCARD •••• 5100"
    assert "Earlier refunds" in p.earlier.text()
    assert p.reference_label.text().startswith("TRAIN-001-")
    p.amount_edit.setFocus()
    QTest.keyClicks(p.amount_edit, "12,5", delay=60)
    assert p.partial_radio.isChecked()
    assert p.action_button.text().startswith("Refund €12.50")
    refund(qtbot, window, None)
    assert p.result_title.text() == "Refund approved (training)"
    [server] = [
        r for r in sim(window).charges["ch_train_eur_partly"].refunds if r.transaction_reference
    ]
    assert server.amount.minor == 1250 and p.result_id.value.text() == server.refund_id
    assert server.transaction_reference == p.reference_label.text()
    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.APPROVED and attempt.training
    # the charge card catches up with the refund
    qtbot.waitUntil(lambda: p.fields["remaining"].text() == "€77.50", timeout=5000)


def test_over_refund_is_stopped_before_anything_is_sent(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    look_up(qtbot, window, "ch_train_eur_4990")
    seen = sim(window).requests_seen
    p.amount_edit.setFocus()
    QTest.keyClicks(p.amount_edit, "49.91", delay=60)
    assert not p.action_button.isEnabled()
    assert "At most €49.90" in p.amount_hint.text()
    QTest.keyClick(p.amount_edit, Qt.Key.Key_Return)
    assert p.stage == "charge"
    p.amount_edit.clear()
    QTest.keyClicks(p.amount_edit, "1.234", delay=60)
    assert "unclear" in p.amount_hint.text() and not p.action_button.isEnabled()
    assert sim(window).requests_seen == seen
    assert rt(window).service.journal.count() == 0


@pytest.mark.parametrize(
    ("charge", "says"),
    [
        ("ch_train_declined", "declined"),
        ("ch_train_pending", "pending"),
        ("ch_train_fully_refunded", "fully refunded"),
    ],
)
def test_unrefundable_charges_say_why(
    qtbot: QtBot, window: MainWindow, charge: str, says: str
) -> None:
    look_up(qtbot, window, charge)
    p = window.panel
    assert p.not_refundable.isVisible() and says in p.not_refundable.text.text()
    assert not p.action_button.isEnabled()


def test_declined_refund(qtbot: QtBot, window: MainWindow) -> None:
    look_up(qtbot, window, "ch_train_usd_issuer_declines")
    refund(qtbot, window, None)
    assert window.panel.result_title.text().startswith("Refund declined")
    assert window.panel.result_card.property("role") == "declined"


def test_unknown_charge_shows_a_readable_error(qtbot: QtBot, window: MainWindow) -> None:
    look_up(qtbot, window, "ch_nope")
    p = window.panel
    assert p.lookup_error.isVisible() and "No charge with this ID" in p.lookup_error.text.text()
    assert p.lookup_error.trace.isVisible() and p.lookup_error.trace.value.text()
    look_up(qtbot, window, "../etc/passwd")
    assert "not a charge ID" in p.lookup_error.text.text()


@pytest.mark.parametrize("fault", ["error500_after_commit", "timeout", "drop_after_commit"])
def test_lost_answer_shows_unknown_and_the_banner_until_checked(
    qtbot: QtBot, window: MainWindow, fault: str
) -> None:
    s = sim(window)
    s.faults.push(fault)
    s.faults.hang_seconds = 1.5
    look_up(qtbot, window, "ch_train_eur_4990")
    refund(qtbot, window, "5")
    p = window.panel
    assert p.result_title.text().startswith("Outcome unknown")
    qtbot.waitUntil(window.unknown_banner.isVisible, timeout=5000)
    assert "1 refund needs checking" in window.unknown_text.text()
    # A new refund on the same charge is refused until checked.
    p.new_refund()
    look_up(qtbot, window, "ch_train_eur_4990")
    assert "no answer yet" in p.not_refundable.text.text() and not p.action_button.isEnabled()
    QTest.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not window.unknown_banner.isVisible(), timeout=8000)
    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.APPROVED
    assert len(s.charges["ch_train_eur_4990"].refunds) == 1


def test_no_double_submit_under_a_double_click(qtbot: QtBot, window: MainWindow) -> None:
    s = sim(window)
    s.faults.delay_ms = 300
    look_up(qtbot, window, "ch_train_eur_4990")
    p = window.panel
    qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)
    qtbot.mouseDClick(p.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(p.confirm_button, Qt.MouseButton.LeftButton)
    QTest.keyClick(p, Qt.Key.Key_Return)
    assert p.stage == "sending" and p.charge_edit.isReadOnly()
    qtbot.waitUntil(lambda: p.stage == "result", timeout=5000)
    assert len(s.charges["ch_train_eur_4990"].refunds) == 1
    assert rt(window).service.journal.count() == 1


def test_keyboard_only_refund(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    focus = window.focusWidget
    assert focus() is p.charge_edit
    QTest.keyClicks(focus(), "ch_train_kwd_12345")  # what a barcode scanner types
    QTest.keyClick(focus(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "charge", timeout=5000)
    QTest.keyClick(focus(), Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # Alt+A: amount
    assert focus() is p.amount_edit
    QTest.keyClicks(focus(), "1,5")
    QTest.keyClick(focus(), Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # Alt+R: reason
    assert focus() is p.reason_combo
    QTest.keyClick(focus(), Qt.Key.Key_Down)
    QTest.keyClick(focus(), Qt.Key.Key_Return)
    assert p.stage == "confirm" and focus() is p.confirm_button
    assert "KWD" in p.confirm_text.text() and "1.500" in p.confirm_text.text()
    QTest.keyClick(focus(), Qt.Key.Key_Escape)  # back, then forward again
    assert p.stage == "charge"
    QTest.keyClick(p.amount_edit, Qt.Key.Key_Return)
    QTest.keyClick(focus(), Qt.Key.Key_Return)  # at once: not taken, the card just appeared
    assert p.stage == "confirm"
    qtbot.wait(350)
    QTest.keyClick(focus(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=5000)
    assert focus() is p.charge_edit  # the next scan starts the next refund at once
    [attempt] = rt(window).service.journal.query()
    assert attempt.amount_minor == 1500 and attempt.reason == "defective_product"
    QTest.keyClick(focus(), Qt.Key.Key_Return)  # an empty charge field: New refund
    assert p.stage == "lookup" and focus() is p.charge_edit and not p.charge_edit.text()


def test_window_stays_responsive_while_sending(
    qtbot: QtBot, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    s = sim(window)
    s.faults.delay_ms = 500
    look_up(qtbot, window, "ch_train_eur_4990")
    p = window.panel
    qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(p.confirm_button, Qt.MouseButton.LeftButton)
    ticks: list[float] = []
    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(qloop.time()))
    timer.start(10)
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=5000)
    timer.stop()
    assert len(ticks) >= 20  # the event loop kept turning during the 500 ms wait
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert max(gaps) < 0.25


def test_cancel_before_the_request_leaves(qtbot: QtBot, window: MainWindow) -> None:
    look_up(qtbot, window, "ch_train_eur_4990")
    p = window.panel
    qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Escape)
    assert p.stage == "charge"
    assert rt(window).service.journal.count() == 0


def test_unexpected_error_keeps_the_window(
    qtbot: QtBot, window: MainWindow, monkeypatch: Any
) -> None:
    import sys

    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, e, tb: seen.append(e))

    async def boom(charge_id: str) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(rt(window).service, "lookup", boom)
    look_up(qtbot, window, "ch_train_eur_4990")
    assert isinstance(seen[0], RuntimeError)
    assert "inside the app" in window.panel.lookup_error.text.text()
    assert window.isVisible() and not window.ops.busy


def test_every_control_has_an_accessible_name(window: MainWindow) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QLineEdit,
        QListWidget,
        QSpinBox,
        QTableView,
        QWidget,
    )

    kinds = (QAbstractButton, QComboBox, QLineEdit, QListWidget, QSpinBox, QTableView)
    nameless = [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        for w in window.findChildren(QWidget)
        if isinstance(w, kinds)
        and not w.accessibleName()
        and type(w).__name__ not in ("QScrollBar",)
        and w.parent() is not None
        # Qt's own helpers: a line edit's clear button, a combo box's list, the menu bar's ».
        and type(w.parent()).__name__ not in ("QComboBox", "QLineEdit", "QMenuBar")
    ]
    assert nameless == []


def test_touch_sized_controls(qtbot: QtBot, window: MainWindow) -> None:
    look_up(qtbot, window, "ch_train_eur_4990")
    p = window.panel
    for w in (p.action_button, p.lookup_button, p.charge_edit, p.amount_edit, p.reason_combo):
        assert w.height() >= 40, w.accessibleName()


def test_many_earlier_refunds_fit_at_1024x768(qtbot: QtBot, window: MainWindow) -> None:
    """The charge card lists the newest three; the column still fits, so the window's scroll bar
    stays away (when it comes and goes the whole panel is laid out again at a new width)."""
    window.resize(1024, 768)
    p = window.panel
    euro = Money(100, "EUR")
    charge = Charge(
        "ch_many",
        ChargeStatus.APPROVED,
        Money(10_000, "EUR"),
        Money(600, "EUR"),
        card_brand="VISA",
        card_last4="4242",
        refunds=tuple(
            PastRefund(f"rf_{i}", RefundStatus.APPROVED, euro, created_at="2026-11-20T10:00:00Z")
            for i in range(6)
        ),
    )
    p.show_view(ChargeView("ch_many", charge, ()))
    qtbot.waitUntil(lambda: window.panel_scroll.viewport().width() > 0)
    qtbot.wait(50)
    lines = p.earlier.text().splitlines()
    assert lines[0] == "Earlier refunds:" and "3 more" in lines[1]
    assert [line.split()[-1] for line in lines[2:]] == ["rf_3", "rf_4", "rf_5"]
    assert p.fields["remaining"].text() == "€94.00"
    assert not window.panel_scroll.verticalScrollBar().isVisible()


def test_a_note_with_controls_or_bidi_is_refused_as_typed(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    look_up(qtbot, window, "ch_train_eur_4990")
    p.amount_edit.setFocus()
    QTest.keyClicks(p.amount_edit, "5", delay=60)
    assert p.action_button.isEnabled()
    p.note_edit.setFocus()
    QTest.keyClicks(p.note_edit, "ab")
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for event in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):  # a right-to-left override,
        QApplication.sendEvent(  # typed (a keyboard layout or an input method has it)
            p.note_edit, QKeyEvent(event, 0, Qt.KeyboardModifier.NoModifier, "\u202e")
        )
    QTest.keyClicks(p.note_edit, "cod")
    qtbot.waitUntil(lambda: not p.action_button.isEnabled(), timeout=3000)
    assert "one line of plain text" in p.amount_hint.text() and "U+202E" in p.amount_hint.text()
    qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)  # no way to the confirm card
    p.ask_confirm()
    assert p.stage == "charge"
    p.note_edit.setText("box\x1b]0;pwned\x07")  # pasted: a terminal escape
    assert not p.action_button.isEnabled() and "U+001B" in p.amount_hint.text()
    p.note_edit.setText("box damaged")
    assert p.action_button.isEnabled() and p.amount_hint.text() == ""
    refund(qtbot, window, None)
    [attempt] = rt(window).service.journal.query()
    assert attempt.note == "box damaged"
