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
"""

from __future__ import annotations

import logging.handlers
import os
from io import TextIOWrapper
from pathlib import Path
from typing import BinaryIO, Literal, TextIO, cast, overload

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "SQLITE_COMPANIONS",
    "PrivateRotatingFileHandler",
    "chmod_private",
    "create_private",
    "open_private",
    "private_dir",
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
