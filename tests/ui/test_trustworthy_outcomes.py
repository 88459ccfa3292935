"""Trustworthy outcomes, the window side: Cancel while the journal is held by another connection,
a countdown to the gateway's deadline and a window that can close after it, and Resolve by hand
from the result card and from the banner."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from cashier_gui.config import ViopaySettings
from cashier_gui.gateways.base import Timeouts
from cashier_gui.gateways.factory import viopay_client
from cashier_gui.journal import NewAttempt, State
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.runtime import TRAINING_MANAGER, TRAINING_MANAGER_PIN
from cashier_gui.simulators import viopay as vsim
from cashier_gui.ui.main_window import MainWindow
from cashier_gui.ui.resolve import EXPLANATION, ResolveDialog, UnresolvedDialog
from cashier_gui.ui.signin import ManagerDialog
from tests.ui.running import rt
from tests.ui.silent import SilentServer
from tests.ui.test_refund_window import look_up, refund, sim

CHARGE = "ch_train_eur_4990"


def to_confirm(qtbot: QtBot, w: MainWindow, amount: str) -> None:
    p = w.panel
    look_up(qtbot, w, CHARGE)
    p.amount_edit.setFocus()
    QTest.keyClicks(p.amount_edit, amount, delay=60)
    qtbot.mouseClick(p.action_button, Qt.MouseButton.LeftButton)
    assert p.stage == "confirm"


@pytest.fixture
def held(window: MainWindow) -> Iterator[sqlite3.Connection]:
    """Another connection on the window's journal file, as a second process would have."""
    conn = sqlite3.connect(rt(window).home.path, isolation_level=None)
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


# ---- 1. Cancel while the journal is slow ----------------------------------------------------


def test_cancel_while_another_connection_holds_the_journal(
    qtbot: QtBot, window: MainWindow, held: sqlite3.Connection
) -> None:
    p = window.panel
    s = sim(window)
    to_confirm(qtbot, window, "5")
    before = list(s.charges[CHARGE].refunds)
    first_reference = p.reference
    held.execute("BEGIN IMMEDIATE")  # the prepare write now waits for this connection
    qtbot.mouseClick(p.confirm_button, Qt.MouseButton.LeftButton)
    assert p.stage == "sending"
    qtbot.waitUntil(lambda: "refund journal" in p.sending_wait.text(), timeout=5000)
    assert "Cancel still works" in p.sending_wait.text()
    assert p.cancel_button.isVisible() and p.cancel_button.isEnabled()
    assert rt(window).home.path.exists()

    qtbot.mouseClick(p.cancel_button, Qt.MouseButton.LeftButton)
    assert p.sending_text.text().startswith("Cancelling")
    qtbot.wait(400)
    assert p.stage == "sending"  # still waiting for the journal: nothing recorded yet
    assert not window.close()  # and the window does not close under it
    held.execute("ROLLBACK")  # the other process lets go

    qtbot.waitUntil(lambda: p.stage == "confirm", timeout=12_000)
    assert p.confirm_note.isVisible()
    assert p.confirm_note.text.text() == "Cancelled: nothing was refunded."
    assert p.confirm_button.isEnabled() and not window.ops.busy
    assert window.focusWidget() is p.back_button  # a stray Enter does not send it after all
    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.CANCELLED and attempt.send_count == 0
    assert attempt.transaction_reference == first_reference
    assert s.charges[CHARGE].refunds == before  # nothing ever reached the simulator
    assert not any(r.transaction_reference == first_reference for r in s.charges[CHARGE].refunds)

    # Confirming again is a new attempt with its own reference, and goes through.
    assert p.reference != first_reference
    qtbot.mouseClick(p.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    assert p.result_title.text() == "Refund approved (training)"
    states = sorted(str(a.state) for a in rt(window).service.journal.query())
    assert states == ["approved", "cancelled"]


def test_cancel_then_the_journal_stays_busy_past_its_timeout(
    qtbot: QtBot, window: MainWindow, held: sqlite3.Connection
) -> None:
    """The other process never lets go (longer than the journal's 10 s busy timeout): nothing
    was written, nothing sent, and the cashier is told both."""
    p = window.panel
    s = sim(window)
    to_confirm(qtbot, window, "5")
    seen = s.requests_seen
    held.execute("BEGIN IMMEDIATE")
    qtbot.wait(350)  # Enter confirms only once the card has been on screen a moment
    QTest.keyClick(p.confirm_button, Qt.Key.Key_Return)
    assert p.stage == "sending"
    QTest.keyClick(p, Qt.Key.Key_Escape)  # Esc is Cancel while sending
    assert p.sending_text.text().startswith("Cancelling")
    qtbot.waitUntil(lambda: p.stage == "confirm", timeout=15_000)
    note = p.confirm_note.text.text()
    assert note.startswith("Cancelled: nothing was refunded.") and "journal is busy" in note
    held.execute("ROLLBACK")
    assert rt(window).service.journal.query() == []
    assert s.requests_seen == seen


def test_cancel_is_hidden_once_the_refund_is_sent(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    sim(window).faults.delay_ms = 400  # within the fixture's 0.6 s read timeout
    to_confirm(qtbot, window, "5")
    qtbot.mouseClick(p.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Waiting for the answer" in p.sending_wait.text(), timeout=5000)
    assert not p.cancel_button.isVisible()
    QTest.keyClick(p, Qt.Key.Key_Escape)  # Esc is Cancel while sending: too late, no effect
    assert p.stage == "sending"
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.APPROVED


# ---- 2. Past the deadline: countdown, unknown, the window can close ---------------------------


@pytest.fixture
def silent_gateway(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> Iterator[SilentServer]:
    """After the lookup, refunds go to a server that reads the request and never answers,
    through the real Viopay client with connect 1 s + read 2 s (a deadline of 3 s)."""
    service = rt(window).service
    original = service.gateway
    with SilentServer() as server:
        quiet = viopay_client(
            ViopaySettings(
                base_url=server.url,
                terminal_id=vsim.TRAINING_TERMINAL_ID,
                key_id=vsim.TRAINING_KEY_ID,
                device_model="Training",
            ),
            hmac_secret=vsim.TRAINING_HMAC_SECRET,
            msk_hex=vsim.TRAINING_MSK_HEX,
            limits=Timeouts(connect=1, read=2),
        )

        def swap() -> None:
            service.gateway = quiet

        server.swap = swap  # type: ignore[attr-defined]
        yield server
        closing = asyncio.ensure_future(original.aclose())
        qtbot.waitUntil(closing.done, timeout=5000)


def test_countdown_to_the_deadline_then_unknown_and_the_window_closes(
    qtbot: QtBot, window: MainWindow, silent_gateway: SilentServer
) -> None:
    p = window.panel
    to_confirm(qtbot, window, "5")
    silent_gateway.swap()  # type: ignore[attr-defined]
    qtbot.mouseClick(p.confirm_button, Qt.MouseButton.LeftButton)
    seen: list[int] = []

    def countdown() -> bool:
        m = re.fullmatch(r"Waiting for the answer… (\d+) s", p.sending_wait.text())
        if m and (not seen or seen[-1] != int(m[1])):
            seen.append(int(m[1]))
        return len(seen) >= 2

    qtbot.waitUntil(countdown, timeout=5000)
    assert seen[:2] == [3, 2]  # connect 1 s + read 2 s, counting down
    assert p.sending_wait.isVisible() and not p.cancel_button.isVisible()
    assert not window.close() and window.isVisible()  # not while it may still be answered
    assert "at most" in window.statusBar().currentMessage()

    qtbot.waitUntil(lambda: p.stage == "result", timeout=6000)
    assert silent_gateway.connections >= 1
    assert b"/refund" in bytes(silent_gateway.received)  # the request did leave
    assert p.result_title.text().startswith("Outcome unknown")
    assert p.result_card.property("role") == "unknown"
    text = p.result_text.text()
    assert "did not answer in time" in text and "What to do" in text
    assert "Resolve by hand" in text and "Check now (F5)" in text
    assert p.resolve_button.isVisible()
    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.UNKNOWN
    assert not window.ops.busy
    qtbot.waitUntil(window.unknown_banner.isVisible, timeout=5000)
    assert window.close()
    assert not window.isVisible()


# ---- 3. Resolve by hand -----------------------------------------------------------------------


def unknown_refund(qtbot: QtBot, w: MainWindow) -> None:
    sim(w).faults.push("drop_after_commit")
    look_up(qtbot, w, CHARGE)
    refund(qtbot, w, "5")
    assert w.panel.result_title.text().startswith("Outcome unknown")
    qtbot.waitUntil(w.unknown_banner.isVisible, timeout=5000)


def dialog_shown(qtbot: QtBot, get: object) -> ResolveDialog:
    qtbot.waitUntil(lambda: get() is not None and get().isVisible(), timeout=3000)  # type: ignore[operator]
    d = get()  # type: ignore[operator]
    assert isinstance(d, ResolveDialog)
    return d


def as_training_manager(qtbot: QtBot, window: MainWindow) -> None:
    """Resolving is for managers: the training manager types the PIN, keyboard only."""
    qtbot.waitUntil(lambda: window.findChild(ManagerDialog) is not None, timeout=3000)
    gate = window.findChild(ManagerDialog)
    assert isinstance(gate, ManagerDialog)
    qtbot.waitUntil(gate.isVisible, timeout=3000)
    qtbot.waitUntil(gate.pad.pin.hasFocus, timeout=3000)
    QTest.keyClicks(gate.pad.pin, TRAINING_MANAGER_PIN, delay=80)  # a person's pace
    QTest.keyClick(gate.pad.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not (isValid(gate) and gate.isVisible()), timeout=3000)


def test_resolve_refunded_from_the_result_card_keyboard_only(
    qtbot: QtBot, window: MainWindow
) -> None:
    p = window.panel
    unknown_refund(qtbot, window)
    p.resolve_button.setFocus()
    QTest.keyClick(p.resolve_button, Qt.Key.Key_Return)
    as_training_manager(qtbot, window)
    d = dialog_shown(qtbot, lambda: p.resolve_dialog)
    assert d.explanation.text.text() == EXPLANATION
    assert "cannot be undone" in EXPLANATION and "recorded in the refund journal" in EXPLANATION
    focus = d.focusWidget
    assert focus() is d.refunded_radio and not d.record_button.isEnabled()

    QTest.keyClick(focus(), Qt.Key.Key_Return)  # nothing chosen: Enter records nothing
    assert d.isVisible() and "Choose" in d.hint.text()
    QTest.keyClick(focus(), Qt.Key.Key_Space)  # choose "It was refunded"
    assert d.refunded_radio.isChecked()
    assert d.name_edit.text() == TRAINING_MANAGER and d.name_edit.isReadOnly()
    QTest.keyClick(focus(), Qt.Key.Key_Return)  # no "what you saw" yet: not recorded
    assert d.isVisible() and focus() is d.seen_edit and "what you saw" in d.hint.text()
    QTest.keyClicks(focus(), "   ")
    QTest.keyClick(focus(), Qt.Key.Key_Return)  # blanks are not an answer
    assert d.isVisible() and not d.record_button.isEnabled()
    QTest.keyClicks(focus(), "portal shows the refund approved at 10:42")
    assert d.record_button.isEnabled()
    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.UNKNOWN  # nothing recorded so far
    QTest.keyClick(focus(), Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: not d.isVisible(), timeout=5000)
    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.APPROVED and attempt.resolved_by == TRAINING_MANAGER
    assert attempt.resolution == "portal shows the refund approved at 10:42"
    assert p.result_title.text() == "Refunded — checked by hand (training)"
    assert p.result_card.property("role") == "approved"
    assert p.result_by_hand.isVisible()
    assert f"Resolved by hand by {TRAINING_MANAGER}" in p.result_by_hand.text()
    assert not p.resolve_button.isVisible()
    qtbot.waitUntil(lambda: not window.unknown_banner.isVisible(), timeout=5000)


def test_resolve_not_refunded_from_the_banner_list(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    unknown_refund(qtbot, window)
    assert window.unknown_list_button.isVisible()
    qtbot.mouseClick(window.unknown_list_button, Qt.MouseButton.LeftButton)
    # Resolving by hand is for managers: in training, the training manager's PIN.
    qtbot.waitUntil(lambda: window.findChild(ManagerDialog) is not None, timeout=3000)
    gate = window.findChild(ManagerDialog)
    assert isinstance(gate, ManagerDialog)
    qtbot.waitUntil(gate.isVisible, timeout=3000)
    assert window.unresolved_dialog is None
    assert gate.pad.name() == TRAINING_MANAGER and gate.pad.names.isHidden()  # one manager
    QTest.keyClicks(gate.pad.pin, "9999", delay=80)  # faster would be a scanner
    QTest.keyClick(gate.pad.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(gate.pad.error.isVisible, timeout=3000)
    assert "Wrong PIN" in gate.pad.error.text.text() and window.unresolved_dialog is None
    QTest.keyClicks(gate.pad.pin, TRAINING_MANAGER_PIN, delay=80)
    QTest.keyClick(gate.pad.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.unresolved_dialog is not None, timeout=3000)
    listing = window.unresolved_dialog
    assert isinstance(listing, UnresolvedDialog)
    qtbot.waitUntil(lambda: listing.list.count() == 1, timeout=3000)
    assert CHARGE in listing.list.item(0).text() and "unknown" in listing.list.item(0).text()
    assert listing.resolve_button.isEnabled()
    QTest.keyClick(listing.list, Qt.Key.Key_Return)  # Enter on the row opens the dialog
    d = dialog_shown(qtbot, lambda: listing.dialog)

    qtbot.mouseClick(d.not_refunded_radio, Qt.MouseButton.LeftButton)
    assert d.name_edit.text() == TRAINING_MANAGER and d.name_edit.isReadOnly()  # the PIN said
    assert not d.record_button.isEnabled()  # "what you saw" is still empty
    d.seen_edit.setText("terminal's journal has no refund for this reference")
    qtbot.mouseClick(d.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not d.isVisible(), timeout=5000)

    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.FAILED and attempt.resolved_by == TRAINING_MANAGER
    qtbot.waitUntil(lambda: listing.list.count() == 0, timeout=3000)
    assert listing.empty.text() == "Nothing left to check."
    qtbot.waitUntil(lambda: not window.unknown_banner.isVisible(), timeout=5000)
    # The result card still on screen follows what was recorded.
    assert p.result_title.text() == "Not refunded (training)"
    assert f"Resolved by hand by {TRAINING_MANAGER}" in p.result_by_hand.text()
    assert not p.resolve_button.isVisible()
    listing.reject()
    # And the charge can be refunded again.
    p.new_refund()
    look_up(qtbot, window, CHARGE)
    assert p.action_button.isEnabled()


def test_resolve_refused_by_the_journal_says_why_and_stays_open(
    qtbot: QtBot, window: MainWindow
) -> None:
    p = window.panel
    unknown_refund(qtbot, window)
    p.manager_gate = lambda _why, then: then(None)  # a counter nobody signs in to: name typed
    p.resolve_by_hand()
    d = dialog_shown(qtbot, lambda: p.resolve_dialog)
    assert not d.name_edit.isReadOnly()
    [attempt] = rt(window).service.journal.query()
    # Someone else settles it first (Check now finds it on the gateway).
    checking = asyncio.ensure_future(rt(window).service.reconcile(attempt.key))
    qtbot.waitUntil(checking.done, timeout=5000)
    assert checking.result().state is State.APPROVED
    d.refunded_radio.setChecked(True)
    d.name_edit.setText("Ana")
    d.seen_edit.setText("portal")
    d.record()
    qtbot.waitUntil(d.error.isVisible, timeout=5000)
    assert "already approved" in d.error.text.text()
    assert d.isVisible() and d.name_edit.isEnabled()
    [after] = rt(window).service.journal.query()
    assert after.resolved_by is None
    d.reject()


# ---- 4. The new states in words ---------------------------------------------------------------


def test_new_states_read_the_same_everywhere(qtbot: QtBot, window: MainWindow) -> None:
    from cashier_gui.journal import Attempt
    from cashier_gui.ui.history import HistoryModel
    from cashier_gui.ui.ops import Operations
    from cashier_gui.ui.reader import ReaderWorker
    from cashier_gui.ui.states import STATE_COLOURS, state_label

    base = rt(window).service.journal.query()
    assert base == []
    fields = dict(
        provider="viopay",
        terminal="T",
        charge_id="ch_x",
        amount_minor=500,
        currency="EUR",
        reason=None,
        note=None,
        idempotency_key="k",
        operator="anna",
        training=False,
        refund_id=None,
        error_code=None,
        error_message=None,
        trace_id=None,
        created_at="2026-11-23T10:00:00Z",
        updated_at="2026-11-23T10:00:00Z",
    )
    rows = [
        Attempt(id=i, transaction_reference=f"R{i}", state=state, **fields)  # type: ignore[arg-type]
        for i, state in enumerate((State.SENT, State.NOT_SENT, State.CANCELLED))
    ]
    rows.append(
        Attempt(
            id=9,
            transaction_reference="R9",
            state=State.APPROVED,
            resolved_by="Ana",
            resolution="portal",
            **fields,  # type: ignore[arg-type]
        )
    )
    assert [state_label(a) for a in rows] == [
        "being sent",
        "not sent — nothing refunded",
        "cancelled",
        "approved — by hand (Ana)",
    ]
    assert set(STATE_COLOURS) == set(State)
    model = HistoryModel(ReaderWorker(rt(window).reader), Operations())
    model.rows = rows
    col = model.index(3, 1)
    assert model.data(col) == "approved — by hand (Ana)"
    assert "Resolved by hand by Ana" in model.data(col, Qt.ItemDataRole.ToolTipRole)
    for row in range(3):
        assert model.data(model.index(row, 1), Qt.ItemDataRole.ForegroundRole) is not None


def test_banner_tells_a_refund_being_sent_elsewhere_from_a_lost_answer(
    qtbot: QtBot, window: MainWindow
) -> None:

    from cashier_gui.money import Money

    other = SqliteJournal(rt(window).home.path)  # another window's journal
    try:
        attempt = other.prepare(
            NewAttempt(
                provider="viopay",
                terminal="TRAIN-002",
                charge_id="ch_train_jpy_12800",
                amount=Money(100, "JPY"),
                reason=None,
                note=None,
                transaction_reference="TRAIN-002-OTHER",
                key="other-key",
                operator="ben",
                training=True,
            )
        )
        window.refresh_banner()
        qtbot.waitUntil(window.unknown_banner.isVisible, timeout=3000)
        assert "1 refund is being sent" in window.unknown_text.text()
        assert "lost" not in window.unknown_text.text()
        assert not window.unknown_list_button.isVisible()  # nothing to resolve by hand
        other.send_or_cancel(attempt.key, lambda: True)
        window.refresh_banner()
        qtbot.waitUntil(lambda: not window.unknown_banner.isVisible(), timeout=3000)
    finally:
        other.close()


def test_what_you_saw_refuses_line_breaks_and_bidi_marks(qtbot: QtBot, window: MainWindow) -> None:
    p = window.panel
    unknown_refund(qtbot, window)
    p.resolve_button.setFocus()
    QTest.keyClick(p.resolve_button, Qt.Key.Key_Return)
    as_training_manager(qtbot, window)
    d = dialog_shown(qtbot, lambda: p.resolve_dialog)
    d.refunded_radio.setChecked(True)
    for pasted, char in (("portal\nshows rf_1", "U+000A"), ("portal \u202eshows", "U+202E")):
        d.seen_edit.setText(pasted)
        assert not d.record_button.isEnabled(), pasted
        assert "one line of plain text" in d.hint.text() and char in d.hint.text()
        d.record()  # Enter's path: nothing is recorded
        assert d.isVisible()
    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.UNKNOWN
    d.seen_edit.setText("portal shows rf_1")
    assert d.record_button.isEnabled() and d.hint.text() == ""
    d.record()
    qtbot.waitUntil(lambda: not d.isVisible(), timeout=5000)
    [attempt] = rt(window).service.journal.query()
    assert attempt.state is State.APPROVED and attempt.resolution == "portal shows rf_1"
