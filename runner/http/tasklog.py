"""A task's log and artifacts over the API (docs/spec/local-api.md, "Endpoints", ours; issue 11).

Every task writes ``spool/artifacts/<task_id>/task.log`` while it runs (runner/workers.py,
:class:`~runner.workers.TaskLog`); a failed task's folder also holds ``screenshot.jpg`` and
``hierarchy.xml`` (runner/devices/session.py, ``save_artifacts``). :func:`tasklog_router` serves:

- ``GET /task/{task_id}/log``: the log so far as ``text/plain; charset=utf-8`` (``?tail=N``: its
  last N lines); a known task with no log yet (still pending) answers an empty text;
- ``GET /task/{task_id}/artifacts``: the envelope with ``data`` a list of ``{name, size, url}``
  (size in bytes, url the path to fetch it from), sorted by name;
- ``GET /task/{task_id}/artifacts/{name}``: the file, with a content type from its extension.

An unknown task is 40401. Only regular files directly in the task's folder are listed or served:
a name with a slash, a leading dot or ``..`` is 40001; a symlink, a subfolder or anything that
resolves outside the folder is never listed and 40401 when asked for. Files are served with
``X-Content-Type-Options: nosniff`` and ``Content-Security-Policy: sandbox``, and only a few known
types are named (others are ``application/octet-stream``), so an artifact can never run as a page
of the API's origin. The token guard (runner/http/security.py) covers these paths as every
``/api/`` path.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Annotated, Any

import trio
from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, PlainTextResponse
from pydantic import BaseModel, Field

from runner.errors import INVALID_PARAMETERS, NOT_FOUND, ErrorDetail
from runner.http.envelope import ApiError, Envelope, error_responses, ok
from runner.http.taskops import TaskOperations
from runner.workers import TASK_LOG

# Extensions served with their own type; anything else is application/octet-stream.
CONTENT_TYPES = {
    ".log": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
FILE_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"}
MAX_TAIL = 100_000  # lines


class Artifact(BaseModel):
    """One file of a task's artifacts folder."""

    name: str
    size: int = Field(ge=0, description="bytes")
    url: str = Field(description="path of GET /api/v1/task/{task_id}/artifacts/{name}")


class ArtifactsAnswer(Envelope[list[Artifact]]):
    """Answer of ``GET /task/{task_id}/artifacts``."""


def task_folder(artifacts: Path, task_id: int) -> Path:
    """``artifacts/<task_id>`` (whether it exists or not)."""
    return artifacts / str(task_id)


def list_artifacts(folder: Path) -> list[tuple[str, int]]:
    """(name, size in bytes) of every regular file directly in ``folder``, by name; symlinks,
    subfolders, dot files and unreadable entries are left out; a missing folder, or one that is
    itself a symlink, is an empty list."""
    out = []
    try:
        if folder.is_symlink():  # a task folder pointing out of artifacts/: nothing of it
            return []
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and not entry.name.startswith("."):
            out.append((entry.name, info.st_size))
    return sorted(out)


def artifact_path(folder: Path, name: str) -> Path:
    """The real path of file ``name`` of ``folder``; raises ApiError 40001 for a name that is not
    a plain file name, 40401 when it is no regular file inside the folder (absent, a symlink, a
    folder, or resolving elsewhere)."""
    if not name or "/" in name or "\\" in name or "\0" in name or name.startswith("."):
        raise ApiError(
            INVALID_PARAMETERS,
            f"invalid parameters: /path/name: {name!r} is not a file name of the task's folder",
            [ErrorDetail("/path/name", "must be a file name: no slash, no leading dot")],
        )
    missing = ApiError(NOT_FOUND, f"no artifact {name!r} for this task")
    try:
        root = folder.resolve(strict=True)
        path = folder / name
        info = path.lstat()
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise missing from None
    inside = real.parent == root and root.parent == folder.parent.resolve()
    if not stat.S_ISREG(info.st_mode) or not inside:
        raise missing
    return real


def read_log(path: Path, tail: int | None) -> str:
    """The text of the log at ``path`` ('' when absent), or its last ``tail`` lines."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    if tail is not None:
        lines = text.splitlines(keepends=True)
        text = "".join(lines[-tail:]) if tail else ""
    return text


def json_errors() -> dict[int | str, dict[str, Any]]:
    """:func:`~runner.http.envelope.error_responses` (with 404) documented as JSON, also on a
    route whose success is not JSON (FastAPI would give them the route's media type)."""
    return {
        code: {
            "description": spec["description"],
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{spec['model'].__name__}"}
                }
            },
        }
        for code, spec in error_responses(not_found=True).items()
    }


def tasklog_router(ops: TaskOperations, prefix: str) -> APIRouter:
    """The log and artifact routes over ``ops`` (its store says which tasks exist, its config
    where the spool is), mounted under ``prefix`` (``/api/v1``)."""
    router = APIRouter(prefix=prefix)
    artifacts = Path(ops.config.spool) / "artifacts"

    async def known(task_id: int) -> Path:
        await ops.get(task_id)  # ApiError 40401 for an unknown task
        return task_folder(artifacts, task_id)

    @router.get(
        "/task/{task_id:int}/log",
        response_class=PlainTextResponse,
        responses={
            200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
            **json_errors(),
        },
        summary="A task's log",
    )
    async def task_log(
        task_id: int,
        tail: Annotated[
            int | None, Query(ge=0, le=MAX_TAIL, description="only the last N lines")
        ] = None,
    ) -> Any:
        """The task's log so far, plain text (it grows while the task runs); empty while it
        has not started."""
        folder = await known(task_id)
        text = await trio.to_thread.run_sync(read_log, folder / TASK_LOG, tail)
        return PlainTextResponse(text, headers={"X-Content-Type-Options": "nosniff"})

    @router.get(
        "/task/{task_id:int}/artifacts",
        response_model=ArtifactsAnswer,
        responses=error_responses(not_found=True),
        summary="A task's artifacts",
    )
    async def task_artifacts(task_id: int) -> Any:
        """The files of the task's folder: its log, and a failed task's screenshot and
        hierarchy."""
        folder = await known(task_id)
        files = await trio.to_thread.run_sync(list_artifacts, folder)
        return ok(
            [
                {"name": n, "size": s, "url": f"{prefix}/task/{task_id}/artifacts/{n}"}
                for n, s in files
            ]
        )

    @router.get(
        "/task/{task_id:int}/artifacts/{name}",
        response_class=FileResponse,
        responses={
            200: {
                "description": "The file",
                "content": {t: {} for t in dict.fromkeys(CONTENT_TYPES.values())}
                | {"application/octet-stream": {}},
            },
            **error_responses(not_found=True),
        },
        summary="One artifact",
    )
    async def task_artifact(task_id: int, name: str) -> Any:
        """The file ``name`` of the task's folder, with its content type."""
        folder = await known(task_id)
        path = await trio.to_thread.run_sync(artifact_path, folder, name)
        media = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return FileResponse(
            path,
            media_type=media,
            headers=FILE_HEADERS,
            filename=name,
            content_disposition_type="inline",
        )

    return router
