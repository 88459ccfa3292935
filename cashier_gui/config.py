"""Non-secret settings: where files live, and the settings file (TOML).

Files live under `CASHIER_GUI_HOME` when it is set, otherwise in the platform's folders
(platformdirs). The settings file is written atomically (temp file + fsync + rename) and the
previous version is kept as `settings.toml.bak`. A corrupt file raises `ConfigError` with its
path and the problem; it is never overwritten without the old one being kept.

Every value is checked where the settings are built (the dataclasses' `__post_init__`), so the
settings file, the setup command and the Settings dialog all get the same checks: the right
type (`port = "abc"`, `terminal_id = 5` and `[viopay]` as a string are refused, not coerced),
one line of plain text (no CR, LF, NUL, other control or invisible characters), known keys and
providers. The message names the key and says where to fix it; a bad file never surfaces as a
TypeError, ValueError or AttributeError.

Secrets are not here: see `cashier_gui.secrets`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import tomli_w
from platformdirs import user_config_path, user_data_path

from cashier_gui.config_checks import (
    _FIX,
    _FIX_COMMON,
    _FIX_FILE,
    _FIX_POYNT,
    _FIX_SHOP,
    _FIX_VIOPAY,
    _LOCALE_RE,
    _PROFILE_RE,
    _check_optional_text,
    _check_seconds,
    _check_text,
    _kind,
)
from cashier_gui.config_checks import ConfigError as ConfigError  # re-exported: config's API
from cashier_gui.config_checks import check_poynt_host as check_poynt_host
from cashier_gui.config_checks import check_viopay_url as check_viopay_url
from cashier_gui.files import OwnFiles, open_private, private_dir
from cashier_gui.paper.settings import PaperSettings, PaperSettingsError
from cashier_gui.policy import Policy, PolicyError
from cashier_gui.safetext import printable

APP_DIR_NAME = "cashier_gui"
SETTINGS_FILE = "settings.toml"
PROVIDERS = ("viopay", "poynt")
MAX_IDLE = 240  # minutes: the longest idle time before the window signs its operator out


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path

    @property
    def settings(self) -> Path:
        return self.config_dir / SETTINGS_FILE

    @property
    def journal(self) -> Path:
        return self.data_dir / "journal.sqlite3"

    @property
    def training_journal(self) -> Path:
        """Practice refunds: never mixed with real ones."""
        return self.data_dir / "training-journal.sqlite3"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    @property
    def operators(self) -> Path:
        """Who may refund, with their roles and PIN hashes (see `cashier_gui.operators`)."""
        return self.config_dir / "operators.json"

    def own_files(self) -> OwnFiles:
        """What paper (receipts, reports, exports) must never be written over: the settings,
        both journals, both operators files, the changes log (each with the companions named
        after it), the logs, and the folders where the OS keyring keeps its files."""
        data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        keyrings = (
            data_home / "keyrings",  # GNOME Keyring
            data_home / "kwalletd",  # KWallet
            data_home / "python_keyring",  # keyrings.alt's files (refused, but still secrets)
            Path.home() / "Library" / "Keychains",  # macOS
        )
        return OwnFiles(
            files=(
                self.settings,
                self.operators,
                self.journal,
                self.training_journal,
                self.data_dir / "training-operators.json",
                self.data_dir / "changes.log",  # doors.CHANGES_LOG (doors imports config)
            ),
            folders=(self.logs, *keyrings),
        )

    def ensure_dirs(self) -> Paths:
        """Create the settings, data and log folders, private to this user (0700 on POSIX; see
        `cashier_gui.files`). The app's own folders — named `cashier_gui`, and the logs
        folder — are tightened even when they already exist; any other folder that already
        exists (a CASHIER_GUI_HOME the user chose, their home) keeps its mode."""
        for folder in (self.config_dir, self.data_dir):
            private_dir(folder, tighten_existing=_is_app_dir(folder))
        private_dir(self.logs, tighten_existing=True)
        return self

    @classmethod
    def default(cls) -> Paths:
        home = os.environ.get("CASHIER_GUI_HOME")
        if home:
            base = Path(home).expanduser()
            return cls(base, base)
        return cls(
            user_config_path(APP_DIR_NAME, appauthor=False),
            user_data_path(APP_DIR_NAME, appauthor=False),
        )


@dataclass(frozen=True)
class ViopaySettings:
    base_url: str
    terminal_id: str
    key_id: str
    device_model: str = "PC"
    #: A CA bundle the installer names; None = the system's trust store.
    ca_bundle: str | None = None

    def __post_init__(self) -> None:
        _check_text("viopay.base_url", self.base_url, "https://api.viopay.io", _FIX_VIOPAY)
        try:
            check_viopay_url(self.base_url)
        except ConfigError as exc:
            raise ConfigError(f"viopay.base_url: {exc}: {_FIX_VIOPAY}") from None
        _check_text("viopay.terminal_id", self.terminal_id, "TERM-001", _FIX_VIOPAY)
        _check_text("viopay.key_id", self.key_id, "hmac-key-2025-01", _FIX_VIOPAY)
        _check_text("viopay.device_model", self.device_model, "PC", _FIX_VIOPAY)
        _check_optional_text(
            "viopay.ca_bundle", self.ca_bundle, "C:\\certs\\viopay-ca.pem", _FIX_VIOPAY
        )


@dataclass(frozen=True)
class PoyntSettings:
    host: str
    port: int = 55555
    client_name: str = "cashier_gui"

    def __post_init__(self) -> None:
        _check_text("poynt.host", self.host, "192.168.1.23", _FIX_POYNT)
        try:
            check_poynt_host(self.host)
        except ConfigError as exc:
            raise ConfigError(f"poynt.host: {exc}: {_FIX_POYNT}") from None
        if isinstance(self.port, bool) or not isinstance(self.port, int):
            raise ConfigError(
                f"poynt.port must be a whole number from 1 to 65535 (e.g. 55555), "
                f"not {_kind(self.port)}: {_FIX_POYNT}"
            )
        if not 1 <= self.port <= 65535:
            raise ConfigError(
                f"poynt.port {self.port} is not a TCP port: use a number from 1 to 65535 "
                f"(e.g. 55555); {_FIX_POYNT}"
            )
        _check_text("poynt.client_name", self.client_name, "cashier_gui", _FIX_POYNT)


@dataclass(frozen=True)
class ShopServerSettings:
    """The shop server this counter has joined (`[shop_server]`; `[shop]` is the receipts'
    shop name). Its password is the keyring's `shop-password`, never here. The URL's full
    check (TLS for a host on the network) is made where it is opened (`cashier_gui.shop`)."""

    url: str
    counter: str
    ca_file: str | None = None
    #: How long the shop waits for a silent counter before its refunds in flight count as
    #: unknown shop-wide; the counter renews its leases three times as often.
    lease_seconds: int = 60

    def __post_init__(self) -> None:
        _check_text(
            "shop_server.url", self.url, "postgresql://till@192.168.1.10:5432/shop", _FIX_SHOP
        )
        if not self.url.startswith(("postgresql://", "postgres://")):
            raise ConfigError(
                f"shop_server.url must look like postgresql://USER@HOST:PORT/DATABASE: {_FIX_SHOP}"
            )
        userinfo = self.url.split("://", 1)[1].split("@", 1)
        if len(userinfo) == 2 and ":" in userinfo[0]:
            raise ConfigError(
                "shop_server.url holds a password: remove it from the address and keep it in "
                f"the keyring (cashier-refund secret set shop-password); {_FIX_SHOP}"
            )
        _check_text("shop_server.counter", self.counter, "Till 2", _FIX_SHOP)
        if len(self.counter) > 100:
            raise ConfigError(f"shop_server.counter is longer than 100 characters: {_FIX_SHOP}")
        _check_optional_text(
            "shop_server.ca_file", self.ca_file, "C:\\certs\\shop-ca.pem", _FIX_SHOP
        )
        if isinstance(self.lease_seconds, bool) or not isinstance(self.lease_seconds, int):
            raise ConfigError(f"shop_server.lease_seconds must be a whole number: {_FIX_SHOP}")
        if not 5 <= self.lease_seconds <= 3600:
            raise ConfigError(
                f"shop_server.lease_seconds must be from 5 to 3600 (e.g. 60): {_FIX_SHOP}"
            )


@dataclass(frozen=True)
class Settings:
    provider: str | None = None
    viopay: ViopaySettings | None = None
    poynt: PoyntSettings | None = None
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    locale: str | None = None
    default_currency: str | None = None
    profile: str = "default"
    # The window's and the messages' language: "" follows the OS, else one of i18n.LANGUAGES.
    language: str = ""
    # The window signs its operator out after this many idle minutes; 0 never does.
    idle_sign_out_minutes: int = 5
    policy: Policy = field(default_factory=Policy)
    # A counter that may send to a back end on this PC itself (a simulator): set by a manager's
    # save (`setup … --test-counter`), sealed with the policy (doors.py).
    test_counter: bool = False
    paper: PaperSettings = field(default_factory=PaperSettings)  # [shop] and [printer]
    shop_server: ShopServerSettings | None = None  # [shop_server]: None = a counter on its own
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.provider is not None and self.provider not in PROVIDERS:
            if isinstance(self.provider, str):
                _check_text("provider", self.provider, "viopay", _FIX_COMMON)
            shown = printable(self.provider, 40) if isinstance(self.provider, str) else None
            raise ConfigError(
                f"provider must be one of {', '.join(PROVIDERS)}, not "
                f"{f'“{shown}”' if shown is not None else _kind(self.provider)}: choose the "
                "back end in Counter → Settings or with cashier-refund setup viopay (or poynt)"
            )
        for name, kind in (
            ("viopay", ViopaySettings),
            ("poynt", PoyntSettings),
            ("shop_server", ShopServerSettings),
        ):
            value = getattr(self, name)
            if value is not None and not isinstance(value, kind):
                raise ConfigError(f"{name} must be a {kind.__name__}, not {_kind(value)}")
        object.__setattr__(
            self,
            "connect_timeout_s",
            _check_seconds("connect_timeout_s", self.connect_timeout_s, 0.5, 120),
        )
        object.__setattr__(
            self, "read_timeout_s", _check_seconds("read_timeout_s", self.read_timeout_s, 1, 300)
        )
        locale = _check_optional_text("locale", self.locale, "de_DE", _FIX_COMMON)
        if locale is not None and not _LOCALE_RE.fullmatch(locale):
            raise ConfigError(
                f"locale “{printable(locale, 40)}” is not a locale name: use one like de_DE or "
                f"en_US, or leave it empty for this PC's language; {_FIX_COMMON}"
            )
        currency = _check_optional_text(
            "default_currency", self.default_currency, "EUR", _FIX_COMMON
        )
        if currency is not None:
            from cashier_gui.money import MoneyError, check_currency

            try:
                check_currency(currency)
            except MoneyError:
                raise ConfigError(
                    f"default_currency “{printable(currency, 40)}” is not a currency code: use "
                    f"one like EUR or USD; {_FIX_COMMON}"
                ) from None
        from cashier_gui.i18n import LANGUAGES

        if self.language != "" and self.language not in LANGUAGES:
            shown = printable(self.language, 40) if isinstance(self.language, str) else None
            raise ConfigError(
                f"language must be {' or '.join(f'“{c}”' for c in LANGUAGES)}, or empty to "
                f"follow this PC, not {f'“{shown}”' if shown is not None else _kind(self.language)}"
                f": {_FIX_FILE}"
            )
        idle = self.idle_sign_out_minutes
        if isinstance(idle, bool) or not isinstance(idle, int) or not 0 <= idle <= MAX_IDLE:
            raise ConfigError(
                f"idle_sign_out_minutes must be a whole number of minutes from 0 (never) to "
                f"{MAX_IDLE}, not {idle if type(idle) is int else _kind(idle)}: "
                f"{_FIX_FILE}"
            )
        if not isinstance(self.test_counter, bool):
            raise ConfigError(
                f"test_counter must be true or false, not {_kind(self.test_counter)}: {_FIX_FILE}"
            )
        profile = _check_text("profile", self.profile, "default", _FIX_FILE)
        if not _PROFILE_RE.fullmatch(profile):
            raise ConfigError(
                f"profile “{printable(profile, 40)}” must be a short name of letters, digits, "
                f"'-', '_' or '.' (e.g. \"default\"): {_FIX_FILE}"
            )

    @property
    def configured(self) -> bool:
        return (self.provider == "viopay" and self.viopay is not None) or (
            self.provider == "poynt" and self.poynt is not None
        )

    def with_viopay(self, viopay: ViopaySettings) -> Settings:
        return replace(self, provider="viopay", viopay=viopay)

    def with_poynt(self, poynt: PoyntSettings) -> Settings:
        return replace(self, provider="poynt", poynt=poynt)

    def to_toml(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "connect_timeout_s": self.connect_timeout_s,
            "read_timeout_s": self.read_timeout_s,
            "profile": self.profile,
        }
        for name in ("provider", "locale", "default_currency"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.language:
            out["language"] = self.language
        if self.idle_sign_out_minutes != Settings.idle_sign_out_minutes:
            out["idle_sign_out_minutes"] = self.idle_sign_out_minutes
        if self.viopay:
            out["viopay"] = {k: v for k, v in asdict(self.viopay).items() if v is not None}
        if self.poynt:
            out["poynt"] = asdict(self.poynt)
        if self.shop_server:
            out["shop_server"] = {
                k: v for k, v in asdict(self.shop_server).items() if v is not None
            }
        if not self.policy.empty:
            out["policy"] = self.policy.to_toml()
        if self.test_counter:
            out["test_counter"] = True
        out.update(self.paper.to_toml())
        return out

    @classmethod
    def from_toml(cls, data: dict[str, Any]) -> Settings:
        """Settings from a parsed TOML document; ConfigError naming the key when unusable.

        Values are taken as they are: nothing is coerced (`port = "55555"` is refused, not
        read as a number). Unknown top-level keys are ignored (a newer version may have
        written them); unknown keys inside [viopay] or [poynt] are refused.
        """
        if not isinstance(data, dict):
            raise ConfigError(f"the settings must be a TOML table, not {_kind(data)}")
        try:
            return cls(
                provider=data.get("provider"),
                viopay=_section(data, "viopay", ViopaySettings),
                poynt=_section(data, "poynt", PoyntSettings),
                shop_server=_section(data, "shop_server", ShopServerSettings),
                connect_timeout_s=data.get("connect_timeout_s", 5.0),
                read_timeout_s=data.get("read_timeout_s", 30.0),
                locale=data.get("locale"),
                default_currency=data.get("default_currency"),
                profile=data.get("profile", "default"),
                language=data.get("language", ""),
                idle_sign_out_minutes=data.get("idle_sign_out_minutes", 5),
                policy=Policy.from_toml(data.get("policy")),
                test_counter=data.get("test_counter", False),
                paper=PaperSettings.from_toml(data.get("shop"), data.get("printer")),
            )
        except (PolicyError, PaperSettingsError) as exc:
            raise ConfigError(str(exc)) from None
        except (TypeError, ValueError, AttributeError) as exc:  # a check above has a gap
            raise ConfigError(
                f"a setting is unusable ({printable(exc, 120)}): {_FIX_COMMON}"
            ) from None


def _section(data: dict[str, Any], name: str, kind: type[Any]) -> Any:
    """`[viopay]` / `[poynt]` as the dataclass `kind`, or None when absent."""
    if name not in data:
        return None
    table = data[name]
    fix = _FIX[name]
    if not isinstance(table, dict):
        raise ConfigError(
            f"{name} must be a table ([{name}] followed by its settings), not {_kind(table)}: {fix}"
        )
    known = {f.name: f for f in fields(kind)}
    for key in table:
        if key not in known:
            raise ConfigError(
                f"{name}.{printable(key, 40)} is not a setting this app knows: remove it, or {fix}"
            )
    for key, f in known.items():
        if key not in table and f.default is MISSING and f.default_factory is MISSING:
            raise ConfigError(f"{name}.{key} is missing: {fix}")
    return kind(**table)


def load_settings(paths: Paths) -> Settings:
    """The saved settings; empty settings when there is no file yet; ConfigError when unusable."""
    path = paths.settings
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid settings file ({exc})") from None
    try:
        return Settings.from_toml(data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def save_settings(paths: Paths, settings: Settings) -> None:
    """Write atomically; keep the previous file (even a corrupt one) as settings.toml.bak.
    The settings file, its temp file and the backup are 0600, the folder 0700 (POSIX)."""
    path = paths.settings
    private_dir(path.parent, tighten_existing=_is_app_dir(path.parent))
    data = tomli_w.dumps(settings.to_toml()).encode("utf-8")
    tmp = path.with_name(path.name + ".tmp")
    _write_durably(tmp, data)
    try:
        previous = path.read_bytes()
    except FileNotFoundError:
        pass
    else:
        # Not shutil.copy2: it would copy the old file's mode (0644 from an older version).
        _write_durably(path.with_name(path.name + ".bak"), previous)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _write_durably(path: Path, data: bytes) -> None:
    with open_private(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _is_app_dir(folder: Path) -> bool:
    """The app's own folder (platformdirs' …/cashier_gui): safe to make private."""
    return folder.name == APP_DIR_NAME


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
