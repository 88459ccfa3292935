"""Paper lines drawn with Qt: to a PDF (`QPdfWriter`) or any printer (`QPrinter`).

QtGui's PDF writer needs no window: the command line's `--pdf` uses it too, handed in by the
entry point (`cashier_gui.__main__.refund_main`), never imported by the Qt-free core. The fonts ship in
resources/fonts (DejaVu Sans Mono, with €, accents and box characters), registered with Qt, so
a counter PC without fonts still prints — and every character lines up like on the receipt
printer.

A receipt PDF is a strip 80 mm wide (a receipt roll) as long as its lines; `paint` fits the
given width in characters across the page's printable width whatever the device.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)

from cashier_gui.config import Paths
from cashier_gui.errors import UserFacing
from cashier_gui.files import OwnFiles, write_output
from cashier_gui.i18n import _
from cashier_gui.paper.layout import Line
from cashier_gui.resources import resource

ROLL_MM = 80.0
MARGIN_MM = 4.0
LINE_SPACING = 1.25
_family: str | None = None


class PdfError(UserFacing):
    pass


def font_family() -> str:
    """The shipped monospace font, registered once (Qt needs a QGuiApplication first)."""
    global _family
    if _family is None:
        families: list[str] = []
        for name in ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"):
            font_id = QFontDatabase.addApplicationFont(str(resource(f"fonts/{name}")))
            if font_id >= 0:
                families += QFontDatabase.applicationFontFamilies(font_id)
        _family = families[0] if families else "monospace"
    return _family


def ensure_gui_application() -> None:
    """The command line has no window: a GUI application on the offscreen platform."""
    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QGuiApplication(["cashier-refund"])


def paint(lines: Sequence[Line], device: QPdfWriter | QPagedPaintDevice, width: int) -> None:
    """Draw `lines` on `device`, `width` characters across its printable width, new pages as
    needed."""
    painter = QPainter()
    if not painter.begin(device):
        raise PdfError(_("Could not start printing: check the printer or the file's folder."))
    try:
        _paint(painter, lines, device, width)
    finally:
        painter.end()


def _paint(painter: QPainter, lines: Sequence[Line], device: QPagedPaintDevice, width: int) -> None:
    area = device.pageLayout().paintRectPixels(device.logicalDpiX())
    # A receipt column: the page's width on a roll, 72 mm at the top of a sheet (A4, Letter).
    column = min(area.width(), (ROLL_MM - 2 * MARGIN_MM) / 25.4 * device.logicalDpiX())
    family = font_family()
    font = QFont(family)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPixelSize(100)
    painter.setFont(font)
    advance = painter.fontMetrics().horizontalAdvance("M") / 100  # per pixel of font size
    pixel = max(4, int(column / (width * advance)))
    y = 0.0
    for line in lines:
        size = pixel * (2 if line.large else 1)
        font.setPixelSize(size)
        font.setBold(line.bold)
        painter.setFont(font)
        height = size * LINE_SPACING
        if y + height > area.height():
            device.newPage()
            y = 0.0
        rect = QRectF(0, y, column, height)
        align = Qt.AlignmentFlag.AlignHCenter if line.center else Qt.AlignmentFlag.AlignLeft
        painter.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, line.text)
        y += height


def pdf_bytes(lines: Sequence[Line], width: int = 42) -> bytes:
    """A PDF receipt strip (80 mm wide, as long as the lines need), drawn in memory."""
    ensure_gui_application()
    char_mm = (ROLL_MM - 2 * MARGIN_MM) / width
    height_mm = 2 * MARGIN_MM + sum(
        char_mm / 0.602 * LINE_SPACING * (2 if line.large else 1) for line in lines
    )
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(300)
    writer.setCreator("cashier_gui")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QSizeF(ROLL_MM, height_mm + 2), QPageSize.Unit.Millimeter),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    paint(lines, writer, width)
    del writer
    buffer.close()
    return bytes(buffer.data().data())


def write_pdf(
    lines: Sequence[Line], target: Path | str, width: int = 42, *, own: OwnFiles | None = None
) -> None:
    """A PDF receipt strip in `target`, written through `files.write_output` (0600, never
    through a link, never over the app's own files: UnsafeTarget says so, nothing changed)."""
    target = Path(target)
    if not target.parent.is_dir():
        raise PdfError(
            _("The folder {folder} does not exist: choose another place for the PDF.").format(
                folder=target.parent
            )
        )
    data = pdf_bytes(lines, width)
    try:
        write_output(target, data, own=own or Paths.default().own_files())
    except OSError as exc:
        raise PdfError(
            _("Could not write the PDF {path}: {problem}").format(
                path=target, problem=exc.strerror or exc
            )
        ) from None
