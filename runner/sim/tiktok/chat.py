"""The direct-message thread with another account, opened by ``Message`` on their profile.

Shaped after the only real dumps of it, both 46.9.3 in French (taktik-bot's fixtures
``tt4693_fr_dm_conversation``: the thread with an empty field, and ``tt4693_fr_dm_composer_typed``:
text typed, keyboard up); every build uses this one layout (no 43.1.4 or 47.0.3 dump of a thread
exists). What the dumps show and the model keeps:

- A header: ``Retour`` (FrameLayout ``n8y``), the avatar and the other account's *display name*
  (``ig3``; no ``@handle`` anywhere in the thread) and ``Plus`` (``kif``).
- The list (RecyclerView ``u25``): a card on top (the avatar, the display name, ``N suivi · M
  follower``, and ``Suivre en retour`` when they follow us and we do not), then the messages.
  A message we sent is a bubble at the right (``wjh`` > ``f4d`` > ``kve`` > ``kvf`` > ``kvg``, the
  text in ``kvg``, of the custom class ``X.15Z4``); received ones sit at the left after an avatar
  (not modelled: the simulated accounts never answer).
- A row of quick reactions (``a37`` Buttons ``Heart``, ``Lol``, ``ThumbsUp``: English words in the
  French app, as dumped).
- The composer (``ui_slot_input_layout_redesign``): a photo button, the field (an EditText
  without id whose text is its hint ``Message…`` while empty), then, while empty, ``Message
  vocal``; always ``Ouvrir les stickers, les GIF et les émojis`` (``kux``); and right of it a
  wordless clickable view (``NAF``): a Button while the field is empty, an ImageView once text is
  typed (the field widens over the voice button's place). That ImageView is the send button:
  it has no words, so scripts find it by its place beside the emoji button.
- Send records the message (ground truth ``messages[username]``, action ``message``), shows it
  as the last bubble and empties the field; with an empty field it does nothing.

Not from a dump (no real source shows it; the words are taktik-bot's English selectors, the
French ones a guess): an account in the farm's ``dm_closed_users`` (privacy: nobody, or friends
only, may message them) gets a thread whose composer is replaced by ``Unable to send message``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.sim.hierarchy import Node, Rect
from runner.sim.tiktok.base import BTN, FL, IV, LL, RV, Screen, edit, text
from runner.sim.tiktok.strings import s
from runner.sim.tiktok.world import display_name

if TYPE_CHECKING:
    from runner.sim.tiktok.app import TikTokApp

VG = "android.view.ViewGroup"
BUBBLE = "X.15Z4"  # the text view class of a bubble, as dumped (R8-renamed)
LIST_TOP, LIST_BOTTOM = 279, 2062
ROW_H, CARD_BOTTOM = 145, 918


class ChatScreen(Screen):
    """The thread with ``username``."""

    name = "chat"

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username
        self.fields["message"] = ""

    def _id(self, app: TikTokApp, short: str) -> str:
        return f"{app.package}:id/{short}"

    def build(self, app: TikTokApp) -> Node:  # type: ignore[override]
        i = lambda short: self._id(app, short)  # noqa: E731
        name = display_name(self.username)
        root = Node(LL, Rect(0, 0, 1080, 2400))
        header = Node(LL, Rect(0, 132, 1080, 279)).add(
            Node(FL, Rect(0, 132, 105, 279), resource_id=i("n8y"), content_desc=s(app, "back"),
                 clickable=True, focusable=True, action="back").add(
                Node(IV, Rect(42, 174, 105, 237), resource_id=i("psk"),
                     content_desc=s(app, "back"))),
            Node(FL, Rect(105, 132, 210, 279), resource_id=i("lwg"), content_desc=name,
                 clickable=True),
            text(Rect(223, 182, 471, 235), name, i("ig3")),
            Node(IV, Rect(975, 174, 1038, 237), resource_id=i("kif"),
                 content_desc=s(app, "chat_more"), clickable=True, focusable=True),
        )  # fmt: skip
        root.add(header, self._list(app, name), self._reactions(app), self._composer(app))
        return root

    def _list(self, app: TikTokApp, name: str) -> Node:
        i = lambda short: self._id(app, short)  # noqa: E731
        lst = Node(RV, Rect(0, LIST_TOP, 1080, LIST_BOTTOM), resource_id=i("u25"),
                   clickable=True, focusable=True, scrollable=True)  # fmt: skip
        following, followers = app.world.user_stats(self.username)
        card = Node(BTN, Rect(32, LIST_TOP, 1048, CARD_BOTTOM)).add(
            Node(LL, Rect(385, 279, 694, 728), resource_id=i("t67"), clickable=True).add(
                Node(IV, Rect(413, 310, 665, 562), resource_id=i("t1i")),
                text(Rect(385, 604, 694, 670), name, i("t4f")),
                text(Rect(389, 681, 690, 728),
                     s(app, "chat_stats", following=following % 2000, followers=followers), ""),
            ),
        )  # fmt: skip
        if app.follow_state(self.username) == "follow_back":
            card.add(Node(BTN, Rect(370, 770, 711, 865), text=s(app, "follow_back"),
                          resource_id=i("u68"), clickable=True, focusable=True))  # fmt: skip
        rows = [card]
        sent = app.account.messages.get(self.username, [])
        # the list shows its end: as many of the last messages as fit under the card
        fit = (LIST_BOTTOM - CARD_BOTTOM) // ROW_H
        y = CARD_BOTTOM
        for body in sent[-fit:]:
            width = min(555, max(150, 22 * len(body) + 74))
            left = 1048 - width
            rows.append(
                Node(VG, Rect(32, y, 1048, y + ROW_H), resource_id=i("wjh")).add(
                    Node(FL, Rect(left, y, 1048, y + 116), resource_id=i("f4d"),
                         long_clickable=True).add(
                        Node(FL, Rect(left, y, 1048, y + 116), resource_id=i("kve"),
                             clickable=True, focusable=True).add(
                            Node(LL, Rect(left + 37, y + 32, 1011, y + 85), resource_id=i("kvf")).add(
                                Node(BUBBLE, Rect(left + 37, y + 32, 1011, y + 85), text=body,
                                     resource_id=i("kvg"), focusable=True))))))  # fmt: skip
            y += ROW_H
        return lst.add(*rows)

    def _reactions(self, app: TikTokApp) -> Node:
        i = lambda short: self._id(app, short)  # noqa: E731
        bar = Node(RV, Rect(0, 2062, 1080, 2178), resource_id=i("a3j"), focusable=True,
                   scrollable=True)  # fmt: skip
        for k, word in enumerate(("Heart", "Lol", "ThumbsUp")):
            left = 42 + 159 * k
            bar.add(Node(LL, Rect(left, 2094, left + 139, 2178), resource_id=i("a32"),
                         clickable=True, focusable=True).add(
                Node(BTN, Rect(left + 43, 2109, left + 96, 2162), resource_id=i("a37"),
                     content_desc=word)))  # fmt: skip
        return Node(FL, Rect(0, 2062, 1080, 2178), resource_id=i("a38")).add(bar)

    def _composer(self, app: TikTokApp) -> Node:
        i = lambda short: self._id(app, short)  # noqa: E731
        slot = Node(FL, Rect(0, 2178, 1080, 2400), resource_id=i("ui_slot_input_layout_redesign"))
        if self.username in app.phone.farm.dm_closed_users:
            # no dump: a plain TextView without id in the composer's place
            return slot.add(text(Rect(80, 2210, 1000, 2305), s(app, "chat_unable"), ""))
        typed = self.fields["message"]
        field_right = 815 if typed else 720
        field = edit(Rect(148, 2200, field_right, 2316), self, "message", "",
                     hint=s(app, "chat_field") if not typed else "")  # fmt: skip
        if not typed:
            field.text = s(app, "chat_field")
        row = Node(VG, Rect(0, 2178, 1080, 2337), resource_id=i("zj")).add(
            Node(LL, Rect(26, 2210, 121, 2305), resource_id=i("n8y")).add(
                Node(BTN, Rect(26, 2210, 121, 2305), resource_id=i("dgk"), clickable=True,
                     focusable=True)),
        )  # fmt: skip
        tools = Node(LL, Rect(field_right, 2210, 1027, 2305), resource_id=i("le1"))
        if not typed:
            tools.add(Node(FL, Rect(720, 2210, 815, 2305), resource_id=i("le4")).add(
                Node(BTN, Rect(720, 2210, 815, 2305), resource_id=i("tyy"),
                     content_desc=s(app, "chat_voice"))))  # fmt: skip
        tools.add(
            Node(FL, Rect(826, 2210, 932, 2305), resource_id=i("lea")).add(
                Node(BTN, Rect(826, 2210, 921, 2305), resource_id=i("kux"),
                     content_desc=s(app, "chat_emoji"), clickable=True, focusable=True)),
            Node(FL, Rect(932, 2210, 1027, 2305), resource_id=i("leb")).add(
                Node(IV if typed else BTN, Rect(932, 2210, 1027, 2305), clickable=True,
                     focusable=True, action="send" if typed else None)),
        )  # fmt: skip
        row.add(Node(VG, Rect(137, 2199, 1038, 2316), resource_id=i("ldx")).add(
            Node(FL, Rect(148, 2200, field_right, 2316), resource_id=i("ldy")).add(field),
            tools))  # fmt: skip
        return slot.add(Node(LL, Rect(0, 2178, 1080, 2400), resource_id=i("h3h")).add(row))

    def on_tap(self, app: TikTokApp, action: str) -> None:
        if action == "send":
            self.send(app)

    def send(self, app: TikTokApp) -> None:
        """Record and show the message, if the field holds any."""
        body = self.fields["message"].strip()
        if not body or self.username in app.phone.farm.dm_closed_users:
            return
        app.account.message(self.username, body)
        self.fields["message"] = ""
        self.focused = None
        app.maybe_popup()
