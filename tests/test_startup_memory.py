"""What start-up leaves in memory for good: the source lines PySide6's import hook reads into
linecache are dropped once the window is ready (app.freeze_startup_objects); the training
simulators' aiohttp holds no trust store it never uses (simulators/aiohttp_web.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_source_lines_pyside_reads_at_each_import_are_dropped_when_ready(
    tmp_path: Path,
) -> None:
    (tmp_path / "importer.py").write_text("import fractions  # any import\n", encoding="utf-8")
    code = f"""
import linecache, sys
sys.path.insert(0, {str(tmp_path)!r})
import PySide6.QtCore  # installs the __feature__ import hook
import importer
assert any(name.endswith("importer.py") for name in linecache.cache), sorted(linecache.cache)
from cashier_gui.app import freeze_startup_objects
freeze_startup_objects()  # in a process of its own: it freezes the garbage collector too
assert not linecache.cache, sorted(linecache.cache)
# A traceback still shows its source lines: linecache reads the file again.
assert linecache.getline({str(tmp_path / "importer.py")!r}, 1).startswith("import fractions")
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_aiohttp_client_contexts_read_the_trust_store_when_first_used() -> None:
    """The simulators' aiohttp keeps no trust store in memory until its client makes a TLS
    connection; its verifying context still verifies, against the same store as Python's
    default context."""
    import ssl

    import aiohttp.connector

    from cashier_gui.simulators.aiohttp_web import CertificatesOnFirstUse, web

    assert web.Application is not None
    verified = aiohttp.connector._SSL_CONTEXT_VERIFIED
    assert isinstance(verified, CertificatesOnFirstUse)
    assert verified.verify_mode == ssl.CERT_REQUIRED and verified.check_hostname
    default = ssl.create_default_context()
    assert verified.verify_flags == default.verify_flags
    assert verified.minimum_version == default.minimum_version
    assert verified.options == default.options
    verified.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="a.example")
    with_store = verified.cert_store_stats()
    assert with_store == default.cert_store_stats() and with_store["x509_ca"] > 0
    assert verified.get_ca_certs() == default.get_ca_certs()
    unverified = aiohttp.connector._SSL_CONTEXT_UNVERIFIED
    assert unverified.verify_mode == ssl.CERT_NONE and not unverified.check_hostname


def test_aiohttp_contexts_are_light_in_a_fresh_process() -> None:
    code = """
import aiohttp.connector
from cashier_gui.simulators import aiohttp_web
assert aiohttp.connector._SSL_CONTEXT_VERIFIED.cert_store_stats()["x509_ca"] == 0
assert aiohttp.connector._SSL_CONTEXT_UNVERIFIED.cert_store_stats()["x509_ca"] == 0
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_worker_threads_start_when_a_call_needs_one() -> None:
    """The window's blocking calls (asyncio.to_thread) run on a pool that starts a thread only
    when none is idle — up to ten at once — not on ten threads started at the first call."""
    code = """
import asyncio, threading, time
from PySide6.QtWidgets import QApplication
import qasync
from cashier_gui.app import WORKER_THREADS, use_worker_threads_on_demand
app = QApplication([])
loop = qasync.QEventLoop(app)
use_worker_threads_on_demand(loop)
asyncio.set_event_loop(loop)
async def main():
    one_after_another = {await asyncio.to_thread(lambda: threading.current_thread().name)
                         for _ in range(5)}
    gate = threading.Barrier(WORKER_THREADS, timeout=10)
    def meet():
        gate.wait()  # only returns once WORKER_THREADS calls run at the same time
        return threading.current_thread().name
    at_once = await asyncio.gather(*(asyncio.to_thread(meet) for _ in range(WORKER_THREADS)))
    return one_after_another, set(at_once)
with loop:
    sequential, parallel = loop.run_until_complete(main())
print(len(sequential), len(parallel), WORKER_THREADS)
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "10", "10"], done.stdout


def test_the_version_is_the_installed_metadata_without_importlib_metadata() -> None:
    code = """
import sys
import cashier_gui
found = cashier_gui.__version__
assert "importlib.metadata" not in sys.modules, "imported importlib.metadata"
from importlib.metadata import version
assert found == version("cashier_gui") != "0+unknown", found
sys.path[:] = []  # nowhere to look: importlib.metadata's answer, as before
assert cashier_gui._installed_version() == "0+unknown"
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
