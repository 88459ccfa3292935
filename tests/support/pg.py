"""A real PostgreSQL server for the tests (and bench/shop.py): Debian's binaries, our own data
folder and port, no docker, no mock.

`initdb` refuses to run as root, so as root the data folder is given to the `postgres` user and
every server command runs through `runuser -u postgres --`; as any other user they run as that
user. The folder lives under the system temp folder (not pytest's 0700 one, which `postgres`
cannot enter). `fsync=off` and `initdb --no-sync` are for tests; figures want `durable=True`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg


def pg_bin_dir() -> Path | None:
    """The newest `/usr/lib/postgresql/<version>/bin` with initdb (Debian, Ubuntu), else the
    folder of an `initdb` on PATH (Homebrew, other systems), else None."""
    found = []
    for path in glob.glob("/usr/lib/postgresql/*/bin"):
        version = Path(path).parent.name
        if version.isdigit() and (Path(path) / "initdb").exists():
            found.append((int(version), Path(path)))
    if found:
        return max(found)[1]
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PgServer:
    """One server: `start()`, `stop()`, `restart()` (fault tests), `create_database()`."""

    def __init__(self, bindir: Path, *, durable: bool = False) -> None:
        self.bindir = bindir
        self.durable = durable
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="cashier-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self._as_postgres = hasattr(os, "geteuid") and os.geteuid() == 0
        if self._as_postgres:
            import pwd  # POSIX only, as is running as root

            entry = pwd.getpwnam("postgres")
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self.dir.chmod(0o700)
        initdb = [str(bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]
        initdb += ["-E", "UTF8", "--locale=C"]
        if not durable:
            initdb.append("--no-sync")
        self._run(initdb)

    def _run(self, command: list[str], timeout: float = 60) -> None:
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            tail = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{command[-4:]} failed: {done.stdout}{done.stderr}\n{tail}")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def start(self) -> None:
        options = [
            "-c listen_addresses=127.0.0.1",
            f"-p {self.port}",
            f"-c unix_socket_directories={self.dir}",
            "-c max_connections=200",
        ]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                " ".join(options),
                "-w",
                "start",
            ]
        )

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session (clients see FATAL 57P01), `immediate` is a crash."""
        if self.running:
            self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def restart(self) -> None:
        self.stop()
        self.start()

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def admin(self, database: str = "postgres") -> psycopg.Connection[Any]:
        """A plain autocommit connection as the superuser (the caller closes it)."""
        import psycopg

        conn: psycopg.Connection[Any] = psycopg.connect(
            self.url(database), autocommit=True, connect_timeout=5
        )
        return conn

    def create_database(self, prefix: str = "shop") -> str:
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def running_server(*, durable: bool = False) -> Iterator[PgServer]:
    bindir = pg_bin_dir()
    if bindir is None:
        raise RuntimeError("PostgreSQL's binaries are not installed (apt-get install postgresql)")
    server = PgServer(bindir, durable=durable)
    try:
        server.start()
        yield server
    finally:
        server.destroy()
