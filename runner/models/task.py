"""The API's task-shaped models: the create-task body, the task status and the task object.

Sources: ``docs/spec/local-api.md`` sections "Create-task body", "Task status" and "Task object".
``CreateTaskBody.script_config`` stays a plain object here; it is validated by the script's own
model (:data:`runner.models.SCRIPT_CONFIGS`) and, in the generated JSON Schema, by an
``if script_name == X then script_config: <X's schema>`` rule per script.
"""

from __future__ import annotations

import math
from datetime import datetime, tzinfo
from enum import IntEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from runner.models.scripts import API_SCRIPTS

START_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
LOCAL_TIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"

# (ours) gaps of at most a week between one request's tasks on a device: larger values are typing
# mistakes, and unbounded ones push start times past what dates can hold.
MAX_INTERVAL_MINUTES = 7 * 24 * 60


def local_time(epoch: float | None, tz: tzinfo) -> str | None:
    """UTC epoch seconds to local ``"YYYY-MM-DD HH:MM:SS"`` in ``tz`` (None stays None)."""
    if epoch is None:
        return None
    try:
        return datetime.fromtimestamp(epoch, tz).strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, OSError, ValueError):  # beyond what dates hold: say so, don't crash
        return "9999-12-31 23:59:59" if epoch > 0 else "0001-01-01 00:00:00"


NonBlank = Annotated[str, Field(min_length=1, pattern=r"\S")]


def _not_null(schema: dict[str, Any]) -> None:
    """JSON Schema hook: an optional field may be absent, but never ``null``."""
    branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches
    if schema.get("default", 0) is None:
        del schema["default"]


def _unique_units(schema: dict[str, Any]) -> None:
    """JSON Schema hook for serials/usernames: not null, and no item twice."""
    _not_null(schema)
    schema["uniqueItems"] = True


class CreateTaskBody(BaseModel):
    """The body of ``POST /api/v1/task`` and of a bare manifest (docs/spec/local-api.md).

    Exactly one of ``serials`` (device mode) or ``usernames`` (account mode) is given, never
    empty. ``start_time`` is local wall time ``"HH:MM"`` (00:00-23:59); intervals are minutes.
    Violations raise pydantic's ``ValidationError`` (intake turns them into 40001 with pointers).
    """

    model_config = ConfigDict(
        extra="forbid",
        title="Create-task body",
        json_schema_extra={
            "description": "Body of POST /api/v1/task (TikMatrix local API); also a bare "
            "tikrunner manifest. Give serials or usernames, not both."
        },
    )

    serials: list[NonBlank] | None = Field(
        None,
        min_length=1,
        description="Device serials (device mode): one unit per serial.",
        json_schema_extra=_unique_units,
    )
    usernames: list[NonBlank] | None = Field(
        None,
        min_length=1,
        description="Accounts (account mode; a leading @ is ignored for matching): each runs on "
        "the device it is bound to in the runner's account inventory.",
        json_schema_extra=_unique_units,
    )
    script_name: str = Field(
        description="Script to run: " + ", ".join(API_SCRIPTS) + ".",
        json_schema_extra={"enum": list(API_SCRIPTS)},
    )
    script_config: dict[str, Any] = Field(
        description="Parameters of the script (see the script-config schemas); may be {}."
    )
    enable_multi_account: bool = Field(
        False,
        description="Device mode only: one task per enabled account bound to each device, each "
        "switching to its account first.",
    )
    start_time: str | None = Field(
        None,
        pattern=START_TIME_PATTERN,
        description='Scheduled start, local time "HH:MM": the next occurrence of that time '
        "(today if still ahead, else tomorrow). Absent: now.",
        json_schema_extra=_not_null,
    )
    min_interval: int = Field(
        0,
        ge=0,
        le=MAX_INTERVAL_MINUTES,
        description="Minimum gap in minutes between this request's tasks on one device.",
    )
    max_interval: int = Field(
        0,
        ge=0,
        le=MAX_INTERVAL_MINUTES,
        validate_default=True,
        description="Maximum gap in minutes between this request's tasks on one device "
        "(>= min_interval).",
    )

    @field_validator("max_interval")
    @classmethod
    def _max_not_below_min(cls, v: int, info: ValidationInfo) -> int:
        low = info.data.get("min_interval")
        if low is not None and low > v:
            raise ValueError(f"must be at least min_interval ({low}), got {v}")
        return v

    @model_validator(mode="after")
    def _one_kind_of_unit(self) -> CreateTaskBody:
        if self.serials is not None and self.usernames is not None:
            raise ValueError("give either serials or usernames, not both")
        if self.serials is None and self.usernames is None:
            raise ValueError("serials or usernames is required")
        if self.usernames is not None and self.enable_multi_account:
            raise ValueError("enable_multi_account works with serials (device mode) only")
        return self


class TaskStatus(IntEnum):
    """Task status codes (docs/spec/local-api.md, "Task status"); ``.text`` is the API's word."""

    PENDING = 0
    RUNNING = 1
    COMPLETED = 2
    FAILED = 3

    @property
    def text(self) -> str:
        """``"pending"``, ``"running"``, ``"completed"`` or ``"failed"``."""
        return self.name.lower()


#: (ours) The longest progress text kept (characters); longer reports are cut.
PROGRESS_TEXT_MAX = 200


def clean_progress(text: object, fraction: object = None) -> tuple[str, float | None]:
    """A script's progress report as the store keeps it (docs/spec/local-api.md, "Task object",
    ``progress``): ``text`` made one line (whitespace runs become one space, trimmed) and cut to
    :data:`PROGRESS_TEXT_MAX` characters; ``fraction`` (a number, 0..1) clamped into [0, 1] and
    rounded to 4 decimals, or None (no measure: a step text). A fraction that is not a finite
    number (NaN, inf, a bool, a string) becomes None. Never raises: a progress report must not
    fail the task that makes it."""
    line = " ".join(str(text).split())[:PROGRESS_TEXT_MAX]
    value: float | None = None
    if isinstance(fraction, int | float) and not isinstance(fraction, bool):
        number = float(fraction)
        if math.isfinite(number):
            value = round(min(1.0, max(0.0, number)), 4)
    return line, value


class TaskProgress(BaseModel):
    """(ours) How far a running task's script says it is (docs/spec/local-api.md, "Task object"):
    the last report of its current (or, once ended, last) run."""

    model_config = ConfigDict(extra="forbid", title="Task progress")

    text: str = Field(
        max_length=PROGRESS_TEXT_MAX,
        description="What the script is doing or has done, one line: 'watched 12 videos, 240 of "
        "600 s', 'uploading 66%', a step such as 'tap Follow'.",
    )
    fraction: float | None = Field(
        ge=0.0,
        le=1.0,
        description="How much of the task is done, 0..1; null when the script has no measure "
        "(a step text).",
    )
    updated: str = Field(
        pattern=LOCAL_TIME_PATTERN,
        description='When the script reported it, local time "YYYY-MM-DD HH:MM:SS".',
    )


class TaskRecord(BaseModel):
    """The API's task object (docs/spec/local-api.md, "Task object"): its fields, plus (ours)
    ``step``, ``progress`` and ``runner``.

    Times are local time in the runner's zone, ``"YYYY-MM-DD HH:MM:SS"``, or None.
    ``script_config`` must already be redacted (:func:`runner.models.redact_config`).
    """

    model_config = ConfigDict(extra="forbid", title="Task")

    id: int
    serial: str | None
    username: str | None
    script_name: str
    script_config: dict[str, Any]
    status: TaskStatus
    status_text: str = ""
    source: Literal["api", "spool", "workflow"]
    manifest: str | None
    job_count: int = Field(ge=0)
    start_time: str | None = Field(pattern=LOCAL_TIME_PATTERN)
    end_time: str | None = Field(pattern=LOCAL_TIME_PATTERN)
    create_time: str | None = Field(pattern=LOCAL_TIME_PATTERN)
    retry_count: int = Field(0, ge=0)
    remark: str = ""
    step: str | None = Field(
        default=None,
        description="(ours) For a workflow's task: the step's name; null otherwise.",
    )
    progress: TaskProgress | None = Field(
        default=None,
        description="(ours) The script's last progress report in the task's current or last run "
        "(kept after it ends; null again when it starts over); null when it reported nothing.",
    )
    runner: str | None = Field(
        default=None,
        description="(ours) The runner that claimed the task (the PC whose phone runs or ran it, "
        "when several runners share a PostgreSQL store); null until it is claimed.",
    )
    result: dict[str, Any] | None = Field(
        default=None,
        description="(ours) What the script read, as a JSON object (scrape_user: the profile, "
        "docs/spec/scripts.md); null until a run stores one, and again while a run starts over.",
    )

    @model_validator(mode="after")
    def _status_text_matches(self) -> TaskRecord:
        self.status_text = TaskStatus(self.status).text
        return self
