"""RefundService: look up, validate, journal, send, reconcile — the one path every refund takes.

The window and the command line both go through here, so the rules hold everywhere:
- an attempt is in the journal, synced, before its request leaves (`Journal.prepare`);
- its outcome is recorded whatever happens, cancellation and crashes of the request included;
- one refund at a time per charge, and none while an earlier attempt is unresolved;
- an unknown outcome is reconciled with the *same* idempotency key / request id, never a new one.

Journal calls block on disk sync, so they run on one worker thread (`_db`), never on the
event loop's thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
import string
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from cashier_gui.gateways.base import (
    Charge,
    GatewayError,
    InvalidInput,
    NotSent,
    OutcomeUnknown,
    RefundOutcome,
    RefundRequest,
    RefundStatus,
    Rejected,
    check_charge_id,
)
from cashier_gui.gateways.base import (
    Gateway as GatewayProtocol,
)
from cashier_gui.journal import Attempt, Journal, State
from cashier_gui.money import Money

T = TypeVar("T")

#: Reason codes sent to the gateway, with what the cashier sees.
REASONS: dict[str, str] = {
    "customer_request": "Customer request",
    "defective_product": "Defective product",
    "wrong_item": "Wrong item",
    "duplicate_charge": "Duplicate charge",
    "other": "Other",
}
MAX_NOTE = 200
_REFERENCE_RE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RefundBlocked(InvalidInput):
    """A refund that the rules refuse before anything is sent (nothing was written)."""


@dataclass(frozen=True)
class ChargeView:
    """What the counter knows about a charge: the gateway's view (None without lookup) and this
    counter's own attempts on it."""

    charge_id: str
    charge: Charge | None
    attempts: tuple[Attempt, ...]

    @property
    def unresolved(self) -> tuple[Attempt, ...]:
        return tuple(a for a in self.attempts if not a.resolved)

    def blocked_reason(self) -> str | None:
        if self.unresolved:
            n = len(self.unresolved)
            return (
                f"{n} earlier refund on this charge {'has' if n == 1 else 'have'} no answer yet. "
                "Check it (Reconcile) before refunding again, so the customer is not refunded "
                "twice."
            )
        if self.charge is not None:
            return self.charge.why_not_refundable()
        done = [a for a in self.attempts if a.state in (State.APPROVED, State.PENDING)]
        if any(a.full_refund for a in done):
            return "This counter has already refunded this payment in full."
        return None


def make_reference(terminal: str, now: dt.datetime | None = None) -> str:
    """A transaction reference: `{terminal}-{UTC yymmddHHMMSS}-{6 random}`, ≤ 64 of [A-Za-z0-9._:-]."""
    now = now or dt.datetime.now(dt.UTC)
    safe = re.sub(r"[^A-Za-z0-9._:-]", "", terminal)[:24] or "POS"
    alphabet = string.ascii_uppercase + string.digits
    token = "".join(secrets.choice(alphabet) for _ in range(6))
    return f"{safe}-{now.astimezone(dt.UTC):%y%m%d%H%M%S}-{token}"


class RefundService:
    def __init__(
        self,
        gateway: GatewayProtocol,
        journal: Journal,
        *,
        terminal: str,
        operator: str,
        training: bool = False,
    ) -> None:
        self.gateway = gateway
        self.journal = journal
        self.terminal = terminal
        self.operator = operator
        self.training = training
        self._in_flight: set[str] = set()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")

    async def aclose(self) -> None:
        await self.gateway.aclose()
        # Let journal writes in progress finish, waiting off the event loop's thread.
        await asyncio.to_thread(self._worker.shutdown, True)

    async def _db(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, lambda: fn(*args, **kw))

    # ---- lookup -------------------------------------------------------------------------------

    async def lookup(self, charge_id: str) -> ChargeView:
        charge_id = check_charge_id(charge_id)
        charge = await self.gateway.lookup(charge_id) if self.gateway.has_lookup else None
        attempts = await self._db(self.journal.for_charge, charge_id)
        return ChargeView(charge_id, charge, tuple(attempts))

    def check_amount(self, view: ChargeView, amount: Money | None) -> Money | None:
        """The amount to send (None: a full refund of an amount the gateway knows), or
        RefundBlocked with a sentence for the cashier."""
        blocked = view.blocked_reason()
        if blocked:
            raise RefundBlocked(blocked)
        charge = view.charge
        if charge is None:
            return self._check_without_lookup(view, amount)
        if amount is None:
            return charge.remaining
        if amount.currency != charge.amount.currency:
            raise RefundBlocked(
                f"This charge is in {charge.amount.currency}, not {amount.currency}."
            )
        if amount.minor <= 0:
            raise RefundBlocked("A refund amount must be more than zero.")
        if amount > charge.remaining:
            raise RefundBlocked(
                f"At most {charge.remaining.format()} can still be refunded on this charge."
            )
        return amount

    @staticmethod
    def _check_without_lookup(view: ChargeView, amount: Money | None) -> Money | None:
        if amount is not None and amount.minor <= 0:
            raise RefundBlocked("A refund amount must be more than zero.")
        return amount

    # ---- refund -------------------------------------------------------------------------------

    async def refund(
        self,
        view: ChargeView,
        amount: Money | None,
        reason: str | None,
        note: str | None = None,
        *,
        reference: str | None = None,
        on_prepared: Callable[[Attempt], None] | None = None,
    ) -> Attempt:
        """Send one refund and return its journal entry in its final or unknown state.

        Raises RefundBlocked (nothing written, nothing sent) when the rules refuse it.
        `reference` is the transaction reference to send (generated when None).
        `on_prepared` is called once the attempt is durable, just before the request leaves.
        """
        if reason is not None and reason not in REASONS:
            raise RefundBlocked(f"Unknown reason {reason!r}.")
        if reference is not None and not _REFERENCE_RE.fullmatch(reference):
            raise RefundBlocked(
                "A transaction reference is 1 to 64 letters, digits or . _ : - characters."
            )
        if note and len(note) > MAX_NOTE:
            raise RefundBlocked(f"The note is too long: {MAX_NOTE} characters at most.")
        charge_id = view.charge_id
        if charge_id in self._in_flight:
            raise RefundBlocked("A refund for this charge is already being sent.")
        self._in_flight.add(charge_id)
        try:
            # Re-read the journal: another window or the CLI may have written since the lookup.
            fresh = ChargeView(
                charge_id,
                view.charge,
                tuple(await self._db(self.journal.for_charge, charge_id)),
            )
            to_send = self.check_amount(fresh, amount)
            if reference is not None:
                used = await self._db(self.journal.by_reference, reference)
                if used is not None:
                    raise RefundBlocked(
                        f"The reference {reference} was already used (refund attempt {used.id})."
                    )
            attempt = await self._db(
                self.journal.prepare,
                provider=self.gateway.provider,
                terminal=self.terminal,
                charge_id=charge_id,
                amount=to_send,
                reason=reason,
                note=note or None,
                transaction_reference=reference or make_reference(self.terminal),
                idempotency_key=str(uuid.uuid4()),
                operator=self.operator,
                training=self.training,
            )
            if on_prepared is not None:
                on_prepared(attempt)
            return await self._send(attempt)
        finally:
            self._in_flight.discard(charge_id)

    async def _send(self, attempt: Attempt) -> Attempt:
        request = RefundRequest(
            charge_id=attempt.charge_id,
            amount=attempt.amount,
            reason=attempt.reason,
            transaction_reference=attempt.transaction_reference,
            idempotency_key=attempt.idempotency_key,
        )
        try:
            outcome = await self.gateway.refund(request)
        except Rejected as exc:
            return await self._record_error(attempt, State.FAILED, exc)
        except NotSent as exc:
            return await self._record_error(attempt, State.FAILED, exc)
        except OutcomeUnknown as exc:
            return await self._record_error(attempt, State.UNKNOWN, exc)
        except BaseException:
            # Cancelled, or a bug: the request may have left. Record that, then let it go on.
            await asyncio.shield(
                self._db(
                    self.journal.transition,
                    attempt.id,
                    State.UNKNOWN,
                    error_message="The refund was interrupted before its answer arrived.",
                )
            )
            raise
        return await self._record_outcome(attempt, outcome)

    async def _record_outcome(self, attempt: Attempt, outcome: RefundOutcome) -> Attempt:
        state = State(outcome.status.value)
        return await self._db(
            self.journal.transition,
            attempt.id,
            state,
            refund_id=outcome.refund_id,
            amount=outcome.amount,
        )

    async def _record_error(self, attempt: Attempt, state: State, exc: GatewayError) -> Attempt:
        return await self._db(
            self.journal.transition,
            attempt.id,
            state,
            error_code=exc.code,
            error_message=exc.message,
            trace_id=exc.trace_id,
        )

    # ---- after the fact ---------------------------------------------------------------------

    async def unresolved(self) -> list[Attempt]:
        return await self._db(self.journal.unresolved)

    async def recover(self) -> list[Attempt]:
        """At start: attempts the app left `prepared` become `unknown`."""
        return await self._db(self.journal.mark_interrupted)

    async def reconcile(self, attempt_id: int) -> Attempt:
        """Find out what happened to an unknown attempt. First look for its transaction reference
        among the charge's refunds (when the gateway has lookup); otherwise re-send the very same
        request (same idempotency key / request id), which the gateway answers without refunding
        twice. Raises GatewayError when the gateway still cannot be reached (it stays unknown)."""
        attempt = await self._db(self.journal.get, attempt_id)
        if attempt.state not in (State.UNKNOWN, State.PREPARED):
            return attempt
        if attempt.state is State.PREPARED:
            attempt = await self._db(self.journal.transition, attempt.id, State.UNKNOWN)
        if self.gateway.has_lookup:
            charge = await self.gateway.lookup(attempt.charge_id)
            for past in charge.refunds:
                if past.transaction_reference == attempt.transaction_reference:
                    return await self._db(
                        self.journal.transition,
                        attempt.id,
                        State(past.status.value),
                        refund_id=past.refund_id,
                    )
        return await self._send(attempt)

    async def reconcile_all(self) -> list[Attempt]:
        """Reconcile every unresolved attempt; returns them as they are afterwards. An attempt
        the gateway cannot be asked about stays unknown (its error is recorded)."""
        results = []
        for attempt in await self._db(self.journal.unresolved):
            try:
                results.append(await self.reconcile(attempt.id))
            except GatewayError as exc:
                if isinstance(exc, Rejected):
                    results.append(await self._record_error(attempt, State.UNKNOWN, exc))
                else:
                    results.append(await self._db(self.journal.get, attempt.id))
        return results

    async def recheck_pending(self) -> list[Attempt]:
        """Ask again about pending refunds; returns those whose state changed."""
        changed = []
        for attempt in await self._db(self.journal.pending):
            try:
                status = await self._pending_status(attempt)
            except GatewayError:
                continue
            if status is not None and status is not RefundStatus.PENDING:
                changed.append(
                    await self._db(self.journal.transition, attempt.id, State(status.value))
                )
        return changed

    async def _pending_status(self, attempt: Attempt) -> RefundStatus | None:
        if self.gateway.has_lookup:
            charge = await self.gateway.lookup(attempt.charge_id)
            for past in charge.refunds:
                if attempt.refund_id and past.refund_id == attempt.refund_id:
                    return past.status
            return None
        outcome = await self.gateway.refund(
            RefundRequest(
                attempt.charge_id,
                attempt.amount,
                attempt.reason,
                attempt.transaction_reference,
                attempt.idempotency_key,
            )
        )
        return outcome.status


def parse_reason(text: str | None) -> str | None:
    if text is None:
        return None
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    if key not in REASONS:
        raise InvalidInput(f"Unknown reason “{text}”: use one of {', '.join(REASONS)}.")
    return key
