"""The comments sheet's and the comment bar's layouts per build, shaped after the real dumps
(``real-screens/``):

- 47.0.3 (``tt4703``, 46.9.3 too): ``tt4703_fr_comment_sheet`` (the sheet, the video behind, the
  rows: one plain, one with an image, the "Afficher N réponses" row, the field);
  ``tt4703_fr_video_page_comment_bar`` (the bar under a video opened on its own);
- 43.1.4 (``tt4314``): ``tt4314_fr_comment_sheet`` and ``tt4314_fr_comment_sheet_empty`` (the
  empty sheet's message and quick emoji), dumped on a 1080x2220 phone: the sheet below its top and
  the feed's bottom bar moved down 249 px to the sim's 2400 px screen.

Trees, classes and ids as dumped; texts are the screen's values (``{title}``), the dumps'
anonymised words (``name_12``) and invented comments left out. Used by
:mod:`runner.sim.tiktok.comments`.
"""

from __future__ import annotations

from runner.sim.tiktok.spec import Layout

# --------------------------------------------------------------------------- tt4703 (47.0.3)
# tt4703_fr_comment_sheet: the video page behind (g3y) and the sheet (el7: in the dump a sibling
# of the window content's first view, here of the page, in the activity root v4t > v4w that the
# app's chrome adds).
ROOT_4703 = Layout("""
FrameLayout#g3y [0,0][1080,2400]
 FrameLayout#j0m [0,0][1080,2337]
 FrameLayout#jja [0,0][1080,2337] z=5
 FrameLayout#ad3 [0,0][1080,2337] z=6
 FrameLayout#j0i [0,0][1080,2337] z=2
  FrameLayout [0,0][1080,2337]
   X.05nV#viewpager +FX [0,0][1080,2337]
    FrameLayout#vqi [0,0][1080,2337]
     FrameLayout#uy5 +CF [0,0][1080,2337]
      ViewGroup#u75 +d [0,0][1080,2337]
       FrameLayout#odt [0,0][1080,2337]
        FrameLayout#i1o [0,0][1080,2337]
        FrameLayout#g70 [0,0][1080,2337] z=8
        LinearLayout#viewpager_container [0,0][1080,2337] z=2
         FrameLayout#view_pager_layout_wrapper [0,0][1080,2208] z=2
          ViewPager#viewpager +FX [0,0][1080,2208] z=2
           FrameLayout#view_rootview [0,0][1080,2208]
            View#long_press_layout +CF [0,0][1080,2208] d="{video}" z=3
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
            LinearLayout#video_sticker_container_area [0,0][1080,2208] z=13
             FrameLayout#video_visible_area_container_sticker [0,0][1080,2208] z=2
            LinearLayout#video_container_area [0,0][1080,2208] z=7
             FrameLayout#video_visible_area_container [0,0][1080,2208] z=2
              FrameLayout#owe [0,0][1080,2208] z=3
              FrameLayout#player_view [0,0][1080,2208]
               TextureView#wiu [307,5][773,832]
              FrameLayout#video_adapted_wrapper_container [0,0][1080,1379] z=4
            View#gradual_top [0,0][1080,357] z=8
            View#gradual_bottom [0,1737][1080,2208] z=21
         View#cn8 [0,2208][1080,2337] z=4
        FrameLayout#tux_status_view [0,294][1080,2036] z=9
      View#g4c [0,0][1080,236]
FrameLayout#el7 [0,0][1080,2400] z=2
 FrameLayout#f1k [0,0][1080,2400]
  FrameLayout#ejn [0,0][1080,2400] z=5
  FrameLayout#uy5 +F foc={sheet_focused} [0,0][1080,2400]
   LinearLayout#pvp +CF [0,0][1080,2400]
    View#eme +CF [0,0][1080,768] @close
    FrameLayout#ikj [0,768][1080,2400] z=3
     LinearLayout#oa9 [0,768][1080,2400]
      ?!empty FrameLayout#emh [0,768][975,878] z=3
       ViewGroup#vkr +L [0,768][975,878]
        LinearLayout#mv8 [0,768][975,878]
         LinearLayout#ge5 +CLF [21,789][525,878]
          TextView#k0m [31,810][252,857] t="{search_label}"
          LinearLayout [252,810][515,857] z=3
           Button#mrj +CLF [262,810][489,857] t="{search_query}"
           ImageView#kfc +CLF [489,810][515,836]
      ?empty FrameLayout#drn [0,768][860,878] z=3
       ViewGroup +CF [0,768][860,878]
        ViewGroup#s1c [0,768][860,878]
         ImageView#pk3 [49,790][115,856]
         LinearLayout#pk9 [142,781][816,825]
          TextView#pk6 [142,781][428,825] t="{creator}"
         LinearLayout#v97 [142,827][816,868] z=4
          TextView#dsq [142,827][304,868] t="{creator}"
          TextView#dru [312,827][323,868] t="·"
          TextView#dsr [331,827][816,868] t="{creator_likes}"
      FrameLayout#emg [0,878][1080,994] z=5
       FrameLayout#emf [0,878][1080,994]
        LinearLayout#wk8 +CF [0,878][1080,994]
         TextView#wk7 [292,878][692,994] t="{title}"
         ImageView#l5z [697,890][787,982]
        RelativeLayout#eiq [0,878][1048,994] z=3
         FrameLayout#ele [0,878][995,994] z=7
         FrameLayout#zv3 [842,878][958,994] z=1
         ImageView#bs4 +CF [995,909][1048,962] z=5 @close
      ViewPager#emi +F [0,994][1080,2337] z=6
       FrameLayout#ikj [0,994][1080,2337]
        LinearLayout#oa9 [0,994][1080,2337]
         *list
         *input
    RelativeLayout#l6k [0,768][1080,894]
""")

LIST_4703 = Layout("""
RelativeLayout#ikk [0,994][1080,2179] z=2
 FrameLayout#odi [0,994][1080,2179] z=2
 FrameLayout [0,994][1080,2179] z=3
 RecyclerView#u5f +FX [0,994][1080,2179] z=1
""")

ROW_4703 = Layout("""
LinearLayout#n3y [0,994][1080,1209]
 ViewGroup#f1t [0,994][1080,1209]
  FrameLayout#ij6 [22,1015][155,1136] z=22
   FrameLayout#ij6 [22,1015][155,1136]
    FrameLayout#iom [22,1015][143,1136]
     ImageView#bld +CF [35,1028][130,1123] @{profile}
    FrameLayout#e4g [22,1015][135,1128]
     ImageView#m16 [22,1015][135,1128]
  Button#title +CF [167,1015][394,1059] t="{user}" @{profile}
  TextView#f4t +F [167,1064][1048,1125] t="{text}" z=26
  LinearLayout#eoe [167,1130][498,1178] z=13
   TextView#eob [167,1135][256,1174] t="{date}"
   Button#en4 +CF [298,1133][459,1175] t="{reply}"
  FrameLayout#g6n [818,1125][1075,1188] z=7
   ViewGroup [818,1125][1075,1188]
    Button#ncu [818,1125][970,1188] d="@2131823403"
     ImageView#m3k [844,1125][897,1188] z=2
     TextView#tv_like_count [902,1125][970,1188] t="{likes}" z=3
    Button#k0k [970,1125][1075,1188] d="@2131823401"
     ImageView#mmt [970,1125][1075,1188] z=2
""")

# the dump's third row: a comment with an image (also the 43.1.4 form, which has no such dump)
ROW_IMAGE_4703 = Layout("""
LinearLayout#n3y [0,1496][1080,2045]
 ViewGroup#f1t [0,1496][1080,2045]
  FrameLayout#ij6 [22,1517][155,1638] z=22
   FrameLayout#ij6 [22,1517][155,1638]
    FrameLayout#iom [22,1517][143,1638]
     ImageView#bld +CF [35,1530][130,1625] @{profile}
    FrameLayout#e4g [22,1517][135,1630]
     ImageView#m16 [22,1517][135,1630]
  Button#title +CF [167,1517][394,1559] t="{user}" @{profile}
  TextView#f4t +F [167,1564][1048,1625] t="{text}" z=26
  FrameLayout#ekf [167,1614][482,1950] z=28
   FrameLayout#ekg [167,1630][482,1945]
    ImageView#eke +CLF [167,1630][482,1945]
  LinearLayout#eoe [167,1966][498,2014] z=13
   TextView#eob [167,1971][256,2010] t="{date}"
   Button#en4 +CF [298,1969][459,2011] t="{reply}"
  FrameLayout#g6n [799,1961][1075,2024] z=7
   ViewGroup [799,1961][1075,2024]
    Button#ncu [799,1961][970,2024] d="{like_desc}"
     ImageView#m3k [825,1961][878,2024] z=2
     TextView#tv_like_count [883,1961][970,2024] t="{likes}" z=3
    Button#k0k [970,1961][1075,2024] d="{dislike_desc}"
     ImageView#mmt [970,1961][1075,2024] z=2
""")

REPLIES_4703 = Layout("""
FrameLayout#uxb [0,1422][1080,1496]
 LinearLayout#n3m +CF [0,1422][1048,1496]
  View#n_n +CF [0,1422][142,1496]
  LinearLayout#gba +CF [142,1422][226,1496]
   View#view_more_comment_divider [142,1453][205,1454]
  LinearLayout#hwv +CF [226,1422][605,1496]
   Button#tv_reply_comment_title [226,1433][568,1475] t="{view_replies}"
   ImageView#l5q [573,1438][605,1470]
""")

INPUT_4703 = Layout("""
FrameLayout#i1f [0,2179][1080,2337] z=4
 LinearLayout#lfw [0,2179][1080,2337]
  *above
  View#ejo [0,2179][1080,2180]
  FrameLayout#ej5 [0,2180][1080,2337] z=3
   FrameLayout#ejr [0,2180][1080,2337]
    FrameLayout#lbx [0,2180][1080,2337] z=2
     ViewGroup#ejq [0,2180][1080,2337] z=2
      FrameLayout#azy [0,2180][1080,2337] z=18
      ImageView#eio [32,2214][127,2309]
      View#mzp +CF [152,2201][1048,2316] z=5 @focus:comment
      EditText#ejs +CLF [189,2201][721,2282] t="{field_text}" h="{field_hint}" foc={field_focused} field=comment z=6 @focus:comment
      LinearLayout#kjk [732,2210][1032,2305] z=12
       Button#l12 +CF [732,2210][832,2305] d="@2131823358" @send
        ImageView#m9x +CF [737,2210][832,2305] @send
       ImageView#m4_ +CF [837,2210][932,2305] @add_image
       ImageView#lwq +CF [937,2210][1032,2305] @mention
    FrameLayout#hzc [0,2180][1080,2332] z=1
""")

# tt4703_fr_video_page_comment_bar: the bar over the video page (the page itself is the
# feed/profile helper's VideoScreen); a tap anywhere on it opens the sheet.
BAR_4703 = Layout("""
FrameLayout#cha [0,0][1080,2337] z=8
 RelativeLayout#uw_ [0,0][1080,2337] z=2
  LinearLayout#qo4 [0,2207][1080,2337]
   LinearLayout#f1k [0,2207][1080,2337] z=2
    View#y6_ [0,2207][1080,2208]
    FrameLayout#chm [0,2208][1080,2337]
     FrameLayout#g2h [0,2208][1080,2337]
      FrameLayout [0,2208][1080,2337]
       FrameLayout#mr7 [0,2208][1080,2337]
        FrameLayout#ej5 [0,2208][1080,2337]
         FrameLayout#ejr [0,2208][1080,2337]
          FrameLayout#hzc [0,2208][1080,2337]
          FrameLayout#lbx [0,2208][1080,2337]
           ViewGroup#ejq [0,2208][1080,2337] z=2
            FrameLayout#azy [0,2208][1080,2337] z=18
            View#mzp +CF [32,2218][1048,2334] z=5 @comments:bar
            EditText#ejs +F [64,2219][1037,2300] t="{field}" h="{field}" z=6
            LinearLayout#kjk [732,2228][1032,2323] z=12
             Button#l12 +CF [732,2228][832,2323] d="@2131823358" @comments:bar
              ImageView#m9x +CF [737,2228][832,2323] @comments:bar
             ImageView#m4_ +CF [837,2228][932,2323] @comments:image
             ImageView#lwq +CF [937,2228][1032,2323] @comments:bar
""")

# --------------------------------------------------------------------------- tt4314 (43.1.4)
# tt4314_fr_comment_sheet(_empty): the sheet (dqx) before the For You feed (i5o), in the activity
# root s8e > s8h the app's chrome adds; the sheet below its top and the feed's bottom bar moved
# down 249 px (the dumps' phone was 2220 px high, the sim's is 2400).
ROOT_4314 = Layout("""
FrameLayout#dqx [0,0][1080,2337] z=2
 FrameLayout#e52 [0,0][1080,2337]
  FrameLayout#dpg [0,0][1080,2337] z=5
  FrameLayout#s28 +F foc={sheet_focused} [0,0][1080,2337]
   LinearLayout#npl +CF [0,0][1080,2337]
    View#drk +CF [0,0][1080,918] @close
    FrameLayout#h7t [0,918][1080,2337] z=3
     LinearLayout#maf [0,918][1080,2337]
      ?!empty FrameLayout#drn [0,918][860,1034] z=3
       ViewGroup#snq +L [0,918][860,1034]
        LinearLayout#l3l [0,918][860,1034]
         LinearLayout#fbg +CLF [22,940][733,1034]
          TextView#ije [33,962][263,1012] t="{search_label}"
          LinearLayout [263,962][722,1012] z=3
           Button#l02 +CLF [274,962][694,1012] t="{search_query}"
           ImageView#iy6 +CLF [694,962][722,990] d="{search_icon}"
      ?!empty FrameLayout#drm [0,1034][1080,1154] z=5
       FrameLayout#drl +CF [0,1034][1080,1154]
        LinearLayout#tms +CF [0,1034][1080,1154]
         TextView#tmr [369,1034][711,1154] t="{title}"
      ?empty FrameLayout#drn [0,918][860,1068] z=3
       ViewGroup +CF [0,918][860,1068]
        ViewGroup#s1c [0,918][860,1068]
         ImageView#pk3 [49,960][115,1026]
         LinearLayout#pk9 [142,951][816,995]
          TextView#pk6 [142,951][428,995] t="{creator}"
         LinearLayout#v97 [142,997][816,1038] z=4
          TextView#dsq [142,997][304,1038] t="{creator}"
          TextView#dru [312,997][323,1038] t="·"
          TextView#dsr [331,997][816,1038] t="{creator_likes}"
      ?empty FrameLayout#drm [0,1068][1080,1188] z=5
       FrameLayout#drl +CF [0,1068][1080,1188]
        LinearLayout#tms +CF [0,1068][1080,1188]
         TextView#tmr [397,1068][683,1188] t="{title}"
      ?!empty ViewPager#dro +F [0,1154][1080,2337] z=6
       FrameLayout#h7t [0,1154][1080,2337]
        LinearLayout#maf [0,1154][1080,2337]
         *list
         *input
      ?empty ViewPager#dro +F [0,1188][1080,2337] z=6
       FrameLayout#h7t [0,1188][1080,2337]
        LinearLayout#maf [0,1188][1080,2337]
         *list
         *input
    RelativeLayout#jko [0,918][1080,1050]
    RelativeLayout#doj [33,918][1047,1050]
     FrameLayout#dr4 [33,918][992,1050] z=7
     FrameLayout#wj6 [832,923][953,1044] z=1
     ImageView#dse +CF [832,923][953,1044] d="{creator}" z=4
     ImageView#b9b +CF [992,956][1047,1011] d="{close}" z=5 @close
  FrameLayout#ske [926,0][1080,234]
   Button#skc +CF [926,80][1080,234] d="{search_icon}"
FrameLayout#i5o [0,0][1080,2337] z=1
 X.122f#zpg +FX [0,0][1080,2337]
  TabHost#mln +F [0,0][1080,2337]
   LinearLayout [0,0][1080,2337] z=6
    FrameLayout#v5b [0,0][1080,2337] z=3
   FrameLayout#ml3 [0,0][1080,2337] z=1
    FrameLayout#v5b [0,0][1080,2337]
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
             ViewPager#zpg +FX [0,0][1080,2202] z=2
              FrameLayout#view_rootview [0,0][1080,2202]
               View#long_press_layout +CF [0,0][1080,2202] d="{video}" z=3
               FrameLayout#ncf [0,0][1080,2202] z=12
               FrameLayout#gve [0,0][1080,2202] z=17
               FrameLayout#cy0 [0,0][1080,2202] z=20
               FrameLayout#a0t [0,0][1080,2202] z=28
               FrameLayout#zab [0,0][1080,2202] z=54
               FrameLayout#zaa [0,0][1080,2202] z=55
               FrameLayout#p4e [0,0][1080,2202] z=24
                RelativeLayout [0,0][1080,2202]
                 FrameLayout#rxe [0,0][1080,2202]
               FrameLayout#a0i [0,0][1080,2202] z=33
               LinearLayout#zdc [0,0][1080,2202] z=14
                FrameLayout#zf4 [0,0][1080,2202] z=2
               LinearLayout#z9_ [0,0][1080,2202] z=8
                FrameLayout#zf3 [0,0][1080,2202] z=2
                 FrameLayout#z7w [0,0][1080,2202] z=4
                 FrameLayout#mud [0,0][1080,2202] z=3
                 ViewGroup#pb8 [0,0][1080,2202] z=6
                  FrameLayout#paj [0,0][1080,2202]
                 FrameLayout#player_view [0,0][1080,2202] z=2
                  View [300,0][781,801]
               ViewGroup#gtn [0,0][1080,143] z=35
                ImageView#gto [937,0][1080,143]
               View#tku [0,0][1080,77] z=53
               View#gradual_bottom [0,1764][1080,2202] z=22
             View#c0w [0,2202][1080,2337] z=4
         View#ts3 [0,0][198,198] z=1
       LinearLayout#w20 [0,0][1080,2337] z=5
        View#u_8 [0,0][1080,77]
        FrameLayout [0,77][1080,237]
       ImageView#title_shadow [0,0][1080,77]
 FrameLayout#qrr [0,0][204,397] z=3
""")

LIST_4314 = Layout("""
RelativeLayout#h7u [0,1154][1080,2175] z=2
 FrameLayout#mdq [0,1154][1080,2175] z=2
 FrameLayout [0,1154][1080,2175] z=3
 RecyclerView#r_n +FX [0,1154][1080,2175] z=1
""")

ROW_4314 = Layout("""
FrameLayout#la_ [0,1154][1080,1377]
 ViewGroup#e58 [0,1154][1080,1377]
  Button#title +CF [162,1176][397,1220] t="{user}" z=2 @{profile}
  TextView#e7j +F [162,1226][1047,1289] t="{text}" z=25
  FrameLayout#f4w [18,1289][1074,1355] z=7
   RelativeLayout [18,1289][1074,1355]
    Button#liq [804,1289][965,1355] d="@0000000000"
     ImageView#keq [832,1289][887,1355] z=2
     TextView#xq7 [893,1289][965,1355] t="{likes}" z=3
    Button#ijb [965,1289][1074,1355] d="@0000000000"
     ImageView#kwi [965,1289][1074,1355] z=2
  FrameLayout#h6i [23,1176][162,1303] z=20
   FrameLayout#han [23,1176][150,1303]
    ImageView#b3v +CF [37,1190][136,1289] @{profile}
   FrameLayout#da8 [23,1176][141,1294]
    ImageView#kch [23,1176][141,1294]
  LinearLayout#dt4 [162,1295][466,1345] z=12
   TextView#dt1 [162,1301][214,1342] t="{date}"
   Button#drx +CF [258,1298][424,1342] t="{reply}"
""")

REPLIES_4314 = Layout("""
FrameLayout#s1c [0,1377][1080,1454]
 LinearLayout#l_y +CF [0,1377][1047,1454]
  View#lg2 +CF [0,1377][149,1454]
  LinearLayout#f9z +CF [149,1377][237,1454]
   View#zic [149,1409][215,1410]
  LinearLayout#gle +CF [237,1377][610,1454]
   Button#y2x [237,1388][571,1432] t="{view_replies}"
   ImageView#jjw [577,1393][610,1426]
""")

INPUT_4314 = Layout("""
FrameLayout#goz [0,2175][1080,2337] z=4
 LinearLayout#jub [0,2175][1080,2337]
  *above
  View#dph [0,2175][1080,2176]
  FrameLayout#dp2 [0,2176][1080,2337] z=3
   FrameLayout#dpk [0,2176][1080,2337]
    FrameLayout#jqo [0,2176][1080,2337] z=2
     ViewGroup#dpj [0,2176][1080,2337] z=2
      FrameLayout#ajx [0,2176][1080,2337] z=18
      ImageView#doh [33,2212][132,2311]
      View#l74 +CF [160,2198][1047,2315] z=5 @focus:comment
      EditText#dpl +CLF [199,2198][704,2279] t="{field_text}" h="{field_hint}" foc={field_focused} field=comment z=6 @focus:comment
      LinearLayout#j21 [715,2205][1030,2304] z=12
       Button#jfd +CF [715,2205][820,2304] d="@0000000000" @send
        ImageView#kkd +CF [721,2205][820,2304] @send
       ImageView#kfe +CF [826,2205][925,2304] d="{stickers}" @add_image
       ImageView#k9m +CF [931,2205][1030,2304] d="{mention}" @mention
    FrameLayout#gn4 [0,2176][1080,2336] z=1
""")

# The empty sheet's message (the list's only child) and quick emoji (above the field).
EMPTY_4314 = Layout("""
FrameLayout#ua1 +CF [0,1188][1080,2043]
 ViewGroup#ua6 [0,1188][1080,2043] z=2
  View#wcl [88,1188][992,1433]
  TextView#message_tv [88,1433][992,1533] t="{empty}" z=6
""")
EMOJI_4314 = Layout("""
FrameLayout#n20 [0,2044][1080,2176]
 FrameLayout#ish [0,2066][1080,2176]
  LinearLayout#g6n [0,2066][1080,2176]
   RecyclerView#gmq +FX [0,2066][1080,2154]
    LinearLayout#g6v +CF [33,2066][264,2154]
     TextView#g7q [44,2075][109,2145] t="😂"
     TextView#g7r [115,2075][180,2145] t="😂"
     TextView#g7s [186,2075][251,2145] t="😂"
    LinearLayout#g6v +CF [294,2066][525,2154]
     TextView#g7q [305,2075][370,2145] t="😍"
     TextView#g7r [376,2075][441,2145] t="😍"
     TextView#g7s [447,2075][512,2145] t="😍"
    LinearLayout#g6v +CF [555,2066][786,2154]
     TextView#g7q [566,2075][631,2145] t="🔥"
     TextView#g7r [637,2075][702,2145] t="🔥"
     TextView#g7s [708,2075][773,2145] t="🔥"
    LinearLayout#g6v +CF [816,2066][1047,2154]
     TextView#g7q [827,2075][892,2145] t="👏"
     TextView#g7r [898,2075][963,2145] t="👏"
     TextView#g7s [969,2075][1034,2145] t="👏"
""")
# A picked image above the field (no dump shows one: the comment rows' image views, 47.0.3 ids).
THUMB = Layout("""
FrameLayout#ekf [0,2019][1080,2179]
 FrameLayout#ekg [32,2027][182,2171]
  ImageView#eke +CLF [32,2027][182,2171] @remove_image
""")
