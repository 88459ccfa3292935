"""Times people read are in the shop's zone (zones.py): the policy in force's `time_zone`, else
the zone the OS is set to — never the process's `TZ`, which a cashier can set. Receipts, refund
cards, History's day filter, refunds made outside the app and another counter's refund agree with
the day the per-day limit and the report count in."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_gui import zones
from cashier_gui.config import Paths, Settings, save_settings
from cashier_gui.journal import Kind, NewAttempt
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.money import Money
from cashier_gui.paper.receipt import local_time as receipt_time
from cashier_gui.paper.receipt import receipt_lines
from cashier_gui.paper.settings import ShopSettings
from cashier_gui.policy import Policy
from cashier_gui.refunds.outside import shown_time

# 2026-07-01 21:30 UTC: 23:30 in Berlin (summer time), 14:19 under TZ "XXX+7:11".
STAMP = "2026-07-01T21:30:00Z"
BERLIN = Policy(time_zone="Europe/Berlin")


@pytest.fixture
def odd_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A cashier's own TZ, far from any shop's; zones back to the OS's afterwards."""
    monkeypatch.setenv("TZ", "XXX+7:11")
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
        zones.follow(None)


def test_without_a_policy_times_follow_the_os_not_tz(odd_tz: None) -> None:
    moment = dt.datetime(2026, 7, 1, 21, 30, tzinfo=dt.UTC)
    os_zone = zones.os_time_zone()
    if os_zone is None:  # no zone file (Windows): the PC's local time is all there is
        assert zones.shown(moment) == moment.astimezone()
    else:
        assert zones.shown(moment).utcoffset() == moment.astimezone(os_zone).utcoffset()
        assert zones.shown(moment).strftime("%H:%M") != "14:19"  # TZ's


def test_every_time_shown_follows_the_shops_zone(odd_tz: None, tmp_path: Path) -> None:
    zones.follow(BERLIN.zone)
    assert shown_time(STAMP) == "2026-07-01 23:30"
    assert "23:30" in receipt_time(STAMP, "en_GB")
    assert zones.today() == BERLIN.today()
    # History's day filter and the report: the day starts at midnight in Berlin.
    start = zones.midnight(dt.date(2026, 7, 2))
    assert start.astimezone(dt.UTC) == dt.datetime(2026, 7, 1, 22, 0, tzinfo=dt.UTC)
    # a naive moment is the journal's UTC
    assert zones.shown(dt.datetime(2026, 7, 1, 21, 30)).strftime("%H:%M") == "23:30"
    # the receipt printed for that refund
    with SqliteJournal(tmp_path / "j.sqlite3") as journal:
        attempt = journal.prepare(
            NewAttempt(
                provider="viopay",
                terminal="TERM-001",
                charge_id="ch_1",
                amount=Money(500, "EUR"),
                reason="customer_request",
                note=None,
                transaction_reference="TERM-001-REF-1",
                key="key-1",
                operator="Carl",
                approver=None,
                kind=Kind.REFUND,
                training=False,
                card_brand="VISA",
                card_last4="4242",
            )
        )
    shown = zones.parse_shown(attempt.created_at)
    assert shown is not None
    text = "\n".join(line.text for line in receipt_lines(attempt, ShopSettings(), locale="en_GB"))
    assert shown.strftime("%H:%M") in text


def test_a_counter_runtime_follows_its_policy(
    odd_tz: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """open_runtime names its policy source: a counter whose [policy] says Berlin shows Berlin."""
    from cashier_gui.config import ViopaySettings
    from cashier_gui.runtime import open_runtime
    from cashier_gui.secrets import HMAC_SECRET, MSK, SecretStore
    from tests.support.keyrings import MemoryKeyring

    paths = Paths(tmp_path, tmp_path)
    paths.ensure_dirs()
    save_settings(
        paths,
        Settings(
            provider="viopay",
            viopay=ViopaySettings(
                base_url="https://api.viopay.io", terminal_id="TERM-001", key_id="hmac-key-1"
            ),
            policy=BERLIN,
        ),
    )
    store = SecretStore(backend=MemoryKeyring())
    store.set(HMAC_SECRET, "h" * 32)
    store.set(MSK, "00" * 32)
    runtime = open_runtime(paths, secrets=store)
    try:
        assert shown_time(STAMP) == "2026-07-01 23:30"
    finally:
        asyncio.run(runtime.aclose())
