"""httpcore's per-request `import sniffio` must not search sys.path again and again on the GUI
thread's event loop (cashier_gui.gateways.http blocks it when sniffio is not installed)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import importlib.util, sys, time
installed = importlib.util.find_spec("sniffio") is not None
import cashier_gui.gateways.http
from httpcore._synchronization import current_async_library
assert current_async_library() == "asyncio"
if installed:
    assert sys.modules.get("sniffio") is not None or "sniffio" not in sys.modules
else:
    assert "sniffio" in sys.modules and sys.modules["sniffio"] is None
    start = time.perf_counter()
    for _ in range(1000):
        try:
            import sniffio  # noqa: F401
        except ImportError:
            pass
    per_import_us = (time.perf_counter() - start) * 1000
    assert per_import_us < 10, per_import_us  # a search of sys.path is ≈ 25 µs
print("ok")
"""


def test_a_missing_sniffio_is_not_searched_for_on_every_request() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
