"""`Listener`: hear the shop's changes (LISTEN shop_attempts) on a thread of its own.

Notifications are a wake-up, not the truth: PostgreSQL delivers them only on commit and keeps
none for a listener that was away. So after every (re)connect the listener LISTENs again and
calls `on_connected()` — "re-read everything you show" — before it passes on any charge ID.
It uses its own plain connection (a pool's connection may not LISTEN: it is shared; a
transaction-pooling proxy such as pgbouncer in transaction mode breaks LISTEN too).

The callbacks run on the listener's thread: a Qt caller hands them over to the GUI thread
(a queued signal) and never touches widgets from them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg

from cashier_gui.shop.conninfo import ShopTarget
from cashier_gui.shop.deadline import deadline
from cashier_gui.shop.schema import CHANNEL, POLICY_CHANNEL

log = logging.getLogger(__name__)


class Listener:
    """Start with `start()` (or `with Listener(...)`), stop with `stop()`. `on_change(payload)`
    for every notification on `channel` (`shop_attempts`: a charge ID; `shop_policy`: the
    policy's new version); `on_connected()` after every connect and reconnect (the first
    included); `on_lost()` when the connection went (optional)."""

    def __init__(
        self,
        target: ShopTarget,
        on_change: Callable[[str], None],
        on_connected: Callable[[], None],
        *,
        password: str | None = None,
        on_lost: Callable[[], None] | None = None,
        poll_s: float = 0.5,
        retry_s: tuple[float, float] = (0.5, 10.0),
        ping_s: float = 15.0,
        channel: str = CHANNEL,
    ) -> None:
        self._kwargs = target.connect_kwargs(password, application_name="cashier-refund listen")
        self._kwargs["autocommit"] = True
        if channel not in (CHANNEL, POLICY_CHANNEL):
            raise ValueError(f"no shop channel {channel!r}")
        self.channel = channel
        self.on_change, self.on_connected, self.on_lost = on_change, on_connected, on_lost
        self.poll_s = poll_s
        self.ping_s = ping_s
        self.retry_s = retry_s
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.reconnects = 0
        self._thread = threading.Thread(
            target=self._loop, name=f"shop-listener-{channel}", daemon=True
        )

    def start(self) -> Listener:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def __enter__(self) -> Listener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _loop(self) -> None:
        delay = self.retry_s[0]
        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(**self._kwargs) as conn:
                    conn.execute(f"LISTEN {self.channel}")
                    if not first:
                        self.reconnects += 1
                    first = False
                    delay = self.retry_s[0]
                    self.connected.set()
                    self._safely(self.on_connected)
                    self._listen(conn)
            except psycopg.OperationalError as exc:
                log.info("shop listener: connection lost or refused (%s)", type(exc).__name__)
            if self.connected.is_set():
                self.connected.clear()
                if self.on_lost is not None:
                    self._safely(self.on_lost)
            if self._stop.wait(delay):
                return
            delay = min(delay * 2, self.retry_s[1])

    def _listen(self, conn: psycopg.Connection[Any]) -> None:
        """Pass notifications on; when none came for `ping_s`, ask the server something under
        a deadline: a link that ACKs but never answers would otherwise look like a quiet shop."""
        last = time.monotonic()
        while not self._stop.is_set():
            for note in conn.notifies(timeout=self.poll_s):
                last = time.monotonic()
                self._safely(self.on_change, note.payload)
                if self._stop.is_set():
                    return
            if time.monotonic() - last > self.ping_s:
                with deadline(conn, min(self.ping_s, 5.0)):
                    conn.execute("SELECT 1")
                last = time.monotonic()

    def _safely(self, callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception:
            log.exception("shop listener: a callback failed")
