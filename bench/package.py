"""The packaged app: size of the one-folder build, and cold start to a visible window against
running from source (xdotool waits for the mapped window), alternating runs.

    python packaging/build.py && DISPLAY=:99 python bench/package.py [runs]

Goals: one-folder ≤ 110 MB; packaged start ≤ 1.1× source.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist" / "cashier_gui"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def start_to_window(cmd: list[str]) -> float:
    home = tempfile.mkdtemp(prefix="cashier-pkg-bench-")
    env = dict(os.environ, CASHIER_GUI_HOME=home, QT_QPA_PLATFORM="xcb")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", "Cashier Refunds"],
            check=True,
            timeout=30,
            capture_output=True,
        )
        return time.perf_counter() - t0
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    size = folder_size(DIST)
    print(
        f"one-folder package: {size / 1e6:.0f} MB ({size / 2**20:.0f} MiB), "
        f"of which _internal/PySide6/Qt {folder_size(DIST / '_internal/PySide6/Qt') / 2**20:.0f} MiB"
    )
    source = [sys.executable, "-m", "cashier_gui", "--training"]
    packaged = [str(DIST / "cashier-gui"), "--training"]
    start_to_window(source), start_to_window(packaged)  # warm the disk cache
    s, p = [], []
    for _ in range(runs):
        s.append(start_to_window(source))
        p.append(start_to_window(packaged))
    ms, mp = statistics.median(s), statistics.median(p)
    print(
        f"start → visible window, median of {runs}: source {ms * 1000:.0f} ms, "
        f"package {mp * 1000:.0f} ms → {mp / ms:.2f}×"
    )


if __name__ == "__main__":
    main()
