"""How a journal state reads and looks wherever the window shows one (result card, charge card,
history, the list of refunds without an answer): one place, so the words agree."""

from __future__ import annotations

from cashier_gui.journal import Attempt, State

#: Short words for a state, lower case (tables, lists, the charge card's earlier refunds).
STATE_LABELS: dict[State, str] = {
    State.PREPARED: "being sent",  # durable, about to be sent or cancelled
    State.SENT: "being sent",
    State.APPROVED: "approved",
    State.DECLINED: "declined",
    State.PENDING: "pending",
    State.FAILED: "failed",  # short: the charge card's earlier refunds fit one line each
    State.UNKNOWN: "unknown",
    State.CANCELLED: "cancelled",
    State.NOT_SENT: "not sent — nothing refunded",
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


def state_label(attempt: Attempt) -> str:
    """The state in words, with who resolved it when a person did."""
    text = STATE_LABELS.get(attempt.state, str(attempt.state))
    if by_hand(attempt):
        text += f" — by hand ({attempt.resolved_by})"
    return text


def resolution_text(attempt: Attempt) -> str:
    """`Resolved by hand by Ana: "portal shows rf_123"` — empty when no person resolved it."""
    if not by_hand(attempt):
        return ""
    seen = f": “{attempt.resolution}”" if attempt.resolution else ""
    return f"Resolved by hand by {attempt.resolved_by}{seen}"


__all__ = ["STATE_COLOURS", "STATE_LABELS", "by_hand", "resolution_text", "state_label"]
