"""Who may approve whom: one rule (`policy.needs_approval`, `policy.check_approver`), and the
refund service and the command line, which both ask it, say the same."""

from __future__ import annotations

from typing import Any

import pytest

from cashier_gui.cli.refund import _check_approval
from cashier_gui.journal import Kind
from cashier_gui.operators import Operator, Role
from cashier_gui.policy import Approver, check_approver, needs_approval
from cashier_gui.refunds import Approval, ApprovalNeeded, ChargeView, RefundService

ANNA = Operator("Anna", Role.CASHIER)
BEN = Operator("Ben", Role.CASHIER)
MIA = Operator("Mia", Role.MANAGER)
OLE = Operator("Ole", Role.MANAGER)


@pytest.mark.parametrize(
    ("operator", "needs"),
    [(None, False), (ANNA, True), (MIA, False)],
    ids=["no operators on the counter", "a cashier", "a manager"],
)
def test_only_a_cashiers_refunds_need_approval(operator: Operator | None, needs: bool) -> None:
    assert needs_approval(operator) is needs


@pytest.mark.parametrize(
    ("approver", "operator", "says"),
    [
        (MIA, ANNA, Approver.OK),
        (None, ANNA, Approver.MISSING),
        (BEN, ANNA, Approver.NOT_A_MANAGER),  # the case the command line let through
        (ANNA, ANNA, Approver.NOT_A_MANAGER),
        (MIA, MIA, Approver.SAME_PERSON),
        (Operator("mia", Role.MANAGER), MIA, Approver.SAME_PERSON),  # a name is known once
        (OLE, MIA, Approver.OK),
        # Without an operator: may this person act as a manager (settings, people, resolve)?
        (MIA, None, Approver.OK),
        (ANNA, None, Approver.NOT_A_MANAGER),
        (None, None, Approver.MISSING),
    ],
)
def test_only_a_manager_approves_and_never_for_themselves(
    approver: Operator | None, operator: Operator | None, says: Approver
) -> None:
    assert check_approver(approver, operator) is says


class _PolicyWantsAManager:
    """Stands in for the service's policy lookup: a manager is needed whenever the rule says a
    cashier's refund is held to the policy."""

    async def _weigh(
        self, view: Any, kind: Kind, amount: Any, operator: Operator | None
    ) -> tuple[list[str], None]:
        held = needs_approval(operator)
        return (["Refunds above €50.00 need a manager."] if held else []), None

    async def approval_reasons(
        self, view: Any, kind: Kind, amount: Any, operator: Operator | None
    ) -> list[str]:
        return (await self._weigh(view, kind, amount, operator))[0]


PEOPLE = [None, ANNA, BEN, MIA, OLE]


@pytest.mark.parametrize("operator", PEOPLE, ids=lambda o: getattr(o, "name", "nobody"))
@pytest.mark.parametrize("approver", PEOPLE, ids=lambda o: getattr(o, "name", "nobody"))
async def test_the_service_and_the_command_line_agree(
    operator: Operator | None, approver: Operator | None
) -> None:
    fake: Any = _PolicyWantsAManager()

    async def service() -> bool:
        try:
            approval = (
                Approval(approver, "ch_1", Kind.REFUND, None) if approver is not None else None
            )
            await RefundService._approval(
                fake, ChargeView("ch_1", None, ()), Kind.REFUND, None, None, operator, approval
            )
        except ApprovalNeeded:
            return False
        return True

    async def command_line() -> bool:
        try:
            await _check_approval(fake, None, Kind.REFUND, None, operator, approver)  # type: ignore[arg-type]
        except ApprovalNeeded:
            return False
        return True

    allowed = await service()
    assert await command_line() is allowed
    expected = not needs_approval(operator) or check_approver(approver, operator) is Approver.OK
    assert allowed is expected


async def test_the_command_line_refuses_a_cashier_as_approver() -> None:
    """It used to check only that the approver was someone else: a cashier approving a cashier
    went through to the service (which refused it after y/N)."""
    fake: Any = _PolicyWantsAManager()
    with pytest.raises(ApprovalNeeded):
        await _check_approval(fake, None, Kind.REFUND, None, ANNA, BEN)  # type: ignore[arg-type]
