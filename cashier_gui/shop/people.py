"""`ShopPeople`: the shop's people on the shop server, behind the same `PeopleStore` the window
and the CLI use on a counter alone (`cashier_gui.operators`). And `upload_people`, which moves a
counter's people file to the shop (for `cashier-refund shop import`).

The counter never sees a PIN hash: it sends the PIN over the shop link (TLS off loopback) and
the server checks it, counts failures across every counter and locks with a growing schedule
(1, 5, 15, then 60 minutes). Each change of people carries the manager's name and PIN, checked
by the server in the same function that makes the change (people_sql.py says how and why).

Every call blocks on the network: call them from a worker thread (the window does), never the
GUI thread. Nothing is connected, and the keyring is not read, until the first call.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from cashier_gui.i18n import _
from cashier_gui.operators import (
    ManagerPin,
    Operator,
    OperatorError,
    PeopleStore,
    Role,
    by_manager,
    check_name,
    check_pin,
    last_manager_words,
)
from cashier_gui.shop.errors import ShopAccessDenied, ShopUnavailable
from cashier_gui.shop.pin_words import pin_refused
from cashier_gui.shop.server import ShopServer


def _change_refused(exc: psycopg.Error, name: str) -> OperatorError | None:
    """The people functions' own refusals (SH020–SH025) as sentences; None for any other."""
    code = exc.sqlstate or ""
    if code == "SH020":
        return OperatorError(_("There is already an operator called {name}.").format(name=name))
    if code == "SH021":
        return OperatorError(_("There is no operator called {name}.").format(name=name))
    if code == "SH022":
        return OperatorError(_("The first operator must be a manager."))
    if code == "SH023":
        return OperatorError(_("Keep at least one manager: add another manager first."))
    if code == "SH024":
        return OperatorError(
            _("The shop server refused the name, role or PIN; nothing was changed.")
        )
    if code == "SH025":
        return OperatorError(_("Only a manager can change people: give a manager's name and PIN."))
    return None


class ShopPeople:
    """The shop's people through `shop_people_public` and the `shop_people_*` functions.

    `server` is built on first use (`connect()`), so constructing this never blocks: the window
    may build it on the GUI thread and call it from a worker thread."""

    def __init__(self, connect: Callable[[], ShopServer], counter: str) -> None:
        self._connect = connect
        self.counter = counter
        self._server: ShopServer | None = None
        self._lock = threading.Lock()

    @classmethod
    def at(
        cls,
        url: str,
        counter: str,
        *,
        password: Callable[[], str | None] | None = None,
        ca_file: str | Path | None = None,
    ) -> ShopPeople:
        def connect() -> ShopServer:
            return ShopServer(
                url,
                password=password() if password is not None else None,
                ca_file=ca_file,
                max_connections=2,
                application_name=f"cashier-refund {counter} people",
            )

        return cls(connect, counter)

    @property
    def server(self) -> ShopServer:
        with self._lock:
            if self._server is None:
                self._server = self._connect()
            return self._server

    def close(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.close()

    # ---- queries ----------------------------------------------------------------------------

    def _read(self, body: Callable[[psycopg.Connection[Any]], Any]) -> Any:
        """Who the shop's people are, or why nobody can sign in: said for sign-in, not with
        the refund screen's "so nothing was sent" (the sign-in page shows it as it is)."""
        try:
            return self.server.run(body)
        except ShopAccessDenied:
            raise
        except ShopUnavailable as exc:
            raise ShopUnavailable(
                exc.reason,
                _(
                    "The shop server cannot be reached, and the shop's people and PINs are kept "
                    "there: nobody can sign in or approve at this counter until it answers. "
                    "Check the shop server and this counter's network."
                ),
            ) from None

    def list(self) -> list[Operator]:
        rows = self._read(
            lambda conn: conn.execute(
                "SELECT name, role FROM shop_people_public ORDER BY lower(name)"
            ).fetchall()
        )
        return [Operator(name, Role(role)) for name, role in rows]

    def any(self) -> bool:
        row = self._read(
            lambda conn: conn.execute("SELECT EXISTS (SELECT FROM shop_people_public)").fetchone()
        )
        return bool(row and row[0])

    def locked_until(self, name: str) -> dt.datetime | None:
        row = self.server.run(
            lambda conn: conn.execute(
                "SELECT locked_until FROM shop_people_public WHERE lower(name) = lower(%s) "
                "AND locked_until > now()",
                (name,),
            ).fetchone()
        )
        return row[0] if row else None

    def verify(self, name: str, pin: str) -> Operator:
        """The person when `pin` is theirs; WrongPin, LockedOut (counted on the server, across
        every counter) or OperatorError."""
        row = self._call("shop_people_verify", (name, pin, self.counter), name)
        refused = pin_refused(row, name)
        if refused is not None:
            raise refused
        return Operator(str(row[1]), Role(row[2]))

    def sign_in(self, name: str, pin: str) -> Operator:
        """`verify`, and the server opens a sign-in session in the same step (schema 10): the
        Operator carries its token, which the claim proves who refunds with. The token is
        returned once and kept in this Operator only (memory; never written anywhere)."""
        params = (name, pin, self.counter)

        def body(conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
            row = conn.execute(
                "SELECT status, person, person_role, locked_until, left_tries, lock_minutes, "
                "token FROM shop_people_sign_in(%s, %s, %s)",
                params,
            ).fetchone()
            assert row is not None  # a function with OUT parameters always returns a row
            return tuple(row)

        row = self.server.run(body)
        refused = pin_refused(row[:6], name)
        if refused is not None:
            raise refused
        return Operator(str(row[1]), Role(row[2]), session=str(row[6]))

    def sign_out(self, operator: Operator) -> None:
        """End `operator`'s session on the server (sign-out, the idle lock). True ending is
        best effort — the server unreachable leaves it to expire (12 hours at most)."""
        token = operator.session
        if token is None:
            return
        self.server.run(
            lambda conn: conn.execute(
                "SELECT shop_session_end(%s, %s)", (token, self.counter)
            ).fetchone()
        )

    # ---- changes ----------------------------------------------------------------------------

    def add(self, name: str, role: Role, pin: str, *, by: ManagerPin | None = None) -> Operator:
        name, pin = check_name(name), check_pin(pin)
        self._change("shop_people_add", by, name, str(role), pin)
        return Operator(name, role)

    def add_without_pin(self, name: str, role: Role, *, by: ManagerPin | None) -> Operator:
        """Someone who cannot sign in until a manager sets their PIN (upload_people)."""
        name = check_name(name)
        self._change("shop_people_add", by, name, str(role), None)
        return Operator(name, role)

    def remove(self, name: str, *, by: ManagerPin | None = None) -> None:
        self._change("shop_people_remove", by, name)

    def set_pin(self, name: str, pin: str, *, by: ManagerPin | None = None) -> None:
        self._change("shop_people_set_pin", by, name, check_pin(pin))

    def unlock(self, name: str, *, by: ManagerPin | None = None) -> None:
        self._change("shop_people_unlock", by, name)

    def lock(self, name: str, *, by: ManagerPin | None = None) -> None:
        """Lock someone until a manager unlocks them or sets a new PIN (a cashier who left, a
        PIN that may be known to others). The last manager not locked by a manager is not
        locked (operators.py says why): checked here, before the server's function, which
        does not check it itself (its schema is the people-21 one; a later schema may)."""
        people = self.list()
        target = next((op for op in people if op.name.casefold() == name.casefold()), None)
        if target is not None and target.is_manager:
            now = dt.datetime.now(dt.UTC)
            others = [op for op in people if op.is_manager and op is not target]
            if not any(
                (until := self.locked_until(op.name)) is None or not by_manager(until, now)
                for op in others
            ):
                raise OperatorError(last_manager_words(target.name))
        self._change("shop_people_lock", by, name)

    def _change(self, function: str, by: ManagerPin | None, name: str, *args: Any) -> None:
        params = (by.name if by else None, by.pin if by else None, self.counter, name, *args)
        row = self._call(function, params, name)
        refused = pin_refused(row, by.name if by else name)
        if refused is not None:
            raise refused

    def _call(self, function: str, params: tuple[Any, ...], name: str) -> tuple[Any, ...]:
        query = sql.SQL(
            "SELECT status, person, person_role, locked_until, left_tries, lock_minutes FROM {}({})"
        ).format(sql.Identifier(function), sql.SQL(", ").join([sql.Placeholder()] * len(params)))

        def body(conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
            row = conn.execute(query, params).fetchone()
            assert row is not None  # a function with OUT parameters always returns a row
            return tuple(row)

        try:
            return self.server.run(body)
        except psycopg.Error as exc:
            refused = _change_refused(exc, name)
            if refused is None:
                raise
            raise refused from None


# ---- moving a counter's people to the shop ----------------------------------------------------


@dataclass
class Upload:
    """What `upload_people` did. `clashes`: names already on the server, left untouched (ask,
    then call again with them in `overwrite`). `without_pin`: added without a PIN — they sign
    in once a manager has set one."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    clashes: list[str] = field(default_factory=list)
    without_pin: list[str] = field(default_factory=list)


def upload_people(
    local: PeopleStore,
    shop: ShopPeople,
    *,
    manager: str,
    manager_pin: str,
    pins: Callable[[Operator], str | None] | None = None,
    overwrite: Collection[str] = (),
) -> Upload:
    """Copy this counter's people (`local`) to the shop, as `manager` (a manager in the local
    file, PIN checked there; and on the server too, unless the shop has nobody yet, when they
    become its first manager with that PIN).

    Decision: a local scrypt hash cannot become the server's bcrypt hash (neither can be turned
    into the other without the PIN). So the importing manager's PIN is hashed again on the
    server (typed now, checked against the local file); each other person's PIN is hashed again
    when `pins(person)` gives it (checked against the local file first: a wrong one raises
    WrongPin and counts, as a sign-in does); everyone else is added *without a PIN* and cannot
    sign in until a manager sets one (`operator pin NAME`, or People… → New PIN). Never "the
    first to sign in chooses the PIN": whoever typed a manager's name first would own that
    manager.

    A name already on the server is never replaced silently: it is returned in `clashes`
    (nothing done to it) unless it is in `overwrite` (matched without regard to case), when it
    is removed and added again with this counter's role. Running it twice adds nothing twice.
    Raises OperatorError (and its WrongPin, LockedOut) with a sentence; what was added before
    an error stays added, and a second run picks up the rest."""
    me = local.verify(manager, manager_pin)
    if not me.is_manager:
        raise OperatorError(
            _("{name} is not a manager: only a manager can move people to the shop.").format(
                name=me.name
            )
        )
    by = ManagerPin(me.name, manager_pin)
    result = Upload()
    on_server = {op.name.casefold(): op for op in shop.list()}
    replace = {name.casefold() for name in overwrite}
    if on_server and me.name.casefold() not in on_server:
        # The server checks every change against its own managers: this PC's manager must be
        # one of them too (same name and PIN), or the shop's says "no operator called …".
        raise OperatorError(
            _(
                "{name} is a manager on this PC but not on the shop server, which has people "
                "already, so the shop cannot take people from {name}. Nothing was moved. A "
                "manager of the shop adds {name} first, as a manager with the PIN {name} uses "
                'here (cashier-refund operator add "{name}" --role manager --manager M, or '
                "People… at any counter); then run the import again."
            ).format(name=me.name)
        )
    if not on_server:
        shop.add(me.name, Role.MANAGER, manager_pin)  # the shop's first manager
        result.added.append(me.name)
        on_server[me.name.casefold()] = me
    for person in local.list():
        key = person.name.casefold()
        if key == me.name.casefold() and person.name in result.added:
            continue
        if key in on_server:
            if key not in replace:
                result.clashes.append(person.name)
                continue
            shop.remove(on_server[key].name, by=by)
        pin = manager_pin if key == me.name.casefold() else (pins(person) if pins else None)
        if pin is not None and key != me.name.casefold():
            local.verify(person.name, pin)  # the PIN they typed is theirs
        if pin is None:
            shop.add_without_pin(person.name, person.role, by=by)
            result.without_pin.append(person.name)
        else:
            shop.add(person.name, person.role, pin, by=by)
        (result.replaced if key in on_server else result.added).append(person.name)
    return result
