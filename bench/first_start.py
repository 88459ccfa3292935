"""The README's run command on a fresh clone: `./scripts/training` from nothing (it creates
.venv-run from requirements.lock and installs the app) to a visible window, first with an empty
pip cache (every wheel downloaded), then again on another fresh clone with the cache it filled,
then once more in that clone (the venv in place).

    DISPLAY=:99 python bench/first_start.py

Clones the committed HEAD of this repository; needs PyPI, git, xdotool and an X server. pip runs
without any configuration file, so the wheels come from PyPI as on a fresh machine;
`--pip-config` keeps this machine's (e.g. a local wheel mirror: the "every wheel at hand" case
that pip's own cache cannot give where PyPI's answers carry no caching headers, as here).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def first_start(clone: Path, pip_cache: Path, pip_config: bool) -> tuple[float, float]:
    """Seconds to the visible window, and of them the seconds before the venv was ready."""
    home = Path(tempfile.mkdtemp(prefix="cashier-first-home-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    if not pip_config:  # as on a fresh machine: no pip configuration, wheels from PyPI
        env = {k: v for k, v in env.items() if not k.startswith("PIP_")}
        env.update(PIP_CONFIG_FILE=os.devnull)
    env.update(PIP_CACHE_DIR=str(pip_cache))
    env.update(CASHIER_GUI_HOME=str(home), QT_QPA_PLATFORM="xcb")
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(ROOT))
    )
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(clone / "scripts" / "training")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        stamp = clone / ".venv-run" / ".lock-installed"
        ready = None
        while proc.poll() is None:
            if ready is None and stamp.exists():
                ready = time.perf_counter() - t0
            found = subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--name", "Cashier Refunds"],
                capture_output=True,
            )
            if found.returncode == 0:
                return time.perf_counter() - t0, ready or 0.0
            time.sleep(0.1)
            if time.perf_counter() - t0 > 900:
                break
        raise RuntimeError(f"no window (exit code {proc.poll()})")
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()
        shutil.rmtree(home, ignore_errors=True)


def size_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def main() -> None:
    pip_config = "--pip-config" in sys.argv[1:]
    work = Path(tempfile.mkdtemp(prefix="cashier-first-start-"))
    cache = work / "pip-cache"
    cache.mkdir()
    try:
        for label in ("cold pip cache", "warm pip cache"):
            clone = work / label.split()[0]
            subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
            total, ready = first_start(clone, cache, pip_config)
            print(
                f"{label}: window after {total:.1f} s (venv ready after {ready:.1f} s); "
                f".venv-run {size_mib(clone / '.venv-run'):.0f} MiB, "
                f"pip cache {size_mib(cache):.0f} MiB"
            )
        total, _ = first_start(clone, cache, pip_config)
        print(f"the next start (venv in place): window after {total:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
