"""Who is sending a refund right now: one lock file per journal user, held for its lifetime.

A refund in flight (`prepared` or `sent` in the journal) records the token of the `OwnerLock`
that sends it. At start-up another process must tell an attempt whose sender died (settle it:
`prepared` → not sent, `sent` → unknown) from one that a live window or CLI is still sending
(leave it alone). Process IDs are reused and a process's start time is not portable, so the
test is an OS file lock (`cashier_gui.locks`): `OwnerLock` holds an exclusive lock on
`{folder}/{token}.lock`; the operating system drops it when the process ends, however it ends
(SIGKILL and power loss included). `is_alive(token)` tries to take that lock: taken → the owner
is gone.

This is a property of one PC's SQLite home: a shop's counters tell a dead counter by its lease.
Two journals opened in one process are two owners — which is what the tests use to play two
processes.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

from cashier_gui.locks import open_lock_file as _open
from cashier_gui.locks import try_lock as _try_lock
from cashier_gui.locks import unlock as _unlock


class OwnerLock:
    """This process's claim on refunds it is sending. Create once per journal; `close()` (or the
    process ending) gives it up."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(folder, 0o700)
        self.token = uuid.uuid4().hex
        self._path = folder / f"{self.token}.lock"
        self._fd: int | None = _open(self._path)
        if not _try_lock(self._fd):  # a fresh random name: cannot be held by anyone else
            raise OSError(f"cannot lock {self._path}")

    def close(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _unlock(fd)
        os.close(fd)
        with contextlib.suppress(OSError):
            self._path.unlink()

    def is_alive(self, token: str | None) -> bool:
        """True while the owner of `token` is running (this lock's own token included)."""
        if token is None:
            return False
        if token == self.token:
            return self._fd is not None
        if not token.isalnum():
            return False
        path = self.folder / f"{token}.lock"
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            if not _try_lock(fd):
                return True
            _unlock(fd)
        finally:
            os.close(fd)
        # Its owner is gone: tidy up (another process may have done so already).
        with contextlib.suppress(OSError):
            path.unlink()
        return False


def anyone_alive(folder: Path) -> bool:
    """Does any process still hold an owner lock in `folder` (a journal's `.owners`)?"""
    if not folder.is_dir():
        return False
    for path in folder.glob("*.lock"):
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        try:
            if not _try_lock(fd):
                return True
            _unlock(fd)
        finally:
            os.close(fd)
    return False
