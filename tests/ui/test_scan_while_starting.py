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
