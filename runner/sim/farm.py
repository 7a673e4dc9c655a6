"""The simulated farm: N phones behind one fake adb server (docs/internals.md, "Simulated phones").

Takes a phone count, a seed, an app version, a popup rate, a latency model and a clock; gives
- :meth:`SimFarm.serve` (trio) and :meth:`SimFarm.running` (a background thread with its own trio
  loop) that serve the adb host protocol on a TCP port;
- :attr:`SimFarm.accounts` (``runner.config.Account`` per logged-in account), :meth:`SimFarm.phone`
  for fault hooks, :meth:`SimFarm.ground_truth` (what each account really did);
- hot-plug: :meth:`SimFarm.add_phone` / :meth:`SimFarm.remove_phone`, seen by ``track-devices``.

Guarantees: the same seed gives the same run (each phone has its own RNG seeded from the farm
seed and its serial, so phones do not disturb each other's randomness; latency draws use another
RNG). The trio thread drives the model under :attr:`SimFarm.lock`; other threads read ground truth
and call fault hooks safely.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import trio

from runner.config import Account
from runner.sim.adb_server import AdbServer
from runner.sim.clock import ManualClock, WallClock
from runner.sim.filesystem import BlobStore
from runner.sim.naming import DEFAULT_PREFIX, prefix_problem
from runner.sim.phone import SimPhone
from runner.sim.tiktok import DEFAULT_VERSION
from runner.sim.tiktok.pushback import PushBackRule, parse_rule
from runner.sim.tiktok.world import World


class SimFarm:
    """``devices`` simulated phones, serials ``sim-0001``..., phone N logged in as ``sim_user_N``
        (``serial_prefix`` ``P``: serials ``P0001``... and accounts named after them, the rule of
        :mod:`runner.sim.naming`; ValueError for a prefix it refuses).

        ``app_version`` is the TikTok versionName on every phone (default 46.9.3; the simulated builds
        are real ones: 43.1.4, 46.9.3, 47.0.3); ``locale`` every phone's system locale (``en-US``,
        ``fr-FR``: TikTok shows that language; per phone: ``phone.set_locale``,
        ``phone.set_app_language``); ``popup_rate`` the chance of a popup at each screen change, swipe and follow;
        ``latency`` + uniform(0, ``jitter``) seconds delay every reply of every phone (each phone's
        ``latency``/``jitter`` can be changed later); ``clock`` measures watch times and uploads
        (default: real time; pass a :class:`~runner.sim.clock.ManualClock` for exact, repeatable
        times); ``upload_seconds`` is how long a post uploads. ``missing_users`` holds usernames whose
        profiles say "Couldn't find this account"; ``private_users`` those whose accounts are
        private (a follow becomes a request); ``dm_closed_users`` those who accept no direct message
        from us (their thread says so and has no field); ``banned_users`` those TikTok banned (their
    profile says so); ``verified_users`` those with the verified badge; ``bios`` a profile's bio by
    username; ``video_counts`` how many videos a profile has (default 9); ``pinned`` how many of its
    first videos are pinned. Who follows an account is its ``followers`` set
        (:class:`~runner.sim.tiktok.SimAccount`).
    """

    def __init__(
        self,
        devices: int,
        *,
        seed: int = 0,
        app_version: str | None = None,
        popup_rate: float = 0.0,
        latency: float = 0.0,
        jitter: float = 0.0,
        clock: WallClock | ManualClock | None = None,
        upload_seconds: float = 1.5,
        locale: str = "en-US",
        serial_prefix: str = DEFAULT_PREFIX,
        push_back: PushBackRule | str | None = None,
    ) -> None:
        if devices < 0:
            raise ValueError("devices must be >= 0")
        if problem := prefix_problem(serial_prefix):
            raise ValueError(f"bad serial prefix {serial_prefix!r}: {problem}")
        self.serial_prefix = serial_prefix
        #: How TikTok pushes back on every phone's accounts (a rule or its text,
        #: runner/sim/tiktok/pushback.py parse_rule); None: never. Phones and accounts may have
        #: their own (``phone.push_back``, ``account.push_back``).
        self.push_back = parse_rule(push_back) if isinstance(push_back, str) else push_back
        self.lock = threading.RLock()
        self.seed = seed
        self.popup_rate = popup_rate
        self.app_version = app_version or DEFAULT_VERSION
        self.latency = latency
        self.jitter = jitter
        self.clock = clock or WallClock()
        self.upload_seconds = upload_seconds
        self.world = World(seed)
        self.locale = locale
        self.missing_users: set[str] = set()
        self.private_users: set[str] = set()
        # Accounts whose privacy settings let nobody (or only friends) message them: their thread
        # says "Unable to send message" and has no field (runner/sim/tiktok/chat.py).
        self.dm_closed_users: set[str] = set()
        # What scrape_user reads on a profile (runner/sim/tiktok/profile.py).
        self.banned_users: set[str] = set()
        self.verified_users: set[str] = set()
        self.bios: dict[str, str] = {}
        self.video_counts: dict[str, int] = {}
        self.pinned: dict[str, int] = {}
        self._blobs = BlobStore()
        self._phones: list[SimPhone] = []
        self._by_serial: dict[str, SimPhone] = {}
        self._by_transport: dict[int, SimPhone] = {}
        self._next_number = 1
        for _ in range(devices):
            self._make_phone()
        self._token: trio.lowlevel.TrioToken | None = None
        self._nursery: trio.Nursery | None = None
        self._devices_event: trio.Event | None = None
        self.devices_version = 0  # bumped at every state change

    # ------------------------------------------------------------------------ inventory
    @property
    def phones(self) -> list[SimPhone]:
        with self.lock:
            return list(self._phones)

    @property
    def serials(self) -> list[str]:
        with self.lock:
            return [p.serial for p in self._phones]

    @property
    def accounts(self) -> list[Account]:
        """Every logged-in account of every phone, as the runner's config would list them."""
        with self.lock:
            return [
                Account(username=acc.username, serial=p.serial, package=app.package)
                for p in self._phones
                for app in p.tiktok_apps()
                for acc in app.accounts
            ]

    # ------------------------------------------------------------------------ hot-plug
    def _make_phone(self, app_version: str | None = None, locale: str | None = None) -> SimPhone:
        n = self._next_number
        self._next_number += 1
        phone = SimPhone(self, n, seed=self.seed, app_version=app_version or self.app_version,
                         popup_rate=self.popup_rate, blobs=self._blobs,
                         locale=locale or self.locale)  # fmt: skip
        phone.latency, phone.jitter = self.latency, self.jitter
        self._phones.append(phone)
        self._by_serial[phone.serial] = phone
        self._by_transport[phone.transport_id] = phone
        return phone

    def add_phone(self, app_version: str | None = None, locale: str | None = None) -> SimPhone:
        """Plug in a new phone (next serial, state ``device``); ``track-devices`` reports it.
        Any thread; returns once the server lists it."""

        def plug() -> SimPhone:
            with self.lock:
                phone = self._make_phone(app_version, locale)
            self.devices_changed()
            return phone

        return self.call_in_trio(plug)

    def remove_phone(self, serial: str) -> None:
        """Unplug a phone: its streams close, it leaves the device list and the farm (its ground
        truth goes with it). KeyError if the farm has no such phone. Any thread."""

        def unplug() -> None:
            with self.lock:
                phone = self._by_serial.pop(serial)
                self._phones.remove(phone)
                self._by_transport.pop(phone.transport_id, None)
            phone._apply_state("absent")

        self.call_in_trio(unplug)

    def phone(self, serial: str) -> SimPhone:
        """The phone with ``serial``; KeyError if the farm has none."""
        return self._by_serial[serial]

    def find_phone(self, serial: str) -> SimPhone | None:
        return self._by_serial.get(serial)

    def find_transport(self, transport_id: int) -> SimPhone | None:
        return self._by_transport.get(transport_id)

    def ground_truth(self) -> dict[str, Any]:
        """``{serial: {"app_version", "apps", "accounts": {user: {...}}}}`` (a JSON-able copy;
        the account keys are :meth:`runner.sim.tiktok.SimAccount.ground_truth`'s)."""
        with self.lock:
            return {p.serial: p.ground_truth() for p in self._phones}

    def device_list(self, *, long: bool = False) -> str:
        """The text of ``host:devices`` (``serial\\tstate``) or ``host:devices-l``."""
        lines = []
        with self.lock:
            for p in list(self._phones):
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
                self._nursery = nursery
                await nursery.start(trio.serve_listeners, server.handle, listeners)
                task_status.started((host, real_port))
        finally:
            self._token = None
            self._nursery = None
            with self.lock:
                for p in self._phones:
                    p.uia_alive = False

    def after(self, seconds: float, fn: Any, *args: Any) -> None:
        """Run ``fn(*args)`` in the farm's trio thread ``seconds`` from now (scheduled faults)."""
        if self._nursery is None or self._token is None:
            raise RuntimeError("the farm is not serving")
        nursery = self._nursery

        async def later() -> None:
            await trio.sleep(seconds)
            fn(*args)

        self.call_in_trio(nursery.start_soon, later)

    def listen_adbd(self, serial: str, host: str = "127.0.0.1", port: int = 0) -> int:
        """Let ``serial`` also speak the device side of adb on ``host:port`` (0: a free port), so
        ``adb connect host:port`` attaches it to a real adb server (:mod:`runner.sim.adbd`).
        Call from another thread while the farm serves; returns the port. Stops with the farm."""
        from runner.sim.adbd import serve_adbd

        phone = self.phone(serial)
        if self._nursery is None or self._token is None:
            raise RuntimeError("the farm is not serving")
        nursery = self._nursery
        return trio.from_thread.run(nursery.start, serve_adbd, phone, host, port,
                                    trio_token=self._token)  # fmt: skip

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
