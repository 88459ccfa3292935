"""The window's daily check for refunds made outside this app (refunds/outside.py): at start
when it has not run on the shop's today yet, then once a day (a timer looks every hour), off
the GUI thread — look-ups on the event loop, the journal on its worker, the findings file on
a thread. Open findings stay in the banner until a manager acknowledges them (Acknowledge…)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from cashier_gui.ui.banner import OutsideBanner

if TYPE_CHECKING:
    import asyncio

    from cashier_gui.operators import Operator
    from cashier_gui.refunds.outside import OutsideRefund
    from cashier_gui.runtime import Runtime
    from cashier_gui.ui.ops import Operations

log = logging.getLogger(__name__)

# How often the window looks whether the day's check is due.
LOOK_EVERY_MS = 60 * 60 * 1000


class OutsideWatch(QObject):
    def __init__(
        self,
        parent: QObject,
        *,
        runtime: Callable[[], Runtime | None],
        background: Operations,
        as_manager: Callable[[str, Callable[[Operator | None], None]], None],
        money_locale: Callable[[str | None], str | None],
    ) -> None:
        """`money_locale`: how the window writes amounts, from the Number format setting."""
        super().__init__(parent)
        self._money_locale = money_locale
        self._runtime = runtime
        self._background = background
        self._as_manager = as_manager
        self.banner = OutsideBanner()
        self.banner.ack_button.clicked.connect(self.acknowledge)
        self.timer = QTimer(self)
        self.timer.setInterval(LOOK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self._task: asyncio.Task[None] | None = None
        # The last check's outcome, for people and tests: "checked", "not due", "unsupported"…
        self.last_outcome = ""

    def started(self, runtime: Runtime) -> None:
        """A runtime is ready: in training nothing is checked (no money moves); otherwise the
        check runs now if it has not today, and the timer looks again every hour."""
        if runtime.training:
            self.timer.stop()
            self.banner.show_findings([])
            return
        self.timer.start()
        self.check()

    def stop(self) -> None:
        self.timer.stop()

    @property
    def checking(self) -> bool:
        """A check is running (one cancelled with its runtime, at a restart, is not)."""
        return self._task is not None and not self._task.done()

    def check(self, *, force: bool = False) -> None:
        """Run the check when it is due on the shop's today (or `force`), then show the open
        findings; never on the GUI thread."""
        runtime = self._runtime()
        if runtime is None or runtime.training or self.checking:
            return

        async def work() -> list[OutsideRefund]:
            import asyncio  # not at module level: the first paint does without it

            from cashier_gui.refunds.outside import FindingsFile, check_outside, due

            findings = FindingsFile(runtime.paths.data_dir)
            last = await asyncio.to_thread(findings.last_check)
            if force or due(last, runtime.service.policy):
                check = await check_outside(runtime.service)
                if not check.supported:
                    self.last_outcome = "unsupported"
                else:
                    await asyncio.to_thread(findings.record, check, complete=not check.failed)
                    self.last_outcome = "incomplete" if check.failed else "checked"
            else:
                self.last_outcome = "not due"
            return await asyncio.to_thread(findings.open)

        def done(still_open: list[OutsideRefund]) -> None:
            if runtime is self._runtime():
                self._show(runtime, still_open)

        def failed(exc: BaseException) -> None:
            self.last_outcome = "failed"
            log.warning("the check for refunds made outside this app failed: %s", exc)

        self._task = self._background.run(work, on_success=done, on_error=failed, foreground=False)

    def _show(self, runtime: Runtime, still_open: list[OutsideRefund]) -> None:
        locale = self._money_locale(runtime.settings.locale)
        self.banner.show_findings([f.words(locale) for f in still_open])

    def acknowledge(self) -> None:
        """A manager has checked them with the payment service: they leave the banner (and
        `reconcile`'s exit code) and stay in the history; the changes log names who."""
        from PySide6.QtCore import QCoreApplication

        self._as_manager(
            QCoreApplication.translate(
                "MainWindow", "Acknowledging refunds made outside this app is for managers."
            ),
            self._acknowledge_as,
        )

    def _acknowledge_as(self, manager: Operator | None) -> None:
        runtime = self._runtime()
        if runtime is None:
            return

        async def work() -> list[OutsideRefund]:
            import asyncio

            return await asyncio.to_thread(_acknowledge_all, runtime, manager)

        def done(_acknowledged: list[OutsideRefund]) -> None:
            if runtime is self._runtime():
                self._show(runtime, [])

        self._background.run(
            work,
            on_success=done,
            on_error=lambda exc: log.warning("acknowledging failed: %s", exc),
            foreground=False,
        )


def _acknowledge_all(runtime: Runtime, manager: Operator | None) -> list[OutsideRefund]:
    """Blocks (file lock, disk): a worker thread's."""
    from cashier_gui.doors import record
    from cashier_gui.refunds.outside import FindingsFile
    from cashier_gui.runtime import operator_name

    by = manager.name if manager is not None else operator_name()
    done = FindingsFile(runtime.paths.data_dir).acknowledge(None, by=by)
    if done:
        record(
            runtime.paths,
            by,
            "acknowledge outside refunds",
            {f.refund_id: f"{f.amount.plain()} {f.currency} on {f.charge_id}" for f in done},
        )
    return done
