"""The simulated TikTok's screens take the real dumps' shape (real-screens/, taktik-bot fixtures):
windows, classes, per-build ids, counts in content-descs, en/fr words, ads and LIVE previews, the
follow control's states, search rows, popups. Behaviour is checked through real uiautomator2."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import adbutils
import pytest
import uiautomator2 as u2
from lxml import etree

from runner.sim import SimFarm
from runner.sim.hierarchy import walk
from runner.sim.tiktok.ids import build_of, version_code
from runner.sim.tiktok.world import Video
from tests.sim.conftest import PKG, open_profile, open_url

NBSP = "\u00a0"


@contextmanager
def phone(**farm_kw) -> Iterator[tuple[u2.Device, SimFarm]]:
    farm = SimFarm(1, seed=11, **farm_kw)
    with farm.running() as (host, port):
        d = u2.connect(adbutils.AdbClient(host, port, socket_timeout=5).device("sim-0001"))
        yield d, farm


def truth(farm: SimFarm, user: str = "sim_user_1") -> dict:
    return farm.ground_truth()["sim-0001"]["accounts"][user]


def dump(d: u2.Device) -> etree._Element:
    return etree.fromstring(d.dump_hierarchy().encode())


@pytest.mark.parametrize(
    ("version", "locale", "like_id", "home", "friends", "for_you", "search"),
    [
        ("46.9.3", "en-US", "g6o", "Home", "Friends", "For You", "Search"),
        ("47.0.3", "fr-FR", "g75", "Accueil", "Amis", "Pour toi", "Rechercher"),
        ("43.1.4", "fr-FR", "f57", "Accueil", "Ami(e)s", "Pour toi", "Rechercher"),
    ],
)
def test_the_feed_has_the_real_shape_words_and_ids_of_each_build(
    version, locale, like_id, home, friends, for_you, search
):
    with phone(app_version=version, locale=locale) as (d, _farm):
        d.app_start(PKG)
        root = dump(d)
        wins = list(root)
        assert wins[0].get("package") == "com.android.systemui"  # the status bar comes first
        assert wins[1].get("package") == PKG
        nodes = list(root.iter("node"))
        assert len(nodes) >= 180 and len(d.dump_hierarchy()) > 70_000
        assert any(n.get("class").startswith("X.") for n in nodes)  # R8's class names
        like = d(resourceId=f"{PKG}:id/{like_id}", descriptionMatches=r"(Like video|Attribuer).*")
        assert like.info["className"] == "android.widget.Button"
        for word in (home, friends):
            assert d(description=word, className="android.widget.FrameLayout").exists
        assert d(text=for_you, selected=True).exists
        assert d(description=search, className="android.widget.ImageView").exists
        bounds = d(description=search).info["bounds"]
        assert (bounds["left"], bounds["top"], bounds["right"], bounds["bottom"]) == (
            933, 134, 1080, 281)  # fmt: skip
        if locale.startswith("fr"):
            desc = like.info["contentDescription"]
            assert desc.startswith(f"Attribuer un «{NBSP}J'aime{NBSP}» à la vidéo. ")
            assert d(descriptionStartsWith="Lire ou ajouter des commentaires. ").exists
            assert d(description="Ajoute ou supprime cette vidéo de tes Favoris.").exists


def test_counts_as_tiktok_prints_them_and_a_like_changes_the_count():
    with phone() as (d, farm):
        farm.world._known["7000000000000000001"] = Video(
            "7000000000000000001", "chef.mario", "pasta", 4868, 15, 339, 20, 30
        )
        open_url(d, "https://www.tiktok.com/@chef.mario/video/7000000000000000001")
        assert d(description="Like video. 4,868 likes").exists
        assert d(description="Read or add comments. 15 comments").exists
        d(description="Like video. 4,868 likes").click()
        # liked, as tt4703_fr_liked_video shows it: the control's content-desc without the count,
        # the count a Button of its own, the heart selected
        liked = d(description="Video liked", selected=False)
        assert liked.exists and liked.child(text="4,869").exists
        assert liked.child(className="android.widget.ImageView", selected=True).exists
        assert d(text="chef.mario", resourceIdMatches=".*:id/title").exists  # 46.9.3: username
    with phone(app_version="47.0.3", locale="fr-FR") as (d, farm):
        farm.world._known["7000000000000000002"] = Video(
            "7000000000000000002", "chef.mario", "pasta", 307_650, 3733, 13_100, 0, 30
        )
        open_url(d, "https://www.tiktok.com/@chef.mario/video/7000000000000000002")
        assert d(text=f"307,6{NBSP}K").exists
        assert d(description=f"Lire ou ajouter des commentaires. 3{NBSP}733 commentaires").exists
        assert d(text="Partager").exists  # no shares yet: the count reads the word
        assert d(text="Chef Mario", resourceIdMatches=".*:id/title").exists  # the display name
        assert d(description="Suivre Chef Mario").exists


def test_ads_are_labelled_and_actions_on_them_are_recorded_as_such():
    with phone() as (d, farm):
        farm.phone("sim-0001").tiktok.feed_plan = ["video", "ad", "live"]
        d.app_start(PKG)
        assert not d(text="Ad").exists
        d.swipe(540, 1800, 540, 400, 0.05)
        app = farm.phone("sim-0001").tiktok
        ad = app.top.video
        assert ad.is_ad and ad.id in farm.world.ad_ids
        label = d(text="Ad")
        assert label.info["className"] == "android.widget.Button"
        assert d(descriptionStartsWith="Sound: Promoted Music by ").exists
        d(descriptionStartsWith="Like video. ").click()
        d(description=f"Follow {ad.creator}").click()
        actions = truth(farm)["actions"]
        assert [(a["action"], a.get("ad")) for a in actions] == [("like", True), ("follow", True)]
        d.swipe(540, 1800, 540, 400, 0.05)  # a LIVE preview: no controls to like or follow
        assert app.top.video.is_live
        assert d(description="LIVE").exists and not d(descriptionStartsWith="Like video").exists
        d(resourceIdMatches=".*:id/tv_live_nickname").click()
        assert app.screen_name() == "profile"


def test_the_fr_ad_label_on_43_1_4_is_a_text_view():
    with phone(app_version="43.1.4", locale="fr-FR") as (d, farm):
        farm.phone("sim-0001").tiktok.feed_plan = ["ad"]
        d.app_start(PKG)
        assert d(text="Publicité").info["className"] == "android.widget.TextView"


def test_follow_back_friends_private_request_and_cancel():
    with phone() as (d, farm):
        acc = farm.phone("sim-0001").account
        acc.followers.update({"fan", "secret"})
        farm.private_users.update({"secret", "vault"})
        open_profile(d, "fan")
        control = d(text="Follow back")
        assert control.info["className"] == "android.widget.TextView"
        control.click()
        assert d(text="Friends").exists and acc.following == {"fan"}
        assert d(text="Following", className="android.widget.TextView").exists  # the counter
        open_profile(d, "vault")
        assert d(text="This account is private").exists
        assert not d(text="Message").exists  # no Message entry on a private stranger
        d(text="Follow").click()
        assert d(text="Requested").exists
        t = truth(farm)
        assert t["following"] == ["fan"] and t["requested"] == ["vault"]
        assert t["actions"][-1] == {"action": "follow_request", "target": "vault", "seq": 2}
        d(text="Requested").click()
        assert d(text="Follow").exists and truth(farm)["requested"] == []
        open_profile(d, "secret")
        assert d(text="Follow back").exists and d(text="This account is private").exists
        open_profile(d, "fan")
        d(text="Friends").click()
        d(text="Unfollow").click()
        assert d(text="Follow back").exists and acc.following == set()


def test_profile_words_and_order_in_french():
    with phone(app_version="47.0.3", locale="fr-FR") as (d, farm):
        open_profile(d, "alice")
        words = [n.get("text") for n in dump(d).iter("node") if n.get("text")]
        assert words.index("Suivre") < words.index("Message")
        assert {"Suivis", "Followers", "J'aime"} <= set(words)
        d(text="Suivre").click()
        words = [n.get("text") for n in dump(d).iter("node") if n.get("text")]
        assert words.index("Message") < words.index("Suivis ")  # as dumped: trailing space
        farm.private_users.add("zoe")
        open_profile(d, "zoe")
        assert d(text="Ce compte est privé").exists


def test_languages_follow_the_phone_unless_tiktok_has_its_own():
    with phone(locale="de-DE") as (d, farm):
        p = farm.phone("sim-0001")
        assert d.shell("getprop persist.sys.locale").output.strip() == "de-DE"
        d.app_start(PKG)
        assert d(description="Home").exists  # no German strings: English, as TikTok falls back
        p.set_app_language("fr")
        assert d(description="Accueil").exists
        p.set_app_language(None)
        p.set_locale("fr-FR")
        assert d(description="Accueil").exists and p.locale == "fr-FR"
    farm = SimFarm(2, locale="fr-FR")
    assert [ph.locale for ph in farm.phones] == ["fr-FR", "fr-FR"]


def test_versions_are_real_builds_with_tiktok_version_codes():
    assert version_code("43.1.4") == 2024301040 and version_code("47.0.3") == 2024700030
    assert build_of("46.9.3") == "tt4693" and build_of("47.1.0") == "tt4703"
    assert build_of("40.0.0") == "tt4314"
    with phone(app_version="47.0.3") as (d, _farm):
        assert d.app_info(PKG)["versionCode"] == 2024700030


def test_users_tab_rows_and_inline_follow():
    with phone(app_version="43.1.4", locale="fr-FR") as (d, farm):
        d.app_start(PKG)
        d(description="Rechercher").click()
        d.send_keys("nina")
        d(text="Rechercher", className="android.widget.Button").click()
        tabs = [i["contentDescription"] for i in d(className="android.widget.FrameLayout",
                                                   descriptionMatches="Top|Utilisateurs|Vidéos|Sons|Boutique|Photos").info_list()]  # fmt: skip
        assert tabs == ["Top", "Utilisateurs", "Vidéos", "Boutique", "Photos"]  # no Sons on 43.1.4
        d(text="Utilisateurs").click()
        assert d(text="\u200e\u2068Nina\u2069").exists
        row_counts = d(resourceIdMatches=".*:id/xf0").info_list()[0]["text"]
        assert row_counts.endswith("j'aime") and "followers" in row_counts
        d(resourceIdMatches=".*:id/rdh")[0].click()
        assert truth(farm)["following"] == ["nina"]
        assert d(resourceIdMatches=".*:id/rdh")[0].info["text"] == "Suivis "


def test_taps_go_through_containers_to_the_controls_beneath():
    with phone() as (d, farm):
        d.app_start(PKG)
        app = farm.phone("sim-0001").tiktok
        x, y = d(resourceIdMatches=".*:id/title").center()  # under the controls' column
        d.click(x, y)
        assert app.screen_name() == "profile"
        d.press("back")
        icon = d(descriptionStartsWith="Like video. ").child(className="android.widget.ImageView")
        icon.click()  # the icon itself is not clickable: its clickable parent takes the tap
        assert len(truth(farm)["likes"]) == 1
        d.click(540, 60)  # the status bar: not the app's
        assert app.screen_name() == "home"


def test_video_page_has_back_and_search():
    with phone(app_version="47.0.3", locale="fr-FR") as (d, farm):
        open_url(d, "https://www.tiktok.com/@maria/video/7234567890123456789")
        assert d(text="Rechercher", className="android.widget.Button").exists
        d(description="Retour").click()
        assert farm.phone("sim-0001").tiktok.screen_name() == "home"


def test_own_profile_is_the_profile_tab():
    with phone(app_version="47.0.3", locale="fr-FR") as (d, farm):
        d.app_start(PKG)
        d(description="Profil").click()
        assert d(text="@sim_user_1").exists
        assert d(description="Profil", selected=True).exists
        assert d(description="Vidéos aimées").exists and d(description="Menu du profil").exists
        with farm.lock:
            root = farm.phone("sim-0001").screen()
        assert any(n.resource_id.endswith("/t3y") for n in walk(root))
