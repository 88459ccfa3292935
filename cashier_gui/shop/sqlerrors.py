"""The shop functions' own errors (SQLSTATE SHnnn, see functions.py) and the constraints'
violations, as the shop's errors. DETAIL carries JSON where the caller needs values."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import psycopg

from cashier_gui.money import Money
from cashier_gui.shop.errors import (
    AttemptNotFound,
    BadTransition,
    ChargeOpenElsewhere,
    OverDailyLimit,
    OverRefund,
    PolicyChanged,
    ShopInputError,
)
from cashier_gui.shop.model import money_or_none


def _detail(exc: psycopg.Error) -> dict[str, Any]:
    try:
        value = json.loads(exc.diag.message_detail or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def mapped(exc: psycopg.Error) -> Exception:
    """The functions' own errors (SHnnn) and the constraints' as the shop's errors."""
    code = exc.sqlstate or ""
    d = _detail(exc)
    if code == "SH001":
        return ChargeOpenElsewhere(
            _charge_of(exc),
            global_id=str(d.get("global_id")),
            counter=str(d.get("counter")),
            when=datetime.fromisoformat(str(d.get("created_at"))),
            amount=money_or_none(d.get("amount_minor"), d.get("currency")),
            state=str(d.get("state")),
        )
    if code == "SH002":
        return OverRefund(_charge_of(exc), Money(int(d.get("left") or 0), str(d.get("currency"))))
    if code == "SH005":
        gid = str(exc.diag.message_primary or "").split()[1:2]
        return BadTransition(gid[0] if gid else "?", str(d.get("current")), str(d.get("wanted")))
    if code == "SH006":
        return AttemptNotFound(str(exc.diag.message_primary or "").removeprefix("no attempt "))
    if code == "SH011":
        return OverDailyLimit(int(d.get("count") or 0), int(d.get("limit") or 0))
    if code == "SH012":
        return PolicyChanged(int(exc.diag.message_detail or 0))
    if code == "SH013":
        return ShopInputError(
            f"The shop server refused the policy ({exc.diag.message_detail}); nothing was changed."
        )
    messages = {
        "SH003": "This attempt's global ID was already claimed for another charge, kind, "
        "counter or amount; nothing was written.",
        "SH004": f"The charge is in {exc.diag.message_detail}; nothing was written.",
        "SH007": f"Only {exc.diag.message_detail}, which claimed this attempt, may send it.",
        "SH008": "The outcome's amount or currency is not the attempt's; nothing was written.",
        "SHI01": "An attempt without a final answer cannot be imported; nothing was written.",
        "SHI02": "The attempt's history does not lead to its state; nothing was written.",
    }
    if code in messages:
        return ShopInputError(messages[code])
    if code.startswith(("22", "23")):
        return ShopInputError(f"The shop server refused a value ({code}); nothing was written.")
    return exc


def _charge_of(exc: psycopg.Error) -> str:
    """`charge X has …` → X (the functions name the charge in their message)."""
    text = str(exc.diag.message_primary or "")
    return text.removeprefix("charge ").rsplit(" has ", 1)[0]
