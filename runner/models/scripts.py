"""One pydantic config model per API script: the ``script_config`` of a create-task body.

Every field, type, default and range comes from ``docs/spec/scripts.md`` (section per script); the
JSON Schemas in ``schemas/script-config.<name>.schema.json`` are generated from these classes, so
a default lives here and only here. Unknown fields are refused (``extra="forbid"``, scripts.md
intro); the documented alias ``target_username`` (follow/unfollow) is its own field, and
``floow_probable`` is the API's real (misspelt) field name.

Cross-field rules are field validators that read earlier fields, so their errors carry the
field's own location (and so a JSON pointer): min > max, ``localFolder`` without
``material_path``, ``useSound`` without ``sound_name``, ``add_sound: custom`` without
``custom_sound_keyword``, ``generate_by_chatgpt`` without ``chatgpt_settings.api_key``.

Secrets: ``chatgpt_settings.api_key`` is a :class:`~pydantic.SecretStr`. ``repr``/``str`` and a
plain ``model_dump`` show ``"***"``; :func:`dump_config` (what intake stores per task, so the
script can use the key) reveals it; :func:`redact_config` is what status files, logs and API
answers must pass a stored ``script_config`` through.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FieldSerializationInfo,
    SecretStr,
    ValidationInfo,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_validator,
)

REDACTED = "***"

# Schema for "a non-blank string": at least one non-whitespace character.
_NON_BLANK = r"\S"

# Bounds (ours, docs/spec/scripts.md): a value past them is refused at intake (40001), not found
# out hours later on a phone.
MAX_TARGET_CHARS = 100
TARGET_USER_PATTERN = r"^\s*@?[^\s@\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
"""A target user: not blank once one leading ``@`` and surrounding blanks are dropped, no control
characters (ours). Display names and search words are allowed: ``access_method: search``."""
POST_URL_PATTERN = r"^\s*https?://[^\s/]+\S*\s*$"
"""A target post: an http(s) URL with a host and no blanks inside (ours)."""
MAX_WAIT_SECONDS = 3600
MAX_TASK_DURATION = 86_400

_TargetUser = Annotated[str, Field(pattern=TARGET_USER_PATTERN, max_length=MAX_TARGET_CHARS)]
_PostUrl = Annotated[str, Field(pattern=POST_URL_PATTERN, max_length=2000)]


def _check_split_items(text: str, pattern: str, max_chars: int, what: str) -> str:
    """The items of a comma/newline separated target string each as :data:`TARGET_USER_PATTERN`
    or :data:`POST_URL_PATTERN` require; raises ValueError naming the first bad item."""
    for number, item in enumerate(split_targets(text), 1):
        if len(item) > max_chars or not re.match(pattern, item):
            shown = item if len(item) <= 40 else item[:37] + "..."
            raise ValueError(f"item {number} ({shown!r}) is not {what}")
    return text


class _Config(BaseModel):
    """Base of every script config: unknown fields refused, assignments validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)


def split_targets(text: str) -> list[str]:
    """Split a ``target_user``/``target_post_url`` string on newlines and commas (scripts.md).

    Items are stripped of surrounding whitespace and blank items dropped; order is kept.
    """
    return [item.strip() for item in re.split(r"[,\n\r]", text) if item.strip()]


def _check_min_max(value: float, info: ValidationInfo, low_field: str) -> float:
    low = info.data.get(low_field)
    if low is not None and low > value:
        raise ValueError(f"must be at least {low_field} ({low:g}), got {value:g}")
    return value


# --------------------------------------------------------------------------------------- post


class PostConfig(_Config):
    """``post``: publish a video or images (docs/spec/scripts.md, "post")."""

    content_type: Literal[0, 1] = Field(0, description="0 video, 1 images.")
    image_count: int = Field(
        1, ge=1, le=35, description="Images to pick when content_type is 1 (1-35)."
    )
    captions: str = Field(
        "", description="Caption; spintax {a|b|c} picks one option per task (nesting allowed)."
    )
    post_way: Literal["share", "addButton", "useSound"] = Field(
        "share",
        description="share: share the file into the app; addButton: the app's '+' then gallery; "
        "useSound: open a sound, then 'Use sound'.",
    )
    material_source: Literal["materialLibrary", "localFolder"] = Field(
        "materialLibrary",
        description="materialLibrary or localFolder; ignored when material_list is given.",
    )
    material_list: list[str] = Field(
        default_factory=list,
        description="Explicit file paths on the runner's machine; wins over source/path.",
    )
    material_path: str = Field(
        "",
        validate_default=True,
        description="Folder; required when material_source is localFolder. "
        "<material_path>/@username/ holds that account's files, files directly in it are the fallback.",
    )
    materials_tags: str = Field("", description="Comma-separated tags to filter the library.")
    upload_wait_time: int = Field(
        30, ge=0, le=MAX_WAIT_SECONDS, description="Seconds to wait for the upload (0-3600)."
    )
    sound_wait_time: int = Field(
        10, ge=0, le=MAX_WAIT_SECONDS, description="Seconds to wait for a sound to load (0-3600)."
    )
    add_sound: Literal["-1", "0", "1", "custom", -1, 0, 1] = Field(
        "-1",
        description='"-1" default, "0" off, "1" on, "custom" search a sound by keyword '
        "(string or int).",
    )
    sound_name: str = Field(
        "",
        validate_default=True,
        description="Sound name or a music URL; required when post_way is useSound.",
    )
    custom_sound_keyword: str = Field(
        "", validate_default=True, description="Required when add_sound is custom."
    )
    origin_sound_volume: int = Field(50, ge=0, le=100, description="0-100.")
    add_sound_volume: int = Field(50, ge=0, le=100, description="0-100.")
    add_product_link: Literal[0, 1] = Field(0, description="TikTok only: 1 adds a product link.")
    placement: Literal["reel", "story"] = Field(
        "reel", description="Instagram only: reel or story."
    )

    @field_validator("material_path")
    @classmethod
    def _path_for_local_folder(cls, v: str, info: ValidationInfo) -> str:
        local = info.data.get("material_source") == "localFolder"
        if local and not v.strip() and not info.data.get("material_list"):
            raise ValueError("is required when material_source is localFolder")
        return v

    @field_validator("sound_name")
    @classmethod
    def _sound_for_use_sound(cls, v: str, info: ValidationInfo) -> str:
        if info.data.get("post_way") == "useSound" and not v.strip():
            raise ValueError("is required when post_way is useSound")
        return v

    @field_validator("custom_sound_keyword")
    @classmethod
    def _keyword_for_custom(cls, v: str, info: ValidationInfo) -> str:
        if info.data.get("add_sound") == "custom" and not v.strip():
            raise ValueError("is required when add_sound is custom")
        return v


# ---------------------------------------------------------------------------- follow/unfollow


class FollowConfig(_Config):
    """``follow``: follow users (docs/spec/scripts.md, "follow / unfollow").

    Targets: ``target_users`` if non-empty, else ``target_user`` split on newlines and commas,
    else ``target_username`` split the same way. At least one target is required.
    """

    target_users: list[_TargetUser] = Field(
        default_factory=list,
        description="One task per user (a leading @ is fine; at most 100 characters each).",
    )
    target_user: str = Field("", description="One or more names separated by newlines or commas.")
    target_username: str = Field(
        "", description="Alias of target_user seen in the vendor's own client examples."
    )
    access_method: Literal["direct", "search"] = Field(
        "direct",
        description="direct: open https://www.tiktok.com/@name in the app; "
        "search: type the name in search and open the result.",
    )

    @field_validator("target_user", "target_username")
    @classmethod
    def _user_items(cls, v: str) -> str:
        return _check_split_items(v, TARGET_USER_PATTERN, MAX_TARGET_CHARS, "a user name")

    def targets(self) -> list[str]:
        """The users this config targets, in order (one task per unit per user)."""
        if self.target_users:
            return [u.strip() for u in self.target_users if u.strip()]
        return split_targets(self.target_user) or split_targets(self.target_username)

    @model_validator(mode="after")
    def _needs_a_target(self) -> FollowConfig:
        if not self.targets():
            raise ValueError(
                "at least one target user is required: target_users, target_user or target_username"
            )
        return self


class UnfollowConfig(FollowConfig):
    """``unfollow``: unfollow users; same fields and rules as ``follow`` (docs/spec/scripts.md)."""


# ------------------------------------------------------------------------------------ comment


class CommentConfig(_Config):
    """``comment``: comment on posts (docs/spec/scripts.md, "comment").

    Targets: ``target_post_urls`` if non-empty, else ``target_post_url`` split on newlines and
    commas. At least one is required; ``comment_content`` is required and not blank.
    """

    target_post_urls: list[_PostUrl] = Field(
        default_factory=list, description="One task per post URL (http or https)."
    )
    target_post_url: str = Field(
        "", description="One or more post URLs separated by newlines or commas."
    )
    comment_content: str = Field(
        pattern=_NON_BLANK, description="One or more comments, one per line (required)."
    )
    comment_order: Literal["random", "sequential"] = Field(
        "random",
        description="random: any line; sequential: line number job_count modulo the number of lines.",
    )
    insert_emoji: bool = Field(False, description="Add a random emoji.")
    comment_image_path: str = Field(
        "",
        description="TikTok only: image attached to the comment (absolute, or relative to the "
        "runner's upload folder).",
    )

    @field_validator("target_post_url")
    @classmethod
    def _url_items(cls, v: str) -> str:
        return _check_split_items(v, POST_URL_PATTERN, 2000, "an http(s) URL")

    def targets(self) -> list[str]:
        """The post URLs this config targets, in order (one task per unit per URL)."""
        if self.target_post_urls:
            return [u.strip() for u in self.target_post_urls if u.strip()]
        return split_targets(self.target_post_url)

    @model_validator(mode="after")
    def _needs_a_target(self) -> CommentConfig:
        if not self.targets():
            raise ValueError(
                "at least one post URL is required: target_post_urls or target_post_url"
            )
        return self


# ------------------------------------------------------------------------------------ message


class MessageConfig(FollowConfig):
    """``message``: send a direct message to users (docs/spec/scripts.md, "message").

    Targets as ``follow`` (``target_users``, else ``target_user``, else ``target_username``; at
    least one; one task per unit per user), reached by ``access_method`` as follow does.
    ``message_content`` is required and not blank: one message per line, each line spintax.
    """

    message_content: str = Field(
        pattern=_NON_BLANK,
        description="One or more messages, one per line (required); spintax {a|b|c} picks one "
        "option per task (nesting allowed).",
    )
    message_order: Literal["random", "sequential"] = Field(
        "random",
        description="random: any line; sequential: line number job_count modulo the number of lines.",
    )


# -------------------------------------------------------------------------------- scrape_user

#: The most video links one scrape_user task reads (each costs a share: docs/spec/scripts.md).
MAX_VIDEO_COUNT = 30


class ScrapeUserConfig(FollowConfig):
    """``scrape_user``: read users' public profiles (docs/spec/scripts.md, "scrape_user").

    Targets as ``follow`` (``target_users``, else ``target_user``, else ``target_username``; at
    least one; one task per unit per user), reached by ``access_method`` as follow does.
    ``video_count``: how many of the profile's first videos' links to read (0-30).
    """

    video_count: int = Field(
        3,
        ge=0,
        le=MAX_VIDEO_COUNT,
        description="How many links of the profile's first videos (grid order, pinned ones "
        "included) to read, 0-30; each is read through the video's Share > Copy link.",
    )


# --------------------------------------------------------------------------------------- like

#: Videos one like task may like from one user's profile (ours).
MAX_LIKE_COUNT = 50


class LikeConfig(_Config):
    """``like``: like videos (docs/spec/scripts.md, "like").

    Targets: post URLs (``target_post_urls``, else ``target_post_url`` split on newlines and
    commas: one task per unit per URL) or users (``target_users``, else ``target_user``, else
    ``target_username``: one task per unit per user, liking ``count`` videos from the profile,
    newest first, pinned ones left out with ``skip_pinned``). One kind of target, not both.
    """

    target_post_urls: list[_PostUrl] = Field(
        default_factory=list, description="One task per post URL (http or https): like that video."
    )
    target_post_url: str = Field(
        "", description="One or more post URLs separated by newlines or commas."
    )
    target_users: list[_TargetUser] = Field(
        default_factory=list,
        description="One task per user: like `count` videos from their profile (a leading @ is "
        "fine; at most 100 characters each).",
    )
    target_user: str = Field("", description="One or more names separated by newlines or commas.")
    target_username: str = Field("", description="Alias of target_user, as in follow.")
    access_method: Literal["direct", "search"] = Field(
        "direct", description="How a target user's profile is reached, as in follow."
    )
    count: int = Field(
        1,
        ge=1,
        le=MAX_LIKE_COUNT,
        description=f"Videos to like per target user, newest first (1-{MAX_LIKE_COUNT}); ignored "
        "for post URLs.",
    )
    skip_pinned: bool = Field(
        False,
        description="Leave a target user's pinned videos (the first tiles of the profile, with "
        "the Pinned badge) alone and start at the newest unpinned one.",
    )

    @field_validator("target_post_url")
    @classmethod
    def _url_items(cls, v: str) -> str:
        return _check_split_items(v, POST_URL_PATTERN, 2000, "an http(s) URL")

    @field_validator("target_user", "target_username")
    @classmethod
    def _user_items(cls, v: str) -> str:
        return _check_split_items(v, TARGET_USER_PATTERN, MAX_TARGET_CHARS, "a user name")

    def post_urls(self) -> list[str]:
        """The post URLs this config targets, in order."""
        if self.target_post_urls:
            return [u.strip() for u in self.target_post_urls if u.strip()]
        return split_targets(self.target_post_url)

    def users(self) -> list[str]:
        """The users this config targets, in order."""
        if self.target_users:
            return [u.strip() for u in self.target_users if u.strip()]
        return split_targets(self.target_user) or split_targets(self.target_username)

    def fanout_field(self) -> str:
        """The array field that carries each task's one target: ``target_post_urls`` for posts,
        ``target_users`` for users."""
        return "target_post_urls" if self.post_urls() else "target_users"

    def targets(self) -> list[str]:
        """The targets of :meth:`fanout_field`'s kind, in order (one task per unit each)."""
        return self.post_urls() or self.users()

    @model_validator(mode="after")
    def _one_kind_of_target(self) -> LikeConfig:
        urls, users = self.post_urls(), self.users()
        if urls and users:
            raise ValueError(
                "give post URLs (target_post_urls, target_post_url) or users (target_users, "
                "target_user, target_username), not both"
            )
        if not urls and not users:
            raise ValueError(
                "at least one target is required: post URLs (target_post_urls, target_post_url) "
                "or users (target_users, target_user, target_username)"
            )
        return self


# ------------------------------------------------------------------------------ account_warmup


def _no_default_in_schema(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class ChatGPTSettings(_Config):
    """``account_warmup.chatgpt_settings``: an OpenAI-compatible chat endpoint (scripts.md)."""

    api_key: Annotated[
        SecretStr | None,
        WithJsonSchema({"type": "string", "format": "password", "writeOnly": True}),
    ] = Field(
        None,
        description="API key; required when generate_by_chatgpt is true. Never shown in status "
        "files or logs.",
        json_schema_extra=_no_default_in_schema,
    )
    model: str = Field("gpt-3.5-turbo", description="Chat model name.")
    prompt: str = Field("", description="Prompt used to generate a comment.")
    max_tokens: int = Field(
        100, ge=1, le=4096, description="Maximum tokens of a generated comment (1-4096)."
    )
    temperature: float = Field(0.7, ge=0, le=2, description="Sampling temperature, 0-2.")
    base_url: str = Field("", description="Base URL of the endpoint; empty: OpenAI's.")

    @field_serializer("api_key")
    def _hide_key(self, v: SecretStr | None, info: FieldSerializationInfo) -> str | None:
        if v is None:
            return None
        if info.context and info.context.get("reveal_secrets"):
            return v.get_secret_value()
        return REDACTED


class AccountWarmupConfig(_Config):
    """``account_warmup``: browse like a person for a while (docs/spec/scripts.md, "account_warmup").

    Durations are seconds; probabilities are percentages 0-100.
    """

    task_duration: float = Field(
        600, gt=0, le=MAX_TASK_DURATION, description="Total length in seconds (up to 86400)."
    )
    topic: str = Field(
        "",
        description="Search keywords, one per line; one is picked at random; empty: the home feed.",
    )
    min_duration: float = Field(
        15, ge=0, le=MAX_WAIT_SECONDS, description="Minimum watch time per video, seconds."
    )
    max_duration: float = Field(
        30,
        ge=0,
        le=MAX_WAIT_SECONDS,
        validate_default=True,
        description="Maximum watch time per video, seconds (>= min_duration).",
    )
    like_probable: float = Field(0, ge=0, le=100, description="Chance (%) to like a video.")
    floow_probable: float = Field(
        0,
        ge=0,
        le=100,
        description="Chance (%) to follow the creator (the misspelling is the API's own field name).",
    )
    collect_probable: float = Field(0, ge=0, le=100, description="Chance (%) to bookmark.")
    comment_probable: float = Field(0, ge=0, le=100, description="Chance (%) to comment.")
    comment: str = Field("", description="Comment templates, one per line.")
    insert_emoji: bool = Field(False, description="Add a random emoji to comments.")
    comment_order: Literal["random", "sequential"] = Field(
        "random", description="random or sequential."
    )
    generate_by_chatgpt: bool = Field(
        False, description="Generate comments with an OpenAI-compatible chat endpoint."
    )
    chatgpt_settings: ChatGPTSettings = Field(
        default_factory=ChatGPTSettings,
        validate_default=True,
        description="Settings of the chat endpoint; api_key is required when generate_by_chatgpt is true.",
    )

    @field_validator("max_duration")
    @classmethod
    def _max_not_below_min(cls, v: float, info: ValidationInfo) -> float:
        return _check_min_max(v, info, "min_duration")

    @field_validator("chatgpt_settings")
    @classmethod
    def _key_when_used(cls, v: ChatGPTSettings, info: ValidationInfo) -> ChatGPTSettings:
        if info.data.get("generate_by_chatgpt") and (
            v.api_key is None or not v.api_key.get_secret_value().strip()
        ):
            raise ValueError("api_key is required when generate_by_chatgpt is true")
        return v


# ------------------------------------------------------------------------------------ profile

#: TikTok's documented limits of the own profile's texts, in characters (code points): "You can
#: enter up to 30 characters" for the nickname (support.tiktok.com, "Changing your nickname");
#: 80 for the bio (commonly documented, e.g. twicsy.com "Where Is the Bio on TikTok?"; the help
#: pages of link-in-bio tools call it "the 80-character bio text field").
MAX_NICKNAME_CHARS = 30
MAX_BIO_CHARS = 80
#: Ours: TikTok documents no length for the website; a bound keeps a paste accident out.
MAX_WEBSITE_CHARS = 200
WEBSITE_PATTERN = r"^\s*(https?://)?[^\s/:@]+\.[^\s/:@]+(:[0-9]{1,5})?(/\S*)?\s*$"
"""A website: a host with a dot, an optional http(s):// and port, a path, no blanks (ours)."""


class ProfileConfig(_Config):
    """``profile``: change the logged-in account's own profile (docs/spec/scripts.md, "profile").

    Every field is optional, but at least one must be given (not blank): an empty field leaves
    that part of the profile as it is. Lengths are TikTok's own limits, counted in characters
    (Unicode code points), refused at intake (40001) rather than by the app later: nickname 30
    (support.tiktok.com, "Changing your nickname": "You can enter up to 30 characters ... Your
    nickname can only be changed once every 7 days"), bio 80 (the commonly documented limit of
    the bio text). ``avatar_path`` is a material file (an image under the upload folder or a
    material root, checked at intake like post's ``material_list``); ``website`` is offered by
    TikTok only to some accounts (business accounts, and personal ones from 1,000 followers:
    the guides of link-in-bio tools, e.g. link.boo "TikTok website field requirements"): where
    the Edit profile screen has no Website row the task fails before anything is changed.
    """

    nickname: str = Field(
        "",
        max_length=MAX_NICKNAME_CHARS,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        description="The display name (TikTok: at most 30 characters, changed once every 7 "
        "days); one line.",
    )
    bio: str = Field(
        "",
        max_length=MAX_BIO_CHARS,
        description="The bio text (TikTok: at most 80 characters); new lines allowed.",
    )
    avatar_path: str = Field(
        "",
        description="An image file for the profile photo (absolute, or relative to the runner's "
        "upload folder; under the material folders).",
    )
    website: str = Field(
        "",
        max_length=MAX_WEBSITE_CHARS,
        pattern=r"^$|" + WEBSITE_PATTERN,
        description="The website link (only where TikTok offers the field: business accounts, "
        "personal ones from 1,000 followers).",
    )

    def changes(self) -> dict[str, str]:
        """The fields to change, in the order the script changes them (nickname, bio, website,
        avatar_path), each stripped of surrounding blanks; blank fields are left out."""
        out = {}
        for name in ("nickname", "bio", "website", "avatar_path"):
            value = getattr(self, name).strip()
            if value:
                out[name] = value
        return out

    @model_validator(mode="after")
    def _needs_a_change(self) -> ProfileConfig:
        if not self.changes():
            raise ValueError(
                "at least one field to change is required: nickname, bio, avatar_path or website"
            )
        return self


# ------------------------------------------------------------------------------------ registry

SCRIPT_CONFIGS: dict[str, type[_Config]] = {
    "post": PostConfig,
    "follow": FollowConfig,
    "unfollow": UnfollowConfig,
    "comment": CommentConfig,
    "account_warmup": AccountWarmupConfig,
    "profile": ProfileConfig,
    "message": MessageConfig,
    "scrape_user": ScrapeUserConfig,
    "like": LikeConfig,
}
"""Script name -> its config model (docs/spec/scripts.md)."""

API_SCRIPTS: tuple[str, ...] = tuple(SCRIPT_CONFIGS)
"""Scripts available through the API, in the spec's order."""

UNAVAILABLE_SCRIPTS: tuple[str, ...] = ("super_marketing",)
"""Scripts TikMatrix knows but does not offer through the API: 40003 (docs/spec/local-api.md)."""

FANOUT_SCRIPTS: dict[str, str] = {
    "follow": "target_users",
    "unfollow": "target_users",
    "comment": "target_post_urls",
    "message": "target_users",
    "scrape_user": "target_users",
    "like": "target_post_urls",
}
"""Scripts that make one task per target, and the array field that carries the one target (a
config with a ``fanout_field()`` method says which per config: like's URLs or users)."""

RESULT_SCRIPTS: tuple[str, ...] = ("scrape_user",)
"""Scripts whose tasks store a ``result`` (what they read; docs/spec/local-api.md, "Task object")."""


def dump_config(config: BaseModel) -> dict[str, Any]:
    """A config model as plain JSON values with defaults filled in and secrets *revealed*.

    This is what the store keeps per task (the script needs the API key). Never log it or write
    it to a status file: pass it through :func:`redact_config` first.
    """
    return config.model_dump(mode="json", context={"reveal_secrets": True})


def redact_config(script_config: dict[str, Any]) -> dict[str, Any]:
    """A copy of a stored ``script_config`` with every secret replaced by ``"***"``.

    Secrets: ``chatgpt_settings.api_key`` (and any ``api_key`` key at any depth, to be safe).
    The input is not modified. Use it for status files, logs and API answers.
    """

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (REDACTED if k == "api_key" and v else walk(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(script_config)
