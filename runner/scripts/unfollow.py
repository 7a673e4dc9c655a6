"""unfollow: open the target's profile and unfollow it (docs/spec/scripts.md, "follow / unfollow").

Outcome: success with remark ``""`` after tapping ``Following`` (or ``Friends``), confirming
``Unfollow`` in the dialog, and a fresh dump showing ``Follow`` (or ``Follow back``, when they
follow you); success with remark ``not following @NAME`` when the profile shows ``Follow`` or
``Follow back`` (nothing tapped); a pending request (``Requested``) is left alone with remark
``follow request to @NAME pending; not following``; ``TaskFailed`` otherwise, naming the step.
"""

from __future__ import annotations

from runner.devices import DeviceSession
from runner.scripts.context import TaskContext
from runner.scripts.navigate import ensure_account
from runner.scripts.profile import FOLLOWED, TAP_TIMEOUT, open_profile
from runner.scripts.steps import Steps


async def run(ctx: TaskContext, session: DeviceSession, steps: Steps) -> str:
    """Unfollow ``ctx.target_user()``; returns the success remark."""
    name = ctx.target_user()
    await ensure_account(ctx, session, steps)
    button = await open_profile(ctx, session, steps, name)
    if button.name == "requested_button":
        ctx.log.info("follow request to @%s pending; not following", name)
        return f"follow request to @{name} pending; not following"
    if button.name not in FOLLOWED:
        ctx.log.info("not following @%s", name)
        return f"not following @{name}"
    async with steps.step("tap Following"):
        confirm = await steps.act(
            button,
            until=steps.any_of("unfollow_confirm", all_of=("unfollow_cancel",)),
            expecting="the Unfollow confirmation",
            timeout=TAP_TIMEOUT,
        )
    await ctx.attempt("unfollow")  # counted before the tap; at a limit the task waits
    async with steps.step("confirm Unfollow"):
        await steps.act(
            confirm,
            until=steps.any_of("follow_button", "follow_back_button", all_of=("profile_handle",)),
            expecting="Follow",
            timeout=TAP_TIMEOUT,
            irreversible=True,
        )
    ctx.log.info("unfollowed @%s", name)
    return ""
