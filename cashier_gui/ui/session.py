"""Who is signed in at the window, and for how long.

`CounterSession` owns the sign-in page, the status bar's name, Ctrl+L, the idle sign-out and the
gate in front of manager-only actions. Rules (see `cashier_gui.operators` for the people file):

- A counter without operators works as before: nobody signs in, refunds are made as this PC's
  user, and every action is open (a one-person shop; People… adds the first manager).
- With operators, the refund screen is shown only to a signed-in person; the journal records
  that person on every event (`RefundService.act_as`).
- Training needs no sign-in: the trainee is signed in, and approvals are practised with the
  training manager (`runtime.TRAINING_MANAGER`, PIN 1234, shown on the approval card).
- Sign-out (Ctrl+L, or `idle_sign_out_minutes` without a key or a click) drops an unsent refund,
  closes open dialogs (Settings may show secrets' state) and never interrupts a refund being
  sent: it waits for the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QWidget

from cashier_gui.ui.ops import Operations, describe_error, to_thread
from cashier_gui.ui.widgets import set_enum

if TYPE_CHECKING:
    from cashier_gui.operators import Operator, PeopleStore
    from cashier_gui.runtime import Runtime
    from cashier_gui.ui.refund_panel import RefundPanel
    from cashier_gui.ui.signin import SignInPage

_ACTIVITY = (
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
)
log = logging.getLogger(__name__)
RETRY_MS = 5_000  # a refund is being sent when the idle time ran out: look again this soon


class SessionWindow(NamedTuple):
    """What the session needs of the window it serves, handed in by the window. (A NamedTuple,
    not a frozen dataclass: the dataclasses module and its generated methods cost ≈ 1.5 ms
    before the first paint.)"""

    #: The window itself: the dialogs' parent, the status bar, the window to bring forward.
    main: QMainWindow
    #: The open runtime, or None while starting (or when it failed).
    runtime: Callable[[], Runtime | None]
    #: The refund screen, or None before the first start.
    panel: Callable[[], RefundPanel | None]
    #: The real counter's people (also in training: managers are real people).
    people: Callable[[], PeopleStore]
    #: Put a page (the sign-in page) in front.
    show_page: Callable[[QWidget], None]
    #: Someone may refund now: show the refund screen.
    show_refund_screen: Callable[[], None]


class CounterSession(QObject):
    def __init__(self, window: SessionWindow) -> None:
        super().__init__(window.main)
        self.window = window
        self.operator: Operator | None = None
        self.since: str | None = None  # when they signed in (UTC, as the journal stores it)
        self.store: PeopleStore | None = None
        self.has_people = False  # the counter's operators file names someone
        self.ops = Operations(self)
        self._page: SignInPage | None = None
        self.name_label = QLabel("")
        set_enum(self.name_label, "textFormat", "PlainText")  # a person's name, as typed
        self.name_label.setObjectName("operatorName")
        self.name_label.setAccessibleName(self.tr("Signed in"))
        self.name_label.hide()
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._idle_out)
        self.idle_ms = 0  # 0: never (set from the settings when a runtime starts)
        self._watching = False  # the application's events pass eventFilter (see _idle_start)

    @property
    def page(self) -> SignInPage:
        """The sign-in page, built the first time it is needed — never before the first paint
        (training and a counter without people never show it; its keypad and scroll area cost
        ≈ 10 ms to build)."""
        if self._page is None:
            from cashier_gui.ui.signin import SignInPage

            self._page = SignInPage()
            self._page.signed_in.connect(self._signed_in)
        return self._page

    # ---- the runtime ---------------------------------------------------------------------

    def runtime_started(self, runtime: Runtime, show_panel: Callable[[], None]) -> None:
        """Decide who works the counter now; `show_panel()` when someone may."""
        minutes = int(runtime.settings.idle_sign_out_minutes)
        self.idle_ms = minutes * 60_000
        if runtime.training:
            self.store, self.has_people = runtime.operators, False
            self._set(runtime.trainee, runtime)
            show_panel()
            return
        store = runtime.people

        def decided(people: list[Operator]) -> None:
            self.store, self.has_people = store, bool(people)
            keep = self.operator
            if not people:
                self._set(None, runtime)
                show_panel()
            elif keep is not None and any(op == keep for op in people):
                self._set(keep, runtime)  # Settings saved by a manager: still them
                show_panel()
            else:
                self._set(None, runtime)
                self.show_sign_in(store, people)

        def failed(exc: BaseException) -> None:
            self._set(None, runtime)
            self.store, self.has_people = store, True
            self.show_sign_in(store, [])
            self.page.pad.error.show_message(describe_error(exc))

        self.ops.run(lambda: to_thread(store.list), on_success=decided, on_error=failed)

    def show_sign_in(
        self, store: PeopleStore, people: list[Operator], message: str | None = None
    ) -> None:
        self.page.set_people(store, people)
        self.page.start(message)
        self.window.show_page(self.page)
        self.window.main.activateWindow()  # a dialog may have had the keyboard
        self.page.pad.pin.setFocus()

    def _set(self, operator: Operator | None, runtime: Runtime | None = None) -> None:
        if operator != self.operator or self.since is None:
            from cashier_gui.journal import utcnow

            self.since = utcnow() if operator is not None else None
        self.operator = operator
        runtime = runtime or self.window.runtime()
        if runtime is not None:
            runtime.service.act_as(operator)
        if operator is None:
            self.name_label.hide()
            self._idle_stop()
            return
        if runtime is not None and runtime.training:
            text = self.tr("{name} (training)").format(name=operator.name)
        elif operator.is_manager:
            text = self.tr("{name} · manager").format(name=operator.name)
        else:
            text = operator.name
        self.name_label.setText(text)
        self.name_label.show()
        self._restart_idle()

    def _signed_in(self, operator: Operator) -> None:
        held = self.page.held_scan
        self._set(operator)
        self.window.show_refund_screen()
        self.window.main.statusBar().showMessage(
            self.tr("Signed in: {name}. Ctrl+L signs out.").format(name=operator.name), 5_000
        )
        panel = self.window.panel()
        if held and panel is not None:
            panel.charge_edit.setText(held)
            panel.lookup()

    # ---- signing out ---------------------------------------------------------------------

    def sign_out(self, message: str | None = None) -> bool:
        """Back to the sign-in page; False (and why, in the status bar) when not now."""
        window = self.window.main
        runtime = self.window.runtime()
        if runtime is None or runtime.training or not self.has_people or self.store is None:
            window.statusBar().showMessage(
                self.tr("Training needs no sign-in.")
                if runtime is not None and runtime.training
                else self.tr(
                    "Nobody signs in on this counter: a manager adds people in Counter → People…"
                ),
                8_000,
            )
            return False
        panel = self.window.panel()
        if panel is not None and panel.stage == "sending":
            window.statusBar().showMessage(
                self.tr("A refund is being sent: you can sign out once it has its answer."),
                8_000,
            )
            return False
        for dialog in window.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()
        if panel is not None:
            panel.new_refund()
        gone = self.operator
        self._set(None)
        store = self.store

        def listed(people: list[Operator]) -> None:
            self.show_sign_in(store, people, message)

        def out_then_list() -> list[Operator]:
            # At a shop the server ends the sign-in session (its token then claims nothing);
            # unreachable, it runs out by itself (12 hours): the window signs out regardless.
            if gone is not None:
                try:
                    store.sign_out(gone)
                except Exception as exc:
                    log.warning("the shop server did not end the sign-in session: %s", exc)
            return store.list()

        self.ops.run(
            lambda: to_thread(out_then_list),
            on_success=listed,
            on_error=lambda exc: self.show_sign_in(store, [], describe_error(exc)),
        )
        self.page.pad.set_people([], keep=None)
        self.window.show_page(self.page)
        return True

    def _restart_idle(self) -> None:
        if self.idle_ms > 0 and self.operator is not None and self.has_people:
            self._idle_start(self.idle_ms)

    def _idle_start(self, ms: int) -> None:
        """Count idle time from now; a key or a click (eventFilter) starts it again. The
        application's events pass eventFilter only while it counts: a Python filter on every
        event (each paint, layout, timer) costs ≈ 0.3 ms of a refund step's 3–4 ms turn, for
        nothing when nobody is signed out when idle (training, a counter without people)."""
        self.idle.start(ms)
        if not self._watching:
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
                self._watching = True

    def _idle_stop(self) -> None:
        self.idle.stop()
        if self._watching:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._watching = False

    def _idle_out(self) -> None:
        panel = self.window.panel()
        if panel is not None and panel.stage == "sending":
            self._idle_start(RETRY_MS)
            return
        minutes = max(1, self.idle_ms // 60_000)
        self.sign_out(
            self.tr("Signed out after {minutes} minutes without use.").format(minutes=minutes)
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.idle.isActive():
            self.idle.start(self.idle_ms)
        return False

    # ---- manager-only actions ------------------------------------------------------------

    def as_manager(
        self,
        why: str,
        then: Callable[[Operator | None], None],
        *,
        store: PeopleStore | None = None,
    ) -> None:
        """`then(manager)` once a manager is here (see signin.as_manager). `store`: whose
        managers count — by default the real counter's, also in training."""
        if store is None:
            store = self.window.people()
        current = self.operator
        runtime = self.window.runtime()
        if runtime is not None and runtime.training and store is not runtime.operators:
            current = None  # the trainee is nobody on the real counter
        from cashier_gui.ui.signin import as_manager

        as_manager(self.window.main, store, current, why, then)
