"""``grep`` (and ``egrep``, ``fgrep``) of the simulated phone, after toybox 0.8.6's ``toys/posix/grep.c``.

Patterns are POSIX BRE/ERE as bionic compiles them (:mod:`runner.sim.posix_regex`); every option
of toybox's grep works but ``--color`` (accepted, never coloured: adb's output is not a terminal).
Exit status as toybox gives it: 0 when a line matched, 1 when none did, 2 on errors (a missing file
makes it 2 unless ``-q`` found a match; a bad regex or option is always 2).

Toybox quirks kept: ``-e`` patterns are tried last-given first (it matters for ``-F -o``); every match
of a binary file prints ``Binary file NAME matches``; ``-m 0`` still lets the first line through; a
directory operand without ``-r`` says ``grep: DIR: Is a directory`` but leaves the status to the
matches.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re

from runner.sim.filesystem import FsError
from runner.sim.posix_regex import RegexError, compile_posix, search
from runner.sim.toyopts import Toy, lines_of, toybox_command

GREP_OPTS = (
    "(line-buffered)(color):;(exclude-dir)*S(exclude)*M(include)*ZzEFHIab(byte-offset)"
    "h(no-filename)ino(only-matching)rRsvwcL(files-without-match)l(files-with-matches)"
    "q(quiet)(silent)e*f*C#B#A#m#x[!wx][!EF]"
)


class _Quit(Exception):
    """``-q`` saw a match: exit 0 now."""


def _is_word(b: int) -> bool:
    return chr(b).isalnum() and b < 128 or b == ord("_")


def _binary(data: bytes) -> bool:
    """Toybox's test: the first 256 bytes do not parse as UTF-8 (a NUL counts as binary)."""
    head = data[:256]
    if b"\0" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.reason != "unexpected end of data"
    return False


class _Grep:
    def __init__(self, t: Toy) -> None:
        self.t = t
        self.found = False
        self.tried = 0
        self.delim = b"\0" if t.has("z") else b"\n"
        self.outdelim = b"\0" if t.has("Z") else b"\n"
        self.fixed: list[bytes] = []
        self.regs: list[re.Pattern] = []

    # ------------------------------------------------------------------ patterns
    def patterns(self) -> None:
        t = self.t
        sources: list[bytes] = []
        for path in t["f"]:
            try:
                text = t.inv.phone.fs.read(path)
            except FsError as e:
                t.exit(f"{path}: {e}")
            if text:
                sources.append(text)
        sources += [e.encode("utf-8", "surrogateescape") for e in t["e"]]
        pats: list[bytes] = []
        for s in sources:  # split lines; each is prepended, so the last given is tried first
            parts = [s] if t.has("z") else s.split(b"\n")
            if len(parts) > 1 and parts[-1] == b"":
                parts.pop()
            for p in parts:
                pats.insert(0, p)
        if t.has("F"):
            self.fixed = pats
            return
        for p in pats:
            if t.has("o") and not p:
                continue
            try:
                self.regs.append(compile_posix(p, extended=t.has("E"), icase=t.has("i")))
            except RegexError as e:
                shown = p.decode("utf-8", "surrogateescape") if p else "()"
                t.exit(f"bad regex '{shown}': {e}")

    # ------------------------------------------------------------------ matching
    def match(self, line: bytes, start: int) -> tuple[int, int] | None:
        """The best match at or after ``start`` (absolute offsets), as toybox chooses it."""
        t = self.t
        if t.has("F"):
            for p in self.fixed:
                if t.has("x"):
                    same = p.lower() == line.lower() if t.has("i") else p == line
                    if same:
                        return 0, len(line)
                    continue
                if not p:
                    return start, len(line)
                hay, needle = (line.lower(), p.lower()) if t.has("i") else (line, p)
                at = hay.find(needle, start)
                if at >= 0:
                    return at, at + len(p)
            return None
        best: tuple[int, int] | None = None
        for rx in self.regs:
            # -x: POSIX takes the longest match, so one spanning the line if any does
            m = rx.fullmatch(line, start) if t.has("x") else search(rx, line, start)
            if m is None:
                continue
            if best is None or m.start() < best[0] or (m.start() == best[0] and m.end() >= best[1]):
                best = (m.start(), m.end())
        return best

    # ------------------------------------------------------------------ output
    def outline(
        self, line: bytes | None, dash: str, name: str, lcount: int, bcount: int, trim: int
    ) -> None:
        t = self.t
        if not trim and t.has("o"):
            return
        out = bytearray()
        if name and t.has("H"):
            out += f"{name}{dash}".encode()
        if t.has("c"):
            out += str(lcount).encode() + self.outdelim
        elif lcount and t.has("n"):
            out += f"{lcount}{dash}".encode()
        if bcount and t.has("b"):
            out += f"{bcount - 1}{dash}".encode()
        if line is not None:
            out += line[:trim] + self.outdelim
        t.out(bytes(out))

    def do_grep(self, data: bytes, name: str, seekable: bool, counted: bool = True) -> None:
        t = self.t
        if counted:
            self.tried += 1
        if name == "-":
            name = "(standard input)"
        binary = seekable and not t.has("a") and _binary(data)
        if binary and t.has("I"):
            return
        A = t["A"] or t["C"] or 0
        B = t["B"] or t["C"] or 0
        lcount = mcount = offset = after = 0
        before: list[tuple[bytes, int]] = []  # (line, byte offset) kept for -B
        bars = False
        for raw in lines_of(data, self.delim):
            lcount += 1
            line = raw[:-1] if raw.endswith(self.delim) else raw
            ulen = len(line)
            start = 0
            matched = 0
            while True:
                m = self.match(line, start)
                rc = m is None
                so, eo = m if m is not None else (start, start)
                if not rc and t.has("o") and eo == start and ulen > start:
                    start += 1
                    if start >= ulen:
                        break
                    continue
                if not rc and t.has("x") and (so != start or eo != ulen):
                    rc = True
                if not rc and t.has("w"):
                    bad = (so and _is_word(line[so - 1])) or (eo < ulen and _is_word(line[eo]))
                    if bad:
                        start = so + 1
                        if start >= ulen:
                            break
                        continue
                if t.has("v"):
                    if t.has("o"):
                        if rc:
                            eo = ulen
                        elif so == start:
                            start = eo
                            if start >= ulen:
                                break
                            continue
                        else:
                            eo = so
                    else:
                        if not rc:
                            break
                        eo = ulen
                    so = start
                elif rc:
                    break
                if bars:
                    t.out(b"--\n")
                    bars = False
                matched += 1
                self.found = True
                if t.has("q"):
                    raise _Quit
                if t.has("L") or t.has("l"):
                    if t.has("l"):
                        t.out(name.encode() + self.outdelim)
                    return
                if not t.has("c"):
                    bcount = 1 + offset + (so if t.has("o") else start)
                    if binary:
                        t.out(f"Binary file {name} matches\n".encode())
                    elif t.has("o"):
                        self.outline(line[so:], ":", name, lcount, bcount, eo - so)
                    else:
                        while before:
                            bline, boff = before.pop(0)
                            self.outline(
                                bline, "-", name, lcount - len(before) - 1, boff + 1, len(bline)
                            )
                        if matched == 1:
                            self.outline(line, ":", name, lcount, bcount, ulen)
                        if A:
                            after = A + 1
                if so == eo:
                    break
                start = eo
                if start >= ulen:
                    break
            offset += len(raw)
            if matched:
                mcount += 1
            else:
                discard = bool(after or B)
                if after:
                    after -= 1
                    if after:
                        self.outline(line, "-", name, lcount, 0, ulen)
                        discard = False
                if discard and B:
                    before.append((line, offset - len(raw)))
                    if len(before) > B:
                        before.pop(0)
                    else:
                        discard = False
                if discard and mcount:
                    bars = True
            if t.has("m") and mcount >= t["m"]:
                break
        if t.has("L"):
            t.out(name.encode() + self.outdelim)
        elif t.has("c"):
            self.outline(None, ":", name, mcount, 0, 1)

    # ------------------------------------------------------------------ files
    def error(self, what: str, err: FsError | str) -> None:
        if not self.t.has("s"):  # -s: toybox points stderr at /dev/null
            self.t.perror(what, err)

    def one(self, path: str) -> None:
        if path == "-":
            self.do_grep(self.t.inv.stdin, "-", False)
            return
        if path in ("/dev/null", "/dev/zero"):  # the phone's filesystem has no /dev
            self.do_grep(b"", path, False)
            return
        fs = self.t.inv.phone.fs
        entry = fs.stat(path)
        if entry is not None and entry.is_dir:
            self.tried += 1
            self.error(path, "Is a directory")
            return
        try:
            data = fs.read(path)
        except FsError as e:
            self.error(path, e)
            return
        self.do_grep(data, path, True)

    def recurse(self, path: str) -> None:
        """``dirtree_read(path, do_grep_r)``: every file below ``path`` (``-r``), named as found."""
        fs = self.t.inv.phone.fs
        self.tried += 1
        entry = fs.stat(path)
        if entry is None:
            self.error(path, "No such file or directory")
        elif entry.is_dir:
            self._walk(path, path)
        else:
            self._grep_r_file(path, path, top=True)

    def _walk(self, real: str, shown: str) -> None:
        for name, e in self.t.inv.phone.fs.listdir(real):
            child = posixpath.join(real, name)
            child_shown = f"{shown.rstrip('/')}/{name}"
            if e.is_dir:
                if not any(fnmatch.fnmatchcase(name, p) for p in self.t["exclude-dir"]):
                    self._walk(child, child_shown)
            else:
                self._grep_r_file(child, child_shown, top=False)

    def _grep_r_file(self, real: str, shown: str, top: bool) -> None:
        t = self.t
        base = posixpath.basename(real)
        if any(fnmatch.fnmatchcase(base, p) for p in t["S"]):
            return
        if t["M"] and not any(fnmatch.fnmatchcase(base, p) for p in t["M"]):
            return
        if not top and not t.has("h"):  # "grep -r x onefile" shows no name, "grep -r x dir" does
            t.flags["H"] = True
        try:
            data = t.inv.phone.fs.read(real)
        except FsError as e:
            self.error(shown, e)
            return
        self.do_grep(data, shown, True, counted=False)


def _grep_body(t: Toy, which: str) -> None:
    g = _Grep(t)
    t.exitval = 2
    if which == "egrep":
        t.flags["E"] = True
    elif which == "fgrep":
        t.flags["F"] = True
    if t.has("R"):
        t.flags["r"] = True
    args = list(t.args)
    if not t["e"] and not t["f"]:
        if not args:
            t.exit("no REGEX")
        t.values["e"] = [args.pop(0)]
    g.patterns()
    if not t.has("h") and len(args) > 1:
        t.flags["H"] = True
    try:
        if t.has("r"):
            for path in args or ["."]:
                if path == "-":
                    g.do_grep(t.inv.stdin, "-", False)
                else:
                    g.recurse(path)
        else:
            for path in args or ["-"]:
                g.one(path)
    except _Quit:
        t.exitval = 0
        return
    if g.tried >= len(args) or (t.has("q") and g.found):
        t.exitval = 0 if g.found else 1


@toybox_command("grep", GREP_OPTS, argfail=2)
def grep(t: Toy) -> None:
    """``grep [-EFrivwcloqsHbhn] [-ABC NUM] [-m MAX] [-e REGEX]... [FILE]...``"""
    _grep_body(t, "grep")


@toybox_command("egrep", GREP_OPTS, argfail=2)
def egrep(t: Toy) -> None:
    """``egrep``: ``grep -E``."""
    _grep_body(t, "egrep")


@toybox_command("fgrep", GREP_OPTS, argfail=2)
def fgrep(t: Toy) -> None:
    """``fgrep``: ``grep -F``."""
    _grep_body(t, "fgrep")


GREP_COMMANDS = {"grep": grep, "egrep": egrep, "fgrep": fgrep}
