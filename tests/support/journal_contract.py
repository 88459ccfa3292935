"""What every home of the journal must do — the contract behind `cashier_gui.journal.Journal`.

A home's test module subclasses `JournalContract` and gives it a `home` fixture: an object with
`open(counter=None) -> Journal` (each call is another process on the same home) and
`kill(journal)` (that process dies: whatever it was sending is abandoned). The SQLite home runs
it in tests/test_journal_sqlite.py; the shop server's home will run the same tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

import pytest

from cashier_gui.journal import (
    Attempt,
    ChargeBusy,
    Journal,
    JournalError,
    NewAttempt,
    RefundIdTaken,
    State,
    StateChanged,
    reasons,
)
from cashier_gui.money import Money


class Home(Protocol):
    def open(self, counter: str | None = None) -> Journal: ...

    def kill(self, journal: Journal) -> None: ...


def key(n: int) -> str:
    """Attempt n's global key: UUID-shaped, as the service makes them (a shop checks)."""
    return f"00000000-0000-4000-8000-{n:012d}"


def new(
    n: int = 1,
    charge: str = "ch_1",
    minor: int | None = 100,
    **fields: object,
) -> NewAttempt:
    values: dict[str, object] = {
        "provider": "viopay",
        "terminal": "T1",
        "charge_id": charge,
        "amount": None if minor is None else Money(minor, "EUR"),
        "reason": "customer_request",
        "note": None,
        "transaction_reference": f"REF-{n}",
        "key": key(n),
        "operator": "anna",
        "full_refund": minor is None,
    }
    values.update(fields)
    return NewAttempt(**values)  # type: ignore[arg-type]


def prepare(j: Journal, n: int = 1, charge: str = "ch_1", minor: int = 100) -> str:
    """A prepared attempt's key."""
    return j.prepare(new(n, charge, minor)).key


def sent(j: Journal, n: int = 1, charge: str | None = None, minor: int = 100) -> str:
    key = prepare(j, n, charge or f"ch_{n}", minor)
    assert j.send_or_cancel(key, lambda: False).state is State.SENT
    return key


class JournalContract:
    @pytest.fixture
    def home(self, tmp_path: Path) -> Home:
        raise NotImplementedError("a home's test module provides this fixture")

    @pytest.fixture
    def j(self, home: Home) -> Iterator[Journal]:
        journal = home.open()
        yield journal
        journal.close()

    # ---- the state machine -------------------------------------------------------------------

    def test_transitions_follow_the_state_machine(self, j: Journal) -> None:
        a = sent(j)
        assert j.get(a).send_count == 1 and j.get(a).state is State.SENT
        assert j.transition(a, State.UNKNOWN).state is State.UNKNOWN
        done = j.transition(a, State.APPROVED, refund_id="rf_1")
        assert done.state is State.APPROVED and done.refund_id == "rf_1" and done.resolved
        with pytest.raises(StateChanged, match="cannot become"):
            j.transition(a, State.DECLINED)
        p = sent(j, 2)
        j.transition(p, State.PENDING, refund_id="rf_2")
        with pytest.raises(JournalError):
            j.transition(p, State.FAILED)
        assert j.transition(p, State.APPROVED).state is State.APPROVED
        q = prepare(j, 3, "ch_3")  # a prepared attempt has no outcome before it is sent
        with pytest.raises(StateChanged):
            j.transition(q, State.APPROVED, refund_id="rf_3")
        assert j.verify() == []

    def test_compare_and_set_refuses_a_stale_expectation(self, home: Home, j: Journal) -> None:
        other = home.open()
        try:
            a = sent(j)
            j.transition(a, State.UNKNOWN)
            claimed = other.claim_resend(a)
            assert claimed is not None and claimed.send_count == 2
            assert j.claim_resend(a) is None  # the other process is re-sending it
            with pytest.raises(StateChanged, match="got there first"):
                j.transition(a, State.APPROVED, expect=State.UNKNOWN)
        finally:
            other.close()

    def test_cancel_before_sent_is_final_and_never_sent(self, j: Journal) -> None:
        a = prepare(j)
        done = j.send_or_cancel(a, lambda: True)
        assert done.state is State.CANCELLED and done.resolved and done.send_count == 0
        assert reasons.why(done) == "Cancelled before it was sent: nothing was refunded."
        for target in (State.SENT, State.UNKNOWN, State.APPROVED):
            with pytest.raises(StateChanged):
                j.transition(a, target)
        assert j.claim_resend(a) is None
        assert j.recover_abandoned(j.counter) == []
        prepare(j, 2, "ch_1")  # the charge is free again

    def test_a_charge_with_an_unresolved_attempt_refuses_another(
        self, home: Home, j: Journal
    ) -> None:
        other = home.open()
        try:
            a = sent(j, 1, "ch_x")
            with pytest.raises(ChargeBusy, match="no final answer"):
                prepare(other, 2, "ch_x")
            j.transition(a, State.UNKNOWN)
            with pytest.raises(ChargeBusy):
                prepare(other, 3, "ch_x")
            j.transition(a, State.DECLINED)
            prepare(other, 4, "ch_x")
        finally:
            other.close()

    def test_guard_sees_the_charge_inside_the_transaction(self, j: Journal) -> None:
        seen: list[int] = []

        def refuse(attempts: Sequence[Attempt]) -> None:
            seen.append(len(attempts))
            raise ValueError("over the limit")

        a = sent(j, 1, "ch_g")
        j.transition(a, State.APPROVED, refund_id="rf_g")
        with pytest.raises(ValueError, match="over the limit"):
            j.prepare(new(2, "ch_g", 5), guard=refuse)
        assert seen == [1] and j.count() == 1

    def test_a_refund_id_held_by_another_attempt_is_a_replay(self, j: Journal) -> None:
        a, b = sent(j, 1), sent(j, 2)
        j.transition(a, State.APPROVED, refund_id="rf_same")
        with pytest.raises(RefundIdTaken, match="replayed"):
            j.transition(b, State.APPROVED, refund_id="rf_same")
        assert j.get(b).state is State.SENT

    def test_references_and_keys_are_unique(self, j: Journal) -> None:
        prepare(j, 1, "ch_a")
        with pytest.raises(JournalError, match="already used"):
            prepare(j, 1, "ch_b")
        assert j.count() == 1

    # ---- identity, scope, who ----------------------------------------------------------------

    def test_an_attempt_is_found_by_its_key_and_by_its_number(self, j: Journal) -> None:
        a = j.prepare(new(7, "ch_7"))
        assert a.key == key(7) and a.idempotency_key == key(7)
        assert j.get(key(7)).id == a.id
        assert j.find(str(a.id)).key == key(7) and j.find(f" {key(7)} ").id == a.id
        with pytest.raises(JournalError, match="no refund attempt"):
            j.find("999999")
        with pytest.raises(JournalError, match="no refund attempt"):
            j.get(key(999))

    def test_scope_keeps_one_counter_from_another(self, home: Home) -> None:
        till1, till2 = home.open("Till 1"), home.open("Till 2")
        try:
            one, two = sent(till1, 1), sent(till2, 2)
            till1.transition(one, State.UNKNOWN)
            till2.transition(two, State.UNKNOWN)
            assert till1.get(one).counter == "Till 1" and till2.get(two).counter == "Till 2"
            assert [a.key for a in till1.unknown("Till 1")] == [one]
            assert [a.key for a in till2.unknown("Till 2")] == [two]
            assert {a.key for a in till1.unknown()} == {one, two}
            assert [a.key for a in till1.unresolved("Till 2")] == [two]
            assert till1.query(counter="Till 2", limit=None)[0].key == two
            assert "Till 1" in till1.distinct("counter") and "Till 2" in till1.distinct("counter")
            # a charge is one charge, whichever counter looks at it
            with pytest.raises(ChargeBusy):
                prepare(till2, 3, "ch_1")
        finally:
            till1.close()
            till2.close()

    # ---- recovery, resolution ----------------------------------------------------------------

    def test_recovery_settles_only_attempts_whose_sender_is_gone(self, home: Home) -> None:
        live, dead = home.open(), home.open()
        live_prepared, live_sent = prepare(live, 1, "ch_1"), sent(live, 2)
        dead_prepared, dead_sent = prepare(dead, 3, "ch_3"), sent(dead, 4)
        home.kill(dead)
        starting = home.open()
        try:
            settled = {a.key: a for a in starting.recover_abandoned(starting.counter)}
            assert set(settled) == {dead_prepared, dead_sent}
            assert settled[dead_prepared].state is State.NOT_SENT
            assert "nothing was refunded" in (reasons.why(settled[dead_prepared]) or "")
            assert settled[dead_sent].state is State.UNKNOWN
            assert "stopped while" in (reasons.why(settled[dead_sent]) or "")
            assert settled[dead_sent].error_code == reasons.STOPPED_SENDING
            assert settled[dead_sent].error_message is None  # a code, not a sentence
            assert starting.get(live_prepared).state is State.PREPARED
            assert starting.get(live_sent).state is State.SENT
            assert starting.recover_abandoned(starting.counter) == []
        finally:
            starting.close()
            live.close()

    def test_recovery_leaves_another_counters_attempts_alone(self, home: Home) -> None:
        other_till = home.open("Till 9")
        a = sent(other_till, 1)
        home.kill(other_till)
        here = home.open("Till 1")
        try:
            assert here.recover_abandoned("Till 1") == []
            assert here.get(a).state is State.SENT
        finally:
            here.close()

    def test_resolve_by_hand_records_who_and_why(self, j: Journal) -> None:
        a = sent(j)
        with pytest.raises(StateChanged):  # only unknown or pending ones
            j.resolve_by_hand(a, refunded=True, by="Maria", why="portal")
        j.transition(a, State.UNKNOWN)
        with pytest.raises(JournalError, match="who checked"):
            j.resolve_by_hand(a, refunded=True, by=" ", why="portal")
        done = j.resolve_by_hand(
            a, refunded=False, by="Maria", why="terminal shows no refund", actor="Maria"
        )
        assert done.state is State.FAILED and done.resolved_by == "Maria"
        assert done.resolution == "terminal shows no refund" and done.error_code == "BY_HAND"
        assert reasons.why(done) == "Not refunded, checked by hand."
        assert j.verify() == []

    def test_server_text_is_cleaned_and_capped(self, j: Journal) -> None:
        a = sent(j)
        done = j.transition(
            a, State.FAILED, error_message="\x1b[2Jevil\r\n" + "x" * 5000, trace_id="t\x07"
        )
        assert done.error_message is not None and "\x1b" not in done.error_message
        assert len(done.error_message) <= 500 and done.trace_id == "t"
        assert reasons.why(done) == done.error_message  # a gateway's own text, as it came

    # ---- reading -----------------------------------------------------------------------------

    def test_query_filters_totals_and_export(self, j: Journal, tmp_path: Path) -> None:
        keys = []
        for n in range(1, 6):
            a = prepare(j, n, charge=f"ch_{n % 2}", minor=n * 100)
            j.send_or_cancel(a, lambda: False)
            j.transition(a, State.APPROVED if n != 3 else State.DECLINED, refund_id=f"rf_{n}")
            keys.append(a)
        assert j.count(charge_id="ch_1") == 3
        assert [a.key for a in j.query(text="rf_4")] == [keys[3]]
        assert [a.key for a in j.query(states=[State.DECLINED])] == [keys[2]]
        assert [a.key for a in j.for_charge("ch_0")] == [keys[1], keys[3]]  # oldest first
        assert j.by_refund_id("rf_5") is not None and j.by_reference("REF-2") is not None
        assert j.totals("2000-01-01", "2100-01-01") == {"EUR": 1200}
        assert j.count_by_operator("anna", "2000-01-01") == 4  # declined moved no money
        n = j.export_csv(tmp_path / "out.csv")
        text = (tmp_path / "out.csv").read_text()
        assert n == 5 and text.splitlines()[0].startswith("id,provider") and "5.00" in text

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
        self, j: Journal, brand: str, last4: str | None, kept: tuple[str | None, str | None]
    ) -> None:
        a = j.prepare(new(1, minor=None, card_brand=brand, card_last4=last4, operator="ana"))
        assert (a.card_brand, a.card_last4) == kept
        assert j.verify() == []  # the card is part of the attempt's first event
