"""The shop server: one PostgreSQL for all counters of a shop, the authority on whether a charge
may be refunded now (issue 20). Qt-free; a later journal "home" builds on it.

Why psycopg's **blocking** API, called from a worker thread: psycopg's asyncio mode refuses
Windows' ProactorEventLoop, and qasync's event loop on Windows is proactor-based (qasync issue 76).
The blocking API in a worker thread (`asyncio.to_thread`, a QThread) works the same on every OS,
and a plain connection still receives LISTEN/NOTIFY (`Connection.notifies(timeout=…)`). So
nothing here may be called on the GUI thread: every call may wait for the network (bounded by
the connect, lock and statement timeouts).

- `ShopServer` (server.py): claim / mark_sent / record_outcome / heartbeat / expire_leases, and
  shop-wide reads.

The order a counter keeps (what makes "no refund twice, none lost" hold across counters):
1. local journal `prepared` (this PC's SQLite, as today), with the attempt's idempotency key;
2. `claim(AttemptRecord(global_id=<that key>, …), counter)` — refused: ChargeOpenElsewhere,
   OverRefund, ChargeBusyElsewhere (exit 2, nothing sent); ShopUnavailable: nothing sent (exit 5),
   the local attempt is cancelled; a lost answer is safe to repeat (same key → `repeat=True`);
3. local `sent`, then `mark_sent(key, counter)`; only after it returned may the request leave
   (a `prepared` claim whose lease ran out is cancelled shop-wide on that promise; BadTransition
   here means: do not send; ShopUnavailable: do not send, record `not_sent` and push it — the
   server may hold `sent` if only its answer was lost, and `sent` → `not_sent` is allowed);
4. the gateway call; then the local outcome, then `record_outcome(…)` from an outbox (idempotent,
   repeat until it is accepted; until then the server keeps the charge blocked as `sent`);
5. `heartbeat(counter)` every lease/3 while anything is in flight; `expire_leases()` now and then
   from any counter turns dead counters' `sent` into `unknown` (reconcile, never retry).
- `Listener` (listener.py): LISTEN/NOTIFY on its own thread, re-read after every reconnect.
- `init_shop` (admin.py): create or upgrade the tables; the server settings a shop should have.
- schema.py + functions.py: versioned migrations, the tables and plpgsql functions.
"""

from cashier_gui.shop.admin import Advice, InitResult, init_shop, recommended_settings
from cashier_gui.shop.conninfo import ShopTarget, parse_url
from cashier_gui.shop.errors import (
    ApproverRefused,
    AttemptNotFound,
    BadTransition,
    ChargeBusyElsewhere,
    ChargeOpenElsewhere,
    OverDailyLimit,
    OverRefund,
    PolicyChanged,
    SessionRefused,
    ShopAccessDenied,
    ShopError,
    ShopInputError,
    ShopSchemaError,
    ShopUnavailable,
)
from cashier_gui.shop.listener import Listener
from cashier_gui.shop.model import (
    COUNTED,
    OPEN,
    AttemptRecord,
    Claimed,
    CounterInfo,
    Expired,
    Health,
    Imported,
    Kind,
    ShopAttempt,
    ShopPolicyRow,
    State,
)
from cashier_gui.shop.server import ShopServer

__all__ = [
    "COUNTED",
    "OPEN",
    "Advice",
    "ApproverRefused",
    "AttemptNotFound",
    "AttemptRecord",
    "BadTransition",
    "ChargeBusyElsewhere",
    "ChargeOpenElsewhere",
    "Claimed",
    "CounterInfo",
    "Expired",
    "Health",
    "Imported",
    "InitResult",
    "Kind",
    "Listener",
    "OverDailyLimit",
    "OverRefund",
    "PolicyChanged",
    "SessionRefused",
    "ShopAccessDenied",
    "ShopAttempt",
    "ShopError",
    "ShopInputError",
    "ShopPolicyRow",
    "ShopSchemaError",
    "ShopServer",
    "ShopTarget",
    "ShopUnavailable",
    "State",
    "init_shop",
    "parse_url",
    "recommended_settings",
]
