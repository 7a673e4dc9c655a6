"""POSIX regular expressions as an Android phone's ``grep``, ``sed`` and ``cut -F`` compile them.

Toybox calls bionic's ``regcomp``, which is Henry Spencer's BSD engine (NetBSD's ``regcomp.c``):
basic (BRE) and extended (ERE) syntax, byte by byte, in the C locale. :func:`compile_posix`
translates a pattern into a Python ``re`` pattern over bytes and raises :class:`RegexError` with
``regerror``'s words for what Spencer's parser rejects, so ``grep -E '('`` answers as a phone does
(``grep: bad regex '(': parentheses not balanced``, status 2).

What the BSD engine does that GNU habits do not expect (and this module reproduces):
- no GNU escapes: ``\\w``, ``\\s``, ``\\d``, ``\\b``, ``\\<``, ``\\|`` and ``\\+`` are the plain characters
  ``w``, ``s``, ``d``, ``b``, ``<``, ``|``, ``+`` (in BRE and ERE alike); word boundaries are
  ``[[:<:]]`` and ``[[:>:]]``;
- in BRE, ``+``, ``?``, ``|``, ``(``, ``{`` are literal, ``\\(...\\)``, ``\\{m,n\\}`` and ``\\1``...``\\9``
  are special, ``*`` first in an expression is literal, ``^`` anchors only first and ``$`` only last;
- a second repetition operator (``a**``, ``a+*``, ``a{2}*``) is an error, as are ``*`` first in an ERE,
  an empty alternative (``a|``) and counts above 255;
- ``.`` and ``[^x]`` match a newline (no ``REG_NEWLINE``).

POSIX matches are leftmost-longest: :func:`search` lengthens what Python's leftmost-first engine
finds when the pattern has alternatives (``echo abcd | grep -oE 'ab|abcd'`` prints ``abcd``, as on a
phone). Where this still differs: ``?``/``*`` choices without ``|`` (``a?(ab)?`` on ``ab`` finds
``a``, POSIX ``ab``), and which alternative sets ``\\1`` when several give the same longest match.
"""

from __future__ import annotations

import functools
import re

DUPMAX = 255
_BRE_CLOSE = b"\\}"

# regerror() texts of Spencer's engine (regerror.c).
EPAREN = "parentheses not balanced"
EBRACK = "brackets ([ ]) not balanced"
EBRACE = "braces not balanced"
BADBR = "invalid repetition count(s)"
BADRPT = "repetition-operator operand invalid"
EMPTY = "empty (sub)expression"
EESCAPE = "trailing backslash (\\)"
ESUBREG = "invalid backreference number"
ECTYPE = "invalid character class"
ECOLLATE = "invalid collating element"
ERANGE = "invalid character range"

_CLASSES: dict[str, frozenset[int]] = {
    name: frozenset(c for c in range(128) if test(chr(c)))
    for name, test in {
        "alnum": lambda c: c.isalnum(),
        "alpha": lambda c: c.isalpha(),
        "blank": lambda c: c in " \t",
        "cntrl": lambda c: ord(c) < 32 or ord(c) == 127,
        "digit": lambda c: c.isdigit(),
        "graph": lambda c: 33 <= ord(c) < 127,
        "lower": lambda c: c.islower(),
        "print": lambda c: 32 <= ord(c) < 127,
        "punct": lambda c: 33 <= ord(c) < 127 and not c.isalnum(),
        "space": lambda c: c in " \t\n\r\f\v",
        "upper": lambda c: c.isupper(),
        "xdigit": lambda c: c in "0123456789abcdefABCDEF",
    }.items()
}


class RegexError(Exception):
    """``regcomp`` failed; ``str()`` is ``regerror``'s text."""


def _byte_class(members: set[int], negate: bool) -> str:
    if negate:
        members = set(range(256)) - members
    if not members:
        return "(?!)"  # matches nothing (the inverse of every byte)
    parts = []
    run_start = prev = None
    for b in sorted(members):
        if prev is not None and b == prev + 1:
            prev = b
            continue
        if run_start is not None:
            parts.append((run_start, prev))
        run_start = prev = b
    parts.append((run_start, prev))
    body = "".join(f"\\x{a:02x}" if a == z else f"\\x{a:02x}-\\x{z:02x}" for a, z in parts)
    return f"[{body}]"


class _Parser:
    """Recursive descent over the pattern's bytes, after Spencer's ``p_ere``/``p_bre``."""

    def __init__(self, pattern: bytes, extended: bool) -> None:
        self.s = pattern
        self.i = 0
        self.extended = extended
        self.groups = 0
        self.closed: set[int] = set()
        self.has_backrefs = False
        self.alternation = False

    # ------------------------------------------------------------------ helpers
    def more(self) -> bool:
        return self.i < len(self.s)

    def peek(self, k: int = 0) -> int | None:
        j = self.i + k
        return self.s[j] if j < len(self.s) else None

    def sees(self, text: bytes) -> bool:
        return self.s.startswith(text, self.i)

    @staticmethod
    def literal(b: int) -> str:
        return chr(b) if chr(b).isalnum() and b < 128 else f"\\x{b:02x}"

    # ------------------------------------------------------------------ brackets
    def bracket(self) -> str:
        """After ``[``: a bracket expression."""
        if self.sees(b"[:<:]]"):
            self.i += 6
            return r"\b(?=\w)"
        if self.sees(b"[:>:]]"):
            self.i += 6
            return r"\b(?<=\w)"
        members: set[int] = set()
        negate = False
        if self.peek() == ord("^"):
            negate = True
            self.i += 1
        if self.peek() == ord("]"):
            members.add(ord("]"))
            self.i += 1
        elif self.peek() == ord("-"):
            members.add(ord("-"))
            self.i += 1
        while self.more() and self.peek() != ord("]") and not self.sees(b"-]"):
            self.bracket_term(members)
        if self.sees(b"-]"):
            members.add(ord("-"))
            self.i += 1
        if self.peek() != ord("]"):
            raise RegexError(EBRACK)
        self.i += 1
        return _byte_class(members, negate)

    def bracket_term(self, members: set[int]) -> None:
        c = self.peek()
        if c == ord("-"):
            raise RegexError(ERANGE)
        nxt = self.peek(1) if c == ord("[") else None
        if nxt == ord(":"):
            self.i += 2
            if not self.more():
                raise RegexError(EBRACK)
            start = self.i
            while self.more() and chr(self.s[self.i]).isalpha() and self.s[self.i] < 128:
                self.i += 1
            name = self.s[start : self.i].decode("ascii")
            if name not in _CLASSES:
                raise RegexError(ECTYPE)
            members.update(_CLASSES[name])
            if not self.more():
                raise RegexError(EBRACK)
            if not self.sees(b":]"):
                raise RegexError(ECTYPE)
            self.i += 2
            return
        if nxt == ord("="):
            self.i += 2
            members.add(self.collating_element(ord("=")))
            return
        start = self.symbol()
        if self.peek() == ord("-") and self.peek(1) is not None and self.peek(1) != ord("]"):
            self.i += 1
            if self.peek() == ord("-"):
                self.i += 1
                finish = ord("-")
            else:
                finish = self.symbol()
        else:
            finish = start
        if start > finish:
            raise RegexError(ERANGE)
        members.update(range(start, finish + 1))

    def symbol(self) -> int:
        if not self.more():
            raise RegexError(EBRACK)
        if self.sees(b"[."):
            self.i += 2
            value = self.collating_element(ord("."))
            return value
        b = self.s[self.i]
        self.i += 1
        return b

    def collating_element(self, endc: int) -> int:
        start = self.i
        while self.more() and not (self.peek() == endc and self.peek(1) == ord("]")):
            self.i += 1
        if not self.more():
            raise RegexError(EBRACK)
        name = self.s[start : self.i]
        self.i += 2
        if len(name) == 1:
            return name[0]
        raise RegexError(ECOLLATE)

    # ------------------------------------------------------------------ counts
    def count(self) -> int:
        start = self.i
        while self.more() and chr(self.s[self.i]).isdigit():
            self.i += 1
        digits = self.s[start : self.i]
        if not digits or int(digits) > DUPMAX:
            raise RegexError(BADBR)
        return int(digits)

    def interval(self, close: bytes) -> str:
        """After ``{`` (ERE) or ``\\{`` (BRE): ``m``, ``m,`` or ``m,n`` and the closing brace."""
        low = self.count()
        high: int | None = low
        if self.peek() == ord(","):
            self.i += 1
            if self.more() and chr(self.s[self.i]).isdigit():
                high = self.count()
                if low > high:
                    raise RegexError(BADBR)
            else:
                high = None
        if not self.sees(close):
            while self.more() and not self.sees(close):
                self.i += 1
            raise RegexError(EBRACE if not self.more() else BADBR)
        self.i += len(close)
        return f"{{{low}}}" if high == low else f"{{{low},{'' if high is None else high}}}"

    # ------------------------------------------------------------------ ERE
    def ere(self, stop: int | None) -> str:
        alternatives = []
        while True:
            items = []
            while self.more() and self.peek() != ord("|") and self.peek() != stop:
                items.append(self.ere_exp())
            if not items:
                raise RegexError(EMPTY)
            alternatives.append("".join(items))
            if self.peek() != ord("|"):
                break
            self.i += 1
        if len(alternatives) == 1:
            return alternatives[0]
        self.alternation = True
        return "(?:" + "|".join(alternatives) + ")"

    def ere_exp(self) -> str:
        c = self.s[self.i]
        self.i += 1
        wascaret = False
        if c == ord("("):
            if not self.more():
                raise RegexError(EPAREN)
            self.groups += 1
            n = self.groups
            inner = self.ere(ord(")")) if self.peek() != ord(")") else ""
            if self.peek() != ord(")"):
                raise RegexError(EPAREN)
            self.i += 1
            self.closed.add(n)
            atom = f"({inner})"
        elif c == ord(")"):
            raise RegexError(EPAREN)
        elif c == ord("^"):
            atom, wascaret = r"(?:\A)", True
        elif c == ord("$"):
            atom = r"(?:\Z)"
        elif c in b"*+?":
            raise RegexError(BADRPT)
        elif c == ord("."):
            atom = "."
        elif c == ord("["):
            atom = self.bracket()
        elif c == ord("\\"):
            if not self.more():
                raise RegexError(EESCAPE)
            atom = self.literal(self.s[self.i])
            self.i += 1
        elif c == ord("{") and self.more() and chr(self.s[self.i]).isdigit():
            raise RegexError(BADRPT)
        else:
            atom = self.literal(c)
        return self.ere_repeats(atom, wascaret)

    def _ere_repeat_next(self) -> bool:
        c = self.peek()
        if c is None:
            return False
        if c in b"*+?":
            return True
        nxt = self.peek(1)
        return c == ord("{") and nxt is not None and chr(nxt).isdigit()

    def ere_repeats(self, atom: str, wascaret: bool) -> str:
        if not self._ere_repeat_next():
            return atom
        c = self.s[self.i]
        self.i += 1
        if wascaret:
            raise RegexError(BADRPT)
        op = chr(c) if c != ord("{") else self.interval(b"}")
        if self._ere_repeat_next():
            raise RegexError(BADRPT)
        return f"(?:{atom}){op}"

    # ------------------------------------------------------------------ BRE
    def bre(self, end: bytes | None) -> str:
        out = []
        start_len = 0
        if self.peek() == ord("^"):
            self.i += 1
            out.append(r"(?:\A)")
            start_len = 1
        first = True
        wasdollar = False
        while self.more() and not (end and self.sees(end)):
            piece, wasdollar = self.simple_re(first)
            out.append(piece)
            first = False
        if wasdollar:
            out[-1] = r"(?:\Z)"
        if len(out) == start_len and start_len == 0:
            raise RegexError(EMPTY)
        return "".join(out)

    def simple_re(self, starordinary: bool) -> tuple[str, bool]:
        c = self.s[self.i]
        self.i += 1
        backslashed = False
        if c == ord("\\"):
            if not self.more():
                raise RegexError(EESCAPE)
            c = self.s[self.i]
            self.i += 1
            backslashed = True
        if not backslashed and c == ord("."):
            atom = "."
        elif not backslashed and c == ord("["):
            atom = self.bracket()
        elif backslashed and c == ord("{"):
            raise RegexError(BADRPT)
        elif backslashed and c == ord("("):
            self.groups += 1
            n = self.groups
            inner = ""
            if self.more() and not self.sees(b"\\)"):
                inner = self.bre(b"\\)")
            if not self.sees(b"\\)"):
                raise RegexError(EPAREN)
            self.i += 2
            self.closed.add(n)
            atom = f"({inner})"
        elif backslashed and c in b")}":
            raise RegexError(EPAREN)
        elif backslashed and ord("1") <= c <= ord("9"):
            n = c - ord("0")
            if n not in self.closed:
                raise RegexError(ESUBREG)
            self.has_backrefs = True
            atom = f"(?:\\{n})"
        elif not backslashed and c == ord("*") and not starordinary:
            raise RegexError(BADRPT)
        else:
            atom = self.literal(c)
        if self.peek() == ord("*"):
            self.i += 1
            return f"(?:{atom})*", False
        if self.sees(b"\\{"):
            self.i += 2
            return f"(?:{atom}){self.interval(_BRE_CLOSE)}", False
        return atom, (not backslashed and c == ord("$"))


def translate(pattern: bytes, extended: bool = False) -> str:
    """The Python ``re`` source (for a bytes pattern) equivalent to a POSIX BRE/ERE."""
    return _translate(pattern, extended)[0]


def _translate(pattern: bytes, extended: bool) -> tuple[str, bool]:
    if not pattern:  # toybox's xregcomp: BSD regex has no empty pattern, so it compiles "()"
        pattern, extended = b"()", True
    p = _Parser(pattern, extended)
    source = p.ere(None) if extended else p.bre(None)
    return source, p.alternation


_ALTERNATION: set[tuple[bytes, int]] = set()  # compiled patterns whose matches must be lengthened


def compile_posix(pattern: bytes, *, extended: bool = False, icase: bool = False) -> re.Pattern:
    """Compile like ``regcomp(pattern, REG_EXTENDED*extended | REG_ICASE*icase)``."""
    source, alternation = _translate(pattern, extended)
    flags = re.DOTALL | (re.IGNORECASE if icase else 0)
    try:
        rx = re.compile(source.encode("latin-1"), flags)
    except re.error as e:  # pragma: no cover - the parser above rejects what re would
        raise RegexError(BADRPT) from e
    if alternation:
        _ALTERNATION.add((rx.pattern, rx.flags))
    return rx


@functools.lru_cache(maxsize=4096)
def _ending_at(source: bytes, flags: int, before_end: int) -> re.Pattern:
    return re.compile(source + rb"(?=[\s\S]{%d}\Z)" % before_end, flags)


def search(rx: re.Pattern, line: bytes, pos: int = 0) -> re.Match | None:
    """``regexec``: the leftmost match, and of those the longest, as POSIX wants. Python's engine
    takes the first alternative that matches (``ab|abcd`` on ``abcd`` finds ``ab``), so a pattern
    with alternatives is retried at the same start for each longer end."""
    m = rx.search(line, pos)
    if m is None or (rx.pattern, rx.flags) not in _ALTERNATION:
        return m
    for end in range(len(line), m.end(), -1):
        longer = _ending_at(rx.pattern, rx.flags, len(line) - end).match(line, m.start())
        if longer is not None:
            return longer
    return m
