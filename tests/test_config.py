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


# ---- values of the wrong type, control characters, unknown keys --------------------------------

_VIOPAY_OK = 'base_url = "https://api.viopay.io"\nterminal_id = "TERM-001"\nkey_id = "K-1"\n'
_POYNT_OK = 'host = "192.168.1.23"\n'


def _viopay(line: str) -> str:
    """A [viopay] table where `line` replaces (or adds) one key."""
    key = line.split("=")[0].strip()
    kept = [x for x in _VIOPAY_OK.splitlines() if x.split("=")[0].strip() != key]
    return 'provider = "viopay"\n[viopay]\n' + "\n".join([*kept, line]) + "\n"


def _poynt(line: str) -> str:
    key = line.split("=")[0].strip()
    kept = [x for x in _POYNT_OK.splitlines() if x.split("=")[0].strip() != key]
    return 'provider = "poynt"\n[poynt]\n' + "\n".join([*kept, line]) + "\n"


BAD_FILES = [
    # (content, the key the message must name, more words it must contain)
    (_poynt('port = "abc"'), "poynt.port", "whole number"),
    (_poynt("port = true"), "poynt.port", "not true/false"),
    (_poynt("port = 55555.0"), "poynt.port", "not a number with decimals"),
    (_poynt("port = 0"), "poynt.port", "1 to 65535"),
    (_poynt("port = 70000"), "poynt.port", "1 to 65535"),
    (_poynt("port = [1]"), "poynt.port", "not a list"),
    (_poynt("host = 192"), "poynt.host", "must be text"),
    (_poynt('host = "192.168.1.23\\n"'), "poynt.host", "line breaks"),
    (_poynt('host = "8.8.8.8"'), "poynt.host", "local network"),
    (_poynt('client_name = "x\\u0000y"'), "poynt.client_name", "NUL"),
    (_poynt("colour = 1"), "poynt.colour", "not a setting"),
    (
        _viopay("terminal_id = 5"),
        "viopay.terminal_id",
        'must be text (e.g. "TERM-001"), not a number',
    ),
    (_viopay("terminal_id = true"), "viopay.terminal_id", "not true/false"),
    (_viopay('terminal_id = "TERM\\r\\nX-Injected: 1"'), "viopay.terminal_id", "line breaks"),
    (_viopay('terminal_id = "TERM\\u0000"'), "viopay.terminal_id", "NUL"),
    (_viopay('terminal_id = "   "'), "viopay.terminal_id", "must not be empty"),
    (_viopay('terminal_id = "TERM\\u202e100"'), "viopay.terminal_id", "invisible"),
    (_viopay("key_id = 2025-01-01"), "viopay.key_id", "not a date or time"),
    (_viopay('key_id = {a = "b"}'), "viopay.key_id", "not a table"),
    (_viopay("base_url = 1"), "viopay.base_url", "must be text"),
    (_viopay('base_url = "https://api.viopay.io\\n"'), "viopay.base_url", "line breaks"),
    (_viopay('base_url = "https://[::1"'), "viopay.base_url", "not a web address"),
    (_viopay('base_url = "https://api.viopay.io:port"'), "viopay.base_url", "not a web address"),
    (_viopay('base_url = "https://api.viopay.io/\\tx"'), "viopay.base_url", "line breaks"),
    (_viopay("device_model = 3"), "viopay.device_model", "must be text"),
    (_viopay("ca_bundle = false"), "viopay.ca_bundle", "must be text"),
    (_viopay("secret = 'x'"), "viopay.secret", "not a setting"),
    ('viopay = "https://api.viopay.io"', "viopay", "must be a table"),
    ("viopay = []", "viopay", "not a list"),
    ("poynt = 5", "poynt", "must be a table"),
    ("[poynt]\nport = 1", "poynt.host", "missing"),
    ('provider = "paypal"', "provider", "“paypal”"),
    ("provider = 1", "provider", "not a number"),
    ('provider = "viopay\\u0000"', "provider", "NUL"),
    ('locale = ["x"]', "locale", "must be text"),
    ('locale = "de_DE\\n"', "locale", "line breaks"),
    ('locale = "../../etc"', "locale", "not a locale name"),
    ("default_currency = 978", "default_currency", "must be text"),
    ('default_currency = "EURO"', "default_currency", "not a currency code"),
    ('connect_timeout_s = "5"', "connect_timeout_s", "not text"),
    ("connect_timeout_s = true", "connect_timeout_s", "not true/false"),
    ("read_timeout_s = nan", "read_timeout_s", "1 to 300"),
    ("read_timeout_s = inf", "read_timeout_s", "1 to 300"),
    ("profile = 5", "profile", "must be text"),
    ('profile = "shop/other"', "profile", "short name"),
    ('profile = ""', "profile", "must not be empty"),
    ("idle_sign_out_minutes = -1", "idle_sign_out_minutes", "not -1"),
    ("idle_sign_out_minutes = 241", "idle_sign_out_minutes", "0 (never) to 240"),
    ("idle_sign_out_minutes = 2.5", "idle_sign_out_minutes", "not a number with decimals"),
    ('idle_sign_out_minutes = "5"', "idle_sign_out_minutes", "not text"),
    ("idle_sign_out_minutes = true", "idle_sign_out_minutes", "not true/false"),
]


@pytest.mark.parametrize(("content", "key", "says"), BAD_FILES)
def test_bad_values_are_reported_with_the_key_and_the_fix(
    tmp_path: Path, content: str, key: str, says: str
) -> None:
    paths = Paths(tmp_path / "config", tmp_path / "data")
    paths.settings.parent.mkdir()
    paths.settings.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(paths)
    message = str(info.value)
    assert message.startswith(f"{paths.settings}: {key} ") or message.startswith(
        f"{paths.settings}: {key}:"
    ), message
    assert says in message
    assert "fix it" in message or "choose" in message
    assert info.value.__cause__ is None or isinstance(info.value.__cause__, ConfigError)
    # The message is one clean line: no control character from the file leaks into it.
    assert not any(ch in message for ch in "\r\n\x00\u202e")


def test_good_values_of_every_kind_load(tmp_path: Path) -> None:
    paths = Paths(tmp_path, tmp_path)
    paths.settings.write_text(
        'provider = "poynt"\nconnect_timeout_s = 3\nread_timeout_s = 12.5\nlocale = "de_CH"\n'
        'default_currency = "CHF"\nprofile = "shop-2"\nnewer_setting = "kept out"\n'
        "idle_sign_out_minutes = 0\n"
        '[poynt]\nhost = "10.0.0.5"\nport = 4242\nclient_name = "Kasse 2"\n'
        '[viopay]\nbase_url = "https://gw.example:8443/base"\nterminal_id = "T-1"\n'
        'key_id = "K"\ndevice_model = "PAX-A920"\nca_bundle = "/etc/ssl/viopay.pem"\n',
        encoding="utf-8",
    )
    got = load_settings(paths)
    assert got.poynt == PoyntSettings(host="10.0.0.5", port=4242, client_name="Kasse 2")
    assert got.viopay is not None and got.viopay.ca_bundle == "/etc/ssl/viopay.pem"
    assert (got.connect_timeout_s, got.read_timeout_s) == (3.0, 12.5)
    assert isinstance(got.connect_timeout_s, float)
    assert (got.locale, got.default_currency, got.profile) == ("de_CH", "CHF", "shop-2")
    assert got.idle_sign_out_minutes == 0  # never
    assert Settings.from_toml(got.to_toml()) == got


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (lambda: ViopaySettings("https://api.viopay.io", 5, "K"), "viopay.terminal_id"),  # type: ignore[arg-type]
        (lambda: ViopaySettings("https://api.viopay.io", "T\n", "K"), "viopay.terminal_id"),
        (lambda: ViopaySettings("https://api.viopay.io", "T", "K\x00"), "viopay.key_id"),
        (lambda: ViopaySettings(None, "T", "K"), "viopay.base_url"),  # type: ignore[arg-type]
        (
            lambda: ViopaySettings("https://x.io", "T", "K", device_model="PC\r\n"),
            "viopay.device_model",
        ),
        (lambda: PoyntSettings(host="192.168.1.23", port="55555"), "poynt.port"),  # type: ignore[arg-type]
        (lambda: PoyntSettings(host="192.168.1.23", port=True), "poynt.port"),
        (lambda: PoyntSettings(host=None), "poynt.host"),  # type: ignore[arg-type]
        (lambda: Settings(provider="Viopay"), "provider"),
        (lambda: Settings(connect_timeout_s="5"), "connect_timeout_s"),  # type: ignore[arg-type]
        (lambda: Settings(locale="de_DE\r"), "locale"),
        (lambda: Settings(viopay="https://x.io"), "viopay"),  # type: ignore[arg-type]
    ],
)
def test_setup_from_code_gets_the_same_checks(build: object, key: str) -> None:
    assert callable(build)
    with pytest.raises(ConfigError) as info:
        build()
    assert str(info.value).startswith(key)


@pytest.mark.parametrize("value", ["https://x.io", "http://127.0.0.1:9"])
def test_control_characters_in_urls_are_not_silently_dropped(value: str) -> None:
    # urlsplit() drops tab/CR/LF: "https://x.io\n" must not pass as "https://x.io".
    for bad in (value + "\n", value.replace("//", "//\t"), value + "\r"):
        with pytest.raises(ConfigError):
            check_viopay_url(bad)
    assert check_viopay_url(value) == value
