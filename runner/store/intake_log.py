"""The intake log: which spool files were taken in, how, and into what (design.md, "store").

A spool file's log row is written in the same transaction as its manifest and tasks, so a crash
between that commit and the file's final rename is finished on restart instead of taken twice.
"""

from __future__ import annotations

import json
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
        now = self.now()
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
                        " VALUES (?,?,?,?,?,?,?) RETURNING id",
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
                    manifest_id = int(cur.fetchone()[0])
                    ids = insert_tasks(
                        self._db, plan.tasks, manifest_id, plan.name, source, now, self.runner
                    )
                    self._touch({t.serial for t in plan.tasks})
                    outcome = "accepted"
                self._db.execute(
                    "INSERT INTO intake_log(claim_name, sha256, outcome, manifest_id, manifest,"
                    " final_name, created_at, runner) VALUES (?,?,?,?,?,?,?,?)",
                    (
                        item.claim_name,
                        item.sha256,
                        outcome,
                        manifest_id,
                        plan.name,
                        item.final_name,
                        now,
                        self.runner,
                    ),
                )
                results.append((outcome, ids))
        return results

    def intake_records(self, claim_name: str, sha256: str) -> list[IntakeRecord]:
        """Intake log rows of a claimed spool file name and content that were taken in (accepted
        or duplicate; refusals are not), newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT outcome, manifest_id, manifest, final_name FROM intake_log"
                " WHERE claim_name=? AND sha256=? AND outcome IN ('accepted', 'duplicate')"
                " ORDER BY id DESC",
                (claim_name, sha256),
            ).fetchall()
        return [IntakeRecord(*r) for r in rows]

    def record_refusal(
        self,
        *,
        claim_name: str,
        sha256: str,
        manifest: str,
        final_name: str,
        code: int,
        message: str,
    ) -> None:
        """Log a spool file refused at intake (filed as ``rejected/<final_name>``) under the
        manifest name whose status file shows the refusal. One transaction."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO intake_log(claim_name, sha256, outcome, manifest_id, manifest,"
                " final_name, created_at, error, runner) VALUES (?,?,'rejected',NULL,?,?,?,?,?)",
                (
                    claim_name,
                    sha256,
                    manifest,
                    final_name,
                    self.now(),
                    json.dumps({"code": code, "message": message}, ensure_ascii=False),
                    self.runner,
                ),
            )

    def has_manifest(self, name: str, sha256: str) -> bool:
        """Whether a manifest ``name`` with exactly this content (SHA-256 hex) was accepted."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM manifests WHERE name=? AND sha256=? LIMIT 1", (name, sha256)
            ).fetchone()
        return row is not None

    def manifest_file(self, name: str) -> tuple[str, float] | None:
        """The spool file name that first brought manifest ``name`` in (it owns the name), and
        when (epoch seconds); None when no spool file did."""
        row = self._taken_in("claim_name, created_at", "manifest", name, "")
        return (row[0], row[1]) if row else None

    def manifest_of_file(self, claim_name: str) -> str | None:
        """The manifest name the spool file ``claim_name`` last brought in, or None."""
        row = self._taken_in("manifest", "claim_name", claim_name, " DESC")
        return row[0] if row else None

    def _taken_in(self, columns: str, key: str, value: str, order: str) -> tuple | None:
        """The first (by id, in ``order``) intake log row taken in whose ``key`` is ``value``."""
        with self._lock:
            return self._db.execute(
                f"SELECT {columns} FROM intake_log WHERE {key}=?"
                f" AND outcome IN ('accepted', 'duplicate') ORDER BY id{order} LIMIT 1",
                (value,),
            ).fetchone()

    def last_refusal(self, name: str) -> dict[str, Any] | None:
        """The latest refusal logged under manifest ``name`` after its latest accepted generation:
        ``{file, filed_as, code, message, at}`` (``at`` epoch seconds), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT claim_name, final_name, error, created_at FROM intake_log"
                " WHERE manifest=? AND outcome='rejected' AND id > coalesce((SELECT max(id)"
                " FROM intake_log WHERE manifest=? AND outcome='accepted'), 0)"
                " ORDER BY id DESC LIMIT 1",
                (name, name),
            ).fetchone()
        if row is None:
            return None
        error = json.loads(row[2] or "{}")
        return {
            "file": row[0],
            "filed_as": row[1],
            "code": error.get("code"),
            "message": error.get("message", ""),
            "at": row[3],
        }

    def generations_of(self, name: str) -> list[tuple[int, str, float, int]]:
        """Each accepted version of spool manifest ``name``, oldest first: (generation from 1,
        file name in ``accepted/``, accepted at (epoch seconds), tasks it created)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, filename, created_at FROM manifests WHERE name=? AND source='spool'"
                " ORDER BY id",
                (name,),
            ).fetchall()
            counts = dict(
                self._db.execute(
                    "SELECT manifest_id, count(*) FROM tasks WHERE manifest=? GROUP BY manifest_id",
                    (name,),
                ).fetchall()
            )
        return [(i, r[1] or "", r[2], counts.get(r[0], 0)) for i, r in enumerate(rows, 1)]

    def duplicates_of(self, name: str) -> tuple[int, float | None]:
        """How many identical re-drops of manifest ``name`` were taken in, and when the last was."""
        with self._lock:
            row = self._db.execute(
                "SELECT count(*), max(created_at) FROM intake_log WHERE manifest=? AND outcome='duplicate'",
                (name,),
            ).fetchone()
        return int(row[0]), row[1]
