"""Two counters of one shop — two homes, two keyrings, two `cashier-refund` processes — on one
real PostgreSQL and one Viopay simulator (a real HTTP server), with faults. Each test ends with
no refund made twice and every attempt accounted for, on the counters and on the server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cashier_gui.shop import ShopServer
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.support import cli as support_cli
from tests.support.pg import PgServer

CHARGE = "ch_train_eur_4990"  # €49.90 in the simulator
Run = Callable[..., subprocess.CompletedProcess[str]]


class Till:
    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        folder.mkdir()
        self.env = support_cli.cli_env(folder)

    def __call__(self, *args: str, stdin: str = "", timeout: float = 60) -> Any:
        return support_cli.run_cli(self.env, *args, stdin=stdin, timeout=timeout)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*support_cli.CLI, *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


@pytest.fixture
def tills(
    tmp_path: Path, viopay_server: ServerThread, shop_url: str
) -> Iterator[tuple[Till, Till]]:
    made = []
    for name in ("Till 1", "Till 2"):
        till = Till(name, tmp_path / name.replace(" ", "_"))
        support_cli.configure_viopay(
            till, viopay_server.url, vsim.TRAINING_HMAC_SECRET, vsim.TRAINING_MSK_HEX
        )
        joined = till("setup", "shop", "--url", shop_url, "--counter", name, "--lease-seconds", "6")
        assert joined.returncode == 0, joined.stdout + joined.stderr
        assert "answers" in joined.stdout
        made.append(till)
    yield made[0], made[1]


def refunds_made(sim: vsim.ViopaySimulator) -> list[Any]:
    return sim.charges[CHARGE].refunds


def server_attempts(url: str) -> list[Any]:
    with ShopServer(url, wait_s=3) as server:
        return server.attempts(charge_id=CHARGE)


def listed(till: Till) -> list[dict[str, Any]]:
    r = till("journal", "list", "--json")
    assert r.returncode == 0, r.stderr
    return [a for a in json.loads(r.stdout)["attempts"] if a["charge_id"] == CHARGE]


def test_a_lost_answer_at_till_1_blocks_the_charge_at_till_2_until_any_till_settles_it(
    tills: tuple[Till, Till], viopay_sim: vsim.ViopaySimulator, shop_url: str
) -> None:
    till1, till2 = tills
    viopay_sim.faults.push("drop_after_commit")  # applied at the gateway, the answer lost
    lost = till1("refund", CHARGE, "--amount", "20", "--yes", "--json")
    assert lost.returncode == 4, lost.stdout + lost.stderr
    assert json.loads(lost.stdout)["status"] == "unknown"
    # The customer walks to till 2: the gateway still shows €29.90 left, the shop says no.
    again = till2("refund", CHARGE, "--amount", "20", "--yes")
    assert again.returncode == 2, again.stdout + again.stderr
    said = again.stdout + again.stderr
    assert "Till 1" in said and "never came" in said and "€20.00" in said
    as_json = till2("refund", CHARGE, "--amount", "20", "--yes", "--json")
    blocked = json.loads(as_json.stdout)
    assert as_json.returncode == 2 and blocked["blocked_by"]["counter"] == "Till 1"
    assert blocked["blocked_by"]["status"] == "unknown"
    assert blocked["blocked_by"]["amount_minor"] == 2000 and blocked["blocked_by"]["created_at"]
    assert len(refunds_made(viopay_sim)) == 1
    [theirs] = [a for a in listed(till2) if a["counter"] == "Till 1"]  # shop-wide reading
    assert theirs["status"] == "unknown"
    # Any till settles it by what the look-up proves (never by re-sending another's refund).
    settled = till2("reconcile", "--json")
    assert settled.returncode == 0, settled.stdout + settled.stderr
    assert [a["status"] for a in json.loads(settled.stdout)["reconciled"]] == ["approved"]
    assert [a.state.value for a in server_attempts(shop_url)] == ["approved"]
    assert [a["status"] for a in listed(till1)] == ["approved"]  # till 1 hears of it too
    assert len(refunds_made(viopay_sim)) == 1
    rest = till2("refund", CHARGE, "--amount", "29.90", "--yes")
    assert rest.returncode == 0, rest.stdout + rest.stderr
    assert len(refunds_made(viopay_sim)) == 2


def test_both_tills_at_once_make_one_refund(
    tills: tuple[Till, Till], viopay_sim: vsim.ViopaySimulator, shop_url: str
) -> None:
    viopay_sim.faults.delay_ms = 400  # both are well under way before either is answered
    procs = [till.popen("refund", CHARGE, "--full", "--yes", "--json") for till in tills]
    codes = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        codes.append(proc.returncode)
        assert proc.returncode in (0, 2), out + err
    assert sorted(codes) == [0, 2]
    assert len(refunds_made(viopay_sim)) == 1
    states = sorted(a.state.value for a in server_attempts(shop_url))
    assert states == ["approved"]  # the refused claim never reached the server


def test_the_shop_server_down_means_nothing_is_sent(
    tills: tuple[Till, Till], viopay_sim: vsim.ViopaySimulator, pg_running: PgServer
) -> None:
    till1, _till2 = tills
    pg_running.stop()
    try:
        r = till1("refund", CHARGE, "--amount", "5", "--yes", "--json")
        assert r.returncode == 5, r.stdout + r.stderr  # not sent: safe to try again
        out = json.loads(r.stdout)
        assert out["status"] == "not_sent" and "shop server" in out["error"]["message"]
        assert refunds_made(viopay_sim) == []
    finally:
        pg_running.start()
    ok = till1("refund", CHARGE, "--amount", "5", "--yes")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert len(refunds_made(viopay_sim)) == 1


def test_an_outcome_the_server_missed_is_pushed_when_it_is_back(
    tills: tuple[Till, Till], viopay_sim: vsim.ViopaySimulator, pg_running: PgServer, shop_url: str
) -> None:
    till1, till2 = tills
    viopay_sim.faults.delay_ms = 2500
    proc = till1.popen("refund", CHARGE, "--amount", "10", "--yes", "--json")
    wait_for(lambda: [a.state.value for a in server_attempts(shop_url)] == ["sent"])
    pg_running.stop()  # the server goes while the gateway is answering
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err  # the refund itself was made and recorded here
    pg_running.start()
    # Until the outcome arrives, the server still says `sent`: the charge stays blocked.
    assert [a.state.value for a in server_attempts(shop_url)] == ["sent"]
    assert till1("journal", "list").returncode == 0  # any start of till 1 pushes its outbox
    assert [a.state.value for a in server_attempts(shop_url)] == ["approved"]
    viopay_sim.faults.delay_ms = 0
    r = till2("refund", CHARGE, "--amount", "39.90", "--yes")
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(refunds_made(viopay_sim)) == 2


def test_a_till_killed_during_send_leaves_the_charge_unknown_shop_wide(
    tills: tuple[Till, Till], viopay_sim: vsim.ViopaySimulator, shop_url: str
) -> None:
    till1, till2 = tills
    viopay_sim.faults.delay_ms = 3000
    proc = till1.popen("refund", CHARGE, "--amount", "10", "--yes")
    wait_for(lambda: [a.state.value for a in server_attempts(shop_url)] == ["sent"])
    os.kill(proc.pid, signal.SIGKILL)  # no FIN to the shop server's lease, no outcome
    proc.communicate(timeout=10)
    busy = till2("refund", CHARGE, "--amount", "10", "--yes")
    assert busy.returncode == 2 and "Till 1" in busy.stdout + busy.stderr
    time.sleep(6.5)  # the lease (6 s) runs out: sent → unknown, never retried
    viopay_sim.faults.delay_ms = 0
    checked = till2("reconcile", "--json")
    [attempt] = server_attempts(shop_url)
    # The gateway got the request before the kill: the look-up proves it; else it stays
    # unknown for till 1 or a manager — it is never sent a second time.
    made = refunds_made(viopay_sim)
    assert len(made) <= 1
    if made:
        assert checked.returncode == 0 and attempt.state.value == "approved"
    else:
        assert attempt.state.value == "unknown" and checked.returncode == 4


def wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_doctor_checks_the_shop_server_and_names_the_fix(
    tills: tuple[Till, Till], pg_running: PgServer, shop_url: str
) -> None:
    till1, _till2 = tills
    # Joined with the server's superuser (the tests' own login): its password would be in the
    # shared OS account's keyring, so any cashier could rewrite history or read PIN hashes.
    r = till1("doctor", "--json")
    checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
    assert r.returncode == 1 and not checks["shop-login"]["ok"], r.stdout
    assert "is a superuser" in checks["shop-login"]["detail"]
    assert "IN ROLE shop_counter" in checks["shop-login"]["fix"]
    tag = uuid.uuid4().hex[:8]
    for login, why in ((f"owner_{tag}", "owns the shop's tables"), (f"till_{tag}", None)):
        with pg_running.admin() as conn:
            conn.execute(f"CREATE ROLE {login} LOGIN IN ROLE shop_counter")
            if why:  # the tables' owner's role, as a careless installer might grant it
                conn.execute(f"GRANT postgres TO {login}")
        mine = shop_url.replace("postgresql://postgres@", f"postgresql://{login}@")
        joined = till1("setup", "shop", "--url", mine, "--counter", "Till 1")
        assert joined.returncode == 0, joined.stderr
        r = till1("doctor", "--json")
        checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
        if why:
            assert r.returncode == 1 and why in checks["shop-login"]["detail"], r.stdout
    assert r.returncode == 0, r.stdout + r.stderr
    assert checks["shop-login"]["ok"]
    assert checks["shop"]["ok"] and "Till 1" in checks["shop"]["detail"]
    assert checks["shop-rights"]["ok"] and checks["shop-clock"]["ok"]
    assert checks["shop-tls"]["ok"] and "loopback" in checks["shop-tls"]["detail"]
    pg_running.stop()
    try:
        r = till1("doctor", "--json")
    finally:
        pg_running.start()
    checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
    assert r.returncode == 1 and not checks["shop"]["ok"]
    assert "cannot be reached" in checks["shop"]["detail"] and "shop init" in checks["shop"]["fix"]


def test_joining_refuses_a_password_in_the_address_and_weak_tls(tmp_path: Path) -> None:
    till = Till("Till 3", tmp_path / "till3")
    for url, said in (
        ("postgresql://till:secret@127.0.0.1:5432/shop", "password"),
        ("postgresql://till@shop.invalid:5432/shop?sslmode=disable", "verify-full"),
        ("mysql://till@127.0.0.1/shop", "postgresql://"),
    ):
        r = till("setup", "shop", "--url", url, "--counter", "Till 3")
        assert r.returncode == 2 and said in r.stderr, r.stdout + r.stderr
        assert "secret" not in r.stdout + r.stderr or said == "password"
    r = till("setup", "shop", "--off")
    assert r.returncode == 0 and "not in a shop" in r.stdout
    settings = till.env["CASHIER_GUI_HOME"] + "/settings.toml"
    assert not Path(settings).exists() or "shop_server" not in Path(settings).read_text()


def test_leaving_the_shop_keeps_the_journal_and_refunds_alone(
    tills: tuple[Till, Till], viopay_sim: vsim.ViopaySimulator, pg_running: PgServer
) -> None:
    till1, _till2 = tills
    assert till1("refund", CHARGE, "--amount", "5", "--yes").returncode == 0
    left = till1("setup", "shop", "--off")
    assert left.returncode == 0 and "left the shop" in left.stdout
    pg_running.stop()  # no shop any more: the server's state does not matter
    try:
        r = till1("refund", CHARGE, "--amount", "5", "--yes")
    finally:
        pg_running.start()
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(listed(till1)) == 2 and len(refunds_made(viopay_sim)) == 2


def test_leaving_the_shop_by_editing_the_file_breaks_the_seal(tills: tuple[Till, Till]) -> None:
    """No silent fall back to refunding alone: the shop a counter belongs to is sealed with
    its policy; only `setup shop --off` (a manager's door) leaves it cleanly."""
    till1, _till2 = tills

    def seal_ok() -> bool:
        r = till1("doctor", "--json")
        return bool({c["name"]: c for c in json.loads(r.stdout)["checks"]}["seal"]["ok"])

    assert seal_ok()
    settings = Path(till1.env["CASHIER_GUI_HOME"]) / "settings.toml"
    text = settings.read_text()
    start = text.index("[shop_server]")
    end = text.find("\n[", start + 1)
    settings.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""))
    assert "shop_server" not in settings.read_text()
    assert not seal_ok()  # a cashier's refund now needs a manager, and doctor says why
    settings.write_text(text)
    assert seal_ok()
    assert till1("setup", "shop", "--off").returncode == 0
    assert seal_ok()


def test_every_counters_attempts_are_read_at_every_counter_with_a_counter_filter(
    tills: tuple[Till, Till], viopay_sim: vsim.ViopaySimulator
) -> None:
    till1, till2 = tills
    assert till1("refund", CHARGE, "--amount", "5", "--yes").returncode == 0
    assert till2("refund", CHARGE, "--amount", "7", "--yes").returncode == 0
    everyone = {a["counter"]: a["amount_minor"] for a in listed(till1)}
    assert everyone == {"Till 1": 500, "Till 2": 700}  # till 2's, read at till 1
    only = json.loads(till1("journal", "list", "--json", "--counter", "Till 2").stdout)
    assert [a["amount_minor"] for a in only["attempts"]] == [700]
    report = json.loads(till1("report", "--json").stdout)
    assert report["attempts"] == 2 and report["totals"]["EUR"]["approved"]["total_minor"] == 1200
    mine = json.loads(till1("report", "--json", "--counter", "Till 1").stdout)
    assert mine["attempts"] == 1 and mine["totals"]["EUR"]["approved"]["total_minor"] == 500


def test_journal_verify_shop_checks_the_servers_chain_and_this_counters_copy(
    tills: tuple[Till, Till], shop_url: str
) -> None:
    till1, till2 = tills
    assert till1("refund", CHARGE, "--amount", "5", "--yes").returncode == 0
    assert till2("refund", CHARGE, "--amount", "6", "--yes").returncode == 0
    ok = till1("journal", "verify", "--shop")
    assert ok.returncode == 0 and "intact" in ok.stdout, ok.stdout + ok.stderr
    # The database's owner rewrites till 1's refund on the server behind the functions' back.
    import psycopg

    with psycopg.connect(shop_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE attempts SET state = 'failed', refund_id = NULL WHERE counter = 'Till 1'"
        )
    bad = till1("journal", "verify", "--shop")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "is approved here, failed on the shop server" in bad.stdout
    assert "its events say approved" in bad.stdout  # the server's own chain disagrees too
    assert till1("journal", "verify").returncode == 0  # this PC's file alone is intact
