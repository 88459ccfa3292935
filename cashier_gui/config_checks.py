"""The checks every setting goes through (see config.py): one line of plain text, the right
type, a web address for Viopay, a LAN address for Poynt; `ConfigError` names the key and the fix."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from urllib.parse import urlsplit

from cashier_gui.errors import UserFacing
from cashier_gui.safetext import invisible, printable


class ConfigError(UserFacing):
    """The settings file or a setting is unusable. `str()` names the file and the problem."""


# ---- checks shared by the settings file, the setup command and the Settings dialog -----------

_FIX_VIOPAY = "fix it in Counter → Settings or with cashier-refund setup viopay"
_FIX_POYNT = "fix it in Counter → Settings or with cashier-refund setup poynt"
_FIX_COMMON = "fix it in Counter → Settings"
_FIX_FILE = "fix it in the settings file"
_FIX_SHOP = "fix it in Counter → Settings or with cashier-refund setup shop"
_FIX = {"viopay": _FIX_VIOPAY, "poynt": _FIX_POYNT, "shop_server": _FIX_SHOP}


def _kind(value: object) -> str:
    """What a wrong value is, in words: `not a number`, `not text`…"""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number with decimals"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, dt.date | dt.time):
        return "a date or time"
    return f"a {type(value).__name__}"


def _invisible(ch: str) -> bool:
    """Control (CR, LF, NUL, tab, ESC…), format (bidi marks, zero-width) or line separators:
    the same characters a typed note refuses (`safetext.invisible`)."""
    return invisible(ch)


def _check_text(key: str, value: object, example: str, fix: str) -> str:
    """`value` must be non-empty text on one line with only visible characters."""
    if not isinstance(value, str):
        raise ConfigError(f'{key} must be text (e.g. "{example}"), not {_kind(value)}: {fix}')
    if any(_invisible(ch) for ch in value):
        raise ConfigError(
            f"{key} must be one line of plain text, without line breaks, NUL or other "
            f"invisible characters: {fix}"
        )
    if not value.strip():
        raise ConfigError(f'{key} must not be empty (e.g. "{example}"): {fix}')
    return value


def _check_optional_text(key: str, value: object, example: str, fix: str) -> str | None:
    return None if value is None else _check_text(key, value, example, fix)


def _check_seconds(key: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(
            f"{key} must be a number of seconds from {low:g} to {high:g}, not {_kind(value)}: "
            f"{_FIX_COMMON}"
        )
    if not low <= value <= high:  # also refuses nan
        raise ConfigError(
            f"{key} must be from {low:g} to {high:g} seconds (timeouts: connect 0.5-120 s, "
            f"read 1-300 s): {_FIX_COMMON}"
        )
    return float(value)


_LOCALE_RE = re.compile(
    r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*(?:\.[A-Za-z0-9-]{1,20})?(?:@[A-Za-z0-9]{1,20})?",
    re.ASCII,
)
_PROFILE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", re.ASCII)


def check_viopay_url(url: str) -> str:
    """`https://` always; plain `http://` only to a loopback address (training and tests)."""
    if not isinstance(url, str):
        raise ConfigError(f"{_kind(url)} is not a web address like https://api.viopay.io")
    shown = printable(url, 80)
    not_url = ConfigError(f"“{shown}” is not a web address like https://api.viopay.io")
    if any(_invisible(ch) or ch.isspace() for ch in url):
        # urlsplit() would silently drop tabs and line breaks.
        raise not_url
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise not_url from None
    if not hostname or parts.scheme not in ("https", "http"):
        raise not_url
    if parts.scheme == "http" and not _is_loopback(hostname):
        raise ConfigError(
            f"“{shown}” must start with https:// (plain http is only allowed to this PC itself)"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"“{shown}” must not carry a query, a fragment or a password")
    return url


def check_poynt_host(host: str) -> str:
    """The terminal must be on the shop's LAN: a private-network or loopback IP address."""
    try:
        if not isinstance(host, str):
            raise ValueError(host)
        addr = ipaddress.ip_address(host.strip())
    except ValueError:
        raise ConfigError(
            f"“{printable(host, 60)}” is not an IP address: type the address the terminal "
            "shows, e.g. 192.168.1.23"
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
