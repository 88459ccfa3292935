"""Rules of the house that a test can check."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import cashier_gui

PACKAGE = Path(cashier_gui.__file__).parent
QT_ALLOWED = ("ui/", "app.py", "__main__.py")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def modules_imported_by(path: Path) -> set[str]:
    """Full dotted names of what `path` imports (relative imports are not used here)."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


# Who may import whom inside the package: the layers point one way (ui on top, protocol at
# the bottom); composition (runtime, cli, app) may use everything but the window.
FORBIDDEN = {
    "protocol/": (
        "cashier_gui.gateways",
        "cashier_gui.journal",
        "cashier_gui.refunds",
        "cashier_gui.config",
        "cashier_gui.ui",
        "cashier_gui.runtime",
    ),
    "gateways/": (
        "cashier_gui.journal",
        "cashier_gui.refunds",
        "cashier_gui.ui",
        "cashier_gui.runtime",
        "cashier_gui.cli",
    ),
    "journal/": ("cashier_gui.gateways", "cashier_gui.refunds", "cashier_gui.ui"),
    "refunds/": ("cashier_gui.ui", "cashier_gui.runtime", "cashier_gui.cli"),
    "simulators/": ("cashier_gui.ui", "cashier_gui.journal", "cashier_gui.refunds"),
    # The shop server's library: the journal's shop home will build on it, not the reverse.
    "shop/": (
        "cashier_gui.journal",
        "cashier_gui.refunds",
        "cashier_gui.gateways",
        "cashier_gui.ui",
        "cashier_gui.runtime",
        "cashier_gui.cli",
        "cashier_gui.config",
        "cashier_gui.secrets",
    ),
}


def test_imports_point_one_way() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        imported = modules_imported_by(path)
        for where, banned in FORBIDDEN.items():
            if rel.startswith(where):
                offenders += [f"{rel} → {m}" for m in imported if m.startswith(banned)]
        if not rel.startswith(QT_ALLOWED):
            offenders += [f"{rel} → {m}" for m in imported if m.startswith("cashier_gui.ui")]
        if rel.startswith("gateways/") and rel != "gateways/factory.py":
            offenders += [f"{rel} → {m}" for m in imported if m == "cashier_gui.config"]
    assert offenders == []


def test_a_real_start_does_not_load_the_simulators() -> None:
    """The runtime and the CLI import aiohttp (the simulators' server) only for training."""
    import subprocess
    import sys

    code = (
        "import sys, cashier_gui.runtime, cashier_gui.cli\n"
        "cashier_gui.cli.build_parser()\n"
        "bad = [m for m in sys.modules if m.startswith(('aiohttp', 'cashier_gui.simulators.'))"
        " and m != 'cashier_gui.simulators.names']\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_only_the_ui_imports_qt() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(QT_ALLOWED):
            continue
        if imports_of(path) & {"PySide6", "qasync"}:
            offenders.append(rel)
    assert offenders == []


def sources(name: str) -> list[Path]:
    """A module's file, or every file of a package (a module split into one keeps its rules)."""
    for path in (PACKAGE / name, PACKAGE / f"{name}.py"):
        if path.is_dir():
            return sorted(path.rglob("*.py"))
        if path.is_file():
            return [path]
    raise AssertionError(f"{name} is neither a module nor a package of cashier_gui")


def test_psycopg_is_loaded_only_by_the_shop_commands() -> None:
    """psycopg (and libpq) load only when a shop command runs, not for every command."""
    import subprocess
    import sys

    code = (
        "import sys, cashier_gui.runtime, cashier_gui.cli\n"
        "cashier_gui.cli.build_parser()\n"
        "bad = [m for m in sys.modules if m.startswith(('psycopg', 'cashier_gui.shop'))]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_money_code_never_uses_float() -> None:
    for name in ("money", "refunds", "journal", "gateways/viopay", "gateways/poynt", "shop"):
        for path in sources(name):
            assert not re.search(r"\bfloat\(", path.read_text()), path


def test_no_keyrings_alt_dependency() -> None:
    for name in ("requirements.lock", "requirements-dev.lock"):
        lock = (PACKAGE.parent / name).read_text().lower()
        assert "keyrings.alt" not in lock and "keyrings-alt" not in lock


@pytest.mark.parametrize("name", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_is_pinned_with_hashes(name: str) -> None:
    """`pip install --require-hashes` refuses anything else; checked here so a hand edit of a
    lock fails at once, not on the next fresh machine."""
    text = (PACKAGE.parent / name).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    pins = [e for e in entries if re.match(r"[A-Za-z0-9]", e)]
    assert len(pins) > 20
    for entry in pins:
        assert re.match(r"[A-Za-z0-9_.-]+==[^ ]+", entry), entry.splitlines()[0]
        assert "--hash=sha256:" in entry, entry.splitlines()[0]
    runtime = "pyside6-essentials==" in text and "httpx==" in text
    assert runtime and (name == "requirements.lock") != ("pytest==" in text)


def test_user_agent_names_version_os_and_model() -> None:
    from cashier_gui.gateways.viopay import user_agent

    ua = user_agent("PAX-A920")
    assert re.fullmatch(r"Viopay-POS/\S+ \([^;]+; PAX-A920\)", ua)
    assert cashier_gui.__version__ in ua


def test_version_is_defined_once() -> None:
    import tomllib

    data = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    assert data["project"]["version"] == cashier_gui.__version__
