"""Paper from the window: Ctrl+P on the result card, printing automatically after a result (on a
receipt printer on loopback), a printer that is off (the window stays usable and says what to
check), a reprint from History, the end-of-shift report, and Settings' receipt section."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from cashier_gui.paper.escpos import escpos_bytes
from cashier_gui.paper.receipt import receipt_lines
from cashier_gui.paper.settings import PaperSettings, PrinterSettings, ShopSettings
from cashier_gui.ui.main_window import MainWindow
from tests.test_paper import Collector
from tests.ui.running import rt
from tests.ui.test_refund_window import look_up, refund

SHOP = ShopSettings("Müller Schuhe", ("Hauptstraße 5",))


def use_printer(w: MainWindow, printer: PrinterSettings) -> None:
    rt(w).settings = dataclasses.replace(rt(w).settings, paper=PaperSettings(SHOP, printer))


def test_ctrl_p_prints_the_receipt_on_the_result_card(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    device = tmp_path / "lp0"
    use_printer(window, PrinterSettings("escpos-file", str(device)))
    look_up(qtbot, window, "ch_train_eur_4990")
    refund(qtbot, window, "5")
    assert not device.exists()  # not automatic: auto_print is off
    QTest.keyClick(window.panel.charge_edit, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(device.exists, timeout=5000)
    qtbot.waitUntil(lambda: "printed" in window.statusBar().currentMessage(), timeout=5000)
    [attempt] = rt(window).service.journal.query()
    lines = receipt_lines(attempt, SHOP, 42, rt(window).settings.locale)
    assert device.read_bytes() == escpos_bytes(lines)
    assert b"TRAINING" in device.read_bytes()  # a practice slip says so


def test_ctrl_p_without_a_result_says_where_to_reprint(window: MainWindow) -> None:
    window.print_receipt()
    assert "History" in window.statusBar().currentMessage()


def test_auto_print_after_the_answer_on_a_network_receipt_printer(
    qtbot: QtBot, window: MainWindow
) -> None:
    printer = Collector()
    try:
        use_printer(
            window, PrinterSettings("escpos-network", f"127.0.0.1:{printer.port}", True, 32)
        )
        look_up(qtbot, window, "ch_train_eur_4990")
        refund(qtbot, window, "5")
        printer.thread.join(timeout=5)
        data = bytes(printer.received)
        assert data.startswith(b"\x1b@") and b"REFUND APPROVED" in data
    finally:
        printer.close()


def test_a_printer_that_is_off_never_stops_the_counter(qtbot: QtBot, window: MainWindow) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    use_printer(window, PrinterSettings("escpos-network", f"127.0.0.1:{port}", True))
    look_up(qtbot, window, "ch_train_eur_4990")
    refund(qtbot, window, "5")
    qtbot.waitUntil(lambda: "did not answer" in window.statusBar().currentMessage(), timeout=8000)
    assert "Reprint from History" in window.statusBar().currentMessage()
    # The next refund goes on as usual.
    notice = window.printing.notice
    assert notice is not None and notice.isVisible() and not notice.isModal()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)  # the keyboard stays at the counter
    look_up(qtbot, window, "ch_train_kwd_12345")
    assert window.panel.stage == "charge"


def test_reprint_from_history_and_the_shift_report(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from cashier_gui.ui.history import HistoryDialog
    from cashier_gui.ui.report_dialog import SESSION, ReportDialog

    device = tmp_path / "lp0"
    use_printer(window, PrinterSettings("escpos-file", str(device)))
    look_up(qtbot, window, "ch_train_eur_4990")
    refund(qtbot, window, "5")
    window.open_history()
    history = window.findChild(HistoryDialog)
    assert isinstance(history, HistoryDialog)
    qtbot.waitUntil(lambda: len(history.model.rows) == 1, timeout=3000)
    assert not history.print_button.isEnabled()  # nothing chosen yet
    history.table.selectRow(0)
    assert history.print_button.isEnabled()
    history.print_button.click()
    # Written on a worker thread: the file exists a moment before its bytes are in it.
    qtbot.waitUntil(lambda: device.exists() and device.stat().st_size > 0, timeout=5000)
    qtbot.waitUntil(lambda: b"REFUND APPROVED" in device.read_bytes(), timeout=5000)
    history.reject()

    window.open_report()
    report = window.findChild(ReportDialog)
    assert isinstance(report, ReportDialog)
    qtbot.waitUntil(lambda: report.report is not None, timeout=5000)
    text = report.text.toPlainText()
    assert "TRAINING" in text and "Refunded (1)" in text and "€5.00" in text
    report.period.setCurrentIndex(report.period.findData(SESSION))  # the trainee's session
    qtbot.waitUntil(lambda: "Session report" in report.text.toPlainText(), timeout=5000)
    assert "Refunded (1)" in report.text.toPlainText()
    report.save_csv(str(tmp_path / "shift.csv"))
    assert "Saved 2 rows" in report.error.text.text()  # the total and Trainee's line
    report.save_csv(str(tmp_path / "no" / "shift.csv"))
    assert "Could not write" in report.error.text.text()
    report.reject()


def test_settings_receipt_section_round_trips_and_refuses_a_bad_address(
    qtbot: QtBot, qloop: object, home: Path
) -> None:
    from cashier_gui.config import ConfigError
    from cashier_gui.ui.settings import SettingsDialog

    d = SettingsDialog()
    qtbot.addWidget(d)
    box = d.counter_box
    box.shop_name.setText("Müller Schuhe")
    box.shop_address.setPlainText("Hauptstraße 5\n\n10115 Berlin\n")
    box.kind.setCurrentIndex(box.kind.findData("escpos-network"))
    box.target.setText("printer.local:9100")
    box.auto.setChecked(True)
    box.language.setCurrentIndex(box.language.findData("de"))
    box.idle.setValue(0)
    values = box.values()
    assert values["paper"].shop.address == ("Hauptstraße 5", "10115 Berlin")
    assert values["paper"].printer.network_address() == ("printer.local", 9100)
    assert values["language"] == "de" and values["idle_sign_out_minutes"] == 0
    assert box.idle.text() == "never"
    box.target.setText("not an address!")
    try:
        box.values()
    except ConfigError as exc:
        assert "address" in str(exc)
    else:
        raise AssertionError("a bad printer address was taken")
    box.kind.setCurrentIndex(box.kind.findData("none"))
    assert not box.target.isEnabled() and not box.auto.isEnabled()
    assert box.values()["paper"].printer == PrinterSettings()


def test_settings_policy_section_round_trips_and_refuses_bad_amounts(
    qtbot: QtBot, qloop: object, home: Path
) -> None:
    from cashier_gui.config import ConfigError
    from cashier_gui.policy import Policy
    from cashier_gui.ui.settings import SettingsDialog

    d = SettingsDialog()
    qtbot.addWidget(d)
    box = d.counter_box.policy_box
    assert box.value() == Policy()  # nothing set: no rule
    box.approval.setText("EUR 50,00, jpy 5000")
    box.no_lookup.setText("USD 20")
    box.per_day.setValue(5)
    box.max_age.setValue(30)
    box.voids.setCurrentIndex(1)
    policy = d.counter_box.values()["policy"]
    assert policy == Policy(
        approval_above={"EUR": 5000, "JPY": 5000},
        refunds_per_day=5,
        max_sale_age_days=30,
        no_lookup_above={"USD": 2000},
        voids="managers",
    )
    box.approval.setText("50 euros")
    try:
        d.counter_box.values()
    except ConfigError as exc:
        assert "EUR 50.00" in str(exc)
    else:
        raise AssertionError("an amount without its currency was taken")
    box.approval.setText("EUR 12.345")  # euros have two decimals
    try:
        d.counter_box.values()
    except ConfigError as exc:
        assert "policy.approval_above.EUR" in str(exc)
    else:
        raise AssertionError("three decimals for euros were taken")


def test_the_windows_save_dialogs_write_private_paper_and_never_the_apps_own_files(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, home: Path
) -> None:
    import os
    import stat

    from cashier_gui.config import Paths
    from cashier_gui.ui.history import HistoryDialog
    from cashier_gui.ui.report_dialog import ReportDialog

    window.open_report()
    report = window.findChild(ReportDialog)
    assert isinstance(report, ReportDialog)
    qtbot.waitUntil(lambda: report.report is not None, timeout=5000)
    previous = os.umask(0)
    try:
        report.save_csv(str(tmp_path / "shift.csv"))
        report.save_pdf(str(tmp_path / "shift.pdf"))
    finally:
        os.umask(previous)
    for name in ("shift.csv", "shift.pdf"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name

    settings = Paths.default().settings
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('profile = "default"\n')
    for save in (report.save_csv, report.save_pdf):
        save(str(settings))
        assert "one of this app's own files" in report.error.text.text()
    assert settings.read_text() == 'profile = "default"\n'
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n")
    (tmp_path / "link.pdf").symlink_to(victim)
    report.save_pdf(str(tmp_path / "link.pdf"))
    assert "is a link to another file" in report.error.text.text()
    assert victim.read_text() == "keep\n"
    report.reject()

    window.open_history()
    history = window.findChild(HistoryDialog)
    assert isinstance(history, HistoryDialog)
    qtbot.waitUntil(lambda: "today:" in history.summary.text(), timeout=5000)  # listed
    history.export(str(settings))
    qtbot.waitUntil(lambda: "one of this app's own files" in history.summary.text(), timeout=5000)
    assert settings.read_text() == 'profile = "default"\n'
    history.reject()


def test_print_to_file_from_the_print_dialog_is_private_paper_too(
    window: MainWindow, tmp_path: Path, home: Path
) -> None:
    import os
    import stat

    from PySide6.QtPrintSupport import QPrinter

    from cashier_gui.config import Paths
    from cashier_gui.paper.layout import Line
    from cashier_gui.ui.pdf import paint

    lines = [Line("REFUND APPROVED"), Line("VISA •••• 4242")]

    def to_file(target: Path) -> None:
        device = QPrinter(QPrinter.PrinterMode.HighResolution)
        device.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        device.setOutputFileName(str(target))  # what the dialog's "Print to file" sets
        window.printing._paint(paint, lines, device, 42, "Receipt")

    previous = os.umask(0)
    try:
        to_file(tmp_path / "receipt.pdf")
    finally:
        os.umask(previous)
    out = tmp_path / "receipt.pdf"
    assert out.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []

    settings = Paths.default().settings
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('profile = "default"\n')
    to_file(settings)
    assert settings.read_text() == 'profile = "default"\n'
    assert window.printing.notice is not None
    assert "one of this app's own files" in window.printing.notice.text()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n")
    (tmp_path / "link.pdf").symlink_to(victim)
    to_file(tmp_path / "link.pdf")
    assert victim.read_text() == "keep\n" and (tmp_path / "link.pdf").is_symlink()
    assert "is a link to another file" in window.printing.notice.text()
    assert [p.name for p in home.rglob("*.part")] == []
