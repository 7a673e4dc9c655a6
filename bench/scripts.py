"""Benchmark: device calls and wall time of one task per script on a simulated phone.

Each phone answers every call after ``--latency`` seconds (default 0.03, a slow USB hub or a busy
phone). A device call is one adb shell/sync request or one uiautomator2 RPC made by our code
(``DeviceSession.device_calls``; uiautomator2's internal retries not counted), counted from the
health check (``prepare``) to the end of the task; connecting uiautomator2 is not counted.
account_warmup runs for its configured ``task_duration`` (here 3 s), so its time is the config's.

Run: ``/work/venv/bin/python -m bench.scripts [--latency 0.03]``. Prints a table; measures, does
not pass or fail.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import adbutils
import trio

from runner.devices import DeviceSession
from runner.intake import IntakeContext, plan_body
from runner.scripts import TaskContext, run_task
from runner.sim import SimFarm

S1 = "sim-0001"


def bodies(folder: Path) -> dict[str, dict]:
    video = folder / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    image = folder / "pic.jpg"
    image.write_bytes(b"\xff\xd8jpeg")
    url = "https://www.tiktok.com/@someone/video/123"
    return {
        "follow (direct)": ("follow", {"target_users": ["alice"]}),
        "follow (search)": ("follow", {"target_users": ["bob"], "access_method": "search"}),
        "unfollow (direct)": ("unfollow", {"target_users": ["carol"]}),
        "comment": ("comment", {"target_post_urls": [url], "comment_content": "Nice!"}),
        "comment (image)": (
            "comment",
            {
                "target_post_urls": [url],
                "comment_content": "Look",
                "comment_image_path": str(image),
            },
        ),  # fmt: skip
        "post (share)": ("post", {"material_list": [str(video)], "captions": "hello"}),
        "post (addButton)": (
            "post",
            {"material_list": [str(video)], "captions": "hello", "post_way": "addButton"},
        ),  # fmt: skip
        "post (useSound)": (
            "post",
            {
                "material_list": [str(video)],
                "captions": "hello",
                "post_way": "useSound",
                "sound_name": "summer",
            },
        ),  # fmt: skip
        "account_warmup (3 s)": (
            "account_warmup",
            {"task_duration": 3, "min_duration": 0.5, "max_duration": 1, "like_probable": 50},
        ),  # fmt: skip
    }


async def one(host: str, port: int, script: str, config: dict, farm: SimFarm) -> tuple[int, float]:
    [task] = plan_body(
        {"serials": [S1], "script_name": script, "script_config": config},
        ctx=IntakeContext(accounts=farm.accounts),
    )
    if script == "unfollow":
        farm.phone(S1).account.following.add("carol")
    session = await DeviceSession.open(adbutils.AdbClient(host, port), S1,
                                       limiter=trio.CapacityLimiter(4))  # fmt: skip
    ctx = TaskContext(
        task_id=1, serial=S1, username=None, package=task.package, script_name=script,
        script_config=task.script_config, job_count=0, seed=1,
        log=logging.LoggerAdapter(logging.getLogger("bench"), {}),
    )  # fmt: skip
    before = session.device_calls
    started = time.perf_counter()
    await run_task(ctx, session)
    elapsed = time.perf_counter() - started
    calls = session.device_calls - before
    await session.close()
    return calls, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.03, help="seconds per device call")
    args = parser.parse_args()
    print(f"latency {args.latency * 1000:.0f} ms per call")
    print(f"{'script':<24}{'device calls':>14}{'wall time (s)':>16}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, (script, config) in bodies(Path(tmp)).items():
            farm = SimFarm(1, seed=7, latency=args.latency, upload_seconds=1.0)
            with farm.running(port=0) as (host, port):
                calls, elapsed = trio.run(one, host, port, script, config, farm)
            print(f"{label:<24}{calls:>14}{elapsed:>16.2f}")


if __name__ == "__main__":
    main()
