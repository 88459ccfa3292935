"""Child process of bench/startup.py: start a window, print seconds since the process began when
the window is first exposed (painted) and the CPU seconds the process used until then, then
exit. `bare`: a plain PySide6 window; `app`: the real `cashier-gui --training` start-up path;
`counter`: `cashier-gui` on a configured counter (Viopay set up in CASHIER_GUI_HOME, no shop);
`ready`: `cashier-gui --training` until its refund screen is usable (the runtime opened, the
refund screen shown, the loop's next turn — the first paint shows "Starting…"), printed as
`painted` too.
Under callgrind, compile the app's bytecode first as bench/startup.py does
(`python -m compileall -q cashier_gui`)."""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QWidget


def process_age() -> float:
    with open(f"/proc/{os.getpid()}/stat") as fh:
        start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as fh:
        uptime = float(fh.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def report() -> None:
    cpu = os.times()
    print(f"painted {time.monotonic() - T0 + AGE0:.4f} cpu {cpu.user + cpu.system:.4f}", flush=True)
    os._exit(0)


class Painted(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        exposed = event.type() == QEvent.Type.Expose and isinstance(obj, QWindow)
        if exposed and obj.isExposed() and sys.argv[1] != "ready":  # type: ignore[attr-defined]
            report()
        return False


T0 = time.monotonic()
AGE0 = process_age()
watcher = Painted()
_show = QWidget.show


def show_and_watch(self: QWidget) -> None:
    self.winId()
    self.windowHandle().installEventFilter(watcher)
    _show(self)


QWidget.show = show_and_watch  # type: ignore[method-assign]

if sys.argv[1] == "bare":
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv)
    w = QMainWindow()
    w.setCentralWidget(QLabel("hello"))
    w.resize(1024, 768)
    w.show()
    app.exec()
elif sys.argv[1] == "counter":
    os.environ["CASHIER_GUI_HOME"] = "/tmp/cashier-bench-counter"
    from cashier_gui.__main__ import main

    main([])
else:
    os.environ.setdefault("CASHIER_GUI_HOME", "/tmp/cashier-bench-home")
    if sys.argv[1] == "ready":
        from PySide6.QtCore import QTimer

        from cashier_gui.ui.main_window import MainWindow

        _started = MainWindow._started

        def started_and_report(self: MainWindow, runtime: object) -> None:
            _started(self, runtime)  # type: ignore[arg-type]
            QTimer.singleShot(0, report)  # after the refund screen's turn (and its paint)

        MainWindow._started = started_and_report  # type: ignore[method-assign]
    from cashier_gui.__main__ import main

    main(["--training"])
