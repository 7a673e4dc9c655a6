"""The simulated farm: N phones behind one fake adb server (docs/internals.md, "Simulated phones").

Takes a phone count, a seed, an app version and a popup rate; gives
- :meth:`SimFarm.serve` (trio) and :meth:`SimFarm.running` (a background thread with its own trio
  loop) that serve the adb host protocol on a TCP port;
- :attr:`SimFarm.accounts` (``runner.config.Account`` per phone), :meth:`SimFarm.phone` for fault
  hooks, :meth:`SimFarm.ground_truth` (what each account really did).

Guarantees: the same seed gives the same run (each phone has its own RNG seeded from the farm
seed and its serial, so phones do not disturb each other's randomness). The trio thread drives the
model under :attr:`SimFarm.lock`; other threads read ground truth and call fault hooks safely.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import trio

from runner.config import Account
from runner.sim.adb_server import AdbServer
from runner.sim.filesystem import BlobStore
from runner.sim.phone import SimPhone
from runner.sim.tiktok import DEFAULT_VERSION, PACKAGE


class SimFarm:
    """``devices`` simulated phones, serials ``sim-0001``..., phone N logged in as ``sim_user_N``.

    ``app_version`` is the TikTok versionName on every phone (default: the newest simulated
    build); ``popup_rate`` the chance of a popup at each screen change. ``missing_users`` holds
    usernames whose profiles say "Couldn't find this account".
    """

    def __init__(
        self,
        devices: int,
        *,
        seed: int = 0,
        app_version: str | None = None,
        popup_rate: float = 0.0,
    ) -> None:
        if devices < 0:
            raise ValueError("devices must be >= 0")
        self.lock = threading.RLock()
        self.seed = seed
        self.popup_rate = popup_rate
        self.missing_users: set[str] = set()
        self._blobs = BlobStore()
        version = app_version or DEFAULT_VERSION
        self._phones = [
            SimPhone(
                self, n, seed=seed, app_version=version, popup_rate=popup_rate, blobs=self._blobs
            )
            for n in range(1, devices + 1)
        ]
        self._by_serial = {p.serial: p for p in self._phones}
        self._by_transport = {p.transport_id: p for p in self._phones}
        self._token: trio.lowlevel.TrioToken | None = None
        self._devices_event: trio.Event | None = None
        self.devices_version = 0  # bumped at every state change

    # ------------------------------------------------------------------------ inventory
    @property
    def phones(self) -> list[SimPhone]:
        return list(self._phones)

    @property
    def serials(self) -> list[str]:
        return [p.serial for p in self._phones]

    @property
    def accounts(self) -> list[Account]:
        """One account per phone, as the runner's config would list them."""
        return [
            Account(username=p.account.username, serial=p.serial, package=PACKAGE)
            for p in self._phones
        ]

    def phone(self, serial: str) -> SimPhone:
        """The phone with ``serial``; KeyError if the farm has none."""
        return self._by_serial[serial]

    def find_phone(self, serial: str) -> SimPhone | None:
        return self._by_serial.get(serial)

    def find_transport(self, transport_id: int) -> SimPhone | None:
        return self._by_transport.get(transport_id)

    def ground_truth(self) -> dict[str, Any]:
        """``{serial: {"app_version", "accounts": {user: {"following", "actions"}}}}`` (a copy)."""
        with self.lock:
            return {p.serial: p.ground_truth() for p in self._phones}

    def device_list(self, *, long: bool = False) -> str:
        """The text of ``host:devices`` (``serial\\tstate``) or ``host:devices-l``."""
        lines = []
        with self.lock:
            for p in self._phones:
                if p.state == "absent":
                    continue
                if not long:
                    lines.append(f"{p.serial}\t{p.state}\n")
                elif p.state == "device":
                    lines.append(
                        f"{p.serial:<22} device usb:1-{p.transport_id} product:oriole "
                        f"model:Pixel_6 device:oriole transport_id:{p.transport_id}\n"
                    )
                else:
                    lines.append(
                        f"{p.serial:<22} {p.state} usb:1-{p.transport_id} "
                        f"transport_id:{p.transport_id}\n"
                    )
        return "".join(lines)

    # ------------------------------------------------------------------------ trio plumbing
    def call_in_trio(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` in the farm's trio thread and wait for it (directly when already
        there, or when the farm is not serving)."""
        token = self._token
        if token is None:
            return fn(*args)
        try:
            current = trio.lowlevel.current_trio_token()
        except RuntimeError:
            current = None
        if current is token:
            return fn(*args)
        try:
            return trio.from_thread.run_sync(fn, *args, trio_token=token)
        except trio.RunFinishedError:
            return fn(*args)

    def devices_changed(self) -> None:
        """Wake ``track-devices`` and ``wait-for`` streams (trio thread)."""
        self.devices_version += 1
        if self._devices_event is not None:
            self._devices_event.set()
            self._devices_event = None

    async def wait_devices_changed(self, since: int) -> None:
        """Return once ``devices_version`` differs from ``since`` (no lost wake-ups)."""
        if self.devices_version != since:
            return
        if self._devices_event is None:
            self._devices_event = trio.Event()
        await self._devices_event.wait()

    # ------------------------------------------------------------------------ serving
    async def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        task_status: trio.TaskStatus[tuple[str, int]] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        """Serve the fake adb server on ``host:port`` (0: a free port) until cancelled.

        ``task_status.started((host, port))`` reports the real port. Cancellation closes the
        listener and every open stream (the phones' uiautomator servers die with them).
        """
        listeners = await trio.open_tcp_listeners(port, host=host)
        real_port = listeners[0].socket.getsockname()[1]
        self._token = trio.lowlevel.current_trio_token()
        server = AdbServer(self)
        try:
            async with trio.open_nursery() as nursery:
                await nursery.start(trio.serve_listeners, server.handle, listeners)
                task_status.started((host, real_port))
        finally:
            self._token = None
            with self.lock:
                for p in self._phones:
                    p.uia_alive = False

    @contextmanager
    def running(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[tuple[str, int]]:
        """Serve in a background thread (its own trio loop); yields ``(host, port)``.

        On exit the server is cancelled and the thread joined.
        """
        ready = threading.Event()
        state: dict[str, Any] = {}

        async def main() -> None:
            async with trio.open_nursery() as nursery:
                state["addr"] = await nursery.start(self.serve, host, port)
                state["scope"] = nursery.cancel_scope
                state["token"] = trio.lowlevel.current_trio_token()
                ready.set()

        def thread_main() -> None:
            try:
                trio.run(main)
            except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
                state["error"] = e
            finally:
                ready.set()

        thread = threading.Thread(target=thread_main, name="simfarm", daemon=True)
        thread.start()
        ready.wait()
        if "error" in state:
            raise state["error"]
        try:
            yield state["addr"]
        finally:
            try:
                trio.from_thread.run_sync(state["scope"].cancel, trio_token=state["token"])
            except trio.RunFinishedError:
                pass
            thread.join(timeout=10)
