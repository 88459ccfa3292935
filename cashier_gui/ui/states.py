"""How a journal state reads and looks wherever the window shows one (result card, charge card,
history, the list of refunds without an answer): one place, so the words agree."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from cashier_gui.journal import Attempt, Kind, State
from cashier_gui.ui.widgets import QT_TRANSLATE_NOOP

#: Short words for a state, lower case (tables, lists, the charge card's earlier refunds), in
#: English: show them with `state_word()`, which translates.
STATE_LABELS: dict[State, str] = {
    # durable, about to be sent or cancelled
    State.PREPARED: QT_TRANSLATE_NOOP("states", "being sent"),
    State.SENT: QT_TRANSLATE_NOOP("states", "being sent"),
    State.APPROVED: QT_TRANSLATE_NOOP("states", "approved"),
    State.DECLINED: QT_TRANSLATE_NOOP("states", "declined"),
    State.PENDING: QT_TRANSLATE_NOOP("states", "pending"),
    # short: the charge card's earlier refunds fit one line each
    State.FAILED: QT_TRANSLATE_NOOP("states", "failed"),
    State.UNKNOWN: QT_TRANSLATE_NOOP("states", "unknown"),
    State.CANCELLED: QT_TRANSLATE_NOOP("states", "cancelled"),
    State.NOT_SENT: QT_TRANSLATE_NOOP("states", "not sent — nothing refunded"),
}

#: Text colours for a state (on white), the same families as the result cards.
STATE_COLOURS: dict[State, str] = {
    State.APPROVED: "#137333",
    State.DECLINED: "#b3261e",
    State.FAILED: "#b3261e",
    State.PENDING: "#8a5a00",
    State.UNKNOWN: "#a04b00",
    State.PREPARED: "#a04b00",
    State.SENT: "#a04b00",
    State.CANCELLED: "#4a5260",  # nothing happened: grey, not an alarm
    State.NOT_SENT: "#4a5260",
}


def by_hand(attempt: Attempt) -> bool:
    """Settled by a person (`resolve_by_hand`), not by an answer from the gateway."""
    return bool(attempt.resolved_by)


def state_word(state: State) -> str:
    """The short word for a state in the window's language."""
    label = STATE_LABELS.get(state)
    return QCoreApplication.translate("states", label) if label is not None else str(state)


def state_label(attempt: Attempt) -> str:
    """The state in words, with who resolved it when a person did. An approved void reads
    "voided" (the sale is cancelled, nothing refunded), as the charge card and the
    end-of-shift report say it — not "approved" like a refund."""
    if attempt.kind is Kind.VOID and attempt.state is State.APPROVED:
        #: An approved void: the sale is cancelled, nothing was refunded (lower case, a table's).
        text = QCoreApplication.translate("states", "voided")
    else:
        text = state_word(attempt.state)
    if by_hand(attempt):
        text = QCoreApplication.translate("states", "{state} — by hand ({who})").format(
            state=text, who=attempt.resolved_by
        )
    return text


def resolution_text(attempt: Attempt) -> str:
    """`Resolved by hand by Ana: "portal shows rf_123"` — empty when no person resolved it."""
    if not by_hand(attempt):
        return ""
    if attempt.resolution:
        return QCoreApplication.translate("states", "Resolved by hand by {who}: “{seen}”").format(
            who=attempt.resolved_by, seen=attempt.resolution
        )
    return QCoreApplication.translate("states", "Resolved by hand by {who}").format(
        who=attempt.resolved_by
    )


__all__ = [
    "STATE_COLOURS",
    "STATE_LABELS",
    "by_hand",
    "resolution_text",
    "state_label",
    "state_word",
]
