"""``sed`` of the simulated phone, after toybox 0.8.6's ``toys/posix/sed.c`` (Android 13's).

Scripts parse as toybox parses them (addresses ``N``, ``$``, ``/RE/``, ``\\cREc``, ``A,B``, ``A,+N``,
``!``; commands ``{ } : = a b c d D g G h H i l n N p P q Q r s t T w x y #``) and run line by line
with toybox's semantics: ``s///`` flags ``g p i I N w x``, ``&`` and ``\\1``...``\\9`` in the
replacement, printf escapes in patterns and replacements, ``-n -e -f -E/-r -s -i -z``. Errors in
toybox's words (``sed: bad pattern 's/a/b'@6 (X)``, ``sed: no previous regex``), status 1.

Toybox 0.8.6 behaviours kept: ``N`` on the last line ends without printing it; an empty address
regex (``//p``) is no address at all; ``q`` takes an exit code (``q5``).
One bug of 0.8.6 is not kept: ``s/x/y/2`` there copies uninitialised memory into the line (fixed
upstream in ``abd8b1b2``); here it replaces the second match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from runner.sim.filesystem import FsError
from runner.sim.posix_regex import RegexError, compile_posix, search
from runner.sim.toyopts import Toy, ToyExit, lines_of, toybox_command

_ESC_FROM = b"\\abefnrtv"
_ESC_TO = b"\\\a\b\x1b\f\n\r\t\v"


def _unescape(c: int) -> int:
    """Toybox's ``unescape``: the byte ``\\c`` stands for, or 0."""
    i = _ESC_FROM.find(bytes([c]))
    return _ESC_TO[i] if i >= 0 else 0


class _BadPattern(Exception):
    def __init__(self, at: int) -> None:
        self.at = at


@dataclass
class _Cmd:
    c: str
    lmatch: list[int] = field(default_factory=lambda: [0, 0])
    rmatch: list[re.Pattern | None] = field(default_factory=lambda: [None, None])
    not_: bool = False
    hit: int = 0
    arg1: bytes | None = None  # text, label, file name, y's "from"
    arg2: bytes | None = None  # s's replacement, y's "to"
    regex: re.Pattern | None = None  # s's pattern (None: the last regex used)
    nsub: int = 0
    sflags: set[str] = field(default_factory=set)
    occurrence: int = 0
    wfile: str | None = None
    end_block: int = 0  # for "{": index of its "}"


def _delimited(s: bytes, i: int, delim: int | None) -> tuple[bytes, int, int] | None:
    """``unescape_delimited_string``: (text, index after the closing delimiter, delimiter)."""
    if delim is None:
        if i >= len(s):
            return None
        d = s[i]
        i += 1
        if d == ord("\\"):
            if i >= len(s):
                return None
            d = s[i]
            i += 1
        if d in (ord("\\"), ord("\n")) or d == 0:
            return None
    else:
        d = delim
    out = bytearray()
    mode = 0
    while mode or i >= len(s) or s[i] != d:
        if i >= len(s):
            return None
        ch = s[i]
        nxt = s[i + 1] if i + 1 < len(s) else None
        if ch == ord("["):
            if not mode:
                mode = ord("]")
                if nxt in (ord("-"), ord("]")):
                    out.append(ch)
                    i += 1
            elif mode == ord("]") and nxt is not None and nxt in b".=:":
                out.append(ch)
                i += 1
                mode = s[i]
        elif mode and ch == mode:
            if mode == ord("]"):
                mode = 0
            else:
                out.append(ch)
                i += 1
                mode = ord("]")
        elif mode and ch == ord("-") and i > 0 and nxt is not None and s[i - 1] == nxt:
            i += 2
            continue
        elif ch == ord("\\"):
            if nxt is None:
                return None
            if nxt == d:
                i += 1
            elif nxt == ord("\\"):
                out.append(ch)
                i += 1
            else:
                c = _unescape(nxt)
                if c:
                    out.append(c)
                    i += 2
                    continue
                if not mode:
                    out.append(ch)
                    i += 1
        out.append(s[i])
        i += 1
    return bytes(out), i + 1, d


class _Script:
    """The parsed commands of all ``-e``/``-f`` sources."""

    def __init__(self, t: Toy) -> None:
        self.t = t
        self.cmds: list[_Cmd] = []
        self.depth = 0
        self.pending: _Cmd | None = None  # an a/i/c whose text continues in the next source
        self.wfiles: dict[str, bytearray] = {}

    def compile(self, pattern: bytes, extended: bool, icase: bool = False) -> re.Pattern:
        try:
            return compile_posix(pattern, extended=extended, icase=icase)
        except RegexError as e:
            shown = pattern.decode("utf-8", "surrogateescape") if pattern else "()"
            self.t.exit(f"bad regex '{shown}': {e}")
            raise

    def open_w(self, name: bytes) -> str:
        path = name.decode("utf-8", "surrogateescape")
        if path not in self.wfiles and path not in ("/dev/stdout", "/dev/stderr"):
            try:
                self.t.write_file(path, b"")
            except FsError as e:
                self.t.exit(f"{path}: {e}")
            self.wfiles[path] = bytearray()
        return path

    def parse(self, src: bytes) -> None:
        """``parse_pattern`` of one source (an ``-e`` argument or an ``-f`` file)."""
        i = 0
        if self.pending is not None:
            cmd, self.pending = self.pending, None
            i = self._text(cmd, src, 0, continued=True)
            if i < 0:
                return
        errstart = i
        try:
            while True:
                while True:
                    while i < len(src) and (chr(src[i]).isspace() or src[i] == ord(";")):
                        i += 1
                    if i < len(src) and src[i] == ord("#"):
                        while i < len(src) and src[i] != ord("\n"):
                            i += 1
                    else:
                        break
                if i >= len(src):
                    return
                errstart = i
                i = self._command(src, i)
        except _BadPattern as e:
            at = e.at
            ch = src[at : at + 1] or b"\0"
            shown = src[errstart:].decode("utf-8", "surrogateescape")
            self.t.inv.err(f"sed: bad pattern '{shown}'@{at - errstart + 1} (".encode())
            self.t.inv.err(ch + b")\n")
            self.t.exitval = 1
            raise ToyExit from None

    def _command(self, s: bytes, i: int) -> int:
        t = self.t
        cmd = _Cmd("")
        naddr = 0
        for n in range(2):
            if i < len(s) and s[i] == ord(","):
                i += 1
            elif n:
                break
            if n and i + 1 < len(s) and s[i] == ord("+") and chr(s[i + 1]).isdigit():
                m = re.match(rb"\d+", s[i + 1 :])
                assert m is not None
                cmd.lmatch[n] = -2 - int(m.group(0))
                i += 1 + m.end()
            elif i < len(s) and chr(s[i]).isdigit():
                m = re.match(rb"\d+", s[i:])
                assert m is not None
                cmd.lmatch[n] = int(m.group(0))
                i += m.end()
            elif i < len(s) and s[i] == ord("$"):
                cmd.lmatch[n] = -1
                i += 1
            elif i < len(s) and s[i] in b"/\\":
                got = _delimited(s, i, None)
                if got is None:
                    raise _BadPattern(i)
                text, i, _ = got
                if text:  # toybox: an empty address regex is no address at all
                    cmd.rmatch[n] = self.compile(text, t.has("r") or t.has("E"))
            else:
                break
            naddr = n + 1
        while i < len(s) and chr(s[i]).isspace():
            i += 1
        if i >= len(s):
            raise _BadPattern(i)
        if s[i] == ord("!"):
            cmd.not_ = True
            i += 1
        while i < len(s) and chr(s[i]).isspace():
            i += 1
        if i >= len(s):
            raise _BadPattern(i)
        c = chr(s[i])
        cmd.c = c
        i += 1
        if (c in "}:" and naddr) or (c in "aiqQr=" and naddr > 1):
            raise _BadPattern(i)
        if c == "{":
            self.depth += 1
        elif c == "}":
            if not self.depth:
                raise _BadPattern(i)
            self.depth -= 1
        elif c == "s":
            i = self._s(cmd, s, i)
        elif c == "w":
            i = self._wfile(cmd, s, i)
        elif c == "y":
            got = _delimited(s, i, None)
            if got is None:
                raise _BadPattern(i)
            cmd.arg1, i, d = got
            got = _delimited(s, i, d)
            if got is None or len(got[0]) != len(cmd.arg1):
                raise _BadPattern(i if got is None else got[1])
            cmd.arg2, i, _ = got
        elif c in "abcirtTqQw:":
            i = self._text(cmd, s, i, continued=False)
            if i < 0:
                return len(s)
        elif c not in "{dDgGhHlnNpPx=":
            raise _BadPattern(i)
        self.cmds.append(cmd)
        return i

    def _s(self, cmd: _Cmd, s: bytes, i: int) -> int:
        got = _delimited(s, i, None)
        if got is None:
            raise _BadPattern(i)
        pattern, i, d = got
        end = i
        while end >= len(s) or s[end] != d:
            if end >= len(s):
                raise _BadPattern(end)
            if s[end] == ord("\\"):
                end += 1
                if end >= len(s):
                    raise _BadPattern(end)
            end += 1
        cmd.arg2 = s[i:end]
        i = end + 1
        while i < len(s):
            ch = chr(s[i])
            if ch.isspace() and ch != "\n":
                i += 1
                continue
            if ch in "igpx":
                cmd.sflags.add(ch)
            elif ch == "I":
                cmd.sflags.add("i")
            elif not cmd.occurrence and ch.isdigit() and ch != "0":
                m = re.match(rb"\d+", s[i:])
                assert m is not None
                cmd.occurrence = int(m.group(0))
                i += m.end()
                continue
            else:
                break
            i += 1
        extended = self.t.has("r") or self.t.has("E") or "x" in cmd.sflags
        if pattern:
            cmd.regex = self.compile(pattern, extended, "i" in cmd.sflags)
            cmd.nsub = cmd.regex.groups
        if i < len(s) and s[i] == ord("w"):
            return self._wfile(cmd, s, i + 1)
        return i

    def _wfile(self, cmd: _Cmd, s: bytes, i: int) -> int:
        while i < len(s) and chr(s[i]).isspace():
            i += 1
        if i >= len(s):
            raise _BadPattern(i)
        end = s.find(b"\\;", i)
        stop = end if end >= 0 else len(s)
        nl = s.find(b"\n", i)
        if 0 <= nl < stop:
            stop = nl
        cmd.wfile = self.open_w(s[i:stop])
        return stop + 2 if end >= 0 and stop == end else stop

    def _text(self, cmd: _Cmd, s: bytes, i: int, continued: bool) -> int:
        """Arguments of ``a b c i r t T q Q w :``: a label or file up to a separator, or text to
        the end of the line (``\\`` at the end continues it on the next line or next ``-e``)."""
        c = cmd.c
        if not continued:
            while i < len(s) and chr(s[i]).isspace() and s[i] != ord("\n"):
                i += 1
        stops = b"}; \t\r\n\v\f" if c in ":btTqQ" else b"\n"
        end = i
        while end < len(s) and s[end] not in stops:
            end += 1
        if end == i:
            if c in "btTqQ":
                return i
            if cmd.arg1 is None and not continued:
                raise _BadPattern(i)
        if c in "qQ":
            m = re.match(rb"\d*", s[i:end])
            assert m is not None
            if m.end() != end - i:
                raise _BadPattern(i + m.end())
        chunk = s[i:end]
        if c not in "aci":
            cmd.arg1 = (cmd.arg1 + b"\n" if cmd.arg1 else b"") + chunk
            return end
        text = bytearray()
        j = 0
        while j < len(chunk):
            ch = chunk[j]
            if ch == ord("\\"):
                if j + 1 >= len(chunk):  # "\" at the end: the text goes on in the next line
                    cmd.arg1 = self._join(cmd.arg1, bytes(text), continued)
                    if end < len(s):
                        return self._text(cmd, s, end + 1, continued=True)
                    self.pending = cmd  # ... or in the next -e
                    if not any(k is cmd for k in self.cmds):
                        self.cmds.append(cmd)
                    return -1
                nxt = chunk[j + 1]
                text.append(_unescape(nxt) or nxt)
                j += 2
                continue
            text.append(ch)
            j += 1
        cmd.arg1 = self._join(cmd.arg1, bytes(text), continued)
        return end

    @staticmethod
    def _join(old: bytes | None, text: bytes, continued: bool) -> bytes:
        """Text continued from an earlier line follows a newline, unless it was empty so far."""
        if continued and old:
            return old + b"\n" + text
        return (old or b"") + text

    def finish(self) -> None:
        if self.depth:
            self.t.exit("no }")
        stack: list[int] = []
        for n, cmd in enumerate(self.cmds):
            if cmd.c == "{":
                stack.append(n)
            elif cmd.c == "}":
                self.cmds[stack.pop()].end_block = n


class _Run:
    """Running a script over lines (``sed_line``)."""

    def __init__(self, t: Toy, script: _Script) -> None:
        self.t = t
        self.script = script
        self.cmds = script.cmds
        self.count = 0
        self.remember = b""
        self.lastregex: re.Pattern | None = None
        self.out = bytearray()
        self.noeol = False
        self.restart: int | None = None
        self.quit = False
        self.width = 76  # 80 columns (adb's shell is no terminal) less 4, as toybox's "l" does

    def emit(self, line: bytes, eol: bool, target: str | None = None) -> None:
        """Toybox's ``emit``: a line (``eol``: with its newline); a line that came without one
        gets it when something follows."""
        data = line + (b"\n" if eol else b"")
        if target == "/dev/stderr":
            self.t.inv.err(data)
        elif target is not None and target != "/dev/stdout":
            self.script.wfiles[target] += data
        else:
            if self.noeol:
                self.out += b"\n"
            self.noeol = not eol
            self.out += data

    def regex(self, rx: re.Pattern | None) -> re.Pattern:
        if rx is None:
            if self.lastregex is None:
                self.t.exit("no previous regex")
            assert self.lastregex is not None
            return self.lastregex
        self.lastregex = rx
        return rx

    def line(self, line: bytes | None, last: bool, nextline: bytes | None) -> bytes | None:
        """Process one input line (with its delimiter); return what the next call must process
        instead of reading (``N`` glued lines), else None. ``last``: this is the ``$`` line."""
        if line is None or not line:
            return None
        delim = b"\0" if self.t.has("z") else b"\n"
        eol = line.endswith(delim)
        if eol:
            line = line[:-1]
        self.count += 1
        appends: list[tuple[str, bytes | None]] = []
        tea = False
        idx = self.restart or 0
        self.restart = None
        cur: bytes | None = line
        carry: bytes | None = None
        cmds = self.cmds
        while idx < len(cmds):
            cmd = cmds[idx]
            c = cmd.c
            if cmd.lmatch[0] or cmd.rmatch[0] is not None:
                miss = False
                if cmd.hit:
                    lm = cmd.lmatch[1]
                    if not lm:
                        if cmd.rmatch[1] is None:
                            cmd.hit = 0
                        elif cur is not None and self.regex(cmd.rmatch[1]).search(cur):
                            miss = True
                    elif (lm > 0 and lm < self.count) or (
                        lm < -1 and self.count == cmd.hit + (-lm - 1)
                    ):
                        cmd.hit = 0
                else:
                    lm = cmd.lmatch[0]
                    if not lm:
                        if cur is not None and self.regex(cmd.rmatch[0]).search(cur):
                            cmd.hit = self.count
                    elif lm == self.count or (lm == -1 and last):
                        cmd.hit = self.count
                    if not cmd.lmatch[1] and cmd.rmatch[1] is None:
                        miss = True
                skip = not (cmd.not_ ^ bool(cmd.hit))
                if miss or cmd.lmatch[1] == self.count:
                    cmd.hit = 0
                if skip:
                    idx = (cmd.end_block if c == "{" else idx) + 1
                    continue
            if cur is None:
                idx += 1
                continue
            if c in "ar":
                appends.append((c, cmd.arg1))
            elif c in "btT":
                t_was = tea
                if c != "b":
                    tea = False
                if c == "b" or (t_was ^ (c == "T")):
                    if not cmd.arg1:
                        break
                    target = next(
                        (n for n, k in enumerate(cmds) if k.c == ":" and k.arg1 == cmd.arg1), None
                    )
                    if target is None:
                        self.t.exit(f"no :{cmd.arg1.decode('utf-8', 'surrogateescape')}")
                    assert target is not None
                    idx = target
            elif c == "c":
                if not cmd.hit:
                    self.emit(cmd.arg1 or b"", True)
                cur = None
                continue
            elif c == "d":
                cur = None
                continue
            elif c == "D":
                nl = cur.find(b"\n")
                cur = b"" if nl < 0 else cur[nl + 1 :]
                if not cur:
                    cur = None
                else:
                    idx = 0
                continue
            elif c == "g":
                cur = self.remember
            elif c == "G":
                cur = cur + b"\n" + self.remember
            elif c == "h":
                self.remember = cur
            elif c == "H":
                self.remember = self.remember + b"\n" + cur
            elif c == "i":
                self.emit(cmd.arg1 or b"", True)
            elif c == "l":
                self._l(cur)
            elif c == "n":
                self.restart = idx + 1
                break
            elif c == "N":
                if nextline is not None:
                    self.restart = idx + 1
                    carry = cur + b"\n" + nextline
                    cur = None
                return self._done(None, eol, appends, carry)
            elif c in "pP":
                nl = cur.find(b"\n") if c == "P" else -1
                self.emit(cur[:nl] if nl >= 0 else cur, eol)
            elif c in "qQ":
                self.quit = True
                if not self.t.exitval and cmd.arg1:
                    self.t.exitval = int(cmd.arg1)
                if c == "Q":
                    cur = None
                break
            elif c == "s":
                cur, matched = self._s(cmd, cur)
                if matched:
                    if "p" in cmd.sflags:
                        self.emit(cur, eol)
                    tea = True
                    if cmd.wfile:
                        self.emit(cur, eol, cmd.wfile)
            elif c == "w":
                self.emit(cur, eol, cmd.wfile)
            elif c == "x":
                cur, self.remember = self.remember, cur
            elif c == "y":
                assert cmd.arg1 is not None and cmd.arg2 is not None
                cur = cur.translate(bytes.maketrans(*_y_tables(cmd.arg1, cmd.arg2)))
            elif c == "=":
                self.emit(str(self.count).encode(), True)
            idx += 1
        if cur is not None and not self.t.has("n"):
            self.emit(cur, eol)
        return self._done(cur, eol, appends, carry)

    def _done(
        self, cur: bytes | None, eol: bool, appends: list[tuple[str, bytes | None]], carry
    ) -> bytes | None:
        for kind, arg in appends:
            if kind == "r":
                if arg is None:
                    continue
                try:
                    data = self.t.inv.phone.fs.read(arg.decode("utf-8", "surrogateescape"))
                except FsError:
                    continue
                if self.noeol:
                    self.out += b"\n"
                self.noeol = False
                self.out += data
            elif arg is not None:
                self.emit(arg, True)
            else:
                self.emit(b"", False)
        return carry

    def _l(self, line: bytes) -> None:
        buf = bytearray()
        for b in line:
            if len(buf) >= self.width:
                self.emit(bytes(buf) + b"\\", True)
                buf = bytearray()
            x = b"\\\a\b\f\r\t\v".find(bytes([b]))
            if x >= 0:
                buf += b"\\" + b"\\abfrtv"[x : x + 1]
            elif b >= 32:
                buf.append(b)
            else:
                buf += f"\\{b:03o}".encode()
        self.emit(bytes(buf) + b"$", True)

    def _s(self, cmd: _Cmd, line: bytes) -> tuple[bytes, bool]:
        rx = self.regex(cmd.regex)
        new = cmd.arg2 or b""
        out = bytearray()
        pos = 0
        count = 0
        matched = False
        zmatch = True
        while True:
            m = search(rx, line, pos)
            if m is None:
                break
            matched = True
            so, eo = m.span()
            if so == eo and not zmatch:  # an empty match right after a match does not count
                if pos == len(line):
                    break
                out.append(line[pos])
                pos += 1
                zmatch = True
                continue
            zmatch = False
            count += 1
            if cmd.occurrence and cmd.occurrence != count:
                out += line[pos:eo]
                pos = eo
                continue
            out += line[pos:so]
            k = 0
            while k < len(new):
                ch = new[k]
                if ch == ord("\\") and k + 1 < len(new):
                    k += 1
                    d = new[k] - ord("0")
                    if 0 <= d <= 9:
                        if d > rx.groups:
                            self.t.exit(f"no s//\\{d}/")
                        g = m.group(d)
                        if g is not None:
                            out += g
                    else:
                        out.append(_unescape(new[k]) or new[k])
                elif ch == ord("&"):
                    out += m.group(0)
                else:
                    out.append(ch)
                k += 1
            pos = eo
            if "g" not in cmd.sflags:
                break
            if so == eo and pos >= len(line):
                break
        if not matched:
            return line, False
        out += line[pos:]
        return bytes(out), True


def _y_tables(src: bytes, dst: bytes) -> tuple[bytes, bytes]:
    """``y/src/dst/``: the first occurrence of a byte in ``src`` decides its replacement."""
    seen: dict[int, int] = {}
    for a, b in zip(src, dst, strict=True):
        seen.setdefault(a, b)
    return bytes(seen), bytes(seen.values())


@toybox_command("sed", "(help)(version)e*f*i:;nErz(null-data)s[+Er]")
def sed(t: Toy) -> None:
    """``sed [-inrszE] [-e SCRIPT]...|SCRIPT [-f SCRIPT_FILE]... [FILE...]``."""
    if t.has("version"):
        t.out("This is not GNU sed version 9.0\n")
        return
    args = list(t.args)
    script = _Script(t)
    if not t["e"] and not t["f"]:
        if not args:
            t.exit("no pattern")
        t.values["e"] = [args.pop(0)]
    for src in t["e"]:
        script.parse(src.encode("utf-8", "surrogateescape"))
    for path in t["f"]:
        data = t.read_file(path)
        if data is None:
            raise ToyExit
        for line in lines_of(data):
            script.parse(line.rstrip(b"\n"))
    script.pending = None
    script.finish()
    run = _Run(t, script)
    delim = b"\0" if t.has("z") else b"\n"
    separate = t.has("i") or t.has("s")
    fs = t.inv.phone.fs

    def process(lines: list[bytes]) -> None:
        for n, line in enumerate(lines):
            if run.quit:
                return
            nxt = lines[n + 1] if n + 1 < len(lines) else None
            glued = run.line(line, nxt is None, nxt)
            if glued is not None:  # N: the next line is this one and the next, glued
                lines[n + 1] = glued

    if t.has("i") and not args:
        t.exit("-i on stdin")
    if separate:
        for path in args or ["-"]:
            if t.has("i") and path == "-":
                t.error("-i on stdin")
                continue
            data = t.read_file(path)
            if data is None:
                continue
            run.count = 0
            for cmd in script.cmds:
                cmd.hit = 0
            if t.has("i"):
                saved, run.out, run.noeol = run.out, bytearray(), False
                process(lines_of(data, delim))
                try:
                    if t["i"]:
                        fs.write(path + t["i"], data)
                    fs.write(path, bytes(run.out))
                except FsError as e:
                    t.perror(path, e)
                run.out, run.noeol = saved, False
            else:
                process(lines_of(data, delim))
                run.noeol = False
            if run.quit:
                break
    else:
        everything: list[bytes] = []
        for _name, data in t.inputs(args):
            everything += lines_of(data, delim)
        process(everything)
    for path, buf in script.wfiles.items():
        try:
            t.write_file(path, bytes(buf))
        except FsError as e:
            t.perror(path, e)
    t.out(bytes(run.out))
