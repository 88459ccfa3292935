from __future__ import annotations

from pathlib import Path

import pytest

from cashier_gui.config import (
    ConfigError,
    Paths,
    PoyntSettings,
    Settings,
    ViopaySettings,
    check_poynt_host,
    check_viopay_url,
    load_settings,
    save_settings,
)


def viopay(url: str = "https://api.viopay.io") -> ViopaySettings:
    return ViopaySettings(base_url=url, terminal_id="TERM-001", key_id="hmac-key-2025-01")


def test_home_variable_puts_everything_in_one_folder(home: Path) -> None:
    paths = Paths.default()
    assert paths.settings.parent == home and paths.journal.parent == home


def test_round_trip_and_backup(home: Path) -> None:
    paths = Paths.default()
    assert load_settings(paths) == Settings()
    first = Settings(default_currency="EUR").with_viopay(viopay())
    save_settings(paths, first)
    assert load_settings(paths) == first
    second = first.with_poynt(PoyntSettings(host="192.168.1.23"))
    save_settings(paths, second)
    assert load_settings(paths) == second
    backup = paths.settings.with_name("settings.toml.bak")
    assert "viopay" in backup.read_text() and 'provider = "viopay"' in backup.read_text()
    assert not list(home.glob("*.tmp"))


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("provider = [", "not a valid settings file"),
        (b"\xff\xfe garbage", "not a valid settings file"),
        ('provider = "paypal"', "provider must be one of"),
        (
            'provider = "viopay"\n[viopay]\nbase_url = "http://evil.example"\nterminal_id = "T"\n'
            'key_id = "K"',
            "must start with https://",
        ),
        ('[viopay]\nbase_url = "https://x.io"', "missing"),
        ("read_timeout_s = 0", "timeouts"),
    ],
)
def test_corrupt_file_is_reported_with_its_path(
    home: Path, content: str | bytes, says: str
) -> None:
    paths = Paths.default()
    paths.settings.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        paths.settings.write_bytes(content)
    else:
        paths.settings.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings(paths)
    assert str(paths.settings) in str(info.value) and says in str(info.value)


def test_saving_over_a_corrupt_file_keeps_it(home: Path) -> None:
    paths = Paths.default()
    paths.settings.write_text("provider = [")
    save_settings(paths, Settings().with_viopay(viopay()))
    assert paths.settings.with_name("settings.toml.bak").read_text() == "provider = ["
    assert load_settings(paths).provider == "viopay"


@pytest.mark.parametrize(
    "url",
    [
        "https://api.viopay.io",
        "https://gw.example:8443/base",
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:9",
    ],
)
def test_viopay_url_allowed(url: str) -> None:
    assert check_viopay_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://api.viopay.io",
        "ftp://x",
        "api.viopay.io",
        "https://user:pw@api.viopay.io",
        "https://x.io/?a=1",
        "",
    ],
)
def test_viopay_url_refused(url: str) -> None:
    with pytest.raises(ConfigError):
        check_viopay_url(url)


@pytest.mark.parametrize("host", ["192.168.1.23", "10.0.0.5", "172.16.4.4", "127.0.0.1", "fd00::1"])
def test_poynt_host_on_the_lan(host: str) -> None:
    assert check_poynt_host(host)


@pytest.mark.parametrize(
    ("host", "says"),
    [
        ("8.8.8.8", "not on a local network"),
        ("terminal.local", "not an IP address"),
        ("0.0.0.0", "not on a local network"),
        ("", "not an IP address"),
    ],
)
def test_poynt_host_elsewhere_is_refused(host: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        check_poynt_host(host)
