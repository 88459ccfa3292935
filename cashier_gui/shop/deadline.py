"""A client-side deadline for one blocking psycopg call.

The server's statement_timeout and lock_timeout cover a slow server; TCP keepalives and the TCP
user timeout cover a dead host (no ACKs). Neither covers a link that ACKs but never answers — a
hung server process, a middlebox that swallows the answers: a blocking psycopg call would wait
for ever. So every call runs under a deadline: when it passes, the connection's socket is shut
down from a timer thread, the blocked call fails at once with OperationalError (the caller says
ShopUnavailable), and the broken connection is never reused.

Only the socket is shut down, never closed from here (its file descriptor stays psycopg's).
The timer fires only while the guarded block runs: `done()` under the same lock ends it, so a
connection handed back to the pool is never touched.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

import psycopg


class Deadline:
    def __init__(self, conn: psycopg.Connection[Any], seconds: float) -> None:
        self._fd = conn.fileno()
        self._lock = threading.Lock()
        self._finished = False
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.fired = True
            sock = socket.socket(fileno=self._fd)
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already gone
            finally:
                sock.detach()  # the descriptor stays psycopg's

    def done(self) -> None:
        with self._lock:
            self._finished = True
        self._timer.cancel()


@contextlib.contextmanager
def deadline(conn: psycopg.Connection[Any], seconds: float) -> Iterator[Deadline]:
    guard = Deadline(conn, seconds)
    try:
        yield guard
    finally:
        guard.done()
