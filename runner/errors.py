"""The exceptions that cross module boundaries, one per outcome a caller treats differently.

Converted to an API error code (intake, HTTP) or to a task ``remark`` (device workers) at one
boundary each, never scattered through the code. Codes are those of ``docs/spec/local-api.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

_E = TypeVar("_E", bound=BaseException)

# API error codes (docs/spec/local-api.md, "Base and envelope").
INVALID_PARAMETERS = 40001
MISSING_SCRIPT_NAME = 40002
SCRIPT_UNAVAILABLE = 40003
NO_ACCOUNT = 40004
FORBIDDEN = 40301
NOT_FOUND = 40401
INTERNAL_ERROR = 50001


@dataclass(frozen=True)
class ErrorDetail:
    """One problem in a document: a JSON pointer (RFC 6901, "" for the root) and a message."""

    pointer: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "message": self.message}


class TikrunnerError(Exception):
    """Base class of every error tikrunner raises on purpose."""


class HttpBindError(TikrunnerError):
    """The API cannot listen where asked: a malformed ``HOST:PORT``, the port taken, or an
    address off this machine without an API token. ``str()`` is one line for a person.
    (Raised by :mod:`runner.http.server`; here so that ``tikrunner serve --no-http`` can name it
    without importing the HTTP stack.)"""


class IntakeError(TikrunnerError):
    """Input refused by intake (spool file, HTTP body or workflow).

    ``code`` is the API error code (40001 invalid parameters, 40002 missing script_name,
    40003 unknown or unavailable script, 40004 no account), ``message`` one sentence a person can
    act on, ``details`` the individual problems (schema errors, each with its JSON pointer).
    Raised before anything is written to the store: a refused input creates no task.
    """

    def __init__(self, code: int, message: str, details: list[ErrorDetail] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: list[ErrorDetail] = list(details or [])

    def as_dict(self) -> dict:
        out: dict = {"code": self.code, "message": self.message}
        if self.details:
            out["errors"] = [d.as_dict() for d in self.details]
        return out


class TaskFailed(TikrunnerError):
    """A task ended failed; ``remark`` is what the task's ``remark`` field will say.

    ``step`` names the script step that failed (for example ``"open profile"``), or is None.
    ``retry_safe`` says whether running the task again cannot repeat an action on the phone:
    True when nothing irreversible was done (no Follow, Post, comment send, like... was tapped)
    or the script's check showed the action did not happen; False when it may have happened;
    None when the raiser cannot tell (``runner.scripts.run_task`` then fills it in from the
    irreversible actions the task started). Automatic retries (runner/scheduler.py) take only
    failures with ``retry_safe`` True.
    """

    def __init__(self, remark: str, *, step: str | None = None, retry_safe: bool | None = None):
        super().__init__(remark)
        self.remark = remark
        self.step = step
        self.retry_safe = retry_safe


class DeviceLost(TaskFailed):
    """The phone went away (adb reports it offline, unauthorized or gone) or stopped answering."""


# What a person should know of a phone in each adb state but ``device`` (the states adb's
# ConnectionState prints in ``adb devices`` and ``host:track-devices``, packages/modules/adb/adb.h;
# adbutils passes them through as DeviceEvent.status, with ``absent`` for a phone gone).
ADB_STATE_HINTS = {
    "unauthorized": "unauthorized: accept the USB debugging prompt on the phone",
    "authorizing": "authorizing: accept the USB debugging prompt on the phone",
    "offline": "offline: adb has lost the phone (cable, USB hub, or adbd restarting on it)",
    "connecting": "connecting: adb has not finished connecting to it",
    "no permissions": "no permissions: this user may not open the USB device (udev rules)",
    "absent": "disconnected: no adb server lists it",
}


def device_state_remark(serial: str | None, state: str) -> str:
    """The remark for a task that cannot run because adb reports ``serial`` in ``state`` (not
    ``device``): ``device S unauthorized: accept the USB debugging prompt on the phone``,
    ``device S offline: ...``, ``device S in recovery mode``; states adb may add later are named."""
    if state.startswith("no permissions"):  # adb appends a help text and a URL to this one
        state = "no permissions"
    if state in ("bootloader", "recovery", "sideload", "rescue"):
        return f"device {serial} in {state} mode, not running Android"
    return f"device {serial} {ADB_STATE_HINTS.get(state, state)}"


class UiautomatorUnavailable(TaskFailed):
    """The uiautomator server on the phone did not answer, even after one restart."""


class ElementNotFound(TaskFailed):
    """A named element (selector name) did not appear on a named screen within a timeout (seconds)."""

    def __init__(self, element: str, *, screen: str, timeout: float, step: str | None = None):
        remark = f"{step + ': ' if step else ''}the {element} element did not appear within {timeout:g} s on screen '{screen}'"
        super().__init__(remark, step=step)
        self.element = element
        self.screen = screen
        self.timeout = timeout


class PostConditionFailed(TaskFailed):
    """An action was taken but its expected effect was not observed (never retried blindly)."""


class PushBack(TaskFailed):
    """TikTok pushed back: it showed a screen that means "slow down" (docs/spec/scripts.md,
    "When TikTok pushes back"; issue 14 item 3).

    ``kind`` is one of :data:`PUSHBACK_KINDS`: ``rate_limit`` (a toast or dialog such as "You're
    following too fast" or "Too many attempts. Try again later"), ``follow_not_applied`` (the
    follow control went back to Follow after the tap), ``verification`` (a captcha or "Verify to
    continue" wall), ``logged_out`` (the app shows its log-in screen). ``said`` is what TikTok
    said, as shown (a toast's or dialog's words, or a description of what the screen did).
    The remark quotes it: ``TikTok pushed back (rate limit): "You're following too fast"``.
    Never retried automatically (``retry_safe`` False): running the task again while TikTok
    pushes back is what makes it push back harder. The device worker turns it into a failed task
    and puts the account in its cool-down (runner/workers.py).
    """

    def __init__(self, kind: str, said: str, *, step: str | None = None):
        if kind not in PUSHBACK_KINDS:
            raise ValueError(f"unknown push-back kind {kind!r}; known: {', '.join(PUSHBACK_KINDS)}")
        said = " ".join(said.split())
        remark = f'TikTok pushed back ({kind.replace("_", " ")}): "{said}"'
        super().__init__(f"{step}: {remark}" if step else remark, step=step, retry_safe=False)
        self.kind = kind
        self.said = said


#: The kinds of push-back :class:`PushBack` names (the selector file's ``pushback`` section has
#: one entry for each but ``follow_not_applied``, which the follow script's check raises).
PUSHBACK_KINDS = ("rate_limit", "follow_not_applied", "verification", "logged_out")


class ScriptNotImplemented(TaskFailed):
    """The script exists in the API but tikrunner cannot run it yet."""

    def __init__(self, script_name: str):
        super().__init__("not implemented yet", step=None)
        self.script_name = script_name


class LimitReached(TikrunnerError):
    """An action a running task is about to do would take its account past a limit (issue 14:
    ``per_hour``, ``per_day``, ``min_gap``) or the account is cooling down after TikTok pushed
    back (runner/limits.py). Not a :class:`TaskFailed`: the task is not failed but waits.

    ``remark`` says which limit and when (``follow limit 150/day for @alice; next at
    2026-12-02 00:00``); ``until`` is when it may run again (UTC epoch seconds); ``kind`` the
    action kind, ``account`` the account key. The device worker puts the task back to pending
    with remark ``waiting: <remark>`` until ``until``; nothing was counted for it."""

    def __init__(self, remark: str, until: float, *, kind: str = "", account: str = ""):
        super().__init__(remark)
        self.remark = remark
        self.until = until
        self.kind = kind
        self.account = account


def find_leaf(error: BaseException, kind: type[_E]) -> _E | None:
    """The first exception of ``kind`` in ``error``: ``error`` itself, or a leaf of (nested)
    exception groups as trio's nurseries raise them; None when there is none."""
    while isinstance(error, BaseExceptionGroup):
        matched = error.subgroup(lambda e: isinstance(e, kind))
        if matched is None:
            return None
        error = matched.exceptions[0]
    return error if isinstance(error, kind) else None
