"""Benchmark: how long after a file changes in the workflows folder its new generation is in force.

Starts ``tikrunner serve --workflows DIR`` as a subprocess (no phones: the scheduled workflow only
fires at night), then rewrites a workflow file N times (write elsewhere, rename in, as ``git
checkout`` does) and times each rename to the moment the status file shows the new
``observed_generation`` (seen by inotify). Prints p50/p99; passes or fails nothing.

Usage: ``python bench/workflows.py [--changes N] [--files M]`` (M other workflows in the folder).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer


def workflow(name: str, version: int) -> str:
    return json.dumps(
        {
            "apiVersion": "tikrunner/v1",
            "kind": "Workflow",
            "metadata": {"name": name, "labels": {"version": str(version)}},
            "spec": {
                "serials": ["sim-0001", "sim-0002"],
                "schedule": {"at": ["03:00"], "weekdays": ["sun"]},
                "steps": [
                    {"script_name": "follow", "script_config": {"target_users": ["a", "b"]}},
                    {"script_name": "unfollow", "script_config": {"target_users": ["c"]}},
                ],
            },
        }
    )


class Generations(FileSystemEventHandler):
    """Records when the status file of ``name`` first shows each observed_generation."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: dict[int, float] = {}
        self.cond = threading.Condition()

    def on_moved(self, event):  # noqa: ANN001
        now = time.perf_counter()
        path = os.fsdecode(event.dest_path)
        if os.path.basename(path) != f"{self.name}.status.yaml":
            return
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError:
            return
        for line in text.splitlines():
            if line.startswith("observed_generation:"):
                with self.cond:
                    self.seen.setdefault(int(line.split(":")[1]), now)
                    self.cond.notify_all()

    def wait_for(self, generation: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.cond:
            while generation not in self.seen:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--files", type=int, default=50, help="other workflows in the folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tikrunner-bench-") as tmp:
        root = Path(tmp)
        folder, spool, staging = root / "workflows", root / "spool", root / "staging"
        for d in (folder, staging, spool / "status"):
            d.mkdir(parents=True)
        for i in range(args.files):
            (folder / f"other-{i:03d}.json").write_text(workflow(f"other-{i:03d}", 1))
        (folder / "target.json").write_text(workflow("target", 1))
        env = dict(os.environ, ADBUTILS_ADB_PATH="/bin/false", TIKRUNNER_LOG_LEVEL="WARNING")
        proc = subprocess.Popen(
            [sys.executable, "-m", "runner.cli", "serve", "--spool", str(spool), "--no-http",
             "--adb", "127.0.0.1:9", "--workflows", str(folder)],
            env=env, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            if "serving" not in proc.stderr.readline():
                print("serve did not start", file=sys.stderr)
                return 1
            watcher = Generations("target")
            observer = Observer()
            observer.schedule(watcher, str(spool / "status"))
            observer.start()
            if not watcher.wait_for(1, 30):
                print("generation 1 never showed", file=sys.stderr)
                return 1
            latencies = []
            for version in range(2, args.changes + 2):
                tmpfile = staging / "target.json"
                tmpfile.write_text(workflow("target", version))
                t0 = time.perf_counter()
                os.rename(tmpfile, folder / "target.json")
                if not watcher.wait_for(version, 30):
                    print(f"generation {version} never showed", file=sys.stderr)
                    return 1
                latencies.append((watcher.seen[version] - t0) * 1000)
            observer.stop()
        finally:
            proc.terminate()
            proc.wait(30)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    print(
        f"new generation in force after a file change ({args.changes} changes, {args.files + 1} workflows):"
    )
    print(
        f"  p50 {statistics.median(latencies):.1f} ms   p99 {p99:.1f} ms   max {latencies[-1]:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
