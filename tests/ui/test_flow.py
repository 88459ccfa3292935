"""The refund screen's rules alone (no Qt): every stage × every input, a scan in each stage."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from cashier_gui.ui.refund import flow as f
from cashier_gui.ui.refund.flow import RefundFlow, Stage


@dataclass(frozen=True)
class FakeView:
    charge_id: str


@dataclass(frozen=True)
class FakeAttempt:
    state: str


def scan(flow: RefundFlow, code: str, start: float) -> list[f.Effect]:
    """A scanner: characters 10 ms apart, Enter 10 ms after the last."""
    for i, ch in enumerate(code):
        assert flow.handle(f.Typed(ch, start + i * 0.01)) == []
    return flow.handle(f.Enter(start + len(code) * 0.01))


def type_slowly(flow: RefundFlow, text: str, start: float) -> float:
    """A person: 200 ms between keys, into the charge field."""
    for i, ch in enumerate(text):
        flow.handle(f.Typed(ch, start + i * 0.2))
    flow.typed_charge_id(text)
    return start + len(text) * 0.2 + 0.3


def in_stage(stage: Stage) -> RefundFlow:
    """A flow brought to `stage` the way a cashier gets there (charge ch_A)."""
    flow = RefundFlow()
    if stage is Stage.LOOKUP:
        return flow
    assert scan(flow, "ch_A", 1.0)[-1] == f.StartLookup("ch_A")
    flow.handle(f.LookupDone("ch_A", FakeView("ch_A")))
    if stage is Stage.CHARGE:
        return flow
    flow.handle(f.FormReady(True))
    assert flow.handle(f.Enter(10.0)) == [f.Show(Stage.CONFIRM)]
    if stage is Stage.CONFIRM:
        return flow
    assert flow.handle(f.Enter(11.0)) == [f.Show(Stage.SENDING), f.StartSend()]
    if stage is Stage.SENDING:
        return flow
    flow.handle(f.SendDone(FakeAttempt("approved"), 12.0))
    assert flow.stage is Stage.RESULT
    return flow


@pytest.mark.parametrize("stage", list(Stage))
def test_a_scan_in_each_stage(stage: Stage) -> None:
    flow = in_stage(stage)
    effects = scan(flow, "ch_B", 100.0)
    if stage is Stage.SENDING:
        # never looked up behind the cashier's back, never sent: kept for after the answer
        assert f.StartLookup("ch_B") not in effects and f.StartSend() not in effects
        assert flow.stage is Stage.SENDING
        after = flow.handle(f.SendDone(FakeAttempt("approved"), 101.0))
        assert f.SetChargeField("ch_B") in after and f.FocusChargeField() in after
        return
    assert effects[0] == f.UndoBurst(4)
    assert f.SetChargeField("ch_B") in effects
    assert effects[-1] == f.StartLookup("ch_B")
    assert f.StartSend() not in effects
    assert flow.stage is Stage.LOOKUP and flow.view is None
    if stage in (Stage.CHARGE, Stage.CONFIRM):
        assert f.ClearForm() in effects  # the unsent form for ch_A is dropped


@pytest.mark.parametrize("stage", [Stage.CHARGE, Stage.CONFIRM, Stage.RESULT])
def test_a_scan_never_sends_for_the_old_charge(stage: Stage) -> None:
    """The reported bug: scanning B on A's form, then scanning again, refunded A."""
    flow = in_stage(stage)
    first = scan(flow, "ch_B", 100.0)
    second = scan(flow, "ch_C", 101.0)  # the next scan's Enter
    assert f.StartSend() not in first + second
    assert flow.looking_up == "ch_C"
    # B's answer arrives late: dropped, C's is shown
    assert flow.handle(f.LookupDone("ch_B", FakeView("ch_B"))) == []
    assert flow.handle(f.LookupDone("ch_C", FakeView("ch_C")))[-1] == f.Show(Stage.CHARGE)
    assert flow.view == FakeView("ch_C")


def test_enter_ending_a_burst_never_confirms() -> None:
    flow = in_stage(Stage.CONFIRM)
    effects = scan(flow, "ch_B", 20.0)  # long after the guard
    assert f.StartSend() not in effects and flow.stage is Stage.LOOKUP


def test_enter_right_after_the_confirm_card_appears_is_not_a_confirm() -> None:
    flow = in_stage(Stage.CHARGE)
    flow.handle(f.FormReady(True))
    assert flow.handle(f.Enter(50.0)) == [f.Show(Stage.CONFIRM)]
    assert flow.handle(f.Enter(50.1)) == []  # a double Enter
    assert flow.stage is Stage.CONFIRM
    assert flow.handle(f.Enter(50.0 + f.CONFIRM_GUARD + 0.01)) == [
        f.Show(Stage.SENDING),
        f.StartSend(),
    ]


def test_typing_by_hand_is_not_a_scan() -> None:
    flow = RefundFlow()
    at = type_slowly(flow, "ch_A", 1.0)
    assert flow.handle(f.Enter(at)) == [f.StartLookup("ch_A")]
    assert flow.handle(f.Enter(at + 1)) == []  # the same lookup is running


def test_a_short_fast_burst_is_not_a_scan() -> None:
    flow = RefundFlow()
    flow.typed_charge_id("ch_A")
    flow.handle(f.Typed("1", 1.0))
    flow.handle(f.Typed("2", 1.01))
    assert flow.handle(f.Enter(1.02)) == [f.StartLookup("ch_A")]


def test_a_form_that_does_not_pass_its_checks_does_not_go_to_confirm() -> None:
    flow = in_stage(Stage.CHARGE)
    flow.handle(f.FormReady(False))
    assert flow.handle(f.Enter(5.0)) == [] and flow.stage is Stage.CHARGE


# ---- every stage × every other input ----------------------------------------------------------

EXPECT: dict[tuple[str, Stage], tuple[Stage, list[f.Effect]]] = {
    ("esc", Stage.LOOKUP): (Stage.LOOKUP, []),
    ("esc", Stage.CHARGE): (Stage.LOOKUP, [f.Show(Stage.LOOKUP), f.FocusChargeField()]),
    ("esc", Stage.CONFIRM): (Stage.CHARGE, [f.Show(Stage.CHARGE)]),
    ("esc", Stage.SENDING): (Stage.SENDING, [f.RequestCancel()]),
    ("esc", Stage.RESULT): (
        Stage.LOOKUP,
        [f.ClearForm(), f.SetChargeField(""), f.Show(Stage.LOOKUP), f.FocusChargeField()],
    ),
    ("f5", Stage.LOOKUP): (Stage.LOOKUP, [f.StartReconcile()]),
    ("f5", Stage.CHARGE): (Stage.CHARGE, [f.StartReconcile()]),
    ("f5", Stage.CONFIRM): (Stage.CONFIRM, [f.StartReconcile()]),
    ("f5", Stage.SENDING): (Stage.SENDING, []),
    ("f5", Stage.RESULT): (Stage.RESULT, [f.StartReconcile()]),
    ("reconciled", Stage.LOOKUP): (Stage.LOOKUP, []),
    ("reconciled", Stage.CHARGE): (Stage.CHARGE, [f.StartLookup("ch_A")]),
    ("reconciled", Stage.CONFIRM): (Stage.CONFIRM, []),
    ("reconciled", Stage.SENDING): (Stage.SENDING, []),
    ("reconciled", Stage.RESULT): (Stage.RESULT, [f.ReloadResult()]),
    ("cancel", Stage.LOOKUP): (Stage.LOOKUP, []),
    ("cancel", Stage.CHARGE): (Stage.CHARGE, []),
    ("cancel", Stage.CONFIRM): (Stage.CONFIRM, []),
    ("cancel", Stage.SENDING): (Stage.SENDING, [f.RequestCancel()]),
    ("cancel", Stage.RESULT): (Stage.RESULT, []),
    ("late-result", Stage.LOOKUP): (Stage.LOOKUP, []),
    ("late-result", Stage.CHARGE): (Stage.CHARGE, []),
    ("late-result", Stage.CONFIRM): (Stage.CONFIRM, []),
    ("late-result", Stage.RESULT): (Stage.RESULT, []),
    ("stale-lookup", Stage.LOOKUP): (Stage.LOOKUP, []),
    ("stale-lookup", Stage.CHARGE): (Stage.CHARGE, []),
    ("stale-lookup", Stage.CONFIRM): (Stage.CONFIRM, []),
    ("stale-lookup", Stage.SENDING): (Stage.SENDING, []),
    ("stale-lookup", Stage.RESULT): (Stage.RESULT, []),
    ("refused", Stage.LOOKUP): (Stage.LOOKUP, []),
    ("refused", Stage.CHARGE): (Stage.CHARGE, []),
    ("refused", Stage.CONFIRM): (Stage.CONFIRM, []),
    ("refused", Stage.SENDING): (Stage.CHARGE, [f.Show(Stage.CHARGE), f.Say("no")]),
    ("refused", Stage.RESULT): (Stage.RESULT, []),
}
NEW: list[f.Effect] = [
    f.ClearForm(),
    f.SetChargeField(""),
    f.Show(Stage.LOOKUP),
    f.FocusChargeField(),
]
for stage in Stage:
    no_effects: list[f.Effect] = []
    EXPECT[("ctrl-n", stage)] = (
        (Stage.SENDING, no_effects) if stage is Stage.SENDING else (Stage.LOOKUP, NEW)
    )


def event_for(name: str) -> f.Event:
    events: dict[str, f.Event] = {
        "esc": f.Escape(),
        "f5": f.Refresh(),
        "reconciled": f.Reconciled(),
        "cancel": f.Cancel(),
        "ctrl-n": f.NewRefund(),
        "late-result": f.SendDone(FakeAttempt("approved"), 99.0),
        "stale-lookup": f.LookupDone("ch_OLD", FakeView("ch_OLD")),
        "refused": f.SendRefused("no"),
    }
    return events[name]


@pytest.mark.parametrize(("name", "stage"), sorted(EXPECT, key=str))
def test_every_stage_and_input(name: str, stage: Stage) -> None:
    flow = in_stage(stage)
    want_stage, want_effects = EXPECT[(name, stage)]
    assert flow.handle(event_for(name)) == want_effects
    assert flow.stage is want_stage


def test_result_arriving_puts_the_focus_on_the_charge_field() -> None:
    flow = in_stage(Stage.SENDING)
    effects = flow.handle(f.SendDone(FakeAttempt("unknown"), 3.0))
    assert effects == [f.Show(Stage.RESULT), f.SetChargeField(""), f.FocusChargeField()]


def test_a_cancelled_send_returns_to_confirm_with_the_guard() -> None:
    flow = in_stage(Stage.SENDING)
    effects = flow.handle(f.SendDone(FakeAttempt("cancelled"), 30.0))
    assert effects == [f.Show(Stage.CONFIRM), f.Say("Cancelled: nothing was refunded.")]
    assert flow.handle(f.Enter(30.1)) == []
    assert flow.handle(f.Enter(31.0)) == [f.Show(Stage.SENDING), f.StartSend()]


def test_a_failed_lookup_shows_why_and_only_the_latest_counts() -> None:
    flow = RefundFlow()
    scan(flow, "ch_A", 1.0)
    scan(flow, "ch_B", 2.0)
    assert flow.handle(f.LookupFailed("ch_A", "old")) == []
    assert flow.handle(f.LookupFailed("ch_B", "No such charge")) == [
        f.Show(Stage.LOOKUP),
        f.Say("No such charge"),
        f.FocusChargeField(),
    ]


def test_esc_abandons_a_running_lookup() -> None:
    flow = RefundFlow()
    scan(flow, "ch_A", 1.0)
    assert flow.handle(f.Escape()) == [f.Say("Lookup abandoned.")]
    assert flow.handle(f.LookupDone("ch_A", FakeView("ch_A"))) == []


def test_the_flow_imports_no_qt() -> None:
    tree = ast.parse(Path(f.__file__).read_text(encoding="utf-8"))
    names = {
        (n.module or "").split(".")[0] if isinstance(n, ast.ImportFrom) else a.name.split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    }
    assert not names & {"PySide6", "qasync", "shiboken6"}


# ---- the choice, the click, the way back (issues 12 and 13) -------------------------------------

CHOICE_EVENTS = ("void", "refund-click", "confirm-click", "back-to-confirm")


def choice_event(name: str, at: float = 50.0) -> f.Event:
    events: dict[str, f.Event] = {
        "void": f.Choose("void", at),
        "refund-click": f.Choose("refund", at),
        "confirm-click": f.Confirm(),
        "back-to-confirm": f.BackToConfirm("Wrong PIN", at),
    }
    return events[name]


@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("name", CHOICE_EVENTS)
def test_the_choice_events_in_every_stage(name: str, stage: Stage) -> None:
    flow = in_stage(stage)
    flow.handle(f.FormReady(True))  # a refund needs a form that passes the checks
    effects = flow.handle(choice_event(name))
    if name in ("void", "refund-click") and stage is Stage.CHARGE:
        assert effects == [f.Show(Stage.CONFIRM)] and flow.stage is Stage.CONFIRM
        assert flow.kind == ("void" if name == "void" else "refund")
    elif name == "confirm-click" and stage is Stage.CONFIRM:
        assert effects == [f.Show(Stage.SENDING), f.StartSend()]  # a click needs no guard
    elif name == "back-to-confirm" and stage is Stage.SENDING:
        assert effects == [f.Show(Stage.CONFIRM), f.Say("Wrong PIN")]
        assert flow.handle(f.Enter(50.1)) == []  # the guard again
        assert flow.handle(f.Enter(50.5)) == [f.Show(Stage.SENDING), f.StartSend()]
    else:
        assert effects == [] and flow.stage is stage


def test_void_needs_no_form_but_refund_does() -> None:
    flow = in_stage(Stage.CHARGE)
    flow.handle(f.FormReady(False))
    assert flow.handle(f.Choose("refund", 5.0)) == []
    assert flow.handle(f.Choose("void", 5.0)) == [f.Show(Stage.CONFIRM)]
    assert flow.handle(f.Escape()) == [f.Show(Stage.CHARGE)]
    assert flow.handle(f.Enter(9.0)) == []  # Enter means refund, and the form is not ready


def test_a_new_charge_is_a_refund_again() -> None:
    flow = in_stage(Stage.CHARGE)
    flow.handle(f.Choose("void", 5.0))
    scan(flow, "ch_B", 6.0)
    flow.handle(f.LookupDone("ch_B", FakeView("ch_B")))
    assert flow.kind == "refund"


def test_starts_burst_tells_a_new_burst_from_its_next_character() -> None:
    d = f.ScanDetector()
    assert d.starts_burst(1.0)
    d.typed("a", 1.0)
    assert not d.starts_burst(1.01)
    assert d.starts_burst(1.2)
