"""The Qt half of `cashier-gui --self-test` (cashier_gui/selftest.py): the window builds, and
Qt's text services work (collation and time-zone names come from ICU on Linux, whose data the
package cuts down — packaging/slimming.py)."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QCoreApplication


def window() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from cashier_gui.app import (
        configured_language,
        default_runtime_factory,
        install_translators,
        make_application,
    )
    from cashier_gui.ui.main_window import MainWindow

    app = make_application([sys.argv[0]])
    install_translators(app, configured_language())  # as a real start: LANG=de_DE → German
    main = MainWindow(default_runtime_factory, training=True)
    main.show()
    app.processEvents()
    size = main.size()
    main.close()
    return QCoreApplication.translate(
        "selfcheck", "main window built ({width}×{height}, platform {platform})"
    ).format(width=size.width(), height=size.height(), platform=app.platformName())


def qt_text() -> str:
    from PySide6.QtCore import QCollator, QDateTime, QLocale, QTimeZone

    german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    if QCollator(german).compare("ä", "b") >= 0:
        raise RuntimeError(
            QCoreApplication.translate("selfcheck", "no collation data: German sorts ä after b")
        )
    zone = QTimeZone(b"Europe/Berlin")
    name = zone.displayName(QDateTime.currentDateTime(), QTimeZone.NameType.LongName, german)
    if not name:
        raise RuntimeError(QCoreApplication.translate("selfcheck", "no time-zone names"))
    return QCoreApplication.translate("selfcheck", "collation and time-zone names ({name})").format(
        name=name
    )


def translations() -> str:
    """The German catalogues ship and load: the window's (.qm), Qt's own (qtbase) and the
    core's (.mo). Leaves the language as it was."""
    from PySide6.QtCore import QTranslator

    from cashier_gui import i18n
    from cashier_gui.app import make_application

    if QCoreApplication.instance() is None:  # QTranslator wants one
        make_application([sys.argv[0]])
    files = i18n.qt_catalogues("de")
    names = sorted(path.name for path in files)
    if len(files) != 2:
        raise RuntimeError(
            QCoreApplication.translate(
                "selfcheck", "German window catalogues missing: found {names}"
            ).format(names=names)
        )
    loaded = []
    for path in files:
        translator = QTranslator()
        if not translator.load(str(path)):
            raise RuntimeError(
                QCoreApplication.translate("selfcheck", "{name} does not load").format(
                    name=path.name
                )
            )
        loaded.append(translator)
    window = loaded[1].translate("states", "approved")
    context, button = "QPlatformTheme", "Cancel"  # Qt's own message, not one of ours
    qt_own = loaded[0].translate(context, button)
    before = i18n.current_language()
    i18n.install("de")
    try:
        core = i18n._("Type an amount, e.g. 15.50.")
    finally:
        i18n.install(before)
    if window != "genehmigt" or not qt_own or core == "Type an amount, e.g. 15.50.":
        raise RuntimeError(
            QCoreApplication.translate("selfcheck", "German is incomplete: {sample}").format(
                sample=f"{window!r} {qt_own!r} {core!r}"
            )
        )
    return QCoreApplication.translate("selfcheck", "translations ({language}): {sample}").format(
        language="de", sample=f"{window}, {qt_own}, {core}"
    )


def receipt_pdf() -> str:
    """Print a training receipt to PDF with the shipped font and read its text back."""
    import tempfile
    from pathlib import Path

    from cashier_gui.journal import Attempt, State
    from cashier_gui.paper.pdftext import pdf_lines
    from cashier_gui.paper.receipt import receipt_lines
    from cashier_gui.paper.settings import ShopSettings
    from cashier_gui.ui.pdf import write_pdf

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


CHECKS = [
    ("window", window),
    ("qt text", qt_text),
    ("translations", translations),
    ("receipt", receipt_pdf),
]
