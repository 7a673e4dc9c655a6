"""The trio program behind ``tikrunner serve`` (design.md, "Concurrency (trio)").

One nursery owns everything: the simulated phones (with ``--simulate``), the spool watcher, the
status writer, device tracking and its workers, and the absent-device watchdog. Ctrl-C or SIGTERM
cancels it: no new work is taken, running tasks end failed with a remark saying so (committed
shielded from the cancellation), and the last status files are written.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import trio

from runner.cluster import Cluster, NameTaken
from runner.config import ConfigError, RunnerConfig, load_config
from runner.errors import HttpBindError, find_leaf
from runner.logs import announce
from runner.logs import configure as configure_logging
from runner.scheduler import Scheduler
from runner.spool import Spool
from runner.spoollock import SpoolLock, SpoolLockError
from runner.status import StatusWriter, stale_status_files
from runner.store import Store, StoreError, open_store
from runner.web.metrics import RunnerMetrics
from runner.workers import Farm

log = logging.getLogger(__name__)


def make_planner(
    config: RunnerConfig, rng: random.Random | None = None, others: Callable[[], Any] = tuple
):
    """A ``(data, filename) -> ManifestPlan`` function bound to the config's accounts and caps;
    ``others()`` gives the accounts other runners of a shared store published."""
    from runner.intake import IntakeContext, plan_manifest

    rng = rng or random.Random()

    def plan(data: bytes, filename: str):
        ctx = IntakeContext.from_config(config, rng=rng, others=others())
        return plan_manifest(data, filename=filename, ctx=ctx)

    return plan


@dataclass
class Runner:
    """The parts of one running tikrunner, for the CLI and for tests that run it in-process."""

    config: RunnerConfig
    simulate: int = 0
    seed: int | None = None
    serial_prefix: str = "sim-"  # of the simulated phones (runner/sim/naming.py)
    store: Store | None = None
    farm: Farm | None = None
    spool: Spool | None = None
    sim: Any = None
    adb_addresses: list[str] = field(default_factory=list)
    workflows: Any = None  # runner.gitops.WorkflowFolder with --workflows
    http_address: Any = None  # runner.http.Address once the API listens (None: no API)
    # The selectors (with the config's overrides); None: read them at start of run().
    book: Any = None
    lock: SpoolLock | None = None  # held while run() runs
    metrics: RunnerMetrics | None = None  # this runner's /metrics (its own registry)
    cluster: Cluster | None = None  # with a shared store: heartbeat, leases, NOTIFY
    # runner.http.devices.PhoneViews: the phones, accounts and runners views the API answers
    # and the heartbeat publishes (None: no API and a SQLite store)
    views: Any = None

    async def run(self, *, task_status: trio.TaskStatus[Runner] = trio.TASK_STATUS_IGNORED) -> None:
        """Run until cancelled. ``task_status.started(self)`` once the spool is recovered and
        scanned and device tracking has begun. Raises :class:`SpoolBusy` at once, having touched
        nothing, when another runner holds the spool."""
        from runner.scripts import load_selectors

        # A bad selector file (or override) stops the runner here, not mid-task.
        book = self.book or load_selectors(overrides=self.config.selectors)

        config = self.config
        root = Path(config.spool)
        # One runner per spool: locked before anything in it is read or recovered (SpoolBusy).
        self.lock = SpoolLock.acquire(root)
        try:
            await self._run(root, book, task_status)
        finally:
            self.lock.release()

    async def _run(self, root: Path, book: Any, task_status: trio.TaskStatus[Runner]) -> None:
        from runner.devices import DeviceSession
        from runner.devices.adb import adb_client
        from runner.scripts import TaskContext, run_task

        config = self.config
        tz = config.tz()
        self.store = await trio.to_thread.run_sync(
            partial(open_store, config.store, root, runner=config.runner_name())
        )
        self.metrics = RunnerMetrics(self.store)
        status = StatusWriter(self.store, root / "status", tz)
        scheduler = Scheduler(self.store, config, status=status, clock=self.store.now)
        await scheduler.recover_after_crash("interrupted")
        # holds were computed by the rules of the last run: look at every waiting task again
        await trio.to_thread.run_sync(self.store.release_holds)
        status.mark(*stale_status_files(self.store, root / "status"))
        limiter = trio.CapacityLimiter(config.thread_limit)
        trio.to_thread.current_default_thread_limiter().total_tokens = max(
            40, config.thread_limit + 8
        )
        self.farm = Farm(
            store=self.store,
            status=status,
            config=config,
            artifacts=root / "artifacts",
            open_session=partial(DeviceSession.open, on_call=self.metrics.device_call),
            run_task=partial(run_task, book=book),
            make_context=TaskContext,
            limiter=limiter,
            scheduler=scheduler,
            metrics=self.metrics,
        )
        self.metrics.farm = self.farm
        if self.store.shared or config.http:
            from runner.http.devices import PhoneViews

            self.views = PhoneViews(farm=self.farm, store=self.store, config=config)
        if self.store.shared:
            self.cluster = Cluster(
                self.store,
                self.farm,
                status,
                lease_timeout=config.lease_timeout,
                adb=list(config.adb) if not self.simulate else [],
                publish=self.views.publish,  # its phones and accounts, for the farm's views
            )
            self.farm.leases = self.cluster
            scheduler.elsewhere = lambda serial: serial in self.cluster.elsewhere
        self.spool = Spool(
            root,
            self.store,
            make_planner(config, others=self._farm_accounts),
            status,
            tz,
            settle_time=config.settle_time,
            scan_interval=config.scan_interval,
            max_bytes=config.max_manifest_bytes,
            on_tasks=self.farm.wakeup.notify,
            on_outcomes=self.metrics.manifests,
        )
        try:
            async with trio.open_nursery() as nursery:
                self.farm.wakeup.bind()
                nursery.start_soon(status.run)
                nursery.start_soon(self.farm.progress.run)
                if self.simulate:
                    from runner.sim import SimFarm

                    self.sim = SimFarm(
                        self.simulate, seed=self.seed or 0, serial_prefix=self.serial_prefix
                    )
                    host, port = await nursery.start(self.sim.serve, "127.0.0.1", 0)
                    self.adb_addresses = [f"{host}:{port}"]
                    known = {a.username for a in config.accounts}
                    config.accounts.extend(a for a in self.sim.accounts if a.username not in known)
                else:
                    self.adb_addresses = list(config.adb)
                if self.cluster is not None:
                    self.cluster.adb = list(self.adb_addresses)
                    await nursery.start(self.cluster.run)
                    nursery.start_soon(self.views.keep_probed)  # what the farm sees of them
                await nursery.start(self.spool.run)
                if config.workflows is not None:
                    from runner.gitops import WorkflowFolder
                    from runner.intake import IntakeContext

                    self.workflows = WorkflowFolder(
                        Path(config.workflows),
                        self.store,
                        status,
                        lambda now: IntakeContext.from_config(
                            config, now, others=self._farm_accounts()
                        ),
                        tz,
                        accounts=config.accounts,
                        on_tasks=self.farm.wakeup.notify,
                        clock=self.store.now,
                    )
                    if self.store.shared:  # one runner at a time applies and fires them
                        nursery.start_soon(self._workflows_when_leader)
                    else:
                        await nursery.start(self.workflows.run)
                if config.http:
                    from runner.http import serve_api

                    self.http_address = await nursery.start(
                        partial(
                            serve_api,
                            config,
                            store=self.store,
                            status=status,
                            farm=self.farm,
                            metrics=self.metrics,
                            views=self.views,
                        )
                    )
                    if self.cluster is not None:  # shown to the farm from the next heartbeat
                        self.cluster.api = self.views.api
                for address in self.adb_addresses:
                    nursery.start_soon(self.farm.track, adb_client(address), nursery)
                nursery.start_soon(scheduler.watch_absent)
                task_status.started(self)
        finally:
            self.farm.shutting_down = True
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(status.flush)
            self.store.close()

    def _farm_accounts(self) -> list[Any]:
        """The accounts other runners of a shared store published (empty for SQLite)."""
        return self.cluster.farm_accounts if self.cluster is not None else []

    async def _workflows_when_leader(self) -> None:
        """A shared store: apply the workflows folder and fire its schedules only while this
        runner holds the store's workflows lock (a PostgreSQL session advisory lock, held by a
        connection of its own). Another runner's lock is tried again every ``lease_timeout / 4``
        seconds; a lock lost with its connection stops the folder here, and another runner
        takes over (its slots were recorded in the store: each still fires once)."""
        assert self.store is not None and self.workflows is not None
        interval = self.config.lease_timeout / 4
        told = False
        while True:
            lock = await trio.to_thread.run_sync(self.store.try_lock, "workflows")
            if lock is None:
                lost = await trio.to_thread.run_sync(self.store.free_lock_of_lost, "workflows")
                if lost is not None:
                    log.warning("runner %s, lost, held the workflows lock: its session ended", lost)
                    await trio.sleep(0.1)  # the server lets the lock go as the session ends
                    continue
                if not told:
                    log.info("another runner applies the workflows folder; this one waits")
                    told = True
                await trio.sleep(interval)
                continue
            told = False
            log.info("this runner applies the workflows folder now (it holds the lock)")
            try:
                async with trio.open_nursery() as nursery:
                    await nursery.start(self.workflows.run)
                    while await trio.to_thread.run_sync(lock.alive):
                        await trio.sleep(interval)
                    log.warning("lost the workflows lock (its connection failed)")
                    nursery.cancel_scope.cancel()
            finally:
                with trio.CancelScope(shield=True):
                    await trio.to_thread.run_sync(lock.release)


async def _serve_until_signal(runner: Runner) -> None:
    async with trio.open_nursery() as nursery:
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            started = await nursery.start(runner.run)
            serials_note = (
                f"{runner.simulate} simulated phones ({started.sim.serials[0]}.."
                f"{started.sim.serials[-1]}) on adb {runner.adb_addresses[0]}"
                if runner.simulate
                else f"adb servers {', '.join(runner.adb_addresses)}"
            )
            if runner.http_address is not None:
                serials_note += f"; HTTP API on {runner.http_address.url}"
            announce(
                "serving spool %s with %s; Ctrl-C to stop",
                Path(started.config.spool).absolute(),
                serials_note,
            )
            async for signum in signals:
                announce("%s: shutting down", signal.Signals(signum).name)
                runner.farm.shutting_down = True  # type: ignore[union-attr]
                nursery.cancel_scope.cancel()
                break


def run_serve(
    *,
    config_path: Path | None,
    spool: Path | None,
    simulate: int,
    adb: list[str] | None,
    http: str | None,
    no_http: bool,
    seed: int | None,
    serial_prefix: str = "sim-",
    workflows: Path | None = None,
    log_format: str | None = None,
    log_level: str | None = None,
    store: str | None = None,
    name: str | None = None,
) -> int:
    """``tikrunner serve``: returns the exit code (0 after a clean shutdown; 2 for a start-up
    mistake: a bad config or selectors, a spool locked by another runner (``SpoolLockError``), a
    store that cannot be opened (``StoreError``: empty, damaged, newer); 1 when the HTTP API
    cannot listen: port taken, or not loopback without a token). Each mistake is one line on
    stderr. ``log_format`` / ``log_level`` (None: the config's) set the runner's log
    (runner/logs.py); a name that is not one of theirs is a config mistake (exit 2), and so is a
    ``serial_prefix`` runner/sim/naming.py refuses (checked whether or not ``simulate``)."""
    from runner.sim.naming import prefix_problem

    if problem := prefix_problem(serial_prefix):
        print(f"tikrunner: bad --serial-prefix {serial_prefix!r}: {problem}", file=sys.stderr)
        return 2
    overrides: dict[str, Any] = {
        "spool": spool,
        "adb": adb,
        "http": http,
        "workflows": workflows,
        "log_format": log_format,
        "log_level": log_level,
        "store": store,
        "name": name,
    }
    try:
        config = load_config(config_path, overrides)
    except ConfigError as e:
        for problem in e.problems:
            print(f"tikrunner: config: {problem}", file=sys.stderr)
        return 2
    if problems := _inventory_problems(config):
        for problem in problems:
            print(f"tikrunner: accounts: {problem}", file=sys.stderr)
        return 2
    configure_logging(
        config.log_format,
        config.log_level,
        tz=config.tz(),
        secrets=[s for s in (config.api_token, _password(config.store)) if s],
    )
    if no_http:
        config.http = None
    from runner.scripts.matcher import SelectorFileError, load_selectors

    try:
        book = load_selectors(overrides=config.selectors)
    except SelectorFileError as e:
        lines = [ln.strip() for ln in str(e).splitlines()[1:] if ln.strip()]
        for line in lines or [str(e)]:
            print(f"tikrunner: selectors: {line}", file=sys.stderr)
        return 2
    if simulate:
        # The simulated adb server lives in this process; never let adbutils start a real one.
        os.environ.setdefault("ADBUTILS_ADB_PATH", "/bin/false")
    try:
        if config.http:  # the HTTP stack (fastapi, hypercorn) is imported only to serve it
            from runner.http import check_bind

            check_bind(config)
        runner = Runner(
            config, simulate=simulate, seed=seed, serial_prefix=serial_prefix, book=book
        )
        trio.run(_serve_until_signal, runner)
    except (HttpBindError, SpoolLockError, StoreError, NameTaken, BaseExceptionGroup) as e:
        error = (
            find_leaf(e, HttpBindError)
            or find_leaf(e, SpoolLockError)
            or find_leaf(e, StoreError)
            or find_leaf(e, NameTaken)
        )
        if error is None:
            raise
        print(f"tikrunner: {error}", file=sys.stderr)
        return 2 if isinstance(error, SpoolLockError | StoreError) else 1
    return 0


def _inventory_problems(config: RunnerConfig) -> list[str]:
    """At start, the workflows folder's accounts.yaml must be valid (its limits and working
    hours are the accounts' safety: never serve without them): one line per problem. While
    serving, a change that does not validate is logged and the previous inventory stays
    (runner/gitops.py)."""
    if config.workflows is None or not Path(config.workflows).is_dir():
        return []
    from runner.errors import IntakeError
    from runner.gitops import accounts_problems, read_accounts

    try:
        read_accounts(Path(config.workflows))
    except (IntakeError, OSError) as e:
        return accounts_problems(Path(config.workflows), e)
    return []


def _password(store: str) -> str | None:
    """The password of a ``postgresql://`` store URL, to mask in the log (None: none)."""
    if store == "sqlite":
        return None
    import psycopg

    try:
        return psycopg.conninfo.conninfo_to_dict(store).get("password") or None
    except psycopg.ProgrammingError:
        return None
