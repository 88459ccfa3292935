"""Private files: what the app writes (settings, the journal, logs, CSV exports) is readable by
the user who runs it and nobody else.

On POSIX, files are created with mode 0600 and the app's folders with 0700, whatever the umask
(the mode is set again with fchmod/chmod after creation, because the umask only ever removes
bits and a umask of 0 would otherwise leave a file 0666). On Windows these helpers create files
and folders normally and change no permissions: a user's profile folders are private by
default there, and POSIX modes mean nothing to NTFS.

Which folders get 0700 (decision):
- Every folder a helper *creates* (it did not exist before the call), including missing
  parents: the XDG base-directory spec asks for 0700 on folders such as ~/.local/share
  when an app has to create them.
- A folder that already existed is left alone — the user's home, ~/.config, a folder someone
  chose for CASHIER_GUI_HOME — unless the caller says it is the app's own folder
  (`tighten_existing=True`), which `Paths.ensure_dirs()` does for folders named `cashier_gui`
  and for the logs folder, so that folders made by an older version get tightened too.

How to use it (journal, CSV export, logs):

    from cashier_gui.files import chmod_private, create_private, open_private, private_dir

    private_dir(path.parent)                 # the folder, 0700 if this call creates it
    create_private(path)                     # an empty 0600 file before sqlite3.connect(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    chmod_private(path)                      # the file and its -wal/-shm/-journal companions

    with open_private(target, "w", newline="") as fh:   # a CSV export, 0600
        csv.writer(fh).writerow(...)

    handler = PrivateRotatingFileHandler(logs / "cashier_gui.log", maxBytes=..., backupCount=3)

SQLite gives its -wal, -shm and -journal files the permissions of the database file, so a
database created 0600 by `create_private` keeps its companions private too; `chmod_private`
tightens a database (and companions) that already existed with wider permissions.

Paper a person asks for (receipts, reports, exports — from the command line or a window's save
dialog) goes through ONE helper, `open_output` (or `write_output` for bytes made in memory):

    with open_output(target, "w", newline="") as fh:    # refuses, then 0600
        ...

It refuses, with a sentence (`UnsafeTarget`) and without changing anything:
- a target that is a symbolic link (O_NOFOLLOW, and an lstat before for a clear message: a
  link would let the file be written wherever it points);
- one of the app's own files (`OwnFiles`, from `Paths.own_files()`): the settings, the
  journals and their companions, the operators file, the changes log, the logs, the OS
  keyring's folders — compared by the resolved path (relative paths, symlinked folders,
  `..`) and by identity (st_dev/st_ino of the opened file: a hard link, another spelling on a
  case-insensitive disk).
The file is opened without O_TRUNC, checked, and only then set to 0600 and emptied: a refused
file keeps its content and its mode. A new file is created 0600 whatever the umask.
"""

from __future__ import annotations

import contextlib
import errno
import logging.handlers
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import TextIOWrapper
from pathlib import Path
from typing import BinaryIO, Literal, TextIO, cast, overload

from cashier_gui.errors import UserFacing
from cashier_gui.i18n import _

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "SQLITE_COMPANIONS",
    "OwnFiles",
    "PrivateRotatingFileHandler",
    "UnsafeTarget",
    "chmod_private",
    "create_private",
    "open_device",
    "open_output",
    "open_private",
    "output_via_temp",
    "private_dir",
    "write_output",
]

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
#: Files SQLite creates next to a database.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

_POSIX = os.name == "posix"

TextMode = Literal["w", "a", "x"]
BinaryMode = Literal["wb", "ab", "xb"]
_FLAGS = {
    "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL,
}


def private_dir(path: Path | str, *, tighten_existing: bool = False) -> Path:
    """Make sure the folder `path` exists and return it as a Path.

    Folders this call creates (`path` and any missing parents) get mode 0700. A folder that
    already existed keeps its mode, except `path` itself when `tighten_existing` is true (use
    that only for the app's own folders, never for the user's home or ~/.config).
    Raises OSError when a folder cannot be created (or `path` is a file).
    """
    folder = Path(path)
    missing: list[Path] = []
    probe = folder
    while not probe.is_dir():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for component in reversed(missing):
        try:
            component.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            if not component.is_dir():
                raise
            continue  # another process made it first: it is not ours to change
        if _POSIX:
            os.chmod(component, PRIVATE_DIR_MODE)
    if tighten_existing and _POSIX and folder not in missing:
        os.chmod(folder, PRIVATE_DIR_MODE)
    return folder


@overload
def open_private(
    path: Path | str,
    mode: TextMode = "w",
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
    errors: str | None = None,
) -> TextIO: ...
@overload
def open_private(
    path: Path | str,
    mode: BinaryMode,
    *,
    encoding: None = None,
    newline: None = None,
    errors: None = None,
) -> BinaryIO: ...
def open_private(
    path: Path | str,
    mode: TextMode | BinaryMode = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
    errors: str | None = None,
) -> TextIO | BinaryIO:
    """Open a file for writing like `open()`, creating it with mode 0600.

    `mode` is "w" (truncate), "a" (append) or "x" (must not exist yet), with "b" for bytes.
    Text is UTF-8 unless `encoding` says otherwise; pass `newline=""` for the csv module.
    A file that already existed is set to 0600 as well (its owner is the user, or opening it
    would have failed). The parent folder must exist: see `private_dir`.
    """
    binary = mode.endswith("b")
    flags = _FLAGS[mode[0]] | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, PRIVATE_FILE_MODE)
    try:
        if _POSIX:
            os.fchmod(fd, PRIVATE_FILE_MODE)
        if binary:
            return cast(BinaryIO, os.fdopen(fd, mode))
        return cast(TextIO, os.fdopen(fd, mode, encoding=encoding, newline=newline, errors=errors))
    except BaseException:
        os.close(fd)
        raise


def create_private(path: Path | str) -> Path:
    """Create `path` as an empty 0600 file if it is missing (an existing file keeps its
    content and is set to 0600); return it as a Path.

    Call it before handing the path to something that creates the file itself with the
    umask's permissions, e.g. `sqlite3.connect(path)`.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        if _POSIX:
            os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return Path(path)


def chmod_private(path: Path | str) -> None:
    """Set an existing file to 0600, with the SQLite companions next to it (`-wal`, `-shm`,
    `-journal`) that exist. Raises FileNotFoundError when `path` itself does not exist.
    Does nothing on Windows."""
    target = Path(path)
    if not _POSIX:
        return
    os.chmod(target, PRIVATE_FILE_MODE)
    for suffix in SQLITE_COMPANIONS:
        companion = target.with_name(target.name + suffix)
        try:
            os.chmod(companion, PRIVATE_FILE_MODE)
        except FileNotFoundError:
            continue


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose log file is created 0600 — the first one and each new one
    after a rollover (rotated files are renamed, so they keep 0600). The folder must exist:
    see `private_dir`."""

    def _open(self) -> TextIOWrapper:
        mode: TextMode = "w" if self.mode.startswith("w") else "a"
        stream = open_private(
            self.baseFilename, mode, encoding=self.encoding or "utf-8", errors=self.errors
        )
        return cast(TextIOWrapper, stream)


# ---- paper a person asks for: receipts, reports, exports ---------------------------------------


class UnsafeTarget(UserFacing):
    """An output file the app will not write (a link, or one of the app's own files). Nothing
    was changed. The command line exits 1."""


@dataclass(frozen=True)
class OwnFiles:
    """What paper must never be written over.

    `files`: the app's files; a name that *starts with* one of them in the same folder is the
    app's too (`journal.sqlite3-wal`, `operators.json.lock`, `settings.toml.bak`, the journal's
    `.owners` folder). `folders`: everything inside is the app's (the logs, the keyring's)."""

    files: tuple[Path, ...] = ()
    folders: tuple[Path, ...] = ()

    def claims(self, resolved: Path) -> bool:
        """Whether the resolved path `resolved` is (or is inside) one of these."""
        for own in self.files:
            real = _resolved(own)
            if resolved.is_relative_to(real.parent):
                inside = resolved.relative_to(real.parent).parts
                if inside and _fold(inside[0]).startswith(_fold(real.name)):
                    return True  # the file, a companion, or inside journal.sqlite3.owners/
        for folder in self.folders:
            real = _resolved(folder)
            if resolved.is_relative_to(real):
                return True
        return False

    def identities(self) -> Iterator[tuple[int, int]]:
        """(st_dev, st_ino) of every existing file these name."""
        for own in self.files:
            try:
                entries = list(os.scandir(own.parent))
            except OSError:
                continue
            for entry in entries:
                if _fold(entry.name).startswith(_fold(own.name)):
                    yield from _walk_ids(Path(entry.path))
        for folder in self.folders:
            yield from _walk_ids(folder)


def _fold(name: str) -> str:
    # Windows' and macOS's usual disks ignore case: Settings.TOML is settings.toml there.
    return name.casefold() if os.name == "nt" or sys.platform == "darwin" else name


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _walk_ids(path: Path, depth: int = 3) -> Iterator[tuple[int, int]]:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return
    if stat.S_ISDIR(st.st_mode):
        if depth <= 0:
            return
        try:
            children = list(os.scandir(path))
        except OSError:
            return
        for child in children:
            yield from _walk_ids(Path(child.path), depth - 1)
    elif stat.S_ISREG(st.st_mode):
        yield st.st_dev, st.st_ino


def _refused_own(path: Path | str) -> UnsafeTarget:
    return UnsafeTarget(
        _(
            "{path} is one of this app's own files (settings, journal, operators, logs or the "
            "keyring's): choose another file name. Nothing was written."
        ).format(path=path)
    )


def _refused_link(path: Path | str) -> UnsafeTarget:
    return UnsafeTarget(
        _(
            "{path} is a link to another file: choose a file name that is not a link. Nothing "
            "was written."
        ).format(path=path)
    )


def open_device(path: Path | str, *, own: OwnFiles) -> BinaryIO:
    """Open a receipt printer's device or file (`[printer] kind = "escpos-file"`) to append
    to. Links are followed (udev names printers by links), but what they point at must not be
    one of the app's own files (UnsafeTarget, nothing changed). A regular file it creates or
    appends to is 0600; a device keeps its mode."""
    if own.claims(_resolved(Path(path))):
        raise _refused_own(path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) in set(own.identities()):
            raise _refused_own(path)
        if _POSIX and stat.S_ISREG(st.st_mode):
            os.fchmod(fd, PRIVATE_FILE_MODE)
        return cast(BinaryIO, os.fdopen(fd, "ab"))
    except BaseException:
        os.close(fd)
        raise


def _check_target(path: Path | str, own: OwnFiles) -> Path:
    """UnsafeTarget unless `path` may be written: not a link, not one of `own` (by resolved
    path, and by identity when it exists)."""
    target = Path(path)
    if target.is_symlink():
        raise _refused_link(path)
    if own.claims(_resolved(target.parent) / target.name):
        raise _refused_own(path)
    try:
        st = os.stat(target)
    except OSError:
        return target
    if (st.st_dev, st.st_ino) in set(own.identities()):
        raise _refused_own(path)
    return target


@contextlib.contextmanager
def output_via_temp(path: Path | str, *, own: OwnFiles) -> Iterator[Path]:
    """For a writer that opens the file itself (Qt's printer, "Print to file"): checks `path`
    as `open_output` does (UnsafeTarget before anything is written), yields a fresh 0600 file
    beside it (mkstemp: O_EXCL, mode 0600 whatever the umask) for the writer to fill, then
    checks `path` again and renames the file into place (a rename replaces a name, it never
    writes through a link). On any error the temporary file is removed."""
    target = _check_target(path, own)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        yield Path(name)
        _check_target(target, own)
        os.replace(name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def _open_output_fd(path: Path | str, truncate: bool, own: OwnFiles) -> int:
    target = _check_target(path, own)
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)  # a FIFO: no hang
    try:
        fd = os.open(target, flags, PRIVATE_FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP or target.is_symlink():  # a link put there meanwhile
            raise _refused_link(path) from None
        raise
    try:
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) in set(own.identities()):  # a hard link, another spelling
            raise _refused_own(path)
        if _POSIX and hasattr(os, "O_NONBLOCK"):
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        if stat.S_ISREG(st.st_mode):  # a device (a receipt printer's) keeps its mode
            if _POSIX:
                os.fchmod(fd, PRIVATE_FILE_MODE)
            if truncate:
                os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


@overload
def open_output(
    path: Path | str,
    mode: Literal["w"] = "w",
    *,
    newline: str | None = None,
    own: OwnFiles,
) -> TextIO: ...
@overload
def open_output(
    path: Path | str,
    mode: Literal["wb"],
    *,
    newline: None = None,
    own: OwnFiles,
) -> BinaryIO: ...
def open_output(
    path: Path | str,
    mode: Literal["w", "wb"] = "w",
    *,
    newline: str | None = None,
    own: OwnFiles,
) -> TextIO | BinaryIO:
    """Open paper a person asked for (a receipt, a report, an export) for writing: 0600, never
    through a link, never over the app's own files (`own`: `Paths.own_files()`; this module is
    below config, so the caller says which).
    Raises UnsafeTarget (nothing changed) or OSError (the folder, the disk…). Text is UTF-8."""
    fd = _open_output_fd(path, True, own)
    try:
        if mode == "wb":
            return cast(BinaryIO, os.fdopen(fd, "wb"))
        return cast(TextIO, os.fdopen(fd, "w", encoding="utf-8", newline=newline))
    except BaseException:
        os.close(fd)
        raise


def write_output(path: Path | str, data: bytes, *, own: OwnFiles) -> None:
    """`data` to `path` through `open_output` (a PDF drawn in memory, a receipt's ESC/POS)."""
    with open_output(path, "wb", own=own) as fh:
        fh.write(data)
