"""The home feed's and the player's layouts per build, shaped after the real dumps.

- 46.9.3 (``tt4693``): ``tt4693_en_ad_with_label`` (an ad: its ``Ad`` row, the promoted sound),
  with the icon above the avatar of normal videos from ``tt4693_en_for_you_video``;
- 47.0.3 (``tt4703``): ``tt4703_fr_for_you_video``;
- 43.1.4 (``tt4314``): ``tt4314_fr_for_you_video`` (its anonymised chip over the video and its
  translation link left out);
- the LIVE preview: ``tt4693_fr_live_preview``, on every build;
- the ad's label row: 46.9.3's (a Button ``Ad``) also on 47.0.3 (no ad dump of its own); 43.1.4's
  from ``tt4314_fr_ad`` (a TextView ``Publicité``).

Flag ``T`` (touch-through): the controls' column and the sound's full-width row are clickable in
the dumps yet take no tap outside their controls (the creator's name and the caption under them
are tappable on the phones); the simulator lets touches through them.

The like control of a liked video (``tt4314_fr_liked_video``, ``tt4703_fr_liked_video``): the
Button keeps ``selected="false"`` and its content-desc becomes ``Vidéo aimée`` (no count); the heart
ImageView inside turns ``selected``; the count Button beside it still shows the count (with the
like). 46.9.3 has no dump of a liked video: it is drawn the same way.

Per build: ``FEED`` (the main tab host under the activity root, with the bottom bar) with the
``tab_content`` slot, which ``HOME`` (the For You page: the pager and the top tabs, with the
``player`` slot) or the own profile fills; ``PLAYER`` (one video, ``view_rootview``) with its ``rows`` slot in
the block under the caption; the rows (``ROW_CREATOR``, ``ROW_DESC``, ``ROW_AD``) at the place
their dump shows them (the player moves them with ``dy``). The top tabs' second entry was
anonymised in every dump (``name_20``): it is left out. Values are filled by
:mod:`runner.sim.tiktok.player`.
"""

from runner.sim.tiktok.spec import Layout

# ---- tt4693

TT4693_FEED = Layout(
    shared=True,
    text="""
FrameLayout#jiv [0,0][1080,2400]
 X.05ht#viewpager +FX [0,0][1080,2400]
  TabHost#omp +F [0,0][1080,2400]
   LinearLayout [0,0][1080,2337] z=4
    FrameLayout#y37 [0,0][1080,2337] z=3
   FrameLayout#om9 [0,0][1080,2337] z=1
    FrameLayout#y37 [0,0][1080,2337]
     *tab_content
    ?seek_bar LinearLayout#video_seek_bar [0,2169][1080,2243] z=8
     FrameLayout [0,2169][1080,2243]
      SeekBar#vn_ +F [32,2169][1048,2243]
    View#cnf [0,2207][1080,2208] z=2
    LinearLayout#om4 [0,2208][1080,2337] z=4
     FrameLayout#olw +CF [0,2208][216,2337] sel={on_home} d="{nav_home}" @nav:home
      TextView [0,2288][216,2322] z=2 t="{nav_home}" sel={on_home}
      ImageView [66,2213][150,2297] z=1 sel={on_home}
     FrameLayout#olv +CF [216,2208][432,2337] d="{nav_friends}" @nav:friends
      TextView [216,2288][432,2322] z=2 t="{nav_friends}"
      ImageView [282,2213][366,2297] z=1
     Button#ols +CF [432,2208][648,2337] d="{nav_create}" @nav:create
      ImageView [441,2227][638,2337]
      ImageView [441,2227][638,2337] z=4
     FrameLayout#olx +CF [648,2208][864,2337] d="{nav_inbox}" @nav:inbox
      TextView [648,2288][864,2322] t="{nav_inbox}"
      ImageView [714,2213][798,2297] z=1
     FrameLayout#oly +CF [864,2208][1080,2337] sel={on_profile} d="{nav_profile}" @nav:profile
      TextView [864,2288][1080,2322] z=2 t="{nav_profile}" sel={on_profile}
      ImageView [930,2213][1014,2297] z=1 sel={on_profile}
 FrameLayout#tg2 [0,0][194,304] z=3
 View#gqi [0,2337][1080,2400] z=9
""",
)

TT4693_PLAYER = Layout(
    shared=True,
    text="""
FrameLayout#view_rootview [0,0][1080,2208] z=2
 X.05qZ#widget_container [0,0][1080,2208] z=22
  X.05qZ#co8 [0,0][1080,2208] z=10
   FrameLayout#xgs [39,1537][891,2208] z=2
  X.05qZ#zma [0,0][1080,2208] z=3
   X.05qZ#c7u b={above_box} z=10
   LinearLayout#lie +CFT b={column_box} z=8
    ?extra_icon FrameLayout#evv +CF [955,1100][1080,1215]
     FrameLayout#z2u +CF [955,1100][1049,1194]
      ImageView#z2r [955,1100][1049,1194] z=3
    FrameLayout#evv +CF [869,1215][1080,1414]
     FrameLayout +CF [869,1215][1080,1414]
      RelativeLayout#i8j +CF [911,1236][1080,1414]
       RelativeLayout#bmj +CF [921,1236][1080,1390]
        FrameLayout#io7 [929,1241][1072,1384]
         ImageView#user_avatar +CF [942,1254][1059,1371] z=2 d="{avatar_desc}" @author
        View#user_avatar_layout_indicator [937,1250][1063,1376]
       ?follow_plus Button#ivc +CF [921,1325][1080,1414] z=3 d="{follow_desc}" @follow_creator
        ImageView#ivu [964,1336][1037,1399] z=2
    FrameLayout#evv +CF [870,1414][1080,1572]
     Button#g6o +CF [912,1414][1080,1572] d="{like_desc}" @like
      FrameLayout#g6a +C [912,1414][1080,1531] @like
       ImageView#g65 [942,1414][1060,1531] d="{like_icon}" sel={liked}
      RelativeLayout#g6c [912,1531][1080,1553]
       Button#g6b +C [912,1531][1080,1553] t="{like_count}"
    FrameLayout#evv +CF [870,1572][1080,1730]
     Button#eor +CF [870,1572][1080,1730] d="{comments_desc}" @comments
      LinearLayout#eos +F [912,1572][1080,1730]
       FrameLayout#eip +C [912,1572][1080,1689] @comments
        FrameLayout#ek6 [922,1572][1080,1689]
         ImageView#ejy [959,1589][1043,1673]
       RelativeLayout#eiu [912,1689][1080,1710]
        Button#eit +C [920,1689][1072,1710] t="{comments_count}"
    FrameLayout#evv +CF [870,1730][1080,1888]
     FrameLayout#i73 +CF [870,1730][1080,1888] @favorite
      Button#i74 [912,1730][1080,1888] d="{favorites_desc}" sel={saved}
       FrameLayout#i60 [912,1730][1080,1847]
        ImageView#i5u [942,1730][1060,1847]
       RelativeLayout#i63 [912,1847][1080,1869]
        TextView#i62 [912,1847][1080,1869] t="{saves_count}"
    FrameLayout#evv +CFT [0,1960][1080,2208] z=7
     RelativeLayout#pmr [0,1960][1080,2208]
      FrameLayout#q3u [776,1960][1025,2208] z=2
      Button#pmi +C [870,2046][1080,2208] z=3 d="{sound_desc}" @sound
       FrameLayout#pmt +CF [870,2072][1080,2177] z=2 @sound
        FrameLayout#pk4 +C [912,2072][1080,2177] @sound
         FrameLayout#pk2 [951,2072][1059,2177]
          FrameLayout#pk5 [951,2072][1059,2177]
           ImageView#pjx [952,2072][1057,2177]
    FrameLayout#evv +CF [870,1888][1080,2046] z=5
     FrameLayout#w6u +CLF [870,1888][1080,2046] @share
      Button#g6o +CF [912,1888][1080,2046] d="{share_desc}" @share
       ViewGroup#w2y +CF [912,1888][1080,1988] @share
        ImageView#w3k +CLF [959,1904][1043,1988] @share
       RelativeLayout#w32 [912,1988][1080,2043]
        Button#w31 +CLF [922,1988][1080,2043] t="{share_count}"
   FrameLayout#bqo b={bottom_box}
    LinearLayout#bqn b={bottom_inner}
     LinearLayout#lia b={bottom_inner}
      *rows
   FrameLayout#videomusiccoverblock +CF [831,1960][1080,2208] z=1 @sound
  FrameLayout#li_ [0,2206][1080,2208] z=6
   FrameLayout [21,2206][1059,2208]
 View#long_press_layout +CF [0,0][1080,2208] z=3 d="{video_desc}"
 FrameLayout#pgz [0,0][1080,2208] z=11
 FrameLayout#i8_ [0,0][1080,2208] z=16
 FrameLayout#dpz [0,0][1080,2208] z=19
 FrameLayout#aad [0,0][1080,2208] z=27
 FrameLayout#video_hot_swap_paywall_view [0,0][1080,2208] z=54
 FrameLayout#video_hot_swap_overlay_view [0,0][1080,2208] z=55
 FrameLayout#rdn [0,0][1080,2208] z=24
  RelativeLayout [0,0][1080,2208]
   FrameLayout#uq_ [0,0][1080,2208]
 FrameLayout#aa3 [0,0][1080,2208] z=32
  FrameLayout#zui [0,0][1080,2208] z=3
 LinearLayout#video_sticker_container_area [0,0][1080,2208] z=13
  FrameLayout#video_visible_area_container_sticker [0,0][1080,2208] z=2
   FrameLayout#lig [0,144][1080,2064]
 LinearLayout#video_container_area [0,0][1080,2208] z=7
  FrameLayout#video_visible_area_container [0,0][1080,2208] z=2
   FrameLayout#ovi [0,0][1080,2208] z=3
   FrameLayout#player_view [0,0][1080,2208]
    TextureView#wfm [0,144][1080,2064]
   ViewGroup#rne [0,0][1080,2208] z=6
    FrameLayout#rmo [0,0][1080,2208]
   FrameLayout#video_adapted_wrapper_container [0,144][1080,2064]
 ViewGroup#i5u [0,0][1080,136] z=34
  ImageView#i5v [944,0][1080,136]
 View#gradual_bottom [0,1799][1080,2208] z=21
""",
)

TT4693_ROW_CREATOR = Layout(
    shared=True,
    text="""
LinearLayout#evv +CF [32,1936][870,1994] z=11
 ViewGroup#iaq b={title_box}
  LinearLayout#uuy +CF b={title_box}
   Button#title +CF [32,1936][294,1994] z=2 t="{creator_label}" b={title_box} @author
""",
)

TT4693_ROW_DESC = Layout(
    shared=True,
    text="""
FrameLayout#evv +CF [32,2015][870,2066] z=12
 LinearLayout#ew0 [32,2015][870,2066]
  FrameLayout#fyu [32,2015][870,2066]
   LinearLayout#g1_ +CF [32,2015][870,2066]
    LinearLayout#g09 [32,2015][870,2066]
     X.095L#desc +CF [32,2015][870,2066] z=2 t="{caption}"
   LinearLayout#dke [32,2015][870,2017] z=3
    View [32,2015][870,2017] z=2
""",
)

TT4693_ROW_AD = Layout(
    shared=True,
    text="""
ViewGroup#evl [32,2138][870,2199] z=13
 FrameLayout#evv +CF [32,2138][96,2188]
  LinearLayout#msn [32,2138][96,2188]
   Button#i8p +CF [32,2138][96,2188] t="{ad_label}"
""",
)

# ---- tt4703

TT4703_FEED = Layout(
    shared=True,
    text="""
FrameLayout#jja [0,0][1080,2400]
 X.05nV#viewpager +FX [0,0][1080,2400]
  TabHost#onj +F [0,0][1080,2400]
   LinearLayout [0,0][1080,2337] z=4
    FrameLayout#y65 [0,0][1080,2337] z=3
   FrameLayout#on3 [0,0][1080,2337] z=1
    FrameLayout#y65 [0,0][1080,2337]
     *tab_content
    ?seek_bar LinearLayout#video_seek_bar [0,2169][1080,2243] z=8
     FrameLayout [0,2169][1080,2243]
      SeekBar#vqg +F [32,2169][1048,2243]
    View#cnd [0,2207][1080,2208] z=2
    LinearLayout#omy [0,2208][1080,2337]
     FrameLayout#omq +CF [0,2208][216,2337] sel={on_home} d="{nav_home}" @nav:home
      TextView [0,2288][216,2322] z=2 t="{nav_home}" sel={on_home}
      ImageView [66,2213][150,2297] z=1 sel={on_home}
     FrameLayout#omp +CF [216,2208][432,2337] d="{nav_friends}" @nav:friends
      TextView [216,2288][432,2322] z=2 t="{nav_friends}"
      ImageView [282,2213][366,2297] z=1
     Button#omm +CF [432,2208][648,2337] d="{nav_create}" @nav:create
      ImageView [441,2227][638,2337] z=3
     FrameLayout#omr +CF [648,2208][864,2337] d="{nav_inbox}" @nav:inbox
      TextView [648,2288][864,2322] z=2 t="{nav_inbox}"
      ImageView [714,2213][798,2297] z=1
     FrameLayout#oms +CF [864,2208][1080,2337] sel={on_profile} d="{nav_profile}" @nav:profile
      TextView [864,2288][1080,2322] z=2 t="{nav_profile}" sel={on_profile}
      ImageView [930,2213][1014,2297] z=1 sel={on_profile}
 FrameLayout#tj6 [0,0][194,304] z=3
 View#gqy [0,2337][1080,2400] z=9
""",
)

TT4703_PLAYER = Layout(
    shared=True,
    text="""
FrameLayout#view_rootview [0,0][1080,2208]
 X.05wq#widget_container [0,0][1080,2208] z=22
  X.05wq#co6 [0,0][1080,2208] z=10
   FrameLayout#xjr [39,1537][891,2208] z=2
  X.05wq#zqh [0,0][1080,2208] z=3
   X.05wq#c7r b={above_box} z=10
   LinearLayout#liy +CFT b={column_box} z=8
    ?extra_icon FrameLayout#ewa +CF [955,1100][1080,1215]
     FrameLayout#z6w +CF [955,1100][1049,1194]
      ImageView#z6t [955,1100][1049,1194] z=3
    FrameLayout#ewa +CF [911,1215][1080,1414]
     FrameLayout +CF [911,1215][1080,1414]
      RelativeLayout#i98 +CF [911,1236][1080,1414]
       RelativeLayout#bmh +CF [921,1236][1080,1390]
        FrameLayout#iom [929,1241][1072,1384]
         ImageView#user_avatar +CF [942,1254][1059,1371] z=2 d="{avatar_desc}" @author
        View#user_avatar_layout_indicator [937,1250][1063,1376]
       ?follow_plus Button#ivs +CF [921,1325][1080,1414] z=3 d="{follow_desc}" @follow_creator
        ImageView#iw_ [964,1336][1037,1399] z=2
    FrameLayout#ewa +CF [912,1414][1080,1572]
     Button#g75 +CF [912,1414][1080,1572] d="{like_desc}" @like
      FrameLayout#g6r +C [912,1414][1080,1531] @like
       ImageView#g6l [942,1414][1060,1531] d="{like_icon}" sel={liked}
      RelativeLayout#g6t [912,1531][1080,1553]
       Button#g6s +C [912,1531][1080,1553] t="{like_count}"
    FrameLayout#ewa +CF [912,1572][1080,1730]
     Button#ep7 +CF [912,1572][1080,1730] d="{comments_desc}" @comments
      LinearLayout#ep8 +F [912,1572][1080,1730]
       FrameLayout#ej5 +C [912,1572][1080,1689] @comments
        FrameLayout#ekl [922,1572][1080,1689]
         ImageView#ekd [959,1589][1043,1673]
       RelativeLayout#ej_ [912,1689][1080,1710]
        Button#ej9 +C [920,1689][1072,1710] t="{comments_count}"
    FrameLayout#ewa +CF [912,1730][1080,1888]
     FrameLayout#i7r +CF [912,1730][1080,1888] @favorite
      Button#i7s [912,1730][1080,1888] d="{favorites_desc}" sel={saved}
       FrameLayout#i6o [912,1730][1080,1847]
        ImageView#i6i [942,1730][1060,1847]
       RelativeLayout#i6r [912,1847][1080,1869]
        TextView#i6q [912,1847][1080,1869] t="{saves_count}"
    FrameLayout#ewa +CFT [0,1960][1080,2208] z=8
     RelativeLayout#pnp [0,1960][1080,2208]
      FrameLayout#q4p [776,1960][1025,2208] z=2
      Button#png +C [912,2046][1080,2208] z=3 d="{sound_desc}" @sound
       FrameLayout#pnr +CF [912,2072][1080,2177] z=2 @sound
        FrameLayout#pl2 +C [912,2072][1080,2177] @sound
         FrameLayout#pl0 [951,2072][1059,2177]
          FrameLayout#pl3 [951,2072][1059,2177]
           ImageView#pkv [952,2072][1057,2177]
    FrameLayout#ewa +CF [912,1888][1080,2046] z=6
     FrameLayout#w_2 +CLF [912,1888][1080,2046] @share
      Button#g75 +CF [912,1888][1080,2046] d="{share_desc}" @share
       ViewGroup#w66 +CF [912,1888][1080,1988] @share
        ImageView#w6s +CLF [959,1904][1043,1988] @share
       RelativeLayout#w6_ [912,1988][1080,2043]
        Button#w69 +CLF [922,1988][1080,2043] t="{share_count}"
   FrameLayout#bql b={bottom_box}
    LinearLayout#bqk b={bottom_inner}
     LinearLayout#liu b={bottom_inner}
      *rows
   FrameLayout#videomusiccoverblock +CF [831,1960][1080,2208] z=1 @sound
  FrameLayout#lit [0,2206][1080,2208] z=6
   FrameLayout [21,2206][1059,2208]
 View#long_press_layout +CF [0,0][1080,2208] z=3 d="{video_desc}"
 FrameLayout#phx [0,0][1080,2208] z=11
 FrameLayout#i8y [0,0][1080,2208] z=16
 FrameLayout#dqb [0,0][1080,2208] z=19
 FrameLayout#aac [0,0][1080,2208] z=27
 FrameLayout#video_hot_swap_paywall_view [0,0][1080,2208] z=54
 FrameLayout#video_hot_swap_overlay_view [0,0][1080,2208] z=55
 FrameLayout#rey [0,0][1080,2208] z=24
  RelativeLayout [0,0][1080,2208]
   FrameLayout#utg [0,0][1080,2208]
 FrameLayout#aa2 [0,0][1080,2208] z=32
 LinearLayout#video_container_area [0,0][1080,2208] z=7
  FrameLayout#video_visible_area_container [0,132][1080,2208] z=2
   FrameLayout#owe [0,132][1080,2208] z=3
   FrameLayout#player_view [0,132][1080,2208]
    TextureView#wiu [0,132][1080,2052]
   ViewGroup#rop [0,132][1080,2208] z=6
    FrameLayout#rnz [0,132][1080,2208]
   FrameLayout#video_adapted_wrapper_container [0,132][1080,2052]
 LinearLayout#video_sticker_container_area [0,0][1080,2208] z=13
  FrameLayout#video_visible_area_container_sticker [0,132][1080,2208] z=2
   FrameLayout#lj0 [0,132][1080,2052]
 ViewGroup#i6i [0,0][1080,136] z=34
  ImageView#i6j [944,0][1080,136]
 View#gradual_bottom [0,1929][1080,2208] z=21
""",
)

TT4703_ROW_CREATOR = Layout(
    shared=True,
    text="""
LinearLayout#ewa +CF [32,2066][870,2124] z=11
 ViewGroup#ibe b={title_box}
  LinearLayout#uy5 +CF b={title_box}
   Button#title +CF [32,2066][115,2124] z=2 t="{creator_label}" b={title_box} @author
""",
)

TT4703_ROW_DESC = Layout(
    shared=True,
    text="""
FrameLayout#ewa +CF [32,2135][870,2186] z=12
 LinearLayout#ewf [32,2135][870,2186]
  FrameLayout#fza [32,2135][870,2186]
   LinearLayout#g1q +CF [32,2135][870,2186]
    LinearLayout#g0p [32,2135][870,2186]
     X.09F7#desc +CF [32,2135][870,2186] z=2 t="{caption}"
   LinearLayout#dkr [32,2135][870,2137] z=3
    View [32,2135][870,2137] z=2
""",
)

# ---- tt4314

TT4314_FEED = Layout(
    shared=True,
    text="""
FrameLayout#i5o [0,0][1080,2337]
 X.122f#zpg +FX [0,0][1080,2337]
  TabHost#mln +F [0,0][1080,2337]
   LinearLayout [0,0][1080,2337] z=6
    FrameLayout#v5b [0,0][1080,2337] z=3
   FrameLayout#ml3 [0,0][1080,2337] z=1
    FrameLayout#v5b [0,0][1080,2337]
     *tab_content
    ?seek_bar LinearLayout#zcw [0,2169][1080,2243] z=8
     FrameLayout [0,2169][1080,2243]
      SeekBar#stk +F [32,2169][1048,2243]
    View#c11 [0,2207][1080,2208] z=2
    LinearLayout#mky [0,2208][1080,2337]
     FrameLayout#mkq +CF [0,2208][216,2337] sel={on_home} d="{nav_home}" @nav:home
      TextView [0,2288][216,2322] z=2 t="{nav_home}" sel={on_home}
      ImageView [66,2213][150,2297] z=1 sel={on_home}
     FrameLayout#mkp +CF [216,2208][432,2337] d="{nav_friends}" @nav:friends
      TextView [216,2288][432,2322] z=2 t="{nav_friends}"
      ImageView [282,2213][366,2297] z=1
     Button#mkn +CF [432,2208][648,2337] d="{nav_create}" @nav:create
      ImageView [441,2208][638,2337]
      ImageView [441,2208][638,2337] z=4
     FrameLayout#mkr +CF [648,2208][864,2337] d="{nav_inbox}" @nav:inbox
      TextView [648,2288][864,2322] z=2 t="{nav_inbox}"
      ImageView [714,2213][798,2297] z=1
     FrameLayout#mks +CF [864,2208][1080,2337] sel={on_profile} d="{nav_profile}" @nav:profile
      TextView [864,2288][1080,2322] z=2 t="{nav_profile}" sel={on_profile}
      ImageView [930,2213][1014,2297] z=1 sel={on_profile}
 FrameLayout#qrr [0,0][194,436] z=3
""",
)

TT4314_PLAYER = Layout(
    shared=True,
    text="""
FrameLayout#view_rootview [0,0][1080,2208]
 X.13er#widget_container [0,0][1080,2208] z=23
  X.13er#c1w [0,0][1080,2208] z=9
   FrameLayout#ukp [39,1537][891,2208] z=2
  X.13er#wfa [0,0][1080,2208] z=3
   X.13er#blp b={above_box} z=10
   LinearLayout#jwv +CFT b={column_box} z=8
    FrameLayout#e0d +CF [911,1215][1080,1414]
     FrameLayout +CF [911,1215][1080,1414]
      RelativeLayout#gvo +CF [911,1236][1080,1414]
       RelativeLayout#b4k +CF [921,1236][1080,1390]
        FrameLayout#han [929,1241][1072,1384]
         ImageView#yx4 +CF [942,1254][1059,1371] z=2 d="{avatar_desc}" @author
        View#yxl [937,1250][1063,1376]
       ?follow_plus Button#hi1 +CF [921,1325][1080,1414] z=3 d="{follow_desc}" @follow_creator
        ImageView#hia [964,1336][1037,1399] z=2
    FrameLayout#e0d +CLF [912,1414][1080,1572]
     Button#f57 +CLF [912,1414][1080,1572] d="{like_desc}" @like
      FrameLayout#f4y +CL [912,1414][1080,1531] @like
       ImageView#f4u [942,1414][1060,1531] z=2 d="{like_icon}" sel={liked}
      RelativeLayout#f50 [912,1531][1080,1553]
       Button#f4z +CL [912,1531][1080,1553] t="{like_count}"
    FrameLayout#e0d +CF [912,1572][1080,1730]
     Button#dtv +CF [912,1572][1080,1730] d="{comments_desc}" @comments
      LinearLayout#dtw +F [912,1572][1080,1730]
       FrameLayout#dp2 +C [912,1572][1080,1689] @comments
        FrameLayout#dqa [922,1572][1080,1689]
         ImageView#dq4 [959,1589][1043,1673] z=2
       RelativeLayout#dp7 [912,1689][1080,1710]
        Button#dp6 +C [912,1689][1080,1710] t="{comments_count}"
    FrameLayout#e0d +CF [912,1730][1080,1888]
     FrameLayout#gug +CF [912,1730][1080,1888] @favorite
      Button#guh [912,1730][1080,1888] d="{favorites_desc}" sel={saved}
       FrameLayout#gtt [912,1730][1080,1847]
        ImageView#gtn [942,1730][1060,1847] z=2
       RelativeLayout#gtw [912,1847][1080,1869]
        TextView#gtv [912,1847][1080,1869] t="{saves_count}"
    FrameLayout#e0d +CFT [0,1960][1080,2208] z=7
     RelativeLayout#nhn [0,1960][1080,2208]
      FrameLayout#nyd [776,1960][1025,2208] z=2
      Button#nhe +C [912,2046][1080,2208] z=3 d="{sound_desc}" @sound
       FrameLayout#nhp +CF [912,2072][1080,2177] z=2 @sound
        FrameLayout#nfr +C [912,2072][1080,2177] @sound
         FrameLayout#nfp [951,2072][1059,2177]
          FrameLayout#nfs [951,2072][1059,2177]
           ImageView#nfk [952,2072][1057,2177]
    FrameLayout#e0d +CF [912,1888][1080,2046] z=5
     FrameLayout#tcr +CLF [912,1888][1080,2046] @share
      Button#f57 +CF [912,1888][1080,2046] d="{share_desc}" @share
       ViewGroup#t9z +CF [912,1888][1080,1988] @share
        ImageView#t_j +CLF [959,1904][1043,1988] z=2 @share
       RelativeLayout#t_3 [912,1988][1080,2043]
        Button#t_2 +CLF [922,1988][1080,2043] t="{share_count}"
   FrameLayout#b8d b={bottom_box} z=3
    LinearLayout#b8c b={bottom_inner}
     LinearLayout#jwr b={bottom_inner}
      *rows
   FrameLayout#zf7 +CF [831,1960][1080,2208] z=1 @sound
  FrameLayout#jwq [0,2206][1080,2208] z=5
   FrameLayout [21,2206][1059,2208]
 View#long_press_layout +CF [0,0][1080,2208] z=3 d="{video_desc}"
 FrameLayout#ncf [0,0][1080,2208] z=12
 FrameLayout#gve [0,0][1080,2208] z=17
 FrameLayout#cy0 [0,0][1080,2208] z=20
 FrameLayout#a0t [0,0][1080,2208] z=28
 FrameLayout#zab [0,0][1080,2208] z=54
 FrameLayout#zaa [0,0][1080,2208] z=55
 FrameLayout#p4e [0,0][1080,2208] z=24
  RelativeLayout [0,0][1080,2208]
   FrameLayout#rxe [0,0][1080,2208]
 FrameLayout#a0i [0,0][1080,2208] z=33
 LinearLayout#z9_ [0,0][1080,2208] z=8
  FrameLayout#zf3 [0,284][1080,1924] z=2
   FrameLayout#mud [0,284][1080,1924] z=3
   FrameLayout#player_view [0,284][1080,1924]
    TextureView#tlp [0,800][1080,1407]
   ViewGroup#pb8 [0,284][1080,1924] z=6
    FrameLayout#paj [0,284][1080,1924]
   FrameLayout#z7w [0,800][1080,1407]
 LinearLayout#zdc [0,0][1080,2208] z=14
  FrameLayout#zf4 [0,284][1080,1924] z=2
   FrameLayout#jww [0,800][1080,1407]
 ViewGroup#gtn [0,0][1080,136] z=35
  ImageView#gto [944,0][1080,136]
 View#gradual_bottom [0,1859][1080,2208] z=22
""",
)

TT4314_ROW_CREATOR = Layout(
    shared=True,
    text="""
LinearLayout#e0d +CF [32,1996][870,2054] z=11
 ViewGroup#gz5 b={title_box}
  LinearLayout#s28 +CF b={title_box}
   Button#title +CF [32,1996][273,2054] z=2 t="{creator_label}" b={title_box} @author
""",
)

TT4314_ROW_DESC = Layout(
    shared=True,
    text="""
FrameLayout#e0d +CF [32,2072][870,2123] z=12
 LinearLayout#e0i [32,2072][870,2123]
  FrameLayout#ey8 [32,2072][870,2123]
   LinearLayout#f0k +CF [32,2072][870,2123]
    LinearLayout#ezi [32,2072][870,2123]
     TuxTextLayoutView#desc +CF [32,2072][870,2123] z=2 t="{caption}"
   LinearLayout#cti [32,2072][870,2074] z=3
    View [32,2072][870,2074] z=2
""",
)

# ---- LIVE preview (tt4693_fr_live_preview; the other builds use it too)
LIVE_PLAYER = Layout(
    shared=True,
    text="""
FrameLayout#view_rootview [0,0][1080,2208] z=2
 View#long_press_layout +CF [0,0][1080,2208] z=8 d="{live}" @live
 FrameLayout#nir [0,0][1080,2208] z=4
 FrameLayout#qyg [0,0][1080,2208] z=11
 ViewGroup#ij1 [0,0][1080,2208] z=12
  ViewGroup#o2_ [0,1829][1080,2176] z=3
   FrameLayout#cnt [0,1829][1080,1887]
    FrameLayout#nxe +CF [0,1829][1080,1887] @live
     LinearLayout [0,1829][1080,1887]
      LinearLayout [0,1829][1080,1887]
       LinearLayout#nyk [0,1829][1080,1887]
        View#n9i [0,1856][172,1859]
        FrameLayout#fmh [204,1829][875,1887]
         LinearLayout#tuz [204,1829][875,1887]
          View#nyn [204,1834][251,1881]
          TextView#tv_live_tips [267,1829][875,1887] z=3 t="{live_tips}"
        View#uor [907,1856][1080,1859]
   LinearLayout#npm [0,1887][1080,2176]
    ViewGroup#nq7 [32,1971][817,2050]
     LinearLayout#ig0 [32,1971][309,2029]
      TextView#ig1 [45,1971][296,2029] z=2 t="{live_now}"
    ViewGroup#nrf [32,2050][1048,2108]
     Button#tv_live_nickname +CF b={title_box} t="{creator_label}" @author
    LinearLayout#ss4 [32,2113][765,2176] z=4
     TextView#tv_live_title [32,2129][537,2176] z=2 t="{caption}"
 FrameLayout#btx [0,284][1080,2208] z=14
 FrameLayout#imq [0,473][1080,2208] z=3
  SurfaceView [0,473][1080,2208]
""",
)

# The For You page inside the tab host (the own profile takes its place on the Profile tab).
TT4693_HOME = Layout(
    shared=True,
    text="""
FrameLayout#ipm [0,0][1080,2337]
 FrameLayout#sob [0,0][1080,2337]
 FrameLayout#ik9 [0,0][1080,2337]
  X.05ht#viewpager +FX [0,0][1080,2337]
   FrameLayout#i_q +CF [0,0][1080,2337]
    FrameLayout#wn9 [0,0][1080,2337] z=2
    ViewGroup#g59 [0,0][1080,2337] z=7
    FrameLayout#wn1 [0,0][1080,2337] z=4
     ViewGroup#u3x [0,0][1080,2337]
      FrameLayout#od5 [0,0][1080,2337]
       FrameLayout#i10 [0,0][1080,2337]
       FrameLayout#g6j [0,0][1080,2337] z=8
       LinearLayout#viewpager_container [0,0][1080,2337] z=2
        FrameLayout#view_pager_layout_wrapper [0,0][1080,2208] z=2
         ViewPager#viewpager +FX [0,0][1080,2208] z=2
          *player
        View#cn_ [0,2208][1080,2337] z=4
    View#wmv [0,0][189,189] z=1
  LinearLayout#z7s [0,0][1080,2337] z=6
   FrameLayout [0,132][1080,284] z=2
    FrameLayout#usr +CF [0,132][1080,284]
     ImageView#k9w +CF [0,134][147,281] z=2
     FrameLayout [147,132][933,284] z=1
      HorizontalScrollView +FX [147,132][933,284]
       LinearLayout [147,132][933,284]
        X.0043 +CF [147,132][281,284] @tab:explore
         LinearLayout [147,132][281,284] d="{tab_explore}"
          TextView#android:id/text1 [147,132][281,284] t="{tab_explore}"
        X.0043 +CF [448,132][645,284] @tab:following
         FrameLayout [448,132][645,284] d="{tab_following}"
          LinearLayout [448,132][645,284]
           TextView#android:id/text1 [448,132][645,284] t="{tab_following}"
        X.0043 +CF [645,132][766,284] @tab:shop
         ViewGroup [645,132][766,284] d="{tab_shop}"
          TextView#android:id/text1 [645,132][766,284] t="{tab_shop}"
          View#lag [703,166][766,250] z=4
          View#tv_tab_dot [745,177][766,198]
        X.0043 +CFS [766,132][933,284] @tab:for_you
         LinearLayout +S [766,132][933,284] d="{tab_for_you}"
          TextView#android:id/text1 +S [766,132][933,284] t="{tab_for_you}"
     ImageView#k9z +CF [933,134][1080,281] d="{search}" @search
""",
)
TT4703_HOME = Layout(
    shared=True,
    text="""
FrameLayout#iq2 [0,0][1080,2337]
 FrameLayout#sqy [0,0][1080,2337]
 FrameLayout#ikx [0,0][1080,2337]
  X.05nV#viewpager +FX [0,0][1080,2337]
   FrameLayout#iae +CF [0,0][1080,2337]
    FrameLayout#wqg [0,0][1080,2337] z=2
    ViewGroup#g5p [0,0][1080,2337] z=7
    FrameLayout#wq9 [0,0][1080,2337] z=4
     ViewGroup#u75 [0,0][1080,2337]
      FrameLayout#odt [0,0][1080,2337]
       FrameLayout#i1o [0,0][1080,2337]
       FrameLayout#g70 [0,0][1080,2337] z=8
       LinearLayout#viewpager_container [0,0][1080,2337] z=2
        FrameLayout#view_pager_layout_wrapper [0,0][1080,2208] z=2
         ViewPager#viewpager +FX [0,0][1080,2208] z=2
          *player
        View#cn8 [0,2208][1080,2337] z=4
    View#wq3 [0,0][189,189] z=1
  LinearLayout#zau [0,0][1080,2337] z=6
   FrameLayout [0,132][1080,284] z=2
    FrameLayout#uvy +CF [0,132][1080,284]
     ImageView#k_5 +CF [0,134][147,281] z=2
     FrameLayout [147,132][933,284] z=1
      HorizontalScrollView +FX [147,132][933,284]
       LinearLayout [147,132][933,284]
        X.004x +CF [147,132][273,284] @tab:explore
         LinearLayout [147,132][273,284] d="{tab_explore}"
          TextView#android:id/text1 [147,132][273,284] t="{tab_explore}"
        X.004x +CF [440,132][573,284] @tab:following
         FrameLayout [440,132][573,284] d="{tab_following}"
          LinearLayout [440,132][573,284]
           TextView#android:id/text1 [440,132][573,284] t="{tab_following}"
        X.004x +CF [573,132][759,284] @tab:shop
         ViewGroup [573,132][759,284] d="{tab_shop}"
          TextView#android:id/text1 [573,132][759,284] t="{tab_shop}"
          View#lb0 [696,166][759,250] z=4
          View#tv_tab_dot [738,177][759,198]
        X.004x +CFS [759,132][933,284] @tab:for_you
         LinearLayout +S [759,132][933,284] d="{tab_for_you}"
          TextView#android:id/text1 +S [759,132][933,284] t="{tab_for_you}"
     ImageView#k_8 +CF [933,134][1080,281] d="{search}" @search
""",
)
TT4314_HOME = Layout(
    shared=True,
    text="""
FrameLayout#hc2 [0,0][1080,2337]
 FrameLayout#pzy [0,0][1080,2337]
 FrameLayout#h86 [0,0][1080,2337]
  X.122f#zpg +FX [0,0][1080,2337]
   FrameLayout#gy_ +CF [0,0][1080,2337]
    FrameLayout#ts8 [0,0][1080,2337] z=2
    ViewGroup#f3z [0,0][1080,2337] z=7
    FrameLayout [0,0][1080,2337] z=8
    FrameLayout#ts4 [0,0][1080,2337]
     ViewGroup#rb9 [0,0][1080,2337]
      FrameLayout#me1 [0,0][1080,2337]
       FrameLayout#gp8 [0,0][1080,2337]
       FrameLayout#f54 [0,0][1080,2337] z=6
       LinearLayout#zpj [0,0][1080,2337] z=2
        ViewPager#zpg +FX [0,0][1080,2208] z=2
         *player
        View#c0w [0,2208][1080,2337] z=4
    View#ts3 [0,0][189,189] z=1
  LinearLayout#w20 [0,0][1080,2337] z=5
   FrameLayout [0,132][1080,284] z=2
    FrameLayout#s00 +CF [0,132][1080,284]
     ImageView#irw +CF [0,134][147,281] z=2
     FrameLayout [147,132][933,284] z=1
      HorizontalScrollView +F [198,132][883,284]
       LinearLayout [198,132][883,284]
        X.12Kh +CF [198,132][350,284] @tab:explore
         LinearLayout [198,132][350,284] d="{tab_explore}"
          TextView#android:id/text1 [198,132][350,284] t="{tab_explore}"
        X.12Kh +CF [452,132][568,284] @tab:following
         FrameLayout [452,132][568,284] d="{tab_following}"
          LinearLayout [452,132][568,284]
           TextView#android:id/text1 [452,132][568,284] t="{tab_following}"
           View#y_q [547,176][568,197] z=3
        X.12Kh +CF [568,132][729,284] @tab:shop
         ViewGroup [568,132][729,284] d="{tab_shop}"
          TextView#android:id/text1 [568,132][729,284] t="{tab_shop}"
          View#jq3 [666,166][729,250] z=4
          View#y_q [708,177][729,198]
        X.12Kh +CFS [729,132][883,284] @tab:for_you
         LinearLayout +S [729,132][883,284] d="{tab_for_you}"
          TextView#android:id/text1 +S [729,132][883,284] t="{tab_for_you}"
     ImageView#irz +CF [933,134][1080,281] d="{search}" @search
""",
)

# tt4314_fr_ad (a 1080x2220 phone): the ad's label is a TextView there (Button on 46.9.3).
TT4314_ROW_AD = Layout(
    shared=True,
    text="""
FrameLayout#e0d +CF [33,1730][860,1793] z=14
 ViewGroup#zb [33,1730][860,1793]
  RelativeLayout#z_ +CF [33,1730][196,1782]
   RelativeLayout#ru6 [33,1730][196,1782]
    TextView#ru3 [47,1736][182,1775] t="{ad_label}"
""",
)

FEED = {"tt4693": TT4693_FEED, "tt4703": TT4703_FEED, "tt4314": TT4314_FEED}
HOME = {"tt4693": TT4693_HOME, "tt4703": TT4703_HOME, "tt4314": TT4314_HOME}
PLAYER = {"tt4693": TT4693_PLAYER, "tt4703": TT4703_PLAYER, "tt4314": TT4314_PLAYER}
ROW_CREATOR = {"tt4693": TT4693_ROW_CREATOR, "tt4703": TT4703_ROW_CREATOR,
               "tt4314": TT4314_ROW_CREATOR}  # fmt: skip
ROW_DESC = {"tt4693": TT4693_ROW_DESC, "tt4703": TT4703_ROW_DESC, "tt4314": TT4314_ROW_DESC}
ROW_AD = {"tt4693": TT4693_ROW_AD, "tt4703": TT4693_ROW_AD, "tt4314": TT4314_ROW_AD}
# Where each build's dump shows the rows (top, bottom): the player moves them from there.
ROW_AT = {
    "tt4693": {"creator": (1936, 1994), "desc": (2015, 2117), "ad": (2138, 2199)},
    "tt4703": {"creator": (2066, 2124), "desc": (2135, 2186), "ad": (2138, 2199)},
    "tt4314": {"creator": (1996, 2054), "desc": (2072, 2123), "ad": (1730, 1793)},
}
