"""OS file locks, the same on POSIX and Windows: `try_lock`/`unlock` on an open file
(BSD `flock` on POSIX, `msvcrt.locking` on Windows — locks are per open file, and the operating
system drops them when the process ends, however it ends), and `exclusive_file_lock` for a
short read-modify-write that other processes must not interleave with."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def unlock(fd: int) -> None:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass

else:
    import fcntl

    def try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def open_lock_file(path: Path) -> int:
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    if os.name == "posix":
        os.fchmod(fd, 0o600)
    return fd


@contextlib.contextmanager
def exclusive_file_lock(path: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold an exclusive OS lock on `path` (created 0600) for a short read-modify-write that
    other processes must not interleave with. Waits up to `timeout` seconds."""
    import time

    fd = open_lock_file(path)
    try:
        deadline = time.monotonic() + timeout
        while not try_lock(fd):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} is held by another process")
            time.sleep(0.01)
        try:
            yield
        finally:
            unlock(fd)
    finally:
        os.close(fd)
