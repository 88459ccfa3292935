"""Paper from the window: a refund's receipt (Ctrl+P, automatically after a result, or a reprint
from History) and the end-of-shift report, to the printer set in Settings.

- ESC/POS receipt printers (network, USB, device path): printed from a worker thread — a
  printer that does not answer never freezes the window; its sentence goes to the status bar
  and a message box (what to check, "Reprint from History").
- The system printer: Qt's print dialog (or, when printing automatically, the default printer
  without a dialog). The receipt is drawn in an 80 mm column at the top of the page.
- No printer set: Ctrl+P opens the print dialog (it can print to a PDF file); nothing prints
  automatically.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QMainWindow, QWidget

from cashier_gui.ui.ops import Operations, describe_error, to_thread

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from cashier_gui.config import Settings
    from cashier_gui.journal import Attempt
    from cashier_gui.paper.layout import Line


class Printing(QObject):
    """One per main window. `settings()` gives the settings in force (the runtime's)."""

    def __init__(self, window: QWidget, settings: Callable[[], Settings | None]) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.ops = Operations(self)
        self.dialog: QDialog | None = None  # the print dialog on screen, if any
        self.notice: QMessageBox | None = None  # the last "not printed" box

    def receipt(self, attempt: Attempt, *, automatic: bool = False) -> None:
        settings = self.settings()
        if settings is None:
            return
        printer = settings.paper.printer
        if automatic and (not printer.auto_print or printer.kind == "none"):
            return  # before the import: ≈ 2 ms of the first result's turn, for nothing
        from cashier_gui.paper.receipt import receipt_lines

        lines = receipt_lines(attempt, settings.paper.shop, printer.width, settings.locale)
        self.lines(lines, ask=not automatic, what=self.tr("Receipt"))

    def lines(
        self, lines: Sequence[Line], *, ask: bool, what: str, settings: Settings | None = None
    ) -> None:
        """Print `lines`: on the receipt printer, or through the system's printing.
        `settings`: other than the ones in force (Settings' test print, before saving)."""
        settings = settings or self.settings()
        if settings is None:
            return
        printer = settings.paper.printer
        if printer.kind.startswith("escpos-"):
            from cashier_gui.paper.escpos import print_lines

            self._status(
                self.tr("{what}: printing on {target}…").format(what=what, target=printer.target)
            )
            self.ops.run(
                lambda: to_thread(print_lines, list(lines), printer),
                on_success=lambda _none: self._status(self.tr("{what} printed.").format(what=what)),
                on_error=self._failed,
                foreground=False,
            )
            return
        self._system(lines, printer.width, ask=ask or printer.kind == "none", what=what)

    def _system(self, lines: Sequence[Line], width: int, *, ask: bool, what: str) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from cashier_gui.ui.pdf import paint

        device = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not ask:
            if not device.isValid():
                self._failed_text(
                    self.tr(
                        "No printer is installed on this PC: install one, or choose a receipt "
                        "printer in Settings. Reprint from History."
                    )
                )
                return
            self._paint(paint, lines, device, width, what)
            return
        dialog = QPrintDialog(device, self.window)
        dialog.setWindowTitle(self.tr("Print: {what}").format(what=what))
        self.dialog = dialog
        # Shown modal, never exec(): no nested event loop under qasync; the device lives as long.
        dialog.accepted.connect(lambda: self._paint(paint, lines, device, width, what))
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.setModal(True)
        dialog.show()

    def _paint(self, paint: Any, lines: Sequence[Line], device: Any, width: int, what: str) -> None:
        try:
            target = device.outputFileName()
            if target:  # "Print to file": private paper too (files.output_via_temp)
                from cashier_gui.config import Paths
                from cashier_gui.files import output_via_temp

                with output_via_temp(target, own=Paths.default().own_files()) as part:
                    device.setOutputFileName(str(part))
                    try:
                        paint(lines, device, width)
                    finally:
                        device.setOutputFileName(target)
            else:
                paint(lines, device, width)
        except Exception as exc:  # PdfError, UnsafeTarget (sentences) or the printer's refusal
            self._failed(exc)
            return
        self._status(self.tr("{what} sent to the printer.").format(what=what))

    def _status(self, text: str) -> None:
        window = self.window
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 10_000)

    def _failed(self, exc: BaseException) -> None:
        self._failed_text(describe_error(exc))

    def _failed_text(self, text: str) -> None:
        """Said where the cashier looks, without stopping the counter: the status bar, and a
        box that neither blocks the window nor takes the keyboard (the next scan still lands)."""
        from PySide6.QtWidgets import QMessageBox

        window = self.window
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 30_000)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Not printed"), text, parent=window)
        box.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # a printer's or the OS's words
        box.setWindowModality(QtCore.Qt.WindowModality.NonModal)
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_ShowWithoutActivating)
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.notice = box
        box.show()
        window.activateWindow()  # a window manager that activates new windows anyway: back
