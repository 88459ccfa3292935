"""From the shop's URL to libpq connection parameters: TLS, timeouts, keepalives.

- Only `postgresql://` / `postgres://` URLs; a password in the URL is refused (it would end up in
  settings, argv or logs): it comes separately (stdin or the keyring) and is handed to libpq as
  a keyword, never written into a conninfo string we keep or show.
- TLS as for Viopay: any host that is not loopback needs `sslmode=verify-full` (set when the
  URL says nothing; a weaker mode is refused), trusting the system's CAs (`system_ca_file()`:
  the OS's bundle file — not libpq's `sslrootcert=system`, which in psycopg-binary's libpq points
  at its build host's OpenSSL folder, missing on a counter PC)
  or a named CA file. Loopback and Unix sockets keep what the URL says.
- A short connect timeout, TCP keepalives and a TCP user timeout so a dead link (a power cut gives
  no FIN) is noticed in seconds, and a statement timeout and an idle-in-transaction timeout so no
  claim waits or holds a lock for long.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psycopg.conninfo import conninfo_to_dict

from cashier_gui.shop.errors import ShopInputError

CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 5000
IDLE_IN_TRANSACTION_MS = 10000
_WEAK_SSL = {"disable", "allow", "prefer", "require", "verify-ca"}


def is_loopback(host: str) -> bool:
    if not host or host.startswith("/") or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ShopTarget:
    """Where the shop server is and how to reach it. `params` holds no password."""

    url: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """`host:port/db` for messages (never user or password)."""
        p = self.params
        return f"{p.get('host', 'localhost')}:{p.get('port', 5432)}/{p.get('dbname', '')}"

    def connect_kwargs(
        self,
        password: str | None,
        *,
        application_name: str = "cashier-refund",
        statement_timeout_ms: int = STATEMENT_TIMEOUT_MS,
    ) -> dict[str, Any]:
        """Keywords for psycopg.connect / the pool's `kwargs` (the password only if given)."""
        kwargs = dict(self.params)
        kwargs["application_name"] = application_name[:63]
        kwargs["options"] = (
            f"-c statement_timeout={int(statement_timeout_ms)} "
            f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}"
        )
        if password:
            kwargs["password"] = password
        return kwargs


#: Where operating systems keep their trusted CAs as one PEM file (Debian/Ubuntu, Fedora/RHEL,
#: openSUSE, Alpine/macOS/BSD).
_SYSTEM_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
)


def system_ca_file() -> str:
    """The PEM file of CAs this PC trusts, for libpq: `SSL_CERT_FILE` when the installer set
    it, else the OS's bundle, else (Windows, whose store is no file) certifi's Mozilla bundle."""
    named = os.environ.get("SSL_CERT_FILE")
    if named and Path(named).is_file():
        return named
    for candidate in _SYSTEM_BUNDLES:
        if Path(candidate).is_file():
            return candidate
    import certifi

    return str(certifi.where())


def parse_url(url: str, *, ca_file: str | Path | None = None) -> ShopTarget:
    """Check the shop's URL and add what every connection needs; ShopInputError with a
    sentence otherwise."""
    if not isinstance(url, str) or not url.startswith(("postgresql://", "postgres://")):
        raise ShopInputError(
            "The shop server's address must look like postgresql://USER@HOST:PORT/DATABASE."
        )
    try:
        params = conninfo_to_dict(url)
    except Exception:
        raise ShopInputError(
            "The shop server's address cannot be read: use postgresql://USER@HOST:PORT/DATABASE."
        ) from None
    if "password" in params:
        raise ShopInputError(
            "Leave the password out of the shop server's address: give it on stdin "
            "(--password-stdin) or in the keyring (secret set shop-password)."
        )
    if not params.get("dbname") or not params.get("host"):
        raise ShopInputError(
            "The shop server's address needs a host and a database: "
            "postgresql://USER@HOST:PORT/DATABASE."
        )
    hosts = str(params["host"]).split(",")
    if not all(is_loopback(h) for h in hosts):
        mode = params.get("sslmode")
        if mode in _WEAK_SSL:
            raise ShopInputError(
                f"sslmode={mode} is not enough for a shop server on the network: use "
                "sslmode=verify-full (the default here), so the server's certificate and name "
                "are checked."
            )
        params["sslmode"] = "verify-full"
        if ca_file is not None:
            path = Path(ca_file)
            if not path.is_file():
                raise ShopInputError(f"The CA file {path} does not exist.")
            params["sslrootcert"] = str(path)
        params.setdefault("sslrootcert", system_ca_file())
    elif ca_file is not None:
        params["sslrootcert"] = str(ca_file)
    params.update(
        connect_timeout=CONNECT_TIMEOUT_S,
        keepalives=1,
        keepalives_idle=10,
        keepalives_interval=5,
        keepalives_count=3,
        tcp_user_timeout=15000,
    )
    return ShopTarget(url=url, params=params)
