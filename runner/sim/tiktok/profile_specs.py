"""Profile layouts per build, shaped after the real dumps.

- 47.0.3 (``tt4703``; 46.9.3 uses it too, having no profile dump):
  ``tt47_fr_profile_follows_us_no_message_entry`` (the page without bio: a private account that
  follows us, ``Suivre en retour`` and no ``Message``, ``Ce compte est privé``) and
  ``tt4703_fr_profile_followed`` (the tabs, the video grid, ``Message`` first then ``Suivis ``
  once following, the bio as a Button under the buttons, which moves the tabs and the grid
  down; a pinned tile's label ``tv_top``). The link and subscription rows (anonymised) are left
  out; the verified badge sits after the handle as 43.1.4's does (no 47.0.3 dump shows one).
- 43.1.4 (``tt4314``): ``tt4314_fr_profile`` (``Suivre`` | ``Message`` | the dropdown), dumped on a
  1080x2220 phone: everything below the status bar moved down 55 px (its status bar was 77 px
  high, the sim's is 132), the bottom of the page at 2337; the bio Button above the buttons, the
  verified badge ``qh3`` after the handle (content-desc ``... vérifié``), a pinned tile's label
  ``ycj``; its link rows left out.

A page is ``PAGE`` with slots filled by :mod:`runner.sim.tiktok.profile`: ``counters`` (three
``COUNTER`` groups: count TextView over label TextView, in clickable groups), ``buttons`` (the
follow control and ``Message``: ``BUTTON``, a clickable LinearLayout holding the non-clickable
TextView with the word; then ``DROPDOWN``), ``tabs`` and ``body`` (``GRID`` of ``TILE`` s, or
``PRIVATE``, or ``MISSING``).
"""

from runner.sim.tiktok.spec import Layout

TT4703_PAGE = Layout(
    shared=True,
    text="""
FrameLayout [0,0][1080,2400]
 FrameLayout#jja [0,0][1080,2400] z=2
 HorizontalScrollView#wri +F [0,0][1080,2400] z=1
  LinearLayout#o4v [0,0][1080,2400]
   LinearLayout#view_profile [0,0][1080,2400]
    ViewGroup#t7z [0,0][1080,2400]
     RelativeLayout [0,0][1080,2337] z=8
      FrameLayout#zyz [0,0][1080,2311] z=6
     FrameLayout#bt5 [0,0][1080,625] z=1
     View#x8v [0,0][1080,132] z=2
     FrameLayout#psj [0,132][1080,269] z=3
      ViewGroup#pte [0,132][1080,269]
       LinearLayout#ptk [21,132][221,269]
        ImageView +F [21,148][131,253]
       LinearLayout#pt_ [839,132][1059,269] z=4
        ImageView +F [839,148][949,253]
        ImageView +F [949,148][1059,253]
     LinearLayout#f1k [0,269][1080,2337] z=4
      FrameLayout#u75 [0,269][1080,2337]
       LinearLayout#v9o [0,269][1080,2337] z=2
        ?!missing LinearLayout#t82 [0,269][1080,689]
         LinearLayout [0,269][1080,563]
          LinearLayout#t5o [42,269][1080,563]
           LinearLayout#t5q [42,275][754,542]
            LinearLayout b={name_box}
             Button +CF b={name_box} t="{display_name}"
            LinearLayout b={handle_wrap}
             Button#t3y +CF b={handle_box} t="{handle}"
             ?verified ImageView +C b={badge_box} d="{verified}"
            LinearLayout [42,456][754,542]
             *counters
          FrameLayout#t4l [744,269][1080,563]
           FrameLayout#bmh +CF [744,269][1080,563] @avatar
            RelativeLayout#bni [744,269][1080,563]
             ImageView [786,290][1038,542]
         LinearLayout [42,584][1038,689]
          *buttons
         ?bio LinearLayout [42,705][1038,749]
          Button +CF b={bio_box} t="{bio}"
        ?!missing HorizontalScrollView#z0j +F b={tabs_wrap}
         LinearLayout b={tabs_wrap}
          *tabs
        View b={rule}
        FrameLayout b={pager}
         ViewPager#v_b +F b={pager}
          FrameLayout#t4p b={pager}
           *body
""",
)

TT4703_COUNTER = Layout(
    shared=True,
    text="""
LinearLayout +CF b={box} @{action}
 TextView#t8_ b={count_box} t="{count}"
 TextView#t89 b={label_box} t="{label}"
""",
)
TT4703_COUNTER_MIDDLE = Layout(
    shared=True,
    text="""
ViewGroup +CF b={box} @{action}
 TextView#t8_ b={count_box} t="{count}"
 TextView#t89 b={label_box} t="{label}"
""",
)

TT4703_BUTTON = Layout(
    shared=True,
    text="""
LinearLayout +CF b={box} @{action}
 LinearLayout#fmk b={box}
  LinearLayout#fmj b={inner}
   LinearLayout#fmr b={word_box} z=2
    TextView#fmp b={word_box} t="{word}"
""",
)
TT4703_DROPDOWN = Layout(
    shared=True,
    text="""
LinearLayout +CF [933,584][1038,689] z=4 @more
 LinearLayout#fmk [933,584][1038,689]
  LinearLayout#fmj [933,584][1038,689]
   RelativeLayout#fmo [933,584][1038,689]
    ImageView#fml +CF [933,584][1038,689] @more
""",
)

TT4703_TAB_VIDEOS = Layout(
    shared=True,
    text="""
LinearLayout +FS b={box}
 RelativeLayout +CFS b={box} z=3 d="{videos}"
  LinearLayout#p3s +S b={icon_box}
   FrameLayout#knm +S b={icon_left}
    ImageView#kg1 +S b={icon}
   FrameLayout#xyf +S b={icon_right}
    ImageView#ai1 +S b={dot}
""",
)
TT4703_TAB_REPOSTS = Layout(
    shared=True,
    text="""
LinearLayout +CF [540,715][1038,820]
 RelativeLayout +CF [540,715][1038,820] d="{reposts}"
  ImageView#kg1 [760,738][818,796]
""",
)

TT4703_GRID = Layout(
    shared=True,
    text="""
FrameLayout#lcs [0,821][1080,2337]
 FrameLayout#f5o [0,821][1080,2337]
  GridView#i_i [0,821][1080,2337]
   *tiles
""",
)
TT4703_TILE = Layout(
    shared=True,
    text="""
FrameLayout#f1k +C [0,821][358,1298] @{action}
 ImageView#cover [0,821][358,1298]
 ?pinned TextView#tv_top [16,840][157,879] t="{pinned}"
 FrameLayout#ipl [0,1151][84,1235]
 LinearLayout#video_info_container [0,1167][358,1298]
  TextView#tv_play_count [11,1245][358,1287] t="{plays}"
""",
)

TT4703_PRIVATE = Layout(
    shared=True,
    text="""
FrameLayout#lcs [0,821][1080,1185]
 FrameLayout#f5o [0,821][1080,1185]
  FrameLayout#hi1 [0,821][1080,1185]
   RelativeLayout#uv8 [0,821][1080,1185] z=3
    LinearLayout [0,1001][1080,1185]
     TextView [326,1001][753,1059] t="{private_title}"
     ?private_text TextView#syi [0,1091][1080,1185] t="{private_text}"
   ScrollView#v_3 +F [0,821][1080,989]
""",
)

# No dump shows a missing account: its words in the page's body, where the private notice goes.
TT4703_MISSING = Layout(
    shared=True,
    text="""
FrameLayout#lcs [0,269][1080,1185]
 FrameLayout#f5o [0,269][1080,1185]
  FrameLayout#hi1 [0,269][1080,1185]
   RelativeLayout#uv8 [0,269][1080,1185] z=3
    LinearLayout [0,1001][1080,1185]
     TextView [200,1001][880,1059] t="{missing}"
""",
)

# ---------------------------------------------------------------------------------- tt4314
TT4314_PAGE = Layout(
    shared=True,
    text="""
FrameLayout [0,0][1080,2337]
 FrameLayout#i5o [0,0][1080,2337] z=2
 HorizontalScrollView#tt9 +F [0,0][1080,2337] z=1
  LinearLayout#m5_ [0,0][1080,2337]
   LinearLayout#zj9 [0,0][1080,2337]
    ViewGroup#qfl [0,0][1080,2337]
     RelativeLayout [0,0][1080,2337] z=6
      FrameLayout#wmu [0,0][1080,2337] z=5
     View#u_8 [0,0][1080,132] z=1
     FrameLayout#nm6 [0,132][1080,275] z=2
      ViewGroup#nmx [0,132][1080,275]
       LinearLayout#nn2 [22,132][232,275]
        ImageView +F [22,148][132,258]
       LinearLayout#nmt [838,132][1058,275] z=4
        ImageView +F [838,148][948,258] d="{notifications}"
        ImageView +F [948,148][1058,258] d="{share}"
     LinearLayout#e52 [0,275][1080,2337] z=3
      FrameLayout#rb9 [0,275][1080,2337]
       LinearLayout#sc6 [0,275][1080,2337] z=2
        ?!missing LinearLayout#qfo [0,275][1080,1027]
         LinearLayout [0,275][1080,668]
          ViewGroup#qcd [0,275][1036,547]
           FrameLayout#qbe [0,275][319,547]
            FrameLayout#b4k +CF [0,275][319,547] @avatar
             RelativeLayout#b5s [0,275][319,547]
              ImageView [44,295][275,526]
           FrameLayout#qd0 [319,275][1036,547]
            LinearLayout [319,348][1036,473]
             LinearLayout b={name_box}
              Button +CF b={name_box} t="{display_name}"
             LinearLayout b={handle_wrap}
              Button#qh5 +CF b={handle_box} t="{handle}"
              ?verified ImageView#qh3 +C b={badge_box} d="{verified}"
          LinearLayout [44,558][1036,668]
           *counters
         ?bio LinearLayout [44,690][1036,734]
          Button +CF b={bio_box} t="{bio}"
         LinearLayout [44,928][1036,1027]
          *buttons
        ?!missing HorizontalScrollView#vrc +F [44,1055][1036,1165]
         LinearLayout [44,1055][1036,1165]
          *tabs
        View [0,1165][1080,1166]
        FrameLayout [0,1166][1080,2337]
         ViewPager#sct +FX [0,1166][1080,2337]
          FrameLayout#qbi [0,1166][1080,2337]
           *body
""",
)

TT4314_COUNTER = Layout(
    shared=True,
    text="""
LinearLayout +CF b={box} @{action}
 TextView#qfw b={count_box} t="{count}"
 TextView#qfv b={label_box} t="{label}"
""",
)
TT4314_COUNTER_MIDDLE = Layout(
    shared=True,
    text="""
ViewGroup +CF b={box} @{action}
 TextView#qfw b={count_box} t="{count}"
 TextView#qfv b={label_box} t="{label}"
""",
)
TT4314_SEPARATOR = Layout(
    shared=True,
    text="""
View b={box}
""",
)

TT4314_BUTTON = Layout(
    shared=True,
    text="""
LinearLayout +CF b={box} @{action}
 LinearLayout b={box}
  LinearLayout#em_ b={box}
   LinearLayout#emg b={box} z=2
    TextView#eme b={box} t="{word}"
""",
)
TT4314_DROPDOWN = Layout(
    shared=True,
    text="""
LinearLayout +CF [936,928][1035,1027] z=4 @more
 LinearLayout [936,928][1035,1027]
  LinearLayout#em_ [936,928][1035,1027]
   RelativeLayout#emd [936,928][1035,1027]
    ImageView#ema +CF [936,928][1035,1027] @more
""",
)

TT4314_TAB_VIDEOS = Layout(
    shared=True,
    text="""
LinearLayout +FS b={box}
 RelativeLayout +CFS b={box} z=3 d="{videos}"
  LinearLayout#n07 +S b={icon_box}
   FrameLayout#j5l +S b={icon_left}
    ImageView#iys +S b={icon}
   FrameLayout#uxw +S b={icon_right}
    ImageView#a82 +S b={dot}
""",
)
TT4314_TAB_REPOSTS = Layout(
    shared=True,
    text="""
LinearLayout +CF [540,1055][1036,1165]
 RelativeLayout +CF [540,1055][1036,1165] z=3 d="{reposts}"
  ImageView#iys [757,1079][818,1140]
""",
)

TT4314_GRID = Layout(
    shared=True,
    text="""
FrameLayout#jrh [0,1166][1080,2337]
 FrameLayout#e8e [0,1166][1080,2337]
  GridView#gxd +FX [0,1166][1080,2337] z=2
   *tiles
""",
)
TT4314_TILE = Layout(
    shared=True,
    text="""
FrameLayout#e52 +CLF [0,1166][358,1643] @{action}
 ImageView#cover [0,1166][358,1643]
 ?pinned TextView#ycj [17,1186][165,1227] t="{pinned}"
 FrameLayout#hbp [0,1489][88,1577] z=10
 LinearLayout#zah [0,1505][358,1643] z=5
  TextView#xxy [11,1588][358,1632] t="{plays}"
""",
)

# 43.1.4 has no dump of a private or missing account: 47.0.3's notice, in 43.1.4's body.
TT4314_PRIVATE = Layout(
    shared=True,
    text="""
FrameLayout#jrh [0,1166][1080,1530]
 FrameLayout#hi1 [0,1166][1080,1530]
  RelativeLayout#uv8 [0,1166][1080,1530] z=3
   LinearLayout [0,1346][1080,1530]
    TextView [326,1346][753,1404] t="{private_title}"
    ?private_text TextView#syi [0,1436][1080,1530] t="{private_text}"
""",
)
TT4314_MISSING = Layout(
    shared=True,
    text="""
FrameLayout#jrh [0,275][1080,1530]
 FrameLayout#hi1 [0,275][1080,1530]
  RelativeLayout#uv8 [0,275][1080,1530] z=3
   LinearLayout [0,1346][1080,1530]
    TextView [200,1346][880,1404] t="{missing}"
""",
)
