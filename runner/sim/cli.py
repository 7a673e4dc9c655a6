"""``tikrunner sim``: simulated phones behind a fake adb server, on their own, until interrupted.

Prints one line with the address and the serials, serves until Ctrl-C or SIGTERM, returns the
process exit code (0 after a clean stop, 1 when the port cannot be bound).
"""

from __future__ import annotations

import signal
import sys

import trio

from runner.sim.farm import SimFarm


def _serial_summary(serials: list[str]) -> str:
    if len(serials) <= 5:
        return ", ".join(serials)
    return f"{serials[0]} .. {serials[-1]}"


def run_sim(devices: int, host: str, port: int, seed: int) -> int:
    """Run ``devices`` simulated phones behind a fake adb server on ``host:port``."""
    farm = SimFarm(devices, seed=seed)

    async def main() -> None:
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with trio.open_nursery() as nursery:
                real_host, real_port = await nursery.start(farm.serve, host, port)
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
    except OSError as e:
        print(f"tikrunner sim: cannot listen on {host}:{port}: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    print("tikrunner sim: stopped", flush=True)
    return 0
