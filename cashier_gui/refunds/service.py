"""`RefundService`: look up, check, approve, journal and send a refund or a void."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from cashier_gui.gateways.base import (
    check_charge_id,
)
from cashier_gui.i18n import _
from cashier_gui.journal import (
    Attempt,
    ChargeBusy,
    JournalError,
    Kind,
    NeedsManager,
    NewAttempt,
    SignInNeeded,
    State,
    reasons,
    stamp,
)
from cashier_gui.money import Money
from cashier_gui.operators import Operator
from cashier_gui.policy import (
    Approver,
    Policy,
    PolicyUnavailable,
    check_approver,
    needs_approval,
)
from cashier_gui.refunds.model import (
    _REFERENCE_RE,
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
)
from cashier_gui.refunds.reconcile import Reconciling
from cashier_gui.safetext import typed_problem


class RefundService(Reconciling):
    # ---- lookup -------------------------------------------------------------------------------

    async def lookup(self, charge_id: str) -> ChargeView:
        charge_id = check_charge_id(charge_id)
        charge = await self.gateway.lookup(charge_id) if self.gateway.has_lookup else None
        attempts = await self._db(self.journal.for_charge, charge_id)
        return ChargeView(charge_id, charge, tuple(attempts), self.journal.counter)

    def check_amount(self, view: ChargeView, amount: Money | None) -> Money | None:
        """The amount to send (None: a full refund of an amount the gateway knows), or
        RefundBlocked with a sentence for the cashier."""
        blocked = view.blocked_reason()
        if blocked:
            raise RefundBlocked(blocked, blocking=next(iter(view.elsewhere), None))
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

    def _check_without_lookup(self, view: ChargeView, amount: Money | None) -> Money | None:
        """A back end without lookup (Poynt) sends minor units, not a currency: the amount is in
        the terminal's currency (the shop's, `gateway.currency`), never one the cashier chose,
        so the policy is weighed in the currency the money actually moves in."""
        if amount is not None and amount.minor <= 0:
            raise RefundBlocked(_("A refund amount must be more than zero."))
        currency = getattr(self.gateway, "currency", None)
        if not currency:
            if self.training:
                return amount  # the simulator moves no money
            raise RefundBlocked(
                _(
                    "The terminal cannot say which currency it takes, and this counter has no "
                    "shop currency: nothing was sent. A manager sets it once in Counter → "
                    "Settings, or with cashier-refund setup poynt --host IP --currency USD "
                    "(the shop's currency code)."
                )
            )
        if amount is not None and amount.currency != currency:
            raise RefundBlocked(
                _(
                    "This terminal takes {currency}, not {other}: type the amount in {currency} "
                    "(on the command line, leave out --currency). Nothing was sent."
                ).format(currency=currency, other=amount.currency)
            )
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
        approval: Approval | None = None,
    ) -> Attempt:
        """Send one refund and return its journal entry: final, pending, unknown, or
        `cancelled` when `control.cancel()` came before it was sent.

        Raises RefundBlocked (nothing written, nothing sent) when the rules refuse it, and
        JournalError when the journal cannot record it (nothing sent).
        `amount` None is a full refund; `on_sent` is called once `sent` is durable.
        `operator` is who signed in (None: the OS user); ApprovalNeeded when the policy wants
        a manager and `approval` is not a manager's; ApprovalMismatch when it is for another
        charge, kind, amount, currency or reason than this refund.
        """
        if reason is not None and reason not in REASONS:
            raise RefundBlocked(_("Unknown reason {reason}.").format(reason=repr(reason)))
        _check_note(note)
        to_send = self.check_amount(view, amount)

        def guard(attempts: Any) -> object:
            # The same rules against the journal as it is inside the write transaction.
            return self.check_amount(
                ChargeView(view.charge_id, view.charge, tuple(attempts), view.counter), amount
            )

        approved_by, version = await self._approval(
            view, Kind.REFUND, to_send, reason, operator, approval
        )
        pin = approval.pin if approval is not None and approved_by is not None else None
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
            approver_pin=pin,
            policy_version=version,
        )

    def check_void(self, view: ChargeView) -> Money | None:
        """The sale's amount to void (None when the back end cannot say), or RefundBlocked."""
        blocked = view.void_blocked_reason()
        if blocked:
            raise RefundBlocked(blocked, blocking=next(iter(view.elsewhere), None))
        return view.charge.amount if view.charge is not None else None

    async def void(
        self,
        view: ChargeView,
        note: str | None = None,
        *,
        control: SendControl | None = None,
        on_sent: Callable[[Attempt], None] | None = None,
        operator: Operator | None = None,
        approval: Approval | None = None,
    ) -> Attempt:
        """Void the whole sale before settlement (the cardholder is never charged), through the
        same journal as refunds: prepared → sent → outcome, reconciled the same way. An
        approved void attempt means the sale is voided; `failed` with a settled sale means:
        refund it instead."""
        _check_note(note)
        amount = self.check_void(view)

        def guard(attempts: Any) -> object:
            return self.check_void(
                ChargeView(view.charge_id, view.charge, tuple(attempts), view.counter)
            )

        approved_by, version = await self._approval(
            view, Kind.VOID, amount, None, operator, approval
        )
        pin = approval.pin if approval is not None and approved_by is not None else None
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
            approver_pin=pin,
            policy_version=version,
        )

    async def approval_reasons(
        self, view: ChargeView, kind: Kind, amount: Money | None, operator: Operator | None
    ) -> list[str]:
        """Why the shop's policy wants a manager for this; [] when `operator` may go alone.
        RefundBlocked when the policy in force cannot be read (fail closed)."""
        reasons, _policy = await self._weigh(view, kind, amount, operator)
        return reasons

    async def _weigh(
        self, view: ChargeView, kind: Kind, amount: Money | None, operator: Operator | None
    ) -> tuple[list[str], Policy | None]:
        """The reasons, and the policy they were weighed under (None: `operator` is not held
        to it)."""
        if not needs_approval(operator):
            return [], None
        try:
            policy = await self._db(self.policy_source.current)
        except PolicyUnavailable as exc:
            raise RefundBlocked(str(exc)) from None
        if self.seal_broken:
            policy = replace(policy, seal_broken=True)
        if policy.empty:
            return [], policy
        since = stamp(policy.day_start())  # the shop's day, never the process's TZ
        try:
            today = await self._db(self.journal.count_by_operator, operator.name, since)
        except PolicyUnavailable as exc:
            raise RefundBlocked(str(exc)) from None
        reasons = policy.reasons(
            locale=self.money_locale,
            kind=str(kind),
            amount=amount,
            has_lookup=view.charge is not None,
            sale_date=view.charge.created_at if view.charge is not None else None,
            refunds_today=today,
        )
        return reasons, policy

    async def _approval(
        self,
        view: ChargeView,
        kind: Kind,
        amount: Money | None,
        reason: str | None,
        operator: Operator | None,
        approval: Approval | None,
    ) -> tuple[str | None, int | None]:
        """(the approving manager's name when the policy needs one, the shop policy's version
        a cashier going alone was weighed under); ApprovalNeeded otherwise, ApprovalMismatch
        when the approval is for something other than what is sent."""
        reasons, policy = await self._weigh(view, kind, amount, operator)
        if not reasons:
            # Held to the policy alone: a shop server counts again as it claims (schema 7).
            return None, policy.version if policy is not None else None
        if approval is None or check_approver(approval.manager, operator) is not Approver.OK:
            raise ApprovalNeeded(reasons)
        if approval.differs(view.charge_id, kind, amount, reason):
            raise ApprovalMismatch([_mismatch(approval, amount), *reasons])
        return approval.manager.name, None

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
        approver_pin: str | None = None,
        policy_version: int | None = None,
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
            new = NewAttempt(
                provider=self.gateway.provider,
                terminal=self._terminal_as_recorded(),
                charge_id=charge_id,
                amount=amount,
                reason=reason,
                note=note or None,
                transaction_reference=reference or make_reference(self.terminal),
                key=str(uuid.uuid4()),
                operator=operator.name if operator is not None else self.operator,
                kind=kind,
                full_refund=full,
                training=self.training,
                approver=approver,
                card_brand=charge.card_brand if charge is not None else None,
                card_last4=charge.card_last4 if charge is not None else None,
                charge_total=charge.amount if charge is not None else None,
                endpoint=getattr(self.gateway, "base_url", None),
                policy=self.policy_fingerprint,
                policy_version=policy_version,
                approver_pin=approver_pin,
                session=operator.session if operator is not None else None,
            )
            attempt = await self._start(new, guard, control or SendControl())
            if attempt.state is not State.SENT:
                return attempt  # cancelled: never sent
            if on_sent is not None:
                on_sent(attempt)
            return await self._deliver(attempt, first=True)
        finally:
            self._in_flight.discard(charge_id)

    def _terminal_as_recorded(self) -> str:
        """The terminal, as the journal keeps it: a refund that goes to a back end on this PC
        itself (a test counter's simulator) outside training says so, wherever it is shown
        (History, receipts, exports). The journal has no endpoint column yet (issue 27)."""
        from cashier_gui.doors import is_loopback

        where = getattr(self.gateway, "base_url", None)
        if self.training or not isinstance(where, str) or not is_loopback(where):
            return self.terminal
        return f"{self.terminal} [test counter: {where}]"  # a record, not words: untranslated

    def _prepare_and_decide(
        self, new: NewAttempt, guard: Callable[[Any], object], control: SendControl
    ) -> Attempt:
        """Worker thread: `prepared`, then at once `sent` or `cancelled` (control decides)."""
        try:
            attempt = self.journal.prepare(new, actor=self.actor, guard=guard)
        except NeedsManager as exc:
            raise ApprovalNeeded([str(exc)]) from None
        except SignInNeeded as exc:
            raise SignInRequired(str(exc)) from None
        except ChargeBusy as exc:
            raise RefundBlocked(str(exc)) from None
        if attempt.state is not State.PREPARED:
            return attempt  # the journal's home refused to let it go (a shop server down)
        try:
            return self.journal.send_or_cancel(attempt.key, control.decide, actor=self.actor)
        except JournalError:
            # It cannot be marked sent, so it will not be sent. If even this fails, it stays
            # `prepared`: recovery makes it `not_sent` once this process is gone.
            with contextlib.suppress(JournalError):
                self.journal.transition(
                    attempt.key,
                    State.NOT_SENT,
                    expect=State.PREPARED,
                    error_code=reasons.NOT_RECORDED,
                    actor=self.actor,
                )
            raise

    async def _start(
        self, new: NewAttempt, guard: Callable[[Any], object], control: SendControl
    ) -> Attempt:
        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(self._worker, self._prepare_and_decide, new, guard, control)
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
            self._worker.submit(self._interrupted, attempt.key)


def _mismatch(approval: Approval, amount: Money | None) -> str:
    if approval.amount != amount:
        return _("The manager approved {approved}, not {amount}.").format(
            approved=approval.amount.format() if approval.amount else _("the full amount"),
            amount=amount.format() if amount else _("the full amount"),
        )
    return _("The manager approved another charge, kind or reason.")


def _check_note(note: str | None) -> None:
    """RefundBlocked (nothing written, nothing sent) for a note that is too long or is not one
    line of plain text (`safetext.typed_line`: no line breaks, controls, bidi overrides)."""
    if not note:
        return
    if len(note) > MAX_NOTE:
        raise RefundBlocked(
            _("The note is too long: {limit} characters at most.").format(limit=MAX_NOTE)
        )
    problem = typed_problem(note, "note")
    if problem is not None:
        raise RefundBlocked(problem)
