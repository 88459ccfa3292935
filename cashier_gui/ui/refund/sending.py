"""The refund panel's confirm, sending and result stages: the question (with a manager's PIN
when the shop wants one), the send with its countdown and Cancel, the outcome and what to do
next: the layer over FormPart (form.py), under RefundPanel (../refund_panel.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QWidget

from cashier_gui.journal import Attempt, Kind, State
from cashier_gui.money import Money
from cashier_gui.policy import Approver, check_approver
from cashier_gui.refunds import (
    Approval,
    ApprovalNeeded,
    ChargeView,
    SendControl,
    SignInRequired,
)
from cashier_gui.ui.ops import Operations, describe_error
from cashier_gui.ui.refund import flow as fl
from cashier_gui.ui.refund.form import FormPart
from cashier_gui.ui.refund.words import result_words, settled_sale
from cashier_gui.ui.states import resolution_text
from cashier_gui.ui.widgets import QT_TRANSLATE_NOOP, local_time, restyle, set_visible

if TYPE_CHECKING:
    from cashier_gui.operators import Operator, PeopleStore

REFRESH_AFTER_RESULT_MS = 150
TICK_MS = 200  # the sending card's countdown and Cancel's visibility are checked this often
SLOW_JOURNAL_S = 1.0  # recording longer than this: say the journal is busy (Cancel still works)
CANCELLED_TEXT = QT_TRANSLATE_NOOP("SendingPart", "Cancelled: nothing was refunded.")
# A manager's typed name and PIN are cleared when the confirm card has waited this long: an
# approval is given now, for what is on the card now (issue 27).
APPROVAL_TIMEOUT_S = 120
ASK_MANAGER = QT_TRANSLATE_NOOP(
    "SendingPart",
    "A manager must approve this: choose the manager's name, type the PIN, then press Enter.",
)


def translations(text: str) -> str:
    """A text of the table-like constants above, in the window's language."""
    return QCoreApplication.translate("SendingPart", text)


class SendingPart(FormPart):
    def __init__(
        self,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        operator: Callable[[], Operator | None] | None = None,
        operators: PeopleStore | None = None,
    ) -> None:
        super().__init__(ops, parent, operator=operator, operators=operators)
        self._control: Any = None  # SendControl of the refund being sent
        self._send_task: Any = None
        self._cancel_asked = False
        self._sending_since = 0.0  # monotonic: Send pressed
        self._answer_due: float | None = None  # monotonic: the deadline for the answer
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._update_sending)
        self._result_view: ChargeView | None = None
        # What the confirm card shows, so what a manager approves: charge, kind, amount
        # (with its currency; None = the full amount the counter cannot know), reason.
        self._terms: tuple[str, Kind, Money | None, str | None] | None = None
        self._approval_timer = QTimer(self)
        self._approval_timer.setSingleShot(True)
        self._approval_timer.timeout.connect(self._approval_timed_out)

    # ---- confirm --------------------------------------------------------------------------

    def _fill_confirm(self) -> None:
        view = self.view
        if view is None:
            return
        void = self.flow.kind == "void"
        card = ""
        if view.charge is not None and view.charge.card_brand:
            card = f"{view.charge.card_brand} •••• {view.charge.card_last4}"
        training = self.tr("TRAINING — no money moves.") + "\n" if self.training else ""
        amount = view.charge.amount if void and view.charge is not None else self.shown_amount()
        shown = self._fmt(amount) if amount else ""
        cf = self.confirm_card
        if void:
            cf.text.setText(self.tr("Void the whole sale?"))
            cf.button.setText(self.tr("Confirm void  ⏎"))
            detail = self.tr(
                "A void cancels the whole sale before it settles: the customer is never "
                "charged. It cannot return part of a sale."
            )
        else:
            full = self.full_radio.isChecked()
            amount_words = shown or self.tr("the full amount")
            if full and not self.has_lookup:
                question = (
                    self.tr("Refund the full amount, {amount}, to {card}?")
                    if card
                    else self.tr("Refund the full amount, {amount}?")
                )
            else:
                question = (
                    self.tr("Refund {amount} to {card}?") if card else self.tr("Refund {amount}?")
                )
            cf.text.setText(question.format(amount=amount_words, card=card))
            cf.button.setText(self.tr("Confirm refund  ⏎"))
            detail = self.reason_combo.currentText()
            note = self.note_edit.text().strip()
            if note:
                detail += f" · “{note}”"
        cf.button.setAccessibleName(cf.button.text().replace("  ⏎", ""))
        cf.amount.setText(shown or self.tr("The full amount"))
        which = (self.tr("Charge {id}") if self.has_lookup else self.tr("Transaction {id}")).format(
            id=view.charge_id
        )
        cf.detail.setText(f"{training}{which} · {detail}")
        kind = Kind.VOID if void else Kind.REFUND
        # What the service will send (its check_void / check_amount), not what is typed.
        if void:
            sent_amount = view.charge.amount if view.charge is not None else None
        else:
            sent_amount = self.chosen_amount()[0]
        terms = (
            view.charge_id,
            kind,
            sent_amount,
            None if void else str(self.reason_combo.currentData()),
        )
        if terms != self._terms:  # a manager's name and PIN count only for what they saw
            self.forget_approval()
        self._terms = terms
        self._approval_timer.start(int(APPROVAL_TIMEOUT_S * 1000))
        self.confirm_button.setFocus()
        self._ask_approval_reasons(view, amount)

    def forget_approval(self) -> None:
        """Any change to what the manager saw (or leaving the confirm card) drops the typed
        name and PIN: an approval is for one charge, kind, amount, currency and reason."""
        self._terms = None
        self._approval_timer.stop()
        self.confirm_card.pad.clear()

    def _approval_timed_out(self) -> None:
        """The confirm card waited too long: the typed name and PIN go (the card stays)."""
        cf = self.confirm_card
        if self.stage is not fl.Stage.CONFIRM or not cf.needs_approval:
            return
        if cf.pin_edit.text():
            cf.pad.clear()
            self.confirm_note.show_message(
                self.tr(
                    "The manager's name and PIN were cleared after {minutes} minutes: type them "
                    "again to approve."
                ).format(minutes=APPROVAL_TIMEOUT_S // 60),
                role="info",
            )
            self._focus_approval()

    def _practice_manager(self) -> str | None:
        if not self.training:
            return None
        from cashier_gui.runtime import TRAINING_MANAGER, TRAINING_MANAGER_PIN

        return self.tr("Practice: the training manager is {name}, PIN {pin}.").format(
            name=TRAINING_MANAGER, pin=TRAINING_MANAGER_PIN
        )

    def _ask_approval_reasons(self, view: ChargeView, amount: Any) -> None:
        service, operator = self.service, self.operator()
        if service is None or operator is None:
            self.confirm_card.no_approval()
            return
        kind = Kind.VOID if self.flow.kind == "void" else Kind.REFUND

        def show(reasons: list[str]) -> None:
            if self.stage is not fl.Stage.CONFIRM or self.view is not view:
                return
            if reasons:
                first = not self.confirm_card.needs_approval
                self.confirm_card.ask_approval(reasons, practice=self._practice_manager())
                if first:
                    self._load_managers()
                    self.confirm_card.pin_edit.setFocus()
            else:
                self.confirm_card.no_approval()

        self.ops.run(
            lambda: service.approval_reasons(view, kind, amount, operator),
            on_success=show,
            on_error=lambda exc: self.confirm_note.show_message(describe_error(exc)),
            foreground=False,
        )

    def _load_managers(self) -> None:
        """The approval card's names: the managers of the counter (read off the GUI thread)."""
        store = self.operators
        if store is None:
            return

        def show(people: list[Operator]) -> None:
            if self.stage is fl.Stage.CONFIRM:
                self.confirm_card.set_managers([op for op in people if op.is_manager])

        self.ops.run(
            lambda: asyncio.to_thread(store.list),
            on_success=show,
            on_error=lambda exc: self.confirm_note.show_message(describe_error(exc)),
            foreground=False,
        )

    # ---- send -----------------------------------------------------------------------------

    def _start_send(self) -> None:
        service, view = self.service, self.view
        if service is None or view is None:
            self._feed(fl.SendRefused(self.tr("Look a charge up first.")))
            return
        void = self.flow.kind == "void"
        amount, problem = (None, None) if void else self.chosen_amount()
        if problem:
            self._feed(fl.SendRefused(problem))
            return
        reason = None if void else str(self.reason_combo.currentData())
        note = self.note_edit.text().strip() or None
        reference = self.reference
        operator = self.operator()
        needs = self.confirm_card.needs_approval
        name = self.confirm_card.manager_name()
        pin = self.confirm_card.pin_edit.text()
        terms = self._terms
        if needs and (not name or not pin or terms is None):
            self._feed(fl.BackToConfirm(translations(ASK_MANAGER), time.monotonic()))
            self._focus_approval()
            return
        control = SendControl()
        deadline = deadline_seconds(service.gateway)
        store = self.operators

        def sent(_attempt: Attempt) -> None:
            # `sent` is durable and the request is leaving: Cancel no longer works.
            if self._control is not control:
                return
            self._answer_due = time.monotonic() + deadline if deadline else None
            self.cancel_button.setEnabled(False)
            self.cancel_button.hide()
            self._update_sending()

        async def work() -> Attempt:
            approval: Approval | None = None
            if needs and terms is not None:
                if store is None:
                    raise ApprovalNeeded([self.tr("No manager is set up on this counter.")])
                approver = await asyncio.to_thread(store.verify, name, pin)  # scrypt: slow
                if check_approver(approver, operator) is Approver.NOT_A_MANAGER:
                    raise ApprovalNeeded(
                        [self.tr("{name} is not a manager.").format(name=approver.name)]
                    )
                approval = Approval(approver, *terms, pin=pin)  # the shop checks it again
            if void:
                return await service.void(
                    view, note, control=control, on_sent=sent, operator=operator, approval=approval
                )
            return await service.refund(
                view,
                amount,
                reason,
                note,
                reference=reference,
                control=control,
                on_sent=sent,
                operator=operator,
                approval=approval,
            )

        task = self.ops.run(work, on_success=self._show_result, on_error=self._send_failed)
        if task is None:  # another operation is running: stay on confirm
            self._feed(fl.BackToConfirm("", time.monotonic()))
            return
        self._send_task, self._control, self._cancel_asked = task, control, False
        self._sending_since = time.monotonic()
        self._answer_due = None
        self.confirm_note.clear()
        self.sending_text.setText(
            self.tr("Checking the manager's PIN…")
            if needs
            else self.tr("Sending… keep this window open.")
        )
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self._update_sending()
        self._tick.start()

    def _focus_approval(self) -> None:
        self.confirm_card.pin_edit.setFocus()  # letters pick the name from there

    def _update_sending(self) -> None:
        """Each tick: what it waits for, the seconds left until the deadline, and Cancel only
        while it still works."""
        control = self._control
        if self.stage is not fl.Stage.SENDING or control is None:
            self._tick.stop()
            return
        now = time.monotonic()
        void = self.flow.kind == "void"
        if self._cancel_asked:
            text = self.tr("Cancelling — nothing will be sent…")
            wait = self.tr("Waiting for the refund journal to record the cancel.")
        elif self._answer_due is not None or not control.cancellable:
            text = (
                self.tr("The void was sent — keep this window open.")
                if void
                else self.tr("The refund was sent — keep this window open.")
            )
            left = self.seconds_left()
            if left is None:
                wait = self.tr("Waiting for the answer…")
            elif left:
                wait = self.tr("Waiting for the answer… {seconds} s").format(seconds=left)
            else:
                wait = self.tr("Waiting for the answer… time is up, finishing.")
        else:
            text = self.sending_text.text()
            if now - self._sending_since >= SLOW_JOURNAL_S:
                wait = self.tr(
                    "Waiting for the refund journal (another window or command is using it). "
                    "Nothing has been sent: Cancel still works."
                )
            else:
                wait = self.tr("Recording the refund in the journal…")
        if self.sending_text.text() != text:
            self.sending_text.setText(text)
        if self.sending_wait.text() != wait:
            self.sending_wait.setText(wait)
        if not control.cancellable and not self._cancel_asked and self.cancel_button.isVisible():
            self.cancel_button.hide()  # decided "send": too late to cancel

    def seconds_left(self) -> int | None:
        """Whole seconds until the deadline for the refund being sent; None when not waiting
        for an answer (or the gateway does not say)."""
        if self.stage is not fl.Stage.SENDING or self._answer_due is None:
            return None
        return max(0, int(self._answer_due - time.monotonic() + 0.999))

    def cancel(self) -> None:
        """Cancel works until the refund is recorded as sent; then it says so."""
        control = self._control
        if self.stage is not fl.Stage.SENDING or control is None or self._cancel_asked:
            return
        self.cancel_button.setEnabled(False)
        if control.cancel():
            self._cancel_asked = True
        else:
            self.cancel_button.hide()
            self._status(self.tr("Too late to cancel: it was sent. Waiting for the answer…"))
        self._update_sending()

    def _end_sending(self) -> bool:
        cancelled = self._cancel_asked
        self._control, self._cancel_asked, self._answer_due = None, False, None
        self._tick.stop()
        return cancelled

    def _send_failed(self, exc: BaseException) -> None:
        # Refused before anything was sent: rules, a wrong PIN, a second window, a busy journal.
        cancelled = self._end_sending()
        now = time.monotonic()
        if cancelled:
            self._back_to_confirm(f"{translations(CANCELLED_TEXT)} ({describe_error(exc)})")
        elif isinstance(exc, ApprovalNeeded) or _is_pin_problem(exc):
            if isinstance(exc, ApprovalNeeded):
                self.confirm_card.ask_approval(exc.reasons, practice=self._practice_manager())
            self.confirm_card.pin_edit.clear()
            self._feed(fl.BackToConfirm("", now))
            self.confirm_note.show_message(describe_error(exc))
            self._focus_approval()
        else:
            self._feed(fl.SendRefused(""))
            self.lookup_error.show_message(describe_error(exc))
            if isinstance(exc, SignInRequired):
                self.sign_in_needed.emit(describe_error(exc))

    def _back_to_confirm(self, message: str) -> None:
        self._new_reference()
        self._feed(fl.BackToConfirm("", time.monotonic()))
        self.confirm_note.show_message(message, role="info")
        # On Back, not Confirm: an Enter pressed just after Cancel must not send it after all.
        self.back_button.setFocus()

    def _show_result(self, attempt: Attempt) -> None:
        self._end_sending()
        self.finished.emit(attempt)
        if attempt.state is State.CANCELLED:
            self._back_to_confirm(translations(CANCELLED_TEXT))
            return
        view = self.view
        self.show_attempt(attempt)
        self._feed(fl.SendDone(attempt, time.monotonic()))
        self._result_view = view
        # The refreshed totals wait until the result is on screen.
        QTimer.singleShot(REFRESH_AFTER_RESULT_MS, self, self._refresh_details)

    # ---- result ---------------------------------------------------------------------------

    def show_attempt(self, attempt: Attempt) -> None:
        """Fill the result card with `attempt` as the journal has it now."""
        self._paint_hold.hold()
        self.attempt = attempt
        rc = self.result_card
        role, title, text = result_words(attempt, self.training)
        restyle(rc, role, rc.title)
        rc.title.setText(title)
        rc.amount.setText(self._fmt(attempt.amount) if attempt.amount else self.tr("Full amount"))
        rc.text.setText(text)
        rc.by_hand.setText(resolution_text(attempt))
        set_visible(rc.by_hand, bool(attempt.resolved_by))
        rc.refund_id.set(attempt.refund_id)
        rc.reference.set(attempt.transaction_reference)
        rc.trace.set(attempt.trace_id)
        for row in (rc.refund_id, rc.reference, rc.trace):
            row.button.setText(self.tr("Copy"))
        rc.time.setText(local_time(attempt.updated_at))
        unknown = attempt.state is State.UNKNOWN
        set_visible(rc.resolve_button, unknown)
        set_visible(rc.check_button, unknown)
        set_visible(rc.instead_button, settled_sale(attempt))
        rc.paper(attempt.state in (State.APPROVED, State.PENDING), unknown or settled_sale(attempt))
        rc.primary(rc.default_button() or rc.new_button)

    def attempt_changed(self, attempt: Attempt) -> None:
        """Someone settled an attempt (by hand, or Check now): update the result card if it is
        the one shown."""
        shown = self.attempt
        if self.stage is fl.Stage.RESULT and shown is not None and shown.id == attempt.id:
            self.show_attempt(attempt)
            QTimer.singleShot(REFRESH_AFTER_RESULT_MS, self, self._refresh_details)

    def journal_changed(self, charge_id: str) -> None:
        """Another counter changed an attempt on `charge_id` ("": anything may have changed):
        the charge card and the form show what the shop knows now, read off the GUI thread."""
        service, view = self.service, self.view
        if service is None or view is None or self.stage is not fl.Stage.CHARGE:
            return
        if charge_id and charge_id != view.charge_id:
            return

        def show(fresh: ChargeView) -> None:
            if self.view is not view or self.stage is not fl.Stage.CHARGE:
                return
            self.flow.view = fresh
            if (fresh.blocked_reason() is None) == (view.blocked_reason() is None):
                self._fill_details(fresh)  # what the cashier typed and where they are stay
                self._validate()
            else:
                self._charge_focus()  # it can (no longer) be refunded here: say why, or offer it

        self.ops.run(
            lambda: service.reread(view),
            on_success=show,
            on_error=lambda exc: None,
            foreground=False,
        )

    def _reload_result(self) -> None:
        attempt, service = self.attempt, self.service
        if attempt is None or service is None:
            return

        def show(fresh: Attempt) -> None:
            self.attempt_changed(fresh)

        self.ops.run(
            lambda: service.attempt(attempt.key),
            on_success=show,
            on_error=lambda exc: None,
            foreground=False,
        )

    def _refresh_details(self) -> None:
        """Update the charge card (refunded so far, one line per attempt) after a result."""
        service, view = self.service, self._result_view
        if service is None or view is None:
            return

        def show(fresh: ChargeView) -> None:
            if self.stage is fl.Stage.RESULT and self._result_view is view:
                self._fill_details(fresh)

        self.ops.run(
            lambda: service.lookup(view.charge_id),
            on_success=show,
            on_error=lambda exc: None,
            foreground=False,
        )

    def refund_instead(self) -> None:
        """After a settled sale refused its void: look it up again, for a refund."""
        attempt = self.attempt
        if self.stage is not fl.Stage.RESULT or attempt is None:
            return
        self.charge_edit.setText(attempt.charge_id)
        self._feed(fl.Enter(time.monotonic() + 1))

    def resolve_by_hand(self) -> Any:
        """Open the Resolve by hand dialog for the attempt on the result card."""
        attempt, service = self.attempt, self.service
        if self.stage is not fl.Stage.RESULT or attempt is None or service is None:
            return None
        if attempt.state is not State.UNKNOWN:
            return None
        self.manager_gate(
            self.tr("Resolving a refund by hand is for managers."),
            lambda manager: self._open_resolve(service, attempt, manager),
        )
        return None

    def _open_resolve(self, service: Any, attempt: Attempt, manager: Operator | None) -> None:
        from cashier_gui.ui.resolve import ResolveDialog

        if self.attempt is not attempt or self.stage is not fl.Stage.RESULT:
            return  # the screen moved on while the manager came
        dialog = ResolveDialog(
            service,
            attempt,
            locale=self.money_locale,
            by=manager.name if manager is not None else None,
            parent=self.window(),
        )
        dialog.resolved.connect(self._resolved_here)
        self.resolve_dialog = dialog
        dialog.open()

    def _resolved_here(self, attempt: Attempt) -> None:
        self.attempt_changed(attempt)
        self.charge_edit.setFocus()
        self.finished.emit(attempt)  # the banner counts again


def deadline_seconds(gateway: Any) -> float | None:
    """The gateway's overall deadline for one request (connect + read), when it tells."""
    limits = getattr(gateway, "timeouts", None) or getattr(gateway, "_timeouts", None)
    deadline = getattr(limits, "deadline", None)
    return float(deadline) if isinstance(deadline, int | float) and deadline > 0 else None


def _is_pin_problem(exc: BaseException) -> bool:
    from cashier_gui.operators import OperatorError

    return isinstance(exc, OperatorError)
