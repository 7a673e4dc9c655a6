"""Toybox's ``printf`` and ``echo`` (the one ``/system/bin/echo`` and ``toybox echo`` run) on the
simulated phone, after toybox 0.8.6: printf's escapes (``\\NNN``, ``\\xHH``, ``\\c`` ends the
output), conversions ``%b %c %d %i %o %u %x %X %e %E %f %g %G %s`` with flags, width and precision
(``*`` too), the format reused while arguments remain; ``printf: bad %d abc`` for a non-number.
"""

from __future__ import annotations

import re

from runner.sim.toyopts import Toy, atolx, toybox_command


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
