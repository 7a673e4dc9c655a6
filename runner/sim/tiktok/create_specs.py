"""The create flow's layouts per build, shaped after the real dumps (``real-screens/`` and the
taktik-bot fixtures):

- the camera: ``tt4314_fr_publish_camera`` (43.1.4); 47.0.3's from behind the gallery in
  ``tt4703_fr_publish_gallery_selected`` (``tt4703_fr_publish_camera`` differs by one container);
- the gallery panel over the camera: ``tt4314_fr_publish_gallery`` (nothing picked) and
  ``tt4703_fr_publish_gallery_selected`` / ``tt4703_fr_publish_gallery`` (one picked / none);
- the editor: ``tt4703_fr_publish_editor_sound`` (and ``_no_sound``'s pill), every build;
- the post screen: ``tt4703_fr_publish_post_screen``, ``tt4314_publish_post_screen`` (English,
  dumped 1080x2220: its top moved down 55 px, its bottom bar 249 px);
- the upload's progress window: ``tt4703_fr_publish_uploading``, ``tt4663_en_publish_uploading``;
  the own profile's uploading tile: ``tt4314_fr_publish_posted``.

Trees, classes and ids as dumped; texts are the screen's values (``{next}``). Used by
:mod:`runner.sim.tiktok.create`.
"""

from __future__ import annotations

from runner.sim.tiktok.spec import Layout

# tt4314_fr_publish_camera (the gallery panel goes last in zck, as in tt4314_fr_publish_gallery)
CAMERA_4314 = Layout("""
FrameLayout#s8e [0,0][1080,2337]
 FrameLayout#nor [0,0][1080,2337] z=2
  FrameLayout [0,0][1080,2337] z=2
  FrameLayout [0,0][1080,2337] z=1
   FrameLayout#zck [0,0][1080,2337]
    FrameLayout#bg5 [0,0][1080,2337]
    FrameLayout#lbs [0,0][1080,2337]
     FrameLayout [0,0][1080,2337]
      FrameLayout [0,0][1080,2337]
      FrameLayout [0,0][1080,2337]
       FrameLayout [0,0][1080,2337]
      FrameLayout [0,0][1080,2337]
    FrameLayout#r9v [0,0][1080,2337] z=7
    FrameLayout#r9l [0,0][1080,2337] z=3
     FrameLayout#nor [0,0][1080,2337]
      FrameLayout [0,0][1080,2337] z=2
      FrameLayout [0,0][1080,2337] z=1
       FrameLayout#r9l [0,0][1080,2337]
        FrameLayout#hxl [0,0][1080,2337]
         FrameLayout#r9p [0,0][1080,2337] z=2
         FrameLayout#r9v [0,0][1080,2337] z=6
         FrameLayout#fao [0,0][1080,2337] z=8
         FrameLayout#r9l [0,0][1080,2337]
          FrameLayout#r92 [0,0][1080,2337] z=4
          FrameLayout#r9_ [0,0][1080,2337] z=6
           FrameLayout#lb9 [0,0][1080,2337]
            FrameLayout#lb7 [0,0][1080,2337]
            FrameLayout#lb8 [0,0][1080,2337]
          FrameLayout#r9o [0,0][1080,2337] z=7
          FrameLayout#iev [0,0][1080,2337] z=9
          FrameLayout#r9t [0,0][1080,2337]
           FrameLayout [0,0][1080,2337]
          FrameLayout#r98 [0,0][1080,2337] z=3
           FrameLayout [0,0][1080,2337] z=6
            FrameLayout#r98 [0,0][1080,2337]
           FrameLayout [0,0][1080,2337] z=13
           FrameLayout [0,0][1080,2337] z=1
            RelativeLayout#ntm [0,1833][1080,2096] z=3
             FrameLayout#r8s [408,1833][671,2096]
             FrameLayout [671,1833][1080,2096]
              LinearLayout#ntl [749,1880][1001,2048]
            FrameLayout#eaa [382,1686][697,2337]
             Button#r3r +CF [382,1781][697,2096] d="@0000000000" z=4
             FrameLayout#d9a [434,1834][644,2044] z=5
           FrameLayout#tty [0,0][1080,2337] z=7
            RelativeLayout#rzd [0,1579][1080,2314]
             FrameLayout#ymg +CF [0,2118][210,2314] z=4 @upload
             RelativeLayout#n4r [0,2183][1080,2314] z=3
              FrameLayout#ce9 [53,2196][158,2301] z=2
               RelativeLayout [53,2196][158,2301]
                RelativeLayout#h9s [53,2196][158,2301]
                 ImageView#kwk [53,2196][158,2301]
                 ImageView#zg9 [53,2196][158,2301] z=3
              ImageView#hrs [153,2206][177,2293] z=3
             FrameLayout#r8s [408,1579][671,2314] z=1
           FrameLayout#cq6 [0,0][1080,2337] z=2
            ComposeView [0,0][1080,2337]
             View [0,0][1080,2337] z=0
              View +X [0,1839][1080,2033] z=0
               View +CF [637,1839][831,2033] z=0
               View +CF [831,1839][1025,2033] z=0
               View +CF [1025,1839][1080,2033] z=0
            FrameLayout [0,0][1080,2337]
           FrameLayout#d87 [0,150][1080,332] z=9
            LinearLayout#d83 +CF [327,203][753,319] z=2 @sound
             Button#d8c +CF [327,203][753,319] @sound
              Button#d8a +F [332,203][748,319] d="{add_sound}"
               ViewGroup [332,237][411,284]
                ImageView#d88 [369,237][411,279] d="{music}"
               TextView#ycm +FfS [411,203][732,319] t="{sound_label}" z=3
           ImageView#jix +CF [32,196][148,312] d="@0000000000" z=8 @back
           FrameLayout#u4y [0,1689][1080,1831] z=3
            LinearLayout [0,1689][1080,1831] z=2
             FrameLayout#u4u [0,1689][1080,1831]
              LinearLayout#e52 [0,1689][1080,1831]
               ViewGroup [0,1716][157,1803]
                ViewGroup [0,1716][157,1803]
                 TextView#v5w [0,1716][157,1803] t="{mode_0}"
               ViewGroup [157,1716][303,1803]
                ViewGroup [157,1716][303,1803]
                 TextView#v5w [157,1716][303,1803] t="{mode_1}"
               ViewGroup [303,1716][439,1803]
                ViewGroup [303,1716][439,1803]
                 TextView#v5w [303,1716][439,1803] t="{mode_2}"
               ViewGroup [439,1716][641,1803]
                ViewGroup [439,1716][641,1803]
                 TextView#v5w +S [439,1716][641,1803] t="{mode_3}"
               ViewGroup [641,1716][828,1803]
                ViewGroup [641,1716][828,1803]
                 TextView#v5w [641,1716][828,1803] t="{mode_4}"
            View#u4v [433,1712][646,1807] z=1
           FrameLayout#c12 [0,2185][1080,2314] z=5
            LinearLayout [0,2185][1080,2314]
             ViewGroup [0,2185][1080,2314]
              FrameLayout#v5h [198,2185][1080,2314]
               LinearLayout#e52 [198,2185][1080,2314]
                ViewGroup [272,2190][423,2308]
                 ViewGroup [272,2190][423,2308]
                  TextView#v5w [272,2190][423,2308] t="{bottom_0}"
                ViewGroup [423,2190][657,2308]
                 ViewGroup [423,2190][657,2308]
                  TextView#v5w +S [423,2190][657,2308] t="{bottom_1}"
                ViewGroup [657,2190][854,2308]
                 ViewGroup [657,2190][854,2308]
                  TextView#v5w [657,2190][854,2308] t="{bottom_2}"
           LinearLayout [686,0][1080,2337]
            LinearLayout#h52 [933,195][1080,469]
             Button +CLF [933,195][1080,332] d="{tool_0}"
              FrameLayout#ce1 [933,195][1080,332] z=4
               ImageView#w85 +F [964,221][1048,305] z=2
              ImageView#kkb [944,195][1070,321] z=1
             Button +CLF [933,332][1080,469] d="{tool_1}"
              FrameLayout#ce1 [933,332][1080,469] z=4
               ImageView#w85 +F [964,358][1048,442] z=2
              ImageView#kkb [944,332][1070,458] z=1
            View#lk6 [980,485][1033,488]
            ScrollView#ttf +F [933,504][1080,1052]
             LinearLayout#tte [933,504][1080,1052]
              Button +CLF [933,504][1080,641] d="{tool_2}"
               FrameLayout#ce1 [933,504][1080,641] z=4
                ImageView#w85 +F [964,530][1048,614] z=2
               ImageView#kkb [944,504][1070,630] z=1
              Button +CLF [933,641][1080,778] d="{tool_3}"
               FrameLayout#ce1 [933,641][1080,778] z=4
                ImageView#w85 +F [964,667][1048,751] z=2
               ImageView#kkb [944,641][1070,767] z=1
              Button +CLF [933,778][1080,915] d="{tool_4}"
               FrameLayout#ce1 [933,778][1080,915] z=4
                ImageView#w85 +F [964,804][1048,888] z=2
               ImageView#kkb [944,778][1070,904] z=1
              Button +CLF [933,915][1080,1052] d="{tool_5}"
               FrameLayout#ce1 [933,915][1080,1052] z=4
                ImageView#w8i [964,936][1048,1020] d="{tool_new}" z=3
                ImageView#w85 +F [964,941][1048,1025]
               ImageView#kkb [944,915][1070,1041] z=1
            ImageView#w8r +CF [969,1078][1043,1136] d="{tool_more}"
          FrameLayout#r99 [0,0][1080,2337] z=2
           FrameLayout [0,0][1080,2337]
           FrameLayout [0,0][1080,2337]
           FrameLayout [0,0][1080,2337]
         FrameLayout#s2q [0,0][1080,2337]
          FrameLayout#l_u [0,0][1080,2337]
           FrameLayout#l_s [0,132][1080,2337]
           FrameLayout#l_t [0,132][1080,2337]
    *panel
 FrameLayout [0,0][1080,2337] z=1
  SurfaceView [0,198][1080,2118]
""")

# tt4703_fr_publish_gallery_selected, the camera behind the gallery (the panel's place: *panel)
CAMERA_4703 = Layout("""
FrameLayout#v4t [0,0][1080,2400]
 FrameLayout [0,0][1080,2400]
 FrameLayout#v4t [0,0][1080,2400] z=3
  FrameLayout#puj [0,0][1080,2400] z=3
   FrameLayout [0,0][1080,2400] z=2
   FrameLayout [0,0][1080,2400] z=1
    FrameLayout#video_record_new_scene_root [0,0][1080,2400]
     FrameLayout#c0s [0,0][1080,2337]
     FrameLayout#n5g [0,0][1080,2337]
      FrameLayout [0,0][1080,2337]
       FrameLayout [0,0][1080,2337]
       FrameLayout [0,0][1080,2337]
        FrameLayout [0,0][1080,2337]
       FrameLayout [0,0][1080,2337]
     FrameLayout#u4q [0,0][1080,2337] z=7
     FrameLayout#u3f [0,0][1080,2337] z=10
     FrameLayout#u3c [0,0][1080,2337] z=3
      FrameLayout#puj [0,0][1080,2337]
       FrameLayout [0,0][1080,2337]
       FrameLayout [0,0][1080,2337]
        FrameLayout [0,0][1080,2337] z=2
        FrameLayout#u3c [0,0][1080,2337] z=1
         FrameLayout#jbg [0,0][1080,2337]
          FrameLayout#u3h [0,0][1080,2337] z=2
          FrameLayout#u4q [0,0][1080,2337] z=6
          FrameLayout#gde [0,0][1080,2337] z=8
          FrameLayout#u3c [0,0][1080,2337]
           FrameLayout#u47 [0,0][1080,2337] z=4
           FrameLayout#u2u [0,0][1080,2337] z=5
           FrameLayout#u32 [0,0][1080,2337] z=7
            FrameLayout#p1d [0,0][1080,2337]
            FrameLayout#n4v [0,0][1080,2337]
             FrameLayout#n4t [0,0][1080,2337]
             FrameLayout#n4u [0,0][1080,2337]
           FrameLayout#u3g [0,0][1080,2337] z=8
           FrameLayout#jvp [0,0][1080,2337] z=10
           FrameLayout#u4o [0,0][1080,2337]
            FrameLayout [0,0][1080,2337]
           FrameLayout#u30 [0,0][1080,2337] z=3
            FrameLayout [0,0][1080,2337] z=7
             FrameLayout#u30 [0,0][1080,2337]
            FrameLayout [0,0][1080,2337] z=13
            FrameLayout [0,0][1080,2337] z=1
             RelativeLayout#q02 [0,1830][1080,2093] z=3
              FrameLayout#u2j [408,1830][671,2093]
              FrameLayout [671,1830][1080,2093]
               LinearLayout#q01 [749,1877][1001,2045]
             FrameLayout#f8k [382,1683][697,2337]
              Button#twt +CF [382,1778][697,2093] d="@0000000000" z=4
              FrameLayout#e2m [434,1831][644,2041] z=5
            FrameLayout#ws7 [0,0][1080,2337] z=10
             RelativeLayout#uvg [0,1579][1080,2314]
              FrameLayout#upload_hot_area +CF [0,2118][210,2314] z=4 @upload
              RelativeLayout#p92 [0,2183][1080,2314] z=3
               FrameLayout#d37 [53,2196][158,2301] z=2
                RelativeLayout [53,2196][158,2301]
                 RelativeLayout#imi [53,2196][158,2301]
                  ImageView#mmv [53,2196][158,2301]
                  ImageView#view_bg2 [53,2196][158,2301] z=3
               ImageView#j61 [153,2206][177,2293] z=3
              FrameLayout#u2j [408,1579][671,2314] z=1
            FrameLayout#dh0 [0,0][1080,2337] z=2
             ComposeView [0,0][1080,2337]
              View [0,0][1080,2337] z=0
               View +X [0,1839][1080,2033] z=0
                View +CF [637,1839][831,2033] z=0
                View +CF [831,1839][1025,2033] z=0
                View +CF [1025,1839][1080,2033] z=0
             FrameLayout [0,0][1080,2337]
            FrameLayout#e1j [0,150][1080,332] z=8
             LinearLayout#e1f +CF [327,203][753,319] z=2 @sound
              Button#e1p +CF [327,203][753,319] @sound
               Button#e1n +F [332,203][748,319] d="{add_sound}"
                ViewGroup [332,237][411,284]
                 ImageView#e1k [369,237][411,279]
                TextView#tv_top_text +FfS [411,203][732,319] t="{sound_label}" z=3
            ImageView#l4t +CF [32,196][148,312] d="@0000000000" z=6 @back
            FrameLayout#x3f [0,1689][1080,1831] z=3
             LinearLayout [0,1689][1080,1831] z=2
              FrameLayout#x3b [0,1689][1080,1831]
               LinearLayout#f1k [0,1689][1080,1831]
                ViewGroup [0,1716][157,1803]
                 ViewGroup#y6w [0,1716][157,1803]
                  TextView#y6y [0,1716][157,1803] t="{mode_0}"
                ViewGroup [157,1716][303,1803]
                 ViewGroup#y6w [157,1716][303,1803]
                  TextView#y6y [157,1716][303,1803] t="{mode_1}"
                ViewGroup [303,1716][439,1803]
                 ViewGroup#y6w [303,1716][439,1803]
                  TextView#y6y [303,1716][439,1803] t="{mode_2}"
                ViewGroup [439,1716][641,1803]
                 ViewGroup#y6w [439,1716][641,1803]
                  TextView#y6y +S [439,1716][641,1803] t="{mode_3}"
                ViewGroup [641,1716][828,1803]
                 ViewGroup#y6w [641,1716][828,1803]
                  TextView#y6y [641,1716][828,1803] t="{mode_4}"
             View#x3c [433,1712][646,1807] z=1
            FrameLayout#cne [0,2185][1080,2314] z=5
             LinearLayout [0,2185][1080,2314]
              ViewGroup [0,2185][1080,2314]
               FrameLayout#y6b [198,2185][1080,2314]
                LinearLayout#f1k [198,2185][1080,2314]
                 ViewGroup [463,2189][617,2310]
                  ViewGroup#y6w [463,2189][617,2310]
                   TextView#y6y [463,2189][617,2310] t="{bottom_0}"
                 ViewGroup [617,2190][851,2308]
                  ViewGroup#y6w [617,2190][851,2308]
                   TextView#y6y +S [617,2190][851,2308] t="{bottom_1}"
                 ViewGroup [851,2190][1048,2308]
                  ViewGroup#y6w [851,2190][1048,2308]
                   TextView#y6y [851,2190][1048,2308] t="{bottom_2}"
            LinearLayout [686,0][1080,2337] z=9
             LinearLayout#ihh [933,195][1080,469]
              Button +CLF [933,195][1080,332] d="{tool_0}"
               FrameLayout#d2x [933,195][1080,332] z=5
                ImageView#zhn +F [964,221][1048,305] z=2
               ImageView#m9v [944,195][1070,321] z=1
              Button +CLF [933,332][1080,469] d="{tool_1}"
               FrameLayout#d2x [933,332][1080,469] z=5
                ImageView#zhn +F [964,358][1048,442] z=2
               ImageView#m9v [944,332][1070,458] z=1
             View#ne8 [980,485][1033,488]
             ScrollView#wrp +F [933,504][1080,1052]
              LinearLayout#wro [933,504][1080,1052]
               Button +CLF [933,504][1080,641] d="{tool_2}"
                FrameLayout#d2x [933,504][1080,641] z=5
                 ImageView#zhn +F [964,530][1048,614] z=2
                ImageView#m9v [944,504][1070,630] z=1
               Button +CLF [933,641][1080,778] d="{tool_3}"
                FrameLayout#d2x [933,641][1080,778] z=5
                 ImageView#zhn +F [964,667][1048,751] z=2
                ImageView#m9v [944,641][1070,767] z=1
               Button +CLF [933,778][1080,915] d="{tool_4}"
                FrameLayout#d2x [933,778][1080,915] z=5
                 ImageView#zhn +F [964,804][1048,888] z=2
                ImageView#m9v [944,778][1070,904] z=1
               Button +CLF [933,915][1080,1052] d="{tool_5}"
                FrameLayout#d2x [933,915][1080,1052] z=5
                 ImageView#zi1 [964,936][1048,1020] z=3
                 ImageView#zhn +F [964,941][1048,1025]
                ImageView#m9v [944,915][1070,1041] z=1
             ImageView#zi9 +CF [969,1078][1043,1136]
           FrameLayout#u31 [0,0][1080,2337] z=2
            FrameLayout [0,0][1080,2337]
            FrameLayout [0,0][1080,2337] z=3
            FrameLayout [0,0][1080,2337] z=4
            FrameLayout [0,0][1080,2337] z=5
          FrameLayout#uyq [0,0][1080,2337]
           FrameLayout#n3i [0,0][1080,2337]
            FrameLayout#n3g [0,132][1080,2274]
            FrameLayout#n3h [0,132][1080,2274]
     *panel
  FrameLayout [0,0][1080,2400] z=1
   SurfaceView [0,198][1080,2118]
""")

# tt4314_fr_publish_gallery: the gallery panel over the camera (tiles: TILE_4314)
PANEL_4314 = Layout("""
FrameLayout [0,0][1080,2337] z=10
 FrameLayout#nor [0,0][1080,2337]
  FrameLayout [0,0][1080,2337] z=2
  FrameLayout [0,0][1080,2337] z=1
   ViewGroup#s2q [0,0][1080,2337]
    FrameLayout#d6t [0,0][1080,2337] z=2
    LinearLayout#f0u [0,0][1080,2337] z=1
     RelativeLayout#aiw [0,132][1080,258] z=2
      ImageView#b9b +CF [42,163][105,226] d="{close}" @back
      LinearLayout#d2t +CF [396,147][683,242]
       TextView#yc0 [438,169][593,219] t="{recents}"
       ImageView#kun [609,173][651,215]
     RelativeLayout#hm7 [0,258][1080,2337] z=4
      FrameLayout#e8e [0,258][1080,2137]
       LinearLayout#ait [0,258][1080,2137]
        HorizontalScrollView#mua +F [0,258][1080,376]
         LinearLayout [0,258][1080,376]
          FrameLayout +F clk={tab_all_clk} sel={tab_all_sel} [42,258][346,376] d="{tab_all}" @tab:All
           TextView sel={tab_all_sel} [68,258][320,376] t="{tab_all}"
          FrameLayout +F clk={tab_videos_clk} sel={tab_videos_sel} [346,258][690,376] d="{tab_videos}" @tab:Videos
           TextView sel={tab_videos_sel} [372,258][664,376] t="{tab_videos}"
          FrameLayout +F clk={tab_photos_clk} sel={tab_photos_sel} [690,258][1038,376] d="{tab_photos}" @tab:Photos
           TextView sel={tab_photos_sel} [716,258][1012,376] t="{tab_photos}"
        ViewPager#zpi +FX [0,376][1080,2137] z=7
         FrameLayout [0,376][1080,2137]
          FrameLayout#iia [0,376][1080,2137] z=2
           FrameLayout [0,376][1080,2137]
            GridView#i8o +FX [0,376][1080,2137]
             *tiles
      FrameLayout#n5x [0,2137][1080,2337] z=3
       FrameLayout#n5w [0,2137][1080,2337]
        LinearLayout [0,2137][1080,2337]
         LinearLayout [0,2137][1080,2337] z=5
          LinearLayout#nbr [0,2137][1080,2337] z=2
           FrameLayout#nbt [32,2137][529,2337]
            FrameLayout#nbs [32,2137][529,2337]
             RelativeLayout#nbv +CF [32,2137][435,2337]
              CheckBox#nbk +FKk [32,2211][95,2274]
              TextView#nbu [111,2214][435,2261] t="{select_multiple}"
           Button#uyb +F clk={can_next} [550,2179][1048,2295] t="{next}" @next
""")

# tt4314_fr_publish_gallery: the first tile (dx/dy place the others; videos show their length)
TILE_4314 = Layout("""
FrameLayout +CLF [5,381][359,738] @{tile}
 ImageView#mub [5,381][359,738]
 ?multi FrameLayout#h9t +CF [243,381][359,497] z=8 @{select}
  Button#jh7 +CF [280,397][343,460] t="{order}" @{select}
 ?video FrameLayout [196,651][359,738]
  View#fkt [196,651][359,738]
  TextView#fl2 [249,678][359,738] t="{duration}"
""")

# tt4703_fr_publish_gallery_selected: the gallery panel over the camera (tiles: TILE_4703);
# with nothing picked, the grid and bottom bar of tt4703_fr_publish_gallery
PANEL_4703 = Layout("""
FrameLayout [0,0][1080,2337] z=11
 FrameLayout#puj [0,0][1080,2337]
  FrameLayout [0,0][1080,2337] z=2
  FrameLayout [0,0][1080,2337] z=1
   ViewGroup#uyq [0,0][1080,2337]
    FrameLayout#e0b [0,0][1080,2337] z=2
    LinearLayout#g1z [0,0][1080,2337] z=1
     RelativeLayout#ayq [0,132][1080,258] z=2
      ImageView#bs4 +CF [21,142][126,247] @back
      LinearLayout#dvr +CF [396,147][683,242]
       TextView#tv_title [438,169][593,219] t="{recents}"
       ImageView#mkm [609,173][651,215]
     RelativeLayout#j0i [0,258][1080,2337] z=4
      ?picked FrameLayout#f5o [0,258][1080,1822]
       LinearLayout#ayj [0,258][1080,1822]
        HorizontalScrollView#owb +F [0,258][1080,376]
         LinearLayout [0,258][1080,376]
          FrameLayout +F clk={tab_all_clk} sel={tab_all_sel} [42,258][346,376] d="{tab_all}" @tab:All
           TextView sel={tab_all_sel} [68,258][320,376] t="{tab_all}"
          FrameLayout +F clk={tab_videos_clk} sel={tab_videos_sel} [346,258][690,376] d="{tab_videos}" @tab:Videos
           TextView sel={tab_videos_sel} [372,258][664,376] t="{tab_videos}"
          FrameLayout +F clk={tab_photos_clk} sel={tab_photos_sel} [690,258][1038,376] d="{tab_photos}" @tab:Photos
           TextView sel={tab_photos_sel} [716,258][1012,376] t="{tab_photos}"
        FrameLayout [0,376][1080,1822] z=7
         ViewPager#viewpager_choose_media +FX [0,376][1080,1822]
          FrameLayout [0,376][1080,1822]
           FrameLayout#jzh [0,376][1080,1822] z=2
            FrameLayout [0,376][1080,1822]
             GridView#jmm +FX [0,376][1080,1822]
              *tiles
      ?!picked FrameLayout#f5o [0,258][1080,2137]
       LinearLayout#ayj [0,258][1080,2137]
        HorizontalScrollView#owb +F [0,258][1080,376]
         LinearLayout [0,258][1080,376]
          FrameLayout +F clk={tab_all_clk} sel={tab_all_sel} [42,258][346,376] d="{tab_all}" @tab:All
           TextView sel={tab_all_sel} [68,258][320,376] t="{tab_all}"
          FrameLayout +F clk={tab_videos_clk} sel={tab_videos_sel} [346,258][690,376] d="{tab_videos}" @tab:Videos
           TextView sel={tab_videos_sel} [372,258][664,376] t="{tab_videos}"
          FrameLayout +F clk={tab_photos_clk} sel={tab_photos_sel} [690,258][1038,376] d="{tab_photos}" @tab:Photos
           TextView sel={tab_photos_sel} [716,258][1012,376] t="{tab_photos}"
        FrameLayout [0,376][1080,2137] z=7
         ViewPager#viewpager_choose_media +FX [0,376][1080,2137]
          FrameLayout [0,376][1080,2137]
           FrameLayout#jzh [0,376][1080,2137] z=2
            FrameLayout [0,376][1080,2137]
             GridView#jmm +FX [0,376][1080,2137]
              *tiles
      ?picked FrameLayout#p__ [0,1822][1080,2337] z=3
       FrameLayout#p_9 [0,1822][1080,2337]
        LinearLayout#video_image_mixed_bottom_view_root +CF [0,1822][1080,2337]
         LinearLayout [0,1822][1080,1927] z=3
          FrameLayout#p9z [32,1822][618,1927]
           LinearLayout#p_7 +CF [32,1843][618,1927]
            CheckBox#n5h +FK [32,1864][74,1906]
            TextView#n5i [90,1861][460,1908] t="{select_multiple}"
         RecyclerView#ow_ +F [0,1927][1080,2137] z=4
          *strip
         LinearLayout [0,2137][1080,2337] z=6
          LinearLayout#pgj [0,2137][1080,2337] z=2
           FrameLayout#pgl [32,2137][529,2337]
            LinearLayout#bhy [32,2179][529,2295] z=2
             LinearLayout#bhx +CLF [32,2179][529,2295]
              LinearLayout [32,2179][529,2295]
               FrameLayout#l4u [163,2210][216,2263]
                ImageView#ohj [163,2210][216,2263]
               TextView#d2j [232,2210][398,2263] t="{autocut}"
           Button#xyk +F clk={can_next} [550,2179][1048,2295] t="{next}" @next
      ?!picked FrameLayout#p__ [0,2137][1080,2337] z=3
       FrameLayout#p_9 [0,2137][1080,2337]
        LinearLayout#video_image_mixed_bottom_view_root +CF [0,2137][1080,2337]
         LinearLayout [0,2137][1080,2337] z=6
          LinearLayout#pgj [0,2137][1080,2337] z=2
           FrameLayout#pgl [32,2137][529,2337]
            FrameLayout#pgk [32,2137][529,2337]
             RelativeLayout#pgn +CF [32,2137][435,2337]
              CheckBox#pgc +FKk [32,2211][95,2274]
              TextView#pgm [111,2214][435,2261] t="{select_multiple}"
           Button#xyk +F clk={can_next} [550,2179][1048,2295] t="{next}" @next
""")

# tt4703_fr_publish_gallery_selected: the first tile, picked (dx/dy place the others)
TILE_4703 = Layout("""
FrameLayout +CLF [5,381][359,738] @{tile}
 ImageView#owc [5,381][359,738]
 ?picked View#w51 [5,381][359,738] z=6
 ?multi FrameLayout#imk +CF [243,381][359,497] z=8 @{select}
  Button#l34 +CF [280,397][343,460] t="{order}" @{select}
 ?video FrameLayout [196,651][359,738] z=3
  View#gpo [196,651][359,738]
  TextView#gpx [234,678][359,738] t="{duration}"
""")

# tt4703_fr_publish_gallery_selected: a picked item in the strip above Next (tap: unpick)
STRIP_ITEM_4703 = Layout("""
FrameLayout#uyq +CF [32,1959][200,2127] @{select}
 FrameLayout#video_cover_layout [32,1959][200,2127] z=2
  ImageView#video_cover [32,1959][200,2127]
  View#jlm [32,2048][200,2127] z=3
 FrameLayout#fxf +CF [147,1959][200,2012] z=6 @{select}
  ImageView#fxd [158,1959][200,2001]
 TextView#g1r [48,2021][184,2064] z=4
 TextView#gpu [32,2066][200,2127] t="{duration}" z=10
""")

# tt4703_fr_publish_editor_sound (without a sound: the pill as on the camera, no remove button)
EDITOR_4703 = Layout("""
FrameLayout#v4t [0,0][1080,2400]
 FrameLayout [0,0][1080,2400]
 FrameLayout#v4t [0,0][1080,2400] z=3
  FrameLayout#puj [0,0][1080,2400] z=3
   FrameLayout [0,0][1080,2400]
   FrameLayout [0,0][1080,2400]
    FrameLayout#uvk [0,0][1080,2400] z=2
     FrameLayout#h58 [0,0][1080,2337]
      FrameLayout [0,0][1080,2337]
     FrameLayout#h5g [0,0][1080,2337]
      FrameLayout#h5f [0,0][1080,2337]
       FrameLayout#video_record_gesture_layout [0,0][1080,2337] z=2
        View [0,0][1080,2337]
       FrameLayout#h3v [0,0][1080,2337] z=3
        FrameLayout [0,0][1080,2337]
       FrameLayout#h4g [0,0][1080,2337] z=4
       FrameLayout#u0o [0,0][1080,2337] z=6
       FrameLayout#mwu [0,0][1080,2337] z=7
       FrameLayout#y2z [0,0][1080,2337] z=9
       FrameLayout#at4 [0,0][1080,2337] z=10
       FrameLayout#h5m [0,0][1080,2337] z=12
       FrameLayout#h3b [0,0][1080,2337] z=13
       FrameLayout#h5l [0,0][1080,2337] z=15
       FrameLayout#n32 [0,0][1080,2337] z=20
       FrameLayout#n63 [0,0][1080,2337] z=22
       FrameLayout#bja [0,0][1080,2337] z=23
       FrameLayout#mzr [0,0][1080,2337] z=24
       FrameLayout#zhd [0,0][1080,2337] z=25
       FrameLayout#mwr [0,0][1080,2337] z=27
       FrameLayout#mwt [0,0][1080,2337] z=28
       FrameLayout#mzd [0,0][1080,2337] z=29
       FrameLayout#j5k [0,0][1080,2337] z=30
       FrameLayout#h5j [0,0][1080,2337] z=31
       FrameLayout#ens [0,0][1080,2337] z=32
       FrameLayout#n0r [0,0][1080,2337] z=33
       FrameLayout#h9q [0,0][1080,2337] z=36
       FrameLayout#u0q [0,0][1080,2337] z=37
       FrameLayout#h3s [0,0][1080,2337] z=5
        FrameLayout [0,0][1080,2337]
       FrameLayout#h6s [0,0][1080,2337] z=14
        ViewGroup#zci [0,132][1080,568]
         ImageView#bs0 +CF [32,221][116,305] @back
        LinearLayout [686,0][1080,2337]
         LinearLayout#ihh [933,195][1080,469]
          Button +CLF [933,195][1080,332] d="{tool_settings}"
           FrameLayout#d2x [933,195][1080,332] z=5
            ImageView#zhn +F [964,221][1048,305] z=2
           ImageView#m9v [944,195][1070,321] z=1
          Button +CLF [933,332][1080,469] d="{tool_share}"
           FrameLayout#d2x [933,332][1080,469] z=5
            ImageView#zhn +F [964,358][1048,442] z=2
            LinearLayout [964,358][1048,442] z=1
           ImageView#m9v [944,332][1070,458] z=1
         View#ne8 [980,485][1033,488]
         ScrollView#wrp +F [933,504][1080,1463]
          LinearLayout#wro [933,504][1080,1463]
           Button +CLF [933,504][1080,641] d="{tool_edit}"
            FrameLayout#d2x [933,504][1080,641] z=5
             ImageView#zhn +F [964,530][1048,614] z=2
            ImageView#m9v [944,504][1070,630] z=1
           Button +CLF [933,641][1080,778] d="{tool_audio}"
            FrameLayout#d2x [933,641][1080,778] z=6
             FrameLayout [933,641][1080,778] z=6
             ImageView#zhn +F [964,667][1048,751]
            ImageView#m9v [944,641][1070,767]
           Button +CLF [933,778][1080,915] d="{tool_text}"
            FrameLayout#d2x [933,778][1080,915] z=5
             ImageView#zhn +F [964,804][1048,888] z=2
            ImageView#m9v [944,778][1070,904] z=1
           Button +CLF [933,915][1080,1052] d="{tool_stickers}"
            FrameLayout#d2x [933,915][1080,1052] z=5
             ImageView#zhn +F [964,941][1048,1025] z=2
            ImageView#m9v [944,915][1070,1041] z=1
           Button +CLF [933,1052][1080,1189] d="{tool_effects}"
            FrameLayout#d2x [933,1052][1080,1189] z=5
             ImageView#zhn +F [964,1078][1048,1162] z=2
            ImageView#m9v [944,1052][1070,1178] z=1
           Button +CLF [933,1189][1080,1326] d="{tool_filters}"
            FrameLayout#d2x [933,1189][1080,1326] z=5
             ImageView#zhn +F [964,1215][1048,1299] z=2
            ImageView#m9v [944,1189][1070,1315] z=1
           Button +CLF [933,1326][1080,1463] d="{tool_voice}"
            FrameLayout#d2x [933,1326][1080,1463] z=5
             ImageView#zhn +F [964,1352][1048,1436] z=2
            ImageView#m9v [944,1326][1070,1452] z=1
         ImageView#zi9 +CF [969,1489][1043,1547]
       FrameLayout#n2a [0,0][1080,2337] z=21
        ?has_sound FrameLayout#e1j [0,150][1080,332]
         LinearLayout#e1f [278,203][801,319] z=2
          LinearLayout#e1p +CF [278,203][703,319] @sound
           LinearLayout#e1n +F [283,203][698,319]
            ViewGroup [283,237][362,284]
             ImageView#e1k [320,237][362,279]
            TextView#tv_top_text +Ff [362,203][698,319] t="{sound_label}" z=3
          LinearLayout#e1d +CF [703,203][801,319] d="@0000000000" @remove_sound
           View#e1i [703,237][706,284]
           ImageView#e1e [706,234][801,287]
        ?!has_sound FrameLayout#e1j [0,150][1080,332]
         LinearLayout#e1f [327,203][753,319] z=2
          LinearLayout#e1p +CF [327,203][753,319] @sound
           LinearLayout#e1n +F [332,203][748,319]
            ViewGroup [332,237][411,284]
             ImageView#e1k [369,237][411,279]
            TextView#tv_top_text +Ff [411,203][732,319] t="{sound_label}" z=3
       FrameLayout#h5k [0,0][1080,2337] z=11
        FrameLayout [0,0][1080,2337]
         FrameLayout#ijz [0,0][1080,2337] z=2
         FrameLayout#l_h [0,0][1080,2337] z=4
         FrameLayout#txt [0,0][1080,2337] z=10
         FrameLayout#z10 [0,0][1080,2337] z=11
         FrameLayout#yzu [0,0][1080,2337] z=12
         FrameLayout#egr [0,0][1080,2337] z=15
         FrameLayout#z0z [0,0][1080,2337] z=16
         FrameLayout#xdx [0,0][1080,2337] z=14
          FrameLayout#lal [0,0][1080,2337]
         FrameLayout#tv_sticker_hint_container [0,0][1080,2337]
          FrameLayout#v7f [0,0][1080,2337]
         FrameLayout#h6w [0,0][1080,2337] z=13
          FrameLayout [0,0][1080,2337]
           FrameLayout#h5u [0,0][1080,2337]
           FrameLayout#l20 [0,0][1080,2337] z=4
           LinearLayout [0,0][1080,2337]
            FrameLayout#chl [0,2187][1080,2337] z=3
             FrameLayout#v7h [0,2187][1080,2337]
              LinearLayout#mxr [0,2187][1080,2308]
               FrameLayout#tq4 +CF [32,2192][534,2308] z=3
                LinearLayout [148,2206][417,2293]
                 FrameLayout#tq5 [148,2206][235,2293]
                  View#bma [148,2206][235,2293] z=2
                  ImageView#lwz [160,2218][223,2281] z=1
                 TextView#tv_quick_publish [251,2223][417,2276] t="{your_story}" z=4
               LinearLayout#q03 +CF [545,2192][1048,2308] z=7 @next
                TextView#q05 [722,2223][871,2276] t="{next}" z=2
           FrameLayout#h5q [0,0][1080,2190] z=2
            FrameLayout#h6v [0,1964][1080,2190]
         FrameLayout#laa [0,0][1080,2337] z=8
          FrameLayout#uyq [0,0][1080,2337]
           View#lb3 [0,0][1080,2337]
           RelativeLayout [0,131][1080,1681]
         FrameLayout#l_g [0,0][1080,2337] z=3
          FrameLayout [0,198][1080,2118]
         FrameLayout#z23 [0,198][1080,2118] z=1
          FrameLayout [0,198][1080,2118]
       FrameLayout#p9d [0,0][1080,2337] z=8
        ViewGroup [0,0][1080,2337]
         ViewGroup#uxb [0,1671][1080,2060]
          LinearLayout#zbe +CF [416,1976][665,2060]
           LinearLayout#hmx +CF [416,1976][665,2060]
            ImageView#hn8 [442,1997][484,2039]
            TextView#hnc [484,1997][644,2039] t="{templates}"
       FrameLayout#h5n [0,0][1080,2337] z=16
        FrameLayout [451,2012][629,2190]
         RelativeLayout [451,2012][629,2190]
       FrameLayout#n6w [0,132][1080,2337] z=26
        FrameLayout#h3t [0,132][1080,2337] z=2
        FrameLayout [0,132][1080,2337] z=1
         FrameLayout [0,132][1080,1132]
  FrameLayout [0,0][1080,2400] z=1
   SurfaceView [0,198][1080,2118]
""")

# tt4703_fr_publish_post_screen
POST_4703 = Layout("""
FrameLayout#v4t [0,0][1080,2400]
 FrameLayout [0,0][1080,2400]
 FrameLayout#v4t [0,0][1080,2400] z=3
  FrameLayout#puj [0,0][1080,2400] z=3
   FrameLayout [0,0][1080,2400]
   FrameLayout [0,0][1080,2400]
    RelativeLayout#tit [0,0][1080,2400] z=3
     FrameLayout#e0b [0,0][1080,2337] z=14
     FrameLayout#zkd [0,132][1080,248]
      LinearLayout#zaq [0,132][1080,248] z=2
       Button#bs0 +CF [16,132][131,248] d="@0000000000" @back
      FrameLayout#zbv [0,132][1080,248] z=7
     ScrollView#tiu +F [0,249][1080,2147] z=4
      LinearLayout#tim [0,249][1080,1920]
       FrameLayout#h39 [0,249][1080,803]
        RelativeLayout#video_header_layout +F [0,249][1080,803]
         EditText#h8e +CLF [42,270][673,677] t="{caption_text}" h="{caption_hint}" foc={caption_focused} field=caption @focus:caption z=4
         ImageView#kzv +CF [715,270][1038,661] d="@0000000000" z=1
         TextView#ffg [741,291][872,336] t="{preview}" z=2
         FrameLayout#e12 +CF [715,533][1038,661] z=3
          TextView#e13 [731,533][1022,645] t="{edit_cover}"
         LinearLayout#mwo [42,719][1054,803]
          HorizontalScrollView#afd +F [42,719][1054,803] z=2
           LinearLayout#video_add_extra_buttons_container [42,719][568,803]
            Button#bd7 +CF [42,719][289,803] t="{hashtags}" @hashtag z=2
            Button#bd6 +CF [315,719][542,803] t="{mention}" @mention z=3
       RelativeLayout#h2h [0,803][1080,846]
       RelativeLayout#tij [0,846][1080,1920]
        View#n18 [0,846][1080,847]
        FrameLayout#tjd [0,847][1080,1773]
         LinearLayout [0,868][1080,1773]
          ViewGroup#s12 [0,868][1080,1110] z=2
           ViewGroup#e3r [0,868][1080,1005]
            ViewGroup#dty +CF [0,868][1080,1005]
             ImageView#kjy [42,910][95,963] z=2
             LinearLayout#zbe [95,868][392,1005] z=3
              TextView#ze3 [116,910][339,960] t="{location}"
              ImageView#la0 +CF [339,910][392,963]
             LinearLayoutCompat#a28 [996,916][1038,958] z=5
              ImageView#a26 +CF [996,916][1038,958] z=2
           LinearLayout#twp [0,1005][1080,1110] z=3
            RecyclerView#two +FX [0,1005][1080,1079]
             FrameLayout#wm4 +CF [42,1005][260,1079]
              LinearLayoutCompat#o2x [42,1005][260,1079]
               TextView#yvj [63,1021][239,1063] t="{place_0}" z=2
             FrameLayout#wm4 +CF [281,1005][617,1079]
              LinearLayoutCompat#o2x [281,1005][617,1079]
               TextView#yvj [302,1021][596,1063] t="{place_1}" z=2
             FrameLayout#wm4 +CF [638,1005][847,1079]
              LinearLayoutCompat#o2x [638,1005][847,1079]
               TextView#yvj [659,1021][826,1063] t="{place_2}" z=2
             FrameLayout#wm4 +CF [868,1005][1080,1079]
              LinearLayoutCompat#o2x [868,1005][1080,1079]
               TextView#yvj [889,1021][1080,1063] t="{place_3}" z=2
          FrameLayout +CF [0,1110][1080,1250] z=3
           RelativeLayout [0,1110][1080,1250]
            LinearLayout#sz8 [0,1110][1080,1250]
             LinearLayoutCompat [0,1110][1080,1250]
              Button#dty +CF [0,1110][1080,1250] d="{add_link}"
               ImageView#kjy [42,1152][95,1205] z=2
               TextView#ze3 [116,1155][386,1205] t="{add_link}" z=3
               LinearLayout#tux_textCell_accessory [996,1149][1038,1191] z=5
                LinearLayout [996,1149][1038,1191]
                 ImageView#kkv [996,1149][1038,1191] z=2
          LinearLayout [0,1250][1080,1390] z=4
           LinearLayout#yws [0,1250][1080,1390]
            LinearLayoutCompat [0,1250][1080,1390]
             Button#dty +CF [0,1250][1080,1390] d="{everyone}"
              ImageView#kjy [42,1292][95,1345] z=2
              TextView#ze3 [116,1295][878,1345] t="{everyone}" z=3
              LinearLayout#tux_textCell_accessory [996,1295][1038,1347] z=5
               LinearLayoutCompat [996,1295][1038,1347]
                ImageView#kjy [996,1300][1038,1342] z=2
          FrameLayout [0,1390][1080,1630] z=5
           LinearLayout#g95 [0,1390][1080,1630]
            LinearLayoutCompat [0,1390][1080,1630]
             Button#dty +CF [0,1390][1080,1630] d="{privacy}, {privacy_desc}"
              ImageView#kjy [42,1432][95,1485] z=2
              TextView#ze3 [116,1435][703,1488] t="{privacy}" z=3
              LinearLayout#tux_textCell_accessory [996,1435][1038,1487] z=5
               LinearLayoutCompat [996,1435][1038,1487]
                ImageView#kjy [996,1440][1038,1482] z=2
              TextView#xvl [116,1504][1038,1588] t="{privacy_desc}"
          FrameLayout [0,1630][1080,1773] z=6
           LinearLayout#g95 [0,1630][1080,1773]
            LinearLayoutCompat [0,1630][1080,1773]
             Button#dty +CF [0,1630][1080,1773] d="{more_options}"
              ImageView#kjy [42,1672][95,1725] z=2
              TextView#ze3 [116,1675][397,1728] t="{more_options}" z=3
              LinearLayout#tux_textCell_accessory [996,1675][1038,1727] z=5
               LinearLayoutCompat [996,1675][1038,1727]
                ImageView#kjy [996,1680][1038,1722] z=2
        LinearLayout#n4b [0,1773][1080,1920]
         LinearLayout +CF [0,1773][1080,1920]
          LinearLayout +F [0,1773][1080,1920]
           LinearLayout#x6g [42,1815][1006,1878]
            ImageView#w6i [42,1820][95,1873]
            LinearLayout [116,1821][345,1871]
             TextView#w8w [116,1821][345,1871] t="{share_to}"
           LinearLayout#n4d [1006,1825][1038,1867] z=3
            ImageView#vt9 +CF [1017,1825][1038,1867] z=2
     RelativeLayout#cid [0,2147][1080,2337] z=5
      RelativeLayout#uvx [0,2147][1080,2179]
       LinearLayout#y4g [0,2147][1080,2179]
      LinearLayout#gjb [32,2179][1048,2305] z=6
       Button#ght +CF [32,2179][529,2305] t="{drafts}"
       View#deg [529,2179][550,2200]
       Button#tiq +CF [550,2179][1048,2305] t="{post}" @post
  FrameLayout [0,0][1080,2400] z=1
""")

# tt4314_publish_post_screen (English; dumped 1080x2220: the top moved down 55 px, the bottom bar 249 px)
POST_4314 = Layout("""
FrameLayout#s8e [0,0][1080,2337]
 FrameLayout#nor [0,0][1080,2337] z=2
  FrameLayout [0,0][1080,2337]
  FrameLayout [0,0][1080,2337]
   RelativeLayout#qre [0,0][1080,2337] z=3
    FrameLayout#d6t [0,0][1080,2337] z=14
    View#sah [0,0][1080,132] z=17
    FrameLayout#w_m [0,132][1080,253] z=2
     LinearLayout#w1v [0,132][1080,253] z=2
      Button#b98 +CF [17,132][139,253] d="@2131888269" @back
     FrameLayout#w2y [0,132][1080,253] z=7
    ScrollView#qrf +F [0,254][1080,2139]
     LinearLayout#qr8 [0,254][1080,1836]
      FrameLayout#fvz [0,254][1080,807]
       RelativeLayout#z_y +F [0,254][1080,807]
        EditText#g19 +CLF [44,276][684,675] t="{caption_text}" h="{caption_hint}" foc={caption_focused} field=caption @focus:caption z=4
        ImageView#je8 +CF [728,276][1036,686] d="@2131888107" z=1
        TextView#eh3 [756,298][894,345] t="{preview}" z=2
        FrameLayout#d7p +CF [728,595][1036,686] z=3
         TextView#d7q [745,595][1019,669] t="{edit_cover}"
        LinearLayout#l44 [44,719][1052,807]
         Button#awo +CF [44,719][294,807] t="{hashtags}" @hashtag
         Button#awn +CF [322,719][549,807] t="{mention}" @mention
      RelativeLayout#fv_ [0,807][1080,851]
      RelativeLayout#qr5 [0,851][1080,1836]
       View#l8p [0,851][1080,852]
       FrameLayout#qrz [0,852][1080,1681]
        LinearLayout [0,874][1080,1681]
         ViewGroup#piy [0,874][1080,1127] z=2
          ViewGroup#d_j [0,874][1080,1017]
           ViewGroup#d0z +CF [0,874][1080,1017]
            ImageView#j2c [44,918][99,973] z=2
            LinearLayout#w2j [99,874][333,1017] z=3
             TextView#w4m [121,918][278,970] t="{location}"
             ImageView#jp4 +CF [278,918][333,973] d="{more_info}"
            LinearLayoutCompat#tj [992,924][1036,968] z=5
             ImageView#th +CF [992,924][1036,968] z=2
          LinearLayout#r3n [0,1017][1080,1127]
           RecyclerView#r3m +FX [0,1017][1080,1094]
            FrameLayout#tof +CF [121,1017][420,1094]
             LinearLayoutCompat#m3f [121,1017][420,1094]
              TextView#voh [140,1033][401,1077] t="{place_0}" z=2
            FrameLayout#tof +CF [442,1017][560,1094]
             LinearLayoutCompat#m3f [442,1017][560,1094]
              TextView#voh [461,1033][541,1077] t="{place_1}" z=2
            FrameLayout#tof +CF [582,1017][725,1094]
             LinearLayoutCompat#m3f [582,1017][725,1094]
              TextView#voh [601,1033][706,1077] t="{place_2}" z=2
            FrameLayout#tof +CF [747,1017][1080,1094]
             LinearLayoutCompat#m3f [747,1017][1080,1094]
              TextView#voh [766,1033][1080,1077] t="{place_3}" z=2
         LinearLayout [0,1127][1080,1273] z=3
          LinearLayout#vp5 [0,1127][1080,1273]
           LinearLayoutCompat [0,1127][1080,1273]
            Button#d0z +CF [0,1127][1080,1273] d="{everyone}"
             ImageView#j2c [44,1171][99,1226] z=2
             TextView#w4m [121,1174][623,1226] t="{everyone}" z=3
             LinearLayout#x0w [992,1174][1036,1233] z=5
              LinearLayoutCompat [992,1174][1036,1233]
               ImageView#j2c [992,1181][1036,1225] z=2
         FrameLayout [0,1273][1080,1477] z=4
          LinearLayout#f6m [0,1273][1080,1477]
           LinearLayoutCompat [0,1273][1080,1477]
            Button#d0z +CF [0,1273][1080,1477] d="{privacy}, {privacy_desc}"
             ImageView#j2c [44,1317][99,1372] z=2
             TextView#w4m [121,1320][409,1372] t="{privacy}" z=3
             LinearLayout#x0w [992,1320][1036,1379] z=5
              LinearLayoutCompat [992,1320][1036,1379]
               ImageView#j2c [992,1327][1036,1371] z=2
             TextView#uv6 [121,1389][927,1433] t="{privacy_desc}"
         FrameLayout [0,1477][1080,1681] z=5
          LinearLayout#f6m [0,1477][1080,1681]
           LinearLayoutCompat [0,1477][1080,1681]
            Button#d0z +CF [0,1477][1080,1681] d="{more_options}, {more_options_desc}"
             ImageView#j2c [44,1521][99,1576] d="{settings}" z=2
             TextView#w4m [121,1524][362,1576] t="{more_options}" z=3
             LinearLayout#x0w [992,1524][1036,1583] z=5
              LinearLayoutCompat [992,1524][1036,1583]
               ImageView#j2c [992,1531][1036,1575] z=2
             TextView#uv6 [121,1593][710,1637] t="{more_options_desc}"
       LinearLayout#lao [0,1681][1080,1836]
        LinearLayout +CF [0,1681][1080,1836]
         LinearLayout +F [0,1681][1080,1836]
          LinearLayout#u7w [44,1725][1003,1792]
           ImageView#t_c [44,1731][99,1786] d="{share}"
           LinearLayout [121,1732][272,1784]
            TextView#tbp [121,1732][272,1784] t="{share_to}"
          LinearLayout#laq [1003,1736][1036,1780] z=3
           ImageView#sxc +CF [1014,1736][1036,1780] z=2
    RelativeLayout#bw7 [0,2139][1080,2337]
     RelativeLayout#rzz [0,2139][1080,2172]
      LinearLayout#v3x [0,2139][1080,2172]
     LinearLayout#fgc [33,2172][1047,2304] z=6
      Button#fex +CF [33,2172][529,2304] t="{drafts}"
      View#cok [529,2172][551,2194]
      Button#qrb +CF [551,2172][1047,2304] t="{post}" @post
 FrameLayout [0,0][1080,2337] z=1
""")

# tt4314_fr_publish_posted: the own profile during an upload; its first tile is the new post,
# with a progress bar and the percentage (the own profile places it: see uploading_tile)
UPLOADING_TILE_4314 = Layout("""
FrameLayout [0,963][358,1440]
 ImageView#cover +CF [0,963][358,1440]
 LinearLayout [0,1309][358,1440] z=2
  LinearLayout [16,1387][342,1429]
   View#s36 [16,1402][231,1413]
   TextView#qjj [247,1388][342,1427] t="{percent}" z=2
""")

# tt4703_fr_publish_uploading: the progress bubble, a window of its own (after the app's)
UPLOAD_4703 = Layout("""
FrameLayout [42,284][160,442] z=0
 ViewGroup#uxb [42,284][160,442]
  ImageView#c2h [42,284][160,442] z=3
  View#c2i [42,284][160,442] z=4
  FrameLayout#foa [47,309][156,418] z=5
   View#mbf [47,309][156,418]
   TextView#tvProgress [66,344][137,383] t="{percent}"
""")

# tt4663_en_publish_uploading (46.6.3: the build nearest 43.1.4 that shows the bubble)
UPLOAD_4663 = Layout("""
FrameLayout [32,284][150,442] z=0
 ViewGroup#uio [32,284][150,442]
  ImageView#c0r [32,284][150,442] z=3
  View#c0s [32,284][150,442] z=4
  FrameLayout#fk4 [37,309][146,418] z=5
   View#m5m [37,309][146,418]
   TextView#tvProgress [56,344][127,383] t="{percent}"
""")
