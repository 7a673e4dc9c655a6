"""Device workers: one per connected phone, started and stopped as adb reports phones coming and
going (design.md, "Device layer"; the shape of STF's one supervised worker per device).

:class:`Farm` follows ``track_devices()`` on each configured adb server, keeps one worker per
serial in state ``device``, and cancels a worker when its phone turns offline, unauthorized or
absent: the task it was running ends failed with a remark naming the device. A worker runs one
task at a time, as the scheduler (runner/scheduler.py) rules: it waits for its phone's next due
task (an event, no polling), holds one of the ``device_limit`` slots, opens the phone's session
(a phone whose uiautomator server will not start is benched), claims the task, runs its script
through the device facade, and ends it through ``Scheduler.end`` before anyone is told.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import trio

from runner.config import RunnerConfig
from runner.errors import (
    LimitReached,
    PushBack,
    TaskFailed,
    UiautomatorUnavailable,
    device_state_remark,
)
from runner.logs import TaskFields, about_task, mask
from runner.models import redact_config
from runner.progress import ProgressBoard
from runner.scheduler import Scheduler
from runner.status import StatusWriter
from runner.store import STORE_FAULTS, Store, TaskRow, TaskStatus

log = logging.getLogger(__name__)

SHUTDOWN_REMARK = "interrupted: tikrunner shut down while the task ran"


TASK_LOG = "task.log"  # in spool/artifacts/<task_id>/, written for every task as it runs


def _secrets_of(original: Any, redacted: Any) -> list[str]:
    """The strings of ``original`` (a stored script_config) that ``redacted`` (its
    :func:`runner.models.redact_config`) replaced by ``"***"``: what a task log must not show."""
    if isinstance(original, dict) and isinstance(redacted, dict):
        return [s for k, v in original.items() for s in _secrets_of(v, redacted.get(k))]
    if isinstance(original, list) and isinstance(redacted, list):
        return [s for a, b in zip(original, redacted, strict=False) for s in _secrets_of(a, b)]
    if isinstance(original, str) and redacted == "***" and original != "***" and original:
        return [original]
    return []


class TaskLog(logging.LoggerAdapter):
    """A task's logger: every line carries the task's fields (``task_id``, ``serial``,
    ``script``, ``manifest``, ``username``: runner/logs.py shows them in every format), goes to
    the runner's log and is appended at once to the task's own log file.

    ``path`` (None: no file) is ``spool/artifacts/<task_id>/task.log``; it is opened for
    appending, line-buffered, so a reader (``GET /api/v1/task/{id}/log``) sees each line as soon
    as it is logged, and a retried task's runs follow each other in one file. Each line is
    ``YYYY-MM-DD HH:MM:SS LEVEL text`` (local time of the machine). ``secrets``: strings
    replaced by ``***`` in the file and in the runner's log (the task's script_config secrets,
    the API token; README, "never a secret in logs or artifacts"). A file that cannot be opened or written is reported
    once in the runner's log and the task runs on without it; never raises OSError.
    :attr:`fields` is what :func:`runner.logs.about_task` takes, so that lines logged elsewhere
    while the task runs (the device session, uiautomator2, adbutils) name it too.
    """

    def __init__(
        self,
        logger: logging.Logger,
        task_id: int,
        serial: str | None,
        *,
        path: Path | None = None,
        secrets: list[str] | tuple[str, ...] = (),
        script: str | None = None,
        manifest: str | None = None,
        username: str | None = None,
    ):
        self.fields = TaskFields(task_id, serial, script, manifest, username, tuple(secrets))
        super().__init__(logger, self.fields.extra())
        self.path = path
        self.secrets = self.fields.secrets  # distinct, longest first
        self._file: Any = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
            except OSError as e:
                logger.warning("cannot write its log %s: %s", path, e, extra=self.extra)

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        kwargs["extra"] = {**(self.extra or {}), **kwargs.get("extra", {})}
        return msg, kwargs

    def log(self, level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
        # Masked once, for the task's file and the runner's log alike.
        text = str(msg) % args if args else str(msg)
        text = mask(text, self.secrets)
        if self._file is not None:
            line = text
            if kwargs.get("exc_info"):
                line = mask(line + "\n" + traceback.format_exc().rstrip(), self.secrets)
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            try:
                self._file.write(f"{stamp} {logging.getLevelName(level)} {line}\n")
            except (OSError, ValueError) as e:  # disk full, closed: the task goes on
                self.logger.warning("its log file stops here: %s", e, extra=self.extra)
                self._close()
        super().log(level, text, **kwargs)

    def close(self) -> None:
        """Close the log file (further lines go to the runner's log only)."""
        self._close()

    def _close(self) -> None:
        f, self._file = self._file, None
        if f is not None:
            try:
                f.close()
            except OSError:
                pass


@dataclass
class Worker:
    serial: str
    scope: trio.CancelScope
    reason: str | None = None  # why the worker was cancelled: the remark of its running task


ADB_RETRY_MIN = 1.0  # seconds before the first reconnection to an unreachable adb server
ADB_RETRY_MAX = 30.0  # the doubling back-off stops growing here (seconds)


@dataclass
class AdbServerState:
    """One adb server as the runner sees it: what the log says and a devices view shows.

    ``address`` is ``HOST:PORT``. ``reachable``: None until the first connection ends or
    succeeds, then whether its device list is being followed. ``last_error``: why the last
    connection failed (kept after it recovers). ``since``: when ``reachable`` last changed,
    ``next_retry``: when the next connection is tried while unreachable (else None), both UTC
    epoch seconds. ``failures``: failed connections in a row. ``devices``: serial -> adb state as
    the server last listed them (``device``, ``offline``, ``unauthorized``, ...).
    """

    address: str
    reachable: bool | None = None
    last_error: str | None = None
    since: float | None = None
    next_retry: float | None = None
    failures: int = 0
    devices: dict[str, str] = field(default_factory=dict)


def _parse_devices(block: str) -> dict[str, str]:
    """``serial\\tstate`` lines of a ``host:track-devices`` block -> {serial: state}."""
    out = {}
    for line in block.splitlines():
        serial, sep, state = line.strip().partition("\t")
        if sep and serial:
            out[serial] = state.strip()
    return out


@dataclass
class Farm:
    """Supervises device workers for one runner.

    ``open_session(adb_client, serial, limiter)`` and ``run_task(ctx, session)`` are the device
    facade and script entry points (runner.devices / runner.scripts), injected for layering.
    ``scheduler`` rules which task runs when and ends every task (default: one over ``store``).
    ``progress`` takes the scripts' progress reports (default: a board over ``store``; the
    engine runs its :meth:`~runner.progress.ProgressBoard.run`, without which each task's last
    report is still written when it ends).
    """

    store: Store
    status: StatusWriter
    config: RunnerConfig
    artifacts: Path
    open_session: Callable[..., Any]
    run_task: Callable[..., Any]
    make_context: Callable[..., Any]
    scheduler: Scheduler | None = None
    limiter: trio.CapacityLimiter | None = None
    workers: dict[str, Worker] = field(default_factory=dict)
    adb_servers: dict[str, AdbServerState] = field(default_factory=dict)  # by HOST:PORT
    running: dict[int, trio.CancelScope] = field(default_factory=dict)
    stop_reasons: dict[int, str] = field(default_factory=dict)
    sessions: dict[str, Any] = field(default_factory=dict)  # serial -> its open device session
    last_seen: dict[str, float] = field(default_factory=dict)  # serial -> UTC epoch s last listed
    last_server: dict[str, str] = field(default_factory=dict)  # serial -> adb server that listed it
    shutting_down: bool = False
    metrics: Any = None  # runner.web.metrics.RunnerMetrics: task durations observed here
    progress: ProgressBoard | None = None  # the scripts' progress reports; its run() writes them
    # With a shared store: runner.cluster.Cluster, the phone leases (a worker drives its phone
    # only while this runner holds the lease); None: every listed phone is this runner's.
    leases: Any = None
    running_serials: dict[int, str] = field(default_factory=dict)  # task id -> its phone

    def __post_init__(self) -> None:
        if self.scheduler is None:
            self.scheduler = Scheduler(self.store, self.config, status=self.status)
        self.scheduler.adb_state = self.device_state
        if self.progress is None:
            self.progress = ProgressBoard(self.store, self.status)

    @property
    def wakeup(self) -> Scheduler:
        """What wakes the workers when there may be new work (``.notify()``, thread-safe)."""
        assert self.scheduler is not None
        return self.scheduler

    # -- device tracking ---------------------------------------------------------------------

    async def track(self, adb_client: Any, nursery: trio.Nursery) -> None:
        """Follow ``adb_client``'s adb server (``host:track-devices``) until cancelled.

        Keeps one worker per serial in state ``device``; a phone in any other state, or gone,
        has its worker stopped and its running task fails with :func:`device_state_remark`
        (``device S unauthorized: accept the USB debugging prompt on the phone``). A server that
        cannot be reached is logged at once (WARNING, with adbutils' reason), retried after
        :data:`ADB_RETRY_MIN` seconds doubling up to :data:`ADB_RETRY_MAX`, and shown in
        :attr:`adb_servers`; its phones count as gone meanwhile. Connections go through adbutils
        (``make_connection``) of a :class:`~runner.devices.adb.AdbServerClient` (a plain adbutils
        client is replaced by one for its address): only for adb's default address
        (127.0.0.1:5037) may it start a local adb server when none answers, as adb itself does;
        another server that is gone is reported gone, by the track and by every device call.
        """
        from runner.devices.adb import AdbServerClient

        if not isinstance(adb_client, AdbServerClient):
            adb_client = AdbServerClient(adb_client.host, adb_client.port)
        address = f"{adb_client.host}:{adb_client.port}"
        server = self.adb_servers.setdefault(address, AdbServerState(address))
        while True:
            error = await self._follow(adb_client, server, nursery)
            for serial in sorted(server.devices):
                self.last_seen[serial] = time.time()
                self._stop_worker(serial, f"device {serial} lost: adb server {address} unreachable")
            server.devices.clear()
            now = time.time()
            if server.reachable is not False:
                server.since = now
            delay = min(ADB_RETRY_MIN * 2**server.failures, ADB_RETRY_MAX)
            level = logging.DEBUG
            if server.reachable is not False or error != server.last_error:
                level = logging.WARNING  # first failure, or a new reason: said at once
            log.log(level, "adb server %s unreachable: %s; retrying in %g s", address, error, delay)
            server.reachable, server.last_error = False, error
            server.failures += 1
            server.next_retry = now + delay
            await trio.sleep(delay)

    async def _follow(self, adb_client: Any, server: AdbServerState, nursery: trio.Nursery) -> str:
        """One ``host:track-devices`` connection, followed until it fails; returns why (one line).

        adb answers OKAY, then a length-prefixed ``serial\\tstate`` list at once and after every
        change (adb's SERVICES.TXT; adbutils' own ``track_devices`` reads it the same way, but
        says nothing until a phone changes, so an empty server could not be told from a dead one).
        """
        send, receive = trio.open_memory_channel[tuple[str, Any]](64)
        token = trio.lowlevel.current_trio_token()

        def pump() -> None:
            def put(item: tuple[str, Any]) -> None:
                trio.from_thread.run(send.send, item, trio_token=token)

            try:
                try:
                    with adb_client.make_connection() as conn:
                        conn.send_command("host:track-devices")
                        conn.check_okay()
                        put(("connected", None))
                        while True:
                            put(("devices", _parse_devices(conn.read_string_block())))
                except trio.RunFinishedError:
                    raise
                except Exception as e:  # AdbError, OSError, a failed `adb start-server`...
                    put(("lost", " ".join(str(e).split()) or type(e).__name__))
            except trio.RunFinishedError:
                return

        async with trio.open_nursery() as inner:
            inner.start_soon(partial(trio.to_thread.run_sync, pump, abandon_on_cancel=True))
            async for kind, item in receive:
                if kind == "connected":
                    if server.reachable is False:
                        log.info("adb server %s reachable again", server.address)
                    else:
                        log.info("adb server %s: following its devices", server.address)
                    server.reachable, server.failures, server.next_retry = True, 0, None
                    server.since = time.time()
                elif kind == "devices":
                    self._listed(server, item, adb_client, nursery)
                else:
                    return item
        return "connection closed"  # pragma: no cover (the pump always ends with "lost")

    def _listed(
        self, server: AdbServerState, listed: dict[str, str], adb_client: Any, nursery: trio.Nursery
    ) -> None:
        """Apply one device list of ``server``: start, stop and say what changed."""
        now = time.time()
        for serial in server.devices.keys() | listed.keys():
            self.last_seen[serial], self.last_server[serial] = now, server.address
        for serial, state in listed.items():
            if server.devices.get(serial) == state:
                continue
            if state == "device":
                if self.leases is not None:
                    self.leases.want(serial)
                self._start_worker(serial, adb_client, nursery)
            else:
                remark = device_state_remark(serial, state)
                if serial not in self.workers:
                    log.warning("%s (adb server %s)", remark, server.address)
                self._stop_worker(serial, remark)
        for serial in sorted(server.devices.keys() - listed.keys()):
            self._stop_worker(serial, device_state_remark(serial, "absent"))
        server.devices = dict(listed)

    def device_state(self, serial: str) -> str | None:
        """The adb state of ``serial`` as the adb servers last listed it (``device``,
        ``unauthorized``, ``offline``, ...), or None when no reachable server lists it."""
        for server in self.adb_servers.values():
            if serial in server.devices:
                return server.devices[serial]
        return None

    def _start_worker(self, serial: str, adb_client: Any, nursery: trio.Nursery) -> None:
        if serial in self.workers:
            return
        worker = Worker(serial, trio.CancelScope())
        self.workers[serial] = worker
        log.info("device %s connected: worker started", serial, extra={"serial": serial})
        nursery.start_soon(self._worker_main, worker, adb_client)

    def _stop_worker(self, serial: str, reason: str) -> None:
        worker = self.workers.pop(serial, None)
        self.wakeup.device_down(serial)
        if worker is not None:
            log.warning("%s: worker stopped", reason, extra={"serial": serial})
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
        sched = self.wakeup
        serial = worker.serial
        session = None
        sched.device_up(serial)
        with worker.scope, about_task(TaskFields(None, serial)):  # lines name the phone
            try:
                while True:
                    event = sched.changed(serial)  # before looking: no notify is lost
                    try:
                        if self.leases is not None and not self.leases.holds(serial):
                            await self.leases.wait_held(serial)  # another runner drives it
                            continue
                        await sched.wait_off_bench(serial)
                        if not await sched.due(serial):
                            await sched.wait_for_work(serial, event)
                            continue
                        task = None
                        async with sched.slot(serial):
                            if session is None:
                                session = await self._open(worker, adb_client)
                            if session is not None:
                                task = await sched.claim(serial)
                                if task is not None:
                                    session = await self._run_one(worker, session, task)
                            if session is None:
                                self.sessions.pop(serial, None)
                        if session is not None and task is None:
                            # due, but behind an earlier workflow step: only an event helps
                            await sched.wait_for_work(serial, event, blocked=True)
                    except STORE_FAULTS:  # a locked or full store: wait, do not stop the phone
                        log.exception("device %s: could not read the store; retrying", serial)
                        await trio.sleep(1.0)
            finally:
                if self.workers.get(serial) is worker:
                    del self.workers[serial]
                if serial not in self.workers:
                    sched.present.discard(serial)
                    self.sessions.pop(serial, None)

    async def _open(self, worker: Worker, adb_client: Any) -> Any:
        """The phone's device session, or None when it cannot be had now: then the phone is
        benched (its uiautomator server would not start, or adb could not reach it) and its
        tasks wait."""
        try:
            session = await self.open_session(adb_client, worker.serial, limiter=self.limiter)
        except TaskFailed as e:  # UiautomatorUnavailable, DeviceLost, a refused RPC
            self.wakeup.bench(worker.serial, e.remark)
            return None
        except Exception as e:  # a bug or an unexpected library error: never stop the worker
            log.exception(
                "device %s: could not open its session",
                worker.serial,
                extra={"serial": worker.serial},
            )
            self.wakeup.bench(worker.serial, f"could not connect: {type(e).__name__}: {e}")
            return None
        self.wakeup.healthy(worker.serial)
        self.sessions[worker.serial] = session
        return session

    async def _run_one(self, worker: Worker, session: Any, task: TaskRow) -> Any:
        """Run ``task`` on the worker's phone; returns the session to keep (None: reconnect).

        On cancellation (stop, device lost, shutdown) the task ends failed with the reason as its
        remark, written shielded from the cancellation, and the cancellation goes on. A task
        whose phone's uiautomator server stopped answering before anything irreversible was
        done goes back to pending (its retry count unchanged) and the phone is benched.
        """
        secrets = _secrets_of(task.script_config, redact_config(task.script_config))
        if self.config.api_token:
            secrets.append(self.config.api_token)
        tlog = TaskLog(
            logging.getLogger("runner.task"),
            task.id,
            task.serial,
            path=self.artifacts / str(task.id) / TASK_LOG,
            secrets=secrets,
            script=task.script_name,
            manifest=task.manifest,
            username=task.username,
        )
        assert self.progress is not None
        report = self.progress.open(task, secrets)
        try:
            with about_task(tlog.fields):  # lines logged anywhere meanwhile name the task
                return await self._run_logged(worker, session, task, tlog, report)
        finally:
            self.progress.forget(task)  # already closed by the end, unless a bug came first
            tlog.close()

    async def _run_logged(
        self, worker: Worker, session: Any, task: TaskRow, tlog: TaskLog, report: Any
    ) -> Any:
        package = self._package_of(task)
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
            report=report,
            actions=self.wakeup.guard(task, tlog),
        )
        self.status.mark(task.manifest)
        tlog.info(
            "started %s (job %d, retry %d)", task.script_name, task.job_count, task.retry_count
        )
        outcome: tuple[int, str, TaskFailed | None] | None = None
        with trio.CancelScope() as scope:
            self.running[task.id] = scope
            if task.serial:
                self.running_serials[task.id] = task.serial
            try:
                remark = await self.run_task(ctx, session)
                outcome = (TaskStatus.COMPLETED, remark or "", None)
            except LimitReached as e:  # not failed: waits until its account may act again
                tlog.info("waits: %s", e.remark)
                with trio.CancelScope(shield=True):
                    await self._end(
                        task,
                        TaskStatus.PENDING,
                        f"waiting: {e.remark}",
                        expect=(TaskStatus.RUNNING,),
                        wait_until=e.until,
                    )
                if self.metrics is not None and hasattr(self.metrics, "limit_hit"):
                    self.metrics.limit_hit(e.kind)
            except TaskFailed as e:
                outcome = (TaskStatus.FAILED, e.remark, e)
            except trio.Cancelled:
                reason = self.stop_reasons.pop(task.id, None) or worker.reason
                if reason is None:
                    reason = SHUTDOWN_REMARK if self.shutting_down else "interrupted"
                tlog.warning("cancelled: %s", reason)
                with trio.CancelScope(shield=True):  # stopped, shut down, phone gone: no artifacts
                    await self._finish(task, TaskStatus.FAILED, reason, tlog, None, None)
                raise
            except (
                Exception
            ) as e:  # a bug or an unexpected library error: fail the task, keep going
                tlog.exception("unexpected error")
                outcome = (TaskStatus.FAILED, f"internal error: {type(e).__name__}: {e}", None)
                session = None
            finally:
                self.running.pop(task.id, None)
                self.running_serials.pop(task.id, None)
        if outcome is not None:
            status, remark, failure = outcome
            if isinstance(failure, PushBack) and self.metrics is not None:
                self.metrics.pushed_back(failure.kind)
            if isinstance(failure, UiautomatorUnavailable) and failure.retry_safe:
                tlog.warning("phone not usable, the task waits: %s", remark)
                self.wakeup.bench(worker.serial, remark)
                waiting = f"waiting: {' '.join(remark.split())}"
                with trio.CancelScope(shield=True):  # recorded even if the worker is cancelled
                    await self._end(task, TaskStatus.PENDING, waiting, expect=(TaskStatus.RUNNING,))
                return None
            await self._finish(
                task,
                status,
                remark,
                tlog,
                session if status == TaskStatus.FAILED else None,
                failure,
                getattr(ctx, "result", None),
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
        self,
        task: TaskRow,
        status: int,
        remark: str,
        tlog: TaskLog,
        session: Any,
        failure: TaskFailed | None,
        result: dict[str, Any] | None = None,
    ) -> None:
        """Record the end of a run (artifacts first for a failure), with the script's ``result``."""
        try:
            if status == TaskStatus.FAILED:
                tlog.warning("failed: %s", remark)
                folder = self.artifacts / str(task.id)
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    if session is not None:
                        with trio.move_on_after(15):
                            await session.save_artifacts(folder)
                except OSError:
                    log.exception("could not save the artifacts of task %d", task.id)
            else:
                tlog.info("completed%s", f": {remark}" if remark else "")
        finally:
            # The outcome is known: record it even when the worker is cancelled meanwhile (the
            # phone went away during the artifacts, a shutdown), or the task stays running.
            with trio.CancelScope(shield=True):
                ended = await self._end(task, status, remark, failure=failure, result=result)
                if ended is not None and self.metrics is not None:
                    took = time.time() - (task.started_at or time.time())
                    self.metrics.task_ended(task.script_name, status, took)
        if ended is not None and ended.retry_at is not None:
            tlog.info("retry %d in %.0f s", task.retry_count + 1, ended.retry_at - time.time())

    async def _end(self, task: TaskRow, status: int, remark: str, **how: Any) -> Any:
        """``Scheduler.end`` for a task this worker ran, retried while the store is locked or
        full (the outcome must be recorded); returns its ``Ended`` (None: never recorded).
        The run's progress is closed first: its last report is stored while the task still
        runs, and later reports are dropped (runner/progress.py)."""
        assert self.progress is not None
        await self.progress.close(task)
        for attempt in range(30):
            try:
                return await self.wakeup.end(
                    task.id, status, remark, retry_count=task.retry_count, **how
                )
            except STORE_FAULTS:
                log.exception(
                    "task %d: could not record its end (attempt %d)", task.id, attempt + 1
                )
                await trio.sleep(1.0)
        return None

    def _package_of(self, task: TaskRow) -> str:
        if task.username:
            for account in self.config.accounts:
                if account.username == task.username and account.package:
                    return account.package
        return self.config.package
