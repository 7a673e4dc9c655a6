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
import os
import re
import threading
import time
from collections.abc import Iterable
from datetime import tzinfo
from pathlib import Path
from typing import Any

import trio

from runner.models.task import local_time
from runner.schedule import apply_slot, stored_schedule
from runner.store import StatusSource, Store, TaskStatus, task_object

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
    source = StatusSource(
        workflow=workflow,
        tasks=store.tasks_of_manifest(name),
        generations=store.generations_of(name),
        refusal=store.last_refusal(name),
        duplicates=store.duplicates_of(name),
    )
    return _document(store, name, source, unfired, tz)


def build_statuses(store: Store, names: Iterable[str], tz: tzinfo) -> dict[str, dict[str, Any]]:
    """:func:`build_status` of each of ``names``, their rows read together
    (``Store.status_sources``: about six queries for them all, not six each). A workflow's
    manifest is read again on its own, in :func:`build_status`'s order (the firing check)."""
    wanted = list(dict.fromkeys(names))
    sources = store.status_sources(wanted)
    return {
        name: (
            build_status(store, name, tz)
            if sources[name].workflow is not None
            else _document(store, name, sources[name], False, tz)
        )
        for name in wanted
    }


def _document(
    store: Store, name: str, source: StatusSource, unfired: bool, tz: tzinfo
) -> dict[str, Any]:
    """The status document of manifest ``name`` from its rows (``unfired``: a workflow whose
    generation waits to fire reads pending)."""
    workflow, tasks, generations, refusal = (
        source.workflow,
        source.tasks,
        source.generations,
        source.refusal,
    )
    counts = {"total": len(tasks)} | {s.text: 0 for s in TaskStatus}
    for t in tasks:
        counts[t.status_text] += 1
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
    dup_count, dup_last = source.duplicates
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
    """Coalescing writer of status files, on a thread of its own.

    ``mark(name)`` (thread-safe, cheap) says manifest ``name`` changed. While :meth:`run` runs,
    the writer's thread writes every marked manifest's file as soon as it is marked when the
    writer was idle, their rows read from the store together (:func:`build_statuses`); when
    names were marked while it wrote (a stream of changes: creates, a spool burst, phones
    reporting), it first waits ``interval`` seconds, so that the next flush takes them all at
    once: a burst makes few reads, each file written once with its latest state. Nothing of this
    runs in trio's thread or on the path of an answer (an HTTP create returns once committed).

    ``flush()`` writes all marked files now (from any thread, blocking; used at shutdown and in
    tests); flushes never overlap, so a file is never replaced by an older state. A file that
    cannot be written (disk full, a folder in its place) stays marked and is tried again with a
    growing pause (up to ``max_backoff`` seconds); its error is logged once until it is written
    again, so a lasting fault never floods the log. Files are not fsynced: what a crash loses
    is written again at start (:func:`stale_status_files`).
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
        self.flushes = 0  # flushes that wrote something: for tests and benches
        self._failing: set[str] = set()  # names whose last write failed (logged once)
        self._failed_flushes = 0  # flushes in a row with a failure: the pause before the next
        self._dirty: set[str] = set()
        self._lock = threading.Lock()  # guards _dirty and _stopping (held briefly, never for I/O)
        self._marked = threading.Condition(self._lock)  # the thread waits for names
        self._stopped = threading.Condition(self._lock)  # its pauses end early on a stop
        self._stopping = False
        self._flushing = threading.Lock()  # one flush at a time
        self._writing = False  # a flush took names and has not finished with them
        self._written = threading.Condition(self._lock)  # :meth:`wait_written`

    def mark(self, *names: str | None) -> None:
        """Note that these manifests changed (None entries ignored); wakes the writer's thread."""
        fresh = [n for n in names if n]
        if not fresh:
            return
        with self._lock:
            self._dirty.update(fresh)
            self._marked.notify()

    def flush(self) -> None:
        """Write the file of every marked manifest now (blocking). In a shared store, only
        those this runner took in (``Store.owned_manifests``): each runner writes the status
        files of its own spool."""
        with self._flushing:
            with self._lock:
                names, self._dirty = self._dirty, set()
                self._writing = True
            try:
                self._write(names)
            finally:
                with self._lock:
                    self._writing = False
                    self._written.notify_all()

    def wait_written(self, timeout: float) -> bool:
        """Block until no name is marked and no flush is writing (True), or ``timeout`` seconds
        passed (False). For tests and benches."""
        with self._lock:
            return self._written.wait_for(lambda: not (self._dirty or self._writing), timeout)

    def _write(self, names: set[str]) -> None:
        """Build and write the files of ``names`` (under the flush lock)."""
        if names and getattr(self.store, "shared", False):
            # a shared store: only the manifests this runner took in have their file here
            try:
                names = self.store.owned_manifests(names)
            except Exception:  # database trouble: keep them marked, try again later
                log.exception("could not tell which status files are this runner's")
                with self._lock:
                    self._dirty.update(names)
                self._failed_flushes += 1
                return
        if not names:
            return
        ordered = sorted(names)
        try:
            docs: dict[str, dict[str, Any]] | None = build_statuses(self.store, ordered, self.tz)
        except Exception:  # database trouble, or one bad row: build them one by one below
            docs = None
        failed = False
        for name in ordered:
            try:
                doc = docs[name] if docs is not None else build_status(self.store, name, self.tz)
                atomic_write(
                    status_path(self.status_dir, name),
                    dump_status(doc),
                    fsync=False,  # a projection of the store: rebuilt at start if lost
                )
            except Exception:  # disk or database trouble: keep it marked, try again later
                failed = True
                if name not in self._failing:
                    self._failing.add(name)
                    log.exception(
                        "could not write the status file of manifest %s; trying again with "
                        "a growing pause (logged again once it is written)",
                        name,
                    )
                with self._lock:
                    self._dirty.add(name)
            else:
                if name in self._failing:
                    self._failing.discard(name)
                    log.info("status file of manifest %s written again", name)
        self.flushes += 1
        self._failed_flushes = self._failed_flushes + 1 if failed else 0

    async def run(self) -> None:
        """Write marked status files on the writer's thread until cancelled; on cancel the
        thread ends (after the flush it is in) and a final flush runs, shielded. Raises what
        the thread raised, should it end by itself."""
        with self._lock:
            self._stopping = False
        ended = threading.Event()
        crash: list[BaseException] = []

        def serve() -> None:
            try:
                self._serve()
            except BaseException as e:  # handed to run(), which raises it
                crash.append(e)
            finally:
                ended.set()

        thread = threading.Thread(target=serve, name="tikrunner status writer", daemon=True)
        thread.start()
        try:
            await trio.to_thread.run_sync(
                ended.wait, abandon_on_cancel=True, limiter=trio.CapacityLimiter(1)
            )
            if crash:
                raise crash[0]
        finally:
            with self._lock:
                self._stopping = True
                self._marked.notify_all()
                self._stopped.notify_all()
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(thread.join)
                await trio.to_thread.run_sync(self.flush)

    def _serve(self) -> None:
        """The writer's thread: flush when names are marked, spaced under a stream of changes,
        paused after failures; returns once stopping."""
        streaming = False
        while True:
            with self._lock:
                while not (streaming or self._dirty or self._stopping):
                    self._marked.wait()
                if self._stopping:
                    return
            if streaming:  # names came while the last flush wrote: let the stream gather
                self._pause(self.interval)
            self.flush()
            if self._failed_flushes:
                self._pause(min(self.max_backoff, 0.1 * 2 ** min(self._failed_flushes, 10)))
            with self._lock:
                streaming = bool(self._dirty)

    def _pause(self, seconds: float) -> None:
        """Wait ``seconds`` (marks do not end it; a stop does)."""
        with self._lock:
            self._stopped.wait_for(lambda: self._stopping, seconds)


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
