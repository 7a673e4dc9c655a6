"""The API's answers: the ``{code, message, data}`` envelope, its ``data`` shapes and its errors.

Source: docs/spec/local-api.md, "Base and envelope" and "Endpoints". Every answer of the shim, success
or error, is built here, so the OpenAPI document (generated from these models) describes exactly
what goes over the wire.

- Success: HTTP 200, ``{"code": 0, "message": "success", "data": <endpoint's data>}``.
- Error: :class:`ApiError` (raised anywhere in a request) becomes HTTP ``status_of(code)`` with
  ``{"code": <code>, "message": <one sentence>, "data": null | {"errors": [{pointer, message}]}}``.
  The HTTP status mirrors the code (ours): 400 for 4000x, 403 for 40301, 404 for 40401, 405 for
  40501, 500 for 50001.
"""

from __future__ import annotations

import json
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from runner.errors import (
    FORBIDDEN,
    INTERNAL_ERROR,
    INVALID_PARAMETERS,
    MISSING_SCRIPT_NAME,
    NO_ACCOUNT,
    NOT_FOUND,
    SCRIPT_UNAVAILABLE,
    ErrorDetail,
    IntakeError,
)
from runner.models import TaskRecord

METHOD_NOT_ALLOWED = 40501  # ours: an endpoint that exists, asked with another method

T = TypeVar("T")

SUCCESS_MESSAGE = "success"


def status_of(code: int) -> int:
    """HTTP status of an API code (docs/spec/local-api.md, "Base and envelope", ours)."""
    if code == 0:
        return 200
    return {FORBIDDEN: 403, NOT_FOUND: 404, METHOD_NOT_ALLOWED: 405, INTERNAL_ERROR: 500}.get(
        code, 400
    )


class ApiError(Exception):
    """An error answer: ``code`` (docs/spec/local-api.md codes), a ``message`` a person can act on,
    and optional ``details`` (JSON pointers into the request)."""

    def __init__(
        self,
        code: int,
        message: str,
        details: list[ErrorDetail] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = list(details or [])
        self.headers = headers or {}

    @classmethod
    def from_intake(cls, err: IntakeError) -> ApiError:
        """The same code, message and pointers as the spool's error files."""
        return cls(err.code, err.message, err.details)


class JsonResponse(Response):
    """A compact UTF-8 JSON response (non-ASCII kept as is)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def ok(data: Any, message: str = "") -> JsonResponse:
    """A success answer carrying ``data`` (already JSON-able); ``message`` replaces "success"
    where the answer needs a word (a task without a result yet)."""
    return JsonResponse({"code": 0, "message": message or SUCCESS_MESSAGE, "data": data})


def error_response(err: ApiError) -> JsonResponse:
    """The envelope of an error, with its mirrored HTTP status."""
    data = {"errors": [d.as_dict() for d in err.details]} if err.details else None
    return JsonResponse(
        {"code": err.code, "message": err.message, "data": data},
        status_code=status_of(err.code),
        headers=err.headers,
    )


# ------------------------------------------------------------------------------- the models


class Envelope(BaseModel, Generic[T]):
    """A success answer: ``code`` 0, ``message`` "success", the endpoint's ``data``."""

    code: Literal[0] = 0
    message: str = SUCCESS_MESSAGE
    data: T


class ErrorItem(BaseModel):
    """One problem in the request: a JSON pointer (RFC 6901; ``""`` for the whole body,
    ``/query/<name>`` or ``/path/<name>`` for parameters) and what is wrong there."""

    pointer: str
    message: str


class ErrorData(BaseModel):
    """Every problem found, for an answer about invalid input."""

    errors: list[ErrorItem]


def _error_model(name: str, codes: tuple[int, ...], doc: str) -> type[BaseModel]:
    code_type = Literal[codes]  # type: ignore[valid-type]
    return type(
        name,
        (BaseModel,),
        {
            "__doc__": doc,
            "__annotations__": {"code": code_type, "message": str, "data": ErrorData | None},
            "data": None,
        },
    )


BadRequest = _error_model(
    "BadRequest",
    (INVALID_PARAMETERS, MISSING_SCRIPT_NAME, SCRIPT_UNAVAILABLE, NO_ACCOUNT),
    "HTTP 400: 40001 invalid parameters (a body not sent as application/json too), 40002 "
    "script_name missing, 40003 script unknown or "
    "not available through the API, 40004 no account. ``data.errors`` lists each problem.",
)
Forbidden = _error_model(
    "Forbidden",
    (FORBIDDEN,),
    "HTTP 403: 40301, a missing or wrong API token, a foreign Origin, or a Host that does not "
    "name the API.",
)
NotFound = _error_model(
    "NotFound", (NOT_FOUND,), "HTTP 404: 40401, no such task (or no such endpoint)."
)
MethodNotAllowed = _error_model(
    "MethodNotAllowed", (METHOD_NOT_ALLOWED,), "HTTP 405: 40501, the endpoint takes other methods."
)
InternalError = _error_model(
    "InternalError", (INTERNAL_ERROR,), "HTTP 500: 50001, an unexpected error (logged)."
)


def error_responses(*, not_found: bool = False) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of an endpoint (for FastAPI's ``responses=``)."""
    out: dict[int | str, dict[str, Any]] = {
        400: {"model": BadRequest, "description": "Invalid input"},
        403: {
            "model": Forbidden,
            "description": "Missing or wrong API token, foreign Origin or Host",
        },
        500: {"model": InternalError, "description": "Unexpected error"},
    }
    if not_found:
        out[404] = {"model": NotFound, "description": "No such task"}
    return dict(sorted(out.items(), key=lambda kv: str(kv[0])))


# --------------------------------------------------------------------------- the data shapes


class CreatedTasks(BaseModel):
    """``POST /task``: the new tasks' ids in ``job_count`` order, and how many."""

    task_ids: list[int]
    created_count: int = Field(ge=0)


class TaskPage(BaseModel):
    """``GET /task``: one page of tasks in id order; ``total`` counts every match."""

    model_config = ConfigDict(populate_by_name=True)

    items: list[TaskRecord] = Field(alias="list")
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    page_size: int = Field(ge=1, le=100)


class DeletedTask(BaseModel):
    """``DELETE /task/{task_id}``."""

    task_id: int
    deleted: Literal[True] = True


class DeletedTasks(BaseModel):
    """``DELETE /task/batch``: the ids actually deleted (unknown ids are skipped)."""

    deleted_count: int = Field(ge=0)
    task_ids: list[int]


class RetriedTasks(BaseModel):
    """``POST /task/retry-all``."""

    retried_count: int = Field(ge=0)


class TaskStats(BaseModel):
    """``GET /task/stats``: tasks per status, and all of them."""

    total: int = Field(ge=0)
    pending: int = Field(ge=0)
    running: int = Field(ge=0)
    completed: int = Field(ge=0)
    failed: int = Field(ge=0)


class LicenseInfo(BaseModel):
    """``GET /license/check`` (ours: tikrunner has no plans; everything is enabled)."""

    plan_name: str
    api_enabled: bool
    device_limit: int
    message: str


class BatchDeleteBody(BaseModel):
    """Body of ``DELETE /task/batch``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    task_ids: list[int] = Field(min_length=1, max_length=10_000)
