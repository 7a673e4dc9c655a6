"""Benchmark: fan-out of one manifest with many targets (issue 10).

For each target count, in a fresh subprocess (so peak memory is that run's own): build a follow
manifest with N target users on one phone, then
1. plan it: ``intake.plan_manifest`` (parse, schema, models, fan-out), seconds and peak RSS;
2. take it in through the spool: plan, commit to a fresh store, file it, write its status file.

Peak memory is the process's maximum resident set (``ru_maxrss``) minus what it held before the
manifest was built. The targets cap (``max_targets``) is raised to N for the run.

Prints figures; passes or fails nothing. Usage: ``python bench/fanout.py [--targets N ...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def manifest(n: int) -> bytes:
    users = ", ".join(f'"@bench_user_{i}"' for i in range(n))
    return (
        "apiVersion: tikrunner/v1\nkind: Task\nmetadata:\n  name: fanout\nspec:\n"
        "  serials: [sim-0001]\n  script_name: follow\n"
        f"  script_config:\n    target_users: [{users}]\n"
    ).encode()


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def one_run(n: int, what: str) -> dict:
    """Runs in the subprocess: plan (``what`` = plan) or take in through the spool (spool)."""
    from runner.config import RunnerConfig
    from runner.engine import make_planner
    from runner.intake import IntakeContext, plan_manifest

    data = manifest(n)
    with tempfile.TemporaryDirectory(prefix="tikrunner-fanout-") as tmp:
        config = RunnerConfig(spool=Path(tmp) / "spool", timezone="UTC")
        if "max_targets" in RunnerConfig.model_fields:
            config = config.model_copy(update={"max_targets": max(n, 1)})
        config = config.model_copy(update={"max_manifest_bytes": len(data) + 1})
        base = rss_mib()
        t0 = time.perf_counter()
        if what == "plan":
            ctx = IntakeContext.from_config(config)
            tasks = len(plan_manifest(data, filename="fanout.yaml", ctx=ctx).tasks)
        else:
            from runner.spool import Spool
            from runner.status import StatusWriter
            from runner.store import Store

            store = Store(config.spool / "state.db", synchronous="NORMAL")
            status = StatusWriter(store, config.spool / "status", config.tz())
            spool = Spool(
                config.spool,
                store,
                make_planner(config),
                status,
                config.tz(),
                settle_time=0,
                max_bytes=config.max_manifest_bytes,
            )
            (config.spool / "incoming" / "fanout.yaml").write_bytes(data)
            [outcome] = spool.scan()[0]
            status.flush()
            if outcome.outcome != "accepted":
                raise SystemExit(f"not accepted: {outcome}")
            tasks = len(outcome.task_ids)
            store.close()
        seconds = time.perf_counter() - t0
    return {"targets": n, "tasks": tasks, "seconds": seconds, "peak_mib": rss_mib() - base}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, nargs="*", default=[1000, 10_000, 100_000])
    parser.add_argument("--only", choices=["plan", "spool"], help="one of the two measurements")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(int(args.child[0]), args.child[1])))
        return 0
    env = dict(os.environ, ADBUTILS_ADB_PATH="/bin/false")
    for what in ["plan", "spool"] if args.only is None else [args.only]:
        label = "plan (parse, schema, models, fan-out)" if what == "plan" else "spool intake"
        print(f"{label}:")
        for n in args.targets:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(n), what],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:
                print(f"  {n} targets: failed\n{out.stderr}", file=sys.stderr)
                return 1
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"  {r['targets']:>7} targets -> {r['tasks']:>7} tasks: {r['seconds']:8.2f} s,"
                f" peak +{r['peak_mib']:.0f} MiB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
