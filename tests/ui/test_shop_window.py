"""A counter's window in a shop: another counter's refund shows on the charge card within a
second, and a shop server that stops answering puts up a banner and sends nothing — on a real
PostgreSQL, a real Viopay simulator and a second counter as a real `cashier-refund` process."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from cashier_gui.config import (
    Paths,
    Settings,
    ShopServerSettings,
    ViopaySettings,
    load_settings,
    save_settings,
)
from cashier_gui.doors import seal
from cashier_gui.runtime import Runtime, open_runtime
from cashier_gui.secrets import HMAC_SECRET, MSK, SecretStore
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from cashier_gui.ui.main_window import MainWindow
from tests.support import cli as support_cli
from tests.support.pg import PgServer
from tests.ui.test_refund_window import look_up

CHARGE = "ch_train_eur_4990"


@pytest.fixture
def sim() -> Iterator[tuple[vsim.ViopaySimulator, ServerThread]]:
    simulator = vsim.ViopaySimulator()
    with ServerThread(simulator.app) as server:
        yield simulator, server


@pytest.fixture
def till1(
    home: Path, memory_keyring: Any, shop_url: str, sim: tuple[Any, ServerThread]
) -> Callable[[bool, str], Runtime]:
    """This window's counter, "Till 1", joined to the shop."""
    save_settings(
        Paths.default(),
        Settings(
            provider="viopay",
            viopay=ViopaySettings(
                base_url=sim[1].url,
                terminal_id=vsim.TRAINING_TERMINAL_ID,
                key_id=vsim.TRAINING_KEY_ID,
            ),
            shop_server=ShopServerSettings(url=shop_url, counter="Till 1", lease_seconds=6),
            test_counter=True,  # the simulator is on this PC
        ),
    )
    secrets = SecretStore()
    secrets.set(HMAC_SECRET, vsim.TRAINING_HMAC_SECRET)
    secrets.set(MSK, vsim.TRAINING_MSK_HEX)
    seal(load_settings(Paths.default()), secrets)  # as a manager's save does
    return lambda training, provider: open_runtime(Paths.default())


@pytest.fixture
def till2(tmp_path: Path, shop_url: str, sim: tuple[Any, ServerThread]) -> dict[str, str]:
    """The other counter: its own home and keyring, as a `cashier-refund` process."""
    env = support_cli.cli_env(tmp_path / "till2")

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return support_cli.run_cli(env, *args, stdin=stdin)

    support_cli.configure_viopay(run, sim[1].url, vsim.TRAINING_HMAC_SECRET, vsim.TRAINING_MSK_HEX)
    joined = run("setup", "shop", "--url", shop_url, "--counter", "Till 2")
    assert joined.returncode == 0, joined.stdout + joined.stderr
    return env


@pytest.fixture
def window(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, till1: Callable[[bool, str], Runtime]
) -> Iterator[MainWindow]:
    w = MainWindow(till1, training=False)
    qtbot.addWidget(w)
    w.resize(1024, 768)  # a counter's screen
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.runtime is not None, timeout=15_000)
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.panel_scroll, timeout=5000)
    yield w
    closing = asyncio.ensure_future(w.shutdown())
    qtbot.waitUntil(closing.done, timeout=20_000)


def test_another_counters_refund_shows_on_the_open_charge_within_a_second(
    qtbot: QtBot,
    window: MainWindow,
    till2: dict[str, str],
    sim: tuple[vsim.ViopaySimulator, ServerThread],
) -> None:
    look_up(qtbot, window, CHARGE)
    panel = window.panel
    assert panel.form_card.isVisible()  # refundable here
    sim[0].faults.delay_ms = 4000  # Till 2's refund is under way for a while
    other = subprocess.Popen(
        [*support_cli.CLI, "refund", CHARGE, "--amount", "10", "--yes"],
        env=till2,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Heard through LISTEN/NOTIFY: the card says who is refunding, and offers no form.
        qtbot.waitUntil(lambda: "Till 2" in panel.not_refundable.text.text(), timeout=3000)
        assert "right now" in panel.not_refundable.text.text()
        assert not panel.form_card.isVisible()
        shot(window, "shop-another-counter-refunding")
    finally:
        out, err = other.communicate(timeout=60)
    assert other.returncode == 0, out + err
    sim[0].faults.delay_ms = 0
    # Its answer arrives: the charge is refundable again, with Till 2's refund among the lines
    # (the window's look-up on hearing it may have started under the 4 s delay).
    qtbot.waitUntil(lambda: panel.form_card.isVisible(), timeout=12000)
    assert "€10.00" in panel.earlier.text() and "(Till 2)" in panel.earlier.text()


def test_the_shop_server_down_shows_a_banner_and_sends_nothing(
    qtbot: QtBot,
    window: MainWindow,
    pg_running: PgServer,
    sim: tuple[vsim.ViopaySimulator, ServerThread],
) -> None:
    assert not window.home_banner.isVisible()
    pg_running.stop()
    try:
        qtbot.waitUntil(window.home_banner.isVisible, timeout=15_000)
        assert "cannot be reached" in window.home_banner.text()
        shot(window, "shop-server-down")
        rt = window.runtime
        assert rt is not None
        view = asyncio.ensure_future(rt.service.lookup(CHARGE))
        qtbot.waitUntil(view.done, timeout=10_000)
        sent = asyncio.ensure_future(rt.service.refund(view.result(), None, None))
        qtbot.waitUntil(sent.done, timeout=20_000)
        assert sent.result().state.value == "not_sent"
        assert sim[0].charges[CHARGE].refunds == []
    finally:
        pg_running.start()
    qtbot.waitUntil(lambda: not window.home_banner.isVisible(), timeout=15_000)


def shot(window: MainWindow, name: str) -> None:
    """Save what the cashier sees (CASHIER_TEST_ARTIFACTS/screenshots, as the other screenshot
    tests do), to be looked at."""
    folder = os.environ.get("CASHIER_TEST_ARTIFACTS")
    if folder:
        target = Path(folder) / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(target / f"{name}.png"))
