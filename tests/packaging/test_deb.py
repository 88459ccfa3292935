"""The Debian package (packaging/deb.py) of the one-folder build CASHIER_TEST_PACKAGE: lintian
finds no error in it, `apt-get install ./….deb` installs it, `cashier-gui --self-test` passes
from PATH, the desktop entry, icon and AppStream metainfo are where the desktop looks, and
`apt-get remove` takes everything away again (nothing left under /opt).

It installs into this machine, so it needs root (CI is root) and refuses to touch a
cashier-gui package that was installed before it ran. Elsewhere it skips, saying why; under CI
a missing tool or privilege fails it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.env import from_env, xvfb_display

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import deb  # noqa: E402

#: Wrapping (xz, ≈ 1 min on 2 cores) and lintian (≈ 30 s) go past pytest's default 120 s.
pytestmark = pytest.mark.timeout(900)
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
OPT = Path("/") / deb.PREFIX
APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=300"]


def needs(condition: bool, why: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must be able to install the Debian package: {why}")
    pytest.skip(why)


def installed_version() -> str | None:
    r = subprocess.run(
        ["dpkg-query", "-W", "-f", "${db:Status-Status} ${Version}", deb.PACKAGE],
        capture_output=True,
        text=True,
    )
    status, _, version = r.stdout.partition(" ")
    return version if r.returncode == 0 and status == "installed" else None


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = Path(from_env("CASHIER_TEST_PACKAGE", "build it with packaging/build.py (see .ci/run)"))
    needs(sys.platform.startswith("linux"), "Debian packages are built on Linux")
    needs(shutil.which("dpkg-deb") is not None, "dpkg-deb is missing (a Debian or Ubuntu host)")
    return deb.build_deb(dist, tmp_path_factory.mktemp("deb"))


def test_lintian_finds_no_error(package: Path) -> None:
    needs(shutil.which("lintian") is not None, "lintian is missing: apt-get install lintian")
    r = subprocess.run(
        ["lintian", "--fail-on", "error,warning", "--tag-display-limit", "0", str(package)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_package_fields(package: Path) -> None:
    fields = subprocess.run(
        ["dpkg-deb", "--field", str(package), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Package: {deb.PACKAGE}\nVersion: {VERSION}\n" in fields
    for need in ("libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "gnome-keyring", "libc6 (>="):
        assert need in fields, fields


@pytest.fixture(scope="module")
def installed(package: Path) -> Iterator[Path]:
    needs(os.geteuid() == 0, "installs a Debian package into this machine: run as root (CI is)")
    needs(shutil.which("apt-get") is not None, "apt-get is missing (a Debian or Ubuntu host)")
    before = installed_version()
    needs(before is None, f"{deb.PACKAGE} {before} is installed here: not touching it")
    r = subprocess.run(
        [*APT, "install", "--no-install-recommends", str(package)],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
    )
    try:
        assert r.returncode == 0, r.stdout + r.stderr
        assert installed_version() == VERSION
        yield OPT
    finally:
        subprocess.run([*APT, "remove", deb.PACKAGE], capture_output=True, timeout=600)


def test_self_test_from_path(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        PATH="/usr/local/bin:/usr/bin:/bin",
        CASHIER_GUI_HOME=str(tmp_path / "home"),
        QT_QPA_PLATFORM="offscreen",
    )
    assert shutil.which("cashier-gui", path=env["PATH"]) == "/usr/bin/cashier-gui"
    version = subprocess.run(
        ["cashier-refund", "--version"], env=env, capture_output=True, text=True, timeout=60
    )
    assert version.stdout.strip() == f"cashier-refund {VERSION}", version.stderr
    r = subprocess.run(
        ["cashier-gui", "--self-test"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    print(r.stdout)
    assert f"ok    resources  resources in {installed}/_internal/cashier_gui/assets" in r.stdout
    assert "ok    receipt    receipt PDF (" in r.stdout and "ok    window" in r.stdout
    if os.environ.get("CASHIER_TEST_SECRET_SERVICE"):
        assert r.returncode == 0 and "All checks passed." in r.stdout, r.stdout + r.stderr
    else:  # without scripts/test's gnome-keyring only the keyring check may fail
        failed = [line.split()[1] for line in r.stdout.splitlines() if "FAIL" in line[:8]]
        assert failed in ([], ["keyring"]), r.stdout + r.stderr


def test_window_from_path_on_x11(installed: Path, tmp_path: Path) -> None:
    """The installed copy finds every library Qt's xcb plugin needs (bundled or Depends)."""
    display = xvfb_display()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        PATH="/usr/local/bin:/usr/bin:/bin",
        CASHIER_GUI_HOME=str(tmp_path / "home"),
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
    )
    proc = subprocess.Popen(
        ["cashier-gui", "--training"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        found = subprocess.run(
            [
                "xdotool",
                "search",
                "--sync",
                "--onlyvisible",
                "--name",
                "Cashier Refunds — TRAINING",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert found.returncode == 0 and proc.poll() is None
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
    for sign in ("cannot open shared object", "Could not load", "Traceback", "Could not create"):
        assert sign not in stderr, stderr


def test_desktop_files_in_place(installed: Path) -> None:
    share = Path("/usr/share")
    desktop = share / "applications" / f"{deb.APP_ID}.desktop"
    assert f"Icon={deb.APP_ID}\n" in desktop.read_text() and "Exec=cashier-gui\n" in (
        desktop.read_text()
    )
    assert (share / "icons/hicolor/256x256/apps" / f"{deb.APP_ID}.png").is_file()
    assert (share / "metainfo" / f"{deb.APP_ID}.metainfo.xml").is_file()
    if shutil.which("desktop-file-validate"):
        r = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    if shutil.which("appstreamcli"):
        r = subprocess.run(
            [
                "appstreamcli",
                "validate",
                "--no-net",
                str(share / "metainfo" / f"{deb.APP_ID}.metainfo.xml"),
            ],
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0, r.stdout + r.stderr


def test_remove_leaves_nothing(package: Path, installed: Path) -> None:
    """Last in this file: removes the package the tests above used."""
    listed = subprocess.run(
        ["dpkg-query", "-L", deb.PACKAGE], capture_output=True, text=True, check=True
    ).stdout.split()
    r = subprocess.run(
        [*APT, "remove", deb.PACKAGE],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert installed_version() is None
    assert not installed.exists(), sorted(str(p) for p in installed.rglob("*"))[:20]
    for path in ("/usr/bin/cashier-gui", "/usr/bin/cashier-refund"):
        assert not os.path.lexists(path)
    own = [
        p
        for p in listed
        if p.startswith(("/opt/", "/usr/share/applications/", "/usr/share/metainfo/"))
    ]
    assert own and not [p for p in own if os.path.lexists(p) and not Path(p).is_dir()]
