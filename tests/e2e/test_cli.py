"""`cashier-refund` as a cashier or a script would run it: a real process, a real server."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.support import cli as support_cli
from tests.support import hostile

ROOT = Path(__file__).resolve().parents[2]
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return support_cli.cli_env(tmp_path)


@pytest.fixture
def run(cli_env: dict[str, str]) -> Run:
    def run(*args: str, stdin: str = "", timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return support_cli.run_cli(cli_env, *args, stdin=stdin, timeout=timeout)

    return run


@pytest.fixture
def configured(run: Run, viopay_server: ServerThread) -> Run:
    # The MSK typed in lower case: it is stored normalised, and its check value is printed.
    msk = support_cli.configure_viopay(
        run, viopay_server.url, vsim.TRAINING_HMAC_SECRET, vsim.TRAINING_MSK_HEX.lower()
    )
    assert "key check value 7EDF9B" in msk.stdout
    return run


def test_lookup_json(configured: Run) -> None:
    r = configured("lookup", "ch_train_eur_partly", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["remaining_minor"] == 9000 and data["currency"] == "EUR"
    assert data["refundable"] is True and data["card"] == {"brand": "MASTERCARD", "last4": "5100"}


def test_lookup_unknown_is_exit_3(configured: Run) -> None:
    r = configured("lookup", "ch_missing", "--json")
    assert r.returncode == 3
    assert json.loads(r.stdout)["error"]["code"] == "4004"


def test_partial_refund_then_journal(configured: Run, tmp_path: Path) -> None:
    r = configured(
        "refund",
        "ch_train_eur_4990",
        "--amount",
        "12,50",
        "--reason",
        "defective_product",
        "--note",
        "box damaged",
        "--yes",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["status"] == "approved" and out["amount_minor"] == 1250 and out["refund_id"]
    listed = json.loads(configured("journal", "list", "--json").stdout)["attempts"]
    assert [a["refund_id"] for a in listed] == [out["refund_id"]]
    assert configured("journal", "verify").returncode == 0
    csv_path = tmp_path / "export.csv"
    assert configured("journal", "export", "--csv", str(csv_path)).returncode == 0
    assert "box damaged" in csv_path.read_text()


def test_confirmation_is_asked_and_no_means_nothing_sent(
    configured: Run, viopay_sim: vsim.ViopaySimulator
) -> None:
    r = configured("refund", "ch_train_eur_4990", "--full", stdin="n\n")
    assert r.returncode == 2 and "Refund €49.90 on ch_train_eur_4990" in r.stderr
    assert viopay_sim.charges["ch_train_eur_4990"].refunds == []
    r = configured("refund", "ch_train_eur_4990", "--full", stdin="y\n")
    assert r.returncode == 0 and "APPROVED" in r.stdout


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["refund", "ch_train_eur_4990", "--amount", "49.91", "--yes"], 2, "At most"),
        (["refund", "ch_train_eur_4990", "--amount", "abc", "--yes"], 2, "not an amount"),
        (
            ["refund", "ch_train_eur_4990", "--amount", "1", "--reason", "bored", "--yes"],
            2,
            "Unknown reason",
        ),
        (["refund", "ch_train_eur_4990", "--yes"], 2, "one of the arguments"),
        (["refund", "../../etc", "--full", "--yes"], 2, "not a charge ID"),
        (["refund", "ch_train_declined", "--full", "--yes"], 2, "declined"),
        (["refund", "ch_train_usd_issuer_declines", "--full", "--yes"], 3, "DECLINED"),
        (["refund", "ch_train_gbp_refund_pending", "--amount", "5", "--yes"], 4, "PENDING"),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_exit_codes(configured: Run, args: list[str], code: int, says: str) -> None:
    r = configured(*args)
    assert r.returncode == code, (r.stdout, r.stderr)
    assert says in r.stdout + r.stderr


def test_lost_answer_exits_4_and_reconcile_resolves(
    configured: Run, viopay_sim: vsim.ViopaySimulator
) -> None:
    viopay_sim.faults.push("drop_after_commit")
    r = configured("refund", "ch_train_eur_4990", "--amount", "5", "--yes", "--json")
    assert r.returncode == 4 and json.loads(r.stdout)["status"] == "unknown"
    r = configured("refund", "ch_train_eur_4990", "--amount", "5", "--yes")
    assert r.returncode == 2 and "no answer yet" in r.stderr
    assert configured("journal", "list", "--state", "unknown").stdout.count("unknown") == 1
    r = configured("reconcile", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["unknown_left"] == 0
    assert len(viopay_sim.charges["ch_train_eur_4990"].refunds) == 1


def test_reconcile_with_the_server_down_exits_4(
    configured: Run, viopay_server: ServerThread, viopay_sim: vsim.ViopaySimulator
) -> None:
    viopay_sim.faults.push("drop_before_commit")
    assert configured("refund", "ch_train_eur_4990", "--full", "--yes").returncode == 4
    viopay_server.stop()
    assert configured("reconcile").returncode == 4


def test_sigkill_between_journal_and_answer(
    configured: Run, cli_env: dict[str, str], viopay_sim: vsim.ViopaySimulator
) -> None:
    viopay_sim.faults.push("timeout")
    viopay_sim.faults.hang_seconds = 3
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cashier_gui.cli",
            "refund",
            "ch_train_eur_4990",
            "--amount",
            "7",
            "--yes",
        ],
        env=cli_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    journal = Path(cli_env["CASHIER_GUI_HOME"]) / "journal.sqlite3"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if viopay_sim.charges["ch_train_eur_4990"].refunds:  # the server has committed
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    db = sqlite3.connect(journal)
    assert db.execute("SELECT state FROM attempts").fetchall() == [("sent",)]
    db.close()
    r = configured("reconcile", "--json")
    assert r.returncode == 0, r.stderr
    [entry] = json.loads(r.stdout)["reconciled"]
    assert entry["status"] == "approved"
    [refund] = viopay_sim.charges["ch_train_eur_4990"].refunds
    assert refund.refund_id == entry["refund_id"]


def test_secret_input_is_validated(run: Run) -> None:
    r = run("secret", "set", "viopay-msk", stdin="abcd\n")
    assert r.returncode == 2 and "64 hex digits" in r.stderr
    r = run("secret", "set", "viopay-hmac-secret", stdin="\n")
    assert r.returncode == 2
    r = run("secret", "set", "viopay-msk")  # nothing on stdin
    assert r.returncode == 2


def test_not_configured_says_what_to_do(run: Run) -> None:
    r = run("lookup", "ch_1")
    assert r.returncode == 2 and "not set up" in r.stderr


def test_setup_refuses_plain_http_to_another_host(run: Run) -> None:
    r = run(
        "setup",
        "viopay",
        "--base-url",
        "http://api.viopay.io",
        "--terminal-id",
        "T",
        "--key-id",
        "K",
    )
    assert r.returncode == 2 and "https://" in r.stderr


def test_sim_prints_its_url_and_serves(cli_env: dict[str, str], tmp_path: Path) -> None:
    charges = tmp_path / "charges.json"
    charges.write_text(
        json.dumps(
            [
                {
                    "charge_id": "ch_file",
                    "status": "approved",
                    "amount": {"value": "999", "currency": "JPY"},
                }
            ]
        )
    )
    proc, url, lines = support_cli.start_sim(
        [*support_cli.CLI, "sim", "viopay", "--port", "0", "--charges", str(charges)], cli_env
    )
    try:
        assert url.startswith("http://127.0.0.1:")
        assert any("MSK key check value: 7EDF9B" in s for s in lines)
        import httpx

        assert httpx.get(url + "/pos/charge/ch_file").status_code == 401  # unsigned
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_a_lookup_that_fails_before_a_refund_says_nothing_was_refunded(
    configured: Run, viopay_server: ServerThread
) -> None:
    viopay_server.stop()
    r = configured("refund", "ch_train_eur_4990", "--amount", "5", "--yes", "--json")
    assert r.returncode == 1, (r.stdout, r.stderr)  # never 4: nothing was sent
    assert "Nothing was refunded" in json.loads(r.stdout)["error"]["message"]
    assert json.loads(configured("journal", "list", "--json").stdout)["attempts"] == []


def test_a_full_viopay_refund_is_journaled_as_full(configured: Run) -> None:
    r = configured("refund", "ch_train_eur_partly", "--full", "--yes", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["full"] is True and data["amount_minor"] == 9000


def test_resolve_by_hand_settles_an_unknown_refund_with_who_and_why(
    configured: Run, viopay_server: ServerThread, viopay_sim: vsim.ViopaySimulator
) -> None:
    viopay_sim.faults.push("drop_before_commit")
    r = configured("refund", "ch_train_eur_4990", "--amount", "5", "--yes", "--json")
    assert r.returncode == 4
    attempt = json.loads(r.stdout)["attempt_id"]
    missing = configured("resolve", str(attempt), "--not-refunded", "--by", "Maria")
    assert missing.returncode == 2 and "--why" in missing.stderr
    r = configured(
        "resolve",
        str(attempt),
        "--not-refunded",
        "--by",
        "Maria",
        "--why",
        "portal shows no refund",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["status"] == "failed"
    assert data["resolved_by_hand"] == {"by": "Maria", "why": "portal shows no refund"}
    again = configured("resolve", str(attempt), "--refunded", "--by", "Maria", "--why", "x")
    assert again.returncode == 1 and "already failed" in again.stderr
    assert "Traceback" not in again.stderr
    assert configured("journal", "verify").returncode == 0
    # the charge is free again
    r = configured("refund", "ch_train_eur_4990", "--amount", "5", "--yes")
    assert r.returncode == 0, r.stderr


def test_the_journal_keeps_where_a_refund_went_and_the_settings_it_was_made_under(
    configured: Run, viopay_server: ServerThread
) -> None:
    r = configured("refund", "ch_train_eur_4990", "--amount", "1", "--yes", "--json")
    assert r.returncode == 0, r.stderr
    [a] = json.loads(configured("journal", "list", "--json").stdout)["attempts"]
    assert a["endpoint"] == viopay_server.url
    seal = {c["name"]: c for c in json.loads(configured("doctor", "--json").stdout)["checks"]}
    assert a["policy"] and a["policy"] in seal["seal"]["detail"]  # the fingerprint doctor shows
    assert configured("journal", "verify").returncode == 0  # part of the hash chain


# ---- lookup's exit codes as the README says; typed words stay words --------------------------------


@pytest.mark.parametrize(
    "play",
    [
        hostile.status(302, headers={"Location": "http://127.0.0.1:9/elsewhere"}),
        hostile.status(200, b"<html>not an envelope</html>"),
        hostile.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{"),
        hostile.bloat(3 << 20),
    ],
    ids=["redirect", "bad-answer", "cut-short", "too-big"],
)
def test_a_lookup_that_gets_no_usable_answer_exits_1_not_4(
    run: Run, viopay_server: ServerThread, play: hostile.Play
) -> None:
    """README: 1 other (a lookup that failed before a refund: nothing was refunded); 4 is for
    what *may* have been sent, and a lookup sends no refund."""
    with hostile.HostileServer(viopay_server.url, default=play) as server:
        support_cli.configure_viopay(
            run, server.url, vsim.TRAINING_HMAC_SECRET, vsim.TRAINING_MSK_HEX
        )
        for args in (["lookup", "ch_train_eur_4990"], ["lookup", "ch_train_eur_4990", "--json"]):
            r = run(*args)
            assert r.returncode == 1, (play, r.stdout, r.stderr)
            said = r.stderr if "--json" not in args else json.loads(r.stdout)["error"]["message"]
            assert "Nothing was refunded" in said and "Traceback" not in r.stderr
    assert json.loads(run("journal", "list", "--json").stdout)["attempts"] == []


@pytest.mark.parametrize(
    "note",
    ["\x1b]0;pwned\x07box", "box\x1b[2J", "line\nbreak", "ab\u202ecod.exe", "\u2066x\u2069"],
    ids=["osc-title", "clear-screen", "newline", "rlo", "isolate"],
)
def test_a_note_with_controls_or_bidi_is_refused_before_anything(
    configured: Run, note: str
) -> None:
    r = configured("refund", "ch_train_eur_4990", "--amount", "5", "--note", note, "--yes")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "one line of plain text" in r.stderr
    r = configured("void", "ch_train_eur_4990", "--note", note, "--yes")
    assert r.returncode == 2 and "one line of plain text" in r.stderr
    assert json.loads(configured("journal", "list", "--json").stdout)["attempts"] == []


def test_resolve_refuses_a_name_or_reason_that_is_not_one_line(
    configured: Run, viopay_sim: vsim.ViopaySimulator
) -> None:
    viopay_sim.faults.push("drop_before_commit")
    r = configured("refund", "ch_train_eur_4990", "--amount", "5", "--yes", "--json")
    assert r.returncode == 4
    attempt = str(json.loads(r.stdout)["attempt_id"])
    for by, why in (("Maria\x1b[31m", "portal"), ("Maria", "portal\nshows \u202eno")):
        r = configured("resolve", attempt, "--refunded", "--by", by, "--why", why)
        assert r.returncode == 2 and "one line of plain text" in r.stderr, r.stderr
    [row] = json.loads(configured("journal", "list", "--json").stdout)["attempts"]
    assert row["status"] == "unknown"
