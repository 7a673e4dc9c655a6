"""What every TikTok screen is drawn in: the status bar's window and the app window's outer views.

:func:`wrap` is applied by :meth:`runner.sim.tiktok.app.TikTokApp.hierarchy` to whatever the top
screen builds, so every screen gets it without asking. A dump then holds, as on the phones:

1. the window of ``com.android.systemui`` (the status bar, 26 views; shaped after the 2400 px
   dumps ``tt4693_en_ad_with_label`` and ``tt4703_fr_for_you_video``: the clock reads ``12:00`` as
   dumped; the Wi-Fi and battery descriptions were anonymised in the dumps and are left empty);
2. the app's window: the DecorView's views down to ``android:id/content``, TikTok's base activity
   layout (an empty ``a3k``/``us`` column), then the activity's root (``v1m`` > ``v1p`` on
   46.9.3's main activity, ``v4t`` > ``v4w`` on 47.0.3, ``s8e`` > ``s8h`` on 43.1.4; a profile's
   ``spt`` / ``pz1``), holding the screen's own tree. Each build's from its own dumps;
3. overlays (dialogs, sheets, popups) as windows of their own, on top.

A screen chooses its activity root with ``Screen.chrome`` (``"main"``, ``"profile"``, or None for
a screen that builds its own root).
"""

from __future__ import annotations

from runner.sim.hierarchy import Node
from runner.sim.tiktok.spec import Layout

SYSTEMUI = "com.android.systemui"

STATUS_BAR = Layout(
    shared=True,
    text="""
FrameLayout [0,0][1080,132] z=0 pkg=com.android.systemui
 FrameLayout#com.android.systemui:id/status_bar_launch_animation_container [0,0][1080,132] pkg=com.android.systemui
 FrameLayout#com.android.systemui:id/container [0,0][1080,132] z=3 pkg=com.android.systemui
 FrameLayout#com.android.systemui:id/status_bar_container [0,0][1080,132] z=2 pkg=com.android.systemui
  ComposeView [0,0][1080,132] pkg=com.android.systemui
   View [0,0][1080,132] z=0 pkg=com.android.systemui
    ViewFactoryHolder [0,0][1080,132] pkg=com.android.systemui
     FrameLayout#com.android.systemui:id/status_bar [0,0][1080,132] pkg=com.android.systemui
      LinearLayout#com.android.systemui:id/status_bar_contents [47,0][1027,132] z=2 pkg=com.android.systemui
       FrameLayout#com.android.systemui:id/status_bar_start_side_container [47,1][459,132] pkg=com.android.systemui
        FrameLayout#com.android.systemui:id/status_bar_start_side_content [47,1][137,132] pkg=com.android.systemui
         LinearLayout#com.android.systemui:id/status_bar_start_side_except_heads_up [47,1][137,132] pkg=com.android.systemui
          TextView#com.android.systemui:id/clock [47,37][137,95] z=2 t="12:00" d="12:00" pkg=com.android.systemui
       View#com.android.systemui:id/cutout_space_view [459,1][604,132] pkg=com.android.systemui
       FrameLayout#com.android.systemui:id/status_bar_end_side_container [604,1][1016,132] pkg=com.android.systemui
        LinearLayout#com.android.systemui:id/status_bar_end_side_content [850,1][1016,132] pkg=com.android.systemui
         LinearLayout#com.android.systemui:id/system_icons [850,37][1016,95] z=2 pkg=com.android.systemui
          LinearLayout#com.android.systemui:id/statusIcons [858,37][925,95] pkg=com.android.systemui
           FrameLayout#com.android.systemui:id/wifi_combo [858,37][917,95] z=17 pkg=com.android.systemui
            LinearLayout#com.android.systemui:id/wifi_group [866,37][909,95] pkg=com.android.systemui
             FrameLayout#com.android.systemui:id/wifi_combo [866,50][909,82] z=2 pkg=com.android.systemui
              ImageView#com.android.systemui:id/wifi_signal [866,50][909,82] pkg=com.android.systemui
          ComposeView [925,49][1005,83] pkg=com.android.systemui
           View [925,49][1005,83] z=0 pkg=com.android.systemui
            View#com.android.systemui:id/battery [925,49][1005,83] z=0 pkg=com.android.systemui
             View [925,49][988,83] z=0 pkg=com.android.systemui
""",
)

# The app window down to the activity's root (each build's, from its own dumps).
DECOR = {
    # tt4693_en_ad_with_label, tt4693_fr_search_users
    "tt4693": Layout(
        shared=True,
        text="""
FrameLayout [0,0][1080,2400] z=0
 LinearLayout [0,0][1080,2400]
  FrameLayout#android:id/content [0,0][1080,2400] z=2
   FrameLayout [0,0][1080,2400]
    LinearLayout#a3k [0,0][1080,2400]
     FrameLayout [0,0][1080,2400] z=2
    *activity
""",
    ),
    # tt4703_fr_for_you_video, tt4703_fr_profile_followed
    "tt4703": Layout(
        shared=True,
        text="""
FrameLayout [0,0][1080,2400] z=0
 FrameLayout [0,0][1080,2400]
  LinearLayout [0,0][1080,2400]
   FrameLayout#android:id/content [0,0][1080,2400] z=2
    FrameLayout [0,0][1080,2400]
     LinearLayout#a3k [0,0][1080,2400]
      FrameLayout [0,0][1080,2400] z=2
     *activity
""",
    ),
    # tt4314_fr_for_you_video (the 2400 px phone)
    "tt4314": Layout(
        shared=True,
        text="""
FrameLayout [0,0][1080,2400] z=0
 FrameLayout [0,0][1080,2400]
  LinearLayout [0,0][1080,2337]
   FrameLayout#android:id/content [0,0][1080,2337] z=2
    FrameLayout [0,0][1080,2337]
     LinearLayout#us [0,0][1080,2337]
      FrameLayout [0,0][1080,2337] z=2
     *activity
 View#android:id/navigationBarBackground [0,2337][1080,2400]
""",
    ),
}

# The activity roots: "main" (MainActivity, the video and search pages), "profile".
ACTIVITY = {
    ("tt4693", "main"): Layout(
        shared=True,
        text="""
FrameLayout#v1m [0,0][1080,2400]
 FrameLayout#v1p [0,0][1080,2400]
  *screen
""",
    ),
    ("tt4703", "main"): Layout(
        shared=True,
        text="""
FrameLayout#v4t [0,0][1080,2400]
 FrameLayout#v4w [0,0][1080,2400]
  *screen
""",
    ),
    ("tt4314", "main"): Layout(
        shared=True,
        text="""
FrameLayout#s8e [0,0][1080,2337]
 FrameLayout#s8h [0,0][1080,2337]
  *screen
""",
    ),
    # tt4703_fr_profile_followed (46.9.3 has no profile dump: tt4703's)
    ("tt4703", "profile"): Layout(
        shared=True,
        text="""
FrameLayout#spt [0,0][1080,2400]
 FrameLayout [0,0][1080,2400]
  *screen
""",
    ),
    # tt4314_fr_profile
    ("tt4314", "profile"): Layout(
        shared=True,
        text="""
FrameLayout#pz1 [0,0][1080,2337]
 FrameLayout [0,0][1080,2337]
  *screen
""",
    ),
}
ACTIVITY[("tt4693", "profile")] = ACTIVITY[("tt4703", "profile")]


def status_bar() -> Node:
    """The status bar's window (package ``com.android.systemui``)."""
    return STATUS_BAR.build({}, SYSTEMUI)


def app_window(build: str, package: str, screen: Node | list[Node],
               chrome: str | None = "main") -> Node:  # fmt: skip
    """The app's window around ``screen`` (the activity root of kind ``chrome`` first, unless
    None)."""
    content: Node | list[Node] = screen
    if chrome is not None:
        root = ACTIVITY.get((build, chrome)) or ACTIVITY[(build, "main")]
        content = root.build({"screen": screen}, package)
    return DECOR[build].build({"activity": content}, package)
