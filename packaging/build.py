"""Build the counter-PC package with PyInstaller: `python packaging/build.py [--onefile | --deb]`.

Output: dist/cashier_gui/ (one folder: cashier-gui + cashier-refund), or with --onefile
dist/cashier-gui and dist/cashier-refund; --deb wraps the one folder into
dist/cashier-gui_VERSION_ARCH.deb (packaging/deb.py; checked by lintian when it is installed,
which --strict requires). Prints the sizes. With --strict (implied when CI is
set) a missing slimming tool or a failed slimming step fails the build instead of warning and
shipping the full libraries (packaging/slimming.py). Same command on Windows and macOS
(build on each; PyInstaller does not cross-compile).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))


def size_mib(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    files = (p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--onefile", action="store_true", help="two self-contained executables")
    kind.add_argument("--deb", action="store_true", help="the one folder as a Debian package")
    parser.add_argument(
        "--strict", action="store_true", help="fail instead of warning when slimming cannot be done"
    )
    args = parser.parse_args()
    env = dict(os.environ, CASHIER_ONEFILE="1" if args.onefile else "0")
    strict = bool(args.strict or os.environ.get("CI"))
    if strict:
        env["CASHIER_STRICT_BUILD"] = "1"
    dist = ROOT / "dist" / ("onefile" if args.onefile else "")
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(ROOT / "build" / "pyinstaller"),
        str(ROOT / "packaging" / "cashier_gui.spec"),
    ]
    result = subprocess.run(cmd, env=env, cwd=ROOT)
    if result.returncode:
        return result.returncode
    built = (
        [dist / "cashier-gui", dist / "cashier-refund"] if args.onefile else [dist / "cashier_gui"]
    )
    for path in built:
        if sys.platform == "win32" and path.suffix == "" and args.onefile:
            path = path.with_suffix(".exe")
        print(f"{path}: {size_mib(path):.0f} MiB")
    if args.deb:
        import deb

        package = deb.build_deb(dist / "cashier_gui", dist)
        print(f"{package}: {size_mib(package):.0f} MiB")
        if strict or shutil.which("lintian"):
            return deb.lintian(package)
    return 0


if __name__ == "__main__":
    sys.exit(main())
