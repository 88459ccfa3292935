"""The main window: training banner, unknown-outcome banner, the refund screen, status bar.

It shows at once and connects afterwards: the runtime (keyring, journal, gateway, simulator in
training) is opened on a worker thread once the window has painted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cashier_gui.ui.banner import HomeBanner, JournalWatch, UnknownBanner
from cashier_gui.ui.ops import Operations, describe_error
from cashier_gui.ui.outside import OutsideWatch
from cashier_gui.ui.printing import Printing
from cashier_gui.ui.session import CounterSession, SessionWindow
from cashier_gui.ui.widgets import (
    MessageBox,
    StatusFit,
    WrappingScrollArea,
    label,
    plain_label,
    plain_tip,
    set_enum,
)
from cashier_gui.ui.window_actions import WindowActions

if TYPE_CHECKING:
    from cashier_gui.journal import Attempt
    from cashier_gui.operators import Operator, PeopleStore
    from cashier_gui.runtime import Runtime
    from cashier_gui.ui.refund_panel import RefundPanel
    from cashier_gui.ui.resolve import UnresolvedDialog
    from cashier_gui.ui.start_page import StartPage

RuntimeFactory = Callable[[bool, str], "Runtime"]  # (training, provider) -> Runtime; may block

PENDING_RECHECK_MS = 60_000


class MainWindow(QMainWindow):
    #: The runtime is open and the refund screen is usable.
    ready = Signal()

    def __init__(
        self, runtime_factory: RuntimeFactory, *, training: bool = False, provider: str = "viopay"
    ) -> None:
        super().__init__()
        self._factory = runtime_factory
        self._training_requested = training
        self._provider = provider
        self.runtime: Runtime | None = None
        self.ops = Operations(self)
        self.background = Operations(self)
        self.starter = Operations(self)  # opening the runtime: never refused, never stuck
        self._closing: set[Any] = set()
        self._checking = False  # a check of refunds without an answer is running
        self._banner_asked = 0  # runtimes being closed after a cancelled start
        self._checked_report: int | None = None  # a check's count, said with the banner's
        #: Who is signed in (the sign-in page, Ctrl+L, idle sign-out, manager-only actions).
        self.session = CounterSession(
            SessionWindow(
                main=self,
                runtime=lambda: self.runtime,
                panel=lambda: self.panel,
                people=self.counter_people,
                show_page=self._show_page,
                show_refund_screen=lambda: self.show_refund_screen(),
            )
        )
        self.printing = Printing(self, lambda: self.runtime.settings if self.runtime else None)
        #: History, Settings, People…, resolving by hand, report, help and About.
        self.window_actions = WindowActions(
            self,
            runtime=lambda: self.runtime,
            panel=lambda: self.panel,
            session=self.session,
            printing=self.printing,
            people=self.counter_people,
            start_real=lambda: self.start(training=False),
            refresh_banner=lambda: self.refresh_banner(),
            show_refund_screen=lambda: self.show_refund_screen(),
        )
        self.setWindowTitle(self.app_title())
        # Small enough for 1280×800 at 150 % (853×533 in Qt's pixels): the window always fits
        # the screen; what does not fit scrolls, and each step scrolls its actions into view.
        self.setMinimumSize(640, 480)
        self.fit_to_screen()

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.training_banner = QLabel(self.tr("TRAINING — no money moves"))
        self.training_banner.setObjectName("trainingBanner")
        set_enum(self.training_banner, "alignment", "AlignCenter")
        self.training_banner.setAccessibleName(self.tr("Training mode: no money moves"))
        self.training_banner.hide()
        column.addWidget(self.training_banner)
        # The settings seal does not hold (doors.py): every cashier's refund asks a manager.
        self.seal_banner = MessageBox(self.tr("Settings changed outside a manager's save"))
        column.addWidget(self.seal_banner)

        self.unknown_banner = UnknownBanner()
        self.unknown_text = self.unknown_banner.text
        self.unknown_button = self.unknown_banner.check_button
        self.unknown_list_button = self.unknown_banner.list_button
        self.unknown_button.clicked.connect(self.reconcile)
        self.unknown_list_button.clicked.connect(self.window_actions.open_unresolved)
        column.addWidget(self.unknown_banner)
        # Refunds made outside this app: the daily check and its banner (ui/outside.py).
        self.outside = OutsideWatch(
            self,
            runtime=lambda: self.runtime,
            background=self.background,
            as_manager=self.window_actions.as_resolver,
            money_locale=window_money_locale,
        )
        column.addWidget(self.outside.banner)
        self.home_banner = HomeBanner()
        column.addWidget(self.home_banner)
        self.journal_watch = JournalWatch(self)
        self.journal_watch.changed.connect(self._journal_changed)

        self.stack = QStackedWidget()
        self.loading = QWidget()
        lay = QVBoxLayout(self.loading)
        self.loading_text = label(self.tr("Starting…"), role="title")
        set_enum(self.loading_text, "alignment", "AlignCenter")
        lay.addWidget(self.loading_text)
        self.stack.addWidget(self.loading)
        # The other pages are built when first shown, after the first paint: the refund screen
        # by start() (see app.run), the start page when a start fails, the sign-in page when
        # someone must sign in (ui/session.py).
        self._start_page: StartPage | None = None
        # Keys typed while "Starting…" shows (a scan the moment the window appears): put in
        # the charge field, and looked up when an Enter ended them, once the refund screen
        # shows; dropped when another page (sign-in, start page) comes first: never a PIN.
        self._early_text: list[str] = []
        self._early_enter = False
        self.panel: RefundPanel = None  # type: ignore[assignment]
        self._panel_scroll: WrappingScrollArea | None = None
        self.stack.currentChanged.connect(self._page_changed)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        bar = self.statusBar()
        self.status_provider = plain_label()
        self.status_terminal = plain_label()  # from the settings: text, never markup
        self.status_conn = plain_label()
        self.status_badge = QLabel("")  # "TRAINING" in training (StatusFit shows what has text)
        self.status_badge.setObjectName("trainingBadge")
        self.status_badge.hide()
        for w in (
            self.session.name_label,
            self.status_badge,
            self.status_provider,
            self.status_terminal,
            self.status_conn,
        ):
            bar.addPermanentWidget(w)
        # Dropped first when narrow: the terminal, the provider, the badge (the yellow banner
        # says training too).
        self.status_fit = StatusFit(
            bar, [self.status_terminal, self.status_provider, self.status_badge]
        )
        self._build_menu()

        self.pending_timer = QTimer(self)
        self.pending_timer.setInterval(PENDING_RECHECK_MS)
        self.pending_timer.timeout.connect(self.recheck_pending)

    def app_title(self) -> str:
        """The window's title in its language (APP_NAME stays the program's name elsewhere)."""
        return self.tr("Cashier Refunds")

    def fit_to_screen(self) -> None:
        """Open at 1100×760, or smaller to fit the screen's available area (1024×768 counters:
        the taskbar takes some of it), placed inside it; maximized when the screen is small."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(1100, 760)
            return
        area = screen.availableGeometry()
        frame = 40  # the window manager's title bar and borders, roughly
        width = min(1100, area.width())
        height = min(760, area.height() - frame)
        self.resize(width, height)
        self.move(area.left() + (area.width() - width) // 2, area.top())
        if area.width() < 1280 or area.height() < 800:
            self.setWindowState(self.windowState() | QtCore.Qt.WindowState.WindowMaximized)

    def _build_menu(self) -> None:
        from cashier_gui.ui.refund.keys import MenuBarKeys

        menu = self.menuBar()
        # A tap of Alt gives the menu bar the keyboard: a scan's letters after it are handed
        # back to the focused widget, never taken as menu mnemonics (ui/refund/keys.py).
        self.menu_keys = MenuBarKeys(menu)
        refund = menu.addMenu(self.tr("R&efund"))  # Alt+R is the reason field
        self._action(refund, self.tr("&New refund"), "Ctrl+N", self._new_refund)
        self._action(refund, self.tr("&Check refunds with no answer"), "F5", self.reconcile)
        actions = self.window_actions
        self._action(refund, self.tr("&History…"), "Ctrl+H", actions.open_history)
        self._action(refund, self.tr("&Print receipt"), "Ctrl+P", actions.print_receipt)
        self._action(refund, self.tr("End-of-shift &report…"), None, actions.open_report)
        # Re&solve: "r" is End-of-shift &report's (tests/ui/test_paper_keys.py: no clash).
        self._action(refund, self.tr("Re&solve by hand…"), None, actions.open_unresolved)
        refund.addSeparator()
        self._action(refund, self.tr("&Quit"), "Ctrl+Q", self.close)
        counter = menu.addMenu(self.tr("&Counter"))
        self._action(counter, self.tr("Sign &out"), "Ctrl+L", self.sign_out)
        self._action(counter, self.tr("&People…"), None, actions.open_people)
        self._action(counter, self.tr("&Settings…"), None, actions.open_settings)
        self.training_action = self._action(
            counter, self.tr("Switch to &training mode"), None, lambda: self.start(training=True)
        )
        self.real_action = self._action(
            counter, self.tr("Leave training mode"), None, actions.leave_training
        )
        self.real_action.setVisible(False)
        helpm = menu.addMenu(self.tr("&Help"))
        self._action(
            helpm, self.tr("&How refunds work and shortcuts"), "F1", actions.show_shortcuts
        )
        self._action(helpm, self.tr("&About"), None, actions.show_about)

    def _action(
        self, menu: Any, text: str, shortcut: str | None, slot: Callable[[], Any]
    ) -> QAction:
        # QAction(parent), then its text: QAction(text, parent) has PySide try the overload
        # with a QIcon first, creating QIcon's Python type and its 151-member enum before the
        # first paint (app.set_window_icon).
        action = QAction(self)
        action.setText(text)
        # The shortcut as text, converted by Qt: QKeySequence(text) has PySide weigh overloads
        # that take Qt's key enums (PySide's whole `Qt` namespace: see widgets.set_enum).
        if shortcut and not action.setProperty("shortcut", shortcut):
            raise ValueError(f"not a shortcut: {shortcut!r}")
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.addAction(action)
        return action

    # ---- start-up -------------------------------------------------------------------------

    def start(self, *, training: bool | None = None, provider: str | None = None) -> None:
        """Open (or re-open) the runtime on a worker thread; the window stays responsive.
        Work in the background (a check, a lookup, an earlier start) is cancelled first and the
        old runtime is always closed, so the window never stays on "Starting…"."""
        self._ensure_panel()
        if self.panel.stage in ("confirm", "sending"):
            self.statusBar().showMessage(
                self.tr(
                    "A refund is on the confirm card or being sent: finish or cancel it first."
                ),
                10_000,
            )
            return
        training = self._training_requested if training is None else training
        provider = provider or self._provider
        self._training_requested = training
        for ops in (self.ops, self.background, self.starter):
            ops.cancel_all()
        self.pending_timer.stop()
        self.loading_text.setText(
            self.tr("Starting training mode…") if training else self.tr("Connecting…")
        )
        self.stack.setCurrentWidget(self.loading)
        self.unknown_banner.hide()
        old = self.runtime
        self.runtime = None
        self.panel.set_service(None)
        factory = self._factory

        async def work() -> Any:
            import asyncio

            if old is not None:
                await asyncio.shield(old.aclose())  # closed even when this start is cancelled
            opening = asyncio.ensure_future(asyncio.to_thread(factory, training, provider))
            try:
                runtime = await asyncio.shield(opening)
            except asyncio.CancelledError:
                opening.add_done_callback(self._close_unused)
                raise
            try:
                await runtime.service.recover()
            except BaseException:
                await asyncio.shield(runtime.aclose())
                raise
            return runtime

        self.starter.run(
            work, on_success=self._started, on_error=self._start_failed, foreground=False
        )

    def _close_unused(self, opening: Any) -> None:
        """A runtime opened for a start that was cancelled meanwhile: close it."""
        import asyncio

        if opening.cancelled() or opening.exception() is not None:
            return
        task = asyncio.ensure_future(opening.result().aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _new_refund(self) -> None:
        if self.panel is not None:
            self.panel.new_refund()

    @property
    def start_page(self) -> StartPage:
        """The start page (set up the counter, or practise), built the first time it is
        shown: a counter not set up yet, or a start that failed."""
        if self._start_page is None:
            from cashier_gui.ui.start_page import StartPage

            page = StartPage()
            page.training_button.clicked.connect(lambda: self.start(training=True))
            page.setup_button.clicked.connect(self.window_actions.open_settings)
            self.stack.addWidget(page)
            self._start_page = page
        return self._start_page

    @property
    def panel_scroll(self) -> WrappingScrollArea:
        """The refund screen's page: the refund panel in a scroll area (built with the panel)."""
        if self._panel_scroll is None:
            self._panel_scroll = WrappingScrollArea()
            self.stack.addWidget(self._panel_scroll)
        return self._panel_scroll

    def _ensure_panel(self) -> None:
        if self.panel is not None:
            return
        from cashier_gui.ui.refund_panel import RefundPanel

        self.panel = RefundPanel(self.ops, operator=lambda: self.session.operator)
        self.panel_scroll.setWidget(self.panel)
        self.panel.check_requested.connect(self.reconcile)
        self.panel.print_requested.connect(self.window_actions.print_receipt)
        self.panel.connection_changed.connect(self._connection)
        self.panel.finished.connect(self._refund_finished)
        self.panel.sign_in_needed.connect(self.session.sign_out)
        self.panel.manager_gate = self.window_actions.as_resolver

    def _started(self, runtime: Runtime) -> None:
        self.runtime = runtime
        training = bool(runtime.training)
        self.training_banner.setVisible(training)
        self.training_action.setVisible(not training)  # not offered while in training
        self.real_action.setVisible(training)
        self.status_badge.setText(self.tr("TRAINING") if training else "")
        self.status_badge.setVisible(training)
        self.setWindowTitle(
            self.tr("{app} — TRAINING").format(app=self.app_title())
            if training
            else self.app_title()
        )
        if runtime.service.policy.seal_broken and not training:
            from cashier_gui.doors import Seal, seal_words

            self.seal_banner.show_message(seal_words(Seal.BROKEN) or "")
        else:
            self.seal_banner.clear()
        self.status_provider.setText(runtime.provider_label)
        self.status_terminal.setText(
            self.tr("Terminal {terminal}").format(terminal=runtime.terminal)
        )
        self._connection(True, "")
        self.status_fit.fit()
        self.panel.set_service(
            runtime.service,
            training=training,
            locale=window_money_locale(runtime.settings.locale),
            default_currency=runtime.settings.default_currency or "USD",
            practice=runtime.training_ids,
        )
        self.panel.operators = runtime.operators if training else runtime.people
        self.ready.emit()
        self.pending_timer.start()
        self.reconcile()  # attempts left without an answer last time, if any
        runtime.service.journal.watch(self.journal_watch.notice)  # other counters, a shop
        self.home_banner.show_unavailable(runtime.service.home_unavailable())
        self.outside.started(runtime)  # refunds made outside this app: once a day
        self.session.runtime_started(runtime, self.show_refund_screen)

    def _journal_changed(self, charge_id: str) -> None:
        """Another counter changed an attempt (or the shop server came or went)."""
        runtime = self.runtime
        if runtime is None:
            return
        self.home_banner.show_unavailable(runtime.service.home_unavailable())
        self.refresh_banner()
        if self.panel is not None:
            self.panel.journal_changed(charge_id)

    def _show_page(self, page: QWidget) -> None:
        """Put `page` in front, adding it to the window's pages the first time (the sign-in
        page is built only when someone must sign in)."""
        if self.stack.indexOf(page) < 0:
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)

    def show_refund_screen(self) -> None:
        """Someone may refund now (signed in, or nobody needs to)."""
        text, enter = "".join(self._early_text), self._early_enter
        self._early_text, self._early_enter = [], False
        self.stack.setCurrentWidget(self.panel_scroll)
        self.panel.new_refund()
        if text.strip():
            self.panel.charge_edit.setText(text.strip())
            if enter:
                self.panel.lookup()
        QTimer.singleShot(50, self.panel.warm_up)

    def keyPressEvent(self, event: Any) -> None:
        """While "Starting…" shows nothing has the focus: keep what is typed (a scan)."""
        if self.stack.currentWidget() is self.loading and not self._early_enter:
            keys = QtCore.Qt.Key
            if event.key() in (keys.Key_Return, keys.Key_Enter):
                self._early_enter = bool(self._early_text)
                event.accept()
                return
            text = event.text()
            if text and text.isprintable() and len(self._early_text) < 200:
                self._early_text.append(text)
                event.accept()
                return
        super().keyPressEvent(event)

    def _page_changed(self, _index: int) -> None:
        page = self.stack.currentWidget()
        if page is not self.loading and page is not self._panel_scroll:
            self._early_text, self._early_enter = [], False  # sign-in or start page: dropped

    def sign_out(self) -> None:
        self.session.sign_out()

    @property
    def operator(self) -> Operator | None:
        return self.session.operator

    def counter_people(self) -> PeopleStore:
        """The real counter's people (`runtime.people_home`: its file, or its shop's): also in
        training, where managers are still real people. Before a runtime, the default folder's
        (its settings say whether it has joined a shop)."""
        runtime = self.runtime
        if runtime is not None:
            return runtime.people
        from cashier_gui.config import Paths
        from cashier_gui.runtime import people_of

        return people_of(Paths.default())

    # ---- the other windows (WindowActions) --------------------------------------------------

    def open_history(self) -> None:
        self.window_actions.open_history()

    def open_report(self) -> None:
        self.window_actions.open_report()

    def print_receipt(self) -> None:
        self.window_actions.print_receipt()

    def open_settings(self) -> None:
        self.window_actions.open_settings()

    def open_people(self) -> None:
        self.window_actions.open_people()

    def open_unresolved(self) -> None:
        self.window_actions.open_unresolved()

    @property
    def unresolved_dialog(self) -> UnresolvedDialog | None:
        return self.window_actions.unresolved_dialog

    @staticmethod
    def help_text() -> str:
        return WindowActions.help_text()

    def _start_failed(self, exc: BaseException) -> None:
        from cashier_gui.gateways.base import NotConfigured

        self.stack.setCurrentWidget(self.start_page)
        if isinstance(exc, NotConfigured):
            self.start_page.problem.clear()
        else:
            self.start_page.problem.show_message(describe_error(exc))
        self.start_page.training_button.setFocus()

    # ---- unknown outcomes and pending --------------------------------------------------------

    def refresh_banner(self) -> None:
        """Re-count the refunds with no answer (read on the journal's thread)."""
        runtime = self.runtime
        if runtime is None:
            self.unknown_banner.hide()
            return
        # Never refused (a check may be running); only the latest count is shown.
        self._banner_asked += 1
        asked = self._banner_asked

        def show(unresolved: list[Attempt]) -> None:
            if asked == self._banner_asked:
                self._show_unresolved(unresolved)

        self.background.run(
            runtime.service.unresolved, on_success=show, on_error=lambda exc: None, foreground=False
        )

    def _show_unresolved(self, unresolved: list[Attempt]) -> None:
        self.unknown_banner.show_unresolved(unresolved)
        checked, self._checked_report = self._checked_report, None
        if checked is not None:
            self.statusBar().showMessage(
                self.tr("Checked: {checked}; still without an answer: {left}.").format(
                    checked=checked, left=len(unresolved)
                ),
                10_000,
            )

    def reconcile(self) -> None:
        runtime = self.runtime
        if runtime is None or self._checking:
            return
        self._checking = True
        self.unknown_banner.set_checking(True)

        def done(results: list[Attempt]) -> None:
            self._reconciled()
            if self.panel is not None:
                for attempt in results:
                    self.panel.attempt_changed(attempt)
                self.panel.reconciled()  # the charge card and its list catch up
            if results:
                # Said once the banner has counted again: both tell the same number.
                self._checked_report = len(results)

        def failed(exc: BaseException) -> None:
            self._reconciled()
            self.statusBar().showMessage(describe_error(exc), 10_000)

        async def work() -> list[Attempt]:
            results: list[Attempt] = await runtime.service.reconcile_all()
            results += await runtime.service.recheck_pending()  # on demand too
            return results

        # Not refused while a pending re-check runs: F5 always does what it says.
        self.background.run(work, on_success=done, on_error=failed, foreground=False)

    def _reconciled(self) -> None:
        self._checking = False
        self.unknown_banner.set_checking(False)
        self.refresh_banner()
        self.refresh_practice()  # a lost answer found refunded: its receipt has less left

    def recheck_pending(self) -> None:
        runtime = self.runtime
        if runtime is None or self.background.running:
            return

        def done(changed: list[Attempt]) -> None:
            if changed:
                self.statusBar().showMessage(
                    self.tr("Pending refunds with their final answer now: {n}.").format(
                        n=len(changed)
                    ),
                    10_000,
                )

        self.background.run(
            runtime.service.recheck_pending, on_success=done, on_error=lambda exc: None
        )

    def _refund_finished(self, attempt: Attempt) -> None:
        self.refresh_banner()
        self.printing.receipt(attempt, automatic=True)  # when Settings say so
        self.refresh_practice()

    def refresh_practice(self) -> None:
        """Training: the practice list says again what each receipt has left to refund (read
        off the GUI thread, from the simulator)."""
        import asyncio

        runtime = self.runtime
        listing = runtime.practice_list if runtime is not None else None
        if listing is None or self.panel is None:
            return
        panel = self.panel
        self.background.run(
            lambda: asyncio.to_thread(listing),
            on_success=panel.show_practice,
            on_error=lambda exc: None,  # the list keeps its last words
            foreground=False,
        )

    def _connection(self, ok: bool, why: str) -> None:
        self.status_conn.setToolTip(plain_tip(why) or "")  # a server's words stay words
        name = "connOk" if ok else "connBad"
        if self.status_conn.objectName() == name:
            return
        self.status_conn.setObjectName(name)
        self.status_conn.setText(self.tr("● Connected") if ok else self.tr("● No connection"))
        self.status_conn.style().unpolish(self.status_conn)
        self.status_conn.style().polish(self.status_conn)

    # ---- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.panel is not None and self.panel.stage == "sending":
            left = self.panel.seconds_left()
            self.statusBar().showMessage(
                self.tr("A refund is being sent: wait for its answer before closing.")
                if left is None
                else self.tr(
                    "A refund is being sent: wait for its answer (at most {seconds} s) before "
                    "closing."
                ).format(seconds=left),
                10_000,
            )
            event.ignore()
            return
        self.pending_timer.stop()
        self.outside.stop()
        event.accept()

    async def shutdown(self) -> None:
        from shiboken6 import isValid

        if self.panel is not None and isValid(self.panel):
            self.panel.set_service(None)  # nothing new starts on a runtime being closed
        for ops in (self.ops, self.background, self.starter):
            ops.cancel_all()
        if self.runtime is not None:
            runtime, self.runtime = self.runtime, None
            runtime.service.journal.watch(lambda _charge: None)  # nobody to tell any more
            await runtime.aclose()


def window_money_locale(setting: str | None) -> str | None:
    """How amounts are written in the window: the Number format setting when set; else the
    PC's, unless the window speaks another language than the PC's locale (German window on an
    English PC: "12,50 €", not "€12.50" inside German sentences)."""
    from cashier_gui.money import window_locale

    return window_locale(setting)
