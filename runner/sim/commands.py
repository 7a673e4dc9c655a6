"""The simulated phone's shell commands that are neither Android's own tools (:mod:`android_tools`)
nor text filters (:mod:`textutils`, :mod:`grep`, :mod:`sed`) nor file commands (:mod:`fileutils`):
mksh's builtins ``echo``, ``test``/``[``, ``true``, ``false``, ``:``, ``pwd``; toybox's ``printf``,
``xargs``, ``env``, ``which``, ``id``, ``whoami``, ``uname``, ``date``, ``sleep``, ``ps``, ``pidof``,
``sh -c`` and the ``toybox`` multiplexer; Android's ``getprop``/``setprop``.

Each takes an :class:`~runner.sim.shell.Invocation` and returns an exit status; messages are worded
as mksh (R59c) and toybox (0.8.6) word them, because clients grep them (uiautomator2 looks for
"not found" after ``toybox md5sum``). ``CORE_COMMANDS`` is the table the shell looks names up in;
``TOYBOX`` holds what ``toybox NAME`` (and ``/system/bin/NAME``) runs, so ``/system/bin/echo`` is
toybox's echo (no escapes without ``-e``) while plain ``echo`` is mksh's (escapes by default).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import trio

from runner.sim.filesystem import normalize
from runner.sim.fileutils import FILE_COMMANDS
from runner.sim.grep import GREP_COMMANDS
from runner.sim.sed import sed
from runner.sim.shell import SH, CommandFn, Invocation
from runner.sim.textutils import TEXT_COMMANDS
from runner.sim.toyopts import Toy, atolx, toybox_command

# ------------------------------------------------------------------------------ mksh builtins

_MKSH_ESCAPES = {"a": "\a", "b": "\b", "E": "\x1b", "e": "\x1b", "f": "\f", "n": "\n",
                 "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}  # fmt: skip


def _mksh_unbackslash(text: str) -> tuple[str, bool]:
    """mksh's ``print``/``echo`` escapes (``unbksl``, not C style); (text, ``\\c`` seen)."""
    out: list[str] = []
    stop = False
    i = 0
    while i < len(text):
        c = text[i]
        i += 1
        if c != "\\":
            out.append(c)
            continue
        nxt = text[i] if i < len(text) else ""
        if nxt in _MKSH_ESCAPES:
            out.append(_MKSH_ESCAPES[nxt])
            i += 1
        elif nxt == "0":
            m = re.match(r"[0-7]{0,3}", text[i + 1 :])
            assert m is not None
            out.append(_raw(int(m.group(0) or "0", 8) & 0xFF))
            i += 1 + m.end()
        elif nxt in ("x", "u", "U"):
            limit = {"x": 2, "u": 4, "U": 8}[nxt]
            m = re.match(rf"[0-9a-fA-F]{{0,{limit}}}", text[i + 1 :])
            assert m is not None
            if not m.group(0):
                out.append("\\")
                continue
            value = int(m.group(0), 16)
            out.append(chr(value) if nxt != "x" else _raw(value))
            i += 1 + m.end()
        elif nxt == "c":
            stop = True
            i += 1
        elif nxt == "":
            out.append("\\")
        else:
            out.append("\\")
    return "".join(out), stop


def _raw(byte: int) -> str:
    """A byte made by ``\\x``/``\\0`` (not a character): surrogate-escaped when above ASCII."""
    return chr(byte) if byte < 0x80 else chr(0xDC00 + byte)


async def echo(inv: Invocation) -> int:
    """mksh's ``echo`` (Android builds mksh without ``MKSH_BINSHREDUCED``): ``-n``, ``-e``, ``-E``
    options (only in arguments made of those letters), backslash escapes on by default."""
    args = inv.argv[1:]
    expand, newline = True, True
    while args and re.fullmatch(r"-[neE]+", args[0]):
        for ch in args[0][1:]:
            if ch == "n":
                newline = False
            else:
                expand = ch == "e"
        args = args[1:]
    parts: list[bytes] = []
    for arg in args:
        if expand:
            text, stop = _mksh_unbackslash(arg)
            if stop:
                newline = False
            parts.append(text.encode("utf-8", "surrogateescape"))
        else:
            parts.append(arg.encode("utf-8", "surrogateescape"))
    inv.out(b" ".join(parts) + (b"\n" if newline else b""))
    return 0


async def true(inv: Invocation) -> int:
    return 0


async def false(inv: Invocation) -> int:
    return 1


async def pwd(inv: Invocation) -> int:
    inv.out(inv.env.get("PWD", "/") + "\n")
    return 0


class _TestError(Exception):
    def __init__(self, msg: str, operand: str | None = None) -> None:
        self.msg, self.operand = msg, operand


_UNARY = {"-e", "-f", "-d", "-r", "-w", "-x", "-s", "-z", "-n", "-L", "-h", "-b", "-c", "-p",
          "-S", "-t", "-O", "-G", "-u", "-g", "-k", "-a"}  # fmt: skip
_BINARY = {"=", "==", "!=", "<", ">", "-eq", "-ne", "-gt", "-ge", "-lt", "-le", "-nt", "-ot", "-ef"}


class _Test:
    """mksh's ``test``/``[`` (POSIX's argument-count rules, then ``! -a -o ( )``)."""

    def __init__(self, inv: Invocation, args: list[str]) -> None:
        self.inv = inv
        self.args = args
        self.pos = 0

    def number(self, text: str, depth: int = 0) -> int:
        """mksh evaluates ``-eq``'s operands as arithmetic: numbers, or variables holding them."""
        s = text.strip()
        if re.fullmatch(r"[+-]?\d+", s):
            return int(s)
        if not s:
            return 0
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s) and depth < 8:
            return self.number(self.inv.env.get(s, ""), depth + 1)
        self.inv.err(f"{SH}: {text}: bad number\n")
        raise _TestError("")

    def unary(self, op: str, operand: str) -> bool:
        if op == "-z":
            return not operand
        if op == "-n":
            return bool(operand)
        if op == "-t":
            return False
        e = self.inv.phone.fs.stat(normalize(operand)) if operand else None
        if op == "-a" or op == "-e":
            return e is not None
        if e is None:
            return False
        if op == "-f":
            return not e.is_dir
        if op == "-d":
            return e.is_dir
        if op == "-s":
            return e.size > 0
        if op in ("-r", "-w", "-x"):
            return True if op != "-x" else e.is_dir or bool(e.mode & 0o111)
        return False

    def binary(self, left: str, op: str, right: str) -> bool:
        if op in ("=", "=="):
            return left == right
        if op == "!=":
            return left != right
        if op == "<":
            return left < right
        if op == ">":
            return left > right
        if op in ("-nt", "-ot", "-ef"):
            fs = self.inv.phone.fs
            a, b = fs.stat(left), fs.stat(right)
            if op == "-ef":
                return a is not None and normalize(left) == normalize(right)
            if a is None or b is None:
                return (a is not None) if op == "-nt" else (b is not None)
            return a.mtime > b.mtime if op == "-nt" else a.mtime < b.mtime
        x, y = self.number(left), self.number(right)
        return {"-eq": x == y, "-ne": x != y, "-gt": x > y, "-ge": x >= y, "-lt": x < y,
                "-le": x <= y}[op]  # fmt: skip

    def run(self) -> bool:
        a = self.args
        n = len(a)
        if n == 0:
            return False
        if n == 1:
            return bool(a[0])
        if n == 2:
            if a[0] == "!":
                return not a[1]
            if a[0] in _UNARY:
                return self.unary(a[0], a[1])
        if n == 3:
            if a[1] in _BINARY:
                return self.binary(a[0], a[1], a[2])
            if a[1] in ("-a", "-o"):
                return (bool(a[0]) and bool(a[2])) if a[1] == "-a" else (bool(a[0]) or bool(a[2]))
            if a[0] == "!":
                return not _Test(self.inv, a[1:]).run()
            if a[0] == "(" and a[2] == ")":
                return bool(a[1])
        if n == 4 and a[0] == "!":
            return not _Test(self.inv, a[1:]).run()
        if n == 4 and a[0] == "(" and a[3] == ")":
            return _Test(self.inv, a[1:3]).run()
        value = self.oexpr()
        if self.pos < n:
            raise _TestError("unexpected operator/operand", a[self.pos])
        return value

    def peek(self) -> str | None:
        return self.args[self.pos] if self.pos < len(self.args) else None

    def oexpr(self) -> bool:
        value = self.aexpr()
        while self.peek() == "-o":
            self.pos += 1
            value = self.aexpr() or value
        return value

    def aexpr(self) -> bool:
        value = self.nexpr()
        while self.peek() == "-a":
            self.pos += 1
            value = self.nexpr() and value
        return value

    def nexpr(self) -> bool:
        if self.peek() == "!":
            self.pos += 1
            return not self.nexpr()
        return self.primary()

    def primary(self) -> bool:
        tok = self.peek()
        if tok is None:
            raise _TestError("expression expected")
        if tok == "(":
            self.pos += 1
            value = self.oexpr()
            if self.peek() != ")":
                raise _TestError("missing )", self.peek())
            self.pos += 1
            return value
        self.pos += 1
        if tok in _UNARY and self.pos < len(self.args):
            operand = self.args[self.pos]
            self.pos += 1
            return self.unary(tok, operand)
        if tok in _UNARY:
            raise _TestError("missing second argument", tok)
        if self.peek() in _BINARY:
            op = self.args[self.pos]
            self.pos += 1
            if self.peek() is None:
                raise _TestError("missing second argument", op)
            right = self.args[self.pos]
            self.pos += 1
            return self.binary(tok, op, right)
        return bool(tok)


async def test(inv: Invocation) -> int:
    """mksh's ``test`` and ``[``: 0 true, 1 false, 2 on errors (``/system/bin/sh: [: missing ]``)."""
    name = inv.argv[0].rsplit("/", 1)[-1]
    args = inv.argv[1:]
    if name == "[":
        if not args or args[-1] != "]":
            inv.err(f"{SH}: [: missing ]\n")
            return 2
        args = args[:-1]
    try:
        return 0 if _Test(inv, args).run() else 1
    except _TestError as e:
        if e.msg:
            where = f"{e.operand}: " if e.operand is not None else ""
            inv.err(f"{SH}: {name}: {where}{e.msg}\n")
        return 2


# ------------------------------------------------------------------------------ toybox: echo, printf


@toybox_command("echo", "^?Een[-eE]")
def toybox_echo(t: Toy) -> None:
    """toybox's ``echo [-neE] [ARG...]`` (``/system/bin/echo``): escapes only with ``-e``."""
    out = bytearray()
    for n, arg in enumerate(t.args):
        if n:
            out += b" "
        data = arg.encode("utf-8", "surrogateescape")
        if not t.has("e"):
            out += data
            continue
        i = 0
        while i < len(data):
            c = data[i]
            i += 1
            if c != ord("\\") or i >= len(data):
                out.append(c)
                continue
            nxt = chr(data[i])
            if nxt == "c":
                t.out(bytes(out))
                return
            m = re.match(rb"0([0-7]{1,3})|x([0-9a-fA-F]{1,2})", data[i:])
            if m:
                out.append(int(m.group(1) or m.group(2), 8 if m.group(1) else 16) & 0xFF)
                i += m.end()
            elif nxt in "\\abefnrtv":
                out.append(b"\\\a\b\x1b\f\n\r\t\v"["\\abefnrtv".index(nxt)])
                i += 1
            else:
                out.append(c)
    if not t.has("n"):
        out += b"\n"
    t.out(bytes(out))


def _printf_escape(text: bytes, i: int, posix: bool, t: Toy) -> tuple[bytes, int, bool]:
    """``handle_slash`` at ``text[i]`` (after a backslash): (bytes, next index, stop output)."""
    if i < len(text) and text[i] == ord("c"):
        return b"", i + 1, True
    base, j = 0, i
    if j < len(text) and text[j] == ord("x"):
        base, j = 16, j + 1
    else:
        if posix and j < len(text) and text[j] == ord("0"):
            j += 1
        if j < len(text) and ord("0") <= text[j] <= ord("7"):
            base = 8
    if not base:
        c = text[i] if i < len(text) else 0
        idx = b"\\abefnrtv".find(bytes([c])) if c else -1
        if idx < 0:
            return b"\\", i, False
        return b"\\\a\b\x1b\f\n\r\t\v"[idx : idx + 1], i + 1, False
    digits = "0123456789abcdef"[:base]
    value, n = 0, 0
    while n < (3 if base == 8 else 2) and j < len(text) and chr(text[j]).lower() in digits:
        value = value * base + int(chr(text[j]), base)
        j += 1
        n += 1
    if base == 16 and not n:
        t.exit("bad \\x")
    return bytes([value & 0xFF]), j, False


def _c_int(text: str) -> tuple[int, bool]:
    """``strtoll(text, &end, 0)``: the value and whether all of the text was a number."""
    if text[:1] in ("'", '"'):
        return (ord(text[1]) if len(text) > 1 else 0), True
    m = re.match(r"\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)", text)
    if not m:
        return 0, not text
    digits = m.group(2)
    base = (
        16
        if digits[:2].lower() == "0x"
        else 8
        if digits.startswith("0") and len(digits) > 1
        else 10
    )
    value = int(digits[2:] if base == 16 else digits, base) * (-1 if m.group(1) == "-" else 1)
    return value, m.end() == len(text)


def _c_float(text: str) -> tuple[float, bool]:
    m = re.match(r"\s*[+-]?(inf(inity)?|nan|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)", text, re.I)
    if not m:
        return 0.0, not text
    return float(m.group(0)), m.end() == len(text)


@toybox_command("printf", "<1?^")
def printf(t: Toy) -> None:
    """``printf FORMAT [ARGUMENT...]`` with toybox's escapes and ``%bcdiouxXeEfgGs``."""
    fmt = t.args[0].encode("utf-8", "surrogateescape")
    args = list(t.args[1:])
    out = bytearray()
    try:
        while True:
            seen = False
            i = 0
            while i < len(fmt):
                c = fmt[i]
                i += 1
                if c == ord("\\"):
                    piece, i, stop = _printf_escape(fmt, i, False, t)
                    out += piece
                    if stop:
                        return
                    continue
                if c != ord("%") or (i < len(fmt) and fmt[i] == ord("%")):
                    if c == ord("%"):
                        i += 1
                    out.append(c)
                    continue
                m = re.match(rb"([-+# '0]*)(\*|\d*)(?:\.(\*|\d*))?", fmt[i:])
                assert m is not None
                flags = m.group(1).decode().replace("'", "")
                width, prec = m.group(2).decode(), m.group(3)
                i += m.end()
                if width == "*":
                    width = str(atolx(t, args.pop(0))) if args else "0"
                if prec is not None:
                    prec = prec.decode()
                    if prec == "*":
                        prec = str(atolx(t, args.pop(0))) if args else "0"
                    prec = prec or "0"
                conv = chr(fmt[i]) if i < len(fmt) else ""
                i += 1
                seen = True
                arg = args.pop(0) if args else ""
                spec = "%" + flags + width + ("." + prec if prec is not None else "")
                if conv == "b":
                    data = arg.encode("utf-8", "surrogateescape")
                    k = 0
                    while k < len(data):
                        if data[k] == ord("\\"):
                            piece, k, stop = _printf_escape(data, k + 1, True, t)
                            out += piece
                            if stop:
                                return
                        else:
                            out.append(data[k])
                            k += 1
                elif conv == "c":  # the first byte; of an empty argument, its NUL
                    first = arg.encode("utf-8", "surrogateescape")[:1] or b"\0"
                    out += ("%" + flags + width + "s").encode() % first
                elif conv == "s":
                    out += (spec + "s").encode() % arg.encode("utf-8", "surrogateescape")
                elif conv and conv in "diouxX":
                    value, ok = _c_int(arg)
                    if conv in "ouxX" and value < 0:
                        value += 1 << 64
                    out += (spec + (conv if conv != "i" else "d")).encode() % value
                    if not ok:
                        t.error(f"bad %{conv} {arg}")
                elif conv and conv in "feEgG":
                    value, ok = _c_float(arg)
                    out += (spec + conv).encode() % value
                    if not ok:
                        t.error(f"bad %{conv} {arg}")
                else:
                    t.exit(f"bad %{conv}@{i}")
            if not seen or not args:
                break
    finally:
        t.out(bytes(out))


# ------------------------------------------------------------------------------ toybox: processes


@toybox_command("xargs", "^E:P#<0=1optrn#<1(max-args)s#0[!0E]")
async def xargs(t: Toy) -> None:
    """``xargs [-0prt] [-s NUM] [-n NUM] [-E STR] COMMAND...``: stdin's words as arguments.
    Toybox 0.8.6 splits on whitespace only (no quotes) and has no ``-I``."""
    command = t.args or ["echo"]
    data = t.inv.stdin
    if t.has("0"):
        words = [w.decode("utf-8", "surrogateescape") for w in data.split(b"\0")]
        if words and words[-1] == "":
            words.pop()
    else:
        words = []
        for w in data.split():
            if t["E"] is not None and w.decode("utf-8", "surrogateescape") == t["E"]:
                break
            words.append(w.decode("utf-8", "surrogateescape"))
    per = t["n"] or len(words) or 1
    chunks = [words[k : k + per] for k in range(0, len(words), per)] or ([] if t.has("r") else [[]])
    for chunk in chunks:
        argv = [*command, *chunk]
        if t.has("t") or t.has("p"):
            t.inv.err(" ".join(argv) + " \n")
        if command[0] not in t.inv.shell.commands and not command[0].startswith("/"):
            t.error(f"exec {command[0]}: No such file or directory")
            t.exitval = 127
            return
        status = await t.inv.run_command(argv)
        if status == 255:
            t.error(f"{command[0]}: exited with status 255; aborting")
            t.exitval = 124
            return
        if status in (126, 127):
            t.exitval = status
        elif status:
            t.exitval = 123


@toybox_command("env", "^i0u*")
async def env(t: Toy) -> int | None:
    """``env [-i] [-u NAME] [NAME=VALUE...] [COMMAND...]``."""
    args = list(t.args)
    if args and args[0] == "-":
        t.flags["i"] = True
        args.pop(0)
    environ = {} if t.has("i") else dict(t.inv.env)
    for name in t["u"] if not t.has("i") else []:
        environ.pop(name, None)
    while args and "=" in args[0]:
        k, _, v = args.pop(0).partition("=")
        environ[k] = v
    if args:
        name = args[0]
        if name not in t.inv.shell.commands and name.rsplit("/", 1)[-1] not in t.inv.shell.commands:
            t.error(f"exec {name}: No such file or directory")
            return 127
        return await t.inv.run_command(args, env=environ)
    end = "\0" if t.has("0") else "\n"
    t.out("".join(f"{k}={v}{end}" for k, v in environ.items()))
    return None


@toybox_command("which", "<1a")
def which(t: Toy) -> None:
    """``which [-a] COMMAND...``: where in ``$PATH`` a command is (all of ours are in /system/bin,
    except mksh's builtins ``[``... which toybox finds too, as /system/bin has them)."""
    commands = t.inv.shell.commands
    for name in t.args:
        if "/" in name:
            base = name.rsplit("/", 1)[-1]
            if name.startswith(("/system/bin/", "/system/xbin/")) and base in commands:
                t.out(name + "\n")
            else:
                t.exitval = 1
        elif name in commands and name not in (":",):
            t.out(f"/system/bin/{name}\n")
        else:
            t.exitval = 1


async def sleep(inv: Invocation) -> int:
    try:
        seconds = float(inv.argv[1]) if len(inv.argv) > 1 else 0.0
    except ValueError:
        inv.err(f"sleep: invalid number '{inv.argv[1]}'\n")
        return 1
    await inv.flush()
    await trio.sleep(min(seconds, 3600))
    return 0


async def sh(inv: Invocation) -> int:
    if len(inv.argv) >= 3 and inv.argv[1] == "-c":
        return await inv.run_script(inv.argv[2])
    return 0


def _processes(inv: Invocation) -> list[tuple[int, str]]:
    phone = inv.phone
    procs = [(1, "init"), (612, "zygote64"), (1203, "system_server")]
    for n, app in enumerate(sorted(phone.apps.values(), key=lambda a: a.package)):
        if app.running:
            procs.append((10000 + n * 37, app.package))
    if phone.uia_alive:
        procs.append((9008, "uiautomator"))
    return procs


async def ps(inv: Invocation) -> int:
    inv.out("USER            PID   PPID     VSZ    RSS WCHAN            ADDR S NAME\n")
    for pid, name in _processes(inv):
        user = "root" if pid < 2000 else "u0_a123"
        inv.out(f"{user:<12} {pid:>7} {612:>6} 1234567 123456 0                   0 S {name}\n")
    return 0


async def pidof(inv: Invocation) -> int:
    pids = [str(pid) for pid, name in _processes(inv) if name in inv.argv[1:]]
    if not pids:
        return 1
    inv.out(" ".join(pids) + "\n")
    return 0


# ------------------------------------------------------------------------------ toybox: identity, time

_GROUPS = [(2000, "shell"), (1004, "input"), (1007, "log"), (1011, "adb"), (1015, "sdcard_rw"),
           (1028, "sdcard_r"), (3001, "net_bt_admin"), (3002, "net_bt"), (3003, "inet"),
           (3006, "net_bw_stats")]  # fmt: skip


@toybox_command("id", ">1ZnGgru[!ZGgu]")
def id_(t: Toy) -> None:
    """``id [-nGgru] [-Z]``: the ``shell`` user (uid 2000) and its groups."""
    if t.args and t.args[0] not in ("shell", "2000"):
        t.exit(f"no such user '{t.args[0]}'")
    name = t.has("n")
    if t.has("u") or t.has("g"):  # uid and gid are both shell's (2000)
        t.out(("shell" if name else "2000") + "\n")
    elif t.has("G"):
        t.out(" ".join(g if name else str(n) for n, g in _GROUPS) + "\n")
    elif t.has("Z"):
        t.out("u:r:shell:s0\n")
    else:
        groups = ",".join(f"{n}({g})" for n, g in _GROUPS)
        t.out(f"uid=2000(shell) gid=2000(shell) groups={groups} context=u:r:shell:s0\n")


@toybox_command("whoami", ">0")
def whoami(t: Toy) -> None:
    """``whoami`` (toybox's ``logname``)."""
    t.out("shell\n")


_UNAME = {
    "s": "Linux",
    "n": "localhost",
    "r": "5.10.157-android13-4-00001-g1ba4b1d5b2e5-ab10000000",
    "v": "#1 SMP PREEMPT Mon Jan 1 00:00:00 UTC 2024",
    "m": "aarch64",
    "o": "Toybox",
}


@toybox_command("uname", "aomvrns")
def uname(t: Toy) -> None:
    """``uname [-asnrvmo]``."""
    keys = "snrvmo" if t.has("a") else [k for k in "snrvmo" if t.has(k)] or ["s"]
    t.out(" ".join(_UNAME[k] for k in keys) + "\n")


def _phone_zone(inv: Invocation) -> dt.tzinfo:
    name = inv.phone.props.get("persist.sys.timezone") or "UTC"
    try:
        return ZoneInfo(name)
    except Exception:  # an unknown zone: bionic falls back to UTC too
        return dt.UTC


_DATE_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%a %b %d %H:%M:%S %Z %Y", "%H:%M:%S",
                 "%Y-%m-%d %H:%M", "%Y-%m-%d", "%H:%M", "%m%d%H%M", "%m%d%H%M%y", "%m%d%H%M%Y"]  # fmt: skip


def _parse_date(t: Toy, text: str, zone: dt.tzinfo) -> dt.datetime:
    """``xparsedate``: ``@UNIXTIME`` or one of toybox's formats (fields not given: today's)."""
    if text.startswith("@"):
        try:
            return dt.datetime.fromtimestamp(float(text[1:]), zone)
        except ValueError:
            pass
    now = dt.datetime.now(zone)
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if "%Y" not in fmt and "%y" not in fmt:
            parsed = parsed.replace(year=now.year)
        if "%d" not in fmt:
            parsed = parsed.replace(month=now.month, day=now.day)
        return parsed.replace(tzinfo=zone)
    t.exit(f"bad date {text}")
    raise AssertionError


@toybox_command("date", "d:D:I(iso)(iso-8601):;r:s:u(utc)[!dr]")
def date(t: Toy) -> None:
    """``date [-u] [-d DATE] [-r FILE] [+FORMAT]``; setting the clock fails as for ``shell``."""
    zone: dt.tzinfo = dt.UTC if t.has("u") else _phone_zone(t.inv)
    fmt = "%a %b %e %H:%M:%S %Z %Y"
    if t.has("I"):
        which = (t["I"] or "d")[:1]
        iso = {"d": "%F", "h": "%FT%H%:z", "m": "%FT%R%:z", "s": "%FT%T%:z", "n": "%FT%T,%N%:z"}
        if which not in iso:
            t.help_exit(f"bad -I: {t['I']}")
        fmt = iso[which]
    if t["d"] is not None:
        when = _parse_date(t, t["d"], zone)
    elif t["r"] is not None:
        e = t.inv.phone.fs.stat(t["r"])
        if e is None:
            t.exit(f"{t['r']}: No such file or directory")
        assert e is not None
        when = dt.datetime.fromtimestamp(e.mtime, zone)
    else:
        when = dt.datetime.now(zone)
    setdate = t.args[0] if t.args else None
    if t.has("s"):
        if setdate:
            t.help_exit("can't set two dates at once")
        setdate = t["s"]
    if setdate and setdate.startswith("+"):
        fmt = setdate[1:]
    elif setdate:
        when = _parse_date(t, setdate, zone)
        t.error("cannot set date: Operation not permitted")
    nanos = f"{when.microsecond * 1000:09d}"
    fmt = re.sub(r"%(\d?)N", lambda m: nanos[: int(m.group(1) or 9)], fmt)
    offset = when.strftime("%z")
    fmt = fmt.replace("%:z", f"{offset[:3]}:{offset[3:]}")
    t.out(when.strftime(fmt) + "\n")


# ------------------------------------------------------------------------------ Android: properties


def _properties(inv: Invocation) -> dict[str, str]:
    """The phone's properties, with the system language as ``SimPhone.locale`` says."""
    phone = inv.phone
    locale = getattr(phone, "locale", "en-US")
    props = dict(phone.props)
    props["persist.sys.locale"] = locale
    props["ro.product.locale"] = locale
    return props


async def getprop(inv: Invocation) -> int:
    """Android's ``getprop [NAME [DEFAULT]]``: one value, or every ``[name]: [value]`` sorted."""
    props = _properties(inv)
    args = [a for a in inv.argv[1:] if a not in ("-T", "-Z")]
    if not args:
        for k in sorted(props):
            inv.out(f"[{k}]: [{props[k]}]\n")
    elif len(args) > 2:
        inv.err("usage: getprop [-TZ] [NAME [DEFAULT]]\n")
        return 1
    else:
        inv.out(props.get(args[0], args[1] if len(args) > 1 else "") + "\n")
    return 0


async def setprop(inv: Invocation) -> int:
    if len(inv.argv) != 3:
        inv.err("setprop: need 2 arguments\n")
        return 1
    inv.err(f"Failed to set property '{inv.argv[1]}' to '{inv.argv[2]}'.\n")
    return 1


# ------------------------------------------------------------------------------ tables

TOYBOX: dict[str, CommandFn] = {
    **TEXT_COMMANDS, **GREP_COMMANDS, **FILE_COMMANDS, "sed": sed, "echo": toybox_echo,
    "printf": printf, "true": true, "false": false, "test": test, "[": test, "xargs": xargs,
    "env": env, "which": which, "sleep": sleep, "ps": ps, "pidof": pidof, "id": id_,
    "whoami": whoami, "uname": uname, "date": date, "pwd": pwd, "getprop": getprop,
    "setprop": setprop,
}  # fmt: skip


async def toybox(inv: Invocation) -> int:
    """``toybox NAME args``: the multiplexer uiautomator2 calls for ``md5sum``."""
    if len(inv.argv) < 2:
        inv.out(" ".join(sorted(TOYBOX)) + "\n")
        return 0
    fn = TOYBOX.get(inv.argv[1])
    if fn is None:
        inv.err(f'toybox: Unknown command {inv.argv[1]} (see "toybox --help")\n')
        return 1
    inv.argv = inv.argv[1:]
    return await fn(inv)


MKSH_BUILTINS: dict[str, CommandFn] = {
    "echo": echo, "test": test, "[": test, "true": true, "false": false, ":": true, "pwd": pwd,
}  # fmt: skip
"""Names mksh runs itself; a path (``/system/bin/echo``) runs toybox's command instead."""

CORE_COMMANDS: dict[str, CommandFn] = {**TOYBOX, **MKSH_BUILTINS, "toybox": toybox, "sh": sh}
