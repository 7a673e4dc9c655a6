"""The world outside the phone that the TikTok model shows: videos, their creators and comments,
search results for keywords, sounds.

Everything is a pure function of (farm seed, the thing's id or the query), so two phones that open
the same URL see the same video, and the same seed gives the same results: a video's creator,
caption and counts come from a hash of its id; a ``vm.tiktok.com`` code maps to one id; keyword
results come from a RNG seeded with (seed, keyword). A video id seen with a creator in its URL
(``/@user/video/ID``) keeps that creator. Takes no lock: callers hold the farm's.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

CREATORS = ("dancequeen", "chef.mario", "travelwithkai", "cats.daily", "techtok", "fitnessfrank",
            "artbyluna", "laughfactory", "plantmom", "skate.sam", "booknook", "street.eats",
            "diy.dana", "gamer.gus", "yoga.yuki", "carfanatic")  # fmt: skip
CAPTIONS = ("wait for it", "day 3 of learning this", "POV: monday", "no way this worked",
            "tutorial in comments", "best trick ever", "this took 40 tries", "rate it 1-10",
            "part 2?", "my mom's recipe")  # fmt: skip
COMMENTERS = ("mia.rose", "jake_22", "noor", "liam.k", "zoe.films", "omar.x", "ava_b", "kenji")
COMMENT_TEXTS = ("this is so good", "how??", "came here from the other video", "😂😂😂",
                 "underrated", "first", "need the tutorial", "saved!")  # fmt: skip
# Advertisers' accounts (brand-like, invented) whose videos the feed shows as ads.
ADVERTISERS = ("brightbank.app", "snackbox.shop", "fitgear.store", "travelnow.deals",
               "gamepass.play", "glowskin.care")  # fmt: skip
SOUND_WORDS = ("original sound", "Summer Vibes", "Lo-fi Beat", "Night Drive", "Good Days",
               "Dance Loop", "Chill Piano", "Epic Drop")  # fmt: skip


def _h(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:8], "big")


def make_id(*parts: object) -> str:
    """A 19-digit TikTok-like id (they start with 7) derived from ``parts``."""
    return str(7_000_000_000_000_000_000 + _h(*parts) % 1_000_000_000_000_000_000)


@dataclass(frozen=True)
class Video:
    """One item of a feed: ``id`` (digits), ``creator`` (username), ``caption`` and base counts.

    ``kind`` is ``video``, ``ad`` (a promoted video: ``is_ad``) or ``live`` (a LIVE preview: no
    like, comment, share or follow controls)."""

    id: str
    creator: str
    caption: str
    likes: int
    comments: int
    bookmarks: int
    shares: int
    length: int  # seconds
    kind: str = "video"

    @property
    def is_ad(self) -> bool:
        return self.kind == "ad"

    @property
    def is_live(self) -> bool:
        return self.kind == "live"


def display_name(username: str) -> str:
    """The name a profile shows above its ``@handle`` (derived from the handle: ``chef.mario``
    -> ``Chef Mario``)."""
    words = username.replace(".", " ").replace("_", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or username


@dataclass(frozen=True)
class Sound:
    """A sound: ``id`` (digits) and ``name``."""

    id: str
    name: str


class World:
    """Videos and sounds of one farm, derived from ``seed``."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._known: dict[str, Video] = {}  # videos named by a URL or listed by a search
        self.ad_ids: set[str] = set()  # ids of the ads any phone's feed showed (ground truth)
        self.short_links: dict[str, str] = {}  # vm.tiktok.com codes Copy link made -> video id
        self.shares = 0  # links made by Copy link, on every phone

    def video(self, video_id: str, creator: str | None = None) -> Video:
        """The video ``video_id``; ``creator`` (from a URL) sticks to the id the first time."""
        known = self._known.get(video_id)
        if known is not None:
            return known
        h = _h("video", video_id)
        who = creator or CREATORS[h % len(CREATORS)]
        video = Video(
            id=video_id,
            creator=who,
            caption=CAPTIONS[(h >> 8) % len(CAPTIONS)],
            likes=100 + (h >> 16) % 3_000_000,
            comments=3 + (h >> 40) % 40_000,
            bookmarks=(h >> 20) % 90_000,
            shares=(h >> 28) % 20_000,
            length=8 + (h >> 50) % 50,
        )
        if creator:
            self._known[video_id] = video
        return video

    def vm_video(self, code: str) -> str:
        """The video id a ``https://vm.tiktok.com/CODE/`` short link resolves to (the video a
        Copy link made it for, else one of its own)."""
        return self.short_links.get(code) or make_id("vm", code)

    def feed_video(self, rng: random.Random) -> str:
        """The next For You video, drawn from the phone's RNG."""
        return make_id("feed", self.seed, rng.getrandbits(64))

    def ad(self, video_id: str) -> Video:
        """The ad ``video_id`` (an advertiser's promoted video); remembered as an ad."""
        base = self.video(video_id)
        h = _h("ad", video_id)
        ad = Video(video_id, ADVERTISERS[h % len(ADVERTISERS)], base.caption, base.likes // 50,
                   base.comments // 200, base.bookmarks // 100, base.shares // 100, base.length,
                   kind="ad")  # fmt: skip
        self._known[video_id] = ad
        self.ad_ids.add(video_id)
        return ad

    def live(self, video_id: str) -> Video:
        """A LIVE preview in the feed (a creator streaming now)."""
        base = self.video(video_id)
        live = Video(video_id, base.creator, base.caption, 0, 0, 0, 0, base.length, kind="live")
        self._known[video_id] = live
        return live

    def keyword_videos(self, keyword: str, count: int = 12) -> list[Video]:
        """Videos for a keyword search; each caption mentions the keyword."""
        rng = random.Random(f"{self.seed}:videos:{keyword.lower()}")
        out = []
        for i in range(count):
            vid = make_id("kw", self.seed, keyword.lower(), i)
            creator = rng.choice(CREATORS)
            caption = f"{keyword} {rng.choice(CAPTIONS)} #{keyword.replace(' ', '')}"
            if vid not in self._known:
                base = self.video(vid)
                self._known[vid] = Video(vid, creator, caption, base.likes, base.comments,
                                         base.bookmarks, base.shares, base.length)  # fmt: skip
            out.append(self._known[vid])
        return out

    def user_videos(self, username: str, count: int = 9) -> list[Video]:
        """A user's videos (their profile's grid), newest first; stable per seed and name."""
        out = []
        for i in range(count):
            vid = make_id("user-video", self.seed, username, i)
            if vid not in self._known:
                base = self.video(vid)
                self._known[vid] = Video(vid, username, base.caption, base.likes, base.comments,
                                         base.bookmarks, base.shares, base.length)  # fmt: skip
            out.append(self._known[vid])
        return out

    def comments_of(self, video_id: str, count: int = 5) -> list[tuple[str, str]]:
        """(username, text) of the first comments others left on a video."""
        h = _h("comments", video_id)
        return [
            (COMMENTERS[(h >> (i * 3)) % len(COMMENTERS)],
             COMMENT_TEXTS[(h >> (i * 5 + 1)) % len(COMMENT_TEXTS)])
            for i in range(count)
        ]  # fmt: skip

    def sounds(self, query: str = "", count: int = 6) -> list[Sound]:
        """Sounds for a search (or the recommended list when ``query`` is empty)."""
        q = query.strip()
        rng = random.Random(f"{self.seed}:sounds:{q.lower()}")
        out = []
        for i in range(count):
            word = rng.choice(SOUND_WORDS)
            name = f"{q} - {word}" if q else f"{word} - {rng.choice(CREATORS)}"
            out.append(Sound(make_id("sound", self.seed, q.lower(), i), name))
        return out

    def sound_of(self, video: Video) -> Sound:
        """The sound a video uses (its creator's original sound)."""
        return Sound(make_id("sound-of", video.id), f"original sound - {video.creator}")

    def sound(self, sound_id: str, name: str | None = None) -> Sound:
        """The sound ``sound_id`` (a music URL names it: ``/music/NAME-ID``)."""
        if name:
            return Sound(sound_id, name)
        return Sound(sound_id, f"{SOUND_WORDS[_h('sound', sound_id) % len(SOUND_WORDS)]}")

    def user_stats(self, username: str) -> tuple[int, int]:
        """(followers, likes) of a user: stable per name, whatever the seed."""
        h = int.from_bytes(hashlib.sha256(username.encode()).digest()[:8], "big")
        return h % 5_000_000, (h >> 24) % 90_000_000
