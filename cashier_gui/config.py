"""Non-secret settings: where files live, and the settings file (TOML).

Files live under `CASHIER_GUI_HOME` when it is set, otherwise in the platform's folders
(platformdirs). The settings file is written atomically (temp file + fsync + rename) and the
previous version is kept as `settings.toml.bak`. A corrupt file raises `ConfigError` with its
path and the problem; it is never overwritten without the old one being kept.

Secrets are not here: see `cashier_gui.secrets`.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomli_w
from platformdirs import user_config_path, user_data_path

APP_DIR_NAME = "cashier_gui"
SETTINGS_FILE = "settings.toml"
PROVIDERS = ("viopay", "poynt")


class ConfigError(Exception):
    """The settings file or a setting is unusable. `str()` names the file and the problem."""


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
    def logs(self) -> Path:
        return self.data_dir / "logs"

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
        check_viopay_url(self.base_url)
        for name in ("terminal_id", "key_id"):
            value = getattr(self, name)
            if not value or not value.strip() or any(c in value for c in "\r\n"):
                raise ConfigError(f"viopay.{name} must not be empty")


@dataclass(frozen=True)
class PoyntSettings:
    host: str
    port: int = 55555
    client_name: str = "cashier_gui"

    def __post_init__(self) -> None:
        check_poynt_host(self.host)
        if not 1 <= self.port <= 65535:
            raise ConfigError(f"poynt.port {self.port} is not a TCP port (1-65535)")


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
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.provider is not None and self.provider not in PROVIDERS:
            raise ConfigError(f"provider must be one of {', '.join(PROVIDERS)}")
        if not 0.5 <= self.connect_timeout_s <= 120 or not 1 <= self.read_timeout_s <= 300:
            raise ConfigError("timeouts: connect 0.5-120 s, read 1-300 s")

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
        if self.viopay:
            out["viopay"] = {k: v for k, v in asdict(self.viopay).items() if v is not None}
        if self.poynt:
            out["poynt"] = asdict(self.poynt)
        return out

    @classmethod
    def from_toml(cls, data: dict[str, Any]) -> Settings:
        try:
            viopay = ViopaySettings(**data["viopay"]) if "viopay" in data else None
            poynt = PoyntSettings(**data["poynt"]) if "poynt" in data else None
            return cls(
                provider=data.get("provider"),
                viopay=viopay,
                poynt=poynt,
                connect_timeout_s=float(data.get("connect_timeout_s", 5.0)),
                read_timeout_s=float(data.get("read_timeout_s", 30.0)),
                locale=data.get("locale"),
                default_currency=data.get("default_currency"),
                profile=str(data.get("profile", "default")),
            )
        except TypeError as exc:
            raise ConfigError(f"unexpected or missing setting ({exc})") from exc


def check_viopay_url(url: str) -> str:
    """`https://` always; plain `http://` only to a loopback address (training and tests)."""
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise ConfigError(f"“{url}” is not a web address like https://api.viopay.io")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError(
            f"“{url}” must start with https:// (plain http is only allowed to this PC itself)"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"“{url}” must not carry a query, a fragment or a password")
    return url


def check_poynt_host(host: str) -> str:
    """The terminal must be on the shop's LAN: a private-network or loopback IP address."""
    try:
        addr = ipaddress.ip_address(host.strip())
    except ValueError:
        raise ConfigError(
            f"“{host}” is not an IP address: type the address the terminal shows, e.g. 192.168.1.23"
        ) from None
    if not (addr.is_private or addr.is_loopback) or addr.is_unspecified or addr.is_multicast:
        raise ConfigError(
            f"{host} is not on a local network: a Poynt terminal has a private address "
            "such as 192.168.x.x or 10.x.x.x"
        )
    return str(addr)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    """Write atomically; keep the previous file (even a corrupt one) as settings.toml.bak."""
    path = paths.settings
    path.parent.mkdir(parents=True, exist_ok=True)
    data = tomli_w.dumps(settings.to_toml()).encode("utf-8")
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    if path.exists():
        shutil.copy2(path, path.with_name(path.name + ".bak"))
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
