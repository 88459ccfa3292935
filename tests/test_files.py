from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_gui.config import Paths, PoyntSettings, Settings, load_settings, save_settings
from cashier_gui.files import (
    PrivateRotatingFileHandler,
    UnsafeTarget,
    chmod_private,
    create_private,
    open_device,
    open_output,
    open_private,
    private_dir,
    write_output,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000, 0o277], ids=["umask022", "umask000", "umask277"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    value: int = request.param
    previous = os.umask(value)
    try:
        yield value
    finally:
        os.umask(previous)


# ---- folders -----------------------------------------------------------------------------------


@posix_only
def test_private_dir_makes_every_folder_it_creates_0700(tmp_path: Path, umask: int) -> None:
    tmp_path.chmod(0o755)
    target = tmp_path / "a" / "b" / "cashier_gui"
    assert private_dir(target) == target
    for folder in (tmp_path / "a", tmp_path / "a" / "b", target):
        assert mode(folder) == 0o700, folder
    assert mode(tmp_path) == 0o755  # it existed before: not the app's to change


@posix_only
def test_private_dir_leaves_an_existing_folder_alone_unless_told(tmp_path: Path) -> None:
    shared = tmp_path / "home"
    shared.mkdir()
    shared.chmod(0o755)
    private_dir(shared)
    assert mode(shared) == 0o755
    private_dir(shared, tighten_existing=True)
    assert mode(shared) == 0o700


def test_private_dir_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError):
        private_dir(tmp_path / "file")
    with pytest.raises(OSError):
        private_dir(tmp_path / "file" / "sub")


@posix_only
def test_ensure_dirs_tightens_the_apps_own_folders_only(tmp_path: Path, umask: int) -> None:
    chosen = tmp_path / "shop"  # a CASHIER_GUI_HOME someone made: keep its mode
    chosen.mkdir()
    chosen.chmod(0o755)
    old = tmp_path / "data" / "cashier_gui"  # made 0755 by an older version: tighten
    old.mkdir(parents=True)
    old.chmod(0o755)
    (tmp_path / "data").chmod(0o755)
    paths = Paths(chosen, old).ensure_dirs()
    assert mode(chosen) == 0o755
    assert mode(old) == 0o700 and mode(paths.logs) == 0o700
    assert mode(tmp_path / "data") == 0o755


@posix_only
def test_a_fresh_home_is_created_private(tmp_path: Path, umask: int) -> None:
    home = tmp_path / "new" / "home"
    Paths(home, home).ensure_dirs()
    assert mode(tmp_path / "new") == mode(home) == mode(home / "logs") == 0o700


# ---- files -------------------------------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("how", ["w", "a", "x"])
def test_open_private_creates_0600_text(tmp_path: Path, umask: int, how: str) -> None:
    path = tmp_path / "export.csv"
    with open_private(path, how, newline="") as fh:  # type: ignore[call-overload]
        fh.write("a,b\r\nü,1\r\n")
    assert mode(path) == 0o600
    assert path.read_bytes() == "a,b\r\nü,1\r\n".encode()


@posix_only
@pytest.mark.parametrize("how", ["wb", "ab", "xb"])
def test_open_private_creates_0600_bytes(tmp_path: Path, umask: int, how: str) -> None:
    path = tmp_path / "blob"
    with open_private(path, how) as fh:  # type: ignore[call-overload]
        fh.write(b"\x00\xff\n")
    assert mode(path) == 0o600 and path.read_bytes() == b"\x00\xff\n"


@posix_only
def test_open_private_tightens_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text("old and long")
    path.chmod(0o644)
    with open_private(path, "w") as fh:
        fh.write("new")
    assert mode(path) == 0o600 and path.read_text() == "new"
    with open_private(path, "a") as fh:
        fh.write("+more")
    assert path.read_text() == "new+more"


def test_open_private_x_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "there"
    path.write_text("keep me")
    with pytest.raises(FileExistsError):
        open_private(path, "x")
    assert path.read_text() == "keep me"


def test_open_private_needs_the_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        open_private(tmp_path / "missing" / "file.csv", "w")


@posix_only
def test_create_private_makes_an_empty_0600_file_and_keeps_content(
    tmp_path: Path, umask: int
) -> None:
    path = create_private(tmp_path / "journal.sqlite3")
    assert path.read_bytes() == b"" and mode(path) == 0o600
    path.write_bytes(b"data")
    path.chmod(0o664)
    create_private(path)
    assert path.read_bytes() == b"data" and mode(path) == 0o600


@posix_only
def test_sqlite_created_private_keeps_its_companions_private(tmp_path: Path, umask: int) -> None:
    path = create_private(tmp_path / "journal.sqlite3")
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (x)")
        db.execute("INSERT INTO t VALUES (1)")
        db.commit()
        companions = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
        assert all(c.exists() for c in companions)
        assert [mode(p) for p in (path, *companions)] == [0o600] * 3
    finally:
        db.close()


@posix_only
def test_chmod_private_tightens_a_database_and_its_companions(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        path = tmp_path / "journal.sqlite3"
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (x)")
        db.commit()
        companions = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
        assert mode(path) == 0o644  # what sqlite does on its own
        chmod_private(path)
        assert [mode(p) for p in (path, *companions)] == [0o600] * 3
        db.close()
    finally:
        os.umask(previous)


def test_chmod_private_needs_the_file(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("does nothing on Windows")
    with pytest.raises(FileNotFoundError):
        chmod_private(tmp_path / "nothing.sqlite3")


# ---- settings and logs -------------------------------------------------------------------------


@posix_only
def test_settings_file_backup_and_folder_are_private(tmp_path: Path, umask: int) -> None:
    paths = Paths(tmp_path / "config" / "cashier_gui", tmp_path / "data" / "cashier_gui")
    save_settings(paths, Settings(default_currency="EUR"))
    assert mode(paths.settings) == 0o600
    assert mode(paths.config_dir) == mode(tmp_path / "config") == 0o700
    save_settings(paths, Settings().with_poynt(PoyntSettings(host="10.0.0.5")))
    backup = paths.settings.with_name("settings.toml.bak")
    assert mode(paths.settings) == mode(backup) == 0o600
    assert load_settings(paths).provider == "poynt"
    assert 'default_currency = "EUR"' in backup.read_text()


@posix_only
def test_settings_written_by_an_older_version_become_private(tmp_path: Path) -> None:
    folder = tmp_path / "cashier_gui"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    paths = Paths(folder, folder)
    paths.settings.write_text('default_currency = "EUR"\n')
    paths.settings.chmod(0o644)
    (folder / "settings.toml.tmp").write_text("left over from a crash")
    (folder / "settings.toml.tmp").chmod(0o666)
    save_settings(paths, Settings(default_currency="USD"))
    backup = paths.settings.with_name("settings.toml.bak")
    assert mode(folder) == 0o700
    assert mode(paths.settings) == mode(backup) == 0o600
    assert backup.read_text() == 'default_currency = "EUR"\n'
    assert load_settings(paths).default_currency == "USD"


@posix_only
def test_save_settings_keeps_a_chosen_home_folder_mode(home: Path) -> None:
    home.chmod(0o750)
    save_settings(Paths.default(), Settings())
    assert mode(home) == 0o750 and mode(home / "settings.toml") == 0o600


@posix_only
def test_log_files_are_private_across_rollovers(tmp_path: Path, umask: int) -> None:
    logs = private_dir(tmp_path / "logs")
    handler = PrivateRotatingFileHandler(
        logs / "cashier_gui.log", maxBytes=200, backupCount=2, encoding="utf-8"
    )
    logger = logging.getLogger("tests.files.rotation")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for i in range(30):
            logger.warning("line %d with some padding to fill the file", i)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(logs.iterdir())
    assert [f.name for f in files] == ["cashier_gui.log", "cashier_gui.log.1", "cashier_gui.log.2"]
    assert all(mode(f) == 0o600 for f in files)
    assert mode(logs) == 0o700


@posix_only
def test_the_window_log_setup_writes_a_private_file(home: Path, umask: int) -> None:
    from cashier_gui.app import setup_logging

    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        setup_logging(Paths.default())
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1 and isinstance(added[0], PrivateRotatingFileHandler)
        logging.getLogger("cashier_gui.test").info("hello")
        log = home / "logs" / "cashier_gui.log"
        assert "hello" in log.read_text()
        assert mode(log) == 0o600 and mode(home / "logs") == 0o700
    finally:
        for h in root.handlers[:]:
            if h not in before:
                root.removeHandler(h)
                h.close()
        root.setLevel(level)


# ---- paper a person asks for: open_output ------------------------------------------------------


@pytest.fixture
def own(tmp_path: Path) -> tuple[Paths, Path]:
    """A home with the app's files in it, and a folder for paper beside it."""
    home = tmp_path / "home"
    paths = Paths(home, home).ensure_dirs()
    for f in (paths.settings, paths.operators, paths.journal, paths.logs / "cashier_gui.log"):
        f.write_text("the app's own\n")
    (home / "journal.sqlite3-wal").write_text("wal\n")
    out = tmp_path / "out"
    out.mkdir()
    return paths, out


def _unchanged(path: Path) -> tuple[bytes, int, int]:
    st = path.stat()
    return path.read_bytes(), stat.S_IMODE(st.st_mode), st.st_mtime_ns


@posix_only
def test_open_output_creates_0600_whatever_the_umask(own: tuple[Paths, Path], umask: int) -> None:
    paths, out = own
    with open_output(out / "r.csv", "w", newline="", own=paths.own_files()) as fh:
        fh.write("a,b\n")
    write_output(out / "r.pdf", b"%PDF", own=paths.own_files())
    assert mode(out / "r.csv") == 0o600 and mode(out / "r.pdf") == 0o600
    assert (out / "r.pdf").read_bytes() == b"%PDF"


@posix_only
def test_open_output_tightens_and_replaces_an_existing_file(own: tuple[Paths, Path]) -> None:
    paths, out = own
    old = out / "old.csv"
    old.write_text("a much longer old content\n")
    old.chmod(0o666)
    write_output(old, b"new", own=paths.own_files())
    assert old.read_bytes() == b"new" and mode(old) == 0o600


@posix_only
def test_open_output_refuses_a_symlink_and_leaves_its_target_alone(
    own: tuple[Paths, Path],
) -> None:
    paths, out = own
    victim = out / "victim.txt"
    victim.write_text("keep me\n")
    victim.chmod(0o644)
    before = _unchanged(victim)
    link = out / "receipt.bin"
    link.symlink_to(victim)
    with pytest.raises(UnsafeTarget, match="is a link"):
        write_output(link, b"\x1b@", own=paths.own_files())
    dangling = out / "dangling.bin"
    dangling.symlink_to(out / "nowhere")
    with pytest.raises(UnsafeTarget, match="is a link"):
        write_output(dangling, b"\x1b@", own=paths.own_files())
    assert _unchanged(victim) == before and not (out / "nowhere").exists()


@posix_only
def test_open_output_refuses_the_apps_own_files_however_they_are_named(
    own: tuple[Paths, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    paths, out = own
    home = paths.config_dir
    monkeypatch.chdir(out)
    (tmp_path / "via").symlink_to(home)  # a symlinked folder
    hard = out / "hard.csv"
    os.link(paths.operators, hard)  # a hard link: same st_dev/st_ino
    targets = [
        paths.settings,
        Path("..") / "home" / "settings.toml",  # relative, from the current folder
        out / ".." / "home" / "operators.json",
        tmp_path / "via" / "journal.sqlite3",
        home / "journal.sqlite3-wal",
        home / "journal.sqlite3-shm",  # a companion that does not exist yet
        home / "settings.toml.bak",
        paths.logs / "cashier_gui.log",
        paths.logs / "new.csv",  # anything inside the logs folder
        home / "changes.log",
        hard,
    ]
    before = {p: _unchanged(p) for p in home.rglob("*") if p.is_file()}
    for target in targets:
        with pytest.raises(UnsafeTarget, match="one of this app's own files"):
            write_output(target, b"x", own=paths.own_files())
    assert {p: _unchanged(p) for p in home.rglob("*") if p.is_file()} == before
    assert not (home / "journal.sqlite3-shm").exists() and not (paths.logs / "new.csv").exists()
    # A file beside them with another name is paper like any other.
    write_output(home / "shift-report.csv", b"ok", own=paths.own_files())


@posix_only
def test_writers_spare_this_homes_own_files_by_default(
    own: tuple[Paths, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cashier_gui.journal.sqlite import SqliteJournal

    paths, _out = own
    monkeypatch.setenv("CASHIER_GUI_HOME", str(paths.config_dir))
    before = _unchanged(paths.settings)
    with (
        SqliteJournal(paths.config_dir / "other.sqlite3") as journal,
        pytest.raises(UnsafeTarget),
    ):
        journal.export_csv(paths.settings)
    assert _unchanged(paths.settings) == before
    monkeypatch.setenv("XDG_DATA_HOME", str(paths.config_dir / "xdg"))
    keyrings = paths.config_dir / "xdg" / "keyrings"
    keyrings.mkdir(parents=True)
    with pytest.raises(UnsafeTarget):
        write_output(keyrings / "login.keyring", b"x", own=Paths.default().own_files())


@posix_only
def test_a_receipt_printer_file_is_private_and_never_the_apps_own(
    own: tuple[Paths, Path], umask: int
) -> None:
    paths, out = own
    printer = out / "lp0"
    for _ in range(2):
        with open_device(printer, own=paths.own_files()) as fh:
            fh.write(b"\x1b@")
    assert printer.read_bytes() == b"\x1b@\x1b@" and mode(printer) == 0o600
    (out / "by-id").symlink_to(paths.journal)  # a link is followed, to what it names
    before = _unchanged(paths.journal)
    for target in (paths.journal, out / "by-id", paths.logs / "cashier_gui.log"):
        with pytest.raises(UnsafeTarget, match="one of this app's own files"):
            open_device(target, own=paths.own_files())
    assert _unchanged(paths.journal) == before
    with open_device("/dev/null", own=paths.own_files()) as fh:  # a device keeps its mode
        fh.write(b"x")


def test_the_changes_log_is_one_of_the_apps_own_files(tmp_path: Path) -> None:
    from cashier_gui.doors import CHANGES_LOG

    paths = Paths(tmp_path, tmp_path)
    assert paths.data_dir / CHANGES_LOG in paths.own_files().files
