"""Training mode with the Poynt back end: no lookup, Full or an amount, the journal's view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from cashier_gui.journal import State
from cashier_gui.simulators import poynt as psim
from cashier_gui.ui.main_window import MainWindow
from tests.ui.conftest import Factory
from tests.ui.running import rt


def test_poynt_training_refund_flow(qtbot: QtBot, qloop: object, training_factory: Factory) -> None:
    import asyncio

    w = MainWindow(training_factory, training=True, provider="poynt")
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.runtime is not None, timeout=10_000)
    p = w.panel
    terminal = rt(w).simulator_state
    assert isinstance(terminal, psim.PoyntSimulator)
    assert "Transaction ID" in p.charge_caption.text()
    QTest.keyClicks(p.charge_edit, "txn_train_usd_2500")
    QTest.keyClick(p.charge_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "charge", timeout=5000)
    assert "cannot look transactions up" in p.fields["status"].text()
    assert p.partial_radio.isChecked() and p.amount_edit.hasFocus()
    QTest.keyClicks(p.amount_edit, "7.5", delay=80)  # typed by a person, not a scan
    assert p.action_button.text().startswith("Refund $7.50")
    qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)
    assert p.confirm_card.amount.text() == "$7.50"  # never confirmed blind
    qtbot.mouseClick(p.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=5000)
    assert p.result_title.text().startswith("Refund approved")
    assert terminal.transactions["txn_train_usd_2500"].refunded == 750
    # Full refund of the rest, then the counter knows it is fully refunded.
    p.new_refund()
    QTest.keyClicks(p.charge_edit, "txn_train_usd_2500")
    QTest.keyClick(p.charge_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "charge", timeout=5000)
    assert "$7.50 (by this counter)" in p.fields["refunded"].text()
    # Full: the cashier types the amount paid once; the confirm card shows what goes back.
    p.full_radio.click()
    assert not p.action_button.isEnabled()
    assert "amount paid" in p.amount_hint.text()
    QTest.keyClicks(p.amount_edit, "25", delay=80)
    assert p.full_radio.isChecked()
    assert p.action_button.text().startswith("Refund $17.50")
    qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)
    assert p.confirm_text.text().startswith("Refund the full amount")
    assert p.confirm_card.amount.text() == "$17.50"
    qtbot.mouseClick(p.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=5000)
    assert p.result_amount.text() == "$17.50"
    states = [a.state for a in rt(w).service.journal.query()]
    assert states == [State.APPROVED, State.APPROVED]
    p.new_refund()
    QTest.keyClicks(p.charge_edit, "txn_train_usd_2500")
    QTest.keyClick(p.charge_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.stage == "charge", timeout=5000)
    assert "in full" in p.not_refundable.text.text() and not p.action_button.isEnabled()
    closing = asyncio.ensure_future(w.shutdown())
    qtbot.waitUntil(closing.done, timeout=10_000)


def test_poynt_practice_receipts_lost_answer_then_f5_and_terminal_error(
    qtbot: QtBot, qloop: object, training_factory: Factory
) -> None:
    import asyncio

    w = MainWindow(training_factory, training=True, provider="poynt")
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.runtime is not None, timeout=10_000)
    try:
        p = w.panel
        terminal = rt(w).simulator_state
        assert isinstance(terminal, psim.PoyntSimulator)
        texts = [p.practice.item(i).text() for i in range(p.practice.count())]
        for txn, words in [
            ("txn_train_usd_server_error", "error: nothing refunded"),
            ("txn_train_usd_lost_answer", "lost answer"),
            ("txn_train_usd_slow_answer", "slow answer"),
        ]:
            [text] = [t for t in texts if t.startswith(txn)]
            assert "practises" in text and words in text, text

        def refund_of(txn: str, amount: str) -> None:
            p.new_refund()
            QTest.keyClicks(p.charge_edit, txn)
            QTest.keyClick(p.charge_edit, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: p.stage == "charge", timeout=5000)
            QTest.keyClicks(p.amount_edit, amount, delay=80)
            qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)
            qtbot.mouseClick(p.confirm_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)

        refund_of("txn_train_usd_lost_answer", "5")
        assert p.result_title.text().startswith("Outcome unknown")
        assert terminal.transactions["txn_train_usd_lost_answer"].refunded == 500  # it was made
        QTest.keyClick(p.charge_edit, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: p.result_title.text().startswith("Refund approved"), timeout=8000)
        assert terminal.transactions["txn_train_usd_lost_answer"].refunded == 500  # once only

        refund_of("txn_train_usd_server_error", "4")
        text = p.result_title.text() + p.result_text.text()
        assert "500" not in text and "HTTP" not in text, text
        assert not text.startswith("Refund approved")
    finally:
        closing = asyncio.ensure_future(w.shutdown())
        qtbot.waitUntil(closing.done, timeout=10_000)
