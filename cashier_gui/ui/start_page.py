"""The window's start page (this counter is not set up yet) and the keyboard shortcuts F1 lists."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from cashier_gui.ui.widgets import QT_TRANSLATE_NOOP, MessageBox, card, label

_SHORTCUTS = [
    QT_TRANSLATE_NOOP("Shortcuts", "A scan — starts over with the scanned receipt, from anywhere"),
    QT_TRANSLATE_NOOP("Shortcuts", "Enter — look up / next step / press the focused button"),
    QT_TRANSLATE_NOOP("Shortcuts", "Esc — step back one stage"),
    QT_TRANSLATE_NOOP("Shortcuts", "F6 — go to the charge ID field"),
    QT_TRANSLATE_NOOP("Shortcuts", "Alt+F / Alt+P — full / partial refund"),
    QT_TRANSLATE_NOOP("Shortcuts", "Alt+A, Alt+R, Alt+N — amount, reason, note"),
    QT_TRANSLATE_NOOP("Shortcuts", "Ctrl+N — new refund"),
    QT_TRANSLATE_NOOP("Shortcuts", "F5 — Check now: refunds with no answer"),
    QT_TRANSLATE_NOOP("Shortcuts", "Ctrl+H — history"),
    QT_TRANSLATE_NOOP("Shortcuts", "Ctrl+P — print the receipt of the answer on screen"),
    QT_TRANSLATE_NOOP("Shortcuts", "Alt+V — void the sale (today's, not settled yet)"),
    QT_TRANSLATE_NOOP("Shortcuts", "F1 — how refunds work, and these shortcuts"),
    QT_TRANSLATE_NOOP("Shortcuts", "Ctrl+L — sign out (the next person signs in)"),
    QT_TRANSLATE_NOOP("Shortcuts", "Ctrl+Q — quit"),
]


def shortcuts() -> str:
    """The keyboard shortcuts F1 lists, one per line, in the window's language."""
    return "\n".join(QCoreApplication.translate("Shortcuts", line) for line in _SHORTCUTS)


class StartPage(QWidget):
    """Shown when this counter is not set up: practise, or set it up."""

    def __init__(self) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box, lay = card()
        box.setMaximumWidth(640)
        lay.addWidget(label(self.tr("This counter is not set up yet"), role="title"))
        self.problem = MessageBox(self.tr("Set-up problem"))
        lay.addWidget(self.problem)
        lay.addWidget(
            label(
                self.tr(
                    "Practise with the built-in training service — no money moves — or set this "
                    "counter up with its Viopay or Poynt terminal details."
                ),
                role="value",
            )
        )
        self.training_button = QPushButton(self.tr("Practise in &training mode"))
        self.training_button.setProperty("role", "primary")
        self.training_button.setAccessibleName(self.tr("Start training mode"))
        self.setup_button = QPushButton(self.tr("&Set up this counter…"))
        self.setup_button.setAccessibleName(self.tr("Set up this counter"))
        lay.addWidget(self.training_button)
        lay.addWidget(self.setup_button)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
