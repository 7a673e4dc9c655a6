"""Counts as TikTok prints them, read back as numbers (scrape_user's followers, following, likes
and play counts; docs/spec/scripts.md, "scrape_user").

What the real dumps show (tests/real_screens/, TikTok 43.1.4 to 47.0.3, en and fr):

- whole numbers with a group separator: en ``4,869``, ``8,028``, ``1,198``; fr ``3 733``,
  ``1 204`` (a space, a no-break space U+00A0 or a narrow one U+202F: the copies do not keep
  which);
- abbreviated ones, one decimal at most, TikTok cutting (not rounding) the rest: en ``906.2K``,
  ``10.5K``, ``11K``, ``6.3M``; fr ``307,6 K``, ``13,1 K``, ``3,8 M``, ``283,1 M``, ``3 M`` (a
  space before the unit); and a French phone showing English-style ``144.5K`` in its search
  rows;
- billions: en ``B``; fr ``Md`` (milliard; TikTok's French number style, also ``Mrd`` in some
  builds' German): none in the dumps, accepted for the accounts that have them.

Rules: a ``.`` or ``,`` followed by exactly three digits, with no unit, groups thousands (``8,028``
and a German-style ``1.234``); before a unit it is the decimal mark (``3,8 M``). Units: ``K``/``k``
(thousand), ``M`` (million), ``B``, ``Md``, ``Mrd`` (billion), with or without a space before.
An abbreviated count is the smallest number it can stand for (``906.2K`` is 906,200: TikTok
shows 906,290 so), so it is exact to the precision shown and never more.
"""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["parse_count"]

#: Spaces TikTok puts in numbers, or that copies of its screens have instead.
_SPACES = "\u0020\u00a0\u202f\u2009\u2007"
_UNITS = {"k": 1_000, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000,
          "Md": 1_000_000_000, "Mrd": 1_000_000_000}  # fmt: skip
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_GROUPED = re.compile(r"\d{1,3}(?:([.,' ])\d{3})(?:\1\d{3})*")
_PLAIN = re.compile(r"\d+")
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")


def parse_count(text: str) -> int:
    """The number ``text`` shows (``"906.2K"`` -> 906200, ``"3,8 M"`` -> 3800000, ``"8,028"`` ->
    8028, ``"3 733"`` -> 3733). Raises ``ValueError`` when ``text`` is not a count (empty,
    words, a negative or malformed number), naming it."""
    raw = text
    s = _BIDI.sub("", text)
    for space in _SPACES[1:]:
        s = s.replace(space, " ")
    s = s.strip()
    unit = ""
    for name in sorted(_UNITS, key=len, reverse=True):
        if s.endswith(name):
            unit, s = name, s[: -len(name)].rstrip(" ")
            break
    if unit:
        if not _DECIMAL.fullmatch(s):
            raise ValueError(f"not a count: {raw!r}")
        value = Decimal(s.replace(",", ".")) * _UNITS[unit]
        return int(value)
    if _PLAIN.fullmatch(s):
        return int(s)
    grouped = s.replace(" ", "'")  # one separator sign for the spaces, then one rule for all
    if _GROUPED.fullmatch(grouped):
        return int(re.sub(r"[.,']", "", grouped))
    raise ValueError(f"not a count: {raw!r}")
