from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cashier_gui.journal import Journal, JournalError, State
from cashier_gui.money import Money


def prepare(j: Journal, n: int = 1, charge: str = "ch_1", minor: int = 100) -> int:
    a = j.prepare(
        provider="viopay",
        terminal="T1",
        charge_id=charge,
        amount=Money(minor, "EUR"),
        reason="customer_request",
        note=None,
        transaction_reference=f"REF-{n}",
        idempotency_key=f"key-{n}",
        operator="anna",
    )
    return a.id


def test_prepared_attempt_is_on_disk_before_anything_else(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.sqlite3")
    attempt_id = prepare(j)
    # Another connection (another process would do the same) sees it at once.
    other = sqlite3.connect(tmp_path / "j.sqlite3")
    row = other.execute("SELECT state, amount_minor FROM attempts WHERE id = ?", (attempt_id,))
    assert row.fetchone() == ("prepared", 100)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()
    j.close()


def test_transitions_follow_the_state_machine(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j:
        a = prepare(j)
        assert j.transition(a, State.UNKNOWN).state is State.UNKNOWN
        done = j.transition(a, State.APPROVED, refund_id="rf_1")
        assert done.state is State.APPROVED and done.refund_id == "rf_1" and done.resolved
        with pytest.raises(JournalError, match="cannot become"):
            j.transition(a, State.DECLINED)
        p = prepare(j, 2)
        j.transition(p, State.PENDING, refund_id="rf_2")
        with pytest.raises(JournalError):
            j.transition(p, State.FAILED)
        assert j.transition(p, State.APPROVED).state is State.APPROVED


def test_interrupted_attempts_become_unknown(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j:
        a, b = prepare(j, 1), prepare(j, 2)
        j.transition(b, State.APPROVED, refund_id="rf")
    with Journal(tmp_path / "j.sqlite3") as j:
        marked = j.mark_interrupted()
        assert [m.id for m in marked] == [a]
        assert j.get(a).state is State.UNKNOWN and "stopped" in (j.get(a).error_message or "")
        assert [u.id for u in j.unresolved()] == [a]


def test_references_and_keys_are_unique(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j:
        prepare(j, 1)
        with pytest.raises(sqlite3.IntegrityError):
            prepare(j, 1)
        assert j.count() == 1


def test_query_filters_totals_and_export(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j:
        for n in range(1, 6):
            a = prepare(j, n, charge=f"ch_{n % 2}", minor=n * 100)
            j.transition(a, State.APPROVED if n != 3 else State.DECLINED, refund_id=f"rf_{n}")
        assert j.count(charge_id="ch_1") == 3
        assert [a.id for a in j.query(text="rf_4")] == [4]
        assert [a.id for a in j.query(states=[State.DECLINED])] == [3]
        assert j.totals("2000-01-01", "2100-01-01") == {"EUR": 1200}
        n = j.export_csv(tmp_path / "out.csv")
        text = (tmp_path / "out.csv").read_text()
        assert n == 5 and text.splitlines()[0].startswith("id,provider") and "5.00" in text


def test_verify_finds_edits_inserts_and_deletes(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as j:
        for n in range(1, 5):
            j.transition(prepare(j, n), State.APPROVED, refund_id=f"rf_{n}")
        assert j.verify() == []
    db = sqlite3.connect(path)
    db.execute("UPDATE attempts SET amount_minor = 1 WHERE id = 2")
    db.commit()
    with Journal(path) as j:
        assert [str(p) for p in j.verify()] == [
            "refund attempt 2: amount_minor was changed outside the app"
        ]
    db.execute("UPDATE attempts SET amount_minor = 100 WHERE id = 2")
    db.execute("UPDATE events SET data = replace(data, 'rf_3', 'rf_X') WHERE seq = 6")
    db.commit()
    with Journal(path) as j:
        assert any("event 6" in str(p) and "edited" in str(p) for p in j.verify())
    db.execute("UPDATE events SET data = replace(data, 'rf_X', 'rf_3') WHERE seq = 6")
    db.execute("DELETE FROM events WHERE seq = 4")
    db.commit()
    with Journal(path) as j:
        problems = [str(p) for p in j.verify()]
        assert any("event 4 is missing" in p for p in problems)
    db.execute(
        "INSERT INTO attempts (id, provider, terminal, charge_id, amount_minor, currency, "
        "transaction_reference, idempotency_key, operator, state, created_at, updated_at) "
        "VALUES (99, 'viopay', 'T1', 'ch_9', 500, 'EUR', 'R99', 'K99', 'x', 'approved', 'a', 'a')"
    )
    db.commit()
    db.close()
    with Journal(path) as j:
        assert any("refund attempt 99: has no history" in str(p) for p in j.verify())


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    Journal(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="newer version"):
        Journal(path)


def test_schema_1_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    from cashier_gui import journal as jmod

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for statement in jmod._split_sql(jmod._MIGRATIONS[1]):
        db.execute(statement)
    db.execute(
        "INSERT INTO attempts (provider, terminal, charge_id, amount_minor, currency, "
        "transaction_reference, idempotency_key, operator, state, created_at, updated_at) "
        "VALUES ('poynt', 'T', 'txn_1', NULL, NULL, 'R1', 'K1', 'x', 'approved', 'a', 'a')"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Journal(path) as j:
        assert j.schema_version == jmod.SCHEMA_VERSION
        [a] = j.query()
        assert a.full_refund and a.charge_id == "txn_1"
