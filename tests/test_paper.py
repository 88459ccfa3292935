"""Receipts and the end-of-shift report: every state in words, read back from real PDFs
(pdftotext), ESC/POS bytes against the printer's commands, a network receipt printer on
loopback (and one that is off), report sums against a real journal, and the settings."""

from __future__ import annotations

import csv
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_gui.config import ConfigError, Paths, Settings, load_settings, save_settings
from cashier_gui.journal import Attempt, Journal, Kind, NewAttempt, State
from cashier_gui.journal.sqlite import SqliteJournal
from cashier_gui.money import Money
from cashier_gui.paper.escpos import PrinterError, escpos_bytes, print_lines
from cashier_gui.paper.layout import Line
from cashier_gui.paper.receipt import receipt_lines
from cashier_gui.paper.report import build_report, day_bounds
from cashier_gui.paper.settings import PaperSettings, PrinterSettings, ShopSettings

EUR_12_50 = Money(1250, "EUR")
SHOP = ShopSettings("Müller Schuhe", ("Hauptstraße 5", "10115 Berlin"))
PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with SqliteJournal(tmp_path / "journal.sqlite3") as j:
        yield j


def make(
    j: Journal,
    state: State,
    *,
    amount: Money | None = EUR_12_50,
    operator: str = "Carl",
    kind: Kind = Kind.REFUND,
    training: bool = False,
    charge: str | None = None,
) -> Attempt:
    n = j.count() + 1
    a = j.prepare(
        NewAttempt(
            provider="viopay",
            terminal="TERM-001",
            charge_id=charge or f"ch_{n}",
            amount=amount,
            reason="customer_request" if kind is Kind.REFUND else None,
            note=None,
            transaction_reference=f"TERM-001-REF-{n}",
            key=f"key-{n}",
            operator=operator,
            approver="Mia" if n % 2 else None,
            kind=kind,
            training=training,
            card_brand="VISA",
            card_last4="4242",
        )
    )
    if state is State.CANCELLED:
        return j.send_or_cancel(a.key, lambda: True)
    a = j.send_or_cancel(a.key, lambda: False)
    if state is State.SENT:
        return a
    refund_id = f"rf_{n:04d}" if state in (State.APPROVED, State.PENDING) else None
    return j.transition(a.key, state, expect=State.SENT, refund_id=refund_id)


def pdf_text(lines: list[Line], path: Path, width: int = 42) -> str:
    from cashier_gui.ui.pdf import write_pdf

    write_pdf(lines, path, width)
    assert path.read_bytes().startswith(b"%PDF")
    assert PDFTOTEXT is not None, "pdftotext (poppler-utils) is needed to read PDFs back"
    out = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return " ".join(out.stdout.split())  # words as a reader sees them, whatever the wrapping


# ---- receipts ----------------------------------------------------------------------------------

STATES = [
    (State.APPROVED, Kind.REFUND, ["REFUND APPROVED", "3–5 working days", "Refund ID rf_0001"]),
    (State.PENDING, Kind.REFUND, ["NOT CONFIRMED YET — PENDING", "not confirmed this refund yet"]),
    (State.UNKNOWN, Kind.REFUND, ["NOT CONFIRMED YET", "does not refund it twice"]),
    (State.SENT, Kind.REFUND, ["NOT CONFIRMED YET", "Keep this receipt"]),
    (State.DECLINED, Kind.REFUND, ["DECLINED — NOTHING REFUNDED", "No money was refunded"]),
    (State.FAILED, Kind.REFUND, ["NOT REFUNDED", "No money was refunded"]),
    (State.NOT_SENT, Kind.REFUND, ["NOT REFUNDED", "did not go through"]),
    (State.CANCELLED, Kind.REFUND, ["NOT REFUNDED", "cancelled before it was sent"]),
    (State.APPROVED, Kind.VOID, ["VOID RECEIPT", "SALE VOIDED", "the card is not charged"]),
]


@pytest.mark.parametrize(("state", "kind", "words"), STATES)
def test_every_state_reads_in_words_on_the_pdf(
    qapp: object, journal: Journal, tmp_path: Path, state: State, kind: Kind, words: list[str]
) -> None:
    a = make(journal, state, kind=kind)
    text = pdf_text(receipt_lines(a, SHOP, 42, "de_DE"), tmp_path / "r.pdf")
    for w in [*words, "Müller Schuhe", "Hauptstraße 5", "12,50 €", "VISA •••• 4242", "Carl"]:
        assert w in text, (w, text)
    assert "TERM-001-REF-1" in text and "ch_1" in text
    assert "TRAINING" not in text
    if state is not State.APPROVED:
        assert "3–5 working days" not in text  # never promises money that is not coming


def test_a_training_receipt_says_so_at_the_top_and_the_bottom(
    qapp: object, journal: Journal, tmp_path: Path
) -> None:
    a = make(journal, State.APPROVED, training=True)
    lines = receipt_lines(a, SHOP, 42)
    assert lines[0].text == lines[-1].text == "TRAINING — NOT A REFUND"
    assert pdf_text(lines, tmp_path / "t.pdf").count("TRAINING — NOT A REFUND") == 2


@pytest.mark.parametrize("width", [32, 42, 48])
def test_every_line_fits_the_paper(journal: Journal, width: int) -> None:
    a = make(journal, State.UNKNOWN, amount=Money(123456789, "KWD"))
    shop = ShopSettings("A shop with a rather long name indeed", ("x" * 48,))
    lines = receipt_lines(a, shop, width, "en_US")
    assert all(line.fits(width) for line in lines), [x.text for x in lines if not x.fits(width)]
    text = " ".join(x.text for x in lines)
    assert "KWD" in text and "123,456.789" in text  # three decimals, never a float


def test_a_poynt_full_refund_without_an_amount_says_the_full_amount(journal: Journal) -> None:
    a = make(journal, State.UNKNOWN, amount=None)
    text = " ".join(x.text for x in receipt_lines(a, SHOP, 42))
    assert "the full amount" in text


# ---- ESC/POS -----------------------------------------------------------------------------------


def test_escpos_bytes_initialise_print_and_cut(journal: Journal) -> None:
    a = make(journal, State.APPROVED)
    data = escpos_bytes(receipt_lines(a, SHOP, 42, "de_DE"))
    assert data.startswith(b"\x1b@")  # ESC @: initialise
    assert data.endswith(b"\x1dV\x00")  # GS V 0: full cut
    assert b"\x1ba\x01" in data  # ESC a 1: centred lines
    assert b"\x1bE\x01" in data  # ESC E 1: bold
    assert b"REFUND APPROVED" in data and b"rf_0001" in data
    assert b"\x1bt" in data  # ESC t n: a code page chosen for €, ß, ü
    assert "€".encode() not in data  # never UTF-8 bytes the printer would print as garbage


class Collector:
    """A receipt printer on loopback: a TCP server keeping what it receives."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received = bytearray()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            while chunk := conn.recv(65536):
                self.received += chunk

    def close(self) -> None:
        self.sock.close()


def test_a_network_receipt_printer_gets_the_receipt(journal: Journal) -> None:
    a = make(journal, State.APPROVED)
    lines = receipt_lines(a, SHOP, 42)
    printer = Collector()
    try:
        print_lines(lines, PrinterSettings("escpos-network", f"127.0.0.1:{printer.port}"))
        printer.thread.join(timeout=5)
        assert bytes(printer.received) == escpos_bytes(lines)
    finally:
        printer.close()


def test_a_receipt_printer_that_is_off_says_what_to_check(journal: Journal) -> None:
    a = make(journal, State.APPROVED)
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]  # closed below: nothing listens there any more
    with pytest.raises(PrinterError) as info:
        print_lines(
            receipt_lines(a, SHOP, 42), PrinterSettings("escpos-network", f"127.0.0.1:{port}")
        )
    assert "did not answer" in str(info.value) and "Reprint from History" in str(info.value)


def test_a_device_path_printer_and_one_that_is_missing(journal: Journal, tmp_path: Path) -> None:
    a = make(journal, State.APPROVED)
    lines = receipt_lines(a, SHOP, 32)
    device = tmp_path / "lp0"
    print_lines(lines, PrinterSettings("escpos-file", str(device)))
    assert device.read_bytes() == escpos_bytes(lines)
    with pytest.raises(PrinterError) as info:
        print_lines(lines, PrinterSettings("escpos-file", str(tmp_path / "no" / "lp0")))
    assert "check that it is connected" in str(info.value)


# ---- the end-of-shift report --------------------------------------------------------------------


def test_report_sums_per_currency_state_and_operator(
    qapp: object, journal: Journal, tmp_path: Path
) -> None:
    make(journal, State.APPROVED, amount=Money(1250, "EUR"))
    make(journal, State.APPROVED, amount=Money(750, "EUR"), operator="Bea")
    make(journal, State.APPROVED, amount=Money(1550, "JPY"), operator="Bea")
    make(journal, State.PENDING, amount=Money(1000, "EUR"))
    make(journal, State.DECLINED, amount=Money(300, "EUR"))
    make(journal, State.NOT_SENT, amount=Money(200, "EUR"))
    make(journal, State.CANCELLED, amount=Money(99900, "EUR"))  # nothing left: not counted
    make(journal, State.UNKNOWN, amount=Money(4990, "EUR"), charge="ch_lost")
    make(journal, State.APPROVED, amount=Money(2450, "EUR"), kind=Kind.VOID)
    make(journal, State.UNKNOWN, amount=None, charge="ch_poynt_full")
    since, until = day_bounds(__import__("datetime").date.today())
    report = build_report(journal, since=since, until=until)
    data = report.to_json()
    eur = data["totals"]["EUR"]
    assert eur["approved"] == {
        "count": 2,
        "total": "20.00",
        "total_minor": 2000,
        "without_amount": 0,
    }
    assert eur["pending"]["total_minor"] == 1000
    assert eur["declined"]["count"] == 2 and eur["declined"]["total_minor"] == 500
    assert eur["unknown"]["total_minor"] == 4990 and eur["voided"]["total_minor"] == 2450
    assert data["totals"]["JPY"]["approved"]["total"] == "1550"
    assert data["totals"][""]["unknown"]["without_amount"] == 1  # priced by nobody yet
    assert data["by_operator"]["Bea"]["EUR"]["approved"]["total_minor"] == 750
    assert [u["charge_id"] for u in data["unknown"]] == ["ch_lost", "ch_poynt_full"]
    assert data["attempts"] == 9
    text = pdf_text(report.lines(42, "de_DE"), tmp_path / "report.pdf")
    for words in [
        "End-of-shift report",
        "Refunded (2) 20,00 €",
        "UNKNOWN — CHECK",
        "ch_lost",
        "Press F5 (Check now)",
        "Per operator",
        "Bea",
        "1.550 ¥",
    ]:
        assert words in text, (words, text)
    # Only Bea's: what she made or approved.
    mine = build_report(journal, since=since, until=until, operator="Bea").to_json()
    assert set(mine["totals"]) == {"EUR", "JPY"} and mine["attempts"] == 2


def test_report_csv_is_formula_safe_and_private(journal: Journal, tmp_path: Path) -> None:
    make(journal, State.APPROVED, operator='=HYPERLINK("x")')
    make(journal, State.UNKNOWN, operator="@evil")
    since, until = day_bounds(__import__("datetime").date.today())
    out = tmp_path / "report.csv"
    rows = build_report(journal, since=since, until=until).write_csv(out)
    with out.open(newline="") as fh:
        table = list(csv.reader(fh))
    assert len(table) == rows + 1
    cells = [c for row in table for c in row]
    assert '\'=HYPERLINK("x")' in cells and "'@evil" in cells
    assert not any(c.startswith(("=", "@", "+")) for c in cells)
    assert out.stat().st_mode & 0o077 == 0


def test_an_empty_day_says_so(journal: Journal) -> None:
    since, until = day_bounds(__import__("datetime").date(2020, 1, 1))
    text = " ".join(x.text for x in build_report(journal, since=since, until=until).lines())
    assert "No refunds in this period." in text and "nothing to check" in text


# ---- settings -----------------------------------------------------------------------------------


def test_shop_and_printer_round_trip(tmp_path: Path) -> None:
    paths = Paths(tmp_path, tmp_path)
    settings = Settings(
        paper=PaperSettings(SHOP, PrinterSettings("escpos-network", "192.168.1.50", True, 48))
    )
    save_settings(paths, settings)
    assert load_settings(paths).paper == settings.paper
    assert settings.paper.printer.network_address() == ("192.168.1.50", 9100)


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ('[printer]\nkind = "laser"', "printer.kind must be one of"),
        ('[printer]\nkind = "escpos-network"', "printer.target is needed"),
        ('[printer]\nkind = "escpos-network"\ntarget = "a b"', "address"),
        ('[printer]\nkind = "escpos-network"\ntarget = "h:99999"', "address"),
        ('[printer]\nkind = "escpos-usb"\ntarget = "epson"', "vendor:product"),
        ("[printer]\nwidth = 40", "32, 42 or 48"),
        ('[printer]\nauto_print = "yes"', "true or false"),
        ("[printer]\ncolour = 1", "printer.colour is not a setting"),
        ('[shop]\nname = "a\\nb"', "one line"),
        ('[shop]\naddress = "Main St 5"', "list of lines"),
        ('[shop]\naddress = ["1", "2", "3", "4", "5"]', "at most 4 lines"),
        ('shop = "x"', "must be a table"),
    ],
)
def test_bad_paper_settings_name_the_key_and_the_fix(tmp_path: Path, toml: str, says: str) -> None:
    paths = Paths(tmp_path, tmp_path)
    paths.settings.write_text(toml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(paths)
    assert says in str(info.value) and "Settings" in str(info.value)


def test_the_self_tests_pdf_reader_reads_back_every_line(
    qapp: object, journal: Journal, tmp_path: Path
) -> None:
    from cashier_gui.paper.pdftext import pdf_lines
    from cashier_gui.ui.pdf import write_pdf

    # Forty receipts: compressed streams end in every kind of byte (a final \r included).
    for n in range(40):
        a = make(journal, State.UNKNOWN, amount=Money(123456 + 997 * n, "KWD"))
        lines = receipt_lines(a, SHOP, 42, "de_DE")
        write_pdf(lines, tmp_path / "r.pdf", 42)
        read = ["".join(x.split()) for x in pdf_lines((tmp_path / "r.pdf").read_bytes())]
        assert read == ["".join(x.text.split()) for x in lines if x.text.strip()], n
        journal.resolve_by_hand(a.key, refunded=False, by="test", why="next receipt")
