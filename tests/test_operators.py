"""Operators (names, roles, scrypt-hashed PINs, lockout) and the shop's policy, rule by rule."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest

from cashier_gui.money import Money
from cashier_gui.operators import (
    LOCKOUT_MINUTES,
    PREVIOUS_SCRYPT,
    SCRYPT_N,
    SCRYPT_P,
    SCRYPT_R,
    LockedOut,
    ManagerPin,
    Operator,
    OperatorError,
    OperatorStore,
    Role,
    WrongPin,
)
from cashier_gui.policy import Policy, PolicyError


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def people(tmp_path: Path, clock: Clock) -> OperatorStore:
    store = OperatorStore(tmp_path / "cfg" / "operators.json", clock=clock)
    store.add("Maria", Role.MANAGER, "4711")
    store.add("Tom", Role.CASHIER, "123456")
    return store


def test_the_first_operator_must_be_a_manager(tmp_path: Path) -> None:
    store = OperatorStore(tmp_path / "operators.json")
    with pytest.raises(OperatorError, match="first operator must be a manager"):
        store.add("Tom", Role.CASHIER, "1234")
    assert not store.any()


def test_pins_are_hashed_with_a_salt_and_never_stored(people: OperatorStore) -> None:
    raw = people.path.read_text(encoding="utf-8")
    assert "4711" not in raw and "123456" not in raw
    records = json.loads(raw)["operators"]
    assert len({r["salt"] for r in records}) == 2 and all(
        (r["n"], r["r"], r["p"]) == (SCRYPT_N, SCRYPT_R, SCRYPT_P) for r in records
    )
    if os.name == "posix":
        assert stat.S_IMODE(people.path.stat().st_mode) == 0o600


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "١٢٣٤", " 1234", ""])
def test_a_pin_is_four_to_eight_ascii_digits(people: OperatorStore, pin: str) -> None:
    with pytest.raises(OperatorError, match="4 to 8 digits"):
        people.add("Ann", Role.CASHIER, pin)


def test_verify_names_the_person_and_role(people: OperatorStore) -> None:
    assert people.verify("maria", "4711") == Operator("Maria", Role.MANAGER)
    assert people.verify("Tom", "123456").role is Role.CASHIER
    with pytest.raises(OperatorError, match="no operator called"):
        people.verify("Zoe", "1234")


def test_three_wrong_pins_lock_that_person_for_a_minute(
    people: OperatorStore, clock: Clock
) -> None:
    with pytest.raises(WrongPin, match="2 more tries"):
        people.verify("Tom", "000000")
    with pytest.raises(WrongPin, match="1 more try"):
        people.verify("Tom", "000001")
    with pytest.raises(LockedOut, match="locked for a minute"):
        people.verify("Tom", "000002")
    with pytest.raises(LockedOut):  # even the right PIN, while locked
        people.verify("Tom", "123456")
    assert people.verify("Maria", "4711").is_manager  # only that person is locked
    # the lock is in the file: another process (a new store) sees it
    assert OperatorStore(people.path, clock=clock).locked_until("Tom") is not None
    clock.now += dt.timedelta(seconds=61)
    assert people.verify("Tom", "123456").name == "Tom"


def _three_wrong(people: OperatorStore, name: str = "Tom") -> LockedOut:
    for pin in ("000000", "000001"):
        with pytest.raises(WrongPin):
            people.verify(name, pin)
    with pytest.raises(LockedOut) as locked:
        people.verify(name, "000002")
    return locked.value


def _wait_out(people: OperatorStore, clock: Clock, name: str = "Tom") -> dt.timedelta:
    """Advance the clock to the end of the lock; how long it was."""
    until = people.locked_until(name)
    assert until is not None
    waited = until - clock.now
    clock.now = until + dt.timedelta(seconds=1)
    return waited


def test_lockouts_grow_1_5_15_60_and_stay_at_60(people: OperatorStore, clock: Clock) -> None:
    assert LOCKOUT_MINUTES == (1, 5, 15, 60)
    seen = []
    for expected in (1, 5, 15, 60, 60):
        message = str(_three_wrong(people))
        seen.append(message)
        assert _wait_out(people, clock) == dt.timedelta(minutes=expected)
    assert "locked for a minute" in seen[0] and "locked for 5 minutes" in seen[1]
    assert "locked for 60 minutes" in seen[4]
    # While locked, the wait is said in words (minutes left, rounded up).
    _three_wrong(people)
    clock.now += dt.timedelta(minutes=20, seconds=30)
    with pytest.raises(LockedOut, match="wait 40 minutes, or ask a manager"):
        people.verify("Tom", "123456")
    # The growth is in the file: another process sees the same lock.
    assert OperatorStore(people.path, clock=clock).locked_until("Tom") == people.locked_until("Tom")


def test_the_next_lock_is_announced_with_its_length(people: OperatorStore, clock: Clock) -> None:
    _three_wrong(people)
    _wait_out(people, clock)
    with pytest.raises(WrongPin, match="2 more tries before a lock of 5 min"):
        people.verify("Tom", "999999")


def test_a_right_pin_resets_the_growth(people: OperatorStore, clock: Clock) -> None:
    _three_wrong(people)
    _wait_out(people, clock)
    _three_wrong(people)
    assert _wait_out(people, clock) == dt.timedelta(minutes=5)
    people.verify("Tom", "123456")
    _three_wrong(people)
    assert _wait_out(people, clock) == dt.timedelta(minutes=1)


def test_a_manager_lifts_the_lock_and_the_growth_stays_until_a_right_pin(
    people: OperatorStore, clock: Clock
) -> None:
    """As on the shop server: an unlock is not a right PIN — whoever keeps guessing after it
    meets the next, longer lock; the person's own right PIN starts the schedule again."""
    _three_wrong(people)
    _wait_out(people, clock)
    _three_wrong(people)  # 5 minutes
    people.unlock("Tom")
    assert people.locked_until("Tom") is None
    _three_wrong(people)
    assert _wait_out(people, clock) == dt.timedelta(minutes=15)
    _three_wrong(people)  # 60 minutes
    people.unlock("Tom")
    assert people.verify("Tom", "123456").name == "Tom"
    _three_wrong(people)
    assert _wait_out(people, clock) == dt.timedelta(minutes=1)
    with pytest.raises(OperatorError, match="no operator called"):
        people.unlock("Zoe")


@pytest.mark.parametrize(
    ("field", "value"),
    [("n", 2), ("n", 2**24), ("r", 1), ("p", 16), ("n", 1000), ("p", 1), ("n", 2**15)],
    ids=[
        "weaker-n",
        "huge-n",
        "weaker-r",
        "other-p",
        "not-a-power",
        "the-previous-p-alone",
        "the-previous-n-alone",
    ],
)
def test_scrypts_cost_is_never_read_from_the_file(
    people: OperatorStore, field: str, value: int
) -> None:
    data = json.loads(people.path.read_text(encoding="utf-8"))
    for record in data["operators"]:
        if record["name"] == "Tom":
            record[field] = value
    people.path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(OperatorError, match="a manager must set a new PIN for Tom") as refused:
        people.verify("Tom", "123456")  # the right PIN: refused all the same, at once
    assert not isinstance(refused.value, WrongPin | LockedOut)
    with pytest.raises(OperatorError, match="a manager must set a new PIN"):
        people.verify("Tom", "000000")  # and not counted as a wrong PIN
    assert people.locked_until("Tom") is None
    # A new PIN is hashed with the app's constants again.
    people.set_pin("Tom", "2468")
    [tom] = [r for r in json.loads(people.path.read_text())["operators"] if r["name"] == "Tom"]
    assert (tom["n"], tom["r"], tom["p"]) == (SCRYPT_N, SCRYPT_R, SCRYPT_P)
    assert people.verify("Tom", "2468").name == "Tom"


def _hashed_as_before(people: OperatorStore, name: str, pin: str) -> dict[str, object]:
    """Rewrite `name`'s record as the app before issue 22 wrote it (n=2^15, r=8, p=1)."""
    import base64

    from cashier_gui.operators import _kdf

    salt = os.urandom(16)
    digest = _kdf(salt, *PREVIOUS_SCRYPT).derive(pin.encode())
    data = json.loads(people.path.read_text(encoding="utf-8"))
    for record in data["operators"]:
        if record["name"] == name:
            n, r, p = PREVIOUS_SCRYPT
            record.update(
                salt=base64.b64encode(salt).decode(),
                hash=base64.b64encode(digest).decode(),
                n=n,
                r=r,
                p=p,
            )
            old: dict[str, object] = record
    people.path.write_text(json.dumps(data), encoding="utf-8")
    return old


def _record(people: OperatorStore, name: str) -> dict[str, object]:
    [rec] = [r for r in json.loads(people.path.read_text())["operators"] if r["name"] == name]
    return rec  # type: ignore[no-any-return]


def test_a_pin_hashed_with_the_previous_cost_is_rehashed_at_the_next_right_pin(
    people: OperatorStore,
) -> None:
    assert PREVIOUS_SCRYPT == (2**15, 8, 1) and (SCRYPT_N, SCRYPT_R, SCRYPT_P) == (2**13, 8, 5)
    old = _hashed_as_before(people, "Tom", "123456")
    with pytest.raises(WrongPin):  # a wrong PIN counts as ever, and changes no hash
        people.verify("Tom", "000000")
    assert _record(people, "Tom") == {**old, "failures": 1}
    assert people.verify("Tom", "123456") == Operator("Tom", Role.CASHIER)
    tom = _record(people, "Tom")
    assert (tom["n"], tom["r"], tom["p"]) == (SCRYPT_N, SCRYPT_R, SCRYPT_P)
    assert tom["salt"] != old["salt"] and tom["hash"] != old["hash"] and tom["failures"] == 0
    assert people.verify("Tom", "123456").name == "Tom"  # the new hash holds the same PIN
    with pytest.raises(WrongPin):
        people.verify("Tom", "654321")


def test_three_wrong_pins_lock_a_record_of_the_previous_cost_too(
    people: OperatorStore, clock: Clock
) -> None:
    old = _hashed_as_before(people, "Tom", "123456")
    for _ in range(2):
        with pytest.raises(WrongPin):
            people.verify("Tom", "000000")
    with pytest.raises(LockedOut):
        people.verify("Tom", "000000")
    with pytest.raises(LockedOut):
        people.verify("Tom", "123456")  # locked: the right PIN waits too, nothing re-hashed
    assert _record(people, "Tom")["hash"] == old["hash"]
    clock.now += dt.timedelta(minutes=1, seconds=1)
    assert people.verify("Tom", "123456").name == "Tom"
    assert _record(people, "Tom")["n"] == SCRYPT_N


def test_a_right_pin_resets_the_count(people: OperatorStore) -> None:
    for _ in range(2):
        with pytest.raises(WrongPin):
            people.verify("Tom", "999999")
    people.verify("Tom", "123456")
    with pytest.raises(WrongPin, match="2 more tries"):
        people.verify("Tom", "999999")


def test_a_new_pin_lifts_the_lock(people: OperatorStore) -> None:
    for pin in ("1", "2", "3"):
        with pytest.raises((WrongPin, LockedOut)):
            people.verify("Tom", pin * 4)
    people.set_pin("Tom", "2468")
    assert people.verify("Tom", "2468").name == "Tom"


def test_a_manager_lifts_a_lock_and_the_pin_stays(people: OperatorStore) -> None:
    for pin in ("1", "2", "3"):
        with pytest.raises((WrongPin, LockedOut)):
            people.verify("Tom", pin * 4)
    assert people.locked_until("Tom") is not None
    people.unlock("tom", by=ManagerPin("Maria", "4711"))
    assert people.locked_until("Tom") is None
    assert people.verify("Tom", "123456").name == "Tom"


@pytest.mark.parametrize(
    "by, says",
    [
        (ManagerPin("Maria", "0000"), "Wrong PIN|Maria is locked"),
        (ManagerPin("Tom", "123456"), "Tom is not a manager"),
        (ManagerPin("Nobody", "1234"), "no operator called Nobody"),
    ],
)
def test_a_change_by_someone_not_a_manager_changes_nothing(
    people: OperatorStore, by: ManagerPin, says: str
) -> None:
    """The same store interface as the shop server's: each change names its manager."""
    before = people.path.read_bytes()
    for change in (
        lambda: people.add("Eve", Role.MANAGER, "1111", by=by),
        lambda: people.remove("Tom", by=by),
        lambda: people.set_pin("Tom", "9999", by=by),
        lambda: people.unlock("Tom", by=by),
        lambda: people.lock("Tom", by=by),
    ):
        with pytest.raises(OperatorError, match=says):
            change()
        if by.name != "Maria":  # a wrong PIN is counted, nothing else changes
            assert people.path.read_bytes() == before
    assert [op.name for op in people.list()] == ["Maria", "Tom"]
    assert by.pin not in repr(by)  # a PIN is never in a repr (logs, tracebacks)


def test_a_manager_locks_someone_until_a_manager_lifts_it(
    people: OperatorStore, clock: Clock
) -> None:
    """A cashier who left, a PIN others saw: locked with the right PIN too, for as long as it
    takes (a year later still), said as a manager's lock; an unlock lifts it."""
    maria = ManagerPin("Maria", "4711")
    people.lock("tom", by=maria)
    for _ in range(2):
        with pytest.raises(LockedOut, match="Tom is locked by a manager") as refused:
            people.verify("Tom", "123456")  # the right PIN: not even checked
        assert "minute" not in str(refused.value)
        clock.now += dt.timedelta(days=400)
    until = people.locked_until("Tom")
    assert until is not None and until - clock.now > dt.timedelta(days=365)
    people.unlock("Tom", by=maria)
    assert people.locked_until("Tom") is None
    assert people.verify("Tom", "123456").name == "Tom"


def test_a_new_pin_lifts_a_managers_lock(people: OperatorStore) -> None:
    people.lock("Tom", by=ManagerPin("Maria", "4711"))
    people.set_pin("Tom", "2468", by=ManagerPin("Maria", "4711"))
    assert people.verify("Tom", "2468").name == "Tom"


def test_a_manager_locked_manager_cannot_approve_or_change_people(people: OperatorStore) -> None:
    """Approvals and changes of people go through verify: a locked manager does neither."""
    people.add("Ines", Role.MANAGER, "8080", by=ManagerPin("Maria", "4711"))
    people.lock("Ines", by=ManagerPin("Maria", "4711"))
    with pytest.raises(LockedOut, match="Ines is locked by a manager"):
        people.verify("Ines", "8080")
    with pytest.raises(LockedOut, match="Ines is locked by a manager"):
        people.unlock("Ines", by=ManagerPin("Ines", "8080"))
    assert people.locked_until("Ines") is not None


def test_the_last_manager_who_can_sign_in_cannot_be_locked(
    people: OperatorStore, clock: Clock
) -> None:
    maria = ManagerPin("Maria", "4711")
    before = people.path.read_bytes()
    with pytest.raises(OperatorError, match="Maria is the last manager who can sign in"):
        people.lock("Maria", by=maria)  # herself, the only manager
    assert people.path.read_bytes() == before
    people.add("Ines", Role.MANAGER, "8080", by=maria)
    # A lock after wrong PINs ends by itself: Ines still counts as a manager who can sign in.
    for pin in ("1111", "2222", "3333"):
        with pytest.raises((WrongPin, LockedOut)):
            people.verify("Ines", pin)
    people.lock("Maria", by=maria)  # Maria locks herself: Ines is left
    with pytest.raises(LockedOut):
        people.verify("Maria", "4711")
    clock.now += dt.timedelta(minutes=2)
    ines = ManagerPin("Ines", "8080")
    with pytest.raises(OperatorError, match="Ines is the last manager who can sign in"):
        people.lock("Ines", by=ines)
    people.unlock("Maria", by=ines)
    assert people.verify("Maria", "4711").is_manager


def test_the_last_manager_cannot_be_removed_while_others_remain(people: OperatorStore) -> None:
    with pytest.raises(OperatorError, match="at least one manager"):
        people.remove("Maria")
    people.remove("Tom")
    people.remove("Maria")
    assert not people.any()


def test_a_damaged_file_is_reported_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "operators.json"
    path.write_text('{"operators": [{"name": 1}]}', encoding="utf-8")
    with pytest.raises(OperatorError, match="damaged"):
        OperatorStore(path).list()


# ---- training's manager, hashed ahead of time ------------------------------------------------


def test_the_training_managers_record_is_scrypt_of_its_pin_under_the_apps_constants() -> None:
    import base64

    from cashier_gui.operators import SCRYPT_P, SCRYPT_R, _kdf
    from cashier_gui.runtime import (
        TRAINING_MANAGER_HASH,
        TRAINING_MANAGER_PIN,
        TRAINING_MANAGER_SALT,
    )

    salt = base64.b64decode(TRAINING_MANAGER_SALT)
    digest = _kdf(salt, SCRYPT_N, SCRYPT_R, SCRYPT_P).derive(TRAINING_MANAGER_PIN.encode())
    assert base64.b64encode(digest).decode() == TRAINING_MANAGER_HASH


def training_people(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OperatorStore:
    """`training_operators` with scrypt forbidden: a training start runs none."""
    from cashier_gui import operators
    from cashier_gui.config import Paths
    from cashier_gui.runtime import training_operators

    real = operators._kdf

    def no_scrypt(*args: object) -> object:
        raise AssertionError("scrypt ran at a training start")

    monkeypatch.setattr(operators, "_kdf", no_scrypt)
    try:
        return training_operators(Paths(tmp_path / "cfg", tmp_path / "data"))
    finally:
        monkeypatch.setattr(operators, "_kdf", real)


def test_training_starts_without_scrypt_and_its_manager_signs_in_with_1234(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cashier_gui.runtime import TRAINING_MANAGER, TRAINING_MANAGER_PIN

    store = training_people(tmp_path, monkeypatch)  # the first training run
    assert store.list() == [Operator(TRAINING_MANAGER, Role.MANAGER)]
    assert store.verify(TRAINING_MANAGER, TRAINING_MANAGER_PIN).is_manager
    store.add("Ana", Role.CASHIER, "5555", by=ManagerPin(TRAINING_MANAGER, TRAINING_MANAGER_PIN))
    with pytest.raises(WrongPin):
        store.verify(TRAINING_MANAGER, "0000")
    before = json.loads(store.path.read_text(encoding="utf-8"))["operators"]
    assert before[0]["failures"] == 1
    store = training_people(tmp_path, monkeypatch)  # the next start keeps the people
    after = json.loads(store.path.read_text(encoding="utf-8"))["operators"]
    assert [r["name"] for r in after] == [TRAINING_MANAGER, "Ana"]
    assert after[0]["failures"] == 0  # cleared, as a right PIN would
    assert after[0]["salt"] == before[0]["salt"] and after[0]["hash"] == before[0]["hash"]
    assert store.verify("Ana", "5555").name == "Ana"


@pytest.mark.parametrize("change", ["new pin", "locked", "damaged", "edited cost"])
def test_training_starts_afresh_when_its_manager_was_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    from cashier_gui.runtime import TRAINING_MANAGER, TRAINING_MANAGER_PIN

    store = training_people(tmp_path, monkeypatch)
    trainer = ManagerPin(TRAINING_MANAGER, TRAINING_MANAGER_PIN)
    store.add("Ana", Role.CASHIER, "5555", by=trainer)
    if change == "new pin":
        store.set_pin(TRAINING_MANAGER, "9999", by=trainer)
    elif change == "locked":
        for _ in range(3):
            with pytest.raises(OperatorError):
                store.verify(TRAINING_MANAGER, "0000")
        assert store.locked_until(TRAINING_MANAGER) is not None
    elif change == "damaged":
        store.path.write_text("{", encoding="utf-8")
    else:
        data = json.loads(store.path.read_text(encoding="utf-8"))
        data["operators"][0]["n"] = 2
        store.path.write_text(json.dumps(data), encoding="utf-8")
    store = training_people(tmp_path, monkeypatch)
    assert store.list() == [Operator(TRAINING_MANAGER, Role.MANAGER)]
    assert store.locked_until(TRAINING_MANAGER) is None
    assert store.verify(TRAINING_MANAGER, TRAINING_MANAGER_PIN).is_manager


# ---- policy ---------------------------------------------------------------------------------

EUR = "EUR"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def reasons(policy: Policy, **kw: object) -> list[str]:
    args: dict[str, object] = {
        "kind": "refund",
        "amount": Money(2000, EUR),
        "has_lookup": True,
        "sale_date": "2026-11-20T10:00:00Z",
        "refunds_today": 0,
        "now": NOW,
    }
    args.update(kw)
    return policy.reasons(**args)  # type: ignore[arg-type]


RULES = Policy.from_toml(
    {
        "approval_above": {"EUR": "50.00", "JPY": "5000", "USD": "100.00"},
        "refunds_per_day": 3,
        "max_sale_age_days": 30,
        "no_lookup_above": {"USD": "20"},
        "voids": "managers",
    }
)


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"amount": Money(5000, EUR)}, None),  # at the limit: alone
        ({"amount": Money(5001, EUR)}, "above €50.00"),
        ({"amount": Money(5000, "JPY")}, None),
        ({"amount": Money(5001, "JPY")}, "above ¥5,000"),
        # No limit for GBP is no licence for GBP (issue 27): a manager approves any amount.
        ({"amount": Money(1, "GBP")}, "Refunds in GBP need a manager"),
        ({"refunds_today": 2}, None),
        ({"refunds_today": 3}, "made 3 refunds today"),
        ({"sale_date": "2026-10-24T12:00:00Z"}, None),  # 30 days
        ({"sale_date": "2026-10-23T11:00:00Z"}, "31 days old"),
        ({"sale_date": None}, None),  # unknown date: not held to the age rule
        ({"has_lookup": False, "amount": Money(2000, "USD")}, None),
        ({"has_lookup": False, "amount": Money(2001, "USD")}, "without a lookup"),
        ({"has_lookup": False, "amount": None}, "amount not known"),
        ({"kind": "void"}, "Voiding a sale needs a manager"),
    ],
)
def test_policy_rules_over_and_under(kw: dict[str, object], says: str | None) -> None:
    got = reasons(RULES, **kw)
    if says is None:
        assert got == []
    else:
        assert len(got) == 1 and says in got[0], got


def test_no_policy_no_approval() -> None:
    assert reasons(Policy(), amount=Money(10**9, EUR), refunds_today=999) == []
    assert reasons(Policy(), kind="void") == []


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ({"approval_above": {"EUR": 50}}, "in quotes"),
        ({"approval_above": {"EUR": "fifty"}}, "approval_above.EUR"),
        ({"approval_above": "50"}, "table of amounts"),
        ({"refunds_per_day": -1}, "whole number"),
        ({"refunds_per_day": True}, "whole number"),
        ({"voids": "nobody"}, "anyone"),
        ({"max_refund": 5}, "not a rule"),
    ],
)
def test_bad_policy_settings_name_the_key(table: dict[str, object], says: str) -> None:
    with pytest.raises(PolicyError, match=says):
        Policy.from_toml(table)


def test_policy_round_trips_through_the_settings_file() -> None:
    from cashier_gui.config import Settings

    settings = Settings.from_toml({"policy": RULES.to_toml()})
    assert settings.policy == RULES


def test_the_shops_day_is_not_the_processes_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 27: "today" starts at midnight in policy.time_zone, else in the zone the OS is set
    to (its own file, not TZ); a TZ set for this process changes neither."""
    import time

    from cashier_gui.zones import os_time_zone

    noon = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    berlin = Policy.from_toml({"time_zone": "Europe/Berlin", "refunds_per_day": 1})
    os_day = Policy(refunds_per_day=1)
    before = (berlin.day_start(noon), os_day.day_start(noon), os_day.today(noon))
    monkeypatch.setenv("TZ", "XXX+7:11")
    time.tzset()
    try:
        assert berlin.day_start(noon) == dt.datetime(2026, 6, 30, 22, 0, tzinfo=dt.UTC)
        assert berlin.today(dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC)) == dt.date(2026, 7, 1)
        assert (berlin.day_start(noon), os_day.day_start(noon), os_day.today(noon)) == before
        zone = os_time_zone()
        if zone is not None:  # Linux, macOS: midnight in the OS's zone
            local = noon.astimezone(zone)
            assert os_day.day_start(noon) == dt.datetime.combine(
                local.date(), dt.time.min, tzinfo=zone
            ).astimezone(dt.UTC)
        else:  # the OS's zone cannot be read: the last 24 hours (never fewer than today)
            assert os_day.day_start(noon) == noon - dt.timedelta(hours=24)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    with pytest.raises(PolicyError, match="time_zone"):
        Policy.from_toml({"time_zone": "Mars/Olympus"})
    with pytest.raises(PolicyError, match="time_zone"):
        Policy.from_toml({"time_zone": "../../etc/passwd"})
    assert Policy.from_toml(berlin.to_toml()) == berlin


def test_the_report_day_is_the_shops() -> None:
    from zoneinfo import ZoneInfo

    from cashier_gui.paper.report import day_bounds

    since, until = day_bounds(dt.date(2026, 7, 1), ZoneInfo("Europe/Berlin"))
    assert (since, until) == ("2026-06-30T22:00:00.000000Z", "2026-07-01T22:00:00.000000Z")
