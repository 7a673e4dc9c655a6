"""What the store hands out: its rows as frozen dataclasses (no SQL, no connection here)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from runner.models.scripts import redact_config
from runner.models.task import TaskStatus, local_time


@dataclass(frozen=True)
class TaskRow:
    """A task as stored. Times are UTC epoch seconds or None; ``script_config`` is a dict;
    ``status`` is a :class:`~runner.models.task.TaskStatus` (docs/spec/local-api.md, "Task status")."""

    id: int
    manifest_id: int | None
    manifest: str | None
    source: str
    serial: str | None
    username: str | None
    script_name: str
    script_config: dict[str, Any]
    status: TaskStatus
    job_count: int
    start_at: float
    started_at: float | None
    ended_at: float | None
    created_at: float
    retry_count: int
    remark: str
    step: int | None = None  # workflow tasks: 0-based step, its label, unit and firing
    step_name: str | None = None
    unit: str | None = None
    firing: str | None = None
    # the script's last progress report in the current or last run (docs/spec/local-api.md)
    progress_text: str | None = None
    progress_fraction: float | None = None
    progress_at: float | None = None  # UTC epoch seconds of the report
    runner: str | None = None  # the runner that claimed it (None: never claimed, or an old row)
    # what the script read in its last run (a JSON object: scrape_user's profile), else None
    result: dict[str, Any] | None = None

    @property
    def status_text(self) -> str:
        """The API's word for ``status``: ``"pending"``, ``"running"``, ``"completed"``, ``"failed"``."""
        return self.status.text


TASK_COLUMNS = (
    "id, manifest_id, manifest, source, serial, username, script_name, script_config, status,"
    " job_count, start_at, started_at, ended_at, created_at, retry_count, remark,"
    " step, step_name, unit, firing, progress_text, progress_fraction, progress_at, runner,"
    " result"
)


def row_to_task(row: Sequence[Any]) -> TaskRow:
    """A ``SELECT {TASK_COLUMNS}`` row as a :class:`TaskRow` (script_config parsed, status typed)."""
    values = list(row)
    values[7] = json.loads(values[7])
    values[8] = TaskStatus(values[8])
    if values[24] is not None:
        values[24] = json.loads(values[24])
    return TaskRow(*values)


def task_object(task: TaskRow, tz: tzinfo) -> dict[str, Any]:
    """A stored task as the API's task object (docs/spec/local-api.md, "Task object").

        ``start_time`` is the scheduled start while pending, the actual start after; times are local
        ``"YYYY-MM-DD HH:MM:SS"`` in ``tz``; ``script_config`` is redacted (secrets such as chatgpt's
        ``api_key`` are ``"***"``); ``progress`` is :func:`progress_object`; ``runner`` the runner that claimed it
    (ours, issue 12: which PC's phone runs or ran it; None until claimed); ``result`` what the
    script read (a JSON object, scrape_user's profile; None until a run stores one). The one projection of a task: the API's answers and the status
        files' rows (runner.status) are both built here, so they never differ.
    """
    start = task.start_at if task.status == TaskStatus.PENDING else task.started_at
    return {
        "id": task.id,
        "serial": task.serial,
        "username": task.username,
        "script_name": task.script_name,
        "script_config": redact_config(task.script_config),
        "status": task.status,
        "status_text": task.status_text,
        "source": task.source,
        "manifest": task.manifest,
        "job_count": task.job_count,
        "start_time": local_time(start, tz),
        "end_time": local_time(task.ended_at, tz),
        "create_time": local_time(task.created_at, tz),
        "retry_count": task.retry_count,
        "remark": task.remark,
        "step": task.step_name,
        "progress": progress_object(task, tz),
        "runner": task.runner,
        "result": task.result,
    }


def progress_object(task: TaskRow, tz: tzinfo) -> dict[str, Any] | None:
    """The task object's ``progress`` (docs/spec/local-api.md, "Task object"): None when the
    script reported nothing in the task's current (or last) run, else ``{"text": str,
    "fraction": float 0..1 or None, "updated": local "YYYY-MM-DD HH:MM:SS" in tz}``."""
    if task.progress_text is None or task.progress_at is None:
        return None
    return {
        "text": task.progress_text,
        "fraction": task.progress_fraction,
        "updated": local_time(task.progress_at, tz),
    }


@dataclass(frozen=True)
class WorkflowRow:
    """A manifest of the workflows folder as the store keeps it: the generation in force (0: the
    file never applied), its parsed document, when it came into force (epoch seconds), when its
    file was deleted, and the last apply error (the file as it is now failed to apply)."""

    name: str
    path: str
    sha256: str
    generation: int
    kind: str
    document: dict[str, Any]
    applied_at: float
    deleted_at: float | None
    error: str | None


@dataclass(frozen=True)
class IntakeRecord:
    """A spool file already taken in: how it ended and where it was put (a name in accepted/)."""

    outcome: str  # "accepted" or "duplicate"
    manifest_id: int | None
    manifest: str
    final_name: str
