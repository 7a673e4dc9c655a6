"""The ``schedule`` of a Workflow or Task manifest: daily local times (issue 6).

Computed by :mod:`runner.schedule`; the times are wall-clock times in the runner's time zone.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from runner.models.task import START_TIME_PATTERN

WEEKDAY = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Schedule(BaseModel):
    """Daily firing times in the runner's time zone (``tikrunner.yaml`` ``timezone``)."""

    model_config = ConfigDict(extra="forbid", title="Schedule")

    at: list[Annotated[str, Field(pattern=START_TIME_PATTERN)]] = Field(
        min_length=1,
        description='Local times "HH:MM" at which the manifest fires every (selected) day.',
    )
    weekdays: list[WEEKDAY] = Field(
        default_factory=list, description="Days it fires on (mon..sun); empty: every day."
    )
    jitter: int = Field(
        default=0,
        ge=0,
        le=720,
        description="Each firing is delayed by a random 0..jitter minutes (the same on every run).",
    )
    catch_up: bool = Field(
        default=False,
        description="A firing missed while tikrunner was stopped runs late (once) instead of "
        "being reported missed.",
    )
