"""``GET /api/v1/manifests`` (ours; docs/spec/local-api.md, "Endpoints"): the manifests the runner
knows, each with its phase, as their status files show it (runner/status.py), one page at a time.

A manifest is a name: every generation of a spool file of that name, the tasks of one ``POST
/task`` (``api-<first id>``), or a manifest of the workflows folder. Its phase is
:func:`runner.status.phase_of` over its task counts, or ``rejected`` for a name whose only trace
is a refused spool file (what ``build_status`` writes). Cheap with 100,000 tasks: the names come
from an index and only the page's names are counted (``Store.manifest_page``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import trio
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from runner.http.envelope import Envelope, TaskStats, error_responses, ok
from runner.models.task import local_time
from runner.status import phase_of

MAX_OFFSET = 2**63 - 1  # SQLite's largest integer


class ManifestError(BaseModel):
    """Why the manifest's last drop was refused (``code``: the API error code) or why its
    workflow file failed to apply (``code`` null)."""

    code: int | None
    message: str


class Manifest(BaseModel):
    """One manifest. ``phase``: as its status file (``pending`` none started, ``running``,
    ``completed``, ``failed`` any failed once none waits or runs, ``rejected`` refused and no
    task); ``source``: ``api``, ``spool`` or ``workflow``; ``kind``: the manifest's kind
    (``Task``, ``Workflow``, ...; null for a bare create-task body sent over HTTP);
    ``counts``: its tasks per status; ``last_time``: local time it last brought work in (its
    newest task created), was refused, or had its workflow file applied; ``file``: the spool or
    workflows file it came from (null for HTTP); ``error``: see :class:`ManifestError`."""

    name: str
    phase: Literal["pending", "running", "completed", "failed", "rejected"]
    source: str
    kind: str | None
    counts: TaskStats
    last_time: str | None
    file: str | None
    error: ManifestError | None


class ManifestPage(BaseModel):
    """A page of manifests, the latest first; ``total`` counts every manifest."""

    list: list[Manifest]
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    page_size: int = Field(ge=1, le=100)


class ManifestPageAnswer(Envelope[ManifestPage]):
    """Answer of ``GET /manifests``."""


def manifest_item(raw: dict[str, Any], tz: Any) -> dict[str, Any]:
    """A ``Store.manifest_page`` item as the API's manifest object (see :class:`Manifest`)."""
    counts = raw["counts"]
    refusal = raw["refusal"]
    workflow = raw["workflow"]
    if refusal is not None and not counts["total"] and workflow is None:
        phase = "rejected"
    else:
        phase = phase_of(counts)
    error = None
    if refusal is not None:
        error = {"code": refusal["code"], "message": refusal["message"]}
    elif workflow is not None and workflow.error:
        error = {"code": None, "message": workflow.error}
    if workflow is not None:
        file: str | None = Path(workflow.path).name
    elif refusal is not None and not counts["total"]:
        file = refusal["file"]
    else:
        file = raw.get("file")
    return {
        "name": raw["name"],
        "phase": phase,
        "source": raw["source"],
        "kind": raw["kind"],
        "counts": counts,
        "last_time": local_time(raw["at"], tz),
        "file": file,
        "error": error,
    }


def manifest_router(store: Any, tz: Any) -> APIRouter:
    """The route of ``GET /manifests`` over ``store`` (a :class:`runner.store.Store`), times in
    ``tz``; mounted under ``/api/v1`` by runner/http/app.py."""
    router = APIRouter()

    @router.get(
        "/manifests",
        response_model=ManifestPageAnswer,
        responses=error_responses(),
        summary="Manifests and their phase",
    )
    async def list_manifests(
        page: Annotated[int, Query(ge=1, description="1-based")] = 1,
        page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> Any:
        """Every manifest (spool files, HTTP requests, workflows), the latest first, with its
        phase and task counts."""
        offset = min((page - 1) * page_size, MAX_OFFSET)
        items, total = await trio.to_thread.run_sync(
            lambda: store.manifest_page(limit=page_size, offset=offset)
        )
        return ok(
            {
                "list": [manifest_item(i, tz) for i in items],
                "total": total,
                "page": page,
                "page_size": page_size,
            }
        )

    return router
