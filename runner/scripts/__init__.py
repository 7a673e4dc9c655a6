"""Scripts: one module per API script, run on one phone through a DeviceSession.

``run_task(ctx, session)`` is the one entry point device workers call. It checks the phone
(``session.prepare``: uiautomator alive, screen on, app installed), logs the app version, then
runs the script named by ``ctx.script_name`` as labelled steps (``steps.py``) against named
selectors (``matcher.py`` + ``selectors/tiktok.yaml``).

Every API script is implemented (post, follow, unfollow, comment, account_warmup, message,
scrape_user, like, and profile: :mod:`runner.scripts.edit_profile`, which changes the own profile). A task with
a username (usernames mode, multi-account) first switches the app to that account and verifies it
(``navigate.ensure_account``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from runner.devices import DeviceSession
from runner.errors import PushBack, ScriptNotImplemented, TaskFailed
from runner.scripts import (
    account_warmup,
    comment,
    edit_profile,
    follow,
    like,
    message,
    post,
    scrape_user,
    unfollow,
)
from runner.scripts.context import TaskContext
from runner.scripts.matcher import SelectorBook, SelectorFileError, load_selectors
from runner.scripts.steps import Steps

__all__ = [
    "NOT_IMPLEMENTED",
    "SCRIPTS",
    "SelectorBook",
    "SelectorFileError",
    "TaskContext",
    "load_selectors",
    "run_task",
]

ScriptFn = Callable[[TaskContext, DeviceSession, Steps], Awaitable[str]]

#: Scripts tikrunner runs, by API script name.
SCRIPTS: dict[str, ScriptFn] = {
    "post": post.run,
    "follow": follow.run,
    "unfollow": unfollow.run,
    "comment": comment.run,
    "account_warmup": account_warmup.run,
    "profile": edit_profile.run,
    "message": message.run,
    "scrape_user": scrape_user.run,
    "like": like.run,
}
#: API scripts not written yet: their tasks fail with the remark "not implemented yet".
NOT_IMPLEMENTED: frozenset[str] = frozenset()
#: Scripts whose task carries exactly one target user (checked before the phone is touched).
TARGETED = frozenset({"follow", "unfollow", "message", "scrape_user"})


async def run_task(
    ctx: TaskContext, session: DeviceSession, book: SelectorBook | None = None
) -> str:
    """Run one task on ``session``'s phone; returns the success remark (``""`` or e.g.
    ``"already following @x"``).

    Runs the health check first (``session.prepare(ctx.package)``: the engine need not call it
    again) and logs the app version. Raises ``TaskFailed`` or a subclass (``DeviceLost``,
    ``UiautomatorUnavailable``, ``ElementNotFound``, ``PostConditionFailed``,
    ``ScriptNotImplemented``); the remark names the failed step, and ``retry_safe`` is set
    (True or False) from the irreversible actions the script started (``Steps.retry_safe``); a
    failed health check is safe to retry (nothing was done), a config the script cannot use
    (unknown script, no target) is left None (retrying cannot help). Raises ``SelectorFileError`` if
    the selector file is invalid (load it at start with :func:`load_selectors` to fail earlier).
    ``book``: the selectors to use (the runner's, with the operator's overrides); default the
    built-in ones. The app's language is recognised from the first dumps (logged with the app
    version); a language without strings fails the task before anything is tapped.
    Cancellation (stop, delete, shutdown) arrives as trio cancellation between device calls and
    propagates unchanged; the phone is left on whatever screen it was. Progress: ``health
    check``, then each step's label (``Steps.step``) and what the script reports itself.
    """
    if ctx.script_name in NOT_IMPLEMENTED:
        raise ScriptNotImplemented(ctx.script_name)
    script = SCRIPTS.get(ctx.script_name)
    if script is None:
        raise TaskFailed(f"unknown script {ctx.script_name!r}")
    book = book or load_selectors()
    username = ctx.target_user() if ctx.script_name in TARGETED else ""
    with session.logging_to(ctx.log):
        calls_before = session.device_calls  # the session outlives the task: count this task's
        ctx.progress("health check")
        try:
            version = await session.prepare(ctx.package)
        except TaskFailed as e:  # nothing was done on the phone yet
            e.retry_safe = e.retry_safe is not False
            raise
        ctx.log.info(
            "%s on %s: app %s version %s, phone locale %s",
            ctx.script_name, ctx.serial, ctx.package, version, session.locale_hint or "unknown",
        )  # fmt: skip
        steps = Steps(
            session,
            book,
            script=ctx.script_name,
            package=ctx.package,
            log=ctx.log,
            username=username,
            account=(ctx.username or "").removeprefix("@"),
            locale_hint=session.locale_hint,
            serial=ctx.serial,
            progress=ctx.progress,
        )
        try:
            remark = await script(ctx, session, steps)
        except PushBack as e:
            e.retry_safe = False
            await _cool_down(ctx, e)
            raise
        except TaskFailed as e:
            e.retry_safe = steps.retry_safe(e)
            raise
        ctx.log.info(
            "%s done: app %s language %s, %s dumps, %s popups dismissed, %s device calls",
            ctx.script_name,
            version,
            steps.locale or "unknown",
            steps.dumps,
            steps.popups_dismissed,
            session.device_calls - calls_before,
        )
        return remark


async def _cool_down(ctx: TaskContext, e: PushBack) -> None:
    """TikTok pushed back: the task's account cools down (``ctx.cool_down``: the config's
    ``cooldown``, 6 h by default; its tasks wait, the event is logged) and ``e``'s remark says
    until when, in the runner's time zone: ``...: "You're following too fast"; @alice cools
    down until 2026-12-02 18:20``. Without account safety (``ctx.actions`` None) nothing is
    recorded and the remark stays as it is."""
    until = await ctx.cool_down(e.said)
    if until is None:
        return
    from runner.limits import shown

    guard = ctx.actions
    e.remark = f"{e.remark}; {guard.subject.shown} cools down until {shown(until, guard.policy.tz)}"
    e.args = (e.remark,)
