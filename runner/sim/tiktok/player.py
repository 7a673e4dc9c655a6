"""Screens that play videos: the home feed, the video screen (a VIEW of a video URL, or a search
result in a vertical list) and the comments sheet.

Rules (docs/internals.md, "The full TikTok model"):
- The video under the finger changes only on a swipe up (finger from low to high, at least 300 px);
  a swipe down goes back one video. Between dumps only the live chrome moves (play progress and the
  share counter), so the tree is never the same twice but the video is.
- Leaving a video (swipe, or back out of the video screen) records the time spent on it, by the
  sim's clock, as ``watched``.
- The player controls: ``Like video`` and ``Add to Favorites`` (``selected`` tells the state;
  tapping toggles and records), ``Read or add comments``, ``Share video``, the creator's
  ``@creator`` text (opens the profile), a ``Follow @creator`` plus-button on the avatar (gone once
  following, or on one's own video), the caption, and the progress text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.sim.hierarchy import SCREEN_H, SCREEN_W, Node, Rect
from runner.sim.tiktok.base import (
    DETAIL_ACTIVITY,
    FL,
    LL,
    RV,
    Screen,
    count_text,
    edit,
    icon,
    text,
)
from runner.sim.tiktok.world import Video

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

SWIPE_MIN = 300  # px of vertical travel that turns the pager


def player(app: TikTokApp, video: Video, bottom: int) -> Node:
    """The player of ``video`` (a full-width pager ending at ``bottom``) with its controls."""
    rid = app.rid
    acc = app.account
    liked = video.id in acc.likes
    saved = video.id in acc.bookmarks
    second = app.ticks % max(1, video.length)
    pager = Node("androidx.viewpager.widget.ViewPager", Rect(0, 0, SCREEN_W, bottom),
                 resource_id=rid("feed_pager"), scrollable=True, focusable=True)  # fmt: skip
    pager.add(
        icon(Rect(955, 1000, 1055, 1100), video.creator, rid("avatar"), "author"),
    )
    if video.creator not in acc.following and video.creator != acc.username:
        pager.add(icon(Rect(975, 1080, 1035, 1140), f"Follow @{video.creator}",
                       rid("avatar_follow"), "follow_creator"))  # fmt: skip
    own = app.own_comment_count(video.id)
    pager.add(
        icon(
            Rect(950, 1200, 1060, 1310), "Like video", rid("like_button"), "like", selected=liked
        ),  # fmt: skip
        text(Rect(950, 1310, 1060, 1360), count_text(video.likes + liked), rid("like_count")),
        icon(
            Rect(950, 1400, 1060, 1510), "Read or add comments", rid("comment_button"), "comments"
        ),  # fmt: skip
        text(Rect(950, 1510, 1060, 1560), count_text(video.comments + own), rid("comment_count")),
        icon(
            Rect(950, 1580, 1060, 1690),
            "Add to Favorites",
            rid("favorite_button"),
            "favorite",
            selected=saved,
        ),  # fmt: skip
        text(
            Rect(950, 1690, 1060, 1740), count_text(video.bookmarks + saved), rid("favorite_count")
        ),  # fmt: skip
        icon(Rect(950, 1760, 1060, 1870), "Share video", rid("share_button"), "share"),
        text(
            Rect(950, 1870, 1060, 1920),
            count_text(video.shares + app.ticks // 3),
            rid("share_count"),
        ),  # fmt: skip
        text(Rect(40, 1850, 700, 1910), f"@{video.creator}", rid("video_author"), "author"),
        text(Rect(40, 1920, 900, 2000), video.caption, rid("video_caption")),
        text(
            Rect(40, 2060, 400, 2110),
            f"0:{second:02d} / 0:{video.length:02d}",
            rid("video_progress"),
        ),  # fmt: skip
    )
    return pager


class Player(Screen):
    """What the feed and the video screen share: a list of videos, a position, watch timing."""

    def __init__(self, app: TikTokApp, videos: list[Video], pos: int = 0) -> None:
        super().__init__()
        self.videos = videos
        self.pos = pos
        self.shown_at = app.clock.now()

    @property
    def video(self) -> Video:
        return self.videos[self.pos]

    def more(self, app: TikTokApp) -> bool:
        """Extend the list when the user swipes past its end; False when it cannot grow."""
        return False

    def _leave_video(self, app: TikTokApp) -> None:
        now = app.clock.now()
        app.account.watch(self.video.id, max(0.0, now - self.shown_at))
        self.shown_at = now

    def on_swipe(self, app: TikTokApp, dy: float) -> bool:
        if dy <= -SWIPE_MIN:
            if self.pos + 1 >= len(self.videos) and not self.more(app):
                return False
            self._leave_video(app)
            self.pos += 1
        elif dy >= SWIPE_MIN and self.pos > 0:
            self._leave_video(app)
            self.pos -= 1
        else:
            return False
        app.maybe_popup()
        return True

    def on_leave(self, app: TikTokApp) -> None:
        self._leave_video(app)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        video = self.video
        if action == "author":
            from runner.sim.tiktok.profile import ProfileScreen

            app.push(ProfileScreen(video.creator))
        elif action == "follow_creator":
            if video.creator not in app.account.following:
                app.account.follow(video.creator)
                app.maybe_popup()
        elif action == "like":
            app.account.toggle_like(video.id)
        elif action == "favorite":
            app.account.toggle_bookmark(video.id)
        elif action == "comments":
            app.push(CommentsSheet(video))
        elif action == "share":
            pass  # the share sheet is out of scope: nothing happens


class HomeFeed(Player):
    """The For You feed with the top bar (``For You``, ``Search``), the bottom bar (``Home``,
    ``Friends``, ``Create``, ``Inbox``, ``Profile``) and the upload banner."""

    name = "home"

    def __init__(self, app: TikTokApp) -> None:
        super().__init__(app, [app.world.video(app.world.feed_video(app.rng))])

    def more(self, app: TikTokApp) -> bool:
        self.videos.append(app.world.video(app.world.feed_video(app.rng)))
        return True

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        top = Node(LL, Rect(0, 90, SCREEN_W, 230))
        top.add(
            text(
                Rect(420, 110, 660, 210), "For You", rid("tab_for_you"), "for_you", selected=True
            ),  # fmt: skip
            icon(Rect(960, 110, 1060, 210), "Search", rid("search_button"), "search"),
        )
        root = Node(FL, resource_id=rid("root")).add(player(app, self.video, 2200), top)
        banner = app.upload_banner()
        if banner:
            root.add(text(Rect(240, 250, 840, 330), banner, rid("upload_banner")))
        root.add(bottom_bar(app, "Home"))
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "search":
            from runner.sim.tiktok.search import SearchScreen

            app.push(SearchScreen())
        elif action == "create":
            from runner.sim.tiktok.create import CameraScreen

            app.push(CameraScreen())
        elif action == "tab:Profile":
            from runner.sim.tiktok.profile import OwnProfile

            app.push(OwnProfile())
        elif action.startswith("tab:") or action == "for_you":
            pass
        else:
            super().on_tap(app, action)


def bottom_bar(app: TikTokApp, selected: str) -> Node:
    rid = app.rid
    bar = Node(LL, Rect(0, 2200, SCREEN_W, SCREEN_H), resource_id=rid("bottom_bar"))
    tabs = (("Home", "bottom_home"), ("Friends", "bottom_friends"), (None, "bottom_create"),
            ("Inbox", "bottom_inbox"), ("Profile", "bottom_profile"))  # fmt: skip
    for i, (label, element) in enumerate(tabs):
        box = Rect(i * 216, 2200, (i + 1) * 216, SCREEN_H)
        if label is None:
            bar.add(icon(box, "Create", rid(element), "create"))
            continue
        tab = Node(FL, box, clickable=True, resource_id=rid(element),
                   selected=label == selected, action=f"tab:{label}")  # fmt: skip
        tab.add(text(Rect(box.left + 20, 2320, box.right - 20, 2380), label, rid("bottom_label")))
        bar.add(tab)
    return bar


class VideoScreen(Player):
    """One video opened by URL, or a vertical list of search results (swipe up: the next one)."""

    activity = DETAIL_ACTIVITY
    name = "video"

    def build(self, app: TikTokApp) -> Node:
        root = Node(FL, resource_id=app.rid("root"))
        root.add(player(app, self.video, SCREEN_H), self.back_button(app))
        return root


class CommentsSheet(Screen):
    """The comments of a video: title ``N comments``, rows of (username, text), the ``Add comment``
    field, ``Add image``, the ``Selected image`` thumbnail and ``Post`` (only while there is
    something to post). Tapping above the sheet or back closes it."""

    name = "comments"

    def __init__(self, video: Video) -> None:
        super().__init__()
        self.video = video
        self.fields = {"comment": ""}
        self.image: str | None = None

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        video = self.video
        root = Node(FL, resource_id=rid("root"))
        root.add(player(app, video, SCREEN_H))
        root.add(Node(FL, Rect(0, 0, SCREEN_W, 700), clickable=True,
                      resource_id=rid("sheet_outside"), action="close"))  # fmt: skip
        sheet = Node(LL, Rect(0, 700, SCREEN_W, SCREEN_H), resource_id=rid("comment_sheet"))
        total = video.comments + app.own_comment_count(video.id)
        sheet.add(text(Rect(340, 720, 740, 800), f"{count_text(total)} comments",
                       rid("comment_title")))  # fmt: skip
        rows = Node(RV, Rect(0, 820, SCREEN_W, 2160), scrollable=True,
                    resource_id=rid("comment_list"))  # fmt: skip
        own = [(u, t) for u, t, _ in reversed(app.own_comments.get(video.id, []))]
        for i, (user, body) in enumerate((own + app.world.comments_of(video.id))[:7]):
            top = 820 + i * 190
            row = Node(LL, Rect(0, top, SCREEN_W, top + 190), resource_id=rid("comment_row"))
            row.add(text(Rect(160, top + 20, 900, top + 80), user, rid("comment_user")),
                    text(Rect(160, top + 90, 1000, top + 170), body, rid("comment_text")))  # fmt: skip
            rows.add(row)
        sheet.add(rows)
        bar = Node(LL, Rect(0, 2180, SCREEN_W, SCREEN_H), resource_id=rid("comment_bar"))
        bar.add(edit(Rect(30, 2200, 700, 2380), self, "comment", rid("comment_field"),
                     hint="Add comment...", desc="Add comment"))  # fmt: skip
        bar.add(icon(Rect(720, 2220, 820, 2360), "Add image", rid("comment_image"), "add_image"))
        if self.image:
            bar.add(icon(Rect(600, 2060, 700, 2170), "Selected image", rid("comment_thumb"),
                         "remove_image"))  # fmt: skip
        if self.fields["comment"].strip() or self.image:
            bar.add(text(Rect(880, 2220, 1060, 2360), "Post", rid("comment_post"), "post"))
        sheet.add(bar)
        root.add(sheet)
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "close":
            app.back()
        elif action == "add_image":
            from runner.sim.tiktok.create import GalleryScreen

            app.open_gallery(GalleryScreen(multi=False, on_pick=self._picked))
        elif action == "remove_image":
            self.image = None
        elif action == "post":
            body = self.fields["comment"].strip()
            if not body and not self.image:
                return
            app.account.comment(self.video.id, body, self.image)
            app.own_comments.setdefault(self.video.id, []).append(
                (app.account.username, body, self.image)
            )
            self.fields["comment"] = ""
            self.image = None
            self.focused = None

    def on_enter(self, app: TikTokApp) -> None:
        self.on_tap(app, "post")

    def _picked(self, app: TikTokApp, names: list[str]) -> None:
        self.image = names[0] if names else None
