"""The spool directory protocol (design.md, "Spool directory").

Takes manifest files dropped into ``incoming/``, hands their bytes to intake, commits the tasks,
and files the manifest under ``accepted/`` or ``rejected/`` (with ``<file>.error.yaml`` beside it).

Guarantees, through a crash at any point (SIGKILL, power loss after fsync):
- no manifest is lost: a file leaves ``incoming/`` only by a rename into ``active/`` that never
  overwrites (link, then unlink), and leaves ``active/`` only after the store committed what it
  needs (``intake_log`` rows are written in the same transaction as the tasks);
- none is taken twice: on start, :meth:`Spool.recover` finishes what a crash left half done (a file
  linked in both ``incoming/`` and ``active/``, a committed file not yet moved, a rejected file
  without its error file) before anything new is taken.

File events are hints only: the folder is scanned at start, on every hint, and periodically.
A file renamed in (a *moved* event) or closed after writing is taken at once; any other file once
its mtime is ``settle_time`` seconds old, so a direct write is not taken half-way.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any

import trio

from runner.errors import INTERNAL_ERROR, INVALID_PARAMETERS, IntakeError
from runner.status import StatusWriter, atomic_write, dump_status, local_time, write_rejected_status
from runner.store import Store
from runner.watch import start_observer

log = logging.getLogger(__name__)

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
SUBDIRS = ("incoming", "active", "accepted", "rejected", "status", "artifacts")

Planner = Callable[[bytes, str], Any]  # (data, filename) -> intake.ManifestPlan; raises IntakeError


@dataclass(frozen=True)
class Outcome:
    """What became of one spool file: ``accepted``, ``duplicate`` or ``rejected``."""

    outcome: str
    manifest: str
    final_name: str
    task_ids: tuple[int, ...] = ()
    error: IntakeError | None = None


@dataclass(frozen=True)
class IntakeItem:
    """A claimed, planned spool file waiting for its transaction (see ``Store.take_in``)."""

    path: Path
    claim_name: str
    sha256: str
    final_name: str
    plan: Any  # intake.ManifestPlan


def _ignored(name: str) -> bool:
    return name.startswith(".") or name.endswith(".tmp")


def _unique_name(folder: Path, name: str, reserved: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """``name`` if free in ``folder`` (and not in ``reserved``), else ``stem.N.ext`` with the
    smallest free N."""
    if (
        name not in reserved
        and not (folder / name).exists()
        and not (folder / f"{name}.error.yaml").exists()
    ):
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 1
    while True:
        candidate = f"{stem}.{n}.{ext}" if ext else f"{stem}.{n}"
        if candidate not in reserved and not (folder / candidate).exists():
            return candidate
        n += 1


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    """One spool directory served by one runner.

    ``plan`` turns a file's bytes into an intake plan (raises ``IntakeError``); ``status`` gets
    told which manifests changed. Blocking methods (``recover``, ``scan``) do file and
    database work and are run in a worker thread by :meth:`run`.
    """

    def __init__(
        self,
        root: Path,
        store: Store,
        plan: Planner,
        status: StatusWriter,
        tz: tzinfo,
        *,
        settle_time: float = 1.0,
        scan_interval: float = 2.0,
        max_bytes: int = 1_000_000,
        on_tasks: Callable[[], None] | None = None,
        batch_size: int = 64,
    ):
        self.root = Path(root).absolute()
        self.store = store
        self.plan = plan
        self.status = status
        self.tz = tz
        self.settle_time = settle_time
        self.scan_interval = scan_interval
        self.max_bytes = max_bytes
        self.on_tasks = on_tasks or (lambda: None)
        self.batch_size = batch_size
        self._recover_first = False
        for sub in SUBDIRS:
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.incoming = self.root / "incoming"
        self.active = self.root / "active"
        self.accepted = self.root / "accepted"
        self.rejected = self.root / "rejected"
        self.status_dir = self.root / "status"

    # -- recovery ----------------------------------------------------------------------------

    def recover(self) -> list[Outcome]:
        """Finish or undo what a crash left half done; returns what was finished. Call at start."""
        done = []
        for path in sorted(self.active.iterdir()):
            if not path.is_file() or _ignored(path.name):
                continue
            twin = self.incoming / path.name
            try:
                if twin.exists() and os.path.samefile(twin, path):
                    twin.unlink()  # crashed between link and unlink of the claim
            except FileNotFoundError:
                pass
            done.extend(self._process_batch([path]))
        for path in sorted(self.rejected.iterdir()):
            if path.name.endswith(".error.yaml") or _ignored(path.name) or not path.is_file():
                continue
            if not path.with_name(path.name + ".error.yaml").exists():
                data = path.read_bytes()
                try:
                    self.plan(data, path.name)
                    error = IntakeError(
                        INVALID_PARAMETERS, "refused before a crash; valid now: drop it again"
                    )
                except IntakeError as e:
                    error = e
                self._write_error(path, error)
        return done

    # -- taking files ------------------------------------------------------------------------

    def scan(self, hot: set[str] = frozenset()) -> tuple[list[Outcome], float | None]:  # type: ignore[assignment]
        """Take every ready file in ``incoming/``.

        ``hot`` names files an event says are complete (renamed in, or closed after writing);
        they are taken at once. Others are taken once their mtime is ``settle_time`` old.
        Returns the outcomes and, when some file is still settling, the seconds until it is ready.
        """
        outcomes, wait, batch = [], None, []
        now = time.time()
        try:
            entries = sorted(os.scandir(self.incoming), key=lambda e: e.name)
        except FileNotFoundError:
            return [], None
        for entry in entries:
            if _ignored(entry.name):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                age = now - entry.stat(follow_symlinks=False).st_mtime
            except FileNotFoundError:
                continue
            if entry.name not in hot and age < self.settle_time:
                left = self.settle_time - age
                wait = left if wait is None else min(wait, left)
                continue
            claimed = self.claim(Path(entry.path))
            if claimed is not None:
                batch.append(claimed)
            if len(batch) >= self.batch_size:
                outcomes.extend(self._process_batch(batch))
                batch = []
        if batch:
            outcomes.extend(self._process_batch(batch))
        return outcomes, wait

    def scan_or_log(self, hot: set[str] = frozenset()) -> float | None:  # type: ignore[assignment]
        """:meth:`scan`, surviving failures of the disk or the database (disk full, a locked or
        broken store): the error is logged, claimed files stay in ``active/``, and the next call
        first finishes them (:meth:`recover`). Returns the seconds until a settling file is
        ready, or None."""
        try:
            if self._recover_first:
                self.recover()
                self._recover_first = False
            return self.scan(hot)[1]
        except Exception:
            log.exception("spool: taking files in failed; retrying in %g s", self.scan_interval)
            self._recover_first = True
            return None

    def claim(self, path: Path) -> Path | None:
        """Move ``path`` from ``incoming/`` to ``active/`` without ever overwriting.

        Returns the claimed path, or None when another scan or runner took it first (or a file of
        that name is already being taken in; it is taken on a later scan).
        """
        target = self.active / path.name
        try:
            os.link(path, target)
        except FileExistsError:
            return None
        except FileNotFoundError:
            return None
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        return target

    def _process_batch(self, claimed: list[Path]) -> list[Outcome]:
        """Take in claimed files: parse and plan each, commit every accepted one in one
        transaction (each manifest still all-or-none), then file them. Returns one outcome each."""
        outcomes: dict[Path, Outcome] = {}
        items: list[IntakeItem] = []
        reserved: set[str] = set()
        for path in claimed:
            outcome_or_item = self._prepare(path, reserved)
            if isinstance(outcome_or_item, Outcome):
                outcomes[path] = outcome_or_item
            else:
                items.append(outcome_or_item)
                reserved.add(outcome_or_item.final_name)
        if items:
            results = self.store.take_in(items)
            for item, (outcome, ids) in zip(items, results, strict=True):
                os.replace(item.path, self.accepted / item.final_name)
                self.status.mark(item.plan.name)
                if outcome == "duplicate":
                    log.info(
                        "manifest %s (%s): identical to an accepted one, no tasks created",
                        item.plan.name,
                        item.claim_name,
                    )
                else:
                    log.info(
                        "manifest %s (%s): accepted, %d tasks %s",
                        item.plan.name,
                        item.claim_name,
                        len(ids),
                        _id_range(ids),
                    )
                outcomes[item.path] = Outcome(outcome, item.plan.name, item.final_name, tuple(ids))
            if any(outcome == "accepted" for outcome, _ in results):
                self.on_tasks()
        return [outcomes[path] for path in claimed]

    def _prepare(self, claimed: Path, reserved: set[str]) -> Outcome | IntakeItem:
        """Read and plan one claimed file: an IntakeItem to commit, or the Outcome already reached
        (rejected, or committed before a crash and now filed)."""
        name = claimed.name
        size = claimed.stat().st_size
        if size > self.max_bytes:
            return self._reject(
                claimed,
                IntakeError(
                    INVALID_PARAMETERS,
                    f"the file is {size} bytes; manifests may be at most {self.max_bytes} bytes",
                ),
            )
        data = claimed.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        for record in self.store.intake_records(name, sha):
            final = self.accepted / record.final_name
            if not final.exists():  # committed before a crash, not yet filed
                os.replace(claimed, final)
                self.status.mark(record.manifest)
                return Outcome(record.outcome, record.manifest, record.final_name)
        if not name.endswith(MANIFEST_SUFFIXES):
            return self._reject(
                claimed,
                IntakeError(
                    INVALID_PARAMETERS, "not a manifest: only .yaml, .yml and .json files are taken"
                ),
            )
        try:
            plan = self.plan(data, name)
        except IntakeError as e:
            return self._reject(claimed, e)
        except Exception:  # a bug in intake: refuse this file with a reason, keep the runner going
            log.exception("manifest file %s: internal error while planning it", name)
            return self._reject(
                claimed,
                IntakeError(
                    INTERNAL_ERROR,
                    "internal error while reading this manifest (the runner's log has the "
                    "details); drop it again once the runner is fixed",
                ),
            )
        final_name = _unique_name(self.accepted, name, reserved)
        return IntakeItem(
            path=claimed, claim_name=name, sha256=sha, final_name=final_name, plan=plan
        )

    def _reject(self, claimed: Path, error: IntakeError) -> Outcome:
        final_name = _unique_name(self.rejected, claimed.name)
        final = self.rejected / final_name
        os.replace(claimed, final)
        self._write_error(final, error)
        stem = claimed.name.rsplit(".", 1)[0] if "." in claimed.name else claimed.name
        try:
            write_rejected_status(self.status_dir, stem, error.code, error.message, self.tz)
        except OSError:
            log.exception("could not write the status of rejected manifest %s", stem)
        log.warning("manifest file %s rejected (%d): %s", claimed.name, error.code, error.message)
        return Outcome("rejected", stem, final_name, error=error)

    def _write_error(self, rejected_file: Path, error: IntakeError) -> None:
        doc: dict[str, Any] = {
            "file": rejected_file.name,
            "code": error.code,
            "message": error.message,
        }
        if error.details:
            doc["errors"] = [d.as_dict() for d in error.details]
        doc["rejected_at"] = local_time(time.time(), self.tz)
        atomic_write(rejected_file.with_name(rejected_file.name + ".error.yaml"), dump_status(doc))

    # -- the trio loop -----------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Recover, then take files until cancelled: on watchdog hints, and every ``scan_interval``.

        ``task_status.started()`` is called once recovery and the first scan are done. On cancel,
        the file being taken in finishes first (the worker thread is not abandoned), so the
        store and the folders stay consistent.
        """
        await trio.to_thread.run_sync(self.recover)
        send, receive = trio.open_memory_channel[tuple[str, bool]](10_000)
        observer = start_observer(self.incoming, send, trio.lowlevel.current_trio_token())
        try:
            wait = await trio.to_thread.run_sync(self.scan_or_log)
            task_status.started()
            while True:
                timeout = self.scan_interval if wait is None else min(wait, self.scan_interval)
                hot: set[str] = set()
                with trio.move_on_after(timeout):
                    name, is_hot = await receive.receive()
                    if is_hot:
                        hot.add(name)
                    while True:  # drain the burst: one scan serves many hints
                        try:
                            name, is_hot = receive.receive_nowait()
                        except trio.WouldBlock:
                            break
                        if is_hot:
                            hot.add(name)
                wait = await trio.to_thread.run_sync(self.scan_or_log, hot)
        finally:
            if observer is not None:
                observer.stop()


def _id_range(ids: list[int]) -> str:
    if not ids:
        return ""
    return f"#{ids[0]}" if len(ids) == 1 else f"#{ids[0]}-#{ids[-1]}"
