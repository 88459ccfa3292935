"""The shop's people on a real PostgreSQL (issue 21 items 1 and 6, issue 27 item 8): a counter's
database login cannot read a PIN hash or change a role; wrong PINs from any counter and any
process count against one lock-out that grows (1, 5, 15, 60 minutes); every change needs a
manager's PIN, checked by the server in the same step; `upload_people` never overwrites a name
silently."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from cashier_gui.operators import (
    LockedOut,
    ManagerPin,
    OperatorError,
    OperatorStore,
    Role,
    WrongPin,
)
from cashier_gui.shop import ShopServer, ShopUnavailable
from cashier_gui.shop.people import ShopPeople, upload_people
from cashier_gui.shop.people_sql import MANAGER_ROLE
from cashier_gui.shop.schema import COUNTER_ROLE
from tests.support.pg import PgServer

BOSS = ManagerPin("Boss", "2468")


def login(pg: PgServer, shop_url: str, role: str) -> tuple[str, str]:
    name = f"login_{uuid.uuid4().hex[:8]}"
    with pg.admin() as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN IN ROLE {role}")
    return name, shop_url.replace("postgresql://postgres@", f"postgresql://{name}@")


@pytest.fixture
def till_url(pg_running: PgServer, shop_url: str) -> Iterator[str]:
    """A counter's login (a member of `shop_counter`), as the shop's administrator makes it."""
    name, url = login(pg_running, shop_url, COUNTER_ROLE)
    yield url
    with pg_running.admin() as conn:
        conn.execute(f"DROP OWNED BY {name}")
        conn.execute(f"DROP ROLE {name}")


def people_at(url: str, counter: str) -> ShopPeople:
    return ShopPeople(lambda: ShopServer(url, wait_s=3), counter)


@pytest.fixture
def till1(till_url: str) -> Iterator[ShopPeople]:
    people = people_at(till_url, "Till 1")
    people.add("Boss", Role.MANAGER, BOSS.pin)  # the shop's first manager: no manager yet
    people.add("Cy", Role.CASHIER, "1357", by=BOSS)
    yield people
    people.close()


@pytest.fixture
def till2(till_url: str, till1: ShopPeople) -> Iterator[ShopPeople]:
    people = people_at(till_url, "Till 2")
    yield people
    people.close()


def admin_sql(shop_url: str, statement: str) -> None:
    """What passing time looks like: the superuser moves a lock into the past."""
    with psycopg.connect(shop_url, autocommit=True) as conn:
        conn.execute(statement.encode())


# ---- least privilege -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT pin_hash FROM shop_people",
        "SELECT name FROM shop_people",
        "UPDATE shop_people SET role = 'manager'",
        "UPDATE shop_people_public SET role = 'manager'",
        "DELETE FROM shop_people",
        "INSERT INTO shop_people (name, role) VALUES ('Mallory', 'manager')",
        "SELECT * FROM shop_people_changes",
        "SELECT * FROM shop_people_manager('Boss', '2468', 'x', true)",
        "UPDATE events SET to_state = 'failed'",
        "DELETE FROM events",
    ],
)
def test_a_counter_login_cannot_read_hashes_or_change_roles(
    till1: ShopPeople, till_url: str, statement: str
) -> None:
    with psycopg.connect(till_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement.encode())
    assert {(op.name, op.role) for op in till1.list()} == {
        ("Boss", Role.MANAGER),
        ("Cy", Role.CASHIER),
    }


def test_a_counter_reads_names_roles_and_locks_only(till1: ShopPeople, till_url: str) -> None:
    with psycopg.connect(till_url) as conn:
        cur = conn.execute("SELECT * FROM shop_people_public ORDER BY name")
        columns = [c.name for c in cur.description or []]
        rows = cur.fetchall()
    assert columns == ["name", "role", "locked_until", "has_pin"]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("Boss", "manager", True),
        ("Cy", "cashier", True),
    ]


def test_the_hash_on_the_server_is_bcrypt_and_the_managers_role_reads_the_changes(
    pg_running: PgServer, till1: ShopPeople, shop_url: str
) -> None:
    with psycopg.connect(shop_url) as conn:  # the database's owner
        [(stored,)] = conn.execute("SELECT pin_hash FROM shop_people WHERE name = 'Cy'")
    assert stored.startswith("$2a$10$") and "1357" not in stored
    name, url = login(pg_running, shop_url, MANAGER_ROLE)
    try:
        with psycopg.connect(url) as conn:
            changes = conn.execute(
                "SELECT counter, by_name, action, person FROM shop_people_changes ORDER BY id"
            ).fetchall()
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT pin_hash FROM shop_people")
    finally:
        with pg_running.admin() as conn:
            conn.execute(f"DROP OWNED BY {name}")
            conn.execute(f"DROP ROLE {name}")
    assert changes == [("Till 1", None, "add", "Boss"), ("Till 1", "Boss", "add", "Cy")]


# ---- lock-outs across counters and processes ---------------------------------------------------


def _wrong_pin_in_another_process(till_url: str, name: str) -> str:
    code = (
        "import sys\n"
        "from cashier_gui.operators import OperatorError\n"
        "from cashier_gui.shop import ShopServer\n"
        "from cashier_gui.shop.people import ShopPeople\n"
        "people = ShopPeople(lambda: ShopServer(sys.argv[1], wait_s=3), 'Till 3')\n"
        "try:\n"
        "    people.verify(sys.argv[2], '0000')\n"
        "except OperatorError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
        "finally:\n"
        "    people.close()\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code, till_url, name],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        check=True,
    )
    return done.stdout


def test_three_wrong_pins_across_counters_and_processes_lock_and_the_lock_grows(
    till1: ShopPeople, till2: ShopPeople, till_url: str, shop_url: str
) -> None:
    with pytest.raises(WrongPin, match="2 more tries"):
        till1.verify("Cy", "0001")
    assert _wrong_pin_in_another_process(till_url, "cy").startswith("WrongPin Wrong PIN for Cy: 1")
    with pytest.raises(LockedOut, match="locked for 1 minute, at every counter"):
        till2.verify("Cy", "0003")
    # Locked everywhere, even with the right PIN, and the PIN is not even checked.
    for till in (till1, till2):
        with pytest.raises(LockedOut, match="1 more minute"):
            till.verify("Cy", "1357")
    assert till1.locked_until("Cy") is not None
    admin_sql(shop_url, "UPDATE shop_people SET locked_until = now() - interval '1 s'")
    assert till1.locked_until("Cy") is None
    for pin in ("0004", "0005"):
        with pytest.raises(WrongPin):
            till2.verify("Cy", pin)
    with pytest.raises(LockedOut, match="locked for 5 minutes"):
        till1.verify("Cy", "0006")
    admin_sql(shop_url, "UPDATE shop_people SET locked_until = now() - interval '1 s'")
    for pin in ("0007", "0008"):
        with pytest.raises(WrongPin):
            till1.verify("Cy", pin)
    with pytest.raises(LockedOut, match="locked for 15 minutes"):
        till1.verify("Cy", "0009")
    # A manager lifts it (from another counter); the schedule stays until a right PIN.
    till2.unlock("Cy", by=BOSS)
    assert till1.verify("Cy", "1357") == till1.list()[1]
    for pin in ("0010", "0011"):
        with pytest.raises(WrongPin):
            till1.verify("Cy", pin)
    with pytest.raises(LockedOut, match="locked for 1 minute"):  # a right PIN reset it
        till1.verify("Cy", "0012")


def test_four_locks_in_a_row_reach_an_hour(till1: ShopPeople, shop_url: str) -> None:
    said = []
    for _round in range(5):
        for pin in ("0001", "0002", "0003"):
            try:
                till1.verify("Cy", pin)
            except LockedOut as exc:
                said.append(str(exc))
            except WrongPin:
                pass
        admin_sql(shop_url, "UPDATE shop_people SET locked_until = now() - interval '1 s'")
    assert [s.split("locked for ")[1].split(",")[0] for s in said] == [
        "1 minute",
        "5 minutes",
        "15 minutes",
        "60 minutes",
        "60 minutes",
    ]


def test_guesses_at_the_same_moment_are_all_counted(
    till1: ShopPeople, till_url: str, shop_url: str
) -> None:
    """Six processes guess at once: exactly one lock (level 1) and nobody slips a guess in."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _i: _wrong_pin_in_another_process(till_url, "Cy"), range(6)))
    assert sum("LockedOut" in a and "locked for 1 minute" in a for a in answers) == 1
    assert sum(a.startswith("WrongPin") for a in answers) == 2
    assert sum("1 more minute" in a for a in answers) == 3  # already locked: not checked
    with psycopg.connect(shop_url) as conn:
        [(level, failures)] = conn.execute(
            "SELECT lock_level, failures FROM shop_people WHERE name = 'Cy'"
        )
    assert (level, failures) == (1, 0)


# ---- changes need a manager, checked by the server -------------------------------------------


def _state(shop_url: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(shop_url) as conn:
        rows = conn.execute("SELECT name, role, pin_hash FROM shop_people ORDER BY name").fetchall()
    return [tuple(r) for r in rows]


@pytest.mark.parametrize(
    "change",
    [
        lambda p, by: p.add("Eve", Role.MANAGER, "1111", by=by),
        lambda p, by: p.remove("Cy", by=by),
        lambda p, by: p.set_pin("Cy", "9999", by=by),
        lambda p, by: p.set_pin("Boss", "9999", by=by),
        lambda p, by: p.unlock("Cy", by=by),
        lambda p, by: p.lock("Cy", by=by),
    ],
)
def test_a_change_with_a_wrong_or_missing_manager_pin_changes_nothing(
    till1: ShopPeople, shop_url: str, change: Callable[[ShopPeople, ManagerPin | None], object]
) -> None:
    before = _state(shop_url)
    apply = change
    with pytest.raises(WrongPin):
        apply(till1, ManagerPin("Boss", "0000"))
    with pytest.raises(OperatorError, match="Cy is not a manager"):
        apply(till1, ManagerPin("Cy", "1357"))
    with pytest.raises(OperatorError, match=r"needs? a manager|give a manager"):
        apply(till1, None)
    with pytest.raises(OperatorError, match="no operator called Nobody"):
        apply(till1, ManagerPin("Nobody", "1357"))
    assert _state(shop_url) == before
    # The wrong manager PIN counted: two more lock the manager at every counter.
    for pin in ("0001", "0002"):
        with pytest.raises((WrongPin, LockedOut)):
            apply(till1, ManagerPin("Boss", pin))
    with pytest.raises(LockedOut):
        till1.verify("Boss", BOSS.pin)
    assert [(n, r) for n, r, _h in _state(shop_url)] == [(n, r) for n, r, _h in before]


def test_the_rules_of_people_hold_on_the_server(till1: ShopPeople, till2: ShopPeople) -> None:
    with pytest.raises(OperatorError, match="already an operator called cy"):
        till2.add("cy", Role.CASHIER, "1111", by=BOSS)
    with pytest.raises(OperatorError, match="Keep at least one manager"):
        till2.remove("Boss", by=BOSS)
    with pytest.raises(OperatorError, match="no operator called Dee"):
        till2.set_pin("Dee", "1111", by=BOSS)
    till2.add("Dee", Role.MANAGER, "4444", by=BOSS)
    till1.remove("Boss", by=ManagerPin("Dee", "4444"))
    assert [op.name for op in till2.list()] == ["Cy", "Dee"]
    with pytest.raises(OperatorError, match="no operator called Boss"):
        till2.verify("Boss", BOSS.pin)
    till1.set_pin("Cy", "8642", by=ManagerPin("Dee", "4444"))
    assert till2.verify("cy", "8642").name == "Cy"
    with pytest.raises(OperatorError, match="Dee is the last manager who can sign in"):
        till2.lock("dee", by=ManagerPin("Dee", "4444"))
    assert till1.locked_until("Dee") is None
    till1.lock("Cy", by=ManagerPin("Dee", "4444"))
    with pytest.raises(LockedOut, match="locked by a manager"):
        till2.verify("Cy", "8642")
    till2.unlock("Cy", by=ManagerPin("Dee", "4444"))
    assert till1.verify("Cy", "8642").role is Role.CASHIER


def test_the_first_person_of_a_shop_must_be_a_manager(shop_url: str) -> None:
    people = people_at(shop_url, "Till 1")
    try:
        with pytest.raises(OperatorError, match="first operator must be a manager"):
            people.add("Cy", Role.CASHIER, "1357")
        assert not people.any()
        people.add("Boss", Role.MANAGER, "2468")
        assert people.any()
        with pytest.raises(OperatorError, match="give a manager"):
            people.add("Eve", Role.MANAGER, "1111")  # nobody's first any more
    finally:
        people.close()


# ---- moving a counter's people to the shop -----------------------------------------------------


@pytest.fixture
def local(tmp_path: Path) -> OperatorStore:
    store = OperatorStore(tmp_path / "operators.json")
    store.add("Boss", Role.MANAGER, "2468")
    store.add("Ann", Role.CASHIER, "1111")
    store.add("Bo", Role.CASHIER, "2222")
    return store


def test_upload_to_an_empty_shop_rehashes_who_typed_a_pin_and_asks_a_pin_of_the_rest(
    local: OperatorStore, shop_url: str
) -> None:
    shop = people_at(shop_url, "Till 1")
    try:
        done = upload_people(
            local,
            shop,
            manager="boss",
            manager_pin="2468",
            pins=lambda op: "2222" if op.name == "Bo" else None,
        )
        assert (sorted(done.added), done.clashes, done.without_pin) == (
            ["Ann", "Bo", "Boss"],
            [],
            ["Ann"],
        )
        assert shop.verify("Boss", "2468").is_manager and shop.verify("Bo", "2222").name == "Bo"
        with pytest.raises(OperatorError, match="Ann has no PIN on the shop server yet"):
            shop.verify("Ann", "1111")
        shop.set_pin("Ann", "1111", by=BOSS)
        assert shop.verify("Ann", "1111").role is Role.CASHIER
        again = upload_people(local, shop, manager="Boss", manager_pin="2468")
        assert (again.added, sorted(again.clashes)) == ([], ["Ann", "Bo", "Boss"])
    finally:
        shop.close()


def test_upload_names_clashes_and_overwrites_only_when_told(
    local: OperatorStore, till1: ShopPeople, shop_url: str
) -> None:
    till1.add("ANN", Role.MANAGER, "5555", by=BOSS)  # someone else called Ann, a manager
    with pytest.raises(WrongPin):  # the local file's PIN for Boss is checked first
        upload_people(local, till1, manager="Boss", manager_pin="0000")
    before = _state(shop_url)
    done = upload_people(local, till1, manager="Boss", manager_pin="2468")
    assert (sorted(done.clashes), done.added, done.without_pin) == (["Ann", "Boss"], ["Bo"], ["Bo"])
    assert [r for r in _state(shop_url) if r[0] != "Bo"] == before  # nobody overwritten
    assert till1.verify("ann", "5555").is_manager
    done = upload_people(local, till1, manager="Boss", manager_pin="2468", overwrite=["ann"])
    assert done.replaced == ["Ann"] and sorted(done.clashes) == ["Bo", "Boss"]
    assert next(op for op in till1.list() if op.name == "Ann").role is Role.CASHIER


def test_upload_by_a_manager_the_shop_does_not_have_says_who_must_add_them_first(
    local: OperatorStore, till1: ShopPeople, shop_url: str
) -> None:
    """A counter that refunded alone moves into a shop that has people already: its manager is
    not the shop's. Said in words (never "no operator called Boss"), nothing moved; once a
    manager of the shop has added Boss with the same PIN, the import goes through."""
    local.add("Greta", Role.MANAGER, "4711")
    before = _state(shop_url)
    with pytest.raises(OperatorError) as refused:
        upload_people(local, till1, manager="Greta", manager_pin="4711")
    said = str(refused.value)
    assert "Greta is a manager on this PC but not on the shop server" in said
    assert 'operator add "Greta" --role manager' in said and "Nothing was moved" in said
    assert _state(shop_url) == before
    till1.add("Greta", Role.MANAGER, "4711", by=BOSS)
    done = upload_people(local, till1, manager="Greta", manager_pin="4711")
    assert sorted(done.added) == ["Ann", "Bo"] and sorted(done.clashes) == ["Boss", "Greta"]


def test_without_the_server_the_people_cannot_be_read_and_it_says_so_for_sign_in(
    till1: ShopPeople, pg_running: PgServer
) -> None:
    """The sign-in page shows this as it is: never the refund screen's "so nothing was sent"."""
    pg_running.stop()
    try:
        for read in (till1.list, till1.any):
            with pytest.raises(ShopUnavailable) as gone:
                read()
            said = str(gone.value)
            assert "nobody can sign in or approve at this counter until it answers" in said
            assert "nothing was sent" not in said
    finally:
        pg_running.start()
    assert [op.name for op in till1.list()] == ["Boss", "Cy"]
