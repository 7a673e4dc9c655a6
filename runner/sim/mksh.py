"""mksh's builtins on the simulated phone: ``echo``, ``test``/``[``, ``true``, ``false``, ``:``,
``pwd`` (Android's ``/system/bin/sh`` is mksh R59c).

Android builds mksh without ``MKSH_BINSHREDUCED``, so its ``echo`` takes ``-n``, ``-e``, ``-E`` (in
arguments made only of those letters: ``echo -nq`` prints ``-nq``) and expands backslash escapes by
default (``\\t``, ``\\0NNN``, ``\\xHH``, ``\\uHHHH``, ``\\c``). ``test`` follows POSIX's
argument-count rules, then ``! -a -o ( )``; ``-eq``'s operands are arithmetic (a name is a variable);
errors are mksh's (``/system/bin/sh: [: missing ]``, status 2).
"""

from __future__ import annotations

import re

from runner.sim.filesystem import normalize
from runner.sim.shell import SH, CommandFn, Invocation

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


MKSH_BUILTINS: dict[str, CommandFn] = {
    "echo": echo, "test": test, "[": test, "true": true, "false": false, ":": true, "pwd": pwd,
}  # fmt: skip
"""Names mksh runs itself; a path (``/system/bin/echo``) runs toybox's command instead."""
