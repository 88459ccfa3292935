"""Run one async user action at a time: busy state, error routing, task references.

Every button that talks to the gateway goes through `Operations.run`. While a *foreground*
operation runs, `busy` is True and a second `run` is refused (returns None): a double click or a
second Enter does nothing. The busy state is reset in `finally`, whatever happens. Errors are
split three ways (as Electrum does): cancelled (silent), user-facing (`GatewayError`, money and
config errors: shown as plain text), and bugs (shown as a short apology through
`sys.excepthook`, which the app installs, so the window survives).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")
P = ParamSpec("P")
log = logging.getLogger(__name__)


def to_thread(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, T]:
    """`asyncio.to_thread`, with asyncio imported on first use: the modules the window builds
    before its first paint use this, so asyncio (≈ 20 ms) is imported after it."""
    import asyncio

    return asyncio.to_thread(func, *args, **kwargs)


def user_facing() -> tuple[type[Exception], ...]:
    """What counts as a sentence for the cashier: `errors.UserFacing`, as in the CLI."""
    from cashier_gui.errors import UserFacing

    return (UserFacing,)


class Operations(QObject):
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._busy = False
        tasks: set[asyncio.Task[Any]] = set()
        self._tasks = tasks
        # Its window is gone (deleted with its parent): whatever still runs has nobody to tell.
        self.destroyed.connect(lambda *_: [task.cancel() for task in list(tasks)])

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
        import asyncio  # not at module level: ≈ 30 ms the first paint does not need

        if foreground and self._busy:
            return None
        if foreground:
            self._set_busy(True)

        def gone() -> bool:  # the window that asked was closed and deleted meanwhile
            return not shiboken6.isValid(self)

        async def wrapper() -> None:
            try:
                result = await work()
            except asyncio.CancelledError:
                return
            except user_facing() as exc:
                if not _cancelled() and not gone():
                    on_error(exc)
                return
            except Exception as exc:
                log.exception("unexpected error in an operation")
                if gone():  # e.g. its own clean-up touched a deleted widget: nobody to show
                    return
                on_error(exc)
                sys.excepthook(type(exc), exc, exc.__traceback__)
                return
            finally:
                if foreground and not gone():
                    self._set_busy(False)
            if _cancelled() or gone():  # cancelled while the work was finishing: nobody waits
                return
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


def _cancelled() -> bool:
    import asyncio

    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def describe_error(exc: BaseException) -> str:
    """The sentence a cashier sees for an error: ours are written for them; a bug is not."""
    from cashier_gui.gateways.base import GatewayError

    if isinstance(exc, GatewayError):
        return exc.message
    if isinstance(exc, user_facing()):
        return str(exc)
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate(
        "Operations",
        "Something went wrong inside the app ({kind}). Try again; if it happens again, call "
        "support.",
    ).format(kind=type(exc).__name__)
