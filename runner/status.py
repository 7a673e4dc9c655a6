"""Status files: the store projected into ``spool/status/<name>.status.yaml`` (design.md, "Status file").

Never the other way round: nothing reads a status file back (only a fresh store takes the task
ids they name as a floor, runner.store.ids). Each file is rewritten atomically (write to a
dotfile, rename over the file) after its manifest's tasks change; :class:`StatusWriter` coalesces
bursts of changes into few writes. Status files are not fsynced: they are projections of the
store, whose commits are durable, and a crash that leaves one old, missing or empty (a power cut
before the file system wrote it) is made good at start (:func:`stale_status_files`).

Each task row is the API's task object (docs/spec/local-api.md, "Task object"), built by the same
function as the API's answers (:func:`runner.store.task_object`): secrets masked as ``"***"``,
times local in the runner's zone, ``"YYYY-MM-DD HH:MM:SS"``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
import time
from datetime import tzinfo
from pathlib import Path
from typing import Any

import trio

from runner.models.task import local_time
from runner.schedule import apply_slot, stored_schedule
from runner.store import Store, TaskStatus, task_object
from runner.wakeup import Wakeup

log = logging.getLogger(__name__)

# Characters YAML double-quoted scalars must not carry literally (non-printable in YAML 1.2, or
# line breaks YAML would fold): escape them as \uXXXX.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def _escape_unsafe(text: str) -> str:
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _scalar(value: Any) -> str:
    if isinstance(value, dict | list):  # JSON is YAML 1.2 flow style (a task's script_config)
        return _escape_unsafe(json.dumps(value, ensure_ascii=False))
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return _escape_unsafe(json.dumps(str(value), ensure_ascii=False))


def _flow(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in mapping.items()) + "}"


def dump_status(doc: dict[str, Any]) -> str:
    """Render a status document as YAML 1.2: top-level keys in block style, each task one flow line.

    Values are scalars, flat mappings, or (for ``tasks`` and ``notes``) lists of those; a value
    nested deeper (a task's ``script_config``) is written as JSON, which YAML 1.2 reads as flow
    style. Strings are double-quoted with JSON escapes, which YAML 1.2 reads back exactly.
    """
    lines = []
    for key, value in doc.items():
        if isinstance(value, dict):
            lines.append(f"{key}: {_flow(value)}")
        elif isinstance(value, list):
            if not value:
                lines.append(f"{key}: []")
                continue
            lines.append(f"{key}:")
            for item in value:
                lines.append(f"  - {_flow(item) if isinstance(item, dict) else _scalar(item)}")
        else:
            lines.append(f"{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def phase_of(counts: dict[str, int]) -> str:
    """The manifest's phase from its task counts: running while any task runs, or while some ended
    and some still wait; pending when none started; else failed if any failed, else completed."""
    if counts["running"] or (counts["pending"] and counts["completed"] + counts["failed"]):
        return "running"
    if counts["pending"]:
        return "pending"
    return "failed" if counts["failed"] else "completed"


def name_prefix(name: str, limit: int) -> str:
    """The longest prefix of file name ``name`` that takes at most ``limit`` bytes on disk (the
    file system encoding, UTF-8; a byte that is not UTF-8 counts one), cut between characters."""
    out, used = [], 0
    for ch in name:
        size = len(os.fsencode(ch))
        if used + size > limit:
            break
        out.append(ch)
        used += size
    return "".join(out)


def atomic_write(path: Path, text: str | bytes, *, fsync: bool = True) -> None:
    """Write ``text`` (UTF-8) or bytes to ``path`` atomically: a dotfile beside it, fsync (unless
    ``fsync`` is False), rename. Readers see the old file or the whole new one, never a part;
    without the fsync a power cut may leave the old file, or an empty one, in its place.

    The dotfile's name is at most 128 bytes whatever ``path``'s is (a name near the 255-byte
    limit of Linux must not be pushed past it by the suffix). Raises ``OSError`` as the disk does.
    """
    short = name_prefix(path.name, 80)
    tmp = path.with_name(f".{short}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, text.encode("utf-8") if isinstance(text, str) else text)
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def status_path(status_dir: Path, name: str) -> Path:
    return status_dir / f"{name}.status.yaml"


def build_status(store: Store, name: str, tz: tzinfo) -> dict[str, Any]:
    """The status document of manifest ``name`` from the store (all its generations' tasks).

    A name with no tasks and only a refusal gets ``phase: rejected`` and the reason; a refused
    re-drop under a name that has tasks shows as ``refused`` beside them. A spool manifest
    changed and dropped again is a new generation (``observed_generation``, ``generations``)."""
    # The workflow (and whether its generation has fired) is read before its tasks: a firing
    # that lands between the two reads then shows as tasks of a pending generation, never as a
    # new generation with only the old one's (ended) tasks.
    workflow = store.workflow(name)
    unfired = workflow is not None and _waits_to_fire(store, workflow, tz)
    tasks = store.tasks_of_manifest(name)
    counts = {"total": len(tasks)} | {s.text: 0 for s in TaskStatus}
    for t in tasks:
        counts[t.status_text] += 1
    generations = store.generations_of(name)
    refusal = store.last_refusal(name)
    if refusal is not None and not tasks and not generations and workflow is None:
        return {
            "manifest": name,
            "phase": "rejected",
            "file": refusal["file"],
            "error": {"code": refusal["code"], "message": refusal["message"]},
            "updated": local_time(time.time(), tz),
            "tasks": [],
        }
    phase = "pending" if unfired else phase_of(counts)
    doc: dict[str, Any] = {"manifest": name, "phase": phase, "counts": counts}
    if workflow is not None:
        doc.update(_workflow_part(store, workflow, tz))
    if generations:
        doc["observed_generation"] = len(generations)
        doc["generations"] = [
            f"{gen}: {file} accepted {local_time(at, tz)}, {count} tasks"
            for gen, file, at, count in generations
        ]
    if refusal is not None:
        doc["refused"] = {
            "file": refusal["file"],
            "code": refusal["code"],
            "message": refusal["message"],
            "at": local_time(refusal["at"], tz),
            "note": f"refused, filed as rejected/{refusal['filed_as']}; the tasks below are "
            "unchanged",
        }
    dup_count, dup_last = store.duplicates_of(name)
    if dup_count:
        doc["duplicates"] = {
            "count": dup_count,
            "last": local_time(dup_last, tz),
            "note": "re-dropped identical to the accepted manifest: no tasks created",
        }
    doc["updated"] = local_time(time.time(), tz)
    doc["tasks"] = [task_object(t, tz) for t in tasks]
    return doc


def _waits_to_fire(store: Store, row: Any, tz: tzinfo) -> bool:
    """True when workflow ``row`` is in force without a schedule and its generation has not fired
    yet: applying a changed file and firing it (runner.gitops, slot ``apply-<generation>``) are two
    transactions, and between them the manifest must read ``pending``, not the previous
    generation's ``completed`` (a CI job waiting for the phase would stop too early)."""
    if row.deleted_at is not None or row.error or row.generation <= 0:
        return False
    sched, unreadable = stored_schedule(row.name, row.document, tz)
    if sched is not None or unreadable is not None:  # scheduled, or never fires
        return False
    key = apply_slot(row.generation)
    return key not in store.fired_slots(row.name, key)


def _workflow_part(store: Store, row: Any, tz: tzinfo) -> dict[str, Any]:
    """Status fields of a manifest kept in a workflows folder (runner.gitops)."""
    part: dict[str, Any] = {
        "kind": row.kind or None,
        "file": Path(row.path).name,
        "observed_generation": row.generation,
    }
    if row.deleted_at is not None:
        part["deleted"] = local_time(row.deleted_at, tz)
    if row.error:
        part["error"] = row.error
    recent = store.firings(row.name, limit=5)
    sched, unreadable = (
        stored_schedule(row.name, row.document, tz) if row.generation > 0 else (None, None)
    )
    info: dict[str, Any] = {"error": unreadable} if unreadable else {}
    if sched is not None:
        info["at"] = ", ".join(t.strftime("%H:%M") for t in sched.times)
        nxt = sched.next_slot(time.time()) if row.deleted_at is None else None
        info["next"] = local_time(nxt.due, tz) if nxt else None
        info["missed"] = store.missed_count(row.name)
    if recent:
        slot, generation, outcome, at, note = recent[0]
        info["last"] = f"{slot} {outcome} (generation {generation})" + (f": {note}" if note else "")
    if info:
        part["schedule"] = info
    if recent:
        part["firings"] = [
            f"{slot}: {outcome} (generation {gen}) at {local_time(at, tz)}"
            + (f": {note}" if note else "")
            for slot, gen, outcome, at, note in recent
        ]
    return part


class StatusWriter:
    """Coalescing writer of status files.

    ``mark(name)`` (thread-safe, cheap) says manifest ``name`` changed; :meth:`run` writes every
    marked manifest's file at once when the writer is idle, and under a stream of changes at
    most once per ``interval`` seconds (the changes meanwhile are written together). ``flush()`` writes all marked
    files now (used at shutdown and in tests). A file that cannot be written (disk full, a
    folder in its place) stays marked and is tried again with a growing pause (up to
    ``max_backoff`` seconds); its error is logged once until it is written again, so a lasting
    fault never floods the log.
    """

    def __init__(
        self,
        store: Store,
        status_dir: Path,
        tz: tzinfo,
        *,
        interval: float = 0.005,
        max_backoff: float = 60.0,
    ):
        self.store = store
        self.status_dir = status_dir
        self.tz = tz
        self.interval = interval
        self.max_backoff = max_backoff
        self._failing: set[str] = set()  # names whose last write failed (logged once)
        self._failed_flushes = 0  # flushes in a row with a failure: the pause before the next
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._wakeup = Wakeup()

    def mark(self, *names: str | None) -> None:
        """Note that these manifests changed (None entries ignored); wakes :meth:`run`."""
        with self._lock:
            self._dirty.update(n for n in names if n)
        self._wakeup.set()

    def flush(self) -> None:
        """Write the file of every marked manifest now (blocking). In a shared store, only
        those this runner took in (``Store.owned_manifests``): each runner writes the status
        files of its own spool."""
        with self._lock:
            names, self._dirty = self._dirty, set()
        if names and getattr(self.store, "shared", False):
            # a shared store: only the manifests this runner took in have their file here
            names = self.store.owned_manifests(names)
        failed = False
        for name in sorted(names):
            try:
                atomic_write(
                    status_path(self.status_dir, name),
                    dump_status(build_status(self.store, name, self.tz)),
                    fsync=False,  # a projection of the store: rebuilt at start if a crash lost it
                )
            except Exception:  # disk or database trouble: keep it marked, try again later
                failed = True
                if name not in self._failing:
                    self._failing.add(name)
                    log.exception(
                        "could not write the status file of manifest %s; trying again with a "
                        "growing pause (logged again once it is written)",
                        name,
                    )
                with self._lock:
                    self._dirty.add(name)
            else:
                if name in self._failing:
                    self._failing.discard(name)
                    log.info("status file of manifest %s written again", name)
        self._failed_flushes = self._failed_flushes + 1 if failed else 0

    def _has_work(self) -> bool:
        with self._lock:
            return bool(self._dirty)

    async def run(self) -> None:
        """Write marked status files until cancelled; on cancel, a final flush runs shielded."""
        try:
            with self._wakeup.attached():
                last = -math.inf
                while True:
                    await self._wakeup.until(self._has_work)
                    await trio.sleep_until(last + self.interval)
                    last = trio.current_time()
                    await trio.to_thread.run_sync(self.flush)
                    if self._failed_flushes:
                        await trio.sleep(
                            min(self.max_backoff, 0.1 * 2 ** min(self._failed_flushes, 10))
                        )
        finally:
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(self.flush)


def stale_status_files(store: Store, status_dir: Path) -> list[str]:
    """Names of manifests whose status file is missing, empty or older than their last change in
    the store: what a crash left unwritten (the writer coalesces in memory, and does not fsync:
    a power cut may leave an old file, or an empty one). Called at start."""
    stale = []
    for name, changed in store.manifest_change_times().items():
        try:
            st = status_path(status_dir, name).stat()
            written = st.st_mtime if st.st_size else 0.0
        except FileNotFoundError:
            written = 0.0
        if written <= changed:
            stale.append(name)
    return stale
