"""Test harness: a real ``tikrunner serve`` process on a temporary spool, against simulated phones.

The simulated farm runs in the test process (so tests read its ground truth directly); the runner
runs as a subprocess (so tests can SIGKILL it and restart it, as a crash would). Waiting on the
runner means reading its status files until a condition holds or a deadline passes: the runner is
another process, so there is nothing to await.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

EXAMPLES = Path(__file__).parent / "examples"


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def example(name: str, serials: list[str]) -> dict:
    """A vendor example body with its placeholder serials mapped onto simulated ones."""
    body = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    mapping = {}
    for placeholder in body.get("serials", []):
        digits = "".join(ch for ch in placeholder if ch.isdigit())
        mapping[placeholder] = serials[int(digits) - 1]
    if "serials" in body:
        body["serials"] = [mapping[s] for s in body["serials"]]
    return body


class Runner:
    """``tikrunner serve`` in a subprocess with its own config and spool under ``root``."""

    def __init__(self, root: Path, adb: str, accounts: list[dict], **config: Any):
        self.root = root
        self.spool = root / "spool"
        self.config_path = root / "tikrunner.yaml"
        self.log_path = root / "serve.log"
        cfg = {
            "spool": str(self.spool),
            "adb": [adb],
            "http": None,
            "timezone": "UTC",
            "accounts": accounts,
            "scan_interval": 0.5,
        } | config
        self.config_path.write_text(json.dumps(cfg), encoding="utf-8")
        self.http = cfg["http"]  # None: started with --no-http
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30, *, wait: bool = True) -> None:
        """Start ``tikrunner serve``; with ``wait``, return once it says it is serving."""
        starts = self.log().count("tikrunner: serving")
        env = dict(os.environ, ADBUTILS_ADB_PATH="/bin/false", TIKRUNNER_LOG_LEVEL="INFO")
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "runner.cli",
                "serve",
                "--config",
                str(self.config_path),
                *(["--no-http"] if self.http is None else []),
            ],
            env=env,
            stdout=log,
            stderr=log,
        )
        if wait:
            self.wait(
                lambda: self.log().count("tikrunner: serving") > starts, timeout, "serve to start"
            )

    def log(self) -> str:
        return (
            self.log_path.read_text(encoding="utf-8", errors="replace")
            if self.log_path.exists()
            else ""
        )

    def kill(self) -> None:
        """SIGKILL: the runner dies wherever it is, as in a crash or power cut."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Ask the runner to shut down; returns its exit code."""
        if self.proc is None:
            return 0
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        self.proc = None
        return code

    def drop(self, name: str, body: dict | str) -> None:
        """Write a manifest beside the spool and rename it into incoming/ (the documented way)."""
        text = body if isinstance(body, str) else json.dumps(body)
        tmp = self.spool / f".{name}.tmp"
        self.spool.mkdir(parents=True, exist_ok=True)
        (self.spool / "incoming").mkdir(exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.rename(tmp, self.spool / "incoming" / name)

    def status(self, name: str) -> dict | None:
        path = self.spool / "status" / f"{name}.status.yaml"
        try:
            return load_yaml(path)
        except FileNotFoundError:
            return None

    def wait(
        self, condition: Callable[[], Any], timeout: float, what: str, *, poll: float = 0.05
    ) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(
                    f"serve exited ({self.proc.returncode}) waiting for {what}:\n{self.log()[-4000:]}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}:\n{self.log()[-4000:]}")
            time.sleep(poll)

    def wait_phase(self, name: str, phases: set[str], timeout: float = 60) -> dict:
        """Wait until manifest ``name``'s status file shows one of ``phases``; returns the status."""
        return self.wait(
            lambda: (s := self.status(name)) and s.get("phase") in phases and s,
            timeout,
            f"manifest {name} to reach {phases}",
        )


@contextlib.contextmanager
def serving_workflow(
    tmp_path: Path, farm: Any, workflow: dict, file: str
) -> Iterator[tuple[Runner, str]]:
    """A real ``tikrunner serve`` over ``farm`` (a ``runner.sim.SimFarm``, served here on a
    free adb port) with a git workflows folder ``tmp_path/"repo"`` holding ``workflow`` as
    ``file`` (committed), its spool under ``tmp_path`` and the HTTP API on a free loopback port.
    Yields (the started :class:`Runner`, the API's base URL ``http://127.0.0.1:PORT/api/v1``);
    stops the runner and the farm on the way out."""
    from tests.gitrepo import git
    from tests.net import free_port

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / file).write_text(json.dumps(workflow))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", file)
    port = free_port()
    with farm.running(host="127.0.0.1", port=0) as (host, adb_port):
        accounts = [a.model_dump(mode="json") for a in farm.accounts]
        runner = Runner(tmp_path, f"{host}:{adb_port}", accounts, workflows=str(repo),
                        http=f"127.0.0.1:{port}", device_wait=120)  # fmt: skip
        runner.start()
        try:
            yield runner, f"http://127.0.0.1:{port}/api/v1"
        finally:
            runner.stop()
