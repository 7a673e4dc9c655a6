"""Helpers for device-layer and script tests against simulated phones (real adbutils, real
uiautomator2, the fake adb server of ``runner.sim`` on an ephemeral port)."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import adbutils
import trio

from runner.devices import DeviceSession
from runner.scripts import TaskContext, run_task

PKG = "com.zhiliaoapp.musically"
T = TypeVar("T")
_task_ids = itertools.count(1)


class TaskLog(logging.LoggerAdapter):
    """What the engine's task logger does: every line carries the task id and serial."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        return f"[task {self.extra['task_id']} {self.extra['serial']}] {msg}", kwargs


def make_ctx(
    serial: str,
    script: str,
    target: str | None = None,
    *,
    package: str = PKG,
    username: str | None = None,
    job_count: int = 0,
    seed: int = 0,
    task_id: int | None = None,
    upload_folder: Any = None,
    material_roots: tuple = (),
    materials_db: Any = None,
    retry_count: int = 0,
    **config: Any,
) -> TaskContext:
    """A task as the engine would build it; ``config`` is the script_config (as given: tests
    pass what intake would have filled in when it matters)."""
    task_id = next(_task_ids) if task_id is None else task_id
    script_config = dict(config)
    if target is not None:
        script_config.setdefault("target_users", [target])
        script_config.setdefault("access_method", "direct")
    log = TaskLog(logging.getLogger("tests.task"), {"task_id": task_id, "serial": serial})
    return TaskContext(
        task_id=task_id,
        serial=serial,
        username=username,
        package=package,
        script_name=script,
        script_config=script_config,
        job_count=job_count,
        seed=seed,
        log=log,
        upload_folder=upload_folder,
        material_roots=tuple(material_roots),
        materials_db=materials_db,
        retry_count=retry_count,
    )


async def open_session(host: str, port: int, serial: str) -> DeviceSession:
    client = adbutils.AdbClient(host, port)
    return await DeviceSession.open(client, serial, limiter=trio.CapacityLimiter(8))


def on_farm(farm: Any, fn: Callable[[str, int], Awaitable[T]]) -> T:
    """Run ``fn(host, port)`` under trio while ``farm`` serves on an ephemeral port."""
    with farm.running(port=0) as (host, port):
        return trio.run(fn, host, port)


def run_tasks(farm: Any, serial: str, ctxs: list[TaskContext]) -> list[str | Exception]:
    """Run tasks in turn on one session; each outcome is the remark or the TaskFailed raised."""

    async def main(host: str, port: int) -> list[str | Exception]:
        session = await open_session(host, port, serial)
        out: list[str | Exception] = []
        try:
            for ctx in ctxs:
                try:
                    out.append(await run_task(ctx, session))
                except Exception as e:  # the outcome under test
                    out.append(e)
        finally:
            await session.close()
        return out

    return on_farm(farm, main)


# What our own code and uiautomator2 run on the phone; anything else came from user data.
OUR_COMMANDS = frozenset(
    {
        "toybox",
        "app_process",
        "am",
        "monkey",
        "pm",
        "dumpsys",
        "ime",
        "echo",
        "screencap",
        "input",
        "getprop",
    }
)
