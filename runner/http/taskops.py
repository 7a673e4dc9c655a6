"""What the API's task endpoints do, apart from HTTP: create, list, get, stop, retry, delete.

Takes the runner's parts (store, device farm, status writer, config) and gives async methods
that return plain JSON-able data or raise :class:`~runner.http.envelope.ApiError`. Rules come from
docs/spec/local-api.md ("Endpoints", "Task object"); every change is committed in the store before it
is answered, then the manifest's status file is marked and the device workers woken.

Stopping a running task cancels it on its device (``Farm.stop_task``); the worker commits it as
failed with remark ``stopped``. The answer waits for that commit (up to ``stop_wait`` seconds), so
a client that stops, then reads, sees the task failed. Every stop and delete ends its tasks
through the scheduler's one end-of-task function (``Scheduler.end``), so a workflow's
``on_failure: stop`` skips the unit's later steps however a step ended; stopped and deleted tasks
are never retried automatically. A task running on another runner of a shared store is stopped
by that runner: asked through the store (a NOTIFY), the answer waits until the store shows it ended.
Store calls run in worker threads (the store is thread-safe), so
a slow disk never stalls the trio loop.
"""

from __future__ import annotations

import logging
import random
from typing import Any

import trio

from runner.config import RunnerConfig
from runner.errors import INTERNAL_ERROR, INVALID_PARAMETERS, NOT_FOUND, IntakeError
from runner.http.envelope import ApiError
from runner.intake import IntakeContext, plan_body
from runner.logs import TaskFields
from runner.models.scripts import RESULT_SCRIPTS
from runner.scheduler import Scheduler
from runner.status import StatusWriter
from runner.store import Store, TaskRow, TaskStatus, task_object
from runner.yamlsafe import load_document

log = logging.getLogger(__name__)

STOP_REMARK = (
    "stopped"  # docs/spec/local-api.md, "Endpoints": a stopped task ends failed, remark "stopped"
)
STOP_POLL = 0.02  # seconds between looks at the store while another runner stops a task
RESTOP_EVERY = 0.5  # seconds before asking that runner again (a stop it could not act on yet)
MAX_ID = 2**63 - 1  # SQLite's largest integer: a larger id names no task


class TaskOperations:
    """The task endpoints' behaviour over one runner's parts.

    ``farm`` is the runner's :class:`runner.workers.Farm` (None: nothing runs here, e.g. in a
    test of the API alone). ``stop_wait`` (seconds) bounds how long a stop or delete waits for
    the device worker to commit the stopped task.
    """

    def __init__(
        self,
        *,
        store: Store,
        status: StatusWriter,
        config: RunnerConfig,
        farm: Any = None,
        stop_wait: float = 10.0,
    ):
        self.store = store
        self.status = status
        self.config = config
        self.farm = farm
        self.tz = config.tz()
        self.stop_wait = stop_wait
        self._rng = random.Random()
        self.scheduler: Scheduler = (
            farm.scheduler
            if farm is not None and getattr(farm, "scheduler", None) is not None
            else Scheduler(store, config, status=status)
        )

    # -- create ------------------------------------------------------------------------------

    async def create(self, raw: bytes) -> dict[str, Any]:
        """``POST /task``: plan the body through intake (the spool's rules and codes) and commit
        every task or none. Returns ``{task_ids, created_count}``; raises ApiError 40001-40004."""
        ids, serials = await trio.to_thread.run_sync(self._create_sync, raw)
        name = f"api-{ids[0]}"
        self.status.mark(name)
        self.scheduler.notify(serials)  # only those phones' workers look (was: every worker)
        log.info("created %d task(s) %s (manifest %s)", len(ids), _id_span(ids), name)
        return {"task_ids": ids, "created_count": len(ids)}

    def _create_sync(self, raw: bytes) -> tuple[list[int], set[str] | None]:
        """Plan and store one create body: (task ids, serials of their phones; None when a task
        has no serial yet, so that every worker looks)."""
        config = self.config
        try:
            body = load_document(
                raw,
                filename="request.json",
                max_bytes=config.max_manifest_bytes,
                max_depth=config.max_nesting,
            )
            leases = getattr(self.farm, "leases", None)  # a shared store: runner.cluster.Cluster
            others = leases.farm_accounts if leases is not None else ()
            ctx = IntakeContext.from_config(config, rng=self._rng, others=others)
            tasks = plan_body(body, ctx=ctx)
        except IntakeError as e:
            raise ApiError.from_intake(e) from None
        if not tasks:  # intake refuses bodies without units or targets; be safe anyway
            raise ApiError(INVALID_PARAMETERS, "the request creates no task")
        serials = {t.serial for t in tasks if t.serial}
        return self.store.add_api_tasks(tasks), (serials if all(t.serial for t in tasks) else None)

    # -- read --------------------------------------------------------------------------------

    async def list(
        self,
        *,
        status: int | None,
        serial: str | None,
        script_name: str | None,
        source: str | None,
        page: int,
        page_size: int,
        manifest: str | None = None,
    ) -> dict[str, Any]:
        """``GET /task``: one page (1-based) in id order and the count of every match;
        ``manifest`` (ours) keeps the tasks of the manifest of that name."""
        offset = min((page - 1) * page_size, MAX_ID)  # past the end: an empty page
        rows, total = await trio.to_thread.run_sync(
            lambda: self.store.list_tasks(
                status=status,
                serial=serial,
                script_name=script_name,
                source=source,
                manifest=manifest,
                limit=page_size,
                offset=offset,
            )
        )
        return {
            "list": [task_object(t, self.tz) for t in rows],
            "total": total,
            "page": page,
            "page_size": page_size,
        }

    async def get(self, task_id: int) -> dict[str, Any]:
        """``GET /task/{task_id}``: the task object, or ApiError 40401."""
        return task_object(await self._get(task_id), self.tz)

    async def result(self, task_id: int) -> tuple[dict[str, Any] | None, str]:
        """``GET /task/{task_id}/result``: ``(result, "")``, or ``(None, why)`` when the task has
        no result (``why`` one sentence: not run yet, running, or its script stores none);
        ApiError 40401 for an unknown task."""
        task = await self._get(task_id)
        if task.result is not None:
            return task.result, ""
        status = task.status_text
        if task.status in (TaskStatus.PENDING, TaskStatus.RUNNING):
            return None, f"task {task_id} has no result yet: it is {status}"
        if task.script_name not in RESULT_SCRIPTS:
            return None, f"task {task_id} has no result: {task.script_name} stores none"
        return None, f"task {task_id} has no result: it {status} without one ({task.remark})"

    async def stats(self) -> dict[str, int]:
        """``GET /task/stats``: ``{total, pending, running, completed, failed}``."""
        counts = await trio.to_thread.run_sync(self.store.counts)
        return {k: counts[k] for k in ("total", "pending", "running", "completed", "failed")}

    async def _get(self, task_id: int) -> TaskRow:
        task = None
        if 0 <= task_id <= MAX_ID:
            task = await trio.to_thread.run_sync(self.store.get, task_id)
        if task is None:
            raise ApiError(NOT_FOUND, f"task {task_id} not found")
        return task

    # -- stop --------------------------------------------------------------------------------

    async def stop(self, task_id: int) -> dict[str, Any]:
        """``POST /task/{task_id}/stop``: a pending task fails at once, a running one is cancelled
        on its device; either ends failed with remark ``stopped``. A task that already ended:
        40001. Returns the task object afterwards."""
        task = await self._get(task_id)
        if task.status not in (TaskStatus.PENDING, TaskStatus.RUNNING):
            raise ApiError(
                INVALID_PARAMETERS,
                f"task {task_id} is not pending or running (it is {task.status_text})",
            )
        task = await self._stop(task)
        return task_object(task, self.tz)

    async def _stop(self, task: TaskRow) -> TaskRow:
        """Stop one pending or running task; returns it as stored afterwards (it may still be
        running if its worker did not commit within ``stop_wait``)."""
        now = trio.current_time()
        deadline, unheld_until = now + self.stop_wait, now + 1.0
        while True:
            if task.status == TaskStatus.PENDING:
                ended = await self.scheduler.end(
                    task.id, TaskStatus.FAILED, STOP_REMARK, expect=(TaskStatus.PENDING,)
                )
                after = await trio.to_thread.run_sync(self.store.get, task.id)
                if after is None:
                    return task
                if ended.ended:
                    log.info("stopped before it ran", extra=TaskFields.of(task).extra())
                task = after  # else a worker claimed it meanwhile: stop it on the device
            if task.status != TaskStatus.RUNNING:
                return task
            if self._elsewhere(task):
                return await self._stop_elsewhere(task, deadline)
            if self._cancel(task):
                return await self._await_end(task, deadline)
            # Running in the store but held by no worker here: the instant between a worker's
            # claim and its start (wait), or a task nobody runs (end it here after a second).
            if trio.current_time() > unheld_until:
                if (
                    await self.scheduler.end(
                        task.id, TaskStatus.FAILED, STOP_REMARK, expect=(TaskStatus.RUNNING,)
                    )
                ).ended:
                    log.warning("stopped (no worker held it)", extra=TaskFields.of(task).extra())
                return (await trio.to_thread.run_sync(self.store.get, task.id)) or task
            await trio.sleep(0.01)
            fresh = await trio.to_thread.run_sync(self.store.get, task.id)
            if fresh is None:
                return task
            task = fresh

    def _elsewhere(self, task: TaskRow) -> bool:
        """Whether ``task`` runs on another runner of a shared store (it claimed it)."""
        return bool(self.store.shared and task.runner and task.runner != self.store.runner)

    async def _stop_elsewhere(self, task: TaskRow, deadline: float) -> TaskRow:
        """Ask the runner running ``task`` to stop it (``FarmLog.request_stop``: a NOTIFY its
        listener acts on, runner/cluster.py; the task ends failed ``stopped`` there), asked
        again every :data:`RESTOP_EVERY` seconds (it may be between its claim and its start),
        and wait until the store shows it ended, up to ``deadline`` (trio time). Never ends it
        here: that runner may still be driving the phone; if that runner is lost, the runner
        reaping it ends the task (``interrupted: runner <name> stopped answering``). Returns the
        task as stored afterwards (still running when the wait ran out)."""
        log.info("asking runner %s to stop it", task.runner, extra=TaskFields.of(task).extra())
        asked = None
        while True:
            now = trio.current_time()
            if asked is None or now - asked >= RESTOP_EVERY:
                await trio.to_thread.run_sync(self.store.request_stop, task.id, STOP_REMARK)
                asked = now
            await trio.sleep(STOP_POLL)
            fresh = await trio.to_thread.run_sync(self.store.get, task.id)
            if fresh is None or fresh.status != TaskStatus.RUNNING:
                return fresh or task
            if trio.current_time() >= deadline:
                log.warning(
                    "runner %s did not stop it within %g s",
                    task.runner,
                    self.stop_wait,
                    extra=TaskFields.of(task).extra(),
                )
                return fresh

    def _cancel(self, task: TaskRow) -> bool:
        farm = self.farm
        if farm is None or task.id not in farm.running:
            return False
        log.info("stopping on the device", extra=TaskFields.of(task).extra())
        return bool(farm.stop_task(task.id, STOP_REMARK))

    async def _await_end(self, task: TaskRow, deadline: float) -> TaskRow:
        while task.id in self.farm.running and trio.current_time() < deadline:
            await trio.sleep(0.005)
        return (await trio.to_thread.run_sync(self.store.get, task.id)) or task

    # -- retry -------------------------------------------------------------------------------

    async def retry(self, task_id: int) -> dict[str, Any]:
        """``POST /task/{task_id}/retry``: a failed task back to pending, ``retry_count`` + 1,
        due now. Not failed: 40001; unknown: 40401. Returns the task object afterwards."""
        if not 0 <= task_id <= MAX_ID:
            raise ApiError(NOT_FOUND, f"task {task_id} not found")
        retried, task = await trio.to_thread.run_sync(self.store.retry_failed, task_id)
        if task is None:
            raise ApiError(NOT_FOUND, f"task {task_id} not found")
        if not retried:
            raise ApiError(
                INVALID_PARAMETERS,
                f"only failed tasks can be retried; task {task_id} is {task.status_text}",
            )
        self.status.mark(task.manifest)
        self._wake()
        log.info("retry %d", task.retry_count, extra=TaskFields.of(task).extra())
        return task_object(task, self.tz)

    async def retry_all(self) -> dict[str, int]:
        """``POST /task/retry-all``: every failed task back to pending; ``{retried_count}``."""
        rows = await trio.to_thread.run_sync(self.store.retry_all_failed)
        self.status.mark(*{m for _, m in rows})
        if rows:
            self._wake()
            log.info("retried %d failed task(s)", len(rows))
        return {"retried_count": len(rows)}

    def _wake(self) -> None:
        self.scheduler.notify()

    # -- delete ------------------------------------------------------------------------------

    async def delete(self, task_id: int) -> dict[str, Any]:
        """``DELETE /task/{task_id}``: stop it first if it runs, then delete it.

        Returns ``{task_id, deleted: true}``; 40401 when unknown; 50001 if it could not be
        stopped within ``stop_wait`` seconds."""
        await self._get(task_id)
        if task_id not in await self._delete([task_id]):
            raise ApiError(
                INTERNAL_ERROR,
                f"task {task_id} could not be stopped within {self.stop_wait:g} s; try again",
            )
        return {"task_id": task_id, "deleted": True}

    async def delete_batch(self, task_ids: list[int]) -> dict[str, Any]:
        """``DELETE /task/batch``: stop the running ones first, delete every one that exists.

        Returns ``{deleted_count, task_ids}`` with the ids actually deleted (in id order);
        unknown ids are skipped."""
        deleted = await self._delete([i for i in task_ids if 0 <= i <= MAX_ID])
        return {"deleted_count": len(deleted), "task_ids": deleted}

    async def _delete(self, task_ids: list[int]) -> list[int]:
        """Delete what is not running, stop what is, delete that too; returns the ids deleted.

        A few rounds, because a pending task may be claimed by its worker in between."""
        deleted: list[int] = []
        left = sorted(set(task_ids))
        for _ in range(3):
            ended = await self.scheduler.end(
                left,
                TaskStatus.FAILED,
                "deleted",
                expect=(TaskStatus.PENDING, TaskStatus.COMPLETED, TaskStatus.FAILED),
                delete=True,
            )
            deleted += ended.ended
            gone = set(deleted)
            statuses = await trio.to_thread.run_sync(
                self.store.statuses, [i for i in left if i not in gone]
            )
            left = sorted(i for i, s in statuses.items() if s == TaskStatus.RUNNING)
            if not left:
                break
            async with trio.open_nursery() as nursery:
                for task_id in left:
                    task = await trio.to_thread.run_sync(self.store.get, task_id)
                    if task is not None:
                        nursery.start_soon(self._stop, task)
        ids = sorted(deleted)
        if ids:
            log.info("deleted %d task(s) %s", len(ids), _id_span(ids))
        return ids


def _id_span(ids: list[int]) -> str:
    if not ids:
        return "(none)"
    return str(ids[0]) if len(ids) == 1 else f"{ids[0]}..{ids[-1]}"
