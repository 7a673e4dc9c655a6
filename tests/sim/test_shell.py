"""The simulated shell: quoting, lists, expansions, and that hostile strings run nothing."""

from __future__ import annotations

import shlex

import adbutils
import pytest

from runner.sim import SimFarm
from runner.sim.shell import ShellSyntaxError, parse


def run(adb: adbutils.AdbClient, cmd: str | list[str]) -> tuple[int, str]:
    r = adb.device("sim-0001").shell2(cmd)
    return r.returncode, r.output


@pytest.mark.parametrize(
    ("cmd", "expected"),
    [
        ("echo 'a  b' \"c  d\" e\\ f", (0, "a  b c  d e f\n")),
        ("false; echo $?", (0, "1\n")),
        ("false && echo no || echo yes", (0, "yes\n")),
        ("true && echo ok", (0, "ok\n")),
        ("X=1; echo ${X}$X", (0, "11\n")),
        ("echo $(echo inner) `echo tick`", (0, "inner tick\n")),
        ("echo \"$(echo 'a   b')\" $(echo 'c   d')", (0, "a   b c d\n")),
        ("ls /nope 2>/dev/null; echo $?", (0, "1\n")),
        ("ls /nope 2>&1 | cat", (0, "ls: /nope: No such file or directory\n")),
        ("sh -c 'echo nested; exit 4'", (4, "nested\n")),
        ("toybox md5sum /data/local/tmp/none", (1, "md5sum: /data/local/tmp/none: No such file or directory\n")),
    ],
)  # fmt: skip
def test_shell_syntax(adb, cmd, expected):
    assert run(adb, cmd) == expected


def test_syntax_error_runs_nothing_and_says_why(adb, farm: SimFarm):
    r = adb.device("sim-0001").shell2("echo 'unterminated", v2=True)
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "/system/bin/sh: no closing quote\n")
    assert farm.phone("sim-0001").exec_log == []


def test_files_written_by_redirection_can_be_read_and_removed(adb):
    assert (
        run(
            adb,
            "mkdir -p /data/local/tmp/a/b && echo hi > /data/local/tmp/a/b/f; cat /data/local/tmp/a/b/f",
        )[1]
        == "hi\n"
    )
    assert run(adb, "echo more >> /data/local/tmp/a/b/f; md5sum /data/local/tmp/a/b/f")[0] == 0
    assert run(adb, "rm -r /data/local/tmp/a; ls /data/local/tmp/a")[0] == 1


HOSTILE = ["$(reboot)", "`reboot`", "a; reboot", "x && reboot", "'; reboot; '", "\"$(id)\"",
           "| cat /etc/passwd", "héllo 你好 🎉", "new\nline", "$HOME", "\\", "*"]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
def test_quoted_hostile_strings_run_nothing_but_echo(adb, farm: SimFarm, text):
    code, out = run(adb, ["echo", text])
    assert (code, out) == (0, text + "\n")
    ran = [argv[0] for argv in farm.phone("sim-0001").exec_log]
    assert ran == ["echo", "echo"]  # ours, and adbutils' "echo X4EXIT:$?"


def test_unquoted_substitution_is_visible_in_the_exec_log(adb, farm: SimFarm):
    run(adb, "echo $(reboot)")
    assert ("reboot",) in farm.phone("sim-0001").exec_log


@pytest.mark.parametrize("src", ["echo 'x", "echo $(true", "&& echo", "echo |", "echo (x)"])
def test_parse_rejects_broken_command_lines(src):
    with pytest.raises(ShellSyntaxError):
        parse(src)


def test_parse_matches_shlex_for_quoted_words():
    words = ["a b", "it's", '"q"', "$x", ""]
    [(_, [cmd])] = parse(" ".join(shlex.quote(w) for w in words))
    assert ["".join(p.value for p in w.parts) for w in cmd.words] == words


# ------------------------------------------------------------------ toybox commands and pipelines

PKG = "com.zhiliaoapp.musically"


def run_v2(adb: adbutils.AdbClient, cmd: str) -> tuple[int, str, str]:
    r = adb.device("sim-0001").shell2(cmd, v2=True)
    return r.returncode, r.stdout, r.stderr


def test_the_pipelines_people_type(adb, farm: SimFarm):
    phone = farm.phone("sim-0001")
    version = phone.app_version
    assert run(adb, f"dumpsys package {PKG} | grep versionName") == (
        0,
        f"    versionName={version}\n",
    )
    assert run(adb, f"dumpsys package {PKG} | grep versionName | cut -d= -f2") == (
        0,
        version + "\n",
    )
    assert run(adb, "pm list packages | grep -c musically") == (0, "1\n")
    locale = getattr(phone, "locale", "en-US")
    assert run(adb, "getprop | grep locale | head -1") == (0, f"[persist.sys.locale]: [{locale}]\n")
    device = adb.device("sim-0001")
    for name in ("a.jpg", "b.mp4", "c.jpg"):
        device.sync.push(b"x", f"/sdcard/DCIM/Camera/{name}")
    assert run(adb, "ls /sdcard/DCIM | wc -l") == (0, "1\n")
    assert run(adb, "ls /sdcard/DCIM/Camera | wc -l") == (0, "3\n")
    assert run(adb, "ls /sdcard/DCIM/Camera | grep jpg | sort -r | head -n 1") == (0, "c.jpg\n")
    assert run(adb, "ls /sdcard/DCIM/Camera/*.jpg") == (
        0,
        "/sdcard/DCIM/Camera/a.jpg\n/sdcard/DCIM/Camera/c.jpg\n",
    )


def test_getprop_answers_the_system_locale(adb, farm: SimFarm):
    phone = farm.phone("sim-0001")
    phone.locale = "fr-FR"  # SimPhone.locale: the phone's system language
    assert run(adb, "getprop persist.sys.locale") == (0, "fr-FR\n")
    assert run(adb, "getprop ro.product.locale") == (0, "fr-FR\n")
    assert run(adb, "getprop no.such.prop") == (0, "\n")
    assert run(adb, "getprop no.such.prop fallback") == (0, "fallback\n")
    code, out = run(adb, "getprop")
    lines = out.splitlines()
    assert code == 0 and lines == sorted(lines) and "[persist.sys.locale]: [fr-FR]" in lines
    assert all(line.startswith("[") and "]: [" in line and line.endswith("]") for line in lines)


@pytest.mark.parametrize(
    ("cmd", "expected"),
    [
        # grep: 0 match, 1 no match, 2 error (toybox's words)
        ("echo abc | grep b", (0, "abc\n", "")),
        ("echo abc | grep x", (1, "", "")),
        ("grep x /nope", (2, "", "grep: /nope: No such file or directory\n")),
        ("grep -s x /nope", (2, "", "")),
        ("echo abc | grep -Q x", (2, "", "grep: Unknown option 'Q' (see \"grep --help\")\n")),
        ("echo abc | grep -E '('", (2, "", "grep: bad regex '(': parentheses not balanced\n")),
        ("grep", (2, "", "grep: no REGEX\n")),
        ("printf 'foo\\nBar\\nbaz\\n' | grep -i -n -e bar -e BAZ", (0, "2:Bar\n3:baz\n", "")),
        ("printf 'foo\\nbar\\n' | grep -v foo", (0, "bar\n", "")),
        ("printf 'a1b22\\n' | grep -oE '[0-9]+'", (0, "1\n22\n", "")),
        ("printf 'cat\\ncatalog\\n' | grep -w cat", (0, "cat\n", "")),
        ("printf 'ab\\nabc\\n' | grep -x -F ab", (0, "ab\n", "")),
        ("printf 'a.c\\nabc\\n' | grep -F a.c", (0, "a.c\n", "")),
        ("echo abc | grep -q b && echo yes", (0, "yes\n", "")),
        ("printf 'x\\ny\\nx\\n' | grep -c x", (0, "2\n", "")),
        # bionic's regex is BSD's: no GNU \+ \| \w in basic or extended syntax
        ("echo aa | grep 'a\\+'", (1, "", "")),
        ("echo 'a+' | grep 'a\\+'", (0, "a+\n", "")),
        ("echo word | grep -E '\\w'", (0, "word\n", "")),
        ("echo ab | grep 'a\\|b'", (1, "", "")),
        ("echo aa | grep -E 'a+' && echo aa | grep 'a\\{2\\}'", (0, "aa\naa\n", "")),
        # text filters
        ("seq 12 | head -n 2", (0, "1\n2\n", "")),
        ("seq 12 | head -3", (0, "1\n2\n3\n", "")),
        ("echo hello | head -c 2", (0, "he", "")),
        ("seq 12 | tail -n 2", (0, "11\n12\n", "")),
        ("seq 5 | tail -n +4", (0, "4\n5\n", "")),
        ("printf 'a:b:c\\nd:e:f\\n' | cut -d: -f2,3", (0, "b:c\ne:f\n", "")),
        ("echo abcdef | cut -c 2-4", (0, "bcd\n", "")),
        ("printf 'a:b\\nplain\\n' | cut -d: -f2 -s", (0, "b\n", "")),
        ("echo x | cut -d:", (1, "", "cut: Needs one of -CFfcb (see \"cut --help\")\n")),
        ("printf 'one two\\nthree\\n' | wc -l", (0, "2\n", "")),
        ("printf 'one two\\nthree\\n' | wc -w", (0, "3\n", "")),
        ("printf 'one two\\nthree\\n' | wc -c", (0, "14\n", "")),
        ("printf 'one two\\nthree\\n' | wc", (0, "      2       3      14\n", "")),
        ("printf '10\\n9\\n100\\n' | sort", (0, "10\n100\n9\n", "")),
        ("printf '10\\n9\\n100\\n' | sort -n", (0, "9\n10\n100\n", "")),
        ("printf '10\\n9\\n100\\n' | sort -rn", (0, "100\n10\n9\n", "")),
        ("printf 'b\\na\\nb\\n' | sort -u", (0, "a\nb\n", "")),
        ("printf 'x 3\\ny 1\\nz 2\\n' | sort -k2n", (0, "y 1\nz 2\nx 3\n", "")),
        ("printf 'a\\na\\nb\\na\\n' | uniq -c", (0, "      2 a\n      1 b\n      1 a\n", "")),
        ("printf 'a\\na\\nb\\n' | uniq", (0, "a\nb\n", "")),
        ("echo Hello | tr a-z A-Z", (0, "HELLO\n", "")),
        ("echo Hello | tr '[:upper:]' '[:lower:]'", (0, "hello\n", "")),
        ("echo 'a   b' | tr -s ' '", (0, "a b\n", "")),
        ("echo hello | tr -d l", (0, "heo\n", "")),
        ("echo hello | sed 's/l/L/g'", (0, "heLLo\n", "")),
        ("echo hello | sed 's/l/L/'", (0, "heLlo\n", "")),
        ("printf 'a\\nfoo\\nb\\n' | sed -n '/foo/p'", (0, "foo\n", "")),
        ("echo ab | sed -e 's/a/x/' -e 's/b/y/'", (0, "xy\n", "")),
        ("echo 'k=v' | sed -E 's/([a-z])=([a-z])/\\2=\\1/'", (0, "v=k\n", "")),
        ("seq 5 | sed -n '2,3p'", (0, "2\n3\n", "")),
        ("seq 3 | sed '$d'", (0, "1\n2\n", "")),
        ("echo abc | sed 's/b'", (1, "", "sed: bad pattern 's/b'@2 (/)\n")),
        ("seq 3 | tee /data/local/tmp/t | tail -n 1; cat /data/local/tmp/t", (0, "3\n1\n2\n3\n", "")),
        ("echo 'a b c' | xargs -n 1 echo x", (0, "x a\nx b\nx c\n", "")),
        ("echo a | xargs -I{} echo {}", (1, "", "xargs: Unknown option 'I{}' (see \"xargs --help\")\n")),
        ("seq 3", (0, "1\n2\n3\n", "")),
        ("seq -s, 1 2 7", (0, "1,3,5,7\n", "")),
        ("basename /sdcard/DCIM/a.mp4 .mp4; dirname /sdcard/DCIM/a.mp4", (0, "a\n/sdcard/DCIM\n", "")),
        ("printf '%s=%d\\n' a 1 b 2", (0, "a=1\nb=2\n", "")),
        ("printf '%5s|%-3s|%03d|%x\\n' ab c 7 255", (0, "   ab|c  |007|ff\n", "")),
        # mksh's echo takes -n -e -E and expands escapes; toybox's (by path) needs -e
        ("echo -n a; echo 'b\\tc'", (0, "ab\tc\n", "")),
        ("/system/bin/echo 'b\\tc'", (0, "b\\tc\n", "")),
        ("echo -nq", (0, "-nq\n", "")),
        # test / [ (mksh), true, false, which, id, uname
        ("[ 2 -gt 1 ] && [ abc = abc ] && [ -d /sdcard ] && [ ! -e /nope ] && echo ok", (0, "ok\n", "")),
        ("[ -z '' ] && test -n x && echo ok", (0, "ok\n", "")),
        ("[ 1 -eq 1", (2, "", "/system/bin/sh: [: missing ]\n")),
        ("which grep sed awk", (1, "/system/bin/grep\n/system/bin/sed\n", "")),
        ("id -u; id -un; whoami", (0, "2000\nshell\nshell\n", "")),
        ("uname; uname -m", (0, "Linux\naarch64\n", "")),
        ("date +%Y | wc -c", (0, "5\n", "")),
        # real phones have no awk (no busybox): mksh's answer
        ("awk '{print $1}'", (127, "", "/system/bin/sh: awk: inaccessible or not found\n")),
        ("echo x | awk '{print}'", (127, "", "/system/bin/sh: awk: inaccessible or not found\n")),
    ],
)  # fmt: skip
def test_toybox_commands(adb, cmd, expected):
    assert run_v2(adb, cmd) == expected


@pytest.mark.parametrize(
    ("cmd", "expected"),
    [
        ("ls /nope > /dev/null 2>&1; echo $?", (0, "1\n", "")),
        ("ls /nope 2>&1 >/dev/null | grep -c such", (0, "1\n", "")),
        ("ls /nope &> /dev/null || echo failed", (0, "failed\n", "")),
        ("echo to-stderr >&2", (0, "", "to-stderr\n")),
        ("echo x > /dev/stderr", (0, "", "x\n")),
        ("! grep -q x /dev/null && echo negated", (0, "negated\n", "")),
        ("false | true; echo $?", (0, "0\n", "")),
        ("true | false; echo $?", (0, "1\n", "")),
        ("echo hi > /system/x", (1, "", "/system/bin/sh: can't create /system/x: Permission denied\n")),
        ("cat < /nope", (1, "", "/system/bin/sh: can't open /nope: No such file or directory\n")),
        ("echo a > /data/local/tmp/r; echo b >> /data/local/tmp/r; cat /data/local/tmp/r", (0, "a\nb\n", "")),
        ("echo /sdcard/D*", (0, "/sdcard/DCIM /sdcard/Download\n", "")),
        ("echo '/sdcard/D*' /nomatch*", (0, "/sdcard/D* /nomatch*\n", "")),
        ("nosuchcmd | wc -l", (0, "0\n", "/system/bin/sh: nosuchcmd: inaccessible or not found\n")),
    ],
)  # fmt: skip
def test_pipes_lists_and_redirections_as_mksh_does(adb, cmd, expected):
    assert run_v2(adb, cmd) == expected


def test_stderr_of_a_pipeline_comes_before_its_output_in_shell_v1(adb):
    out = adb.device("sim-0001").shell("ls /nope /sdcard/DCIM | grep -c DCIM; echo done")
    assert out == "ls: /nope: No such file or directory\n0\ndone"


def test_pipelines_are_recorded_command_by_command(adb, farm: SimFarm):
    run(adb, "pm list packages | grep -c musically")
    assert farm.phone("sim-0001").exec_log[:2] == [
        ("pm", "list", "packages"),
        ("grep", "-c", "musically"),
    ]


def test_parse_negation_and_both_streams_redirection():
    [(_, pipeline)] = parse("! ls /x &> /dev/null | wc -l")
    assert pipeline.negate and len(pipeline) == 2
    assert [(r.fd, r.op) for r in pipeline[0].redirects] == [(1, "&>")]


@pytest.mark.parametrize(
    ("cmd", "expected"),
    [
        # POSIX takes the leftmost-longest match, where Python's engine takes the first alternative
        ("echo abcd | grep -oE 'ab|abcd'", (0, "abcd\n", "")),
        ("echo abcd | sed -E 's/(a|ab)(c|bcd)/[\\1,\\2]/'", (0, "[a,bcd]\n", "")),
        # programs run by xargs/env are /system/bin's (toybox's echo: no escapes without -e)
        ("echo 'a\\\\tb' | xargs echo", (0, "a\\tb\n", "")),
        ("echo x | xargs cd", (127, "", "xargs: exec cd: No such file or directory\n")),
        ("env -i A=1 env", (0, "A=1\n", "")),
        # files
        ("mkdir -p /data/local/tmp/d/e && touch /data/local/tmp/d/e/f.txt && find /data/local/tmp/d -name '*.txt'", (0, "/data/local/tmp/d/e/f.txt\n", "")),
        ("mkdir -p /data/local/tmp/d/e && find /data/local/tmp/d -type d", (0, "/data/local/tmp/d\n/data/local/tmp/d/e\n", "")),
        ("find /nope", (1, "", "find: '/nope': No such file or directory\n")),
        ("echo 12345 > /data/local/tmp/s; stat -c '%n %s' /data/local/tmp/s", (0, "/data/local/tmp/s 6\n", "")),
        ("stat /nope", (1, "", "stat: '/nope': No such file or directory\n")),
        ("echo old > /data/local/tmp/i; sed -i s/old/new/ /data/local/tmp/i; cat /data/local/tmp/i", (0, "new\n", "")),
        ("printf 'b\\na\\n' > /data/local/tmp/u; sort -o /data/local/tmp/u /data/local/tmp/u; cat /data/local/tmp/u", (0, "a\nb\n", "")),
        ("mkdir /data/local/tmp", (1, "", "mkdir: '/data/local/tmp': File exists\n")),
        ("cat /nope /sdcard", (1, "", "cat: /nope: No such file or directory\ncat: /sdcard: Is a directory\n")),
        ("ls /nope", (1, "", "ls: /nope: No such file or directory\n")),
        ("ls -d /sdcard /data", (0, "/data\n/sdcard\n", "")),
        ("echo x > /data/local/tmp/g1; echo y > /data/local/tmp/g2; grep -r x /data/local/tmp", (0, "/data/local/tmp/g1:x\n", "")),
        ("echo x > /data/local/tmp/g1; grep -c x /data/local/tmp/g1 /data/local/tmp/g1", (0, "/data/local/tmp/g1:1\n/data/local/tmp/g1:1\n", "")),
        ("head -n 1 /nope; echo $?", (0, "1\n", "head: /nope: No such file or directory\n")),
        ("seq 3 | head -n 1 - /nope; echo $?", (0, "==> - <==\n1\n1\n", "head: /nope: No such file or directory\n")),
        # test/[ errors and numbers as mksh evaluates them
        ("[ 1x -eq 1 ]", (2, "", "/system/bin/sh: 1x: bad number\n")),
        ("N=3; [ N -eq 3 ] && echo three", (0, "three\n", "")),
        ("[ -f /sdcard ] || [ -d /sdcard ] && echo dir", (0, "dir\n", "")),
        # toybox's usage errors (exit 1, grep's and sort's 2)
        ("head -x", (1, "", "head: not integer: x\n")),  # "-NUM" is head's old syntax
        ("wc -x", (1, "", "wc: Unknown option 'x' (see \"wc --help\")\n")),
        ("echo | sort -k1Q", (2, "", "sort: Unknown key option.\n")),
        ("tr", (1, "", "tr: Needs 1 argument (see \"tr --help\")\n")),
        ("echo x | tr a b c", (1, "", "tr: Max 2 arguments (see \"tr --help\")\n")),
        ("seq x", (1, "", "seq: strtod x: Argument list too long\n")),
        ("toybox nosuch", (1, "", "toybox: Unknown command nosuch (see \"toybox --help\")\n")),
    ],
)  # fmt: skip
def test_more_toybox_behaviour(adb, cmd, expected):
    assert run_v2(adb, cmd) == expected
