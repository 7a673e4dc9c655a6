"""Search: the search page, the results (tabs ``Top``, ``Users``, ``Videos``, ``Sounds``, ``Shop``)
and the sound page. Layouts: :mod:`runner.sim.tiktok.search_specs` (real dumps).

Rules: the search page's field has the focus; its text is its hint (``Search`` / ``Rechercher``)
while empty, as dumped; text goes in by setText or the clipboard paste. Submitting (the ``Search``
Button, a history row, or the enter key) shows the results and remembers the query in the
history. ``Users`` lists rows: nickname (bidi marks), handle (``@name`` on 46.9.3's first row as
dumped, the bare name after), ``N followers · M likes``, and an inline follow Button (``Follow``,
``Following``, ``Friends``, ``Follow back``, ``Requested`` as on the profile; tapping ``Follow``
follows or, for a private account, asks), the exact match first, then look-alikes; tapping a row
opens the profile. ``Top`` and ``Videos`` show video cells (caption, creator, likes; deterministic
per seed and keyword) that open the video screen in a vertical list; ``Sounds`` rows open the sound
page, whose ``Use sound`` opens the camera with the sound attached. Tapping the field on the
results goes back to the search page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runner.sim.hierarchy import SCREEN_W, Node, Rect
from runner.sim.tiktok import search_specs as ss
from runner.sim.tiktok.base import FL, LL, MUSIC_ACTIVITY, SEARCH_ACTIVITY, Screen, count_text, text
from runner.sim.tiktok.strings import bidi, count, s
from runner.sim.tiktok.world import Sound, display_name

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

HISTORY_ROWS = 6


class SearchScreen(Screen):
    """The search page: the focused field, ``Search`` (submit), the history."""

    activity = SEARCH_ACTIVITY
    name = "search"

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.fields = {"query": query}
        self.focused = "query"

    def build(self, app: TikTokApp) -> Node:
        query = self.fields["query"]
        hint = s(app, "search")
        rows: list[Node] = []
        for i, past in enumerate(app.search_history[:HISTORY_ROWS]):
            width = min(878, 20 + 21 * len(past))
            rows += ss.HISTORY_ROW.nodes(
                {"action": f"history:{i}", "remove": f"forget:{i}", "text": past,
                 "text_box": (105, 294, 105 + width, 346)},
                app.package, dy=i * 105)  # fmt: skip
        values: dict[str, Any] = {
            "query_text": query or hint, "query": query, "hint": hint,
            "focused": self.focused == "query", "submit": s(app, "search_submit"),
            "history": rows,
        }  # fmt: skip
        return ss.SEARCH_PAGE.build(values, app.package)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "submit":
            self.on_enter(app)
        elif action == "clear":
            self.fields["query"] = ""
            self.focused = "query"
        elif action.startswith("history:"):
            i = int(action.split(":", 1)[1])
            if i < len(app.search_history):
                self.fields["query"] = app.search_history[i]
                self.on_enter(app)
        elif action.startswith("forget:"):
            i = int(action.split(":", 1)[1])
            if i < len(app.search_history):
                del app.search_history[i]

    def on_enter(self, app: TikTokApp) -> None:
        query = self.fields["query"].strip()
        if query:
            if query in app.search_history:
                app.search_history.remove(query)
            app.search_history.insert(0, query)
            app.push(ResultsScreen(query))


TABS = ("top", "users", "videos", "sounds", "shop")
TABS_TT4314 = ("top", "users", "videos", "shop", "photos")  # tt4314_fr_search_users: no Sounds
TAB_WORD = {"top": "search_tab_top", "users": "search_tab_users", "videos": "search_tab_videos",
            "sounds": "search_tab_sounds", "shop": "search_tab_shop", "photos": "search_tab_photos"}  # fmt: skip
# Where the dumps put each tab (left, right) and its TextView inside.
TAB_AT = {
    "tt4693": {"top": (274, 410), "users": (410, 673), "videos": (673, 853), "sounds": (853, 998),
               "shop": (998, 1080)},
    "tt4314": {"top": (44, 188), "users": (188, 468), "videos": (468, 659), "shop": (659, 892),
               "photos": (892, 1080)},
}  # fmt: skip
OLD_TAB_NAMES = {"Top": "top", "Users": "users", "Videos": "videos", "Sounds": "sounds"}


def _results_build(app: TikTokApp) -> str:
    return "tt4314" if app.build == "tt4314" else "tt4693"


class ResultsScreen(Screen):
    """Search results with their tabs (``Top`` first)."""

    activity = SEARCH_ACTIVITY
    name = "results"

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query = query
        self.tab = "top"

    def tabs(self, app: TikTokApp) -> tuple[str, ...]:
        return TABS_TT4314 if _results_build(app) == "tt4314" else TABS

    def build(self, app: TikTokApp) -> Node:
        b = _results_build(app)
        tab_layout = ss.TAB_TT4314 if b == "tt4314" else ss.TAB_TT4693
        top, bottom = (275, 385) if b == "tt4314" else (268, 373)
        tab_nodes: list[Node] = []
        for name in self.tabs(app):
            left, right = TAB_AT[b][name]
            chosen = name == self.tab
            tab_nodes += tab_layout.nodes(
                {"box": (left, top, right, bottom), "text_box": (left + 26, top, right - 26, bottom),
                 "selected": chosen, "clickable": not chosen, "word": s(app, TAB_WORD[name]),
                 "action": f"tab:{name}"}, app.package)  # fmt: skip
        values: dict[str, Any] = {
            "query": self.query, "hint": s(app, "search"), "search": s(app, "search"),
            "clear": s(app, "search_clear"), "more": s(app, "more"), "tabs": tab_nodes,
            "content": self.content(app, b),
        }  # fmt: skip
        layout = ss.RESULTS_TT4314 if b == "tt4314" else ss.RESULTS_TT4693
        return layout.build(values, app.package)

    def content(self, app: TikTokApp, b: str) -> Node | None:
        if self.tab == "users":
            return self.users(app, b)
        if self.tab in ("top", "videos"):
            return self.videos(app, b)
        if self.tab == "sounds":
            return self.sounds(app)
        return None  # Shop and Photos: empty

    def users(self, app: TikTokApp, b: str) -> Node:
        rows: list[Node] = []
        row_layout = ss.USER_ROW_TT4314 if b == "tt4314" else ss.USER_ROW_TT4693
        step, first = (203, 407) if b == "tt4314" else (195, 394)
        for i, user in enumerate(app.search_users(self.query)):
            followers, likes = app.world.user_stats(user)
            if b == "tt4314":  # tt4314_fr_search_users prints these counts the English way
                f_text, l_text = _count_en(followers), _count_en(likes)
            else:
                f_text, l_text = count(app, followers, "compact"), count(app, likes, "compact")
            counts = s(app, "user_row_counts", followers=f_text, likes=l_text)
            nickname = display_name(user)
            top = first + i * step
            if top + step > 2337 + step:
                break
            state = app.follow_state(user)
            name_top = 375 + 55 if b == "tt4314" else 424
            name_h = 52 if b == "tt4314" else 50
            desc_top = 482 + 55 if b == "tt4314" else 516
            values = {
                "open": f"user:{user}", "follow": f"follow:{user}",
                "nickname": bidi(nickname), "handle": f"@{user}" if i == 0 and b != "tt4314" else user,
                "counts": counts, "follow_word": s(app, state),
                "name_box": (236 if b == "tt4314" else 226, name_top,
                             (236 if b == "tt4314" else 226) + min(535, 20 + 21 * len(nickname)),
                             name_top + name_h),
                "desc_box": (236 if b == "tt4314" else 226, desc_top,
                             (236 if b == "tt4314" else 226) + min(535, 12 * len(counts)),
                             desc_top + 44 if b == "tt4314" else desc_top + 42),
            }  # fmt: skip
            rows += row_layout.nodes(values, app.package, dy=top - first)
        layout = ss.USERS_TT4314 if b == "tt4314" else ss.USERS_TT4693
        return layout.build({"rows": rows}, app.package)

    def videos(self, app: TikTokApp, b: str) -> Node:
        cells: list[Node] = []
        dy0 = 12 if b == "tt4314" else 0  # 43.1.4's list starts lower (its taller header)
        videos = app.world.keyword_videos(self.query)
        for i, v in enumerate(videos[:4] if self.tab == "top" else videos[:6]):
            col, row = i % 2, i // 2
            dy = dy0 + row * 1069
            if 384 + dy > 2337:
                break
            creator = display_name(v.creator)
            values = {
                "open": f"video:{i}", "caption": v.caption, "creator": creator,
                "creator_action": f"user:{v.creator}", "likes": count(app, v.likes, "compact"),
                "creator_box": (106, 1348, 106 + min(250, 15 * len(creator)), 1387),
            }  # fmt: skip
            cells += ss.VIDEO_CELL_TT4693.nodes(values, app.package, dx=col * 535, dy=dy)
        layout = ss.VIDEOS_TT4693
        node = layout.build({"cells": cells}, app.package)
        if b == "tt4314":
            node.bounds = Rect(0, 385, 1080, 2337)
        return node

    def sounds(self, app: TikTokApp) -> Node:
        rid = app.rid
        rows: list[Node] = []
        top = 394
        for i, sound in enumerate(app.world.sounds(self.query)):
            row = Node(LL, Rect(0, top, SCREEN_W, top + 180), clickable=True,
                       resource_id=rid("sound_row"), action=f"sound:{i}")  # fmt: skip
            row.add(text(Rect(200, top + 50, 1000, top + 130), sound.name, rid("sound_row_name")))
            rows.append(row)
            top += 180
        return ss.SOUNDS_ANY.build({"rows": rows}, app.package)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        from runner.sim.tiktok.player import VideoScreen
        from runner.sim.tiktok.profile import ProfileScreen

        kind, _, arg = action.partition(":")
        if kind == "tab":
            self.tab = OLD_TAB_NAMES.get(arg, arg)
        elif kind == "user":
            app.push(ProfileScreen(arg))
        elif kind == "follow":
            _inline_follow(app, arg)
        elif kind == "video":
            app.push(VideoScreen(app, app.world.keyword_videos(self.query), int(arg)))
        elif kind == "sound":
            app.push(SoundPage(app.world.sounds(self.query)[int(arg)]))
        elif action == "edit_query":
            app.back()


def _inline_follow(app: TikTokApp, user: str) -> None:
    """The Users tab's follow Button: as the profile's control (an unfollow asks first)."""
    from runner.sim.tiktok.profile import tap_follow_control

    tap_follow_control(app, user)


def _count_en(n: int) -> str:
    """43.1.4's search rows: ``4332``, ``67.0K``, ``1.9M`` in every language (as dumped)."""
    if n < 10_000:
        return str(n)
    for div, unit in ((1_000_000, "M"), (1000, "K")):
        if n >= div:
            return f"{int(n * 10 // div) / 10:.1f}{unit}"
    return str(n)  # pragma: no cover


class SoundPage(Screen):
    """A sound: its name, a video count, and ``Use sound``."""

    activity = MUSIC_ACTIVITY
    name = "sound"

    def __init__(self, sound: Sound) -> None:
        super().__init__()
        self.sound = sound

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        root = Node(FL, resource_id=rid("root"))
        uses = int(self.sound.id[-6:]) % 900_000 + 1000
        root.add(
            self.back_button(app),
            text(Rect(300, 300, 1000, 380), self.sound.name, rid("sound_title")),
            text(
                Rect(300, 400, 1000, 460),
                s(app, "sound_page_posts", n=count_text(uses)),
                rid("sound_info"),
            ),  # fmt: skip
            text(Rect(240, 2150, 840, 2280), s(app, "sound_page_use"), rid("sound_use"), "use"),
        )
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "use":
            from runner.sim.tiktok.create import CameraScreen

            app.push(CameraScreen(sound=self.sound, post_way="useSound"))
