"""The fake adb server: the adb *host* protocol over TCP, in front of the farm's phones.

Takes TCP connections from adb clients (adbutils, or the ``adb`` command line); each carries one
host request (4 hex digits of length + ASCII), answered ``OKAY``/``FAIL`` as the real server does
(adb's ``SERVICES.TXT`` and ``adb.cpp handle_host_request``), with its error words:
``device 'X' not found``, ``device offline``, ``device unauthorized. ...``,
``more than one device/emulator``, ``no devices/emulators found``.

Host services: ``host:version`` (``0029``, i.e. 41, so adbutils uses ``host:tport``),
``host:kill`` (acknowledged, the simulator keeps running), ``host:devices``, ``host:devices-l``,
``host:track-devices[-l]`` (a length-prefixed list now and after every change), and the
per-device ``get-state``, ``get-serialno``, ``get-devpath``, ``features``, ``list-forward``,
``wait-for-*`` in their ``host-serial:S:``, ``host-transport-id:N:``, ``host-usb:``,
``host-local:`` and ``host:`` forms. ``host:transport:S``, ``host:transport-id:N``,
``host:transport-any``, ``host:tport:serial:S|id:N|any`` (``OKAY`` + 8-byte LE transport id) switch
the connection to the phone; the next request is a device service
(:mod:`runner.sim.device_services`).
"""

from __future__ import annotations

import logging
import struct
from typing import TYPE_CHECKING

import trio

from runner.sim.device_services import serve_device_service
from runner.sim.protocol import (
    Connection,
    PeerClosed,
    fail_reply,
    hex_block,
    okay_reply,
    set_nodelay,
)

if TYPE_CHECKING:
    from runner.sim.farm import SimFarm
    from runner.sim.phone import SimPhone

log = logging.getLogger(__name__)

ADB_SERVER_VERSION = 41
FEATURES = ("shell_v2,cmd,fixed_push_mkdir,apex,fixed_push_symlink_timestamp,remount_shell,"
            "track_app")  # fmt: skip
HOST_FEATURES = (
    "shell_v2,cmd,stat_v2,ls_v2,fixed_push_mkdir,apex,abb,"
    "fixed_push_symlink_timestamp,abb_exec,remount_shell,track_app,sendrecv_v2"
)
UNAUTHORIZED = (
    "device unauthorized.\nThis adb server's $ADB_VENDOR_KEYS is not set\n"
    "Try 'adb kill-server' if that seems wrong.\n"
    "Otherwise check for a confirmation dialog on your device."
)


class _Refused(Exception):
    """A request that gets ``FAIL`` + this message."""


class AdbServer:
    """Serves the host protocol for one farm; :meth:`handle` is the per-connection handler."""

    def __init__(self, farm: SimFarm) -> None:
        self.farm = farm

    async def handle(self, stream: trio.SocketStream) -> None:
        """Serve one client connection; never raises for a client that goes away."""
        set_nodelay(stream)
        conn = Connection(stream)
        try:
            async with stream:
                await self._serve(conn)
        except (PeerClosed, trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        except Exception:  # pragma: no cover - a bug in the simulator: log it, keep serving
            log.exception("fake adb server: connection failed")

    async def _serve(self, conn: Connection) -> None:
        request = await conn.read_request()
        if request is None:
            return
        try:
            phone, reply = self._transport(request)
        except _Refused as e:
            await conn.send(fail_reply(str(e)))
            return
        if phone is not None:
            await conn.send(reply)
            service = await conn.read_request()
            if service is not None:
                await serve_device_service(phone, conn, service)
            return
        await self._host_service(conn, request)

    # --------------------------------------------------------------------- device selection
    def _select(self, how: str, value: str = "", *, any_state: bool = False) -> SimPhone:
        farm = self.farm
        if how == "serial":
            phone = farm.find_phone(value)
            if phone is None or phone.state == "absent":
                raise _Refused(f"device '{value}' not found")
        elif how == "id":
            phone = farm.find_transport(int(value)) if value.isdigit() else None
            if phone is None or phone.state == "absent":
                raise _Refused(f"no device with transport id '{value}'")
        else:
            present = [p for p in farm.phones if p.state != "absent"]
            if how == "local" or not present:
                raise _Refused(
                    "no emulators found" if how == "local" else "no devices/emulators found"
                )
            if len(present) > 1:
                raise _Refused("more than one device/emulator")
            phone = present[0]
        if not any_state:
            if phone.state == "offline":
                raise _Refused("device offline")
            if phone.state == "unauthorized":
                raise _Refused(UNAUTHORIZED)
        return phone

    def _transport(self, request: str) -> tuple[SimPhone | None, bytes]:
        """For a transport-switch request: the phone and the reply; (None, b"") otherwise."""
        for prefix, how in (
            ("host:transport:", "serial"),
            ("host:transport-id:", "id"),
            ("host:tport:serial:", "serial"),
            ("host:tport:id:", "id"),
        ):
            if request.startswith(prefix):
                phone = self._select(how, request[len(prefix) :])
                break
        else:
            if request in (
                "host:transport-any",
                "host:transport-usb",
                "host:tport:any",
                "host:tport:usb",
            ):
                phone = self._select("any")
            elif request in ("host:transport-local", "host:tport:local"):
                phone = self._select("local")
            else:
                return None, b""
        reply = okay_reply()
        if request.startswith("host:tport:"):
            reply += struct.pack("<Q", phone.transport_id)
        return phone, reply

    def _split_target(self, request: str) -> tuple[str, str, str]:
        """``host-serial:S:cmd`` -> ("serial", S, cmd); ``host:cmd`` -> ("any", "", cmd)."""
        if request.startswith("host-serial:"):
            rest = request[len("host-serial:") :]
            for phone in self.farm.phones:  # serials may contain ':' (ip:port)
                if rest.startswith(phone.serial + ":"):
                    return "serial", phone.serial, rest[len(phone.serial) + 1 :]
            serial, _, cmd = rest.partition(":")
            if serial in ("tcp", "udp", "usb") or (cmd.split(":")[0].isdigit() and "." in serial):
                more, _, cmd = cmd.partition(":")
                serial = f"{serial}:{more}"
            return "serial", serial, cmd
        if request.startswith("host-transport-id:"):
            tid, _, cmd = request[len("host-transport-id:") :].partition(":")
            return "id", tid, cmd
        for prefix, how in (("host-usb:", "any"), ("host-local:", "local"), ("host:", "any")):
            if request.startswith(prefix):
                return how, "", request[len(prefix) :]
        return "any", "", request

    # --------------------------------------------------------------------- host services
    async def _host_service(self, conn: Connection, request: str) -> None:
        how, target, cmd = self._split_target(request)
        farm = self.farm
        try:
            if cmd == "version":
                await conn.send(okay_reply(f"{ADB_SERVER_VERSION:04x}"))
            elif cmd == "kill":
                log.info("fake adb server: host:kill acknowledged, simulator keeps running")
                await conn.send(okay_reply())
            elif cmd in ("devices", "devices-l"):
                await conn.send(okay_reply(farm.device_list(long=cmd == "devices-l")))
            elif cmd in ("track-devices", "track-devices-l"):
                await conn.send(okay_reply())
                await self._track(conn, long=cmd == "track-devices-l")
            elif cmd == "host-features":
                await conn.send(okay_reply(HOST_FEATURES))
            elif cmd == "get-state":
                await conn.send(okay_reply(self._select(how, target).state))
            elif cmd == "get-serialno":
                await conn.send(okay_reply(self._select(how, target, any_state=True).serial))
            elif cmd == "get-devpath":
                phone = self._select(how, target, any_state=True)
                await conn.send(okay_reply(f"usb:1-{phone.transport_id}"))
            elif cmd == "features":
                self._select(how, target)
                await conn.send(okay_reply(FEATURES))
            elif cmd == "list-forward":
                await conn.send(okay_reply(""))
            elif cmd.startswith("wait-for-"):
                await self._wait_for(conn, how, target, cmd)
            elif cmd.startswith("connect:"):
                await conn.send(okay_reply(f"failed to connect to '{cmd[8:]}': Connection refused"))
            elif cmd.startswith("disconnect:"):
                raise _Refused(f"no such device '{cmd[11:]}'")
            elif cmd.startswith(("forward:", "killforward")):
                raise _Refused("cannot bind listener: the simulated adb server does not forward")
            else:
                raise _Refused(f"unknown host service '{cmd}'")
        except _Refused as e:
            await conn.send(fail_reply(str(e)))

    async def _track(self, conn: Connection, *, long: bool) -> None:
        """Send the device list now and after every change until the client hangs up."""

        async def push_changes() -> None:
            last = None
            while True:
                version = self.farm.devices_version
                text = self.farm.device_list(long=long)
                if text != last:
                    await conn.send(hex_block(text))
                    last = text
                await self.farm.wait_devices_changed(version)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(push_changes)
            await conn.wait_closed()
            nursery.cancel_scope.cancel()

    async def _wait_for(self, conn: Connection, how: str, target: str, cmd: str) -> None:
        """``wait-for-TRANSPORT-STATE``: OKAY at once, OKAY again when the state is reached."""
        wanted = cmd.rsplit("-", 1)[-1]
        await conn.send(okay_reply())
        while True:
            version = self.farm.devices_version
            phones = [self.farm.find_phone(target)] if how == "serial" else self.farm.phones
            states = {p.state for p in phones if p is not None}
            if (wanted == "disconnect" and states <= {"absent"}) or wanted in states:
                await conn.send(okay_reply())
                return
            await self.farm.wait_devices_changed(version)
