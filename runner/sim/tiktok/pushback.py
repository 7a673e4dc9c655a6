"""TikTok pushing back in the simulator: after N follows in a period, the next ones are refused
the way real TikTok refuses them (issue 14 item 3).

A :class:`PushBackRule` (per account: ``SimAccount.push_back``; per phone:
``SimPhone.push_back``, the default of its accounts; per farm: ``SimFarm(push_back=...)`` and
``tikrunner sim --push-back``) says how: ``toast`` (a toast "You're following too fast", which
like any Android toast is not in the window dump and is read with uiautomator2's
``d.last_toast``), ``dialog`` (the same words in a dialog with ``OK``), ``silent`` (the control
reads ``Following`` on the next dump, then ``Follow`` again: the follow did not stick) or
``verification`` (a captcha wall over the app). In every kind the refused follow is not applied:
ground truth records a ``follow_refused`` action (with the rule's ``kind``) and ``following`` is
unchanged.

Where the behaviour comes from: SysAdminDoc/hushfeed's FollowDiagnosticsTest (TikTok refuses a
follow with ``status_msg`` "You are following too fast." / "Try again later." and "a follow
TikTok turns down comes back looking like a success"), Coombaa/TTAutoRecord#27 (the Follow
button back after a refresh), other projects' captcha markers ("Verify to continue", "Drag the
puzzle piece into place"); no dump of these screens exists, so their layout is the simulator's
own (a centred panel, hashed ids). The French words are not evidenced anywhere (strings.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runner.sim.hierarchy import Node, Rect
from runner.sim.tiktok.base import FL, LL, Screen, button, text
from runner.sim.tiktok.dialogs import MessageDialog
from runner.sim.tiktok.strings import s

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

#: How a refused action shows (see the module docstring).
KINDS = ("toast", "dialog", "silent", "verification")
_PERIODS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_RULE = re.compile(r"^(?P<kind>[a-z]+)(?::(?P<after>\d+)(?:/(?P<n>\d*)(?P<unit>[smhd]))?)?$")


@dataclass(frozen=True)
class PushBackRule:
    """Refuse ``action`` (``follow``, or ``like``: a refused like shows "You're tapping too fast"
    and the video stays unliked; ``silent`` is a follow's only) once ``after`` of them were
    applied within the last ``within`` seconds (the sim's clock), showing ``kind``."""

    kind: str = "toast"
    after: int = 0
    within: float = 3600.0
    action: str = "follow"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown push-back kind {self.kind!r}; known: {', '.join(KINDS)}")
        if self.after < 0 or self.within <= 0:
            raise ValueError("a push-back rule needs after >= 0 and within > 0")
        if self.action not in ("follow", "like"):
            raise ValueError("only follows and likes are refused by the simulator")
        if self.action == "like" and self.kind == "silent":
            raise ValueError("a silent push-back is modelled for follows only")


def parse_rule(text: str) -> PushBackRule:
    """``KIND[:N[/PERIOD]]``: ``toast`` (refuse every follow), ``toast:3`` (after 3 follows in an
    hour), ``dialog:5/10m``, ``silent:2/1d``, ``verification:1/h``. PERIOD is a number (default
    1) and a unit ``s``, ``m``, ``h`` or ``d``. Raises ValueError with the expected form."""
    m = _RULE.match(text.strip())
    if m is None or m["kind"] not in KINDS:
        raise ValueError(
            f"bad push-back rule {text!r}: KIND[:N[/PERIOD]] with KIND one of "
            f"{', '.join(KINDS)} (e.g. toast:3/1h)"
        )
    within = 3600.0
    if m["unit"]:
        within = int(m["n"] or 1) * _PERIODS[m["unit"]]
    return PushBackRule(m["kind"], int(m["after"] or 0), within)


def refuse(app: TikTokApp, action: str, target: str) -> bool:
    """Whether the active account's rule refuses ``action`` on ``target`` now; if it does, show
    the push-back and record ``<action>_refused`` in ground truth. An applied action is counted
    for the rule (its time kept on the account). The farm's lock is held."""
    acc = app.account
    rule = acc.push_back or app.phone.push_back
    if rule is None or rule.action != action:
        return False
    now = app.clock.now()
    times = [t for t in acc.applied_at.get(action, []) if now - t < rule.within]
    if len(times) < rule.after:
        acc.applied_at[action] = [*times, now]
        return False
    acc.applied_at[action] = times
    acc.refused(action, target, rule.kind)
    words = s(app, "pushback_tapping_fast" if action == "like" else "pushback_too_fast")
    if rule.kind == "toast":
        app.phone.show_toast(words)
    elif rule.kind == "dialog":
        app.show_overlay(MessageDialog(words))
    elif rule.kind == "silent":
        app.phantom_follows[target] = 0
    else:
        app.show_overlay(VerificationWall())
    return True


class VerificationWall(Screen):
    """A captcha over the app: "Verify to continue:", "Drag the puzzle piece into place", a
    slider and a close button (words from other projects' captcha markers; no dump). Closing it
    leaves the action undone."""

    name = "verification"

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        panel = Node(LL, Rect(60, 700, 1020, 1700), resource_id=rid("captcha_panel"))
        panel.add(
            text(Rect(100, 740, 980, 820), s(app, "captcha_title"), rid("captcha_title")),
            text(Rect(100, 840, 980, 920), s(app, "captcha_hint"), rid("captcha_hint")),
            Node("android.view.View", Rect(100, 950, 980, 1450), resource_id=rid("captcha_img")),
            Node(
                "android.view.View",
                Rect(100, 1500, 980, 1600),
                resource_id=rid("captcha_slider"),
                clickable=True,
                action="slide",
            ),  # fmt: skip
            button(Rect(900, 710, 1000, 790), "", rid("captcha_close"), "close"),
        )
        return Node(FL, resource_id=rid("captcha_root"), clickable=True).add(panel)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "close":
            app.close_overlay()
