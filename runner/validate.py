"""``tikrunner validate [--for spool|workflows] [--strict] [--json] FILE...``: check manifests
exactly as serving would take them, without running anything.

Same code as serving, so the verdicts cannot drift: a file judged **for the spool** goes through
:func:`runner.spool.plan_file` (the spool's own checks: name length, size, suffix, the ``api-``
prefix, then :func:`runner.intake.plan_manifest` with the runner's intake context), and one judged
**for a workflows folder** through :func:`runner.gitops.read_file` and
:func:`runner.gitops.named_states` over its folder (schedules allowed, one name per manifest,
the folder's ``accounts.yaml`` merged into the inventory as ``serve --workflows`` merges it).
What only the running runner knows is not checked: names already owned by another spool file
or by the workflows folder (the store), material paths (files on the runner's machine) and the
simulated phones' accounts.

Which (``--for`` unset), from where the file lies (its folder; a workflows folder is not
recursive):

1. in tikrunner.yaml's ``spool``'s ``incoming/``, or in a folder named ``incoming``: the spool;
2. in tikrunner.yaml's ``workflows`` folder, in a folder holding an ``accounts.yaml``, or in a
   folder named ``workflows``: a workflows folder;
3. anywhere else: the spool, the stricter (it refuses schedules); the refusal says so.

The inventory: tikrunner.yaml's ``accounts:`` when a ``tikrunner.yaml`` is in the working
directory (loaded as ``serve`` loads it, ``TIKRUNNER_*`` variables included); for a workflows
folder, its ``accounts.yaml`` too. With neither, accounts are not resolved (no 40004, no
warning).

Two files are no manifests: an ``accounts.yaml`` (``accounts.yml``) is checked as an account
inventory, and a ``tikrunner.yaml`` (``tikrunner.yml``) as a runner config, read as ``serve
--config FILE`` reads it: account safety's limits (known action kinds, no negative count or gap),
working hours (``HH:MM-HH:MM`` ranges that are times of day and not empty) and cool-down among
every other setting, one line per problem with its JSON pointer (``tikrunner.yaml:
/limits/follow/per_day: ...``); the working directory's tikrunner.yaml given so is reported once,
as that file (exit 1 when invalid, not 2).

Warnings (ours): a Workflow whose units are accounts (``accounts: {tags}``, ``usernames``,
``serials`` with ``enable_multi_account``) and whose next firing would find no enabled account in
the inventory (serving takes the file; each firing is then recorded ``failed``): a warning
naming the selector. Exit 0 with warnings, 1 with ``--strict``.

Output: one line per problem, ``file: /json/pointer: message (code)`` (problems at the
document's root, such as YAML syntax errors, print as ``file: line L, column C: message``),
``file: warning: ...`` per warning and ``file: ok (...)`` for a valid file; with ``--json`` one
JSON report on stdout (README, "CI and pre-commit"). Exit code: 0 all valid, 1 any invalid (or
any warning with ``--strict``), 2 when a file cannot be read (or the config cannot be loaded).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from runner.config import RunnerConfig
from runner.errors import INTERNAL_ERROR, INVALID_PARAMETERS, ErrorDetail, IntakeError
from runner.intake import SCHEDULE_NOT_HERE, IntakeContext, plan_manifest

TARGETS = ("spool", "workflows")
#: Files checked as a runner config (``serve --config``), not as manifests.
CONFIG_FILES = ("tikrunner.yaml", "tikrunner.yml")


def _load() -> tuple[RunnerConfig | None, str | None]:
    """tikrunner.yaml of the working directory (None without one), and an error text if it is
    unusable."""
    if not Path("tikrunner.yaml").is_file():
        return None, None
    from runner.config import load_config

    try:
        return load_config(None), None
    except (ValueError, OSError, IntakeError) as e:
        text = e.message if isinstance(e, IntakeError) else str(e)
        lines = text.splitlines() or [text]
        return None, "\n".join(
            line if line.startswith("tikrunner.yaml: ") else f"tikrunner.yaml: {line}"
            for line in lines
        )


def _base_context(config: RunnerConfig | None) -> IntakeContext:
    """The runner's intake context (IntakeContext.from_config, as serving builds it), material
    paths unchecked; without a config, accounts unresolved. With a ``workflows`` folder in the
    config, its accounts.yaml is part of the runner's inventory (``serve`` loads it into the
    config's accounts, which the spool uses too)."""
    from runner.gitops import merge_inventory, read_accounts

    if config is None:
        return IntakeContext(resolve_accounts=False, check_materials=False)
    ctx = replace(IntakeContext.from_config(config), check_materials=False)
    if config.workflows is not None and Path(config.workflows).is_dir():
        try:
            accounts = read_accounts(Path(config.workflows))
        except (IntakeError, OSError):
            accounts = None  # serve logs it and keeps tikrunner.yaml's
        if accounts is not None:
            ctx = replace(ctx, accounts=merge_inventory(accounts, ctx.accounts))
    return ctx


def default_target(path: Path, config: RunnerConfig | None) -> tuple[str, str]:
    """(``"spool"`` or ``"workflows"``, why) for a file given without ``--for``, from its folder
    (the rules in this module's docstring)."""
    from runner.gitops import ACCOUNTS_FILES

    folder = path.absolute().parent
    if config is not None and folder == (Path(config.spool) / "incoming").absolute():
        return "spool", "it lies in the spool's incoming/ (tikrunner.yaml)"
    if folder.name == "incoming":
        return "spool", "it lies in a folder named incoming/"
    workflows = None if config is None else config.workflows
    if workflows is not None and folder == Path(workflows).absolute():
        return "workflows", "it lies in the workflows folder of tikrunner.yaml"
    if any((folder / name).is_file() for name in ACCOUNTS_FILES):
        return "workflows", "an accounts.yaml lies beside it"
    if folder.name == "workflows":
        return "workflows", "it lies in a folder named workflows/"
    return "spool", "judged for the spool by default (--for workflows for a workflows folder)"


class _Checker:
    """Validates files against one config; caches each workflows folder's states."""

    def __init__(self, config: RunnerConfig | None, target: str | None):
        self.config = config
        self.target = target
        self.ctx = _base_context(config)
        self._folders: dict[Path, tuple[IntakeContext, dict[str, Any]]] = {}

    def check(self, path: Path) -> dict[str, Any]:
        entry: dict[str, Any] = {"file": str(path)}
        try:
            data = path.read_bytes()
        except OSError as e:
            message = f"cannot read: {e.strerror or e}"
            entry.update(valid=False, readable=False, code=None, message=message, errors=[])
            return entry
        if path.name in ("accounts.yaml", "accounts.yml"):
            return _check_accounts(path, entry)
        if path.name in CONFIG_FILES:
            return _check_config(path, entry)
        target, why = (
            (self.target, f"judged as --for {self.target} asks")
            if self.target
            else default_target(path, self.config)
        )
        entry.update(readable=True, target=target, target_reason=why, warnings=[])
        try:
            if target == "spool":
                self._spool(path, data, entry)
            else:
                self._workflows(path, entry)
        except IntakeError as e:
            entry.update(valid=False, code=e.code, message=e.message)
            entry["errors"] = [d.as_dict() for d in e.details]
        return entry

    def _spool(self, path: Path, data: bytes, entry: dict[str, Any]) -> None:
        from runner.spool import is_ignored, plan_file

        if is_ignored(path.name):
            raise IntakeError(
                INVALID_PARAMETERS,
                "the spool never takes this file: dotfiles and *.tmp files are left in incoming/",
            )

        def plan(data: bytes, filename: str) -> Any:
            return plan_manifest(data, filename=filename, ctx=self.ctx)

        try:
            planned = plan_file(path.name, data, plan, self.ctx.max_bytes)
        except IntakeError as e:
            if e.message == SCHEDULE_NOT_HERE:  # say why the spool's rules applied
                because = f"{SCHEDULE_NOT_HERE}; {entry['target_reason']}"
                details = [ErrorDetail(d.pointer, because) for d in e.details]
                raise IntakeError(e.code, because, details) from None
            raise
        except Exception as e:  # as the spool: a bug in intake refuses the file, with a reason
            raise IntakeError(INTERNAL_ERROR, f"internal error while reading it: {e!r}") from e
        unknown = not self.ctx.resolve_accounts and _needs_accounts(planned.kind, planned.body)
        tasks = None if unknown else len(planned.tasks)  # None: accounts unresolved, uncounted
        entry.update(valid=True, name=planned.name, kind=planned.kind, tasks=tasks)

    def _workflows(self, path: Path, entry: dict[str, Any]) -> None:
        from runner.gitops import firing_tasks, is_manifest_file

        if not is_manifest_file(path):
            raise IntakeError(
                INVALID_PARAMETERS,
                "a workflows folder never applies this file: it applies *.yaml, *.yml and *.json "
                "files other than dotfiles, *.tmp and accounts.yaml",
            )
        ctx, states = self._folder(path.absolute().parent)
        state = states[str(path.absolute())]
        if state.problem is not None:
            raise state.problem
        entry.update(valid=True, name=state.name, kind=state.kind, tasks=None)
        if not ctx.resolve_accounts and _needs_accounts(state.kind, state.document):
            return  # no inventory: the units cannot be counted
        try:
            tasks = firing_tasks(
                state.kind, state.name, state.document, ctx, ctx.now.timestamp(), "validate"
            )
        except IntakeError as e:  # taken by the folder; each firing would fail
            entry["tasks"] = 0
            entry["warnings"] = [
                {"pointer": d.pointer, "message": d.message, "code": e.code} for d in e.details
            ] or [{"pointer": "", "message": e.message, "code": e.code}]
            return
        entry["tasks"] = len(tasks)

    def _folder(self, folder: Path) -> tuple[IntakeContext, dict[str, Any]]:
        """The context and the file states (path -> FileState) of a workflows folder, as one
        scan of ``serve --workflows`` reads them."""
        from runner.gitops import (
            manifest_files,
            merge_inventory,
            named_states,
            read_accounts,
            read_file,
        )

        if folder not in self._folders:
            ctx = IntakeContext(**{**self.ctx.__dict__, "allow_schedule": True})
            try:
                accounts = read_accounts(folder)
            except (IntakeError, OSError):
                accounts = None  # reported when accounts.yaml is validated; serving keeps the old
            if accounts is not None:
                inventory = merge_inventory(accounts, ctx.accounts if ctx.resolve_accounts else [])
                ctx = IntakeContext(
                    **{**ctx.__dict__, "accounts": inventory, "resolve_accounts": True}
                )
            states = named_states(read_file(p, ctx) for p in manifest_files(folder))
            self._folders[folder] = (ctx, {s.path: s for s in states})
        return self._folders[folder]


def _needs_accounts(kind: str, document: Any) -> bool:
    """Whether a checked manifest's firing resolves accounts against the inventory: a Workflow
    whose units are accounts (a Task's units are planned without an inventory too).
    ``document``: the manifest's parsed document, or its ``spec``."""
    spec = document.get("spec", document) or {}
    return kind == "Workflow" and (spec.get("serials") is None or spec.get("enable_multi_account"))


def _check_accounts(path: Path, entry: dict[str, Any]) -> dict[str, Any]:
    """An account inventory file (runner.gitops.read_accounts rules)."""
    from runner.gitops import read_accounts

    try:
        accounts = read_accounts(path.parent) or []
    except IntakeError as e:
        entry.update(valid=False, readable=True, code=e.code, message=e.message)
        entry["errors"] = [d.as_dict() for d in e.details]
        return entry
    entry.update(valid=True, readable=True, name=path.stem, kind="Accounts", accounts=len(accounts))
    return entry


def _check_config(path: Path, entry: dict[str, Any]) -> dict[str, Any]:
    """A runner config (tikrunner.yaml), read as ``serve --config FILE`` reads it
    (runner.config.load_config, ``TIKRUNNER_*`` variables included): its limits, working hours,
    cool-down and inventory among the rest; one error per problem with its JSON pointer."""
    from runner.config import ConfigError, load_config

    try:
        config = load_config(path)
    except ConfigError as e:
        errors = []
        for line in e.problems:
            head, sep, message = line.partition(": /")
            if sep and head == str(path):  # FILE: /pointer: message
                pointer, _, message = ("/" + message).partition(": ")
                errors.append({"pointer": "" if pointer == "/" else pointer, "message": message})
            else:  # the file unreadable or unparsable, or a variable's value
                errors.append({"pointer": "", "message": line.removeprefix(f"{path}: ")})
        entry.update(valid=False, readable=True, code=INVALID_PARAMETERS, errors=errors)
        entry["message"] = "invalid runner config"
        return entry
    entry.update(valid=True, readable=True, name=path.stem, kind="Config")
    entry["accounts"] = len(config.accounts)
    return entry


def run_validate(
    files: list[Path], as_json: bool, target: str | None = None, strict: bool = False
) -> int:
    """Validate ``files`` for ``target`` (``spool``, ``workflows``, or None: from where each lies);
    print the report (human lines, or JSON with ``as_json``) to stdout.

    JSON: ``{"valid": bool, "files": [entry...]}`` (plus ``config_error``); an entry has
    ``file``, ``valid``, ``readable``, ``target`` and ``target_reason``, then ``name``, ``kind``
    and ``tasks`` (the tasks it would create now; a workflows-folder file: of its next firing,
    None when accounts cannot be resolved) when valid, ``code``, ``message`` and ``errors``
    (``[{pointer, message}]``) when not, and ``warnings`` (``[{pointer, message, code}]``). An
    accounts.yaml's entry has ``kind: Accounts`` and ``accounts`` (a count) instead.

    Returns the exit code: 0 every file valid, 1 any file invalid (or warned about, with
    ``strict``), 2 any file unreadable or an unusable tikrunner.yaml.
    """
    config, config_error = _load()
    if any(Path(f).absolute() == Path("tikrunner.yaml").absolute() for f in files):
        config_error = None  # the config is one of the files: its entry says what is wrong
    checker = _Checker(config, target)
    entries = [checker.check(Path(f)) for f in files]
    unreadable = config_error is not None or any(not e["readable"] for e in entries)
    invalid = any(not e["valid"] for e in entries)
    warned = any(e.get("warnings") for e in entries)  # an accounts.yaml's entry has none
    failed = invalid or (strict and warned)
    if as_json:
        report: dict[str, Any] = {"valid": not failed and not unreadable, "files": entries}
        if config_error:
            report["config_error"] = config_error
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        if config_error:
            print(config_error)
        for e in entries:
            for line in _human(e):
                print(line)
    return 2 if unreadable else 1 if failed else 0


def _human(entry: dict[str, Any]) -> list[str]:
    file = entry["file"]
    if entry["valid"] and entry["kind"] in ("Accounts", "Config"):
        n = entry["accounts"]
        what = "account inventory" if entry["kind"] == "Accounts" else "runner config"
        return [f"{file}: ok ({what}, {n} account{'s' if n != 1 else ''})"]
    if not entry["readable"]:
        return [f"{file}: {entry['message']}"]
    if entry["valid"]:
        where_to = "a workflows folder" if entry["target"] == "workflows" else "the spool"
        n = entry["tasks"]
        count = "accounts not resolved" if n is None else f"{n} task{'s' if n != 1 else ''}"
        lines = [f"{file}: ok for {where_to} ({entry['kind']} {entry['name']!r}, {count})"]
        for w in entry["warnings"]:
            where = f"{w['pointer']}: " if w["pointer"] else ""
            lines.append(
                f"{file}: warning: {where}{w['message']} ({w['code']}): taken, but each firing "
                "fails until the inventory has such an account"
            )
        return lines
    errors = entry["errors"] or [{"pointer": "", "message": entry["message"]}]
    lines = []
    for err in errors:
        where = f"{err['pointer']}: " if err["pointer"] else ""
        lines.append(f"{file}: {where}{err['message']} ({entry['code']})")
    return lines
