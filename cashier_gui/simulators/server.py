"""Run a simulator's aiohttp application as a real HTTP server.

`ServerThread` serves it from a thread with its own event loop (training mode inside the app,
and tests), so the simulator never competes with the window for the GUI thread. `serve_forever`
runs it in the foreground for `cashier-refund sim …`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

from cashier_gui.simulators.aiohttp_web import web


async def _start(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    await site.start()
    bound = runner.addresses[0][1]
    return runner, int(bound)


class ServerThread:
    """A simulator on `host:port` (port 0: any free one) in a background thread."""

    def __init__(
        self, make_app: Callable[[], web.Application], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._make_app = make_app
        self.host = host
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="simulator", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the simulator did not start in time")
        if self._error is not None:
            raise RuntimeError(f"the simulator could not start: {self._error}") from self._error
        return self

    def stop(self) -> None:
        """Close the listener and every open connection, then end the thread."""
        if not self._thread.is_alive():
            return

        async def shutdown() -> None:
            if self._runner is not None:
                await self._runner.cleanup()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._runner, self.port = self._loop.run_until_complete(
                _start(self._make_app(), self.host, self.port)
            )
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()


async def serve_forever(
    app: web.Application, host: str, port: int, announce: Callable[[str], None]
) -> None:
    """Serve until cancelled (Ctrl+C); `announce` gets the URL once the port is bound."""
    runner, bound = await _start(app, host, port)
    announce(f"http://{host}:{bound}")
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
