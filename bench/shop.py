"""Shop server: 1, 10 and 50 counters (processes) claiming + sending + recording against one
PostgreSQL (fsync on: its own initdb without --no-sync), beside pgbench running the same claim
as bare SQL in the same run (the machines are noisy: only a ratio in one run means something).

    python bench/shop.py [--seconds 10] [--counters 1,10,50] [--paced 50] [--journal 300]

Each counter process loops (one pooled connection each): claim (a new charge each time, so counters do not wait on each
other's rows) → mark_sent → record_outcome(approved). "claim" is the latency of `claim` alone;
"refund" the three calls together (what the shop server adds to one refund); refunds/s counts
those cycles (three transactions each), pgbench's claims/s one transaction each. `--paced N` also
runs N counters at one refund a second each (a shop's real load is that or far less).
`--who` chooses whose refunds the counters claim: `nobody` (a shop without people, as before),
`cashier` (Cat alone, held to the shop's `refunds_per_day`, counted in the claim under a
per-person lock) or `approved` (Cat with Mia's approval: her PIN checked by bcrypt in the claim).
`--journal N` first times N refunds' journal work (prepare → sent → approved, synced) through
this PC's SQLite home and through the shop's home on the same PC: what joining a shop adds to
one refund, gateway time aside.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.pg import PgServer, pg_bin_dir  # noqa: E402

PGBENCH_SCRIPT = """\\set c random(1, 2000000000)
BEGIN;
INSERT INTO charges (charge_id) VALUES ('pgb_' || :client_id || '_' || :c) ON CONFLICT DO NOTHING;
SELECT 1 FROM charges WHERE charge_id = 'pgb_' || :client_id || '_' || :c FOR UPDATE;
SELECT coalesce(sum(amount_minor), 0) FROM attempts WHERE charge_id = 'pgb_' || :client_id || '_' || :c AND state IN ('approved', 'pending', 'prepared', 'sent', 'unknown');
INSERT INTO attempts (global_id, counter, charge_id, kind, provider, amount_minor, currency, state, lease_until) VALUES (gen_random_uuid()::text, 'pgbench', 'pgb_' || :client_id || '_' || :c, 'refund', 'bench', 100, 'EUR', 'prepared', now() + interval '60 seconds') ON CONFLICT DO NOTHING;
COMMIT;
"""


PINS = {"Mia": "2468", "Cat": "1357"}


def staff(url: str) -> int:
    """Mia (manager) and Cat (cashier) on the shop, and a per-day limit nobody reaches here;
    the policy's version."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "SELECT shop_people_add(NULL, NULL, 'bench', 'Mia', 'manager', %s)", (PINS["Mia"],)
        )
        conn.execute(
            "SELECT shop_people_add('Mia', %s, 'bench', 'Cat', 'cashier', %s)",
            (PINS["Mia"], PINS["Cat"]),
        )
        policy = '{"refunds_per_day": 100000}'
        try:  # the manager's PIN checked by the server (hardened), or a name alone (before)
            conn.execute(
                "SELECT shop_set_policy(%s::json, 'Mia', %s, 'bench')", (policy, PINS["Mia"])
            )
        except psycopg.errors.UndefinedFunction:
            conn.execute("SELECT shop_set_policy(%s::json, 'Mia', 'bench')", (policy,))
        row = conn.execute("SELECT version FROM shop_policy").fetchone()
        assert row is not None
        return int(row[0])


def worker(url: str, counter: str, seconds: float, interval: float, who: str = "nobody") -> None:
    """One counter: report ready, wait for `go` on stdin, run, print latencies (ms) as JSON."""
    from cashier_gui.money import Money
    from cashier_gui.shop import AttemptRecord, Kind, ShopServer, State

    people: dict[str, Any] = {}
    if who != "nobody":
        people["operator"] = "Cat"
    if who == "cashier":
        people["policy_version"] = ShopServer(url, wait_s=30).policy().version
    if who == "approved":
        people["approver"] = "Mia"
        if "approver_pin" in AttemptRecord.__dataclass_fields__:
            people["approver_pin"] = PINS["Mia"]

    shop = ShopServer(url, wait_s=30, max_connections=1)
    shop.check()
    print("ready", flush=True)
    sys.stdin.readline()
    claims: list[float] = []
    refunds: list[float] = []
    end = time.monotonic() + seconds
    # Paced counters start at random points of their second, as real tills do (all on the same
    # beat they would queue behind each other every second).
    next_at = time.monotonic() + (random.uniform(0, interval) if interval else 0.0)
    n = 0
    while time.monotonic() < end:
        if interval:
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
        n += 1
        gid = str(uuid.uuid4())
        rec = AttemptRecord(
            gid,
            f"ch_{gid}",  # a new charge each time, in every run
            Kind.REFUND,
            "viopay",
            Money(1500, "EUR"),
            charge_total=Money(5000, "EUR"),
            **people,
        )
        t0 = time.perf_counter()
        shop.claim(rec, counter)
        t1 = time.perf_counter()
        shop.mark_sent(gid, counter)
        shop.record_outcome(gid, State.APPROVED, refund_id=f"re_{gid[:8]}")
        t2 = time.perf_counter()
        claims.append((t1 - t0) * 1000)
        refunds.append((t2 - t0) * 1000)
    shop.close()
    print(json.dumps({"claims": claims, "refunds": refunds}), flush=True)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_app(
    url: str, counters: int, seconds: float, interval: float = 0.0, who: str = "nobody"
) -> dict[str, float]:
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                url,
                f"Till {i + 1}",
                str(seconds),
                str(interval),
                who,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for i in range(counters)
    ]
    claims: list[float] = []
    refunds: list[float] = []
    try:
        for p in procs:
            assert p.stdout is not None
            assert p.stdout.readline().strip() == "ready"
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        for p in procs:
            out, _ = p.communicate(timeout=seconds + 120)
            if p.returncode != 0:
                raise SystemExit(f"a counter failed (exit {p.returncode})")
            data = json.loads(out.strip().splitlines()[-1])
            claims += data["claims"]
            refunds += data["refunds"]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return {
        "refunds/s": len(claims) / seconds,
        "claim p50": pct(claims, 50),
        "claim p99": pct(claims, 99),
        "refund p50": pct(refunds, 50),
        "refund p99": pct(refunds, 99),
    }


def run_pgbench(
    server: PgServer, database: str, clients: int, seconds: float, rate: float = 0.0
) -> dict[str, float] | None:
    pgbench = server.bindir / "pgbench"
    if not pgbench.exists():
        return None
    folder = Path(tempfile.mkdtemp(prefix="shop-pgbench-"))
    script = folder / "claim.sql"
    script.write_text(PGBENCH_SCRIPT)
    command = [str(pgbench), "-n", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres"]
    command += ["-f", str(script), "-c", str(clients), "-j", str(min(clients, 2))]
    command += ["-T", str(int(seconds)), "-l", "--log-prefix", str(folder / "log")]
    if rate:
        command += ["-R", str(rate)]
    done = subprocess.run(
        [*command, database], capture_output=True, text=True, timeout=seconds + 60
    )
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return None
    latencies = []
    for log in folder.glob("log*"):
        for line in log.read_text().splitlines():
            latencies.append(int(line.split()[2]) / 1000)
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "claims/s": len(latencies) / seconds,
        "claim p50": pct(latencies, 50),
        "claim p99": pct(latencies, 99),
    }


def show(label: str, app: dict[str, float], bench: dict[str, float] | None) -> None:
    line = (
        f"{label:<28} app: {app['refunds/s']:7.1f} refunds/s, claim p50 {app['claim p50']:6.2f} ms "
        f"p99 {app['claim p99']:7.2f} ms; refund (3 calls) p50 {app['refund p50']:6.2f} ms "
        f"p99 {app['refund p99']:7.2f} ms"
    )
    print(line)
    if bench is not None:
        ratio = app["claim p50"] / bench["claim p50"] if bench["claim p50"] else float("nan")
        print(
            f"{'':<28} pgbench: {bench['claims/s']:7.1f} claims/s, p50 {bench['claim p50']:6.2f} ms"
            f" p99 {bench['claim p99']:7.2f} ms  (app/pgbench claim p50: {ratio:.2f}×)"
        )
    sys.stdout.flush()


def journal_overhead(url: str, n: int) -> None:
    """One refund's journal work, alone and in a shop (fresh files, one counter, no contention)."""
    from cashier_gui.journal import NewAttempt, State
    from cashier_gui.journal.shop import ShopJournal
    from cashier_gui.journal.sqlite import SqliteJournal
    from cashier_gui.money import Money
    from cashier_gui.shop import ShopServer

    def one(journal: object, i: int, tag: str) -> float:
        j: Any = journal
        started = time.perf_counter()
        a = j.prepare(
            NewAttempt(
                provider="viopay", terminal="T1", charge_id=f"ch_{tag}_{i}",
                amount=Money(100, "EUR"), reason=None, note=None,
                transaction_reference=f"R-{tag}-{i}", key=str(uuid.uuid4()), operator="bench",
            )
        )  # fmt: skip
        j.send_or_cancel(a.key, lambda: False)
        j.transition(a.key, State.APPROVED, expect=State.SENT, refund_id=f"rf_{tag}_{i}")
        return (time.perf_counter() - started) * 1000

    folder = Path(tempfile.mkdtemp())
    try:
        alone = SqliteJournal(folder / "alone.sqlite3", counter="Till 1")
        shop = ShopJournal(
            SqliteJournal(folder / "shop.sqlite3", counter="Till 1"), ShopServer(url, wait_s=5)
        )
        one(alone, -1, "warm"), one(shop, -1, "warmshop")
        times: dict[str, list[float]] = {"alone": [], "shop": []}
        for i in range(n):  # alternating, so both see the same machine
            times["alone"].append(one(alone, i, "a"))
            times["shop"].append(one(shop, i, "s"))
        alone.close()
        shop.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    a50, s50 = pct(times["alone"], 50), pct(times["shop"], 50)
    print(
        f"one refund's journal work, {n} each, alternating: this PC alone p50 {a50:.2f} ms, "
        f"p99 {pct(times['alone'], 99):.2f} ms; in a shop p50 {s50:.2f} ms, "
        f"p99 {pct(times['shop'], 99):.2f} ms: +{s50 - a50:.2f} ms a refund"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--who", choices=("nobody", "cashier", "approved"), default="nobody")
    parser.add_argument("--counters", default="1,10,50")
    parser.add_argument("--paced", type=int, default=50, help="counters at 1 refund/s (0: skip)")
    parser.add_argument(
        "--journal",
        type=int,
        default=300,
        help="refunds for the alone-vs-shop comparison (0: skip)",
    )
    args = parser.parse_args()
    bindir = pg_bin_dir()
    if bindir is None:
        sys.exit("PostgreSQL's binaries are not installed (apt-get install postgresql)")
    from cashier_gui.shop import init_shop

    server = PgServer(bindir, durable=True)
    try:
        server.start()
        database = server.create_database("bench")
        url = server.url(database)
        init_shop(url)
        with server.admin(database) as conn:
            conn.execute("INSERT INTO counters (name) VALUES ('pgbench')")
        if args.who != "nobody":
            staff(url)
        print(
            f"PostgreSQL {bindir.parent.name}, fsync on, {os.cpu_count()} CPUs, {args.seconds:g} s each"
        )
        if args.journal:
            journal_overhead(url, args.journal)
        for n in (int(x) for x in args.counters.split(",")):
            app = run_app(url, n, args.seconds, who=args.who)
            show(
                f"{n} counter(s), back to back ({args.who})",
                app,
                run_pgbench(server, database, n, args.seconds),
            )
        if args.paced:
            n = args.paced
            app = run_app(url, n, args.seconds, interval=1.0, who=args.who)
            bench = run_pgbench(server, database, n, args.seconds, rate=n)
            show(f"{n} counters, 1 refund/s each", app, bench)
    finally:
        server.destroy()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
    else:
        main()
