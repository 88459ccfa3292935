"""The refund screen: scan → check → amount and reason → confirm → result.

Stages: `lookup` (only the charge field), `charge` (details and the refund form), `confirm`
(everything locked, one big question), `sending` (progress and the seconds left until the
gateway's deadline; Cancel only until the refund is recorded as sent — a cancel brings the
confirm card back), `result` (a large outcome panel; Resolve by hand… on an unknown one). Enter
does the obvious next step for the stage, or clicks the focused button; Esc steps back.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cashier_gui.gateways.base import GatewayError
from cashier_gui.journal import Attempt, State
from cashier_gui.money import Money, MoneyError, check_currency, parse_amount
from cashier_gui.refunds import MAX_NOTE, REASONS, ChargeView, RefundService, make_reference
from cashier_gui.ui.ops import Operations, describe_error
from cashier_gui.ui.states import resolution_text, state_label
from cashier_gui.ui.widgets import (
    CopyRow,
    MessageBox,
    PaintHold,
    card,
    label,
    local_time,
    restyle,
)

STAGES = ("lookup", "charge", "confirm", "sending", "result")
REFRESH_AFTER_RESULT_MS = 150
TICK_MS = 200  # the sending card's countdown and Cancel's visibility are checked this often
SLOW_JOURNAL_S = 1.0  # recording longer than this: say the journal is busy (Cancel still works)
CANCELLED_TEXT = "Cancelled: nothing was refunded."
UNKNOWN_TODO = (
    "What to do: do not refund this payment again. Press Check now (F5) to ask the gateway. "
    "If it still cannot tell, check this refund on the terminal or the gateway's portal, then "
    "press Resolve by hand."
)
EARLIER_SHOWN = 3  # earlier refunds listed on the charge card (the totals count them all)

RESULT_WORDS = {
    State.APPROVED: ("approved", "Refund approved", "The money goes back to the card."),
    State.DECLINED: (
        "declined",
        "Refund declined",
        "The card issuer declined it: nothing was refunded. Offer another way.",
    ),
    State.PENDING: (
        "pending",
        "Refund pending",
        "The gateway accepted it and will confirm later. It is in History.",
    ),
    State.FAILED: ("declined", "Not refunded", "The refund was refused: nothing was refunded."),
    State.UNKNOWN: (
        "unknown",
        "Outcome unknown — check before refunding again",
        "The answer was lost. It stays in the banner above until it is checked.",
    ),
    State.PREPARED: ("unknown", "Being sent", "Wait for its answer."),
    State.SENT: ("unknown", "Being sent", "Wait for its answer."),
    State.NOT_SENT: (
        "declined",
        "Not sent — nothing refunded",
        "The request did not reach the server. Check the connection, then try again.",
    ),
    State.CANCELLED: (
        "declined",
        "Cancelled",
        "Cancelled before it was sent: nothing was refunded.",
    ),
}


def deadline_seconds(gateway: Any) -> float | None:
    """The gateway's overall deadline for one request (connect + read), when it tells."""
    limits = getattr(gateway, "timeouts", None) or getattr(gateway, "_timeouts", None)
    deadline = getattr(limits, "deadline", None)
    return float(deadline) if isinstance(deadline, int | float) and deadline > 0 else None


class RefundPanel(QWidget):
    """One refund at a time. `finished` carries the journal entry of every sent refund."""

    finished = Signal(object)
    connection_changed = Signal(bool, str)

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.service: RefundService | None = None
        self.money_locale: str | None = None
        self.training = False
        self.default_currency = "USD"
        self.view: ChargeView | None = None
        self.stage = "lookup"
        self.reference = ""
        self._control: Any = None  # SendControl of the refund being sent
        self._send_task: Any = None
        self._cancel_asked = False
        self._sending_since = 0.0  # monotonic: Send pressed
        self._answer_due: float | None = None  # monotonic: the gateway's deadline for the answer
        self.attempt: Attempt | None = None  # the attempt on the result card
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._update_sending)
        self._paint_hold = PaintHold(self)  # a step's repaint runs in the loop's next turn
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._build()
        self._set_stage("lookup")
        ops.busy_changed.connect(self._on_busy)

    # ---- construction -----------------------------------------------------------------------

    def _build(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(16)
        left = QVBoxLayout()
        right = QVBoxLayout()
        outer.addLayout(left, 1)
        outer.addLayout(right, 1)
        # One card at a time on the right: a stack switches pages without re-laying out the
        # whole column (show/hide of several cards cost ≈ 4 ms per step).
        self.right_stack = QStackedWidget()
        right.addWidget(self.right_stack)

        # Lookup ------------------------------------------------------------------------------
        box, lay = card()
        self.charge_caption = label("Charge ID — scan the receipt or type it", role="caption")
        self.charge_edit = QLineEdit()
        self.charge_edit.setPlaceholderText("e.g. ch_abc123def456")
        self.charge_edit.setAccessibleName("Charge ID")
        self.charge_edit.setClearButtonEnabled(True)
        self.charge_edit.setMaxLength(128)
        self.lookup_button = QPushButton("Look up  ⏎")
        self.lookup_button.setAccessibleName("Look up charge")
        self.lookup_button.clicked.connect(self.lookup)
        row = QHBoxLayout()
        row.addWidget(self.charge_edit, 1)
        row.addWidget(self.lookup_button)
        self.charge_caption.setBuddy(self.charge_edit)
        lay.addWidget(self.charge_caption)
        lay.addLayout(row)
        self.lookup_progress = QProgressBar()
        self.lookup_progress.setRange(0, 0)
        self.lookup_progress.setTextVisible(False)
        self.lookup_progress.setMaximumHeight(6)
        keep_place = self.lookup_progress.sizePolicy()
        keep_place.setRetainSizeWhenHidden(True)  # showing it must not shift the cards below
        self.lookup_progress.setSizePolicy(keep_place)
        self.lookup_progress.hide()
        lay.addWidget(self.lookup_progress)
        self.lookup_error = MessageBox("Lookup problem")
        lay.addWidget(self.lookup_error)
        left.addWidget(box)

        # Charge details ------------------------------------------------------------------------
        self.charge_card, lay = card()
        self.charge_card.setAccessibleName("Charge details")
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        self.fields: dict[str, QLabel] = {}
        rows = [
            ("amount", "Paid"),
            ("status", "Status"),
            ("card", "Card"),
            ("date", "Date"),
            ("refunded", "Refunded so far"),
            ("remaining", "Still refundable"),
        ]
        for i, (key, caption) in enumerate(rows):
            grid.addWidget(label(caption, role="caption", wrap=False), i, 0)
            # Not selectable: selectable labels cost a third of each re-layout; the IDs a
            # cashier may need to copy have Copy buttons.
            value = label("", role="big" if key in ("amount", "remaining") else "value")
            value.setAccessibleName(caption)
            self.fields[key] = value
            grid.addWidget(value, i, 1)
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)
        self.earlier = label("", role="small")
        self.earlier.setAccessibleName("Earlier refunds")
        lay.addWidget(self.earlier)
        self.not_refundable = MessageBox("Why this charge cannot be refunded")
        lay.addWidget(self.not_refundable)
        left.addWidget(self.charge_card)

        # Training practice list ---------------------------------------------------------------
        self.practice_box, lay = card("practice")
        lay.addWidget(label("Practice receipts — pick one, or type its ID", role="caption"))
        self.practice = QListWidget()
        self.practice.setAccessibleName("Practice receipts")
        self.practice.itemActivated.connect(self._use_practice)
        self.practice.itemClicked.connect(self._use_practice)
        lay.addWidget(self.practice)
        left.addWidget(self.practice_box)
        left.addStretch(1)

        # What to do (lookup stage) -------------------------------------------------------------
        self.help_card, lay = card()
        lay.addWidget(label("Refund a card payment", role="title"))
        lay.addWidget(
            label(
                "1. Scan the receipt's barcode, or type the charge ID and press Enter.\n"
                "2. Check the payment, then choose Full or type an amount.\n"
                "3. Pick a reason and press Enter to confirm.\n\n"
                "F1 lists every keyboard shortcut.",
                role="value",
            )
        )
        self._page(self.help_card)

        # Refund form ----------------------------------------------------------------------------
        self.form_card, lay = card()
        self.form_card.setAccessibleName("Refund")
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.full_radio = QRadioButton("&Full")
        self.full_radio.setAccessibleName("Full refund")
        self.partial_radio = QRadioButton("&Partial")
        self.partial_radio.setAccessibleName("Partial refund")
        self.kind = QButtonGroup(self)
        self.kind.addButton(self.full_radio)
        self.kind.addButton(self.partial_radio)
        self.full_radio.setChecked(True)
        kinds = QHBoxLayout()
        kinds.addWidget(self.full_radio)
        kinds.addWidget(self.partial_radio)
        kinds.addStretch(1)
        form.addRow(label("Refund", role="caption"), kinds)
        self.amount_edit = QLineEdit()
        self.amount_edit.setAccessibleName("Amount to refund")
        self.amount_edit.setPlaceholderText("e.g. 12.50")
        self.amount_edit.setMaxLength(32)
        self.currency_label = label("", role="value", wrap=False)
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount_edit, 1)
        amount_row.addWidget(self.currency_label)
        amount_caption = label("&Amount", role="caption")
        amount_caption.setTextFormat(Qt.TextFormat.AutoText)
        amount_caption.setBuddy(self.amount_edit)
        form.addRow(amount_caption, amount_row)
        self.amount_hint = label("", role="hint")
        self.amount_hint.setAccessibleName("Amount check")
        form.addRow("", self.amount_hint)
        self.reason_combo = QComboBox()
        self.reason_combo.setAccessibleName("Reason")
        for code, text in REASONS.items():
            self.reason_combo.addItem(text, code)
        reason_caption = label("&Reason", role="caption")
        reason_caption.setTextFormat(Qt.TextFormat.AutoText)
        reason_caption.setBuddy(self.reason_combo)
        form.addRow(reason_caption, self.reason_combo)
        self.note_edit = QLineEdit()
        self.note_edit.setAccessibleName("Note (optional)")
        self.note_edit.setMaxLength(MAX_NOTE)
        self.note_edit.setPlaceholderText("optional, e.g. box damaged")
        note_caption = label("&Note", role="caption")
        note_caption.setTextFormat(Qt.TextFormat.AutoText)
        note_caption.setBuddy(self.note_edit)
        form.addRow(note_caption, self.note_edit)
        self.reference_label = label("", role="mono", selectable=True)
        self.reference_label.setAccessibleName("Transaction reference")
        form.addRow(label("Reference", role="caption"), self.reference_label)
        lay.addLayout(form)
        self.action_button = QPushButton("Refund")
        self.action_button.setProperty("role", "primary")
        self.action_button.setAccessibleName("Refund")
        self.action_button.clicked.connect(self.ask_confirm)
        self.restart_button = QPushButton("Start over  Esc")
        self.restart_button.setAccessibleName("Start over")
        self.restart_button.clicked.connect(self.new_refund)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restart_button)
        buttons.addWidget(self.action_button, 1)
        lay.addLayout(buttons)
        self._page(self.form_card)

        # Confirm ---------------------------------------------------------------------------------
        self.confirm_card, lay = card("confirm")
        self.confirm_text = label("", role="title", selectable=False)
        self.confirm_text.setAccessibleName("Confirm question")
        self.confirm_detail = label("", role="value")
        self.confirm_note = MessageBox("What happened to the last try")
        self.confirm_button = QPushButton("Confirm refund  ⏎")
        self.confirm_button.setProperty("role", "primary")
        self.confirm_button.setAccessibleName("Confirm refund")
        self.confirm_button.clicked.connect(self.send)
        self.back_button = QPushButton("Back  Esc")
        self.back_button.setAccessibleName("Back")
        self.back_button.clicked.connect(self.back)
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addWidget(self.confirm_button, 1)
        lay.addWidget(self.confirm_note)
        lay.addWidget(self.confirm_text)
        lay.addWidget(self.confirm_detail)
        lay.addLayout(row)
        self._page(self.confirm_card)

        # Sending -----------------------------------------------------------------------------
        self.sending_card, lay = card()
        self.sending_text = label("Sending the refund… keep this window open.", role="title")
        self.sending_wait = label("", role="value")
        self.sending_wait.setAccessibleName("Time left for the answer")
        self.sending_bar = QProgressBar()
        self.sending_bar.setRange(0, 0)
        self.sending_bar.setTextVisible(False)
        self.sending_bar.setAccessibleName("Sending")
        self.cancel_button = QPushButton("Cancel  Esc")
        self.cancel_button.setAccessibleName("Cancel before sending")
        self.cancel_button.clicked.connect(self.cancel)
        lay.addWidget(self.sending_text)
        lay.addWidget(self.sending_wait)
        lay.addWidget(self.sending_bar)
        lay.addWidget(self.cancel_button)
        self._page(self.sending_card)

        # Result ---------------------------------------------------------------------------------
        self.result_card, lay = card("approved")
        self.result_title = label("", role="result-title")
        self.result_title.setAccessibleName("Refund result")
        self.result_amount = label("", role="result-amount")
        self.result_amount.setAccessibleName("Refunded amount")
        self.result_text = label("", role="value", selectable=True)
        self.result_text.setAccessibleName("What to do next")
        self.result_id = CopyRow("Refund ID", "refund ID")
        self.result_ref = CopyRow("Reference", "transaction reference")
        self.result_trace = CopyRow("Trace ID", "trace ID")
        self.result_time = label("", role="small")
        self.result_by_hand = label("", role="value", selectable=True)
        self.result_by_hand.setAccessibleName("Resolved by hand")
        self.resolve_button = QPushButton("Resolve by hand…")
        self.resolve_button.setAccessibleName("Resolve this refund by hand")
        self.resolve_button.clicked.connect(self.resolve_by_hand)
        self.resolve_dialog: Any = None
        self.new_button = QPushButton("New refund  Ctrl+N")
        self.new_button.setProperty("role", "primary")
        self.new_button.setAccessibleName("New refund")
        self.new_button.clicked.connect(self.new_refund)
        part: QWidget
        for part in (
            self.result_title,
            self.result_amount,
            self.result_text,
            self.result_by_hand,
            self.result_id,
            self.result_ref,
            self.result_trace,
            self.result_time,
        ):
            lay.addWidget(part)
        actions = QHBoxLayout()  # one row: the card stays short enough for 1024×768
        actions.addWidget(self.resolve_button)
        actions.addWidget(self.new_button, 1)
        lay.addLayout(actions)
        self._page(self.result_card)

        for w in (
            self.form_card,
            self.confirm_card,
            self.sending_card,
            self.result_card,
            self.charge_card,
        ):
            w.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        # Behaviour ------------------------------------------------------------------------------
        self.amount_edit.textEdited.connect(self._amount_typed)
        self.amount_edit.textChanged.connect(self._validate)
        self.full_radio.toggled.connect(self._validate)
        self.partial_radio.toggled.connect(self._partial_toggled)
        QShortcut(QKeySequence("Ctrl+L"), self, self.focus_lookup)  # Ctrl+N is the menu's

    def _page(self, card_widget: QWidget) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(card_widget)
        lay.addStretch(1)
        self.right_stack.addWidget(page)

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
        self.practice.clear()
        for charge_id, text in practice or []:
            item = QListWidgetItem(f"{charge_id}\n    {text}")
            item.setData(Qt.ItemDataRole.UserRole, charge_id)
            self.practice.addItem(item)
        if practice:
            # Three receipts high (it scrolls), and shown in every stage (locked while a refund
            # is confirmed or sent): the column keeps its height and fits 1024×768 beside the
            # training banner, so the window's scroll bar does not come and go — each time it
            # does, the whole panel is laid out again at a new width.
            row = self.practice.sizeHintForRow(0)
            self.practice.setMaximumHeight(3 * row + 2 * self.practice.frameWidth())
        self.practice_box.setVisible(bool(practice))
        has_lookup = service is None or service.gateway.has_lookup
        self.charge_caption.setText(
            "Charge ID — scan the receipt or type it"
            if has_lookup
            else "Transaction ID — from the terminal's receipt"
        )
        self._update_enabled()

    def warm_up(self) -> None:
        """Render every card once, off screen, while nobody waits: the first time a card is
        painted Qt polishes its widgets and caches glyphs (≈ 20 ms), which would otherwise land
        on the cashier's first lookup."""
        for page in (
            self.help_card,
            self.form_card,
            self.confirm_card,
            self.sending_card,
            self.result_card,
            self.charge_card,
        ):
            page.grab()

    def focus_lookup(self) -> None:
        if self.stage in ("lookup", "charge", "result"):
            self.charge_edit.setFocus()
            self.charge_edit.selectAll()

    # ---- stages ------------------------------------------------------------------------------

    def _set_stage(self, stage: str) -> None:
        assert stage in STAGES
        self._paint_hold.hold()
        self.stage = stage
        index = ("lookup", "charge", "confirm", "sending", "result").index(stage)
        self.right_stack.setCurrentIndex(index)  # pages were added in this order
        _set_visible(self.charge_card, stage != "lookup")
        self._update_enabled()

    def _update_enabled(self) -> None:
        # Only real changes: with a stylesheet every enable/disable re-polishes the widget.
        locked = self.stage in ("confirm", "sending") or self.ops.busy
        ready = self.service is not None
        if self.charge_edit.isReadOnly() != locked:
            self.charge_edit.setReadOnly(locked)
        _enable(self.lookup_button, ready and not locked)
        _enable(self.practice, not locked)
        for w in (
            self.full_radio,
            self.partial_radio,
            self.amount_edit,
            self.reason_combo,
            self.note_edit,
            self.restart_button,
        ):
            _enable(w, not locked)
        _enable(self.confirm_button, self.stage == "confirm" and not self.ops.busy)
        _enable(self.back_button, self.stage == "confirm")
        self._validate()

    def _on_busy(self, busy: bool) -> None:
        self.lookup_progress.setVisible(busy and self.stage in ("lookup", "charge"))
        self._update_enabled()

    # ---- lookup --------------------------------------------------------------------------

    def _use_practice(self, item: QListWidgetItem) -> None:
        if self.stage in ("confirm", "sending"):
            return
        self.charge_edit.setText(str(item.data(Qt.ItemDataRole.UserRole)))
        self.lookup()

    def lookup(self) -> None:
        service = self.service
        if service is None or self.stage in ("confirm", "sending"):
            return
        text = self.charge_edit.text()
        self.lookup_error.clear()
        self.ops.run(
            lambda: service.lookup(text),
            on_success=self._show_charge,
            on_error=self._lookup_failed,
        )

    def _lookup_failed(self, exc: BaseException) -> None:
        self._paint_hold.hold()
        trace = exc.trace_id if isinstance(exc, GatewayError) else None
        self.lookup_error.show_message(describe_error(exc), trace)
        if isinstance(exc, GatewayError):
            self.connection_changed.emit(_reached(exc), describe_error(exc))
        self.view = None
        self._set_stage("lookup")
        self.charge_edit.setFocus()
        self.charge_edit.selectAll()

    def _show_charge(self, view: ChargeView) -> None:
        self._paint_hold.hold()
        self.connection_changed.emit(True, "")
        self.view = view
        self.reference = make_reference(self.service.terminal if self.service else "POS")
        self.reference_label.setText(self.reference)
        self._fill_details(view)
        why = view.blocked_reason()
        if why:
            self.not_refundable.show_message(why, role="warning")
        else:
            self.not_refundable.clear()
        self.full_radio.setChecked(True)
        self.amount_edit.clear()
        self.note_edit.clear()
        self.reason_combo.setCurrentIndex(0)
        self._set_stage("charge")
        if why:
            self.charge_edit.setFocus()
            self.charge_edit.selectAll()
        else:
            self.full_radio.setFocus()

    def _fill_details(self, view: ChargeView) -> None:
        charge = view.charge
        f = self.fields
        # Amounts in large type; the words that stand in for unknown amounts (Poynt) in normal.
        for key in ("amount", "remaining"):
            restyle(f[key], "big" if charge is not None else "value")
        if charge is not None:
            f["amount"].setText(self._fmt(charge.amount))
            f["status"].setText(str(charge.status).capitalize())
            f["card"].setText(
                f"{charge.card_brand} •••• {charge.card_last4 or '????'}"
                if charge.card_brand
                else "—"
            )
            f["date"].setText(local_time(charge.created_at))
            f["refunded"].setText(self._fmt(charge.refunded))
            f["remaining"].setText(self._fmt(charge.remaining))
            self.currency_label.setText(charge.amount.currency)
            self.full_radio.setText(f"&Full — {self._fmt(charge.remaining)}")
        else:
            f["amount"].setText("not known here")
            f["status"].setText("The terminal cannot look payments up")
            f["card"].setText("—")
            f["date"].setText("—")
            known = self._known_refunded(view)
            f["refunded"].setText(known)
            f["remaining"].setText("up to what was paid")
            self.currency_label.setText(self.default_currency)
            self.full_radio.setText("&Full — everything not yet refunded")
        self.earlier.setText(self._earlier_text(view))

    def _known_refunded(self, view: ChargeView) -> str:
        done = [a for a in view.attempts if a.state in (State.APPROVED, State.PENDING)]
        if not done:
            return "nothing, as far as this counter knows"
        if any(a.full_refund for a in done):
            return "in full (by this counter)"
        total = sum(a.amount_minor or 0 for a in done)
        return f"{self._fmt(Money(total, done[0].currency or self.default_currency))} (by this counter)"

    def _earlier_text(self, view: ChargeView) -> str:
        lines = []
        if view.charge is not None:
            for r in view.charge.refunds:
                lines.append(
                    f"• {self._fmt(r.amount)}  {r.status}  {local_time(r.created_at)}  {r.refund_id}"
                )
        known = {r.refund_id for r in view.charge.refunds} if view.charge else set()
        for a in view.attempts:
            if a.refund_id in known:
                continue
            amount = self._fmt(a.amount) if a.amount else "full"
            lines.append(f"• {amount}  {state_label(a)} (this counter)  {local_time(a.created_at)}")
        if not lines:
            return "No earlier refunds."
        if len(lines) > EARLIER_SHOWN:  # the newest; a long list would push the form off screen
            lines = [f"• … {len(lines) - EARLIER_SHOWN} more before these", *lines[-EARLIER_SHOWN:]]
        return "Earlier refunds:\n" + "\n".join(lines)

    # ---- amount ---------------------------------------------------------------------------

    def _amount_typed(self, _text: str) -> None:
        if not self.partial_radio.isChecked():
            self.partial_radio.setChecked(True)
        self._validate()

    def _partial_toggled(self, checked: bool) -> None:
        if checked:
            self.amount_edit.setFocus()
        else:
            self.amount_edit.clear()  # Full: what was typed no longer counts
        self._validate()

    def chosen_amount(self) -> tuple[Money | None, str | None]:
        """(amount to send or None for full, problem sentence or None)."""
        view = self.view
        if view is None or self.service is None:
            return None, "Look a charge up first."
        currency = view.charge.amount.currency if view.charge else self.default_currency
        amount: Money | None = None
        if self.partial_radio.isChecked():
            try:
                amount = parse_amount(self.amount_edit.text(), currency, locale=self.money_locale)
            except MoneyError as exc:
                return None, str(exc)
        try:
            return self.service.check_amount(view, amount), None
        except GatewayError as exc:
            return None, exc.message

    def _validate(self) -> None:
        if self.stage != "charge":
            _enable(self.action_button, False)
            return
        amount, problem = self.chosen_amount()
        typed = self.amount_edit.text().strip()
        if problem and (self.full_radio.isChecked() or typed or self.view is None):
            _set_text(self.amount_hint, problem)
            restyle(self.amount_hint, "hint-bad")
        elif problem:
            _set_text(self.amount_hint, "Type the amount to refund.")
            restyle(self.amount_hint, "hint")
        else:
            _set_text(self.amount_hint, "")
        ok = problem is None and not self.ops.busy
        _enable(self.action_button, ok)
        shown = self._fmt(amount) if amount else "the full amount"
        _set_text(self.action_button, f"Refund {shown}  ⏎" if ok else "Refund")
        self.action_button.setAccessibleName(f"Refund {shown}")

    # ---- confirm and send ------------------------------------------------------------------

    def ask_confirm(self) -> None:
        if self.stage != "charge" or self.ops.busy:
            return
        amount, problem = self.chosen_amount()
        if problem:
            self._validate()
            return
        view = self.view
        assert view is not None
        shown = self._fmt(amount) if amount else "the full amount"
        to = ""
        if view.charge is not None and view.charge.card_brand:
            to = f" to {view.charge.card_brand} •••• {view.charge.card_last4}"
        training = "TRAINING — no money moves.\n" if self.training else ""
        self._paint_hold.hold()
        self.confirm_text.setText(f"Refund {shown}{to}?")
        self.confirm_detail.setText(
            f"{training}Charge {view.charge_id} · {self.reason_combo.currentText()}"
            + (f" · “{self.note_edit.text().strip()}”" if self.note_edit.text().strip() else "")
        )
        self.confirm_note.clear()
        self._set_stage("confirm")
        self.confirm_button.setFocus()

    def back(self) -> None:
        if self.stage == "confirm":
            self.confirm_note.clear()
            self._set_stage("charge")
            self.action_button.setFocus()

    def send(self) -> None:
        service, view = self.service, self.view
        if self.stage != "confirm" or service is None or view is None or self.ops.busy:
            return
        amount, problem = self.chosen_amount()
        if problem:
            self._set_stage("charge")
            return
        requested = amount  # None only for a full refund of an amount the gateway knows
        reason = str(self.reason_combo.currentData())
        note = self.note_edit.text().strip() or None
        reference = self.reference
        from cashier_gui.refunds import SendControl

        control = SendControl()
        deadline = deadline_seconds(service.gateway)

        def sent(_attempt: Attempt) -> None:
            # `sent` is durable and the request is leaving: Cancel no longer works.
            if self._control is not control:
                return
            self._answer_due = time.monotonic() + deadline if deadline else None
            self.cancel_button.setEnabled(False)
            self.cancel_button.hide()
            self._update_sending()

        task = self.ops.run(
            lambda: service.refund(
                view, requested, reason, note, reference=reference, control=control, on_sent=sent
            ),
            on_success=self._show_result,
            on_error=self._send_failed,
        )
        if task is None:  # another operation is running: stay on confirm
            return
        self._send_task = task
        self._control = control
        self._cancel_asked = False
        self._sending_since = time.monotonic()
        self._answer_due = None
        self.confirm_note.clear()
        self._set_stage("sending")
        self.sending_text.setText("Sending the refund… keep this window open.")
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self._update_sending()
        self._tick.start()
        self.setFocus()  # not on Cancel: a second Enter must not undo the first

    def _update_sending(self) -> None:
        """The sending card, each tick: what it waits for, the seconds left until the gateway's
        deadline, and Cancel only while it still works."""
        control = self._control
        if self.stage != "sending" or control is None:
            self._tick.stop()
            return
        now = time.monotonic()
        if self._cancel_asked:
            text = "Cancelling — nothing will be sent…"
            wait = "Waiting for the refund journal to record the cancel."
        elif self._answer_due is not None or not control.cancellable:
            text = "Refund sent — keep this window open."
            if self._answer_due is None:
                wait = "Waiting for the answer…"
            else:
                left = self.seconds_left() or 0
                wait = (
                    f"Waiting for the answer… {left} s"
                    if left
                    else "Waiting for the answer… time is up, finishing."
                )
        else:
            text = "Sending the refund… keep this window open."
            if now - self._sending_since >= SLOW_JOURNAL_S:
                wait = (
                    "Waiting for the refund journal (another window or command is using it). "
                    "Nothing has been sent: Cancel still works."
                )
            else:
                wait = "Recording the refund in the journal…"
        _set_text(self.sending_text, text)
        _set_text(self.sending_wait, wait)
        if not control.cancellable and not self._cancel_asked:
            # Decided "send" in the journal's thread: too late to cancel, so no Cancel button.
            _set_visible(self.cancel_button, False)

    def seconds_left(self) -> int | None:
        """Whole seconds until the gateway's deadline for the refund being sent; None when not
        waiting for an answer (or the gateway does not say)."""
        if self.stage != "sending" or self._answer_due is None:
            return None
        return max(0, int(self._answer_due - time.monotonic() + 0.999))

    def cancel(self) -> None:
        """Cancel works until the refund is recorded as sent; the journal then says
        `cancelled` (never sent, by anyone) and the confirm card comes back."""
        control = self._control
        if self.stage != "sending" or control is None or self._cancel_asked:
            return
        self.cancel_button.setEnabled(False)
        if control.cancel():
            self._cancel_asked = True
        else:
            self.cancel_button.hide()
            self._status("Too late to cancel: it was sent. Waiting for the answer…")
        self._update_sending()

    def _status(self, text: str) -> None:
        window = self.window()
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage(text, 10_000)

    def _end_sending(self) -> tuple[Any, bool]:
        control, cancelled = self._control, self._cancel_asked
        self._control = None
        self._cancel_asked = False
        self._answer_due = None
        self._tick.stop()
        return control, cancelled

    def _new_reference(self) -> None:
        """A cancelled attempt keeps its reference in the journal: the next try needs its own."""
        self.reference = make_reference(self.service.terminal if self.service else "POS")
        self.reference_label.setText(self.reference)

    def _send_failed(self, exc: BaseException) -> None:
        # Refused before anything was sent (rules, a second window, a reused reference, a
        # journal that stayed busy).
        _control, cancelled = self._end_sending()
        if cancelled:
            self._back_to_confirm(f"{CANCELLED_TEXT} ({describe_error(exc)})")
            return
        self._set_stage("charge")
        self.lookup_error.show_message(describe_error(exc))

    def _back_to_confirm(self, message: str) -> None:
        self._paint_hold.hold()
        self._new_reference()
        self._set_stage("confirm")
        self.confirm_note.show_message(message, role="info")
        # On Back, not Confirm: an Enter pressed just after Cancel must not send it after all.
        self.back_button.setFocus()

    def _show_result(self, attempt: Attempt) -> None:
        self._end_sending()
        self.finished.emit(attempt)
        if attempt.state is State.CANCELLED:
            self._back_to_confirm(CANCELLED_TEXT)
            return
        self.show_attempt(attempt)
        self._set_stage("result")
        self.new_button.setFocus()
        # The refreshed totals can wait until the result is on screen: its request and answer
        # would otherwise land in the same few milliseconds as the result's repaint.
        QTimer.singleShot(REFRESH_AFTER_RESULT_MS, self, self._refresh_details)

    def show_attempt(self, attempt: Attempt) -> None:
        """Fill the result card with `attempt` as the journal has it now."""
        self._paint_hold.hold()
        self.attempt = attempt
        role, title, text = RESULT_WORDS[attempt.state]
        if attempt.state is State.UNKNOWN:
            text = f"{attempt.error_message or text}\n\n{UNKNOWN_TODO}"
        elif attempt.state in (State.FAILED, State.NOT_SENT) and attempt.error_message:
            text = attempt.error_message
        if attempt.resolved_by:
            title = "Refunded — checked by hand" if attempt.state is State.APPROVED else title
            text = (
                "The money went back to the card, as checked by hand."
                if attempt.state is State.APPROVED
                else "Not refunded, as checked by hand: this payment can be refunded again."
            )
        if self.training:
            title = f"{title} (training)"
        restyle(self.result_card, role, self.result_title)
        self.result_title.setText(title)
        self.result_amount.setText(self._fmt(attempt.amount) if attempt.amount else "Full amount")
        self.result_text.setText(text)
        self.result_by_hand.setText(resolution_text(attempt))
        self.result_by_hand.setVisible(bool(attempt.resolved_by))
        self.result_id.set(attempt.refund_id)
        self.result_ref.set(attempt.transaction_reference)
        self.result_trace.set(attempt.trace_id)
        for row in (self.result_id, self.result_ref, self.result_trace):
            row.button.setText("Copy")
        self.result_time.setText(local_time(attempt.updated_at))
        self.resolve_button.setVisible(attempt.state is State.UNKNOWN)

    def attempt_changed(self, attempt: Attempt) -> None:
        """Someone settled an attempt (by hand, or Check now): update the result card if it is
        the one shown."""
        if self.stage == "result" and self.attempt is not None and self.attempt.id == attempt.id:
            self.show_attempt(attempt)
            if self.focusWidget() is None or not self.focusWidget().isVisible():
                self.new_button.setFocus()
            QTimer.singleShot(REFRESH_AFTER_RESULT_MS, self, self._refresh_details)

    def resolve_by_hand(self) -> Any:
        """Open the Resolve by hand dialog for the attempt on the result card."""
        attempt, service = self.attempt, self.service
        if self.stage != "result" or attempt is None or service is None:
            return None
        if attempt.state is not State.UNKNOWN:
            return None
        from cashier_gui.ui.resolve import ResolveDialog

        dialog = ResolveDialog(service, attempt, locale=self.money_locale, parent=self.window())
        dialog.resolved.connect(self._resolved_here)
        self.resolve_dialog = dialog
        dialog.open()
        return dialog

    def _resolved_here(self, attempt: Attempt) -> None:
        self.attempt_changed(attempt)
        self.new_button.setFocus()
        self.finished.emit(attempt)  # the banner counts again

    def _refresh_details(self) -> None:
        """Update the charge card (refunded so far, remaining) after a refund, in the background."""
        service, view = self.service, self.view
        if service is None or view is None:
            return

        def show(fresh: ChargeView) -> None:
            if self.stage == "result" and self.view is view:
                self.view = fresh
                self._fill_details(fresh)

        self.ops.run(
            lambda: service.lookup(view.charge_id),
            on_success=show,
            on_error=lambda exc: None,
            foreground=False,
        )

    def new_refund(self) -> None:
        if self.stage in ("confirm", "sending"):
            return
        self._paint_hold.hold()
        self.view = None
        self.charge_edit.clear()
        self.amount_edit.clear()
        self.note_edit.clear()
        self.lookup_error.clear()
        self.not_refundable.clear()
        self._set_stage("lookup")
        self.charge_edit.setFocus()

    # ---- keyboard --------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        focus = self.focusWidget()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if isinstance(focus, QAbstractButton) and not isinstance(focus, QRadioButton):
                if focus.isEnabled():
                    focus.click()
            elif focus is self.charge_edit or focus is self.practice:
                if focus is self.practice and self.practice.currentItem():
                    self._use_practice(self.practice.currentItem())
                else:
                    self.lookup()
            elif self.stage == "charge":
                self.ask_confirm()
            elif self.stage == "confirm":
                self.send()
            elif self.stage == "result":
                self.new_refund()
            event.accept()
            return
        if key == Qt.Key.Key_Escape:
            if self.stage == "confirm":
                self.back()
            elif self.stage == "sending":
                self.cancel()
            elif self.stage in ("charge", "result"):
                self.new_refund()
            event.accept()
            return
        super().keyPressEvent(event)

    # ---- helpers ------------------------------------------------------------------------------

    def _fmt(self, money: Money | None) -> str:
        return money.format(self.money_locale) if money is not None else ""


def _enable(widget: QWidget, enabled: bool) -> None:
    if widget.isEnabled() != enabled:
        widget.setEnabled(enabled)


def _set_text(widget: QLabel | QAbstractButton, text: str) -> None:
    if widget.text() != text:  # a new text re-lays out the column
        widget.setText(text)


def _set_visible(widget: QWidget, visible: bool) -> None:
    if widget.isHidden() == visible:  # setVisible re-lays out even when nothing changes
        widget.setVisible(visible)


def _reached(exc: GatewayError) -> bool:
    from cashier_gui.gateways.base import ConnectFailed, OutcomeUnknown

    return not isinstance(exc, ConnectFailed | OutcomeUnknown)
