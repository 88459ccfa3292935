"""The main window's other windows and manager-only actions: History, Settings, People…,
the list of refunds without an answer (resolve by hand), leaving training, help and About.
Manager-only ones go through `CounterSession.as_manager` first. The window holds one
`WindowActions` and hands it what it needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QMainWindow, QWidget

from cashier_gui import APP_NAME

if TYPE_CHECKING:
    from cashier_gui.journal import Attempt
    from cashier_gui.operators import Operator, PeopleStore
    from cashier_gui.runtime import Runtime
    from cashier_gui.ui.printing import Printing
    from cashier_gui.ui.refund_panel import RefundPanel
    from cashier_gui.ui.resolve import UnresolvedDialog
    from cashier_gui.ui.session import CounterSession


class WindowActions:
    """Held by MainWindow; `window` is the dialogs' parent."""

    def __init__(
        self,
        window: QMainWindow,
        *,
        runtime: Callable[[], Runtime | None],
        panel: Callable[[], RefundPanel | None],
        session: CounterSession,
        printing: Printing,
        people: Callable[[], PeopleStore],
        start_real: Callable[[], None],
        refresh_banner: Callable[[], None],
        show_refund_screen: Callable[[], None],
    ) -> None:
        self._window = window
        self._runtime = runtime
        self._panel = panel
        self.session = session
        self.printing = printing
        self._people = people
        self._start_real = start_real  # (re)start on the real counter, out of training
        self.refresh_banner = refresh_banner
        self.show_refund_screen = show_refund_screen
        self.unresolved_dialog: UnresolvedDialog | None = None
        self.shortcuts_dialog: QDialog | None = None  # F1's

    @property
    def runtime(self) -> Runtime | None:
        return self._runtime()

    @property
    def panel(self) -> RefundPanel | None:
        return self._panel()

    def as_resolver(self, why: str, then: Callable[[Operator | None], None]) -> None:
        """A manager for resolving by hand: in training, the training manager."""
        runtime = self.runtime
        store = runtime.operators if runtime is not None and runtime.training else None
        self.session.as_manager(why, then, store=store)

    def open_unresolved(self) -> None:
        """The banner's list of refunds without an answer, each resolvable by hand — by a
        manager (in training: the training manager)."""
        runtime = self.runtime
        if runtime is None:
            return
        if self.unresolved_dialog is not None and self.unresolved_dialog.isVisible():
            self.unresolved_dialog.raise_()
            self.unresolved_dialog.activateWindow()
            return
        self.as_resolver(
            QCoreApplication.translate("MainWindow", "Resolving a refund by hand is for managers."),
            lambda manager: self._open_unresolved(runtime, manager),
        )

    def _open_unresolved(self, runtime: Runtime, manager: Operator | None) -> None:
        from cashier_gui.ui.resolve import UnresolvedDialog

        if runtime is not self.runtime:
            return
        dialog = UnresolvedDialog(
            runtime.service,
            locale=runtime.settings.locale,
            by=manager.name if manager is not None else None,
            parent=self._window,
        )
        dialog.changed.connect(self._resolved_by_hand)
        dialog.finished.connect(lambda _result: self.refresh_banner())
        self.unresolved_dialog = dialog
        dialog.open()

    def _resolved_by_hand(self, attempt: Attempt) -> None:
        if self.panel is not None:
            self.panel.attempt_changed(attempt)
        self.refresh_banner()

    # ---- other windows -----------------------------------------------------------------------

    def open_history(self) -> None:
        if self.runtime is None:
            return
        from cashier_gui.money import window_locale
        from cashier_gui.ui.history import HistoryDialog

        dialog = HistoryDialog(
            self.runtime.reader,
            locale=window_locale(self.runtime.settings.locale),
            print_receipt=self.printing.receipt,
            parent=self._window,
        )
        dialog.show()

    def print_receipt(self) -> None:
        """Ctrl+P: the receipt of the refund on the result card (else: reprint from History)."""
        panel = self.panel
        if panel is not None and panel.stage == "result" and panel.attempt is not None:
            self.printing.receipt(panel.attempt)
            return
        self._window.statusBar().showMessage(
            QCoreApplication.translate(
                "MainWindow",
                "No refund answer on screen: open History (Ctrl+H), choose the refund and "
                "print its receipt there.",
            ),
            10_000,
        )

    def open_report(self) -> None:
        runtime = self.runtime
        if runtime is None:
            return
        from cashier_gui.ui.report_dialog import ReportDialog

        operator = self.session.operator
        dialog = ReportDialog(
            runtime.reader,
            runtime.settings,
            self.printing,
            training=runtime.training,
            operator=operator.name if operator is not None else None,
            session_since=self.session.since,
            findings_dir=None if runtime.training else runtime.paths.data_dir,
            read_shop=runtime.home.read_shop_period if runtime.home.shop is not None else None,
            parent=self._window,
        )
        dialog.show()

    def open_settings(self) -> None:
        self.session.as_manager(
            QCoreApplication.translate("MainWindow", "Settings are for managers."),
            self._open_settings,
        )

    def _open_settings(self, manager: Operator | None) -> None:
        from cashier_gui.ui.settings import SettingsDialog

        dialog = SettingsDialog(
            printing=self.printing,
            parent=self._window,
            by=manager.name if manager is not None else None,
        )
        dialog.saved.connect(self._start_real)
        dialog.show()

    def open_people(self) -> None:
        self.session.as_manager(
            QCoreApplication.translate("MainWindow", "People are managed by managers."),
            self._open_people,
        )

    def _open_people(self, manager: Operator | None) -> None:
        from cashier_gui.ui.people import PeopleDialog

        runtime = self.runtime
        # The settings, not the journal's home: in training the people are still the shop's.
        shop = runtime.settings.shop_server if runtime is not None else None
        dialog = PeopleDialog(
            self._people(),
            manager=manager,
            shop_counter=shop.counter if shop is not None else None,
            parent=self._window,
        )
        dialog.finished.connect(lambda _r: self._people_changed())
        dialog.open()

    def _people_changed(self) -> None:
        runtime = self.runtime
        if runtime is not None and not runtime.training and self.session.operator is None:
            self.session.runtime_started(runtime, self.show_refund_screen)  # the first manager

    def leave_training(self) -> None:
        self.session.as_manager(
            QCoreApplication.translate("MainWindow", "Leaving training mode is for managers."),
            lambda _manager: self._start_real(),
        )

    @staticmethod
    def help_text() -> str:
        """F1: how a refund goes (scan, void or refund, confirm, F5), then the shortcuts."""
        from cashier_gui.ui.refund.cards import flow_help
        from cashier_gui.ui.start_page import shortcuts

        title = QCoreApplication.translate("MainWindow", "Keyboard shortcuts")
        return f"{flow_help()}\n\n{title}\n{shortcuts()}"

    def show_shortcuts(self) -> None:
        """F1 in a dialog whose text scrolls above its OK (a message box grew taller than a
        1024×768 screen at 150 % and cut the last shortcuts and its OK)."""
        dialog = help_dialog(self._window, self.help_text())
        self.shortcuts_dialog = dialog
        dialog.open()

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from cashier_gui import __version__

        QMessageBox.about(
            self._window,
            QCoreApplication.translate("MainWindow", "About {app}").format(app=APP_NAME),
            QCoreApplication.translate(
                "MainWindow",
                "{app} {version}\nRefunds card payments through Viopay or a Poynt terminal. "
                "Secrets stay in the operating system's keyring.",
            ).format(app=APP_NAME, version=__version__),
        )


def help_dialog(parent: QWidget, text: str) -> QDialog:
    """How refunds work and every shortcut: the text scrolls when the screen is short, OK
    (Enter or Esc) stays in sight."""
    from PySide6.QtWidgets import QDialogButtonBox, QVBoxLayout

    from cashier_gui.ui.widgets import ScreenFit, WrappingScrollArea, label

    dialog = QDialog(parent)
    dialog.setWindowTitle(QCoreApplication.translate("MainWindow", "How refunds work"))
    dialog.setMinimumWidth(480)
    dialog.resize(560, dialog.height())
    page = QWidget()
    body = QVBoxLayout(page)
    body.setContentsMargins(0, 0, 0, 0)
    help_label = label(text, role="value", selectable=True)
    help_label.setAccessibleName(QCoreApplication.translate("MainWindow", "How refunds work"))
    body.addWidget(help_label)
    body.addStretch(1)
    scroll = WrappingScrollArea()
    scroll.setWidget(page)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
    buttons.accepted.connect(dialog.accept)
    lay = QVBoxLayout(dialog)
    lay.addWidget(scroll, 1)
    lay.addWidget(buttons)
    ScreenFit(dialog, scroll=scroll)  # owned by the dialog
    return dialog
