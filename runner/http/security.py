"""The optional API token, and the rule about where the API may listen without one.

Source: docs/spec/local-api.md, "Base and envelope" (40301, ours: a missing or wrong token when one is
configured) and issue 3. The token comes from the config's ``api_token`` or ``TIKRUNNER_API_TOKEN``
and is accepted as ``Authorization: Bearer <token>`` (what most clients send), ``X-API-Token:
<token>`` (for clients that cannot set Authorization) or ``?token=<token>`` (for a quick curl or a
browser). The token is compared in constant time and never logged.
"""

from __future__ import annotations

import hmac
import ipaddress
import socket
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from runner.errors import FORBIDDEN
from runner.http.envelope import ApiError, error_response


def is_loopback(host: str) -> bool:
    """True when ``host`` (an IP address or a name) only reaches this machine.

    ``localhost`` and names resolving only to loopback addresses count; ``0.0.0.0``, ``::`` and
    unresolvable names do not."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses
    )


def presented_tokens(scope: Scope) -> list[bytes]:
    """Every token the request carries: Bearer header, X-API-Token header, ``token`` query."""
    found = []
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, rest = value.partition(b" ")
            if scheme.lower() == b"bearer":
                found.append(rest.strip())
        elif name == b"x-api-token":
            found.append(value.strip())
    query = scope.get("query_string", b"")
    if b"token=" in query:
        for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if key == "token":
                found.append(value.encode("latin-1"))
    return found


class TokenGuard:
    """ASGI middleware: when ``token`` is set, a request to a path under ``prefix`` without it
    (or with a wrong one) is answered 40301, HTTP 403, before any route runs."""

    def __init__(self, app: ASGIApp, *, token: str | None, prefix: str = "/api/"):
        self.app = app
        self.token = token.encode("utf-8") if token else None
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.token is not None
            and scope["type"] == "http"
            and scope.get("path", "").startswith(self.prefix)
            and not any(hmac.compare_digest(t, self.token) for t in presented_tokens(scope))
        ):
            response = error_response(
                ApiError(
                    FORBIDDEN,
                    "forbidden: this runner needs its API token "
                    "(Authorization: Bearer <token>, X-API-Token or ?token=)",
                )
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
