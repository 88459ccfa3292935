"""After the fact: recovery at start-up, Check now (reconcile), pending re-checks and
resolutions by hand."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from cashier_gui.gateways.base import (
    Charge,
    ChargeStatus,
    GatewayError,
    RefundRequest,
    RefundStatus,
)
from cashier_gui.journal import (
    Attempt,
    JournalError,
    Kind,
    RefundIdTaken,
    State,
    StateChanged,
    reasons,
)
from cashier_gui.refunds.core import ServiceCore
from cashier_gui.refunds.model import ChargeView
from cashier_gui.safetext import typed_line

log = logging.getLogger(__name__)


class Reconciling(ServiceCore):
    # ---- after the fact ---------------------------------------------------------------------

    async def attempt(self, key: str) -> Attempt:
        """The attempt as the journal has it now."""
        return await self._db(self.journal.get, key)

    async def reread(self, view: ChargeView) -> ChargeView:
        """`view` with its attempts as the journal has them now (every counter's, in a shop) —
        no gateway call: for a charge on screen when another counter changed it."""
        attempts = await self._db(self.journal.for_charge, view.charge_id)
        return ChargeView(view.charge_id, view.charge, tuple(attempts), self.journal.counter)

    def home_unavailable(self) -> str | None:
        """Why no new refund can be sent now (a shop server that does not answer), or None."""
        return self.journal.unavailable

    async def find(self, ref: str) -> Attempt:
        """The attempt a person named (its number as shown, or its key); JournalError."""
        return await self._db(self.journal.find, ref)

    async def unresolved(self) -> list[Attempt]:
        """This counter's attempts without a final answer."""
        return await self._db(self.journal.unresolved, self.journal.counter)

    async def recover(self) -> list[Attempt]:
        """This counter's attempts whose sender is gone: `prepared` → not sent, `sent` →
        unknown. Attempts a live window or command is sending are left alone."""
        return await self._db(
            self.journal.recover_abandoned, self.journal.counter, actor=self.actor
        )

    async def reconcile(self, key: str) -> Attempt:
        """Find out what happened to an unknown attempt: first its transaction reference among
        the charge's refunds (when the gateway has lookup) — with its amount and a refund ID no
        other attempt holds; otherwise re-send the very same request (same idempotency key /
        request id), which the gateway answers without refunding twice. Raises GatewayError
        when the lookup fails (the attempt stays unknown).

        Another counter's attempt (a shop) is settled only by what the look-up proves: it is
        never re-sent from here — this counter may talk to another terminal or gateway account,
        and only the counter that sent it (or a manager's resolve) may ask again."""
        attempt = await self._db(self.journal.get, key)
        if attempt.state is not State.UNKNOWN:
            return attempt
        if not self._ours(attempt):
            return await self._settle_elsewhere(attempt)
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
        claimed = await self._db(self.journal.claim_resend, attempt.key, actor=self.actor)
        if claimed is None:  # settled meanwhile, or another process is re-sending it
            return await self._db(self.journal.get, attempt.key)
        return await self._deliver(claimed, first=False)

    def _ours(self, attempt: Attempt) -> bool:
        return attempt.counter in (None, self.journal.counter)

    async def _settle_elsewhere(self, attempt: Attempt) -> Attempt:
        if not self.gateway.has_lookup or attempt.provider != self.gateway.provider:
            return attempt  # nothing here can prove it: its own counter, or a manager
        charge = await self.gateway.lookup(attempt.charge_id)
        if attempt.kind is Kind.VOID:
            settled = await self._db(self._settle_void_from_lookup, attempt, charge)
            return settled if settled is not None else attempt
        found = [
            r for r in charge.refunds if r.transaction_reference == attempt.transaction_reference
        ]
        if found:
            return await self._db(self._settle_from_lookup, attempt, found)
        return attempt

    def _settle_void_from_lookup(self, attempt: Attempt, charge: Charge) -> Attempt | None:
        """A cancelled sale of the attempt's amount: voided. A settled, still approved sale:
        the void did not happen. Otherwise None: ask again by re-sending it."""
        state = None
        if charge.status is ChargeStatus.CANCELLED and charge.amount == attempt.amount:
            state, code = State.APPROVED, None
        elif charge.status is ChargeStatus.APPROVED and charge.settled:
            state, code = State.FAILED, reasons.VOID_SETTLED
        if state is None:
            return None
        try:
            return self.journal.transition(
                attempt.key, state, expect=State.UNKNOWN, error_code=code, actor=self.actor
            )
        except StateChanged:
            return self.journal.get(attempt.key)

    def _settle_from_lookup(self, attempt: Attempt, found: list[Any]) -> Attempt:
        match = found[0]
        code, detail = None, None
        if len(found) > 1:
            code = reasons.LOOKUP_SEVERAL
        elif attempt.amount is None or match.amount != attempt.amount:
            code = reasons.LOOKUP_AMOUNT
            detail = f"{match.amount.plain()} {match.amount.currency}"
        if code is None:
            try:
                return self.journal.transition(
                    attempt.key,
                    State(match.status.value),
                    expect=State.UNKNOWN,
                    refund_id=match.refund_id,
                    actor=self.actor,
                )
            except RefundIdTaken:
                code = reasons.LOOKUP_REPLAYED
            except StateChanged:
                return self.journal.get(attempt.key)
        try:
            return self.journal.transition(
                attempt.key,
                State.UNKNOWN,
                expect=State.UNKNOWN,
                error_code=code,
                error_message=detail,
                actor=self.actor,
            )
        except StateChanged:
            return self.journal.get(attempt.key)

    async def reconcile_all(self) -> list[Attempt]:
        """Recover abandoned attempts, then reconcile every unknown one — this counter's, and in
        a shop every other counter's that a look-up here can prove; returns them as they are
        afterwards. One that cannot be settled now stays unknown (its error is recorded), and
        one bad attempt never stops the others."""
        await self.recover()
        results = []
        for attempt in await self._db(self.journal.unknown, None):
            try:
                results.append(await self.reconcile(attempt.key))
                continue
            except GatewayError as exc:
                await self._db(self._note_error, attempt.key, exc)
            except JournalError:
                pass
            except Exception:
                log.exception("reconciling refund attempt %s failed", attempt.id)
            results.append(await self._db(self.journal.get, attempt.key))
        return results

    def _note_error(self, key: str, exc: GatewayError) -> None:
        with contextlib.suppress(JournalError):
            self.journal.transition(
                key,
                State.UNKNOWN,
                expect=State.UNKNOWN,
                error_code=exc.code,
                error_message=exc.message,
                trace_id=exc.trace_id,
                actor=self.actor,
            )

    async def recheck_pending(self) -> list[Attempt]:
        """Ask again about pending refunds; returns those whose state changed."""
        changed = []
        for attempt in await self._db(self.journal.pending, self.journal.counter):
            try:
                status = await self._pending_status(attempt)
                if status is not None and status is not RefundStatus.PENDING:
                    changed.append(
                        await self._db(
                            self.journal.transition,
                            attempt.key,
                            State(status.value),
                            expect=State.PENDING,
                            actor=self.actor,
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

    async def resolve_by_hand(self, key: str, *, refunded: bool, by: str, why: str) -> Attempt:
        """A person checked on the terminal or the gateway's portal: record what they saw.
        NotPlainText (nothing recorded) when `by` or `why` is not one line of plain text."""
        typed_line(by, "by")
        typed_line(why, "why")
        return await self._db(
            self.journal.resolve_by_hand, key, refunded=refunded, by=by, why=why, actor=self.actor
        )
