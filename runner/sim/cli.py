"""``tikrunner sim``: simulated phones behind a fake adb server, on their own, until interrupted.

Takes the farm's options (phones, seed, popup rate, latency, app version, locale, serial prefix:
:mod:`runner.sim.naming`) and an optional
ground truth file; prints one line with the address and the serials, serves until Ctrl-C or
SIGTERM, and returns the process exit code (0 after a clean stop, 2 for a bad option or an address
it cannot listen on: one line on stderr). With ``ground_truth``, the JSON of
:meth:`runner.sim.SimFarm.ground_truth` is written there (atomically: temp file + rename) at
start, within ~0.2 s of every change, and at exit.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import trio

from runner.errors import find_leaf
from runner.sim.farm import SimFarm
from runner.sim.naming import DEFAULT_PREFIX, prefix_problem
from runner.sim.tiktok.pushback import parse_rule

TRUTH_POLL = 0.2  # seconds between ground-truth checks


def _serial_summary(serials: list[str]) -> str:
    if len(serials) <= 5:
        return ", ".join(serials)
    return f"{serials[0]} .. {serials[-1]}"


def parse_latency(text: str) -> tuple[float, float]:
    """``"20"`` -> (0.020, 0.0); ``"20,10"`` -> base 20 ms plus up to 10 ms of jitter (seconds)."""
    base, _, jitter = text.partition(",")
    b, j = float(base), float(jitter or 0)
    if b < 0 or j < 0:
        raise ValueError("latency must be >= 0")
    return b / 1000, j / 1000


def write_truth(path: Path, farm: SimFarm) -> str:
    """Write the farm's ground truth to ``path`` atomically; returns the JSON written."""
    text = json.dumps(farm.ground_truth(), indent=1, sort_keys=True, ensure_ascii=False)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return text


async def _keep_truth(path: Path, farm: SimFarm) -> None:
    last = await trio.to_thread.run_sync(write_truth, path, farm)
    while True:
        await trio.sleep(TRUTH_POLL)
        text = json.dumps(farm.ground_truth(), indent=1, sort_keys=True, ensure_ascii=False)
        if text != last:
            last = await trio.to_thread.run_sync(write_truth, path, farm)


def run_sim(
    devices: int,
    host: str,
    port: int,
    seed: int,
    *,
    popup_rate: float = 0.0,
    latency_ms: str = "0",
    app_version: str | None = None,
    ground_truth: Path | None = None,
    locale: str = "en-US",
    serial_prefix: str = DEFAULT_PREFIX,
    push_back: str | None = None,
) -> int:
    """Run ``devices`` simulated phones behind a fake adb server on ``host:port`` until SIGINT or
    SIGTERM; returns the exit code: 0 after a clean stop, 2 (one line on stderr) for a bad option
    or an address it cannot listen on (port taken, port outside 0-65535, unknown host), a
    ``serial_prefix`` :func:`runner.sim.naming.prefix_problem` refuses, or a ``push_back`` rule
    :func:`runner.sim.tiktok.pushback.parse_rule` refuses."""
    try:
        latency, jitter = parse_latency(latency_ms)
    except ValueError:
        print(f"tikrunner sim: bad --latency-ms {latency_ms!r} (MS or MS,JITTER)", file=sys.stderr)
        return 2
    if not 0 <= port <= 65535:
        print(f"tikrunner sim: bad --port {port} (0-65535; 0: any free port)", file=sys.stderr)
        return 2
    if problem := prefix_problem(serial_prefix):
        print(f"tikrunner sim: bad --serial-prefix {serial_prefix!r}: {problem}", file=sys.stderr)
        return 2
    try:
        rule = parse_rule(push_back) if push_back else None
    except ValueError as e:
        print(f"tikrunner sim: --push-back: {e}", file=sys.stderr)
        return 2
    farm = SimFarm(devices, seed=seed, popup_rate=popup_rate, latency=latency, jitter=jitter,
                   app_version=app_version, locale=locale,
                   serial_prefix=serial_prefix, push_back=rule)  # fmt: skip

    async def main() -> None:
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with trio.open_nursery() as nursery:
                real_host, real_port = await nursery.start(farm.serve, host, port)
                if ground_truth is not None:
                    nursery.start_soon(_keep_truth, ground_truth, farm)
                print(
                    f"tikrunner sim: fake adb server on {real_host}:{real_port}, "
                    f"{devices} phones: {_serial_summary(farm.serials)} "
                    f"(ANDROID_ADB_SERVER_PORT={real_port})",
                    flush=True,
                )
                async for _ in signals:
                    nursery.cancel_scope.cancel()
                    break

    try:
        trio.run(main)
    except (OSError, BaseExceptionGroup) as e:
        bind_error = find_leaf(e, OSError)
        if bind_error is None:
            raise
        reason = bind_error.strerror or str(bind_error)
        print(f"tikrunner sim: cannot listen on {host}:{port}: {reason}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    finally:
        if ground_truth is not None:
            write_truth(ground_truth, farm)
    print("tikrunner sim: stopped", flush=True)
    return 0
