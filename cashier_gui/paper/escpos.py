"""Receipt printers (ESC/POS) through python-escpos: the same lines to a network printer, a USB
printer, a device or file path, or to bytes (`--escpos FILE`, tests).

Every line is printed with its alignment, bold and size; the paper is fed and cut at the end
(ESC @ … ESC d n, GS V). python-escpos picks the code page for each character (€, ü, ¥ …).
Printing blocks (network, USB): the window calls `print_lines` from a worker thread.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from typing import Any

from cashier_gui.config import Paths
from cashier_gui.errors import UserFacing
from cashier_gui.files import open_device
from cashier_gui.i18n import _
from cashier_gui.paper.layout import Line
from cashier_gui.paper.settings import PrinterSettings

NETWORK_TIMEOUT_S = 5.0


class PrinterError(UserFacing):
    """The receipt printer could not print; `str()` says what to check."""


def draw(printer: Any, lines: Sequence[Line]) -> None:
    """`lines` on an escpos printer object, then feed and cut."""
    printer.hw("INIT")
    for line in lines:
        printer.set(
            align="center" if line.center else "left",
            bold=line.bold,
            double_height=line.large,
            double_width=line.large,
            normal_textsize=not line.large,
        )
        printer.text(line.text + "\n")
    printer.set(align="left", bold=False, normal_textsize=True)
    printer.cut()


def escpos_bytes(lines: Sequence[Line]) -> bytes:
    """What a receipt printer would receive."""
    from escpos.printer import Dummy

    printer = Dummy()
    draw(printer, lines)
    return bytes(printer.output)


def print_lines(lines: Sequence[Line], settings: PrinterSettings) -> None:
    """Print on the configured receipt printer, or PrinterError saying what to check."""
    from escpos.exceptions import Error as EscposError

    if settings.kind == "escpos-file":
        try:
            # A device (/dev/usb/lp0) or a file: never one of the app's own (UnsafeTarget).
            with open_device(settings.target, own=Paths.default().own_files()) as device:
                device.write(escpos_bytes(lines))
        except OSError as exc:
            raise PrinterError(
                _(
                    "Could not write to the receipt printer at {target} ({problem}): check "
                    "that it is connected and on. Reprint from History."
                ).format(target=settings.target, problem=exc.strerror or exc)
            ) from None
        return
    printer: Any
    try:
        if settings.kind == "escpos-network":
            # python-escpos makes the bytes; the socket is ours: it is closed on every path
            # (escpos's Network leaves a refused socket open) and has one deadline.
            host, port = settings.network_address()
            with socket.create_connection((host, port), timeout=NETWORK_TIMEOUT_S) as conn:
                conn.sendall(escpos_bytes(lines))
            return
        if settings.kind == "escpos-usb":
            from escpos.printer import Usb

            vendor, product = settings.usb_ids()
            printer = Usb(vendor, product)
        else:
            raise PrinterError(_("No receipt printer is set up: choose one in Settings."))
        try:
            draw(printer, lines)
        finally:
            printer.close()
    except (EscposError, OSError, ValueError) as exc:  # pyusb: NoBackendError is a ValueError
        raise PrinterError(
            _(
                "The receipt printer at {target} did not answer: check that it is on, "
                "connected and has paper. Reprint from History."
            ).format(target=settings.target)
        ) from exc
