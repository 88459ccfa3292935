"""`cashier-refund receipt` and `cashier-refund report` as real processes: text, PDF, ESC/POS
bytes, CSV and JSON from a real journal; bad input exits 2 with what to do."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_gui.config import Paths
from cashier_gui.journal import NewAttempt, State
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.money import Money
from tests.support import cli as support_cli

Run = support_cli.Run


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    env = support_cli.cli_env(tmp_path)
    monkeypatch.setenv("CASHIER_GUI_HOME", env["CASHIER_GUI_HOME"])
    paths = Paths.default()
    with SqliteJournal(paths.journal) as j:
        a = j.prepare(
            NewAttempt(
                provider="viopay",
                terminal="TERM-001",
                charge_id="ch_paper",
                amount=Money(1250, "EUR"),
                reason="defective_product",
                note=None,
                transaction_reference="TERM-001-PAPER",
                key="k-paper",
                operator="Carl",
                card_brand="VISA",
                card_last4="4242",
            )
        )
        j.send_or_cancel(a.key, lambda: False)
        j.transition(a.key, State.APPROVED, expect=State.SENT, refund_id="rf_paper")
        b = j.prepare(
            NewAttempt(
                provider="viopay",
                terminal="TERM-001",
                charge_id="ch_lost",
                amount=Money(4990, "EUR"),
                reason=None,
                note=None,
                transaction_reference="TERM-001-LOST",
                key="k-lost",
                operator="Bea",
            )
        )
        j.send_or_cancel(b.key, lambda: False)
        j.transition(b.key, State.UNKNOWN, expect=State.SENT)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return support_cli.run_cli(env, *args)

    return run


def test_a_receipt_as_text_pdf_and_escpos(run: Run, tmp_path: Path) -> None:
    r = run("receipt", "1")
    assert r.returncode == 0, r.stderr
    assert "REFUND APPROVED" in r.stdout and "VISA •••• 4242" in r.stdout
    assert "Defective product" in r.stdout and "rf_paper" in r.stdout
    pdf = tmp_path / "r.pdf"
    r = run("receipt", "1", "--pdf", str(pdf))
    assert r.returncode == 0, r.stderr
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True).stdout
    assert "REFUND APPROVED" in text and "rf_paper" in text
    raw = tmp_path / "r.bin"
    r = run("receipt", "2", "--escpos", str(raw), "--width", "32")
    assert r.returncode == 0, r.stderr
    data = raw.read_bytes()
    assert data.startswith(b"\x1b@") and data.endswith(b"\x1dV\x00")
    assert b"NOT CONFIRMED YET" in data


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["receipt", "99"], "There is no refund attempt 99"),
        (["receipt", "abc"], "invalid int value"),
        (["receipt", "1", "--pdf", "/no/such/folder/r.pdf"], "does not exist"),
        (["receipt", "1", "--print"], "No receipt printer is set up"),
        (["receipt", "1", "--width", "40"], "invalid choice"),
        (["report", "--day", "23.11.2026"], "YYYY-MM-DD"),
        (["report", "--csv", "/no/such/folder/r.csv"], "does not exist"),
        (["report", "--json", "--csv", "x.csv"], "not allowed with"),
        (["receipt", "1", "--training"], "no refund journal"),
    ],
)
def test_bad_input_exits_2_and_says_what_to_do(run: Run, args: list[str], says: str) -> None:
    r = run(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert says in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_the_report_as_json_and_csv(run: Run, tmp_path: Path) -> None:
    r = run("report", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["totals"]["EUR"]["approved"]["total"] == "12.50"
    assert [u["charge_id"] for u in data["unknown"]] == ["ch_lost"]
    out = tmp_path / "r.csv"
    r = run("report", "--csv", str(out))
    assert r.returncode == 0 and out.exists()
    r = run("report")
    assert "UNKNOWN — CHECK BEFORE CLOSING" in r.stdout and "ch_lost" in r.stdout
    r = run("report", "--day", "2020-01-01")
    assert r.returncode == 0 and "No refunds in this period." in r.stdout
    r = run("report", "--operator", "Bea", "--json")
    assert json.loads(r.stdout)["attempts"] == 1


def test_the_command_line_speaks_german(tmp_path: Path, run: Run) -> None:
    """LANGUAGE=de (or LANG=de_DE.UTF-8): receipts, reports, journal messages and errors in
    German; codes, IDs and amounts as they are."""
    env = {**support_cli.cli_env(tmp_path), "LANGUAGE": "de", "LANG": "de_DE.UTF-8"}
    r = support_cli.run_cli(env, "receipt", "1")
    assert r.returncode == 0, r.stderr
    assert "ERSTATTUNG GENEHMIGT" in r.stdout and "Bitte bewahren Sie diesen Beleg auf." in r.stdout
    r = support_cli.run_cli(env, "journal", "verify")
    assert "Das Journal ist unversehrt (2 Erstattungsvorgänge)." in r.stdout
    r = support_cli.run_cli(env, "receipt", "99")
    assert r.returncode == 2 and "Einen Erstattungsvorgang 99 gibt es nicht" in r.stderr


def test_without_the_entry_point_a_pdf_is_refused_in_words(tmp_path: Path, run: Run) -> None:
    """`python -m cashier_gui.cli` (the Qt-free core alone) cannot draw a PDF: exit 2 and why."""
    import sys

    env = support_cli.cli_env(tmp_path)
    r = subprocess.run(
        [sys.executable, "-m", "cashier_gui.cli", "receipt", "1", "--pdf", str(tmp_path / "r.pdf")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "installed cashier-refund command" in r.stderr
    assert not (tmp_path / "r.pdf").exists()


# ---- private paper: 0600 under any umask, no links, never the app's own files --------------------


@pytest.fixture
def umask000() -> Iterator[None]:
    previous = os.umask(0)  # the command inherits it
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_every_file_the_command_line_writes_is_0600_under_umask_000(
    run: Run, tmp_path: Path, umask000: None
) -> None:
    targets = {
        "r.pdf": ["receipt", "1", "--pdf"],
        "r.bin": ["receipt", "1", "--escpos"],
        "report.pdf": ["report", "--pdf"],
        "report.csv": ["report", "--csv"],
        "export.csv": ["journal", "export", "--csv"],
    }
    for name, args in targets.items():
        r = run(*args, str(tmp_path / name))
        assert r.returncode == 0, (name, r.stderr)
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
@pytest.mark.parametrize(
    "args",
    [
        ["receipt", "1", "--escpos"],
        ["receipt", "1", "--pdf"],
        ["report", "--csv"],
        ["journal", "export", "--csv"],
    ],
)
def test_a_link_as_the_output_is_refused_and_its_target_kept(
    run: Run, tmp_path: Path, args: list[str]
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file\n")
    link = tmp_path / "out.bin"
    link.symlink_to(victim)
    r = run(*args, str(link))
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "is a link to another file" in r.stderr and "Traceback" not in r.stderr
    assert victim.read_text() == "someone else's file\n" and link.is_symlink()


@pytest.mark.skipif(os.name != "posix", reason="hard links and modes")
def test_the_apps_own_files_are_never_paper(run: Run, tmp_path: Path) -> None:
    paths = Paths.default()
    paths.settings.write_text('profile = "default"\n')
    paths.operators.write_text('{"version": 1, "operators": []}\n')
    os.link(paths.journal, tmp_path / "hard.csv")
    paths.logs.mkdir(exist_ok=True)
    home = paths.config_dir
    own = [p for p in home.rglob("*") if p.is_file()]
    before = {p: (p.read_bytes(), p.stat().st_mode, p.stat().st_mtime_ns) for p in own}
    attempts = [
        ["report", "--csv", str(paths.settings)],
        ["report", "--csv", str(home / "logs" / ".." / "operators.json")],
        ["report", "--pdf", str(paths.journal)],
        ["receipt", "1", "--escpos", str(home / "journal.sqlite3-wal")],
        ["journal", "export", "--csv", str(tmp_path / "hard.csv")],
        ["journal", "export", "--csv", os.path.relpath(paths.journal)],
    ]
    for args in attempts:
        r = run(*args)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert "one of this app's own files" in r.stderr, r.stderr
    assert {p: (p.read_bytes(), p.stat().st_mode, p.stat().st_mtime_ns) for p in own} == before
    assert run("journal", "verify").returncode == 0
