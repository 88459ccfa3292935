"""`cashier-refund shop import`: a counter that refunded on its own moves into a shop — its
settled history reaches the real PostgreSQL once, under its name, chained; open attempts stop
it; a counter's database login does it through the server's function."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from cashier_gui.config import Paths
from cashier_gui.journal import NewAttempt, State
from cashier_gui.journal.shop_import import OpenAttempts, import_history
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.money import Money
from cashier_gui.shop import AttemptRecord, Kind, ShopServer
from cashier_gui.shop import State as ShopState
from cashier_gui.shop.people import ShopPeople
from cashier_gui.shop.schema import COUNTER_ROLE
from tests.support import cli as support_cli
from tests.support.pg import PgServer


def made(
    j: SqliteJournal, charge: str, minor: int, *path: State, operator: str = "Ann", **extra: Any
) -> str:
    """One attempt taken along `path` (after prepared) in this PC's own journal."""
    key = str(uuid.uuid4())
    a = j.prepare(
        NewAttempt(
            provider="viopay",
            terminal="TERM-001",
            charge_id=charge,
            amount=Money(minor, "EUR"),
            reason="defective_product",
            note=None,
            transaction_reference=f"REF-{key[:8]}",
            key=key,
            operator=operator,
            card_brand="VISA",
            card_last4="4242",
            **extra,
        )
    )
    for state in path:
        if state is State.SENT:
            j.send_or_cancel(a.key, lambda: False, actor=operator)
        else:
            refund = f"rf_{key[:6]}" if state is State.APPROVED else None
            j.transition(a.key, state, refund_id=refund, actor=operator)
    return key


@pytest.fixture
def till(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> support_cli.Run:
    env = support_cli.cli_env(tmp_path)
    monkeypatch.setenv("CASHIER_GUI_HOME", env["CASHIER_GUI_HOME"])

    def run(*args: str, stdin: str = "") -> Any:
        return support_cli.run_cli(env, *args, stdin=stdin)

    return run


def own_history(*, with_unknown: bool = False) -> dict[str, str]:
    """What this PC did on its own before joining: key → final state."""
    keys: dict[str, str] = {}
    with SqliteJournal(Paths.default().journal) as j:  # the PC's own name, as before a shop
        keys[made(j, "ch_a", 1250, State.SENT, State.APPROVED)] = "approved"
        keys[made(j, "ch_b", 990, State.SENT, State.DECLINED, operator="Bea")] = "declined"
        keys[made(j, "ch_c", 500, State.NOT_SENT)] = "not_sent"
        keys[made(j, "ch_d", 700, State.SENT, State.PENDING)] = "pending"
        settled = made(j, "ch_e", 300, State.SENT, State.UNKNOWN)
        j.resolve_by_hand(settled, refunded=True, by="Mia", why="seen on the portal")
        keys[settled] = "approved"
        if with_unknown:
            keys[made(j, "ch_f", 4990, State.SENT, State.UNKNOWN)] = "unknown"
    return keys


def join(till: support_cli.Run, url: str, name: str = "Till 1") -> None:
    joined = till("setup", "shop", "--url", url, "--counter", name)
    assert joined.returncode == 0, joined.stdout + joined.stderr


def on_server(url: str) -> dict[str, Any]:
    with ShopServer(url, wait_s=3) as server:
        return {a.global_id: a for a in server.attempts(limit=1000)}


def test_import_twice_adds_nothing_and_the_chains_stay_intact(
    till: support_cli.Run, shop_url: str, shop: ShopServer
) -> None:
    keys = own_history()
    # Till 2 was in the shop already: its events come first in the shop's chain.
    other = str(uuid.uuid4())
    shop.claim(AttemptRecord(other, "ch_a", Kind.REFUND, "viopay", Money(100, "EUR")), "Till 2")
    shop.mark_sent(other, "Till 2")
    shop.record_outcome(other, ShopState.APPROVED, refund_id="rf_t2")
    join(till, shop_url)

    first = till("shop", "import")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "5 added, 0 already there, 0 skipped" in first.stdout
    assert "Uploading this counter's refund history: 5 of 5" in first.stderr
    held = on_server(shop_url)
    assert {k: held[k].state.value for k in keys} == keys
    assert {held[k].counter for k in keys} == {"Till 1"}
    assert held[next(iter(keys))].refund_id and held[next(iter(keys))].card_last4 == "4242"
    assert held[other].counter == "Till 2"

    again = till("shop", "import", "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    said = json.loads(again.stdout)
    assert (said["added"], said["already_there"], said["skipped"]) == (0, 5, [])
    assert len(on_server(shop_url)) == 6
    with psycopg.connect(shop_url) as conn:
        events = conn.execute(
            "SELECT global_id, from_state, to_state, detail FROM events ORDER BY id"
        ).fetchall()
    imported = [e for e in events if e[0] in keys]
    assert len(imported) == 15  # each step once: nothing was added twice
    assert all(e[3]["imported"] and e[3]["local_at"] for e in imported)
    resolved = [e for e in imported if e[3].get("resolved_by") == "Mia"]
    assert [(e[1], e[2]) for e in resolved] == [("unknown", "approved")]

    assert shop.verify_chain() == []
    verified = till("journal", "verify", "--shop")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "intact" in verified.stdout
    assert till("journal", "verify").returncode == 0  # this PC's own chain holds the new names
    listed = json.loads(till("journal", "list", "--json", "--counter", "Till 1").stdout)
    assert len(listed["attempts"]) == 5


def test_an_open_attempt_stops_the_import_until_it_is_settled(
    till: support_cli.Run, shop_url: str
) -> None:
    keys = own_history(with_unknown=True)
    join(till, shop_url)
    refused = till("shop", "import")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert (
        "Nothing was imported" in refused.stderr and "attempt 6 (ch_f, unknown)" in refused.stderr
    )
    assert "cashier-refund reconcile" in refused.stderr
    assert on_server(shop_url) == {}
    [open_key] = [k for k, state in keys.items() if state == "unknown"]
    with SqliteJournal(Paths.default().journal) as j:
        j.resolve_by_hand(open_key, refunded=False, by="Mia", why="not on the portal")
    done = till("shop", "import")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 added" in done.stdout
    assert on_server(shop_url)[open_key].state is ShopState.FAILED


def test_practice_and_other_counters_attempts_stay_home(
    tmp_path: Path, shop_url: str, shop: ShopServer
) -> None:
    with SqliteJournal(tmp_path / "j.sqlite3", counter="Till 1") as j:
        mine = made(j, "ch_m", 100, State.SENT, State.APPROVED)
        practice = made(j, "ch_p", 200, State.SENT, State.APPROVED, training=True)
        theirs = str(uuid.uuid4())
        shop.claim(AttemptRecord(theirs, "ch_t", Kind.REFUND, "viopay", Money(300, "EUR")), "T3")
        shop.record_outcome(theirs, ShopState.NOT_SENT)
        from cashier_gui.journal.shop import _as_attempt

        seen = shop.attempt(theirs)
        assert seen is not None
        j.mirror(_as_attempt(seen))
        summary = import_history(j, shop)
        assert (summary.added, summary.already, summary.refused) == (1, 0, [])
        assert sorted(a.key for a, _why in summary.skipped) == sorted([practice, theirs])
        whys = " ".join(why for _a, why in summary.skipped)
        assert "training" in whys and "T3" in whys
        assert set(on_server(shop_url)) == {mine, theirs}


def test_open_attempts_are_named_and_nothing_is_sent(tmp_path: Path, shop: ShopServer) -> None:
    with SqliteJournal(tmp_path / "j.sqlite3", counter="Till 1") as j:
        made(j, "ch_x", 100, State.SENT, State.APPROVED)
        made(j, "ch_y", 100)  # prepared
        made(j, "ch_z", 100, State.SENT)
        with pytest.raises(OpenAttempts) as info:
            import_history(j, shop)
    assert [a.charge_id for a in info.value.attempts] == ["ch_y", "ch_z"]
    assert "prepared" in str(info.value) and "sent" in str(info.value)
    assert shop.attempts() == []


@pytest.fixture
def till_login(pg_running: PgServer, shop_url: str) -> Iterator[str]:
    name = f"till_{uuid.uuid4().hex[:8]}"
    with pg_running.admin() as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN IN ROLE {COUNTER_ROLE}")
    yield shop_url.replace("postgresql://postgres@", f"postgresql://{name}@")
    with pg_running.admin() as conn:
        conn.execute(f"DROP OWNED BY {name}")
        conn.execute(f"DROP ROLE {name}")


def test_a_counters_login_imports_through_the_function_only(
    till: support_cli.Run, till_login: str, shop_url: str
) -> None:
    keys = own_history()
    join(till, till_login)
    done = till("shop", "import")
    assert done.returncode == 0, done.stdout + done.stderr
    assert {k: a.state.value for k, a in on_server(shop_url).items()} == keys
    with psycopg.connect(till_login) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO counters (name) VALUES ('x')")
    # The function refuses an open attempt and a history that does not lead to its state.
    gid = str(uuid.uuid4())
    attempt = {
        "global_id": gid,
        "charge_id": "ch_q",
        "kind": "refund",
        "provider": "viopay",
        "state": "unknown",
        "created_at": "2026-01-02T03:04:05Z",
    }
    with ShopServer(till_login, wait_s=3) as server:
        [open_one] = server.import_attempts(
            "Till 1", [(attempt, [{"from_state": None, "to_state": "unknown"}])]
        )
        [wrong] = server.import_attempts(
            "Till 1",
            [({**attempt, "state": "approved"}, [{"from_state": None, "to_state": "failed"}])],
        )
        assert "without a final answer" in str(open_one)
        assert "does not lead" in str(wrong)
        assert server.attempt(gid) is None
        assert server.verify_chain() == []


def test_this_pcs_people_move_with_the_import_and_a_name_the_shop_has_is_asked(
    till: support_cli.Run, shop_url: str, shop: ShopServer
) -> None:
    boss, cy = "2468", "1357"
    assert (
        till("operator", "add", "Boss", "--role", "manager", stdin=f"{boss}\n{boss}\n").returncode
        == 0
    )
    for name in ("Cy", "Dee"):
        added = till(
            "operator",
            "add",
            name,
            "--role",
            "cashier",
            "--manager",
            "Boss",
            stdin=f"{boss}\n{cy}\n{cy}\n",
        )
        assert added.returncode == 0, added.stderr
    joined = till(
        "setup",
        "shop",
        "--url",
        shop_url,
        "--counter",
        "Till 1",
        "--manager",
        "Boss",
        stdin=f"{boss}\n",
    )
    assert joined.returncode == 0, joined.stdout + joined.stderr

    nobody = till("shop", "import")
    assert nobody.returncode == 2 and "--manager NAME" in nobody.stderr
    wrong = till("shop", "import", "--manager", "Boss", stdin="0000\n")
    assert wrong.returncode == 2 and "Wrong PIN" in wrong.stderr
    assert till("operator", "list").stdout.startswith("No operators")  # nothing reached the shop

    moved = till("shop", "import", "--manager", "Boss", stdin=f"{boss}\n")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert "Person added to the shop: Boss" in moved.stderr
    assert "without a PIN yet (a PIN cannot be copied): Cy, Dee" in moved.stderr
    listed = [" ".join(line.split()) for line in till("operator", "list").stdout.splitlines()]
    assert listed[:3] == ["Boss manager", "Cy cashier", "Dee cashier"]
    # The shop's Boss signs in with the PIN typed at the import; Cy cannot until a PIN is set.
    pin = till("operator", "pin", "Cy", "--manager", "Boss", stdin=f"{boss}\n{cy}\n{cy}\n")
    assert pin.returncode == 0, pin.stderr

    again = till("shop", "import", "--manager", "Boss", stdin=f"{boss}\n")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Cy is already on the shop server: left as the shop has them" in again.stderr
    assert '--replace "Dee"' in again.stderr and "Person added" not in again.stderr
    # Cy's shop PIN survived the second run (a clash is a question, never an overwrite).
    people = ShopPeople(lambda: ShopServer(shop_url, wait_s=3), "Till 9")
    try:
        assert people.verify("Cy", cy).name == "Cy"
    finally:
        people.close()

    replaced = till("shop", "import", "--manager", "Boss", "--replace", "Dee", stdin=f"{boss}\n")
    assert replaced.returncode == 0, replaced.stderr
    assert "Person replaced on the shop server with this PC's: Dee" in replaced.stderr
