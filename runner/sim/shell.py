"""A small POSIX-ish shell, the part of Android's ``/system/bin/sh`` (mksh) that adb clients lean on.

Takes a command line as sent in ``shell:CMD`` / ``shell,v2:CMD``; runs it against one phone;
writes stdout and stderr, in order, to the service's sink; returns the exit status.

What it understands, because adbutils and uiautomator2 send it:
- quoting: ``'...'``, ``"..."`` (with ``\\`` escapes), backslash outside quotes (adbutils quotes
  every argument with ``shlex.quote``);
- lists ``;``, ``&&``, ``||``, newlines, pipelines ``|`` (status: the last command's, ``!``
  negates), redirections ``>``, ``>>``, ``<``, ``2>&1``, ``>&2``, ``&>``, ``>/dev/null``,
  ``/dev/stdout``, ``/dev/stderr`` (a file is created before the command runs; one that cannot be
  says ``/system/bin/sh: can't create F: Permission denied`` and the command does not run);
- expansions ``$?`` (adbutils' ``shell2`` appends ``; echo X4EXIT:$?``), ``$NAME``, ``${NAME}``,
  ``$(...)`` and backticks, with field splitting of unquoted results;
- ``NAME=value cmd`` (uiautomator2 starts its server as ``CLASSPATH=... app_process ...``);
- file name globbing of unquoted ``*``, ``?``, ``[...]`` against the phone's files (no match: the
  word stays as it is, as in mksh).

mksh's builtins (``echo``, ``test``...) win over ``/system/bin``; called by path
(``/system/bin/echo``) a name runs toybox's command (through the table's ``toybox``).

Every simple command is recorded, expanded, in the phone's exec log before it runs, so a test can
prove that nothing ran that the runner did not mean to run (an unquoted ``$(reboot)`` shows up).
Unknown commands fail like mksh: ``/system/bin/sh: foo: inaccessible or not found``, status 127.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runner.sim.filesystem import FsError

if TYPE_CHECKING:
    from runner.sim.phone import SimPhone

SH = "/system/bin/sh"
Sink = Callable[[int, bytes], Awaitable[None]]
CommandFn = Callable[["Invocation"], Awaitable[int]]

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = ("&&", "||", ";", "|", "&")


class ShellSyntaxError(Exception):
    """The command line cannot be parsed; ``str()`` is mksh's message."""


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


# ---------------------------------------------------------------------------------------- parsing


@dataclass
class Part:
    """A piece of a word: literal text, a ``$NAME``/``$?`` variable, or a ``$(...)`` substitution."""

    kind: str  # "lit" | "var" | "cmd"
    value: str
    quoted: bool


@dataclass
class Word:
    parts: list[Part] = field(default_factory=list)


@dataclass
class Redirect:
    fd: int
    op: str  # ">", ">>", "<", ">&"
    target: Word


@dataclass
class SimpleCommand:
    assigns: list[tuple[str, Word]] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)


class Pipeline(list[SimpleCommand]):
    """Simple commands joined by ``|``; ``negate`` for a leading ``!``."""

    negate: bool = False


Program = list[tuple[str, Pipeline]]  # (connector before it: ";", "&&", "||"), pipeline
SH_BUILTINS = frozenset({"echo", "test", "[", "true", "false", "pwd"})
"""mksh builtins that /system/bin also has (as toybox): ``/system/bin/echo`` is toybox's."""


def _find_closing_paren(src: str, i: int) -> int:
    """Index of the ``)`` closing the ``$(`` whose body starts at ``i``."""
    depth, quote = 1, ""
    while i < len(src):
        c = src[i]
        if quote:
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"':
                i += 1
        elif c in "'\"":
            quote = c
        elif c == "\\":
            i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ShellSyntaxError(f"{SH}: syntax error: unmatched '('")


def _dollar(src: str, i: int, quoted: bool) -> tuple[Part, int]:
    """Parse the expansion starting at ``src[i] == "$"``; return it and the index after it."""
    nxt = src[i + 1] if i + 1 < len(src) else ""
    if nxt == "(":
        end = _find_closing_paren(src, i + 2)
        return Part("cmd", src[i + 2 : end], quoted), end + 1
    if nxt == "{":
        end = src.find("}", i + 2)
        if end < 0:
            raise ShellSyntaxError(f"{SH}: syntax error: missing '}}'")
        return Part("var", src[i + 2 : end], quoted), end + 1
    if nxt and nxt in "?$#!0123456789":
        return Part("var", nxt, quoted), i + 2
    m = _NAME_RE.match(src, i + 1)
    if m:
        return Part("var", m.group(0), quoted), m.end()
    return Part("lit", "$", quoted), i + 1


def tokenize(src: str) -> list[Word | str]:
    """Split a command line into words and operator strings (``;`` for newlines)."""
    tokens: list[Word | str] = []
    word: Word | None = None
    i, n = 0, len(src)

    def lit(text: str, quoted: bool) -> None:
        nonlocal word
        if word is None:
            word = Word()
        if word.parts and word.parts[-1].kind == "lit" and word.parts[-1].quoted == quoted:
            word.parts[-1].value += text
        else:
            word.parts.append(Part("lit", text, quoted))

    def end_word() -> None:
        nonlocal word
        if word is not None:
            tokens.append(word)
            word = None

    while i < n:
        c = src[i]
        if c in " \t\r":
            end_word()
            i += 1
        elif c == "\n":
            end_word()
            tokens.append(";")
            i += 1
        elif c == "#" and word is None:
            while i < n and src[i] != "\n":
                i += 1
        elif c == "'":
            end = src.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError(f"{SH}: no closing quote")
            lit(src[i + 1 : end], True)
            i = end + 1
        elif c == '"':
            i += 1
            if word is None:
                word = Word()
            lit("", True)
            while True:
                if i >= n:
                    raise ShellSyntaxError(f"{SH}: no closing quote")
                c = src[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\" and i + 1 < n and src[i + 1] in '$`"\\\n':
                    if src[i + 1] != "\n":
                        lit(src[i + 1], True)
                    i += 2
                elif c == "$":
                    part, i = _dollar(src, i, True)
                    word.parts.append(part)
                elif c == "`":
                    end = src.find("`", i + 1)
                    if end < 0:
                        raise ShellSyntaxError(f"{SH}: no closing quote")
                    word.parts.append(Part("cmd", src[i + 1 : end], True))
                    i = end + 1
                else:
                    lit(c, True)
                    i += 1
        elif c == "\\":
            if i + 1 < n and src[i + 1] != "\n":
                lit(src[i + 1], True)
            i += 2
        elif c == "$":
            part, i = _dollar(src, i, False)
            if word is None:
                word = Word()
            word.parts.append(part)
        elif c == "`":
            end = src.find("`", i + 1)
            if end < 0:
                raise ShellSyntaxError(f"{SH}: no closing quote")
            if word is None:
                word = Word()
            word.parts.append(Part("cmd", src[i + 1 : end], False))
            i = end + 1
        elif c in "<>":
            fd = 1 if c == ">" else 0
            if (
                word is not None
                and len(word.parts) == 1
                and word.parts[0].kind == "lit"
                and not word.parts[0].quoted
                and word.parts[0].value.isdigit()
            ):
                fd = int(word.parts[0].value)
                word = None
            end_word()
            if src.startswith(">>", i):
                op, i = ">>", i + 2
            elif src.startswith(">&", i) or src.startswith("<&", i):
                op, i = ">&", i + 2
            else:
                op, i = c, i + 1
            tokens.append(f"{fd}{op}")
        elif c == "&" and src.startswith("&>", i):  # mksh (and bash): &>file is >file 2>&1
            end_word()
            if src.startswith("&>>", i):
                tokens.append("1&>>")
                i += 3
            else:
                tokens.append("1&>")
                i += 2
        elif c in "&|;":
            end_word()
            two = src[i : i + 2]
            if two in ("&&", "||", ";;"):
                tokens.append(two)
                i += 2
            else:
                tokens.append(c)
                i += 1
        elif c in "()":
            raise ShellSyntaxError(f"{SH}: syntax error: '{c}' unexpected")
        else:
            lit(c, False)
            i += 1
    end_word()
    return tokens


def parse(src: str) -> Program:
    """Parse a command line into a program of pipelines; ShellSyntaxError on bad input."""
    program: Program = []
    connector = ";"
    pipeline = Pipeline()
    cmd = SimpleCommand()
    tokens = tokenize(src)
    i = 0
    after_pipe = False

    def finish_command() -> bool:
        nonlocal cmd
        empty = not (cmd.words or cmd.assigns or cmd.redirects)
        if not empty:
            pipeline.append(cmd)
        cmd = SimpleCommand()
        return not empty

    while i < len(tokens):
        tok = tokens[i]
        if isinstance(tok, Word):
            first = tok.parts[0] if tok.parts else None
            if (
                not pipeline
                and not cmd.words
                and not cmd.assigns
                and len(tok.parts) == 1
                and first is not None
                and first.kind == "lit"
                and not first.quoted
                and first.value == "!"
            ):
                pipeline.negate = not pipeline.negate
                i += 1
                continue
            if not cmd.words and first is not None and first.kind == "lit" and not first.quoted:
                m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=", first.value)
                if m:
                    rest = Word([Part("lit", first.value[m.end() :], False), *tok.parts[1:]])
                    cmd.assigns.append((m.group(1), rest))
                    i += 1
                    continue
            cmd.words.append(tok)
            after_pipe = False
            i += 1
        elif tok[0].isdigit():  # redirection "1>", "2>&", "0<"
            if i + 1 >= len(tokens) or not isinstance(tokens[i + 1], Word):
                raise ShellSyntaxError(f"{SH}: syntax error: unexpected redirection")
            target = tokens[i + 1]
            assert isinstance(target, Word)
            cmd.redirects.append(Redirect(int(tok[0]), tok[1:], target))
            i += 2
        elif tok == "|":
            if not finish_command():
                raise ShellSyntaxError(f"{SH}: syntax error: '|' unexpected")
            after_pipe = True
            i += 1
        elif tok in ("&&", "||", ";", "&", ";;"):
            if after_pipe:
                raise ShellSyntaxError(f"{SH}: syntax error: '{tok}' unexpected")
            had = finish_command()
            if not had and not pipeline and tok != ";":
                raise ShellSyntaxError(f"{SH}: syntax error: '{tok}' unexpected")
            if pipeline:
                program.append((connector, pipeline))
            elif not had and tok in ("&&", "||"):
                raise ShellSyntaxError(f"{SH}: syntax error: '{tok}' unexpected")
            pipeline = Pipeline()
            connector = tok if tok in ("&&", "||") else ";"
            i += 1
        else:  # pragma: no cover - tokenize emits nothing else
            raise ShellSyntaxError(f"{SH}: syntax error: '{tok}' unexpected")
    finish_command()
    if after_pipe:
        raise ShellSyntaxError(f"{SH}: syntax error: unexpected end of file")
    if pipeline:
        program.append((connector, pipeline))
    elif connector in ("&&", "||"):
        raise ShellSyntaxError(f"{SH}: syntax error: unexpected end of file")
    return program


# ---------------------------------------------------------------------------------- running


class Invocation:
    """One command being run: its argv, environment and stdin, and where its output goes.

    Commands call :meth:`out`/:meth:`err` (buffered, in order) and, when they keep running,
    :meth:`flush` and :meth:`wait_hangup` (returns when the adb client closes the stream).
    """

    def __init__(
        self, shell: Shell, argv: list[str], env: dict[str, str], stdin: bytes, sink: Sink
    ) -> None:
        self.shell = shell
        self.phone = shell.phone
        self.argv = argv
        self.env = env
        self.stdin = stdin
        self._sink = sink
        self._chunks: list[tuple[int, bytes]] = []

    def out(self, data: str | bytes) -> None:
        self._chunks.append(
            (1, data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data)
        )

    def err(self, data: str | bytes) -> None:
        self._chunks.append(
            (2, data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data)
        )

    async def flush(self) -> None:
        chunks, self._chunks = self._chunks, []
        for fd, data in chunks:
            await self._sink(fd, data)

    async def wait_hangup(self) -> None:
        await self.shell.wait_hangup()

    async def run_script(self, source: str) -> int:
        """Run ``source`` in this shell with this command's output (``sh -c``)."""
        await self.flush()
        return await self.shell.run(source, self._sink)

    async def run_command(
        self, argv: list[str], env: dict[str, str] | None = None, stdin: bytes = b""
    ) -> int:
        """Exec another command with this one's output (``xargs``, ``env``, ``find -exec``): a
        program, so ``echo`` is /system/bin/echo (toybox's), not mksh's builtin. It is recorded
        in the exec log like any other."""
        await self.flush()
        self.phone.record_exec(argv, [])
        if argv and argv[0] in SH_BUILTINS:
            argv = [f"/system/bin/{argv[0]}", *argv[1:]]
        environ = dict(self.env if env is None else env)
        return await self.shell.dispatch(argv, environ, stdin, self._sink)


async def _never_hangs_up() -> None:
    import trio

    await trio.sleep_forever()


_GLOB_CHARS = "*?["


def _has_glob(text: str, mask: list[bool]) -> bool:
    return any(c in _GLOB_CHARS and unquoted for c, unquoted in zip(text, mask, strict=True))


def _glob_regex(component: str, mask: list[bool]) -> re.Pattern:
    """A path component's pattern: unquoted ``*``, ``?``, ``[...]`` are special."""
    out = []
    i = 0
    while i < len(component):
        c, special = component[i], mask[i]
        if special and c == "*":
            out.append(".*")
        elif special and c == "?":
            out.append(".")
        elif special and c == "[":
            end = component.find(
                "]", i + 2 if component[i + 1 : i + 2] in ("!", "^", "]") else i + 1
            )
            if end < 0:
                out.append(re.escape(c))
            else:
                body = component[i + 1 : end]
                neg = body[:1] in ("!", "^")
                body = body[1:] if neg else body
                out.append("[" + ("^" if neg else "") + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


class Shell:
    """The shell of one ``shell:`` stream: variables, ``$?``, and the command table."""

    def __init__(
        self,
        phone: SimPhone,
        commands: dict[str, CommandFn],
        wait_hangup: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.phone = phone
        self.commands = commands
        self.vars: dict[str, str] = {
            "PATH": "/product/bin:/apex/com.android.runtime/bin:"
            "/system/bin:/system/xbin:/odm/bin:/vendor/bin",
            "HOME": "/",
            "USER": "shell",
            "PWD": "/",
        }
        self.status = 0
        self.wait_hangup = wait_hangup or _never_hangs_up

    async def run(self, source: str, sink: Sink) -> int:
        """Run a command line; return its exit status (the last command's, or 1/2 on errors)."""
        try:
            program = parse(source)
        except ShellSyntaxError as e:
            await sink(2, f"{e}\n".encode())
            self.status = 1
            return 1
        try:
            for connector, pipeline in program:
                if connector == "&&" and self.status != 0:
                    continue
                if connector == "||" and self.status == 0:
                    continue
                self.status = await self._pipeline(pipeline, sink)
        except _Exit as e:
            self.status = e.status
        return self.status

    async def _pipeline(self, pipeline: Pipeline, sink: Sink) -> int:
        """Each command's stdout is the next one's stdin (they run one after the other: what the
        last one prints comes after what the earlier ones said on stderr)."""
        stdin = b""
        status = 0
        for n, cmd in enumerate(pipeline):
            if n == len(pipeline) - 1:
                status = await self._simple(cmd, sink, stdin)
            else:
                captured = bytearray()

                async def capture(fd: int, data: bytes, _buf: bytearray = captured) -> None:
                    if fd == 1:
                        _buf.extend(data)
                    else:
                        await sink(fd, data)

                await self._simple(cmd, capture, stdin)
                stdin = bytes(captured)
        if pipeline.negate:
            status = 0 if status else 1
        return status

    async def _expand_part(self, part: Part, sink: Sink) -> str:
        if part.kind == "lit":
            return part.value
        if part.kind == "var":
            if part.value == "?":
                return str(self.status)
            if part.value == "$":
                return "4242"
            if part.value == "#":
                return "0"
            if part.value == "0":
                return SH
            return self.vars.get(part.value, "")
        captured = bytearray()

        async def capture(fd: int, data: bytes) -> None:
            if fd == 1:
                captured.extend(data)
            else:
                await sink(fd, data)

        sub = Shell(self.phone, self.commands, self.wait_hangup)
        sub.vars = dict(self.vars)
        sub.status = self.status
        await sub.run(part.value, capture)
        return captured.decode("utf-8", errors="surrogateescape").rstrip("\n")

    async def expand(self, word: Word, sink: Sink) -> list[str]:
        """The fields a word expands to: unquoted expansions are split on whitespace, then unquoted
        ``*``, ``?`` and ``[`` glob against the phone's files."""
        fields: list[tuple[str, list[bool]]] = []
        cur: str | None = None
        mask: list[bool] = []
        for part in word.parts:
            val = await self._expand_part(part, sink)
            unquoted = not part.quoted
            if part.kind == "lit" or part.quoted:
                cur = (cur or "") + val
                mask += [unquoted] * len(val)
                continue
            pieces = val.split()
            if not pieces:
                if val and cur is not None:
                    fields.append((cur, mask))
                    cur, mask = None, []
                continue
            if val[0].isspace() and cur is not None:
                fields.append((cur, mask))
                cur, mask = None, []
            cur = (cur or "") + pieces[0]
            mask += [True] * len(pieces[0])
            for piece in pieces[1:]:
                fields.append((cur, mask))
                cur, mask = piece, [True] * len(piece)
            if val[-1].isspace():
                fields.append((cur, mask))
                cur, mask = None, []
        if cur is not None:
            fields.append((cur, mask))
        out: list[str] = []
        for text, m in fields:
            out.extend(self.glob(text, m) if _has_glob(text, m) else [text])
        return out

    def glob(self, text: str, mask: list[bool]) -> list[str]:
        """Paths matching a pattern (sorted), or the pattern itself when none does."""
        fs = self.phone.fs
        absolute = text.startswith("/")
        comps: list[tuple[str, list[bool]]] = []
        start = 0
        for i, c in enumerate(text + "/"):
            if c == "/":
                if i > start:
                    comps.append((text[start:i], mask[start:i]))
                start = i + 1
        paths = ["/" if absolute else ""]
        for comp, cmask in comps:
            nxt: list[str] = []
            for base in paths:
                real = base or self.vars.get("PWD", "/")
                if not _has_glob(comp, cmask):
                    nxt.append(base + comp if base.endswith("/") or not base else base + "/" + comp)
                    continue
                try:
                    names = [n for n, _ in fs.listdir(real)]
                except FsError:
                    continue
                rx = _glob_regex(comp, cmask)
                for name in names:
                    if name.startswith(".") and not comp.startswith("."):
                        continue
                    if rx.fullmatch(name):
                        nxt.append(
                            base + name if base.endswith("/") or not base else base + "/" + name
                        )
            paths = nxt
        found = sorted(p for p in paths if fs.stat(p or "/") is not None)
        if text.endswith("/"):
            found = [p + "/" for p in found if (e := fs.stat(p)) is not None and e.is_dir]
        return found or [text]

    async def _expand_one(self, word: Word, sink: Sink) -> str:
        return "".join([await self._expand_part(p, sink) for p in word.parts])

    async def _simple(self, cmd: SimpleCommand, sink: Sink, stdin: bytes) -> int:
        argv: list[str] = []
        for w in cmd.words:
            argv.extend(await self.expand(w, sink))
        assigns = [(name, await self._expand_one(w, sink)) for name, w in cmd.assigns]
        if not argv:
            for name, value in assigns:
                self.vars[name] = value
            return 0
        self.phone.record_exec(argv, assigns)

        # Redirections, left to right: where fd 1 and 2 go for this command. Files are created
        # (or truncated) now, before the command runs, as the shell opens them.
        fs = self.phone.fs
        targets: dict[int, tuple[str, Any]] = {1: ("fd", 1), 2: ("fd", 2)}
        files: dict[str, bytearray] = {}
        for r in cmd.redirects:
            target = await self._expand_one(r.target, sink)
            if r.op == "<":
                if target != "/dev/null":
                    try:
                        stdin = fs.read(target)
                    except FsError as e:
                        await sink(2, f"{SH}: can't open {target}: {e}\n".encode())
                        return 1
                else:
                    stdin = b""
                continue
            if r.op == ">&":
                if target in ("1", "2"):
                    targets[r.fd] = targets[int(target)]
                continue
            fds = (1, 2) if r.op.startswith("&>") else (r.fd,)
            if target == "/dev/null":
                dest: tuple[str, Any] = ("null", None)
            elif target in ("/dev/stdout", "/dev/stderr"):
                dest = targets[1 if target == "/dev/stdout" else 2]
            else:
                if target not in files:
                    try:
                        fs.write(target, b"", append=r.op.endswith(">>"))
                    except FsError as e:
                        await sink(2, f"{SH}: can't create {target}: {e}\n".encode())
                        return 1
                    files[target] = bytearray()
                dest = ("file", target)
            for fd in fds:
                targets[fd] = dest

        async def routed(fd: int, data: bytes) -> None:
            kind, dest = targets.get(fd, ("fd", fd))
            if kind == "fd":
                await sink(dest, data)
            elif kind == "file":
                files[dest].extend(data)

        env = dict(self.vars)
        env.update(assigns)
        status = await self.dispatch(argv, env, stdin, routed)
        for path, data in files.items():
            if data:
                try:
                    fs.write(path, bytes(data), append=True)
                except FsError as e:
                    await sink(2, f"{SH}: can't create {path}: {e}\n".encode())
                    status = 1
        return status

    async def dispatch(self, argv: list[str], env: dict[str, str], stdin: bytes, sink: Sink) -> int:
        """Run one command (a special builtin, a command of the table, or mksh's not-found)."""
        name = argv[0]
        if name == "exit":
            raise _Exit(int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else self.status)
        if name == "export":
            for a in argv[1:]:
                if "=" in a:
                    k, v = a.split("=", 1)
                    self.vars[k] = v
            return 0
        if name == "cd":
            return 0
        fn = None
        if "/" in name:
            base = name.rsplit("/", 1)[-1]
            if name.startswith(("/system/", "/vendor/")):
                if base in SH_BUILTINS and "toybox" in self.commands:
                    argv = ["toybox", base, *argv[1:]]
                    fn = self.commands["toybox"]
                else:
                    fn = self.commands.get(base)
        else:
            fn = self.commands.get(name)
        if fn is None:
            await sink(2, f"{SH}: {name}: inaccessible or not found\n".encode())
            return 127
        inv = Invocation(self, argv, env, stdin, sink)
        try:
            status = await fn(inv)
        finally:
            await inv.flush()
        return status
