"""message: send one direct message to one user (docs/spec/scripts.md, "message").

Steps: choose the text (``message_content``'s line by ``message_order``, as comment chooses its
line, then its spintax expanded with the task's seeded RNG: a retry types the same text); switch
to the task's account (when it has one); open the target's profile (``access_method``, as
follow); tap ``Message``; type the text (read back); count the action against the account's
limits (``ctx.attempt("message")``: at a limit the task waits, nothing sent); tap send once; see
it in the thread.

What TikTok allows, from the evidence we have (notes in docs/spec/scripts.md, "message"):

- A private account we do not follow shows no ``Message`` on its profile
  (``tt47_fr_profile_follows_us_no_message_entry``): the task fails ``can't message @NAME``,
  nothing typed.
- An account whose privacy settings refuse our messages opens a thread that says ``Unable to send
  message`` (taktik-bot's selectors; no dump of it): the task fails quoting the app, nothing sent.
- Anyone else: the thread opens with its field and the message is sent. To an account that is not
  a mutual follower (the profile's control is not ``Friends``) it goes as a message request
  (TikTok files it in their "Message requests"; the sender's thread shows it as any sent message,
  as ``tt4693_fr_dm_conversation`` does for a thread with an account we do not follow): counted as
  sent once the thread shows it, with a remark saying so.

Outcome: remark ``""`` (mutual followers), ``sent to @NAME as a message request (...)``, or, on a
retried task whose message an earlier attempt already sent, ``message already sent by an earlier
attempt`` with nothing sent. ``TaskFailed`` otherwise, naming the step.
"""

from __future__ import annotations

from runner.devices import DeviceSession, Hierarchy
from runner.errors import TaskFailed
from runner.models.scripts import MessageConfig
from runner.scripts import text as texts
from runner.scripts.context import TaskContext
from runner.scripts.navigate import SCREEN_TIMEOUT, TAP_TIMEOUT, ensure_account
from runner.scripts.profile import open_profile
from runner.scripts.steps import Steps

#: Seconds to wait for a sent message to show in the thread.
SEND_TIMEOUT = 10.0


def choose_message(ctx: TaskContext) -> str:
    """The message this task sends: line ``job_count`` modulo the lines (``sequential``) or a
    line from the task's seeded RNG (``random``), its spintax expanded. Raises ``TaskFailed`` when
    ``message_content`` has no non-blank line."""
    cfg = ctx.config(MessageConfig)
    seed = f"message:{ctx.task_id}:{ctx.job_count}"
    picked = texts.task_line(cfg.message_content, cfg.message_order, ctx.job_count, seed)
    if picked is None:
        raise TaskFailed("message: message_content has no line to send")
    line, rng = picked
    return texts.spin(line, rng).strip()


async def run(ctx: TaskContext, session: DeviceSession, steps: Steps) -> str:
    """Message ``ctx.target_user()``; returns the success remark (module docstring)."""
    name = ctx.target_user()
    body = choose_message(ctx)
    if not body:
        raise TaskFailed("message: the chosen line's spintax gave an empty message")
    ctx.log.info("message chosen (job %d): %r", ctx.job_count, body)
    steps.values["dm"] = body
    await ensure_account(ctx, session, steps)
    control = await open_profile(ctx, session, steps, name)
    mutual = control.name == "friends_button"
    async with steps.step("open thread"):
        button = steps.find(control.hierarchy, "message_button")
        if button is None:
            raise TaskFailed(
                f"can't message @{name}: the profile offers no Message (a private account "
                "you do not follow); nothing sent",
                retry_safe=False,
            )
        thread = await steps.act(
            button,
            until=steps.any_of("message_blocked", "message_field"),
            expecting="the message thread",
            timeout=SCREEN_TIMEOUT,
        )
        if thread.name == "message_blocked":
            said = thread.node.text or thread.node.content_desc
            raise TaskFailed(
                f"can't message @{name}: the app says {said!r} (their privacy settings "
                "refuse your messages); nothing sent",
                retry_safe=False,
            )
    if ctx.retry_count > 0 and steps.count(thread.hierarchy, "message_row") > 0:
        ctx.log.info("the message is already in the thread (an earlier attempt sent it)")
        return "message already sent by an earlier attempt"
    before = steps.count(thread.hierarchy, "message_row")
    async with steps.step("type message"):
        h = await steps.type_into("message_field", body, screen="chat", timeout=TAP_TIMEOUT)
    async with steps.step("send message"):
        send = await steps.find_or_wait(h, "message_send", screen="chat", timeout=TAP_TIMEOUT)

        def shown(h: Hierarchy) -> bool | None:
            return True if steps.count(h, "message_row") > before else None

        def unsent(h: Hierarchy) -> bool:
            field = steps.find(h, "message_field")
            return field is not None and field.node.text == body

        await ctx.attempt("message")  # counted before the send tap; at a limit the task waits
        await steps.act(
            send,
            until=shown,
            expecting="the message in the thread",
            timeout=SEND_TIMEOUT,
            retap_when=unsent,
            irreversible=True,
        )
    ctx.log.info("message sent to @%s", name)
    if mutual:
        return ""
    return (
        f"sent to @{name} as a message request (you are not mutual followers: it waits in "
        "their message requests until they accept)"
    )
