"""Issue 27: the settings seal (policy, endpoint, currency, test mark; key in the OS keyring),
loopback only on a sealed test counter, and the changes log."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from cashier_gui.config import Paths, PoyntSettings, Settings, ViopaySettings
from cashier_gui.doors import (
    CHANGES_LOG,
    Seal,
    apply_seal,
    check_seal,
    fingerprint,
    guarded_policy,
    is_loopback,
    loopback_refused,
    manager_saved,
    record,
    seal,
    seal_words,
    sealed_fingerprints,
    unsealed_attempts,
)
from cashier_gui.gateways.base import NotConfigured
from cashier_gui.gateways.factory import configured_gateway
from cashier_gui.journal import Attempt, State
from cashier_gui.money import Money
from cashier_gui.policy import Policy
from cashier_gui.secrets import HMAC_SECRET, MSK, SEAL, SEAL_KEY, SecretStore

REAL = Settings().with_viopay(
    ViopaySettings(base_url="https://api.viopay.io", terminal_id="T1", key_id="K1")
)
POLICY = Policy(approval_above={"EUR": 2000})


def why(policy: Policy, minor: int) -> list[str]:
    return policy.reasons(
        kind="refund",
        amount=Money(minor, "EUR"),
        has_lookup=True,
        sale_date=None,
        refunds_today=0,
    )


def test_a_policy_edited_outside_a_managers_save_asks_a_manager_for_everything(
    memory_keyring: Any,
) -> None:
    store = SecretStore()
    sealed = dataclasses.replace(REAL, policy=POLICY)
    assert check_seal(sealed, store) is Seal.MISSING
    assert guarded_policy(POLICY, Seal.MISSING).seal_broken  # a policy nobody sealed
    assert guarded_policy(Policy(), Seal.MISSING) == Policy()  # nothing to keep
    seal(sealed, store)
    assert check_seal(sealed, store) is Seal.INTACT
    assert guarded_policy(POLICY, Seal.INTACT) == POLICY and why(POLICY, 1000) == []
    # €30 under a limit raised to €100 by hand: the seal breaks, a manager is needed
    raised = dataclasses.replace(REAL, policy=Policy(approval_above={"EUR": 10000}))
    assert check_seal(raised, store) is Seal.BROKEN
    applied = guarded_policy(raised.policy, Seal.BROKEN)
    reasons = why(applied, 3000)
    assert reasons and "outside a manager's save" in reasons[0]
    assert not applied.empty and applied.to_toml() == raised.policy.to_toml()
    assert why(applied, 1) != []  # any amount, while broken
    words = seal_words(Seal.BROKEN)
    assert words and "policy seal --manager" in words
    for changed in (  # each guarded setting breaks it
        dataclasses.replace(sealed, default_currency="USD"),
        dataclasses.replace(sealed, test_counter=True),
        sealed.with_viopay(
            ViopaySettings(base_url="https://evil.example", terminal_id="T1", key_id="K1")
        ),
        sealed.with_viopay(
            ViopaySettings(
                base_url="https://api.viopay.io", terminal_id="T1", key_id="K1", ca_bundle="x.pem"
            )
        ),
        dataclasses.replace(sealed, policy=dataclasses.replace(POLICY, time_zone="Asia/Tokyo")),
    ):
        assert check_seal(changed, store) is Seal.BROKEN, changed
    # not guarded: timeouts, language
    assert check_seal(dataclasses.replace(sealed, read_timeout_s=40.0), store) is Seal.INTACT
    # a deleted seal is not a clean slate
    store.delete(SEAL)
    assert check_seal(sealed, store) is Seal.MISSING
    assert guarded_policy(POLICY, Seal.MISSING).seal_broken


def test_apply_seal_hands_the_service_the_guarded_policy(memory_keyring: Any) -> None:
    class Service:
        policy = POLICY
        seal_broken = False  # every cashier's refund then needs a manager (RefundService)

    class Runtime:
        training = False
        settings = dataclasses.replace(REAL, policy=POLICY)
        service = Service()

    rt: Any = Runtime()
    assert apply_seal(rt) is Seal.MISSING and rt.service.seal_broken
    seal(Runtime.settings, SecretStore())
    assert apply_seal(rt) is Seal.INTACT and not rt.service.seal_broken


def test_a_real_counter_refuses_a_back_end_on_this_pc(memory_keyring: Any) -> None:
    store = SecretStore()
    store.set(HMAC_SECRET, "x" * 32)
    store.set(MSK, "00" * 32)
    assert is_loopback("http://127.0.0.1:8080") and is_loopback("http://localhost:1")
    assert is_loopback("127.0.0.1:55555") and is_loopback("http://[::1]:80")
    assert not is_loopback("https://api.viopay.io") and not is_loopback("192.168.1.23:55555")
    sim = Settings().with_viopay(
        ViopaySettings(base_url="http://127.0.0.1:8080", terminal_id="T1", key_id="K1")
    )
    refused = loopback_refused(sim, store)
    assert refused and "this PC itself" in refused and "--test-counter" in refused
    with pytest.raises(NotConfigured, match="this PC itself"):
        configured_gateway(sim, store)
    marked = dataclasses.replace(sim, test_counter=True)
    assert loopback_refused(marked, store)  # marked by hand, not by a manager's save
    seal(marked, store)
    assert loopback_refused(marked, store) is None
    configured_gateway(marked, store)[0]  # a sealed test counter may
    poynt = dataclasses.replace(Settings().with_poynt(PoyntSettings(host="127.0.0.1")))
    assert loopback_refused(poynt, store)
    assert loopback_refused(REAL, store) is None


def test_the_changes_log_is_private_and_never_holds_a_secret(
    home: Path, memory_keyring: Any
) -> None:
    paths = Paths.default()
    store = SecretStore()
    after = dataclasses.replace(REAL, policy=POLICY)
    manager_saved(paths, store, REAL, after, by="Mia", secrets_set=[HMAC_SECRET])
    record(paths, "Mia", "secret delete", {MSK: "deleted"})
    log = paths.data_dir / CHANGES_LOG
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(x["who"], x["what"]) for x in lines] == [
        ("Mia", "settings"),
        ("Mia", "seal"),  # the seal it made, with its fingerprint and time (journal verify)
        ("Mia", "secret delete"),
    ]
    assert lines[1]["fingerprint"] == fingerprint(after)
    assert sealed_fingerprints(paths) == [(lines[1]["at"], fingerprint(after))]
    assert lines[0]["changed"]["policy.approval_above.EUR"] == [None, "20.00"]
    assert lines[0]["changed"][HMAC_SECRET] == "set" and lines[0]["at"].endswith("Z")
    assert check_seal(after, store) is Seal.INTACT  # the save sealed it
    key = store.get(SEAL_KEY)
    assert key and key not in log.read_text(encoding="utf-8")
    if os.name == "posix":
        assert stat.S_IMODE(log.stat().st_mode) == 0o600


@pytest.mark.secret_service
def test_the_seal_in_the_real_secret_service() -> None:
    from keyring.backends import SecretService

    store = SecretStore("ci-seal", SecretService.Keyring())
    try:
        sealed = dataclasses.replace(REAL, policy=POLICY)
        seal(sealed, store)
        assert check_seal(sealed, store) is Seal.INTACT
        assert check_seal(dataclasses.replace(sealed, policy=Policy()), store) is Seal.BROKEN
    finally:
        store.delete(SEAL)
        store.delete(SEAL_KEY)


def _attempt(n: int, at: str, policy: str | None, training: bool = False) -> Attempt:
    return Attempt(
        id=n, provider="viopay", terminal="T1", charge_id=f"ch_{n}", amount_minor=100,
        currency="EUR", reason=None, note=None, transaction_reference=f"R{n}",
        idempotency_key=f"k{n}", operator="tom", training=training, state=State.APPROVED,
        refund_id=f"rf_{n}", error_code=None, error_message=None, trace_id=None,
        created_at=at, updated_at=at, policy=policy,
    )  # fmt: skip


def test_unsealed_attempts_are_judged_against_the_seal_in_force_at_their_time() -> None:
    seals = [("2026-12-01T10:00:00.000001Z", "aaaa"), ("2026-12-02T10:00:00.000000Z", "bbbb")]
    attempts = [
        _attempt(1, "2026-11-30T09:00:00.000000Z", "zzzz"),  # before any recorded seal
        _attempt(2, "2026-12-01T10:00:00.000002Z", "aaaa"),  # sealed then
        _attempt(3, "2026-12-01T12:00:00.000000Z", "bbbb"),  # sealed only the next day
        _attempt(4, "2026-12-02T10:00:00.000001Z", "bbbb"),
        _attempt(5, "2026-12-03T10:00:00.000000Z", None),  # before journal schema 8
        _attempt(6, "2026-12-03T10:00:00.000000Z", "cccc", training=True),
    ]
    [named] = unsealed_attempts(attempts, seals)
    assert named.startswith("attempt 3 (ch_3,") and "settings bbbb" in named
    assert "(sealed: aaaa)" in named
    [nothing_sealed] = unsealed_attempts(attempts, [])
    assert nothing_sealed.startswith("4 attempts carry a settings fingerprint")
    assert unsealed_attempts(attempts[4:], []) == []
