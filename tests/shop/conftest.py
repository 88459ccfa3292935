"""A real PostgreSQL for the shop server's tests: one server per session (tests/support/pg.py),
a fresh database per test. Without PostgreSQL's binaries the tests are skipped, and fail in CI
(`.ci/run` installs `postgresql`)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from cashier_gui.shop import ShopServer, init_shop
from tests.support.pg import PgServer, pg_bin_dir


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
    init_shop(empty_db_url)
    return empty_db_url


@pytest.fixture
def shop(shop_url: str) -> Iterator[ShopServer]:
    with ShopServer(shop_url, lease_seconds=30, wait_s=3) as server:
        yield server
