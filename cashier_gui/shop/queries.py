"""Reading attempts back: the columns, a row as a ShopAttempt, the shop-wide filter."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from psycopg import sql

from cashier_gui.shop.errors import ShopInputError
from cashier_gui.shop.model import Kind, ShopAttempt, State, money_or_none

COLUMNS = sql.SQL(
    "SELECT global_id, counter, charge_id, kind, provider, amount_minor, currency, state, "
    "refund_id, error_code, gateway_text, operator, approver, created_at, updated_at, "
    "lease_until, terminal, transaction_reference, reason, full_refund, card_brand, card_last4 "
    "FROM attempts"
)


def attempt_from_row(row: tuple[Any, ...]) -> ShopAttempt:
    (gid, counter, charge, kind, provider, minor, currency, state) = row[:8]
    return ShopAttempt(
        global_id=gid,
        counter=counter,
        charge_id=charge,
        kind=Kind(kind),
        provider=provider,
        amount=money_or_none(minor, currency),
        currency=currency,
        state=State(state),
        refund_id=row[8],
        error_code=row[9],
        gateway_text=row[10],
        operator=row[11],
        approver=row[12],
        created_at=row[13],
        updated_at=row[14],
        lease_until=row[15],
        terminal=row[16],
        transaction_reference=row[17],
        reason=row[18],
        full_refund=bool(row[19]),
        card_brand=row[20],
        card_last4=row[21],
    )


def attempts_query(
    charge_id: str | None,
    counter: str | None,
    states: Iterable[State | str] | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> tuple[sql.Composed, list[Any]]:
    """The query behind ShopServer.attempts, checked; ShopInputError for a bad filter."""
    where: list[sql.Composable] = []
    args: list[Any] = []
    if charge_id is not None:
        where.append(sql.SQL("charge_id = %s"))
        args.append(charge_id)
    if counter is not None:
        where.append(sql.SQL("counter = %s"))
        args.append(counter)
    if states is not None:
        try:
            wanted = sorted({State(s).value for s in states})
        except ValueError:
            raise ShopInputError("Unknown attempt state in the filter.") from None
        where.append(sql.SQL("state = ANY(%s)"))
        args.append(wanted)
    for bound, op in ((since, ">="), (until, "<")):
        if bound is None:
            continue
        if not isinstance(bound, datetime) or bound.tzinfo is None:
            raise ShopInputError("Times for the shop server must carry a time zone.")
        where.append(sql.SQL("created_at {} %s").format(sql.SQL(op)))
        args.append(bound)
    if not isinstance(limit, int) or not 1 <= limit <= 100_000:
        raise ShopInputError("A limit is 1 to 100000 attempts.")
    query = sql.Composed([COLUMNS])
    if where:
        query = query + sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where)
    query = query + sql.SQL(" ORDER BY created_at DESC, global_id LIMIT %s")
    args.append(limit)
    return query, args
