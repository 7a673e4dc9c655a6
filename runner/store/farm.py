"""Runners and phone leases: several runners on one store (issue 12; README, "Many runners").

Each runner has a row in ``runners`` (its name, the process that has it now, its heartbeat) and
leases the phones its adb servers list (``phones``: one holder per serial, until a time). A
runner claims only the tasks of phones it holds (``TaskQueue.claim_next``), so a phone two
runners can see (USB and Wi-Fi adb, a remote adb server both follow) is driven by one at a time.
Leases are renewed by the heartbeat (runner/farm.py); a runner whose heartbeat is older than the
lease timeout is *lost*: the first other runner to notice (:meth:`FarmLog.reap_lost`) ends its
running tasks failed ``interrupted: runner <name> stopped answering`` (never re-run) and frees
its phones; its pending tasks wait for their phones. All times are the store's clock
(``Database.now``: the database server's for PostgreSQL), UTC epoch seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from runner.models.task import TaskStatus
from runner.store.db import Database

LOST_REMARK = "interrupted: runner {name} stopped answering"
#: ``phones.lease_until`` of a freed lease: the epoch, in the past by every runner's clock. Each
#: runner's clock is the database server's measured over its own connection (half a round trip
#: taken off), so two runners' "now" differ by milliseconds; a lease freed at the freeing
#: runner's now could still look live to the runner taking the phone a moment later.
FREED = 0.0
"""The remark of a lost runner's running tasks (``{name}``: the runner's name)."""


@dataclass(frozen=True)
class RunnerRow:
    """One runner as the store knows it. ``state``: ``up``, ``stopped`` (shut down cleanly) or
    ``lost`` (its heartbeat stopped); ``heartbeat_at``/``started_at`` UTC epoch seconds (the
    store's clock); ``adb`` the ``HOST:PORT`` of its adb servers; ``devices`` and ``accounts``
    what it last published (lists of JSON objects: ``GET /devices`` and ``GET /accounts``
    entries)."""

    name: str
    instance: str
    host: str
    pid: int | None
    api: str | None
    adb: list[str]
    started_at: float
    heartbeat_at: float
    state: str
    devices: list[dict[str, Any]]
    accounts: list[dict[str, Any]]


_RUNNER_COLUMNS = (
    "name, instance, host, pid, api, adb, started_at, heartbeat_at, state, devices, accounts"
)


def _runner_row(r: Any) -> RunnerRow:
    return RunnerRow(
        r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7], r[8],
        json.loads(r[9]), json.loads(r[10]),
    )  # fmt: skip


@dataclass(frozen=True)
class Reaped:
    """What :meth:`FarmLog.reap_lost` did for one lost runner: its ``name``, the ids of its
    running tasks now failed, the serials it held (their leases now free for another runner),
    and the manifests and serials touched."""

    name: str
    ended: list[int]
    freed: list[str]
    manifests: set[str]
    serials: set[str]


class FarmLog(Database):
    """The ``runners`` and ``phones`` tables (one transaction per call)."""

    def register_runner(
        self, *, instance: str, host: str, pid: int, api: str | None, adb: Iterable[str]
    ) -> RunnerRow | None:
        """Say that this runner (``self.runner``) is up, as process ``instance`` (a random id per
        start); returns its row as it was before (None: a new name). A row still ``up`` with a
        fresh heartbeat and another instance is this runner restarted before its lease ran out,
        or another process using the same name: the caller says so (the other one notices at its
        next heartbeat, :meth:`heartbeat` returns False, and stops)."""
        now = self.now()
        with self._transaction():
            row = self._db.execute(
                f"SELECT {_RUNNER_COLUMNS} FROM runners WHERE name=?", (self.runner,)
            ).fetchone()
            self._db.execute(
                "INSERT INTO runners(name, instance, host, pid, api, adb, started_at,"
                " heartbeat_at, state) VALUES (?,?,?,?,?,?,?,?,'up')"
                " ON CONFLICT (name) DO UPDATE SET instance=excluded.instance,"
                " host=excluded.host, pid=excluded.pid, api=excluded.api, adb=excluded.adb,"
                " started_at=excluded.started_at, heartbeat_at=excluded.heartbeat_at,"
                " state='up', devices='[]'",
                (self.runner, instance, host, pid, api, json.dumps(list(adb)), now, now),
            )
        return _runner_row(row) if row else None

    def heartbeat(
        self,
        *,
        instance: str,
        serials: Iterable[str],
        lease_seconds: float,
        devices: list[dict[str, Any]] | None = None,
        accounts: list[dict[str, Any]] | None = None,
        api: str | None = None,
    ) -> tuple[bool, set[str]]:
        """Renew this runner: its heartbeat, what it shows the farm (``devices``, ``accounts``,
        ``api``), and the leases of ``serials`` (the phones its adb servers list in state
        ``device``) for ``lease_seconds``; leases it holds on phones it no longer lists are
        freed (the phone moved to another PC's hub). Returns (still ours, serials held): False
        when another process took this runner's name (it must stop)."""
        now = self.now()
        wanted = sorted(set(serials))
        with self._transaction():
            sets, args = ["heartbeat_at=?"], [now]
            for column, value in (("devices", devices), ("accounts", accounts)):
                if value is not None:
                    sets.append(f"{column}=?")
                    args.append(json.dumps(value, ensure_ascii=False))
            if api is not None:
                sets.append("api=?")
                args.append(api)
            ours = self._db.execute(
                f"UPDATE runners SET {', '.join(sets)} WHERE name=? AND instance=?"
                " AND state='up' RETURNING name",
                (*args, self.runner, instance),
            ).fetchone()
            if ours is None:
                return False, set()
            held = self._lease(wanted, now, now + lease_seconds)
            if wanted:
                among, arg = self._in("serial", wanted)
                self._db.execute(
                    f"UPDATE phones SET lease_until=? WHERE runner=? AND NOT ({among})",
                    (FREED, self.runner, arg),
                )
            else:
                self._db.execute(
                    "UPDATE phones SET lease_until=? WHERE runner=?", (FREED, self.runner)
                )
        return True, held

    def lease_phones(self, serials: Iterable[str], lease_seconds: float) -> set[str]:
        """Take or renew the leases of ``serials`` for ``lease_seconds`` where no other runner
        holds a live one; returns the serials this runner holds now."""
        now = self.now()
        wanted = sorted(set(serials))
        if not wanted:
            return set()
        with self._transaction():
            return self._lease(wanted, now, now + lease_seconds)

    def _lease(self, serials: list[str], now: float, until: float) -> set[str]:
        held: set[str] = set()
        taken: set[str] = set()  # newly this runner's
        for serial in serials:
            row = self._db.execute(
                "INSERT INTO phones(serial, runner, lease_until, since) VALUES (?,?,?,?)"
                " ON CONFLICT (serial) DO UPDATE SET runner=excluded.runner,"
                " lease_until=excluded.lease_until,"
                " since=CASE WHEN phones.runner=excluded.runner THEN phones.since"
                " ELSE excluded.since END"
                " WHERE phones.runner=excluded.runner OR phones.lease_until<=?"
                " RETURNING since",
                (serial, self.runner, until, now, now),
            ).fetchone()
            if row is not None:
                held.add(serial)
                if row[0] == now:
                    taken.add(serial)
        if taken:
            self._touch(taken)  # phones that changed hands: their new runner reads their queue
        return held

    def phone_holders(self) -> dict[str, tuple[str, float]]:
        """serial -> (runner holding its lease, lease end in UTC epoch seconds), live or not."""
        with self._lock:
            rows = self._db.execute("SELECT serial, runner, lease_until FROM phones").fetchall()
        return {s: (r, until) for s, r, until in rows}

    def release_runner(self, instance: str) -> None:
        """This runner stops cleanly: state ``stopped``, every phone lease it holds freed."""
        now = self.now()
        with self._transaction():
            self._db.execute(
                "UPDATE runners SET state='stopped', heartbeat_at=? WHERE name=? AND instance=?",
                (now, self.runner, instance),
            )
            self._db.execute("UPDATE phones SET lease_until=? WHERE runner=?", (FREED, self.runner))

    def reap_lost(self, lease_timeout: float) -> list[Reaped]:
        """End the running tasks of every other runner whose heartbeat is older than
        ``lease_timeout`` seconds: failed with :data:`LOST_REMARK` (never retried; the workflow
        step policy applies), its phone leases freed, its state ``lost``. One transaction; of
        runners racing to do it, one does (the ``state='up'`` guard). Returns what was done."""
        now = self.now()
        done = []
        with self._transaction():
            lost = self._db.execute(
                "UPDATE runners SET state='lost' WHERE state='up' AND name<>? AND heartbeat_at<?"
                " RETURNING name",
                (self.runner, now - lease_timeout),
            ).fetchall()
            for (name,) in sorted(lost):
                ids = [
                    r[0]
                    for r in self._db.execute(
                        f"SELECT id FROM tasks WHERE runner=? AND status={TaskStatus.RUNNING:d}",
                        (name,),
                    ).fetchall()
                ]
                ended = self._end(  # type: ignore[attr-defined]
                    ids,
                    status=TaskStatus.FAILED,
                    remark=LOST_REMARK.format(name=name),
                    expect=(TaskStatus.RUNNING,),
                    retry_at=None,
                    max_retries=0,
                    delete=False,
                    now=now,
                )
                freed = [
                    r[0]
                    for r in self._db.execute(
                        "SELECT serial FROM phones WHERE runner=? ORDER BY serial", (name,)
                    ).fetchall()
                ]
                self._db.execute(
                    "UPDATE phones SET lease_until=? WHERE runner=? AND lease_until>?",
                    (FREED, name, now),
                )
                done.append(Reaped(name, ended.ended, freed, ended.manifests, ended.serials))
        return done

    def runners(self) -> list[RunnerRow]:
        """Every runner the store knows, by name."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_RUNNER_COLUMNS} FROM runners ORDER BY name"
            ).fetchall()
        return [_runner_row(r) for r in rows]

    def owned_manifests(self, names: Iterable[str]) -> set[str]:
        """Those of ``names`` this runner took in (a task it created, or a spool file it
        logged), and those no runner took in yet (a workflow applied without tasks, refused or
        not fired yet: only the runner applying the folder marks it): the manifests whose
        status files it writes. In a SQLite store, all of them."""
        wanted = sorted({n for n in names if n})
        if not self.shared or not wanted:
            return set(wanted)
        among, arg = self._in("manifest", wanted)
        with self._lock:
            rows = self._db.execute(
                f"SELECT DISTINCT manifest, owner=? FROM tasks WHERE {among} AND owner IS NOT NULL"
                f" UNION SELECT DISTINCT manifest, runner=? FROM intake_log WHERE {among}"
                " AND runner IS NOT NULL",
                (self.runner, arg, self.runner, arg),
            ).fetchall()
        mine = {name for name, ours in rows if ours}
        others = {name for name, ours in rows if not ours}
        return mine | (set(wanted) - others)

    def request_stop(self, task_id: int, remark: str) -> None:
        """Ask the runner running ``task_id`` (in a shared store) to cancel it with ``remark``:
        a NOTIFY ``{"stop": [task_id], "remark": ...}`` its listener acts on."""
        with self._transaction():
            self._notify({"stop": [int(task_id)], "remark": remark})
