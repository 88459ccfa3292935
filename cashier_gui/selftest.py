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


def _receipt_pdf() -> str:
    """Print a training receipt to PDF with the shipped font and read its text back."""
    import tempfile
    from pathlib import Path

    from cashier_gui.journal import Attempt, State
    from cashier_gui.paper.pdf import write_pdf
    from cashier_gui.paper.pdftext import pdf_lines
    from cashier_gui.paper.receipt import receipt_lines
    from cashier_gui.paper.settings import ShopSettings

    attempt = Attempt(
        id=1, provider="viopay", terminal="SELFTEST", charge_id="ch_selftest", amount_minor=1250,
        currency="EUR", reason="other", note=None, transaction_reference="SELFTEST-1",
        idempotency_key="selftest", operator="selftest", training=True, state=State.APPROVED,
        refund_id="rf_selftest", error_code=None, error_message=None, trace_id=None,
        created_at="2025-01-01T12:00:00.000000Z", updated_at="2025-01-01T12:00:00.000000Z",
        card_brand="VISA", card_last4="4242",
    )  # fmt: skip
    lines = receipt_lines(attempt, ShopSettings(name="Self-test"), 42)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "receipt.pdf"
        write_pdf(lines, target, 42)
        data = target.read_bytes()
    if b"/FontFile2" not in data or b"DejaVuSansMono" not in data:
        raise RuntimeError("the PDF does not embed the shipped font (resources/fonts)")
    found = "".join("".join(line.split()) for line in pdf_lines(data))  # e.g. U+202F in times
    expected = ["".join(line.text.split()) for line in lines if line.text.strip()]
    missing = [text for text in expected if text not in found]
    if missing:
        raise RuntimeError(f"the PDF does not read back as printed: {missing[0]!r} is missing")
    return f"receipt PDF ({len(data) // 1024} KiB, {len(expected)} lines read back, font embedded)"


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
    ("receipt", _receipt_pdf),
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
