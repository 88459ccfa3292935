from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from cashier_gui.gateways.base import Timeouts
from cashier_gui.runtime import Runtime, open_runtime
from cashier_gui.ui.main_window import MainWindow


@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the test's QApplication (see ../shared/design/stack-notes.md)."""
    import qasync

    from cashier_gui.app import apply_style

    apply_style(qapp)  # the real look
    loop = qasync.QEventLoop(qapp, already_running=True)
    workers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="qloop")
    loop.set_default_executor(workers)
    # Like qasync's own fixture: an exception nobody awaited fails the test instead of vanishing
    # into a log line (a task that died, a callback that raised).
    failures: list[str] = []

    def record(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        failures.append(f"{context.get('message')}: {exc!r}" if exc else str(context["message"]))

    loop.set_exception_handler(record)
    asyncio.set_event_loop(loop)
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    for _ in range(5):
        qapp.processEvents()
    loop.set_exception_handler(None)
    # Not loop.stop(): that would quit the QApplication for every later test.
    workers.shutdown(wait=True)
    asyncio.events._set_running_loop(None)  # qasync marked it running (already_running=True)
    asyncio.set_event_loop(None)
    if failures:
        pytest.fail("exceptions on the event loop:\n" + "\n".join(failures), pytrace=False)


Factory = Callable[[bool, str], Runtime]


@pytest.fixture
def runtimes(home: Path) -> Iterator[list[Runtime]]:
    made: list[Runtime] = []
    yield made
    for rt in made:
        for sim in rt.simulators:
            sim.stop()


@pytest.fixture
def training_factory(runtimes: list[Runtime]) -> Factory:
    def make(training: bool, provider: str) -> Runtime:
        rt = open_runtime(
            training=True,
            training_provider=provider,
            training_timeouts=Timeouts(connect=1, read=0.6),
        )
        runtimes.append(rt)
        return rt

    return make


@pytest.fixture
def window(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, training_factory: Factory
) -> Iterator[MainWindow]:
    w = MainWindow(training_factory, training=True)
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.runtime is not None, timeout=10_000)
    yield w
    closing = asyncio.ensure_future(w.shutdown())
    qtbot.waitUntil(closing.done, timeout=10_000)
