"""The whole farm in one answer: other runners' phones and accounts beside this runner's, and
``GET /api/v1/runners`` (ours; issue 12, "One API and one view"; docs/spec/local-api.md).

In a shared (PostgreSQL) store each runner publishes, with every heartbeat (runner/cluster.py,
every ``lease_timeout / 4`` seconds), the entries its own ``GET /devices`` and ``GET /accounts``
build (:meth:`runner.http.devices.PhoneViews.publish`); they are the ``devices`` and
``accounts`` columns of its row in ``runners`` (runner/store/farm.py). Any runner then answers
for the farm:

- a phone's entry is that of the runner holding its live lease; else of a runner that lists it
  (state other than ``gone``); else this runner's; else another up runner's; else a lost or
  stopped runner's. Its ``running_task`` and ``waiting_tasks`` are read from the store (the
  farm's, as fresh as the store); the rest is as its runner last published it, and
  ``last_seen`` of a phone it listed is that runner's last heartbeat.
- the phones of a runner that is ``lost`` (no heartbeat for ``lease_timeout``) or ``stopped``
  are kept, with state ``gone`` and ``health.last_error`` saying which runner stopped and when:
  an operator looking for 45 missing phones finds them, and why, instead of nothing.
- an account (by username, case-insensitive) is listed once: the entry of an up runner whose
  phone is online, else of the runner holding its phone, else this runner's, else the first by
  runner name; a lost or stopped runner's accounts are ``device_online`` false. ``id`` is the
  1-based position in the farm's list: this runner's inventory first (so, in a SQLite store,
  the inventory position as before), then the other runners' by name.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ValidationError

from runner.http.envelope import Envelope, error_responses, ok
from runner.store import RunnerRow, TaskRow, task_object

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FarmState:
    """What the store says of the farm at one moment: every runner's row, phone leases
    (serial -> (runner, lease end)), the store's clock ``now`` (UTC epoch seconds)."""

    runners: list[RunnerRow]
    holders: dict[str, tuple[str, float]]
    now: float

    @classmethod
    def read(cls, store: Any) -> FarmState:
        """Read it from a shared ``store`` (blocks: call from a worker thread)."""
        return cls(store.runners(), store.phone_holders(), store.now())

    def live_holder(self, serial: str) -> str | None:
        """The runner holding ``serial``'s lease now, or None."""
        held = self.holders.get(serial)
        return held[0] if held is not None and held[1] > self.now else None

    def phones_held(self, name: str) -> int:
        """How many live phone leases runner ``name`` holds."""
        return sum(1 for r, until in self.holders.values() if r == name and until > self.now)


@dataclass(frozen=True)
class TaskFacts:
    """What the store says of the phones' tasks, for entries published by other runners:
    ``running`` serial -> its running task's row, ``waiting`` serial -> pending count;
    ``local`` turns UTC epoch seconds into the answer's local time; ``tz`` the runner's zone."""

    running: dict[str, TaskRow]
    waiting: dict[str, int]
    local: Callable[[float | None], str | None]
    tz: Any


def remote_device(published: Any, row: RunnerRow, facts: TaskFacts) -> dict[str, Any] | None:
    """One of ``row``'s published device entries as this runner shows it (see the module's
    docstring), or None when it is not a device entry (a runner of another version)."""
    from runner.http.devices import Device

    if not isinstance(published, dict) or not isinstance(published.get("serial"), str):
        return None
    serial = published["serial"]
    entry = {**published, "runner": row.name, "running_task": None, "waiting_tasks": 0}
    if published.get("state") != "gone":  # listed by that runner as of its heartbeat
        entry["last_seen"] = facts.local(row.heartbeat_at)
    if row.state != "up":
        how = "stopped answering" if row.state == "lost" else "was stopped"
        entry["state"] = "gone"
        entry["health"] = {
            "uiautomator": None,
            "screen_on": None,
            "last_error": f"runner {row.name} {how} (last heartbeat"
            f" {facts.local(row.heartbeat_at)})",
            "benched_until": None,
        }
    try:
        Device.model_validate(entry)
    except ValidationError:
        log.debug("runner %s published a device entry this version cannot read", row.name)
        return None
    task = facts.running.get(serial)
    entry["running_task"] = task_object(task, facts.tz) if task is not None else None
    entry["waiting_tasks"] = facts.waiting.get(serial, 0)
    return entry


def _choice(runner: str, name: str, *, up: bool, first: bool, second: bool) -> tuple:
    """How good one runner's entry is among those for one phone or account (smaller first):
    ``first``, then ``second``, then this runner's (``name``), then an up runner's, then a lost
    or stopped runner's; among equals this runner's, then by runner name."""
    if first:
        rank = 0
    elif second:
        rank = 1
    elif runner == name:
        rank = 2
    else:
        rank = 3 if up else 4
    return (rank, runner != name, runner)


class _Best:
    """The best entry offered per key, keys in the order first offered."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[tuple, dict[str, Any]]] = {}

    def offer(self, key: str, choice: tuple, entry: dict[str, Any]) -> None:
        if key not in self.entries or choice < self.entries[key][0]:
            self.entries[key] = (choice, entry)  # an existing key keeps its place

    def chosen(self) -> list[dict[str, Any]]:
        return [entry for _, entry in self.entries.values()]


def farm_devices(
    own: list[dict[str, Any]], farm: FarmState, *, name: str, facts: TaskFacts
) -> list[dict[str, Any]]:
    """This runner's device entries ``own`` (runner ``name``) and every other runner's
    published ones, one per serial chosen as the module's docstring says, by serial."""
    best = _Best()

    def offer(entry: dict[str, Any], up: bool) -> None:
        serial, runner = entry["serial"], entry["runner"]
        holds = runner == farm.live_holder(serial)
        lists = up and entry.get("state") != "gone"
        best.offer(serial, _choice(runner, name, up=up, first=holds, second=lists), entry)

    for entry in own:
        offer(entry, True)
    for row in farm.runners:
        if row.name == name:
            continue
        for published in row.devices:
            entry = remote_device(published, row, facts)
            if entry is not None:
                offer(entry, row.state == "up")
    return sorted(best.chosen(), key=lambda d: d["serial"])


def farm_accounts(own: list[dict[str, Any]], farm: FarmState, *, name: str) -> list[dict[str, Any]]:
    """This runner's account entries ``own`` (inventory order) and every other runner's
    published ones, one per username (case-insensitive), numbered again from 1 (the module's
    docstring)."""
    best = _Best()

    def offer(entry: dict[str, Any], up: bool) -> None:
        runner = entry["runner"]
        online = up and bool(entry.get("device_online"))
        holds = runner == farm.live_holder(str(entry.get("device")))
        choice = _choice(runner, name, up=up, first=online, second=holds)
        best.offer(str(entry.get("username", "")).lower(), choice, entry)

    for entry in own:
        offer(entry, True)
    for row in sorted((r for r in farm.runners if r.name != name), key=lambda r: r.name):
        up = row.state == "up"
        for published in row.accounts:
            if not isinstance(published, dict) or not isinstance(published.get("username"), str):
                continue
            offer({**published, "runner": row.name} | ({} if up else {"device_online": False}), up)
    return [{**entry, "id": n} for n, entry in enumerate(best.chosen(), start=1)]


# ----------------------------------------------------------------------------- GET /runners


class RunnerInfo(BaseModel):
    """One runner of the farm. ``state``: ``up``, ``stopped`` (shut down cleanly) or ``lost``
    (no heartbeat for ``lease_timeout`` seconds); ``started`` and ``heartbeat`` local time
    ``YYYY-MM-DD HH:MM:SS`` (the store's clock); ``api`` its HTTP API's URL or null; ``adb``
    its adb servers (``HOST:PORT``); ``phones`` how many phones it holds (leases; in a SQLite
    store, the phones its adb servers list in state ``device``); ``running`` its running
    tasks; ``this``: the runner answering."""

    name: str
    this: bool
    host: str
    pid: int | None
    state: str
    started: str | None
    heartbeat: str | None
    api: str | None
    adb: list[str]
    phones: int
    running: int


class RunnerList(BaseModel):
    """Every runner the store knows, by name."""

    list: list[RunnerInfo]
    total: int


class RunnerListAnswer(Envelope[RunnerList]):
    """Answer of ``GET /runners``."""


def runner_entries(
    *,
    name: str,
    farm: FarmState | None,
    running_by_runner: dict[str | None, int],
    local: Callable[[float | None], str | None],
    here: dict[str, Any],
) -> list[dict[str, Any]]:
    """``GET /runners``' list. ``farm`` None (a SQLite store): this runner alone, from
    ``here`` (``started``, ``api``, ``adb``, ``phones`` as this process knows them) and every
    running task. Else every row of the store; this runner's ``api`` and ``adb`` are this
    process's (fresher than its last heartbeat)."""
    if farm is None:
        return [
            {
                "name": name,
                "this": True,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "state": "up",
                "started": local(here["started"]),
                "heartbeat": local(here["now"]),
                "api": here["api"],
                "adb": here["adb"],
                "phones": here["phones"],
                "running": sum(running_by_runner.values()),
            }
        ]
    out = []
    for row in farm.runners:
        this = row.name == name
        out.append(
            {
                "name": row.name,
                "this": this,
                "host": row.host,
                "pid": row.pid,
                "state": row.state,
                "started": local(row.started_at),
                "heartbeat": local(row.heartbeat_at),
                "api": (here["api"] or row.api) if this else row.api,
                "adb": here["adb"] if this else list(row.adb),
                "phones": farm.phones_held(row.name),
                "running": running_by_runner.get(row.name, 0),
            }
        )
    return out


def running_by_runner(rows: Iterable[TaskRow]) -> dict[str | None, int]:
    """Running tasks per runner name (None: not named, an old row)."""
    out: dict[str | None, int] = {}
    for row in rows:
        out[row.runner] = out.get(row.runner, 0) + 1
    return out


def runners_router(views: Any) -> APIRouter:
    """``GET /runners`` over ``views`` (a :class:`runner.http.devices.PhoneViews`), mounted
    under ``/api/v1`` by runner/http/app.py."""
    router = APIRouter()

    @router.get(
        "/runners",
        response_model=RunnerListAnswer,
        responses=error_responses(),
        summary="Runners of the farm",
    )
    async def list_runners() -> Any:
        """(ours) Every runner sharing this store: state, heartbeat, API, adb servers, phones
        held, running tasks; in a SQLite store, this runner alone."""
        return ok(await views.runners())

    return router


__all__ = [
    "FarmState",
    "RunnerInfo",
    "TaskFacts",
    "farm_accounts",
    "farm_devices",
    "runner_entries",
    "runners_router",
]
