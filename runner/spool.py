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

No input stops the spool (README, "The spool directory"): whatever lands in ``incoming/`` is taken
or refused with a reason (``rejected/`` + ``.error.yaml`` + a status file), never left to jam
the folder: names too long for the names derived from them (more than :data:`MAX_NAME_BYTES`),
files the runner cannot read, symbolic links (never followed), folders, FIFOs, sockets and
devices. An ``incoming/`` deleted or replaced by a file is made again, loudly.

File events are hints only: the folder is scanned at start, on every hint, and periodically.
A file renamed in (a *moved* event) or closed after writing is taken at once; a file written to
(an IN_MODIFY event) is not taken before its close; any other file once its mtime is
``settle_time`` seconds old. Its size and mtime are checked again after reading and after
planning: a file that changed meanwhile is left for a later scan, so what is planned is exactly
the bytes kept in ``accepted/``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any

import trio

from runner.errors import INTERNAL_ERROR, INVALID_PARAMETERS, IntakeError
from runner.status import StatusWriter, atomic_write, dump_status, local_time, name_prefix
from runner.store import Store
from runner.watch import COMPLETE, GONE, WRITING, start_observer

log = logging.getLogger(__name__)

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
SUBDIRS = ("incoming", "active", "accepted", "rejected", "status", "artifacts")
ERROR_SUFFIX = ".error.yaml"
STATUS_SUFFIX = ".status.yaml"  # of status/<manifest>.status.yaml (runner/status.py)
NAME_MAX = 255
"""Bytes in one file name on Linux (NAME_MAX), UTF-8 as the file system stores it."""
MAX_NAME_BYTES = 240
"""Longest spool file name taken, in bytes (ours): ``<name>.status.yaml`` of a bare body and a
re-drop's ``<stem>.<n>.<ext>`` still fit in :data:`NAME_MAX`. Longer names are refused and filed
under a shortened name."""
API_PREFIX = "api-"
"""Manifest names kept for tasks created over HTTP (``status/api-<first id>.status.yaml``)."""

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
    """A claimed, planned spool file waiting for its transaction (see ``Store.take_in``).

    ``data`` is the bytes planned and ``stamp`` the file's (size, mtime_ns) when they were read."""

    path: Path
    claim_name: str
    sha256: str
    final_name: str
    plan: Any  # intake.ManifestPlan
    data: bytes = b""
    stamp: tuple[int, int] = (0, 0)


class _Unsettled(Exception):
    """A claimed file changed while it was read or planned: a writer is still at it."""


class ReservedName(IntakeError):
    """A spool file whose manifest name starts with :data:`API_PREFIX` (40001)."""


def refusal_before_reading(name: str, size: int, max_bytes: int) -> IntakeError | None:
    """The spool's refusal of file ``name`` of ``size`` bytes before it reads a byte, or None:
    a name longer than :data:`MAX_NAME_BYTES` (UTF-8), a file larger than ``max_bytes``."""
    if _nbytes(name) > MAX_NAME_BYTES:
        return IntakeError(
            INVALID_PARAMETERS,
            f"the file name is {_nbytes(name)} bytes long; names of at most "
            f"{MAX_NAME_BYTES} bytes (UTF-8) are taken: rename it shorter",
        )
    if size > max_bytes:
        return IntakeError(
            INVALID_PARAMETERS,
            f"the file is {size} bytes; manifests may be at most {max_bytes} bytes",
        )
    return None


def plan_file(name: str, data: bytes, plan: Planner, max_bytes: int) -> Any:
    """What the spool makes of the bytes ``data`` of file ``name`` in ``incoming/``, before the
    store's rules (a name owned by another file or by the workflows folder): the intake plan
    (``plan(data, name)``, a ``runner.intake.ManifestPlan``), or IntakeError: the checks of
    :func:`refusal_before_reading`, a name not ending ``.yaml``, ``.yml`` or ``.json``, intake's
    refusal, and :class:`ReservedName`. ``tikrunner validate --for spool`` calls this too."""
    refusal = refusal_before_reading(name, len(data), max_bytes)
    if refusal is not None:
        raise refusal
    if not name.endswith(MANIFEST_SUFFIXES):
        raise IntakeError(
            INVALID_PARAMETERS, "not a manifest: only .yaml, .yml and .json files are taken"
        )
    planned = plan(data, name)
    if planned.name.startswith(API_PREFIX):
        raise ReservedName(
            INVALID_PARAMETERS,
            f"manifest name {planned.name!r}: names starting with {API_PREFIX!r} are kept for "
            "tasks created over HTTP; rename the file (or its metadata.name)",
        )
    return planned


def is_ignored(name: str) -> bool:
    """Whether the spool leaves file ``name`` in ``incoming/`` alone (a dotfile, ``*.tmp``)."""
    return name.startswith(".") or name.endswith(".tmp")


def _nbytes(name: str) -> int:
    return len(os.fsencode(name))


def _split_ext(name: str) -> tuple[str, str]:
    """(stem, ``.ext``) with a short extension, else (name, "")."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or _nbytes(ext) > 10:
        return name, ""
    return stem, "." + ext


def _fit(name: str, room: int = len(ERROR_SUFFIX)) -> str:
    """``name``, or when ``name`` plus ``room`` bytes would pass :data:`NAME_MAX`, its stem cut
    between characters plus ``~`` and 8 hex digits of the whole name's SHA-256, extension kept."""
    if _nbytes(name) + room <= NAME_MAX:
        return name
    stem, ext = _split_ext(name)
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:8]
    budget = NAME_MAX - room - _nbytes(ext) - 9
    return f"{name_prefix(stem, budget)}~{digest}{ext}"


def _unique_name(folder: Path, name: str, reserved: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """A name free in ``folder`` (and not in ``reserved``), with its ``.error.yaml`` free too:
    ``name`` itself, else ``stem.N.ext`` with the smallest free N; shortened (:func:`_fit`) so
    that the name and its error file fit in :data:`NAME_MAX`. Links count as taken, dangling or
    not."""
    stem, ext = _split_ext(name)
    n = 0
    while True:
        candidate = _fit(name if n == 0 else f"{stem}.{n}{ext}")
        if (
            candidate not in reserved
            and not os.path.lexists(folder / candidate)
            and not os.path.lexists(folder / f"{candidate}{ERROR_SUFFIX}")
        ):
            return candidate
        n += 1


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name else name


def _what(mode: int) -> str | None:
    """Why an entry of this ``st_mode`` is not taken, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link: links are not followed; drop the file itself"
    if stat.S_ISDIR(mode):
        return "a folder: only files are taken; move its manifests into incoming/ one by one"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a file: write the manifest to a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    return "a device file, not a regular file"


def _move_no_replace(src: Path, dst: Path) -> None:
    """Move ``src`` (not a folder) to ``dst`` without ever replacing ``dst``: link, then unlink.
    Where the kernel refuses the link (``fs.protected_hardlinks``: a file of another user that
    the runner may not read) it is renamed, ``dst`` checked free first (one runner per spool, so
    nobody else fills it meanwhile). Raises ``FileExistsError``, ``FileNotFoundError``."""
    try:
        os.link(src, dst, follow_symlinks=False)
    except PermissionError:
        if os.path.lexists(dst):
            raise FileExistsError(dst) from None
        os.rename(src, dst)
        return
    try:
        os.unlink(src)
    except FileNotFoundError:
        pass


def _stamp(st: os.stat_result) -> tuple[int, int]:
    return st.st_size, st.st_mtime_ns


def _read(path: Path) -> tuple[bytes, tuple[int, int]]:
    """The bytes of the regular file ``path`` (never through a link, never blocking on a FIFO)
    and its (size, mtime_ns). Raises ``OSError`` when it cannot be read, and
    :class:`_Unsettled` when it changed while being read."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise OSError(f"not a regular file (mode {before.st_mode:o})")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if _stamp(after) != _stamp(before) or len(data) != after.st_size:
        raise _Unsettled()
    return data, _stamp(after)


class Spool:
    """One spool directory served by one runner.

    ``plan`` turns a file's bytes into an intake plan (raises ``IntakeError``); ``status`` gets
    told which manifests changed; ``on_outcomes`` gets the outcomes of each recovery and scan (in
    the worker thread; the runner's metrics count them). Blocking methods (``recover``, ``scan``) do file and
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
        on_outcomes: Callable[[list[Outcome]], None] | None = None,
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
        self.on_outcomes = on_outcomes or (lambda outcomes: None)
        self.batch_size = batch_size
        self._recover_first = False
        self._displaced: list[Outcome] = []
        self.incoming_remade = 0  # times incoming/ was found missing (or a file) and made again
        for sub in SUBDIRS:
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.incoming = self.root / "incoming"
        self.active = self.root / "active"
        self.accepted = self.root / "accepted"
        self.rejected = self.root / "rejected"
        self.status_dir = self.root / "status"

    # -- recovery ----------------------------------------------------------------------------

    def recover(self) -> list[Outcome]:
        """Finish or undo what a crash left half done; returns what was finished. Call at start.

        Never stops on one bad entry: a file it cannot read is refused with the reason, a name
        too long for its error file (left by an older tikrunner) is shortened first."""
        self._ensure_folders()
        done = []
        for path in sorted(self.active.iterdir()):
            if is_ignored(path.name) or not stat.S_ISREG(os.lstat(path).st_mode):
                continue
            self._drop_twin(path)  # crashed between link and unlink of the claim
            done.extend(self._process_batch([path]))
        for path in sorted(self.rejected.iterdir()):
            if path.name.endswith(ERROR_SUFFIX) or is_ignored(path.name):
                continue
            if os.path.lexists(path.with_name(path.name + ERROR_SUFFIX)):
                continue
            if _fit(path.name) != path.name:  # an older runner's name, too long for its error file
                fitted = _unique_name(self.rejected, path.name)
                os.rename(path, self.rejected / fitted)
                path = self.rejected / fitted
            self._drop_twin(path)  # crashed between link and unlink of a refusal
            self._write_error(path, self._reason_again(path))
        return done

    def _drop_twin(self, path: Path) -> None:
        """Unlink ``incoming/<name>`` when it is the very file ``path`` (a second link to it)."""
        twin = self.incoming / path.name
        try:
            if os.path.samestat(os.lstat(twin), os.lstat(path)):
                twin.unlink()
        except (FileNotFoundError, NotADirectoryError):
            pass

    def _reason_again(self, path: Path) -> IntakeError:
        """Why the rejected file ``path`` (its error file lost to a crash) was refused."""
        what = _what(os.lstat(path).st_mode)
        if what is not None:
            return IntakeError(INVALID_PARAMETERS, f"not taken: {what}")
        try:
            data, _ = _read(path)
        except (OSError, _Unsettled) as e:
            return _unreadable(e)
        try:
            self.plan(data, path.name)
        except IntakeError as e:
            return e
        except Exception:
            log.exception("rejected file %s: internal error while planning it again", path.name)
        return IntakeError(INVALID_PARAMETERS, "refused before a crash; valid now: drop it again")

    # -- taking files ------------------------------------------------------------------------

    def scan(
        self,
        hot: set[str] = frozenset(),  # type: ignore[assignment]
        writing: set[str] = frozenset(),  # type: ignore[assignment]
    ) -> tuple[list[Outcome], float | None]:
        """Take every ready entry of ``incoming/``: files, and the entries refused on sight
        (links, folders, FIFOs, sockets, devices).

        ``hot`` names files an event says are complete (renamed in, or closed after writing);
        they are taken at once. ``writing`` names files written to and not closed since: they
        wait for their close. Others are taken once their mtime is ``settle_time`` old.
        Returns the outcomes and, when some entry is still settling, the seconds until it is ready.
        """
        outcomes: list[Outcome] = []
        if self._ensure_folders():
            outcomes.extend(self._displaced)
            self._displaced = []
        wait, batch = None, []
        now = time.time()
        try:
            entries = sorted(os.scandir(self.incoming), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            return outcomes, None
        for entry in entries:
            if is_ignored(entry.name):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if entry.name in writing and entry.name not in hot and stat.S_ISREG(st.st_mode):
                continue  # open for writing: its close event makes it hot
            age = now - st.st_mtime
            if entry.name not in hot and age < self.settle_time:
                left = self.settle_time - age
                wait = left if wait is None else min(wait, left)
                continue
            what = _what(st.st_mode)
            if what is not None:
                refused = self._refuse_entry(Path(entry.path), what, stat.S_ISDIR(st.st_mode))
                if refused is not None:
                    outcomes.append(refused)
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

    def scan_or_log(
        self,
        hot: set[str] = frozenset(),  # type: ignore[assignment]
        writing: set[str] = frozenset(),  # type: ignore[assignment]
    ) -> float | None:
        """:meth:`scan`, surviving failures of the disk or the database (disk full, a locked or
        broken store): the error is logged, claimed files stay in ``active/``, and the next call
        first finishes them (:meth:`recover`). Returns the seconds until a settling file is
        ready, or None."""
        try:
            if self._recover_first:
                self.on_outcomes(self.recover())
                self._recover_first = False
            outcomes, wait = self.scan(hot, writing)
            self.on_outcomes(outcomes)
            return wait
        except Exception:
            log.exception("spool: taking files in failed; retrying in %g s", self.scan_interval)
            self._recover_first = True
            return None

    def _ensure_folders(self) -> bool:
        """Make the spool's folders again if they were deleted; a file (or link) found where
        ``incoming/`` should be is refused into ``rejected/`` first (its outcome kept in
        ``_displaced``). Returns True when ``incoming/`` was made again. Logs loudly; raises
        ``OSError`` when a folder cannot be made (the caller logs it and retries)."""
        for sub in SUBDIRS[1:]:
            folder = self.root / sub
            if not folder.is_dir():
                folder.mkdir(parents=True, exist_ok=True)
                log.warning("spool: %s/ was missing; made it again", sub)
        try:
            mode = os.lstat(self.incoming).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
            return False
        if mode is not None:
            refused = self._refuse_entry(
                self.incoming,
                "found where the incoming/ folder should be (was the folder deleted, then a file "
                "copied to its name?); incoming/ was made again: rename this file into it with "
                "a .yaml, .yml or .json name",
                False,
            )
            if refused is not None:
                self._displaced.append(refused)
        self.incoming.mkdir(exist_ok=True)
        self.incoming_remade += 1
        log.warning(
            "spool: incoming/ was %s; made it again (files dropped meanwhile went elsewhere)",
            "missing" if mode is None else "replaced by a file, now in rejected/",
        )
        return True

    def claim(self, path: Path) -> Path | None:
        """Move ``path`` from ``incoming/`` to ``active/`` without ever overwriting.

        Returns the claimed path, or None when another scan or runner took it first (or a file of
        that name is already being taken in; it is taken on a later scan).
        """
        target = self.active / path.name
        try:
            _move_no_replace(path, target)
        except (FileExistsError, FileNotFoundError):
            return None
        return target

    def _unclaim(self, claimed: Path) -> bool:
        """Put a claimed file back into ``incoming/`` (it is still being written); False when a
        new file of that name is there already (then it is taken as it is)."""
        try:
            _move_no_replace(claimed, self.incoming / claimed.name)
        except FileExistsError:
            return False
        log.info("spool file %s changed while it was read: left for a later scan", claimed.name)
        return True

    def _process_batch(self, claimed: list[Path]) -> list[Outcome]:
        """Take in claimed files: parse and plan each, commit every accepted one in one
        transaction (each manifest still all-or-none), then file them. Returns one outcome each
        (files put back into ``incoming/`` because they changed while read have none)."""
        outcomes: dict[Path, Outcome] = {}
        items: list[IntakeItem] = []
        reserved: set[str] = set()
        names: dict[str, tuple[str, str]] = {}  # manifest -> (claim name, sha256), this batch
        for path in claimed:
            try:
                outcome_or_item = self._prepare(path, reserved, names)
            except _Unsettled:
                if self._unclaim(path):
                    continue
                outcome_or_item = self._prepare(path, reserved, names, settled=True)
            if isinstance(outcome_or_item, Outcome):
                outcomes[path] = outcome_or_item
            else:
                items.append(outcome_or_item)
                reserved.add(outcome_or_item.final_name)
                names.setdefault(
                    outcome_or_item.plan.name, (outcome_or_item.claim_name, outcome_or_item.sha256)
                )
        if items:
            results = self.store.take_in(items)
            for item, (outcome, ids) in zip(items, results, strict=True):
                self._file_accepted(item)
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
        return [outcomes[path] for path in claimed if path in outcomes]

    def _file_accepted(self, item: IntakeItem) -> None:
        """Move a committed file into ``accepted/``; if a writer changed it after it was read,
        ``accepted/`` gets exactly the bytes planned and the changed file is refused beside."""
        final = self.accepted / item.final_name
        try:
            changed = _stamp(os.lstat(item.path)) != item.stamp
        except FileNotFoundError:
            changed = True
        if not changed:
            os.replace(item.path, final)
            return
        atomic_write(final, item.data)
        if os.path.lexists(item.path):
            self._reject(
                item.path,
                IntakeError(
                    INVALID_PARAMETERS,
                    f"changed after it was taken in: its tasks come from the {len(item.data)} "
                    f"bytes kept as accepted/{item.final_name}; this later version created "
                    "none (write elsewhere and rename into incoming/)",
                ),
                manifest=item.plan.name,
            )

    def _prepare(
        self,
        claimed: Path,
        reserved: set[str],
        names: dict[str, tuple[str, str]],
        *,
        settled: bool = False,
    ) -> Outcome | IntakeItem:
        """Read and plan one claimed file: an IntakeItem to commit, or the Outcome already reached
        (rejected, or committed before a crash and now filed). Raises :class:`_Unsettled` when
        the file changed while read or planned (unless ``settled``: then it is taken as read)."""
        name = claimed.name
        try:
            refusal = refusal_before_reading(name, os.lstat(claimed).st_size, self.max_bytes)
            if refusal is not None:
                return self._reject(claimed, refusal)
            data, stamp = _read(claimed)
        except _Unsettled:
            if not settled:
                raise
            data, stamp = claimed.read_bytes(), _stamp(os.lstat(claimed))
        except OSError as e:
            return self._reject(claimed, _unreadable(e))
        sha = hashlib.sha256(data).hexdigest()
        for record in self.store.intake_records(name, sha):
            final = self.accepted / record.final_name
            if not final.exists():  # committed before a crash, not yet filed
                os.replace(claimed, final)
                self.status.mark(record.manifest)
                return Outcome(record.outcome, record.manifest, record.final_name)
        try:
            plan = plan_file(name, data, self.plan, self.max_bytes)
        except ReservedName as e:  # shown under the file's own name, not the reserved one
            return self._reject(claimed, e, name, sha)
        except IntakeError as e:
            return self._reject(claimed, e, sha=sha)
        except Exception:  # a bug in intake: refuse this file with a reason, keep the runner going
            log.exception("manifest file %s: internal error while planning it", name)
            return self._reject(
                claimed,
                IntakeError(
                    INTERNAL_ERROR,
                    "internal error while reading this manifest (the runner's log has the "
                    "details); drop it again once the runner is fixed",
                ),
                sha=sha,
            )
        taken = self._name_taken(plan.name, name, sha, names)
        if taken is not None:  # shown beside the name's tasks
            return self._reject(claimed, IntakeError(INVALID_PARAMETERS, taken), plan.name, sha)
        if not settled and _stamp(os.lstat(claimed)) != stamp:
            raise _Unsettled()  # written to while it was planned
        final_name = _unique_name(self.accepted, name, reserved)
        return IntakeItem(
            path=claimed,
            claim_name=name,
            sha256=sha,
            final_name=final_name,
            plan=plan,
            data=data,
            stamp=stamp,
        )

    def _name_taken(
        self, manifest: str, claim_name: str, sha: str, batch: dict[str, tuple[str, str]]
    ) -> str | None:
        """Why spool file ``claim_name`` may not bring manifest ``manifest`` in, or None, by
        what the store knows (the ``api-`` prefix is :func:`plan_file`'s): a workflows-folder
        manifest owns its name, and so does the spool file that first brought a name in (a
        different file may only re-drop the same bytes, a duplicate)."""
        workflow = self.store.workflow(manifest)
        if workflow is not None:
            return (
                f"manifest name {manifest!r} belongs to {Path(workflow.path).name} of the "
                "workflows folder; give this one another name"
            )
        owner, when = None, None
        if manifest in batch:
            owner, first_sha = batch[manifest]
            if first_sha == sha:
                return None  # the same bytes twice in one batch: a duplicate
        else:
            found = self.store.manifest_file(manifest)
            if found is not None:
                owner, when = found
        if owner is None or owner == claim_name:
            return None
        if self.store.has_manifest(manifest, sha):
            return None  # the same bytes again: a duplicate, counted in its status file
        since = f" (accepted {local_time(when, self.tz)})" if when else ""
        return (
            f"manifest name {manifest!r} belongs to spool file {owner}{since}; two files must "
            f"not share one manifest: rename this file (or its metadata.name), or drop a changed "
            f"{owner} to make a new generation of it"
        )

    def _reject(
        self,
        claimed: Path,
        error: IntakeError,
        manifest: str | None = None,
        sha: str = "",
    ) -> Outcome:
        """File ``claimed`` under ``rejected/`` with its error file and log the refusal in the
        store under ``manifest`` (default: the manifest this file name brought in before, else the
        file's stem), whose status file then shows it."""
        final_name = _unique_name(self.rejected, claimed.name)
        final = self.rejected / final_name
        os.replace(claimed, final)
        return self._refused(claimed.name, final, error, manifest, sha)

    def _refuse_entry(self, path: Path, what: str, is_dir: bool) -> Outcome | None:
        """Refuse an entry of ``incoming/`` that is no regular file (or the entry found where
        ``incoming/`` itself should be): moved into ``rejected/`` as it is, never followed or
        opened. None when it vanished or was taken meanwhile."""
        final_name = _unique_name(self.rejected, path.name)
        final = self.rejected / final_name
        try:
            if is_dir:
                os.rename(path, final)  # final is free: _unique_name checked it just now
            else:
                _move_no_replace(path, final)
        except FileNotFoundError:
            return None
        return self._refused(
            path.name, final, IntakeError(INVALID_PARAMETERS, f"not taken: {what}"), None, ""
        )

    def _refused(
        self, claim_name: str, final: Path, error: IntakeError, manifest: str | None, sha: str
    ) -> Outcome:
        self._write_error(final, error)
        if manifest is None:
            # the stem of a name that leaves room for its status file's suffix (a 244-byte name
            # without an extension fits NAME_MAX with ".error.yaml", not with ".status.yaml")
            manifest = self.store.manifest_of_file(claim_name) or _stem(
                _fit(final.name, len(STATUS_SUFFIX))
            )
        try:
            self.store.record_refusal(
                claim_name=claim_name,
                sha256=sha,
                manifest=manifest,
                final_name=final.name,
                code=error.code,
                message=error.message,
            )
            self.status.mark(manifest)
        except Exception:  # the file and its error file are filed; the status file can wait
            log.exception("could not log the refusal of %s in the store", claim_name)
        log.warning("manifest file %s rejected (%d): %s", claim_name, error.code, error.message)
        return Outcome("rejected", manifest, final.name, error=error)

    def _write_error(self, rejected_file: Path, error: IntakeError) -> None:
        doc: dict[str, Any] = {
            "file": rejected_file.name,
            "code": error.code,
            "message": error.message,
        }
        if error.details:
            doc["errors"] = [d.as_dict() for d in error.details]
        doc["rejected_at"] = local_time(time.time(), self.tz)
        atomic_write(rejected_file.with_name(rejected_file.name + ERROR_SUFFIX), dump_status(doc))

    # -- the trio loop -----------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Recover, then take files until cancelled: on watchdog hints, and every ``scan_interval``.

        ``task_status.started()`` is called once recovery and the first scan are done. On cancel,
        the file being taken in finishes first (the worker thread is not abandoned), so the
        store and the folders stay consistent. A file written to (an IN_MODIFY hint) waits for
        its close hint; an ``incoming/`` made again is watched again.
        """
        self.on_outcomes(await trio.to_thread.run_sync(self.recover))
        send, receive = trio.open_memory_channel[tuple[str, str]](10_000)
        token = trio.lowlevel.current_trio_token()
        observer = start_observer(self.incoming, send, token)
        watched = self.incoming_remade
        writing: set[str] = set()
        try:
            wait = await trio.to_thread.run_sync(self.scan_or_log)
            task_status.started()
            while True:
                if self.incoming_remade != watched:
                    if observer is not None:
                        observer.stop()
                    observer = start_observer(self.incoming, send, token)
                    watched = self.incoming_remade
                timeout = self.scan_interval if wait is None else min(wait, self.scan_interval)
                hot: set[str] = set()
                with trio.move_on_after(timeout):
                    hint = await receive.receive()
                    while True:  # drain the burst: one scan serves many hints
                        name, kind = hint
                        if kind == WRITING:
                            writing.add(name)
                            hot.discard(name)
                        elif kind == COMPLETE:
                            writing.discard(name)
                            hot.add(name)
                        elif kind == GONE:
                            writing.discard(name)
                        try:
                            hint = receive.receive_nowait()
                        except trio.WouldBlock:
                            break
                wait = await trio.to_thread.run_sync(self.scan_or_log, hot, set(writing))
        finally:
            if observer is not None:
                observer.stop()


def _unreadable(error: BaseException) -> IntakeError:
    if isinstance(error, _Unsettled):
        return IntakeError(INVALID_PARAMETERS, "the file kept changing while it was read")
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return IntakeError(
        INVALID_PARAMETERS,
        f"cannot read the file: {reason} (the runner runs as uid {os.getuid()}); make it "
        "readable and drop it again",
    )


def _id_range(ids: list[int]) -> str:
    if not ids:
        return ""
    return f"#{ids[0]}" if len(ids) == 1 else f"#{ids[0]}-#{ids[-1]}"
