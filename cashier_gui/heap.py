"""Giving freed memory back to the operating system after a large, short-lived allocation.

glibc (Linux) moves its threshold for serving a request with its own mmap up to the size of the
last such block freed: after one PIN check (scrypt, 8 MiB of working memory), the next check's
8 MiB comes from the heap and stays resident once freed — measured +8 MiB for as long as the
app runs. `trim` (glibc's `malloc_trim(0)`) returns it; it is called after each scrypt run in
`operators`. Windows, macOS and other C libraries (musl) give such blocks back by themselves or
have no `malloc_trim`: there `trim` does nothing and says so (False).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable


def trim() -> bool:
    """Return the C heap's free memory to the OS; True when glibc did it, False where there is
    no glibc (then nothing happens). Takes about a millisecond: not for a tight loop."""
    malloc_trim = _malloc_trim()
    if malloc_trim is None:
        return False
    malloc_trim(0)
    return True


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes  # only here: the app otherwise never loads it

        libc = ctypes.CDLL("libc.so.6")  # glibc's name; musl's libc has another
        function = libc.malloc_trim
    except (ImportError, OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function
