"""Ground truth of one simulated TikTok account: what it follows, likes, bookmarks, comments,
posts and watches, and every action in order.

Tests seed ``following`` (and the other sets) directly, and ``followers`` (who follows this
account: their profiles then say ``Follow back`` until followed, then ``Friends``); the app model
changes them only through the methods here, which also append to ``actions`` (``seq`` counts from 1
per account; ``target`` is a username for follow/unfollow/follow_request/cancel_request and a video
id for the others; a comment's action carries its text and image, a post's its post id; an action
on an ad, or on an ad's creator from the ad, carries ``"ad": true``). A follow of a private account
is a request: action ``follow_request``, the name goes to ``requested``, not ``following``. The
farm's lock guards an account while the simulator runs.

Ground-truth keys (docs/internals.md, "The full TikTok model"): ``following`` (sorted),
``likes`` and ``bookmarks`` (video ids, in the order they were added), ``comments``
(``{video_id, text, image}``), ``posts`` (``{post_id, caption, media, kind, post_way, sound}``),
``watched`` (``{video_id, seconds}``), ``actions``, ``requested`` (sorted: follow requests
pending with private accounts), ``messages`` (``{username: [text, ...]}``: the direct messages
sent, per thread, in order), and ``package`` (the app the account is in).

The own profile (the ``profile`` script): ``profile`` holds ``nickname`` (None: the name derived
from the handle, :func:`runner.sim.tiktok.world.display_name`), ``bio``, ``website`` and
``avatar`` (the gallery file it was set from; None: the default picture); each saved change is
an action ``profile_edit`` whose target is the field and ``value`` what was saved, and an avatar
saved with "Post this photo to Story" on is also an action ``story_post``. ``nickname_changed_at``
(the farm clock's seconds, None: never) is when the nickname last changed: TikTok refuses
another change within 7 days (support.tiktok.com, "Changing your nickname"). ``business`` and
``followers_count`` (None: the world's stats, :meth:`World.user_stats`) decide whether Edit
profile offers a Website row: to business accounts, and to personal ones from 1,000 followers
(the guides of link-in-bio tools, e.g. link.boo; no dump of the screen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_PACKAGE = "com.zhiliaoapp.musically"


@dataclass
class SimAccount:
    """One account logged in to a TikTok app on a simulated phone."""

    username: str
    package: str = DEFAULT_PACKAGE
    following: set[str] = field(default_factory=set)
    likes: list[str] = field(default_factory=list)
    bookmarks: list[str] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    watched: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    followers: set[str] = field(default_factory=set)  # who follows this account (tests seed it)
    requested: set[str] = field(default_factory=set)  # follow requests pending (private accounts)
    # Direct messages sent, per thread (the other account's username), in order.
    messages: dict[str, list[str]] = field(default_factory=dict)
    # Ids of videos that are ads (the farm's world shares its set): actions on them say so.
    ad_videos: set[str] = field(default_factory=set, repr=False)
    #: How TikTok pushes back on this account (runner/sim/tiktok/pushback.py); None: the
    #: phone's rule, if any.
    push_back: Any = None
    #: When (the sim's clock) each kind of action was applied, for the push-back rule.
    applied_at: dict[str, list[float]] = field(default_factory=dict, repr=False)
    nickname: str | None = None  # None: display_name(username)
    bio: str = ""
    website: str = ""
    avatar: str | None = None  # the gallery file name the profile photo was set from
    nickname_changed_at: float | None = None  # farm clock seconds of the last nickname change
    business: bool = False
    followers_count: int | None = None  # None: the world's stats for the username

    #: Seconds between two nickname changes TikTok allows (support.tiktok.com: once every 7 days).
    NICKNAME_EVERY = 7 * 86_400

    def edit_profile(self, what: str, value: str, *, now: float | None = None) -> None:
        """Save one own-profile field (``nickname``, ``bio``, ``website``, ``avatar``)."""
        if what == "avatar":
            self.avatar = value
        else:
            setattr(self, what, value)
        if what == "nickname":
            self.nickname_changed_at = now
        self._record("profile_edit", what, value=value)

    def post_story(self, media: str) -> None:
        """A photo posted to the account's Story (the avatar saved with its Story toggle on)."""
        self._record("story_post", media)

    def _record(self, action: str, target: str, *, ad: bool = False, **extra: Any) -> None:
        entry: dict[str, Any] = {"action": action, "target": target, **extra}
        if ad or target in self.ad_videos:
            entry["ad"] = True
        entry["seq"] = len(self.actions) + 1
        self.actions.append(entry)

    def share_link(self, video_id: str, link: str) -> None:
        """The video's link copied through its share sheet (TikTok counts it as a share)."""
        self._record("share_link", video_id, link=link)

    def follow(self, target: str, *, ad: bool = False) -> None:
        self.following.add(target)
        self.requested.discard(target)
        self._record("follow", target, ad=ad)

    def unfollow(self, target: str) -> None:
        self.following.discard(target)
        self._record("unfollow", target)

    def request_follow(self, target: str, *, ad: bool = False) -> None:
        """Ask to follow a private account: pending in ``requested`` (action ``follow_request``)."""
        self.requested.add(target)
        self._record("follow_request", target, ad=ad)

    def cancel_request(self, target: str) -> None:
        self.requested.discard(target)
        self._record("cancel_request", target)

    def refused(self, action: str, target: str, kind: str) -> None:
        """TikTok refused ``action`` on ``target`` (a push-back shown as ``kind``): recorded as
        ``<action>_refused``; nothing else changes."""
        self._record(f"{action}_refused", target, pushback=kind)

    def toggle_like(self, video_id: str) -> bool:
        """Like, or take the like back (action ``unlike``); True when now liked."""
        if video_id in self.likes:
            self.likes.remove(video_id)
            self._record("unlike", video_id)
            return False
        self.likes.append(video_id)
        self._record("like", video_id)
        return True

    def toggle_bookmark(self, video_id: str) -> bool:
        """Add to Favorites, or remove (action ``unbookmark``); True when now bookmarked."""
        if video_id in self.bookmarks:
            self.bookmarks.remove(video_id)
            self._record("unbookmark", video_id)
            return False
        self.bookmarks.append(video_id)
        self._record("bookmark", video_id)
        return True

    def comment(self, video_id: str, text: str, image: str | None) -> None:
        self.comments.append({"video_id": video_id, "text": text, "image": image})
        self._record("comment", video_id, text=text, image=image)

    def message(self, target: str, text: str) -> None:
        """A direct message sent to ``target`` (action ``message`` with its text)."""
        self.messages.setdefault(target, []).append(text)
        self._record("message", target, text=text)

    def post(self, post: dict[str, Any]) -> None:
        self.posts.append(dict(post))
        self._record("post", post["post_id"])

    def watch(self, video_id: str, seconds: float) -> None:
        self.watched.append({"video_id": video_id, "seconds": round(seconds, 1)})

    def ground_truth(self) -> dict[str, Any]:
        """A JSON-able copy of everything above."""
        return {
            "package": self.package,
            "following": sorted(self.following),
            "likes": list(self.likes),
            "bookmarks": list(self.bookmarks),
            "comments": [dict(c) for c in self.comments],
            "posts": [{**p, "media": list(p["media"])} for p in self.posts],
            "watched": [dict(w) for w in self.watched],
            "actions": [dict(a) for a in self.actions],
            "requested": sorted(self.requested),
            "profile": {
                "nickname": self.nickname,
                "bio": self.bio,
                "website": self.website,
                "avatar": self.avatar,
            },  # fmt: skip
            "messages": {user: list(texts) for user, texts in sorted(self.messages.items())},
        }
