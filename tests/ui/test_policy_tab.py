"""Settings → Policy on a counter in a shop (issue 21, item 2): the tab shows the shop server's
policy and where it comes from, a manager's change is written to the server (not to the
settings file), and a server that does not answer leaves the tab shown in words, not editable."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cashier_gui.config import Paths, Settings, ShopServerSettings, load_settings, save_settings
from cashier_gui.doors import CHANGES_LOG
from cashier_gui.policy import Policy
from cashier_gui.secrets import SecretStore
from cashier_gui.shop import ShopServer
from cashier_gui.simulators.server import ServerThread
from cashier_gui.ui.settings import SettingsDialog
from tests.shop.people_support import PINS, put_policy, staff
from tests.support.keyrings import MemoryKeyring
from tests.support.pg import PgServer
from tests.ui.test_settings_dialog import fill


def joined(url: str) -> None:
    local = Policy(approval_above={"EUR": 100})  # this counter's own: ignored in a shop
    save_settings(
        Paths.default(),
        replace(Settings(), shop_server=ShopServerSettings(url, "Till 1"), policy=local),
    )


def open_dialog(qtbot: QtBot) -> SettingsDialog:
    d = SettingsDialog(
        paths=Paths.default(), secrets=SecretStore(backend=MemoryKeyring()), by="Mia"
    )
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: not d.ops.running, timeout=10_000)
    return d


def test_the_policy_tab_of_a_shop_counter_writes_to_the_shop_server(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    home: Path,
    shop_url: str,
    viopay_server: ServerThread,
) -> None:
    with ShopServer(shop_url, wait_s=3) as server:
        staff(server)
        put_policy(server, {"refunds_per_day": 4}, "Bo", "Till 2")
    joined(shop_url)
    d = open_dialog(qtbot)
    box = d.counter_box.policy_box
    assert box.isEnabled() and box.per_day.value() == 4 and box.approval.text() == ""
    assert "the shop server (version 1, set by Bo at Till 2" in box.origin.text()
    fill(d, viopay_server.url)
    box.per_day.setValue(2)
    box.approval.setText("EUR 30.00")
    assert not box.pin.isHidden()  # the shop server checks the manager's PIN itself
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)  # no PIN typed: nothing saved
    assert "type it in Policy" in d.problem.text.text()
    box.pin.setText("0000")
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Wrong PIN for Mia" in d.problem.text.text(), timeout=15_000)
    qtbot.waitUntil(lambda: not d.ops.running, timeout=10_000)
    with ShopServer(shop_url, wait_s=3) as server:
        assert server.policy().version == 1
    box.pin.setText(PINS["Mia"])
    with qtbot.waitSignal(d.saved, timeout=15_000):
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    with ShopServer(shop_url, wait_s=3) as server:
        kept = server.policy()
    assert kept.policy == {"refunds_per_day": 2, "approval_above": {"EUR": "30.00"}}
    assert (kept.version, kept.changed_by, kept.counter) == (2, "Mia", "Till 1")
    # The settings file keeps its own (ignored) policy: the shop's lives on the server.
    assert load_settings(Paths.default()).policy == Policy(approval_above={"EUR": 100})
    # This counter's changes log names it, as `policy set` does.
    log = (Paths.default().data_dir / CHANGES_LOG).read_text(encoding="utf-8").splitlines()
    [line] = [json.loads(x) for x in log if json.loads(x)["what"] == "policy set"]
    assert line["who"] == "Mia" and line["changed"]["policy"] == kept.policy
    assert "version 2, set by Mia at Till 1" in line["changed"]["where"]


def test_without_the_shop_server_the_policy_tab_says_so_and_is_not_editable(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    home: Path,
    shop_url: str,
    pg_running: PgServer,
) -> None:
    joined(shop_url)
    pg_running.stop()
    d = open_dialog(qtbot)
    box = d.counter_box.policy_box
    assert not box.isEnabled()
    assert "cannot be read from the shop server" in box.origin.text()


def test_a_shop_counter_without_people_shows_the_shops_policy_but_cannot_change_it(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    home: Path,
    shop_url: str,
    viopay_server: ServerThread,
) -> None:
    """Settings opens without a PIN on a counter without people: its Policy tab must not write
    the policy every counter of the shop runs under."""
    with ShopServer(shop_url, wait_s=3) as server:
        staff(server)
        put_policy(server, {"refunds_per_day": 4}, "Bo", "Till 2")
    joined(shop_url)
    d = SettingsDialog(paths=Paths.default(), secrets=SecretStore(backend=MemoryKeyring()))
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: not d.ops.running, timeout=10_000)
    box = d.counter_box.policy_box
    assert box.per_day.value() == 4 and "version 1, set by Bo at Till 2" in box.origin.text()
    assert not box.isEnabled() and "only a manager" in box.origin.text()
    fill(d, viopay_server.url)
    box.per_day.setValue(0)  # were it editable
    with qtbot.waitSignal(d.saved, timeout=15_000):
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    with ShopServer(shop_url, wait_s=3) as server:
        assert server.policy().version == 1


def test_a_save_refused_for_missing_secrets_changes_no_ones_policy(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    home: Path,
    shop_url: str,
    viopay_server: ServerThread,
) -> None:
    """ "Nothing is stored yet", the dialog says: the shop's policy at every counter included."""
    with ShopServer(shop_url, wait_s=3) as server:
        staff(server)
        put_policy(server, {"refunds_per_day": 4}, "Bo", "Till 2")
    joined(shop_url)
    d = open_dialog(qtbot)
    box = d.counter_box.policy_box
    fill(d, viopay_server.url, secret="")  # the HMAC secret is neither typed nor stored
    box.per_day.setValue(1)
    box.pin.setText(PINS["Mia"])
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "nothing is stored yet" in d.problem.text.text(), timeout=15_000)
    qtbot.waitUntil(lambda: not d.ops.running, timeout=10_000)
    with ShopServer(shop_url, wait_s=3) as server:
        assert server.policy().version == 1


def test_a_change_made_elsewhere_while_the_tab_was_open_is_not_overwritten(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    home: Path,
    shop_url: str,
    viopay_server: ServerThread,
) -> None:
    """Mia edits the tab showing version 1 while Bo sets version 2 at till 2: Mia's Save must
    not put back what Bo changed without a word."""
    with ShopServer(shop_url, wait_s=3) as server:
        staff(server)
        put_policy(server, {"refunds_per_day": 4}, "Bo", "Till 2")
    joined(shop_url)
    d = open_dialog(qtbot)
    box = d.counter_box.policy_box
    with ShopServer(shop_url, wait_s=3) as server:
        put_policy(server, {"refunds_per_day": 4, "voids": "managers"}, "Bo", "Till 2")
    fill(d, viopay_server.url)
    box.per_day.setValue(2)
    box.pin.setText(PINS["Mia"])
    before = load_settings(Paths.default())
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "changed at another counter" in d.problem.text.text(), timeout=15_000)
    qtbot.waitUntil(lambda: not d.ops.running, timeout=10_000)
    with ShopServer(shop_url, wait_s=3) as server:
        kept = server.policy()
    assert (kept.version, kept.policy) == (2, {"refunds_per_day": 4, "voids": "managers"})
    assert load_settings(Paths.default()) == before  # nothing else was saved either
    assert d.isVisible()
