"""Wrap the one-folder build into a Debian package with Debian's own tools (dpkg-deb; lintian
checks it when asked):

    python packaging/build.py --deb                  # build the one-folder package, then wrap it
    python packaging/deb.py [DIST] [--out DIR] [--lintian]   # wrap an existing build

What it installs (linux/amd64 or whatever `dpkg --print-architecture` says on the build host):
    /opt/cashier-gui/                the one-folder build (cashier-gui, cashier-refund, _internal/)
    /usr/bin/cashier-gui, /usr/bin/cashier-refund     symlinks into it
    /usr/share/applications/ID.desktop, /usr/share/icons/hicolor/256x256/apps/ID.png
    /usr/share/metainfo/ID.metainfo.xml (AppStream)
    /usr/share/doc/cashier-gui/{copyright,changelog.gz}, lintian overrides (why: below)
No maintainer scripts: dpkg's triggers refresh the icon cache and the menus, and nothing is
written under /opt at run time, so `apt-get remove` leaves nothing behind.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from packaging_version import read_version  # noqa: E402

PACKAGE = "cashier-gui"
APP_ID = "io.cashier_gui.CashierRefunds"
PREFIX = Path("opt") / PACKAGE
#: Whoever ships the package to the counters should name themselves (lintian wants a real host).
MAINTAINER = os.environ.get("CASHIER_DEB_MAINTAINER", "cashier_gui <cashier-gui@example.com>")
#: Not in the one-folder build, from the PC: Qt's xcb platform plugin's X and GL libraries (the
#: list .ci/run installs; some also ship inside the build, the system's copies cost ≈ nothing),
#: fonts and their configuration, and a Secret Service on a session bus for the keyring (the
#: app never stores secrets in a file: without one only training works).
DEPENDS = [
    "libxcb1",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
    "libxcb-randr0",
    "libxkbcommon-x11-0",
    "libxkbcommon0",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "fontconfig-config",
    "fonts-dejavu-core",
    "libdbus-1-3",
    # A desktop's own libraries the spec leaves out (its DROP_BINARIES), each named as NEEDED by
    # a binary of the build (tests/packaging/test_package.py checks that every library the build
    # needs and does not ship comes from a package named here).
    "libx11-6",
    "libx11-xcb1",
    "libxcb-glx0",
    "libxcb-render0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-xfixes0",
    "libxcb-util1",
    "libfreetype6",
    "libglib2.0-0t64 | libglib2.0-0",
    "libffi8",
    "libstdc++6",
    "libgcc-s1",
    "zlib1g",
    "libzstd1",
    "liblzma5",
    "libbz2-1.0",
    "libuuid1",
    "default-dbus-session-bus | dbus-session-bus",
    "gnome-keyring | kwalletmanager",
]
#: Qt's print dialog lists the PC's printers through its own libcups (PDF only without it).
RECOMMENDS = ["libcups2"]
#: Tags that describe what the package is meant to be, each with the reason.
LINTIAN_OVERRIDES = {
    "dir-or-file-in-opt": "a self-contained PyInstaller build, installed whole under /opt",
    "embedded-library": "the build carries its own Python, Qt and libraries (PyInstaller)",
    "shared-library-lacks-prerequisites": "Python extension modules resolve against the bundle",
    "library-not-linked-against-libc": "Python extension modules resolve against the bundle",
    "shared-library-is-executable": "libraries of the bundle, as their wheels ship them",
    "hardening-no-fortify-functions": "prebuilt wheels and the build host's libraries",
    "hardening-no-bindnow": "prebuilt wheels and the build host's libraries",
    "spelling-error-in-binary": "text inside third-party libraries",
    "custom-library-search-path": "PyInstaller and Qt find their libraries beside themselves",
    "package-contains-documentation-outside-usr-share-doc": "licences of bundled packages",
    "extra-license-file": "licences of bundled packages, beside them",
    "hardening-no-pie": "PyInstaller's prebuilt boot loader",
    "duplicate-font-file": "the receipt font ships with the app: receipts look the same everywhere",
    "no-manual-page": "cashier-gui --help and cashier-refund --help",
}


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is missing: apt-get install {TOOLS.get(name, name)}")
    return path


TOOLS = {"dpkg-deb": "dpkg", "dpkg": "dpkg", "lintian": "lintian"}


def architecture() -> str:
    out = subprocess.run(
        [tool("dpkg"), "--print-architecture"], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def glibc_version() -> str:
    """The build host's glibc: the bundle's own binaries need at least that one."""
    name = os.confstr("CS_GNU_LIBC_VERSION") or ""
    version = name.split()[-1] if name.startswith("glibc") else ""
    if not version:
        raise RuntimeError("not a glibc system: build the Debian package on Debian or Ubuntu")
    return version


def _write(path: Path, text: str | bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    path.chmod(mode)


def desktop_entry() -> str:
    return f"""[Desktop Entry]
Type=Application
Name=Cashier Refunds
GenericName=Card refunds
GenericName[de]=Kartenerstattungen
Comment=Refund card payments at the shop counter
Comment[de]=Kartenzahlungen an der Ladenkasse erstatten
Exec=cashier-gui
Icon={APP_ID}
Terminal=false
Categories=Office;Finance;
Keywords=refund;card;payment;cashier;Viopay;Poynt;
Keywords[de]=Erstattung;Karte;Zahlung;Kasse;Viopay;Poynt;
StartupNotify=true
"""


def metainfo(version: str, date: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<component type="desktop-application">
  <id>{APP_ID}</id>
  <metadata_license>MIT</metadata_license>
  <project_license>MIT</project_license>
  <name>Cashier Refunds</name>
  <summary>Refund card payments at the shop counter</summary>
  <summary xml:lang="de">Kartenzahlungen an der Ladenkasse erstatten</summary>
  <description>
    <p>
      Scan or type the charge ID, see what was paid and what is still refundable, choose a full
      or partial amount and a reason, confirm, and get the answer with a refund ID in seconds.
      Works with the Viopay POS API or a Poynt card terminal on the shop network.
    </p>
    <p>
      Every refund is written to a crash-safe journal before it is sent, so none is lost or
      made twice. Secrets live only in the desktop's keyring. A training mode with a built-in
      simulator lets new cashiers practise without moving money.
    </p>
  </description>
  <launchable type="desktop-id">{APP_ID}.desktop</launchable>
  <icon type="stock">{APP_ID}</icon>
  <categories>
    <category>Office</category>
    <category>Finance</category>
  </categories>
  <provides>
    <binary>cashier-gui</binary>
    <binary>cashier-refund</binary>
  </provides>
  <developer id="io.cashier_gui">
    <name>cashier_gui</name>
  </developer>
  <releases>
    <release version="{version}" date="{date}"/>
  </releases>
  <content_rating type="oars-1.1"/>
</component>
"""


def control(version: str, arch: str, installed_kib: int) -> str:
    depends = ", ".join([f"libc6 (>= {glibc_version()})", *DEPENDS])
    return f"""Package: {PACKAGE}
Version: {version}
Architecture: {arch}
Maintainer: {MAINTAINER}
Installed-Size: {installed_kib}
Depends: {depends}
Recommends: {", ".join(RECOMMENDS)}
Section: misc
Priority: optional
Description: counter app for refunding card payments
 The desktop app a cashier uses at the shop counter to refund a card
 payment through the Viopay POS API or a Poynt card terminal: look up the
 charge, choose a full or partial amount and a reason, confirm, and get the
 answer. Every refund is journalled before it is sent; secrets live only in
 the desktop's Secret Service keyring. Includes a training mode.
 .
 This is a self-contained build (its own Python and Qt) under /opt/{PACKAGE};
 cashier-gui opens the window, cashier-refund is the command line.
"""


def copyright_file() -> str:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8").strip()
    body = "\n".join(f" {line}" if line.strip() else " ." for line in licence.splitlines())
    return f"""Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: cashier_gui
Comment: /opt/{PACKAGE}/_internal carries the Python runtime, Qt for Python (LGPL-3) and the
 Python packages the app uses, each under its own licence; their licence files are in
 its *.dist-info folders and the receipt font's in cashier_gui/assets/fonts.

Files: *
Copyright: cashier_gui contributors
License: MIT
{body}
"""


def changelog(version: str, when: str) -> bytes:
    text = f"""{PACKAGE} ({version}) unstable; urgency=medium

  * Built from the cashier_gui tree; what changed is in its CHANGELOG.md.

 -- {MAINTAINER}  {when}
"""
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def stage(dist: Path, root: Path, version: str, arch: str) -> None:
    """Lay out the package's files under `root` (its DEBIAN/ included)."""
    opt = root / PREFIX
    shutil.copytree(
        dist, opt, symlinks=True, ignore=shutil.ignore_patterns(".build-key", "__pycache__")
    )
    for path in [opt, *opt.rglob("*")]:
        if path.is_symlink():
            continue
        executable = path.is_dir() or bool(path.stat().st_mode & 0o111)
        path.chmod(0o755 if executable else 0o644)
    usr_bin = root / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    for program in ("cashier-gui", "cashier-refund"):
        if not (opt / program).exists():
            raise FileNotFoundError(f"{dist / program}: not a one-folder build")
        (usr_bin / program).symlink_to(Path("/") / PREFIX / program)
    share = root / "usr" / "share"
    when = dt_now()
    _write(share / "applications" / f"{APP_ID}.desktop", desktop_entry())
    icon = share / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png"
    _write(icon, (ROOT / "resources" / "icon.png").read_bytes())
    _write(share / "metainfo" / f"{APP_ID}.metainfo.xml", metainfo(version, when[0]))
    doc = share / "doc" / PACKAGE
    _write(doc / "copyright", copyright_file())
    _write(doc / "changelog.gz", changelog(version, when[1]))
    overrides = "".join(f"# {why}\n{PACKAGE}: {tag} *\n" for tag, why in LINTIAN_OVERRIDES.items())
    _write(share / "lintian" / "overrides" / PACKAGE, overrides)
    for path in [share, *share.rglob("*"), usr_bin.parent, usr_bin, root / "usr"]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)

    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    installed = sum(p.stat().st_size for p in files) // 1024 + 1
    debian = root / "DEBIAN"
    _write(debian / "control", control(version, arch, installed))
    sums = "".join(
        f"{hashlib.md5(p.read_bytes(), usedforsecurity=False).hexdigest()}  "
        f"{p.relative_to(root).as_posix()}\n"
        for p in files
    )
    _write(debian / "md5sums", sums)
    debian.chmod(0o755)


def dt_now() -> tuple[str, str]:
    """(YYYY-MM-DD, RFC 2822) of SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    import datetime as dt

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    ).replace(microsecond=0)
    return moment.date().isoformat(), format_datetime(moment)


def build_deb(dist: Path, out: Path) -> Path:
    """The .deb of the one-folder build in `dist`, written into `out`."""
    version = read_version(ROOT / "pyproject.toml")
    arch = architecture()
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{PACKAGE}_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="cashier-deb-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir(mode=0o755)
        stage(dist, root, version, arch)
        subprocess.run(
            [tool("dpkg-deb"), "--root-owner-group", "-Zxz", "--build", str(root), str(target)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return target


def lintian(deb: Path) -> int:
    """lintian's verdict: errors fail; warnings are printed. The tags above are overridden."""
    r = subprocess.run(
        [tool("lintian"), "--fail-on", "error", "--tag-display-limit", "0", str(deb)]
    )
    return r.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dist", nargs="?", type=Path, default=ROOT / "dist" / "cashier_gui")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--lintian", action="store_true", help="check it with lintian")
    args = parser.parse_args(argv)
    deb = build_deb(args.dist, args.out)
    print(f"{deb}: {deb.stat().st_size / 2**20:.0f} MiB")
    return lintian(deb) if args.lintian else 0


if __name__ == "__main__":
    sys.exit(main())
