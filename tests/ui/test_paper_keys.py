"""Paper after a refund (issue 26 item 4): Print receipt and No receipt on the result card, by
mouse and by key; F1 lists every shortcut the window has (Ctrl+P included); no two mnemonics of
the window clash, in English and in German."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel, QMenu
from pytestqt.qtbot import QtBot

from cashier_gui.app import install_translators
from cashier_gui.journal import State
from cashier_gui.ui.main_window import MainWindow
from tests.ui.test_counter import A, look_up


@pytest.fixture(params=["en", "de"])
def language(request: Any, qapp: Any) -> Iterator[str]:
    """The window is built in this language (requested before `window`)."""
    assert install_translators(qapp, request.param) == request.param
    yield request.param
    install_translators(qapp, "en")


def refund_approved(qtbot: QtBot, w: MainWindow) -> None:
    p = w.panel
    look_up(qtbot, w, A)
    p.action_button.click()
    p.confirm_button.click()
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    assert p.attempt is not None and p.attempt.state is State.APPROVED


def printed(w: MainWindow) -> list[Any]:
    """The receipts asked for by the cashier (not the automatic print after each answer,
    which Settings decide)."""
    seen: list[Any] = []

    def receipt(attempt: Any, automatic: bool = False) -> None:
        if not automatic:
            seen.append((attempt.key, automatic))

    w.printing.receipt = receipt  # type: ignore[method-assign]
    return seen


def test_print_receipt_on_the_result_card_by_mouse(qtbot: QtBot, window: MainWindow) -> None:
    seen = printed(window)
    refund_approved(qtbot, window)
    rc = window.panel.result_card
    assert rc.print_button.isVisible() and rc.new_button.isVisible()
    qtbot.mouseClick(rc.print_button, Qt.MouseButton.LeftButton)
    assert seen == [(window.panel.attempt.key, False)]  # type: ignore[union-attr]
    assert window.panel.stage == "result"  # printing does not end the result
    # "No receipt": one click on to the next customer, nothing printed, nothing asked.
    assert rc.new_button.text().startswith("No receipt")
    qtbot.mouseClick(rc.new_button, Qt.MouseButton.LeftButton)
    assert window.panel.stage == "lookup" and len(seen) == 1
    assert window.panel.charge_edit.hasFocus()


def test_print_receipt_and_no_receipt_by_key(qtbot: QtBot, window: MainWindow) -> None:
    seen = printed(window)
    refund_approved(qtbot, window)
    p = window.panel
    QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert seen == [(p.attempt.key, False)]  # type: ignore[union-attr]
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # No receipt
    assert p.stage == "lookup" and len(seen) == 1


def test_a_declined_refund_offers_new_refund_not_no_receipt(
    qtbot: QtBot, window: MainWindow
) -> None:
    p = window.panel
    look_up(qtbot, window, "ch_train_usd_issuer_declines")
    p.action_button.click()
    p.confirm_button.click()
    qtbot.waitUntil(lambda: p.stage == "result", timeout=8000)
    rc = p.result_card
    assert rc.new_button.text().startswith("New refund") and rc.print_button.isVisible()


def shortcuts_of(w: MainWindow) -> list[QKeySequence]:
    keys = [a.shortcut() for a in w.actions() if not a.shortcut().isEmpty()]
    keys += [s.key() for s in w.findChildren(QShortcut)]
    return keys


def test_f1_lists_every_shortcut_of_the_window(
    language: str, qtbot: QtBot, window: MainWindow
) -> None:
    text = window.help_text()
    keys = shortcuts_of(window)
    names = {k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys}
    assert {"F1", "F5", "F6"} <= names and len(names) >= 8
    missing = [n for n in names if n not in text]
    assert missing == [], f"F1 ({language}) does not list {missing}"
    ctrl_p = QKeySequence("Ctrl+P").toString(QKeySequence.SequenceFormat.NativeText)
    assert ctrl_p in text


def mnemonic(text: str) -> str | None:
    m = re.search(r"&([^&\s])", text.replace("&&", ""))
    return m.group(1).lower() if m else None


def test_no_mnemonic_clash(language: str, qtbot: QtBot, window: MainWindow) -> None:
    """Within each menu; and between the menu bar and what the refund screen shows at each
    step (Alt+letter reaches both)."""
    bar = window.menuBar()
    top = [mnemonic(a.text()) for a in bar.actions()]
    assert None not in top and len(set(top)) == len(top), top
    for action in bar.actions():
        menu = action.menu()
        assert isinstance(menu, QMenu)
        letters = [mnemonic(a.text()) for a in menu.actions() if a.isVisible() and a.text()]
        letters = [x for x in letters if x]
        assert len(set(letters)) == len(letters), (action.text(), letters)
    p = window.panel
    look_up(qtbot, window, "ch_train_eur_today_2450")  # the void choice and the form
    for stage in ("charge", "result"):
        if stage == "result":
            refund_approved(qtbot, window)
        texts = [
            w.text()
            for w in p.findChildren(QAbstractButton) + p.findChildren(QLabel)
            if w.isVisible() and "&" in w.text() and (not isinstance(w, QLabel) or w.buddy())
        ]
        letters = [x for x in (mnemonic(t) for t in texts) if x]
        assert len(set(letters)) == len(letters), (stage, texts)
        assert not set(letters) & set(top), (stage, texts, top)
