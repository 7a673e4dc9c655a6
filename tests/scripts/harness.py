"""Running planned tasks on simulated phones the way the engine would, without the engine: intake
plans a body (the real fan-out, defaults and material checks), each task becomes a TaskContext and
runs through ``run_task`` on its phone; phones run their tasks concurrently, each in order."""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path
from typing import Any

import trio

from runner.config import Account
from runner.errors import TaskFailed
from runner.intake import IntakeContext, NewTask, plan_body
from runner.scripts import TaskContext, run_task
from tests.devices.simfarm import OUR_COMMANDS as BASE_COMMANDS
from tests.devices.simfarm import TaskLog, on_farm, open_session

EXAMPLES = Path(__file__).parents[1] / "examples"
# Tests that are not about the material roots read their files from anywhere (tmp_path): a root
# of "/" says so (no roots and no upload folder allow no material file at all).
ANYWHERE: tuple[Path, ...] = (Path("/"),)
_ids = itertools.count(1000)


def example_body(name: str, serials: list[str]) -> dict:
    """A vendor example with ``device_serial_N`` / ``device_N`` mapped onto simulated serials."""
    body = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    if "serials" in body:
        body["serials"] = [
            serials[int("".join(c for c in s if c.isdigit())) - 1] for s in body["serials"]
        ]
    return body


def plan(
    body: dict,
    accounts: list[Account],
    *,
    upload_folder: Path | None = None,
    material_roots: tuple[Path, ...] = ANYWHERE,
) -> list[NewTask]:
    ctx = IntakeContext(
        accounts=accounts, upload_folder=upload_folder, material_roots=material_roots
    )
    return plan_body(body, ctx=ctx)


def context_of(
    task: NewTask,
    *,
    upload_folder: Path | None = None,
    material_roots: tuple[Path, ...] = ANYWHERE,
    materials_db: Path | None = None,
    task_id: int | None = None,
    retry_count: int = 0,
) -> TaskContext:
    task_id = next(_ids) if task_id is None else task_id
    assert task.serial is not None
    return TaskContext(
        task_id=task_id,
        serial=task.serial,
        username=task.username,
        package=task.package,
        script_name=task.script_name,
        script_config=task.script_config,
        job_count=task.job_count,
        seed=task_id * 1_000_003 + retry_count,
        log=TaskLog(logging.getLogger("tests.task"), {"task_id": task_id, "serial": task.serial}),
        upload_folder=upload_folder,
        material_roots=material_roots,
        materials_db=materials_db,
        retry_count=retry_count,
    )


def run_contexts(farm: Any, ctxs: list[TaskContext]) -> dict[int, str | TaskFailed]:
    """Run every context on its phone (phones in parallel, each phone's tasks in order); returns
    task id -> remark or the TaskFailed raised."""
    by_serial: dict[str, list[TaskContext]] = {}
    for c in ctxs:
        by_serial.setdefault(c.serial, []).append(c)
    out: dict[int, str | TaskFailed] = {}

    async def phone(host: str, port: int, serial: str, mine: list[TaskContext]) -> None:
        session = await open_session(host, port, serial)
        try:
            for c in mine:
                try:
                    out[c.task_id] = await run_task(c, session)
                except TaskFailed as e:
                    out[c.task_id] = e
        finally:
            await session.close()

    async def main(host: str, port: int) -> None:
        async with trio.open_nursery() as nursery:
            for serial, mine in by_serial.items():
                nursery.start_soon(phone, host, port, serial, mine)

    on_farm(farm, main)
    return out


def account_truth(farm: Any, serial: str, user: str) -> dict:
    return farm.ground_truth()[serial]["accounts"][user]


# What our own code and uiautomator2 run on a phone (media scans use ``content`` too); anything
# else came from user data.
OUR_COMMANDS = BASE_COMMANDS | {"content"}


def commands_run(farm: Any, serial: str) -> list[tuple[str, ...]]:
    """Every simple command the phone's shell ran, without leading VAR=value assignments."""
    out = []
    for argv in farm.phone(serial).exec_log:
        words = list(argv)
        while words and "=" in words[0] and not words[0].startswith("-"):
            words.pop(0)
        out.append(tuple(words))
    return out
