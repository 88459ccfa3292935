"""Issue 21, item 2, end to end: two counters of one shop (two homes, two keyrings, real
`cashier-refund` processes) on one real PostgreSQL and one Viopay simulator. A policy set at
till 1 applies to the next refund at till 2; `refunds_per_day` counts a cashier's refunds at
both; without the shop server a cashier's refund is refused in words; `policy set` refuses a bad
file and a wrong PIN and changes nothing; a counter alone keeps its policy in its settings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cashier_gui.shop import ShopServer
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.shop.test_two_counters import CHARGE, Till
from tests.support import cli as support_cli
from tests.support.pg import PgServer

MIA, CAT = "2468", "1357"  # the manager's and the cashier's PINs (the same at both tills)


def staff(till: Till) -> None:
    first = till("operator", "add", "Mia", "--role", "manager", stdin=f"{MIA}\n{MIA}\n")
    assert first.returncode == 0, first.stderr
    cat = till(
        "operator",
        "add",
        "Cat",
        "--role",
        "cashier",
        "--manager",
        "Mia",
        stdin=f"{MIA}\n{CAT}\n{CAT}\n",
    )
    assert cat.returncode == 0, cat.stderr


@pytest.fixture
def tills(
    tmp_path: Path, viopay_server: ServerThread, shop_url: str
) -> Iterator[tuple[Till, Till]]:
    made: list[Till] = []
    for name in ("Till 1", "Till 2"):
        till = Till(name, tmp_path / name.replace(" ", "_"))
        support_cli.configure_viopay(
            till, viopay_server.url, vsim.TRAINING_HMAC_SECRET, vsim.TRAINING_MSK_HEX
        )
        joined = till("setup", "shop", "--url", shop_url, "--counter", name)
        assert joined.returncode == 0, joined.stdout + joined.stderr
        if not made:
            staff(till)  # the shop's people: every till signs them in
        made.append(till)
    yield made[0], made[1]


def policy_file(folder: Path, text: str) -> str:
    path = folder / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def set_policy(till: Till, path: str, pin: str = MIA) -> Any:
    return till("policy", "set", "--from", path, "--manager", "Mia", stdin=f"{pin}\n")


def refund(till: Till, amount: str, *, approver: bool = False) -> Any:
    args = ["refund", CHARGE, "--amount", amount, "--yes", "--operator", "Cat"]
    if approver:
        return till(*args, "--approver", "Mia", stdin=f"{CAT}\n{MIA}\n")
    return till(*args, stdin=f"{CAT}\n")


def shop_version(url: str) -> int:
    with ShopServer(url, wait_s=3) as server:
        return server.policy().version


def test_a_policy_set_at_till_1_applies_to_the_next_refund_at_till_2(
    tills: tuple[Till, Till], shop_url: str, tmp_path: Path
) -> None:
    till1, till2 = tills
    assert refund(till2, "2.00").returncode == 0  # no policy yet: Cat goes alone
    limits = policy_file(tmp_path, '[policy]\napproval_above = { EUR = "3.00" }\n')
    done = set_policy(till1, limits)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the shop server (version 1, set by Mia at Till 1" in done.stdout
    shown = till2("policy", "show")
    assert 'EUR = "3.00"' in shown.stdout and "From the shop server (version 1" in shown.stdout
    held = refund(till2, "4.00")
    assert held.returncode == 2, held.stdout + held.stderr
    assert "Refunds above €3.00 need a manager" in held.stderr
    assert refund(till2, "4.00", approver=True).returncode == 0
    # Per day, over both counters: Cat has made 2 refunds at till 2; with two a day the next
    # one at till 1 needs a manager.
    per_day = policy_file(tmp_path, "refunds_per_day = 2\n")
    assert set_policy(till2, per_day).returncode == 0
    assert shop_version(shop_url) == 2
    over = refund(till1, "1.00")
    assert over.returncode == 2, over.stdout + over.stderr
    assert "You have made 2 refunds today" in over.stderr and "need a manager" in over.stderr
    approved = refund(till1, "1.00", approver=True)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    rows = json.loads(till1("journal", "list", "--json").stdout)["attempts"]
    assert [(a["counter"], a["approver"]) for a in rows if a["status"] == "approved"] == [
        ("Till 2", None),
        ("Till 2", "Mia"),
        ("Till 1", "Mia"),
    ]


def test_policy_set_refuses_a_bad_file_and_a_wrong_pin(
    tills: tuple[Till, Till], shop_url: str, tmp_path: Path
) -> None:
    till1, _till2 = tills
    good = policy_file(tmp_path, "refunds_per_day = 3\n")
    assert set_policy(till1, good).returncode == 0
    for text, words in (
        ("refunds_per_day = [", "is not TOML"),
        ("refunds_per_day = -2\n", "whole number"),
        ("make_refunds_free = true\n", "not a rule this app knows"),
    ):
        bad = set_policy(till1, policy_file(tmp_path, text))
        assert bad.returncode == 2 and words in bad.stderr, bad.stderr
        assert "Nothing was changed" in bad.stderr
        said = " ".join(bad.stderr.split())
        assert ". Nothing was changed." in said, said  # two sentences, never run together
    missing = set_policy(till1, str(tmp_path / "nowhere.toml"))
    assert missing.returncode == 2 and "Cannot read" in missing.stderr
    wrong = set_policy(till1, policy_file(tmp_path, "refunds_per_day = 9\n"), pin="0000")
    assert wrong.returncode == 2 and "Wrong PIN for Mia" in wrong.stderr
    cashier = till1("policy", "set", "--from", good, "--manager", "Cat", stdin=f"{CAT}\n")
    assert cashier.returncode == 2 and "not a manager" in cashier.stderr
    assert shop_version(shop_url) == 1
    assert "refunds_per_day = 3" in till1("policy", "show").stdout


def test_without_the_shop_server_a_cashiers_refund_is_refused_in_words(
    tills: tuple[Till, Till], pg_running: PgServer, tmp_path: Path
) -> None:
    till1, _till2 = tills
    assert set_policy(till1, policy_file(tmp_path, "refunds_per_day = 5\n")).returncode == 0
    pg_running.stop()
    r = refund(till1, "1.00")
    assert r.returncode == 5, r.stdout + r.stderr  # not sent
    # Refused at sign-in: the shop's people (and so Cat's PIN) live on the server too.
    assert "shop server cannot be reached" in r.stderr and "nobody can sign in" in r.stderr
    shown = till1("policy", "show")
    assert shown.returncode != 0 and "cannot be read from the shop server" in shown.stderr


def test_a_shop_counter_ignores_its_own_policy_and_says_so(
    tills: tuple[Till, Till], tmp_path: Path
) -> None:
    till1, _till2 = tills
    settings = Path(till1.env["CASHIER_GUI_HOME"]) / "settings.toml"
    with open(settings, "a", encoding="utf-8") as fh:
        fh.write('\n[policy]\napproval_above = { EUR = "0.50" }\n')
    sealed = till1("policy", "seal", "--manager", "Mia", stdin=f"{MIA}\n")
    assert sealed.returncode == 0, sealed.stderr
    assert "is ignored" in sealed.stderr and "No policy: no rules." in sealed.stdout
    assert refund(till1, "1.00").returncode == 0  # the shop has no limit: Cat goes alone
    doctor = json.loads(till1("doctor", "--json").stdout)
    [check] = [c for c in doctor["checks"] if c["name"] == "shop-policy"]
    assert "is ignored" in check["detail"]


def test_a_counter_alone_keeps_its_policy_in_its_settings(
    tmp_path: Path, viopay_server: ServerThread
) -> None:
    till = Till("Alone", tmp_path / "alone")
    support_cli.configure_viopay(
        till, viopay_server.url, vsim.TRAINING_HMAC_SECRET, vsim.TRAINING_MSK_HEX
    )
    staff(till)
    done = set_policy(till, policy_file(tmp_path, '[policy]\nvoids = "managers"\n'))
    assert done.returncode == 0, done.stdout + done.stderr
    shown = till("policy", "show")
    assert shown.returncode == 0, shown.stderr  # saved by a manager: sealed
    assert 'voids = "managers"' in shown.stdout and "settings file" in shown.stdout
    text = (Path(till.env["CASHIER_GUI_HOME"]) / "settings.toml").read_text(encoding="utf-8")
    assert 'voids = "managers"' in text
    wrong = set_policy(till, policy_file(tmp_path, "refunds_per_day = 1\n"), pin="1111")
    assert wrong.returncode == 2
    assert "refunds_per_day" not in (
        Path(till.env["CASHIER_GUI_HOME"]) / "settings.toml"
    ).read_text(encoding="utf-8")
