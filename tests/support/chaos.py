"""Fault injection for the chaos test: per-charge faults inside the Viopay simulator, and a
loopback TCP proxy in front of it that can go down (connection refused, open connections reset).

Faults are planned per charge ID (the URL names it), not in one global queue, so with several
`cashier-refund` processes running at once a fault hits the refund it was planned for. The
journal allows one unresolved attempt per charge, so a charge's next refund request is the one
the test launched (or a re-send of its own unknown attempt).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import socket
import threading
from typing import Any

from aiohttp import web

from cashier_gui.simulators import viopay as vsim

#: Faults the simulator knows (FAULT_KINDS) plus two emulated here:
#: `hang_before_commit` — no answer until well after the client's deadline, then the connection
#: is closed, nothing committed; `late_commit` — wait past the client's deadline, then commit
#: (the client has given up: its refund goes through behind its back).
EMULATED = ("hang_before_commit", "late_commit")
_CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("chaos_fault", default=None)


class _ChargeFaults(vsim.Faults):
    """`take()` answers the fault planned for the refund request being handled (if any)."""

    def take(self) -> str | None:
        fault = _CURRENT.get()
        _CURRENT.set(None)  # one per request
        return fault if fault in vsim.FAULT_KINDS else None


class ChaosSimulator(vsim.ViopaySimulator):
    """The Viopay simulator with faults planned per charge: `plan[charge_id] = kind` hits the
    next refund request on that charge. `consumed` lists (charge_id, kind) as they hit."""

    def __init__(self, *, hang_seconds: float, **kw: Any) -> None:
        super().__init__(**kw)
        self.faults = _ChargeFaults()
        self.faults.hang_seconds = hang_seconds
        self.plan: dict[str, str] = {}
        self.consumed: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    async def _refund(self, request: web.Request) -> web.StreamResponse:
        charge_id = request.match_info["charge_id"]
        with self.lock:
            fault = self.plan.pop(charge_id, None)
            if fault is not None:
                self.consumed.append((charge_id, fault))
        if fault == "hang_before_commit":
            await request.read()
            await asyncio.sleep(self.faults.hang_seconds)
            return self._drop(request)
        if fault == "late_commit":
            await request.read()
            await asyncio.sleep(self.faults.hang_seconds)
            fault = None
        _CURRENT.set(fault)
        return await super()._refund(request)

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """charge_id -> (amount, refunded approved+pending), read under the server's feet."""
        return {c.charge_id: (c.amount.minor, c.refunded.minor) for c in self.charges.values()}


class FlakyProxy:
    """A loopback TCP proxy (its own thread and event loop) to `target_port`. `outage(seconds)`
    stops listening (new connections are refused) and resets every open connection, then
    listens again on the same port."""

    def __init__(self, target_port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.target_port = target_port
        with socket.socket() as probe:
            probe.bind((host, 0))
            self.port = probe.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self.outages = 0
        #: charge_id -> seconds: once the answer to a lookup of that charge is relayed, close
        #: that connection and refuse new ones for that long (the refund then cannot connect).
        self.refuse_after_lookup: dict[str, float] = {}
        self.refused_after_lookup: list[str] = []
        self._down = False
        self._all: set[asyncio.StreamWriter] = set()  # every open connection, for stop()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FlakyProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def stop(self) -> None:
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def outage(self, seconds: float) -> None:
        """Blocks for `seconds` while the proxy is down (open connections reset)."""
        self.outages += 1
        self._call(self._close_all())
        threading.Event().wait(seconds)
        self._call(self._listen())

    async def _refuse_for(self, seconds: float) -> None:
        if self._down or self._server is None:
            return
        self._down = True
        try:
            self._server.close()
            self._server = None
            await asyncio.sleep(seconds)
            if self._server is None:
                await self._listen()
        finally:
            self._down = False

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(15)

    async def _listen(self) -> None:
        for _ in range(200):
            if self._server is not None:  # an overlapping outage is over already
                return
            try:
                self._server = await asyncio.start_server(
                    self._accept, self.host, self.port, reuse_address=True
                )
                return
            except OSError:
                await asyncio.sleep(0.01)
        raise RuntimeError(f"the proxy cannot listen on {self.port} again")

    async def _shutdown(self) -> None:
        await self._close_all()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for writer in list(self._all):
            writer.transport.abort()
        await asyncio.sleep(0.05)  # let aborted transports finish closing

    async def _close_all(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._links):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self._links.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.target_port)
        except OSError:
            writer.transport.abort()
            return
        except asyncio.CancelledError:
            writer.transport.abort()
            raise
        self._links.update((writer, up_writer))
        self._all.update((writer, up_writer))

        then_down: list[float] = []

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    if dst is up_writer and data.startswith(b"GET /pos/charge/"):
                        charge = data[16:].split(b" ", 1)[0].decode("ascii", "replace")
                        seconds = self.refuse_after_lookup.pop(charge, None)
                        if seconds is not None:
                            self.refused_after_lookup.append(charge)
                            then_down.append(seconds)
                    dst.write(data)
                    await dst.drain()
                    if dst is writer and then_down:
                        # the lookup's answer is out: hang up, refuse the refund's connection
                        task = asyncio.get_running_loop().create_task(
                            self._refuse_for(then_down[0])
                        )
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                        break
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                with contextlib.suppress(Exception):
                    dst.close()

        try:
            await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        finally:
            for w in (writer, up_writer):
                self._links.discard(w)
                self._all.discard(w)
                with contextlib.suppress(Exception):
                    w.close()
                with contextlib.suppress(Exception):
                    await w.wait_closed()
