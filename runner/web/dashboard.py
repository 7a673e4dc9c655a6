"""The dashboard: the operator's view in a browser, at ``/`` of the API's own server (issue 11,
item 5; docs/design.md, "Layout").

Plain HTML, CSS and JavaScript files shipped in the package (``runner/web/static/dashboard/``),
nothing fetched from elsewhere, so it works offline. The page holds no data: its script reads the
public API (``/api/v1/devices``, ``/accounts``, ``/task`` with filters, ``/task/{id}``, ``/log``,
``/artifacts``, ``/task/stats``, ``/manifests``; stop and retry) from the same origin, which the
browser guard (runner/http/security.py) lets through, and refreshes by short polling (every 2 s
while the tab is visible). So the page itself is public, as ``/docs`` is; when an API token is
set, the script asks for it (or takes ``?token=`` once, then drops it from the address bar), keeps
it in the tab's ``sessionStorage`` and sends it as ``Authorization: Bearer``; without it every
data call is 40301.

Served here:

- ``GET /``: ``index.html``;
- ``GET /ui/{name}``: the page's script, style sheet and icon (a fixed list; anything else 40401).

Every answer carries ``Content-Security-Policy`` (scripts, styles, fetches only from this
origin, images also from ``blob:`` URLs the script makes of a screenshot it fetched with the
token; no inline script or style; no framing), ``X-Content-Type-Options: nosniff``,
``Referrer-Policy: no-referrer`` (a ``?token=`` never leaves in a Referer) and an ``ETag``
(``Cache-Control: no-cache``: the browser revalidates, a reload costs a 304).
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request, Response

from runner.errors import NOT_FOUND
from runner.http.envelope import ApiError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""The dashboard's Content-Security-Policy (CSP level 3 directives)."""

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}

FILES = {
    "index.html": "text/html; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
"""The files of ``runner/web/static/dashboard/`` served, by name, with their content type."""


class StaticFile:
    """One file of the dashboard, read once: ``body`` (bytes), ``media_type``, ``etag``."""

    def __init__(self, name: str, media_type: str):
        folder = resources.files("runner.web").joinpath("static", "dashboard")
        self.body = folder.joinpath(name).read_bytes()
        self.media_type = media_type
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'

    def response(self, request: Request) -> Response:
        """200 with the file, or 304 when the request's ``If-None-Match`` names its ETag."""
        headers = {**SECURITY_HEADERS, "ETag": self.etag}
        sent = request.headers.get("if-none-match", "")
        if self.etag in {t.strip() for t in sent.split(",")}:
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


def dashboard_router() -> APIRouter:
    """The routes of ``GET /`` and ``GET /ui/{name}`` (outside the OpenAPI document: no data)."""
    files = {name: StaticFile(name, media) for name, media in FILES.items()}
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    async def index(request: Request) -> Any:
        """The dashboard's page."""
        return files["index.html"].response(request)

    @router.get("/ui/{name}")
    async def asset(name: str, request: Request) -> Any:
        """The page's script, style sheet or icon; 40401 for any other name."""
        item = files.get(name)
        if item is None or name == "index.html":
            raise ApiError(NOT_FOUND, f"no dashboard file {name[:100]!r}")
        return item.response(request)

    return router
