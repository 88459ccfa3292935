"""Resolve by hand: a person checked a refund without an answer on the terminal or the gateway's
portal, and records what they saw (`RefundService.resolve_by_hand`).

`ResolveDialog` settles one attempt; `UnresolvedDialog` lists the refunds the banner counts and
opens `ResolveDialog` for the one picked. Both are usable with the keyboard alone, and Enter never
records anything until a choice, a name and what was seen are all given.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from cashier_gui.journal import Attempt, Kind, State, reasons
from cashier_gui.safetext import typed_problem
from cashier_gui.ui.ops import Operations, describe_error
from cashier_gui.ui.states import state_label
from cashier_gui.ui.widgets import (
    QT_TRANSLATE_NOOP,
    MessageBox,
    ScreenFit,
    WrappingScrollArea,
    label,
    local_time,
)

#: States a person may settle by hand (the journal refuses the others with a sentence).
RESOLVABLE = frozenset({State.UNKNOWN, State.PENDING})
MAX_NAME = 80
MAX_SEEN = 500

#: In English (a module-level constant); shown through `tr_resolve()`.
EXPLANATION = QT_TRANSLATE_NOOP(
    "resolve",
    "This is recorded in the refund journal with your name and what you saw, and cannot be "
    "undone. “It was refunded” counts the money as given back. “It was not refunded” lets "
    "this payment be refunded again. Only choose after checking on the terminal or the "
    "payment service's website.",
)


def tr_resolve(text: str) -> str:
    return QCoreApplication.translate("resolve", text)


def describe_attempt(attempt: Attempt, locale: str | None = None) -> str:
    """One line about an attempt: what, how much, which charge, when, who."""
    if attempt.amount is None:
        text = (
            QCoreApplication.translate("resolve", "Void of the full amount on charge {charge}")
            if attempt.kind is Kind.VOID
            else QCoreApplication.translate(
                "resolve", "Refund of the full amount on charge {charge}"
            )
        )
    else:
        text = (
            QCoreApplication.translate("resolve", "Void of {amount} on charge {charge}")
            if attempt.kind is Kind.VOID
            else QCoreApplication.translate("resolve", "Refund of {amount} on charge {charge}")
        )
    when = QCoreApplication.translate("resolve", "{when} by {who}")
    amount = attempt.amount.format(locale) if attempt.amount else ""
    return (
        text.format(amount=amount, charge=attempt.charge_id)
        + " · "
        + when.format(when=local_time(attempt.created_at), who=attempt.operator)
    )


class ResolveDialog(QDialog):
    """Record what a person saw about one refund without an answer. `resolved` carries the
    attempt as the journal has it afterwards."""

    resolved = Signal(object)

    def __init__(
        self,
        service: Any,
        attempt: Attempt,
        *,
        locale: str | None = None,
        by: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`by`: the manager who signed in for this (their name is recorded, not typed)."""
        super().__init__(parent)
        self.service = service
        self.attempt = attempt
        self.result_attempt: Attempt | None = None
        self.ops = Operations(self)
        self.setWindowTitle(self.tr("Resolve by hand"))
        self.setModal(True)
        self.setMinimumWidth(560)

        # What to read and fill in scrolls when the screen is short (1024×768 at 150 %); the
        # two actions below it stay in sight.
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(10)
        lay.addWidget(label(self.tr("Resolve by hand"), role="title"))
        self.summary = label(describe_attempt(attempt, locale), role="value")
        self.summary.setAccessibleName(self.tr("Refund to resolve"))
        lay.addWidget(self.summary)
        self.reference = label(
            self.tr("Reference {reference}").format(reference=attempt.transaction_reference),
            role="mono",
            selectable=True,
        )
        self.reference.setAccessibleName(self.tr("Transaction reference"))
        lay.addWidget(self.reference)
        why = reasons.why(attempt)
        if why:
            last = label(self.tr("Last seen: {problem}").format(problem=why), role="small")
            last.setAccessibleName(self.tr("Last known problem"))
            lay.addWidget(last)

        question = label(
            self.tr("I checked on the terminal / the payment service's website:"), role="caption"
        )
        lay.addWidget(question)
        self.refunded_radio = QRadioButton(self.tr("It &was refunded"))
        self.refunded_radio.setAccessibleName(self.tr("It was refunded"))
        self.not_refunded_radio = QRadioButton(self.tr("It was n&ot refunded"))
        self.not_refunded_radio.setAccessibleName(self.tr("It was not refunded"))
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.refunded_radio)
        self.choice.addButton(self.not_refunded_radio)
        choices = QHBoxLayout()
        choices.addWidget(self.refunded_radio)
        choices.addWidget(self.not_refunded_radio)
        choices.addStretch(1)
        lay.addLayout(choices)

        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(self.tr("Your name"))
        self.name_edit.setMaxLength(MAX_NAME)
        self.name_edit.setPlaceholderText(self.tr("who checked"))
        if by:
            self.name_edit.setText(by)
            self.name_edit.setReadOnly(True)  # the manager's PIN said who it is
        self.seen_edit = QLineEdit()
        self.seen_edit.setAccessibleName(self.tr("What you saw"))
        self.seen_edit.setMaxLength(MAX_SEEN)
        self.seen_edit.setPlaceholderText(
            self.tr("e.g. portal shows refund rf_… approved at 10:42")
        )
        for caption, edit in (
            (self.tr("Your &name"), self.name_edit),
            (self.tr("What you &saw"), self.seen_edit),
        ):
            cap = label(caption, role="caption", wrap=False)
            cap.setTextFormat(Qt.TextFormat.AutoText)
            cap.setBuddy(edit)
            form.addRow(cap, edit)
        lay.addLayout(form)

        self.explanation = MessageBox(self.tr("What recording means"))
        self.explanation.show_message(tr_resolve(EXPLANATION), role="warning")
        lay.addWidget(self.explanation)
        self.hint = label("", role="hint")
        self.hint.setAccessibleName(self.tr("What is still missing"))
        lay.addWidget(self.hint)
        self.error = MessageBox(self.tr("Could not record"))
        lay.addWidget(self.error)

        self.cancel_button = QPushButton(self.tr("Cancel  Esc"))
        self.cancel_button.setAccessibleName(self.tr("Cancel, record nothing"))
        self.cancel_button.clicked.connect(self.reject)
        self.record_button = QPushButton(self.tr("Record in the journal  ⏎"))
        self.record_button.setProperty("role", "primary")
        self.record_button.setAccessibleName(self.tr("Record in the journal"))
        self.record_button.clicked.connect(self.record)
        for b in (self.cancel_button, self.record_button):
            b.setAutoDefault(False)  # Enter is handled in keyPressEvent, and checks first
            b.setDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.record_button, 1)
        self.body_scroll = WrappingScrollArea()
        self.body_scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setSpacing(10)
        outer.addWidget(self.body_scroll, 1)
        outer.addLayout(buttons)
        self.screen_fit = ScreenFit(self, scroll=self.body_scroll)

        self.choice.buttonToggled.connect(lambda *_: self._update())
        self.name_edit.textChanged.connect(self._update)
        self.seen_edit.textChanged.connect(self._update)
        self._update()
        self.refunded_radio.setFocus()

    # ---- state ------------------------------------------------------------------------------

    def missing(self) -> str | None:
        """What still has to be given before recording, as a sentence; None when ready."""
        if self.choice.checkedButton() is None:
            return self.tr("Choose what you saw: refunded or not refunded.")
        if not self.name_edit.text().strip():
            return self.tr("Type your name.")
        if not self.seen_edit.text().strip():
            return self.tr("Type what you saw, and where.")
        # Words stay words: no line breaks, control characters or bidi overrides.
        return typed_problem(self.name_edit.text(), "by") or typed_problem(
            self.seen_edit.text(), "why"
        )

    def _update(self) -> None:
        missing = self.missing()
        busy = self.ops.busy
        self.record_button.setEnabled(missing is None and not busy)
        self.hint.setText(missing or "")

    def _focus_missing(self) -> None:
        if self.choice.checkedButton() is None:
            self.refunded_radio.setFocus()
        elif not self.name_edit.text().strip():
            self.name_edit.setFocus()
        elif not self.seen_edit.text().strip():
            self.seen_edit.setFocus()
        elif typed_problem(self.name_edit.text(), "by"):
            self.name_edit.setFocus()
        else:
            self.seen_edit.setFocus()

    # ---- recording --------------------------------------------------------------------------

    def record(self) -> None:
        if self.missing() is not None:
            self._update()
            self._focus_missing()
            return
        refunded = self.refunded_radio.isChecked()
        by, why = self.name_edit.text().strip(), self.seen_edit.text().strip()
        self.error.clear()
        task = self.ops.run(
            lambda: self.service.resolve_by_hand(
                self.attempt.key, refunded=refunded, by=by, why=why
            ),
            on_success=self._recorded,
            on_error=self._failed,
        )
        if task is None:
            return
        self._lock(True)
        self.hint.setText(self.tr("Recording…"))

    def _lock(self, locked: bool) -> None:
        for w in (
            self.refunded_radio,
            self.not_refunded_radio,
            self.name_edit,
            self.seen_edit,
            self.cancel_button,
        ):
            w.setEnabled(not locked)
        self._update()

    def _recorded(self, attempt: Attempt) -> None:
        self.result_attempt = attempt
        self.resolved.emit(attempt)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._lock(False)
        self.error.show_message(describe_error(exc))

    # ---- keyboard ---------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            if self.ops.busy:
                return
            if self.focusWidget() is self.cancel_button:
                self.reject()
            else:
                self.record()  # records only when complete; otherwise goes to what is missing
            return
        if key == Qt.Key.Key_Escape and self.ops.busy:
            event.accept()  # the journal write finishes either way: wait for it
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self.ops.busy:
            return
        super().reject()


class UnresolvedDialog(QDialog):
    """The refunds the banner counts, each with what is known; Resolve by hand on the picked
    one. `changed` carries every attempt resolved here."""

    changed = Signal(object)

    def __init__(
        self,
        service: Any,
        *,
        locale: str | None = None,
        by: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.money_locale = locale
        self.by = by
        self.ops = Operations(self)
        self.attempts: list[Attempt] = []
        self.setWindowTitle(self.tr("Refunds without an answer"))
        self.resize(760, 420)
        ScreenFit(self, size=(760, 420))  # within a narrow screen (1024×768 at 150 %)
        lay = QVBoxLayout(self)
        lay.addWidget(label(self.tr("Refunds without an answer"), role="title"))
        lay.addWidget(
            label(
                self.tr(
                    "Check now (F5) asks the payment service first. When it cannot tell, check "
                    "each one on the terminal or the payment service's website, then resolve it "
                    "by hand."
                ),
                role="value",
            )
        )
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Refunds without an answer"))
        self.list.currentRowChanged.connect(lambda _row: self._update())
        self.list.itemActivated.connect(lambda _item: self.resolve_selected())
        lay.addWidget(self.list, 1)
        self.empty = label("", role="value")
        self.empty.setAccessibleName(self.tr("List status"))
        lay.addWidget(self.empty)
        self.close_button = QPushButton(self.tr("Close  Esc"))
        self.close_button.setAccessibleName(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        self.resolve_button = QPushButton(self.tr("Resolve by hand…"))
        self.resolve_button.setProperty("role", "primary")
        self.resolve_button.setAccessibleName(self.tr("Resolve the selected refund by hand"))
        self.resolve_button.clicked.connect(self.resolve_selected)
        for b in (self.close_button, self.resolve_button):
            b.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.close_button)
        row.addWidget(self.resolve_button, 1)
        lay.addLayout(row)
        self.dialog: ResolveDialog | None = None
        self._update()
        self.reload()

    def reload(self) -> None:
        self.empty.setText(self.tr("Reading the journal…"))
        self.ops.run(self.service.unresolved, on_success=self._show, on_error=self._failed)

    def _show(self, attempts: list[Attempt]) -> None:
        keep = self.selected()
        self.attempts = list(attempts)
        self.list.clear()
        for a in self.attempts:
            text = f"{describe_attempt(a, self.money_locale)}\n    {state_label(a)}"
            why = reasons.why(a)
            if why:
                text += f" · {why}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            self.list.addItem(item)
        self.empty.setText("" if attempts else self.tr("Nothing left to check."))
        if self.attempts:
            ids = [a.id for a in self.attempts]
            self.list.setCurrentRow(ids.index(keep.id) if keep and keep.id in ids else 0)
            self.list.setFocus()
        else:
            self.close_button.setFocus()
        self._update()

    def _failed(self, exc: BaseException) -> None:
        self.empty.setText(describe_error(exc))

    def selected(self) -> Attempt | None:
        row = self.list.currentRow()
        return self.attempts[row] if 0 <= row < len(self.attempts) else None

    def _update(self) -> None:
        a = self.selected()
        self.resolve_button.setEnabled(a is not None and a.state in RESOLVABLE)
        if a is not None and a.state not in RESOLVABLE:
            self.empty.setText(self.tr("This one is being sent right now: wait for its answer."))

    def resolve_selected(self) -> ResolveDialog | None:
        a = self.selected()
        if a is None or a.state not in RESOLVABLE:
            return None
        self.dialog = ResolveDialog(
            self.service, a, locale=self.money_locale, by=self.by, parent=self
        )
        self.dialog.resolved.connect(self._resolved)
        self.dialog.open()
        return self.dialog

    def _resolved(self, attempt: Attempt) -> None:
        self.changed.emit(attempt)
        self.reload()


__all__ = ["EXPLANATION", "RESOLVABLE", "ResolveDialog", "UnresolvedDialog", "describe_attempt"]
