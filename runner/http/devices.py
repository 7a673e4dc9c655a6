"""The phones and accounts views of the API: ``GET /accounts`` (TikMatrix's, docs/spec/local-api.md,
"Endpoints") and ``GET /devices``, ``GET /devices/{serial}`` (ours).

Accounts are the runner's inventory (``RunnerConfig.accounts``: tikrunner.yaml's, a workflows
folder's accounts.yaml, the simulated phones' own accounts; the list is updated in place) joined
with what the adb servers and phones report. Phones are every serial an adb server lists (any
state), every serial of the inventory and every serial seen since start; a serial no reachable
adb server lists is ``gone``.

Model, Android version and screen state come from one ``getprop``/``dumpsys power`` shell call
per phone in state ``device``, made at most every :data:`PROBE_TTL` seconds (cached), at most
:data:`PROBE_CONCURRENCY` at a time; the TikTok version and system locale are what the last
task's health check read (``DeviceSession.prepare``). In a shared store the runner also probes its
own phones in the background (:meth:`PhoneViews.keep_probed`, every :data:`PROBE_TTL` seconds),
since the farm reads them from what it publishes (:meth:`PhoneViews.publish`).

Every entry names its ``runner``: this runner's (``config.runner_name()`` in a SQLite store);
in a shared store the other runners' phones and accounts are merged in by
runner/http/farmview.py.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any

import trio
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, BeforeValidator, Field

from runner.config import RunnerConfig
from runner.errors import NOT_FOUND, device_state_remark
from runner.http.envelope import ApiError, Envelope, error_responses, ok
from runner.http.farmview import (
    FarmState,
    TaskFacts,
    farm_accounts,
    farm_devices,
    runner_entries,
    running_by_runner,
)
from runner.models import TaskRecord
from runner.store import TaskRow, TaskStatus, task_object

PROBE_TTL = 30.0  # seconds a phone's probed facts (model, Android version, screen) are reused
PROBE_TICK = 2.0  # seconds between looks for phones to probe in the background (keep_probed)
PROBE_CONCURRENCY = 8  # phones probed at the same time
PROBE_TIMEOUT = 5.0  # seconds one probe may take
MAX_RUNNING = 100_000  # running tasks read per devices answer (one per phone: the device limit)
PLATFORM = "tiktok"
_MARK = "--tikrunner-probe--"


class Account(BaseModel):
    """One account as TikMatrix's ``GET /accounts`` lists it; never a password.

    ``id``: 1-based position in the inventory; ``email``: null (the inventory has none);
    ``device_online``: its phone is in adb state ``device``; ``device_name``: the phone's model
    when known, else its serial; ``logined`` 1 and ``status`` 1 for an enabled inventory entry
    (an entry says the account is logged in on that phone), 0 for a disabled one."""

    id: int
    username: str
    email: str | None
    platform: str
    packagename: str
    device: str
    device_online: bool
    device_name: str
    logined: int
    status: int
    tags: list[str]
    runner: str = Field(
        description="(ours) The runner whose inventory lists it (this runner's name in a SQLite "
        "store; in a shared store the runner holding its phone, or the one that listed it)."
    )
    safety: AccountSafety | None = Field(
        default=None,
        description="(ours) Counts against limits, working hours and cool-down of an account of "
        "this runner's inventory (null for another runner's).",
    )


class ActionCount(BaseModel):
    """One action kind of an account against its limits: ``hour`` attempts in the last 60
    minutes, ``day`` since local midnight (counted before each tap), ``last_at`` the last one
    (local time) or null; ``per_hour``, ``per_day``, ``min_gap`` (seconds) its effective limits
    (null: none)."""

    per_hour: int | None
    per_day: int | None
    min_gap: float | None
    hour: int
    day: int
    last_at: str | None


class CoolDown(BaseModel):
    """A cool-down after TikTok pushed back: until and since when (local time), and what TikTok
    said."""

    until: str
    since: str | None
    reason: str


class AccountSafety(BaseModel):
    """(ours) An account's safety (README, "Account safety"): its counts against its limits by
    action kind, its working hours (lists of ``HH:MM-HH:MM`` ranges, every list applying; null:
    any time), whether it is inside them now and when that changes next (the window's end inside
    it, the next window's start outside; local time; null: not within a week), and any running
    cool-down."""

    limits: dict[str, ActionCount]
    working_hours: list[list[str]] | None
    working_now: bool
    working_next: str | None
    cool_down: CoolDown | None


class AccountPage(BaseModel):
    """A page of accounts; ``total`` counts every match."""

    list: list[Account]
    total: int
    page: int
    page_size: int


class Health(BaseModel):
    """``uiautomator``: True while the runner holds an open uiautomator2 session on the phone,
    False while it is benched, None when not known (no session yet, or not in state ``device``); ``screen_on`` from ``dumpsys power``
    (None: not probed); ``last_error``: why it is benched, why adb cannot use it, or why the
    probe failed; ``benched_until``: local time ``YYYY-MM-DD HH:MM:SS`` or null."""

    uiautomator: bool | None
    screen_on: bool | None
    last_error: str | None
    benched_until: str | None


class Device(BaseModel):
    """One phone. ``state``: adb's (``device``, ``offline``, ``unauthorized``, ...) or ``gone``;
    ``language``: the phone's system locale (``fr-FR``) as the last health check read it;
    ``running_task``: the task object running there now; ``waiting_tasks``: its pending tasks;
    ``last_seen``: now when an adb server lists it, else the last time one did (local time)."""

    serial: str
    adb_server: str | None
    state: str
    model: str | None
    android_version: str | None
    tiktok_version: str | None
    language: str | None
    health: Health
    running_task: TaskRecord | None
    waiting_tasks: int
    last_seen: str | None
    runner: str = Field(
        description="(ours) The runner holding the phone (this runner's name in a SQLite store); "
        "in a shared store, another runner's phones are as it last published them."
    )


class DeviceList(BaseModel):
    """Every phone, by serial."""

    list: list[Device]
    total: int


class AccountPageAnswer(Envelope[AccountPage]):
    """Answer of ``GET /accounts``."""


class DeviceListAnswer(Envelope[DeviceList]):
    """Answer of ``GET /devices``."""


class DeviceAnswer(Envelope[Device]):
    """Answer of ``GET /devices/{serial}``."""


class PhoneViews:
    """The data of the three endpoints over one runner's ``farm`` (runner.workers.Farm; None:
    no phones), ``store`` and ``config``."""

    def __init__(self, *, farm: Any, store: Any, config: RunnerConfig):
        self.farm = farm
        self.store = store
        self.config = config
        self.tz = config.tz()
        self.shared = bool(getattr(store, "shared", False))
        # Who "this runner" is: the store's name in a shared store, else the config's.
        self.name: str = store.runner if self.shared else config.runner_name()
        self.api: str | None = None  # the API's URL, set by runner/http/server.py once it listens
        self.started = time.time()
        self._probed: dict[str, tuple[float, dict[str, Any]]] = {}
        self._limiter = trio.CapacityLimiter(PROBE_CONCURRENCY)

    # -- what this runner shows the farm -------------------------------------------------------

    def publish(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(device entries, account entries) of this runner's own phones and inventory, as its
        ``GET /devices`` and ``GET /accounts`` build them, without ``running_task`` and
        ``waiting_tasks`` (the viewer reads those from the store): what the heartbeat publishes
        to the farm (runner/cluster.py, ``Cluster.publish``). Cheap and synchronous (no store,
        no adb call: probed facts as cached); call it on the trio thread."""
        devices = [self._item(s, None, 0) for s in self.serials()]
        return devices, self._account_items()

    async def keep_probed(self) -> None:
        """Probe this runner's phones in state ``device`` every :data:`PROBE_TTL` seconds (a
        phone just listed within :data:`PROBE_TICK` seconds), so that what it publishes to a
        shared store's farm carries their model, Android version and screen state without
        anyone asking this runner's own API. Runs until cancelled."""
        while True:
            async with trio.open_nursery() as nursery:
                for serial in self.serials():
                    if self._state(serial) == "device":
                        nursery.start_soon(self._probe, serial)  # a no-op until its TTL ends
            await trio.sleep(PROBE_TICK)

    # -- accounts ----------------------------------------------------------------------------

    async def accounts(
        self,
        *,
        platform: str | None,
        device: str | None,
        logined: int | None,
        status: int | None,
        tag: str | None,
        page: int,
        page_size: int,
    ) -> dict[str, Any]:
        """``GET /accounts``: the inventory's accounts matching every filter given, in inventory
        order, one page of them (``page`` 1-based); in a shared store the farm's
        (runner/http/farmview.py, :func:`~runner.http.farmview.farm_accounts`)."""
        items = self._account_items()
        if self.shared:
            farm = await trio.to_thread.run_sync(FarmState.read, self.store)
            items = farm_accounts(items, farm, name=self.name)
        chosen = [
            a
            for a in items
            if (platform is None or a["platform"] == platform.lower())
            and (device is None or a["device"] == device)
            and (logined is None or a["logined"] == logined)
            and (status is None or a["status"] == status)
            and (tag is None or tag in a["tags"])
        ]
        start = (page - 1) * page_size
        shown = chosen[start : start + page_size]
        names = {a["username"].lower() for a in shown}  # the page's alone: 100 of 500, not 500
        safety = await trio.to_thread.run_sync(self._safety, names)
        return {
            "list": [{**a, "safety": safety.get(a["username"].lower())} for a in shown],
            "total": len(chosen),
            "page": page,
            "page_size": page_size,
        }

    def _safety(self, names: set[str]) -> dict[str, dict[str, Any]]:
        """Account safety of this runner's inventory accounts named ``names`` (lower case;
        runner/limits.py ``account_safety``), by lower-case username, times as local time.
        Blocks on the store."""
        from runner.limits import account_safety

        if not hasattr(self.store, "action_counts"):
            return {}
        out: dict[str, dict[str, Any]] = {}
        for a in account_safety(self.config, self.store, time.time(), names):
            cool = a["cool_down"]
            out[a["username"].lower()] = {
                "limits": {
                    k: {**v, "last_at": self._local(v["last_at"])} for k, v in a["limits"].items()
                },
                "working_hours": a["working_hours"],
                "working_now": a["working_now"],
                "working_next": self._local(a["working_next"]),
                "cool_down": None
                if cool is None
                else {
                    "until": self._local(cool["until"]),
                    "since": self._local(cool["since"]),
                    "reason": cool["reason"],
                },
            }
        return out

    def _account_items(self) -> list[dict[str, Any]]:
        """This runner's inventory as ``GET /accounts`` entries, in inventory order."""
        items = []
        for n, acc in enumerate(list(self.config.accounts), start=1):
            state = self._state(acc.serial)
            facts = self._probed.get(acc.serial, (0.0, {}))[1]
            flag = 1 if acc.enabled else 0
            items.append(
                {
                    "id": n,
                    "username": acc.username,
                    "email": None,
                    "platform": PLATFORM,
                    "packagename": acc.package or self.config.package,
                    "device": acc.serial,
                    "device_online": state == "device",
                    "device_name": facts.get("model") or acc.serial,
                    "logined": flag,
                    "status": flag,
                    "tags": list(acc.tags),
                    "runner": self.name,
                }
            )
        return items

    # -- devices -----------------------------------------------------------------------------

    def _state(self, serial: str) -> str:
        if self.farm is None:
            return "gone"
        return self.farm.device_state(serial) or "gone"

    def _server_of(self, serial: str) -> str | None:
        if self.farm is None:
            return None
        for server in self.farm.adb_servers.values():
            if serial in server.devices:
                return server.address
        return getattr(self.farm, "last_server", {}).get(serial)

    def serials(self) -> list[str]:
        """Every phone the runner knows of, sorted."""
        known = {a.serial for a in self.config.accounts}
        if self.farm is not None:
            for server in self.farm.adb_servers.values():
                known.update(server.devices)
            known.update(self.farm.workers)
            known.update(getattr(self.farm, "last_seen", {}))
        return sorted(known)

    async def devices(self) -> dict[str, Any]:
        """``GET /devices``: every phone (see :meth:`device`); in a shared store the farm's
        (:func:`runner.http.farmview.farm_devices`)."""
        items = await self._many(self.serials())
        return {"list": items, "total": len(items)}

    async def device(self, serial: str) -> dict[str, Any]:
        """``GET /devices/{serial}``: one phone (in a shared store, of any runner); ApiError
        40401 when no runner knows a phone of that serial."""
        own = [serial] if serial in self.serials() else []
        items = [d for d in await self._many(own) if d["serial"] == serial]
        if not items:
            raise ApiError(NOT_FOUND, f"device {serial} not found: no adb server lists it and "
                           "no account of the inventory is on it")  # fmt: skip
        return items[0]

    async def _many(self, serials: list[str]) -> list[dict[str, Any]]:
        """The entries of ``serials`` (this runner's), probed; in a shared store with every
        other runner's published ones (all of them: the caller picks)."""
        running, waiting, _, farm = await trio.to_thread.run_sync(self._tasks)
        async with trio.open_nursery() as nursery:
            for serial in serials:
                if self._state(serial) == "device":
                    nursery.start_soon(self._probe, serial)
        own = [self._item(s, running.get(s), waiting.get(s, 0)) for s in serials]
        if farm is None:
            return own
        facts = TaskFacts(running, waiting, self._local, self.tz)
        return farm_devices(own, farm, name=self.name, facts=facts)

    def _tasks(
        self,
    ) -> tuple[dict[str, TaskRow], dict[str, int], list[TaskRow], FarmState | None]:
        """(serial -> running task row, serial -> pending count, every running row, the farm
        in a shared store else None), from the store (blocks: a worker thread)."""
        running: dict[str, TaskRow] = {}
        rows, _ = self.store.list_tasks(status=TaskStatus.RUNNING, limit=MAX_RUNNING)
        for row in rows:  # in id order: a phone's latest claim wins (one runs at a time)
            if row.serial:
                running[row.serial] = row
        waiting = {s: int(n) for s, _, n in self.store.pending_by_serial() if s}
        farm = FarmState.read(self.store) if self.shared else None
        return running, waiting, rows, farm

    # -- runners -------------------------------------------------------------------------------

    async def runners(self) -> dict[str, Any]:
        """``GET /runners``: every runner of the store (runner/http/farmview.py)."""
        _, _, rows, farm = await trio.to_thread.run_sync(self._tasks)
        adb = sorted(self.farm.adb_servers) if self.farm is not None else []
        here = {
            "started": self.started,
            "now": time.time(),
            "api": self.api,
            "adb": adb,
            "phones": sum(1 for s in self.serials() if self._state(s) == "device"),
        }
        items = runner_entries(
            name=self.name, farm=farm, running_by_runner=running_by_runner(rows),
            local=self._local, here=here,
        )  # fmt: skip
        return {"list": items, "total": len(items)}

    async def _probe(self, serial: str) -> None:
        """Refresh the phone's model, Android version and screen state (one shell call), unless
        probed less than PROBE_TTL seconds ago; a failure is kept as ``error``."""
        when, facts = self._probed.get(serial, (0.0, {}))
        if time.monotonic() - when < PROBE_TTL:
            return
        address = self._server_of(serial)
        if address is None:
            return
        host, _, port = address.rpartition(":")

        def probe() -> dict[str, Any]:
            from runner.devices.adb import AdbServerClient

            device = AdbServerClient(host, int(port)).device(serial)
            out = device.shell(
                f"getprop ro.product.model; getprop ro.build.version.release; echo {_MARK}; "
                "dumpsys power | grep mWakefulness=",
                timeout=PROBE_TIMEOUT,
            )
            head, _, tail = str(out).partition(_MARK)
            lines = [x.strip() for x in head.strip().splitlines()]
            return {
                "model": lines[0] if lines and lines[0] else None,
                "android_version": lines[1] if len(lines) > 1 and lines[1] else None,
                "screen_on": ("Awake" in tail) if "mWakefulness=" in tail else None,
                "error": None,
            }

        try:
            async with self._limiter:
                with trio.fail_after(PROBE_TIMEOUT + 1):
                    new = await trio.to_thread.run_sync(probe, abandon_on_cancel=True)
        except Exception as e:  # adbutils.AdbError, OSError, a timeout: said in last_error
            new = {
                **facts,
                "error": f"probe failed: {' '.join(str(e).split()) or type(e).__name__}",
            }
        self._probed[serial] = (time.monotonic(), new)

    def _local(self, epoch: float | None) -> str | None:
        if epoch is None:
            return None
        return datetime.fromtimestamp(epoch, self.tz).strftime("%Y-%m-%d %H:%M:%S")

    def _item(self, serial: str, running: Any, waiting: int) -> dict[str, Any]:
        state = self._state(serial)
        facts = self._probed.get(serial, (0.0, {}))[1]
        farm = self.farm
        held = getattr(farm, "sessions", {}).get(serial) if farm is not None else None
        session = held if state == "device" else None
        bench = None
        if farm is not None and farm.scheduler is not None:
            bench = farm.scheduler.benched.get(serial)
        if bench is not None:
            uiautomator: bool | None = False
        elif session is not None:
            uiautomator = True
        else:
            uiautomator = None
        if bench is not None:
            last_error = bench.reason
        elif state != "device":
            last_error = device_state_remark(serial, "absent" if state == "gone" else state)
        else:
            last_error = facts.get("error")
        seen = None
        if state != "gone":
            seen = time.time()
        elif farm is not None:
            seen = getattr(farm, "last_seen", {}).get(serial)
        versions = getattr(held, "app_versions", {}) if held is not None else {}
        return {
            "serial": serial,
            "adb_server": self._server_of(serial),
            "state": state,
            "model": facts.get("model"),
            "android_version": facts.get("android_version"),
            "tiktok_version": versions.get(self.config.package)
            or next(iter(versions.values()), None),
            "language": (getattr(held, "locale_hint", "") or None) if held else None,
            "health": {
                "uiautomator": uiautomator,
                "screen_on": facts.get("screen_on") if state == "device" else None,
                "last_error": last_error,
                "benched_until": self._local(bench.until) if bench is not None else None,
            },
            "running_task": task_object(running, self.tz) if running is not None else None,
            "waiting_tasks": waiting,
            "last_seen": self._local(seen),
            "runner": self.name,
        }


def _blank_is_absent(value: Any) -> Any:
    return None if value == "" else value


Flag = Annotated[Annotated[int, Field(ge=0, le=1)] | None, BeforeValidator(_blank_is_absent)]
FLAG_DOC = {
    "anyOf": [{"type": "integer", "minimum": 0, "maximum": 1}, {"type": "string", "enum": [""]}]
}
Text = Annotated[str | None, BeforeValidator(_blank_is_absent)]


def phone_router(views: PhoneViews) -> APIRouter:
    """The routes of ``GET /accounts``, ``GET /devices`` and ``GET /devices/{serial}`` (mounted
    under ``/api/v1`` by runner/http/app.py)."""
    router = APIRouter()

    @router.get(
        "/accounts",
        response_model=AccountPageAnswer,
        responses=error_responses(),
        summary="List accounts",
    )
    async def list_accounts(
        platform: Annotated[Text, Query(description="tiktok (the only one here)")] = None,
        device: Annotated[Text, Query(description="the phone's serial")] = None,
        logined: Annotated[
            Flag, Query(description="1 logged in, 0 not; empty: any", json_schema_extra=FLAG_DOC)
        ] = None,
        status: Annotated[
            Flag, Query(description="1 enabled, 0 disabled; empty: any", json_schema_extra=FLAG_DOC)
        ] = None,
        tag: Annotated[Text, Query(description="accounts carrying this tag")] = None,
        page: Annotated[int, Query(ge=1, description="1-based")] = 1,
        page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> Any:
        """The account inventory joined with the phones' state; never a password."""
        return ok(
            await views.accounts(
                platform=platform,
                device=device,
                logined=logined,
                status=status,
                tag=tag,
                page=page,
                page_size=page_size,
            )
        )

    @router.get(
        "/devices", response_model=DeviceListAnswer, responses=error_responses(), summary="Phones"
    )
    async def list_devices() -> Any:
        """Every phone: adb state, model, versions, health, running and waiting tasks."""
        return ok(await views.devices())

    @router.get(
        "/devices/{serial}",
        response_model=DeviceAnswer,
        responses=_not_found_device(),
        summary="One phone",
    )
    async def get_device(serial: Annotated[str, Path(min_length=1, max_length=255)]) -> Any:
        """One phone; 40401 for a serial the runner does not know."""
        return ok(await views.device(serial))

    return router


def _not_found_device() -> dict[int | str, dict[str, Any]]:
    out = error_responses(not_found=True)
    out[404] = {**out[404], "description": "No such device"}
    return out
