"""The TikTok model's screens, one class per screen (docs/internals.md, "The TikTok model's screens").

A screen builds its node tree from the app's state (texts and content-descs fixed, resource ids from
the app version's table) and handles taps by the ``action`` of the node hit. Overlays (the unfollow
confirmation, popups) are screens drawn over the top one; while one shows, nothing under it gets
taps. Add a screen by subclassing :class:`Screen` and pushing it from an action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.sim.hierarchy import SCREEN_H, SCREEN_W, Node, Rect

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

MAIN_ACTIVITY = "com.ss.android.ugc.aweme.main.MainActivity"
PROFILE_ACTIVITY = "com.ss.android.ugc.aweme.profile.ui.UserProfileActivity"
SEARCH_ACTIVITY = "com.ss.android.ugc.aweme.search.activity.SearchResultActivity"

TV = "android.widget.TextView"
IV = "android.widget.ImageView"
BTN = "android.widget.Button"
FL = "android.widget.FrameLayout"
LL = "android.widget.LinearLayout"
RV = "androidx.recyclerview.widget.RecyclerView"
EDIT = "android.widget.EditText"

CREATORS = ("dancequeen", "chef.mario", "travelwithkai", "cats.daily", "techtok", "fitnessfrank",
            "artbyluna", "laughfactory", "plantmom", "skate.sam")  # fmt: skip
CAPTIONS = ("wait for it", "day 3 of learning this", "POV: monday", "no way this worked",
            "tutorial in comments", "best trick ever")  # fmt: skip


def _count(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 1000:
        return f"{n / 1000:.1f}K"
    return str(n)


class Screen:
    """One screen of the app. ``fields`` are its text fields, ``focused`` the one with focus."""

    activity = MAIN_ACTIVITY
    name = "screen"

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.focused: str | None = None

    def build(self, app: TikTokApp) -> Node:
        """The screen's node tree (full screen), built fresh from the app's state."""
        raise NotImplementedError

    def on_tap(self, app: TikTokApp, action: str) -> None:
        """A tap on a node whose ``action`` is ``action``."""

    def on_enter(self, app: TikTokApp) -> None:
        """The enter key while one of this screen's fields has focus."""

    def back_button(self, app: TikTokApp) -> Node:
        return Node(
            IV,
            Rect(0, 100, 130, 230),
            content_desc="Back",
            clickable=True,
            resource_id=app.rid("back_button"),
            action="back",
        )


class HomeFeed(Screen):
    """The For You feed: one video at a time; it moves on at every dump (video apps never idle)."""

    name = "home"

    def __init__(self, app: TikTokApp) -> None:
        super().__init__()
        self.video = 0
        self.liked = False
        self._roll(app)

    def _roll(self, app: TikTokApp) -> None:
        rng = app.rng
        self.creator = rng.choice(CREATORS)
        self.caption = rng.choice(CAPTIONS)
        self.likes = rng.randrange(100, 3_000_000)
        self.comments = rng.randrange(0, 40_000)
        self.liked = False

    def advance(self, app: TikTokApp) -> None:
        self.video += 1
        self._roll(app)

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        pager = Node(
            "androidx.viewpager.widget.ViewPager",
            Rect(0, 0, SCREEN_W, 2200),
            resource_id=rid("feed_pager"),
            scrollable=True,
            focusable=True,
        )
        pager.add(
            Node(
                TV,
                Rect(40, 1850, 700, 1910),
                text=f"@{self.creator}",
                clickable=True,
                resource_id=rid("video_author"),
                action="author",
            ),
            Node(
                TV, Rect(40, 1920, 900, 2000), text=self.caption, resource_id=rid("video_caption")
            ),
            Node(
                IV,
                Rect(950, 1200, 1060, 1310),
                content_desc="Like video",
                clickable=True,
                selected=self.liked,
                resource_id=rid("like_button"),
                action="like",
            ),
            Node(
                TV,
                Rect(950, 1310, 1060, 1360),
                text=_count(self.likes + self.liked),
                resource_id=rid("like_count"),
            ),
            Node(
                IV,
                Rect(950, 1400, 1060, 1510),
                content_desc="Read or add comments",
                clickable=True,
                resource_id=rid("comment_button"),
                action="comments",
            ),
            Node(
                TV,
                Rect(950, 1510, 1060, 1560),
                text=_count(self.comments),
                resource_id=rid("comment_count"),
            ),
            Node(
                IV,
                Rect(950, 1600, 1060, 1710),
                content_desc="Share video",
                clickable=True,
                resource_id=rid("share_button"),
                action="share",
            ),
        )
        top = Node(LL, Rect(0, 90, SCREEN_W, 230))
        top.add(
            Node(
                TV,
                Rect(420, 110, 660, 210),
                text="For You",
                selected=True,
                clickable=True,
                resource_id=rid("tab_for_you"),
                action="for_you",
            ),
            Node(
                IV,
                Rect(960, 110, 1060, 210),
                content_desc="Search",
                clickable=True,
                resource_id=rid("search_button"),
                action="search",
            ),
        )
        bar = Node(LL, Rect(0, 2200, SCREEN_W, SCREEN_H), resource_id=rid("bottom_bar"))
        tabs = (
            ("Home", "bottom_home"),
            ("Friends", "bottom_friends"),
            (None, "bottom_create"),
            ("Inbox", "bottom_inbox"),
            ("Profile", "bottom_profile"),
        )
        for i, (label, element) in enumerate(tabs):
            box = Rect(i * 216, 2200, (i + 1) * 216, SCREEN_H)
            if label is None:
                bar.add(
                    Node(
                        IV,
                        box,
                        content_desc="Create",
                        clickable=True,
                        resource_id=rid(element),
                        action="create",
                    )
                )
                continue
            tab = Node(
                FL,
                box,
                clickable=True,
                resource_id=rid(element),
                selected=label == "Home",
                action=f"tab:{label}",
            )
            tab.add(
                Node(
                    TV,
                    Rect(box.left + 20, 2320, box.right - 20, 2380),
                    text=label,
                    resource_id=rid("bottom_label"),
                )
            )
            bar.add(tab)
        return Node(FL, resource_id=rid("root")).add(pager, top, bar)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "search":
            app.push(SearchScreen())
        elif action == "author":
            app.push(ProfileScreen(self.creator))
        elif action == "like":
            self.liked = not self.liked


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
            root.add(
                Node(
                    TV,
                    Rect(140, 1100, 940, 1180),
                    text="Couldn't find this account",
                    resource_id=rid("profile_empty"),
                )
            )
            return root
        stats = app.user_stats(self.username)
        root.add(
            Node(
                TV,
                Rect(300, 130, 780, 200),
                text=self.username,
                resource_id=rid("profile_nickname"),
            ),
            Node(
                TV,
                Rect(300, 560, 780, 630),
                text=f"@{self.username}",
                resource_id=rid("profile_username"),
            ),
        )
        for i, (value, label) in enumerate(((stats[0], "Followers"), (stats[1], "Likes"))):
            left = 240 + i * 320
            root.add(
                Node(
                    TV,
                    Rect(left, 680, left + 280, 740),
                    text=_count(value),
                    resource_id=rid("stat_count"),
                ),
                Node(
                    TV, Rect(left, 740, left + 280, 790), text=label, resource_id=rid("stat_label")
                ),
            )
        if self.username == app.account.username:
            root.add(
                Node(
                    BTN,
                    Rect(240, 900, 840, 1010),
                    text="Edit profile",
                    clickable=True,
                    resource_id=rid("edit_profile"),
                    action="edit_profile",
                )
            )
        else:
            following = self.username in app.account.following
            root.add(
                Node(
                    BTN,
                    Rect(240, 900, 840, 1010),
                    text="Following" if following else "Follow",
                    clickable=True,
                    resource_id=rid("follow_button"),
                    action="follow_button",
                )
            )
        grid = Node(
            RV, Rect(0, 1100, SCREEN_W, SCREEN_H), scrollable=True, resource_id=rid("video_grid")
        )
        for i in range(6):
            left, top = (i % 3) * 360, 1100 + (i // 3) * 480
            grid.add(
                Node(
                    FL,
                    Rect(left, top, left + 360, top + 480),
                    clickable=True,
                    resource_id=rid("video_cover"),
                    action=f"video:{i}",
                )
            )
        root.add(grid)
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "back":
            app.back()
        elif action == "follow_button":
            if self.username in app.account.following:
                app.show_overlay(UnfollowDialog(self.username))
            else:
                app.account.follow(self.username)
                app.maybe_popup()


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
            Node(
                TV,
                Rect(130, 1000, 950, 1100),
                text=f"Unfollow @{self.username}?",
                resource_id=rid("dialog_title"),
            ),
            Node(
                BTN,
                Rect(130, 1300, 530, 1420),
                text="Unfollow",
                clickable=True,
                resource_id=rid("dialog_confirm"),
                action="unfollow",
            ),
            Node(
                BTN,
                Rect(550, 1300, 950, 1420),
                text="Cancel",
                clickable=True,
                resource_id=rid("dialog_cancel"),
                action="cancel",
            ),
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


class Popup(Screen):
    """A seeded interruption (permissions, tips, updates) with one dismiss button."""

    name = "popup"
    KINDS = (
        ("Allow TikTok to access your contacts?", "Not now"),
        ("Choose your interests", "Skip"),
        ("Turn on notifications to stay updated", "Allow"),
        ("Swipe up for more videos", "Got it"),
        ("A new version is available", "Close"),
    )

    def __init__(self, title: str, button: str) -> None:
        super().__init__()
        self.title = title
        self.button = button

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        panel = Node(LL, Rect(90, 900, 990, 1500), resource_id=rid("popup_panel"))
        panel.add(
            Node(TV, Rect(130, 950, 950, 1100), text=self.title, resource_id=rid("popup_title")),
            Node(
                BTN,
                Rect(290, 1340, 790, 1460),
                text=self.button,
                clickable=True,
                resource_id=rid("popup_button"),
                action="dismiss",
            ),
        )
        return Node(FL, resource_id=rid("popup_root"), clickable=True).add(panel)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "dismiss":
            app.close_overlay()


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
            Node(
                EDIT,
                Rect(140, 110, 830, 210),
                text=self.fields["query"],
                hint="Search",
                clickable=True,
                focusable=True,
                focused=self.focused == "query",
                long_clickable=True,
                resource_id=rid("search_field"),
                field="query",
                action="focus:query",
            ),
            Node(
                TV,
                Rect(850, 110, 1060, 210),
                text="Search",
                clickable=True,
                resource_id=rid("search_submit"),
                action="submit",
            ),
        )
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "back":
            app.back()
        elif action == "submit":
            self.on_enter(app)
        elif action.startswith("focus:"):
            self.focused = action.split(":", 1)[1]

    def on_enter(self, app: TikTokApp) -> None:
        query = self.fields["query"].strip()
        if query:
            app.push(ResultsScreen(query))


class ResultsScreen(Screen):
    """Search results with tabs Top / Users / Videos; Users lists matching usernames."""

    activity = SEARCH_ACTIVITY
    name = "results"
    TABS = ("Top", "Users", "Videos")

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
            ),
            Node(
                TV,
                Rect(850, 110, 1060, 210),
                text="Search",
                clickable=True,
                resource_id=rid("search_submit"),
                action="edit_query",
            ),
        )
        tabs = Node(
            "android.widget.HorizontalScrollView",
            Rect(0, 240, SCREEN_W, 340),
            resource_id=rid("results_tabs"),
        )
        for i, name in enumerate(self.TABS):
            tabs.add(
                Node(
                    TV,
                    Rect(i * 200, 240, (i + 1) * 200, 340),
                    text=name,
                    clickable=True,
                    selected=self.tab == name,
                    resource_id=rid("results_tab"),
                    action=f"tab:{name}",
                )
            )
        root.add(tabs)
        body = Node(
            RV, Rect(0, 360, SCREEN_W, SCREEN_H), scrollable=True, resource_id=rid("results_list")
        )
        users = app.search_users(self.query)
        if self.tab == "Top":
            users = users[:1]
        if self.tab in ("Top", "Users"):
            for i, user in enumerate(users):
                top = 360 + i * 180
                row = Node(
                    LL,
                    Rect(0, top, SCREEN_W, top + 180),
                    clickable=True,
                    resource_id=rid("user_row"),
                    action=f"user:{user}",
                )
                row.add(
                    Node(
                        TV,
                        Rect(200, top + 30, 900, top + 90),
                        text=user,
                        resource_id=rid("user_row_name"),
                    ),
                    Node(
                        TV,
                        Rect(200, top + 95, 900, top + 150),
                        text=f"{_count(app.user_stats(user)[0])} followers",
                        resource_id=rid("user_row_info"),
                    ),
                )
                body.add(row)
        if self.tab in ("Top", "Videos"):
            first = 360 + (180 if self.tab == "Top" and users else 0)
            for i in range(4):
                left, top = (i % 2) * 540, first + (i // 2) * 700
                body.add(
                    Node(
                        FL,
                        Rect(left, top, left + 540, top + 700),
                        clickable=True,
                        resource_id=rid("video_cover"),
                        action=f"video:{i}",
                    )
                )
        root.add(body)
        return root

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "back":
            app.back()
        elif action.startswith("tab:"):
            self.tab = action.split(":", 1)[1]
        elif action.startswith("user:"):
            app.push(ProfileScreen(action.split(":", 1)[1]))
        elif action == "edit_query":
            app.back()
