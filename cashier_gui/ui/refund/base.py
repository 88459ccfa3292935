"""The refund panel's widgets and state: the cards, laid out, under the names the window, the
tests and the screenshots use. The behaviour is layered on top: form.py (charge card and form),
sending.py (confirm, send, result), then ../refund_panel.py (the flow's effects, keys, lookup)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cashier_gui.money import Money
from cashier_gui.refunds import ChargeView, RefundService, make_reference
from cashier_gui.ui.ops import Operations
from cashier_gui.ui.refund import flow as fl
from cashier_gui.ui.refund.cards import ChargeCard, FormCard, HelpCard, LookupCard, PracticeCard
from cashier_gui.ui.refund.outcome import ConfirmCard, ResultCard, SendingCard
from cashier_gui.ui.widgets import PaintHold

ONE_COLUMN_BELOW = 900  # Qt pixels of panel width

if TYPE_CHECKING:
    from cashier_gui.journal import Attempt
    from cashier_gui.operators import Operator, PeopleStore


class PanelBase(QWidget):
    """One refund at a time. `finished` carries the journal entry of every sent refund;
    `check_requested` asks the window to check refunds without an answer (F5)."""

    finished = Signal(object)
    connection_changed = Signal(bool, str)
    check_requested = Signal()
    #: The shop server did not take the operator's sign-in (ended, expired): the window signs
    #: out with this sentence, so they sign in again.
    sign_in_needed = Signal(str)
    print_requested = Signal()  # the result card's Print receipt (the window prints: Ctrl+P)

    def __init__(
        self,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        operator: Callable[[], Operator | None] | None = None,
        operators: PeopleStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.operator: Callable[[], Operator | None] = operator or (lambda: None)
        self.operators = operators  # verifies a manager's PIN (None: no operators set up)
        #: (why, then): runs then(manager) once a manager is here; the window asks for a PIN.
        self.manager_gate: Callable[[str, Callable[[Operator | None], None]], None] = (
            lambda _why, then: then(None)
        )
        self.service: RefundService | None = None
        self.money_locale: str | None = None
        self.training = False
        self.default_currency = "USD"
        self.reference = ""
        self._reference_for = ""  # the charge the reference was made for
        self.flow = fl.RefundFlow()
        self.attempt: Attempt | None = None  # the attempt on the result card
        self._result_view: ChargeView | None = None
        self._lookup_task: Any = None
        self._paint_hold = PaintHold(self)  # a step's repaint runs in the loop's next turn
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._build()

    # ---- construction -----------------------------------------------------------------------

    def _build(self) -> None:
        outer = self._columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(16)
        # Two columns of equal width whatever the stage: the cards do not jump sideways.
        left_box, right_box = QWidget(), QWidget()
        for box in (left_box, right_box):
            box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            box.setMinimumWidth(360)
            outer.addWidget(box, 1)
        left, right = QVBoxLayout(left_box), QVBoxLayout(right_box)
        for column in (left, right):
            column.setContentsMargins(0, 0, 0, 0)
        self.lookup_card = LookupCard()
        self.charge_card = ChargeCard()
        self.practice_box = PracticeCard()
        for w in (self.lookup_card, self.charge_card, self.practice_box):
            left.addWidget(w)
        left.addStretch(1)
        # One card at a time on the right: a stack switches pages without re-laying out.
        self.right_stack = QStackedWidget()
        right.addWidget(self.right_stack)
        self.help_card = HelpCard()
        self.form_card = FormCard()
        self.confirm_card = ConfirmCard()
        self.sending_card = SendingCard()
        self.result_card = ResultCard()
        for page_card in (
            self.help_card,
            self.form_card,
            self.confirm_card,
            self.sending_card,
            self.result_card,
        ):
            page = QWidget()
            lay = QVBoxLayout(page)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(page_card)
            lay.addStretch(1)
            self.right_stack.addWidget(page)
            page_card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._aliases()

    def _aliases(self) -> None:
        """The widgets by the names the window, tests and screenshots use."""
        lc, cc, fc = self.lookup_card, self.charge_card, self.form_card
        self.charge_caption, self.charge_edit, self.lookup_button = lc.caption, lc.edit, lc.button
        self.lookup_progress, self.lookup_error = lc.progress, lc.error
        self.fields, self.earlier, self.not_refundable = cc.fields, cc.earlier, cc.not_refundable
        self.void_button, self.practice = cc.void_button, self.practice_box.list
        self.full_radio, self.partial_radio = fc.full_radio, fc.partial_radio
        self.amount_edit, self.amount_hint, self.currency_label = (
            fc.amount_edit,
            fc.amount_hint,
            fc.currency_label,
        )
        self.reason_combo, self.note_edit = fc.reason_combo, fc.note_edit
        self.reference_label, self.action_button = fc.reference_label, fc.action_button
        self.restart_button = fc.restart_button
        cf, sc, rc = self.confirm_card, self.sending_card, self.result_card
        self.confirm_text, self.confirm_detail, self.confirm_note = cf.text, cf.detail, cf.note
        self.confirm_button, self.back_button = cf.button, cf.back_button
        self.sending_text, self.sending_wait = sc.text, sc.wait
        self.cancel_button = sc.cancel_button
        self.result_title, self.result_amount, self.result_text = rc.title, rc.amount, rc.text
        self.result_id, self.result_ref, self.result_trace = rc.refund_id, rc.reference, rc.trace
        self.result_time, self.result_by_hand = rc.time, rc.by_hand
        self.resolve_button, self.new_button = rc.resolve_button, rc.new_button
        self.resolve_dialog: Any = None

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Narrower than `ONE_COLUMN_BELOW` (1280×800 at 150 %: 853 px): the cards one under the
        other, each the whole width, so no label or button is cut; the panel then scrolls and
        each stage scrolls its actions into sight (RefundPanel.reveal_actions). A larger system
        font needs as much more room: the width grows with the body text's size."""
        from cashier_gui.resources import BODY_MIN_PT

        larger = max(1.0, self.font().pointSizeF() / BODY_MIN_PT)
        direction = (
            QBoxLayout.Direction.TopToBottom
            if event.size().width() < ONE_COLUMN_BELOW * larger
            else QBoxLayout.Direction.LeftToRight
        )
        if self._columns.direction() != direction:
            self._columns.setDirection(direction)
        super().resizeEvent(event)

    @property
    def has_lookup(self) -> bool:
        return self.service is None or self.service.gateway.has_lookup

    @property
    def stage(self) -> fl.Stage:
        return self.flow.stage

    @property
    def view(self) -> ChargeView | None:
        view: ChargeView | None = self.flow.view
        return view

    def _feed(self, event: fl.Event) -> None:
        for effect in self.flow.handle(event):
            self._apply(effect)

    def _apply(self, effect: fl.Effect) -> None:
        """Carry out one of the flow's effects (RefundPanel does)."""
        raise NotImplementedError

    def follow_actions(self) -> None:
        """The step's form grew (a longer reason under the amount): on a short screen keep the
        step's actions in sight (RefundPanel does)."""

    def _new_reference(self) -> None:
        """A cancelled attempt keeps its reference in the journal: the next try needs its own."""
        self.reference = make_reference(self.service.terminal if self.service else "POS")
        self.reference_label.setText(self.reference)

    def _status(self, text: str) -> None:
        bar = getattr(self.window(), "statusBar", None)
        if callable(bar):
            bar().showMessage(text, 10_000)

    def _fmt(self, money: Money | None) -> str:
        return money.format(self.money_locale) if money is not None else ""
