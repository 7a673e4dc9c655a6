"""Device services: what a stream carries after the host protocol switched it to a phone.

Takes the service request (``shell:CMD``, ``shell,v2:CMD``, ``exec:CMD``, ``sync:``, ``tcp:PORT``)
and the connection; answers ``OKAY`` and runs the service, or ``FAIL closed`` when the phone
refuses it (what adb reports when the device side closes before accepting the stream).

- ``shell:`` (v1): raw output, stdout and stderr interleaved in order, then close.
- ``shell,v2:``: packets of ``id`` (1 stdout, 2 stderr, 3 exit) + uint32 LE length + data; the
  exit packet carries one byte (adb's ``shell_protocol.h``; adbutils ``_shell_v2``).
- ``tcp:9008``: the uiautomator server's HTTP while its ``app_process`` runs; refused otherwise,
  so uiautomator2's ``_check_alive`` sees ``HTTPError`` and (re)starts it.
Every stream is registered with the phone and cancelled when it leaves state ``device``.
"""

from __future__ import annotations

import logging
import struct
from typing import TYPE_CHECKING

import trio

from runner.sim.android_tools import ANDROID_COMMANDS
from runner.sim.commands import CORE_COMMANDS
from runner.sim.protocol import Connection, fail_reply, okay_reply
from runner.sim.shell import CommandFn, Shell
from runner.sim.sync import serve_sync
from runner.sim.uiautomator_server import serve_http

if TYPE_CHECKING:
    from runner.sim.phone import SimPhone

log = logging.getLogger(__name__)

COMMANDS: dict[str, CommandFn] = {**CORE_COMMANDS, **ANDROID_COMMANDS}
UIAUTOMATOR_PORT = 9008


async def serve_device_service(phone: SimPhone, conn: Connection, service: str) -> None:
    """Run one device service on ``conn``; returns when the stream should close.

    Cancelled (the phone went offline) it returns at the next checkpoint; the caller closes.
    """
    delay = phone.delay()
    if delay:
        await trio.sleep(delay)
    with phone.open_stream():
        kind, _, arg = service.partition(":")
        opts = kind.split(",")
        if opts[0] in ("shell", "exec"):
            await _shell(phone, conn, arg, v2="v2" in opts[1:] and opts[0] == "shell")
        elif kind == "sync":
            await conn.send(okay_reply())
            await serve_sync(phone, conn)
        elif kind == "tcp":
            port = arg.split(":")[0]
            if port.isdigit() and int(port) == UIAUTOMATOR_PORT and phone.uia_alive:
                await conn.send(okay_reply())
                await serve_http(phone, conn)
            else:
                await conn.send(fail_reply("closed"))
        else:
            await conn.send(fail_reply("closed"))


async def _shell(phone: SimPhone, conn: Connection, command: str, *, v2: bool) -> None:
    await conn.send(okay_reply())
    if not command.strip():  # interactive shell: not simulated, wait for the client to leave
        await conn.wait_closed()
        return
    phone.record_shell(command)

    async def sink_v1(fd: int, data: bytes) -> None:
        await conn.send(data)

    async def sink_v2(fd: int, data: bytes) -> None:
        if data:
            await conn.send(bytes([fd]) + struct.pack("<I", len(data)) + data)

    shell = Shell(phone, COMMANDS, wait_hangup=conn.wait_closed)
    status = await shell.run(command, sink_v2 if v2 else sink_v1)
    if v2:
        await conn.send(b"\x03" + struct.pack("<I", 1) + bytes([status & 0xFF]))
