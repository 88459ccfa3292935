"""Process start to first painted window: cashier-gui --training against a bare PySide6
window, measured in the same run, alternating, under the current DISPLAY (use Xvfb).

    DISPLAY=:99 python bench/startup.py [runs]

Goal: ≤ 1.5× the bare window. (Packaged app: bench/package.py.)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

PROBE = Path(__file__).with_name("_paint_probe.py")


def once(kind: str, command: list[str] | None = None) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "xcb"))
    cmd = command or [sys.executable, str(PROBE), kind]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60).stdout
    for line in out.splitlines():
        if line.startswith("painted "):
            return float(line.split()[1])
    raise RuntimeError(f"{kind}: no paint reported\n{out}")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    bare, app = [], []
    once("bare"), once("app")  # warm the disk cache
    for _ in range(runs):
        bare.append(once("bare"))
        app.append(once("app"))
    mb, ma = statistics.median(bare), statistics.median(app)
    print(
        f"first paint, median of {runs}: bare PySide6 {mb * 1000:.0f} ms, "
        f"cashier-gui --training {ma * 1000:.0f} ms → {ma / mb:.2f}×"
    )


if __name__ == "__main__":
    main()
