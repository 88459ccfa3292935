"""The people at the counter: names, roles and PINs, in a local file — never in the keyring's
secret slots, never in a log.

A PIN is 4 to 8 ASCII digits. Only its scrypt hash is kept (`cryptography`'s Scrypt, n=2^13,
r=8, p=5: 8 MiB and ≈ 0.06 s of CPU per check, a fresh 16-byte salt per person), in
`operators.json` (0600, written atomically under a lock file so a window and the CLI can share
it). Checking a PIN blocks for ≈ 0.1 s: the window calls `verify` off the GUI thread.

Lock-outs grow (`LOCKOUT_MINUTES`, the one schedule — the shop server imports it too): three
wrong PINs in a row lock that person for 1 minute; each further three wrong PINs (before a
right one) lock for 5, then 15, then 60 minutes, and 60 from then on. A right PIN resets the
count and the growth; so does a manager lifting the lock (`unlock`: the manager has seen the
person) or setting a new PIN.

A manager may also lock someone (`lock`: a cashier who left, or whose PIN was seen): that lock
lasts until a manager lifts it or sets a new PIN, and is said as "locked by a manager" — at
sign-in, at an approval, in the lists. It is kept as a `locked_until` `MANAGER_LOCK` (100 years)
ahead, as on the shop server; `by_manager` tells it from a lock after wrong PINs. Decision: the
last manager not locked by a manager cannot be locked (by themselves or anyone) — nobody would
be left to lift it; lock-outs after wrong PINs end by themselves and do not count here. The count, the number of locks and the lock are in the file, so
restarting the app resets nothing. At 3 guesses an hour after the first 81 minutes, trying
every 4-digit PIN takes about 139 days of online guessing (55 hours with a fixed one-minute
lock).

scrypt's cost (n, r, p) is this app's constant, never read from the file (decision): the file
keeps the values it was hashed with, and a record whose values differ — the file was edited,
to weaken the hash or to make every check allocate gigabytes — is refused in words ("a manager
must set a new PIN"), without counting as a wrong PIN and without running scrypt. A new PIN is
always hashed with the constants.

Decision (issue 22): the cost was n=2^15, r=8, p=1 (32 MiB a check, paid at every sign-in) and
is n=2^13, r=8, p=5 — a quarter of the memory for the same CPU time (≈ 60 ms here either way),
and at least as costly for an attacker by OWASP's equal-strength scrypt settings (n=2^15 p=3
≈ n=2^13 p=10, so p ≈ 3.3 at n=2^13 matches n=2^15 p=1; p=5 is more). A record with exactly the
previous cost (`PREVIOUS_SCRYPT`) is still checked with it, and re-hashed with the constants at
its holder's next right PIN; any other cost is refused as above.

Roles: `cashier` refunds within the shop's policy; `manager` also approves what the policy
sends for approval and may change settings, secrets and operators.

Sign-in by PIN alone is offered only when one person exists (then it is `verify` of that
person, lockout included): trying a PIN against everyone would let a guesser skip the lockout.

Decision: a counter with no operators at all works as before, as the OS user (a one-person
shop); once the first manager exists, every refund, void and resolution names a signed-in
operator.

`PeopleStore` is what the window, approvals and the CLI use: this file (`OperatorStore`) on a
counter alone, the shop server's people (`cashier_gui.shop.people.ShopPeople`) once the counter
has joined a shop — chosen once, in `runtime.people_home`. A change of people names the manager
making it (`ManagerPin`), checked where the people live; here the file is checked, on a shop the
server checks it in the same function that makes the change.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from cashier_gui import heap
from cashier_gui.errors import UserFacing
from cashier_gui.files import open_private, private_dir
from cashier_gui.i18n import _, ngettext

MAX_FAILURES = 3
#: Minutes locked after the 1st, 2nd, 3rd, 4th (and every later) run of MAX_FAILURES wrong PINs
#: in a row. The one schedule: the shop server's people (people-21) import it.
LOCKOUT_MINUTES: tuple[int, ...] = (1, 5, 15, 60)
#: The first lock's length (what LOCKOUT always was before the lock-outs grew).
LOCKOUT = dt.timedelta(minutes=LOCKOUT_MINUTES[0])
#: How far ahead a manager's lock (`lock`) is set, here and on the shop server; any lock more
#: than `MANAGER_LOCK_OVER` ahead is a manager's.
MANAGER_LOCK = dt.timedelta(days=36500)
MANAGER_LOCK_OVER = dt.timedelta(days=365)
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**13, 8, 5
#: The cost of PINs hashed before issue 22: accepted exactly, re-hashed at the next right PIN.
PREVIOUS_SCRYPT: tuple[int, int, int] = (2**15, 8, 1)
MAX_NAME = 40


class Role(StrEnum):
    CASHIER = "cashier"
    MANAGER = "manager"


class OperatorError(UserFacing):
    """A sentence for the person at the counter (wrong PIN, locked, unknown name …)."""


class WrongPin(OperatorError):
    pass


class LockedOut(OperatorError):
    pass


@dataclass(frozen=True)
class Operator:
    """A person who proved who they are (`OperatorStore.verify`)."""

    name: str
    role: Role
    #: The shop server's sign-in session (`PeopleStore.sign_in` at a counter of a shop): the
    #: claim proves who refunds with it. None on a counter alone. Memory only: never written
    #: to the journal, a log, a file or the keyring, never shown, not part of equality.
    session: str | None = field(default=None, repr=False, compare=False)

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER


@dataclass(frozen=True)
class ManagerPin:
    """The manager making a change of people, and their PIN (never shown, never kept)."""

    name: str
    pin: str = field(repr=False)


class PeopleStore(Protocol):
    """Who may sign in, and the changes a manager makes. Every method may block (a file lock,
    scrypt, or the shop server over the network): never call one on the GUI thread.

    Changes take `by`, the manager making them: `None` only while nobody exists yet (the first
    person, who must be a manager) — or, on a counter alone, when the caller has just checked
    the manager itself."""

    def list(self) -> list[Operator]: ...

    def any(self) -> bool: ...

    def verify(self, name: str, pin: str) -> Operator: ...

    def sign_in(self, name: str, pin: str) -> Operator:
        """`verify`, for someone who starts working at this counter: at a shop, the server
        also opens a sign-in session (`Operator.session`), which `sign_out` ends."""
        ...

    def sign_out(self, operator: Operator) -> None:
        """End `operator`'s sign-in session, if any (best effort: it expires anyway)."""
        ...

    def locked_until(self, name: str) -> dt.datetime | None: ...

    def add(self, name: str, role: Role, pin: str, *, by: ManagerPin | None = None) -> Operator: ...

    def remove(self, name: str, *, by: ManagerPin | None = None) -> None: ...

    def set_pin(self, name: str, pin: str, *, by: ManagerPin | None = None) -> None: ...

    def unlock(self, name: str, *, by: ManagerPin | None = None) -> None: ...

    def lock(self, name: str, *, by: ManagerPin | None = None) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class _Record:
    name: str
    role: str
    salt: str  # base64
    hash: str  # base64
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P
    failures: int = 0
    locked_until: str | None = None
    lockouts: int = 0  # locks since the last right PIN (or a manager's unlock / new PIN)


def lockout_for(lockouts: int) -> dt.timedelta:
    """How long the `lockouts`-th lock in a row lasts (1 → 1 min, 2 → 5, 3 → 15, 4+ → 60)."""
    return dt.timedelta(minutes=LOCKOUT_MINUTES[min(max(lockouts, 1), len(LOCKOUT_MINUTES)) - 1])


def minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    """Whole minutes until `until`, rounded up (at least 1)."""
    return max(1, -(-int((until - now).total_seconds()) // 60))


def by_manager(until: dt.datetime, now: dt.datetime) -> bool:
    """Whether a lock until `until` is a manager's (`lock`), not one after wrong PINs."""
    return until - now > MANAGER_LOCK_OVER


def locked_words(name: str, until: dt.datetime, now: dt.datetime) -> str:
    """'{name} is locked …: wait N minutes, or ask a manager to lift the lock.'"""
    if by_manager(until, now):
        return manager_locked_words(name)
    minutes = minutes_left(until, now)
    return ngettext(
        "{name} is locked after wrong PINs: wait a minute, or ask a manager to lift the lock.",
        "{name} is locked after wrong PINs: wait {minutes} minutes, or ask a manager to lift "
        "the lock.",
        minutes,
    ).format(name=name, minutes=minutes)


def manager_locked_words(name: str) -> str:
    return _(
        "{name} is locked by a manager: only a manager can lift the lock (People… → Lift lock, "
        "or cashier-refund operator unlock)."
    ).format(name=name)


def last_manager_words(name: str) -> str:
    return _(
        "{name} is the last manager who can sign in: locking them would leave nobody to lift "
        "the lock. Add another manager first."
    ).format(name=name)


def check_pin(pin: str) -> str:
    if not (4 <= len(pin) <= 8) or not all("0" <= ch <= "9" for ch in pin):
        raise OperatorError(_("A PIN is 4 to 8 digits (0–9)."))
    return pin


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME or not cleaned.isprintable():
        raise OperatorError(_("A name is 1 to {limit} visible characters.").format(limit=MAX_NAME))
    return cleaned


def _kdf(salt: bytes, n: int, r: int, p: int) -> Scrypt:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p)


def _hash(pin: str) -> tuple[str, str]:
    salt = secrets.token_bytes(16)
    try:
        digest = _kdf(salt, SCRYPT_N, SCRYPT_R, SCRYPT_P).derive(pin.encode())
    finally:
        heap.trim()  # scrypt's 8 MiB would stay resident from the second check on (heap.py)
    return base64.b64encode(salt).decode(), base64.b64encode(digest).decode()


def _manager_locked(record: _Record, now: dt.datetime) -> bool:
    if record.locked_until is None:
        return False
    return by_manager(dt.datetime.fromisoformat(record.locked_until), now)


class OperatorStore:
    """`operators.json` in the settings folder. Every method reads the file afresh (another
    process may have changed it) and writes it back atomically under `.lock`."""

    def __init__(self, path: Path, *, clock: Any = None) -> None:
        self.path = path
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def close(self) -> None:
        """Nothing to close: every call opens the file afresh."""

    def _manager(self, by: ManagerPin | None) -> None:
        """Check the manager making a change (their PIN counts like any sign-in)."""
        if by is None:
            return
        manager = self.verify(by.name, by.pin)
        if not manager.is_manager:
            raise OperatorError(
                _("{name} is not a manager: only a manager can change people.").format(
                    name=manager.name
                )
            )

    # ---- reading and writing ----------------------------------------------------------------

    def _read(self) -> dict[str, _Record]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(raw)
            return {r["name"].casefold(): _Record(**r) for r in data["operators"]}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise OperatorError(
                _(
                    "{path} is damaged ({problem}): restore it from a backup, or remove it and "
                    "add the operators again."
                ).format(path=self.path, problem=exc)
            ) from None

    def _write(self, records: dict[str, _Record]) -> None:
        data = {"version": 1, "operators": [asdict(r) for r in records.values()]}
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open_private(tmp, "w") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, _Record]]:
        from cashier_gui.locks import exclusive_file_lock

        private_dir(self.path.parent)
        with exclusive_file_lock(self.path.with_name(self.path.name + ".lock")):
            records = self._read()
            before = dict(records)
            try:
                yield records
            finally:  # a wrong PIN raises, and its count must still be written
                if records != before:
                    self._write(records)

    # ---- queries ----------------------------------------------------------------------------

    def list(self) -> list[Operator]:
        return [Operator(r.name, Role(r.role)) for r in self._read().values()]

    def any(self) -> bool:
        return bool(self._read())

    def locked_until(self, name: str) -> dt.datetime | None:
        record = self._read().get(name.casefold())
        if record is None or record.locked_until is None:
            return None
        until = dt.datetime.fromisoformat(record.locked_until)
        return until if until > self._clock() else None

    # ---- changes ----------------------------------------------------------------------------

    def add(self, name: str, role: Role, pin: str, *, by: ManagerPin | None = None) -> Operator:
        name, pin = check_name(name), check_pin(pin)
        self._manager(by)
        salt, digest = _hash(pin)
        with self._locked() as records:
            if name.casefold() in records:
                raise OperatorError(
                    _("There is already an operator called {name}.").format(name=name)
                )
            if not records and role is not Role.MANAGER:
                raise OperatorError(_("The first operator must be a manager."))
            records[name.casefold()] = _Record(name, str(role), salt, digest)
        return Operator(name, role)

    def remove(self, name: str, *, by: ManagerPin | None = None) -> None:
        self._manager(by)
        with self._locked() as records:
            record = records.get(name.casefold())
            if record is None:
                raise OperatorError(_("There is no operator called {name}.").format(name=name))
            managers = [r for r in records.values() if r.role == Role.MANAGER]
            if record.role == Role.MANAGER and len(managers) == 1 and len(records) > 1:
                raise OperatorError(_("Keep at least one manager: add another manager first."))
            del records[name.casefold()]

    def set_pin(self, name: str, pin: str, *, by: ManagerPin | None = None) -> None:
        pin = check_pin(pin)
        self._manager(by)
        salt, digest = _hash(pin)
        with self._locked() as records:
            record = records.get(name.casefold())
            if record is None:
                raise OperatorError(_("There is no operator called {name}.").format(name=name))
            records[name.casefold()] = replace(
                record,
                salt=salt,
                hash=digest,
                n=SCRYPT_N,
                r=SCRYPT_R,
                p=SCRYPT_P,
                failures=0,
                locked_until=None,
                lockouts=0,
            )

    def unlock(self, name: str, *, by: ManagerPin | None = None) -> None:
        """A manager lifts `name`'s lock. The growth stays (as on the shop server): the next
        three wrong PINs lock for the next step of `LOCKOUT_MINUTES`; a right PIN or a new PIN
        starts it again."""
        self._manager(by)
        with self._locked() as records:
            record = records.get(name.casefold())
            if record is None:
                raise OperatorError(_("There is no operator called {name}.").format(name=name))
            records[name.casefold()] = replace(record, failures=0, locked_until=None)

    def lock(self, name: str, *, by: ManagerPin | None = None) -> None:
        """A manager locks `name` until a manager lifts the lock (`unlock`) or sets a new PIN.
        The growth of lock-outs after wrong PINs stays as it was. The last manager not locked
        by a manager cannot be locked (module docstring)."""
        self._manager(by)
        with self._locked() as records:
            record = records.get(name.casefold())
            if record is None:
                raise OperatorError(_("There is no operator called {name}.").format(name=name))
            now = self._clock()
            if record.role == Role.MANAGER and not any(
                r.role == Role.MANAGER and r is not record and not _manager_locked(r, now)
                for r in records.values()
            ):
                raise OperatorError(last_manager_words(record.name))
            records[name.casefold()] = replace(
                record, failures=0, locked_until=(now + MANAGER_LOCK).isoformat()
            )

    def sign_in(self, name: str, pin: str) -> Operator:
        """A counter alone has no sessions: `verify`."""
        return self.verify(name, pin)

    def sign_out(self, operator: Operator) -> None:
        """A counter alone has no sessions to end."""

    def keep_prehashed(self, name: str, role: Role, salt: str, digest: str) -> bool:
        """Make sure `name` exists with exactly this PIN record (`salt` and `digest` in base64,
        hashed ahead of time under this app's constants) and is not locked; True when it was
        already so (its count of wrong PINs is cleared, as a right PIN would), False when the
        file was started afresh with that one person. Runs no scrypt: for training's public
        manager PIN, checked at every training start (scrypt's working memory, 32 MiB then)."""
        name = check_name(name)
        with self._locked() as records:
            record = records.get(name.casefold())
            now = self._clock()
            if (
                record is not None
                and (record.role, record.salt, record.hash) == (str(role), salt, digest)
                and (record.n, record.r, record.p) == (SCRYPT_N, SCRYPT_R, SCRYPT_P)
                and not (
                    record.locked_until and dt.datetime.fromisoformat(record.locked_until) > now
                )
            ):
                if record.failures or record.locked_until or record.lockouts:
                    records[name.casefold()] = replace(
                        record, failures=0, locked_until=None, lockouts=0
                    )
                return True
            records.clear()
            records[name.casefold()] = _Record(name, str(role), salt, digest)
            return False

    def verify(self, name: str, pin: str) -> Operator:
        """The operator when `pin` is theirs; WrongPin (counting), LockedOut, or OperatorError.
        Blocks ≈ 0.1 s (scrypt): never call it on the GUI thread."""
        with self._locked() as records:
            record = records.get(name.casefold())
            if record is None:
                raise OperatorError(_("There is no operator called {name}.").format(name=name))
            now = self._clock()
            if record.locked_until:
                until = dt.datetime.fromisoformat(record.locked_until)
                if until > now:
                    raise LockedOut(locked_words(record.name, until, now))
            cost = (record.n, record.r, record.p)
            if cost not in ((SCRYPT_N, SCRYPT_R, SCRYPT_P), PREVIOUS_SCRYPT):
                # Never the file's cost: an edit would weaken the check or exhaust memory.
                raise OperatorError(
                    _(
                        "{name}'s PIN was not stored by this app (its hash settings were "
                        "changed in {path}): a manager must set a new PIN for {name}."
                    ).format(name=record.name, path=self.path)
                )
            try:
                salt, digest = base64.b64decode(record.salt), base64.b64decode(record.hash)
            except ValueError:
                raise OperatorError(
                    _("{name}'s PIN record is damaged: a manager must set a new PIN.").format(
                        name=record.name
                    )
                ) from None
            try:
                try:
                    _kdf(salt, *cost).verify(pin.encode(), digest)
                finally:
                    heap.trim()  # as in _hash
            except InvalidKey:
                failures = record.failures + 1
                locked = failures >= MAX_FAILURES
                lockouts = record.lockouts + 1 if locked else record.lockouts
                length = lockout_for(lockouts)
                records[name.casefold()] = replace(
                    record,
                    failures=0 if locked else failures,
                    locked_until=(now + length).isoformat() if locked else None,
                    lockouts=lockouts,
                )
                minutes = int(length.total_seconds() // 60)
                if locked:
                    raise LockedOut(
                        ngettext(
                            "Wrong PIN {count} times: {name} is locked for a minute.",
                            "Wrong PIN {count} times: {name} is locked for {minutes} minutes.",
                            minutes,
                        ).format(count=MAX_FAILURES, name=record.name, minutes=minutes)
                    ) from None
                left = MAX_FAILURES - failures
                upcoming = int(lockout_for(lockouts + 1).total_seconds() // 60)
                raise WrongPin(
                    ngettext(
                        "Wrong PIN for {name}: {left} more try before a lock of {minutes} min.",
                        "Wrong PIN for {name}: {left} more tries before a lock of {minutes} min.",
                        left,
                    ).format(name=record.name, left=left, minutes=upcoming)
                ) from None
            if cost != (SCRYPT_N, SCRYPT_R, SCRYPT_P):  # the previous cost: re-hash it now
                new_salt, new_digest = _hash(pin)
                record = replace(
                    record, salt=new_salt, hash=new_digest, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P
                )
            if record.failures or record.locked_until or record.lockouts:
                record = replace(record, failures=0, locked_until=None, lockouts=0)
            if record != records[name.casefold()]:
                records[name.casefold()] = record
            return Operator(record.name, Role(record.role))
