"""What each answer proves, for a first send and for a re-send of an unknown refund.

A scripted gateway (a fake: these are unit tests of the rules) and a real SQLite journal. The
same scenarios against real loopback servers are in tests/e2e/test_hostile.py.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from cashier_gui.gateways.base import (
    AuthFailed,
    BadRequest,
    BadResponse,
    Busy,
    Charge,
    ChargeStatus,
    Conflict,
    ConnectFailed,
    GatewayError,
    NotFound,
    PastRefund,
    RefundOutcome,
    RefundRequest,
    RefundStatus,
    ServerError,
    TimedOut,
)
from cashier_gui.journal import Kind, State, reasons
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.money import Money
from cashier_gui.operators import Operator, Role
from cashier_gui.policy import Policy
from cashier_gui.refunds import (
    Approval,
    ApprovalMismatch,
    ApprovalNeeded,
    ChargeView,
    RefundBlocked,
    RefundService,
    SendControl,
)

EUR5 = Money(500, "EUR")


class ScriptedGateway:
    """Answers each refund call with the next scripted item: an outcome, an error, or a
    callable(request) returning either."""

    provider = "viopay"

    def __init__(self, *script: Any, has_lookup: bool = False) -> None:
        self.script = list(script)
        self.requests: list[RefundRequest] = []
        self.has_lookup = has_lookup
        self.currency: str | None = "EUR"  # without lookup: the terminal's (the shop's)
        self.charge: Charge | None = None
        self.voids: list[RefundRequest] = []

    async def lookup(self, charge_id: str) -> Charge:
        assert self.charge is not None
        return self.charge

    async def refund(self, request: RefundRequest) -> RefundOutcome:
        self.requests.append(request)
        item = self.script.pop(0)
        if callable(item):
            item = item(request)
        if isinstance(item, BaseException):
            raise item
        assert isinstance(item, RefundOutcome)
        return item

    async def void(self, request: RefundRequest) -> RefundOutcome:
        self.voids.append(request)
        return await self.refund(request)

    async def aclose(self) -> None:
        pass


def approved(refund_id: str = "rf_1", amount: Money = EUR5) -> RefundOutcome:
    return RefundOutcome(RefundStatus.APPROVED, refund_id, amount)


@pytest.fixture
async def make(tmp_path: Path) -> AsyncIterator[Callable[..., RefundService]]:
    made: list[RefundService] = []

    def factory(gateway: ScriptedGateway) -> RefundService:
        service = RefundService(
            gateway,
            SqliteJournal(tmp_path / "journal.sqlite3"),
            terminal="T1",
            operator="test",
        )
        made.append(service)
        return service

    yield factory
    for service in made:
        await service.aclose()
        service.journal.close()


def view(charge_id: str = "ch_1") -> ChargeView:
    return ChargeView(charge_id, None, ())


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (ConnectFailed("no route"), State.NOT_SENT),
        (BadRequest("over the remainder"), State.FAILED),
        (AuthFailed("bad signature"), State.FAILED),
        (Busy("busy"), State.FAILED),
        (NotFound("no charge"), State.FAILED),
        (ServerError("500"), State.UNKNOWN),
        (TimedOut("slow"), State.UNKNOWN),
        (BadResponse("not bound"), State.UNKNOWN),
    ],
)
async def test_first_send_records_what_the_answer_proves(
    make: Callable[..., RefundService], error: GatewayError, state: State
) -> None:
    service = make(ScriptedGateway(error))
    attempt = await service.refund(view(), EUR5, None)
    assert attempt.state is state
    assert attempt.send_count == 1 and attempt.owner is None


@pytest.mark.parametrize(
    ("resend", "state"),
    [
        (ConnectFailed("refused"), State.UNKNOWN),  # nothing about the first send
        (AuthFailed("401 to the re-send"), State.UNKNOWN),
        (Busy("terminal busy"), State.UNKNOWN),
        (ServerError("500"), State.UNKNOWN),
        (TimedOut("slow"), State.UNKNOWN),
        (BadResponse("replayed answer"), State.UNKNOWN),
        (BadRequest("refused: the refund itself"), State.FAILED),
        (NotFound("no such charge"), State.FAILED),
        (Conflict("key reused"), State.FAILED),
        (approved(), State.APPROVED),
    ],
)
async def test_resend_of_an_unknown_refund_settles_only_on_proof(
    make: Callable[..., RefundService], resend: Any, state: State
) -> None:
    gateway = ScriptedGateway(TimedOut("lost"), resend)
    service = make(gateway)
    first = await service.refund(view(), EUR5, None)
    assert first.state is State.UNKNOWN
    after = await service.reconcile(first.key)
    assert after.state is state
    assert after.send_count == 2
    assert [r.idempotency_key for r in gateway.requests] == [first.idempotency_key] * 2
    blocked = after.state is State.UNKNOWN
    fresh = ChargeView("ch_1", None, tuple(await service._db(service.journal.for_charge, "ch_1")))
    assert (fresh.blocked_reason() is not None) is blocked or after.state is State.APPROVED


async def test_a_replayed_refund_id_is_not_a_new_refund(make: Callable[..., RefundService]) -> None:
    service = make(ScriptedGateway(approved("rf_A"), approved("rf_A")))
    first = await service.refund(view("ch_1"), EUR5, None)
    second = await service.refund(view("ch_2"), EUR5, None)
    assert first.state is State.APPROVED and first.refund_id == "rf_A"
    assert second.state is State.UNKNOWN and second.error_code == "REPLAYED"
    assert second.refund_id is None


async def test_an_answer_for_another_amount_is_not_this_refunds(
    make: Callable[..., RefundService],
) -> None:
    service = make(ScriptedGateway(approved("rf_1", Money(999999, "EUR"))))
    attempt = await service.refund(view(), EUR5, None)
    assert attempt.state is State.UNKNOWN and attempt.error_code == "UNBOUND"


def charge_with(*refunds: PastRefund) -> Charge:
    return Charge(
        "ch_1",
        ChargeStatus.APPROVED,
        Money(5000, "EUR"),
        Money(sum(r.amount.minor for r in refunds), "EUR"),
        refunds=refunds,
    )


async def test_lookup_settles_only_with_reference_amount_and_a_free_refund_id(
    make: Callable[..., RefundService],
) -> None:
    gateway = ScriptedGateway(TimedOut("lost"), has_lookup=True)
    service = make(gateway)
    attempt = await service.refund(view(), EUR5, None)
    ref = attempt.transaction_reference
    # same reference, another amount: not this refund — stays unknown, to be checked by hand
    gateway.charge = charge_with(
        PastRefund("rf_9", RefundStatus.APPROVED, Money(100, "EUR"), transaction_reference=ref)
    )
    after = await service.reconcile(attempt.key)
    assert after.state is State.UNKNOWN and after.error_code == reasons.LOOKUP_AMOUNT
    assert "resolve it by hand" in (reasons.why(after) or "")
    # the matching refund
    gateway.charge = charge_with(
        PastRefund("rf_1", RefundStatus.APPROVED, EUR5, transaction_reference=ref)
    )
    after = await service.reconcile(attempt.key)
    assert after.state is State.APPROVED and after.refund_id == "rf_1"
    assert len(gateway.requests) == 1  # settled by the lookup, never re-sent


async def test_cancel_while_the_journal_is_held_is_never_sent(
    make: Callable[..., RefundService], tmp_path: Path
) -> None:
    gateway = ScriptedGateway(approved())
    service = make(gateway)
    blocker = sqlite3.connect(
        tmp_path / "journal.sqlite3", isolation_level=None, check_same_thread=False
    )
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the journal
    control = SendControl()
    task = asyncio.ensure_future(service.refund(view(), EUR5, None, control=control))
    await asyncio.sleep(0.3)
    assert not task.done()
    assert control.cancel() is True  # the window's Cancel: never blocks
    threading.Timer(0.2, blocker.rollback).start()
    attempt = await asyncio.wait_for(task, 15)
    assert attempt.state is State.CANCELLED and attempt.send_count == 0
    assert gateway.requests == []
    # nobody ever sends it: not recovery, not reconcile
    assert await service.recover() == []
    assert await service.reconcile_all() == []
    assert gateway.requests == []
    blocker.close()


async def test_cancel_after_sent_is_refused_and_followed_up(
    make: Callable[..., RefundService],
) -> None:
    control = SendControl()
    seen: list[bool] = []
    service = make(ScriptedGateway(approved()))
    attempt = await service.refund(
        view(), EUR5, None, control=control, on_sent=lambda a: seen.append(control.cancel())
    )
    assert seen == [False] and attempt.state is State.APPROVED


async def test_task_cancelled_during_a_slow_prepare_ends_cancelled(
    make: Callable[..., RefundService], tmp_path: Path
) -> None:
    gateway = ScriptedGateway(approved())
    service = make(gateway)
    blocker = sqlite3.connect(
        tmp_path / "journal.sqlite3", isolation_level=None, check_same_thread=False
    )
    blocker.execute("BEGIN IMMEDIATE")
    task = asyncio.ensure_future(service.refund(view(), EUR5, None))
    await asyncio.sleep(0.3)
    task.cancel()  # the window closed
    with pytest.raises(asyncio.CancelledError):
        await task
    blocker.rollback()
    blocker.close()
    await asyncio.to_thread(service._worker.submit(lambda: None).result, 15)
    [attempt] = await service._db(service.journal.for_charge, "ch_1")
    assert attempt.state is State.CANCELLED and gateway.requests == []


async def test_two_services_on_one_journal_never_both_send(
    make: Callable[..., RefundService],
) -> None:
    started = asyncio.Event()

    async def slow_answer(request: RefundRequest) -> RefundOutcome:
        started.set()
        await asyncio.sleep(0.2)
        return approved()

    class Slow(ScriptedGateway):
        async def refund(self, request: RefundRequest) -> RefundOutcome:
            self.requests.append(request)
            return await slow_answer(request)

    a, b = Slow(), Slow()
    one, two = make(a), make(b)
    results = await asyncio.gather(
        one.refund(view(), EUR5, None), two.refund(view(), EUR5, None), return_exceptions=True
    )
    assert len(a.requests) + len(b.requests) == 1
    refused = [r for r in results if isinstance(r, RefundBlocked)]
    assert len(refused) == 1 and "no final answer" in str(refused[0])


async def test_one_bad_attempt_never_stops_reconciling_the_others(
    make: Callable[..., RefundService],
) -> None:
    def boom(request: RefundRequest) -> Any:
        raise RuntimeError("a bug in one row")

    gateway = ScriptedGateway(TimedOut("lost"), TimedOut("lost"), boom, approved("rf_2"))
    service = make(gateway)
    first = await service.refund(view("ch_1"), EUR5, None)
    second = await service.refund(view("ch_2"), EUR5, None)
    results = {a.id: a.state for a in await service.reconcile_all()}
    assert results == {first.id: State.UNKNOWN, second.id: State.APPROVED}


def sale(*, settled: bool | None, status: ChargeStatus = ChargeStatus.APPROVED) -> Charge:
    return Charge("ch_1", status, Money(5000, "EUR"), Money(0, "EUR"), settled=settled)


def voided(amount: Money | None = None) -> RefundOutcome:
    return RefundOutcome(RefundStatus.APPROVED, None, amount or Money(5000, "EUR"))


async def test_void_of_an_unsettled_sale_goes_through_the_journal(
    make: Callable[..., RefundService],
) -> None:
    gateway = ScriptedGateway(voided(), has_lookup=True)
    gateway.charge = sale(settled=False)
    service = make(gateway)
    attempt = await service.void(await service.lookup("ch_1"))
    assert attempt.kind is Kind.VOID and attempt.state is State.APPROVED
    assert attempt.amount == Money(5000, "EUR") and attempt.full_refund
    assert len(gateway.voids) == 1 and gateway.requests == gateway.voids
    after = await service.lookup("ch_1")
    assert after.void_blocked_reason() == after.blocked_reason()
    assert "voided" in (after.blocked_reason() or "")


@pytest.mark.parametrize(
    ("charge", "says"),
    [
        (sale(settled=True), "settled: refund it instead"),
        (sale(settled=None), "settled: refund it instead"),  # the gateway does not say
        (sale(settled=False, status=ChargeStatus.DECLINED), "declined"),
    ],
)
async def test_a_sale_that_cannot_be_voided_is_refused_before_anything_is_written(
    make: Callable[..., RefundService], charge: Charge, says: str
) -> None:
    gateway = ScriptedGateway(has_lookup=True)
    gateway.charge = charge
    service = make(gateway)
    with pytest.raises(RefundBlocked, match=says):
        await service.void(await service.lookup("ch_1"))
    assert await service._db(service.journal.count) == 0 and gateway.voids == []


async def test_a_lost_void_is_settled_by_the_lookup(make: Callable[..., RefundService]) -> None:
    gateway = ScriptedGateway(TimedOut("lost"), TimedOut("lost"), has_lookup=True)
    gateway.charge = sale(settled=False)
    service = make(gateway)
    first = await service.void(await service.lookup("ch_1"))
    assert first.state is State.UNKNOWN
    gateway.charge = sale(settled=False, status=ChargeStatus.CANCELLED)
    assert (await service.reconcile(first.key)).state is State.APPROVED
    assert len(gateway.voids) == 1  # settled by the lookup, never re-sent


async def test_a_lost_void_on_a_sale_that_settled_did_not_happen(
    make: Callable[..., RefundService],
) -> None:
    gateway = ScriptedGateway(TimedOut("lost"), has_lookup=True)
    gateway.charge = sale(settled=False)
    service = make(gateway)
    first = await service.void(await service.lookup("ch_1"))
    gateway.charge = sale(settled=True)
    after = await service.reconcile(first.key)
    assert after.state is State.FAILED and "refund it instead" in (reasons.why(after) or "")


async def test_a_void_refused_as_settled_is_failed_and_the_refund_is_open(
    make: Callable[..., RefundService],
) -> None:
    gateway = ScriptedGateway(BadRequest("already settled: refund it instead"))
    service = make(gateway)  # no lookup (a Poynt terminal)
    attempt = await service.void(view())
    assert attempt.state is State.FAILED and attempt.amount is None
    fresh = await service.lookup("ch_1")
    assert fresh.blocked_reason() is None  # refunding is open


# ---- who refunds: policy and approval ---------------------------------------------------------

TOM = Operator("Tom", Role.CASHIER)
MARIA = Operator("Maria", Role.MANAGER)


async def test_a_refund_over_the_limit_needs_a_managers_approval(
    make: Callable[..., RefundService],
) -> None:
    gateway = ScriptedGateway(approved("rf_1"), approved("rf_2", Money(300, "EUR")))
    service = make(gateway)
    service.policy = Policy.from_toml({"approval_above": {"EUR": "4.00"}})
    with pytest.raises(ApprovalNeeded, match=r"above €4\.00") as info:
        await service.refund(view(), EUR5, None, operator=TOM)
    assert info.value.reasons and gateway.requests == []
    assert await service._db(service.journal.count) == 0  # nothing written
    with pytest.raises(ApprovalNeeded):  # a cashier cannot approve
        await service.refund(
            view(), EUR5, None, operator=TOM, approval=Approval(TOM, "ch_1", Kind.REFUND, EUR5)
        )
    service.act_as(TOM)
    done = await service.refund(
        view(), EUR5, None, operator=TOM, approval=Approval(MARIA, "ch_1", Kind.REFUND, EUR5)
    )
    assert done.state is State.APPROVED and done.operator == "Tom" and done.approver == "Maria"
    under = await service.refund(view("ch_2"), Money(300, "EUR"), None, operator=TOM)
    assert under.approver is None  # no approval needed, none recorded
    # every event names who was at the counter
    assert isinstance(service.journal, SqliteJournal)
    events = service.journal._db.execute("SELECT data FROM events").fetchall()
    assert all('"actor":"Tom"' in e[0] for e in events)


async def test_a_manager_refunds_alone(make: Callable[..., RefundService]) -> None:
    service = make(ScriptedGateway(approved()))
    service.policy = Policy.from_toml({"approval_above": {"EUR": "1.00"}})
    attempt = await service.refund(view(), EUR5, None, operator=MARIA)
    assert attempt.state is State.APPROVED and attempt.approver is None


async def test_refunds_per_day_count_only_what_may_have_moved_money(
    make: Callable[..., RefundService],
) -> None:
    gateway = ScriptedGateway(approved("rf_1"), ConnectFailed("down"), approved("rf_3"))
    service = make(gateway)
    service.policy = Policy.from_toml({"refunds_per_day": 1})
    await service.refund(view("ch_1"), EUR5, None, operator=TOM)
    with pytest.raises(ApprovalNeeded, match="made 1 refund today"):
        await service.refund(view("ch_2"), EUR5, None, operator=TOM)
    service.policy = Policy.from_toml({"refunds_per_day": 2})
    not_sent = await service.refund(view("ch_2"), EUR5, None, operator=TOM)
    assert not_sent.state is State.NOT_SENT  # does not count
    await service.refund(view("ch_3"), EUR5, None, operator=TOM)


async def test_voids_can_be_for_managers_only(make: Callable[..., RefundService]) -> None:
    gateway = ScriptedGateway(voided(), has_lookup=True)
    gateway.charge = sale(settled=False)
    service = make(gateway)
    service.policy = Policy.from_toml({"voids": "managers"})
    with pytest.raises(ApprovalNeeded, match="Voiding"):
        await service.void(await service.lookup("ch_1"), operator=TOM)
    looked = await service.lookup("ch_1")
    assert looked.charge is not None
    as_refund = Approval(MARIA, "ch_1", Kind.REFUND, looked.charge.amount)
    with pytest.raises(ApprovalMismatch):  # approved a refund, not a void
        await service.void(looked, operator=TOM, approval=as_refund)
    approval = Approval(MARIA, "ch_1", Kind.VOID, looked.charge.amount)
    done = await service.void(looked, operator=TOM, approval=approval)
    assert done.state is State.APPROVED and done.approver == "Maria"


async def test_an_approval_is_for_what_the_manager_saw(
    make: Callable[..., RefundService],
) -> None:
    """Issue 27: €25.00 approved, then €49.90 sent on that approval: refused, nothing written;
    so is another charge, currency or reason; the same terms go."""
    gateway = ScriptedGateway(approved("rf_1", Money(2500, "EUR")))
    service = make(gateway)
    service.policy = Policy.from_toml({"approval_above": {"EUR": "20.00", "USD": "20.00"}})
    eur25, eur4990 = Money(2500, "EUR"), Money(4990, "EUR")
    saw = Approval(MARIA, "ch_1", Kind.REFUND, eur25, "customer_request")
    with pytest.raises(ApprovalMismatch, match=r"approved €25\.00, not €49\.90") as info:
        await service.refund(view(), eur4990, "customer_request", operator=TOM, approval=saw)
    assert isinstance(info.value, ApprovalNeeded) and "above €20.00" in str(info.value)
    for other in (
        (view("ch_2"), eur25, "customer_request"),
        (view(), eur25, "wrong_item"),
    ):
        with pytest.raises(ApprovalMismatch):
            await service.refund(other[0], other[1], other[2], operator=TOM, approval=saw)
    gateway.has_lookup = True  # another currency: with a lookup, the charge's currency decides
    gateway.charge = Charge("ch_1", ChargeStatus.APPROVED, Money(5000, "USD"), Money(0, "USD"))
    usd = await service.lookup("ch_1")
    with pytest.raises(ApprovalMismatch):
        await service.refund(
            usd, Money(2500, "USD"), "customer_request", operator=TOM, approval=saw
        )
    gateway.has_lookup, gateway.charge = False, None
    assert gateway.requests == [] and await service._db(service.journal.count) == 0
    done = await service.refund(view(), eur25, "customer_request", operator=TOM, approval=saw)
    assert done.state is State.APPROVED and done.approver == "Maria" and done.amount == eur25


async def test_without_lookup_the_currency_is_the_terminals(
    make: Callable[..., RefundService],
) -> None:
    """Issue 27: a Poynt counter sends minor units, not a currency. ¥2,500 typed against a USD
    terminal is refused before anything is written (the terminal would refund $25.00); without
    a shop currency nothing is sent at all; the policy weighs the currency actually sent."""
    gateway = ScriptedGateway(approved("rf_1", Money(1500, "USD")))
    gateway.currency = None
    service = make(gateway)
    service.policy = Policy.from_toml({"approval_above": {"USD": "20.00"}})
    with pytest.raises(RefundBlocked, match="no shop currency"):
        await service.refund(view(), Money(1500, "USD"), None, operator=TOM)
    gateway.currency = "USD"
    with pytest.raises(RefundBlocked, match="takes USD, not JPY"):
        await service.refund(view(), Money(2500, "JPY"), None, operator=TOM)
    with pytest.raises(ApprovalNeeded, match=r"above \$20\.00"):
        await service.refund(view(), Money(2500, "USD"), None, operator=TOM)
    assert gateway.requests == [] and await service._db(service.journal.count) == 0
    done = await service.refund(view(), Money(1500, "USD"), None, operator=TOM)
    assert done.state is State.APPROVED


def test_a_currency_the_limits_do_not_name_needs_a_manager() -> None:
    policy = Policy.from_toml({"approval_above": {"EUR": "50.00"}})

    def why(amount: Money, has_lookup: bool = True) -> list[str]:
        return policy.reasons(
            kind="refund", amount=amount, has_lookup=has_lookup, sale_date=None, refunds_today=0
        )

    assert why(Money(100, "EUR")) == []
    # Worded as the other reasons are ("Refunds above … need a manager."): on the confirm card
    # after "A manager must approve this:", never "…: a manager must approve." a second time.
    assert why(Money(100, "JPY")) == [
        "Refunds in JPY need a manager: the shop's limits name no amount in it."
    ]
    blind = Policy.from_toml({"no_lookup_above": {"USD": "20"}})
    assert (
        blind.reasons(
            kind="refund",
            amount=Money(100, "GBP"),
            has_lookup=True,
            sale_date=None,
            refunds_today=0,
        )
        == []
    )  # no_lookup_above weighs only refunds without a lookup
    assert blind.reasons(
        kind="refund", amount=Money(100, "GBP"), has_lookup=False, sale_date=None, refunds_today=0
    )
    assert (
        Policy().reasons(
            kind="refund",
            amount=Money(100, "GBP"),
            has_lookup=False,
            sale_date=None,
            refunds_today=0,
        )
        == []
    )  # no limits at all: nothing to step around
