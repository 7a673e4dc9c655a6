"""This runner among the others of a shared (PostgreSQL) store (issue 12; README, "Many runners").

:class:`Cluster` runs beside the device workers when the store is shared:

- **Heartbeat and phone leases.** Every ``lease_timeout / 4`` seconds (and at once when adb lists
  a new phone) it renews this runner's row and the leases of the phones its adb servers list in
  state ``device`` (``FarmLog.heartbeat``). A worker drives its phone only while this runner
  holds the phone's lease (:meth:`Cluster.wait_held`); a phone another runner holds waits here.
  A phone moved to another PC's hub is freed by the runner that no longer lists it and taken by
  the one that does.
- **Lost runners.** Each beat also ends the running tasks of runners whose heartbeat is older
  than ``lease_timeout`` (``FarmLog.reap_lost``): failed ``interrupted: runner <name> stopped
  answering``, never re-run; their phones are freed, their pending tasks wait for their phones.
- **NOTIFY.** A thread LISTENs on the store's channel (``runner.store.db.CHANNEL``): tasks
  created or changed by other runners wake this runner's workers of those serials within
  milliseconds, their manifests' status files are rewritten here when this runner took them in,
  and a stop asked of a task this runner runs cancels it on its phone.

All times are the store's clock (the database server's), so PCs whose clocks drift agree.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import time
from typing import Any

import trio

from runner.config import Account
from runner.store import STORE_FAULTS, RunnerRow, Store

log = logging.getLogger(__name__)

LISTEN_RETRY = 2.0  # seconds before the listener connects again after losing its connection


def published_accounts(runners: list[RunnerRow], me: str) -> list[Account]:
    """The accounts the other ``up`` runners published (their ``GET /accounts`` entries:
    ``username``, ``device``, ``packagename``, ``status``, ``tags``) as inventory accounts, the
    first runner by name winning a username two publish; entries that are not such are skipped."""
    out: list[Account] = []
    seen: set[str] = set()
    for row in runners:
        if row.name == me or row.state != "up":
            continue
        for item in row.accounts:
            try:
                account = Account(
                    username=item["username"],
                    serial=item["device"],
                    package=item.get("packagename"),
                    enabled=bool(item.get("status", 1)),
                    tags=list(item.get("tags") or []),
                )
            except (KeyError, TypeError, ValueError):
                continue
            if account.username.lower() not in seen:
                seen.add(account.username.lower())
                out.append(account)
    return out


class NameTaken(Exception):
    """Another process took this runner's name in the shared store (``str()``: one line)."""


class Cluster:
    """The shared-store duties of one runner (see the module's docstring).

    ``store`` is a shared :class:`~runner.store.Store` (``store.shared``); ``farm`` the
    runner's :class:`runner.workers.Farm` (its adb servers' device lists, its workers, its
    running tasks); ``status`` the :class:`runner.status.StatusWriter` of this runner's spool;
    ``lease_timeout`` seconds (tikrunner.yaml ``lease_timeout``). ``api`` the HTTP API's URL
    (shown to the farm) or None. :meth:`run` raises :class:`NameTaken` when another process
    took over this runner's name."""

    def __init__(
        self,
        store: Store,
        farm: Any,
        status: Any,
        *,
        lease_timeout: float,
        adb: list[str],
        api: str | None = None,
        publish: Any = None,
    ):
        self.store = store
        self.farm = farm
        self.status = status
        self.lease_timeout = lease_timeout
        self.interval = lease_timeout / 4
        self.adb = adb
        self.api = api
        self.publish = publish  # () -> (devices, accounts) lists for the farm view, or None
        self.instance = secrets.token_hex(8)
        self.held: set[str] = set()  # serials whose lease this runner holds
        self.elsewhere: set[str] = set()  # serials another runner holds or last held
        # the accounts the other up runners published (for usernames mode across the farm)
        self.farm_accounts: list[Account] = []
        self._held_changed = trio.Event()
        self._beat_now = trio.Event()
        self._token: Any = None
        self._stopping = False

    # -- what the workers ask ------------------------------------------------------------------

    def holds(self, serial: str) -> bool:
        """Whether this runner holds ``serial``'s lease (may drive the phone)."""
        return serial in self.held

    async def wait_held(self, serial: str) -> None:
        """Return once this runner holds ``serial``'s lease."""
        while serial not in self.held:
            self._beat_now.set()  # a phone just listed: ask for its lease now
            event = self._held_changed
            await event.wait()

    def want(self, serial: str) -> None:
        """adb listed ``serial`` in state ``device``: lease it at the next beat, now."""
        if serial not in self.held:
            self._beat_now.set()

    # -- running -------------------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Register, then beat and listen until cancelled; on the way out (shielded) the
        runner's row says ``stopped`` and its leases are freed, so another runner may take its
        phones at once."""
        self._token = trio.lowlevel.current_trio_token()
        before = await trio.to_thread.run_sync(
            lambda: self.store.register_runner(
                instance=self.instance,
                host=socket.gethostname(),
                pid=os.getpid(),
                api=self.api,
                adb=self.adb,
            )
        )
        if before is not None and before.state == "up":
            age = self.store.now() - before.heartbeat_at
            if age < self.lease_timeout:
                log.warning(
                    "runner name %s was in use by process %s on %s %.0f s ago: this runner takes"
                    " it over (if that one still runs, it stops at its next heartbeat; give each"
                    " runner its own name: serve --name)",
                    self.store.runner,
                    before.pid,
                    before.host or "?",
                    age,
                )
        try:
            await self._beat()
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._listen)
                task_status.started()
                while True:
                    with trio.move_on_after(self.interval):
                        await self._beat_now.wait()
                    self._beat_now = trio.Event()
                    try:
                        await self._beat()
                    except STORE_FAULTS as e:
                        log.warning("heartbeat failed (%s); trying again", " ".join(str(e).split()))
        finally:
            self._stopping = True
            with trio.CancelScope(shield=True):
                try:
                    await trio.to_thread.run_sync(self.store.release_runner, self.instance)
                except STORE_FAULTS:
                    log.warning("could not free this runner's phone leases on the way out")

    def _listed(self) -> list[str]:
        return sorted(
            serial
            for server in self.farm.adb_servers.values()
            for serial, state in server.devices.items()
            if state == "device"
        )

    async def _beat(self) -> None:
        """One heartbeat: renew, lease, free, reap, and act on what changed."""
        devices, accounts = self.publish() if self.publish else (None, None)
        ours, held = await trio.to_thread.run_sync(
            lambda: self.store.heartbeat(
                instance=self.instance,
                serials=self._listed(),
                lease_seconds=self.lease_timeout,
                devices=devices,
                accounts=accounts,
                api=self.api,
            )
        )
        if not ours:
            raise NameTaken(
                f"runner {self.store.runner} is no longer this process's: another runner found"
                f" its heartbeat older than {self.lease_timeout:g} s and ended its running tasks,"
                " or another process took its name (give each runner its own name: serve"
                " --name; raise lease_timeout in tikrunner.yaml if this PC is too busy to beat"
                " in time): stopping"
            )
        gained, lost = held - self.held, self.held - held
        self.held = held
        if gained or lost:
            self._held_changed.set()
            self._held_changed = trio.Event()
        if gained:
            self.farm.wakeup.notify(gained)
        for serial in sorted(lost):
            for task_id, scope_serial in list(self._running_on().items()):
                if scope_serial == serial:
                    self.farm.stop_task(
                        task_id,
                        f"interrupted: runner {self.store.runner} lost the lease of phone {serial}",
                    )
        reaped = await trio.to_thread.run_sync(self.store.reap_lost, self.lease_timeout)
        for r in reaped:
            log.warning(
                "runner %s stopped answering (no heartbeat for %g s): %d running task(s) failed,"
                " %d phone(s) freed",
                r.name,
                self.lease_timeout,
                len(r.ended),
                len(r.freed),
            )
            self._mark(r.manifests)
            self.farm.wakeup.notify(r.serials | set(r.freed))
        holders = await trio.to_thread.run_sync(self.store.phone_holders)
        self.elsewhere = {s for s, (runner, _) in holders.items() if runner != self.store.runner}
        runners = await trio.to_thread.run_sync(self.store.runners)
        self.farm_accounts = published_accounts(runners, self.store.runner)
        await trio.to_thread.run_sync(self.store.sync_clock)

    def _running_on(self) -> dict[int, str]:
        """task id -> serial of the tasks this runner's workers run now."""
        out = {}
        for task_id in list(self.farm.running):
            serial = self.farm.running_serials.get(task_id)
            if serial:
                out[task_id] = serial
        return out

    def _mark(self, manifests: Any) -> None:
        """Mark the status files of those manifests this runner took in (thread-safe)."""
        names = self.store.owned_manifests(manifests)
        if names:
            self.status.mark(*names)

    # -- NOTIFY --------------------------------------------------------------------------------

    async def _listen(self) -> None:
        """Follow the store's NOTIFY channel in a thread until cancelled (reconnecting)."""
        await trio.to_thread.run_sync(self._listen_thread, abandon_on_cancel=True)

    def _listen_thread(self) -> None:
        first = True
        while not self._stopping:
            try:
                with self.store.listen() as notifies:
                    if not first:  # what was said meanwhile is lost: look at every queue
                        self.farm.wakeup.notify()
                    first = False
                    for payload in notifies(lambda: self._stopping):
                        self._on_message(payload)
            except trio.RunFinishedError:
                return
            except Exception as e:  # the connection lost: say so, connect again
                if self._stopping:
                    return
                log.warning(
                    "lost the store's NOTIFY connection (%s); connecting again in %g s",
                    " ".join(str(e).split()) or type(e).__name__,
                    LISTEN_RETRY,
                )
                time.sleep(LISTEN_RETRY)

    def _on_message(self, payload: str) -> None:
        """One NOTIFY from another runner (thread): wake, mark, or stop."""
        try:
            message = json.loads(payload)
        except ValueError:
            return
        if not isinstance(message, dict) or message.get("runner") == self.store.runner:
            return  # ours: acted on already
        if message.get("stop"):
            remark = str(message.get("remark") or "stopped")
            for task_id in message["stop"]:
                if isinstance(task_id, int):
                    trio.from_thread.run_sync(
                        self.farm.stop_task, task_id, remark, trio_token=self._token
                    )
            return
        serials = [s for s in message.get("serials", []) if isinstance(s, str)]
        if serials:
            self.farm.wakeup.notify(serials)
        manifests = [m for m in message.get("manifests", []) if isinstance(m, str)]
        if manifests:
            self._mark(manifests)
