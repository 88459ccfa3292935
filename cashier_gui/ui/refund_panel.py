"""The refund screen: glue between the cards (ui/refund/cards.py, outcome.py) and the rules
(ui/refund/flow.py). Keys from anywhere in the window go to the flow (ui/refund/keys.py); the
effects it returns are carried out here: look up, show a card, send, cancel, check.

Stages: `lookup` (only the charge field), `charge` (details, the Void/Refund choice and the
form), `confirm` (everything locked, one question, a manager's PIN when the shop wants one),
`sending` (countdown; Cancel only while it still works), `result`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QBoxLayout,
    QListWidgetItem,
    QRadioButton,
    QScrollArea,
    QWidget,
)

from cashier_gui.gateways.base import GatewayError
from cashier_gui.money import check_currency
from cashier_gui.refunds import ChargeView, RefundService
from cashier_gui.ui.ops import Operations, describe_error
from cashier_gui.ui.refund import flow as fl
from cashier_gui.ui.refund.keys import KeyFeed
from cashier_gui.ui.refund.sending import SendingPart
from cashier_gui.ui.widgets import set_visible

if TYPE_CHECKING:
    from cashier_gui.operators import Operator, PeopleStore

STAGES = tuple(str(s) for s in fl.Stage)
REVEAL_MS = 30  # after the stage's layout pass
REVEAL_FOR_S = 2.0  # re-layouts this soon after a stage change keep its actions in sight


class RefundPanel(SendingPart):
    """The refund screen (see the module's docstring)."""

    def __init__(
        self,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        operator: Callable[[], Operator | None] | None = None,
        operators: PeopleStore | None = None,
    ) -> None:
        super().__init__(ops, parent, operator=operator, operators=operators)
        self._revealing_until = 0.0
        self._connect()
        self._connect_form()
        self.keys = KeyFeed(
            self,
            on_char=self._typed,
            on_enter=self._enter,
            on_escape=self._escape,
            starts_burst=self.flow.detector.starts_burst,
            on_secret=self.flow.detector.reset,
        )
        self._show(fl.Stage.LOOKUP)
        ops.busy_changed.connect(lambda _busy: self._update_enabled())

    def _connect(self) -> None:
        lc, cc, fc, rc = self.lookup_card, self.charge_card, self.form_card, self.result_card
        lc.button.clicked.connect(self.lookup)
        lc.edit.textChanged.connect(self.flow.typed_charge_id)
        self.practice.itemActivated.connect(self._use_practice)
        self.practice.itemClicked.connect(self._use_practice)
        cc.void_button.clicked.connect(lambda: self._feed(fl.Choose("void", time.monotonic())))
        fc.action_button.clicked.connect(self.ask_confirm)
        fc.restart_button.clicked.connect(lambda: self._feed(fl.Escape()))
        self.confirm_button.clicked.connect(lambda: self._feed(fl.Confirm()))
        self.back_button.clicked.connect(self.back)
        self.cancel_button.clicked.connect(self.cancel)
        rc.resolve_button.clicked.connect(self.resolve_by_hand)
        rc.check_button.clicked.connect(self.check_requested.emit)
        rc.instead_button.clicked.connect(self.refund_instead)
        rc.new_button.clicked.connect(self.new_refund)
        rc.print_button.clicked.connect(self.print_requested.emit)
        # The approval keypad: its Enter/OK is the confirm card's Enter (guarded like any
        # Enter there); a scan it told apart is a new charge like any scan.
        pad = self.confirm_card.pad
        pad.submitted.connect(lambda _name, _pin: self._feed(fl.Enter(time.monotonic())))
        pad.scanned.connect(lambda code: self._feed(fl.Scanned(code)))
        QShortcut(QKeySequence("F6"), self, self.focus_lookup)  # Ctrl+L signs out

    def show_view(self, view: ChargeView) -> None:
        """Show `view` as if its lookup had just finished (screenshots and layout tests)."""
        self.flow.looking_up = view.charge_id
        if self.stage is not fl.Stage.LOOKUP:
            self._feed(fl.NewRefund())
            self.flow.looking_up = view.charge_id
        self._feed(fl.LookupDone(view.charge_id, view))

    def _typed(self, char: str, at: float) -> None:
        self.flow.handle(fl.Typed(char, at))

    # ---- wiring -----------------------------------------------------------------------------

    def set_service(
        self,
        service: RefundService | None,
        *,
        training: bool = False,
        locale: str | None = None,
        default_currency: str | None = None,
        practice: list[tuple[str, str]] | None = None,
    ) -> None:
        self.service = service
        self.training = training
        self.money_locale = locale
        self.default_currency = check_currency(default_currency or "USD")
        self.show_practice(practice or [])
        self.lookup_card.speak_of_transactions(not self.has_lookup)
        self._update_enabled()

    def show_practice(self, practice: list[tuple[str, str]]) -> None:
        """Training's practice receipts (ID, what practising with it shows — what is still
        refundable); the same receipts again only reword their lines, keeping the cashier's
        place in the list."""
        listed = [
            self.practice.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.practice.count())
        ]
        if listed == [charge_id for charge_id, _text in practice]:
            for i, (charge_id, text) in enumerate(practice):
                item, words = self.practice.item(i), f"{charge_id}\n    {text}"
                if item.text() != words:  # each setText lays the list out again (a stall)
                    item.setText(words)
            return
        self.practice.clear()
        for charge_id, text in practice:
            item = QListWidgetItem(f"{charge_id}\n    {text}")
            item.setData(Qt.ItemDataRole.UserRole, charge_id)
            self.practice.addItem(item)
        if practice:
            # Two and a half receipts high (it scrolls, and shows it does): the column fits
            # 1024×768 beside both banners.
            row = self.practice.sizeHintForRow(0)
            self.practice.setMaximumHeight(int(2.5 * row) + 2 * self.practice.frameWidth())
        set_visible(self.practice_box, bool(practice) and self.stage in ("lookup", "result"))

    def warm_up(self) -> None:
        """Render every card once, off screen, while nobody waits (Qt polishes on first paint)."""
        for page in (self.help_card, self.form_card, self.confirm_card, self.sending_card):
            page.grab()
        self.result_card.grab()
        self.charge_card.grab()

    def focus_lookup(self) -> None:
        if self.stage in ("lookup", "charge", "result"):
            self.charge_edit.setFocus()
            self.charge_edit.selectAll()

    # ---- the flow -----------------------------------------------------------------------------

    def _apply(self, effect: fl.Effect) -> None:
        match effect:
            case fl.Show(stage):
                self._show(stage)
            case fl.StartLookup(charge_id):
                self._start_lookup(charge_id)
            case fl.StartSend():
                self._start_send()
            case fl.RequestCancel():
                self.cancel()
            case fl.StartReconcile():
                self.check_requested.emit()
            case fl.SetChargeField(text):
                if self.charge_edit.text() != text:
                    self.charge_edit.setText(text)
            case fl.UndoBurst():
                self.keys.undo_burst()
            case fl.FocusChargeField():
                self.charge_edit.setFocus()
                self.charge_edit.selectAll()
            case fl.ReloadResult():
                self._reload_result()
            case fl.ClearForm():
                self._clear_form()
            case fl.Say(text):
                if text:
                    self._status(text)

    def _show(self, stage: fl.Stage) -> None:
        self._paint_hold.hold()
        index = list(fl.Stage).index(stage)
        self.right_stack.setCurrentIndex(index)  # pages were added in the stages' order
        set_visible(self.charge_card, stage is not fl.Stage.LOOKUP)
        # Training's practice receipts where the next one is picked (the form and the confirm
        # card need the column's height at 1024×768, in German too).
        practice = self.practice.count() > 0
        set_visible(self.practice_box, practice and stage in (fl.Stage.LOOKUP, fl.Stage.RESULT))
        if stage is not fl.Stage.CHARGE:  # the Void/Refund choice is the charge stage's
            set_visible(self.charge_card.choice, False)
        if stage not in (fl.Stage.CONFIRM, fl.Stage.SENDING):  # Esc, a scan, a new refund
            self.forget_approval()
        set_visible(self.lookup_progress, self._lookup_task is not None)
        charge = stage is fl.Stage.CHARGE and self.view is not None
        self._update_enabled(validate=not charge)  # _charge_focus validates the filled form
        if stage is fl.Stage.CHARGE:
            self._charge_focus()
        elif stage is fl.Stage.CONFIRM:
            self._fill_confirm()
        elif stage is fl.Stage.SENDING:
            self.setFocus()  # not on Cancel: a second Enter must not undo the first
        elif stage is fl.Stage.LOOKUP and not self.charge_edit.hasFocus():
            self.charge_edit.setFocus()
        self._revealing_until = time.monotonic() + REVEAL_FOR_S
        QTimer.singleShot(REVEAL_MS, self, self.reveal_actions)

    def actions_in_sight(self) -> list[QWidget]:
        """What must be on screen at this stage without the cashier scrolling: its primary
        and recovery actions (and the approval keypad's PIN field)."""
        stage = self.stage
        if stage is fl.Stage.LOOKUP:
            return [self.charge_edit, self.lookup_button]
        shown: list[QWidget]
        if stage is fl.Stage.CHARGE:
            if self.charge_card.choice.isVisibleTo(self) and self._one_column():
                # A sale that can still be voided: the void (no cost) is the step to take; on a
                # short screen in one column the Refund form is below it, a scroll away.
                return [self.void_button]
            shown = [self.restart_button, self.action_button]
            if self.charge_card.choice.isVisibleTo(self):
                shown.append(self.void_button)
            return shown
        if stage is fl.Stage.CONFIRM:
            shown = [self.back_button, self.confirm_button]
            if self.confirm_card.needs_approval:
                shown.append(self.confirm_card.pin_edit)
            return shown
        if stage is fl.Stage.SENDING:
            return [self.cancel_button] if self.cancel_button.isVisibleTo(self) else []
        rc = self.result_card
        buttons = (
            rc.check_button,
            rc.instead_button,
            rc.resolve_button,
            rc.print_button,
            rc.new_button,
        )
        return [b for b in buttons if b.isVisibleTo(self)]

    def _one_column(self) -> bool:
        return self._columns.direction() is QBoxLayout.Direction.TopToBottom

    def follow_actions(self) -> None:
        self._revealing_until = time.monotonic() + REVEAL_FOR_S
        QTimer.singleShot(REVEAL_MS, self, self.reveal_actions)

    def reveal_actions(self) -> None:
        """On a short screen (1280×800 at 150 %) the panel scrolls: scroll so that this stage's
        actions are in sight (the lowest first, then the highest: both when they fit)."""
        viewport = self.parentWidget()
        area = viewport.parentWidget() if viewport is not None else None
        if not isinstance(area, QScrollArea):
            return
        bar = area.verticalScrollBar()
        if not getattr(self, "_follows", False):
            # What arrives just after the stage (the refreshed charge card, the banner) moves
            # the actions again: follow them for a moment, not once the cashier has read on.
            self._follows = True
            bar.rangeChanged.connect(
                lambda _lo, _hi: (
                    self.reveal_actions() if time.monotonic() < self._revealing_until else None
                )
            )
        shown = self.actions_in_sight()
        if not shown:
            return
        # The lowest bottom edge first (not the lowest top: Back sits 2 px lower than the
        # taller Confirm beside it, and Qt leaves a wholly visible widget alone, so Confirm
        # stayed 2 px below the fold), then the highest top.
        lowest = sorted(shown, key=lambda w: w.mapTo(self, QPoint(0, w.height())).y())[-1]
        highest = sorted(shown, key=lambda w: w.mapTo(self, QPoint(0, 0)).y())[0]
        for widget in (lowest, highest):
            area.ensureWidgetVisible(widget, 8, 8)

    def _enter(self, at: float) -> bool:
        focus = QApplication.focusWidget()
        if not self.flow.detector.ends_burst(at):
            if (
                isinstance(focus, QAbstractButton)
                and not isinstance(focus, QRadioButton)
                and focus is not self.confirm_button
            ):
                self.flow.detector.enter(at)  # reset: this Enter is the button's
                if focus.isEnabled():
                    focus.click()
                return True
            if focus is self.practice and self.practice.currentItem() is not None:
                self.flow.detector.enter(at)
                self._use_practice(self.practice.currentItem())
                return True
            if self.stage is fl.Stage.RESULT and not self.charge_edit.text().strip():
                default = self.result_card.default_button()
                if default is not None:
                    self.flow.detector.enter(at)
                    default.click()
                    return True
        self._feed(fl.Enter(at))
        return True

    def _escape(self) -> bool:
        if self.stage is fl.Stage.CONFIRM:
            self.back()
        else:
            self._feed(fl.Escape())
        return True

    def back(self) -> None:
        if self.stage is fl.Stage.CONFIRM:
            self.confirm_note.clear()
            self._feed(fl.Escape())

    def new_refund(self) -> None:
        self._feed(fl.NewRefund())
        self.lookup_error.clear()

    def reconciled(self) -> None:
        """The window checked refunds without an answer: what is on screen may be settled."""
        self._feed(fl.Reconciled())

    # ---- lookup --------------------------------------------------------------------------

    def _use_practice(self, item: QListWidgetItem) -> None:
        if self.stage in ("confirm", "sending"):
            return
        self.charge_edit.setText(str(item.data(Qt.ItemDataRole.UserRole)))
        self.lookup()

    def lookup(self) -> None:
        """The Look up button (or Enter in the charge field)."""
        if self.stage in ("confirm", "sending"):
            return
        if self.stage is not fl.Stage.LOOKUP:
            self._feed(fl.Escape())  # back to the charge field, keeping the ID
            self.flow.typed_charge_id(self.charge_edit.text())
        self.flow.looking_up = None
        self._feed(fl.Enter(time.monotonic() + 1))

    def _start_lookup(self, charge_id: str) -> None:
        service = self.service
        if service is None:
            return
        if self._lookup_task is not None:
            self._lookup_task.cancel()  # only the latest lookup counts
        self.lookup_error.clear()

        def done(view: ChargeView) -> None:
            self._lookup_ended(task)
            self.connection_changed.emit(True, "")
            self._feed(fl.LookupDone(charge_id, view))

        def failed(exc: BaseException) -> None:
            self._lookup_ended(task)
            if charge_id != self.flow.looking_up:
                return
            trace = exc.trace_id if isinstance(exc, GatewayError) else None
            self.lookup_error.show_message(describe_error(exc), trace)
            if isinstance(exc, GatewayError):
                self.connection_changed.emit(_reached(exc), describe_error(exc))
            self._feed(fl.LookupFailed(charge_id, ""))

        task = self.ops.run(
            lambda: service.lookup(charge_id), on_success=done, on_error=failed, foreground=False
        )
        self._lookup_task = task
        self.lookup_progress.setVisible(True)

    def _lookup_ended(self, task: Any) -> None:
        if self._lookup_task is task:
            self._lookup_task = None
            self.lookup_progress.setVisible(False)


def _reached(exc: GatewayError) -> bool:
    from cashier_gui.gateways.base import ConnectFailed, OutcomeUnknown

    return not isinstance(exc, ConnectFailed | OutcomeUnknown)
