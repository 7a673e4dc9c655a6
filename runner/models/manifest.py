"""The manifest envelope (design.md, "Manifest forms"): ``apiVersion``, ``kind``, ``metadata``, ``spec``.

``kind: Task`` (``spec`` is a create-task body, plus an optional ``schedule``) and ``kind:
Workflow`` (runner.models.workflow).

Name rule (ours, DNS-label-like so it is safe as a file name: ``<name>.status.yaml``): 1 to 63
characters of lowercase letters, digits, ``-``, ``_`` and ``.``, starting and ending with a letter
or digit (:data:`NAME_PATTERN`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from runner.models.schedule import Schedule
from runner.models.task import CreateTaskBody

API_VERSION = "tikrunner/v1"
NAME_PATTERN = r"^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$"
LABEL_KEY_PATTERN = r"^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$"


class ManifestMetadata(BaseModel):
    """``metadata`` of an envelope: the manifest's name and free-form string labels."""

    model_config = ConfigDict(extra="forbid", title="Manifest metadata")

    name: str = Field(
        pattern=NAME_PATTERN,
        description="Manifest name (status file spool/status/<name>.status.yaml): 1-63 "
        "lowercase letters, digits, '-', '_' or '.', starting and ending with a letter or digit.",
    )
    labels: dict[Annotated[str, Field(pattern=LABEL_KEY_PATTERN)], str] = Field(
        default_factory=dict,
        description="String labels (key: value), kept with the manifest, e.g. {campaign: spring}.",
    )


class TaskSpec(CreateTaskBody):
    """``spec`` of a Task envelope: a create-task body, plus an optional ``schedule`` (only in a
    workflows folder: a scheduled Task fires its body daily; issue 6)."""

    model_config = ConfigDict(title="Task spec")

    schedule: Schedule | None = Field(
        default=None, description="Fire this body daily at these local times (workflows folder)."
    )


class TaskManifest(BaseModel):
    """An envelope of ``kind: Task``: ``spec`` is exactly a create-task body."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        title="tikrunner Task manifest",
        json_schema_extra={
            "description": "A tikrunner manifest: drop it into spool/incoming/ or keep it in a "
            "workflows/ repo. spec is a TikMatrix create-task body."
        },
    )

    api_version: Literal["tikrunner/v1"] = Field(
        alias="apiVersion", description="Always tikrunner/v1."
    )
    kind: Literal["Task"] = Field(description="Task: spec is one create-task body.")
    metadata: ManifestMetadata = Field(description="Name and labels of the manifest.")
    spec: TaskSpec = Field(
        description="The create-task body (POST /api/v1/task), optionally with a schedule."
    )
