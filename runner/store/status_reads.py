"""What status files are made of, for many manifests in one read (runner/status.py).

A status file shows a manifest's tasks, its spool generations, its last refusal, its identical
re-drops and its workflow row. Read name by name that is six queries a file; a burst of changes
(a stream of ``POST /task``, a spool batch) marks many names at once, and
:meth:`StatusReads.status_sources` reads all of theirs in one snapshot, about six queries in all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from runner.store.db import Database
from runner.store.rows import TaskRow, WorkflowRow


@dataclass(frozen=True)
class StatusSource:
    """One manifest name's rows as its status file shows them: ``workflow`` (None: not one of
    the workflows folder), ``tasks`` in id order, ``generations`` as
    :meth:`~runner.store.intake_log.IntakeLog.generations_of`, ``refusal`` as
    :meth:`~runner.store.intake_log.IntakeLog.last_refusal`, ``duplicates`` (count, last)."""

    workflow: WorkflowRow | None = None
    tasks: list[TaskRow] = field(default_factory=list)
    generations: list[tuple[int, str, float, int]] = field(default_factory=list)
    refusal: dict[str, Any] | None = None
    duplicates: tuple[int, float | None] = (0, None)


CHUNK = 500
"""Names per set of queries at most (bounds one IN list)."""


class StatusReads(Database):
    """Status file sources of many manifests at once."""

    def status_sources(self, names: Sequence[str]) -> dict[str, StatusSource]:
        """Each of ``names`` (every one, those with no row too) with its rows, read in one
        snapshot per :data:`CHUNK` names."""
        wanted = list(dict.fromkeys(names))
        found: dict[str, StatusSource] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            with self._snapshot():
                workflows = self._workflows_named(chunk)  # type: ignore[attr-defined]
                tasks = self._tasks_of_manifests(chunk)  # type: ignore[attr-defined]
                generations = self._generations(chunk)  # type: ignore[attr-defined]
                refusals = self._last_refusals(chunk)  # type: ignore[attr-defined]
                duplicates = self._duplicates(chunk)  # type: ignore[attr-defined]
            for name in chunk:
                found[name] = StatusSource(
                    workflow=workflows.get(name),
                    tasks=tasks.get(name, []),
                    generations=generations.get(name, []),
                    refusal=refusals.get(name),
                    duplicates=duplicates.get(name, (0, None)),
                )
        return found
