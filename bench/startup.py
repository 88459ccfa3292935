"""Process start to first painted window: cashier-gui --training and cashier-gui on a configured
counter (Viopay set up, no shop) against a bare PySide6 window, measured in the same run,
alternating, under the current DISPLAY (use Xvfb).

    DISPLAY=:99 python bench/startup.py [runs]

Reports wall time (process start → first expose) and the CPU time the process used until then;
on a busy 2-core machine the CPU time is the steadier of the two. Goal: ≤ 1.25× the bare
window. (Packaged app: bench/package.py.)

The app's modules are compiled to bytecode first (__pycache__), as an installed app (pip
compiles a wheel's modules; the package ships .pyc): with PYTHONDONTWRITEBYTECODE set, as in
this project's shell, every start would otherwise compile ≈ 20 modules from source again
(≈ 150 M instructions, a cost no cashier's start has).
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
from pathlib import Path

PROBE = Path(__file__).with_name("_paint_probe.py")
COUNTER_HOME = Path("/tmp/cashier-bench-counter")


def configure_counter() -> None:
    """A counter set up for Viopay (settings only: the keyring's secrets are read after the
    first paint, and their absence is shown then)."""
    from cashier_gui.config import Paths, Settings, ViopaySettings, save_settings

    paths = Paths(COUNTER_HOME, COUNTER_HOME)
    paths.ensure_dirs()
    save_settings(
        paths,
        Settings(
            provider="viopay",
            viopay=ViopaySettings(
                base_url="https://api.viopay.io", terminal_id="TERM-001", key_id="hmac-key-1"
            ),
        ),
    )


def compile_app() -> None:
    import cashier_gui

    for folder in cashier_gui.__path__:
        compileall.compile_dir(folder, quiet=1)


def once(kind: str) -> tuple[float, float]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "xcb"))
    cmd = [sys.executable, str(PROBE), kind]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60).stdout
    for line in out.splitlines():
        if line.startswith("painted "):
            parts = line.split()
            return float(parts[1]), float(parts[3])
    raise RuntimeError(f"{kind}: no paint reported\n{out}")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    configure_counter()
    compile_app()
    kinds = ("bare", "app", "counter", "ready")
    wall: dict[str, list[float]] = {k: [] for k in kinds}
    cpu: dict[str, list[float]] = {k: [] for k in kinds}
    for kind in kinds:
        once(kind)  # warm the disk cache
    for _ in range(runs):
        for kind in kinds:
            w, c = once(kind)
            wall[kind].append(w)
            cpu[kind].append(c)
    mw = {k: statistics.median(v) for k, v in wall.items()}
    mc = {k: statistics.median(v) for k, v in cpu.items()}
    ratios = {k: [a / b for a, b in zip(wall[k], wall["bare"], strict=True)] for k in kinds}
    print(f"first paint, median of {runs} (alternating), load average {os.getloadavg()[0]:.1f}:")
    print(
        f"  bare PySide6               wall {mw['bare'] * 1000:4.0f} ms, CPU {mc['bare'] * 1000:4.0f} ms"
    )
    for kind, name in (
        ("app", "cashier-gui --training"),
        ("counter", "cashier-gui (counter)"),
        ("ready", "--training, screen usable"),
    ):
        print(
            f"  {name:26} wall {mw[kind] * 1000:4.0f} ms → {mw[kind] / mw['bare']:.2f}× "
            f"(per-run pairs {min(ratios[kind]):.2f}–{max(ratios[kind]):.2f}×), "
            f"CPU {mc[kind] * 1000:4.0f} ms → {mc[kind] / mc['bare']:.2f}×"
        )


if __name__ == "__main__":
    main()
