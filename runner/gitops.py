"""A folder of manifests kept in git, applied to the store, and its schedules fired (issue 6).

``tikrunner serve --workflows DIR`` keeps the store in step with the folder:
- a new file is applied (generation 1); a changed file becomes the next generation, in force from
  the moment it is seen (its future firings change; tasks already fired, running or pending, are
  left alone); a file that no longer validates leaves the previous generation in force and puts
  the error in the status file; a deleted file stops its future firings and cancels its pending
  tasks;
- ``accounts.yaml`` in the folder is the account inventory, reloaded on change;
- each manifest fires: once per generation when it has no ``schedule``; else at each slot of its
  schedule (runner.schedule). A slot fires at most once (the store's ``firings`` table), so a
  restart never fires a slot twice; a slot that fell due while tikrunner was stopped is recorded
  ``missed`` (shown in the status file) and not run late, unless ``catch_up: true``, which runs
  the latest missed slot once.

File events are hints: the folder is scanned on every hint and every ``scan_interval`` seconds.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import trio

from runner.config import Account, pointer_and_message
from runner.errors import INVALID_PARAMETERS, ErrorDetail, IntakeError
from runner.intake import IntakeContext, check_document, check_workflow, plan_firing
from runner.schedule import Slot, apply_slot, schedule_of, stored_schedule
from runner.status import StatusWriter
from runner.store import Store, WorkflowRow
from runner.watch import start_observer
from runner.yamlsafe import load_document

log = logging.getLogger(__name__)

ACCOUNTS_FILES = ("accounts.yaml", "accounts.yml")
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
DELETED_REMARK = "cancelled: its workflow file was deleted"

ContextFactory = Callable[[float], IntakeContext]  # epoch seconds -> intake context at that time


@dataclass(frozen=True)
class FileState:
    """One manifest file of the folder as read now: its name, content hash and parsed document,
    or the error that stopped it from applying (``error``: one line for the status file and the
    log; ``problem``: the same as an IntakeError, with its code and JSON pointers)."""

    path: str
    name: str
    sha256: str
    kind: str
    document: dict[str, Any] | None
    error: str | None
    problem: IntakeError | None = None


def manifest_files(folder: Path) -> list[Path]:
    """The manifest files of ``folder`` (not recursive; dotfiles, ``*.tmp`` and accounts.yaml left out)."""
    return [path for path in sorted(folder.iterdir()) if is_manifest_file(path)]


def is_manifest_file(path: Path) -> bool:
    """Whether the folder applies ``path``: a regular file named ``*.yaml``, ``*.yml`` or
    ``*.json``, not a dotfile, not ``*.tmp``, not accounts.yaml (the others are left alone)."""
    name = path.name
    if name.startswith(".") or name.endswith(".tmp") or name in ACCOUNTS_FILES:
        return False
    return name.endswith(MANIFEST_SUFFIXES) and path.is_file()


def check_manifest(data: bytes, filename: str, ctx: IntakeContext) -> tuple[str, str, Any]:
    """Check a workflows-folder manifest's bytes as the folder applies them (schedules allowed):
    returns (kind ``"Workflow"`` or ``"Task"``, manifest name, parsed document). Raises
    IntakeError (40001-40004). A Workflow's account selector is not resolved here: the inventory
    may change before it fires (a firing that finds no account is recorded ``failed``)."""
    ctx = IntakeContext(**{**ctx.__dict__, "allow_schedule": True})
    doc = load_document(data, filename=filename, max_bytes=ctx.max_bytes, max_depth=ctx.max_depth)
    if isinstance(doc, dict) and doc.get("kind") == "Workflow":
        plan = check_workflow(doc, ctx)
        return "Workflow", plan.name, doc
    # the whole document, schedule included: a bad Task schedule is refused here, not at a tick
    task = check_document(doc, name=Path(filename).stem, ctx=ctx)
    return "Task", task.name or Path(filename).stem, doc


def read_file(path: Path, ctx: IntakeContext) -> FileState:
    """Read and check one manifest file as the folder would apply it (:func:`check_manifest`);
    a file that cannot be read is refused (40001) like an invalid one, never raised."""
    try:
        data = path.read_bytes()
    except OSError as e:
        unreadable = IntakeError(INVALID_PARAMETERS, f"cannot read: {e.strerror or e}")
        return _refused(FileState(str(path), path.stem, "", "", None, None), unreadable)
    sha = hashlib.sha256(data).hexdigest()
    try:
        kind, name, doc = check_manifest(data, path.name, ctx)
    except IntakeError as e:
        return _refused(FileState(str(path), path.stem, sha, "", None, None), e)
    return FileState(str(path), name, sha, kind, doc, None)


def _refused(state: FileState, e: IntakeError) -> FileState:
    details = "; ".join(f"{d.pointer or '/'}: {d.message}" for d in e.details[:5])
    error = f"{e.code}: {e.message}" + (f" ({details})" if details else "")
    return FileState(state.path, state.name, state.sha256, "", None, error, e)


def named_states(states: Iterable[FileState]) -> Iterator[FileState]:
    """The states of a folder's files (in :func:`manifest_files` order) with the rule that one
    name is one manifest: a file whose manifest name an earlier file already uses is refused."""
    present: dict[str, str] = {}
    for state in states:
        if state.name in present:
            message = f"the name {state.name!r} is already used by {Path(present[state.name]).name}"
            state = _refused(state, IntakeError(INVALID_PARAMETERS, message))
        present.setdefault(state.name, state.path)
        yield state


def _without_schedule(doc: Any) -> Any:
    """A Task document with its ``spec.schedule`` taken out (the Task's intake rules then apply)."""
    if isinstance(doc, dict) and isinstance(doc.get("spec"), dict) and "schedule" in doc["spec"]:
        doc = {**doc, "spec": {k: v for k, v in doc["spec"].items() if k != "schedule"}}
    return doc


def firing_tasks(
    kind: str, name: str, document: dict[str, Any], ctx: IntakeContext, start: float, firing: str
) -> list[Any]:
    """The tasks of one firing at ``start`` (epoch seconds) of the checked manifest ``name`` of
    ``kind`` (``Workflow`` or ``Task``) with parsed ``document``, against ``ctx``'s inventory
    now; ``firing`` keys a Workflow's steps. Raises IntakeError (40004 when a selector, a
    username or a multi-account phone finds no enabled account)."""
    ctx = IntakeContext(
        **{
            **ctx.__dict__,
            "allow_schedule": True,
            "now": datetime.fromtimestamp(start, ctx.now.tzinfo),
        }
    )
    if kind == "Workflow":
        plan = check_workflow(document, ctx)
        return plan_firing(plan, ctx, start_at=start, firing=firing)
    return check_document(_without_schedule(document), name=name, ctx=ctx).tasks


def merge_inventory(from_file: list[Account], base: list[Account]) -> list[Account]:
    """The inventory of a workflows folder: the accounts of its accounts.yaml, then those of
    ``base`` (tikrunner.yaml's, simulated phones') whose usernames the file does not name."""
    names = {a.username.lower() for a in from_file}
    return from_file + [a for a in base if a.username.lower() not in names]


def read_accounts(folder: Path) -> list[Account] | None:
    """The inventory of ``folder/accounts.yaml`` (a list, or a mapping with ``accounts:``), or None
    when there is no such file. Raises IntakeError (40001, with a JSON pointer per problem such as
    ``/1/serial``) when it is invalid."""
    from pydantic import ValidationError

    for name in ACCOUNTS_FILES:
        path = folder / name
        if not path.is_file():
            continue
        doc = load_document(path.read_bytes(), filename=name, max_bytes=10_000_000, max_depth=16)
        prefix = ""
        if isinstance(doc, dict):
            doc, prefix = doc.get("accounts"), "/accounts"
        if not isinstance(doc, list):
            msg = "a list of accounts (or accounts: [...]) is expected"
            raise IntakeError(INVALID_PARAMETERS, f"{name}: {msg}", [ErrorDetail(prefix, msg)])
        accounts, details = [], []
        for i, item in enumerate(doc):
            try:
                accounts.append(Account.model_validate(item))
            except ValidationError as e:
                for err in e.errors():
                    pointer, message = pointer_and_message(err, Account.model_fields)
                    details.append(ErrorDetail(f"{prefix}/{i}{pointer}", message))
        if details:
            raise IntakeError(INVALID_PARAMETERS, f"{name}: invalid accounts", details)
        return accounts
    return None


def accounts_problems(folder: Path, error: Exception) -> list[str]:
    """What :func:`read_accounts` refused in ``folder``, one line per problem naming the file
    and the place: ``FOLDER/accounts.yaml: /0/limits/follow/per_day: ... (got -1)``."""
    name = next((n for n in ACCOUNTS_FILES if (folder / n).is_file()), ACCOUNTS_FILES[0])
    file = folder / name
    details = getattr(error, "details", None) or []
    if not details:
        text = getattr(error, "message", None) or str(error)
        return [f"{file}: {' '.join(text.removeprefix(f'{name}: ').split())}"]
    return [f"{file}: {d.pointer or '/'}: {d.message}" for d in details]


class WorkflowFolder:
    """Applies a workflows folder to the store and fires its manifests.

    ``context(now)`` builds the intake context at an instant (the runner's accounts, zone and
    caps); ``accounts`` is the runner's live inventory list, updated in place from accounts.yaml
    (``base_accounts`` — e.g. simulated phones' — are kept unless the file names them).
    ``clock`` returns epoch seconds (tests pass a fake one).
    """

    def __init__(
        self,
        folder: Path,
        store: Store,
        status: StatusWriter,
        context: ContextFactory,
        tz: tzinfo,
        *,
        accounts: list[Account],
        clock: Callable[[], float] = time.time,
        on_tasks: Callable[[], None] = lambda: None,
        scan_interval: float = 1.0,
    ):
        self.folder = Path(folder).absolute()
        self.store = store
        self.status = status
        self.context = context
        self.tz = tz
        self.accounts = accounts
        self.base_accounts = list(accounts)
        self.clock = clock
        self.on_tasks = on_tasks
        self.scan_interval = scan_interval
        self.started_at = clock()
        self._accounts_sha: str | None = None
        self._files: dict[str, tuple[int, int, FileState]] = {}  # path -> (size, mtime_ns, state)
        self._unreadable: set[tuple[str, int]] = set()  # (name, generation) logged as unreadable

    # -- applying the folder -----------------------------------------------------------------

    def scan(self, *, mark: bool = True) -> list[str]:
        """Bring the store in line with the folder now; returns the names whose state changed
        (their status files are marked for writing unless ``mark`` is False)."""
        now = self.clock()
        changed: list[str] = []
        self._reload_accounts()
        ctx = self.context(now)
        ctx = IntakeContext(**{**ctx.__dict__, "allow_schedule": True})
        rows = {w.name: w for w in self.store.workflows()}
        present: set[str] = set()
        read = (self._read(path, ctx) for path in manifest_files(self.folder))
        for state in named_states(s for s in read if s is not None):
            present.add(state.name)
            row = rows.get(state.name)
            if state.error is not None:
                if row is None or row.error != state.error or row.deleted_at is not None:
                    self.store.workflow_error(
                        name=state.name,
                        path=state.path,
                        sha256=state.sha256,
                        error=state.error,
                        now=now,
                    )
                    log.warning(
                        "workflow file %s not applied: %s", Path(state.path).name, state.error
                    )
                    changed.append(state.name)
                continue
            if (
                row is not None
                and row.sha256 == state.sha256
                and row.deleted_at is None
                and row.error is None
                and row.generation > 0
            ):
                continue
            generation = self.store.apply_workflow(
                name=state.name,
                path=state.path,
                sha256=state.sha256,
                kind=state.kind,
                document=state.document or {},
                now=now,
            )
            log.info(
                "workflow %s (%s): generation %d in force",
                state.name,
                Path(state.path).name,
                generation,
            )
            changed.append(state.name)
        for name, row in rows.items():
            if name not in present and row.deleted_at is None:
                cancelled = self.store.delete_workflow(name, now=now, remark=DELETED_REMARK)
                log.info("workflow %s: file deleted; %d pending tasks cancelled", name, cancelled)
                changed.append(name)
        if changed and mark:
            self.status.mark(*changed)
        return changed

    def _read(self, path: Path, ctx: IntakeContext) -> FileState | None:
        """``read_file`` with a cache keyed by size and mtime (re-read when either changes, or
        when the inventory changed); None when the file vanished meanwhile."""
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        key = str(path)
        cached = self._files.get(key)
        if cached is not None and cached[:2] == (st.st_size, st.st_mtime_ns):
            return cached[2]
        state = read_file(path, ctx)
        self._files[key] = (st.st_size, st.st_mtime_ns, state)
        return state

    def _reload_accounts(self) -> None:
        try:
            data = b"".join(
                (self.folder / n).read_bytes()
                for n in ACCOUNTS_FILES
                if (self.folder / n).is_file()
            )
        except OSError:
            return
        sha = hashlib.sha256(data).hexdigest()
        if sha == self._accounts_sha:
            return
        self._accounts_sha = sha
        try:
            accounts = read_accounts(self.folder)
        except (IntakeError, ValueError) as e:
            for problem in accounts_problems(self.folder, e):
                log.error("accounts.yaml not loaded, the previous inventory stays: %s", problem)
            return
        if accounts is None:
            accounts = []
        self._files.clear()  # validity of usernames may have changed
        self.accounts[:] = merge_inventory(accounts, self.base_accounts)
        log.info(
            "account inventory: %d accounts from %s", len(accounts), self.folder / "accounts.yaml"
        )

    # -- firing ------------------------------------------------------------------------------

    def tick(self) -> float:
        """Fire every due slot of every workflow in force; returns seconds until the next one is
        due (capped at the scan interval)."""
        now = self.clock()
        wait = self.scan_interval
        fired_any = False
        for row in self.store.workflows():
            if row.deleted_at is not None or row.generation == 0:
                continue
            sched, unreadable = stored_schedule(row.name, row.document, self.tz)
            if unreadable is not None:  # never fires; the other workflows go on
                if (row.name, row.generation) not in self._unreadable:
                    self._unreadable.add((row.name, row.generation))
                    log.error("workflow %s generation %d: %s", row.name, row.generation, unreadable)
                continue
            if sched is None:
                key = apply_slot(row.generation)
                if key not in self.store.fired_slots(row.name, key):
                    fired_any |= self._fire(row, key, due=row.applied_at, outcome="fired", now=now)
                continue
            last = self.store.last_due(row.name, row.generation)
            # slots before the last recorded one are settled; two days of margin cover jitter
            # (at most 12 h) and DST shifts between a slot's key and its instant
            start = row.applied_at if last is None else max(row.applied_at, last - 2 * 86400)
            done = self.store.fired_slots(row.name, _key_floor(start, self.tz))
            missed: list[Slot] = []
            for slot in sched.slots(start, now + 1):
                if slot.key in done:
                    continue
                if slot.due > now:
                    wait = min(wait, slot.due - now)
                    continue
                if slot.due < self.started_at:
                    missed.append(slot)
                    continue
                fired_any |= self._fire(row, slot.key, due=slot.due, outcome="fired", now=now)
            catch_up = bool((row.document.get("spec") or {}).get("schedule", {}).get("catch_up"))
            for i, slot in enumerate(missed):
                if catch_up and i == len(missed) - 1:
                    fired_any |= self._fire(row, slot.key, due=now, outcome="caught_up", now=now)
                else:
                    self.store.fire(
                        workflow=row.name,
                        slot=slot.key,
                        generation=row.generation,
                        outcome="missed",
                        due=slot.due,
                        note="tikrunner was not running",
                        now=now,
                    )
                    self.status.mark(row.name)
            nxt = sched.next_slot(now)
            if nxt is not None:
                wait = min(wait, max(0.0, nxt.due - now))
        if fired_any:
            self.on_tasks()
        return max(wait, 0.0)

    def _fire(self, row: WorkflowRow, key: str, *, due: float, outcome: str, now: float) -> bool:
        start = max(due, now) if outcome == "caught_up" else due
        ctx = self.context(start)
        try:
            tasks = self.plan(row, ctx, start, key)
        except IntakeError as e:
            self.store.fire(
                workflow=row.name,
                slot=key,
                generation=row.generation,
                outcome="failed",
                due=due,
                note=f"{e.code}: {e.message}",
                now=now,
            )
            log.warning("workflow %s slot %s not fired: %s", row.name, key, e.message)
            self.status.mark(row.name)
            return False
        ids = self.store.fire(
            workflow=row.name,
            slot=key,
            generation=row.generation,
            outcome=outcome,
            due=due,
            tasks=tasks,
            now=now,
        )
        if ids is None:
            return False
        log.info(
            "workflow %s generation %d slot %s: %d tasks", row.name, row.generation, key, len(ids)
        )
        self.status.mark(row.name)
        return True

    @staticmethod
    def plan(row: WorkflowRow, ctx: IntakeContext, start: float, key: str) -> list[Any]:
        """The tasks of one firing of ``row`` at ``start`` (epoch seconds). Raises IntakeError."""
        firing = f"{row.name}/{row.generation}/{key}"
        return firing_tasks(row.kind, row.name, row.document, ctx, start, firing)

    # -- the trio loop -----------------------------------------------------------------------

    def scan_and_tick(self) -> float:
        """:meth:`scan` then :meth:`tick`; a failure (disk, database) is logged and retried after
        the scan interval instead of stopping the runner. Returns the seconds to wait.

        The status files of what the scan changed are marked after the tick, so a generation
        just applied is never shown (the writer wakes at once) before its firing's tasks exist."""
        changed: list[str] = []
        try:
            changed = self.scan(mark=False)
            return self.tick()
        except Exception:
            log.exception("workflows folder %s: applying or firing failed; retrying", self.folder)
            return self.scan_interval
        finally:
            if changed:
                self.status.mark(*changed)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Scan and fire until cancelled: on folder events, when a slot falls due, and every
        ``scan_interval`` seconds. ``task_status.started()`` after the first scan and tick."""
        send, receive = trio.open_memory_channel[tuple[str, str]](1000)
        self.folder.mkdir(parents=True, exist_ok=True)
        observer = start_observer(self.folder, send, trio.lowlevel.current_trio_token())
        try:
            wait = await trio.to_thread.run_sync(self.scan_and_tick)
            task_status.started()
            while True:
                with trio.move_on_after(max(0.01, min(wait, self.scan_interval))):
                    await receive.receive()
                    while True:
                        try:
                            receive.receive_nowait()
                        except trio.WouldBlock:
                            break
                wait = await trio.to_thread.run_sync(self.scan_and_tick)
        finally:
            if observer is not None:
                observer.stop()


def _key_floor(epoch: float, tz: tzinfo) -> str:
    """The slot key of the local minute at ``epoch`` a day early (keys sort as times)."""
    return datetime.fromtimestamp(epoch - 86400, tz).strftime("%Y-%m-%dT%H:%M")


def plan_changes(
    folder: Path,
    store: Store | None,
    context: ContextFactory,
    tz: tzinfo,
    *,
    now: float | None = None,
) -> list[dict[str, Any]]:
    """What applying ``folder`` would change (``tikrunner apply --dry-run``), one entry per file
    in :func:`manifest_files` order, then one per deleted manifest. Writes nothing.

    Each entry: ``file`` (name in the folder), ``name`` (the manifest's), ``change`` (``new``,
    ``changed``, ``unchanged``, ``invalid`` or ``deleted``), ``generation`` (the one in force
    after applying; None for invalid and deleted), and for ``invalid`` ``code``, ``message`` and
    ``errors`` (``[{pointer, message}]``). New and changed ones have ``next_firing``: ``at``
    (local ISO 8601 time in ``tz``), ``slot`` (the schedule's slot key, None without a
    schedule: it fires once when applied), ``error`` (why that firing would fail, else None) and
    ``tasks`` (``[{serial, username, step, script_name, start_at}]``, ``start_at`` local ISO
    8601). An invalid accounts.yaml is an ``invalid`` entry too; the inventory is then the
    context's alone. ``now``: epoch seconds (default: the current time)."""
    now = time.time() if now is None else now
    ctx = IntakeContext(**{**context(now).__dict__, "allow_schedule": True})
    out: list[dict[str, Any]] = []
    try:
        accounts = read_accounts(folder)
    except IntakeError as e:
        accounts = None
        name = next(n for n in ACCOUNTS_FILES if (folder / n).is_file())
        out.append({"file": name, "name": name, "change": "invalid", "generation": None})
        out[-1].update(_problem(e))
    if accounts is not None:
        ctx = IntakeContext(**{**ctx.__dict__, "accounts": merge_inventory(accounts, ctx.accounts)})
    rows = {w.name: w for w in store.workflows()} if store is not None else {}
    seen: set[str] = set()
    for state in named_states(read_file(path, ctx) for path in manifest_files(folder)):
        seen.add(state.name)
        row = rows.get(state.name)
        entry: dict[str, Any] = {"file": Path(state.path).name, "name": state.name}
        out.append(entry)
        if state.error:
            assert state.problem is not None
            entry.update(change="invalid", generation=None, **_problem(state.problem))
            continue
        if (
            row is not None
            and row.sha256 == state.sha256
            and row.deleted_at is None
            and row.generation > 0
        ):
            entry.update(change="unchanged", generation=row.generation)
            continue
        fresh = row is None or row.generation == 0
        generation = 1 if fresh else row.generation + 1  # type: ignore[union-attr]
        entry.update(change="new" if fresh else "changed", generation=generation)
        fake = WorkflowRow(
            state.name,
            state.path,
            state.sha256,
            generation,
            state.kind,
            state.document or {},
            now,
            None,
            None,
        )
        sched = schedule_of(fake.name, fake.document, tz)
        slot = sched.next_slot(now) if sched is not None else None
        start = slot.due if slot else now
        firing: dict[str, Any] = {
            "at": _iso(start, tz),
            "slot": slot.key if slot else None,
            "error": None,
            "tasks": [],
        }
        entry["next_firing"] = firing
        try:
            tasks = WorkflowFolder.plan(
                fake, ctx, start, slot.key if slot else apply_slot(generation)
            )
        except IntakeError as e:
            firing["error"] = e.message
            continue
        firing["tasks"] = [
            {
                "serial": t.serial,
                "username": t.username,
                "step": getattr(t, "step_name", None) or None,
                "script_name": t.script_name,
                "start_at": _iso(t.start_at, tz),
            }
            for t in tasks
        ]
    for name, row in rows.items():
        if name not in seen and row.deleted_at is None:
            out.append(
                {"file": Path(row.path).name, "name": name, "change": "deleted", "generation": None}
            )
    return out


def _problem(e: IntakeError) -> dict[str, Any]:
    return {"code": e.code, "message": e.message, "errors": [d.as_dict() for d in e.details]}


def describe_changes(
    folder: Path,
    store: Store | None,
    context: ContextFactory,
    tz: tzinfo,
    *,
    now: float | None = None,
) -> list[str]:
    """:func:`plan_changes` in lines for a person (:func:`render_changes`). Writes nothing."""
    return render_changes(plan_changes(folder, store, context, tz, now=now))


def render_changes(changes: list[dict[str, Any]]) -> list[str]:
    """:func:`plan_changes`'s entries in lines for a person: each file new, changed, unchanged
    or invalid, each deleted manifest, and for new and changed ones the next firing's tasks
    (local time, phone, account, step, script)."""
    lines: list[str] = []
    for e in changes:
        file, name, change = e["file"], e["name"], e["change"]
        if change == "invalid":
            details = "; ".join(f"{d['pointer'] or '/'}: {d['message']}" for d in e["errors"][:5])
            error = f"{e['code']}: {e['message']}" + (f" ({details})" if details else "")
            lines.append(f"invalid   {file}: {error}")
            continue
        if change == "deleted":
            lines.append(f"deleted   {file} ({name}): future firings stop, pending tasks cancelled")
            continue
        if change == "unchanged":
            lines.append(f"unchanged {file} ({name}, generation {e['generation']})")
            continue
        lines.append(f"{change:<9} {file} ({name}) -> generation {e['generation']}")
        firing = e["next_firing"]
        at = _local_iso(firing["at"])
        when = f"at {at} (slot {firing['slot']})" if firing["slot"] else "now"
        if firing["error"] is not None:
            lines.append(f"          next firing {when} would fail: {firing['error']}")
            continue
        lines.append(f"          next firing {when}: {len(firing['tasks'])} tasks")
        for t in firing["tasks"]:
            step = f" step {t['step']!r}" if t["step"] else ""
            who = t["serial"] + (f" as @{t['username']}" if t["username"] else "")
            lines.append(f"            {_local_iso(t['start_at'])} {who}{step}: {t['script_name']}")
    return lines


def _iso(epoch: float, tz: tzinfo) -> str:
    return datetime.fromtimestamp(epoch, tz).isoformat(timespec="seconds")


def _local_iso(text: str) -> str:
    """``2026-06-01T09:00:00+02:00`` as ``2026-06-01 09:00:00`` (the lines' local time)."""
    return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S")
