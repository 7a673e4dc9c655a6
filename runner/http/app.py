"""The FastAPI app of TikMatrix's local API under ``/api/v1`` (docs/spec/local-api.md, "Endpoints").

``create_app(ops, config=..., token=...)`` gives an ASGI app whose every answer is the
``{code, message, data}`` envelope with the mirrored HTTP status, including FastAPI's and
Starlette's own errors:

- invalid query or path parameters (FastAPI's 422): 40001, HTTP 400, pointers ``/query/<name>``;
- an unknown route: 40401, HTTP 404; a known route asked with another method: 40501, HTTP 405
  (ours) with an ``Allow`` header;
- a missing or wrong API token (when one is configured), a refused ``Host`` or ``Origin``: 40301,
  HTTP 403;
- a request body that is not ``Content-Type: application/json``: 40001, HTTP 400;
- any unexpected exception: 50001, HTTP 500, logged with its traceback; the message says nothing
  about internals.

Web pages the operator opens must not drive the API (issue 10, runner/http/security.py,
:class:`BrowserGuard`): a ``Host`` that does not name this API or a foreign ``Origin`` is 40301
(HTTP 403), and a body whose ``Content-Type`` is not ``application/json`` is 40001. Bodies are read
through the spool's safe parser, with the same size and nesting caps. A path with a trailing slash
is not redirected (a redirect's ``Location`` would come from the ``Host`` header): it is 40401,
naming the path without the slash. Routes are declared in the order the spec requires: ``/task/batch``, ``/task/stats`` and
``/task/retry-all`` before ``/task/{task_id}`` (whose id must be digits, so ``GET /task/batch`` is
a 405, not a bad id). ``GET /accounts`` and ``GET /devices[/{serial}]`` are runner/http/devices.py's,
``GET /runners`` runner/http/farmview.py's, ``GET /manifests`` runner/http/manifests.py's.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import trio
from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from pydantic import BeforeValidator, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from runner import schemagen
from runner.config import RunnerConfig
from runner.errors import (
    INTERNAL_ERROR,
    INVALID_PARAMETERS,
    NOT_FOUND,
    ErrorDetail,
    IntakeError,
)
from runner.http.devices import PhoneViews, phone_router
from runner.http.envelope import (
    METHOD_NOT_ALLOWED,
    ApiError,
    BatchDeleteBody,
    CreatedTasks,
    DeletedTask,
    DeletedTasks,
    Envelope,
    LicenseInfo,
    RetriedTasks,
    TaskPage,
    TaskStats,
    error_response,
    error_responses,
    ok,
)
from runner.http.farmview import runners_router
from runner.http.manifests import manifest_router
from runner.http.security import BrowserGuard, HostRule, TokenGuard
from runner.http.tasklog import tasklog_router
from runner.http.taskops import TaskOperations
from runner.models import TaskRecord
from runner.web.dashboard import dashboard_router
from runner.web.docs import docs_router
from runner.web.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from runner.web.metrics import HttpMetrics, RunnerMetrics
from runner.yamlsafe import load_document

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
SOURCES = ("api", "spool", "workflow")
DRAIN_LIMIT = 64 * 1024 * 1024  # bytes of an oversized body read before giving up on the client


# Named envelopes, so the OpenAPI document reads well.
class CreatedTasksAnswer(Envelope[CreatedTasks]):
    """Answer of ``POST /task``."""


class TaskPageAnswer(Envelope[TaskPage]):
    """Answer of ``GET /task``."""


class TaskAnswer(Envelope[TaskRecord]):
    """Answer carrying one task object."""


class TaskResultAnswer(Envelope[dict[str, Any] | None]):
    """Answer of ``GET /task/{task_id}/result``: the task's ``result`` (null, with a message
    saying why, while it has none)."""


class DeletedTaskAnswer(Envelope[DeletedTask]):
    """Answer of ``DELETE /task/{task_id}``."""


class DeletedTasksAnswer(Envelope[DeletedTasks]):
    """Answer of ``DELETE /task/batch``."""


class RetriedTasksAnswer(Envelope[RetriedTasks]):
    """Answer of ``POST /task/retry-all``."""


class TaskStatsAnswer(Envelope[TaskStats]):
    """Answer of ``GET /task/stats``."""


class LicenseAnswer(Envelope[LicenseInfo]):
    """Answer of ``GET /license/check``."""


def _blank_is_absent(value: Any) -> Any:
    """``?status=`` (an empty value, as query builders send for "any") means no filter."""
    return None if value == "" else value


StatusFilter = Annotated[
    Annotated[int, Field(ge=0, le=3)] | None, BeforeValidator(_blank_is_absent)
]
OptionalStr = Annotated[str | None, BeforeValidator(_blank_is_absent)]


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 40001 when longer than ``limit`` bytes.

    An oversized body is still read (and dropped) up to ``DRAIN_LIMIT`` bytes, so the client,
    still sending, gets the answer instead of a reset connection."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif size > DRAIN_LIMIT:
            break
    if size > limit:
        raise ApiError(INVALID_PARAMETERS, f"the body is larger than {limit} bytes")
    return b"".join(chunks)


def create_app(
    ops: TaskOperations,
    *,
    config: RunnerConfig,
    token: str | None,
    hosts: HostRule,
    metrics: RunnerMetrics | None = None,
    views: PhoneViews | None = None,
) -> FastAPI:
    """The API app over ``ops``; ``token`` (None: no token) guards every ``/api/`` path and
    ``/metrics``; ``hosts`` says which ``Host`` and ``Origin`` values name the API (every path).
    ``metrics``: what ``/metrics`` shows, and where every HTTP answer is counted (None: a fresh
    ``RunnerMetrics`` over ``ops``' store and farm). ``views``: the phones, accounts and runners
    views (the runner's, whose ``publish`` its heartbeat sends; None: a fresh one over ``ops``).

    ``/openapi.json`` and ``/docs`` stay open to the token: they describe the API and carry no
    data.
    """
    app = FastAPI(
        redirect_slashes=False,
        title="tikrunner: TikMatrix local API",
        version="1",
        description="TikMatrix's local REST API as served by tikrunner. Every answer is "
        "`{code, message, data}`; `code` 0 is success and the HTTP status mirrors the code "
        "(400 for 4000x, 403 for 40301, 404 for 40401, 405 for 40501, 500 for 50001). "
        "When an API token is configured, send it as `Authorization: Bearer <token>` "
        "(or `X-API-Token: <token>`, or `?token=<token>`). Request bodies must be sent as "
        "`Content-Type: application/json` (else 40001); a request from a web page of another "
        "origin, or with a `Host` that does not name the API, is refused (40301).",
        docs_url=None,  # runner/web/docs.py serves /docs from the package (no CDN)
        redoc_url=None,
    )
    app.include_router(docs_router(title=app.title))
    router = APIRouter(prefix=API_PREFIX)
    limit = config.max_manifest_bytes

    @router.get(
        "/license/check",
        response_model=LicenseAnswer,
        responses=error_responses(),
        summary="Plan and API access",
    )
    async def license_check() -> Any:
        """Always the open-source plan with the API enabled (docs/spec/local-api.md, ours)."""
        return ok(
            {
                "plan_name": "Open Source",
                "api_enabled": True,
                "device_limit": config.device_limit,
                "message": "tikrunner: every API feature is available",
            }
        )

    @router.post(
        "/task",
        response_model=CreatedTasksAnswer,
        responses=error_responses(),
        summary="Create tasks",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/CreateTaskBody"}}
                },
            }
        },
    )
    async def create_task(request: Request) -> Any:
        """Fan the body out into tasks (one per unit and target) and commit all or none."""
        return ok(await ops.create(await read_body(request, limit)))

    @router.get(
        "/task",
        response_model=TaskPageAnswer,
        responses=error_responses(),
        summary="List tasks",
    )
    async def list_tasks(
        status: Annotated[
            StatusFilter,
            Query(
                description="0 pending, 1 running, 2 completed, 3 failed; empty: any",
                json_schema_extra={
                    "anyOf": [
                        {"type": "integer", "minimum": 0, "maximum": 3},
                        {"type": "string", "enum": [""]},
                    ]
                },
            ),
        ] = None,
        serial: Annotated[OptionalStr, Query()] = None,
        script_name: Annotated[OptionalStr, Query()] = None,
        source: Annotated[
            OptionalStr,
            Query(
                description="api, spool or workflow; empty: any",
                json_schema_extra={"enum": [*SOURCES, ""]},
            ),
        ] = None,
        manifest: Annotated[
            OptionalStr, Query(description="(ours) the manifest's name; empty: any")
        ] = None,
        page: Annotated[int, Query(ge=1, description="1-based")] = 1,
        page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> Any:
        """Tasks matching every filter given, in id order; ``total`` counts all matches."""
        if source is not None and source not in SOURCES:
            raise ApiError(
                INVALID_PARAMETERS,
                f"invalid parameters: /query/source: must be one of {', '.join(SOURCES)}",
                [ErrorDetail("/query/source", f"must be one of {', '.join(SOURCES)}")],
            )
        return ok(
            await ops.list(
                status=status,
                serial=serial,
                script_name=script_name,
                source=source,
                manifest=manifest,
                page=page,
                page_size=page_size,
            )
        )

    @router.delete(
        "/task/batch",
        response_model=DeletedTasksAnswer,
        responses=error_responses(),
        summary="Delete tasks",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/BatchDeleteBody"}}
                },
            }
        },
    )
    async def delete_batch(request: Request) -> Any:
        """Stop the running ones first, then delete; answers the ids actually deleted."""
        raw = await read_body(request, limit)
        try:
            doc = load_document(
                raw, filename="request.json", max_bytes=limit, max_depth=config.max_nesting
            )
            body = BatchDeleteBody.model_validate(doc)
        except IntakeError as e:
            raise ApiError.from_intake(e) from None
        except ValidationError as e:
            raise _invalid(e.errors(include_url=False), "") from None
        return ok(await ops.delete_batch(body.task_ids))

    @router.get(
        "/task/stats", response_model=TaskStatsAnswer, responses=error_responses(), summary="Counts"
    )
    async def task_stats() -> Any:
        """Tasks per status, and all of them."""
        return ok(await ops.stats())

    @router.post(
        "/task/retry-all",
        response_model=RetriedTasksAnswer,
        responses=error_responses(),
        summary="Retry every failed task",
    )
    async def retry_all() -> Any:
        """Every failed task back to pending, ``retry_count`` + 1."""
        return ok(await ops.retry_all())

    @router.get(
        "/task/{task_id:int}",
        response_model=TaskAnswer,
        responses=error_responses(not_found=True),
        summary="One task",
    )
    async def get_task(task_id: int) -> Any:
        """The task object."""
        return ok(await ops.get(task_id))

    @router.get(
        "/task/{task_id:int}/result",
        response_model=TaskResultAnswer,
        responses=error_responses(not_found=True),
        summary="What a task read",
    )
    async def get_task_result(task_id: int) -> Any:
        """(ours) The task's ``result``: what its script read (scrape_user: the profile), a
        JSON object. A task without one yet: ``data`` null, ``message`` saying why (not run
        yet, running, or a script that stores none); an unknown task: 40401."""
        result, why = await ops.result(task_id)
        return ok(result, why)

    @router.delete(
        "/task/{task_id:int}",
        response_model=DeletedTaskAnswer,
        responses=error_responses(not_found=True),
        summary="Delete a task",
    )
    async def delete_task(task_id: int) -> Any:
        """Stops it first if it is running, then deletes it."""
        return ok(await ops.delete(task_id))

    @router.post(
        "/task/{task_id:int}/stop",
        response_model=TaskAnswer,
        responses=error_responses(not_found=True),
        summary="Stop a task",
    )
    async def stop_task(task_id: int) -> Any:
        """A pending or running task ends failed with remark ``stopped``; an ended one: 40001."""
        return ok(await ops.stop(task_id))

    @router.post(
        "/task/{task_id:int}/retry",
        response_model=TaskAnswer,
        responses=error_responses(not_found=True),
        summary="Retry a failed task",
    )
    async def retry_task(task_id: int) -> Any:
        """A failed task back to pending, ``retry_count`` + 1; any other: 40001."""
        return ok(await ops.retry(task_id))

    if metrics is None:
        metrics = RunnerMetrics(ops.store, ops.farm)

    @app.get("/metrics", include_in_schema=False)
    async def metrics_text() -> Response:
        """Prometheus' text format (docs/spec/local-api.md, "Metrics"), outside the envelope."""
        body = await trio.to_thread.run_sync(metrics.render)
        return Response(body, media_type=METRICS_CONTENT_TYPE)

    if views is None:
        views = PhoneViews(farm=ops.farm, store=ops.store, config=config)
    router.include_router(phone_router(views))
    router.include_router(runners_router(views))
    router.include_router(manifest_router(ops.store, ops.tz))
    app.include_router(router)
    app.include_router(tasklog_router(ops, API_PREFIX))
    app.include_router(dashboard_router())
    _install_error_handlers(app)
    app.add_middleware(TokenGuard, token=token, prefix="/api/")
    app.add_middleware(TokenGuard, token=token, prefix="/metrics")
    app.add_middleware(BrowserGuard, rule=hosts)
    app.add_middleware(CatchAll)
    app.add_middleware(
        HttpMetrics, metrics=metrics, routes=lambda: [*app.router.routes, *router.routes]
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


# ------------------------------------------------------------------------------------- errors


def _invalid(errors: list[Any], location: str) -> ApiError:
    details = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        if location == "request" and loc and loc[0] == "body":
            loc = loc[1:]
        pointer = "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in loc)
        details.append(ErrorDetail(pointer, str(err.get("msg", "invalid"))))
    details = list(dict.fromkeys(details)) or [ErrorDetail("", "invalid input")]
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    first = details[0]
    return ApiError(
        INVALID_PARAMETERS,
        f"invalid parameters: {first.pointer or '/'}: {first.message}{more}",
        details,
    )


def _install_error_handlers(app: FastAPI) -> None:
    async def api_error(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, ApiError)
        return error_response(exc)

    async def validation_error(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, RequestValidationError)
        return error_response(_invalid(list(exc.errors()), "request"))

    async def http_error(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, StarletteHTTPException)
        where = f"{request.method} {request.url.path}"
        if exc.status_code == 404:
            hint = _without_slash(request)
            err = ApiError(NOT_FOUND, f"no such endpoint: {where}{hint}")
        elif exc.status_code == 405:
            err = ApiError(
                METHOD_NOT_ALLOWED, f"method not allowed: {where}", headers=dict(exc.headers or {})
            )
        elif exc.status_code >= 500:
            err = ApiError(INTERNAL_ERROR, "internal error")
        else:
            err = ApiError(INVALID_PARAMETERS, f"invalid request: {exc.detail}")
        return error_response(err)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)


def _without_slash(request: Request) -> str:
    """`` (did you mean PATH?)`` when the path without its trailing slash is an endpoint."""
    path = request.url.path
    if len(path) < 2 or not path.endswith("/"):
        return ""
    bare = path.rstrip("/")
    scope = {**request.scope, "path": bare}
    for route in request.app.router.routes:
        match, _ = route.matches(scope)
        if match != Match.NONE:
            return f" (without the trailing slash: {bare})"
    return ""


class CatchAll:
    """ASGI middleware: an exception that escaped a route becomes 50001 (HTTP 500), logged with
    its traceback; the answer names no internals."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))
            if not started:
                response = error_response(
                    ApiError(INTERNAL_ERROR, "internal error; the runner's log has the details")
                )
                await response(scope, receive, send)


# ------------------------------------------------------------------------------------ openapi


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, made truthful: no 422 answers (they come back as 400), the
    create-task body's real schema (generated from the models, as the spool's), and the token."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for path_item in doc.get("paths", {}).values():
        for operation in path_item.values():
            operation.get("responses", {}).pop("422", None)
            if "parameters" in operation or "requestBody" in operation:
                operation.setdefault("responses", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.update(_create_task_components())
    schemas["BatchDeleteBody"] = BatchDeleteBody.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer"},
        "header": {"type": "apiKey", "in": "header", "name": "X-API-Token"},
        "query": {"type": "apiKey", "in": "query", "name": "token"},
    }
    for path, path_item in doc.get("paths", {}).items():
        if path.startswith(API_PREFIX):
            for operation in path_item.values():
                operation["security"] = [{}, {"bearer": []}, {"header": []}, {"query": []}]
    app.openapi_schema = doc
    return doc


def _create_task_components() -> dict[str, Any]:
    """The create-task schema (as the spool validates it) as OpenAPI components.

    One change of form, not of meaning: the schema's per-script ``if``/``then`` pairs (script_name
    X -> script_config must be X's config) become one ``anyOf`` of (script_name X and X's config).
    ``script_name`` is required and one of those names, so both admit the same bodies; but tools
    that expand ``if``/``then`` (schemathesis, through jsonschema_rs's canonical form) give up at
    six scripts (2^6 combinations), while the ``anyOf`` grows with the number of scripts. The
    spool and the API validate against the ``if``/``then`` form, whose errors name the config
    field (``/script_config/nickname``)."""
    import copy
    import json

    schema = copy.deepcopy(schemagen.create_task_schema())
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    per_script = [rule for rule in schema.get("allOf", []) if "if" in rule]
    flat = all(set(rule) == {"if", "then"} for rule in per_script)  # an if/then/else chain: kept
    if per_script and flat and "script_name" in schema.get("required", []):
        schema["allOf"] = [rule for rule in schema["allOf"] if "if" not in rule]
        schema["allOf"].append(
            {
                "anyOf": [
                    {
                        "properties": {
                            "script_name": rule["if"]["properties"]["script_name"],
                            "script_config": rule["then"]["properties"]["script_config"],
                        }
                    }
                    for rule in per_script
                ]
            }
        )
    defs = schema.pop("$defs", {})
    text = json.dumps({"CreateTaskBody": schema, **defs})
    return json.loads(text.replace('"#/$defs/', '"#/components/schemas/'))
