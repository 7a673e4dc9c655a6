"""Interruptions drawn over the app: seeded popups, the photos permission prompt, and messages.

Popups (when the phone's ``popup_rate`` > 0, at seeded moments: screen changes, swipes, follows)
have a title and one dismiss button among ``Not now``, ``Skip``, ``Allow``, ``Got it``,
``Close``; the permission prompt is Android's own (package ``com.google.android.permissioncontroller``)
with ``Allow`` / ``Don't allow``. While one shows, taps elsewhere do nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from runner.sim.hierarchy import Node, Rect
from runner.sim.tiktok.base import FL, LL, Screen, button, text

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

PERMISSION_PACKAGE = "com.google.android.permissioncontroller"


class Popup(Screen):
    """A seeded interruption (permissions, tips, updates) with one dismiss button."""

    name = "popup"
    KINDS = (
        ("Allow TikTok to access your contacts?", "Not now"),
        ("Choose your interests", "Skip"),
        ("Turn on notifications to stay updated", "Allow"),
        ("Swipe up for more videos", "Got it"),
        ("A new version is available", "Close"),
        ("Follow your friends", "Not now"),
        ("When's your birthday?", "Skip"),
    )

    def __init__(self, title: str, button: str) -> None:
        super().__init__()
        self.title = title
        self.button = button

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        panel = Node(LL, Rect(90, 900, 990, 1500), resource_id=rid("popup_panel"))
        panel.add(
            text(Rect(130, 950, 950, 1100), self.title, rid("popup_title")),
            Node(
                "android.widget.Button",
                Rect(290, 1340, 790, 1460),
                text=self.button,
                clickable=True,
                resource_id=rid("popup_button"),
                action="dismiss",
            ),  # fmt: skip
        )
        return Node(FL, resource_id=rid("popup_root"), clickable=True).add(panel)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "dismiss":
            app.close_overlay()


class PermissionDialog(Screen):
    """Android's runtime permission prompt for photos and videos (Android 13 wording)."""

    name = "permission"
    activity = "com.android.permissioncontroller.permission.ui.GrantPermissionsActivity"

    def build(self, app: TikTokApp) -> Node:
        pid = f"{PERMISSION_PACKAGE}:id/"
        panel = Node(LL, Rect(60, 1350, 1020, 2100), package=PERMISSION_PACKAGE,
                     resource_id=pid + "grant_dialog")  # fmt: skip
        panel.add(
            Node(
                "android.widget.TextView",
                Rect(120, 1400, 960, 1600),
                text="Allow TikTok to access photos and videos on this device?",
                package=PERMISSION_PACKAGE,
                resource_id=pid + "permission_message",
            ),  # fmt: skip
            button(
                Rect(120, 1700, 960, 1820),
                "Allow",
                pid + "permission_allow_button",
                "allow",
                package=PERMISSION_PACKAGE,
            ),  # fmt: skip
            button(
                Rect(120, 1850, 960, 1970),
                "Don't allow",
                pid + "permission_deny_button",
                "deny",
                package=PERMISSION_PACKAGE,
            ),  # fmt: skip
        )
        return Node(FL, package=PERMISSION_PACKAGE, clickable=True).add(panel)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "allow":
            app.media_granted = True
            app.close_overlay()
        elif action == "deny":
            app.close_overlay()
            app.back()  # the picker cannot show anything: it closes


class MessageDialog(Screen):
    """A message with one ``OK`` (e.g. a share of a file that is not on the phone)."""

    name = "message"

    def __init__(self, message: str, then: Callable[[TikTokApp], None] | None = None) -> None:
        super().__init__()
        self.message = message
        self.then = then

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        panel = Node(LL, Rect(90, 950, 990, 1450), resource_id=rid("dialog_panel"))
        panel.add(
            text(Rect(130, 1000, 950, 1200), self.message, rid("dialog_title")),
            button(Rect(340, 1300, 740, 1420), "OK", rid("dialog_confirm"), "ok"),
        )
        return Node(FL, resource_id=rid("dialog_root"), clickable=True).add(panel)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "ok":
            app.close_overlay()
            if self.then is not None:
                self.then(app)
