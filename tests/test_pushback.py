"""TikTok pushing back (issue 14 item 3): the screens that mean "slow down" are recognised from
the selector and language data, in English and French, and a follow that meets one fails quoting
what TikTok said; the simulated TikTok pushes back on demand."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest

from runner.devices.hierarchy import Hierarchy
from runner.errors import PushBack
from runner.scripts.matcher import TOAST_CLASS, Values, load_selectors, toast_hierarchy
from runner.sim import SimFarm
from runner.sim.cli import run_sim
from runner.sim.faults import resolve
from runner.sim.tiktok.pushback import PushBackRule, parse_rule
from tests.devices.simfarm import make_ctx, run_tasks

PKG = "com.zhiliaoapp.musically"
S1 = "sim-0001"
U1 = "sim_user_1"
BOOK = load_selectors()
REAL = Path(__file__).parent / "real_screens"


def node(text: str = "", *, cls: str = "android.widget.TextView", rid: str = "", desc: str = "",
         clickable: bool = False, bounds: str = "[0,0][1080,200]", kids: str = "") -> str:  # fmt: skip
    attrs = (
        f'text={quoteattr(text)} resource-id={quoteattr(rid)} class="{cls}" package="{PKG}" '
        f'content-desc={quoteattr(desc)} clickable="{str(clickable).lower()}" enabled="true" '
        f'focused="false" selected="false" checked="false" scrollable="false" bounds="{bounds}"'
    )
    return f"<node {attrs}>{kids}</node>" if kids else f"<node {attrs}/>"


def dump(*nodes: str) -> Hierarchy:
    root = node(cls="android.widget.FrameLayout", kids="".join(nodes), bounds="[0,0][1080,2400]")
    return Hierarchy.parse(f'<?xml version="1.0"?><hierarchy rotation="0">{root}</hierarchy>')


def pushback(h: Hierarchy, locale: str | None) -> tuple[str, str] | None:
    found = BOOK.pushback(h, Values({"package": PKG}, locale=locale))
    return (found[0], found[1].text or found[1].content_desc) if found else None


def account(farm: SimFarm) -> dict:
    return farm.ground_truth()[S1]["accounts"][U1]


# ------------------------------------------------------------------------------ recognition

RATE_LIMITS = [
    ("en", "You're following too fast"),
    ("en", "You are following too fast."),
    ("en", "You're tapping too fast. Take a break"),
    ("en", "Too many attempts. Try again later."),
    ("en", "Maximum number of attempts reached. Try again later."),
    ("en", "Try again later."),
    ("fr", "Tu suis trop rapidement"),  # the French sentences are not evidenced: our guesses
    ("fr", "Trop de tentatives. Réessaie plus tard."),
    ("fr", "You're following too fast"),  # a server message left untranslated
]


@pytest.mark.parametrize(("locale", "said"), RATE_LIMITS)
def test_a_rate_limit_dialog_is_recognised_with_its_words(locale, said):
    h = dump(node(said, rid=f"{PKG}:id/title"), node("OK", cls="android.widget.Button"))
    assert pushback(h, locale) == ("rate_limit", said)
    assert pushback(h, None) == ("rate_limit", said)  # before the language is known


@pytest.mark.parametrize(("locale", "said"), RATE_LIMITS[:2] + RATE_LIMITS[6:7])
def test_a_rate_limit_toast_is_recognised_from_its_text(locale, said):
    h = toast_hierarchy(said, PKG)
    assert h.nodes[0].class_name == TOAST_CLASS
    assert pushback(h, locale) == ("rate_limit", said)


@pytest.mark.parametrize(
    ("locale", "title", "hint"),
    [
        ("en", "Verify to continue:", "Drag the puzzle piece into place"),
        ("fr", "Vérifie pour continuer :", "Fais glisser la pièce du puzzle"),
    ],
)
def test_a_verification_wall_is_recognised(locale, title, hint):
    h = dump(node(title), node(hint), node(cls="android.view.View", clickable=True))
    assert pushback(h, locale) == ("verification", title)


def login_screen(title: str, tab: str, field: str, go: str) -> Hierarchy:
    """The log-in screen as TikTok 43.1.4 draws it (taktik-bot's tt4314_fr_login_phone, its
    TikTok nodes: the title TextView nmh in a clickable LinearLayout, the method tabs, the phone
    field and the Continue button; the keyboard and status bar windows left out)."""
    return dump(
        node(title, rid=f"{PKG}:id/nmh", desc=title, bounds="[390,177][691,238]"),
        node(
            cls="android.widget.LinearLayout",
            desc=tab,
            clickable=True,
            bounds="[540,279][997,389]",
            kids=node(tab, rid="android:id/text1", bounds="[540,308][997,360]"),
        ),  # fmt: skip
        node(field, cls="android.widget.EditText", clickable=True, bounds="[378,492][953,551]"),
        node(
            go,
            rid=f"{PKG}:id/emm",
            cls="android.widget.Button",
            clickable=True,
            bounds="[88,1309][992,1452]",
        ),  # fmt: skip
    )


def test_the_real_french_log_in_screen_is_a_logged_out_wall():
    h = login_screen("Se connecter", "E-mail/nom d'utilisateur", "Numéro de téléphone", "Continuer")
    assert pushback(h, "fr") == ("logged_out", "Se connecter")
    assert pushback(h, None) == ("logged_out", "Se connecter")


def test_the_english_log_in_screen_is_a_logged_out_wall():
    h = login_screen("Log in", "Email / Username", "Phone number", "Continue")
    assert pushback(h, "en") == ("logged_out", "Log in")


def test_a_log_in_word_alone_is_no_wall():
    assert pushback(dump(node("Log in"), node("For You")), "en") is None


@pytest.mark.parametrize("name", sorted(p.name for p in REAL.glob("*.xml")))
def test_no_real_dump_reads_as_push_back(name):
    h = Hierarchy.parse((REAL / name).read_text(encoding="utf-8"))
    assert pushback(h, None) is None


def test_words_being_typed_or_shown_mid_sentence_are_not_push_back():
    typed = node("Try again later.", cls="android.widget.EditText")
    caption = node("my cat when I say: you're following too fast")
    assert pushback(dump(typed, caption), "en") is None


def test_a_push_back_remark_quotes_tiktok_and_is_never_retried():
    e = PushBack("rate_limit", "You're  following\ntoo fast", step="follow: tap Follow")
    assert (
        e.remark
        == 'follow: tap Follow: TikTok pushed back (rate limit): "You\'re following too fast"'
    )
    assert (e.kind, e.said, e.retry_safe) == ("rate_limit", "You're following too fast", False)
    with pytest.raises(ValueError, match="unknown push-back kind"):
        PushBack("slow", "x")


# ------------------------------------------------------------------------------ the simulator


def test_rules_parse_and_bad_ones_say_the_form():
    assert parse_rule("toast") == PushBackRule("toast", 0, 3600.0)
    assert parse_rule("dialog:5/10m") == PushBackRule("dialog", 5, 600.0)
    assert parse_rule("silent:2/d") == PushBackRule("silent", 2, 86400.0)
    for bad in ("slow", "toast:x", "toast:3/2w", ""):
        with pytest.raises(ValueError, match=r"KIND\[:N\[/PERIOD\]\]"):
            parse_rule(bad)


def test_sim_refuses_a_bad_push_back_rule_in_one_line(capsys):
    assert run_sim(1, "127.0.0.1", 0, 0, push_back="fast") == 2
    err = capsys.readouterr().err
    assert err.startswith("tikrunner sim: --push-back: bad push-back rule 'fast'")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("kind", "remark"),
    [
        ("toast", 'TikTok pushed back (rate limit): "You\'re following too fast"'),
        ("dialog", 'TikTok pushed back (rate limit): "You\'re following too fast"'),
        (
            "silent",
            "TikTok pushed back (follow not applied): \"the control went back to 'Follow' "
            'after the tap: the follow of @bob did not stick"',
        ),  # fmt: skip
        ("verification", 'TikTok pushed back (verification): "Verify to continue:"'),
    ],
)
def test_the_follow_after_the_limit_fails_quoting_tiktok_and_is_not_applied(kind, remark):
    farm = SimFarm(1, seed=11, push_back=f"{kind}:1/1h")
    first, second = run_tasks(
        farm, S1, [make_ctx(S1, "follow", "alice"), make_ctx(S1, "follow", "bob")]
    )
    assert first == ""
    assert isinstance(second, PushBack)
    assert second.remark == f"follow: tap Follow: {remark}"
    assert second.retry_safe is False
    acc = account(farm)
    assert acc["following"] == ["alice"]
    assert [(a["action"], a["target"]) for a in acc["actions"]] == [
        ("follow", "alice"),
        ("follow_refused", "bob"),
    ]


def test_a_french_phone_shows_the_toast_in_french_and_it_is_recognised():
    farm = SimFarm(1, seed=12, locale="fr-FR", push_back="toast")
    [out] = run_tasks(farm, S1, [make_ctx(S1, "follow", "alice")])
    assert isinstance(out, PushBack)
    assert (out.kind, out.said) == ("rate_limit", "Tu suis trop rapidement")
    assert account(farm)["following"] == []


def test_the_period_ends_and_follows_are_applied_again():
    from runner.sim.clock import ManualClock

    clock = ManualClock()
    farm = SimFarm(1, seed=13, clock=clock)
    farm.phone(S1).account.push_back = PushBackRule("toast", 1, 3600.0)
    [ok, refused] = run_tasks(
        farm, S1, [make_ctx(S1, "follow", "a1"), make_ctx(S1, "follow", "a2")]
    )
    assert ok == "" and isinstance(refused, PushBack)
    clock.advance(3600)
    [again] = run_tasks(farm, S1, [make_ctx(S1, "follow", "a2")])
    assert again == ""
    assert account(farm)["following"] == ["a1", "a2"]


def test_a_fault_starts_the_push_back_at_the_worst_moment():
    farm = SimFarm(1, seed=14)
    phone = farm.phone(S1)
    resolve("push_back_dialog")(phone)
    [out] = run_tasks(farm, S1, [make_ctx(S1, "follow", "carol")])
    assert isinstance(out, PushBack) and out.kind == "rate_limit"
    phone.push_back = None
    phone.faults.add_tap(1, "verification_wall")  # the wall comes up under the finger
    [out] = run_tasks(farm, S1, [make_ctx(S1, "follow", "dave")])
    assert isinstance(out, PushBack) and out.kind == "verification"
    assert account(farm)["following"] == []


# ------------------------------------------------------------------------------ cool-down


def test_a_pushed_back_follow_fails_cools_the_account_and_its_next_task_waits(store_url, tmp_path):
    """The follow that gets "You're following too fast" fails quoting it, its account cools down
    for the config's ``cooldown`` and its next task waits until that ends (a fake clock: the
    scheduler's, moved by hand; the phone runs on real time)."""
    import dataclasses

    from runner.store import TaskStatus
    from tests.devices.simfarm import on_farm, open_session
    from tests.test_limits import BASE, NewTask, make

    now = [BASE]
    sched, store = make(
        store_url, tmp_path, cooldown="2h", accounts=[{"username": U1, "serial": S1}]
    )
    sched.clock = lambda: now[0]
    farm = SimFarm(1, seed=15, push_back="toast")

    async def main(host: str, port: int) -> None:
        first, second = store.add_api_tasks(
            [
                NewTask(S1, U1, script_config={"target_users": [n], "access_method": "direct"})
                for n in ("alice", "bob")
            ]  # fmt: skip
        )
        session = await open_session(host, port, S1)
        try:
            task = await sched.claim(S1)
            assert task.id == first
            ctx = dataclasses.replace(
                make_ctx(S1, "follow", "alice", username=U1, task_id=task.id),
                actions=sched.guard(task),
            )
            from runner.scripts import run_task

            with pytest.raises(PushBack) as caught:
                await run_task(ctx, session)
            await sched.end(task.id, TaskStatus.FAILED, caught.value.remark, failure=caught.value)
        finally:
            await session.close()
        failed = store.get(first)
        assert failed.status == TaskStatus.FAILED
        assert failed.remark == (
            'follow: tap Follow: TikTok pushed back (rate limit): "You\'re following too fast"; '
            f"@{U1} cools down until 2027-01-15 10:00"
        )
        cool = store.cool_downs(now[0])[U1]
        assert (cool.until, cool.reason) == (BASE + 7200, "You're following too fast")
        assert await sched.claim(S1) is None
        assert store.get(second).remark == (
            f"waiting: @{U1} cooling down (You're following too fast); next at 2027-01-15 10:00"
        )
        now[0] = BASE + 7200 - 1
        assert await sched.claim(S1) is None
        now[0] = BASE + 7200
        assert (await sched.claim(S1)).id == second

    on_farm(farm, main)
    assert account(farm)["following"] == []


def test_metrics_count_push_backs_limits_hit_actions_and_cooling_accounts(store_url, tmp_path):
    import time

    from prometheus_client.parser import text_string_to_metric_families

    from runner.web.metrics import RunnerMetrics
    from tests.stores import claiming_store

    store = claiming_store(store_url, tmp_path)
    m = RunnerMetrics(store)
    m.pushed_back("rate_limit")
    m.limit_hit("follow")
    m.limit_hit("follow")
    now = time.time()
    store.cool_down("alice", now + 3600, "You're following too fast", now=now)
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(m.render().decode())
        for s in f.samples
    }
    assert samples[("tikrunner_pushbacks_total", (("kind", "rate_limit"),))] == 1
    assert samples[("tikrunner_limits_hit_total", (("kind", "follow"),))] == 2
    assert samples[("tikrunner_accounts_cooling_down", ())] == 1
