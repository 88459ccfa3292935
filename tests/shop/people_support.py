"""The shop's people for tests that change its policy: the shop server checks the manager's
name and PIN itself (shop_set_policy), so such a test staffs the shop first."""

from __future__ import annotations

from typing import Any

from cashier_gui.shop import ShopServer

#: The PINs of the managers (Mia, Bo) and the cashier (Cat) `staff` adds.
PINS = {"Mia": "2468", "Bo": "8642", "Cat": "1357"}


def staff(server: ShopServer, counter: str = "Till 1") -> None:
    """Mia (the first person: a manager, no manager needed), then Bo (manager) and Cat
    (cashier), added by Mia — through the functions a counter's login calls."""

    def add(conn: Any) -> None:
        for name, role, by in (
            ("Mia", "manager", None),
            ("Bo", "manager", "Mia"),
            ("Cat", "cashier", "Mia"),
        ):
            row = conn.execute(
                "SELECT status FROM shop_people_add(%s, %s, %s, %s, %s, %s)",
                (by, PINS[by] if by else None, counter, name, role, PINS[name]),
            ).fetchone()
            assert row is not None and row[0] == "ok", row

    server.run(add)


def put_policy(
    server: ShopServer, policy: dict[str, Any], manager: str = "Mia", counter: str = "Till 1"
) -> int:
    """Set the shop's policy as `manager` with their right PIN; the new version."""
    change = server.set_policy(policy, manager, PINS[manager], counter)
    assert change.status == "ok" and change.version is not None, change
    return change.version


def sign_in(server: ShopServer, name: str, counter: str = "Till 1") -> str:
    """`name`'s sign-in session at `counter` (schema 10), with their right PIN: the token a
    claim proves its operator with."""

    def open_session(conn: Any) -> str:
        row = conn.execute(
            "SELECT status, token FROM shop_people_sign_in(%s, %s, %s)",
            (name, PINS[name], counter),
        ).fetchone()
        assert row is not None and row[0] == "ok", row
        return str(row[1])

    token: str = server.run(open_session)
    return token
