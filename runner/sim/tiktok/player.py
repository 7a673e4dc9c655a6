"""Screens that play videos: the home feed (For You) and the video screen (a VIEW of a video URL,
or a search result in a vertical list). Their layouts are the real builds' (:mod:`feed_specs`).

Rules (docs/internals.md, "The full TikTok model"):
- The video under the finger changes only on a swipe up (finger from low to high, at least 300 px);
  a swipe down goes back one video. Between dumps only the live chrome moves (the share counter
  creeps up), so the tree is never the same twice but the video is.
- Leaving a video (swipe, or back out of the video screen) records the time spent on it, by the
  sim's clock, as ``watched``.
- The player controls, as the dumps show them: a Button whose content-desc carries the count
  (``Like video. 4,869 likes``; once liked it reads ``Vidéo aimée`` / ``Video liked`` with no
  count, stays unselected, and the heart inside it is ``selected``, as in
  ``tt4703_fr_liked_video``; the count Button inside shows the count with the like; tapping
  toggles and records),
  ``Read or add comments. 15 comments`` (the comments sheet: :mod:`~runner.sim.tiktok.comments`),
  ``Add or remove this video from Favorites.`` (``selected`` once saved; tapping toggles and
  records a bookmark), ``Share video. 21 shares`` (the share sheet:
  :mod:`~runner.sim.tiktok.share`), the creator (Button id
  ``title``: the username on 46.9.3, the display name on 43.1.4 and 47.0.3; opens the profile),
  the follow plus ``Follow <creator>`` over the avatar (gone once following, or on one's own video;
  tapping follows, or asks to follow a private account), the sound (opens the sound page), the
  caption (id ``desc``).
- The feed holds ads (an ``Ad`` row under the caption, a promoted sound; actions on them are
  recorded with ``"ad": true``) and LIVE previews (no controls: the creator's name, and taps that
  would enter the LIVE, which the model does not go into) at seeded places: the first item is a
  video; each next one is an ad with probability ``app.ad_rate``, a LIVE with ``app.live_rate``
  (tests may queue kinds in ``app.feed_plan``: ``["ad", "video", "live"]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runner.sim.hierarchy import Node
from runner.sim.tiktok import feed_specs as specs
from runner.sim.tiktok.base import DETAIL_ACTIVITY, Screen
from runner.sim.tiktok.spec import Layout
from runner.sim.tiktok.strings import count, s
from runner.sim.tiktok.world import Video, display_name

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

SWIPE_MIN = 300  # px of vertical travel that turns the pager
ROW_GAP, AD_GAP, BOTTOM_PAD = 11, 21, 22


def __getattr__(name: str) -> Any:  # the comments sheet moved to runner.sim.tiktok.comments
    if name == "CommentsSheet":
        from runner.sim.tiktok.comments import CommentsSheet

        return CommentsSheet
    raise AttributeError(name)


def creator_label(app: TikTokApp, video: Video) -> str:
    """What the player calls the creator: the username on 46.9.3 (``tt4693_en_ad_with_label``),
    the display name on 43.1.4 and 47.0.3 (``tt4314_fr_for_you_video``,
    ``tt4703_fr_for_you_video``)."""
    return video.creator if app.build == "tt4693" else display_name(video.creator)


def _rows(app: TikTokApp, video: Video, label: str) -> tuple[list[Node], int]:
    """The rows under the player (creator, caption, ``Ad``) stacked up from the bottom, and the
    top of their block."""
    build = app.build
    at = specs.ROW_AT[build]
    bottom = 2208 - (9 if video.is_ad else BOTTOM_PAD)
    plan = [("creator", 58), ("desc", 51)] + ([("ad", 61)] if video.is_ad else [])
    tops: dict[str, int] = {}
    y = bottom
    for name, height in reversed(plan):
        tops[name] = y - height
        y = tops[name] - (AD_GAP if name == "ad" else ROW_GAP)
    block_top = tops["creator"] - 10
    ref_top, ref_bottom = at["creator"]
    width = min(838, max(80, 30 + 24 * len(label)))
    values = {
        "creator_label": label,
        "title_box": (32, ref_top, 32 + width, ref_bottom),
        "caption": video.caption,
        "ad_label": s(app, "ad_label"),
    }
    layouts: dict[str, Layout] = {
        "creator": specs.ROW_CREATOR[build], "desc": specs.ROW_DESC[build], "ad": specs.ROW_AD[build]
    }  # fmt: skip
    nodes: list[Node] = []
    for name, _ in plan:
        nodes.extend(layouts[name].nodes(values, app.package, dy=tops[name] - at[name][0]))
    return nodes, block_top


def player_values(app: TikTokApp, video: Video) -> dict[str, Any]:
    """The values a player layout is filled with (counts, states, words, boxes)."""
    acc = app.account
    liked = video.id in acc.likes
    saved = video.id in acc.bookmarks
    label = creator_label(app, video)
    likes = count(app, video.likes + liked)
    comments = count(app, video.comments + app.own_comment_count(video.id))
    shares_n = video.shares + app.ticks * 101  # the live chrome: moves at every dump
    shares = count(app, shares_n) if shares_n else s(app, "share_zero")
    own = video.creator == acc.username
    rows, block_top = _rows(app, video, label)
    column_top = 1215 if video.is_ad or app.build == "tt4314" else 1100
    return {
        "like_desc": s(app, "liked_desc") if liked else s(app, "like_desc", n=likes),
        "like_count": likes,
        "liked": liked,
        "like_icon": s(app, "like_icon"),
        "comments_desc": s(app, "comments_desc", n=comments),
        "comments_count": comments,
        "favorites_desc": s(app, "favorites_desc"),
        "saves_count": count(app, video.bookmarks + saved),
        "saved": saved,
        "share_desc": s(app, "share_desc", n=shares),
        "share_count": shares,
        "follow_plus": not own and video.creator not in acc.following,
        "follow_desc": s(app, "follow_creator", name=label),
        "avatar_desc": s(app, "avatar_desc", name=label),
        "sound_desc": s(app, "sound_ad" if video.is_ad else "sound_desc", handle=video.creator),
        "video_desc": s(app, "video_desc"),
        "extra_icon": column_top == 1100,
        "column_box": (0, column_top, 1080, 2208),
        "above_box": (0, 0, 1080, block_top),
        "bottom_box": (0, block_top, 1080, 2208),
        "bottom_inner": (32, block_top, 870, 2208),
        "rows": rows,
        # the LIVE preview
        "live": s(app, "live"),
        "live_tips": s(app, "live_tips"),
        "live_now": s(app, "live_now"),
        "creator_label": label,
        "title_box": (32, 2050, 32 + min(1016, max(80, 30 + 24 * len(label))), 2108),
        "caption": video.caption,
    }


def build_player(app: TikTokApp, video: Video) -> Node:
    """One video's player (``view_rootview``), or a LIVE preview's."""
    layout = specs.LIVE_PLAYER if video.is_live else specs.PLAYER[app.build]
    return layout.build(player_values(app, video), app.package)


def chrome_values(app: TikTokApp, tab: str = "home") -> dict[str, Any]:
    """The words of the feed's top tabs and bottom bar, with ``tab`` (``home``, ``profile``)
    selected."""
    values: dict[str, Any] = {k: s(app, k) for k in (
        "tab_explore", "tab_following", "tab_shop", "tab_for_you", "search", "nav_home",
        "nav_friends", "nav_create", "nav_inbox", "nav_profile")}  # fmt: skip
    values.update(on_home=tab == "home", on_profile=tab == "profile", seek_bar=False)
    return values


def main_tabs(app: TikTokApp, content: Node | list[Node], tab: str, seek_bar: bool = False) -> Node:
    """The main tab host (bottom bar) around one tab's page."""
    values = chrome_values(app, tab)
    values.update(tab_content=content, seek_bar=seek_bar)
    return specs.FEED[app.build].build(values, app.package)


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
        ad = video.is_ad
        if action == "author":
            from runner.sim.tiktok.profile import ProfileScreen

            app.push(ProfileScreen(video.creator))
        elif action == "follow_creator":
            acc = app.account
            if video.creator in acc.following or video.creator in acc.requested:
                return
            if app.is_private(video.creator):
                acc.request_follow(video.creator, ad=ad)
            else:
                from runner.sim.tiktok.pushback import refuse

                if refuse(app, "follow", video.creator):
                    return
                acc.follow(video.creator, ad=ad)
            app.maybe_popup()
        elif action == "like":
            from runner.sim.tiktok.pushback import refuse

            if video.id not in app.account.likes and refuse(app, "like", video.id):
                return
            app.account.toggle_like(video.id)
        elif action == "favorite":
            app.account.toggle_bookmark(video.id)
        elif action == "comments":
            from runner.sim.tiktok.comments import CommentsSheet

            app.push(CommentsSheet(video, behind=self))
        elif action.startswith("comments:"):
            from runner.sim.tiktok.comments import open_from_bar

            open_from_bar(app, video, action, behind=self)
        elif action == "sound":
            from runner.sim.tiktok.search import SoundPage

            app.push(SoundPage(app.world.sound_of(video)))
        elif action == "share":
            from runner.sim.tiktok.share import ShareSheet

            app.show_overlay(ShareSheet(video))
        # "live" (entering a LIVE) is out of scope: nothing happens


class HomeFeed(Player):
    """The For You feed: the pager of videos, ads and LIVE previews, the top tabs and ``Search``,
    the bottom bar (``Home``, ``Friends``, ``Create``, ``Inbox``, ``Profile``)."""

    name = "home"

    def __init__(self, app: TikTokApp) -> None:
        super().__init__(app, [self._next(app, first=True)])

    @staticmethod
    def _next(app: TikTokApp, first: bool = False) -> Video:
        world = app.world
        vid = world.feed_video(app.rng)
        if app.feed_plan:
            kind = app.feed_plan.pop(0)
        elif first:
            kind = "video"
        else:
            r = app.rng.random()
            kind = (
                "ad" if r < app.ad_rate else "live" if r < app.ad_rate + app.live_rate else "video"
            )
        if kind == "ad":
            return world.ad(vid)
        if kind == "live":
            return world.live(vid)
        return world.video(vid)

    def more(self, app: TikTokApp) -> bool:
        self.videos.append(self._next(app))
        return True

    def build(self, app: TikTokApp) -> Node:
        values = chrome_values(app)
        values["player"] = build_player(app, self.video)
        page = specs.HOME[app.build].build(values, app.package)
        video = self.video
        return main_tabs(app, page, "home", seek_bar=not (video.is_ad or video.is_live))

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "search":
            from runner.sim.tiktok.search import SearchScreen

            app.push(SearchScreen())
        elif action in ("nav:create", "create"):
            from runner.sim.tiktok.create import CameraScreen

            app.push(CameraScreen())
        elif action in ("nav:profile", "tab:Profile"):
            from runner.sim.tiktok.profile import OwnProfile

            app.push(OwnProfile())
        elif action.startswith(("nav:", "tab:")):
            pass  # the other tabs and feeds are out of scope
        else:
            super().on_tap(app, action)


# tt4703_fr_video_page_comment_bar: a video opened on its own (DetailActivity), around the build's
# own player; the comment bar is the comments module's; the top bar holds Back and Search.
VIDEO_PAGE = Layout(
    shared=True,
    text="""
FrameLayout#g3y [0,0][1080,2400]
 FrameLayout#j0m [0,0][1080,2337]
 FrameLayout#jja [0,0][1080,2337] z=5
 FrameLayout#ad3 [0,0][1080,2337] z=6
 FrameLayout#j0i [0,0][1080,2337] z=2
  FrameLayout [0,0][1080,2337]
   X.05nV#viewpager +FX [0,0][1080,2337]
    FrameLayout#vqi [0,0][1080,2337]
     FrameLayout#uy5 +CF [0,0][1080,2337]
      ViewGroup#u75 +d [0,0][1080,2337]
       FrameLayout#odt [0,0][1080,2337]
        FrameLayout#i1o [0,0][1080,2337] z=2
        FrameLayout#g70 [0,0][1080,2337] z=9
        LinearLayout#viewpager_container [0,0][1080,2337]
         FrameLayout#view_pager_layout_wrapper [0,0][1080,2208] z=2
          ViewPager#viewpager +F [0,0][1080,2208] z=2
           *player
         View#cn8 [0,2208][1080,2337] z=4
        FrameLayout#tux_status_view [0,294][1080,2036] z=10
      *comment_bar
      View#g4c [0,0][1080,236] z=2
      ViewGroup#j10 [0,132][1080,268] z=6
       ImageView#bs4 +CF [15,132][151,268] d="{back}" @back
       LinearLayout#o8_ [151,153][1038,247] z=11
        LinearLayout#o8c +CF [151,153][760,247] @search
         ImageView#mi1 [183,179][225,221]
         TextView#tv_search_sug_word [241,175][344,225] t="{suggestion}"
        View [760,181][761,218]
        Button#tv_bar_search +CF [761,153][1038,247] t="{search}" @search
""",
)


class VideoScreen(Player):
    """One video opened by URL, or a vertical list of search results (swipe up: the next one)."""

    activity = DETAIL_ACTIVITY
    name = "video"

    def build(self, app: TikTokApp) -> Node:
        from runner.sim.tiktok.comments import comment_bar

        video = self.video
        words = video.caption.split()
        values = {
            "player": build_player(app, video),
            "comment_bar": comment_bar(app),
            "back": s(app, "back"),
            "search": s(app, "search"),
            "suggestion": words[0] if words else video.creator,
        }
        return VIDEO_PAGE.build(values, app.package)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "search":
            from runner.sim.tiktok.search import SearchScreen

            app.push(SearchScreen())
        else:
            super().on_tap(app, action)
