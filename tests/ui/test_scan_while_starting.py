"""A scan that arrives while the window still says "Starting…" (a cashier scans the moment the
window appears) is looked up once the refund screen is there — not dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from cashier_gui.ui.main_window import MainWindow

Factory = Callable[[bool, str], Any]


def _window(qtbot: QtBot, factory: Factory) -> MainWindow:
    w = MainWindow(factory, training=True)
    qtbot.addWidget(w)
    w.show()
    w.start()
    assert w.runtime is None and w.stack.currentWidget() is w.loading  # still "Starting…"
    return w


def _close(qtbot: QtBot, w: MainWindow) -> None:
    closing = asyncio.ensure_future(w.shutdown())
    qtbot.waitUntil(closing.done, timeout=10_000)


def test_a_scan_while_starting_is_looked_up_when_the_refund_screen_shows(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, training_factory: Factory
) -> None:
    w = _window(qtbot, training_factory)
    QTest.keyClicks(w, "ch_train_eur_4990")
    QTest.keyClick(w, Qt.Key.Key_Return)
    assert w.runtime is None  # typed before the runtime was open
    qtbot.waitUntil(lambda: w.runtime is not None, timeout=10_000)
    qtbot.waitUntil(lambda: w.panel.stage == "charge", timeout=10_000)
    assert w.panel.charge_edit.text() == "ch_train_eur_4990"
    _close(qtbot, w)


def test_text_typed_while_starting_without_enter_waits_in_the_charge_field(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, training_factory: Factory
) -> None:
    w = _window(qtbot, training_factory)
    QTest.keyClicks(w, "ch_train_jpy")
    qtbot.waitUntil(lambda: w.runtime is not None, timeout=10_000)
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.panel_scroll, timeout=10_000)
    assert w.panel.charge_edit.text() == "ch_train_jpy"
    assert w.panel.stage == "lookup"  # no Enter: nothing looked up
    _close(qtbot, w)


def test_alt_a_on_a_short_window_scrolls_the_amount_field_into_sight(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, training_factory: Factory
) -> None:
    """At 150 % on 1024×768 the form scrolls; after Esc from the confirm card the amount field
    was above the fold, and Alt+A gave it the focus without showing it: the cashier typed the
    amount into a field out of sight."""
    from tests.ui.test_refund_window import look_up

    w = _window(qtbot, training_factory)
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.panel_scroll, timeout=10_000)
    w.resize(1024, 420)  # short: the charge card and the form stack and scroll
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=3000)
    look_up(qtbot, w, "ch_train_eur_partly")
    p, area = w.panel, w.panel_scroll
    area.verticalScrollBar().setValue(area.verticalScrollBar().maximum())
    qtbot.wait(50)

    def in_sight() -> bool:
        top = p.amount_edit.mapTo(area.viewport(), p.amount_edit.rect().topLeft()).y()
        return top >= 0 and top + p.amount_edit.height() <= area.viewport().height()

    assert not in_sight()  # the set-up: the amount field is scrolled away
    QTest.keyClick(w, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(p.amount_edit.hasFocus, timeout=3000)
    qtbot.waitUntil(in_sight, timeout=3000)
    _close(qtbot, w)
