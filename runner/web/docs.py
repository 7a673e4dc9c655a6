"""``/docs``: Swagger UI over ``/openapi.json``, served from the package (issue 11, item 5).

FastAPI's own ``/docs`` page loads Swagger UI's script and style from a CDN and its icon from
FastAPI's site, so it is blank on a machine without internet. Here the page
(``fastapi.openapi.docs.get_swagger_ui_html``) points at :data:`ASSET_PREFIX` paths of this app,
answered from ``runner/web/static/swagger/`` (swagger-ui-dist 5.x, vendored with its licence:
see the README there), and Swagger UI's online validator is off: nothing is fetched from another
host. The pages carry no data, so the API token does not guard them; the browser guard (Host,
Origin) applies as to every path.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import trio
from fastapi import APIRouter, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.exceptions import HTTPException

DOCS_PATH = "/docs"
ASSET_PREFIX = "/docs/assets/"
SWAGGER_DIR = Path(__file__).parent / "static" / "swagger"
#: The files served under :data:`ASSET_PREFIX`, with their media types; nothing else is.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "LICENSE": "text/plain; charset=utf-8",
    "NOTICE": "text/plain; charset=utf-8",
}


@cache
def _asset(name: str) -> bytes:
    return (SWAGGER_DIR / name).read_bytes()


def docs_router(*, title: str, openapi_url: str = "/openapi.json") -> APIRouter:
    """The routes ``GET /docs`` (the Swagger UI page, HTML) and ``GET /docs/assets/{name}``
    (one of :data:`ASSETS`, its bytes and media type, cacheable for an hour; any other name:
    HTTP 404, which the API's handlers answer as 40401). ``title``: the page's title;
    ``openapi_url``: the document the page shows (under the request's ``root_path``)."""
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS_PATH)
    async def swagger_page(request: Request) -> Response:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=title,
            swagger_js_url=f"{root}{ASSET_PREFIX}swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSET_PREFIX}swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSET_PREFIX}favicon-32x32.png",
            oauth2_redirect_url=None,
            swagger_ui_parameters={"validatorUrl": None},  # never ask validator.swagger.io
        )

    @router.get(ASSET_PREFIX + "{name}")
    async def swagger_asset(name: str) -> Response:
        media_type = ASSETS.get(name)
        if media_type is None:
            raise HTTPException(404)
        body = await trio.to_thread.run_sync(_asset, name)
        return Response(body, media_type=media_type, headers={"Cache-Control": "max-age=3600"})

    return router
