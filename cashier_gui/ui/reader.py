"""One journal reader on a thread of its own, for windows that read the journal (History, the
report): `await worker.call(fn)` runs `fn(reader)` there, so no read — a count over 100,000
rows, a page, a day's totals, or opening the journal itself — ever runs on the GUI thread.
Calls run one at a time, in the order made."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from cashier_gui.journal import JournalReader

T = TypeVar("T")


class ReaderWorker:
    def __init__(self, open_reader: Callable[[], JournalReader]) -> None:
        """`open_reader`: the runtime's (it decides where the journal lives); called once, on
        the worker thread, at the first call."""
        self._open = open_reader
        self._reader: JournalReader | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal-reader")
        self._closed = False

    def _run(self, fn: Callable[[JournalReader], T]) -> T:
        if self._reader is None:
            self._reader = self._open()
        return fn(self._reader)

    async def call(self, fn: Callable[[JournalReader], T]) -> T:
        if self._closed:
            raise asyncio.CancelledError
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._run, fn)

    def close(self) -> None:
        """Close the reader after the calls already made (on its thread; does not wait)."""
        if self._closed:
            return
        self._closed = True

        def shut() -> None:
            if self._reader is not None:
                self._reader.close()

        self._pool.submit(shut)
        self._pool.shutdown(wait=False)
