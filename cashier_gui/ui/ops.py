"""Run one async user action at a time: busy state, error routing, task references.

Every button that talks to the gateway goes through `Operations.run`. While a *foreground*
operation runs, `busy` is True and a second `run` is refused (returns None): a double click or a
second Enter does nothing. The busy state is reset in `finally`, whatever happens. Errors are
split three ways (as Electrum does): cancelled (silent), user-facing (`GatewayError`, money and
config errors: shown as plain text), and bugs (shown as a short apology through
`sys.excepthook`, which the app installs, so the window survives).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from cashier_gui.config import ConfigError
from cashier_gui.gateways.base import GatewayError
from cashier_gui.money import MoneyError
from cashier_gui.secrets import KeyringUnavailable

T = TypeVar("T")
log = logging.getLogger(__name__)

USER_FACING = (GatewayError, MoneyError, ConfigError, KeyringUnavailable)


class Operations(QObject):
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._busy = False
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def busy(self) -> bool:
        return self._busy

    def run(
        self,
        work: Callable[[], Awaitable[T]],
        *,
        on_success: Callable[[T], None],
        on_error: Callable[[BaseException], None],
        foreground: bool = True,
    ) -> asyncio.Task[None] | None:
        """Start `work()`; None (nothing started) when a foreground operation is running."""
        if foreground and self._busy:
            return None
        if foreground:
            self._set_busy(True)

        async def wrapper() -> None:
            try:
                result = await work()
            except asyncio.CancelledError:
                return
            except USER_FACING as exc:
                on_error(exc)
                return
            except Exception as exc:
                log.exception("unexpected error in an operation")
                on_error(exc)
                sys.excepthook(type(exc), exc, exc.__traceback__)
                return
            finally:
                if foreground:
                    self._set_busy(False)
            try:
                on_success(result)
            except Exception as exc:  # a bug in the display code: report, keep the window
                log.exception("unexpected error while showing a result")
                sys.excepthook(type(exc), exc, exc.__traceback__)

        task = asyncio.ensure_future(wrapper())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    @property
    def running(self) -> int:
        return len(self._tasks)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
