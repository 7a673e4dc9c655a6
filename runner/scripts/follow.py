"""follow: open the target's profile and follow it (docs/spec/scripts.md, "follow / unfollow").

The follow control has five states on real TikTok (``runner.scripts.profile.FOLLOW_STATES``).
Outcome:
- ``Follow`` or ``Follow back`` (they follow you): tapped; success with remark ``""`` once a
  fresh dump shows ``Following`` or ``Friends`` (a follow back turns the control ``Friends``);
  success with remark ``follow request sent to @NAME (private account; pending until they
  accept)`` when it turns ``Requested``;
- ``Following`` or ``Friends``: success with remark ``already following @NAME``, nothing tapped;
- ``Requested``: success with remark ``follow request to @NAME already pending``, nothing tapped;
- anything else: ``TaskFailed``, the remark naming the step.

The follow is counted against the account's limits before the tap (``ctx.attempt("follow")``;
at a limit the task waits, README "Account safety").

Push-back (issue 14): a follow TikTok refuses may first look done (SysAdminDoc/hushfeed: "A
follow TikTok turns down comes back looking like a success"; users report the Follow button back
after a refresh, Coombaa/TTAutoRecord#27). So once the control reads ``Following`` / ``Friends``
the script looks again for :data:`FOLLOW_SETTLE` seconds; a control back at ``Follow`` raises
``PushBack("follow_not_applied", ...)``. A rate-limit toast or dialog after the tap raises
``PushBack("rate_limit", ...)`` from the step runner.
"""

from __future__ import annotations

import trio

from runner.devices import DeviceSession
from runner.errors import PushBack
from runner.scripts.context import TaskContext
from runner.scripts.navigate import ensure_account
from runner.scripts.profile import FOLLOWED, TAP_TIMEOUT, open_profile
from runner.scripts.steps import Steps

#: Seconds the control must keep reading Following/Friends after a follow (the server's answer
#: may turn it back; tests shorten it).
FOLLOW_SETTLE = 1.0


async def run(ctx: TaskContext, session: DeviceSession, steps: Steps) -> str:
    """Follow ``ctx.target_user()``; returns the success remark."""
    name = ctx.target_user()
    await ensure_account(ctx, session, steps)
    button = await open_profile(ctx, session, steps, name)
    if button.name in FOLLOWED:
        ctx.log.info("already following @%s (%s)", name, button.node.text.strip())
        return f"already following @{name}"
    if button.name == "requested_button":
        ctx.log.info("follow request to @%s already pending", name)
        return f"follow request to @{name} already pending"
    label = "tap Follow back" if button.name == "follow_back_button" else "tap Follow"
    await ctx.attempt("follow")  # counted before the tap; at a limit the task waits
    async with steps.step(label):
        after = await steps.act(
            button,
            until=steps.any_of(
                "following_button",
                "friends_button",
                "requested_button",
                all_of=("profile_handle",),
            ),  # fmt: skip
            expecting="Following, Friends or Requested",
            timeout=TAP_TIMEOUT,
            irreversible=True,
        )
        if after.name in FOLLOWED:
            await _check_it_sticks(steps, name)
    if after.name == "requested_button":
        ctx.log.info("follow request sent to @%s (private account)", name)
        return f"follow request sent to @{name} (private account; pending until they accept)"
    ctx.log.info("followed @%s (%s)", name, after.node.text.strip())
    return ""


async def _check_it_sticks(steps: Steps, name: str) -> None:
    """Look at the profile for :data:`FOLLOW_SETTLE` seconds (at least one more dump); raise
    ``PushBack("follow_not_applied")`` when the control reads Follow (or Follow back) again."""
    deadline = trio.current_time() + FOLLOW_SETTLE
    while True:
        await trio.sleep(min(steps.poll_interval, FOLLOW_SETTLE))
        h = await steps.look()
        back = steps.any_of("follow_button", "follow_back_button", all_of=("profile_handle",))(h)
        if back is not None:
            word = back.node.text.strip() or back.node.content_desc.strip()
            raise PushBack(
                "follow_not_applied",
                f"the control went back to {word!r} after the tap: the follow of @{name} "
                "did not stick",
                step=steps.current,
            )
        if trio.current_time() >= deadline:
            return
