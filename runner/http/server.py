"""Serving the API in the runner's trio program: ``hypercorn.trio.serve`` with the FastAPI app.

:func:`serve_api` binds the listening socket itself (so a taken port is a clear
:class:`HttpBindError` before anything else happens, and port 0 reports the real port), hands it
to hypercorn, and runs until cancelled. :func:`check_bind` is the refusal rule: an address that is
not loopback needs an API token (issue 3).
"""

from __future__ import annotations

import errno
import logging
import socket
from dataclasses import dataclass
from functools import partial
from typing import Any

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.logging import Logger as HypercornLogger
from hypercorn.trio import serve

from runner.config import RunnerConfig
from runner.errors import HttpBindError
from runner.http.app import create_app
from runner.http.devices import PhoneViews
from runner.http.security import HostRule, is_loopback
from runner.http.taskops import TaskOperations
from runner.status import StatusWriter
from runner.store import Store

log = logging.getLogger(__name__)


class AccessAtDebug(HypercornLogger):
    """hypercorn's logger, with each request's access line logged at DEBUG (hypercorn: INFO),
    formatted only when DEBUG is on."""

    async def access(self, request: Any, response: Any, request_time: float) -> None:
        logger = self.access_logger
        if logger is not None and logger.isEnabledFor(logging.DEBUG):
            logger.debug(self.access_log_format, self.atoms(request, response, request_time))


@dataclass(frozen=True)
class Address:
    """Where the API listens (the real port, also when port 0 was asked)."""

    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/api/v1/"


def public_url(address: Address) -> str:
    """The API's URL as other PCs should use it: ``address.url``, with this machine's host name
    in place of a wildcard address (``0.0.0.0``, ``::``)."""
    if address.host in ("0.0.0.0", "::", ""):
        return Address(socket.gethostname(), address.port).url
    return address.url


def parse_bind(text: str) -> tuple[str, int]:
    """``"HOST:PORT"`` (``"[::1]:PORT"`` for IPv6) to (host, port); raises HttpBindError."""
    host, sep, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if (
        not sep
        or not host
        or not (port.isascii() and port.isdigit())
        or not 0 <= int(port) <= 65535
    ):
        raise HttpBindError(f"HTTP API: {text!r} is not HOST:PORT (for example 127.0.0.1:50809)")
    return host, int(port)


def check_bind(config: RunnerConfig) -> tuple[str, int]:
    """The (host, port) the API should listen on; raises HttpBindError when the address is not
    loopback and no API token is configured (anyone on the network could drive the phones)."""
    assert config.http is not None
    host, port = parse_bind(config.http)
    if not config.api_token and not is_loopback(host):
        raise HttpBindError(
            f"HTTP API: refusing to listen on {host}:{port} without an API token: that address "
            "is reachable from other machines; set api_token in the config (or "
            "TIKRUNNER_API_TOKEN), or listen on 127.0.0.1"
        )
    return host, port


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port); raises HttpBindError with the reason."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as e:
        raise HttpBindError(f"HTTP API: cannot resolve {host!r}: {e.strerror or e}") from None
    family, type_, proto, _, address = infos[0]
    sock = socket.socket(family, type_, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise HttpBindError(
                f"HTTP API: port {port} on {host} is already in use (another tikrunner or "
                "TikMatrix?); choose another with --http HOST:PORT or turn the API off with "
                "--no-http"
            ) from None
        raise HttpBindError(
            f"HTTP API: cannot listen on {host}:{port}: {e.strerror or e}"
        ) from None
    return sock


async def serve_api(
    config: RunnerConfig,
    *,
    store: Store,
    status: StatusWriter,
    farm: Any = None,
    metrics: Any = None,
    views: Any = None,
    task_status: trio.TaskStatus[Address] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve the API on ``config.http`` until cancelled.

    ``task_status.started(Address)`` once the socket listens. Raises HttpBindError (before
    starting) when it cannot listen. ``metrics``: the runner's ``RunnerMetrics`` served at
    ``/metrics`` (None: a fresh one over ``store`` and ``farm``); ``views``: the runner's
    :class:`~runner.http.devices.PhoneViews` (None: a fresh one), whose ``api`` is set to the
    URL the API listens on. On cancellation hypercorn stops taking connections and
    requests in flight are cancelled with it.
    """
    host, port = check_bind(config)
    sock = bind_socket(host, port)
    address = Address(*sock.getsockname()[:2])
    ops = TaskOperations(store=store, status=status, config=config, farm=farm)
    hosts = HostRule(host, address.port, config.allowed_hosts)
    if views is None:
        views = PhoneViews(farm=farm, store=store, config=config)
    views.api = public_url(address)
    app = create_app(
        ops, config=config, token=config.api_token, hosts=hosts, metrics=metrics, views=views
    )
    hc = HypercornConfig()
    hc.bind = [f"fd://{sock.detach()}"]
    # Each request's line: client, method, path without its query (?token=), status, bytes,
    # seconds, at DEBUG (a dashboard polling every second would fill an INFO log).
    hc.accesslog = logging.getLogger("hypercorn.access")
    hc.access_log_format = '%(h)s "%(m)s %(U)s HTTP/%(H)s" %(s)s %(b)s %(L)ss'
    hc.logger_class = AccessAtDebug
    hc.errorlog = logging.getLogger("hypercorn.error")
    hc.graceful_timeout = 2.0
    hc.keep_alive_timeout = 30.0
    async with trio.open_nursery() as nursery:
        await nursery.start(partial(serve, app, hc))
        log.info("HTTP API on %s%s", address.url, " (token required)" if config.api_token else "")
        task_status.started(address)
