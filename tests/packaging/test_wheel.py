"""The Python distributions carry resources/: an sdist built from a copy of the tree, a wheel
built from that sdist (as `python -m build` does), installed into a fresh venv, whose
`cashier-gui --self-test` finds the stylesheet, icon, receipt font and catalogues there (through
importlib.resources, as cashier_gui/resources.py looks them up everywhere).

Offline and quick (≈ 10 s): nothing is downloaded. The lock's setuptools builds (no build
isolation), the wheel goes in with --no-deps, and the new venv takes its dependencies from this
test run's environment through a .pth line (a plain path: that environment's own .pth files, such
as the editable install's, are not read, so the app can come only from the wheel)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
#: What the app cannot do without (cashier_gui/selftest.py checks some, the window the rest).
RESOURCES = [
    "style.qss",
    "icon.png",
    "spin-up.png",
    "spin-down.png",
    "fonts/DejaVuSansMono.ttf",
    "fonts/DejaVuSansMono-Bold.ttf",
    "i18n/cashier_gui_de.qm",
    "i18n/de/LC_MESSAGES/cashier_gui.mo",
]
SKIP = shutil.ignore_patterns(
    ".git", ".venv*", "dist", "build", "artifacts", "*.egg-info", "__pycache__", ".*_cache"
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the venv layout below is the Linux one"
)


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)  # type: ignore[call-overload]
    assert r.returncode == 0, f"{cmd}\n{r.stdout}\n{r.stderr}"
    return r  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the sdist, the wheel built from it)."""
    work = tmp_path_factory.mktemp("dist")
    tree = work / "tree"
    shutil.copytree(ROOT, tree, ignore=SKIP, symlinks=True)
    out = work / "out"
    out.mkdir()
    script = f"from setuptools import build_meta as b; print(b.build_sdist({str(out)!r}))"
    name = run([sys.executable, "-c", script], cwd=tree).stdout.strip().splitlines()[-1]
    sdist = out / name
    with tarfile.open(sdist) as tar:
        tar.extractall(work / "unpacked", filter="data")
    (unpacked,) = (work / "unpacked").iterdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run(
        [
            *pip,
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(out),
            str(unpacked),
        ]
    )
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def test_sdist_carries_resources(built: tuple[Path, Path]) -> None:
    sdist, _ = built
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    missing = [f"resources/{r}" for r in RESOURCES if f"resources/{r}" not in names]
    assert not missing, missing


def test_wheel_carries_resources_and_every_package(built: tuple[Path, Path]) -> None:
    _, wheel = built
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not [r for r in RESOURCES if f"cashier_gui/assets/{r}" not in names]
    # Every file of resources/ (pyproject.toml's package-data patterns must cover a new folder).
    source = ROOT / "resources"
    shipped = [
        p.relative_to(source).as_posix()
        for p in source.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    missing = [f for f in shipped if f"cashier_gui/assets/{f}" not in names]
    assert not missing, f"add them to pyproject.toml's package-data: {missing}"
    # pyproject.toml lists the packages by name: a new sub-package must be added there.
    for module in (ROOT / "cashier_gui").rglob("*.py"):
        rel = module.relative_to(ROOT).as_posix()
        assert rel in names, f"{rel} is not in the wheel: add its package to pyproject.toml"
    assert not [n for n in names if n.startswith(("tests/", "resources/", "packaging/"))]


def test_installed_wheel_passes_its_self_test(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, wheel = built
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python"]
    run(
        [*pip, str(venv / "bin" / "python"), "install", "-q", "--no-deps", "--no-index", str(wheel)]
    )
    site = (
        venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    )
    (site / "_cashier_test_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env = {k: v for k, v in env.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update(
        CASHIER_GUI_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen", LANG="de_DE.UTF-8"
    )
    version = run([str(venv / "bin" / "cashier-refund"), "--version"], env=env, cwd=tmp_path)
    assert version.stdout.strip() == f"cashier-refund {VERSION}"
    r = subprocess.run(
        [str(venv / "bin" / "cashier-gui"), "--self-test"],
        env=env,
        cwd=tmp_path,  # not the tree: the app must come from the wheel
        capture_output=True,
        text=True,
        timeout=120,
    )
    print(r.stdout)
    assert f"ok    resources  resources in {site / 'cashier_gui' / 'assets'}" in r.stdout, r.stdout
    assert "ok    translations Übersetzungen (de): genehmigt, Abbrechen" in r.stdout, r.stdout
    assert "ok    window     Hauptfenster aufgebaut" in r.stdout
    assert "ok    receipt    receipt PDF (" in r.stdout and "font embedded" in r.stdout
    if os.environ.get("CASHIER_TEST_SECRET_SERVICE"):
        assert r.returncode == 0 and "All checks passed." in r.stdout, r.stdout + r.stderr
    else:  # without scripts/test's gnome-keyring only the keyring check may fail
        failed = [line.split()[1] for line in r.stdout.splitlines() if "FAIL" in line[:8]]
        assert failed in ([], ["keyring"]), r.stdout + r.stderr
