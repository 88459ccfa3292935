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

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import secrets
import string
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from cashier_gui.gateways.base import (
    Charge,
    ChargeStatus,
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
from cashier_gui.i18n import N_, _, ngettext
from cashier_gui.journal import (
    Attempt,
    ChargeBusy,
    Journal,
    JournalError,
    Kind,
    RefundIdTaken,
    State,
    StateChanged,
)
from cashier_gui.money import Money
from cashier_gui.operators import Operator
from cashier_gui.policy import Policy

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Reason codes sent to the gateway, with what the cashier sees.
#: The labels are kept in English here (the table is built at import time): show them with
#: `reason_label(code)`, which translates.
REASONS: dict[str, str] = {
    "customer_request": N_("Customer request"),
    "defective_product": N_("Defective product"),
    "wrong_item": N_("Wrong item"),
    "duplicate_charge": N_("Duplicate charge"),
    "other": N_("Other"),
}
MAX_NOTE = 200
_REFERENCE_RE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RefundBlocked(InvalidInput):
    """A refund that the rules refuse before anything is sent (nothing was written)."""


class ApprovalNeeded(RefundBlocked):
    """The shop's policy wants a manager's PIN for this one; `reasons` say why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(
            _("{reasons} Ask a manager to approve it with their PIN.").format(
                reasons=" ".join(reasons)
            )
        )
        self.reasons = reasons


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

    def void_blocked_reason(self) -> str | None:
        """None when the whole sale can be voided now; otherwise a sentence for the cashier."""
        if self.unresolved or any(
            a.kind is Kind.VOID and a.state is State.APPROVED for a in self.attempts
        ):
            return self.blocked_reason()
        if self.charge is not None:
            return self.charge.why_not_voidable()
        if any(a.state in (State.APPROVED, State.PENDING) for a in self.attempts):
            return _("This sale has refunds already: refund the rest instead of voiding.")
        return None

    def blocked_reason(self) -> str | None:
        if any(a.state in (State.PREPARED, State.SENT) for a in self.unresolved):
            return _(
                "A refund on this charge is being sent right now (in this or another window). "
                "Wait for its answer before refunding again."
            )
        if self.unresolved:
            n = len(self.unresolved)
            return ngettext(
                "{count} earlier refund on this charge has no answer yet. Check it (Check now, "
                "F5) before refunding again, so the customer is not refunded twice.",
                "{count} earlier refunds on this charge have no answer yet. Check them (Check "
                "now, F5) before refunding again, so the customer is not refunded twice.",
                n,
            ).format(count=n)
        if any(a.kind is Kind.VOID and a.state is State.APPROVED for a in self.attempts):
            return _("This sale was voided: the customer was never charged.")
        if self.charge is not None:
            return self.charge.why_not_refundable()
        done = [a for a in self.attempts if a.state in (State.APPROVED, State.PENDING)]
        if any(a.full_refund for a in done):
            return _("This counter has already refunded this payment in full.")
        return None


def _local_midnight_utc() -> str:
    """The start of today on this PC's clock, as the journal stores times (UTC)."""
    local = dt.datetime.now().astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_reference(terminal: str, now: dt.datetime | None = None) -> str:
    """A transaction reference: `{terminal}-{UTC yymmddHHMMSS}-{6 random}`, ≤ 64 of [A-Za-z0-9._:-]."""
    now = now or dt.datetime.now(dt.UTC)
    safe = re.sub(r"[^A-Za-z0-9._:-]", "", terminal)[:24] or "POS"
    alphabet = string.ascii_uppercase + string.digits
    token = "".join(secrets.choice(alphabet) for _ in range(6))
    return f"{safe}-{now.astimezone(dt.UTC):%y%m%d%H%M%S}-{token}"


class SendControl:
    """Cancel a refund until it is sent. `cancel()` never blocks: it returns True when the
    refund will not be sent (the attempt ends `cancelled`), False when it is too late (the
    request is leaving or has left: the attempt is followed up as any other)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._decided = False

    def cancel(self) -> bool:
        with self._lock:
            if self._decided and not self._cancelled:
                return False
            self._cancelled = True
            return True

    @property
    def cancellable(self) -> bool:
        with self._lock:
            return not self._decided

    def decide(self) -> bool:
        """Called once, just before `sent` is written: True = cancelled, do not send."""
        with self._lock:
            self._decided = True
            return self._cancelled


class RefundService:
    def __init__(
        self,
        gateway: GatewayProtocol,
        journal: Journal,
        *,
        terminal: str,
        operator: str,
        training: bool = False,
        policy: Policy | None = None,
    ) -> None:
        self.gateway = gateway
        self.journal = journal
        self.terminal = terminal
        self.operator = operator  # the OS user: the machine account when nobody signs in
        self.training = training
        self.policy = policy or Policy()
        journal.actor = operator
        self._in_flight: set[str] = set()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")

    def act_as(self, operator: Operator | None) -> None:
        """Who is at the counter now (sign-in / sign-out): named in every journal event."""
        self.journal.actor = operator.name if operator is not None else self.operator

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
                _("This charge is in {charge_currency}, not {currency}.").format(
                    charge_currency=charge.amount.currency, currency=amount.currency
                )
            )
        if amount.minor <= 0:
            raise RefundBlocked(_("A refund amount must be more than zero."))
        if amount > charge.remaining:
            raise RefundBlocked(
                _("At most {amount} can still be refunded on this charge.").format(
                    amount=charge.remaining.format()
                )
            )
        return amount

    @staticmethod
    def _check_without_lookup(view: ChargeView, amount: Money | None) -> Money | None:
        if amount is not None and amount.minor <= 0:
            raise RefundBlocked(_("A refund amount must be more than zero."))
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
        control: SendControl | None = None,
        on_sent: Callable[[Attempt], None] | None = None,
        operator: Operator | None = None,
        approver: Operator | None = None,
    ) -> Attempt:
        """Send one refund and return its journal entry: final, pending, unknown, or
        `cancelled` when `control.cancel()` came before it was sent.

        Raises RefundBlocked (nothing written, nothing sent) when the rules refuse it, and
        JournalError when the journal cannot record it (nothing sent).
        `amount` None is a full refund; `on_sent` is called once `sent` is durable.
        `operator` is who signed in (None: the OS user); ApprovalNeeded when the policy wants
        a manager and `approver` is not one.
        """
        if reason is not None and reason not in REASONS:
            raise RefundBlocked(_("Unknown reason {reason}.").format(reason=repr(reason)))
        if note and len(note) > MAX_NOTE:
            raise RefundBlocked(
                _("The note is too long: {limit} characters at most.").format(limit=MAX_NOTE)
            )
        to_send = self.check_amount(view, amount)

        def guard(attempts: Any) -> object:
            # The same rules against the journal as it is inside the write transaction.
            return self.check_amount(
                ChargeView(view.charge_id, view.charge, tuple(attempts)), amount
            )

        approved_by = await self._approval(view, Kind.REFUND, to_send, operator, approver)
        return await self._attempt(
            view,
            Kind.REFUND,
            to_send,
            amount is None,
            guard,
            reason=reason,
            note=note,
            reference=reference,
            control=control,
            on_sent=on_sent,
            operator=operator,
            approver=approved_by,
        )

    def check_void(self, view: ChargeView) -> Money | None:
        """The sale's amount to void (None when the back end cannot say), or RefundBlocked."""
        blocked = view.void_blocked_reason()
        if blocked:
            raise RefundBlocked(blocked)
        return view.charge.amount if view.charge is not None else None

    async def void(
        self,
        view: ChargeView,
        note: str | None = None,
        *,
        control: SendControl | None = None,
        on_sent: Callable[[Attempt], None] | None = None,
        operator: Operator | None = None,
        approver: Operator | None = None,
    ) -> Attempt:
        """Void the whole sale before settlement (the cardholder is never charged), through the
        same journal as refunds: prepared → sent → outcome, reconciled the same way. An
        approved void attempt means the sale is voided; `failed` with a settled sale means:
        refund it instead."""
        if note and len(note) > MAX_NOTE:
            raise RefundBlocked(
                _("The note is too long: {limit} characters at most.").format(limit=MAX_NOTE)
            )
        amount = self.check_void(view)

        def guard(attempts: Any) -> object:
            return self.check_void(ChargeView(view.charge_id, view.charge, tuple(attempts)))

        approved_by = await self._approval(view, Kind.VOID, amount, operator, approver)
        return await self._attempt(
            view,
            Kind.VOID,
            amount,
            True,
            guard,
            reason=None,
            note=note,
            reference=None,
            control=control,
            on_sent=on_sent,
            operator=operator,
            approver=approved_by,
        )

    async def approval_reasons(
        self, view: ChargeView, kind: Kind, amount: Money | None, operator: Operator | None
    ) -> list[str]:
        """Why the shop's policy wants a manager for this; [] when `operator` may go alone."""
        if operator is None or operator.is_manager or self.policy.empty:
            return []
        since = _local_midnight_utc()
        today = await self._db(self.journal.count_by_operator, operator.name, since)
        return self.policy.reasons(
            kind=str(kind),
            amount=amount,
            has_lookup=view.charge is not None,
            sale_date=view.charge.created_at if view.charge is not None else None,
            refunds_today=today,
        )

    async def _approval(
        self,
        view: ChargeView,
        kind: Kind,
        amount: Money | None,
        operator: Operator | None,
        approver: Operator | None,
    ) -> str | None:
        """The approving manager's name when the policy needs one; ApprovalNeeded otherwise."""
        reasons = await self.approval_reasons(view, kind, amount, operator)
        if not reasons:
            return None
        if approver is None or not approver.is_manager or approver == operator:
            raise ApprovalNeeded(reasons)
        return approver.name

    async def _attempt(
        self,
        view: ChargeView,
        kind: Kind,
        amount: Money | None,
        full: bool,
        guard: Callable[[Any], object],
        *,
        reason: str | None,
        note: str | None,
        reference: str | None,
        control: SendControl | None,
        on_sent: Callable[[Attempt], None] | None,
        operator: Operator | None,
        approver: str | None,
    ) -> Attempt:
        charge_id, charge = view.charge_id, view.charge
        if reference is not None and not _REFERENCE_RE.fullmatch(reference):
            raise RefundBlocked(
                _("A transaction reference is 1 to 64 letters, digits or . _ : - characters.")
            )
        if charge_id in self._in_flight:
            raise RefundBlocked(_("A refund for this charge is already being sent."))
        self._in_flight.add(charge_id)
        try:
            if reference is not None:
                used = await self._db(self.journal.by_reference, reference)
                if used is not None:
                    raise RefundBlocked(
                        _(
                            "The reference {reference} was already used (refund attempt {id})."
                        ).format(reference=reference, id=used.id)
                    )
            prepare = dict(
                provider=self.gateway.provider,
                terminal=self.terminal,
                charge_id=charge_id,
                amount=amount,
                reason=reason,
                note=note or None,
                transaction_reference=reference or make_reference(self.terminal),
                idempotency_key=str(uuid.uuid4()),
                operator=operator.name if operator is not None else self.operator,
                training=self.training,
                full_refund=full,
                kind=kind,
                approver=approver,
                card_brand=charge.card_brand if charge is not None else None,
                card_last4=charge.card_last4 if charge is not None else None,
                guard=guard,
            )
            attempt = await self._start(prepare, control or SendControl())
            if attempt.state is not State.SENT:
                return attempt  # cancelled: never sent
            if on_sent is not None:
                on_sent(attempt)
            return await self._deliver(attempt, first=True)
        finally:
            self._in_flight.discard(charge_id)

    def _prepare_and_decide(self, prepare: dict[str, Any], control: SendControl) -> Attempt:
        """Worker thread: `prepared`, then at once `sent` or `cancelled` (control decides)."""
        try:
            attempt = self.journal.prepare(**prepare)
        except ChargeBusy as exc:
            raise RefundBlocked(str(exc)) from None
        try:
            return self.journal.send_or_cancel(attempt.id, control.decide)
        except JournalError:
            # It cannot be marked sent, so it will not be sent. If even this fails, it stays
            # `prepared`: recovery makes it `not_sent` once this process is gone.
            with contextlib.suppress(JournalError):
                self.journal.transition(
                    attempt.id,
                    State.NOT_SENT,
                    expect=State.PREPARED,
                    error_message=_("The journal could not record the send: nothing was sent."),
                )
            raise

    async def _start(self, prepare: dict[str, Any], control: SendControl) -> Attempt:
        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(self._worker, self._prepare_and_decide, prepare, control)
        try:
            return await asyncio.shield(job)
        except asyncio.CancelledError:
            # The window closed or the cashier cancelled while the journal was slow: the write
            # goes on in the worker; the decision it reaches next is "cancelled". Had it just
            # decided "sent", follow that attempt up as interrupted.
            control.cancel()
            job.add_done_callback(self._after_cancelled_start)
            raise

    def _after_cancelled_start(self, job: asyncio.Future[Attempt]) -> None:
        if job.cancelled() or job.exception() is not None:
            return
        attempt = job.result()
        if attempt.state is State.SENT:
            self._worker.submit(self._interrupted, attempt.id)

    def _interrupted(self, attempt_id: int) -> Attempt:
        try:
            return self.journal.transition(
                attempt_id,
                State.UNKNOWN,
                expect=State.SENT,
                error_message=_("The refund was interrupted before its answer arrived."),
            )
        except StateChanged:
            return self.journal.get(attempt_id)

    async def _deliver(self, attempt: Attempt, *, first: bool) -> Attempt:
        """Send (or re-send) a `sent` attempt and record what its answer proves."""
        request = RefundRequest(
            charge_id=attempt.charge_id,
            amount=attempt.amount,
            reason=attempt.reason,
            transaction_reference=attempt.transaction_reference,
            idempotency_key=attempt.idempotency_key,
        )
        send = self.gateway.void if attempt.kind is Kind.VOID else self.gateway.refund
        try:
            outcome = await send(request)
        except NotSent as exc:
            # Nothing reached the server this time; a re-send proves nothing about the first.
            return await self._settle(attempt, State.NOT_SENT if first else State.UNKNOWN, exc)
        except Rejected as exc:
            settled = first or exc.settles
            return await self._settle(attempt, State.FAILED if settled else State.UNKNOWN, exc)
        except OutcomeUnknown as exc:
            return await self._settle(attempt, State.UNKNOWN, exc)
        except BaseException:
            # Cancelled, or a bug: the request may have left. Record that, then let it go on.
            await asyncio.shield(self._db(self._interrupted, attempt.id))
            raise
        return await self._record_outcome(attempt, outcome)

    async def _record_outcome(self, attempt: Attempt, outcome: RefundOutcome) -> Attempt:
        if (
            attempt.amount is not None
            and outcome.amount is not None
            and outcome.amount != attempt.amount
        ):
            return await self._db(
                self._transition_or_current,
                attempt.id,
                State.UNKNOWN,
                error_code="UNBOUND",
                error_message=_(
                    "The answer is about another amount: it does not belong to this refund. "
                    "Check it before refunding again."
                ),
            )
        try:
            return await self._db(
                self.journal.transition,
                attempt.id,
                State(outcome.status.value),
                expect=State.SENT,
                refund_id=outcome.refund_id,
                amount=outcome.amount,
            )
        except RefundIdTaken as exc:
            return await self._db(
                self._transition_or_current,
                attempt.id,
                State.UNKNOWN,
                error_code="REPLAYED",
                error_message=f"{exc} Check this refund before refunding again.",
            )
        except StateChanged:
            return await self._db(self.journal.get, attempt.id)

    async def _settle(self, attempt: Attempt, state: State, exc: GatewayError) -> Attempt:
        return await self._db(
            self._transition_or_current,
            attempt.id,
            state,
            error_code=exc.code,
            error_message=exc.message,
            trace_id=exc.trace_id,
        )

    def _transition_or_current(self, attempt_id: int, state: State, **kw: Any) -> Attempt:
        """Worker thread: `sent` → `state`; the attempt as it is if someone got there first."""
        try:
            return self.journal.transition(attempt_id, state, expect=State.SENT, **kw)
        except StateChanged:
            return self.journal.get(attempt_id)

    # ---- after the fact ---------------------------------------------------------------------

    async def unresolved(self) -> list[Attempt]:
        return await self._db(self.journal.unresolved)

    async def recover(self) -> list[Attempt]:
        """Attempts whose sender is gone: `prepared` → not sent, `sent` → unknown. Attempts a
        live window or command is sending are left alone."""
        return await self._db(self.journal.recover_abandoned)

    async def reconcile(self, attempt_id: int) -> Attempt:
        """Find out what happened to an unknown attempt: first its transaction reference among
        the charge's refunds (when the gateway has lookup) — with its amount and a refund ID no
        other attempt holds; otherwise re-send the very same request (same idempotency key /
        request id), which the gateway answers without refunding twice. Raises GatewayError
        when the lookup fails (the attempt stays unknown)."""
        attempt = await self._db(self.journal.get, attempt_id)
        if attempt.state is not State.UNKNOWN:
            return attempt
        if self.gateway.has_lookup and attempt.kind is Kind.VOID:
            charge = await self.gateway.lookup(attempt.charge_id)
            settled = await self._db(self._settle_void_from_lookup, attempt, charge)
            if settled is not None:
                return settled
        elif self.gateway.has_lookup:
            charge = await self.gateway.lookup(attempt.charge_id)
            found = [
                r
                for r in charge.refunds
                if r.transaction_reference == attempt.transaction_reference
            ]
            if found:
                return await self._db(self._settle_from_lookup, attempt, found)
        claimed = await self._db(self.journal.claim_resend, attempt.id)
        if claimed is None:  # settled meanwhile, or another process is re-sending it
            return await self._db(self.journal.get, attempt.id)
        return await self._deliver(claimed, first=False)

    def _settle_void_from_lookup(self, attempt: Attempt, charge: Charge) -> Attempt | None:
        """A cancelled sale of the attempt's amount: voided. A settled, still approved sale:
        the void did not happen. Otherwise None: ask again by re-sending it."""
        state = None
        if charge.status is ChargeStatus.CANCELLED and charge.amount == attempt.amount:
            state, why = State.APPROVED, None
        elif charge.status is ChargeStatus.APPROVED and charge.settled:
            state = State.FAILED
            why = _("The sale settled without being voided: refund it instead.")
        if state is None:
            return None
        try:
            return self.journal.transition(
                attempt.id, state, expect=State.UNKNOWN, error_message=why
            )
        except StateChanged:
            return self.journal.get(attempt.id)

    def _settle_from_lookup(self, attempt: Attempt, found: list[Any]) -> Attempt:
        match = found[0]
        problem = None
        if len(found) > 1:
            problem = _("The gateway shows several refunds with this reference.")
        elif attempt.amount is None or match.amount != attempt.amount:
            problem = _(
                "The gateway shows a refund with this reference for {amount}, not this "
                "refund's amount."
            ).format(amount=f"{match.amount.plain()} {match.amount.currency}")
        if problem is None:
            try:
                return self.journal.transition(
                    attempt.id,
                    State(match.status.value),
                    expect=State.UNKNOWN,
                    refund_id=match.refund_id,
                )
            except RefundIdTaken as exc:
                problem = str(exc)
            except StateChanged:
                return self.journal.get(attempt.id)
        try:
            return self.journal.transition(
                attempt.id,
                State.UNKNOWN,
                expect=State.UNKNOWN,
                error_code="CHECK_BY_HAND",
                error_message=_(
                    "{problem} Check it on the gateway's portal and resolve it by hand."
                ).format(problem=problem),
            )
        except StateChanged:
            return self.journal.get(attempt.id)

    async def reconcile_all(self) -> list[Attempt]:
        """Recover abandoned attempts, then reconcile every unknown one; returns them as they are
        afterwards. One that cannot be settled now stays unknown (its error is recorded), and
        one bad attempt never stops the others."""
        await self.recover()
        results = []
        for attempt in await self._db(self.journal.unknown):
            try:
                results.append(await self.reconcile(attempt.id))
                continue
            except GatewayError as exc:
                await self._db(self._note_error, attempt.id, exc)
            except JournalError:
                pass
            except Exception:
                log.exception("reconciling refund attempt %s failed", attempt.id)
            results.append(await self._db(self.journal.get, attempt.id))
        return results

    def _note_error(self, attempt_id: int, exc: GatewayError) -> None:
        with contextlib.suppress(JournalError):
            self.journal.transition(
                attempt_id,
                State.UNKNOWN,
                expect=State.UNKNOWN,
                error_code=exc.code,
                error_message=exc.message,
                trace_id=exc.trace_id,
            )

    async def recheck_pending(self) -> list[Attempt]:
        """Ask again about pending refunds; returns those whose state changed."""
        changed = []
        for attempt in await self._db(self.journal.pending):
            try:
                status = await self._pending_status(attempt)
                if status is not None and status is not RefundStatus.PENDING:
                    changed.append(
                        await self._db(
                            self.journal.transition,
                            attempt.id,
                            State(status.value),
                            expect=State.PENDING,
                        )
                    )
            except (GatewayError, JournalError):
                continue
            except Exception:
                log.exception("re-checking pending refund attempt %s failed", attempt.id)
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
        if attempt.refund_id and outcome.refund_id != attempt.refund_id:
            return None  # not the answer to this refund
        return outcome.status

    async def resolve_by_hand(
        self, attempt_id: int, *, refunded: bool, by: str, why: str
    ) -> Attempt:
        """A person checked on the terminal or the gateway's portal: record what they saw."""
        return await self._db(
            self.journal.resolve_by_hand, attempt_id, refunded=refunded, by=by, why=why
        )


def reason_label(code: str) -> str:
    """What the cashier sees for a reason code, in their language (the code when unknown)."""
    label = REASONS.get(code)
    return _(label) if label is not None else code


def parse_reason(text: str | None) -> str | None:
    if text is None:
        return None
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    if key not in REASONS:
        raise InvalidInput(
            _("Unknown reason “{reason}”: use one of {choices}.").format(
                reason=text, choices=", ".join(REASONS)
            )
        )
    return key
