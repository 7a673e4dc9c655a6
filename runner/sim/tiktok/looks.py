"""How a screen shaped after real dumps picks its looks: the layouts of the app's build and the
words of its language.

A screen module holds its layouts per real build (``{"tt4703": ..., "tt4314": ...}``: trees,
classes and ids as that build's dumps show them, see :mod:`runner.sim.tiktok.spec`) and its words
per language (``{"en": {...}, "fr": {...}}``). :func:`pick` chooses the layouts of the app's build,
or of the nearest build that has them (46.9.3 has no dump of the comments sheet or the create flow
and shows 47.0.3's); :class:`Strings` looks words up in the app's language, English filling gaps.

The app's build and language are ``app.build`` and ``app.language`` when the app has them; an
app without a build looks like the nearest build by version number.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

T = TypeVar("T")

REAL = {"tt4314": (43, 1, 4), "tt4693": (46, 9, 3), "tt4703": (47, 0, 3)}
# A build without a screen's layouts borrows the first of these that has them.
NEAREST = {"tt4314": ("tt4703",), "tt4693": ("tt4703", "tt4314"), "tt4703": ("tt4314",)}
LANGUAGES = ("en", "fr")
LRM = "\u200e"  # TikTok starts counts in titles with a left-to-right mark


def _number(version: str) -> int:
    parts = []
    for part in version.split("."):
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits) if digits else 0)
    major, minor, patch = (parts + [0, 0, 0])[:3]
    return major * 10_000 + minor * 100 + patch


@cache
def nearest_build(version: str) -> str:
    """The real build a version string looks like (nearest by version number)."""
    value = _number(version)
    return min(REAL, key=lambda b: abs(value - _number(".".join(map(str, REAL[b])))))


def app_build(app: TikTokApp) -> str:
    build = getattr(app, "build", None)
    return build if isinstance(build, str) and build in NEAREST else nearest_build(app.version_name)


def build_of(app: TikTokApp, table: dict[str, Any]) -> str:
    """The key of ``table`` the app's build uses: its own, else the nearest build's."""
    build = app_build(app)
    if build in table:
        return build
    for other in NEAREST[build]:
        if other in table:
            return other
    raise KeyError(build)


def pick(table: dict[str, T], app: TikTokApp) -> T:
    """The entry of ``table`` for the app's build (or the nearest build that has one)."""
    return table[build_of(app, table)]


def language(app: TikTokApp) -> str:
    """The app's language (``app.language``, ``fr-FR`` -> ``fr``), English when unknown."""
    lang = str(getattr(app, "language", "en") or "en").replace("_", "-").split("-")[0].lower()
    return lang if lang in LANGUAGES else "en"


class Strings:
    """Key -> words in the app's language, from a per-language table (English fills gaps)."""

    def __init__(self, table: dict[str, dict[str, str]], app: TikTokApp) -> None:
        self.lang = language(app)
        self.own = table.get(self.lang, {})
        self.en = table["en"]

    def __call__(self, key: str, **values: Any) -> str:
        text = self.own.get(key, self.en[key])
        return text.format(**values) if values else text


def full_count(n: int, lang: str) -> str:
    """A count written out: ``8,028`` (en), ``8 028`` (fr, a plain space as the dumps show)."""
    text = f"{max(0, int(n)):,}"
    return text.replace(",", " ") if lang == "fr" else text
