"""The outside-refund comparison and its findings file (refunds/outside.py), on their own: which
gateway refunds the journal holds, the first-attempt margin, keeping, acknowledging, a damaged
file, and when the daily check is due on the shop's day."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from cashier_gui import zones
from cashier_gui.gateways.base import Charge, ChargeStatus, PastRefund, RefundStatus
from cashier_gui.journal import Attempt, JournalError, State
from cashier_gui.money import Money
from cashier_gui.policy import Policy
from cashier_gui.refunds.outside import (
    FindingsFile,
    OutsideCheck,
    OutsideRefund,
    due,
    not_held,
)


def _refund(rid: str, minor: int, at: str, ref: str | None = None, status: str = "approved"):
    return PastRefund(rid, RefundStatus(status), Money(minor, "EUR"), None, ref, at)


def _attempt(refund_id: str | None, ref: str, state: State = State.APPROVED) -> Attempt:
    at = "2026-12-01T10:00:00.000000Z"
    return Attempt(
        id=1, provider="viopay", terminal="T1", charge_id="ch_1", amount_minor=100,
        currency="EUR", reason=None, note=None, transaction_reference=ref,
        idempotency_key="k1", operator="tom", training=False, state=state,
        refund_id=refund_id, error_code=None, error_message=None, trace_id=None,
        created_at=at, updated_at=at,
    )  # fmt: skip


def test_only_refunds_the_journal_does_not_hold_are_named() -> None:
    charge = Charge(
        "ch_1",
        ChargeStatus.APPROVED,
        Money(10_000, "EUR"),
        Money(1_000, "EUR"),
        refunds=(
            _refund("rf_mine", 100, "2026-12-01T10:00:01Z"),  # held by its refund ID
            _refund("rf_lost", 100, "2026-12-01T10:00:02Z", ref="R-UNKNOWN"),  # answer lost
            _refund("rf_no", 100, "2026-12-01T10:00:03Z", status="declined"),  # moved nothing
            _refund("rf_old", 100, "2026-12-01T09:49:00Z"),  # before the app was in use
            _refund("rf_edge", 100, "2026-12-01T09:51:00Z"),  # within the clock margin
            _refund("rf_pend", 100, "2026-12-02T10:00:00Z", status="pending"),
            _refund("rf_nodate", 100, ""),
        ),
    )
    held = [_attempt("rf_mine", "R-1"), _attempt(None, "R-UNKNOWN", State.UNKNOWN)]
    named = not_held(charge, held, since="2026-12-01T10:00:00.000000Z")
    assert [r.refund_id for r in named] == ["rf_edge", "rf_pend", "rf_nodate"]
    assert [r.refund_id for r in not_held(charge, held)][:2] == ["rf_old", "rf_edge"]


def _found(rid: str, at: str = "2026-12-07T10:00:00.000000Z") -> OutsideRefund:
    return OutsideRefund(rid, "ch_1", 250, "EUR", "approved", "2026-12-07T09:59:00Z", at)


def test_findings_are_kept_once_acknowledged_and_kept_as_history(tmp_path: Path) -> None:
    file = FindingsFile(tmp_path)
    assert file.all() == [] and file.last_check() is None
    new = file.record(OutsideCheck(True, 1, [_found("rf_a"), _found("rf_b")]), when="T1")
    assert [f.refund_id for f in new] == ["rf_a", "rf_b"] and file.last_check() == "T1"
    if os.name == "posix":
        assert file.path.stat().st_mode & 0o777 == 0o600
    again = file.record(OutsideCheck(True, 1, [_found("rf_a")]), when="T2", complete=False)
    assert again == [] and len(file.all()) == 2
    assert file.last_check() == "T1"  # a check the network cut short is tried again
    [done] = file.acknowledge(["rf_a"], by="Mia")
    assert done.acknowledged_by == "Mia" and not done.open
    assert [f.refund_id for f in file.open()] == ["rf_b"]
    assert [f.refund_id for f in file.all()] == ["rf_a", "rf_b"]
    assert file.acknowledge(["rf_a"], by="Mia") == []  # already acknowledged
    report = file.for_report("2026-12-08T00:00:00Z", "2026-12-09T00:00:00Z")
    assert [f.refund_id for f in report] == ["rf_b"]  # open ones always; rf_a was found earlier
    report = file.for_report("2026-12-07T00:00:00Z", "2026-12-08T00:00:00Z")
    assert [f.refund_id for f in report] == ["rf_a", "rf_b"]
    zones.follow(lambda: dt.UTC)
    try:
        words = _found("rf_c").words(None)
    finally:
        zones.follow(None)
    assert (
        words == "made outside this app: refund rf_c of €2.50 on charge ch_1, at 2026-12-07 09:59"
    )


def test_a_damaged_findings_file_is_said_and_left_as_it_is(tmp_path: Path) -> None:
    file = FindingsFile(tmp_path)
    file.path.write_text("{not json")
    with pytest.raises(JournalError, match="cannot be read"):
        file.open()
    with pytest.raises(JournalError):
        file.record(OutsideCheck(True, 1, [_found("rf_a")]))
    assert file.path.read_text() == "{not json"


def test_the_check_is_due_once_a_day_on_the_shops_day() -> None:
    berlin = Policy(time_zone="Europe/Berlin")
    now = dt.datetime(2026, 12, 7, 22, 30, tzinfo=dt.UTC)  # 23:30 in Berlin
    assert due(None, berlin, now)
    assert not due("2026-12-06T23:30:00.000000Z", berlin, now)  # 00:30 on the 7th, Berlin
    assert due("2026-12-06T22:30:00.000000Z", berlin, now)  # 23:30 on the 6th, Berlin
    later = dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 8th in Berlin
    assert due("2026-12-07T22:30:00.000000Z", berlin, later)
