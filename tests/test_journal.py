from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from cashier_gui.journal import (
    Attempt,
    ChargeBusy,
    Journal,
    JournalError,
    RefundIdTaken,
    State,
    StateChanged,
)
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


def sent(j: Journal, n: int = 1, charge: str | None = None, minor: int = 100) -> int:
    a = prepare(j, n, charge or f"ch_{n}", minor)
    assert j.send_or_cancel(a, lambda: False).state is State.SENT
    return a


def test_transitions_follow_the_state_machine(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j:
        a = sent(j)
        assert j.get(a).send_count == 1 and j.get(a).owner == j.owner.token
        assert j.transition(a, State.UNKNOWN).state is State.UNKNOWN
        assert j.get(a).owner is None
        done = j.transition(a, State.APPROVED, refund_id="rf_1")
        assert done.state is State.APPROVED and done.refund_id == "rf_1" and done.resolved
        with pytest.raises(StateChanged, match="cannot become"):
            j.transition(a, State.DECLINED)
        p = sent(j, 2)
        j.transition(p, State.PENDING, refund_id="rf_2")
        with pytest.raises(JournalError):
            j.transition(p, State.FAILED)
        assert j.transition(p, State.APPROVED).state is State.APPROVED
        # a prepared attempt has no outcome before it is sent
        q = prepare(j, 3, "ch_3")
        with pytest.raises(StateChanged):
            j.transition(q, State.APPROVED, refund_id="rf_3")


def test_compare_and_set_refuses_a_stale_expectation(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j, Journal(tmp_path / "j.sqlite3") as other:
        a = sent(j)
        j.transition(a, State.UNKNOWN)
        claimed = other.claim_resend(a)
        assert claimed is not None and claimed.owner == other.owner.token
        assert claimed.send_count == 2
        assert j.claim_resend(a) is None  # the other process is re-sending it
        with pytest.raises(StateChanged, match="got there first"):
            j.transition(a, State.APPROVED, expect=State.UNKNOWN)


def test_cancel_before_sent_is_final_and_never_sent(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j:
        a = prepare(j)
        done = j.send_or_cancel(a, lambda: True)
        assert done.state is State.CANCELLED and done.resolved and done.send_count == 0
        for target in (State.SENT, State.UNKNOWN, State.APPROVED):
            with pytest.raises(StateChanged):
                j.transition(a, target)
        assert j.claim_resend(a) is None
        assert j.recover_abandoned() == []
        # the charge is free again
        prepare(j, 2, "ch_1")


def test_a_charge_with_an_unresolved_attempt_refuses_another(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j, Journal(tmp_path / "j.sqlite3") as other:
        a = sent(j, 1, "ch_x")
        with pytest.raises(ChargeBusy, match="no final answer"):
            prepare(other, 2, "ch_x")
        j.transition(a, State.UNKNOWN)
        with pytest.raises(ChargeBusy):
            prepare(other, 3, "ch_x")
        j.transition(a, State.DECLINED)
        prepare(other, 4, "ch_x")


def test_guard_sees_the_charge_inside_the_transaction(tmp_path: Path) -> None:
    seen: list[int] = []

    def refuse(attempts: Sequence[Attempt]) -> None:
        seen.append(len(attempts))
        raise ValueError("over the limit")

    with Journal(tmp_path / "j.sqlite3") as j:
        a = sent(j, 1, "ch_g")
        j.transition(a, State.APPROVED, refund_id="rf_g")
        with pytest.raises(ValueError, match="over the limit"):
            j.prepare(
                provider="viopay",
                terminal="T1",
                charge_id="ch_g",
                amount=Money(5, "EUR"),
                reason=None,
                note=None,
                transaction_reference="R-g",
                idempotency_key="K-g",
                operator="anna",
                guard=refuse,
            )
        assert seen == [1] and j.count() == 1


def test_a_refund_id_held_by_another_attempt_is_a_replay(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j:
        a, b = sent(j, 1), sent(j, 2)
        j.transition(a, State.APPROVED, refund_id="rf_same")
        with pytest.raises(RefundIdTaken, match="replayed"):
            j.transition(b, State.APPROVED, refund_id="rf_same")
        assert j.get(b).state is State.SENT


def test_recovery_settles_only_attempts_whose_owner_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    live = Journal(path)
    dead = Journal(path)
    live_prepared, live_sent = prepare(live, 1, "ch_1"), sent(live, 2)
    dead_prepared, dead_sent = prepare(dead, 3, "ch_3"), sent(dead, 4)
    dead.close()  # as a killed process: its lock is gone
    with Journal(path) as starting:
        settled = {a.id: a for a in starting.recover_abandoned()}
        assert set(settled) == {dead_prepared, dead_sent}
        assert settled[dead_prepared].state is State.NOT_SENT
        assert "nothing was refunded" in (settled[dead_prepared].error_message or "")
        assert settled[dead_sent].state is State.UNKNOWN
        assert "stopped while" in (settled[dead_sent].error_message or "")
        assert starting.get(live_prepared).state is State.PREPARED
        assert starting.get(live_sent).state is State.SENT
        assert starting.recover_abandoned() == []
    live.close()


def test_recovery_of_a_killed_process(tmp_path: Path) -> None:
    """A real process, SIGKILLed while it holds an attempt `sent`."""
    import os
    import signal
    import subprocess
    import sys

    path = tmp_path / "j.sqlite3"
    script = (
        "import sys, time\n"
        "from cashier_gui.journal import Journal\n"
        "from cashier_gui.money import Money\n"
        "j = Journal(sys.argv[1])\n"
        "a = j.prepare(provider='viopay', terminal='T', charge_id='ch_k', amount=Money(5, 'EUR'),"
        " reason=None, note=None, transaction_reference='R-k', idempotency_key='K-k',"
        " operator='x')\n"
        "j.send_or_cancel(a.id, lambda: False)\n"
        "print('sent', flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "sent"
        with Journal(path) as j:
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
    from cashier_gui import journal as jmod

    path = tmp_path / "v2.sqlite3"
    db = sqlite3.connect(path)
    for version in (1, 2):
        for statement in jmod._split_sql(jmod._MIGRATIONS[version]):
            db.execute(statement)
    db.execute(
        "INSERT INTO attempts (provider, terminal, charge_id, amount_minor, currency, "
        "transaction_reference, idempotency_key, operator, state, created_at, updated_at) "
        "VALUES ('viopay', 'T', 'ch_1', 500, 'EUR', 'R1', 'K1', 'x', 'prepared', 'a', 'a')"
    )
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with Journal(path) as j:
        [a] = j.recover_abandoned()
        assert a.state is State.UNKNOWN


def test_resolve_by_hand_records_who_and_why_in_the_chain(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j:
        a = sent(j)
        with pytest.raises(StateChanged):  # only unknown or pending ones
            j.resolve_by_hand(a, refunded=True, by="Maria", why="portal")
        j.transition(a, State.UNKNOWN)
        with pytest.raises(JournalError, match="who checked"):
            j.resolve_by_hand(a, refunded=True, by=" ", why="portal")
        done = j.resolve_by_hand(a, refunded=False, by="Maria", why="terminal shows no refund")
        assert done.state is State.FAILED and done.resolved_by == "Maria"
        assert done.resolution == "terminal shows no refund" and done.error_code == "BY_HAND"
        assert j.verify() == []


def test_server_text_is_cleaned_and_capped(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j:
        a = sent(j)
        done = j.transition(
            a, State.FAILED, error_message="\x1b[2Jevil\r\n" + "x" * 5000, trace_id="t\x07"
        )
        assert done.error_message is not None and "\x1b" not in done.error_message
        assert len(done.error_message) <= 500 and done.trace_id == "t"


def test_references_and_keys_are_unique(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j:
        prepare(j, 1, "ch_a")
        with pytest.raises(JournalError, match="already used"):
            prepare(j, 1, "ch_b")
        assert j.count() == 1


def test_query_filters_totals_and_export(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as j:
        for n in range(1, 6):
            a = prepare(j, n, charge=f"ch_{n % 2}", minor=n * 100)
            j.send_or_cancel(a, lambda: False)
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
            j.transition(sent(j, n), State.APPROVED, refund_id=f"rf_{n}")
        assert j.verify() == []
    db = sqlite3.connect(path)
    db.execute("UPDATE attempts SET amount_minor = 1 WHERE id = 2")
    db.commit()
    with Journal(path) as j:
        assert [str(p) for p in j.verify()] == [
            "refund attempt 2: amount_minor was changed outside the app"
        ]
    db.execute("UPDATE attempts SET amount_minor = 100 WHERE id = 2")
    db.execute("UPDATE events SET data = replace(data, 'rf_3', 'rf_X') WHERE seq = 9")
    db.commit()
    with Journal(path) as j:
        assert any("event 9" in str(p) and "edited" in str(p) for p in j.verify())
    db.execute("UPDATE events SET data = replace(data, 'rf_X', 'rf_3') WHERE seq = 9")
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


def test_verify_reports_garbage_rows_as_tampering(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as j:
        j.transition(sent(j, 1), State.APPROVED, refund_id="rf_1")
    db = sqlite3.connect(path)
    db.execute("UPDATE attempts SET state = 'bogus', training = 'x' WHERE id = 1")
    db.execute("UPDATE events SET data = '[1, 2]' WHERE seq = 2")
    db.execute("UPDATE events SET data = 'not json' WHERE seq = 3")
    db.commit()
    db.close()
    with Journal(path) as j:
        problems = [str(p) for p in j.verify()]
    assert "refund attempt 1: holds values the app never writes" in problems
    assert any("event 2" in p and "not readable" in p for p in problems)
    assert any("event 3" in p and "not readable" in p for p in problems)


def test_export_neutralises_formulas_and_files_are_private(tmp_path: Path) -> None:
    import csv
    import os
    import stat

    path = tmp_path / "data" / "j.sqlite3"
    with Journal(path) as j:
        a = j.prepare(
            provider="viopay",
            terminal="T1",
            charge_id="ch_1",
            amount=Money(100, "EUR"),
            reason=None,
            note='=HYPERLINK("http://evil")',
            transaction_reference="R-1",
            idempotency_key="K-1",
            operator="@anna",
        )
        j.send_or_cancel(a.id, lambda: False)
        j.transition(a.id, State.FAILED, error_message="+cmd|' /C calc'!A0", trace_id="-1")
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


@pytest.mark.parametrize(
    ("brand", "last4", "kept"),
    [
        ("VISA", "4242", ("VISA", "4242")),
        ("MASTERCARD", "51OO", ("MASTERCARD", None)),  # not four digits: not kept
        ("AMEX", "12345", ("AMEX", None)),
        ("VISA\u202e", "٤٢٤٢", ("VISA", None)),  # Arabic-Indic digits are not ASCII digits
        ("   ", None, (None, None)),
        ("X" * 60, "0005", ("X" * 19 + "…", "0005")),
    ],
)
def test_the_card_is_kept_only_as_brand_and_four_digits(
    tmp_path: Path, brand: str, last4: str | None, kept: tuple[str | None, str | None]
) -> None:
    with Journal(tmp_path / "j.sqlite3") as j:
        a = j.prepare(
            provider="viopay",
            terminal="T",
            charge_id="ch_1",
            amount=None,
            reason=None,
            note=None,
            transaction_reference="R-1",
            idempotency_key="K-1",
            operator="ana",
            card_brand=brand,
            card_last4=last4,
        )
        assert (a.card_brand, a.card_last4) == kept
        assert j.verify() == []  # the card is part of the attempt's first event
