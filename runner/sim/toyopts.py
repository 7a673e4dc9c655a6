"""Toybox's conventions, for the simulated shell's toybox commands: option strings, messages, files.

Every toybox command declares its options in one string (``NEWTOY(head, "?n(lines)#<0=10c#...")``)
that ``lib/args.c`` parses; :func:`parse_options` reads the same strings (copied from toybox 0.8.6,
Android 13's), so options combine (``-in``), take values attached or not (``-n5``, ``-n 5``), may
follow the operands (``grep foo -c``), and fail in toybox's words and with its exit status:
``grep: Unknown option 'Q' (see "grep --help")`` (2 for grep, whose ``TOYFLAG_ARGFAIL`` is 2; 1 for
most). Supported in option strings: leading ``^ < > ?``; ``: * # - @`` with ``< > =`` bounds;
``(long)`` names; ``|`` (required) and ``^`` (stop after); groups ``[-...]``, ``[+...]``, ``[!...]``.

:class:`Toy` is what a command body gets: its flags and operands, ``error``/``perror`` (``name: msg``,
exit status 1 unless already set, like ``verror_msg``), ``exit`` (``error_exit``), and ``inputs``
(``loopfiles``: each operand's bytes, ``-`` or no operand for stdin, warnings for the missing ones).
:func:`toybox_command` turns a body into a shell command.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from runner.sim.filesystem import FsError
from runner.sim.shell import CommandFn, Invocation


class ToyExit(Exception):
    """End the command now (``xexit``); its status is the command's ``exitval``."""


@dataclass
class _Opt:
    c: str | None = None
    longs: list[str] = field(default_factory=list)
    type: str = ""
    low: int | None = None
    high: int | None = None
    default: Any = None
    required: bool = False
    stop: bool = False
    optional: bool = False  # ";": the value only comes attached (-iSUFFIX, --color=WHEN)
    off: set[str] = field(default_factory=set)  # [-...]: setting this clears these
    on: set[str] = field(default_factory=set)  # [+...]: setting this sets these
    excl: set[str] = field(default_factory=set)  # [!...]: these together are an error

    @property
    def key(self) -> str:
        return self.c or self.longs[0]


@dataclass
class _Spec:
    opts: list[_Opt]
    stopearly: int = 0
    minargs: int = 0
    maxargs: int | None = None
    noerror: bool = False


_SPECS: dict[str, _Spec] = {}


def _parse_spec(optstr: str) -> _Spec:
    spec = _Spec([])
    i = 0
    while i < len(optstr):
        ch = optstr[i]
        if ch == "^":
            spec.stopearly += 1
        elif ch in "<>":
            n = int(optstr[i + 1])
            i += 1
            if ch == "<":
                spec.minargs = n
            else:
                spec.maxargs = n
        elif ch == "?":
            spec.noerror = True
        else:
            break
        i += 1
    if i >= len(optstr):
        spec.stopearly += 1
    cur: _Opt | None = None
    while i < len(optstr) and optstr[i] != "[":
        ch = optstr[i]
        if cur is None:
            cur = _Opt()
            spec.opts.append(cur)
        if ch == "(" and not (cur.c is None and cur.longs):
            end = optstr.index(")", i)
            cur.longs.append(optstr[i + 1 : end])
            i = end + 1
            continue
        if ch in ":*#@-":
            cur.type = ch
        elif ch == "|":
            cur.required = True
        elif ch == "^":
            cur.stop = True
        elif ch in "<>=":
            j = i + 1
            while j < len(optstr) and (optstr[j].isdigit() or (j == i + 1 and optstr[j] == "-")):
                j += 1
            value = int(optstr[i + 1 : j])
            if ch == "<":
                cur.low = value
            elif ch == ">":
                cur.high = value
            else:
                cur.default = value
            i = j
            continue
        elif ch == ";":
            cur.optional = True
        elif ch == " ":
            pass
        elif cur.c is not None or cur.longs:
            cur = None
            continue
        else:
            cur.c = ch
        i += 1
    by_char = {o.c: o for o in spec.opts if o.c}
    while i < len(optstr):  # trailing [groups]
        end = optstr.index("]", i)
        kind, members = optstr[i + 1], [by_char[c] for c in optstr[i + 2 : end]]
        for o in members:
            others = {m.key for m in members if m is not o}
            {"-": o.off, "+": o.on, "!": o.excl}[kind].update(others)
        i = end + 1
    return spec


_INT_RE = re.compile(r"\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")


def atolx(toy: Toy, text: str) -> int:
    """Toybox's ``atolx``: C integer syntax (``0x1f``, ``010``) plus ``k``/``m``/``g``... suffixes."""
    m = _INT_RE.match(text)
    if m is None:
        toy.exit(f"not integer: {text}")
    assert m is not None
    digits = m.group(2)
    base = 16 if digits[:2].lower() == "0x" else 8 if len(digits) > 1 and digits[0] == "0" else 10
    value = int(digits[2:] if base == 16 else digits, base) * (-1 if m.group(1) == "-" else 1)
    rest = text[m.end() :]
    if rest and (idx := "cwbkmgtpe".find(rest[0].lower())) >= 0:
        rest, shift = rest[1:], idx - 2
        if shift == -1:
            value *= 2
        elif shift == 0:
            value *= 512
        elif shift > 0:
            if rest[:1].lower() == "d":
                rest, value = rest[1:], value * 1000**shift
            else:
                value *= 1 << (shift * 10)
    if rest.strip():
        toy.exit(f"not integer: {text}")
    return value


def ispunct(ch: str) -> bool:
    return 33 <= ord(ch) < 127 and not ch.isalnum()


class Toy:
    """One toybox command being run: name, parsed options, operands, output and error helpers."""

    def __init__(self, inv: Invocation, name: str, argfail: int = 1) -> None:
        self.inv = inv
        self.name = name
        self.argfail = argfail
        self.exitval = 0
        self.flags: dict[str, Any] = {}
        self.values: dict[str, Any] = {}
        self.args: list[str] = []

    # ---------------------------------------------------------------- messages
    def out(self, data: bytes | str) -> None:
        self.inv.out(data)

    def error(self, msg: str) -> None:
        """``error_msg``: ``name: msg`` on stderr; the exit status becomes 1 if it was 0."""
        self.inv.err(f"{self.name}: {msg}\n")
        if not self.exitval:
            self.exitval = 1

    def perror(self, what: str, err: FsError | str) -> None:
        """``perror_msg_raw``: ``name: what: strerror``."""
        self.error(f"{what}: {err}")

    def exit(self, msg: str | None = None) -> None:
        """``error_exit``: say ``msg`` (if any) and end the command."""
        if msg is not None:
            self.error(msg)
        raise ToyExit

    def help_exit(self, msg: str) -> None:
        """``help_exit``: a usage error, with toybox's pointer to ``--help``."""
        self.inv.err(f'{self.name}: {msg} (see "{self.name} --help")\n')
        if not self.exitval:
            self.exitval = self.argfail
        raise ToyExit

    # ---------------------------------------------------------------- options
    def has(self, key: str) -> bool:
        return key in self.flags

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)

    def parse(self, optstr: str, argv: list[str]) -> None:
        """``get_optflags``: fill flags, values and operands from argv (without argv[0])."""
        spec = _SPECS.get(optstr)
        if spec is None:
            spec = _SPECS[optstr] = _parse_spec(optstr)
        self.exitval = self.argfail
        for o in spec.opts:
            if o.type:
                self.values[o.key] = [] if o.type == "*" else o.default
        stopearly = spec.stopearly
        excludes: set[str] = set()
        i = 0
        while i < len(argv):
            arg = argv[i]
            i += 1
            if stopearly > 1 or not arg.startswith("-") or arg == "-":
                if stopearly:
                    stopearly += 1
                self.args.append(arg)
                continue
            if arg == "--":
                stopearly += 2
                continue
            if arg.startswith("--"):
                name, eq, val = arg[2:].partition("=")
                opt = next(
                    (o for o in reversed(spec.opts) if name in o.longs and (not eq or o.type)),
                    None,
                )
                if opt is None:
                    if spec.noerror:
                        self.args.append(arg)
                        continue
                    self.help_exit(f"Unknown option '{arg[2:]}'")
                assert opt is not None
                excludes = self._set(opt, spec, excludes)
                if opt.type and (eq or not opt.optional):
                    if not eq:
                        if i >= len(argv):
                            self.help_exit(f"Missing argument to --{name}")
                        val = argv[i]
                        i += 1
                    self._store(opt, val)
                if opt.stop:
                    stopearly = 2
                continue
            saved = dict(self.flags)
            j = 1
            while j < len(arg):
                ch = arg[j]
                opt = next((o for o in spec.opts if o.c == ch), None)
                if opt is None:
                    if spec.noerror:
                        self.flags = saved
                        self.args.append(arg)
                        break
                    self.help_exit(f"Unknown option '{arg[j:]}'")
                assert opt is not None
                excludes = self._set(opt, spec, excludes)
                if opt.stop:
                    stopearly = 2
                if opt.type and opt.type != "@":
                    if j + 1 < len(arg):
                        val = arg[j + 1 :]
                    elif opt.optional:
                        break
                    elif i < len(argv):
                        val = argv[i]
                        i += 1
                    else:
                        self.help_exit(f"Missing argument to -{ch}")
                    self._store(opt, val)
                    break
                j += 1
        n = len(self.args)
        if n < spec.minargs:
            self.help_exit(
                f"Need{'s' if spec.minargs == 1 else ''} {spec.minargs} "
                f"argument{'' if spec.minargs == 1 else 's'}"
            )
        if spec.maxargs is not None and n > spec.maxargs:
            self.help_exit(f"Max {spec.maxargs} argument{'' if spec.maxargs == 1 else 's'}")
        required = [o for o in reversed(spec.opts) if o.required]
        if required and not any(o.key in self.flags for o in required):
            which = "".join(o.c or "" for o in required)
            self.help_exit(f"Needs {'one of ' if len(required) > 1 else ''}-{which}")
        self.exitval = 0

    def _set(self, opt: _Opt, spec: _Spec, excludes: set[str]) -> set[str]:
        """``gotflag``'s flag part: switch others off (``[-..]``), on (``[+..]``), check ``[!..]``."""
        by_key = {o.key: o for o in spec.opts}
        for k in opt.off:
            if k in self.flags:
                del self.flags[k]
                if by_key[k].type:
                    self.values[k] = [] if by_key[k].type == "*" else None
        self.flags[opt.key] = True
        if opt.type == "@":
            self.values[opt.key] = (self.values.get(opt.key) or 0) + 1
        for k in opt.on:
            self.flags[k] = True
        excludes = excludes | opt.excl
        if excludes & self.flags.keys():
            for bad in reversed(spec.opts):
                if bad is opt or bad.key not in self.flags:
                    continue
                if bad.excl & self.flags.keys():
                    self.help_exit(f"No '{opt.c}' with '{bad.c}'")
        return excludes

    def _store(self, opt: _Opt, val: str) -> None:
        if opt.type == ":":
            self.values[opt.key] = val
        elif opt.type == "*":
            self.values[opt.key].append(val)
        else:  # "#" or "-"
            n = atolx(self, val)
            if opt.type == "-" and not (val[:1] and ispunct(val[0])):
                n = -n
            if opt.low is not None and n < opt.low:
                self.help_exit(f"-{opt.c} < {opt.low}")
            if opt.high is not None and n > opt.high:
                self.help_exit(f"-{opt.c} > {opt.high}")
            self.values[opt.key] = n

    # ---------------------------------------------------------------- files
    def read_file(self, path: str) -> bytes | None:
        """A file's bytes (``-`` is stdin), or None after saying why (``name: path: error``)."""
        if path == "-":
            return self.inv.stdin
        if path in ("/dev/null", "/dev/zero"):  # the phone's filesystem has no /dev
            return b""
        try:
            return self.inv.phone.fs.read(path)
        except FsError as e:
            self.perror(path, e)
            return None

    def write_file(self, path: str, data: bytes, append: bool = False) -> None:
        """Write (FsError when the phone refuses); ``/dev/null``, ``/dev/stdout``, ``/dev/stderr``
        do what they do on the phone."""
        if path == "/dev/null":
            return
        if path in ("/dev/stdout", "/dev/stderr"):
            (self.inv.out if path == "/dev/stdout" else self.inv.err)(data)
            return
        self.inv.phone.fs.write(path, data, append=append)

    def inputs(self, paths: list[str] | None = None) -> Iterator[tuple[str, bytes]]:
        """``loopfiles``: (name, data) per operand (stdin as ``-`` when there are none); operands
        that cannot be read are reported and skipped."""
        paths = self.args if paths is None else paths
        for path in paths or ["-"]:
            data = self.read_file(path)
            if data is not None:
                yield path, data


BodyFn = Callable[[Toy], Any]


def toybox_command(
    name: str, optstr: str | None, *, argfail: int = 1
) -> Callable[[BodyFn], CommandFn]:
    """Make a shell command of a toybox body ``fn(toy)`` (plain or async): options parsed with
    ``optstr`` (None: no option parsing, every argument an operand), ``ToyExit`` handled, status
    returned (the body's return value if it gives one, else ``toy.exitval``)."""

    def wrap(fn: BodyFn) -> CommandFn:
        async def command(inv: Invocation) -> int:
            toy = Toy(inv, name, argfail)
            try:
                if optstr is None:
                    toy.args = list(inv.argv[1:])
                else:
                    toy.parse(optstr, inv.argv[1:])
                result = fn(toy)
                if inspect.isawaitable(result):
                    result = await result
            except ToyExit:
                return toy.exitval
            return toy.exitval if result is None else int(result)

        command.__name__ = f"toybox_{name}"
        command.__doc__ = fn.__doc__
        return command

    return wrap


def lines_of(data: bytes, delim: bytes = b"\n") -> list[bytes]:
    """Split into lines keeping each one's delimiter (a last line without one stays without)."""
    if not data:
        return []
    parts = data.split(delim)
    out = [p + delim for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out
