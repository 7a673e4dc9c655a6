"""Account safety's rules are checked before anything runs (issue 14 item 5): ``tikrunner
validate`` on a tikrunner.yaml or an accounts.yaml, and ``tikrunner serve`` at start, print one
line per mistake naming the file and the place (a JSON pointer), never a traceback: a bad time
range, a negative limit, an unknown action kind, a bad cool-down. Through the real command line
(a subprocess, as a CI job or an operator runs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from runner.limits import ACTION_KINDS

ROOT = Path(__file__).resolve().parents[1]

BAD_CONFIG = """\
limits:
  follow: {per_hour: -3, per_day: 150, min_gap: 20}
  folow: {per_day: 2}
limits_by_tag:
  new: {comment: {per_day: 5, min_gap: -1}}
working_hours: ["08:30-12:00", "25:00-26:00", "14:00"]
working_hours_by_tag: {night: ["22:00-22:00"]}
cooldown: 6 hours
accounts:
  - {username: alice, serial: R58M123ABC, tags: [new], limits: {follow: {per_day: -1}}}
"""
BAD_LINES = [
    "/limits/follow/per_hour: Input should be greater than or equal to 0 (got -3)",
    "/limits/folow: unknown action kind 'folow' (did you mean follow?); limits name one of "
    + ", ".join(ACTION_KINDS),
    "/limits_by_tag/new/comment/min_gap: Input should be greater than or equal to 0 (got -1)",
    "/working_hours/1: 25:00 is not a time of day (00:00 to 24:00) in '25:00-26:00'",
    "/working_hours/2: not a time range HH:MM-HH:MM (for example 08:30-12:00): '14:00'",
    "/working_hours_by_tag/night/0: the time range '22:00-22:00' is empty (it starts where it "
    "ends)",
    "/cooldown: not a duration such as 6h, 90m or 30s: '6 hours'",
    "/accounts/0/limits/follow/per_day: Input should be greater than or equal to 0 (got -1)",
]
GOOD_CONFIG = """\
timezone: Europe/Paris
limits:
  follow: {per_hour: 30, per_day: 150, min_gap: 20}
  like: {per_day: 400}
limits_by_tag:
  new: {follow: {per_day: 20}, comment: {per_day: 5}}
working_hours: ["08:30-12:00", "14:00-23:00"]
working_hours_by_tag: {night: ["22:00-02:00"]}
working_hours_by_phone: {R58M123ABC: ["8:00-24:00"]}
cooldown: 6h
accounts:
  - {username: alice, serial: R58M123ABC, tags: [new], limits: {follow: {per_day: 20}}}
"""


def tikrunner(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIKRUNNER_")}
    return subprocess.run(
        [sys.executable, "-m", "runner.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**env, "ADBUTILS_ADB_PATH": "/bin/false"},
    )


def test_validate_names_every_mistake_in_the_safety_rules_of_a_tikrunner_yaml(tmp_path):
    (tmp_path / "tikrunner.yaml").write_text(BAD_CONFIG)
    out = tikrunner(tmp_path, "validate", "tikrunner.yaml")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert sorted(lines) == sorted(f"tikrunner.yaml: {line} (40001)" for line in BAD_LINES)

    report = json.loads(tikrunner(tmp_path, "validate", "--json", "tikrunner.yaml").stdout)
    [entry] = report["files"]
    assert not report["valid"] and not entry["valid"]
    assert {e["pointer"] for e in entry["errors"]} == {line.split(": ")[0] for line in BAD_LINES}


def test_validate_takes_a_good_tikrunner_yaml_and_checks_manifests_beside_it(tmp_path):
    (tmp_path / "tikrunner.yaml").write_text(GOOD_CONFIG)
    example = ROOT / "workflows" / "examples" / "follow.yaml"
    out = tikrunner(tmp_path, "validate", "tikrunner.yaml", str(example))
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.splitlines()[0] == "tikrunner.yaml: ok (runner config, 1 account)"


def test_a_bad_tikrunner_yaml_beside_a_manifest_is_said_once_per_mistake(tmp_path):
    (tmp_path / "tikrunner.yaml").write_text(BAD_CONFIG)
    example = ROOT / "workflows" / "examples" / "follow.yaml"
    out = tikrunner(tmp_path, "validate", str(example))
    assert out.returncode == 2  # the config the manifests are judged with is unusable
    config_lines = [line for line in out.stdout.splitlines() if line.startswith("tikrunner.yaml")]
    assert sorted(config_lines) == sorted(f"tikrunner.yaml: {line}" for line in BAD_LINES)


BAD_ACCOUNTS = """\
- {username: alice, serial: R58M123ABC, tags: [new], limits: {folow: {per_day: 1}}}
- {username: bob, serial: R58M123ABC, working_hours: ["9-10"], limits: {like: {per_day: -4}}}
- {username: carol, serial: R58M123ABC, working_hours: []}
"""
ACCOUNT_LINES = [
    "/0/limits/folow: unknown action kind 'folow' (did you mean follow?); limits name one of "
    + ", ".join(ACTION_KINDS),
    "/1/working_hours/0: not a time range HH:MM-HH:MM (for example 08:30-12:00): '9-10'",
    "/1/limits/like/per_day: Input should be greater than or equal to 0 (got -4)",
    "/2/working_hours: List should have at least 1 item after validation, not 0",
]


def test_validate_names_every_mistake_in_the_safety_rules_of_an_accounts_yaml(tmp_path):
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "accounts.yaml").write_text(BAD_ACCOUNTS)
    out = tikrunner(tmp_path, "validate", "workflows/accounts.yaml")
    assert out.returncode == 1, out.stdout + out.stderr
    assert sorted(out.stdout.splitlines()) == sorted(
        f"workflows/accounts.yaml: {line} (40001)" for line in ACCOUNT_LINES
    )


def test_serve_refuses_to_start_with_bad_safety_rules_one_line_each(tmp_path):
    (tmp_path / "tikrunner.yaml").write_text(BAD_CONFIG)
    out = tikrunner(tmp_path, "serve", "--simulate", "1", "--no-http", timeout=30)
    assert out.returncode == 2
    assert out.stdout == "" and "Traceback" not in out.stderr
    assert sorted(out.stderr.splitlines()) == sorted(
        f"tikrunner: config: tikrunner.yaml: {line}" for line in BAD_LINES
    )
    assert not (tmp_path / "spool" / "state.db").exists()  # nothing was started


def test_serve_refuses_to_start_with_a_bad_accounts_yaml_in_its_workflows_folder(tmp_path):
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "accounts.yaml").write_text(BAD_ACCOUNTS)
    out = tikrunner(
        tmp_path, "serve", "--simulate", "1", "--no-http", "--workflows", "workflows", timeout=30
    )
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert sorted(out.stderr.splitlines()) == sorted(
        f"tikrunner: accounts: workflows/accounts.yaml: {line}" for line in ACCOUNT_LINES
    )


def test_the_readmes_account_safety_example_is_a_valid_config(tmp_path):
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Account safety") :]
    example = section[section.index("```yaml\n") + 8 : section.index("```\n", 8)]
    (tmp_path / "tikrunner.yaml").write_text(example)
    out = tikrunner(tmp_path, "validate", "tikrunner.yaml")
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout == "tikrunner.yaml: ok (runner config, 2 accounts)\n"
    from runner.config import load_config
    from runner.limits import ActionLimit, Policy

    policy = Policy(load_config(tmp_path / "tikrunner.yaml"))
    alice = policy.subject("alice", None)  # as the README says: her own per_day, the rest default
    assert policy.limit(alice, "follow") == ActionLimit(per_hour=30, per_day=20, min_gap=20)
    assert policy.limit(alice, "comment") == ActionLimit(per_day=5, min_gap=60)
