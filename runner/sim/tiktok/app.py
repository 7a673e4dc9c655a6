"""The TikTok app model: a back stack of screens, an optional overlay, the logged-in accounts (one
active), pending uploads, and the intents the app takes.

Takes intents (launch; VIEW of ``https://www.tiktok.com/@NAME``, ``.../@NAME/video/ID``,
``https://vm.tiktok.com/CODE/``, ``.../music/NAME-ID``; SEND / SEND_MULTIPLE with file URIs),
taps, swipes, keys and text from the phone; gives node trees built by the screen modules
(:mod:`~runner.sim.tiktok.player`, :mod:`~runner.sim.tiktok.profile`,
:mod:`~runner.sim.tiktok.search`, :mod:`~runner.sim.tiktok.create`,
:mod:`~runner.sim.tiktok.dialogs`). Randomness (feed, popups, the publish dialog) comes from the
phone's seeded RNG and is drawn only on input, never on a dump, so the same seed and the same
inputs give the same run however often a client polls.

The same class models clone apps (``com.ss.android.ugc.trill``): one instance per package, each
with its own accounts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from runner.sim.apps import SimApp
from runner.sim.hierarchy import Node, finalize, windows
from runner.sim.media import file_uri_path, media_kind
from runner.sim.tiktok.account import SimAccount
from runner.sim.tiktok.base import Screen
from runner.sim.tiktok.chrome import app_window, status_bar
from runner.sim.tiktok.create import EditorScreen, upload_window
from runner.sim.tiktok.dialogs import MessageDialog, PermissionDialog, Popup
from runner.sim.tiktok.ids import PACKAGE, build_of, resource_ids, version_code
from runner.sim.tiktok.player import HomeFeed, Player, VideoScreen
from runner.sim.tiktok.profile import ProfileScreen
from runner.sim.tiktok.search import SoundPage
from runner.sim.tiktok.strings import LANGUAGES, language_of
from runner.sim.tiktok.world import Sound, make_id

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

    from runner.sim.clock import WallClock
    from runner.sim.phone import SimPhone
    from runner.sim.tiktok.world import World

SPLASH_ACTIVITY = "com.ss.android.ugc.aweme.splash.SplashActivity"
_PROFILE_PATH = re.compile(r"^/@([^/?#]+)/?$")
_VIDEO_PATH = re.compile(r"^/@([^/?#]+)/video/(\d+)/?$")
_MUSIC_PATH = re.compile(r"^/music/([^/?#]*?)-?(\d+)/?$")
_VM_PATH = re.compile(r"^/([A-Za-z0-9]+)/?$")
_HOSTS = ("www.tiktok.com", "tiktok.com", "m.tiktok.com")
_SHORT_HOSTS = ("vm.tiktok.com", "vt.tiktok.com")
PUBLISHED_SHOWN = 10.0  # seconds "Your post is published" stays on the feed


@dataclass
class Upload:
    """A post being uploaded: recorded on ``account`` once the clock passes ``done_at``."""

    account: SimAccount
    post: dict[str, Any]
    started: float
    done_at: float
    recorded: bool = False


class TikTokApp(SimApp):
    """TikTok (or a clone package) at one version, with its logged-in accounts.

    ``build`` is the real build whose screens it shows (``tt4314``, ``tt4693``, ``tt4703``:
    :func:`runner.sim.tiktok.ids.build_of`); ``language`` the two-letter code of the language
    it shows: TikTok's own setting (``app_language``, None: follow the phone's
    ``persist.sys.locale``), English when the simulator has no strings for it.
    """

    label = "TikTok"
    main_activity = SPLASH_ACTIVITY
    # Windows drawn above the app's own (and its overlay), in order: callables taking the app
    # and returning a window's root node or None (the upload progress bubble, say).
    window_providers: tuple[Callable[[TikTokApp], Node | None], ...] = (upload_window,)

    def __init__(
        self, phone: SimPhone, version: str, account: SimAccount, package: str = PACKAGE
    ) -> None:
        super().__init__(phone)
        self.package = package
        self.version_name = version
        self.version_code = version_code(version)
        self.build = build_of(version)
        self.rid = resource_ids(version, package)  # hashed ids of screens not shaped after a dump
        self.app_language: str | None = None  # TikTok's in-app language; None: the phone's
        # The feed's mix (player.HomeFeed): the chance of an ad / a LIVE preview at each next
        # item, and kinds queued by tests ("video", "ad", "live"), used first.
        self.ad_rate = 0.15
        self.live_rate = 0.08
        self.feed_plan: list[str] = []
        self.search_history: list[str] = []  # past queries, newest first (the search page)
        account.ad_videos = phone.farm.world.ad_ids
        self.accounts: list[SimAccount] = [account]
        self.account = account
        self.stack: list[Screen] = []
        self.overlay: Screen | None = None
        self.ticks = 0  # dumps seen: drives the live chrome
        self.own_comments: dict[str, list[tuple[str, str, str | None]]] = {}
        self.uploads: list[Upload] = []
        #: Follows TikTok refused silently (pushback.py kind ``silent``): the control reads
        #: Following on the first dump after the tap, Follow again from the next (user -> dumps).
        self.phantom_follows: dict[str, int] = {}
        self.media_granted = phone.popup_rate <= 0
        self.upload_seconds = phone.farm.upload_seconds

    @property
    def language(self) -> str:
        """The language the app shows (``en``, ``fr``): its own setting, else the phone's;
        English for a language the simulator has no strings for."""
        lang = language_of(self.app_language or self.phone.locale)
        return lang if lang in LANGUAGES else "en"

    @property
    def rng(self) -> random.Random:
        return self.phone.rng

    @property
    def world(self) -> World:
        return self.phone.farm.world

    @property
    def clock(self) -> WallClock:
        return self.phone.farm.clock

    # ------------------------------------------------------------------------ the world
    def user_exists(self, username: str) -> bool:
        return username not in self.phone.farm_missing_users()

    def is_private(self, username: str) -> bool:
        """A private account (``farm.private_users``): a follow becomes a request."""
        return username in self.phone.farm.private_users

    def follow_state(self, username: str) -> str:
        """The active account's relation to ``username``, as a profile's follow control shows it:
        ``following``, ``friends`` (both follow), ``requested`` (asked a private account),
        ``follow_back`` (they follow us), ``follow``."""
        acc = self.account
        if username in acc.following or username in self.phantom_follows:
            return "friends" if username in acc.followers else "following"
        if username in acc.requested:
            return "requested"
        return "follow_back" if username in acc.followers else "follow"

    def search_users(self, query: str) -> list[str]:
        """Usernames the Users tab lists: the exact match first (if it exists), then look-alikes."""
        name = query.strip().lstrip("@").strip()
        if not name:
            return []
        candidates = (name, f"{name}_official", f"{name}123", f"{name}.fan", f"{name}.tv",
                      f"real.{name}", f"{name}_fans", f"its{name}", f"{name}.daily")  # fmt: skip
        return [n for n in candidates if self.user_exists(n)]

    def own_comment_count(self, video_id: str) -> int:
        return len(self.own_comments.get(video_id, ()))

    # ------------------------------------------------------------------------ accounts
    def add_account(self, account: SimAccount) -> None:
        account.ad_videos = self.world.ad_ids
        self.accounts.append(account)

    def switch_account(self, username: str) -> bool:
        for acc in self.accounts:
            if acc.username == username:
                self.account = acc
                return True
        return False

    # ------------------------------------------------------------------------ navigation
    @property
    def top(self) -> Screen | None:
        return self.stack[-1] if self.stack else None

    @property
    def activity(self) -> str:
        top = self.overlay or self.top
        return top.activity if top else self.main_activity

    def screen_name(self) -> str:
        top = self.overlay or self.top
        return top.name if top else ""

    def launch(self) -> None:
        self.running = True
        if not self.stack:
            self.stack.append(HomeFeed(self))
            self.phone.screen_reached(self.package, "home")
            self.maybe_popup()

    def force_stop(self) -> None:
        for screen in reversed(self.stack):
            screen.on_leave(self)
        self.uploads = [u for u in self.uploads if u.recorded]  # a dying app loses its uploads
        self.running = False
        self.stack.clear()
        self.overlay = None

    def view(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        host = (parts.hostname or "").lower()
        # Android hands the app decoded path segments (Uri.getPathSegments).
        path = unquote(parts.path)
        screen: Screen | None = None
        if host in _SHORT_HOSTS:
            m = _VM_PATH.match(parts.path)
            if not m:
                return False
            self.launch()
            screen = VideoScreen(self, [self.world.video(self.world.vm_video(m.group(1)))])
        elif host in _HOSTS:
            self.launch()
            if m := _VIDEO_PATH.match(path):
                screen = VideoScreen(self, [self.world.video(m.group(2), m.group(1))])
            elif m := _PROFILE_PATH.match(path):
                screen = ProfileScreen(m.group(1))
            elif m := _MUSIC_PATH.match(path):
                name = m.group(1).replace("-", " ").strip() or None
                screen = SoundPage(self.world.sound(m.group(2), name))
        else:
            return False
        if screen is not None:
            self.overlay = None
            self.push(screen)
        return True

    def share(self, uris: list[str], mime: str) -> bool:
        """A SEND / SEND_MULTIPLE of file URIs: the editor with those files (they must exist)."""
        self.launch()
        self.overlay = None
        paths = [file_uri_path(u) for u in uris]
        ok = bool(paths) and all(
            p is not None and (e := self.phone.fs.stat(p)) is not None and not e.is_dir
            and media_kind(p) is not None
            for p in paths
        )  # fmt: skip
        if not ok:
            self.show_overlay(MessageDialog("Couldn't import this file. Try again."))
            return True
        self.push(EditorScreen([p for p in paths if p], sound=None, post_way="share"))
        return True

    def push(self, screen: Screen) -> None:
        self.stack.append(screen)
        self.phone.screen_reached(self.package, screen.name)
        self.maybe_popup()

    def back(self) -> bool:
        if self.overlay is not None:
            self.overlay = None
            return True
        if len(self.stack) > 1:
            self.stack.pop().on_leave(self)
            return True
        return False  # leaving the home feed sends the app to the background

    def back_to_home(self) -> None:
        """Pop every screen above the feed (after publishing)."""
        self.overlay = None
        while len(self.stack) > 1:
            self.stack.pop().on_leave(self)

    def show_overlay(self, overlay: Screen) -> None:
        self.overlay = overlay
        self.phone.screen_reached(self.package, overlay.name)

    def close_overlay(self) -> None:
        self.overlay = None

    def open_gallery(self, gallery: Screen) -> None:
        """Push the gallery; the first time, Android may ask for the photos permission first."""
        self.push(gallery)
        if not self.media_granted:
            self.show_overlay(PermissionDialog())

    def maybe_popup(self) -> None:
        """At a seeded moment (probability ``popup_rate``), show a popup over the screen."""
        rate = self.phone.popup_rate
        if rate > 0 and self.overlay is None and self.rng.random() < rate:
            self.show_overlay(Popup(self.rng.choice(Popup.KINDS)))

    def maybe_popup_now(self) -> None:
        """A popup now, whatever the rate (the ``popup`` fault); kind drawn from the RNG."""
        if self.running and self.overlay is None:
            self.show_overlay(Popup(self.rng.choice(Popup.KINDS)))

    # ------------------------------------------------------------------------ uploads
    def start_upload(
        self, *, caption: str, media: list[str], kind: str, post_way: str, sound: Sound | None
    ) -> None:
        acc = self.account
        pending = sum(1 for u in self.uploads if u.account is acc and not u.recorded)
        post = {
            "post_id": make_id(
                "post", self.phone.farm.seed, acc.username, len(acc.posts) + pending
            ),  # fmt: skip
            "caption": caption,
            "media": media,
            "kind": kind,
            "post_way": post_way,
            "sound": {"id": sound.id, "name": sound.name} if sound else None,
        }
        now = self.clock.now()
        self.uploads.append(Upload(acc, post, now, now + self.upload_seconds))
        self.back_to_home()

    def settle_uploads(self) -> None:
        """Record the uploads the clock has finished (called on every screen build and read)."""
        now = self.clock.now()
        for up in self.uploads:
            if not up.recorded and now >= up.done_at:
                up.account.post(up.post)
                up.recorded = True
        self.uploads = [
            u for u in self.uploads if not u.recorded or now < u.done_at + PUBLISHED_SHOWN
        ]

    def hierarchy(self) -> Node:
        """The screen's windows: the status bar's, the app's (the top screen in the app's
        chrome: :mod:`runner.sim.tiktok.chrome`), then the overlay's and any provider's."""
        self.settle_uploads()
        wins = [status_bar()]
        top = self.top
        if top is not None:
            wins.append(app_window(self.build, self.package, top.build(self), top.chrome))
        if self.overlay is not None:
            wins.append(self.overlay.build(self))
        for provider in self.window_providers:
            extra = provider(self)
            if extra is not None:
                wins.append(extra)
        return finalize(windows(*wins), self.package)

    def on_dump(self) -> None:
        self.ticks += 1
        for user, seen in list(self.phantom_follows.items()):
            if seen >= 1:
                del self.phantom_follows[user]
            else:
                self.phantom_follows[user] = seen + 1

    def swipe(self, x1: float, y1: float, x2: float, y2: float) -> bool:
        top = self.top
        if self.overlay is not None or top is None:
            return False
        return top.on_swipe(self, y2 - y1)

    def tap(self, node: Node) -> None:
        target = self.overlay or self.top
        if target is not None and node.action and node.enabled:
            target.tap(self, node.action)

    def enter(self) -> None:
        if self.overlay is None and self.top is not None and self.top.focused:
            self.top.on_enter(self)

    def _field_owner(self) -> Screen | None:
        return None if self.overlay is not None else self.top

    def focused_field(self) -> str | None:
        owner = self._field_owner()
        return owner.focused if owner else None

    def get_field(self, name: str) -> str:
        owner = self._field_owner()
        return owner.fields.get(name, "") if owner else ""

    def set_field(self, name: str, text: str) -> None:
        owner = self._field_owner()
        if owner is not None and name in owner.fields:
            owner.fields[name] = text
            owner.focused = name

    def focus_field(self, name: str) -> None:
        owner = self._field_owner()
        if owner is not None and name in owner.fields:
            owner.focused = name

    def current_video_id(self) -> str | None:
        """The id of the video on screen (feed or video screen), for tests."""
        top = self.top
        return top.video.id if isinstance(top, Player) else None
