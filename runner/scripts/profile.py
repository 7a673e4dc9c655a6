"""Reaching a user's profile, the first half of follow and unfollow (docs/spec/scripts.md,
``access_method``).

``direct``: a VIEW intent on ``https://www.tiktok.com/@NAME`` limited to the app's package (the
name URL-quoted). ``search``: launch the app (it resumes where it was left: press back until the home feed's
Search shows), tap Search, type the name, submit, open the Users
tab and tap the row whose text is exactly the name (never a look-alike).

Either way the profile counts as open only when one dump shows ``@NAME`` together with the
follow control in one of its states (:data:`FOLLOW_STATES`), so a previous profile still on
screen is never mistaken for it.
"""

from __future__ import annotations

from urllib.parse import quote

from runner.devices import DeviceSession
from runner.errors import TaskFailed
from runner.models.scripts import SCRIPT_CONFIGS, FollowConfig
from runner.scripts import navigate
from runner.scripts.context import TaskContext
from runner.scripts.navigate import SCREEN_TIMEOUT, search_for
from runner.scripts.steps import Found, Steps

PROFILE_URL = "https://www.tiktok.com/@{}"
#: Seconds to wait for the effect of a tap on the same screen (tests shorten it).
TAP_TIMEOUT = navigate.TAP_TIMEOUT


#: Characters RFC 3986 allows unencoded in a path segment besides letters, digits and ``-._~``
#: (sub-delims, ``:`` and ``@``). Everything else, ``/ ? # %``, spaces and non-ASCII included, is
#: percent-encoded as UTF-8.
_PCHAR_SAFE = "!$&'()*+,;=:@"


def profile_url(name: str) -> str:
    """The profile URL of ``name`` as one path segment (RFC 3986): reserved, space and non-ASCII
    characters percent-encoded (UTF-8), so the name can neither leave the path nor change host.

    The URL still goes to the phone as one shell-quoted argument (``DeviceSession.open_url_in_app``),
    so shell metacharacters left unencoded here (``$ ( ) ; & '``) are never interpreted.
    """
    return PROFILE_URL.format(quote(name, safe=_PCHAR_SAFE))


#: The follow control's states on a real profile (issue "Real TikTok"): ``Following``, ``Friends``
#: (you follow each other), ``Requested`` (a private account has not accepted yet), ``Follow back``
#: (they follow you), ``Follow``. Followed states first: a control never shows two at once, but
#: a label elsewhere on the screen may read like another state.
FOLLOW_STATES = (
    "following_button",
    "friends_button",
    "requested_button",
    "follow_back_button",
    "follow_button",
)
#: The states in which the account is followed (or asked to be, for a private one).
FOLLOWED = frozenset({"following_button", "friends_button"})


def follow_state(steps: Steps):
    """A decision: the follow control's state on the profile of the target (with its
    ``@handle`` in the same dump), or None."""
    return steps.any_of(*FOLLOW_STATES, all_of=("profile_handle",))


class AccountUnavailable(TaskFailed):
    """The profile says the account cannot be seen: ``reason`` ``not_found`` (no such account)
    or ``banned``. Nothing was done, so it is as safe to retry as the run was (an account may
    come back: a typo fixed, a ban lifted)."""

    def __init__(self, remark: str, *, reason: str, step: str | None = None) -> None:
        super().__init__(remark, step=step)
        self.reason = reason


def _profile_decision(steps: Steps):
    not_found = steps.any_of("account_not_found", "account_banned")
    buttons = follow_state(steps)

    def decide(h):
        return not_found(h) or buttons(h)

    return decide


async def _settle_profile(steps: Steps, name: str, found: Found) -> Found:
    said = found.node.text or found.node.content_desc
    if found.name == "account_not_found":
        raise AccountUnavailable(
            f'{steps.current}: account @{name} does not exist (the app says "{said}")',
            reason="not_found",
            step=steps.current,
        )
    if found.name == "account_banned":
        raise AccountUnavailable(
            f'{steps.current}: account @{name} is banned (the app says "{said}")',
            reason="banned",
            step=steps.current,
        )
    return found


async def open_profile(ctx: TaskContext, session: DeviceSession, steps: Steps, name: str) -> Found:
    """Open ``name``'s profile; returns the follow control found on it (one of
    :data:`FOLLOW_STATES`).

    Raises ``TaskFailed`` when the account does not exist or ``access_method`` is unknown,
    ``ElementNotFound``/``PostConditionFailed`` when a screen does not come.
    """
    # follow, unfollow and message share FollowConfig's target and access fields
    model = SCRIPT_CONFIGS.get(ctx.script_name, FollowConfig)
    method = ctx.config(model).access_method  # type: ignore[attr-defined]
    decide = _profile_decision(steps)
    if method == "direct":
        async with steps.step("open profile"):
            await session.open_url_in_app(profile_url(name), ctx.package)
            found = await steps.wait_until(
                decide,
                element="the follow control (" + " or ".join(FOLLOW_STATES) + ")",
                screen="profile",
                timeout=SCREEN_TIMEOUT,
            )
            return await _settle_profile(steps, name, found)
    if method == "search":
        selected = await search_for(ctx, session, steps, name, tab="users_tab")
        async with steps.step("open Users tab"):
            row = await steps.find_or_wait(
                selected.hierarchy, "user_row", screen="search_results", timeout=TAP_TIMEOUT
            )
        async with steps.step("open profile"):
            found = await steps.act(
                row,
                until=decide,
                expecting=f"the profile of @{name}",
                timeout=SCREEN_TIMEOUT,
            )
            return await _settle_profile(steps, name, found)
    raise TaskFailed(f"{ctx.script_name}: unknown access_method {method!r}")
