"""Refunds made outside this app (issue 27 item 5), end to end: a real `cashier-refund` process,
the Viopay simulator on loopback, and a refund signed directly with the counter's secret — what
a cashier with a Python prompt under the app's OS account can do — that the journal never
sees. `reconcile` names it (exit 6) until a manager acknowledges it; then it is kept as
history. Also `journal verify` naming an attempt made under settings no manager sealed."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cashier_gui.gateways.base import RefundRequest, RefundStatus
from cashier_gui.gateways.viopay import ViopayClient
from cashier_gui.money import Money
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.support import cli as support_cli

Run = Callable[..., subprocess.CompletedProcess[str]]
MANAGER_PIN = "48151623"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return support_cli.cli_env(tmp_path)


@pytest.fixture
def run(env: dict[str, str], viopay_server: ServerThread) -> Run:
    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return support_cli.run_cli(env, *args, stdin=stdin)

    support_cli.configure_viopay(
        run, viopay_server.url, vsim.TRAINING_HMAC_SECRET, vsim.TRAINING_MSK_HEX
    )
    return run


def sign_behind_the_apps_back(url: str, charge_id: str, minor: int) -> str:
    """A refund signed with the counter's own HMAC secret and MSK, sent straight to the
    gateway: no journal row. Returns its refund ID."""

    async def go() -> str:
        client = ViopayClient(
            base_url=url,
            terminal_id=vsim.TRAINING_TERMINAL_ID,
            key_id=vsim.TRAINING_KEY_ID,
            hmac_secret=vsim.TRAINING_HMAC_SECRET,
            msk=bytes.fromhex(vsim.TRAINING_MSK_HEX),
        )
        try:
            outcome = await client.refund(
                RefundRequest(
                    charge_id, Money(minor, "EUR"), "customer_request", "PY-PROMPT-1", "py-1"
                )
            )
        finally:
            await client.aclose()
        assert outcome.status is RefundStatus.APPROVED and outcome.refund_id
        return outcome.refund_id

    return asyncio.run(go())


def test_a_refund_signed_outside_the_app_is_named_until_a_manager_acknowledges_it(
    run: Run, env: dict[str, str], viopay_server: ServerThread, viopay_sim: vsim.ViopaySimulator
) -> None:
    # The app's own refund on the charge: the journal holds it, so it is never a finding.
    mine = run("refund", "ch_train_eur_4990", "--amount", "10", "--yes", "--json")
    assert mine.returncode == 0, mine.stderr
    clean = run("reconcile", "--json")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    outside = json.loads(clean.stdout)["outside"]
    assert outside["checked"] and outside["charges_checked"] == 1 and outside["open"] == []

    rogue = sign_behind_the_apps_back(viopay_server.url, "ch_train_eur_4990", 500)
    assert len(viopay_sim.charges["ch_train_eur_4990"].refunds) == 2
    assert run("journal", "verify").returncode == 0  # the journal alone cannot tell

    found = run("reconcile")
    assert found.returncode == 6, found.stdout + found.stderr
    assert (
        f"made outside this app: refund {rogue} of €5.00 on charge ch_train_eur_4990, at "
        in found.stdout
    )
    again = run("reconcile", "--json")  # kept, and still open: the same one, not a second
    assert again.returncode == 6
    data = json.loads(again.stdout)["outside"]
    assert [f["refund_id"] for f in data["open"]] == [rogue] and data["new"] == []
    assert data["open"][0]["amount_minor"] == 500 and data["open"][0]["currency"] == "EUR"
    findings = Path(env["CASHIER_GUI_HOME"]) / "outside-refunds.json"
    assert findings.stat().st_mode & 0o777 == 0o600
    doctor = run("doctor")  # and doctor is no longer all ok
    assert doctor.returncode != 0 and "1 refunds made outside this app" in doctor.stdout
    report = run("report")  # the end-of-shift report names it too
    assert report.returncode == 0, report.stderr
    assert "REFUNDS MADE OUTSIDE THIS APP" in report.stdout and rogue in report.stdout
    [named] = json.loads(run("report", "--json").stdout)["outside"]
    assert named["refund_id"] == rogue and named["acknowledged_at"] is None

    # Acknowledging it is a manager's door once people exist.
    assert (
        run(
            "operator", "add", "Maria", "--role", "manager", stdin=f"{MANAGER_PIN}\n" * 2
        ).returncode
        == 0
    )
    no_manager = run("reconcile", "--acknowledge", rogue)
    assert no_manager.returncode == 2 and "--manager" in no_manager.stderr
    wrong = run(
        "reconcile", "--acknowledge", "rf_nothing", "--manager", "Maria", stdin="48151623\n"
    )
    assert wrong.returncode == 2 and "No open finding names rf_nothing" in wrong.stderr
    ack = run("reconcile", "--acknowledge", rogue, "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert ack.returncode == 0, ack.stderr
    assert "Acknowledged: made outside this app" in ack.stdout

    after = run("reconcile", "--json", "--history")
    assert after.returncode == 0, after.stdout + after.stderr
    data = json.loads(after.stdout)["outside"]
    assert data["open"] == []
    [kept] = data["history"]
    assert kept["refund_id"] == rogue and kept["acknowledged_by"] == "Maria"
    assert kept["acknowledged_at"]
    assert "no refund made outside this app found" in run("doctor").stdout
    [named] = json.loads(run("report", "--json").stdout)["outside"]  # found today: still named
    assert named["acknowledged_by"] == "Maria"
    log = (Path(env["CASHIER_GUI_HOME"]) / "changes.log").read_text()
    assert "acknowledge outside refunds" in log and rogue in log


def test_the_simulators_hook_and_a_refund_before_the_journal_began(
    run: Run, viopay_sim: vsim.ViopaySimulator
) -> None:
    # ch_train_eur_partly came with a €30 refund dated before this journal's first attempt:
    # made before the app was in use, not a finding.
    assert run("refund", "ch_train_eur_partly", "--amount", "1", "--yes").returncode == 0
    assert run("reconcile").returncode == 0
    made = viopay_sim.refund_outside("ch_train_eur_partly", Money(250, "EUR"))
    r = run("reconcile")
    assert r.returncode == 6
    assert f"refund {made.refund_id} of €2.50 on charge ch_train_eur_partly" in r.stdout
    with pytest.raises(ValueError, match="exceeds"):
        viopay_sim.refund_outside("ch_train_eur_partly", Money(999_999, "EUR"))


def test_a_declined_refund_is_not_a_finding_and_a_failed_lookup_is_said(
    run: Run, viopay_server: ServerThread
) -> None:
    assert run("refund", "ch_train_eur_4990", "--amount", "1", "--yes").returncode == 0
    viopay_server.stop()
    r = run("reconcile")
    assert r.returncode == 0  # nothing unknown, nothing found: the failure is said, not hidden
    assert "Could not check ch_train_eur_4990 for refunds made outside this app" in r.stderr


def test_verify_names_an_attempt_made_under_settings_no_manager_sealed(
    run: Run, env: dict[str, str]
) -> None:
    home = Path(env["CASHIER_GUI_HOME"])
    seals = [json.loads(x) for x in (home / "changes.log").read_text().splitlines()]
    sealed = [x for x in seals if x["what"] == "seal"]
    assert len(sealed) == 1 and len(sealed[0]["at"]) == len("2026-12-07T10:00:00.123456Z")
    assert run("refund", "ch_train_eur_4990", "--amount", "1", "--yes").returncode == 0
    assert run("journal", "verify").returncode == 0  # made under the sealed fingerprint

    # The policy raised by hand, and the seal forged with the key from the keyring — what a
    # Python prompt under the app's OS account can do: the app sees an intact seal, but no
    # manager sealed this fingerprint, and the changes log records no such seal.
    with open(home / "settings.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[policy]\napproval_above = { EUR = "99.00" }\n')
    forge = (
        "from cashier_gui.config import Paths, load_settings\n"
        "from cashier_gui.doors import seal\n"
        "from cashier_gui.secrets import SecretStore\n"
        "s = load_settings(Paths.default()); seal(s, SecretStore(s.profile))\n"
    )
    forged = subprocess.run(
        [sys.executable, "-c", forge], env=env, capture_output=True, text=True, timeout=60
    )
    assert forged.returncode == 0, forged.stderr
    r = run("refund", "ch_train_eur_4990", "--amount", "2", "--yes", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    made = json.loads(r.stdout)
    verify = run("journal", "verify")
    assert verify.returncode == 1, verify.stdout
    [line] = [x for x in verify.stdout.splitlines() if x.startswith("UNSEALED")]
    assert f"attempt {made['attempt_id']} (ch_train_eur_4990" in line
    assert f"made under settings {made['policy']}" in line
    assert sealed[0]["fingerprint"] in line

    # A manager seals the file as it is: later attempts pass, the earlier one is still named.
    assert run("policy", "seal").returncode == 0  # no people on this counter: anyone
    assert run("refund", "ch_train_eur_4990", "--amount", "3", "--yes").returncode == 0
    verify = run("journal", "verify")
    assert verify.returncode == 1
    assert [x for x in verify.stdout.splitlines() if x.startswith("UNSEALED")] == [line]
