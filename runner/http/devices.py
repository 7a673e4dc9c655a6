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
task's health check read (``DeviceSession.prepare``).
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
from runner.models import TaskRecord
from runner.store import TaskStatus, task_object

PROBE_TTL = 30.0  # seconds a phone's probed facts (model, Android version, screen) are reused
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
        self._probed: dict[str, tuple[float, dict[str, Any]]] = {}
        self._limiter = trio.CapacityLimiter(PROBE_CONCURRENCY)

    # -- accounts ----------------------------------------------------------------------------

    def accounts(
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
        order, one page of them (``page`` 1-based)."""
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
                }
            )
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
        return {
            "list": chosen[start : start + page_size],
            "total": len(chosen),
            "page": page,
            "page_size": page_size,
        }

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
        """``GET /devices``: every phone (see :meth:`device`)."""
        serials = self.serials()
        return {"list": await self._many(serials), "total": len(serials)}

    async def device(self, serial: str) -> dict[str, Any]:
        """``GET /devices/{serial}``: one phone; ApiError 40401 when the runner knows no phone
        of that serial."""
        if serial not in self.serials():
            raise ApiError(NOT_FOUND, f"device {serial} not found: no adb server lists it and "
                           "no account of the inventory is on it")  # fmt: skip
        [item] = await self._many([serial])
        return item

    async def _many(self, serials: list[str]) -> list[dict[str, Any]]:
        running, waiting = await trio.to_thread.run_sync(self._tasks)
        async with trio.open_nursery() as nursery:
            for serial in serials:
                if self._state(serial) == "device":
                    nursery.start_soon(self._probe, serial)
        return [self._item(s, running.get(s), waiting.get(s, 0)) for s in serials]

    def _tasks(self) -> tuple[dict[str, Any], dict[str, int]]:
        """(serial -> running task row, serial -> pending count), from the store."""
        running: dict[str, Any] = {}
        rows, _ = self.store.list_tasks(status=TaskStatus.RUNNING, limit=MAX_RUNNING)
        for row in rows:  # in id order: a phone's latest claim wins (one runs at a time)
            if row.serial:
                running[row.serial] = row
        waiting = {s: int(n) for s, _, n in self.store.pending_by_serial() if s}
        return running, waiting

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
            import adbutils

            device = adbutils.AdbClient(host=host, port=int(port)).device(serial)
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
            views.accounts(
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
