"""The SQLite home: the journal contract, plus what only a file on this PC has — WAL and
durability, a killed process's lock, schema migrations, the hash chain against edits made with
sqlite3, file permissions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cashier_gui.journal import Attempt, Journal, JournalError, NewAttempt, State, reasons
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.journal.sqlite.schema import MIGRATIONS, SCHEMA_VERSION, split_sql
from cashier_gui.money import Money
from tests.support.journal_contract import JournalContract, prepare, sent


class SqliteHome:
    def __init__(self, path: Path) -> None:
        self.path = path

    def open(self, counter: str | None = None) -> Journal:
        return SqliteJournal(self.path, counter=counter or "Till 1")

    def kill(self, journal: Journal) -> None:
        journal.close()  # as a killed process: its owner lock is gone


class TestSqliteHome(JournalContract):
    @pytest.fixture
    def home(self, tmp_path: Path) -> SqliteHome:
        return SqliteHome(tmp_path / "j.sqlite3")


def test_prepared_attempt_is_on_disk_before_anything_else(tmp_path: Path) -> None:
    j = SqliteJournal(tmp_path / "j.sqlite3")
    key = prepare(j)
    # Another connection (another process would do the same) sees it at once.
    other = sqlite3.connect(tmp_path / "j.sqlite3")
    row = other.execute(
        "SELECT state, amount_minor FROM attempts WHERE idempotency_key = ?", (key,)
    )
    assert row.fetchone() == ("prepared", 100)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()
    j.close()


def test_recovery_of_a_killed_process(tmp_path: Path) -> None:
    """A real process, SIGKILLed while it holds an attempt `sent`."""
    import os
    import signal
    import subprocess
    import sys

    path = tmp_path / "j.sqlite3"
    script = (
        "import sys, time\n"
        "from cashier_gui.journal import NewAttempt\n"
        "from cashier_gui.journal.sqlite import SqliteJournal\n"
        "from cashier_gui.money import Money\n"
        "j = SqliteJournal(sys.argv[1])\n"
        "a = j.prepare(NewAttempt(provider='viopay', terminal='T', charge_id='ch_k',"
        " amount=Money(5, 'EUR'), reason=None, note=None, transaction_reference='R-k',"
        " key='K-k', operator='x'))\n"
        "j.send_or_cancel(a.key, lambda: False)\n"
        "print('sent', flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "sent"
        with SqliteJournal(path) as j:
            assert j.recover_abandoned() == []  # alive: left alone
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            [a] = j.recover_abandoned()
            assert a.state is State.UNKNOWN
    finally:
        proc.kill()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_schema_2_prepared_rows_count_as_maybe_sent(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    db = sqlite3.connect(path)
    for version in (1, 2):
        for statement in split_sql(MIGRATIONS[version]):
            db.execute(statement)
    db.execute(
        "INSERT INTO attempts (provider, terminal, charge_id, amount_minor, currency, "
        "transaction_reference, idempotency_key, operator, state, created_at, updated_at) "
        "VALUES ('viopay', 'T', 'ch_1', 500, 'EUR', 'R1', 'K1', 'x', 'prepared', 'a', 'a')"
    )
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with SqliteJournal(path) as j:
        [a] = j.recover_abandoned()
        assert a.state is State.UNKNOWN


def test_verify_finds_edits_inserts_and_deletes(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with SqliteJournal(path) as j:
        for n in range(1, 5):
            j.transition(sent(j, n), State.APPROVED, refund_id=f"rf_{n}")
        assert j.verify() == []
    db = sqlite3.connect(path)
    db.execute("UPDATE attempts SET amount_minor = 1 WHERE id = 2")
    db.commit()
    with SqliteJournal(path) as j:
        assert [str(p) for p in j.verify()] == [
            "refund attempt 2: amount_minor was changed outside the app"
        ]
    db.execute("UPDATE attempts SET amount_minor = 100 WHERE id = 2")
    db.execute("UPDATE events SET data = replace(data, 'rf_3', 'rf_X') WHERE seq = 9")
    db.commit()
    with SqliteJournal(path) as j:
        assert any("event 9" in str(p) and "edited" in str(p) for p in j.verify())
    db.execute("UPDATE events SET data = replace(data, 'rf_X', 'rf_3') WHERE seq = 9")
    db.execute("DELETE FROM events WHERE seq = 4")
    db.commit()
    with SqliteJournal(path) as j:
        problems = [str(p) for p in j.verify()]
        assert any("event 4 is missing" in p for p in problems)
    db.execute(
        "INSERT INTO attempts (id, provider, terminal, charge_id, amount_minor, currency, "
        "transaction_reference, idempotency_key, operator, state, created_at, updated_at) "
        "VALUES (99, 'viopay', 'T1', 'ch_9', 500, 'EUR', 'R99', 'K99', 'x', 'approved', 'a', 'a')"
    )
    db.commit()
    db.close()
    with SqliteJournal(path) as j:
        assert any("refund attempt 99: has no history" in str(p) for p in j.verify())


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    SqliteJournal(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="newer version"):
        SqliteJournal(path)


def test_schema_1_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for statement in split_sql(MIGRATIONS[1]):
        db.execute(statement)
    db.execute(
        "INSERT INTO attempts (provider, terminal, charge_id, amount_minor, currency, "
        "transaction_reference, idempotency_key, operator, state, created_at, updated_at) "
        "VALUES ('poynt', 'T', 'txn_1', NULL, NULL, 'R1', 'K1', 'x', 'approved', 'a', 'a')"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with SqliteJournal(path) as j:
        assert j.schema_version == SCHEMA_VERSION
        [a] = j.query()
        assert a.full_refund and a.charge_id == "txn_1"


def test_verify_reports_garbage_rows_as_tampering(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with SqliteJournal(path) as j:
        j.transition(sent(j, 1), State.APPROVED, refund_id="rf_1")
    db = sqlite3.connect(path)
    db.execute("UPDATE attempts SET state = 'bogus', training = 'x' WHERE id = 1")
    db.execute("UPDATE events SET data = '[1, 2]' WHERE seq = 2")
    db.execute("UPDATE events SET data = 'not json' WHERE seq = 3")
    db.commit()
    db.close()
    with SqliteJournal(path) as j:
        problems = [str(p) for p in j.verify()]
    assert "refund attempt 1: holds values the app never writes" in problems
    assert any("event 2" in p and "not readable" in p for p in problems)
    assert any("event 3" in p and "not readable" in p for p in problems)


def test_export_neutralises_formulas_and_files_are_private(tmp_path: Path) -> None:
    import csv
    import os
    import stat

    path = tmp_path / "data" / "j.sqlite3"
    with SqliteJournal(path) as j:
        a = j.prepare(
            NewAttempt(
                provider="viopay",
                terminal="T1",
                charge_id="ch_1",
                amount=Money(100, "EUR"),
                reason=None,
                note='=HYPERLINK("http://evil")',
                transaction_reference="R-1",
                key="K-1",
                operator="@anna",
            )
        )
        j.send_or_cancel(a.key, lambda: False)
        j.transition(a.key, State.FAILED, error_message="+cmd|' /C calc'!A0", trace_id="-1")
        out = tmp_path / "export.csv"
        assert j.export_csv(out) == 1
        if os.name == "posix":  # while open: the WAL companion exists
            for p in (path, path.with_name("j.sqlite3-wal"), out):
                assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
            assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    [row] = rows
    assert row["note"].startswith("'=") and row["operator"] == "'@anna"
    assert row["error_message"].startswith("'+") and row["trace_id"] == "'-1"
    assert row["id"] == "1"


def test_schema_5_rows_are_this_pcs_and_keep_their_sentences(tmp_path: Path) -> None:
    """A journal from before counters and codes: its rows belong to this PC's counter, and the
    sentences it stored are still what people read."""
    path = tmp_path / "v5.sqlite3"
    db = sqlite3.connect(path)
    for version in range(1, 6):
        for statement in split_sql(MIGRATIONS[version]):
            db.execute(statement)
    db.execute(
        "INSERT INTO attempts (provider, terminal, charge_id, amount_minor, currency, "
        "transaction_reference, idempotency_key, operator, state, error_code, error_message, "
        "created_at, updated_at) VALUES ('viopay', 'T', 'ch_1', 500, 'EUR', 'R1', 'K1', 'x', "
        "'unknown', 'UNBOUND', 'Die Antwort betrifft einen anderen Betrag.', 'a', 'a')"
    )
    db.execute("PRAGMA user_version = 5")
    db.commit()
    db.close()
    with SqliteJournal(path, counter="Kasse 1") as j:
        assert j.schema_version == SCHEMA_VERSION
        [a] = j.unknown("Kasse 1")
        assert a.counter is None and a.key == "K1"
        assert reasons.why(a) == "Die Antwort betrifft einen anderen Betrag."
        assert j.unknown("Kasse 2") == [] and j.distinct("counter") == ["Kasse 1"]


def test_the_actor_travels_with_each_write_into_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with SqliteJournal(path) as j:
        a = j.prepare(
            NewAttempt(
                provider="viopay",
                terminal="T1",
                charge_id="ch_1",
                amount=Money(100, "EUR"),
                reason=None,
                note=None,
                transaction_reference="R-1",
                key="K-1",
                operator="anna",
            ),
            actor="anna",
        )
        j.send_or_cancel(a.key, lambda: False, actor="anna")
        j.transition(a.key, State.UNKNOWN, actor="anna")
        j.resolve_by_hand(a.key, refunded=True, by="Maria", why="portal", actor="Maria")
        assert j.verify() == []
    db = sqlite3.connect(path)
    actors = [r[0] for r in db.execute("SELECT json_extract(data, '$.actor') FROM events")]
    db.close()
    assert actors == ["anna", "anna", "anna", "Maria"]


# ---- the file as a shop counter's outbox and replica -------------------------------------------


def theirs(key: str, state: State, counter: str = "Till 2", **fields: object) -> Attempt:
    values: dict[str, object] = {
        "id": 0,
        "provider": "viopay",
        "terminal": "T2",
        "charge_id": "ch_s",
        "amount_minor": 500,
        "currency": "EUR",
        "reason": None,
        "note": None,
        "transaction_reference": f"R-{key}",
        "idempotency_key": key,
        "operator": "ben",
        "training": False,
        "state": state,
        "refund_id": None,
        "error_code": None,
        "error_message": None,
        "trace_id": None,
        "created_at": "2026-12-03T08:00:00.000000Z",
        "updated_at": "2026-12-03T08:00:00.000000Z",
        "counter": counter,
    }
    values.update(fields)
    return Attempt(**values)  # type: ignore[arg-type]


def test_the_outbox_is_what_the_shop_server_does_not_have_yet(tmp_path: Path) -> None:
    with SqliteJournal(tmp_path / "j.sqlite3", counter="Till 1") as j:
        a = sent(j, 1)
        b = sent(j, 2)
        assert j.outbox() == []  # no shop knows them: nothing to push
        j.pushed(a, State.SENT)
        j.pushed(b, State.SENT)
        assert j.outbox() == []  # in step
        j.transition(a, State.APPROVED, refund_id="rf_a")
        j.claim_resend(j.transition(b, State.UNKNOWN).key)  # in flight again: not pushed
        assert [x.key for x in j.outbox()] == [a]
        j.pushed(a, State.APPROVED)
        assert j.outbox() == [] and j.shop_state(a) is State.APPROVED
        j.transition(b, State.UNKNOWN)
        assert [x.key for x in j.outbox()] == [b]
        assert j.verify() == []  # bookkeeping is not part of the chain


def test_another_counters_attempt_is_mirrored_and_blocks_the_charge(tmp_path: Path) -> None:
    from cashier_gui.journal import ChargeBusy

    with SqliteJournal(tmp_path / "j.sqlite3", counter="Till 1") as j:
        row = j.mirror(theirs("K-2", State.SENT))
        assert row is not None and row.counter == "Till 2" and row.owner is None
        with pytest.raises(ChargeBusy):
            prepare(j, 1, "ch_s")
        assert j.mirror(theirs("K-2", State.SENT)) is None  # nothing new
        assert j.recover_abandoned("Till 1") == []  # never settles another till's attempt
        settled = j.mirror(theirs("K-2", State.APPROVED, refund_id="rf_2"))
        assert settled is not None and settled.state is State.APPROVED
        assert j.outbox() == []  # the server told us: nothing to push back
        prepare(j, 3, "ch_s")
        assert j.distinct("counter") == ["Till 1", "Till 2"]
        assert j.verify() == []


def test_the_server_settles_our_unknown_but_never_our_live_send(tmp_path: Path) -> None:
    with SqliteJournal(tmp_path / "j.sqlite3", counter="Till 1") as j:
        live = sent(j, 1)
        lost = sent(j, 2)
        j.transition(lost, State.UNKNOWN)
        mine = j.get(lost)
        assert j.mirror(theirs(live, State.UNKNOWN, counter="Till 1")) is None
        assert j.get(live).state is State.SENT
        done = j.mirror(
            theirs(lost, State.APPROVED, counter="Till 1", refund_id="rf_x", charge_id="ch_2")
        )
        assert done is not None and done.state is State.APPROVED and done.id == mine.id
        # a later state the machine does not allow is not taken
        assert j.mirror(theirs(lost, State.UNKNOWN, counter="Till 1")) is None
        assert j.verify() == []


def test_training_starts_afresh_unless_another_window_practises(tmp_path: Path) -> None:
    """Issue 26 item 8: the practice simulator starts with every sale as new, so the practice
    journal does too — the last one kept aside — but never under a live training window."""
    from cashier_gui.journal.sqlite import start_afresh

    path = tmp_path / "training-journal.sqlite3"
    assert not start_afresh(path)  # nothing there yet
    live = SqliteJournal(path)
    sent(live, 1)  # this window is practising: its journal stays
    assert not start_afresh(path) and path.exists()
    live.close()
    assert start_afresh(path)
    assert not path.exists() and (tmp_path / "training-journal.previous.sqlite3").exists()
    with SqliteJournal(path) as fresh:
        assert fresh.count() == 0
    with SqliteJournal(tmp_path / "training-journal.previous.sqlite3") as kept:
        assert kept.count() == 1 and kept.verify() == []
