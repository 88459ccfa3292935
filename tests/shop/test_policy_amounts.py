"""Issue 21 hardening, item 3: the shop server takes only policy amounts every counter can
read — each currency's decimals (ISO 4217's exponent) as money.py knows them, more than zero,
within MAX_MINOR_UNITS — on a real PostgreSQL. Before, it took JPY "100.5", EUR "0.001" and a
currency "ABC", and then every counter refused every cashier's refund (the policy unusable)."""

from __future__ import annotations

import pytest
from babel.numbers import list_currencies

from cashier_gui.money import currency_digits
from cashier_gui.policy import Policy, PolicyError
from cashier_gui.shop import ShopInputError, ShopServer
from cashier_gui.shop.currencies_sql import CURRENCY_DIGITS
from tests.shop.people_support import put_policy, staff


def test_the_servers_table_is_the_currencies_money_knows() -> None:
    assert {code: currency_digits(code) for code in list_currencies()} == CURRENCY_DIGITS


@pytest.mark.parametrize(
    ("currency", "amount"),
    [
        ("JPY", "100.5"),  # yen have no decimals
        ("EUR", "0.001"),  # cents are the smallest
        ("EUR", "1.234"),
        ("KWD", "1.2345"),  # fils: three
        ("ABC", "1.00"),  # no such currency
        ("EUR", "0"),  # nothing
        ("EUR", "0.00"),
        ("EUR", "10000000000000.00"),  # 10^15 cents: over MAX_MINOR_UNITS
        ("EUR", "1e3"),
    ],
)
def test_an_amount_no_counter_could_read_is_refused(
    shop: ShopServer, currency: str, amount: str
) -> None:
    staff(shop)
    wanted = {"approval_above": {currency: amount}}
    with pytest.raises(PolicyError):
        Policy.from_toml(wanted)  # what every counter would do with it
    with pytest.raises(ShopInputError, match="refused the policy"):
        put_policy(shop, wanted)
    with pytest.raises(ShopInputError, match="refused the policy"):
        put_policy(shop, {"no_lookup_above": {currency: amount}})
    assert shop.policy().version == 0


def test_every_amount_the_server_takes_every_counter_reads(shop: ShopServer) -> None:
    staff(shop)
    wanted = {
        "approval_above": {"JPY": "5000", "EUR": "50.5", "KWD": "1.234", "CLF": "0.0001"},
        "no_lookup_above": {"USD": "999999999999.99", "ISK": "999999999999999"},
    }
    assert put_policy(shop, wanted) == 1
    read = Policy.from_toml(shop.policy().policy)
    assert read.approval_above == {"JPY": 5000, "EUR": 5050, "KWD": 1234, "CLF": 1}
    assert read.no_lookup_above == {"USD": 99999999999999, "ISK": 999999999999999}
