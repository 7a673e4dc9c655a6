"""Shared test set-up.

adbutils runs ``adb start-server`` when it cannot reach its server; pointing it at /bin/false keeps
a real adb daemon from appearing on a simulator's port (design.md, "Simulated phones").

``-n auto`` (the README's test command) starts three pytest-xdist workers per core: the suite spends
most of its time waiting (simulated phones answering over sockets, adbutils' 10 ms pause on
closing each connection, polls between dumps, subprocesses starting), measured at about a third
of two cores busy with one worker per core (on 2 cores: 245 s with 2 workers, 184 s with 4, 150 s with
6, 152 s with 8). ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still overrides it.
"""

import os

import pytest

os.environ.setdefault("ADBUTILS_ADB_PATH", "/bin/false")

#: postgres_server, pg_url, pg_database, store_url: a throw-away PostgreSQL server (issue 12).
pytest_plugins = ["tests.pg"]

#: The test modules that hold the suite's longest tests (8 s and more each in ``--durations`` on
#: 2 cores: runner subprocesses, whole scripts on simulated phones, schemathesis), longest first;
#: under xdist they run before the others, so that the suite ends with short tests on every
#: worker (an ordering, never a selection: a module missing here runs later, as before). Left
#: out on purpose: the modules whose tests count what happens in a given time (a warm-up's
#: watched videos, progress writes a second), which should not run while every worker is busy
#: with subprocesses. A replay of the scheduler on one suite run's test times gives 241 s
#: instead of 268 s on 6 workers (tests' own times unchanged).
LONG_FIRST = (
    "tests/test_startup.py",
    "tests/test_many_runners.py",
    "tests/test_scripts_post.py",
    "tests/test_e2e.py",
    "tests/http/test_openapi.py",
    "tests/sim/test_determinism.py",
    "tests/http/test_dashboard.py",
    "tests/test_logs.py",
    "tests/http/test_scheduling.py",
    "tests/test_e2e_workflows.py",
    "tests/test_e2e_scripts.py",
    "tests/test_sim_prefix.py",
    "tests/test_store_damage.py",
)

#: pytest-xdist workers per core for ``-n auto``.
WORKERS_PER_CORE = 3


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # optional: `-p no:xdist` still runs
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """Workers for ``-n auto``: WORKERS_PER_CORE per usable core, or None (pytest-xdist's own
    answer) when PYTEST_XDIST_AUTO_NUM_WORKERS is set or ``-n logical`` was asked for."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or config.option.numprocesses == "logical":
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return WORKERS_PER_CORE * (cores or 1)


def _xdist_controller(config: pytest.Config) -> bool:
    return config.pluginmanager.has_plugin("xdist") and bool(
        getattr(config.option, "numprocesses", None)
    )


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist, at most two tests queued per worker (see the module's docstring), unless
    ``--maxschedchunk`` was given."""
    if _xdist_controller(config) and getattr(config.option, "maxschedchunk", 0) is None:
        config.option.maxschedchunk = 2


@pytest.hookimpl(trylast=True)  # after pytest's own reordering by fixture scope
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, the modules of :data:`LONG_FIRST` first, in its order; every module's own
    tests keep their order (module-scoped fixtures stay grouped)."""
    if not (_xdist_controller(config) or hasattr(config, "workerinput")):
        return
    rank = {path: i for i, path in enumerate(LONG_FIRST)}
    root = config.rootpath

    def key(item: pytest.Item) -> int:
        try:
            path = item.path.relative_to(root).as_posix()
        except ValueError:
            return len(rank)
        return rank.get(path, len(rank))

    items.sort(key=key)  # stable


@pytest.fixture(autouse=True)
def _follow_settles_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A follow's check that it sticks (runner/scripts/follow.py FOLLOW_SETTLE, 1 s on phones)
    takes one more dump only: the simulator turns a follow that does not stick back on the very
    next dump, and every follow of the suite would otherwise wait a second."""
    monkeypatch.setattr("runner.scripts.follow.FOLLOW_SETTLE", 0.0)
