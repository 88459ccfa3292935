"""RefundService: look up, validate, journal, send, reconcile — the one path every refund takes.

The window and the command line both go through here, so the rules hold everywhere:
- an attempt is in the journal, synced, before anything else (`prepared`), and is `sent`
  (synced) just before its request leaves; until then `SendControl.cancel()` stops it for good;
- its outcome is recorded whatever happens, cancellation and crashes of the request included;
- one refund at a time per charge, and none while an earlier attempt is unresolved — checked
  inside the journal's write transaction, so two processes cannot both pass;
- an unknown outcome is settled only by an answer that provably belongs to it: a lookup showing
  its reference with its amount and a refund ID no other attempt holds, or a bound answer to
  the re-sent request (same idempotency key / request id, never a new one). A 401, 5xx, busy,
  timeout, refused connection or unbound answer to a re-send settles nothing;
- what nobody can answer any more is resolved by hand, with who and why (`resolve_by_hand`).

Journal calls block on disk sync, so they run on one worker thread (`_db`), never on the
event loop's thread.
"""

from cashier_gui.refunds.model import (
    MAX_NOTE,
    REASONS,
    Approval,
    ApprovalMismatch,
    ApprovalNeeded,
    ChargeView,
    RefundBlocked,
    SendControl,
    SignInRequired,
    make_reference,
    parse_reason,
    reason_label,
)
from cashier_gui.refunds.service import RefundService

__all__ = [
    "MAX_NOTE",
    "REASONS",
    "Approval",
    "ApprovalMismatch",
    "ApprovalNeeded",
    "ChargeView",
    "RefundBlocked",
    "RefundService",
    "SendControl",
    "SignInRequired",
    "make_reference",
    "parse_reason",
    "reason_label",
]
