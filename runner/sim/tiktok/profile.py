"""Profiles: another user's (``@NAME``, Follow / Following, the unfollow confirmation) and the
account's own (``Profile`` tab: ``@name`` that switches accounts, ``Edit profile``, its posts).

Rules: tapping ``Follow`` follows at once; tapping ``Following`` asks ``Unfollow @NAME?`` with
``Unfollow`` / ``Cancel``; a user in the farm's ``missing_users`` shows ``Couldn't find this
account`` and no button. The own profile's ``@name`` (content-desc ``Switch account``) opens a
sheet listing the app's accounts and ``Add account``; a row switches to that account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.sim.hierarchy import SCREEN_H, SCREEN_W, Node, Rect
from runner.sim.tiktok.base import (
    FL,
    LL,
    PROFILE_ACTIVITY,
    RV,
    TV,
    Screen,
    button,
    count_text,
    text,
)

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp


def _stats(app: TikTokApp, root: Node, username: str) -> None:
    followers, likes = app.world.user_stats(username)
    for i, (value, label) in enumerate(((followers, "Followers"), (likes, "Likes"))):
        left = 240 + i * 320
        root.add(
            text(Rect(left, 680, left + 280, 740), count_text(value), app.rid("stat_count")),
            text(Rect(left, 740, left + 280, 790), label, app.rid("stat_label")),
        )


class ProfileScreen(Screen):
    """A user's profile: ``@NAME`` and a Follow/Following button (or "Couldn't find this account")."""

    activity = PROFILE_ACTIVITY
    name = "profile"

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        root = Node(FL, resource_id=rid("root"))
        root.add(self.back_button(app))
        if not app.user_exists(self.username):
            root.add(text(Rect(140, 1100, 940, 1180), "Couldn't find this account",
                          rid("profile_empty")))  # fmt: skip
            return root
        root.add(
            text(Rect(300, 130, 780, 200), self.username, rid("profile_nickname")),
            text(Rect(300, 560, 780, 630), f"@{self.username}", rid("profile_username")),
        )
        _stats(app, root, self.username)
        if self.username == app.account.username:
            root.add(button(Rect(240, 900, 840, 1010), "Edit profile", rid("edit_profile"),
                            "edit_profile"))  # fmt: skip
        else:
            following = self.username in app.account.following
            root.add(button(Rect(240, 900, 840, 1010), "Following" if following else "Follow",
                            rid("follow_button"), "follow_button"))  # fmt: skip
        grid = Node(RV, Rect(0, 1100, SCREEN_W, SCREEN_H), scrollable=True,
                    resource_id=rid("video_grid"))  # fmt: skip
        for i in range(6):
            left, top = (i % 3) * 360, 1100 + (i // 3) * 480
            grid.add(Node(FL, Rect(left, top, left + 360, top + 480), clickable=True,
                          resource_id=rid("video_cover"), action=f"video:{i}"))  # fmt: skip
        root.add(grid)
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "follow_button":
            if self.username in app.account.following:
                app.show_overlay(UnfollowDialog(self.username))
            else:
                app.account.follow(self.username)
                app.maybe_popup()


class OwnProfile(Screen):
    """The ``Profile`` tab: the active account's ``@name`` (content-desc ``Switch account``),
    ``Edit profile`` and its posts as tiles ``Post: <caption>``, newest first."""

    activity = PROFILE_ACTIVITY
    name = "own_profile"

    def build(self, app: TikTokApp) -> Node:
        from runner.sim.tiktok.player import bottom_bar

        rid = app.rid
        me = app.account.username
        root = Node(FL, resource_id=rid("root"))
        root.add(
            text(Rect(300, 130, 780, 200), me, rid("profile_nickname")),
            Node(
                TV,
                Rect(300, 560, 780, 630),
                text=f"@{me}",
                content_desc="Switch account",
                clickable=True,
                resource_id=rid("profile_username"),
                action="switch",
            ),  # fmt: skip
        )
        _stats(app, root, me)
        root.add(button(Rect(240, 900, 840, 1010), "Edit profile", rid("edit_profile"),
                        "edit_profile"))  # fmt: skip
        grid = Node(RV, Rect(0, 1100, SCREEN_W, 2200), scrollable=True,
                    resource_id=rid("video_grid"))  # fmt: skip
        posts = list(reversed(app.account.posts))
        if not posts:
            grid.add(text(Rect(140, 1400, 940, 1480), "Share your first video",
                          rid("profile_empty")))  # fmt: skip
        for i, post in enumerate(posts[:6]):
            left, top = (i % 3) * 360, 1100 + (i // 3) * 480
            grid.add(Node(FL, Rect(left, top, left + 360, top + 480), clickable=True,
                          content_desc=f"Post: {post['caption']}",
                          resource_id=rid("video_cover"), action=f"post:{i}"))  # fmt: skip
        root.add(grid, bottom_bar(app, "Profile"))
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "switch":
            app.show_overlay(AccountSheet())
        elif action == "tab:Home":
            app.back()
        elif action == "create":
            from runner.sim.tiktok.create import CameraScreen

            app.push(CameraScreen())


class AccountSheet(Screen):
    """The account switcher: one row per logged-in account (its username), ``Add account``."""

    activity = PROFILE_ACTIVITY
    name = "account_sheet"

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        panel = Node(LL, Rect(0, 1300, SCREEN_W, SCREEN_H), resource_id=rid("account_sheet"))
        panel.add(text(Rect(340, 1320, 740, 1400), "Switch account", rid("dialog_title")))
        for i, acc in enumerate(app.accounts):
            top = 1420 + i * 160
            row = Node(LL, Rect(0, top, SCREEN_W, top + 160), clickable=True,
                       selected=acc is app.account, resource_id=rid("account_row"),
                       action=f"account:{acc.username}")  # fmt: skip
            row.add(text(Rect(200, top + 40, 900, top + 120), acc.username,
                         rid("account_row_name")))  # fmt: skip
            panel.add(row)
        top = 1420 + len(app.accounts) * 160
        panel.add(text(Rect(200, top + 20, 900, top + 120), "Add account", rid("account_add"),
                       "add_account"))  # fmt: skip
        return Node(FL, resource_id=rid("dialog_root"), clickable=True,
                    action="dismiss").add(panel)  # fmt: skip

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action.startswith("account:"):
            app.switch_account(action.split(":", 1)[1])
            app.close_overlay()
        elif action == "dismiss":
            app.close_overlay()


class UnfollowDialog(Screen):
    """The confirmation TikTok asks before unfollowing: ``Unfollow @NAME?`` / Unfollow / Cancel."""

    activity = PROFILE_ACTIVITY
    name = "unfollow_dialog"

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        panel = Node(LL, Rect(90, 950, 990, 1450), resource_id=rid("dialog_panel"))
        panel.add(
            text(Rect(130, 1000, 950, 1100), f"Unfollow @{self.username}?", rid("dialog_title")),
            button(Rect(130, 1300, 530, 1420), "Unfollow", rid("dialog_confirm"), "unfollow"),
            button(Rect(550, 1300, 950, 1420), "Cancel", rid("dialog_cancel"), "cancel"),
        )
        # The dimmed backdrop takes every tap outside the panel and does nothing with it.
        return Node(FL, resource_id=rid("dialog_root"), clickable=True).add(panel)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "unfollow":
            app.close_overlay()
            app.account.unfollow(self.username)
            app.maybe_popup()
        elif action == "cancel":
            app.close_overlay()
