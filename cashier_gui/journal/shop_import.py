"""`cashier-refund shop import`, the history part: this PC's own refund attempts, each with its
events, uploaded to the shop server under this counter's name (issue 21, item 4).

Decisions:
- **Idempotent by the attempt's global ID** (its idempotency key): the server adds an attempt
  it does not hold and leaves one it holds untouched (schema 7's `shop_import`), so running it
  twice — or again after it was interrupted — adds nothing twice.
- **Only settled history.** An attempt still open here (prepared, sent, unknown) would reach the
  shop as if it had an answer, or as an open attempt with no counter keeping its lease: the
  import refuses, naming them, and uploads nothing until they are settled (`reconcile`, or a
  manager's resolve). Pending attempts are imported as pending (the shop keeps counting them),
  and their later answer is pushed like any other.
- **Only this PC's own attempts, and only real ones**: attempts mirrored here from a shop this
  PC was in before are another counter's (skipped, said why); training never reaches a shop.
- **An intact journal only**: a file whose hash chain is broken is refused (`journal verify`
  names what); the shop must not take in a forged history.
- Each uploaded attempt is then named after this counter in this PC's file too (an event in its
  hash chain), and the server's state is kept as it is for a claimed one — so `journal verify
  --shop` compares the two and finds them alike.
- The server stamps each event with its own time (the chain is the server's); the counter's
  time of each step is kept in the event's detail (`local_at`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cashier_gui.i18n import _
from cashier_gui.journal.model import UNRESOLVED, Attempt, JournalError, State
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.shop import Imported, ShopError, ShopServer

#: Attempts per server transaction (each in its own savepoint).
BATCH = 200
#: What of a local event the server's event keeps in its detail.
_DETAIL = ("actor", "refund_id", "error_code", "amount_minor", "resolved_by", "resolution")


class OpenAttempts(JournalError):
    """Attempts without a final answer: nothing was uploaded."""

    def __init__(self, open_ones: list[Attempt]) -> None:
        self.attempts = open_ones
        named = "; ".join(
            _("attempt {id} ({charge}, {state})").format(id=a.id, charge=a.charge_id, state=a.state)
            for a in open_ones[:10]
        )
        if len(open_ones) > 10:
            named += " " + _("and {count} more").format(count=len(open_ones) - 10)
        super().__init__(
            _(
                "Nothing was imported: {count} refund attempts here have no final answer yet "
                "({named}). The shop must not take them as settled. Settle them first "
                "(cashier-refund reconcile; a manager can resolve one by hand), then import "
                "again."
            ).format(count=len(open_ones), named=named)
        )


@dataclass
class ImportSummary:
    """What an import did: added, already there, and what was skipped and why."""

    added: int = 0
    already: int = 0
    #: Left out by rule (training, another counter's, a key that is no global ID), and why.
    skipped: list[tuple[Attempt, str]] = field(default_factory=list)
    #: The server refused them (it said why): the import is not complete.
    refused: list[tuple[Attempt, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "already_there": self.already,
            "skipped": [
                {
                    "attempt": a.id,
                    "key": a.key,
                    "charge_id": a.charge_id,
                    "why": why,
                    "refused": refused,
                }
                for refused, rows in ((False, self.skipped), (True, self.refused))
                for a, why in rows
            ],
        }


def import_history(
    local: SqliteJournal,
    server: ShopServer,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
) -> ImportSummary:
    """Upload this PC's settled history to the shop under `local.counter` (module docstring).
    Raises OpenAttempts or JournalError (nothing uploaded), ShopUnavailable (what was uploaded
    before it stays; run it again)."""
    problems = local.verify()
    if problems:
        raise JournalError(
            _(
                "Nothing was imported: this PC's journal is not intact ({problem}). "
                "`cashier-refund journal verify` names every problem; call support."
            ).format(problem=problems[0])
        )
    summary = ImportSummary()
    own: list[tuple[Attempt, list[tuple[int, str, dict[str, Any]]]]] = []
    open_ones: list[Attempt] = []
    for attempt in local.query(limit=None, newest_first=False):
        events = local.history(attempt.key)
        if attempt.training:
            summary.skipped.append(
                (attempt, _("a practice refund (training never goes to a shop)"))
            )
        elif events and events[0][2].get("mirrored") and attempt.counter == local.counter:
            summary.already += 1  # this counter's, read from the shop server (a new PC)
        elif events and events[0][2].get("mirrored"):
            summary.skipped.append(
                (
                    attempt,
                    _("another counter's ({counter}), seen here from a shop").format(
                        counter=attempt.counter
                    ),
                )
            )
        elif attempt.state in UNRESOLVED:
            open_ones.append(attempt)
        else:
            own.append((attempt, events))
    if open_ones:
        raise OpenAttempts(open_ones)

    ready: list[tuple[Attempt, dict[str, Any], list[dict[str, Any]]]] = []
    for attempt, events in own:
        try:
            gid = str(uuid.UUID(attempt.key))
        except ValueError:
            summary.skipped.append((attempt, _("its key is not a global ID (a UUID)")))
            continue
        ready.append((attempt, _payload(attempt, gid), _events(events)))
    done = 0
    if progress is not None:
        progress(0, len(ready))
    for start in range(0, len(ready), batch):
        part = ready[start : start + batch]
        answers = server.import_attempts(local.counter, [(p, e) for _a, p, e in part])
        with local.batch():
            for (attempt, _p, _e), answer in zip(part, answers, strict=True):
                _count(local, summary, attempt, answer)
        done += len(part)
        if progress is not None:
            progress(done, len(ready))
    return summary


def _count(
    local: SqliteJournal, summary: ImportSummary, attempt: Attempt, answer: Imported | ShopError
) -> None:
    if isinstance(answer, ShopError):
        summary.refused.append((attempt, str(answer)))
        return
    if answer.counter != local.counter:
        summary.refused.append(
            (
                attempt,
                _("the shop server holds it already, as {counter}'s ({state})").format(
                    counter=answer.counter, state=answer.state
                ),
            )
        )
        return
    local.adopt(attempt.key, local.counter, State(answer.state))
    if answer.added:
        summary.added += 1
    else:
        summary.already += 1


def _payload(a: Attempt, gid: str) -> dict[str, Any]:
    """The attempt as the server's `attempts` row names its fields."""
    return {
        "global_id": gid,
        "charge_id": a.charge_id,
        "kind": str(a.kind),
        "provider": a.provider,
        "amount_minor": a.amount_minor,
        "currency": a.currency,
        "state": str(a.state),
        "refund_id": a.refund_id,
        "error_code": a.error_code,
        "gateway_text": a.error_message,
        "operator": a.operator,
        "approver": a.approver,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "terminal": a.terminal,
        "transaction_reference": a.transaction_reference,
        "reason": a.reason,
        "full_refund": a.full_refund,
        "card_brand": a.card_brand,
        "card_last4": a.card_last4,
    }


def _events(history: list[tuple[int, str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each change of state in this PC's events as one of the shop's events (from → to), with
    when it happened here and who did it."""
    out: list[dict[str, Any]] = []
    before: str | None = None
    for seq, at, data in history:
        state = data.get("state")
        if not isinstance(state, str):
            continue  # not a change of state (e.g. the counter's name given at an import)
        detail: dict[str, Any] = {"local_at": at, "local_event": seq}
        detail.update({k: data[k] for k in _DETAIL if data.get(k) is not None})
        if data.get("mirrored"):
            detail["mirrored"] = True
        out.append({"from_state": before, "to_state": state, "detail": detail})
        before = state
    return out
