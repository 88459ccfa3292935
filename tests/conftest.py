from __future__ import annotations

import os

# qasync binds to the first Qt binding it finds; GUI tests run offscreen unless told otherwise.
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from tests.support.keyrings import MemoryKeyring


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
