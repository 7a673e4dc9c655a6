"""Counts read back as numbers (runner/scripts/counts.py): every format the real dumps show, in
English and French, as a property over any count, plus the dumps' own strings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runner.scripts.counts import parse_count

SCREENS = Path(__file__).parent / "real_screens"
NBSP, NNBSP = "\u00a0", "\u202f"
SPACES = st.sampled_from([" ", NBSP, NNBSP])


def shown(n: int, div: int) -> int:
    """What an abbreviated count stands for: TikTok cuts to one decimal (906,290 -> 906.2K)."""
    return n * 10 // div * div // 10


def abbreviated(n: int, dot: str, gap: str, units: dict[int, str]) -> tuple[str, int]:
    for div in (1_000_000_000, 1_000_000, 1000):
        if n >= div:
            tenths = n * 10 // div
            number = f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths // 10}{dot}{tenths % 10}"
            return f"{number}{gap}{units[div]}", shown(n, div)
    raise AssertionError(n)


@st.composite
def printed(draw) -> tuple[str, int]:
    """A count ``n`` as one of TikTok's formats, and the number the text stands for."""
    n = draw(st.integers(min_value=0, max_value=999_999_999_999))
    style = draw(
        st.sampled_from(["en_short", "fr_short", "en_compact", "fr_compact", "en_grouped",
                         "fr_grouped", "plain", "en_lower_k", "fr_md", "fr_in_en_style"])
    )  # fmt: skip
    space = draw(SPACES)
    en_units = {1000: "K", 1_000_000: "M", 1_000_000_000: "B"}
    fr_units = {1000: "K", 1_000_000: "M", 1_000_000_000: "Md"}
    if style in ("en_short", "en_compact", "en_lower_k", "fr_in_en_style"):
        limit = 1000 if style == "en_compact" else 10_000
        if n < limit:
            text, value = f"{n:,}", n
        else:
            units = {**en_units, **({1000: "k"} if style == "en_lower_k" else {})}
            text, value = abbreviated(n, ".", "", units)
    elif style in ("fr_short", "fr_compact", "fr_md"):
        limit = 1000 if style == "fr_compact" else 10_000
        if n < limit:
            text, value = f"{n:,}".replace(",", space), n
        else:
            units = fr_units if style == "fr_md" else {**fr_units, 1_000_000_000: "B"}
            text, value = abbreviated(n, ",", space, units)
    elif style == "en_grouped":
        text, value = f"{n:,}", n
    elif style == "fr_grouped":
        text, value = f"{n:,}".replace(",", space), n
    else:
        text, value = str(n), n
    if draw(st.booleans()):  # names and numbers may come wrapped in bidi marks
        text = f"\u2068{text}\u2069"
    return text, value


@given(printed())
def test_every_printed_format_reads_back_as_the_number_it_stands_for(case):
    text, value = case
    assert parse_count(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("906.2K", 906_200), ("10.5K", 10_500), ("11K", 11_000), ("4,869", 4869),
        ("8,028", 8028), ("1,198", 1198), ("0", 0), ("115", 115), ("40.8K", 40_800),
        ("6.3M", 6_300_000), ("1.5M", 1_500_000),
        ("3,8 M", 3_800_000), ("283,1 M", 283_100_000), ("3 733", 3733), ("1 204", 1204),
        ("307,6 K", 307_600), ("13,1 K", 13_100), ("39,9 K", 39_900), ("3 M", 3_000_000),
        (f"3,8{NBSP}M", 3_800_000), (f"3{NNBSP}733", 3733), ("2,2 Md", 2_200_000_000),
        ("1.2B", 1_200_000_000), ("12k", 12_000), ("1.234", 1234),
    ],
)  # fmt: skip
def test_the_dumps_own_strings(text, value):
    assert parse_count(text) == value


def test_every_counter_and_play_count_in_the_profile_dumps_reads():
    """Every profile counter and grid play count of the real profile dumps is a count."""
    ids = ("qfw", "t8_", "xxy", "tv_play_count")
    found = 0
    for path in sorted(SCREENS.glob("*profile*.xml")):
        for node in re.findall(r"<node [^>]*>", path.read_text()):
            rid = re.search(r'resource-id="[^"]*:id/([\w_]+)"', node)
            if rid and rid.group(1) in ids:
                text = re.search(r' text="([^"]*)"', node).group(1)
                assert parse_count(text) >= 0, (path.name, text)
                found += 1
    assert found >= 15


@pytest.mark.parametrize(
    "text", ["", " ", "K", "abc", "1,2", "12,34", "1.2.3", "-5", "1 2", "3,8 MM", "10 min", "1,5,6"]
)
def test_what_is_not_a_count_is_refused_naming_it(text):
    with pytest.raises(ValueError, match="not a count"):
        parse_count(text)
