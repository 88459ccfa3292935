from __future__ import annotations

import os
from typing import Any

import pytest

from cashier_gui.secrets import (
    HMAC_SECRET,
    MSK,
    NAMES,
    PAIRING_CODE,
    KeyringUnavailable,
    SecretStore,
    check_backend,
)
from tests.support.keyrings import MemoryKeyring


def test_store_read_replace_delete_in_memory() -> None:
    backend = MemoryKeyring()
    store = SecretStore("shop-1", backend)
    assert store.get(HMAC_SECRET) is None
    store.set(HMAC_SECRET, "s3cret-value")
    store.set(HMAC_SECRET, "s3cret-value-2")
    assert store.get(HMAC_SECRET) == "s3cret-value-2"
    assert backend.store == {("cashier_gui", "shop-1/viopay-hmac-secret"): "s3cret-value-2"}
    assert store.delete(HMAC_SECRET) and not store.delete(HMAC_SECRET)
    with pytest.raises(ValueError, match="unknown secret"):
        store.get("password")
    assert "s3cret" not in repr(store)


def test_fail_backend_is_refused_with_what_to_do() -> None:
    from keyring.backends import fail

    with pytest.raises(KeyringUnavailable, match="GNOME Keyring or KWallet") as caught:
        SecretStore(backend=fail.Keyring()).set(MSK, "x")
    # Words, never a class name (issue 26: "keyring.backends.fail.Keyring" on screen).
    assert "keyring.backends" not in str(caught.value)
    assert str(caught.value).startswith("The system keyring is not available")


def test_plaintext_backends_are_refused_even_inside_a_chain() -> None:
    plain = type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})()
    chain = type("Chainer", (), {"backends": [MemoryKeyring(), plain]})()
    with pytest.raises(KeyringUnavailable, match="never stored in a plain file"):
        check_backend(chain)
    check_backend(type("Chainer", (), {"backends": [MemoryKeyring()]})())


def test_locked_keyring_says_unlock() -> None:
    from keyring.errors import KeyringLocked

    class Locked(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise KeyringLocked("locked")

    with pytest.raises(KeyringUnavailable, match="locked: unlock it"):
        SecretStore(backend=Locked()).get(PAIRING_CODE)


def test_backend_errors_do_not_leak_their_text() -> None:
    class Broken(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise RuntimeError(f"failed to store {password}")

    with pytest.raises(KeyringUnavailable) as info:
        SecretStore(backend=Broken()).set(HMAC_SECRET, "planted-secret-123")
    assert "planted-secret-123" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.secret_service
def test_real_secret_service_through_the_app() -> None:
    """gnome-keyring on a private D-Bus session (scripts/test sets it up)."""
    import keyring
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    assert backend.priority > 0, "no Secret Service on this D-Bus session"
    store = SecretStore("ci-profile", backend)
    store.check()
    for name in NAMES:
        store.set(name, f"{name}-first")
        assert store.get(name) == f"{name}-first"
        store.set(name, f"{name}-second")
        assert store.get(name) == f"{name}-second"
    assert type(keyring.get_keyring()).__module__.startswith("keyring.backends")
    for name in NAMES:
        assert store.delete(name)
        assert store.get(name) is None


@pytest.mark.secret_service
def test_cli_stores_in_the_real_secret_service(tmp_path: Any) -> None:
    import subprocess
    import sys

    from keyring.backends import SecretService

    env = dict(
        os.environ,
        CASHIER_GUI_HOME=str(tmp_path),
        PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring",
    )
    msk = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
    r = subprocess.run(
        [sys.executable, "-m", "cashier_gui.cli", "secret", "set", "viopay-msk"],
        input=msk + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert "key check value 377822" in r.stdout and msk not in r.stdout + r.stderr
    store = SecretStore(backend=SecretService.Keyring())
    assert store.get(MSK) == msk
    assert store.delete(MSK)
