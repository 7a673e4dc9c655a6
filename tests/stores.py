"""Stores for the tests of the store's behaviour on both engines (``store_url``, tests/pg.py).

On a shared store (PostgreSQL) a runner claims only the tasks of phones whose lease it holds
(runner/store/farm.py, ``TaskQueue.claim_next``); a runner's heartbeat takes those leases. Tests
that claim tasks without a runner around take them here, for longer than any fake clock of the
tests runs ahead (their clocks run up to decades ahead)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from runner.store import Store, open_store

#: The simulated phones' serials the tests use (``sim-0000`` .. ``sim-0049``).
SIM_SERIALS = tuple(f"sim-{i:04d}" for i in range(50))

#: How long the tests' leases last, seconds: a century, past every fake clock (claim_next compares
#: a lease with the time it is given).
LEASE = 100 * 365 * 86400.0


def claiming_store(spec: str, folder: Path, *, phones: Iterable[str] = SIM_SERIALS) -> Store:
    """``open_store(spec, folder)`` (``spec``: ``sqlite`` or a ``postgresql://`` URL), its
    runner holding the leases of ``phones`` on a shared store, so that it may claim their
    tasks as a runner whose heartbeat leased them would."""
    store = open_store(spec, folder)
    if store.shared:
        store.lease_phones(phones, LEASE)
    return store


def statements(store: Store, wanted: Callable[[str], bool]) -> list[str]:
    """A hook on the store's own connection: the list it returns grows by every SQL statement
    the store runs from now on for which ``wanted(sql)`` holds (SQLite's trace callback; on
    PostgreSQL, the statements the store gives its connection)."""
    seen: list[str] = []

    def look(sql: str) -> None:
        if wanted(sql):
            seen.append(sql)

    if store.engine == "sqlite":
        store._db.set_trace_callback(look)
        return seen
    connection = store._db
    execute = connection.execute

    def traced(sql: str, params: Any = ()) -> Any:
        look(sql)
        return execute(sql, params)

    connection.execute = traced
    return seen
