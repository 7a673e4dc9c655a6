"""``tikrunner apply DIR --dry-run [--json]``: what applying a workflows folder would change (issue 6)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from runner.config import load_config


def run_apply(
    folder: Path,
    *,
    dry_run: bool,
    config_path: Path | None,
    spool: Path | None,
    as_json: bool = False,
) -> int:
    """Print the changes against the store of the spool, if any: lines for a person
    (runner.gitops.render_changes), or with ``as_json`` one JSON document ``{"folder": str,
    "valid": bool, "files": [...]}`` whose entries are runner.gitops.plan_changes's.

    Returns 0; 1 when a file of the folder (or its accounts.yaml) is invalid, as serving would
    not apply it; 2 for a missing folder, a bad config, a store that cannot be opened (one line,
    ``StoreError``), or without ``--dry-run`` (``tikrunner serve --workflows DIR`` is what applies
    a folder, so that firing and applying stay one process).
    """
    from runner.gitops import plan_changes, render_changes
    from runner.intake import IntakeContext
    from runner.store import Store, StoreError

    if not folder.is_dir():
        print(f"tikrunner apply: {folder}: no such folder", file=sys.stderr)
        return 2
    if not dry_run:
        print(
            "tikrunner apply: only --dry-run is supported; `tikrunner serve --workflows "
            f"{folder}` applies the folder and fires its schedules",
            file=sys.stderr,
        )
        return 2
    try:
        config = load_config(config_path, {"spool": spool})
    except (OSError, ValueError) as e:
        print(f"tikrunner apply: config: {e}", file=sys.stderr)
        return 2
    db = Path(config.spool) / "state.db"
    try:
        store = Store(db) if db.exists() else None
    except StoreError as e:
        print(f"tikrunner apply: {e}", file=sys.stderr)
        return 2
    try:
        changes = plan_changes(
            folder, store, lambda now: IntakeContext.from_config(config, now), config.tz()
        )
    finally:
        if store is not None:
            store.close()
    valid = all(c["change"] != "invalid" for c in changes)
    if as_json:
        report = {"folder": str(folder), "valid": valid, "files": changes}
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        lines = render_changes(changes)
        print("\n".join(lines) if lines else "nothing to apply")
    return 0 if valid else 1
