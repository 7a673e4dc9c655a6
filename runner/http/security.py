"""The optional API token, the rule about where the API may listen without one, and the guard that
keeps web pages from driving the API.

Source: docs/spec/local-api.md, "Base and envelope" (40301, ours: a missing or wrong token when one is
configured; a refused Host or Origin; 40001 for a body that is not ``application/json``), issue 3
and issue 10. The token comes from the config's ``api_token`` or ``TIKRUNNER_API_TOKEN``
and is accepted as ``Authorization: Bearer <token>`` (what most clients send), ``X-API-Token:
<token>`` (for clients that cannot set Authorization) or ``?token=<token>`` (for a quick curl or a
browser). The token is compared in constant time and never logged.
"""

from __future__ import annotations

import hmac
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from runner.errors import FORBIDDEN, INVALID_PARAMETERS, ErrorDetail
from runner.http.envelope import ApiError, JsonResponse, error_response


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
            await refuse(response, scope, receive, send)
            return
        await self.app(scope, receive, send)


#: How much of a refused request's body is read (and dropped) so that the connection can carry
#: the client's next request; past it the answer says ``Connection: close``.
DRAIN_LIMIT = 1024 * 1024


async def refuse(response: JsonResponse, scope: Scope, receive: Receive, send: Send) -> None:
    """Send ``response`` (an error answered before any route runs) so that the client's next
    request on the same keep-alive connection is not lost.

    A server that answers before reading the request's body cannot reuse the connection (h11,
    hypercorn's HTTP/1.1 layer, then closes it), and a client that already sent its next request
    on it sees "Server disconnected without sending a response". So the body is read and dropped,
    up to ``DRAIN_LIMIT`` bytes; a longer body is left unread and the answer carries
    ``Connection: close``, which tells the client not to reuse the connection (RFC 9112, 9.6)."""
    if _carries_body(scope):
        read = 0
        while read <= DRAIN_LIMIT:
            message = await receive()
            if message["type"] != "http.request":
                break
            read += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
        else:
            response.headers["connection"] = "close"
    await response(scope, receive, send)


# --------------------------------------------------------------------------- the browser guard


def _split_host(text: str) -> tuple[str, int | None] | None:
    """``"name"``, ``"name:port"``, ``"[v6]"`` or ``"[v6]:port"`` to (lower-cased host, port or
    None); None when it is not of that shape (a port that is not digits, an unclosed bracket)."""
    text = text.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else None
    else:
        host, sep, port_text = text.rpartition(":") if ":" in text else (text, "", None)
        if sep and ":" in host:  # a bare IPv6 address without brackets: no port
            host, port_text = text, None
    if port_text is not None and not (
        port_text.isascii() and port_text.isdigit() and int(port_text) <= 65535
    ):
        return None
    if not host:
        return None
    return host.rstrip(".").lower(), int(port_text) if port_text is not None else None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class HostRule:
    """Which ``Host`` header values (and so which ``Origin`` values) name this API.

    ``bound_host`` and ``port`` are where the API listens (the real port). Accepted, compared
    case-insensitively: ``localhost`` and the bound address itself (a bound name: also the
    addresses it resolves to when the API starts), each with ``port`` (or without
    a port when ``port`` is 80); when the bound address is a wildcard (``0.0.0.0``, ``::``), any
    IP address literal with ``port`` (a page reached by IP address is the API's own origin; DNS
    rebinding needs a name). ``allowed`` (the config's ``allowed_hosts``) adds names: an entry
    ``name`` accepts that name with any port (behind a reverse proxy), ``name:port`` only that
    port. Source: issue 10 (DNS rebinding)."""

    def __init__(self, bound_host: str, port: int, allowed: Iterable[str] = ()):
        self.port = port
        bound = bound_host.strip("[]").lower()
        self.wildcard = bound in ("0.0.0.0", "::", "")
        self.names = {"localhost", bound}
        if not self.wildcard and not _is_ip(bound):  # a name (--http localhost:P): its addresses
            try:
                infos = socket.getaddrinfo(bound, port, type=socket.SOCK_STREAM)
            except OSError:
                infos = []
            self.names |= {str(info[4][0]).split("%")[0].lower() for info in infos}
        self.any_port: set[str] = set()
        self.exact: set[tuple[str, int]] = set()
        for entry in allowed:
            parsed = _split_host(entry)
            if parsed is None:
                continue
            name, entry_port = parsed
            if entry_port is None:
                self.any_port.add(name)
            else:
                self.exact.add((name, entry_port))

    def accepts(self, host: str, port: int | None, *, default_port: int = 80) -> bool:
        """True when ``host`` (lower-cased, brackets stripped) with ``port`` (None: the scheme's
        ``default_port``) names this API."""
        real_port = default_port if port is None else port
        if host in self.any_port or (host, real_port) in self.exact:
            return True
        if real_port != self.port:
            return False
        return host in self.names or (self.wildcard and _is_ip(host))

    def accepts_header(self, value: str) -> bool:
        """True for a ``Host`` header value naming this API (see the class docstring)."""
        parsed = _split_host(value)
        return parsed is not None and self.accepts(*parsed)

    def accepts_origin(self, value: str) -> bool:
        """True for an ``Origin`` header naming this API: ``http://`` or ``https://`` and a host
        :meth:`accepts_header` would accept. ``null`` (sandboxed frames, files) never is."""
        try:
            parts = urlsplit(value.strip())
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            return False
        parsed = _split_host(parts.netloc)
        if parsed is None or "@" in parts.netloc:
            return False
        return self.accepts(*parsed, default_port=443 if parts.scheme == "https" else 80)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _carries_body(scope: Scope) -> bool:
    length = _header(scope, b"content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return _header(scope, b"transfer-encoding") is not None


def json_content_type_problem(value: str | None) -> str | None:
    """Why ``value`` (a ``Content-Type`` header, or None when absent) is not JSON the API reads,
    or None when it is: ``application/json``, optionally with ``charset=utf-8``."""
    if value is None:
        return "a request body needs Content-Type: application/json, and none was sent"
    media, _, params = value.partition(";")
    if media.strip().lower() != "application/json":
        return (
            f"a request body needs Content-Type: application/json, not {media.strip()!r} "
            "(curl: -H 'Content-Type: application/json'; PowerShell: -ContentType "
            "'application/json')"
        )
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            return f"the body must be UTF-8 JSON, not charset {val.strip()!r}"
    return None


class BrowserGuard:
    """ASGI middleware that keeps web pages the operator opens from driving the API (issue 10):

    - a ``Host`` header :class:`HostRule` does not accept: 40301, HTTP 403 (DNS rebinding);
    - an ``Origin`` header that is not the API's own (``null`` included): 40301, HTTP 403
      (cross-site requests; a request without ``Origin`` is not from a cross-site page);
    - a request carrying a body (``Content-Length`` above 0, or chunked) whose ``Content-Type``
      is not ``application/json`` (charset utf-8 allowed): 40001, HTTP 400, pointer
      ``/headers/content-type``; a browser cannot send that cross-site without asking first.

    Applies to every path (``/openapi.json`` and ``/docs`` included), before the token check."""

    def __init__(self, app: ASGIApp, *, rule: HostRule):
        self.app = app
        self.rule = rule

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        err = self.problem(scope)
        if err is not None:
            await refuse(error_response(err), scope, receive, send)
            return
        await self.app(scope, receive, send)

    def problem(self, scope: Scope) -> ApiError | None:
        """The refusal for this request, or None when it may go on."""
        host = _header(scope, b"host")
        if host is None or not self.rule.accepts_header(host):
            shown = "none" if host is None else repr(host[:100])
            return ApiError(
                FORBIDDEN,
                f"forbidden: Host {shown} does not name this API; use http://localhost:"
                f"{self.rule.port}/ or the address it listens on, or list the name under "
                "allowed_hosts in tikrunner.yaml",
            )
        origin = _header(scope, b"origin")
        if origin is not None and not self.rule.accepts_origin(origin):
            return ApiError(
                FORBIDDEN,
                f"forbidden: requests from the web page at {origin[:100]!r} are refused (the API "
                "only takes requests from its own origin or from clients that send no Origin)",
            )
        if _carries_body(scope):
            why = json_content_type_problem(_header(scope, b"content-type"))
            if why is not None:
                return ApiError(
                    INVALID_PARAMETERS,
                    f"invalid parameters: /headers/content-type: {why}",
                    [ErrorDetail("/headers/content-type", why)],
                )
        return None
