"""The banners over the refund screen: refunds with no answer (or being sent by another window or
command) — how many, what not to do, Check now (F5) and Resolve by hand…; refunds made outside
this app, until a manager acknowledges them; and a shop server that does not answer (nothing
new can be sent)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from cashier_gui.ui.widgets import set_enum

if TYPE_CHECKING:
    from cashier_gui.journal import Attempt


class UnknownBanner(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("unknownBanner")
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 6, 16, 6)
        self.text = QLabel("")
        set_enum(self.text, "textFormat", "PlainText")
        self.text.setAccessibleName(self.tr("Refunds that need checking"))
        self.text.setWordWrap(True)  # beside two buttons it would be cut at 1024 px
        self.check_button = QPushButton(self.tr("Check now  F5"))
        self.check_button.setAccessibleName(self.tr("Check refunds with no answer"))
        self.list_button = QPushButton(self.tr("Resolve by hand…"))
        self.list_button.setAccessibleName(self.tr("List refunds with no answer, resolve by hand"))
        row.addWidget(self.text, 1)
        row.addWidget(self.check_button)
        row.addWidget(self.list_button)
        self.hide()

    def set_checking(self, checking: bool) -> None:
        self.check_button.setEnabled(not checking)
        self.check_button.setText(self.tr("Checking…") if checking else self.tr("Check now  F5"))

    def show_unresolved(self, unresolved: Sequence[Attempt]) -> None:
        from cashier_gui.journal import State

        n = sum(1 for a in unresolved if a.state is State.UNKNOWN)
        sending = len(unresolved) - n  # prepared or sent: another window or command has them
        # One sentence per count form (English and German both have one and many; Qt's %n
        # would need an English catalogue of its own).
        if n:
            text = (
                self.tr("1 refund needs checking: the answer was lost.")
                if n == 1
                else self.tr("{n} refunds need checking: the answer was lost.").format(n=n)
            )
            text += " " + self.tr("Do not refund again until checked.")
            if sending:
                text += " " + self.tr("({n} more being sent.)").format(n=sending)
            self.text.setText(text)
        elif sending:
            self.text.setText(
                self.tr(
                    "1 refund is being sent (in another window or command): wait for its "
                    "answer before refunding that payment."
                )
                if sending == 1
                else self.tr(
                    "{n} refunds are being sent (in another window or command): wait for "
                    "their answers before refunding those payments."
                ).format(n=sending)
            )
        self.list_button.setVisible(n > 0)
        self.setVisible(bool(unresolved))


class OutsideBanner(QFrame):
    """Refunds made outside this app (refunds/outside.py): each named, until a manager
    acknowledges them (Acknowledge…); hidden when there are none."""

    SHOWN = 3  # named one by one; the rest counted

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("outsideBanner")
        self.setProperty("role", "error")
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 6, 16, 6)
        self.text = QLabel("")
        set_enum(self.text, "textFormat", "PlainText")  # refund IDs come from a server
        self.text.setWordWrap(True)
        self.text.setAccessibleName(self.tr("Refunds made outside this app"))
        self.ack_button = QPushButton(self.tr("Acknowledge…"))
        self.ack_button.setAccessibleName(
            self.tr("A manager acknowledges the refunds made outside this app")
        )
        row.addWidget(self.text, 1)
        row.addWidget(self.ack_button)
        self.hide()

    def show_findings(self, words: Sequence[str]) -> None:
        """`words`: one sentence per open finding ("made outside this app: refund …")."""
        if not words:
            self.text.setText("")
            self.hide()
            return
        lines = [
            self.tr(
                "The payment service holds refunds this counter did not send. Nobody here "
                "made them: a manager checks them with the payment service."
            )
        ]
        lines += [f"• {w}" for w in words[: self.SHOWN]]
        if len(words) > self.SHOWN:
            lines.append(
                self.tr("… and {n} more (cashier-refund reconcile lists them all).").format(
                    n=len(words) - self.SHOWN
                )
            )
        self.text.setText("\n".join(lines))
        self.show()


class HomeBanner(QLabel):
    """Over the refund screen while the journal's home refuses new refunds: a shop server that
    does not answer. Says what still works and what does not; hidden when all is well."""

    def __init__(self) -> None:
        super().__init__("")
        self.setObjectName("homeBanner")
        self.setWordWrap(True)
        self.setAccessibleName(self.tr("The shop server cannot be reached"))
        self.setContentsMargins(16, 6, 16, 6)
        self.hide()

    def show_unavailable(self, why: str | None) -> None:
        if why is None:
            self.hide()
            return
        self.setText(
            self.tr(
                "The shop server cannot be reached: no refund or void can be sent until it is "
                "back (other counters could not see it). Refunds already sent are kept here "
                "and reported to the shop when it returns."
            )
        )
        self.show()


class JournalWatch(QObject):
    """Hands the journal's change notices (from its background threads) to the GUI thread:
    `changed(charge_id)` is emitted there ("" = anything may have changed)."""

    changed = Signal(str)

    def notice(self, charge_id: str) -> None:  # any thread
        import shiboken6

        if shiboken6.isValid(self):  # its window may be gone while the journal still runs
            self.changed.emit(charge_id)
