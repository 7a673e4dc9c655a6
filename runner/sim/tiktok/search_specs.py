"""Search layouts, shaped after the real dumps.

- The search page (before submitting): ``tt4703_fr_search_field`` on every build (the only dump of
  it): the EditText (its text is its hint while empty, as dumped), ``Search`` / ``Rechercher``
  (a Button), the history rows (the account's past queries), ``See more`` left out (no English).
- The results: 46.9.3 and 47.0.3 (nearest) ``tt4693_fr_search_results`` (Top: a grid of video
  cells) and ``tt4693_fr_search_users`` (Users: rows of nickname in bidi marks, handle,
  ``N followers · M likes``, an inline ``Follow`` Button); 43.1.4 ``tt4314_fr_search_users``
  (its header, tabs and rows; moved down 55 px: a 1080x2220 phone) with 46.9.3's video cells.
  The anonymised shortcut left of the tabs is left out. 43.1.4's tabs are its dump's: Top,
  Users, Videos, Shop, Photos (no Sounds tab on that build).
- The Sounds tab has no dump: rows with the sound's name (the earlier model's shape, hashed ids).
"""

from runner.sim.tiktok.spec import Layout

SEARCH_PAGE = Layout(
    shared=True,
    text="""
FrameLayout#vl0 [0,0][1080,2400]
 FrameLayout#uxf [0,0][1080,2400]
 FrameLayout#j0i [0,0][1080,2400] z=7
  FrameLayout#ofh [0,132][1080,2337]
   FrameLayout#a7s [0,132][1080,2337]
    FrameLayout [0,132][1080,2337]
   LinearLayout [0,132][1080,2337]
    RelativeLayout#zpo [0,132][1080,268]
     RelativeLayout#vd5 [0,132][1080,268]
      FrameLayout#uub [0,132][1080,268]
      FrameLayout#bs6 [0,142][130,257]
       ImageView#bs5 +CF [15,142][130,257] @back
      FrameLayout#imt [130,153][783,247] z=6
       EditText#hu0 +CLF [130,153][783,247] z=2 t="{query_text}" h="{hint}" foc={focused} field=query @focus:query
       ImageView#mhv [145,174][197,226] z=1
       ?query ImageView#d3m +CF [689,153][783,247] z=5 @clear
      FrameLayout#vmh [783,142][1080,257] z=5
       Button#tv_search_textview +C [783,142][1080,257] t="{submit}" @submit
    FrameLayout#j0g [0,268][1080,2337]
     FrameLayout [0,268][1080,2337] z=2
      FrameLayout#vhz [0,268][1080,2337]
       RelativeLayout#uvq [0,268][1080,2337]
        View [0,268][1080,2337]
        LinearLayout [0,268][1080,2337]
        ScrollView#lkh +FX [0,268][1080,2337]
         LinearLayout [0,268][1080,2337]
          RecyclerView#k95 +F [0,268][1080,993]
           *history
          LinearLayout#uwc [0,993][1080,2337] z=4
           FrameLayout +F [0,993][1080,2337]
            ScrollView +F [0,993][1080,2337]
             HorizontalScrollView +F [0,993][1080,2337]
              LinearLayout +F [0,993][1080,2337]
               ImageView [729,1066][761,1097]
               ImageView [996,1062][1038,1104]
               ViewGroup [42,1144][1038,1200]
               ImageView [105,1206][137,1238]
               ViewGroup [42,1281][1038,1336]
               ViewGroup [42,1417][1038,1473]
               ImageView [105,1479][137,1511]
""",
)
HISTORY_ROW = Layout(
    shared=True,
    text="""
FrameLayout [0,268][1080,373] @{action}
 LinearLayout#viw [0,268][1080,373]
  ImageView#vhe [42,299][84,341]
  LinearLayout#o4u [105,294][983,346] z=3
   X.09F7#tvl_his +F b={text_box} t="{text}"
  FrameLayout#fxu +CF [983,268][1051,373] z=4 @{remove}
   ImageView#m2w +CF [983,286][1051,354] @{remove}
""",
)

# ------------------------------------------------------------------------- results, 46.9.3
RESULTS_TT4693 = Layout(
    shared=True,
    text="""
FrameLayout#vht [0,0][1080,2400]
 FrameLayout#uu9 [0,0][1080,2400]
 FrameLayout#j03 [0,0][1080,2400] z=7
  FrameLayout#oen [0,132][1080,2337]
   FrameLayout#a7t [0,132][1080,2337]
    FrameLayout [0,132][1080,2337]
   LinearLayout [0,132][1080,2337]
    RelativeLayout#zlh [0,132][1080,268]
     RelativeLayout#v_y [0,132][1080,268]
      FrameLayout#ur5 [0,132][1080,268]
      FrameLayout#bs9 [0,142][130,257]
       ImageView#bs8 +CF [15,142][130,257] @back
      FrameLayout#ime [130,153][955,247] z=6
       EditText#htb +CLF [130,153][955,247] z=2 t="{query}" h="{hint}" @edit_query
       ImageView#mhi [145,174][197,226] z=1 d="{search}"
       ImageView#cv_ +CF [888,174][940,226] z=8 d="{clear}" @edit_query
      FrameLayout#vja [955,142][1080,257] z=5
       LinearLayout [955,142][1080,257] z=2
        ImageView#vj2 +CF [960,147][1054,252] z=2 d="{more}"
    FrameLayout#j01 [0,268][1080,2337]
     FrameLayout [0,268][1080,2337] z=2
     FrameLayout#j03 [0,268][1080,2337] z=1
      ImageView#ug6 [0,268][1080,2337]
      ViewGroup#n3t [0,268][1080,2337]
       ViewGroup#p90 [0,268][1080,373] z=5
        FrameLayout#ir8 [0,268][1080,373]
         FrameLayout [0,268][1080,373]
          HorizontalScrollView#pyp +FX [0,268][1080,373]
           LinearLayout [0,268][1080,373]
            *tabs
       ViewPager#viewpager_search +FX [0,373][1080,2337] z=7
        LinearLayout#vdx [0,373][1080,2337]
         FrameLayout#ipv [0,373][1080,2337]
          ViewGroup [0,373][1080,2337]
           ViewGroup#u3x +d [0,373][1080,2337] z=2
            FrameLayout#u2h [0,373][1080,2337] z=2
             FrameLayout#vgu [0,373][1080,2337] z=7
             *content
             View#vas [498,1313][582,1397] z=1
       View#vg7 [0,373][1080,374] z=8
""",
)
TAB_TT4693 = Layout(
    shared=True,
    text="""
FrameLayout +F b={box} sel={selected} clk={clickable} d="{word}" @{action}
 TextView b={text_box} sel={selected} t="{word}"
""",
)
USERS_TT4693 = Layout(
    shared=True,
    text="""
RecyclerView#nhg +FX [0,373][1080,2337]
 *rows
""",
)
USER_ROW_TT4693 = Layout(
    shared=True,
    text="""
Button +CF [0,394][1080,589] @{open}
 RelativeLayout#vaz +CF [0,394][1080,589] @{open}
  FrameLayout#iih [29,402][208,581]
   FrameLayout#io7 [29,402][208,581]
    X.05qZ#lwg +CF [45,418][192,565] @{open}
     ImageView [45,418][192,565]
  LinearLayout#mz6 [226,424][775,558]
   ViewGroup#o9x [226,424][775,474]
    TextView#tv_username b={name_box} t="{nickname}"
   TextView#tv_aweme_id [226,474][775,516] t="{handle}"
   TextView#tv_desc b={desc_box} t="{counts}"
  FrameLayout#ync [807,447][1038,531]
   Button#u68 +CF [807,447][1038,531] t="{follow_word}" @{follow}
""",
)
VIDEOS_TT4693 = Layout(
    shared=True,
    text="""
GridView#nhg +FX [0,373][1080,2337]
 *cells
""",
)
VIDEO_CELL_TT4693 = Layout(
    shared=True,
    text="""
FrameLayout#vjp +CF [11,384][535,1442] @{open}
 LinearLayout#f5a [11,384][535,1442]
  FrameLayout#uuq [11,384][535,1222]
   FrameLayout [11,384][535,1222]
    TextureView#vh_ [11,384][535,1222]
   ImageView#cover [11,384][535,1222]
   FrameLayout#video_mask_layer_container [11,384][535,1222] z=6
   ViewGroup#e7x [11,384][535,1222] z=5
   FrameLayout#video_holder_tux_mask_container [11,1106][535,1222] z=4
    ImageView#video_holder_tux_mask [11,1106][535,1222]
  LinearLayout#fyy [11,1238][535,1442] z=5
   Button#desc +CF [32,1238][503,1332] z=4 t="{caption}" @{open}
   ViewGroup#bfy [32,1348][514,1421] z=6
    FrameLayout#bfs [32,1353][95,1416]
     ImageView#bfr +CF [32,1353][95,1416] @{creator_action}
    Button#bfz +CF b={creator_box} t="{creator}" @{creator_action}
    Button#nbk +CF [363,1358][514,1411] z=7 t="{likes}" @{open}
""",
)
SOUNDS_ANY = Layout(
    shared=True,
    text="""
RecyclerView#nhg +FX [0,373][1080,2337]
 *rows
""",
)

# ------------------------------------------------------------------------- results, 43.1.4
RESULTS_TT4314 = Layout(
    shared=True,
    text="""
FrameLayout#so4 [0,0][1080,2337]
 FrameLayout#s1h [0,0][1080,2337]
 FrameLayout#hm7 [0,0][1080,2337] z=8
  FrameLayout#mf8 [0,132][1080,2337]
   FrameLayout#xe [0,132][1080,2337]
   LinearLayout [0,132][1080,2337]
    RelativeLayout#weg [0,132][1080,275]
     RelativeLayout#sf2 [0,132][1080,275]
      FrameLayout#ry_ [0,132][1080,275]
      FrameLayout#b9d [0,143][137,264]
       ImageView#b9c +CF [16,143][137,264] @back
      FrameLayout#h_3 [137,154][947,253] z=6
       EditText#giv +CLF [137,154][947,253] z=2 t="{query}" h="{hint}" @edit_query
       ImageView#ksc [153,176][208,231] z=1 d="{search}"
       ImageView#c87 +CF [876,176][931,231] z=8 d="{clear}" @edit_query
      FrameLayout#spr [947,143][1080,264] z=5
       LinearLayout [947,143][1080,264] z=2
        ImageView#spd +CF [953,148][1052,258] z=2 d="{more}"
    FrameLayout#hm5 [0,275][1080,2337]
     FrameLayout [0,275][1080,2337] z=2
     FrameLayout#hm7 [0,275][1080,2337] z=1
      ImageView#rnr [0,275][1080,2337]
      ViewGroup#lah [0,275][1080,2337]
       ViewGroup#n5i [0,275][1080,385]
        FrameLayout#hdj [0,275][1080,385]
         HorizontalScrollView#nt3 +FX [0,275][1080,385]
          LinearLayout [0,275][1080,385]
           *tabs
       ViewPager#zpl +FX [0,385][1080,2337] z=3
        LinearLayout#sjw [0,385][1080,2337] z=2
         FrameLayout#hcb [0,385][1080,2337]
          ViewGroup [0,385][1080,2337]
           ViewGroup#rb9 +d [0,385][1080,2337] z=2
            FrameLayout#r_x [0,385][1080,2337] z=2
             FrameLayout#smx [0,385][1080,2337] z=7
             *content
             View#sgw [496,1220][584,1308]
       View#sm_ [0,385][1080,386]
""",
)
TAB_TT4314 = TAB_TT4693
USERS_TT4314 = Layout(
    shared=True,
    text="""
RecyclerView#lnp +FX [0,385][1080,2337]
 *rows
""",
)
USER_ROW_TT4314 = Layout(
    shared=True,
    text="""
Button +CF [0,407][1080,610] @{open}
 RelativeLayout#sh2 +CF [0,407][1080,610] @{open}
  FrameLayout#h6i [30,415][217,602]
   FrameLayout#han [30,415][217,602]
    X.13er#k9u +CF [46,431][200,585] @{open}
     ImageView [46,431][200,585] z=2
  LinearLayout#l6w [236,430][761,587] z=3
   ViewGroup#m_u [236,430][761,482]
    TextView#ye2 b={name_box} t="{nickname}"
   TextView#x8i [236,482][761,526] t="{handle}"
   TextView#xf0 b={desc_box} t="{counts}"
  FrameLayout#vki [794,462][1036,550] z=2
   Button#rdh +CF [794,462][1036,550] t="{follow_word}" @{follow}
""",
)
