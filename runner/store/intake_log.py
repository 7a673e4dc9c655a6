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
            return self._last_refusals([name]).get(name)

    def generations_of(self, name: str) -> list[tuple[int, str, float, int]]:
        """Each accepted version of spool manifest ``name``, oldest first: (generation from 1,
        file name in ``accepted/``, accepted at (epoch seconds), tasks it created)."""
        with self._lock:
            return self._generations([name]).get(name, [])

    def duplicates_of(self, name: str) -> tuple[int, float | None]:
        """How many identical re-drops of manifest ``name`` were taken in, and when the last was."""
        with self._lock:
            return self._duplicates([name]).get(name, (0, None))

    # -- the same for many names at once (the caller holds the lock: runner.store.status_reads)

    def _last_refusals(self, names: Sequence[str]) -> dict[str, dict[str, Any]]:
        """:meth:`last_refusal` of each of ``names`` that has one."""
        among, arg = self._among("x.manifest", names)
        rows = self._db.execute(
            "SELECT r.manifest, r.claim_name, r.final_name, r.error, r.created_at"
            " FROM intake_log r WHERE r.id IN (SELECT max(x.id) FROM intake_log x"
            f" WHERE {among} AND x.outcome='rejected' AND x.id > coalesce((SELECT max(a.id)"
            " FROM intake_log a WHERE a.manifest=x.manifest AND a.outcome='accepted'), 0)"
            " GROUP BY x.manifest)",
            (arg,),
        ).fetchall()
        found: dict[str, dict[str, Any]] = {}
        for manifest, claim_name, final_name, error_text, at in rows:
            error = json.loads(error_text or "{}")
            found[manifest] = {
                "file": claim_name,
                "filed_as": final_name,
                "code": error.get("code"),
                "message": error.get("message", ""),
                "at": at,
            }
        return found

    def _generations(self, names: Sequence[str]) -> dict[str, list[tuple[int, str, float, int]]]:
        """:meth:`generations_of` of each of ``names`` that has any."""
        among, arg = self._among("name", names)
        rows = self._db.execute(
            f"SELECT name, id, filename, created_at FROM manifests WHERE {among}"
            " AND source='spool' ORDER BY id",
            (arg,),
        ).fetchall()
        if not rows:
            return {}
        among, arg = self._among("manifest", names)
        counts = {
            (manifest, manifest_id): n
            for manifest, manifest_id, n in self._db.execute(
                f"SELECT manifest, manifest_id, count(*) FROM tasks WHERE {among}"
                " GROUP BY manifest, manifest_id",
                (arg,),
            ).fetchall()
        }
        found: dict[str, list[tuple[int, str, float, int]]] = {}
        for name, manifest_id, filename, at in rows:
            generations = found.setdefault(name, [])
            generations.append(
                (len(generations) + 1, filename or "", at, counts.get((name, manifest_id), 0))
            )
        return found

    def _duplicates(self, names: Sequence[str]) -> dict[str, tuple[int, float | None]]:
        """:meth:`duplicates_of` of each of ``names`` re-dropped at least once."""
        among, arg = self._among("manifest", names)
        rows = self._db.execute(
            f"SELECT manifest, count(*), max(created_at) FROM intake_log WHERE {among}"
            " AND outcome='duplicate' GROUP BY manifest",
            (arg,),
        ).fetchall()
        return {manifest: (int(n), last) for manifest, n, last in rows}
