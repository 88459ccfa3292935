"""The journal as the rest of the app sees it: two Protocols, whichever home keeps it.

- `JournalReader`: look-ups, History's queries, the report's totals, the export and the
  tamper check. The window, the command line and paper get one from `runtime` — never a path.
- `Journal`: a reader that also writes — `prepare` a `NewAttempt`, move it through its states
  (compare-and-set), claim a re-send, resolve by hand, recover what a dead sender left.

Homes: this PC's SQLite file (`journal.sqlite`); the shop server arrives as a second home
behind the same Protocols. Every method may block (disk sync, network): call them from a worker
thread, never the GUI thread.

Identity and scope: an attempt is addressed by its global `key` (its idempotency key, the same
in every home and on the wire); `Attempt.id` is only a home's row number for people to read out
(`find` takes either). A *counter* is one till: `unresolved`/`unknown`/`pending` and
`recover_abandoned` take a counter scope (None: every counter the home holds), so one till never
settles another till's refund through its own terminal.

Who acts travels with each write (`actor`): it is recorded in the attempt's events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from cashier_gui.journal.model import Attempt, NewAttempt, Problem, State
from cashier_gui.money import Money


class JournalReader(Protocol):
    @property
    def counter(self) -> str:
        """The counter this journal is opened at (a till's name)."""
        ...

    def get(self, key: str) -> Attempt:
        """The attempt with this global key; JournalError when there is none."""
        ...

    def find(self, ref: str) -> Attempt:
        """The attempt a person named: its row number as shown, or its key; JournalError."""
        ...

    def by_refund_id(self, refund_id: str) -> Attempt | None: ...

    def by_reference(self, transaction_reference: str) -> Attempt | None: ...

    def for_charge(self, charge_id: str) -> list[Attempt]:
        """Every attempt on the charge, oldest first (every counter's)."""
        ...

    def unresolved(self, counter: str | None = None) -> list[Attempt]: ...

    def unknown(self, counter: str | None = None) -> list[Attempt]: ...

    def pending(self, counter: str | None = None) -> list[Attempt]: ...

    def count_by_operator(self, operator: str, since: str) -> int:
        """Refunds `operator` started since `since` (UTC, as stored) that may have moved money."""
        ...

    def query(
        self,
        *,
        text: str | None = None,
        charge_id: str | None = None,
        states: Sequence[State | str] | None = None,
        since: str | None = None,
        until: str | None = None,
        amounts: list[Money] | None = None,
        operator: str | None = None,
        counter: str | None = None,
        limit: int | None = 200,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[Attempt]: ...

    def count(self, **filters: Any) -> int: ...

    def distinct(self, column: str) -> list[str]:
        """The values of `operator`, `currency` or `counter` that occur, sorted."""
        ...

    def totals(self, since: str, until: str) -> dict[str, int]:
        """Approved refund totals per currency (minor units) for [since, until)."""
        ...

    def export_csv(self, target: Path | str, **filters: Any) -> int: ...

    def verify(self) -> list[Problem]:
        """What is wrong with the journal's tamper evidence; [] = intact."""
        ...

    def close(self) -> None: ...


class Journal(JournalReader, Protocol):
    def prepare(
        self,
        new: NewAttempt,
        *,
        actor: str | None = None,
        guard: Callable[[Sequence[Attempt]], object] | None = None,
    ) -> Attempt:
        """Record `new` as `prepared`, owned by this journal; durable on return. ChargeBusy
        when the charge has an unresolved attempt; `guard(the charge's attempts)` may raise to
        refuse — inside the same transaction, so two senders cannot both pass."""
        ...

    def transition(
        self,
        key: str,
        state: State,
        *,
        expect: State | frozenset[State] | None = None,
        refund_id: str | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        trace_id: str | None = None,
        amount: Money | None = None,
        actor: str | None = None,
    ) -> Attempt:
        """Compare-and-set to `state` (StateChanged unless it is in `expect`); RefundIdTaken
        when `refund_id` belongs to another attempt. Durable on return."""
        ...

    def send_or_cancel(
        self, key: str, cancelled: Callable[[], bool], *, actor: str | None = None
    ) -> Attempt:
        """`prepared` → `cancelled` when `cancelled()` says so at the moment of deciding, else
        `sent`: exactly one of the two."""
        ...

    def claim_resend(self, key: str, *, actor: str | None = None) -> Attempt | None:
        """`unknown` → `sent` for a re-send of the very same request; None when it is no
        longer unknown."""
        ...

    def resolve_by_hand(
        self, key: str, *, refunded: bool, by: str, why: str, actor: str | None = None
    ) -> Attempt: ...

    def recover_abandoned(
        self, counter: str | None = None, *, actor: str | None = None
    ) -> list[Attempt]:
        """Settle attempts whose sender is gone: `prepared` → `not_sent`, `sent` → `unknown`.
        Attempts a live sender holds are left alone."""
        ...

    @property
    def unavailable(self) -> str | None:
        """Why the home cannot take a new attempt now, in words (a shop server that does not
        answer); None when it can. New attempts are refused meanwhile (fail closed)."""
        ...

    def watch(self, on_change: Callable[[str], None]) -> None:
        """Call `on_change(charge_id)` — from any thread — when someone else changed an attempt
        on that charge (another counter), and `on_change("")` when anything may have changed
        (reconnected, or `unavailable` changed). A home nobody else writes never calls it."""
        ...
