"""Device workers: one per connected phone, started and stopped as adb reports phones coming and
going (design.md, "Device layer"; the shape of STF's one supervised worker per device).

:class:`Farm` follows ``track_devices()`` on each configured adb server, keeps one worker per
serial in state ``device``, and cancels a worker when its phone turns offline, unauthorized or
absent: the task it was running ends failed with a remark naming the device. A worker runs one
task at a time: it claims the next due task of its serial from the store, runs its script through
the device facade, and commits the outcome before anyone is told.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trio

from runner.config import RunnerConfig
from runner.errors import TaskFailed
from runner.status import StatusWriter
from runner.store import Store, TaskRow, TaskStatus

log = logging.getLogger(__name__)

SHUTDOWN_REMARK = "interrupted: tikrunner shut down while the task ran"


class Wakeup:
    """Broadcast "there may be new work" to every waiting worker; ``notify`` is thread-safe."""

    def __init__(self) -> None:
        self._event = trio.Event()
        self._token: trio.lowlevel.TrioToken | None = None

    def bind(self) -> None:
        self._token = trio.lowlevel.current_trio_token()

    def _fire(self) -> None:
        self._event.set()
        self._event = trio.Event()

    def notify(self) -> None:
        if self._token is None:
            return
        try:
            self._token.run_sync_soon(self._fire)
        except trio.RunFinishedError:
            pass

    async def wait(self, timeout: float) -> None:
        """Return after a notify or ``timeout`` seconds, whichever comes first."""
        event = self._event
        with trio.move_on_after(timeout):
            await event.wait()


class TaskLog(logging.LoggerAdapter):
    """A task's logger: every line carries the task id and serial, and is kept for the artifacts."""

    def __init__(self, logger: logging.Logger, task_id: int, serial: str | None):
        super().__init__(logger, {"task_id": task_id, "serial": serial})
        self.lines: list[str] = []

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        return f"[task {self.extra['task_id']} {self.extra['serial']}] {msg}", kwargs

    def log(self, level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
        text = str(msg) % args if args else str(msg)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        self.lines.append(f"{stamp} {logging.getLevelName(level)} {text}")
        super().log(level, msg, *args, **kwargs)


@dataclass
class Worker:
    serial: str
    scope: trio.CancelScope
    reason: str | None = None  # why the worker was cancelled: the remark of its running task


@dataclass
class Farm:
    """Supervises device workers for one runner.

    ``open_session(adb_client, serial, limiter)`` and ``run_task(ctx, session)`` are the device
    facade and script entry points (runner.devices / runner.scripts), injected for layering.
    """

    store: Store
    status: StatusWriter
    config: RunnerConfig
    artifacts: Path
    open_session: Callable[..., Any]
    run_task: Callable[..., Any]
    make_context: Callable[..., Any]
    wakeup: Wakeup = field(default_factory=Wakeup)
    limiter: trio.CapacityLimiter | None = None
    workers: dict[str, Worker] = field(default_factory=dict)
    running: dict[int, trio.CancelScope] = field(default_factory=dict)
    stop_reasons: dict[int, str] = field(default_factory=dict)
    shutting_down: bool = False
    device_seen: dict[str, float] = field(default_factory=dict)
    _started: float = field(default_factory=time.time)

    # -- device tracking ---------------------------------------------------------------------

    async def track(self, adb_client: Any, nursery: trio.Nursery) -> None:
        """Follow ``adb_client.track_devices()`` until cancelled; (re)connects every second when the
        adb server is unreachable, treating its phones as gone meanwhile."""
        import adbutils

        send, receive = trio.open_memory_channel[Any](1000)
        token = trio.lowlevel.current_trio_token()
        mine: set[str] = set()

        def pump() -> None:
            while True:
                try:
                    for event in adb_client.track_devices():
                        trio.from_thread.run(send.send, ("event", event), trio_token=token)
                except (adbutils.AdbError, OSError, EOFError) as e:
                    trio.from_thread.run(send.send, ("lost", str(e)), trio_token=token)
                except trio.RunFinishedError:
                    return
                time.sleep(1.0)

        nursery.start_soon(lambda: trio.to_thread.run_sync(pump, abandon_on_cancel=True))
        async for kind, item in receive:
            if kind == "lost":
                for serial in sorted(mine):
                    self._stop_worker(
                        serial,
                        f"device {serial} lost: adb server {adb_client.host}:{adb_client.port} unreachable",
                    )
                mine.clear()
                continue
            serial, state = item.serial, item.status
            if state == "device":
                mine.add(serial)
                self._start_worker(serial, adb_client, nursery)
            else:
                mine.discard(serial)
                word = "disconnected" if state == "absent" else state
                self._stop_worker(
                    serial,
                    f"device {serial} {'went ' + word if word != 'disconnected' else 'disconnected'}",
                )

    def _start_worker(self, serial: str, adb_client: Any, nursery: trio.Nursery) -> None:
        if serial in self.workers:
            return
        worker = Worker(serial, trio.CancelScope())
        self.workers[serial] = worker
        log.info("device %s connected: worker started", serial)
        nursery.start_soon(self._worker_main, worker, adb_client)

    def _stop_worker(self, serial: str, reason: str) -> None:
        worker = self.workers.pop(serial, None)
        self.device_seen[serial] = time.time()
        if worker is not None:
            log.warning("%s: worker stopped", reason)
            worker.reason = reason
            worker.scope.cancel()

    def stop_task(self, task_id: int, reason: str = "stopped") -> bool:
        """Cancel a running task; it ends failed with ``reason``. False if it is not running here."""
        scope = self.running.get(task_id)
        if scope is None:
            return False
        self.stop_reasons[task_id] = reason
        scope.cancel()
        return True

    # -- the worker --------------------------------------------------------------------------

    async def _worker_main(self, worker: Worker, adb_client: Any) -> None:
        session = None
        with worker.scope:
            try:
                while True:
                    try:
                        task = await trio.to_thread.run_sync(self.store.claim_next, worker.serial)
                    except sqlite3.Error:  # a locked or full store: wait, do not stop the phone
                        log.exception(
                            "device %s: could not read the store; retrying", worker.serial
                        )
                        await trio.sleep(1.0)
                        continue
                    if task is None:
                        nxt = await trio.to_thread.run_sync(self.store.next_start, worker.serial)
                        timeout = 5.0 if nxt is None else min(5.0, max(0.0, nxt - time.time()))
                        await self.wakeup.wait(timeout)
                        continue
                    session = await self._run_one(worker, adb_client, session, task)
            finally:
                if self.workers.get(worker.serial) is worker:
                    del self.workers[worker.serial]

    async def _run_one(self, worker: Worker, adb_client: Any, session: Any, task: TaskRow) -> Any:
        """Run ``task`` on the worker's phone; returns the (possibly new, possibly None) session.

        On cancellation (stop, device lost, shutdown) the task ends failed with the reason as its
        remark, written shielded from the cancellation, and the cancellation goes on.
        """
        package = self._package_of(task)
        tlog = TaskLog(logging.getLogger("runner.task"), task.id, task.serial)
        ctx = self.make_context(
            task_id=task.id,
            serial=task.serial,
            username=task.username,
            package=package,
            script_name=task.script_name,
            script_config=task.script_config,
            job_count=task.job_count,
            seed=task.id * 1_000_003 + task.retry_count,
            log=tlog,
            upload_folder=self.config.upload_folder,
            material_roots=tuple(self.config.material_roots),
            materials_db=Path(self.config.spool) / "materials.db",
            retry_count=task.retry_count,
        )
        self.status.mark(task.manifest)
        tlog.info(
            "started %s (job %d, retry %d)", task.script_name, task.job_count, task.retry_count
        )
        outcome: tuple[int, str] | None = None
        with trio.CancelScope() as scope:
            self.running[task.id] = scope
            try:
                if session is None:
                    session = await self.open_session(adb_client, task.serial, limiter=self.limiter)
                remark = await self.run_task(ctx, session)
                outcome = (TaskStatus.COMPLETED, remark or "")
            except TaskFailed as e:
                outcome = (TaskStatus.FAILED, e.remark)
            except trio.Cancelled:
                reason = self.stop_reasons.pop(task.id, None) or worker.reason
                if reason is None:
                    reason = SHUTDOWN_REMARK if self.shutting_down else "interrupted"
                tlog.warning("cancelled: %s", reason)
                with trio.CancelScope(shield=True):  # stopped, shut down, phone gone: no artifacts
                    await self._finish(task, TaskStatus.FAILED, reason, tlog, None)
                raise
            except (
                Exception
            ) as e:  # a bug or an unexpected library error: fail the task, keep going
                tlog.exception("unexpected error")
                outcome = (TaskStatus.FAILED, f"internal error: {type(e).__name__}: {e}")
                session = None
            finally:
                self.running.pop(task.id, None)
        if outcome is not None:
            status, remark = outcome
            await self._finish(
                task, status, remark, tlog, session if status == TaskStatus.FAILED else None
            )
            if (
                status == TaskStatus.FAILED
                and session is not None
                and not await self._alive(session)
            ):
                session = None
        elif scope.cancelled_caught:
            pass  # stopped: recorded above
        return session

    async def _alive(self, session: Any) -> bool:
        alive = getattr(session, "alive", None)
        if alive is None:
            return True
        try:
            return bool(await alive())
        except Exception:
            return False

    async def _finish(
        self, task: TaskRow, status: int, remark: str, tlog: TaskLog, session: Any
    ) -> None:
        if status == TaskStatus.FAILED:
            tlog.warning("failed: %s", remark)
            folder = self.artifacts / str(task.id)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                if session is not None:
                    with trio.move_on_after(15):
                        await session.save_artifacts(folder)
                (folder / "task.log").write_text("\n".join(tlog.lines) + "\n", encoding="utf-8")
            except OSError:
                log.exception("could not save the artifacts of task %d", task.id)
        else:
            tlog.info("completed%s", f": {remark}" if remark else "")
        for attempt in range(30):  # a locked or full store: retry; the outcome must be recorded
            try:
                await trio.to_thread.run_sync(self.store.finish, task.id, status, remark)
                break
            except sqlite3.Error:
                log.exception(
                    "task %d: could not record its end (attempt %d)", task.id, attempt + 1
                )
                await trio.sleep(1.0)
        self.status.mark(task.manifest)

    def _package_of(self, task: TaskRow) -> str:
        if task.username:
            for account in self.config.accounts:
                if account.username == task.username and account.package:
                    return account.package
        return self.config.package

    # -- pending tasks whose phone is away ---------------------------------------------------

    async def watch_absent_devices(self, interval: float = 1.0) -> None:
        """Fail pending tasks whose phone has had no worker for ``config.device_wait`` seconds
        past their scheduled start (docs/spec/local-api.md, "Running rules"); runs until cancelled."""
        wait = self.config.device_wait
        while True:
            await trio.sleep(interval)
            now = time.time()
            rows = await trio.to_thread.run_sync(self.store.pending_serials, now - wait)
            changed = set()
            for task_id, serial, start_at in rows:
                if serial in self.workers or start_at > now:
                    continue
                since = max(start_at, self.device_seen.get(serial or "", 0.0), self._started)
                if now - since >= wait:
                    remark = f"device {serial} not connected for {wait:g} s"
                    if await trio.to_thread.run_sync(self.store.fail_pending, task_id, remark):
                        changed.add(task_id)
            if changed:
                self.status.mark(
                    *await trio.to_thread.run_sync(self.store.manifest_names_of_tasks, changed)
                )
