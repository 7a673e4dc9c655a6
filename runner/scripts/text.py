"""What a task types: captions from spintax, comment lines, emoji (docs/spec/scripts.md, post, comment
and account_warmup).

Pure functions, no device: a ``random.Random`` seeded per task comes in, so the same task picks
the same text when it is run again (a retry types what the first attempt typed, which is what lets
it recognise its own earlier post or comment).
"""

from __future__ import annotations

import random
from typing import Literal

#: Emoji added by ``insert_emoji`` (single code points: no skin-tone or ZWJ sequences, which some
#: input paths split).
EMOJI = ("🔥", "😍", "👏", "😂", "💯", "🙌", "✨", "🥰", "😮", "👍")


def spin(template: str, rng: random.Random) -> str:
    """Expand spintax: each ``{a|b|c}`` becomes one of its options, chosen with ``rng``; options
    may nest (``{a|{b|c}}``), and are expanded after being chosen.

    Rules where the spec is silent (ours): braces without a ``|`` at their own level (``{name}``)
    and unbalanced braces stay as written, so ordinary text with braces passes unchanged; there
    is no escape character. Returns the expanded text.
    """
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "{":
            end, options = _group(template, i)
            if end is not None and len(options) > 1:
                out.append(spin(rng.choice(options), rng))
                i = end + 1
                continue
            if end is not None:
                # a group without alternatives: keep the braces, expand what is inside
                out.append("{" + spin(options[0], rng) + "}")
                i = end + 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _group(text: str, start: int) -> tuple[int | None, list[str]]:
    """The group opening at ``text[start] == "{"``: (index of its closing brace, top-level
    options), or (None, []) when it never closes."""
    depth = 0
    options: list[str] = []
    begin = start + 1
    for j in range(start, len(text)):
        c = text[j]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                options.append(text[begin:j])
                return j, options
        elif c == "|" and depth == 1:
            options.append(text[begin:j])
            begin = j + 1
    return None, []


def lines_of(text: str) -> list[str]:
    """The non-blank lines of a multi-line field (comments, templates, topics), each exactly as
    written apart from a trailing ``\\r`` (Windows line ends)."""
    return [line.rstrip("\r") for line in text.split("\n") if line.strip()]


def pick_line(
    lines: list[str], order: Literal["random", "sequential"] | str, index: int, rng: random.Random
) -> str:
    """One of ``lines``: ``sequential`` takes line ``index`` modulo the count (for the comment
    script ``index`` is the task's ``job_count``), ``random`` any line from ``rng``.

    Raises ``ValueError`` when ``lines`` is empty.
    """
    if not lines:
        raise ValueError("no lines to pick from")
    if order == "sequential":
        return lines[index % len(lines)]
    return rng.choice(lines)


def task_line(
    content: str, order: Literal["random", "sequential"] | str, job_count: int, seed: str
) -> tuple[str, random.Random] | None:
    """The line a task uses from the multi-line ``content`` (comment, message): :func:`pick_line`
    by ``order`` and ``job_count``, with a ``random.Random`` seeded from ``seed`` (the script's
    name, task id and job count, so a retry picks the same line), returned with that generator
    for the spintax and emoji that follow; None when ``content`` has no non-blank line."""
    lines = lines_of(content)
    if not lines:
        return None
    rng = random.Random(seed)
    return pick_line(lines, order, job_count, rng), rng


def with_emoji(text: str, rng: random.Random) -> str:
    """``text`` followed by a space and one emoji from :data:`EMOJI` (ours: at the end, where a
    person would put it)."""
    return f"{text} {rng.choice(EMOJI)}"
