"""The tests' throw-away PostgreSQL server (tests/pg.py, issue 12): it answers, each test gets its
own empty database, other processes reach it (runners are subprocesses), and a machine without
the binaries skips such tests saying what to install."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from tests.pg import MISSING, Databases, PostgresServer, _reap_orphans, find_bindir, shared_server


def tables(url: str) -> list[str]:
    with psycopg.connect(url) as db:
        rows = db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return [name for (name,) in rows]


def test_a_query_works_on_the_database_of_pg_url(pg_url: str):
    with psycopg.connect(pg_url) as db:
        db.execute("CREATE TABLE t (n integer)")
        db.execute("INSERT INTO t VALUES (1), (2), (3)")
        assert db.execute("SELECT sum(n) FROM t").fetchone() == (6,)
        assert db.execute("SELECT current_database()").fetchone() == (pg_url.rsplit("/", 1)[1],)
        # the settings that make it a fast throw-away server
        assert db.execute("SHOW fsync").fetchone() == ("off",)
        assert db.execute("SHOW synchronous_commit").fetchone() == ("off",)
        assert int(db.execute("SHOW max_connections").fetchone()[0]) >= 200


def test_pg_url_is_a_loopback_url_of_the_server(pg_url: str, postgres_server: PostgresServer):
    assert pg_url.startswith(f"postgresql://postgres@127.0.0.1:{postgres_server.port}/t_")
    assert postgres_server.version.split(".")[0].isdigit()


def test_two_databases_are_different_and_start_empty(pg_database):
    first, second = pg_database(), pg_database()
    assert first != second
    assert tables(first) == tables(second) == []
    with psycopg.connect(first) as db:
        db.execute("CREATE TABLE only_here (n integer)")
    assert tables(first) == ["only_here"]
    assert tables(second) == []


def test_databases_are_dropped_even_with_connections_left_open(postgres_server: PostgresServer):
    databases = Databases(postgres_server)
    url = databases.new()
    left_open = psycopg.connect(url, autocommit=True)  # a runner that did not close its store
    databases.drop_all()
    with psycopg.connect(postgres_server.url()) as admin:
        name = url.rsplit("/", 1)[1]
        gone = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        assert gone.fetchone() is None
    with pytest.raises(psycopg.OperationalError):
        left_open.execute("SELECT 1")
    left_open.close()


def test_a_database_given_back_is_handed_out_again_as_new(postgres_server: PostgresServer):
    databases = Databases(postgres_server)
    url = databases.new()
    with psycopg.connect(url, autocommit=True) as db:
        new_acl = db.execute(
            "SELECT nspowner::regrole::text, nspacl::text FROM pg_namespace"
            " WHERE nspname = 'public'"
        ).fetchone()
    left_open = psycopg.connect(url, autocommit=True)  # a runner that did not close its store
    left_open.execute("CREATE TABLE tikrunner_schema (version integer)")
    left_open.execute("CREATE SCHEMA elsewhere")
    left_open.execute("CREATE SEQUENCE elsewhere.numbers")
    left_open.execute("SELECT pg_advisory_lock(42)")
    left_open.execute('LISTEN "tikrunner"')
    name = url.rsplit("/", 1)[1]
    left_open.execute(f"ALTER DATABASE \"{name}\" SET work_mem = '7MB'")
    databases.give_back()
    with pytest.raises(psycopg.OperationalError):  # ended, as DROP DATABASE WITH (FORCE) did
        left_open.execute("SELECT 1")
    left_open.close()
    again = Databases(postgres_server)
    assert again.new() == url  # the same database, handed out again ...
    assert tables(url) == []  # ... empty, as new
    with psycopg.connect(url, autocommit=True) as db:
        assert (
            db.execute(
                "SELECT nspowner::regrole::text, nspacl::text FROM pg_namespace"
                " WHERE nspname = 'public'"
            ).fetchone()
            == new_acl
        )
        assert db.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%'"
            " AND nspname <> 'information_schema'"
        ).fetchall() == [("public",)]
        assert db.execute("SELECT pg_try_advisory_lock(42)").fetchone() == (True,)
        assert db.execute("SHOW work_mem").fetchone() != ("7MB",)
        others = db.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
        assert others == (0,)  # nobody LISTENs there any more: no connection but ours
    again.drop_all()


def test_another_process_reaches_the_server(pg_url: str):
    with psycopg.connect(pg_url) as db:
        db.execute("CREATE TABLE seen (word text)")
        db.execute("INSERT INTO seen VALUES ('from the test')")
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, psycopg\n"
            "with psycopg.connect(sys.argv[1]) as db:\n"
            "    print(db.execute('SELECT word FROM seen').fetchone()[0])\n"
            "    db.execute(\"INSERT INTO seen VALUES ('from the child')\")\n",
            pg_url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "from the test"
    with psycopg.connect(pg_url) as db:
        assert db.execute("SELECT count(*) FROM seen").fetchone() == (2,)


def test_store_url_names_an_engine(store_url: str, request: pytest.FixtureRequest):
    if request.node.callspec.id == "sqlite":
        assert store_url == "sqlite"
    else:
        assert store_url.startswith("postgresql://")
        assert tables(store_url) == []


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def test_the_newest_debian_server_is_found_when_pg_config_is_missing(tmp_path: Path):
    for version in ("9.6", "13", "15"):
        executable(tmp_path / version / "bin" / "initdb")
        executable(tmp_path / version / "bin" / "pg_ctl")
    executable(tmp_path / "16" / "bin" / "pg_ctl")  # a client-only install: no initdb
    found = find_bindir(pg_config=str(tmp_path / "nowhere"), debian_bindirs=f"{tmp_path}/*/bin")
    assert found == tmp_path / "15" / "bin"


def test_pg_config_bindir_comes_first(tmp_path: Path):
    executable(tmp_path / "debian" / "17" / "bin" / "initdb")
    executable(tmp_path / "debian" / "17" / "bin" / "pg_ctl")
    mine = tmp_path / "mine"
    executable(mine / "initdb")
    executable(mine / "pg_ctl")
    pg_config = tmp_path / "pg_config"
    pg_config.write_text(f"#!/bin/sh\necho {mine}\n")
    pg_config.chmod(0o755)
    found = find_bindir(pg_config=str(pg_config), debian_bindirs=f"{tmp_path}/debian/*/bin")
    assert found == mine


def test_without_binaries_postgresql_tests_are_skipped_saying_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("tests.pg.find_bindir", lambda: None)
    with pytest.raises(pytest.skip.Exception) as skipped:
        shared_server(tmp_path)
    assert str(skipped.value) == MISSING
    assert "install Debian's postgresql package" in MISSING
    assert not os.listdir(tmp_path)  # nothing started, nothing written


def test_a_killed_sessions_server_folder_is_reaped_and_a_live_ones_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    (tmp_path / "tikrunner-pg-dead").mkdir()
    (tmp_path / "tikrunner-pg-dead" / "owner.pid").write_text(gone)
    (tmp_path / "tikrunner-pg-live").mkdir()
    (tmp_path / "tikrunner-pg-live" / "owner.pid").write_text(str(os.getpid()))
    _reap_orphans()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tikrunner-pg-live"]
