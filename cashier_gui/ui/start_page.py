"""The window's start page (this counter is not set up yet) and the keyboard shortcuts F1 lists."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from cashier_gui.ui.widgets import MessageBox, card, label

SHORTCUTS = """\
A scan — starts over with the scanned receipt, from anywhere
Enter — look up / next step / press the focused button
Esc — step back one stage
Ctrl+L — go to the charge ID field
Alt+F / Alt+P — full / partial refund
Alt+A, Alt+R, Alt+N — amount, reason, note
Ctrl+N — new refund
F5 — Check now: refunds with no answer
Ctrl+H — history
Ctrl+Q — quit"""


class StartPage(QWidget):
    """Shown when this counter is not set up: practise, or set it up."""

    def __init__(self) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box, lay = card()
        box.setMaximumWidth(640)
        lay.addWidget(label("This counter is not set up yet", role="title"))
        self.problem = MessageBox("Set-up problem")
        lay.addWidget(self.problem)
        lay.addWidget(
            label(
                "Practise with the built-in training service — no money moves — or set this counter "
                "up with its Viopay or Poynt terminal details.",
                role="value",
            )
        )
        self.training_button = QPushButton("Practise in &training mode")
        self.training_button.setProperty("role", "primary")
        self.training_button.setAccessibleName("Start training mode")
        self.setup_button = QPushButton("&Set up this counter…")
        self.setup_button.setAccessibleName("Set up this counter")
        lay.addWidget(self.training_button)
        lay.addWidget(self.setup_button)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
