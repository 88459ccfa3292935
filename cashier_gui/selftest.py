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

    needed = ["style.qss", "icon.png", "fonts/DejaVuSansMono.ttf", "fonts/DejaVuSansMono-Bold.ttf"]
    missing = [n for n in needed if not resource(n).exists()]
    if missing:
        raise RuntimeError(f"missing in {resources_dir()}: {', '.join(missing)}")
    return f"resources in {resources_dir()}"


def _money() -> str:
    from cashier_gui.money import Money, parse_amount

    if parse_amount("12,345", "KWD") != Money(12345, "KWD"):
        raise RuntimeError("currency data is wrong")
    return f"currency data ({Money(123450, 'EUR').format('de_DE')})"


def _escpos() -> str:
    """The receipt printer's bytes (python-escpos and its printer profiles are shipped)."""
    from cashier_gui.paper.escpos import escpos_bytes
    from cashier_gui.paper.layout import Line

    data = escpos_bytes([Line("Self-test 12,50 € ü")])
    if not (data.startswith(b"\x1b@") and data.endswith(b"\x1dV\x00")):
        raise RuntimeError("the receipt printer's commands are not as expected")
    return f"ESC/POS ({len(data)} bytes)"


Check = tuple[str, Callable[[], str]]
CHECKS: list[Check] = [
    ("envelope", _envelope),
    ("keyring", _keyring),
    ("resources", _resources),
    ("money", _money),
    ("escpos", _escpos),
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
