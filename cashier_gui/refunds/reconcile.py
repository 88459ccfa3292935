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
from cashier_gui.i18n import _
from cashier_gui.journal import (
    Attempt,
    JournalError,
    Kind,
    RefundIdTaken,
    State,
    StateChanged,
)
from cashier_gui.refunds.core import ServiceCore

log = logging.getLogger(__name__)


class Reconciling(ServiceCore):
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
