"""A throw-away PostgreSQL server for the tests (issue 12), from the machine's own binaries.

Registered by tests/conftest.py (``pytest_plugins``). Fixtures:

- ``postgres_server`` (session): a :class:`PostgresServer` on a free loopback TCP port, started on
  first use from ``initdb`` and ``pg_ctl`` (found by :func:`find_bindir`) in a temp folder: trust
  authentication for local and loopback connections, its unix socket in that folder, and no
  durability (``fsync``, ``full_page_writes`` and ``synchronous_commit`` off: a test server is
  thrown away). Skipped, with :data:`MISSING`, on a machine without the binaries.
- ``pg_url`` (function): ``postgresql://postgres@127.0.0.1:PORT/DB``, an empty database for one
  test, as CREATE DATABASE makes it; afterwards the connections a test left open (a runner
  subprocess's, for one) are ended and the database is kept to be emptied for a later test of
  the same process (:class:`Databases`).
- ``pg_database`` (function): a callable handing out as many such databases as a test needs.
- ``store_url`` (function, ids ``sqlite`` and ``postgresql``): ``"sqlite"`` or a fresh ``pg_url``,
  what ``store:`` in tikrunner.yaml takes; the ``sqlite`` case never starts the server.

One server serves the whole session, pytest-xdist's workers included: the controller (or the only
process, without ``-n``) makes the temp folder and hands it to each worker (``pytest_configure_node``),
the first worker that needs the server starts it under a file lock (``fcntl.flock``) and writes
its port beside it, and the controller stops it (``pg_ctl stop -m immediate``) and removes the
folder when the session ends. A session killed before its end leaves its server running: the
next session stops it (the folder's ``owner.pid`` names a process that is gone). Each test has
databases of its own while it runs, so tests share nothing but the server; a process's tests take
turns on its databases (:class:`Databases`: a database given back is emptied as new when handed
out again). Measured on 2 cores: ``initdb`` and ``pg_ctl start`` together 0.6 s on an idle
machine (about 1 s while the suite runs), once per session; a database (CREATE DATABASE) about
40 ms idle but 150-500 ms while the suite runs (the same with ``STRATEGY FILE_COPY``), emptying
one for its next test 10-20 ms; ``pg_ctl stop`` 0.13 s.

PostgreSQL refuses to run as root. As root (CI), ``initdb`` and ``pg_ctl`` run as the
``postgres`` user (``runuser -u postgres --``) and the folder belongs to it; it is made with
:func:`tempfile.mkdtemp` under the system's temp folder, since pytest's own (``pytest-of-root``)
is closed to other users.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import itertools
import json
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.net import free_port

#: Why tests that need PostgreSQL are skipped on a machine without it.
MISSING = (
    "PostgreSQL server binaries not found (initdb, pg_ctl): install Debian's postgresql package"
)

#: Where Debian's postgresql-NN packages put the server binaries (``/usr/lib/postgresql/15/bin``).
DEBIAN_BINDIRS = "/usr/lib/postgresql/*/bin"

#: Server settings: loopback only, the socket in the server's own folder, speed over durability,
#: room for several runners per test on every xdist worker at once.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "max_connections": "300",
    "shared_buffers": "32MB",
}

_FOLDER = pytest.StashKey[Path]()
_WORKER_INPUT = "tikrunner_postgres_folder"
_START_TRIES = 5  # free ports tried: another process may take the one we picked before we bind it


@dataclass(frozen=True)
class PostgresServer:
    """A running test server: ``host``:``port`` over TCP (trust authentication, user ``postgres``),
    its unix socket in ``socket_dir``, its binaries in ``bindir``, ``version`` as ``initdb``
    printed it (``"15.18"``)."""

    bindir: Path
    socket_dir: Path
    port: int
    version: str
    host: str = "127.0.0.1"
    user: str = "postgres"

    def url(self, database: str = "postgres") -> str:
        """The libpq URL of ``database`` on this server: ``postgresql://postgres@127.0.0.1:PORT/DB``
        (what psycopg.connect and ``store:`` take)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"


def _has_server(folder: Path) -> bool:
    return all(os.access(folder / name, os.X_OK) for name in ("initdb", "pg_ctl"))


def _version_key(folder: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", Path(folder).parent.name))


def find_bindir(pg_config: str = "pg_config", debian_bindirs: str = DEBIAN_BINDIRS) -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: ``pg_config --bindir`` when it holds them, else
    the newest of Debian's ``/usr/lib/postgresql/<version>/bin`` (``debian_bindirs``, a glob) that
    does, else the folder of ``initdb`` on PATH when ``pg_ctl`` is beside it; None when there is
    none (Debian keeps both off PATH). ``.ci/run`` looks in the same places."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        if out and _has_server(Path(out)):
            return Path(out)
    for folder in sorted(glob.glob(debian_bindirs), key=_version_key, reverse=True):
        if _has_server(Path(folder)):
            return Path(folder)
    on_path = shutil.which("initdb")
    if on_path and _has_server(Path(on_path).parent):
        return Path(on_path).parent
    return None


def _as_server_user(argv: list[str]) -> list[str]:
    """``argv`` as the user the server may run as: ourselves, or ``postgres`` when we are root."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], what: str) -> str:
    proc = subprocess.run(
        _as_server_user(argv),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")
    return proc.stdout


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reap_orphans() -> None:
    """Stop the servers of earlier sessions that were killed before they could stop them (their
    ``owner.pid`` names a process that is gone); servers of live sessions are left alone."""
    for owner in Path(tempfile.gettempdir()).glob("tikrunner-pg-*/owner.pid"):
        with contextlib.suppress(OSError, ValueError):
            if not _alive(int(owner.read_text(encoding="utf-8"))):
                _stop(owner.parent)


def _make_folder() -> Path:
    """A fresh temp folder for the server, ``owner.pid`` in it; the ``postgres`` user's when we
    are root."""
    _reap_orphans()
    folder = Path(tempfile.mkdtemp(prefix="tikrunner-pg-"))
    (folder / "owner.pid").write_text(str(os.getpid()), encoding="utf-8")
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pass  # start() says why it cannot run a server
        else:
            os.chown(folder, user.pw_uid, user.pw_gid)
    return folder


def _start(folder: Path, bindir: Path) -> PostgresServer:
    """initdb a cluster in ``folder/data`` and start it on a free port; raises RuntimeError with
    pg_ctl's words and the server log's tail when it cannot."""
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError(
                "running as root, and there is no 'postgres' user to run the test server as "
                "(PostgreSQL refuses to run as root)"
            ) from None
    data, log = folder / "data", folder / "server.log"
    _run(
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        "initdb",
    )
    found = re.search(r"\d+(?:\.\d+)*", _run([str(bindir / "pg_ctl"), "--version"], "pg_ctl"))
    version = found.group(0) if found else "?"
    settings = SETTINGS | {"unix_socket_directories": f"'{folder}'"}
    with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n# tests/pg.py\n")
        conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
    failure = ""
    for _ in range(_START_TRIES):
        port = free_port()
        try:
            _run(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    f"-p {port}",
                    "start",
                ],
                "pg_ctl start",
            )
        except RuntimeError as exc:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            failure = f"{exc}\nserver log:\n{tail}"
            if "already in use" not in tail:
                break
            continue
        return PostgresServer(bindir=bindir, socket_dir=folder, port=port, version=version)
    raise RuntimeError(failure)


def _stop(folder: Path) -> None:
    """Stop the server of ``folder`` if one was started, and remove the folder."""
    bindir = find_bindir()
    if bindir and (folder / "data" / "postmaster.pid").exists():
        with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
            _run(
                [str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop"],
                "pg_ctl stop",
            )
    shutil.rmtree(folder, ignore_errors=True)


def shared_server(folder: Path) -> PostgresServer:
    """The session's server, started in ``folder`` by whichever process asks first (under a lock
    on ``folder/lock``), its address read from ``folder/server.json`` by the others.

    Calls pytest.skip with :data:`MISSING` when there are no binaries; raises RuntimeError (the
    first failure, for every later caller too) when the server cannot start."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(MISSING)
    with (folder / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        info, failed = folder / "server.json", folder / "failed.txt"
        if failed.exists():
            raise RuntimeError(failed.read_text(encoding="utf-8"))
        if info.exists():
            known = json.loads(info.read_text(encoding="utf-8"))
            return PostgresServer(
                bindir=Path(known["bindir"]),
                socket_dir=Path(known["socket_dir"]),
                port=known["port"],
                version=known["version"],
            )
        try:
            server = _start(folder, bindir)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            failed.write_text(f"the test PostgreSQL server did not start: {exc}", encoding="utf-8")
            raise RuntimeError(failed.read_text(encoding="utf-8")) from exc
        info.write_text(
            json.dumps(
                {
                    "bindir": str(server.bindir),
                    "socket_dir": str(server.socket_dir),
                    "port": server.port,
                    "version": server.version,
                }
            ),
            encoding="utf-8",
        )
        return server


@contextlib.contextmanager
def throwaway_server() -> Iterator[PostgresServer]:
    """A server of its own, outside pytest (bench/farm.py): started as the fixtures' one is, in a
    temp folder, stopped and the folder removed on the way out. Raises RuntimeError with
    :data:`MISSING` when there are no binaries, or with pg_ctl's words when it cannot start."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError(MISSING)
    folder = _make_folder()
    try:
        yield _start(folder, bindir)
    finally:
        _stop(folder)


# -- session plumbing: one folder per session, handed from the controller to xdist's workers --


def pytest_configure(config: pytest.Config) -> None:
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None:
        config.stash[_FOLDER] = Path(worker_input[_WORKER_INPUT])
    else:
        config.stash[_FOLDER] = _make_folder()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist: each worker gets the controller's folder, so all share one server."""
    node.workerinput[_WORKER_INPUT] = str(node.config.stash[_FOLDER])


def pytest_unconfigure(config: pytest.Config) -> None:
    if getattr(config, "workerinput", None) is None and _FOLDER in config.stash:
        _stop(config.stash[_FOLDER])


# -- fixtures --


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> PostgresServer:
    """The session's PostgreSQL server (see the module's docstring); skipped without binaries."""
    return shared_server(request.config.stash[_FOLDER])


_numbers = itertools.count(1)

#: This process's databases given back (:meth:`Databases.give_back`), per server port: each is
#: emptied when handed out again. An xdist worker runs one test at a time, so a worker's tests
#: take turns on a few databases instead of making one per test.
_POOL: dict[int, list[str]] = {}

#: How long a reset waits for each ended connection to be gone, milliseconds.
_TERMINATE_WAIT_MS = 10_000


def _end_connections(db) -> int:
    """End every other connection to ``db``'s database and wait until each is gone (so its
    session advisory locks and LISTENs are gone too); returns how many there were."""
    rows = db.execute(
        "SELECT pg_terminate_backend(pid, %s) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()",
        (_TERMINATE_WAIT_MS,),
    ).fetchall()
    return len(rows)


def _empty(url: str) -> None:
    """Make the database at ``url`` what CREATE DATABASE gives: no other connection (none of
    their advisory locks or LISTENs), no schema but an empty ``public`` (owned and granted as a
    new database's: PostgreSQL 15 and later, ``pg_database_owner`` and USAGE for all; before,
    ALL for all), no database-level settings. Tables, sequences, types and functions of every
    schema, the store's ``tikrunner_schema`` among them, are dropped with their schemas."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        _end_connections(db)
        schemas = [
            name
            for (name,) in db.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%'"
                " AND nspname <> 'information_schema'"
            ).fetchall()
        ]
        new_owner = int(db.execute("SHOW server_version_num").fetchone()[0]) >= 150000
        with db.transaction():
            for name in schemas:
                db.execute(f'DROP SCHEMA "{name}" CASCADE')
            db.execute("CREATE SCHEMA public")
            if new_owner:
                db.execute("ALTER SCHEMA public OWNER TO pg_database_owner")
                db.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
            else:
                db.execute("GRANT ALL ON SCHEMA public TO PUBLIC")
            db.execute("COMMENT ON SCHEMA public IS 'standard public schema'")
        name = db.execute("SELECT current_database()").fetchone()[0]
        db.execute(f'ALTER DATABASE "{name}" RESET ALL')


class Databases:
    """Empty databases on ``server``: :meth:`new` hands out one (``t_<worker>_<pid>_<n>``) and
    returns its URL, either one this process gave back earlier, emptied (:func:`_empty`: as
    new, its connections ended; 10-20 ms), or a new one (CREATE DATABASE: 40 ms on an idle
    machine, 150-500 ms while the suite runs); :meth:`give_back` ends the connections still open
    to every one it handed out (as ``DROP DATABASE ... WITH (FORCE)`` did: a runner a test left
    running loses its store) and keeps them for the next test; :meth:`drop_all` drops them."""

    def __init__(self, server: PostgresServer):
        self.server = server
        self.made: list[str] = []

    def new(self) -> str:
        import psycopg

        pool = _POOL.setdefault(self.server.port, [])
        if pool:
            name = pool.pop()
            _empty(self.server.url(name))
        else:
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            name = f"t_{worker}_{os.getpid()}_{next(_numbers)}"
            with psycopg.connect(self.server.url(), autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.server.url(name)

    def give_back(self) -> None:
        import psycopg

        pool = _POOL.setdefault(self.server.port, [])
        while self.made:
            name = self.made.pop()
            try:
                with psycopg.connect(self.server.url(name), autocommit=True) as db:
                    _end_connections(db)
            except psycopg.OperationalError:  # dropped by the test itself: nothing to keep
                continue
            pool.append(name)

    def drop_all(self) -> None:
        import psycopg

        if not self.made:
            return
        with psycopg.connect(self.server.url(), autocommit=True) as admin:
            while self.made:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.made.pop()}" WITH (FORCE)')


@pytest.fixture
def pg_database(postgres_server: PostgresServer) -> Iterator[Callable[[], str]]:
    """A callable returning the URL of an empty database at each call (:class:`Databases`, as
    CREATE DATABASE makes it); after the test the connections still open to each are ended and
    the databases kept for later tests of this process (emptied when handed out again)."""
    databases = Databases(postgres_server)
    yield databases.new
    databases.give_back()


@pytest.fixture
def pg_url(pg_database: Callable[[], str]) -> str:
    """``postgresql://postgres@127.0.0.1:PORT/DB``: an empty database for this test."""
    return pg_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> str:
    """What ``store:`` takes, once per engine: ``"sqlite"``, or a fresh ``pg_url``."""
    if request.param == "sqlite":
        return "sqlite"
    return request.getfixturevalue("pg_url")
