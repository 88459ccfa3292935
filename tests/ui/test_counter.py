"""The refund screen at a real counter (issues 12 and 13), in the real window against the training
simulator as a real loopback server: scans from anywhere, F5 settling what is on screen, the
Void/Refund choice, a manager's approval, and every button inside a 1024×768 screen."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from cashier_gui.journal import Kind, State
from cashier_gui.operators import Operator, OperatorStore, Role
from cashier_gui.policy import Policy
from cashier_gui.simulators import viopay as vsim
from cashier_gui.ui.main_window import MainWindow
from tests.ui.running import rt

A = "ch_train_eur_4990"
B = "ch_train_eur_partly"
TODAY = "ch_train_eur_today_2450"


def sim(w: MainWindow) -> vsim.ViopaySimulator:
    state = rt(w).simulator_state
    assert isinstance(state, vsim.ViopaySimulator)
    return state


def scan(code: str) -> None:
    """What a barcode scanner does: the characters within milliseconds, then Enter — into
    whatever widget has the focus."""
    from PySide6.QtWidgets import QApplication

    target = QApplication.focusWidget()
    assert target is not None
    QTest.keyClicks(target, code)
    QTest.keyClick(QApplication.focusWidget() or target, Qt.Key.Key_Return)


def charge_of(p: object) -> str | None:
    view = getattr(p, "view", None)
    return None if view is None else str(view.charge_id)


def look_up(qtbot: QtBot, w: MainWindow, charge: str) -> None:
    p = w.panel
    p.new_refund()
    p.charge_edit.setFocus()
    scan(charge)
    qtbot.waitUntil(lambda: p.stage == "charge" and charge_of(p) == charge, timeout=5000)


def to_confirm(qtbot: QtBot, w: MainWindow, charge: str, amount: str) -> None:
    p = w.panel
    look_up(qtbot, w, charge)
    p.amount_edit.setFocus()
    QTest.keyClicks(p.amount_edit, amount, delay=60)  # a person typing
    QTest.keyClick(p.amount_edit, Qt.Key.Key_Return)
    assert p.stage == "confirm"


def refunds_on(w: MainWindow, charge: str) -> int:
    return len(sim(w).charges[charge].refunds)


# ---- scan anywhere -------------------------------------------------------------------------------


def test_scan_during_the_form_drops_it_and_looks_up_the_new_charge(
    qtbot: QtBot, window: MainWindow
) -> None:
    p = window.panel
    look_up(qtbot, window, A)
    p.amount_edit.setFocus()
    QTest.keyClicks(p.amount_edit, "5", delay=60)
    assert p.action_button.isEnabled()
    before = refunds_on(window, A)
    scan(B)  # into the amount field
    qtbot.waitUntil(lambda: p.stage == "charge" and charge_of(p) == B, timeout=5000)
    assert p.charge_edit.text() == B
    assert p.amount_edit.text() == ""  # the burst's characters are not left in the amount
    assert p.fields["remaining"].text() == "€90.00"
    assert refunds_on(window, A) == before
    assert rt(window).service.journal.count() == 0


def test_scan_on_the_confirm_card_never_confirms_the_old_charge(
    qtbot: QtBot, window: MainWindow
) -> None:
    p = window.panel
    to_confirm(qtbot, window, A, "49.90")
    qtbot.wait(400)  # long past the guard: a plain Enter now would confirm
    assert p.confirm_button.hasFocus()
    scan(B)  # its Enter ends a burst: never a confirm
    qtbot.waitUntil(lambda: p.stage == "charge" and charge_of(p) == B, timeout=5000)
    qtbot.wait(300)
    assert rt(window).service.journal.count() == 0
    assert refunds_on(window, A) == 0
    # Even a second scan's Enter right after does not confirm anything.
    scan(A)
    qtbot.waitUntil(lambda: p.view is not None and charge_of(p) == A, timeout=5000)
    assert p.stage == "charge" and rt(window).service.journal.count() == 0


def test_enter_right_after_the_confirm_card_appears_is_not_taken(
    qtbot: QtBot, window: MainWindow
) -> None:
    p = window.panel
    to_confirm(qtbot, window, A, "1")
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)  # at once: a bounce, not a decision
    assert p.stage == "confirm"
    qtbot.wait(350)
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=5000)
    assert window.focusWidget() is p.charge_edit  # ready for the next scan


def test_scan_on_the_result_card_starts_the_next_refund(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    to_confirm(qtbot, window, A, "2")
    qtbot.wait(350)
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=5000)
    p.new_button.setFocus()  # even with the focus on a button
    scan(B)
    qtbot.waitUntil(lambda: p.stage == "charge" and charge_of(p) == B, timeout=5000)
    [attempt] = rt(window).service.journal.query()
    assert attempt.charge_id == A and attempt.amount_minor == 200


def test_escape_steps_back_one_stage(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    to_confirm(qtbot, window, A, "3")
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Escape)
    assert p.stage == "charge" and p.amount_edit.text() == "3"  # the form is kept
    QTest.keyClick(p.amount_edit, Qt.Key.Key_Escape)
    assert p.stage == "lookup" and p.charge_edit.text() == A and p.charge_edit.hasFocus()


# ---- F5 settles what is on screen -------------------------------------------------------------


def test_check_now_updates_the_card_and_the_list(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    sim(window).faults.push("drop_after_commit")
    to_confirm(qtbot, window, A, "4")
    qtbot.wait(350)
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    assert p.result_title.text().startswith("Outcome unknown")
    check = p.result_card.check_button
    assert check.isVisible() and check.property("role") == "primary"
    assert p.result_card.default_button() is check
    qtbot.waitUntil(lambda: "No answer — press Check now" in p.earlier.text(), timeout=5000)
    # Enter with the charge field empty presses Check now.
    assert window.focusWidget() is p.charge_edit
    QTest.keyClick(p.charge_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.result_title.text().startswith("Refund approved"), timeout=8000)
    qtbot.waitUntil(lambda: "Approved — do not refund again" in p.earlier.text(), timeout=5000)
    lines = [line for line in p.earlier.text().splitlines() if line.startswith("•")]
    assert len(lines) == 1, lines  # the attempt and its own refund are one line
    assert not check.isVisible()
    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.APPROVED


def test_f5_on_the_form_unlocks_it_when_the_lost_refund_was_not_made(
    qtbot: QtBot, window: MainWindow
) -> None:
    p = window.panel
    sim(window).faults.push("drop_before_commit")
    to_confirm(qtbot, window, A, "4")
    qtbot.wait(350)
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    [attempt] = rt(window).service.journal.query()
    if attempt.state is not State.UNKNOWN:  # a refused connection is known not to be sent
        assert attempt.state is State.NOT_SENT
        return
    look_up(qtbot, window, A)
    assert p.not_refundable.isVisible() and not p.form_card.isVisible()
    assert "No answer — press Check now (F5)" in p.earlier.text()
    QTest.keyClick(p.charge_edit, Qt.Key.Key_F5)
    # Checked (the re-send with the same key settles it): the card and its list catch up
    # without a new lookup, and the form unlocks.
    qtbot.waitUntil(lambda: "No answer" not in p.earlier.text(), timeout=8000)
    assert any(w in p.earlier.text() for w in ("Approved — do not", "Not made — you can"))
    assert p.stage == "charge" and p.form_card.isVisible() and not p.not_refundable.isVisible()


def test_not_refundable_says_why_once_and_shows_no_form(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    look_up(qtbot, window, "ch_train_fully_refunded")
    assert p.not_refundable.isVisible() and not p.form_card.isVisible()
    assert not p.fields["remaining"].isVisible()  # no "Still refundable €0.00"
    assert p.amount_hint.text() == ""  # the reason is said once


# ---- Void or refund -------------------------------------------------------------------------


def test_void_todays_unsettled_sale(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    look_up(qtbot, window, TODAY)
    assert p.charge_card.choice.isVisible() and p.void_button.hasFocus()  # Void first
    QTest.keyClick(p.void_button, Qt.Key.Key_Return)
    assert p.stage == "confirm"
    assert p.confirm_text.text() == "Void the whole sale?"
    assert "never charged" in p.confirm_detail.text() and "whole sale" in p.confirm_detail.text()
    assert p.confirm_card.amount.text() == "€24.50"
    qtbot.wait(350)
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    assert p.result_title.text().startswith("Sale voided")
    [attempt] = rt(window).service.journal.query()
    assert attempt.kind is Kind.VOID and attempt.state is State.APPROVED


def test_a_settled_sale_refuses_its_void_and_refund_is_one_key_away(
    qtbot: QtBot, window: MainWindow
) -> None:
    p = window.panel
    look_up(qtbot, window, TODAY)
    sim(window).charges[TODAY].settled = True  # the batch closed meanwhile
    p.void_button.click()
    qtbot.wait(350)
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    assert "refund it instead" in p.result_title.text()
    assert p.result_card.instead_button.isVisible()
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Return)  # one key
    qtbot.waitUntil(lambda: p.stage == "charge", timeout=5000)
    assert charge_of(p) == TODAY and p.form_card.isVisible()
    assert not p.charge_card.choice.isVisible()  # settled now: refund only
    p.action_button.click()
    assert p.confirm_text.text().startswith("Refund €24.50")


# ---- Manager approval ----------------------------------------------------------------------


def test_approval_needed_wrong_pin_refused_right_pin_sends(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    p = window.panel
    store = OperatorStore(tmp_path / "operators.json")
    store.add("Mia", Role.MANAGER, "2468")
    store.add("Carl", Role.CASHIER, "1357")
    p.operators = store
    window.session._set(Operator("Carl", Role.CASHIER))
    rt(window).service.policy = Policy(approval_above={"EUR": 1000})
    to_confirm(qtbot, window, A, "20")
    cf = p.confirm_card
    qtbot.waitUntil(cf.approval.isVisible, timeout=3000)
    assert "€10.00" in cf.approval_reasons.text() or "10.00" in cf.approval_reasons.text()
    assert cf.pin_edit.hasFocus()
    qtbot.waitUntil(lambda: cf.manager_name() == "Mia", timeout=3000)  # the one manager
    qtbot.wait(350)
    p.confirm_button.click()  # nothing typed: told, nothing sent
    assert p.stage == "confirm" and "the manager's name, type the PIN" in _status(window)
    cf.pin_edit.setText("0000")
    cf.pin_edit.setFocus()
    qtbot.wait(350)
    QTest.keyClick(cf.pin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "confirm" and p.confirm_note.isVisible(), timeout=5000)
    assert "Wrong PIN for Mia" in p.confirm_note.text.text()
    assert cf.pin_edit.text() == "" and rt(window).service.journal.count() == 0
    cf.pin_edit.setText("2468")
    qtbot.wait(350)
    QTest.keyClick(cf.pin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.APPROVED
    assert attempt.approver == "Mia" and attempt.operator == "Carl"


def _status(w: MainWindow) -> str:
    return w.statusBar().currentMessage()


# ---- 1024×768 -------------------------------------------------------------------------------


def _outside(w: MainWindow) -> list[str]:
    """Visible buttons not wholly inside the window (and so the screen)."""
    frame = QRect(QPoint(0, 0), w.size())
    bad = []
    for b in w.findChildren(QPushButton):
        if not b.isVisible() or b.window() is not w:
            continue
        top_left = b.mapTo(w, QPoint(0, 0))
        if not frame.contains(QRect(top_left, b.size())):
            bad.append(b.text())
    return bad


def test_every_button_inside_1024x768(qtbot: QtBot, window: MainWindow) -> None:
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1024, 768)
    p = window.panel
    qtbot.wait(50)
    assert _outside(window) == []
    look_up(qtbot, window, TODAY)
    qtbot.wait(50)
    assert _outside(window) == []
    to_confirm(qtbot, window, A, "1")
    qtbot.wait(50)
    assert _outside(window) == []
    sim(window).faults.push("drop_after_commit")
    qtbot.wait(350)
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    qtbot.waitUntil(window.unknown_banner.isVisible, timeout=5000)
    qtbot.wait(50)
    assert _outside(window) == []
    assert not window.panel_scroll.horizontalScrollBar().isVisible()


def test_settings_fit_768_with_buttons_pinned(qtbot: QtBot, window: MainWindow) -> None:
    from cashier_gui.ui.settings import SettingsDialog

    dialog = SettingsDialog(parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.height() <= 700
    for b in (dialog.save_button, dialog.cancel_button):
        assert b.isVisible()
        bottom = b.mapTo(dialog, QPoint(0, b.height())).y()
        assert bottom <= dialog.height()
    dialog.close()


def test_training_mode_is_not_offered_in_training(window: MainWindow) -> None:
    assert not window.training_action.isVisible() and window.real_action.isVisible()


def test_switching_mode_while_a_check_runs_is_never_stuck(qtbot: QtBot, window: MainWindow) -> None:
    old = rt(window)
    sim(window).faults.delay_ms = 800  # the start-up check now takes a while
    window.reconcile()
    started = time.monotonic()
    window.start(training=True)  # e.g. Settings saved meanwhile
    qtbot.waitUntil(
        lambda: window.runtime is not None and window.runtime is not old, timeout=10_000
    )
    assert window.stack.currentWidget() is window.panel_scroll
    assert time.monotonic() - started < 10
    with pytest.raises(sqlite3.ProgrammingError):  # the old runtime's journal was closed
        old.service.journal.count()


# ---- training practises failures -------------------------------------------------------------


def test_practice_receipts_say_what_they_practise(window: MainWindow) -> None:
    texts = [window.panel.practice.item(i).text() for i in range(window.panel.practice.count())]
    for charge, words in [
        ("ch_train_server_error", "error: nothing refunded"),
        ("ch_train_lost_answer", "lost answer"),
        ("ch_train_slow_answer", "slow answer"),
        ("ch_train_usd_issuer_declines", "declined"),
        ("ch_train_gbp_refund_pending", "pending"),
        (TODAY, "void"),
    ]:
        [text] = [t for t in texts if t.startswith(charge)]
        assert "practises" in text and words in text, text


def test_practising_a_lost_answer_then_f5(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    look_up(qtbot, window, "ch_train_lost_answer")
    p.action_button.click()
    p.confirm_button.click()
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    assert p.result_title.text().startswith("Outcome unknown")
    QTest.keyClick(p.charge_edit, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: p.result_title.text().startswith("Refund approved"), timeout=8000)
    assert refunds_on(window, "ch_train_lost_answer") == 1  # once, never twice


def practice_line(w: MainWindow, charge: str) -> str:
    p = w.panel
    [text] = [
        p.practice.item(i).text()
        for i in range(p.practice.count())
        if p.practice.item(i).text().startswith(charge)
    ]
    return text


def test_the_practice_list_says_what_is_left_after_each_refund(
    qtbot: QtBot, window: MainWindow
) -> None:
    """After a practice refund the list tells what that receipt has left (issue 26): "€49.90,
    €10.00 refunded", then "already fully refunded" — the list the cashier picks the next
    practice from, kept in place (its chosen row stays chosen)."""
    p = window.panel
    assert "refunded" not in practice_line(window, "ch_train_eur_4990")
    count = p.practice.count()
    p.practice.setCurrentRow(1)
    to_confirm(qtbot, window, "ch_train_eur_4990", "10")
    p.confirm_button.click()
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    qtbot.waitUntil(lambda: "refunded" in practice_line(window, "ch_train_eur_4990"), timeout=5000)
    line = practice_line(window, "ch_train_eur_4990")
    assert "10.00 refunded" in line and "49.90" in line, line
    assert p.practice.count() == count and p.practice.currentRow() == 1
    look_up(qtbot, window, "ch_train_eur_4990")
    p.action_button.click()  # the rest
    p.confirm_button.click()
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    qtbot.waitUntil(
        lambda: "already fully refunded" in practice_line(window, "ch_train_eur_4990"),
        timeout=5000,
    )


def test_practising_a_server_error(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    look_up(qtbot, window, "ch_train_server_error")
    p.action_button.click()
    p.confirm_button.click()
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    text = p.result_text.text() + p.result_title.text()
    assert "500" not in text and "HTTP" not in text and "ateway" not in text, text
    assert refunds_on(window, "ch_train_server_error") == 0


def test_f1_explains_the_flow_not_only_the_shortcuts() -> None:
    text = MainWindow.help_text()
    for words in ("Scan the receipt", "void", "F5", "Esc steps back", "Ctrl+L"):
        assert words in text, words


def test_a_scan_while_sending_waits_for_the_answer(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    sim(window).faults.delay_ms = 600
    to_confirm(qtbot, window, A, "1")
    qtbot.wait(350)
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)
    assert p.stage == "sending"
    scan(B)  # kept, neither sent nor looked up behind the cashier's back
    assert p.stage == "sending"
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    assert p.charge_edit.text() == B and p.charge_edit.hasFocus()
    [attempt] = rt(window).service.journal.query()
    assert attempt.charge_id == A
    QTest.keyClick(p.charge_edit, Qt.Key.Key_Return)  # the next receipt, at once
    qtbot.waitUntil(lambda: p.stage == "charge" and charge_of(p) == B, timeout=5000)


def test_one_set_of_state_words_on_the_charge_card(qtbot: QtBot, window: MainWindow) -> None:
    """Issue 26: a refund the gateway lists read "approved", this counter's own "Approved — do
    not refund again"; a void read "void Approved — do not refund again"."""
    p = window.panel
    look_up(qtbot, window, B)  # the simulator lists a €30.00 refund no attempt here made
    assert "€30.00  Approved — do not refund again" in p.earlier.text()
    look_up(qtbot, window, TODAY)
    p.void_button.click()
    p.confirm_button.click()
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    look_up(qtbot, window, TODAY)
    line = next(x for x in p.earlier.text().splitlines() if x.startswith("• void"))
    assert "Voided — the customer is not charged" in line and "Approved" not in line
