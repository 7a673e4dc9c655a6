"""Benchmark: spool intake latency and throughput (issue 2).

Starts ``tikrunner serve`` as a subprocess on a fresh spool (no phones: tasks stay pending), then
1. latency: drops manifests one at a time (write elsewhere, rename into ``incoming/``) and times
   the rename to the moment its status file appears showing the tasks pending (seen by inotify);
2. throughput: drops a burst of manifests as fast as it can and times until the last status file;
3. the floor: writing, fsyncing and renaming a file of the same size, in the same run;
and the CPU time the serve process spent per manifest in 1. and 2. (user + system, from /proc),
with the load average (on a machine shared with other work the wall-time figures vary).

Prints figures; passes or fails nothing. Usage: ``python bench/intake.py [--count N] [--burst N]``.
"""

from __future__ import annotations

import argparse
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

MANIFEST = """\
apiVersion: tikrunner/v1
kind: Task
metadata:
  name: {name}
spec:
  serials: [sim-0001]
  script_name: follow
  script_config:
    target_users: ["@bench_user"]
"""


class StatusSeen(FileSystemEventHandler):
    """Records when each ``<name>.status.yaml`` is first renamed into status/ with pending tasks."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.cond = threading.Condition()

    def on_moved(self, event):  # noqa: ANN001
        now = time.perf_counter()
        path = os.fsdecode(event.dest_path)
        name = os.path.basename(path)
        if not name.endswith(".status.yaml"):
            return
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError:
            return
        if "pending: 1" in text:
            with self.cond:
                self.seen.setdefault(name.removesuffix(".status.yaml"), now)
                self.cond.notify_all()

    def wait_for(self, names: set[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not names <= self.seen.keys():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True


def drop(staging: Path, incoming: Path, name: str) -> float:
    """Write a manifest elsewhere, fsync it, rename it into incoming/; returns the rename time."""
    tmp = staging / f"{name}.yaml"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, MANIFEST.format(name=name).encode())
    os.fsync(fd)
    os.close(fd)
    t = time.perf_counter()
    os.rename(tmp, incoming / f"{name}.yaml")
    return t


def floor(staging: Path, count: int) -> float:
    """Mean seconds to write, fsync and rename one file of a manifest's size."""
    data = MANIFEST.format(name="floor-000000").encode()
    target = staging / "floor-target"
    t0 = time.perf_counter()
    for _ in range(count):
        tmp = staging / "floor.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
        os.rename(tmp, target)
    return (time.perf_counter() - t0) / count


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process ``pid`` has used so far (Linux: /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="manifests for the latency run")
    parser.add_argument("--burst", type=int, default=2000, help="manifests for the throughput run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tikrunner-bench-") as tmp:
        root = Path(tmp)
        spool, staging = root / "spool", root / "staging"
        staging.mkdir()
        (spool / "status").mkdir(parents=True)
        env = dict(os.environ, ADBUTILS_ADB_PATH="/bin/false", TIKRUNNER_LOG_LEVEL="WARNING")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "runner.cli",
                "serve",
                "--spool",
                str(spool),
                "--no-http",
                "--adb",
                "127.0.0.1:9",
            ],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            line = proc.stderr.readline()  # "tikrunner: serving spool ..."
            if "serving" not in line:
                print("serve did not start:", line, proc.stderr.read(), file=sys.stderr)
                return 1
            seen = StatusSeen()
            observer = Observer()
            observer.schedule(seen, str(spool / "status"))
            observer.start()
            incoming = spool / "incoming"

            for i in range(5):  # warm up: schemas built, modules imported (not measured)
                name = f"warm-{i:06d}"
                drop(staging, incoming, name)
                if not seen.wait_for({name}, 30):
                    print(f"timed out waiting for {name}", file=sys.stderr)
                    return 1
            load = os.getloadavg()[0]
            cpu0 = cpu_seconds(proc.pid)
            latencies = []
            for i in range(args.count):
                name = f"lat-{i:06d}"
                t = drop(staging, incoming, name)
                if not seen.wait_for({name}, 10):
                    print(f"timed out waiting for {name}", file=sys.stderr)
                    return 1
                latencies.append(seen.seen[name] - t)

            cpu1 = cpu_seconds(proc.pid)
            names = {f"burst-{i:06d}" for i in range(args.burst)}
            t0 = time.perf_counter()
            for name in sorted(names):
                drop(staging, incoming, name)
            dropped = time.perf_counter() - t0
            if not seen.wait_for(names, 300):
                print("timed out waiting for the burst", file=sys.stderr)
                return 1
            elapsed = max(seen.seen[n] for n in names) - t0
            cpu2 = cpu_seconds(proc.pid)
            observer.stop()
            floor_s = floor(staging, 500)
        finally:
            proc.terminate()
            proc.wait(30)

    ms = [x * 1000 for x in latencies]
    print(f"intake latency, rename -> status file pending ({args.count} manifests, one at a time):")
    print(f"  p50 {statistics.median(ms):.1f} ms   p99 {pct(ms, 99):.1f} ms   max {max(ms):.1f} ms")
    print(f"  serve CPU {(cpu1 - cpu0) * 1000 / args.count:.2f} ms/manifest")
    print(
        f"sustained: {args.burst} manifests in {elapsed:.2f} s = {args.burst / elapsed:.0f} manifests/s"
        f" (dropping alone took {dropped:.2f} s); serve CPU"
        f" {(cpu2 - cpu1) * 1000 / args.burst:.2f} ms/manifest"
    )
    print(
        f"floor: write + fsync + rename of a {len(MANIFEST) + 6}-byte file: {floor_s * 1000:.2f} ms"
        f" = {1 / floor_s:.0f} files/s"
    )
    print(
        f"load average: {load:.2f} before, {os.getloadavg()[0]:.2f} after ({os.cpu_count()} CPUs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
