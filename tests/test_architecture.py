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


def test_only_the_entry_points_import_the_command_line() -> None:
    """`cli/` is a room of its own: the window, the core and paper never reach into it."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("cli/") or rel == "__main__.py":
            continue
        offenders += [
            f"{rel} → {m}" for m in modules_imported_by(path) if m.startswith("cashier_gui.cli")
        ]
    assert offenders == []


def test_the_exit_codes_are_defined_once() -> None:
    """One set of exit codes, in `cli/common.py`; every command imports them from there."""
    where = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [
                    n.id
                    for t in targets
                    for n in ast.walk(t)
                    if isinstance(n, ast.Name) and n.id.startswith("EXIT_")
                ]
                if names:
                    where.append(path.relative_to(PACKAGE).as_posix())
    assert where == ["cli/common.py"]


def test_no_module_patches_another() -> None:
    """Nothing assigns to one of the package's modules' attributes (`cli_paper.pdf_writer = …`):
    what a module needs is passed in."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        modules: set[str | None] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules |= {a.asname for a in node.names if a.name.startswith("cashier_gui.")}
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    name = f"{node.module}.{a.name}"
                    is_module = (PACKAGE.parent / name.replace(".", "/")).with_suffix(".py")
                    if is_module.is_file() or (PACKAGE.parent / name.replace(".", "/")).is_dir():
                        modules.add(a.asname or a.name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if (
                        isinstance(t, ast.Attribute)
                        and isinstance(t.value, ast.Name)
                        and t.value.id in modules
                    ):
                        rel = path.relative_to(PACKAGE).as_posix()
                        offenders.append(f"{rel}:{node.lineno} {t.value.id}.{t.attr}")
    assert offenders == []


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each module of the package → the package's modules it imports, wherever the import is
    written: at the top, inside a function, or under `if TYPE_CHECKING:` (a cycle there is
    still two rooms that each need the other). `from a import b` names module `a.b` when that
    is a module, else `a`."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    if f"{node.module}.{a.name}" in modules:
                        deps.add(f"{node.module}.{a.name}")
                    elif node.module in modules:
                        deps.add(node.module)
        graph[name] = deps - {name}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_no_import_cycles() -> None:
    """Rooms depend one way: no two modules of the package import each other, directly or
    round a ring, TYPE_CHECKING imports included."""
    assert import_cycles(import_graph()) == []


def test_the_cycle_check_catches_a_ring() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"d"}, "f": {"f"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert "cashier_gui.ui.session" in import_graph()["cashier_gui.ui.main_window"]


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


# ---- the journal: one interface, homes behind it ------------------------------------------------

#: Who may know where the journal lives: the journal package itself and the start-up code.
JOURNAL_HOME_ALLOWED = ("journal/", "runtime.py")


def calls_of(path: Path) -> set[str]:
    """The names called in `path` (`Foo(...)`, `mod.Foo(...)` → "Foo")."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                found.add(func.id)
            elif isinstance(func, ast.Attribute):
                found.add(func.attr)
    return found


def test_only_the_start_up_code_knows_the_journals_home() -> None:
    """Nothing outside journal/ and runtime imports the SQLite home or sqlite3, or constructs
    a journal: the window, the CLI and paper get a Journal/JournalReader from the runtime."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(JOURNAL_HOME_ALLOWED):
            continue
        imported = modules_imported_by(path)
        offenders += [
            f"{rel} imports {m}"
            for m in imported
            if m == "sqlite3" or m.startswith("cashier_gui.journal.sqlite")
        ]
        offenders += [f"{rel} constructs {c}" for c in calls_of(path) & {"SqliteJournal"}]
    assert offenders == []


def test_the_journal_interface_knows_no_home() -> None:
    """The model, the reasons and the Protocols import no home and no storage engine."""
    offenders = []
    interface = ("__init__.py", "model.py", "reasons.py", "interface.py")
    for path in [PACKAGE / "journal" / name for name in interface]:
        imported = modules_imported_by(path)
        offenders += [
            f"{path.name} → {m}"
            for m in imported
            if m in ("sqlite3", "psycopg")
            or m.startswith(("cashier_gui.journal.sqlite", "cashier_gui.journal.shop"))
            or m.startswith("cashier_gui.shop")
        ]
    assert offenders == []


def test_the_journal_publishes_no_private_names() -> None:
    import cashier_gui.journal as journal

    assert [n for n in journal.__all__ if n.startswith("_")] == []


def test_the_refund_service_is_typed_against_the_protocol() -> None:
    import typing

    from cashier_gui.journal import Journal
    from cashier_gui.refunds.core import ServiceCore

    hints = typing.get_type_hints(ServiceCore.__init__)
    assert hints["journal"] is Journal


def test_the_sqlite_home_is_a_journal() -> None:
    """Structurally (the Protocol's every method, with the same parameter names)."""
    import inspect

    from cashier_gui.journal import Journal
    from cashier_gui.journal.sqlite import SqliteJournal

    for name, member in inspect.getmembers(Journal, inspect.isfunction):
        if name.startswith("_"):
            continue
        mine = getattr(SqliteJournal, name)
        wanted = list(inspect.signature(member).parameters)
        assert list(inspect.signature(mine).parameters)[: len(wanted)] == wanted, name


def test_the_architecture_page_names_every_room_and_only_real_ones() -> None:
    """docs/architecture.md: every package of cashier_gui is a room there, and every room it
    names (a backticked path in its table) exists."""
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    table = [line for line in page.splitlines() if line.startswith("| `")]
    named = {name for line in table for name in re.findall(r"`([\w/*.]+)`", line.split("|")[1])}
    for name in named:
        assert list(PACKAGE.glob(name.rstrip("/"))), f"docs/architecture.md names {name}"
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    rooms = {n.rstrip("/").split("/")[0] for n in named}
    assert packages <= rooms, packages - rooms
