"""Inputs that must never jam the spool or stop a restart (issue 10): names at the length limit,
unreadable files, links, FIFOs, folders, a vanished incoming/, writers that pause, and files
that would merge into another file's status."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import trio
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from runner.spool import MAX_NAME_BYTES, NAME_MAX, Spool
from tests.test_spool import FOLLOW, SpoolFixture, read_yaml
from tests.test_spool import spool as spool  # noqa: F401 - the fixture

BARE = """\
serials: [sim-0001]
script_name: follow
script_config:
  target_users: [{users}]
"""


def bare(n: int = 2) -> str:
    return BARE.format(users=", ".join(f'"@user{i}"' for i in range(n)))


def name_of(size: int, ext: str = ".yaml", char: str = "é") -> str:
    """A file name of exactly ``size`` bytes (UTF-8), multi-byte characters then ASCII padding."""
    budget = size - len(ext.encode())
    body = char * (budget // len(char.encode()))
    body += "x" * (budget - len(body.encode()))
    name = body + ext
    assert len(name.encode()) == size
    return name


def status_of(spool: SpoolFixture, manifest: str) -> dict:
    return read_yaml(spool.root / "status" / f"{manifest}.status.yaml")


def rejected_files(spool: SpoolFixture) -> list[str]:
    return [n for n in spool.files("rejected") if not n.endswith(".error.yaml")]


def assert_every_refusal_explained(spool: SpoolFixture) -> None:
    for name in rejected_files(spool):
        error = read_yaml(spool.root / "rejected" / f"{name}.error.yaml")
        assert error["message"], name


def serving(fx: SpoolFixture, tasks_created: trio.Event, **timing) -> Spool:
    """A Spool on ``fx``'s folder, for :meth:`Spool.run` in the current trio run, that sets
    ``tasks_created`` when a manifest's tasks are committed."""
    token = trio.lowlevel.current_trio_token()
    return Spool(
        fx.root,
        fx.store,
        fx.spool.plan,
        fx.status,
        fx.config.tz(),
        on_tasks=lambda: token.run_sync_soon(tasks_created.set),
        **timing,
    )


# -- names at the length limit ----------------------------------------------------------------


@pytest.mark.parametrize("size", [217, 218, 230, 240, 241, 255])
@pytest.mark.parametrize("char", ["é", "中", "😀"])
def test_long_names_never_jam_the_spool_and_later_files_are_taken(
    tmp_path: Path, size: int, char: str
):
    spool = SpoolFixture(tmp_path / "spool")
    long = name_of(size, char=char)
    spool.drop(long, bare())
    spool.drop("~later.yaml", FOLLOW.format(name="later"))  # sorts after every long name
    outcomes = {o.final_name: o for o in spool.scan()}
    assert spool.files("incoming") == [] and spool.files("active") == []
    assert status_of(spool, "later")["counts"]["total"] == 4
    if size <= MAX_NAME_BYTES:
        assert outcomes[long].outcome == "accepted"
        assert status_of(spool, long.removesuffix(".yaml"))["counts"]["total"] == 2
        spool.drop(long, bare(3))  # a changed re-drop: accepted/ needs a name beside the first
        [again] = spool.scan()
        assert again.outcome == "accepted"
    else:
        [refused] = [o for o in outcomes.values() if o.outcome == "rejected"]
        error = read_yaml(spool.root / "rejected" / f"{refused.final_name}.error.yaml")
        assert f"{size} bytes" in error["message"] and str(MAX_NAME_BYTES) in error["message"]
        assert status_of(spool, refused.manifest)["phase"] == "rejected"
        assert (spool.root / "rejected" / refused.final_name).read_text() == bare()
    for name in os.listdir(spool.root / "rejected") + os.listdir(spool.root / "accepted"):
        assert len(name.encode()) <= NAME_MAX
    spool.spool = spool.new_spool()
    spool.spool.recover()  # a restart


def test_a_restart_finishes_what_an_older_runner_left_with_too_long_names(spool: SpoolFixture):
    # the state main left behind: a 250-byte file claimed in active/, another refused in
    # rejected/ whose error file could never be written
    claimed, refused = name_of(250, char="中"), name_of(250, char="é")
    (spool.root / "active" / claimed).write_text(bare())
    (spool.root / "rejected" / refused).write_text("key: [unclosed")
    spool.spool.recover()
    spool.status.flush()
    assert spool.files("active") == []
    assert len(rejected_files(spool)) == 2
    assert_every_refusal_explained(spool)
    contents = sorted((spool.root / "rejected" / n).read_text() for n in rejected_files(spool))
    assert contents == sorted([bare(), "key: [unclosed"])


names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
    min_size=1,
    max_size=255,
).filter(lambda s: not s.startswith(".") and not s.endswith(".tmp"))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    files=st.lists(
        st.tuples(
            names,
            st.sampled_from([".yaml", ".json", ".txt", ""]),
            st.sampled_from(["good", "bad"]),
        ),
        min_size=1,
        max_size=5,
        unique_by=lambda f: f[0] + f[1],
    )
)
# Found by this test: a 244-byte name without an extension (too long, refused) fits beside its
# ".error.yaml" but its status file's name did not.
@example(files=[("0" * 244, "", "bad")])
def test_any_file_name_is_taken_or_refused_with_a_reason_and_a_restart_copes(
    tmp_path_factory, files
):
    root = tmp_path_factory.mktemp("names") / "spool"
    spool = SpoolFixture(root)
    dropped = []
    for stem, ext, kind in files:
        name = stem + ext
        while len(name.encode()) > NAME_MAX:  # what Linux itself allows
            stem = stem[:-1]
            name = stem + ext
        if not stem or stem.startswith(".") or name in dropped:
            continue
        body = '{"serials": ["sim-0001"], "script_name": "follow", "script_config": {"target_users": ["@a"]}}'
        spool.drop(name, body if kind == "good" else "{broken")
        dropped.append(name)
    outcomes = spool.scan()
    assert spool.files("incoming") == [] and spool.files("active") == []
    assert len(outcomes) == len(dropped)
    assert len(spool.files("accepted")) + len(rejected_files(spool)) == len(dropped)
    assert_every_refusal_explained(spool)
    for o in outcomes:
        assert (root / "status" / f"{o.manifest}.status.yaml").exists()
    spool.spool = spool.new_spool()
    spool.spool.recover()


# -- what cannot be read, and what is not a file ---------------------------------------------


def as_nobody(fn):
    """``fn()`` with the privileges of user "nobody" (uid 65534) when the tests run as root: root
    reads any file (DAC override), so the runner's part runs in a forked child that dropped them,
    and the permission check is the kernel's own, no test double. Returns ``fn``'s JSON result."""
    if os.geteuid() != 0:
        return fn()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop privileges for good, run, report, exit without cleanup
        code = 1
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.write(write, json.dumps(fn()).encode())
            code = 0
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            os.write(write, json.dumps({"child failed": repr(e)}).encode())
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        out = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(out)


def test_a_file_the_runner_cannot_read_is_refused_and_later_files_are_taken():
    base = Path(tempfile.mkdtemp(prefix="tikrunner-unreadable-"))  # not under root's 0700 tmp
    try:
        os.chmod(base, 0o755)
        warm = SpoolFixture(base / "warm")  # loads, as root, all the child will need
        warm.drop("w.yaml", FOLLOW.format(name="w"))
        warm.scan()
        spool = base / "spool"
        for sub in ("incoming", "status"):
            (spool / sub).mkdir(parents=True)
        (spool / "incoming" / "secret.yaml").write_text(FOLLOW.format(name="secret"))
        (spool / "incoming" / "secret.yaml").chmod(0o000)
        (spool / "incoming" / "zz-good.yaml").write_text(FOLLOW.format(name="good"))
        if os.geteuid() == 0:  # the folders are the runner's, secret.yaml stays root's
            for path in [spool, *spool.rglob("*")]:
                if path.name != "secret.yaml":
                    os.chown(path, 65534, 65534)

        def serve_once() -> dict:
            fx = SpoolFixture(spool)
            return {o.final_name: o.outcome for o in fx.scan()}

        assert as_nobody(serve_once) == {"secret.yaml": "rejected", "zz-good.yaml": "accepted"}
        error = read_yaml(spool / "rejected" / "secret.yaml.error.yaml")
        assert "cannot read the file: Permission denied" in error["message"]
        assert read_yaml(spool / "status" / "secret.status.yaml")["phase"] == "rejected"
        assert read_yaml(spool / "status" / "good.status.yaml")["counts"]["total"] == 4
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_links_fifos_and_folders_are_refused_with_a_reason_never_followed(
    spool: SpoolFixture, tmp_path: Path
):
    incoming = spool.root / "incoming"
    outside = tmp_path / "outside.yaml"
    outside.write_text(FOLLOW.format(name="outside"))
    (incoming / "passwd.yaml").symlink_to("/etc/passwd")
    (incoming / "outside.yaml").symlink_to(outside)
    (incoming / "dangling.yaml").symlink_to(tmp_path / "nothing-here")
    os.mkfifo(incoming / "pipe.yaml")
    (incoming / "batch.yaml").mkdir()
    (incoming / "batch.yaml" / "inner.yaml").write_text(FOLLOW.format(name="inner"))
    spool.drop("zz-good.yaml", FOLLOW.format(name="good"))
    outcomes = {o.final_name: o.outcome for o in spool.scan()}  # never blocks on the FIFO
    refused = ["batch.yaml", "dangling.yaml", "outside.yaml", "passwd.yaml", "pipe.yaml"]
    assert outcomes == {**dict.fromkeys(refused, "rejected"), "zz-good.yaml": "accepted"}
    assert spool.files("incoming") == [] and rejected_files(spool) == refused
    reasons = {
        n: read_yaml(spool.root / "rejected" / f"{n}.error.yaml")["message"] for n in refused
    }
    assert all(
        "symbolic link" in reasons[n] for n in ("passwd.yaml", "outside.yaml", "dangling.yaml")
    )
    assert "FIFO" in reasons["pipe.yaml"] and "folder" in reasons["batch.yaml"]
    assert (spool.root / "rejected" / "outside.yaml").is_symlink()  # the link itself, kept
    assert outside.read_text() == FOLLOW.format(name="outside")
    assert (spool.root / "rejected" / "batch.yaml" / "inner.yaml").exists()  # nothing lost
    assert spool.store.counts()["total"] == 4  # only the good file's tasks
    for name in refused:
        assert status_of(spool, name.removesuffix(".yaml"))["phase"] == "rejected"


def test_a_deleted_or_replaced_incoming_folder_is_made_again_loudly(spool: SpoolFixture, caplog):
    shutil.rmtree(spool.root / "incoming")
    assert spool.scan() == []
    assert (spool.root / "incoming").is_dir()
    assert "incoming/ was missing; made it again" in caplog.text
    shutil.rmtree(spool.root / "incoming")
    (spool.root / "incoming").write_text(FOLLOW.format(name="lost"))  # cp m.yaml spool/incoming
    [outcome] = spool.scan()
    assert (spool.root / "incoming").is_dir()
    assert outcome.outcome == "rejected" and outcome.final_name == "incoming"
    assert (spool.root / "rejected" / "incoming").read_text() == FOLLOW.format(name="lost")
    error = read_yaml(spool.root / "rejected" / "incoming.error.yaml")
    assert "where the incoming/ folder should be" in error["message"]
    spool.drop("after.yaml", FOLLOW.format(name="after"))
    assert [o.outcome for o in spool.scan()] == ["accepted"]


def test_serving_watches_an_incoming_folder_made_again(tmp_path: Path):
    fx = SpoolFixture(tmp_path / "spool")

    async def scenario() -> None:
        taken = trio.Event()
        spool = serving(fx, taken, settle_time=0, scan_interval=30)
        async with trio.open_nursery() as nursery:
            await nursery.start(spool.run)
            shutil.rmtree(fx.root / "incoming")
            with trio.fail_after(10):
                while spool.incoming_remade == 0 or not (fx.root / "incoming").is_dir():
                    await trio.sleep(0.01)  # its deletion event makes the spool remake it
                await trio.sleep(0.2)  # the new watch starts in the spool's next loop turn
                fx.drop("back.yaml", FOLLOW.format(name="back"))
                await taken.wait()
            nursery.cancel_scope.cancel()

    trio.run(scenario)
    assert fx.files("accepted") == ["back.yaml"]


# -- writers that pause ------------------------------------------------------------------------


def test_a_direct_writer_pausing_past_settle_time_is_not_taken_half_way(tmp_path: Path):
    fx = SpoolFixture(tmp_path / "spool")
    whole, half = bare(6), bare(2)

    async def scenario() -> None:
        accepted = trio.Event()
        spool = serving(fx, accepted, settle_time=0.05, scan_interval=0.05)
        async with trio.open_nursery() as nursery:
            await nursery.start(spool.run)
            path = fx.root / "incoming" / "slow.yaml"
            with open(path, "w") as writer:
                writer.write(half)  # 2 of 6 targets, valid on its own
                writer.flush()
                await trio.sleep(0.5)  # the writer pauses: ten times settle_time, many scans
                assert fx.files("incoming") == ["slow.yaml"]  # still open for writing
                assert not accepted.is_set()
                writer.seek(0)
                writer.truncate()
                writer.write(whole)
            with trio.fail_after(10):
                await accepted.wait()  # its close makes it complete: taken at once
            nursery.cancel_scope.cancel()

    trio.run(scenario)
    fx.status.flush()
    assert (fx.root / "accepted" / "slow.yaml").read_text() == whole
    assert status_of(fx, "slow")["counts"]["total"] == 6


def test_a_file_written_while_it_is_planned_is_left_for_a_later_scan(spool: SpoolFixture):
    whole, half = bare(6), bare(2)
    spool.drop("grow.yaml", half)
    planner = spool.spool.plan

    def writer_resumes(data: bytes, name: str):
        if data == half.encode():
            (spool.root / "active" / name).write_text(whole)  # the writer goes on meanwhile
        return planner(data, name)

    spool.spool.plan = writer_resumes
    assert spool.scan() == []
    assert spool.files("incoming") == ["grow.yaml"] and spool.store.counts()["total"] == 0
    [outcome] = spool.scan()
    assert outcome.outcome == "accepted" and len(outcome.task_ids) == 6
    assert (spool.root / "accepted" / "grow.yaml").read_text() == whole


def test_a_file_changed_after_its_commit_keeps_the_planned_bytes_in_accepted(
    spool: SpoolFixture, monkeypatch
):
    first, later = bare(2), bare(6)
    spool.drop("late.yaml", first)
    take_in = spool.store.take_in

    def commit_then_writer_resumes(items):
        results = take_in(items)
        (spool.root / "active" / "late.yaml").write_text(later)
        return results

    monkeypatch.setattr(spool.store, "take_in", commit_then_writer_resumes)
    [outcome] = spool.scan()
    assert outcome.outcome == "accepted" and len(outcome.task_ids) == 2
    assert (spool.root / "accepted" / "late.yaml").read_text() == first  # what was planned
    assert (spool.root / "rejected" / "late.yaml").read_text() == later  # nothing lost
    error = read_yaml(spool.root / "rejected" / "late.yaml.error.yaml")
    assert "changed after it was taken in" in error["message"]
    status = status_of(spool, "late")
    assert status["counts"]["total"] == 2 and "changed after" in status["refused"]["message"]


# -- one file, one status file -----------------------------------------------------------------


def test_a_refused_redrop_keeps_the_accepted_tasks_visible_beside_the_refusal(spool: SpoolFixture):
    spool.drop("a.yaml", bare())
    spool.scan()
    spool.drop("a.yaml", "serials: [sim-0001]\nscript_name: follow\nscript_config: {}\n")
    [outcome] = spool.scan()
    assert outcome.outcome == "rejected" and outcome.manifest == "a"
    status = status_of(spool, "a")
    assert status["phase"] == "pending" and status["counts"]["total"] == 2
    assert len(status["tasks"]) == 2
    assert status["refused"]["file"] == "a.yaml" and status["refused"]["code"] == 40001
    assert "a.1.yaml" in status["refused"]["note"] or "a.yaml" in status["refused"]["note"]
    spool.drop("a.yaml", bare(3))  # fixed: a new generation, the refusal no longer current
    spool.scan()
    assert "refused" not in status_of(spool, "a")


def test_a_second_file_with_the_same_manifest_name_is_refused_naming_the_first(
    spool: SpoolFixture,
):
    spool.drop("a.yaml", bare(2))
    spool.scan()
    spool.drop(
        "a.json",
        json.dumps(
            {
                "serials": ["sim-0002"],
                "script_name": "follow",
                "script_config": {"target_users": ["@z"]},
            }
        ),
    )
    assert [(o.final_name, o.outcome) for o in spool.scan()] == [("a.json", "rejected")]
    error = read_yaml(spool.root / "rejected" / "a.json.error.yaml")
    assert "belongs to spool file a.yaml" in error["message"]
    status = status_of(spool, "a")
    assert {t["serial"] for t in status["tasks"]} == {"sim-0001"}  # nothing of a.json merged
    assert status["refused"]["file"] == "a.json"


def test_the_api_prefix_is_kept_for_http_creates(spool: SpoolFixture):
    spool.drop(
        "api-2040.json",
        json.dumps(
            {
                "serials": ["sim-0001"],
                "script_name": "follow",
                "script_config": {"target_users": ["@z"]},
            }
        ),
    )
    [outcome] = spool.scan()
    assert outcome.outcome == "rejected"
    assert "kept for tasks created over HTTP" in outcome.error.message
    assert not (spool.root / "status" / "api-2040.status.yaml").exists()
    assert status_of(spool, outcome.manifest)["phase"] == "rejected"
    assert spool.store.counts()["total"] == 0


def test_a_changed_redrop_is_a_new_generation_of_its_manifest(spool: SpoolFixture):
    spool.drop("daily.yaml", bare(2))
    spool.scan()
    spool.drop("daily.yaml", bare(3))
    [outcome] = spool.scan()
    assert outcome.outcome == "accepted" and outcome.final_name == "daily.1.yaml"
    status = status_of(spool, "daily")
    assert status["observed_generation"] == 2
    assert [g.split(" accepted")[0] for g in status["generations"]] == [
        "1: daily.yaml",
        "2: daily.1.yaml",
    ]
    assert [g.rsplit(", ", 1)[1] for g in status["generations"]] == ["2 tasks", "3 tasks"]
    assert status["counts"]["total"] == 5


def test_a_status_file_that_cannot_be_written_is_logged_once_and_written_once_it_can(
    spool: SpoolFixture, caplog
):
    caplog.set_level(logging.INFO, "runner.status")
    (spool.root / "status" / "stuck.status.yaml").mkdir()  # a folder where the file must go
    spool.drop("stuck.yaml", bare())
    spool.spool.scan()
    for _ in range(50):  # what a busy status writer would retry
        spool.status.flush()
    failures = [r for r in caplog.records if "could not write the status file" in r.message]
    assert len(failures) == 1
    (spool.root / "status" / "stuck.status.yaml").rmdir()
    spool.status.flush()
    assert status_of(spool, "stuck")["counts"]["total"] == 2
    assert "written again" in caplog.text
    assert spool.files("status") == ["stuck.status.yaml"]  # no temporary file left behind
