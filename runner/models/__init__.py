"""pydantic models: the single source of the API contract, the JSON Schemas and validation messages.

Exports the create-task body, one config model per script, the manifest envelope, the task
object and status, and the script registries (docs/spec/local-api.md, docs/spec/scripts.md).
"""

from runner.models.manifest import (
    API_VERSION,
    NAME_PATTERN,
    ManifestMetadata,
    TaskManifest,
    TaskSpec,
)
from runner.models.schedule import Schedule
from runner.models.scripts import (
    API_SCRIPTS,
    FANOUT_SCRIPTS,
    POST_URL_PATTERN,
    REDACTED,
    SCRIPT_CONFIGS,
    TARGET_USER_PATTERN,
    UNAVAILABLE_SCRIPTS,
    AccountWarmupConfig,
    ChatGPTSettings,
    CommentConfig,
    FollowConfig,
    PostConfig,
    UnfollowConfig,
    dump_config,
    redact_config,
    split_targets,
)
from runner.models.task import (
    START_TIME_PATTERN,
    CreateTaskBody,
    TaskProgress,
    TaskRecord,
    TaskStatus,
    clean_progress,
)
from runner.models.workflow import AccountSelector, WorkflowManifest, WorkflowSpec, WorkflowStep

__all__ = [
    "AccountSelector",
    "Schedule",
    "TaskSpec",
    "WorkflowManifest",
    "WorkflowSpec",
    "WorkflowStep",
    "API_SCRIPTS",
    "API_VERSION",
    "FANOUT_SCRIPTS",
    "POST_URL_PATTERN",
    "TARGET_USER_PATTERN",
    "NAME_PATTERN",
    "REDACTED",
    "SCRIPT_CONFIGS",
    "START_TIME_PATTERN",
    "UNAVAILABLE_SCRIPTS",
    "AccountWarmupConfig",
    "ChatGPTSettings",
    "CommentConfig",
    "CreateTaskBody",
    "FollowConfig",
    "ManifestMetadata",
    "PostConfig",
    "TaskManifest",
    "TaskProgress",
    "TaskRecord",
    "TaskStatus",
    "UnfollowConfig",
    "clean_progress",
    "dump_config",
    "redact_config",
    "split_targets",
]
