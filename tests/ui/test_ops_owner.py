"""Operations whose window is closed and deleted while they run: cancelled, nobody called back."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from cashier_gui.ui.ops import Operations


def test_deleting_the_owner_cancels_its_work_and_calls_nothing(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    owner = QWidget()
    ops = Operations(owner)
    gate = asyncio.Event()
    calls: list[str] = []
    ended: list[str] = []

    async def work() -> int:
        calls.append("started")
        try:
            await gate.wait()
        except asyncio.CancelledError:
            ended.append("cancelled")
            raise
        return 1

    task = ops.run(
        work, on_success=lambda _: calls.append("ok"), on_error=lambda _: calls.append("error")
    )
    assert task is not None and ops.busy
    qtbot.waitUntil(lambda: calls == ["started"], timeout=2000)
    owner.deleteLater()
    qtbot.waitUntil(task.done, timeout=2000)
    assert ended == ["cancelled"] and calls == ["started"]  # and the qloop fixture saw no exception


def test_a_failure_after_the_owner_is_gone_is_not_shown(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    owner = QWidget()
    ops = Operations(owner)
    calls: list[str] = []

    async def work() -> int:
        calls.append("started")
        try:
            await asyncio.sleep(3600)
        finally:
            # e.g. re-enabling a button of the deleted window in its clean-up
            raise RuntimeError("Internal C++ object already deleted.")

    task = ops.run(
        work, on_success=lambda _: calls.append("ok"), on_error=lambda e: calls.append(str(e))
    )
    assert task is not None
    qtbot.waitUntil(lambda: calls == ["started"], timeout=2000)
    owner.deleteLater()
    qtbot.waitUntil(task.done, timeout=2000)
    assert calls == ["started"] and not task.cancelled() and task.exception() is None
