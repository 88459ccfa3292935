"""The PyInstaller build (`python packaging/build.py`), as installed on a counter PC:
--version, --self-test, the window on a real X server, the slimmed libraries, and a training
refund through the packaged command line against the packaged simulator. CI builds the package
and points CASHIER_TEST_PACKAGE at it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import configure_viopay, start_sim
from tests.support.env import from_env, xvfb_display

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dist() -> Path:
    path = Path(from_env("CASHIER_TEST_PACKAGE", "build it with packaging/build.py (see .ci/run)"))
    assert (path / "cashier-gui").exists() and (path / "cashier-refund").exists()
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return dict(clean, CASHIER_GUI_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen")


def test_version_comes_from_pyproject(dist: Path, env: dict[str, str]) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for program, name in (("cashier-gui", "cashier-gui"), ("cashier-refund", "cashier-refund")):
        r = subprocess.run(
            [str(dist / program), "--version"], env=env, capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 0 and r.stdout.strip() == f"{name} {version}", r.stderr


def test_packaged_self_test(dist: Path, env: dict[str, str]) -> None:
    r = subprocess.run(
        [str(dist / "cashier-gui"), "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    print(r.stdout)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed." in r.stdout and "SecretService" in r.stdout
    assert "ok    receipt    receipt PDF (" in r.stdout  # printed, read back, font embedded
    assert "ok    escpos" in r.stdout
    assert "ok    shop tls" in r.stdout  # libpq's TLS handshake, on the package's one OpenSSL


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the spec's Linux slimming")
def test_one_openssl(dist: Path) -> None:
    """Python's ssl and hashlib load psycopg's OpenSSL: the build host's copy is not shipped."""
    internal = dist / "_internal"
    for name in ("libssl.so.3", "libcrypto.so.3"):
        assert (internal / name).is_symlink(), f"{name}: a second OpenSSL is shipped"
        assert (internal / name).resolve().parent.name == "psycopg_binary.libs"
    assert not list(internal.glob("libdbus-1.so*")), "the PC's own libdbus-1 is used"


def test_packaged_app_speaks_german_under_a_german_locale(dist: Path, env: dict[str, str]) -> None:
    """The package ships the compiled catalogues (the app's and Qt's own) and picks German from
    the locale: the window's self-check reports in German and loads all three catalogues."""
    env = {k: v for k, v in env.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    r = subprocess.run(
        [str(dist / "cashier-gui"), "--self-test"],
        env=dict(env, LANG="de_DE.UTF-8"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The return code is test_packaged_self_test's business (it needs a Secret Service).
    assert "ok    window     Hauptfenster aufgebaut" in r.stdout, r.stdout + r.stderr
    assert "ok    translations Übersetzungen (de): genehmigt, Abbrechen, Geben Sie" in r.stdout
    i18n = dist / "_internal" / "cashier_gui" / "assets" / "i18n"
    shipped = sorted(p.name for p in i18n.rglob("*") if p.is_file())
    assert shipped == ["cashier_gui.mo", "cashier_gui_de.qm", "qtbase_de.qm"]


def test_packaged_window_opens_on_x11(dist: Path, env: dict[str, str]) -> None:
    """The xcb platform plugin and every library it needs survive the slimming."""
    env = dict(env, DISPLAY=xvfb_display(), QT_QPA_PLATFORM="xcb")
    proc = subprocess.Popen(
        [str(dist / "cashier-gui"), "--training"],
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
        time.sleep(1)  # let it paint and finish its warm-up with the training simulator
        assert found.returncode == 0 and proc.poll() is None
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
    for sign in ("cannot open shared object", "Could not load", "Traceback", "Could not create"):
        assert sign not in stderr, stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ICU ships with Qt on Linux")
def test_icu_data_is_the_slim_one(dist: Path) -> None:
    """packaging/slimming.py cut Qt's ICU data (31 MiB) to the shipped languages."""
    (data,) = (dist / "_internal" / "PySide6" / "Qt" / "lib").glob("libicudata.so.*")
    assert data.stat().st_size < 8 * 2**20, "full ICU data shipped: install binutils"
    assert (dist / "cashier-refund").resolve() == (dist / "cashier-gui").resolve()


@pytest.fixture
def packaged_sim(dist: Path, env: dict[str, str]) -> Iterator[str]:
    proc, url, _ = start_sim([str(dist / "cashier-refund"), "sim", "viopay", "--port", "0"], env)
    yield url
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=20)


def test_training_refund_through_the_packaged_cli(
    dist: Path, env: dict[str, str], packaged_sim: str
) -> None:
    from cashier_gui.simulators import viopay as vsim

    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(dist / "cashier-refund"), *args],
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    configure_viopay(cli, packaged_sim, vsim.TRAINING_HMAC_SECRET, vsim.TRAINING_MSK_HEX)
    r = cli(
        "refund",
        "ch_train_eur_4990",
        "--amount",
        "12,50",
        "--reason",
        "wrong_item",
        "--yes",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["status"] == "approved" and out["amount_minor"] == 1250
    looked = json.loads(cli("lookup", "ch_train_eur_4990", "--json").stdout)
    assert looked["refunded_minor"] == 1250
    assert [j["refund_id"] for j in looked["journal"]] == [out["refund_id"]]
    assert cli("journal", "verify").returncode == 0
    assert cli("secret", "delete", "viopay-hmac-secret").returncode == 0
    assert cli("secret", "delete", "viopay-msk").returncode == 0


#: glibc's own libraries: the .deb's `libc6 (>= the build host's)`.
GLIBC = {
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "libutil.so.1",
    "libresolv.so.2",
}


def _is_elf(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"\x7fELF"


def _needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return [line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line]


def _owner(library: str) -> str:
    """The Debian package that provides `library` on this PC (as the dynamic loader finds it)."""
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    paths = [
        line.rsplit("=> ", 1)[1].strip()
        for line in cache.splitlines()
        if line.strip().startswith(library + " ")
    ]
    assert paths, f"{library}: the package needs it and this PC does not have it"
    for path in paths:
        for candidate in {path, str(Path(path).resolve()), path.removeprefix("/usr")}:
            r = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if r.returncode == 0:
                return r.stdout.split(":", 1)[0].strip()
    raise AssertionError(f"{library} ({paths}) belongs to no Debian package")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the spec's Linux slimming")
def test_every_library_left_out_comes_from_a_package_the_deb_names(dist: Path) -> None:
    """Every library a binary of the build names as NEEDED is shipped, or is glibc's, or comes
    from a Debian package the .deb depends on (or recommends, for Qt's CUPS plugin, which Qt
    loads only when the library is there): leaving the desktop's libraries to the PC cannot
    leave a counter with a window that does not start."""
    if shutil.which("dpkg") is None or shutil.which("readelf") is None:
        if os.environ.get("CI"):
            pytest.fail("CI checks the package's libraries with dpkg and readelf")
        pytest.skip("needs dpkg and readelf (a Debian or Ubuntu host with binutils)")
    sys.path.insert(0, str(ROOT / "packaging"))
    import deb

    named = {"libc6"} | {
        alternative.split("(")[0].strip()
        for entry in [*deb.DEPENDS, *deb.RECOMMENDS]
        for alternative in entry.split("|")
    }
    shipped = {p.name for p in dist.rglob("*")}
    elves = [p for p in dist.rglob("*") if p.is_file() and not p.is_symlink() and _is_elf(p)]
    missing: dict[str, str] = {}
    for elf in elves:
        for library in _needed(elf):
            if library not in shipped and library not in GLIBC:
                missing.setdefault(library, elf.name)
    assert "libX11.so.6" in missing and "libstdc++.so.6" in missing  # the desktop's, left out
    unnamed = {
        f"{library} (needed by {by}, from {_owner(library)})"
        for library, by in missing.items()
        if _owner(library) not in named
    }
    assert not unnamed, f"add to packaging/deb.py DEPENDS: {sorted(unnamed)}"
