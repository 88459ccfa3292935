"""The refund screen's input cards: charge ID, the charge's details, practice receipts, help,
and the refund form. Thin widgets: they show what the panel gives them and hold no rules."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from cashier_gui.refunds import MAX_NOTE, REASONS, reason_label
from cashier_gui.ui.widgets import QT_TRANSLATE_NOOP, ComboBox, MessageBox, label, set_visible

FLOW_HELP = QT_TRANSLATE_NOOP(
    "Help",
    "1. Scan the receipt's barcode — from anywhere on this screen — or type the charge ID and "
    "press Enter. A new scan always starts over with the new receipt; nothing half-done is "
    "sent.\n"
    "2. Check the payment. A sale of today that is not settled yet can be voided (the customer "
    "is never charged); otherwise refund it: choose Full or type the amount.\n"
    "3. Pick a reason, press Enter, read the confirm card, press Enter again.\n"
    "4. If the answer is lost, do not refund again: press F5 (Check now).\n"
    "Esc steps back one stage.",
)


def translations(text: str) -> str:
    """A charge card caption (ChargeCard.ROWS) in the window's language."""
    return QCoreApplication.translate("ChargeCard", text)


def flow_help() -> str:
    """How a refund goes, in the window's language (F1 and the help card)."""
    return QCoreApplication.translate("Help", FLOW_HELP)


class Card(QFrame):
    """A framed card (the stylesheet's `role` picks its colours) with a vertical layout."""

    def __init__(self, role: str = "card") -> None:
        super().__init__()
        self.setProperty("role", role)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(16, 14, 16, 14)
        self.lay.setSpacing(8)


class LookupCard(Card):
    """The charge ID field: where every scan lands."""

    def __init__(self) -> None:
        super().__init__()
        self.caption = label(self.tr("Charge ID — scan the receipt or type it"), role="caption")
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(self.tr("e.g. ch_abc123def456"))
        self.edit.setAccessibleName(self.tr("Charge ID"))
        self.edit.setClearButtonEnabled(True)
        self.edit.setMaxLength(128)
        self.button = QPushButton(self.tr("Look up  ⏎"))
        self.button.setAccessibleName(self.tr("Look up charge"))
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)
        self.caption.setBuddy(self.edit)
        self.lay.addWidget(self.caption)
        self.lay.addLayout(row)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        keep_place = self.progress.sizePolicy()
        keep_place.setRetainSizeWhenHidden(True)  # showing it must not shift the cards below
        self.progress.setSizePolicy(keep_place)
        self.progress.hide()
        self.lay.addWidget(self.progress)
        self.error = MessageBox(self.tr("Lookup problem"))
        self.lay.addWidget(self.error)

    def speak_of_transactions(self, transactions: bool) -> None:
        """Poynt: the terminal's receipt carries a transaction ID, not a charge ID."""
        if transactions:
            self.caption.setText(self.tr("Transaction ID — from the terminal's receipt"))
            self.edit.setPlaceholderText(self.tr("e.g. 0d9f1c2e-4b5a-4c3d-8e7f-1a2b3c4d5e6f"))
            self.edit.setAccessibleName(self.tr("Transaction ID"))
        else:
            self.caption.setText(self.tr("Charge ID — scan the receipt or type it"))
            self.edit.setPlaceholderText(self.tr("e.g. ch_abc123def456"))
            self.edit.setAccessibleName(self.tr("Charge ID"))


class ChargeCard(Card):
    """What the gateway and this counter know about the charge, and the Void/Refund choice."""

    ROWS = (  # captions in English; shown translated (translations())
        ("amount", QT_TRANSLATE_NOOP("ChargeCard", "Paid")),
        ("status", QT_TRANSLATE_NOOP("ChargeCard", "Status")),
        ("card", QT_TRANSLATE_NOOP("ChargeCard", "Card")),
        ("date", QT_TRANSLATE_NOOP("ChargeCard", "Date")),
        ("refunded", QT_TRANSLATE_NOOP("ChargeCard", "Refunded so far")),
        ("remaining", QT_TRANSLATE_NOOP("ChargeCard", "Still refundable")),
    )

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName(self.tr("Charge details"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        self.fields: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for i, (key, english) in enumerate(self.ROWS):
            caption = translations(english)
            cap = label(caption, role="caption", wrap=False)
            self.captions[key] = cap
            grid.addWidget(cap, i, 0)
            # Not selectable: selectable labels cost a third of each re-layout.
            value = label("", role="big" if key in ("amount", "remaining") else "value")
            value.setAccessibleName(caption)
            self.fields[key] = value
            grid.addWidget(value, i, 1)
        grid.setColumnStretch(1, 1)
        self.lay.addLayout(grid)
        self.earlier = label("", role="small")
        self.earlier.setAccessibleName(self.tr("Earlier refunds"))
        self.lay.addWidget(self.earlier)
        self.not_refundable = MessageBox(self.tr("Why this charge cannot be refunded"))
        self.lay.addWidget(self.not_refundable)
        # The choice for a sale that can still be voided (issue 13).
        self.choice = QFrame()
        row = QHBoxLayout(self.choice)
        row.setContentsMargins(0, 0, 0, 0)
        self.void_text = label(
            self.tr("Not settled yet: a void returns it all, at no cost."),
            role="value",
        )
        self.void_button = QPushButton(self.tr("&Void sale"))
        self.void_button.setProperty("role", "primary")
        self.void_button.setAccessibleName(self.tr("Void the whole sale"))
        row.addWidget(self.void_text, 1)
        row.addWidget(self.void_button)
        self.choice.hide()
        self.lay.addWidget(self.choice)

    def show_row(self, key: str, visible: bool) -> None:
        set_visible(self.captions[key], visible)
        set_visible(self.fields[key], visible)


class PracticeCard(Card):
    """Training only: receipts that practise each outcome."""

    def __init__(self) -> None:
        super().__init__("practice")
        self.lay.addWidget(
            label(self.tr("Practice receipts — pick one, or type its ID"), role="caption")
        )
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Practice receipts"))
        self.list.setWordWrap(True)  # each says what it practises: no sideways scrolling
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.lay.addWidget(self.list)


class HelpCard(Card):
    def __init__(self) -> None:
        super().__init__()
        self.lay.addWidget(label(self.tr("Refund a card payment"), role="title"))
        self.text = label(
            flow_help() + "\n\n" + self.tr("F1 explains more and lists every shortcut.")
        )
        self.text.setProperty("role", "value")
        self.lay.addWidget(self.text)


class FormCard(Card):
    """Full or partial, amount, reason, note; the Refund button."""

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName(self.tr("Refund"))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.full_radio = QRadioButton(self.tr("&Full"))
        self.full_radio.setAccessibleName(self.tr("Full refund"))
        self.partial_radio = QRadioButton(self.tr("&Partial"))
        self.partial_radio.setAccessibleName(self.tr("Partial refund"))
        self.kind = QButtonGroup(self)
        self.kind.addButton(self.full_radio)
        self.kind.addButton(self.partial_radio)
        self.full_radio.setChecked(True)
        kinds = QHBoxLayout()
        kinds.addWidget(self.full_radio)
        kinds.addWidget(self.partial_radio)
        kinds.addStretch(1)
        form.addRow(kinds)  # the whole width: "Full — €1,234.56" and "Partial" side by side
        self.amount_edit = QLineEdit()
        self.amount_edit.setAccessibleName(self.tr("Amount to refund"))
        self.amount_edit.setPlaceholderText(self.tr("e.g. 12.50"))
        self.amount_edit.setMaxLength(32)
        self.currency_label = label("", role="value", wrap=False)
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount_edit, 1)
        amount_row.addWidget(self.currency_label)
        self.amount_caption = label(self.tr("&Amount"), role="caption")
        self.amount_caption.setTextFormat(Qt.TextFormat.AutoText)
        self.amount_caption.setBuddy(self.amount_edit)
        form.addRow(self.amount_caption, amount_row)
        self.amount_hint = label("", role="hint")
        self.amount_hint.setAccessibleName(self.tr("Amount check"))
        # One line's room at all times; FormPart._fit_hint asks for more when a reason wraps
        # (the form layout does not grow a row for a wrapped label by itself).
        self.amount_hint.setMinimumHeight(self.amount_hint.fontMetrics().lineSpacing() + 2)
        form.addRow("", self.amount_hint)
        self.reason_combo = ComboBox()
        self.reason_combo.setAccessibleName(self.tr("Reason"))
        for code in REASONS:
            self.reason_combo.addItem(reason_label(code), code)
        reason_caption = label(self.tr("&Reason"), role="caption")
        reason_caption.setTextFormat(Qt.TextFormat.AutoText)
        reason_caption.setBuddy(self.reason_combo)
        form.addRow(reason_caption, self.reason_combo)
        self.note_edit = QLineEdit()
        self.note_edit.setAccessibleName(self.tr("Note (optional)"))
        self.note_edit.setMaxLength(MAX_NOTE)
        self.note_edit.setPlaceholderText(self.tr("optional, e.g. box damaged"))
        note_caption = label(self.tr("&Note"), role="caption")
        note_caption.setTextFormat(Qt.TextFormat.AutoText)
        note_caption.setBuddy(self.note_edit)
        form.addRow(note_caption, self.note_edit)
        self.note_count = label(f"0 / {MAX_NOTE}", role="small", wrap=False)
        self.note_count.setAccessibleName(self.tr("Note length"))
        self.note_edit.textChanged.connect(self._count)
        form.addRow("", self.note_count)
        self.reference_label = label("", role="mono", selectable=True)
        self.reference_label.setAccessibleName(self.tr("Transaction reference"))
        form.addRow(label(self.tr("Reference"), role="caption"), self.reference_label)
        self.lay.addLayout(form)
        self.action_button = QPushButton(self.tr("Refund"))
        self.action_button.setProperty("role", "primary")
        self.action_button.setAccessibleName(self.tr("Refund"))
        self.restart_button = QPushButton(self.tr("Back  Esc"))
        self.restart_button.setAccessibleName(self.tr("Back to the charge ID"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.restart_button)
        buttons.addWidget(self.action_button, 1)
        self.lay.addLayout(buttons)

    def _count(self, text: str) -> None:
        left = MAX_NOTE - len(text)
        count = f"{len(text)} / {MAX_NOTE}"
        self.note_count.setText(
            self.tr("{count} — the note is full").format(count=count) if left <= 0 else count
        )

    def set_amount_example(self, example: str) -> None:
        self.amount_edit.setPlaceholderText(self.tr("e.g. {example}").format(example=example))
