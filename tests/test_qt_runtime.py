"""The Qt binding survives a long day at the counter: many signal emissions must not corrupt
reference counts. (PySide6-Essentials 6.12.0 on Python 3.11 aborts with "bool_dealloc" after a
few thousand emissions; requirements.lock pins a release without that bug.)"""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
app = QCoreApplication([])
class E(QObject):
    sig = Signal()
    flag = Signal(bool)
e = E()
seen = [0]
e.sig.connect(lambda: seen.__setitem__(0, seen[0] + 1))
e.flag.connect(lambda checked: None)
for i in range(50_000):
    e.sig.emit()
    e.flag.emit(i % 2 == 0)
ticks = [0]
def tick():
    ticks[0] += 1
    if ticks[0] >= 20_000:
        app.quit()
t = QTimer()
t.timeout.connect(tick)
t.start(0)
app.exec()
print(seen[0], ticks[0])
"""


def test_many_signal_emissions_do_not_crash() -> None:
    r = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""},
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["50000", "20000"]
