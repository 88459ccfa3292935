"""`cashier-refund shop init` as a real process against the real server; the URL's rules."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from cashier_gui.shop import ShopAccessDenied, ShopInputError, ShopServer, parse_url, schema
from cashier_gui.shop.conninfo import is_loopback
from tests.support.cli import cli_env, run_cli
from tests.support.pg import PgServer, free_port, running_server


def test_shop_init_creates_then_changes_nothing(tmp_path: Path, empty_db_url: str) -> None:
    env = cli_env(tmp_path)
    first = run_cli(env, "shop", "init", "--url", empty_db_url)
    assert first.returncode == 0, first.stderr
    assert f"tables created (version {schema.LATEST})" in first.stdout
    assert "ALTER SYSTEM SET tcp_keepalives_idle = '30';" in first.stdout
    again = run_cli(env, "shop", "init", "--url", empty_db_url)
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stdout
    with psycopg.connect(empty_db_url) as conn:
        assert schema.current_version(conn) == schema.LATEST


def test_shop_init_upgrades(tmp_path: Path, empty_db_url: str) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        schema.migrate(conn, target=1)
    done = run_cli(cli_env(tmp_path), "shop", "init", "--url", empty_db_url)
    assert done.returncode == 0, done.stderr
    assert f"upgraded from version 1 to {schema.LATEST}" in done.stdout


def test_shop_init_with_a_password_checks_it_and_never_shows_it(
    tmp_path: Path, pg_running: PgServer
) -> None:
    """A server that wants a password (scram-sha-256 for this role, over TCP)."""
    secret = "s3cr3t-Pässword"
    db = pg_running.create_database()
    with psycopg.connect(pg_running.url(), autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS shop_owner")
        conn.execute(f"CREATE ROLE shop_owner LOGIN PASSWORD '{secret}'".encode())
        conn.execute(f'ALTER DATABASE "{db}" OWNER TO shop_owner'.encode())
    hba = pg_running.data / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text("host all shop_owner 127.0.0.1/32 scram-sha-256\n" + original)
    try:
        with psycopg.connect(pg_running.url(), autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
        url = pg_running.url(db, user="shop_owner")
        env = cli_env(tmp_path)
        wrong = run_cli(env, "shop", "init", "--url", url, "--password-stdin", stdin="nope\n")
        assert wrong.returncode == 1
        assert "refused this counter's user or password" in wrong.stderr
        with ShopServer(url, password="nope", wait_s=1) as shop, pytest.raises(ShopAccessDenied):
            shop.check()
        done = run_cli(env, "shop", "init", "--url", url, "--password-stdin", stdin=secret + "\n")
        assert done.returncode == 0, done.stderr
        assert "tables created" in done.stdout
        for out in (wrong, done):
            assert secret not in out.stdout + out.stderr
        with ShopServer(url, password=secret) as shop:
            assert shop.check() == schema.LATEST
    finally:
        hba.write_text(original)
        with psycopg.connect(pg_running.url(), autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")


def test_shop_init_on_a_new_server_by_an_owner_without_createrole_says_what_to_do(
    tmp_path: Path, pg: PgServer
) -> None:
    """A fresh server (no shop roles yet), the database's owner without CREATEROLE — what an IT
    person following the README does. The roles are the one missing thing: the message names
    them and how to make them, and the next run goes on from where the first one stopped."""
    with running_server() as fresh:
        db = fresh.create_database()
        with fresh.admin() as conn:
            conn.execute("CREATE ROLE shop_owner LOGIN")
            conn.execute(f'ALTER DATABASE "{db}" OWNER TO shop_owner'.encode())
        url = fresh.url(db, user="shop_owner")
        env = cli_env(tmp_path)
        refused = run_cli(env, "shop", "init", "--url", url)
        assert refused.returncode == 1
        said = " ".join(refused.stderr.split())
        assert "may not create the shop's roles" in said, said
        assert "CREATE ROLE shop_counter NOLOGIN;" in said
        assert "CREATE ROLE shop_manager NOLOGIN IN ROLE shop_counter;" in said
        assert "database's owner" not in said  # it is the owner: that advice would mislead
        with fresh.admin() as conn:
            conn.execute("CREATE ROLE shop_counter NOLOGIN")
            conn.execute("CREATE ROLE shop_manager NOLOGIN IN ROLE shop_counter")
        done = run_cli(env, "shop", "init", "--url", url)
        assert done.returncode == 0, done.stderr
        assert f"to {schema.LATEST}" in done.stdout
        with psycopg.connect(fresh.url(db)) as conn:
            assert schema.current_version(conn) == schema.LATEST


def test_setup_shop_joins_only_a_server_that_answers_so_its_password_can_still_be_stored(
    tmp_path: Path, pg_running: PgServer, shop_url: str
) -> None:
    """The README's order, done the other way round: a counter that had joined a server wanting
    a password could not store that password afterwards (every manager's door asks the shop's
    people, on that server). Nothing is saved until the server answers; the pool's own retry
    warnings never reach stderr."""
    db = shop_url.rsplit("/", 1)[1]
    secret = "till-Secret-9876"
    with pg_running.admin() as conn:
        conn.execute("DROP ROLE IF EXISTS till9")
        conn.execute(f"CREATE ROLE till9 LOGIN PASSWORD '{secret}' IN ROLE shop_counter".encode())
    hba = pg_running.data / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text("host all till9 127.0.0.1/32 scram-sha-256\n" + original)
    try:
        with pg_running.admin() as conn:
            conn.execute("SELECT pg_reload_conf()")
        env = cli_env(tmp_path)
        url = pg_running.url(db, user="till9")
        join = ("setup", "shop", "--url", url, "--counter", "Till 9")
        refused = run_cli(env, *join)
        assert refused.returncode == 1
        assert "Nothing changed" in refused.stdout and "secret set shop-password" in refused.stdout
        assert "error connecting" not in refused.stderr, refused.stderr
        assert not (tmp_path / "home" / "settings.toml").exists()  # nothing saved
        stored = run_cli(env, "secret", "set", "shop-password", stdin=secret + "\n")
        assert stored.returncode == 0, stored.stdout + stored.stderr
        joined = run_cli(env, *join)
        assert joined.returncode == 0, joined.stdout + joined.stderr
        assert f"tables are at version {schema.LATEST}" in joined.stdout
        assert "Till 9" in (tmp_path / "home" / "settings.toml").read_text()
    finally:
        hba.write_text(original)
        with pg_running.admin() as conn:
            conn.execute("SELECT pg_reload_conf()")


def test_shop_init_refuses_a_password_in_the_url_without_echoing_it(tmp_path: Path) -> None:
    done = run_cli(
        cli_env(tmp_path), "shop", "init", "--url", "postgresql://u:hunter2@127.0.0.1/shop"
    )
    assert done.returncode == 2
    assert "Leave the password out" in done.stderr and "hunter2" not in done.stderr


def test_shop_init_without_a_server_fails_in_seconds(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/shop"
    done = run_cli(cli_env(tmp_path), "shop", "init", "--url", url, timeout=30)
    assert done.returncode == 1
    assert "cannot be reached" in done.stderr


def test_shop_init_needs_tls_to_a_network_host(tmp_path: Path) -> None:
    done = run_cli(
        cli_env(tmp_path),
        "shop",
        "init",
        "--url",
        "postgresql://u@192.0.2.10:5432/shop?sslmode=require",
    )
    assert done.returncode == 2 and "verify-full" in done.stderr


@pytest.mark.parametrize(
    "url",
    [
        "mysql://u@h/db",
        "postgresql://u:pw@127.0.0.1/db",
        "postgresql://u@127.0.0.1",
        "postgresql:///db",
        "postgresql://u@db.shop.lan/db?sslmode=disable",
        "postgresql://u@db.shop.lan/db?sslmode=prefer",
        "postgresql://u@10.0.0.5/db?sslmode=verify-ca",
        "postgresql://u@h/db?password=pw",
    ],
)
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(ShopInputError) as info:
        parse_url(url)
    assert "pw" not in str(info.value).replace("password", "")


def test_network_hosts_get_verify_full_and_the_system_cas(tmp_path: Path) -> None:
    p = parse_url("postgresql://till@db.shop.lan:5433/shop").params
    assert (p["sslmode"], p["port"], p["dbname"]) == ("verify-full", "5433", "shop")
    # A PEM file of the system's CAs that exists (libpq's own "system" is psycopg-binary's
    # build host's folder, missing on a counter PC).
    assert Path(p["sslrootcert"]).is_file()
    ca = tmp_path / "ca.pem"
    ca.write_text("not checked here")
    p = parse_url("postgresql://till@10.1.2.3/shop?sslmode=verify-full", ca_file=ca).params
    assert p["sslrootcert"] == str(ca)
    with pytest.raises(ShopInputError, match="does not exist"):
        parse_url("postgresql://till@10.1.2.3/shop", ca_file=tmp_path / "missing.pem")
    local = parse_url("postgresql://till@127.0.0.1/shop").params
    assert "sslmode" not in local
    assert local["connect_timeout"] == 5 and local["keepalives"] == 1
    kwargs = parse_url("postgresql://till@127.0.0.1/shop").connect_kwargs("pw")
    assert kwargs["password"] == "pw" and "statement_timeout=5000" in kwargs["options"]
    assert "password" not in parse_url("postgresql://till@127.0.0.1/shop").connect_kwargs(None)


def test_loopback() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "/run/pg"]))
    assert not any(map(is_loopback, ["10.0.0.1", "db.shop.lan", "192.168.1.2", "localhost.evil"]))


def test_the_system_cas_are_a_file_this_pc_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cashier_gui.shop import conninfo

    bundle = tmp_path / "cas.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    assert conninfo.system_ca_file() == str(bundle)
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setattr(conninfo, "_SYSTEM_BUNDLES", (str(tmp_path / "none.pem"),))
    import certifi

    assert conninfo.system_ca_file() == certifi.where()  # Windows: no OS file, Mozilla's
