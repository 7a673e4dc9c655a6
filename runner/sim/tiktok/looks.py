"""How a screen shaped after real dumps picks its looks: the layouts of the app's build, and its
words in the app's language.

A screen module holds its layouts per real build (``{"tt4703": ..., "tt4314": ...}``: trees,
classes and ids as that build's dumps show them, see :mod:`runner.sim.tiktok.spec`); its words are
keys of :mod:`runner.sim.tiktok.strings` under a prefix of its own (``comment_``, ``create_``).
:func:`pick` chooses the layouts of the app's build (``app.build``), or of the nearest build that
has them (46.9.3 has no dump of the comments sheet or the create flow and shows 47.0.3's);
:class:`Words` looks the screen's words up in the app's language (``app.language``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from runner.sim.tiktok.strings import s

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

T = TypeVar("T")

# A build without a screen's layouts borrows the first of these that has them.
NEAREST = {"tt4314": ("tt4703",), "tt4693": ("tt4703", "tt4314"), "tt4703": ("tt4314",)}


def build_of(app: TikTokApp, table: dict[str, Any]) -> str:
    """The key of ``table`` the app's build uses: its own, else the nearest build's."""
    build = app.build
    if build in table:
        return build
    for other in NEAREST.get(build, ("tt4703", "tt4314")):
        if other in table:
            return other
    raise KeyError(build)


def pick(table: dict[str, T], app: TikTokApp) -> T:
    """The entry of ``table`` for the app's build (or the nearest build that has one)."""
    return table[build_of(app, table)]


class Words:
    """A screen's words: ``words("title", n=3)`` is ``strings.s(app, prefix + "title", n=3)``."""

    def __init__(self, app: TikTokApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix
        self.lang = app.language

    def __call__(self, key: str, **values: Any) -> str:
        return s(self.app, self.prefix + key, **values)
