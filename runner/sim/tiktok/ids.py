"""Simulated TikTok builds (named after real ones) and their obfuscated resource ids.

Real TikTok builds run R8 over their resources, so a view's id is a short meaningless name that
changes from one version to the next. The simulated builds are the three real builds we have dumps
of (``tt4314`` = 43.1.4, ``tt4693`` = 46.9.3, ``tt4703`` = 47.0.3): each screen carries the ids
its build's dump shows (the layouts in :mod:`runner.sim.tiktok.layouts`); a screen a build has no
dump of uses the nearest build's. Any other version string behaves as the nearest of the three
(:func:`build_of`).

:func:`resource_ids` is the older scheme, kept for screens not yet shaped after a dump: each
element name maps to a short id derived from a hash of (version, element), deterministic and unique
within the version, so scripts that rely on ids alone break on another version, as on phones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

PACKAGE = "com.zhiliaoapp.musically"

# versionName -> versionCode, in TikTok's scheme (43.1.4 -> 2024301040: "20", the year's last
# two digits "24", the major's last digit, then minor and patch on two digits each, and a "0").
VERSIONS: dict[str, int] = {"43.1.4": 2024301040, "46.9.3": 2024609030, "47.0.3": 2024700030}
# versionName -> the build tag of its real dumps (real-screens/tt<build>_<lang>_<screen>.xml).
BUILDS: dict[str, str] = {"43.1.4": "tt4314", "46.9.3": "tt4693", "47.0.3": "tt4703"}
CLONE_PACKAGE = "com.ss.android.ugc.trill"  # the regional build, installable as a second app
DEFAULT_VERSION = "46.9.3"


def _version_key(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split("."):
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple((parts + [0, 0, 0])[:3])


@cache
def build_of(version: str) -> str:
    """The build tag (``tt4314``, ``tt4693``, ``tt4703``) whose screens ``version`` shows: its
    own, or the nearest real build's by version number (ties go to the newer)."""
    if version in BUILDS:
        return BUILDS[version]
    key = _version_key(version)
    as_number = lambda k: k[0] * 10_000 + k[1] * 100 + k[2]  # noqa: E731
    best = min(BUILDS, key=lambda v: (abs(as_number(_version_key(v)) - as_number(key)),
                                      -as_number(_version_key(v))))  # fmt: skip
    return BUILDS[best]


def version_code(version: str) -> int:
    """TikTok's versionCode for ``version`` (the scheme above for versions we do not list)."""
    if version in VERSIONS:
        return VERSIONS[version]
    major, minor, patch = _version_key(version)
    return int(f"20{20 + major // 10}{major % 10}{minor:02d}{patch:02d}0")


ELEMENTS = (
    "root", "feed_pager", "video_author", "video_caption", "video_progress", "like_button",
    "like_count", "comment_button", "comment_count", "share_button", "search_button",
    "tab_for_you", "bottom_bar", "bottom_home", "bottom_friends", "bottom_create",
    "bottom_inbox", "bottom_profile", "bottom_label", "back_button", "profile_username",
    "profile_nickname", "follow_button", "edit_profile", "stat_count", "stat_label",
    "profile_empty", "video_grid", "video_cover", "dialog_root", "dialog_panel",
    "dialog_title", "dialog_confirm", "dialog_cancel", "search_field", "search_submit",
    "results_tabs", "results_tab", "results_list", "user_row", "user_row_name",
    "user_row_info", "popup_root", "popup_panel", "popup_title", "popup_button",
    # Added for the full model (issue 4). Appended, never inserted: an element's id depends on the
    # ones before it (collision avoidance), and selector files carry the ids above.
    "avatar", "avatar_follow", "favorite_button", "favorite_count", "share_count",
    "upload_banner", "sheet_outside", "comment_sheet", "comment_title", "comment_list",
    "comment_row", "comment_user", "comment_text", "comment_bar", "comment_field",
    "comment_image", "comment_thumb", "comment_post", "account_sheet", "account_row",
    "account_row_name", "account_add", "sound_row", "sound_row_name", "sound_title",
    "sound_info", "sound_use", "camera_close", "camera_sound", "camera_record", "camera_upload",
    "gallery_close", "gallery_tabs", "gallery_tab", "gallery_grid", "gallery_tile",
    "gallery_select", "gallery_next", "editor_tools", "editor_volume", "editor_sound",
    "editor_sound_name", "editor_next", "sound_search", "sound_list", "post_caption",
    "post_button", "post_drafts",
    # Edit profile (the profile script): appended, as above.
    "edit_title", "edit_photo", "edit_photo_button", "edit_row", "edit_row_label",
    "edit_row_value", "edit_field", "edit_save", "photo_sheet", "photo_option", "crop_confirm",
    "avatar_save", "avatar_story",
    # the captcha wall of a push-back (runner/sim/tiktok/pushback.py; no dump: the sim's own)
    "captcha_root", "captcha_panel", "captcha_title", "captcha_hint", "captcha_img",
    "captcha_slider", "captcha_close",
    # the share sheet (runner/sim/tiktok/share.py; no dump: the sim's own)
    "share_root", "share_panel", "share_title", "share_actions",
)  # fmt: skip

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True)
class ResourceIds:
    """Element name -> ``com.zhiliaoapp.musically:id/<short>`` for one app version."""

    version: str
    ids: dict[str, str]

    def __call__(self, element: str) -> str:
        return self.ids[element]


@cache
def resource_ids(version: str, package: str = PACKAGE) -> ResourceIds:
    """The id table of ``version`` (any string works; unknown versions get their own ids)."""
    used: set[str] = set()
    ids: dict[str, str] = {}
    for element in ELEMENTS:
        digest = hashlib.sha256(f"{version}/{element}".encode()).digest()
        length = 3
        while True:
            short = "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:length])
            if short[0].isalpha() and short not in used:
                break
            if not short[0].isalpha():
                digest = digest[1:] + digest[:1]
            else:
                length += 1
        used.add(short)
        ids[element] = f"{package}:id/{short}"
    return ResourceIds(version, ids)
