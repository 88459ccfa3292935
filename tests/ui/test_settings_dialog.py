"""Settings and first-run setup, with bad input, against a real simulator and a test keyring."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from cashier_gui.config import Paths, load_settings
from cashier_gui.secrets import HMAC_SECRET, MSK, SecretStore
from cashier_gui.simulators import viopay as vsim
from cashier_gui.simulators.server import ServerThread
from cashier_gui.ui.settings import SettingsDialog
from tests.support.keyrings import MemoryKeyring


@pytest.fixture
def dialog(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, home: Path) -> SettingsDialog:
    d = SettingsDialog(paths=Paths.default(), secrets=SecretStore(backend=MemoryKeyring()))
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: not d.ops.running, timeout=5000)
    return d


def fill(
    d: SettingsDialog,
    url: str,
    secret: str = vsim.TRAINING_HMAC_SECRET,
    msk: str = vsim.TRAINING_MSK_HEX,
) -> None:
    for field, text in (
        (d.base_url, url),
        (d.terminal_id, vsim.TRAINING_TERMINAL_ID),
        (d.key_id, vsim.TRAINING_KEY_ID),
        (d.hmac_secret, secret),
        (d.msk, msk),
    ):
        field.setText(text)


def test_first_run_title_and_echo(dialog: SettingsDialog) -> None:
    assert dialog.windowTitle() == "Set up this counter"
    assert dialog.msk.echoMode() == dialog.msk.EchoMode.Password
    assert dialog.hmac_secret.placeholderText() == "not set yet"


def test_msk_check_value_as_typed(dialog: SettingsDialog) -> None:
    QTest.keyClicks(dialog.msk, "00" * 31)
    assert "exactly 64 hex digits" in dialog.kcv.text()
    dialog.msk.setText("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
    assert "Key check value: 377822" in dialog.kcv.text()
    dialog.msk.setText("Z" * 64)
    assert "not hex digits" in dialog.kcv.text()


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"terminal_id": ""}, "Terminal ID is empty"),
        ({"key_id": ""}, "Key ID is empty"),
        ({"base_url": "http://gateway.example"}, "must start with https://"),
        ({"msk": "ABC"}, "64 hex digits"),
        ({"hmac_secret": "short"}, "too short"),
        ({"currency": "EURO"}, "not a currency code"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(
    qtbot: QtBot, dialog: SettingsDialog, change: dict[str, str], says: str
) -> None:
    fill(dialog, "https://api.viopay.io")
    for name, value in change.items():
        getattr(dialog, name).setText(value)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.problem.isVisible() and says in dialog.problem.text.text()
    assert not Paths.default().settings.exists()


def test_missing_secrets_are_asked_for(qtbot: QtBot, dialog: SettingsDialog) -> None:
    fill(dialog, "https://api.viopay.io", secret="", msk="")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.problem.isVisible, timeout=5000)
    assert "Type the HMAC secret and the MSK" in dialog.problem.text.text()


def test_unreachable_url_is_explained(qtbot: QtBot, dialog: SettingsDialog) -> None:
    fill(dialog, "http://127.0.0.1:9")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.test_result.isVisible, timeout=10_000)
    assert "No connection: check the URL" in dialog.test_result.text.text()


def test_test_connection_then_save(
    qtbot: QtBot, dialog: SettingsDialog, viopay_server: ServerThread
) -> None:
    fill(dialog, viopay_server.url, secret="wrong-secret-123")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.test_result.isVisible, timeout=10_000)
    assert "HMAC secret, the key ID or the terminal ID is wrong" in dialog.test_result.text.text()
    dialog.hmac_secret.setText(vsim.TRAINING_HMAC_SECRET)
    dialog.msk.setText("00" * 32)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=10_000)
    assert "MSK does not match" in dialog.test_result.text.text()
    dialog.msk.setText(vsim.TRAINING_MSK_HEX)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "accepted" in dialog.test_result.text.text(), timeout=10_000)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = load_settings(Paths.default())
    assert (
        saved.provider == "viopay" and saved.viopay and saved.viopay.base_url == viopay_server.url
    )
    assert dialog.secrets.get(HMAC_SECRET) == vsim.TRAINING_HMAC_SECRET
    assert dialog.secrets.get(MSK) == vsim.TRAINING_MSK_HEX
    text = Paths.default().settings.read_text()
    assert vsim.TRAINING_HMAC_SECRET not in text and vsim.TRAINING_MSK_HEX not in text


def test_poynt_page_refuses_internet_addresses(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.provider.setCurrentIndex(1)
    dialog.poynt_host.setText("8.8.8.8")
    dialog.pairing.setText("ABC123")
    qtbot.mouseClick(dialog.pair_button, Qt.MouseButton.LeftButton)
    assert "not on a local network" in dialog.pair_result.text.text()


def test_corrupt_settings_are_reported_not_overwritten(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, home: Path
) -> None:
    paths = Paths.default()
    paths.settings.write_text("provider = [")
    d = SettingsDialog(paths=paths, secrets=SecretStore(backend=MemoryKeyring()))
    qtbot.addWidget(d)
    assert str(paths.settings) in d.problem.text.text()
    assert paths.settings.read_text() == "provider = ["


def test_shop_server_section_tests_saves_and_keeps_the_password_in_the_keyring(
    qtbot: QtBot, dialog: SettingsDialog, viopay_server: ServerThread, shop_url: str
) -> None:
    fill(dialog, viopay_server.url)
    box = dialog.shop_box
    assert not box.url.isEnabled()  # a counter on its own until asked
    box.joined.setChecked(True)
    box.url.setText(shop_url.replace("postgresql://postgres@", "postgresql://postgres:pw@"))
    box.counter.setText("Kasse 2")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "password" in dialog.problem.text.text(), timeout=5000)
    assert load_settings(Paths.default()).shop_server is None  # nothing saved
    box.url.setText(shop_url)
    box.password.setText("not-needed-here")  # the test server trusts loopback
    qtbot.mouseClick(box.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "answers" in box.result.text.text(), timeout=15_000)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = load_settings(Paths.default()).shop_server
    assert saved is not None and saved.counter == "Kasse 2" and saved.url == shop_url
    assert dialog.secrets.get("shop-password") == "not-needed-here"
    text = Paths.default().settings.read_text()
    assert "not-needed-here" not in text and "[shop_server]" in text
