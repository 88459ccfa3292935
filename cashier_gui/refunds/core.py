"""The service's core: its journal worker thread and how an attempt's request is delivered and
its outcome recorded (first send and re-send alike)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar

from cashier_gui.gateways.base import (
    Gateway as GatewayProtocol,
)
from cashier_gui.gateways.base import (
    GatewayError,
    NotSent,
    OutcomeUnknown,
    RefundOutcome,
    RefundRequest,
    Rejected,
)
from cashier_gui.journal import (
    Attempt,
    Journal,
    Kind,
    RefundIdTaken,
    State,
    StateChanged,
    reasons,
)
from cashier_gui.operators import Operator
from cashier_gui.policy import Policy, PolicySource, SettingsPolicy

T = TypeVar("T")


class ServiceCore:
    def __init__(
        self,
        gateway: GatewayProtocol,
        journal: Journal,
        *,
        terminal: str,
        operator: str,
        training: bool = False,
        policy: Policy | None = None,
        policy_fingerprint: str | None = None,
        policy_source: PolicySource | None = None,
    ) -> None:
        """`policy_fingerprint`: of the guarded settings this counter runs under (recorded with
        every attempt). `policy_source`: where the policy in force comes from (the settings
        file's, or a shop server's: `runtime.JournalHome.policy`); without one, `policy` as
        given."""
        self.gateway = gateway
        self.policy_fingerprint = policy_fingerprint
        self.journal = journal
        self.terminal = terminal
        self.operator = operator  # the OS user: the machine account when nobody signs in
        self.training = training
        self.policy_source: PolicySource = policy_source or SettingsPolicy(policy)
        #: The settings seal does not hold (doors.apply_seal): every cashier's refund and void
        #: needs a manager, whatever the source says.
        self.seal_broken = False
        #: How amounts in the policy's words are written (cashier_gui.money.window_locale).
        self.money_locale: str | None = None
        #: Who is at the counter: named in every journal event this service writes.
        self.actor = operator
        self._in_flight: set[str] = set()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")

    @property
    def policy(self) -> Policy:
        """The policy as last known, without blocking (the window, doctor); what a refund is
        weighed under is read from `policy_source` as it is made."""
        known = self.policy_source.known()
        return replace(known, seal_broken=True) if self.seal_broken else known

    @policy.setter
    def policy(self, value: Policy) -> None:
        """A fixed policy from now on (training, tests), its `seal_broken` as the seal's."""
        self.seal_broken = value.seal_broken
        self.policy_source = SettingsPolicy(replace(value, seal_broken=False))

    def act_as(self, operator: Operator | None) -> None:
        """Who is at the counter now (sign-in / sign-out): named in every journal event."""
        self.actor = operator.name if operator is not None else self.operator

    async def aclose(self) -> None:
        await self.gateway.aclose()
        await asyncio.to_thread(self.policy_source.close)  # a shop's listener stops: may wait
        # Let journal writes in progress finish, waiting off the event loop's thread.
        await asyncio.to_thread(self._worker.shutdown, True)

    async def _db(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, lambda: fn(*args, **kw))

    def _interrupted(self, key: str) -> Attempt:
        try:
            return self.journal.transition(
                key,
                State.UNKNOWN,
                expect=State.SENT,
                error_code=reasons.INTERRUPTED,
                actor=self.actor,
            )
        except StateChanged:
            return self.journal.get(key)

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
            await asyncio.shield(self._db(self._interrupted, attempt.key))
            raise
        return await self._record_outcome(attempt, outcome)

    async def _record_outcome(self, attempt: Attempt, outcome: RefundOutcome) -> Attempt:
        if (
            attempt.amount is not None
            and outcome.amount is not None
            and outcome.amount != attempt.amount
        ):
            return await self._db(
                self._transition_or_current, attempt.key, State.UNKNOWN, error_code=reasons.UNBOUND
            )
        try:
            return await self._db(
                self.journal.transition,
                attempt.key,
                State(outcome.status.value),
                expect=State.SENT,
                refund_id=outcome.refund_id,
                amount=outcome.amount,
                actor=self.actor,
            )
        except RefundIdTaken:
            return await self._db(
                self._transition_or_current,
                attempt.key,
                State.UNKNOWN,
                error_code=reasons.REPLAYED,
            )
        except StateChanged:
            return await self._db(self.journal.get, attempt.key)

    async def _settle(self, attempt: Attempt, state: State, exc: GatewayError) -> Attempt:
        return await self._db(
            self._transition_or_current,
            attempt.key,
            state,
            error_code=exc.code,
            error_message=exc.message,
            trace_id=exc.trace_id,
        )

    def _transition_or_current(self, key: str, state: State, **kw: Any) -> Attempt:
        """Worker thread: `sent` → `state`; the attempt as it is if someone got there first."""
        try:
            return self.journal.transition(key, state, expect=State.SENT, actor=self.actor, **kw)
        except StateChanged:
            return self.journal.get(key)
