"""Refund → End-of-shift report…: the day's (or the signed-in person's session's) figures on
screen, as they print — in a shop, every counter's (read from the shop server) or one
counter's, with totals per counter; Print (Ctrl+P), Save PDF…, Save CSV…. The report is read from the
journal on its own reader thread (a reader from the runtime), so a long day never freezes the
window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtGui import QFont, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cashier_gui import zones
from cashier_gui.files import UnsafeTarget
from cashier_gui.journal import JournalReader, utcnow
from cashier_gui.money import window_locale
from cashier_gui.ui.ops import Operations, describe_error
from cashier_gui.ui.reader import ReaderWorker
from cashier_gui.ui.widgets import ComboBox, MessageBox, ScreenFit, save_path

if TYPE_CHECKING:
    from cashier_gui.config import Settings
    from cashier_gui.paper.report import Report
    from cashier_gui.ui.printing import Printing


DAY, SESSION = "day", "session"  # the periods a report covers


class ReportDialog(QDialog):
    def __init__(
        self,
        open_reader: Callable[[], JournalReader],
        settings: Settings,
        printing: Printing,
        *,
        training: bool = False,
        operator: str | None = None,
        session_since: str | None = None,
        findings_dir: Path | None = None,
        read_shop: Callable[[str, str, str | None], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`operator`/`session_since`: who is signed in and since when (UTC stamp), for
        "My session"; `findings_dir`: where refunds made outside this app are kept (None in
        training). `read_shop(since, until, counter)`: a counter in a shop reads the period's
        attempts of every counter from the shop server first (on the reader thread; ShopError
        when it cannot — then the report says it is not the shop's)."""
        super().__init__(parent)
        self.reader = ReaderWorker(open_reader)
        self.settings = settings
        self.printing = printing
        self.training = training
        self.operator = operator
        self.session_since = session_since
        self.findings_dir = findings_dir
        self.read_shop = read_shop
        self.report: Report | None = None
        self.ops = Operations(self)
        self.setWindowTitle(self.tr("End-of-shift report"))
        self.resize(620, 640)
        ScreenFit(self, size=(620, 640))  # within a short screen (1024×768 at 150 %)

        self.period = ComboBox()
        self.period.setAccessibleName(self.tr("Period"))
        self.period.addItem(self.tr("A day"), DAY)
        if operator and session_since:
            self.period.addItem(self.tr("My session ({name})").format(name=operator), SESSION)
        self.counter = ComboBox()  # a shop: every counter's, or one counter's
        self.counter.setAccessibleName(self.tr("Counter"))
        self.counter.addItem(self.tr("Every counter"), None)
        self.counter.setVisible(read_shop is not None)
        today = zones.today()  # the shop's day (its time zone), not TZ's
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setAccessibleName(self.tr("Day"))
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("The report"))
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(mono)
        self.error = MessageBox(self.tr("Report problem"))
        self.print_button = QPushButton(self.tr("&Print  Ctrl+P"))
        self.print_button.setProperty("role", "primary")
        self.pdf_button = QPushButton(self.tr("Save P&DF…"))
        self.csv_button = QPushButton(self.tr("Save &CSV…"))
        close = QPushButton(self.tr("Close  Esc"))
        for b in (self.print_button, self.pdf_button, self.csv_button, close):
            b.setAutoDefault(False)
        top = QHBoxLayout()
        top.addWidget(self.period)
        top.addWidget(self.day)
        top.addWidget(self.counter)
        top.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.csv_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.print_button)
        self.buttons_row = buttons
        # Save PDF and Save CSV go on a line of their own when the four buttons do not fit side
        # by side (1024×768 at 150 %): `_arrange`.
        self.files_row = QHBoxLayout()
        self.files_row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.error)
        lay.addLayout(self.files_row)
        lay.addLayout(buttons)
        self._buttons = (self.pdf_button, self.csv_button, close, self.print_button)
        self._arrange()

        self.period.currentIndexChanged.connect(self.refresh)
        self.day.dateChanged.connect(self.refresh)
        self.counter.currentIndexChanged.connect(self.refresh)
        self.print_button.clicked.connect(self.print_report)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_report)
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.csv_button.clicked.connect(lambda: self.save_csv())
        close.clicked.connect(self.reject)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        spacing = max(0, self.buttons_row.spacing())
        need = sum(b.sizeHint().width() + spacing for b in self._buttons) + 24
        screen = self.screen()
        width = min(self.width(), screen.availableGeometry().width() - 8 if screen else 10_000)
        beside = self.buttons_row.indexOf(self.pdf_button) >= 0
        if need > width and beside:
            for i, b in enumerate((self.pdf_button, self.csv_button)):
                self.buttons_row.removeWidget(b)
                self.files_row.insertWidget(i, b)
        elif need <= width and not beside:
            for i, b in enumerate((self.pdf_button, self.csv_button)):
                self.files_row.removeWidget(b)
                self.buttons_row.insertWidget(i, b)

    def done(self, result: int) -> None:
        self.ops.cancel_all()
        self.reader.close()
        super().done(result)

    @property
    def width_chars(self) -> int:
        return self.settings.paper.printer.width

    def refresh(self) -> None:
        from cashier_gui.paper.report import build_report, day_bounds

        session = self.period.currentData() == SESSION
        self.day.setEnabled(not session)
        if session:
            since = self.session_since or ""
            until = utcnow()
            title = self.tr("Session report")
        else:
            since, until = day_bounds(
                self.day.date().toPython(),  # type: ignore[arg-type]
                zones.shown_zone(),
            )
            title = self.tr("End-of-shift report {day}").format(
                day=self.day.date().toString("yyyy-MM-dd")
            )
        operator = self.operator if session else None
        training = self.training
        counter = self.counter.currentData()
        read_shop = self.read_shop

        findings_dir = self.findings_dir

        def build(journal: JournalReader) -> Report:  # on the reader's thread
            from cashier_gui.refunds.outside import FindingsFile

            problem = None
            if read_shop is not None:
                from cashier_gui.shop import ShopError
                from cashier_gui.shop.errors import why_unread

                try:
                    read_shop(since, until, counter)
                except ShopError as exc:
                    problem = why_unread(exc)
            outside = FindingsFile(findings_dir).for_report(since, until) if findings_dir else []
            return build_report(
                journal,
                since=since,
                until=until,
                operator=operator,
                counter=counter,
                title=title,
                training=training,
                outside=outside,
                shop=read_shop is not None,
                shop_problem=problem,
            )

        self.text.setPlainText(self.tr("Reading the journal…"))
        self.ops.cancel_all()
        self.ops.run(
            lambda: self.reader.call(build),
            on_success=self._show,
            on_error=lambda exc: self.error.show_message(describe_error(exc)),
            foreground=False,
        )

    def _show(self, report: Report) -> None:
        self.report = report
        self.error.clear()
        if report.shop_problem is not None:
            self.error.show_message(
                self.tr(
                    "The shop server could not be read: this report holds only what this PC "
                    "had kept, and says so. Try again once the shop server answers."
                )
            )
        known = {self.counter.itemData(i) for i in range(self.counter.count())}
        for name in sorted(set(report.by_counter) - known):  # the counters the shop has heard of
            self.counter.addItem(name, name)
        lines = report.lines(self.width_chars, window_locale(self.settings.locale))
        width = self.width_chars
        self.text.setPlainText(
            "\n".join(
                line.text.center(width).rstrip() if line.center else line.text for line in lines
            )
        )

    def print_report(self) -> None:
        if self.report is not None:
            self.printing.lines(
                self.report.lines(self.width_chars, window_locale(self.settings.locale)),
                ask=True,
                what=self.tr("Report"),
            )

    def save_pdf(self, name: str | None = None) -> None:
        report = self.report
        if report is None:
            return
        if name is None:
            name, _filter = QFileDialog.getSaveFileName(
                self,
                self.tr("Save the report as PDF"),
                save_path("shift-report", ".pdf"),
                "PDF (*.pdf)",
            )
        if not name:
            return
        from cashier_gui.ui.pdf import write_pdf

        lines = report.lines(self.width_chars, window_locale(self.settings.locale))
        try:
            write_pdf(lines, name, self.width_chars)
        except Exception as exc:  # PdfError: a sentence
            self.error.show_message(describe_error(exc))
            return
        self.error.show_message(self.tr("Saved {path}").format(path=name), role="info")

    def save_csv(self, name: str | None = None) -> None:
        report = self.report
        if report is None:
            return
        if name is None:
            name, _filter = QFileDialog.getSaveFileName(
                self,
                self.tr("Save the report as CSV"),
                save_path("shift-report", ".csv"),
                "CSV (*.csv)",
            )
        if not name:
            return
        try:
            rows = report.write_csv(name)
        except UnsafeTarget as exc:  # a link, or the app's own file: nothing changed
            self.error.show_message(str(exc))
            return
        except OSError as exc:
            self.error.show_message(
                self.tr("Could not write {path}: {problem}").format(path=name, problem=exc.strerror)
            )
            return
        self.error.show_message(
            self.tr("Saved {rows} rows to {path}").format(rows=rows, path=name), role="info"
        )
