"""Operators, sign-in and the shop's policy on the command line: real processes, a real
simulator on loopback, PINs only ever on standard input."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.support import cli as support_cli

Run = Callable[..., subprocess.CompletedProcess[str]]
MANAGER_PIN, CASHIER_PIN = "48151623", "2718"


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


@pytest.fixture
def staffed(run: Run, env: dict[str, str]) -> Run:
    first = run("operator", "add", "Maria", "--role", "manager", stdin=f"{MANAGER_PIN}\n" * 2)
    assert first.returncode == 0, first.stderr
    alone = run("operator", "add", "Tom", "--role", "cashier", stdin=f"{CASHIER_PIN}\n" * 2)
    assert alone.returncode == 2 and "--manager" in alone.stderr
    tom = run(
        "operator",
        "add",
        "Tom",
        "--role",
        "cashier",
        "--manager",
        "Maria",
        stdin=f"{MANAGER_PIN}\n{CASHIER_PIN}\n{CASHIER_PIN}\n",
    )
    assert tom.returncode == 0, tom.stderr
    settings = Path(env["CASHIER_GUI_HOME"]) / "settings.toml"
    with open(settings, "a", encoding="utf-8") as fh:
        fh.write('\n[policy]\napproval_above = { EUR = "20.00" }\n')
    sealed = run("policy", "seal", "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert sealed.returncode == 0, sealed.stderr  # a manager's edit, sealed by a manager
    return run


def test_the_first_operator_is_a_manager_and_pins_must_match(run: Run) -> None:
    r = run("operator", "add", "Tom", "--role", "cashier", stdin="1234\n1234\n")
    assert r.returncode == 2 and "first operator must be a manager" in r.stderr
    r = run("operator", "add", "Maria", "--role", "manager", stdin="1234\n4321\n")
    assert r.returncode == 2 and "differ" in r.stderr
    assert "No operators" in run("operator", "list").stdout


def test_with_operators_a_refund_needs_a_sign_in(staffed: Run) -> None:
    r = staffed("refund", "ch_train_eur_4990", "--amount", "5", "--yes")
    assert r.returncode == 2 and "--operator" in r.stderr
    r = staffed(
        "refund", "ch_train_eur_4990", "--amount", "5", "--yes", "--operator", "Tom", stdin="0000\n"
    )
    assert r.returncode == 2 and "Wrong PIN for Tom" in r.stderr
    r = staffed(
        "refund",
        "ch_train_eur_4990",
        "--amount",
        "5",
        "--yes",
        "--json",
        "--operator",
        "tom",
        stdin=f"{CASHIER_PIN}\n",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["status"] == "approved"


def test_over_the_limit_a_manager_must_approve(
    staffed: Run, viopay_sim: vsim.ViopaySimulator, tmp_path: Path
) -> None:
    args = ["refund", "ch_train_eur_4990", "--amount", "25", "--yes", "--operator", "Tom"]
    r = staffed(*args, stdin=f"{CASHIER_PIN}\n")
    assert r.returncode == 2 and "above €20.00" in r.stderr and "manager" in r.stderr
    assert viopay_sim.charges["ch_train_eur_4990"].refunds == []  # nothing sent
    r = staffed(*args, "--approver", "Tom", stdin=f"{CASHIER_PIN}\n{CASHIER_PIN}\n")
    assert r.returncode == 2 and "not a manager" in r.stderr
    r = staffed(*args, "--approver", "Maria", "--json", stdin=f"{CASHIER_PIN}\n{MANAGER_PIN}\n")
    assert r.returncode == 0, r.stderr
    [row] = json.loads(staffed("journal", "list", "--json").stdout)["attempts"]
    assert row["status"] == "approved" and (row["operator"], row["approver"]) == ("Tom", "Maria")
    out = tmp_path / "export.csv"
    assert staffed("journal", "export", "--csv", str(out)).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "approver" in text.splitlines()[0] and ",Maria," in text and ",Tom," in text


def test_three_wrong_pins_lock_and_nothing_is_stored_in_clear(
    staffed: Run, env: dict[str, str]
) -> None:
    for _ in range(2):
        r = staffed("operator", "remove", "Tom", "--manager", "Maria", stdin="0000\n")
        assert r.returncode == 2 and "Wrong PIN" in r.stderr
    r = staffed("operator", "remove", "Tom", "--manager", "Maria", stdin="0000\n")
    assert r.returncode == 2 and "locked" in r.stderr
    r = staffed("operator", "remove", "Tom", "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert r.returncode == 2 and "locked" in r.stderr  # the right PIN, still locked
    assert "(locked for another minute)" in staffed("operator", "list").stdout
    home = Path(env["CASHIER_GUI_HOME"])
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert MANAGER_PIN.encode() not in data and CASHIER_PIN.encode() not in data, path


def test_resolve_by_hand_is_for_managers(staffed: Run, viopay_sim: vsim.ViopaySimulator) -> None:
    viopay_sim.faults.push("drop_before_commit")
    r = staffed(
        "refund",
        "ch_train_eur_4990",
        "--amount",
        "5",
        "--yes",
        "--json",
        "--operator",
        "Tom",
        stdin=f"{CASHIER_PIN}\n",
    )
    assert r.returncode == 4
    attempt = str(json.loads(r.stdout)["attempt_id"])
    base = ["resolve", attempt, "--not-refunded", "--by", "Tom", "--why", "terminal shows none"]
    r = staffed(*base)
    assert r.returncode == 2 and "Only a manager" in r.stderr
    r = staffed(*base, "--manager", "Tom", stdin=f"{CASHIER_PIN}\n")
    assert r.returncode == 2 and "not a manager" in r.stderr
    r = staffed(*base, "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert r.returncode == 0, r.stderr
    assert staffed("journal", "verify").returncode == 0


def test_the_days_count_does_not_follow_tz(
    staffed: Run, env: dict[str, str], viopay_sim: vsim.ViopaySimulator
) -> None:
    """Issue 27: with refunds_per_day = 1, a TZ that puts "local midnight" a moment ago (after
    the first refund) does not make the second refund of the day the first: the shop's day is
    the OS's zone (or policy.time_zone), never the process's TZ."""
    import datetime as dt
    import time

    settings = Path(env["CASHIER_GUI_HOME"]) / "settings.toml"
    text = settings.read_text(encoding="utf-8").replace(
        'approval_above = { EUR = "20.00" }', "refunds_per_day = 1"
    )
    settings.write_text(text, encoding="utf-8")
    sealed = staffed("policy", "seal", "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert sealed.returncode == 0, sealed.stderr
    args = ["refund", "ch_train_eur_4990", "--amount", "5", "--yes", "--operator", "Tom"]
    assert staffed(*args, stdin=f"{CASHIER_PIN}\n").returncode == 0
    time.sleep(3)
    # POSIX TZ "XXX+h:m:s" is that far west of UTC: local time is now 00:00:01.
    now = dt.datetime.now(dt.UTC)
    west = (now.hour * 3600 + now.minute * 60 + now.second - 1) % 86400
    tz = f"XXX+{west // 3600}:{west % 3600 // 60:02d}:{west % 60:02d}"
    second = support_cli.run_cli(dict(env, TZ=tz), *args, stdin=f"{CASHIER_PIN}\n")
    assert second.returncode == 2, (tz, second.stdout, second.stderr)
    assert "made 1 refund today" in second.stderr
    also = support_cli.run_cli(dict(env, TZ="XXX+7:11"), *args, stdin=f"{CASHIER_PIN}\n")
    assert also.returncode == 2 and "made 1 refund today" in also.stderr
    assert len(viopay_sim.charges["ch_train_eur_4990"].refunds) == 1  # the second never went


def test_the_command_lines_doors_need_a_manager_and_are_recorded(
    staffed: Run, env: dict[str, str], viopay_server: ServerThread
) -> None:
    """Issue 27: once people exist, setup, secret set|delete and policy seal need a manager's
    PIN (as the window asks), and each is in the changes log; a real counter is not pointed at
    this PC itself; a hand-edited policy is named by doctor and stops refunds until sealed."""
    home = Path(env["CASHIER_GUI_HOME"])
    settings = home / "settings.toml"
    before = settings.read_text(encoding="utf-8")
    setup = [
        "setup",
        "viopay",
        "--base-url",
        viopay_server.url,
        "--terminal-id",
        vsim.TRAINING_TERMINAL_ID,
        "--key-id",
        vsim.TRAINING_KEY_ID,
        "--test-counter",
    ]
    for args, stdin in (
        (setup, ""),
        (["secret", "set", "viopay-hmac-secret"], "a-new-secret-value\n"),
        (["secret", "delete", "viopay-msk"], ""),
        (["policy", "seal"], ""),
        (["setup", *setup[1:], "--manager", "Tom"], f"{CASHIER_PIN}\n"),
    ):
        r = staffed(*args, stdin=stdin)
        assert r.returncode == 2 and "manager" in r.stderr, (args, r.stderr)
    assert settings.read_text(encoding="utf-8") == before
    assert not (home / "changes.log").exists() or "a-new-secret" not in (
        home / "changes.log"
    ).read_text(encoding="utf-8")
    secret = vsim.TRAINING_HMAC_SECRET  # set again, by a manager
    r = staffed(
        "secret",
        "set",
        "viopay-hmac-secret",
        "--manager",
        "Maria",
        stdin=f"{MANAGER_PIN}\n{secret}\n",
    )
    assert r.returncode == 0, r.stderr
    real = [a for a in setup if a != "--test-counter"]
    r = staffed(*real, "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert r.returncode == 2 and "this PC itself" in r.stderr
    r = staffed(*setup, "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert r.returncode == 0, r.stderr
    log = [json.loads(x) for x in (home / "changes.log").read_text(encoding="utf-8").splitlines()]
    assert [(x["who"], x["what"]) for x in log][-5:] == [
        ("Maria", "policy seal"),  # the fixture's
        ("Maria", "seal"),  # each seal with its time and fingerprint (journal verify)
        ("Maria", "secret set"),
        ("Maria", "setup"),
        ("Maria", "seal"),
    ]
    assert log[-3]["changed"] == {"viopay-hmac-secret": "set"}
    assert secret not in (home / "changes.log").read_text(encoding="utf-8")
    # The policy edited by hand: doctor names it, refunds stop until a manager seals it.
    doctor = staffed("doctor")
    assert "TEST COUNTER" in doctor.stdout
    settings.write_text(
        settings.read_text(encoding="utf-8").replace('"20.00"', '"100.00"'), encoding="utf-8"
    )
    doctor = staffed("doctor")
    assert doctor.returncode != 0 and "outside a manager's save" in doctor.stdout
    shown = staffed("policy", "show")
    assert shown.returncode != 0 and "outside a manager's save" in shown.stderr
    args = ["refund", "ch_train_eur_4990", "--amount", "30", "--yes", "--operator", "Tom"]
    r = staffed(*args, stdin=f"{CASHIER_PIN}\n")
    assert r.returncode == 2 and "outside a manager's save" in r.stderr, r.stderr
    r = staffed("policy", "seal", "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert r.returncode == 0 and "100.00" in r.stdout, r.stderr
    r = staffed(*args, stdin=f"{CASHIER_PIN}\n")
    assert r.returncode == 0, r.stderr  # the manager's €100 limit, sealed


def test_a_manager_lifts_a_lock_from_the_command_line(staffed: Run) -> None:
    for _ in range(3):  # Tom's PIN, wrong three times: locked
        r = staffed("operator", "remove", "Maria", "--manager", "Tom", stdin="0000\n")
        assert r.returncode == 2 and ("Wrong PIN" in r.stderr or "locked" in r.stderr)
    assert "(locked for another minute)" in staffed("operator", "list").stdout
    r = staffed("operator", "unlock", "Tom", "--manager", "Tom", stdin=f"{CASHIER_PIN}\n")
    assert r.returncode == 2 and "locked" in r.stderr  # not by himself
    r = staffed("operator", "unlock", "Tom")
    assert r.returncode == 2 and "--manager" in r.stderr
    r = staffed("operator", "unlock", "Tom", "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert r.returncode == 0, r.stderr
    assert "The lock on Tom is lifted." in r.stdout
    assert "locked" not in staffed("operator", "list").stdout
    r = staffed("operator", "unlock", "Nobody", "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert r.returncode == 2 and "no operator called Nobody" in r.stderr


def test_a_manager_locks_a_person_who_then_neither_refunds_nor_approves(
    staffed: Run, viopay_sim: vsim.ViopaySimulator, env: dict[str, str]
) -> None:
    ines_pin = "9090"
    r = staffed(
        "operator",
        "add",
        "Ines",
        "--role",
        "manager",
        "--manager",
        "Maria",
        stdin=f"{MANAGER_PIN}\n{ines_pin}\n{ines_pin}\n",
    )
    assert r.returncode == 0, r.stderr
    [people] = Path(env["CASHIER_GUI_HOME"]).rglob("operators.json")

    def tom_locked() -> object:
        [tom] = [p for p in json.loads(people.read_text())["operators"] if p["name"] == "Tom"]
        return tom["locked_until"]

    r = staffed("operator", "lock", "Tom")
    assert r.returncode == 2 and "--manager" in r.stderr
    r = staffed("operator", "lock", "Tom", "--manager", "Maria", stdin="0000\n")
    assert r.returncode == 2 and "Wrong PIN for Maria" in r.stderr
    r = staffed("operator", "lock", "Tom", "--manager", "Tom", stdin=f"{CASHIER_PIN}\n")
    assert r.returncode == 2 and "Tom is not a manager" in r.stderr
    assert tom_locked() is None  # neither changed anything
    r = staffed("operator", "lock", "Tom", "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert r.returncode == 0, r.stderr
    assert tom_locked() is not None
    r = staffed("operator", "unlock", "Tom", "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert r.returncode == 0, r.stderr
    r = staffed("operator", "lock", "Maria", "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert r.returncode == 0, r.stderr  # Ines is left to lift it
    r = staffed("operator", "lock", "Ines", "--manager", "Ines", stdin=f"{ines_pin}\n")
    assert r.returncode == 2 and "Ines is the last manager who can sign in" in r.stderr
    r = staffed("operator", "unlock", "Maria", "--manager", "Ines", stdin=f"{ines_pin}\n")
    assert r.returncode == 0, r.stderr
    assert "locked" not in staffed("operator", "list").stdout

    for who in ("Tom", "Ines"):
        r = staffed("operator", "lock", who, "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
        assert r.returncode == 0, r.stderr
        assert f"{who} is locked by a manager" in r.stdout
    listed = staffed("operator", "list").stdout
    assert listed.count("(locked by a manager)") == 2, listed
    small = ["refund", "ch_train_eur_4990", "--amount", "5", "--yes", "--operator", "Tom"]
    r = staffed(*small, stdin=f"{CASHIER_PIN}\n")  # his right PIN
    assert r.returncode == 2 and "Tom is locked by a manager" in r.stderr, r.stderr
    big = ["refund", "ch_train_eur_4990", "--amount", "25", "--yes", "--operator", "Maria"]
    r = staffed(*big, "--approver", "Ines", stdin=f"{MANAGER_PIN}\n{ines_pin}\n")
    assert r.returncode == 2 and "Ines is locked by a manager" in r.stderr, r.stderr
    assert viopay_sim.charges["ch_train_eur_4990"].refunds == []  # nothing sent

    r = staffed("operator", "unlock", "Tom", "--manager", "Maria", stdin=f"{MANAGER_PIN}\n")
    assert r.returncode == 0 and "The lock on Tom is lifted." in r.stdout
    r = staffed(*small, "--json", stdin=f"{CASHIER_PIN}\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["status"] == "approved"
    assert staffed("operator", "list").stdout.count("(locked by a manager)") == 1
