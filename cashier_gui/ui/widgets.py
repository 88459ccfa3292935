"""Small building blocks shared by the screens."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


def label(
    text: str = "", *, role: str | None = None, wrap: bool = True, selectable: bool = False
) -> QLabel:
    w = QLabel(text)
    w.setWordWrap(wrap)
    w.setTextFormat(Qt.TextFormat.PlainText)
    if role:
        w.setProperty("role", role)
    if selectable:
        w.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
    return w


def card(role: str = "card") -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setProperty("role", role)
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 14, 16, 14)
    layout.setSpacing(8)
    return frame, layout


def restyle(widget: QWidget, role: str, *dependents: QWidget) -> None:
    """Change a widget's `role` property and make the stylesheet see it, and on `dependents`
    whose rules depend on it (`QFrame[role=…] QLabel`). Re-polishing is costly with a
    stylesheet: nothing happens when the role is unchanged, and only the named widgets redo it."""
    if widget.property("role") == role:
        return
    widget.setProperty("role", role)
    for w in (widget, *dependents):
        w.style().unpolish(w)
        w.style().polish(w)


class CopyRow(QWidget):
    """`Trace ID  abc123  [Copy]` — a value the cashier may need to read out or paste."""

    def __init__(self, caption: str, accessible: str) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.caption = label(caption, role="caption", wrap=False)
        self.value = label("", role="mono", wrap=True, selectable=True)
        self.value.setAccessibleName(accessible)
        self.button = QPushButton("Copy")
        self.button.setAccessibleName(f"Copy {accessible}")
        self.button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.button.clicked.connect(self.copy)
        row.addWidget(self.caption)
        row.addWidget(self.value, 1)
        row.addWidget(self.button)

    def set(self, value: str | None) -> None:
        self.value.setText(value or "")
        self.setVisible(bool(value))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.value.text())
        self.button.setText("Copied")


class MessageBox(QFrame):
    """An inline message: what happened, what to do, and the trace ID to quote."""

    def __init__(self, accessible: str) -> None:
        super().__init__()
        self.setProperty("role", "error")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        self.text = label("", role="message", selectable=True)
        self.text.setAccessibleName(accessible)
        self.trace = CopyRow("Trace ID", "trace ID")
        layout.addWidget(self.text)
        layout.addWidget(self.trace)
        self.hide()

    def show_message(self, text: str, trace_id: str | None = None, role: str = "error") -> None:
        restyle(self, role)
        self.text.setText(text)
        self.trace.set(trace_id)
        self.trace.button.setText("Copy")
        self.show()

    def clear(self) -> None:
        self.text.setText("")
        self.trace.set(None)
        self.hide()


def local_time(stamp: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC timestamp (RFC 3339) in this PC's time zone; `—` when there is none."""
    if not stamp:
        return "—"
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return moment.astimezone().strftime(fmt)
