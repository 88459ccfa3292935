"""The one scan-burst detector (`ui/scan.py`), asked by the refund flow and the sign-in keypad:
a scan is at least 4 characters, each within 50 ms of the one before, ended by Enter within
50 ms. No Qt: key times are given."""

from __future__ import annotations

import pytest

from cashier_gui.ui import signin
from cashier_gui.ui.refund import flow
from cashier_gui.ui.scan import SCAN_GAP, SCAN_MIN_CHARS, ScanDetector


def typed(d: ScanDetector, text: str, start: float, step: float) -> float:
    """Types `text` from `start`, one character every `step` seconds; the last key's time."""
    at = start
    for i, ch in enumerate(text):
        at = start + i * step
        d.typed(ch, at)
    return at


def test_the_rule_is_four_characters_within_50_ms() -> None:
    assert (SCAN_MIN_CHARS, SCAN_GAP) == (4, 0.05)


def test_a_fast_burst_ended_by_enter_is_a_scan() -> None:
    d = ScanDetector()
    last = typed(d, "ch_A1", 10.0, 0.01)
    assert d.ends_burst(last + 0.01)
    assert d.enter(last + 0.01) == "ch_A1"


@pytest.mark.parametrize("text", ["a", "ab", "abc"])
def test_fewer_than_four_characters_are_not_a_scan(text: str) -> None:
    d = ScanDetector()
    last = typed(d, text, 10.0, 0.005)
    assert not d.ends_burst(last + 0.005)
    assert d.enter(last + 0.005) is None


def test_four_characters_are_enough() -> None:
    d = ScanDetector()
    last = typed(d, "1234", 10.0, 0.049)
    assert d.enter(last + 0.049) == "1234"


def test_a_person_typing_is_not_a_scan() -> None:
    d = ScanDetector()
    last = typed(d, "ch_A1", 10.0, 0.12)
    assert d.enter(last + 0.1) is None


def test_a_slow_enter_after_a_fast_burst_is_not_a_scan() -> None:
    d = ScanDetector()
    last = typed(d, "ch_A1", 10.0, 0.01)
    assert not d.ends_burst(last + 0.051)
    assert d.enter(last + 0.051) is None


def test_a_pause_starts_a_new_run_and_only_that_run_is_the_scan() -> None:
    d = ScanDetector()
    last = typed(d, "12", 10.0, 0.01)  # a person's two keys …
    last = typed(d, "ch_B7", last + 0.5, 0.01)  # … then the scanner
    assert d.pending == 5
    assert d.enter(last + 0.01) == "ch_B7"


def test_enter_resets_either_way() -> None:
    d = ScanDetector()
    last = typed(d, "ch_A1", 10.0, 0.01)
    d.enter(last + 0.01)
    assert d.pending == 0
    assert d.enter(last + 0.02) is None
    last = typed(d, "abc", 20.0, 0.01)
    assert d.enter(last + 1.0) is None
    assert d.pending == 0


def test_starts_burst_says_whether_a_key_now_begins_a_new_run() -> None:
    d = ScanDetector()
    assert d.starts_burst(1.0)
    d.typed("a", 1.0)
    assert not d.starts_burst(1.04)
    assert d.starts_burst(1.06)
    d.reset()
    assert d.starts_burst(1.01) and d.pending == 0


def test_what_was_scanned_comes_back_as_typed() -> None:
    """Sign-in keeps the scan as it came; the refund flow strips it before a lookup."""
    d = ScanDetector()
    last = typed(d, " ch_A1 ", 10.0, 0.01)
    assert d.enter(last + 0.01) == " ch_A1 "


def test_the_refund_flow_and_sign_in_use_this_detector() -> None:
    assert flow.ScanDetector is ScanDetector
    assert isinstance(flow.RefundFlow().detector, ScanDetector)
    assert vars(signin)["ScanDetector"] is ScanDetector


@pytest.mark.parametrize(
    ("run", "pin"),
    [
        ("1234", True),
        ("12345678", True),
        ("Mia\t2468", True),  # a badge: name, Tab, PIN
        ("123", False),
        ("123456789", False),  # longer than any PIN: a numeric receipt
        ("ch_A1234", False),
        ("Mia\tch_A1", False),
        ("a\tb\t1234", False),
    ],
)
def test_a_fast_run_is_a_pin_only_when_it_can_be_one(run: str, pin: bool) -> None:
    assert signin.badge_pin(run) is pin
