"""Secrets — the Viopay HMAC secret, the MSK and the Poynt pairing code — in the OS keyring.

One service name, one entry per secret and profile (`{profile}/{name}`). Backends that would
store secrets in the clear, or not at all, are refused with a message that says what to do:
there is no plaintext fallback. Every call may block (D-Bus, Windows Credential Manager): the
window calls these through a worker thread, never on the GUI thread.
"""

from __future__ import annotations

import logging
from typing import Any

from cashier_gui.errors import UserFacing
from cashier_gui.i18n import _

SERVICE = "cashier_gui"
HMAC_SECRET = "viopay-hmac-secret"  # noqa: S105 (a name, not a secret)
MSK = "viopay-msk"
PAIRING_CODE = "poynt-pairing-code"
SHOP_PASSWORD = "shop-password"  # noqa: S105 (a name, not a secret)
NAMES = (HMAC_SECRET, MSK, PAIRING_CODE, SHOP_PASSWORD)
#: The app's own entries (doors.py): the settings seal's key and the seal. Not settable from the
#: command line (`secret set` takes NAMES only).
SEAL_KEY = "settings-seal-key"
SEAL = "settings-seal"
INTERNAL = (SEAL_KEY, SEAL)


class KeyringUnavailable(UserFacing):
    """No usable OS keyring. `str()` says what to install or unlock."""


log = logging.getLogger(__name__)


def _flatten(backend: Any) -> list[Any]:
    inner = getattr(backend, "backends", None)
    return [b for sub in inner for b in _flatten(sub)] if inner else [backend]


def describe_backend(backend: Any) -> str:
    return ", ".join(f"{type(b).__module__}.{type(b).__name__}" for b in _flatten(backend))


def check_backend(backend: Any) -> None:
    """Raise KeyringUnavailable unless `backend` keeps secrets in a real, protected store."""
    parts = _flatten(backend)
    for b in parts:
        module = type(b).__module__
        if module.startswith("keyrings.alt") or module in (
            "keyring.backends.fail",
            "keyring.backends.null",
        ):
            # The backend's class is for the log and `doctor`; the cashier gets words.
            log.warning("keyring backend refused: %s", describe_backend(backend))
            raise KeyringUnavailable(
                _(
                    "The system keyring is not available on this PC. On Windows and macOS it is "
                    "built in; on Linux install and unlock GNOME Keyring or KWallet (Secret "
                    "Service), then start the app again. Secrets are never stored in a plain "
                    "file."
                )
            )


class SecretStore:
    """The app's secrets in one keyring backend (the OS default unless one is given)."""

    def __init__(self, profile: str = "default", backend: Any = None) -> None:
        self.profile = profile
        self._backend = backend

    def __repr__(self) -> str:
        return f"SecretStore(profile={self.profile!r})"

    @property
    def backend(self) -> Any:
        if self._backend is None:
            import keyring  # deferred: ≈100 ms, not needed for the first paint

            self._backend = keyring.get_keyring()
        return self._backend

    def _user(self, name: str) -> str:
        if name not in NAMES and name not in INTERNAL:
            raise ValueError(f"unknown secret {name!r}; one of {', '.join(NAMES)}")
        return f"{self.profile}/{name}"

    def check(self) -> None:
        check_backend(self.backend)

    def get(self, name: str) -> str | None:
        self.check()
        user = self._user(name)
        value = self._call(lambda: self.backend.get_password(SERVICE, user))
        return None if value is None else str(value)

    def set(self, name: str, value: str) -> None:
        user = self._user(name)
        self.check()
        self._call(lambda: self.backend.set_password(SERVICE, user, value))

    def delete(self, name: str) -> bool:
        """Remove a secret; False when there was none."""
        user = self._user(name)
        self.check()
        from keyring.errors import PasswordDeleteError

        try:
            self._call(lambda: self.backend.delete_password(SERVICE, user))
        except PasswordDeleteError:
            return False
        return True

    @staticmethod
    def _call(fn: Any) -> Any:
        from keyring.errors import KeyringLocked, NoKeyringError, PasswordDeleteError

        try:
            return fn()
        except PasswordDeleteError:
            raise
        except KeyringLocked:
            raise KeyringUnavailable(
                _(
                    "The OS keyring is locked: unlock it (log in to the desktop, or open the "
                    "keyring manager), then try again."
                )
            ) from None
        except NoKeyringError:
            raise KeyringUnavailable(
                _(
                    "No OS keyring is available: install GNOME Keyring or KWallet (Linux); "
                    "Windows and macOS have one built in."
                )
            ) from None
        except Exception as exc:  # backends raise their own errors (D-Bus, Win32)
            raise KeyringUnavailable(
                _(
                    "The OS keyring did not answer ({error}): make sure it is running and "
                    "unlocked, then try again."
                ).format(error=type(exc).__name__)
            ) from None
