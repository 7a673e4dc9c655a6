"""The intake log: which spool files were taken in, how, and into what (design.md, "store").

A spool file's log row is written in the same transaction as its manifest and tasks, so a crash
between that commit and the file's final rename is finished on restart instead of taken twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from runner.store.db import Database
from runner.store.rows import IntakeRecord
from runner.store.tasks import insert_tasks


class IntakeLog(Database):
    """The ``manifests`` and ``intake_log`` tables: spool files in, their manifests' tasks queued."""

    def take_in(
        self, items: Sequence[Any], *, source: str = "spool"
    ) -> list[tuple[str, list[int]]]:
        """Commit a batch of planned spool files in one transaction.

        Each item (``spool.IntakeItem``: claim_name, sha256, final_name, plan) becomes either a
        new manifest with all its tasks (``"accepted"``) or, when a manifest of the same name and
        content exists (earlier, or earlier in this batch), nothing but a log row
        (``"duplicate"``). Returns (outcome, task ids) per item, in order. All or nothing.
        """
        now = time.time()
        results: list[tuple[str, list[int]]] = []
        with self._transaction():
            for item in items:
                plan = item.plan
                row = self._db.execute(
                    "SELECT id FROM manifests WHERE name=? AND sha256=? ORDER BY id LIMIT 1",
                    (plan.name, item.sha256),
                ).fetchone()
                if row is not None:
                    outcome, manifest_id, ids = "duplicate", int(row[0]), []
                else:
                    cur = self._db.execute(
                        "INSERT INTO manifests(name, sha256, source, kind, labels, filename, created_at)"
                        " VALUES (?,?,?,?,?,?,?)",
                        (
                            plan.name,
                            item.sha256,
                            source,
                            plan.kind,
                            json.dumps(plan.labels or {}),
                            item.final_name,
                            now,
                        ),
                    )
                    manifest_id = int(cur.lastrowid)
                    ids = insert_tasks(self._db, plan.tasks, manifest_id, plan.name, source, now)
                    outcome = "accepted"
                self._db.execute(
                    "INSERT INTO intake_log(claim_name, sha256, outcome, manifest_id, manifest,"
                    " final_name, created_at) VALUES (?,?,?,?,?,?,?)",
                    (
                        item.claim_name,
                        item.sha256,
                        outcome,
                        manifest_id,
                        plan.name,
                        item.final_name,
                        now,
                    ),
                )
                results.append((outcome, ids))
        return results

    def intake_records(self, claim_name: str, sha256: str) -> list[IntakeRecord]:
        """Intake log rows for a claimed spool file name and content, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT outcome, manifest_id, manifest, final_name FROM intake_log"
                " WHERE claim_name=? AND sha256=? ORDER BY id DESC",
                (claim_name, sha256),
            ).fetchall()
        return [IntakeRecord(*r) for r in rows]

    def duplicates_of(self, name: str) -> tuple[int, float | None]:
        """How many identical re-drops of manifest ``name`` were taken in, and when the last was."""
        with self._lock:
            row = self._db.execute(
                "SELECT count(*), max(created_at) FROM intake_log WHERE manifest=? AND outcome='duplicate'",
                (name,),
            ).fetchone()
        return int(row[0]), row[1]
