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
