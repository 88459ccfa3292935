"""The Qt half of `cashier-gui --self-test` (cashier_gui/selftest.py): the window builds, and
Qt's text services work (collation and time-zone names come from ICU on Linux, whose data the
package cuts down — packaging/slimming.py)."""

from __future__ import annotations

import os
import sys


def window() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from cashier_gui.app import default_runtime_factory, make_application
    from cashier_gui.ui.main_window import MainWindow

    app = make_application([sys.argv[0]])
    main = MainWindow(default_runtime_factory, training=True)
    main.show()
    app.processEvents()
    size = main.size()
    main.close()
    return f"main window built ({size.width()}×{size.height()}, platform {app.platformName()})"


def qt_text() -> str:
    from PySide6.QtCore import QCollator, QDateTime, QLocale, QTimeZone

    german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    if QCollator(german).compare("ä", "b") >= 0:
        raise RuntimeError("no collation data: German sorts ä after b")
    zone = QTimeZone(b"Europe/Berlin")
    name = zone.displayName(QDateTime.currentDateTime(), QTimeZone.NameType.LongName, german)
    if not name:
        raise RuntimeError("no time-zone names")
    return f"collation and time-zone names ({name})"


CHECKS = [("window", window), ("qt text", qt_text)]
