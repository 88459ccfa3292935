from __future__ import annotations

import os

# qasync binds to the first Qt binding it finds; GUI tests run offscreen unless told otherwise.
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.support.keyrings import MemoryKeyring
from tests.support.pg import PgServer, pg_bin_dir

if TYPE_CHECKING:
    from cashier_gui.shop import ShopServer


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """CASHIER_GUI_HOME in a fresh folder: every file the app writes lands here."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("CASHIER_GUI_HOME", str(folder))
    return folder


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    import keyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def viopay_sim() -> vsim.ViopaySimulator:
    return vsim.ViopaySimulator()


@pytest.fixture
def viopay_server(viopay_sim: vsim.ViopaySimulator) -> Iterator[ServerThread]:
    """The Viopay simulator as a real HTTP server on a loopback port."""
    with ServerThread(viopay_sim.app) as server:
        yield server


@pytest.fixture(autouse=True)
def _secret_service_gate(request: pytest.FixtureRequest) -> None:
    """Secret Service tests need scripts/test's gnome-keyring; in CI its absence is a failure,
    not a skip."""
    if request.node.get_closest_marker("secret_service") is None:
        return
    if os.environ.get("CASHIER_TEST_SECRET_SERVICE"):
        return
    if os.environ.get("CI"):
        pytest.fail("CI must run this with a real Secret Service: use scripts/test")
    pytest.skip("run through scripts/test for a real Secret Service")


# ---- a real PostgreSQL for the shop server (tests/support/pg.py) ---------------------------------
# One server per session, started only when a test asks for it; a fresh database per test.
# Without PostgreSQL's binaries those tests are skipped, and fail in CI (`.ci/run` installs it).


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    bindir = pg_bin_dir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the shop tests with PostgreSQL: apt-get install postgresql")
        pytest.skip("PostgreSQL's binaries are not installed (apt-get install postgresql)")
    server = PgServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def pg_running(pg: PgServer) -> PgServer:
    """The server, started again if an earlier test left it stopped."""
    if not pg.running:
        pg.start()
    return pg


@pytest.fixture
def empty_db_url(pg_running: PgServer) -> str:
    """A fresh, empty database's URL."""
    return pg_running.url(pg_running.create_database())


@pytest.fixture
def shop_url(empty_db_url: str) -> str:
    """A fresh database with the shop's tables."""
    from cashier_gui.shop import init_shop

    init_shop(empty_db_url)
    return empty_db_url


@pytest.fixture
def shop(shop_url: str) -> Iterator[ShopServer]:
    from cashier_gui.shop import ShopServer

    with ShopServer(shop_url, lease_seconds=30, wait_s=3) as server:
        yield server
