"""``tikrunner validate FILE...``: check manifests exactly as the spool would, without running anything.

Each file goes through :func:`runner.intake.plan_manifest` (same parser, same schema, same
models, same fan-out), so "valid here" means "accepted when dropped into spool/incoming/".

Accounts (ours): usernames mode and multi-account mode resolve against the account inventory.
When a ``tikrunner.yaml`` is in the working directory (or ``TIKRUNNER_*`` variables name one),
its ``accounts:`` are used and an unknown username is reported (40004) as the runner would.
Without a config file the inventory is unknown, and account resolution is skipped (no 40004).

Material paths (post ``material_list``, ``material_path``, comment ``comment_image_path``) are not
checked: they name files on the runner's machine, which intake checks when the manifest is taken.

Schedules (``schedule:`` in a Workflow or Task) are accepted: they are valid in a workflows folder
(``serve --workflows``), which is where validate is mostly run (pre-commit, CI); the spool refuses
them. An ``accounts.yaml`` is checked as an account inventory, and is the inventory of the
manifests beside it (as ``serve --workflows`` would use it).

Output: one line per problem, ``file: /json/pointer: message`` (problems at the document's root,
such as YAML syntax errors, print as ``file: line L, column C: message``), and ``file: ok (...)``
for a valid file; with ``--json`` one JSON report on stdout. Exit code: 0 all valid, 1 any
invalid, 2 when a file cannot be read (or the config cannot be loaded).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runner.errors import IntakeError
from runner.intake import IntakeContext, plan_manifest


def _context() -> tuple[IntakeContext, str | None]:
    """The intake context for validation, and an error text if tikrunner.yaml is unusable."""
    if not Path("tikrunner.yaml").is_file():
        return IntakeContext(
            resolve_accounts=False, allow_schedule=True, check_materials=False
        ), None
    from runner.config import load_config

    try:
        cfg = load_config(None)
    except (ValueError, OSError, IntakeError) as e:
        text = e.message if isinstance(e, IntakeError) else str(e)
        return IntakeContext(
            resolve_accounts=False, allow_schedule=True, check_materials=False
        ), f"tikrunner.yaml: {text}"
    return (
        IntakeContext(
            accounts=list(cfg.accounts),
            max_bytes=cfg.max_manifest_bytes,
            max_depth=cfg.max_nesting,
            default_package=cfg.package,
            resolve_accounts=True,
            allow_schedule=True,
            check_materials=False,
        ),
        None,
    )


def check_file(path: Path, ctx: IntakeContext) -> dict[str, Any]:
    """Validate one file; returns its report entry (``valid``, and ``code``/``errors`` or task count).

    ``readable`` is False (and ``code`` None) when the file could not be read.
    """
    entry: dict[str, Any] = {"file": str(path)}
    try:
        data = path.read_bytes()
    except OSError as e:
        entry.update(
            valid=False, readable=False, code=None, message=f"cannot read: {e.strerror or e}"
        )
        entry["errors"] = []
        return entry
    if path.name in ("accounts.yaml", "accounts.yml"):
        return _check_accounts(path, entry)
    inventory = _folder_accounts(path)
    if inventory is not None:  # a workflows folder: its accounts.yaml is the inventory
        ctx = IntakeContext(**{**ctx.__dict__, "accounts": inventory, "resolve_accounts": True})
    try:
        plan = plan_manifest(data, filename=str(path), ctx=ctx)
    except IntakeError as e:
        entry.update(valid=False, readable=True, code=e.code, message=e.message)
        entry["errors"] = [d.as_dict() for d in e.details]
        return entry
    entry.update(valid=True, readable=True, name=plan.name, kind=plan.kind, tasks=len(plan.tasks))
    return entry


def _folder_accounts(path: Path) -> list | None:
    """The accounts of the ``accounts.yaml`` beside ``path``, or None (absent or invalid: an
    invalid inventory is reported when the file itself is validated)."""
    from runner.gitops import read_accounts

    try:
        return read_accounts(path.parent)
    except (IntakeError, OSError):
        return None


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


def run_validate(files: list[Path], as_json: bool) -> int:
    """Validate ``files``; print the report (human lines, or JSON with ``as_json``) to stdout.

    Returns the exit code: 0 every file valid, 1 any file invalid, 2 any file unreadable or an
    unusable tikrunner.yaml.
    """
    ctx, config_error = _context()
    entries = [check_file(Path(f), ctx) for f in files]
    unreadable = config_error is not None or any(not e["readable"] for e in entries)
    invalid = any(not e["valid"] for e in entries)
    if as_json:
        report: dict[str, Any] = {"valid": not invalid and not unreadable, "files": entries}
        if config_error:
            report["config_error"] = config_error
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        if config_error:
            print(config_error)
        for e in entries:
            for line in _human(e):
                print(line)
    return 2 if unreadable else 1 if invalid else 0


def _human(entry: dict[str, Any]) -> list[str]:
    file = entry["file"]
    if entry["valid"] and entry["kind"] == "Accounts":
        n = entry["accounts"]
        return [f"{file}: ok (account inventory, {n} account{'s' if n != 1 else ''})"]
    if entry["valid"]:
        n = entry["tasks"]
        return [f"{file}: ok ({entry['kind']} {entry['name']!r}, {n} task{'s' if n != 1 else ''})"]
    if not entry["readable"]:
        return [f"{file}: {entry['message']}"]
    errors = entry["errors"] or [{"pointer": "", "message": entry["message"]}]
    lines = []
    for err in errors:
        where = f"{err['pointer']}: " if err["pointer"] else ""
        lines.append(f"{file}: {where}{err['message']} ({entry['code']})")
    return lines
