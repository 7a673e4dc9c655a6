"""Git for tests of workflows folders: the real git binary, run in a test's own repository."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(repo: Path, *args: str) -> None:
    """Run ``git args...`` in ``repo`` as a throw-away author (no global config needed); raises
    ``subprocess.CalledProcessError`` when git fails, its output captured."""
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )
