"""Profiles: another account's (its ``@handle``, counters, the follow control, ``Message``, its
videos) and the own one (the ``Profile`` tab), the account switcher and the unfollow confirmation.
Layouts: :mod:`runner.sim.tiktok.profile_specs` (another's) and the own profile below (shaped
after ``tt4703_fr_own_profile_not_recommended``).

The follow control is a non-clickable TextView inside clickable LinearLayouts (as dumped); its
word is the relation (:meth:`TikTokApp.follow_state`): ``Follow`` (``Suivre``), ``Following``
(``Suivis ``), ``Friends`` (both follow; ``Amis``), ``Follow back`` (they follow us; ``Suivre en
retour``), ``Requested`` (asked a private account). Beside it ``Message`` (first once following);
a private account we do not follow shows no ``Message`` and, instead of its videos, "This account
is private" (``Ce compte est privé`` and its line). The counters' labels are ``Following`` /
``Followers`` / ``Likes`` (``Suivis`` / ``Followers`` / ``J'aime``): the same word as the control.

Taps: ``Message`` opens the thread with the account (:mod:`runner.sim.tiktok.chat`);
``Follow`` / ``Follow back`` follow (the control turns ``Following`` / ``Friends``); on a
private account ``Follow`` asks (``Requested``: ground truth ``follow_request``, the name in
``requested``, ``following`` unchanged), ``Requested`` takes the request back
(``cancel_request``); ``Following`` / ``Friends`` ask ``Unfollow`` / ``Cancel`` first. A user in
the farm's ``missing_users`` shows "Couldn't find this account" and nothing else. The own
profile's name or ``@handle`` opens the account sheet (one row per account, ``Add account``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runner.sim.hierarchy import SCREEN_H, SCREEN_W, Node, Rect
from runner.sim.tiktok import profile_specs as ps
from runner.sim.tiktok.base import FL, LL, PROFILE_ACTIVITY, Screen, button, text
from runner.sim.tiktok.edit_profile import nickname_of
from runner.sim.tiktok.pushback import refuse
from runner.sim.tiktok.spec import Layout
from runner.sim.tiktok.strings import count, s
from runner.sim.tiktok.world import display_name

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

STATE_WORDS = {"follow": "follow", "following": "following", "friends": "friends",
               "follow_back": "follow_back", "requested": "requested"}  # fmt: skip
TILES = 9


def _w(text: str, per_char: float, pad: int = 0) -> int:
    return int(len(text) * per_char) + pad


class _Geometry:
    """Where one build's profile puts its parts (from its dump)."""

    def __init__(self, build: str) -> None:
        self.tt4314 = build == "tt4314"
        L = ps  # noqa: N806
        if self.tt4314:
            self.page, self.counter, self.counter_mid = (
                L.TT4314_PAGE,
                L.TT4314_COUNTER,
                L.TT4314_COUNTER_MIDDLE,
            )
            self.button, self.dropdown = L.TT4314_BUTTON, L.TT4314_DROPDOWN
            self.tab_videos, self.tab_reposts = L.TT4314_TAB_VIDEOS, L.TT4314_TAB_REPOSTS
            self.grid, self.tile = L.TT4314_GRID, L.TT4314_TILE
            self.private, self.missing = L.TT4314_PRIVATE, L.TT4314_MISSING
            self.buttons_y, self.tabs_y, self.grid_top = (928, 1027), (1055, 1165), 1166
            self.left, self.name_y, self.handle_y = 319, (348, 417), (417, 473)
            self.counter_y = (558, 668)
        else:
            self.page, self.counter, self.counter_mid = (
                L.TT4703_PAGE,
                L.TT4703_COUNTER,
                L.TT4703_COUNTER_MIDDLE,
            )
            self.button, self.dropdown = L.TT4703_BUTTON, L.TT4703_DROPDOWN
            self.tab_videos, self.tab_reposts = L.TT4703_TAB_VIDEOS, L.TT4703_TAB_REPOSTS
            self.grid, self.tile = L.TT4703_GRID, L.TT4703_TILE
            self.private, self.missing = L.TT4703_PRIVATE, L.TT4703_MISSING
            self.buttons_y, self.tabs_y, self.grid_top = (584, 689), (715, 820), 821
            self.left, self.name_y, self.handle_y = 42, (275, 375), (380, 419)
            self.counter_y = (456, 542)


_GEOMETRY: dict[str, _Geometry] = {}


def geometry(app: TikTokApp) -> _Geometry:
    g = _GEOMETRY.get(app.build)
    if g is None:
        g = _GEOMETRY[app.build] = _Geometry(app.build)
    return g


def counters(app: TikTokApp, g: _Geometry, username: str, following: int,
             at: tuple[int, int] | None = None, followers: int | None = None) -> list[Node]:  # fmt: skip
    """The three counters (count over label), as clickable groups (``at``: their top and
    bottom, when not the build's profile's; ``followers``: the count, when not the world's)."""
    stats_followers, likes = app.world.user_stats(username)
    followers = stats_followers if followers is None else followers
    top, bottom = at or g.counter_y
    out: list[Node] = []
    x = g.left + (2 if g.tt4314 else 0)
    items = (("following", following, "stat_following"), ("followers", followers, "stat_followers"),
             ("likes", likes, "stat_likes"))  # fmt: skip
    for i, (name, value, key) in enumerate(items):
        number, label = count(app, value), s(app, key)
        pad = 55 if (i == 1 or (g.tt4314 and i == 2)) else 0
        if i == 1 and not g.tt4314:
            pad = 63
        inner = max(_w(number, 22, 10), _w(label, 15, 5))
        width = inner + pad * (2 if i == 1 else 1)
        box = (x, top, x + width, bottom)
        mid = (top + bottom) // 2 + 7
        values = {
            "box": box, "action": f"stats:{name}", "count": number, "label": label,
            "count_box": (x + pad, top, x + pad + _w(number, 22, 10), mid),
            "label_box": (x + pad, mid - 3, x + pad + _w(label, 15, 5), bottom),
        }  # fmt: skip
        layout = g.counter_mid if i == 1 else g.counter
        out.extend(layout.nodes(values, app.package))
        if g.tt4314 and i < 2:
            out.extend(ps.TT4314_SEPARATOR.nodes(
                {"box": (x + width, top + 33, x + width + 1, top + 77)}, app.package))  # fmt: skip
            x += 1
        x += width
    return out


def _button(
    app: TikTokApp, g: _Geometry, left: int, right: int, word: str, action: str
) -> list[Node]:
    top, bottom = g.buttons_y
    width = min(right - left, _w(word.strip(), 24, 10))
    middle = (left + right) // 2
    word_box = (middle - width // 2, top, middle + width // 2, bottom)
    inner = (max(left, word_box[0] - 53), top, min(right, word_box[2] + 53), bottom)
    if right - left > 700:  # a wide control (no Message beside it) fills its box
        word_box = inner = (left, top, right, bottom)
    values = {"box": (left, top, right, bottom), "inner": inner, "word_box": word_box,
              "word": word, "action": action}  # fmt: skip
    return g.button.nodes(values, app.package)


def follow_buttons(app: TikTokApp, g: _Geometry, username: str) -> list[Node]:
    """The follow control and ``Message`` (in the order the dumps show them), then the dropdown."""
    state = app.follow_state(username)
    word = s(app, STATE_WORDS[state])
    message = s(app, "message")
    private_stranger = app.is_private(username) and state in ("follow", "follow_back", "requested")
    if g.tt4314:
        spans = ((44, 479), (490, 925))
        end = 925
    else:
        spans = ((42, 649), (670, 912))
        end = 912
    out: list[Node] = []
    if private_stranger:
        out += _button(app, g, spans[0][0], end, word, "follow_button")
    elif state in ("following", "friends"):
        out += _button(app, g, *spans[0], message, "message")
        out += _button(app, g, *spans[1], word, "follow_button")
    else:
        out += _button(app, g, *spans[0], word, "follow_button")
        out += _button(app, g, *spans[1], message, "message")
    out += g.dropdown.nodes({}, app.package)
    return out


#: How far 47.0.3's bio row moves the tabs and the grid down (tt4703_fr_profile_followed: the
#: tabs at 936 under a bio, link and subscription rows; the model draws the bio row only).
BIO_SHIFT = 131


def tabs(app: TikTokApp, g: _Geometry, private: bool, shift: int = 0) -> list[Node]:
    top, bottom = g.tabs_y[0] + shift, g.tabs_y[1] + shift
    if private:  # only the videos tab, centred (tt47_fr_profile_follows_us_no_message_entry)
        left, right = 458, 621
    else:
        left, right = (44 if g.tt4314 else 42), 540
    mid = (left + right) // 2
    values = {
        "videos": s(app, "videos_tab"), "reposts": s(app, "reposts_tab"),
        "box": (left, top, right, bottom), "icon_box": (mid - 81, top, mid + 82, bottom),
        "icon_left": (mid - 81, top, mid + 24, bottom),
        "icon": (mid - 34, top + 23, mid + 24, top + 81),
        "icon_right": (mid + 24, top, mid + 82, bottom),
        "dot": (mid + 24, top + 39, mid + 50, top + 65),
    }  # fmt: skip
    out = g.tab_videos.nodes(values, app.package)
    if not private:
        out += g.tab_reposts.nodes(values, app.package, dy=shift)
    return out


def grid(app: TikTokApp, g: _Geometry, plays: list[int], actions: list[str],
         pinned: int = 0, shift: int = 0) -> Node:  # fmt: skip
    """The video grid: a tile per video while they fit (the first ``pinned`` labelled so)."""
    tiles: list[Node] = []
    for i, (n, action) in enumerate(zip(plays, actions, strict=False)):
        col, row = i % 3, i // 3
        dy = row * 480 + shift
        if g.grid_top + dy + 477 > 2337:
            break
        values = {"plays": count(app, n), "action": action,
                  "pinned": s(app, "pinned") if i < pinned else ""}  # fmt: skip
        tiles += g.tile.nodes(values, app.package, dx=col * 361, dy=dy)
    return g.grid.build({"tiles": tiles}, app.package, dy=shift)


def video_count(app: TikTokApp, username: str) -> int:
    """How many videos ``username``'s profile has (``farm.video_counts``, default :data:`TILES`)."""
    return max(0, app.phone.farm.video_counts.get(username, TILES))


def _geometry_values(g: _Geometry, shift: int) -> dict[str, Any]:
    """The page's boxes that a 47.0.3 bio row moves down by ``shift``."""
    top = g.tabs_y[0] + shift
    return {
        "tabs_wrap": (42, top, 1038, top + 105),
        "rule": (0, top + 105, 1080, top + 106),
        "pager": (0, top + 106, 1080, 2337),
    }


class ProfileScreen(Screen):
    """Another account's profile (a VIEW of ``https://www.tiktok.com/@NAME``, or a tap on a
    creator)."""

    activity = PROFILE_ACTIVITY
    chrome = "profile"
    name = "profile"

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username

    def build(self, app: TikTokApp) -> Node:
        g = geometry(app)
        user = self.username
        farm = app.phone.farm
        if not app.user_exists(user) or user in farm.banned_users:
            word = "missing_account" if not app.user_exists(user) else "banned_account"
            body = g.missing.build({"missing": s(app, word)}, app.package)
            return g.page.build({"missing": True, "body": body, **_geometry_values(g, 0)},
                                app.package)  # fmt: skip
        state = app.follow_state(user)
        private = app.is_private(user) and state not in ("following", "friends")
        name, handle = display_name(user), f"@{user}"
        name_w = min(712 if not g.tt4314 else 700, _w(name, 37, 20))
        handle_w = min(712, _w(handle, 15, 10))
        bio = farm.bios.get(user, "")
        shift = BIO_SHIFT if bio and not g.tt4314 else 0
        if private:
            body = g.private.build({"private_title": s(app, "private_title"),
                                    "private_text": s(app, "private_text") if app.language != "en"
                                    else ""}, app.package, dy=shift)  # fmt: skip
        else:
            videos = app.world.user_videos(user, video_count(app, user))
            body = grid(app, g, [v.likes // 3 for v in videos],
                        [f"video:{i}" for i in range(len(videos))],
                        pinned=farm.pinned.get(user, 0), shift=shift)  # fmt: skip
        badge_left = g.left + handle_w + 11
        y0, y1 = g.handle_y
        badge = (badge_left, (y0 + y1) // 2 - 16, badge_left + 33, (y0 + y1) // 2 + 17)
        verified = user in farm.verified_users
        bio_top = 690 if g.tt4314 else 705
        bio_w = min(992, _w(bio.split("\n")[0], 22, 20))
        following_n = app.world.user_stats(user + "/following")[0] % 2000
        values: dict[str, Any] = {
            "missing": False,
            "display_name": name, "handle": handle,
            "name_box": (g.left, g.name_y[0], g.left + name_w, g.name_y[1]),
            "handle_box": (g.left, g.handle_y[0], g.left + handle_w, g.handle_y[1]),
            "handle_wrap": (g.left, g.handle_y[0],
                            max(g.left + max(handle_w, 199), badge[2] if verified else 0),
                            g.handle_y[1]),  # fmt: skip
            "verified": s(app, "verified") if verified else "", "badge_box": badge,
            "bio": bio, "bio_box": (44 if g.tt4314 else g.left, bio_top, (44 if g.tt4314 else g.left) + bio_w, bio_top + 44),
            "counters": counters(app, g, user, following_n),
            "buttons": follow_buttons(app, g, user),
            "tabs": tabs(app, g, private, shift),
            "body": body,
            **_geometry_values(g, shift),
            "notifications": "Notifications" if app.language == "fr" else "",
            "share": s(app, "share_zero") if app.language == "fr" else "",
        }  # fmt: skip
        return g.page.build(values, app.package)

    def on_tap(self, app: TikTokApp, action: str) -> None:
        user = self.username
        if action == "follow_button":
            if tap_follow_control(app, user) in ("requested", "followed"):
                app.maybe_popup()
        elif action == "message":
            from runner.sim.tiktok.chat import ChatScreen

            app.push(ChatScreen(user))
        elif action.startswith("video:"):
            from runner.sim.tiktok.player import VideoScreen

            videos = app.world.user_videos(user, video_count(app, user))
            app.push(VideoScreen(app, videos, int(action[6:])))
        # the dropdown, the counters and the avatar open screens the model leaves out


# ------------------------------------------------------------------------------ own profile
# tt4703_fr_own_profile_not_recommended: the Profile tab's page inside the main tab host (the
# bottom bar stays, Profile selected); 43.1.4 and 46.9.3 show the same with their tab host.
OWN_PAGE = Layout(
    shared=True,
    text="""
RelativeLayout#t7z [0,0][1080,2337]
 LinearLayout [0,0][1080,2337]
  FrameLayout#psj [0,132][1080,269]
   ViewGroup#pte [0,132][1080,269]
    LinearLayout#ptk [21,132][321,269]
     ImageView [21,148][131,253]
    LinearLayout#pt_ [734,132][1059,269]
     FrameLayout +C [734,148][839,253]
      FrameLayout#f1k [734,148][839,253]
       RelativeLayout#e4v [734,148][839,253]
        Button#img [755,169][818,232] d="{profile_views}"
         ImageView#m65 [755,169][818,232]
     ImageView [839,148][949,253]
     Button +C [949,148][1059,253] d="{profile_menu}"
  LinearLayout#f1k [0,269][1080,2337]
   FrameLayout#u75 [0,269][1080,2337]
    LinearLayout#v9o [0,269][1080,2337]
     LinearLayout#t82 [0,269][1080,814]
      LinearLayout [0,269][1080,648]
       LinearLayout#t5o [42,269][1080,648]
        LinearLayout#t5q [42,285][754,606]
         LinearLayout b={name_box}
          FrameLayout +C b={name_box} @switch
           Button#t7l +C b={name_box} t="{display_name}" @switch
         LinearLayout b={handle_box}
          Button#t3y +C b={handle_box} t="{handle}" @switch
         ?edit_wordless LinearLayout [560,290][731,380]
          Button +CF [560,290][731,380] @edit_profile
         LinearLayout [42,520][754,606]
          *counters
        FrameLayout#t4l [744,269][1080,579]
         FrameLayout#bmh +C [744,269][1080,579]
          Button#bni [744,285][1080,579] d="{profile_photo}"
           ImageView [786,306][1038,558]
           Button +C [940,460][1073,579] d="{create_story}"
            ImageView [975,495][1038,558]
       ?bio LinearLayout [42,608][1038,646]
        Button +CL [42,608][1038,646] t="{bio}"
      ?edit_words LinearLayout [42,652][530,732]
       Button +CF [42,652][530,732] t="{edit_profile}" @edit_profile
      HorizontalScrollView [0,738][421,814]
       LinearLayout [0,738][421,814]
        LinearLayout +C [42,738][358,814]
         ImageView#al_ [66,760][98,792]
         TextView#alb [109,755][334,797] t="TikTok Studio"
     HorizontalScrollView#z0j [42,840][1038,945]
      LinearLayout [42,840][1038,945]
       LinearLayout +S [42,840][241,945]
        RelativeLayout +CS [42,840][241,945] d="{videos}"
         LinearLayout#p3s +S [60,840][223,945]
          FrameLayout#knm +S [60,840][165,945]
           ImageView#kg1 +S [107,863][165,921]
          FrameLayout#xyf +S [165,840][223,945]
           ImageView#ai1 +S [165,879][191,905]
       LinearLayout +C [241,840][440,945]
        RelativeLayout +C [241,840][440,945] d="{private_videos}"
         ImageView#kg1 [311,863][369,921]
       LinearLayout +C [440,840][639,945]
        RelativeLayout +C [440,840][639,945] d="{reposts}"
         ImageView#kg1 [510,863][568,921]
       LinearLayout +C [639,840][838,945]
        RelativeLayout +C [639,840][838,945] d="{favorites}"
         ImageView#kg1 [709,863][767,921]
       LinearLayout +C [838,840][1038,945]
        RelativeLayout +C [838,840][1038,945] d="{liked}"
         ImageView#kg1 [909,863][967,921]
     View [0,945][1080,946]
     FrameLayout [0,946][1080,2337]
      ViewPager#v_b [0,946][1080,2337]
       FrameLayout#t4p [0,946][1080,2337]
        FrameLayout#lcs [0,946][1080,2337]
         FrameLayout#f5o [0,946][1080,2337]
          GridView#i_i [0,946][1080,2337]
           *tiles
           ?no_posts TextView [140,1400][940,1480] t="{no_posts}"
 FrameLayout#bt5 [0,0][1080,625]
""",
)
OWN_TILE = Layout(
    shared=True,
    text="""
FrameLayout#f1k +C [0,946][358,1423] @{action}
 ImageView#cover [0,946][358,1423]
 ImageView#r86 [300,962][342,1004]
 FrameLayout#ipl [0,1276][84,1360]
 LinearLayout#video_info_container [0,1292][358,1423]
  TextView#tv_play_count [11,1370][358,1412] t="{plays}"
""",
)

OWN_WORDS = {"en": {"profile_views": "Profile views", "profile_photo": "Profile photo",
                    "create_story": "Create a Story", "private_videos": "Private videos",
                    "favorites": "Favorites", "liked": "Liked videos"},
             "fr": {"profile_views": "Vues du profil", "profile_photo": "Photo de profil",
                    "create_story": "Créer une Story", "private_videos": "Vidéos privées",
                    "favorites": "Favoris", "liked": "Vidéos aimées"}}  # fmt: skip


def _own_geometry() -> _Geometry:
    g = _GEOMETRY.get("tt4703")
    if g is None:
        g = _GEOMETRY["tt4703"] = _Geometry("tt4703")
    return g


class OwnProfile(Screen):
    """The ``Profile`` tab: the active account's name and ``@handle`` (both open the account
    sheet), counters, its posts as tiles (newest first, play count ``0``; a post being uploaded
    first, with its progress: :func:`runner.sim.tiktok.create.uploading_tile`)."""

    activity = "com.ss.android.ugc.aweme.main.MainActivity"
    name = "own_profile"

    def build(self, app: TikTokApp) -> Node:
        from runner.sim.tiktok.create import uploading_tile
        from runner.sim.tiktok.player import main_tabs

        me = app.account.username
        posts = list(reversed(app.account.posts))
        tiles: list[Node] = []
        uploading = uploading_tile(app, 0, 946)  # a post being uploaded is the first tile
        if uploading is not None:
            tiles.append(uploading)
        for i, _post in enumerate(posts[: TILES - len(tiles)]):
            at = i + len(tiles)
            tiles += OWN_TILE.nodes({"plays": "0", "action": f"post:{i}"}, app.package,
                                    dx=(at % 3) * 361, dy=(at // 3) * 480)  # fmt: skip
        name, handle = nickname_of(app.account), f"@{me}"
        words = OWN_WORDS.get(app.language, OWN_WORDS["en"])
        # Edit profile: no own-profile dump shows it worded (tt4314_fr_own_profile has a wordless
        # Button right of the name, tt4703_fr_own_profile_not_recommended none); the words are
        # taktik-bot's and liuzika/script_project's. 43.1.4 gets the wordless one.
        wordless = app.build == "tt4314"
        values: dict[str, Any] = {
            **words,
            "profile_menu": s(app, "profile_menu"),
            "display_name": name, "handle": handle,
            "name_box": (42, 285, 42 + min(442, _w(name, 37, 20)), 385),
            "handle_box": (42, 390, 42 + min(370, _w(handle, 15, 10)), 429),
            "counters": counters(app, _own_geometry(), me, len(app.account.following),
                                 at=(520, 606), followers=app.account.followers_count),  # fmt: skip
            "edit_wordless": wordless, "edit_words": not wordless,
            "edit_profile": s(app, "edit_profile"), "bio": app.account.bio,
            "videos": s(app, "videos_tab"), "reposts": s(app, "reposts_tab"),
            "tiles": tiles, "no_posts": "" if tiles else s(app, "no_posts"),
        }  # fmt: skip
        page = OWN_PAGE.build(values, app.package)
        return main_tabs(app, page, "profile")

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "switch":
            app.show_overlay(AccountSheet())
        elif action == "edit_profile":
            from runner.sim.tiktok.edit_profile import EditProfileScreen

            app.push(EditProfileScreen())
        elif action == "nav:home":
            app.back()
        elif action == "nav:create":
            from runner.sim.tiktok.create import CameraScreen

            app.push(CameraScreen())


class AccountSheet(Screen):
    """The account switcher: one row per logged-in account (its username), ``Add account``
    (no real dump: the earlier model's sheet)."""

    activity = PROFILE_ACTIVITY
    name = "account_sheet"

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        panel = Node(LL, Rect(0, 1300, SCREEN_W, SCREEN_H), resource_id=rid("account_sheet"))
        panel.add(text(Rect(340, 1320, 740, 1400), s(app, "switch_account"), rid("dialog_title")))
        for i, acc in enumerate(app.accounts):
            top = 1420 + i * 160
            row = Node(LL, Rect(0, top, SCREEN_W, top + 160), clickable=True,
                       selected=acc is app.account, resource_id=rid("account_row"),
                       action=f"account:{acc.username}")  # fmt: skip
            row.add(text(Rect(200, top + 40, 900, top + 120), acc.username,
                         rid("account_row_name")))  # fmt: skip
            panel.add(row)
        top = 1420 + len(app.accounts) * 160
        panel.add(text(Rect(200, top + 20, 900, top + 120), s(app, "add_account"),
                       rid("account_add"), "add_account"))  # fmt: skip
        return Node(FL, resource_id=rid("dialog_root"), clickable=True,
                    action="dismiss").add(panel)  # fmt: skip

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action.startswith("account:"):
            app.switch_account(action.split(":", 1)[1])
            app.close_overlay()
        elif action == "dismiss":
            app.close_overlay()


def tap_follow_control(app: TikTokApp, user: str) -> str:
    """What a tap on ``user``'s follow control does, on the profile and in the Users tab alike:
    ``Following``/``Friends`` ask to unfollow (the dialog), ``Requested`` cancels the request, a
    private account gets a request, anyone else is followed unless TikTok pushes back
    (:func:`runner.sim.tiktok.pushback.refuse`). Returns ``"asked"``, ``"cancelled"``,
    ``"requested"``, ``"refused"`` or ``"followed"``."""
    acc = app.account
    state = app.follow_state(user)
    if state in ("following", "friends"):
        app.show_overlay(UnfollowDialog(user))
        return "asked"
    if state == "requested":
        acc.cancel_request(user)
        return "cancelled"
    if app.is_private(user):
        acc.request_follow(user)
        return "requested"
    if refuse(app, "follow", user):
        return "refused"
    acc.follow(user)
    return "followed"


class UnfollowDialog(Screen):
    """The confirmation before unfollowing: ``Unfollow`` / ``Cancel`` (locale files' words; the
    title has no real source)."""

    activity = PROFILE_ACTIVITY
    name = "unfollow_dialog"

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username

    def build(self, app: TikTokApp) -> Node:
        rid = app.rid
        panel = Node(LL, Rect(90, 950, 990, 1450), resource_id=rid("dialog_panel"))
        panel.add(
            text(
                Rect(130, 1000, 950, 1100),
                s(app, "unfollow_title", handle=f"@{self.username}"),
                rid("dialog_title"),
            ),  # fmt: skip
            button(
                Rect(130, 1300, 530, 1420), s(app, "unfollow"), rid("dialog_confirm"), "unfollow"
            ),  # fmt: skip
            button(Rect(550, 1300, 950, 1420), s(app, "cancel"), rid("dialog_cancel"), "cancel"),
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
