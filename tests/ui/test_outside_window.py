"""The window's daily check for refunds made outside this app (issue 27 item 5), against a real
counter set-up (settings file, keyring, the Viopay simulator on loopback): a refund signed
directly with the counter's secret appears in the banner when the day's check runs, and leaves
it when a manager acknowledges it — kept in the findings file as history."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from cashier_gui.config import Paths, Settings, ViopaySettings, load_settings, save_settings
from cashier_gui.doors import seal
from cashier_gui.refunds.outside import FindingsFile
from cashier_gui.runtime import Runtime, open_runtime
from cashier_gui.secrets import HMAC_SECRET, MSK, SecretStore
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from cashier_gui.ui.main_window import MainWindow
from tests.e2e.test_outside_refunds import sign_behind_the_apps_back
from tests.ui.test_refund_window import look_up, refund

CHARGE = "ch_train_eur_4990"


@pytest.fixture
def server(home: Path, memory_keyring: Any) -> Iterator[ServerThread]:
    server = ServerThread(vsim.ViopaySimulator().app).start()
    paths = Paths.default()
    save_settings(
        paths,
        Settings(
            provider="viopay",
            viopay=ViopaySettings(
                base_url=server.url,
                terminal_id=vsim.TRAINING_TERMINAL_ID,
                key_id=vsim.TRAINING_KEY_ID,
            ),
            test_counter=True,  # the simulator is on this PC
        ),
    )
    secrets = SecretStore()
    secrets.set(HMAC_SECRET, vsim.TRAINING_HMAC_SECRET)
    secrets.set(MSK, vsim.TRAINING_MSK_HEX)
    seal(load_settings(paths), secrets)  # as a manager's save does
    yield server
    server.stop()


@contextlib.contextmanager
def opened(qtbot: QtBot, factory: Callable[[bool, str], Runtime]) -> Iterator[MainWindow]:
    w = MainWindow(factory)
    qtbot.addWidget(w)
    w.show()
    w.start()
    try:
        qtbot.waitUntil(lambda: w.runtime is not None, timeout=10_000)
        yield w
    finally:
        closing = asyncio.ensure_future(w.shutdown())
        qtbot.waitUntil(closing.done, timeout=10_000)


def checked(qtbot: QtBot, w: MainWindow, outcome: str) -> None:
    qtbot.waitUntil(lambda: not w.outside.checking and w.outside.last_outcome != "", timeout=8000)
    assert w.outside.last_outcome == outcome


def test_the_daily_check_names_a_refund_made_outside_until_a_manager_acknowledges_it(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server: ServerThread
) -> None:
    paths = Paths.default()
    findings = FindingsFile(paths.data_dir)

    def factory(training: bool, provider: str) -> Runtime:
        return open_runtime(paths, training=training, training_provider=provider)

    with opened(qtbot, factory) as w:
        checked(qtbot, w, "checked")  # at start: never ran today
        assert findings.last_check() is not None and not w.outside.banner.isVisible()
        look_up(qtbot, w, CHARGE)
        refund(qtbot, w, "5")  # the app's own refund: never a finding
        with ThreadPoolExecutor(1) as pool:  # its own event loop, off the window's
            rogue = pool.submit(sign_behind_the_apps_back, server.url, CHARGE, 250).result()

        w.outside.last_outcome = ""
        w.outside.check()  # the hourly look: today's check has run already
        checked(qtbot, w, "not due")
        assert not w.outside.banner.isVisible()

        # The next day (the last check moved back a day): the check runs and finds it.
        doc = json.loads(findings.path.read_text())
        doc["last_check"] = "2020-01-01T00:00:00.000000Z"
        findings.path.write_text(json.dumps(doc))
        w.outside.last_outcome = ""
        w.outside.check()
        checked(qtbot, w, "checked")
        qtbot.waitUntil(w.outside.banner.isVisible, timeout=3000)
        text = w.outside.banner.text.text()
        assert f"made outside this app: refund {rogue} of €2.50 on charge {CHARGE}, at " in text
        assert w.outside.banner.ack_button.isVisible()

    # Kept across a restart: shown again at start without a new check.
    with opened(qtbot, factory) as w:
        checked(qtbot, w, "not due")
        qtbot.waitUntil(w.outside.banner.isVisible, timeout=3000)
        assert rogue in w.outside.banner.text.text()
        # No people on this counter: nobody to ask, the OS user acknowledges it (logged).
        w.outside.banner.ack_button.click()
        qtbot.waitUntil(lambda: not w.outside.banner.isVisible(), timeout=5000)
        [kept] = findings.all()
        assert kept.refund_id == rogue and kept.acknowledged_at and not kept.open
        assert rogue in (paths.data_dir / "changes.log").read_text()
        w.outside.last_outcome = ""
        w.outside.check(force=True)
        checked(qtbot, w, "checked")
        assert not w.outside.banner.isVisible()  # acknowledged: not again


def test_with_people_a_manager_acknowledges_at_the_window(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server: ServerThread
) -> None:
    from cashier_gui.operators import OperatorStore, Role
    from cashier_gui.ui.signin import ManagerDialog
    from tests.ui.test_people_window import sign_in, type_pin

    paths = Paths.default()
    people = OperatorStore(paths.operators)
    people.add("Mia", Role.MANAGER, "2468")
    people.add("Carl", Role.CASHIER, "1357")
    people.add("Bea", Role.CASHIER, "8642")  # sign_in waits for three names
    findings = FindingsFile(paths.data_dir)

    def factory(training: bool, provider: str) -> Runtime:
        return open_runtime(paths, training=training, training_provider=provider)

    with opened(qtbot, factory) as w:
        checked(qtbot, w, "checked")
        sign_in(qtbot, w, "c", "1357")  # a cashier refunds; then a refund is made outside
        look_up(qtbot, w, CHARGE)
        refund(qtbot, w, "5")
        with ThreadPoolExecutor(1) as pool:
            rogue = pool.submit(sign_behind_the_apps_back, server.url, CHARGE, 100).result()
        w.outside.last_outcome = ""
        w.outside.check(force=True)
        checked(qtbot, w, "checked")
        qtbot.waitUntil(w.outside.banner.isVisible, timeout=3000)
        assert f"refund {rogue} of €1.00" in w.outside.banner.text.text()

        w.outside.banner.ack_button.click()  # Carl is no manager: Mia's PIN is asked
        qtbot.waitUntil(lambda: w.findChild(ManagerDialog) is not None, timeout=3000)
        gate = w.findChild(ManagerDialog)
        assert isinstance(gate, ManagerDialog)
        qtbot.waitUntil(gate.isVisible, timeout=3000)
        type_pin(qtbot, gate.pad.pin, "2468")
        qtbot.waitUntil(lambda: not w.outside.banner.isVisible(), timeout=5000)
        [kept] = findings.all()
        assert kept.refund_id == rogue and kept.acknowledged_by == "Mia"
