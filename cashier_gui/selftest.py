"""`cashier-gui --self-test`: is this installation whole? Exits 0 (all good) or 1.

Builds the main window offscreen, seals and opens an envelope, checks that the keyring backend
is a real one, that the resources are there and that Qt's text services work (the Qt checks are
in ui/selfcheck.py, handed in by `__main__`: nothing outside ui/ imports it). Prints one line per check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def _envelope() -> str:
    from cashier_gui.protocol import viopay

    msk = bytes(range(32))
    sealed = viopay.seal(msk, b'{"amount":{"value":"1500","currency":"EUR"}}')
    if viopay.open_envelope(msk, sealed) != b'{"amount":{"value":"1500","currency":"EUR"}}':
        raise RuntimeError("the envelope did not open to what was sealed")
    return f"AES-256-CBC envelope sealed and opened (kcv {viopay.key_check_value(msk)})"


def _keyring() -> str:
    from cashier_gui.secrets import SecretStore, describe_backend

    store = SecretStore()
    store.check()
    return f"keyring backend {describe_backend(store.backend)}"


def _resources() -> str:
    from cashier_gui.resources import resource, resources_dir

    needed = [
        "style.qss",
        "icon.png",
        "spin-up.png",
        "spin-down.png",
        "fonts/DejaVuSansMono.ttf",
        "fonts/DejaVuSansMono-Bold.ttf",
    ]
    missing = [n for n in needed if not resource(n).exists()]
    if missing:
        raise RuntimeError(f"missing in {resources_dir()}: {', '.join(missing)}")
    return f"resources in {resources_dir()}"


def _money() -> str:
    from cashier_gui.money import Money, parse_amount
    from cashier_gui.paper.receipt import local_time

    if parse_amount("12,345", "KWD") != Money(12345, "KWD"):
        raise RuntimeError("currency data is wrong")
    languages = _languages()
    for language in languages:  # the package's slim Babel files still format money and time
        Money(123450, "EUR").format(language)
        local_time("2026-12-03T10:00:00Z", language)
    return f"currency data ({Money(123450, 'EUR').format('de_DE')}; {len(languages)} languages)"


def _languages() -> list[str]:
    from babel.localedata import locale_identifiers

    return sorted(name for name in locale_identifiers() if "_" not in name and name != "root")


def _escpos() -> str:
    """The receipt printer's bytes (python-escpos and its printer profiles are shipped)."""
    from cashier_gui.paper.escpos import escpos_bytes
    from cashier_gui.paper.layout import Line

    data = escpos_bytes([Line("Self-test 12,50 € ü")])
    if not (data.startswith(b"\x1b@") and data.endswith(b"\x1dV\x00")):
        raise RuntimeError("the receipt printer's commands are not as expected")
    return f"ESC/POS ({len(data)} bytes)"


def _shop_tls() -> str:
    """The shop server's client: psycopg's libpq loads and speaks TLS. No server is needed: a
    throwaway endpoint on loopback answers PostgreSQL's SSLRequest and does the TLS handshake
    with Python's ssl (a self-signed certificate; sslmode=require), then hangs up once the
    startup message has arrived encrypted. Proves libpq, its OpenSSL and the libraries it needs
    load and work in this build, and which OpenSSL each side runs."""
    import datetime as dt
    import socket
    import ssl
    import tempfile
    import threading
    from pathlib import Path

    import psycopg
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cashier-gui self-test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(minutes=5))
        .sign(key, hashes.SHA256())
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        pem = Path(tmp) / "self-test.pem"
        pem.write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        server.load_cert_chain(pem)
    seen: dict[str, str] = {}
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)

    def serve() -> None:
        try:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(10)
                if conn.recv(8) != b"\x00\x00\x00\x08\x04\xd2\x16\x2f":  # SSLRequest
                    seen["error"] = "libpq did not ask for TLS"
                    return
                conn.sendall(b"S")
                with server.wrap_socket(conn, server_side=True) as tls:
                    seen["version"] = tls.version() or "?"
                    seen["startup"] = str(len(tls.recv(4)))  # its length, encrypted
        except (OSError, ssl.SSLError) as exc:
            seen["error"] = f"{type(exc).__name__}: {exc}"

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    try:
        psycopg.connect(
            f"host=127.0.0.1 port={port} sslmode=require gssencmode=disable "
            "user=selftest dbname=selftest connect_timeout=10"
        ).close()
    except psycopg.OperationalError:
        pass  # expected: the endpoint hangs up after the handshake
    finally:
        thread.join(15)
        listener.close()
    if "error" in seen or seen.get("startup") != "4":
        raise RuntimeError(seen.get("error", "no TLS handshake with libpq"))
    return (
        f"libpq {psycopg.pq.version()} ({psycopg.pq.__impl__}) spoke {seen['version']}; "
        f"Python's ssl: {ssl.OPENSSL_VERSION}"
    )


Check = tuple[str, Callable[[], str]]
CHECKS: list[Check] = [
    ("envelope", _envelope),
    ("keyring", _keyring),
    ("resources", _resources),
    ("money", _money),
    ("escpos", _escpos),
    ("shop tls", _shop_tls),
]


def run_self_test(front: Sequence[Check] = ()) -> int:
    """Run `front` (the window's checks, from ui/selfcheck.py) and then the checks here."""
    from cashier_gui import __version__

    print(f"cashier-gui {__version__} self-test")
    failed = 0
    for name, check in [*front, *CHECKS]:
        try:
            detail = check()
        except Exception as exc:
            failed += 1
            print(f"  FAIL  {name:<10} {type(exc).__name__}: {exc}")
        else:
            print(f"  ok    {name:<10} {detail}")
    print("All checks passed." if not failed else f"{failed} check(s) failed.")
    return 1 if failed else 0
