"""The shop's people from two counters' command lines (two homes, two processes each call, one
real PostgreSQL): a person added at till 1 signs in at till 2 at once; a wrong manager PIN
changes nothing; the counter's own operators file no longer decides anyone's role."""

from __future__ import annotations

import json
from pathlib import Path

from cashier_gui.operators import OperatorStore, Role
from tests.shop.test_two_counters import CHARGE, Till, tills  # noqa: F401 (the fixture)

BOSS_PIN, CY_PIN = "2468", "1357"


def staff(till: Till) -> None:
    first = till("operator", "add", "Boss", "--role", "manager", stdin=f"{BOSS_PIN}\n{BOSS_PIN}\n")
    assert first.returncode == 0, first.stdout + first.stderr
    cy = till(
        "operator",
        "add",
        "Cy",
        "--role",
        "cashier",
        "--manager",
        "Boss",
        stdin=f"{BOSS_PIN}\n{CY_PIN}\n{CY_PIN}\n",
    )
    assert cy.returncode == 0, cy.stdout + cy.stderr


def listed(till: Till) -> list[str]:
    done = till("operator", "list")
    assert done.returncode == 0, done.stderr
    return [" ".join(line.split()) for line in done.stdout.splitlines()]


def test_a_person_added_at_till_1_signs_in_at_till_2_at_once(
    tills: tuple[Till, Till],  # noqa: F811
) -> None:
    till1, till2 = tills
    staff(till1)
    assert listed(till2) == ["Boss manager", "Cy cashier"]
    refund = till2(
        "refund",
        CHARGE,
        "--amount",
        "5",
        "--yes",
        "--json",
        "--operator",
        "cy",
        stdin=f"{CY_PIN}\n",
    )
    assert refund.returncode == 0, refund.stdout + refund.stderr
    assert json.loads(refund.stdout)["status"] == "approved"
    # Neither till wrote a people file: the people are the shop's.
    for till in tills:
        assert not (Path(till.env["CASHIER_GUI_HOME"]) / "operators.json").exists()


def test_cli_changes_with_a_wrong_manager_pin_change_nothing_and_count(
    tills: tuple[Till, Till],  # noqa: F811
) -> None:
    till1, till2 = tills
    staff(till1)
    add = till2(
        "operator",
        "add",
        "Eve",
        "--role",
        "manager",
        "--manager",
        "Boss",
        stdin="0000\n1111\n1111\n",
    )
    assert add.returncode == 2 and "Wrong PIN for Boss: 2 more tries" in add.stderr
    remove = till1("operator", "remove", "Cy", "--manager", "Boss", stdin="0001\n")
    assert remove.returncode == 2 and "Wrong PIN for Boss: 1 more try" in remove.stderr
    pin = till2("operator", "pin", "Cy", "--manager", "Cy", stdin=f"{CY_PIN}\n9999\n9999\n")
    assert pin.returncode == 2 and "Cy is not a manager" in pin.stderr
    assert listed(till1) == ["Boss manager", "Cy cashier"]
    locked = till2("operator", "remove", "Cy", "--manager", "Boss", stdin="0002\n")
    assert locked.returncode == 2 and "locked for 1 minute, at every counter" in locked.stderr
    assert listed(till1) == ["Boss manager (locked for another minute)", "Cy cashier"]
    # Cy's PIN still works at both tills: nothing about Cy changed.
    for till in tills:
        signed = till(
            "refund", CHARGE, "--amount", "1", "--yes", "--operator", "Cy", stdin=f"{CY_PIN}\n"
        )
        assert signed.returncode == 0, signed.stdout + signed.stderr


def test_editing_the_local_operators_file_on_a_shop_counter_changes_no_role(
    tills: tuple[Till, Till],  # noqa: F811
) -> None:
    till1, _till2 = tills
    staff(till1)
    # The attacker's file: Cy a manager, with a PIN the attacker knows.
    forged = OperatorStore(Path(till1.env["CASHIER_GUI_HOME"]) / "operators.json")
    forged.add("Cy", Role.MANAGER, CY_PIN)
    forged.add("Mallory", Role.MANAGER, "9999")
    assert listed(till1) == ["Boss manager", "Cy cashier"]
    add = till1(
        "operator",
        "add",
        "Mallory",
        "--role",
        "manager",
        "--manager",
        "Cy",
        stdin=f"{CY_PIN}\n9999\n9999\n",
    )
    assert add.returncode == 2 and "Cy is not a manager" in add.stderr
    unknown = till1("operator", "remove", "Boss", "--manager", "Mallory", stdin="9999\n")
    assert unknown.returncode == 2 and "no operator called Mallory" in unknown.stderr
    assert listed(till1) == ["Boss manager", "Cy cashier"]
    # A manager's door (resolving by hand) asks the shop, too: Cy is a cashier there.
    door = till1(
        "resolve",
        "1",
        "--refunded",
        "--by",
        "Cy",
        "--why",
        "x",
        "--manager",
        "Cy",
        stdin=f"{CY_PIN}\n",
    )
    assert door.returncode == 2 and "Cy is not a manager" in door.stderr
    unlocked = till1("operator", "unlock", "Boss", "--manager", "Cy", stdin=f"{CY_PIN}\n")
    assert unlocked.returncode == 2 and "Cy is not a manager" in unlocked.stderr


def test_a_broken_settings_file_never_falls_back_to_the_local_operators(
    tills: tuple[Till, Till],  # noqa: F811
) -> None:
    till1, till2 = tills
    staff(till1)
    home = Path(till1.env["CASHIER_GUI_HOME"])
    OperatorStore(home / "operators.json").add("Cy", Role.MANAGER, CY_PIN)
    settings = home / "settings.toml"
    settings.write_text(settings.read_text() + "\n[[[broken\n")
    add = till1(
        "operator",
        "add",
        "Mallory",
        "--role",
        "manager",
        "--manager",
        "Cy",
        stdin=f"{CY_PIN}\n9999\n9999\n",
    )
    assert add.returncode != 0 and "not a valid settings file" in add.stderr
    door = till1("secret", "delete", "shop-password", "--manager", "Cy", stdin=f"{CY_PIN}\n")
    assert door.returncode != 0 and "settings" in door.stderr
    assert listed(till2) == ["Boss manager", "Cy cashier"]


def test_an_approval_and_a_managers_door_take_the_shops_manager(
    tills: tuple[Till, Till],  # noqa: F811
) -> None:
    till1, till2 = tills
    staff(till1)
    rules = Path(till2.env["CASHIER_GUI_HOME"]) / "rules.toml"
    rules.write_text('approval_above = { EUR = "20.00" }\n', encoding="utf-8")
    wrong = till2("policy", "set", "--from", str(rules), "--manager", "Boss", stdin="0000\n")
    assert wrong.returncode == 2 and "Wrong PIN for Boss" in wrong.stderr
    local_cy = till2("policy", "set", "--from", str(rules), "--manager", "Cy", stdin=f"{CY_PIN}\n")
    assert local_cy.returncode == 2 and "not a manager" in local_cy.stderr
    done = till2("policy", "set", "--from", str(rules), "--manager", "Boss", stdin=f"{BOSS_PIN}\n")
    assert done.returncode == 0, done.stdout + done.stderr
    args = ["refund", CHARGE, "--amount", "25", "--yes", "--json", "--operator", "Cy"]
    alone = till2(*args, stdin=f"{CY_PIN}\n")
    assert alone.returncode == 2 and "manager" in alone.stdout
    by_cy = till2(*args, "--approver", "Cy", stdin=f"{CY_PIN}\n{CY_PIN}\n")
    assert by_cy.returncode == 2 and "not a manager" in by_cy.stdout + by_cy.stderr
    approved = till2(*args, "--approver", "Boss", stdin=f"{CY_PIN}\n{BOSS_PIN}\n")
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert json.loads(approved.stdout)["status"] == "approved"


def test_a_lock_by_a_manager_at_till_1_is_refused_at_till_2_at_once(
    tills: tuple[Till, Till],  # noqa: F811
) -> None:
    till1, till2 = tills
    staff(till1)
    di_pin = "8080"
    di = till1(
        "operator",
        "add",
        "Di",
        "--role",
        "manager",
        "--manager",
        "Boss",
        stdin=f"{BOSS_PIN}\n{di_pin}\n{di_pin}\n",
    )
    assert di.returncode == 0, di.stdout + di.stderr
    wrong = till1("operator", "lock", "Cy", "--manager", "Boss", stdin="0000\n")
    assert wrong.returncode == 2 and "Wrong PIN for Boss" in wrong.stderr
    by_cy = till1("operator", "lock", "Di", "--manager", "Cy", stdin=f"{CY_PIN}\n")
    assert by_cy.returncode == 2 and "Cy is not a manager" in by_cy.stderr
    assert listed(till2) == ["Boss manager", "Cy cashier", "Di manager"]  # nothing changed
    for who in ("Cy", "Di"):
        done = till1("operator", "lock", who, "--manager", "Boss", stdin=f"{BOSS_PIN}\n")
        assert done.returncode == 0, done.stdout + done.stderr
    assert listed(till2) == [
        "Boss manager",
        "Cy cashier (locked by a manager)",
        "Di manager (locked by a manager)",
    ]
    last = till2("operator", "lock", "Boss", "--manager", "Boss", stdin=f"{BOSS_PIN}\n")
    assert last.returncode == 2 and "Boss is the last manager who can sign in" in last.stderr
    cy = till2("refund", CHARGE, "--amount", "1", "--yes", "--operator", "Cy", stdin=f"{CY_PIN}\n")
    assert cy.returncode == 2 and "Cy is locked by a manager" in cy.stderr, cy.stderr
    rules = Path(till2.env["CASHIER_GUI_HOME"]) / "rules.toml"
    rules.write_text('approval_above = { EUR = "20.00" }\n', encoding="utf-8")
    policy = till2(
        "policy", "set", "--from", str(rules), "--manager", "Boss", stdin=f"{BOSS_PIN}\n"
    )
    assert policy.returncode == 0, policy.stdout + policy.stderr
    big = ["refund", CHARGE, "--amount", "25", "--yes", "--operator", "Boss", "--approver", "Di"]
    approve = till2(*big, stdin=f"{BOSS_PIN}\n{di_pin}\n")
    assert approve.returncode == 2, approve.stdout + approve.stderr
    assert "Di is locked by a manager" in approve.stdout + approve.stderr
    lifted = till2("operator", "unlock", "Cy", "--manager", "Boss", stdin=f"{BOSS_PIN}\n")
    assert lifted.returncode == 0, lifted.stdout + lifted.stderr
    cy = till1("refund", CHARGE, "--amount", "1", "--yes", "--operator", "Cy", stdin=f"{CY_PIN}\n")
    assert cy.returncode == 0, cy.stdout + cy.stderr
    assert listed(till1)[1:] == ["Cy cashier", "Di manager (locked by a manager)"]
