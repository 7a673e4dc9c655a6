"""The TikTok app model (``com.zhiliaoapp.musically``): a back stack of screens, an optional overlay,
the logged-in account, and the "world" of other users (who exists, look-alikes, follower counts).

Takes intents (launch, VIEW of ``https://www.tiktok.com/@NAME``), taps, keys and text from the
phone; gives node trees via :mod:`runner.sim.tiktok.screens`. Randomness (feed, popups) comes from
the phone's seeded RNG, so the same seed gives the same run.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from runner.sim.apps import SimApp
from runner.sim.hierarchy import Node, finalize
from runner.sim.tiktok.account import SimAccount
from runner.sim.tiktok.ids import PACKAGE, VERSIONS, resource_ids
from runner.sim.tiktok.screens import HomeFeed, Popup, ProfileScreen, Screen

if TYPE_CHECKING:
    from runner.sim.phone import SimPhone

SPLASH_ACTIVITY = "com.ss.android.ugc.aweme.splash.SplashActivity"
_PROFILE_PATH = re.compile(r"^/@([^/?#]+)")
_HOSTS = ("www.tiktok.com", "tiktok.com", "m.tiktok.com", "vm.tiktok.com")


class TikTokApp(SimApp):
    """TikTok at one version, logged in as ``account``."""

    package = PACKAGE
    label = "TikTok"
    main_activity = SPLASH_ACTIVITY

    def __init__(self, phone: SimPhone, version: str, account: SimAccount) -> None:
        super().__init__(phone)
        self.version_name = version
        self.version_code = VERSIONS.get(version, 2023000000)
        self.rid = resource_ids(version, self.package)
        self.account = account
        self.stack: list[Screen] = []
        self.overlay: Screen | None = None

    @property
    def rng(self):  # noqa: ANN201 - random.Random
        return self.phone.rng

    # ------------------------------------------------------------------------ the world
    def user_exists(self, username: str) -> bool:
        return username not in self.phone.farm_missing_users()

    def user_stats(self, username: str) -> tuple[int, int]:
        """(followers, likes) of a user: stable per name, whatever the seed."""
        h = int.from_bytes(hashlib.sha256(username.encode()).digest()[:8], "big")
        return h % 5_000_000, (h >> 24) % 90_000_000

    def search_users(self, query: str) -> list[str]:
        """Usernames the Users tab lists: the exact match first (if it exists), then look-alikes."""
        name = query.strip().lstrip("@").strip()
        if not name:
            return []
        out = [
            n
            for n in (name, f"{name}_official", f"{name}123", f"{name}.fan")
            if self.user_exists(n)
        ]
        return out

    # ------------------------------------------------------------------------ navigation
    @property
    def top(self) -> Screen | None:
        return self.stack[-1] if self.stack else None

    @property
    def activity(self) -> str:
        top = self.overlay or self.top
        return top.activity if top else self.main_activity

    def launch(self) -> None:
        self.running = True
        if not self.stack:
            self.stack.append(HomeFeed(self))
            self.maybe_popup()

    def force_stop(self) -> None:
        self.running = False
        self.stack.clear()
        self.overlay = None

    def view(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname not in _HOSTS:
            return False
        self.launch()
        m = _PROFILE_PATH.match(parts.path)
        if m:
            self.overlay = None
            # Android hands the app decoded path segments (Uri.getPathSegments).
            self.push(ProfileScreen(unquote(m.group(1))))
        return True

    def push(self, screen: Screen) -> None:
        self.stack.append(screen)
        self.maybe_popup()

    def back(self) -> bool:
        if self.overlay is not None:
            self.overlay = None
            return True
        if len(self.stack) > 1:
            self.stack.pop()
            return True
        return False  # leaving the home feed sends the app to the background

    def show_overlay(self, overlay: Screen) -> None:
        self.overlay = overlay

    def close_overlay(self) -> None:
        self.overlay = None

    def maybe_popup(self) -> None:
        """At a seeded moment (probability ``popup_rate``), show a popup over the screen."""
        rate = self.phone.popup_rate
        if rate > 0 and self.overlay is None and self.rng.random() < rate:
            title, button = self.rng.choice(Popup.KINDS)
            self.overlay = Popup(title, button)

    # ------------------------------------------------------------------------ screen
    def hierarchy(self) -> Node:
        root = Node()
        if self.top is not None:
            root.add(self.top.build(self))
        if self.overlay is not None:
            root.add(self.overlay.build(self))
        return finalize(root, self.package)

    def on_dump(self) -> None:
        if isinstance(self.top, HomeFeed) and self.overlay is None:
            self.top.advance(self)

    def swipe(self, x1: float, y1: float, x2: float, y2: float) -> bool:
        if isinstance(self.top, HomeFeed) and self.overlay is None and y1 - y2 > 300:
            self.top.advance(self)
            return True
        return False

    def tap(self, node: Node) -> None:
        target = self.overlay or self.top
        if target is not None and node.action:
            target.on_tap(self, node.action)

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
