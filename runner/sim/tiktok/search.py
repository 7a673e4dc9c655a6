"""Search: the search page, the results (tabs ``Top``, ``Users``, ``Videos``, ``Sounds``) and the
sound page.

Rules: submitting a query (the ``Search`` text or the enter key) shows the results. ``Users`` lists
rows whose text is a username, the exact match first, then look-alikes; ``Videos`` lists tiles with
content-desc ``Video by @creator: caption`` (deterministic per seed and keyword) that open the
video screen in a vertical list; ``Sounds`` lists rows with the sound's name that open the sound
page, whose ``Use sound`` opens the camera with the sound attached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.sim.hierarchy import SCREEN_H, SCREEN_W, Node, Rect
from runner.sim.tiktok.base import (
    EDIT,
    FL,
    LL,
    MUSIC_ACTIVITY,
    RV,
    SEARCH_ACTIVITY,
    Screen,
    count_text,
    edit,
    text,
)
from runner.sim.tiktok.world import Sound

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp


class SearchScreen(Screen):
    """The search page: a focused EditText (hint ``Search``) and a clickable ``Search`` submit."""

    activity = SEARCH_ACTIVITY
    name = "search"

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.fields = {"query": query}
        self.focused = "query"

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        root = Node(FL, resource_id=rid("root"))
        root.add(
            self.back_button(app),
            edit(Rect(140, 110, 830, 210), self, "query", rid("search_field"), hint="Search"),
            text(Rect(850, 110, 1060, 210), "Search", rid("search_submit"), "submit"),
        )
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "submit":
            self.on_enter(app)

    def on_enter(self, app: TikTokApp) -> None:
        query = self.fields["query"].strip()
        if query:
            app.push(ResultsScreen(query))


class ResultsScreen(Screen):
    """Search results with tabs Top / Users / Videos / Sounds."""

    activity = SEARCH_ACTIVITY
    name = "results"
    TABS = ("Top", "Users", "Videos", "Sounds")

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query = query
        self.tab = "Top"

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        root = Node(FL, resource_id=rid("root"))
        root.add(
            self.back_button(app),
            Node(
                EDIT,
                Rect(140, 110, 830, 210),
                text=self.query,
                hint="Search",
                clickable=True,
                focusable=True,
                resource_id=rid("search_field"),
                action="edit_query",
            ),  # fmt: skip
            text(Rect(850, 110, 1060, 210), "Search", rid("search_submit"), "edit_query"),
        )
        tabs = Node("android.widget.HorizontalScrollView", Rect(0, 240, SCREEN_W, 340),
                    resource_id=rid("results_tabs"))  # fmt: skip
        for i, name in enumerate(self.TABS):
            tabs.add(text(Rect(i * 200, 240, (i + 1) * 200, 340), name, rid("results_tab"),
                          f"tab:{name}", selected=self.tab == name))  # fmt: skip
        root.add(tabs)
        body = Node(RV, Rect(0, 360, SCREEN_W, SCREEN_H), scrollable=True,
                    resource_id=rid("results_list"))  # fmt: skip
        top = 360
        if self.tab in ("Top", "Users"):
            users = app.search_users(self.query)
            for user in users[:1] if self.tab == "Top" else users:
                row = Node(LL, Rect(0, top, SCREEN_W, top + 180), clickable=True,
                           resource_id=rid("user_row"), action=f"user:{user}")  # fmt: skip
                row.add(
                    text(Rect(200, top + 30, 900, top + 90), user, rid("user_row_name")),
                    text(
                        Rect(200, top + 95, 900, top + 150),
                        f"{count_text(app.world.user_stats(user)[0])} followers",
                        rid("user_row_info"),
                    ),  # fmt: skip
                )
                body.add(row)
                top += 180
        if self.tab in ("Top", "Videos"):
            videos = app.world.keyword_videos(self.query)
            for i, v in enumerate(videos[:4] if self.tab == "Top" else videos[:6]):
                left, vtop = (i % 2) * 540, top + (i // 2) * 640
                body.add(Node(FL, Rect(left, vtop, left + 540, vtop + 640), clickable=True,
                              content_desc=f"Video by @{v.creator}: {v.caption}",
                              resource_id=rid("video_cover"), action=f"video:{i}"))  # fmt: skip
        if self.tab == "Sounds":
            for i, sound in enumerate(app.world.sounds(self.query)):
                row = Node(LL, Rect(0, top, SCREEN_W, top + 180), clickable=True,
                           resource_id=rid("sound_row"), action=f"sound:{i}")  # fmt: skip
                row.add(text(Rect(200, top + 50, 1000, top + 130), sound.name,
                             rid("sound_row_name")))  # fmt: skip
                body.add(row)
                top += 180
        root.add(body)
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        from runner.sim.tiktok.player import VideoScreen
        from runner.sim.tiktok.profile import ProfileScreen

        kind, _, arg = action.partition(":")
        if kind == "tab":
            self.tab = arg
        elif kind == "user":
            app.push(ProfileScreen(arg))
        elif kind == "video":
            app.push(VideoScreen(app, app.world.keyword_videos(self.query), int(arg)))
        elif kind == "sound":
            app.push(SoundPage(app.world.sounds(self.query)[int(arg)]))
        elif action == "edit_query":
            app.back()


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
            text(Rect(300, 400, 1000, 460), f"{count_text(uses)} videos", rid("sound_info")),
            text(Rect(240, 2150, 840, 2280), "Use sound", rid("sound_use"), "use"),
        )
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "use":
            from runner.sim.tiktok.create import CameraScreen

            app.push(CameraScreen(sound=self.sound, post_way="useSound"))
