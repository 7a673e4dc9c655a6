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
