"""follow: open the target's profile and follow it (spec/scripts.md, "follow / unfollow").

Outcome: success with remark ``""`` after a fresh dump shows ``Following``; success with remark
``already following @NAME`` when the profile already shows ``Following`` (nothing tapped);
``TaskFailed`` otherwise, the remark naming the step.
"""

from __future__ import annotations

from runner.devices import DeviceSession
from runner.scripts.context import TaskContext
from runner.scripts.navigate import ensure_account
from runner.scripts.profile import TAP_TIMEOUT, open_profile
from runner.scripts.steps import Steps


async def run(ctx: TaskContext, session: DeviceSession, steps: Steps) -> str:
    """Follow ``ctx.target_user()``; returns the success remark."""
    name = ctx.target_user()
    await ensure_account(ctx, session, steps)
    button = await open_profile(ctx, session, steps, name)
    if button.name == "following_button":
        ctx.log.info("already following @%s", name)
        return f"already following @{name}"
    async with steps.step("tap Follow"):
        await steps.act(
            button,
            until=steps.any_of("following_button", all_of=("profile_handle",)),
            expecting="Following",
            timeout=TAP_TIMEOUT,
        )
    ctx.log.info("followed @%s", name)
    return ""
