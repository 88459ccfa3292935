"""The shop's paper: `cashier-refund report` at any counter of a shop covers every counter (read
from the real PostgreSQL), one counter or one person, with totals per counter; receipts name
the counter; a shop server that cannot be read is said on the paper and in the exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cashier_gui.config import Paths
from cashier_gui.journal import State
from cashier_gui.journal.sqlite import SqliteJournal
from tests.shop.test_shop_import import made
from tests.support import cli as support_cli
from tests.support.pg import PgServer


class Till:
    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        self.env = support_cli.cli_env(folder)
        self.paths = Paths(Path(self.env["CASHIER_GUI_HOME"]), Path(self.env["CASHIER_GUI_HOME"]))

    def __call__(self, *args: str) -> Any:
        return support_cli.run_cli(self.env, *args)

    def json(self, *args: str) -> dict[str, Any]:
        done = self(*args, "--json")
        assert done.returncode == 0, done.stdout + done.stderr
        answer: dict[str, Any] = json.loads(done.stdout)
        return answer


@pytest.fixture
def tills(tmp_path: Path, shop_url: str) -> tuple[Till, Till]:
    """Two counters that refunded on their own, then joined the shop and imported."""
    one, two = Till("Till 1", tmp_path / "one"), Till("Till 2", tmp_path / "two")
    with SqliteJournal(one.paths.journal, counter="Till 1") as j:
        made(j, "ch_a", 1250, State.SENT, State.APPROVED, operator="Ann")
        made(j, "ch_b", 990, State.SENT, State.DECLINED, operator="Ann")
    with SqliteJournal(two.paths.journal, counter="Till 2") as j:
        made(j, "ch_c", 700, State.SENT, State.APPROVED, operator="Bea")
        made(j, "ch_d", 300, State.SENT, State.APPROVED, operator="Ann")
        made(j, "ch_e", 500, State.SENT, State.PENDING, operator="Bea")
    for till in (one, two):
        joined = till("setup", "shop", "--url", shop_url, "--counter", till.name)
        assert joined.returncode == 0, joined.stdout + joined.stderr
        imported = till("shop", "import")
        assert imported.returncode == 0, imported.stdout + imported.stderr
    return one, two


def approved(table: dict[str, Any]) -> int:
    return int(table["EUR"]["approved"]["total_minor"])


def test_the_shop_report_from_any_counter_with_totals_per_counter(
    tills: tuple[Till, Till],
) -> None:
    one, two = tills
    for till in (one, two):  # the same figures whichever counter prints them
        report = till.json("report")
        assert report["shop"] == {"read": True, "problem": None}
        assert report["attempts"] == 5 and approved(report["totals"]) == 2250
        assert report["totals"]["EUR"]["pending"]["total_minor"] == 500
        assert report["totals"]["EUR"]["declined"]["count"] == 1
        per = report["by_counter"]
        assert (approved(per["Till 1"]), approved(per["Till 2"])) == (1250, 1000)
        assert per["Till 2"]["EUR"]["pending"]["count"] == 1
    text = one("report")
    assert text.returncode == 0, text.stderr
    assert "every counter of the shop" in text.stdout and "Per counter" in text.stdout
    assert "Till 2" in text.stdout and "NOT THE SHOP'S" not in text.stdout
    # `journal list` at either counter reads every counter's attempts: each line names whose.
    rows = [line.split() for line in two("journal", "list").stdout.splitlines()]
    assert {(row[4], " ".join(row[-2:])) for row in rows if row[4] in ("ch_a", "ch_c")} == {
        ("ch_a", "Till 1"),
        ("ch_c", "Till 2"),
    }


def test_one_counter_or_one_person(tills: tuple[Till, Till]) -> None:
    one, _two = tills
    theirs = one.json("report", "--counter", "Till 2")
    assert theirs["counter"] == "Till 2" and theirs["attempts"] == 3
    assert approved(theirs["totals"]) == 1000 and list(theirs["by_counter"]) == ["Till 2"]
    text = one("report", "--counter", "Till 2")
    assert "Till 2" in text.stdout and "Per counter" not in text.stdout
    ann = one.json("report", "--operator", "Ann")  # she worked at both counters
    assert ann["attempts"] == 3 and approved(ann["totals"]) == 1550
    assert (approved(ann["by_counter"]["Till 1"]), approved(ann["by_counter"]["Till 2"])) == (
        1250,
        300,
    )
    nobody = one.json("report", "--counter", "Till 9")
    assert nobody["attempts"] == 0 and nobody["shop"]["read"]


def test_receipts_name_the_counter(tills: tuple[Till, Till]) -> None:
    one, _two = tills
    receipt = one("receipt", "1")
    assert receipt.returncode == 0, receipt.stderr
    [line] = [x for x in receipt.stdout.splitlines() if x.startswith("Counter")]
    assert line.endswith("Till 1")


def test_without_the_shop_server_the_report_says_so_and_fails(
    tills: tuple[Till, Till], pg_running: PgServer, tmp_path: Path, shop_url: str
) -> None:
    one, _two = tills
    fresh = Till("Till 3", tmp_path / "fresh")  # joined, nothing of its own yet
    joined = fresh("setup", "shop", "--url", shop_url, "--counter", "Till 3")
    assert joined.returncode == 0, joined.stdout + joined.stderr  # only a server that answers
    pg_running.stop()
    try:
        text = one("report")
        assert text.returncode == 1, text.stdout + text.stderr
        assert "NOT THE SHOP'S FIGURES" in text.stdout
        assert "could not be read" in text.stdout and "could not be read" in text.stderr
        # Paper says why in a clause of its own: never the refund screen's "nothing was sent".
        said = " ".join(text.stdout.split())
        assert "could not be read (it cannot be reached)." in said, said
        assert "nothing was sent" not in text.stdout + text.stderr
        as_json = one("report", "--json")
        assert as_json.returncode == 1
        said = json.loads(as_json.stdout)
        assert said["shop"]["read"] is False and "cannot be reached" in said["shop"]["problem"]
        csv = tmp_path / "r.csv"
        assert one("report", "--csv", str(csv)).returncode == 1
        assert "shop_not_read" in csv.read_text()
        nothing = fresh("report")
        assert nothing.returncode == 1 and "no report to print" in nothing.stderr
    finally:
        pg_running.start()
    assert one("report").returncode == 0


def test_a_new_pc_for_a_counter_reports_its_history_from_the_shop(
    tills: tuple[Till, Till], tmp_path: Path, shop_url: str
) -> None:
    """Till 1's PC replaced: the new one has no journal, its report is still the shop's."""
    new = Till("Till 1", tmp_path / "new")
    assert new("setup", "shop", "--url", shop_url, "--counter", "Till 1").returncode == 0
    report = new.json("report", "--counter", "Till 1")
    assert report["attempts"] == 2 and approved(report["totals"]) == 1250
    again = new.json("shop", "import")  # what came from the shop is already there
    assert (again["added"], again["already_there"], again["skipped"]) == (0, 2, [])
    verified = new("journal", "verify", "--shop")
    assert verified.returncode == 0, verified.stdout + verified.stderr
